//! Numbers and amounts of money as a person in Brazil writes them
//! (`R$ 1.890,50`, `1890,50`, `1,890.50`), read into numbers JSON can carry.

/// What the help of a money flag (`--value`, `--price`) adds: how an amount
/// may be written.
pub const MONEY_HELP: &str = "Written 1890.50, 1890,50, 1.890,50, 1,890.50 or R$ 1.890,50; \
     1.890 and 1,890 are refused as ambiguous: write 1890 (or 1.890,00) or 1,89, as meant \
     (R$ 1.890 is 1890).";

/// What the help of any other decimal flag adds.
pub const NUMBER_HELP: &str =
    "1,5 and 1.5 alike; 1.890 alone is refused as ambiguous (write 1890 or 1,89).";

/// Why a text is not a number.
#[derive(Clone, Debug, PartialEq)]
pub enum NumberError {
    /// Not a number at all.
    NotANumber,
    /// NaN, infinity, or beyond ±1.8e308.
    NotFinite,
    /// `1.890`: 1890 in Brazil, 1.89 elsewhere. The message says how to
    /// write either.
    Ambiguous(String),
    /// Separators where they cannot be: `1.89.0`, `1,2.50`.
    BadGroups,
}

impl std::fmt::Display for NumberError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::NotANumber => f.write_str(
                "expected a number, like 1890, 1890.50, 1890,50, 1.890,50 or R$ 1.890,50",
            ),
            Self::NotFinite => f.write_str(
                "expected a finite number: JSON cannot carry NaN or infinity, and numbers beyond \
                 ±1.8e308 are infinite",
            ),
            Self::Ambiguous(how) => f.write_str(how),
            Self::BadGroups => f.write_str(
                "the thousands separators must set off groups of three digits, and the decimal \
                 separator come last and once, like 1.890,50 or 1,890.50",
            ),
        }
    }
}

impl std::error::Error for NumberError {}

/// `text` as a finite number, or why not.
pub fn parse_number(text: &str) -> Result<f64, String> {
    read_number(text).map_err(|error| error.to_string())
}

/// `text` as a finite number, read as a person in Brazil writes it:
///
/// - an optional sign and an optional `R$` (`-R$ 5,00`, `R$ -5,00`, `R$1890,50`);
/// - one separator, `,` or `.`, is the decimal one: `12,50`, `1890.50`, `0,125`;
/// - with both, the last is the decimal one and the other sets off thousands:
///   `1.890,50`, `1,890.50`; a separator used twice sets off thousands:
///   `1.890.000`;
/// - `1.890` and `1,890` (1 to 3 digits, not starting with 0, then one
///   separator and exactly three digits) are refused as ambiguous: 1890 in
///   Brazil, 1.89 in much of the world; after `R$`, `R$ 1.890` is 1890;
/// - otherwise as Rust reads a number: `1e3`, `-5`.
pub fn read_number(text: &str) -> Result<f64, NumberError> {
    let text = text.trim();
    let (negative, rest) = strip_sign(text);
    let (currency, rest) = match rest.get(..2) {
        Some(prefix) if prefix.eq_ignore_ascii_case("r$") => (true, rest[2..].trim_start()),
        _ => (false, rest),
    };
    let (negative, rest) = match (negative, currency) {
        (false, true) => strip_sign(rest),
        _ => (negative, rest),
    };
    let plain = rest
        .chars()
        .all(|c| c.is_ascii_digit() || c == '.' || c == ',');
    let number = if plain && rest.chars().any(|c| c.is_ascii_digit()) {
        decimal(rest, currency)?
    } else if currency || rest.contains(',') || rest.starts_with(['+', '-']) {
        return Err(NumberError::NotANumber);
    } else {
        rest.parse::<f64>().map_err(|_| NumberError::NotANumber)?
    };
    let number = if negative { -number } else { number };
    if number.is_finite() {
        Ok(number)
    } else {
        Err(NumberError::NotFinite)
    }
}

fn strip_sign(text: &str) -> (bool, &str) {
    if let Some(rest) = text.strip_prefix('-') {
        (true, rest)
    } else {
        (false, text.strip_prefix('+').unwrap_or(text))
    }
}

