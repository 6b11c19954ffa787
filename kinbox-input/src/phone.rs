//! Phone numbers as a person in Brazil writes them (`+55 (85) 99728-1648`,
//! `(85) 99728-1648`, `85997281648`), turned into what Kinbox keeps: digits
//! with the country code, `5585997281648`.

/// What every phone flag's help adds.
pub const HELP: &str = "Written any usual way, e.g. +55 (85) 99728-1648, (85) 99728-1648 or \
     85997281648, and sent as digits with the country code, 5585997281648: a number of 10 or \
     11 digits is a DDD and a Brazilian number, and 55 is added; another country's number \
     starts with + and its code.";

/// `text` as digits with the country code, or why it cannot be a phone.
///
/// - Spaces, dashes, dots and parentheses are dropped.
/// - `+` or `00` first: the digits are the country code and the number
///   (8 to 15 digits, as E.164 allows).
/// - Otherwise 10 or 11 digits are a DDD and a Brazilian number (fixed
///   line or mobile): 55 is added. With a trunk `0` first (`(085) …`, 11 or
///   12 digits) the `0` is dropped first.
/// - 12 or 13 digits starting with 55 are a Brazilian number with its code;
///   any other number without `+` is refused: another country's number is
///   written with `+` (or `00`) and its code.
/// - A Brazilian number (one with 55) has 10 or 11 digits after it, and its
///   DDD has no 0 (11 to 99).
pub fn normalize(text: &str) -> Result<String, String> {
    let text = text.trim();
    let allowed = |c: char| c.is_ascii_digit() || " -().\u{a0}".contains(c);
    let (international, rest) = match text.strip_prefix('+') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    if !rest.chars().all(allowed) || !rest.chars().any(|c| c.is_ascii_digit()) {
        return Err(
            "not a phone number: write it with its DDD, e.g. (85) 99728-1648, or with + \
                    and the country code, e.g. +55 85 99728-1648"
                .to_owned(),
        );
    }
    let digits: String = rest.chars().filter(char::is_ascii_digit).collect();
    let (international, digits) = match digits.strip_prefix("00") {
        Some(rest) if !international => (true, rest.to_owned()),
        _ => (international, digits),
    };
    let full = if international {
        digits
    } else {
        let national = match digits.strip_prefix('0') {
            Some(rest) if matches!(rest.len(), 10 | 11) => rest.to_owned(),
            _ => digits,
        };
        match national.len() {
            10 | 11 => format!("55{national}"),
            12 | 13 if national.starts_with("55") => national,
            0..=9 => {
                return Err(format!(
                    "{} digits are too few for a phone: write it with its DDD, e.g. (85) \
                     99728-1648",
                    national.len()
                ));
            }
            n => {
                return Err(format!(
                    "{n} digits are not a Brazilian phone (DDD and 8 or 9 digits, with 55 or \
                     without): a number of another country starts with + and its code, e.g. \
                     +1 415 555 0100"
                ));
            }
        }
    };
    if !(8..=15).contains(&full.len()) {
        return Err(format!(
            "a phone with its country code has 8 to 15 digits, and this one has {}",
            full.len()
        ));
    }
    if full.starts_with('0') {
        return Err(
            "no country code starts with 0: write + and the country code, e.g. +55 85 \
                    99728-1648"
                .to_owned(),
        );
    }
    if let Some(national) = full.strip_prefix("55") {
        let ddd_ok = national.get(..2).is_some_and(|ddd| !ddd.contains('0'));
        if !matches!(national.len(), 10 | 11) || !ddd_ok {
            return Err(format!(
                "not a Brazilian phone: after 55 come the DDD (11 to 99) and 8 or 9 digits, \
                 e.g. +55 85 99728-1648, not {national}"
            ));
        }
    }
    Ok(full)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn usual_ways_of_writing_a_phone_give_its_digits_with_the_country_code() {
        for text in [
            "+55 (85) 99728-1648",
            "(85) 99728-1648",
            "85997281648",
            "5585997281648",
            "85 9 9728-1648",
            "(085) 99728-1648",
            "0055 85 99728 1648",
            "+55 85 99728.1648",
            " 85\u{a0}99728-1648 ",
        ] {
            assert_eq!(normalize(text), Ok("5585997281648".to_owned()), "{text}");
        }
        // A fixed line: 8 digits after the DDD.
        assert_eq!(normalize("(11) 3456-7890"), Ok("551134567890".to_owned()));
        assert_eq!(normalize("1134567890"), Ok("551134567890".to_owned()));
        // Another country's number, with + and its code.
        assert_eq!(normalize("+1 (415) 555-0100"), Ok("14155550100".to_owned()));
        assert_eq!(normalize("+351 912 345 678"), Ok("351912345678".to_owned()));
    }

    #[test]
    fn what_cannot_be_a_phone_says_how_to_write_one() {
        for text in [
            "ana",
            "",
            "+",
            "99728-1648",
            "85 99728-1648 ramal 2",
            "+55 85 9972",
            "+55 (05) 99728-1648",
            "+55 (85) 99728-16489",
            "1234567890123456",
            "351912345678",
            "+0 85 99728-1648",
            "+1234567",
            "85*99728*1648",
        ] {
            assert!(normalize(text).is_err(), "{text}");
        }
        assert!(
            normalize("99728-1648")
                .unwrap_err()
                .contains("(85) 99728-1648")
        );
    }

    proptest! {
        #![proptest_config(crate::proptest_config())]

        /// A Brazilian number written any of the usual ways is the same
        /// digits; and anything accepted is digits only.
        #[test]
        fn brazilian_numbers_are_the_same_however_written(ddd in 11u32..100, mobile in any::<bool>(), number in 0u32..100_000_000, form in 0usize..6) {
            prop_assume!(ddd % 10 != 0);
            let (head, tail) = (number / 10_000, number % 10_000);
            let head = if mobile { format!("9{head:04}") } else { format!("{head:04}") };
            let text = match form {
                0 => format!("+55 ({ddd}) {head}-{tail:04}"),
                1 => format!("({ddd}) {head}-{tail:04}"),
                2 => format!("{ddd}{head}{tail:04}"),
                3 => format!("55{ddd}{head}{tail:04}"),
                4 => format!("(0{ddd}) {head} {tail:04}"),
                _ => format!("0055 {ddd} {head}.{tail:04}"),
            };
            prop_assert_eq!(normalize(&text), Ok(format!("55{ddd}{head}{tail:04}")), "{}", text);
        }

        #[test]
        fn anything_accepted_is_digits_only(text in "[+]?[0-9 ()\\-.a-z]{0,20}") {
            if let Ok(digits) = normalize(&text) {
                prop_assert!(digits.chars().all(|c| c.is_ascii_digit()));
                prop_assert!((8..=15).contains(&digits.len()));
            }
        }
    }
}