/// Digits with `.` and `,` (and at least one digit), by the rules of
/// [`read_number`].
fn decimal(text: &str, currency: bool) -> Result<f64, NumberError> {
    let dots = text.matches('.').count();
    let commas = text.matches(',').count();
    let (integer, fraction) = match (dots, commas) {
        (0, 0) => (text.to_owned(), ""),
        (_, 0) | (0, _) => {
            let separator = if dots > 0 { '.' } else { ',' };
            if dots + commas > 1 {
                (thousands(text, separator)?, "")
            } else {
                let (integer, fraction) = text.split_once(separator).expect("one separator");
                let groupable = (1..=3).contains(&integer.len()) && !integer.starts_with('0');
                if groupable && fraction.len() == 3 {
                    if currency && separator == '.' {
                        (format!("{integer}{fraction}"), "")
                    } else {
                        return Err(ambiguous(integer, fraction, separator));
                    }
                } else {
                    (integer.to_owned(), fraction)
                }
            }
        }
        _ => {
            let last = text.rfind(['.', ',']).expect("a separator");
            let separator = text[last..].chars().next().expect("a separator");
            let (integer, fraction) = (&text[..last], &text[last + 1..]);
            if integer.contains(separator) {
                return Err(NumberError::BadGroups);
            }
            let other = if separator == '.' { ',' } else { '.' };
            (thousands(integer, other)?, fraction)
        }
    };
    if fraction.contains(['.', ',']) {
        return Err(NumberError::BadGroups);
    }
    format!("{integer}.{fraction}")
        .parse::<f64>()
        .map_err(|_| NumberError::NotANumber)
}

/// `1.890.000` → `1890000`: a first group of 1 to 3 digits, then groups of 3.
fn thousands(text: &str, separator: char) -> Result<String, NumberError> {
    let mut groups = text.split(separator);
    let first = groups.next().unwrap_or_default();
    let first_fits = (1..=3).contains(&first.len());
    let mut digits = first.to_owned();
    for group in groups {
        if group.len() != 3 {
            return Err(NumberError::BadGroups);
        }
        digits.push_str(group);
    }
    if first_fits {
        Ok(digits)
    } else {
        Err(NumberError::BadGroups)
    }
}

/// How to write `1.890` either way it may have been meant.
fn ambiguous(integer: &str, fraction: &str, separator: char) -> NumberError {
    let whole = format!("{integer}{fraction}");
    let trimmed = fraction.trim_end_matches('0');
    let small = match trimmed.len() {
        0 => integer.to_owned(),
        3 => format!("{integer},{trimmed}0"),
        _ => format!("{integer},{trimmed}"),
    };
    NumberError::Ambiguous(format!(
        "'{integer}{separator}{fraction}' could mean {whole} or {small}: write {whole} (or \
         {integer}.{fraction},00) for the first, {small} for the second"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(crate::proptest_config())]

        /// Any text: refused, or a finite number that JSON writes as a
        /// number (never `null`).
        #[test]
        fn number_flags_give_finite_numbers_or_an_error(text in ".{0,40}|[-+]?[0-9.eE]{0,400}|[-+]?(inf|infinity|nan|NaN)") {
            if let Ok(number) = parse_number(&text) {
                prop_assert!(number.is_finite());
                prop_assert!(serde_json::to_value(number).unwrap().is_number());
            }
        }

        #[test]
        fn finite_numbers_are_read_back_exactly(number in any::<f64>().prop_filter("finite", |n| n.is_finite())) {
            prop_assert_eq!(parse_number(&number.to_string()), Ok(number));
        }

        /// The machine form of any finite number (`f64`'s `Display`, what
        /// `jq` or a script prints) is read back exactly, except the
        /// ambiguous `1.890` shape (1 to 3 digits, a dot, three digits),
        /// which is refused rather than guessed.
        #[test]
        fn machine_numbers_are_read_back_exactly_or_refused_as_ambiguous(number in any::<f64>().prop_filter("finite", |n| n.is_finite()), small in 1u32..1000, thousandths in 0u32..1000) {
            for number in [number, f64::from(small) + f64::from(thousandths) / 1000.0] {
                let text = number.to_string();
                match read_number(&text) {
                    Ok(read) => prop_assert_eq!(read, number),
                    Err(NumberError::Ambiguous(_)) => {
                        let (integer, fraction) = text.trim_start_matches('-').split_once('.').unwrap();
                        prop_assert!((1..=3).contains(&integer.len()) && !integer.starts_with('0'));
                        prop_assert_eq!(fraction.len(), 3);
                    }
                    Err(other) => prop_assert!(false, "{text}: {other}"),
                }
            }
        }

        /// An amount in cents written the Brazilian way, the English way or
        /// plain, with or without `R$` and a sign, is that amount.
        #[test]
        fn amounts_written_any_usual_way_are_read_alike(cents in 0u64..1_000_000_000_000, negative in any::<bool>(), form in 0usize..7) {
            let (units, cents_part) = (cents / 100, cents % 100);
            let grouped = |separator: &str| {
                let digits = units.to_string();
                let mut groups = Vec::new();
                let mut end = digits.len();
                while end > 3 {
                    groups.push(&digits[end - 3..end]);
                    end -= 3;
                }
                groups.push(&digits[..end]);
                groups.reverse();
                groups.join(separator)
            };
            let body = match form {
                0 => format!("{units},{cents_part:02}"),
                1 => format!("{}.{cents_part:02}", grouped(",")),
                2 => format!("{}.{cents_part:02}", units),
                3 => format!("R$ {},{cents_part:02}", grouped(".")),
                4 => format!("R${},{cents_part:02}", grouped(".")),
                5 => format!("{},{cents_part:02}", grouped(".")),
                _ => format!("R$ {}", grouped(".")),
            };
            let expected: f64 = if form == 6 {
                units as f64
            } else {
                format!("{units}.{cents_part:02}").parse().unwrap()
            };
            let text = if negative { format!("-{body}") } else { body };
            let expected = if negative { -expected } else { expected };
            prop_assert_eq!(read_number(&text), Ok(expected), "{}", text);
        }
    }

    #[test]
    fn brazilian_and_international_notation() {
        let reads = |text: &str, number: f64| assert_eq!(read_number(text), Ok(number), "{text}");
        reads("12,50", 12.5);
        reads("1.890,50", 1890.5);
        reads("R$ 1.890,50", 1890.5);
        reads("R$1890,50", 1890.5);
        reads("r$ 1890,50", 1890.5);
        reads("R$\u{a0}1.890,50", 1890.5);
        reads("1890.50", 1890.5);
        reads("1,890.50", 1890.5);
        reads("1.890.000", 1_890_000.0);
        reads("1,890,000", 1_890_000.0);
        reads("1.890.000,5", 1_890_000.5);
        reads("R$ 1.890", 1890.0);
        reads("0,125", 0.125);
        reads("0.125", 0.125);
        reads("1234.567", 1234.567);
        reads(",5", 0.5);
        reads("-5", -5.0);
        reads("-R$ 5,00", -5.0);
        reads("R$ -5,00", -5.0);
        reads("+12,5", 12.5);
    }

    #[test]
    fn ambiguous_numbers_are_refused_with_both_readings() {
        for text in ["1.890", "1,890", "-1.890", "R$ 1,890", "999.999"] {
            assert!(
                matches!(read_number(text), Err(NumberError::Ambiguous(_))),
                "{text}"
            );
        }
        assert_eq!(
            parse_number("1.890").unwrap_err(),
            "'1.890' could mean 1890 or 1,89: write 1890 (or 1.890,00) for the first, 1,89 for \
             the second"
        );
        assert!(
            parse_number("1,125")
                .unwrap_err()
                .contains("1,1250 for the second")
        );
        assert!(
            parse_number("1.000")
                .unwrap_err()
                .contains("1000 or 1: write")
        );
    }

    #[test]
    fn misplaced_separators_are_refused() {
        for text in [
            "1.89.0",
            "1,2.50",
            "1.890,50,3",
            "12.34,5.6",
            "1234.567.890",
            "1,,5",
            "R$",
            "R$ x",
            "--5",
            "+-5",
            "1,5e3",
            "R$ 1e3",
            ".",
            "1 890,50",
        ] {
            assert!(read_number(text).is_err(), "{text}");
        }
        assert_eq!(read_number("1.89.0"), Err(NumberError::BadGroups));
    }

    #[test]
    fn numbers_json_cannot_carry_are_refused() {
        for text in ["NaN", "nan", "inf", "-inf", "infinity", "1e309", "-1e309"] {
            assert!(parse_number(text).is_err(), "{text}");
        }
        assert_eq!(parse_number("-5"), Ok(-5.0));
        assert_eq!(parse_number(" 1890.50 "), Ok(1890.5));
        assert_eq!(parse_number("1e3"), Ok(1000.0));
        assert!(parse_number("ten").is_err());
        assert!(parse_number("R$ NaN").is_err());
    }
}
