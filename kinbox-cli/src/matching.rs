//! Finding one item by the name a person sees in Kinbox: exactly as written
//! first, then ignoring case and accents ("negociacao" finds "Negociação"),
//! never guessing between two.

use crate::CliError;

/// What is being looked for, for the error messages: "pipeline", "stage in
/// pipeline \"Vendas\"", "lost reason of pipeline \"Vendas\"".
pub struct Lookup<'a> {
    pub what: &'a str,
    /// The flag that takes an id instead, suggested when a name does not do.
    pub id_flag: Option<&'a str>,
}

/// The item of `candidates` whose `name` is `wanted`.
///
/// An exact match wins over a case- and accent-insensitive one; two matches
/// of the same kind are ambiguous. Unknown and ambiguous names are usage
/// errors (exit 2) that list the candidates, so the next try can succeed.
pub fn choose<'c, T>(
    lookup: &Lookup<'_>,
    wanted: &str,
    candidates: &'c [T],
    name: impl Fn(&T) -> &str,
    describe: impl Fn(&T) -> String,
) -> Result<&'c T, CliError> {
    let exact: Vec<&T> = candidates.iter().filter(|c| name(c) == wanted).collect();
    let matches = if exact.is_empty() {
        let folded = fold(wanted);
        candidates
            .iter()
            .filter(|c| fold(name(c)) == folded)
            .collect()
    } else {
        exact
    };
    let or_id = lookup
        .id_flag
        .map(|flag| format!(", or give {flag}"))
        .unwrap_or_default();
    match matches.as_slice() {
        [one] => Ok(one),
        [] => Err(CliError::Usage(format!(
            "no {} is named \"{wanted}\"; {}{or_id}",
            lookup.what,
            list_choices(candidates.iter().map(&describe)),
        ))),
        several => Err(CliError::Usage(format!(
            "\"{wanted}\" matches more than one {}: {}; write it exactly as listed{or_id}",
            lookup.what,
            several
                .iter()
                .map(|c| describe(c))
                .collect::<Vec<_>>()
                .join(", "),
        ))),
    }
}

/// "the choices are: A, B" or "there is none".
pub fn list_choices(choices: impl Iterator<Item = String>) -> String {
    let choices: Vec<String> = choices.collect();
    if choices.is_empty() {
        "there are none".to_owned()
    } else {
        format!("the choices are: {}", choices.join(", "))
    }
}

/// The text to compare names by: lower case, without accents, with runs of
/// white space as one space. Covers the Latin letters Portuguese and Spanish
/// use; any other character is compared as it is.
pub fn fold(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for word in text.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        for c in word.chars().flat_map(char::to_lowercase) {
            out.push(strip_accent(c));
        }
    }
    out
}

fn strip_accent(c: char) -> char {
    match c {
        'á' | 'à' | 'â' | 'ã' | 'ä' | 'å' => 'a',
        'é' | 'è' | 'ê' | 'ë' => 'e',
        'í' | 'ì' | 'î' | 'ï' => 'i',
        'ó' | 'ò' | 'ô' | 'õ' | 'ö' => 'o',
        'ú' | 'ù' | 'û' | 'ü' => 'u',
        'ç' => 'c',
        'ñ' => 'n',
        'ý' | 'ÿ' => 'y',
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const STAGES: [&str; 4] = ["Prospecção", "Proposta", "Negociação", "Fechamento"];

    fn pick<'a>(wanted: &str, names: &'a [&'a str]) -> Result<&'a str, String> {
        let lookup = Lookup {
            what: "stage",
            id_flag: Some("--stage-id"),
        };
        choose(&lookup, wanted, names, |n| n, |n| format!("\"{n}\""))
            .copied()
            .map_err(|e| e.to_string())
    }

    #[test]
    fn accents_and_case_are_ignored() {
        assert_eq!(pick("negociacao", &STAGES), Ok("Negociação"));
        assert_eq!(pick("  PROSPECÇÃO ", &STAGES), Ok("Prospecção"));
        assert_eq!(fold("Pós  venda"), "pos venda");
    }

    #[test]
    fn an_exact_match_wins_over_a_folded_one() {
        assert_eq!(pick("Vendas", &["vendas", "Vendas"]), Ok("Vendas"));
    }

    #[test]
    fn two_folded_matches_are_ambiguous_and_listed() {
        let error = pick("vendas", &["Vendas", "VENDAS", "Outro"]).unwrap_err();
        assert_eq!(
            error,
            "\"vendas\" matches more than one stage: \"Vendas\", \"VENDAS\"; write it \
             exactly as listed, or give --stage-id"
        );
    }

    #[test]
    fn an_unknown_name_lists_the_choices() {
        let error = pick("Ganho", &STAGES).unwrap_err();
        assert_eq!(
            error,
            "no stage is named \"Ganho\"; the choices are: \"Prospecção\", \"Proposta\", \
             \"Negociação\", \"Fechamento\", or give --stage-id"
        );
        assert!(pick("x", &[]).unwrap_err().contains("there are none"));
    }

    #[test]
    fn no_prefix_guessing() {
        assert!(pick("Prop", &STAGES).is_err());
    }
}
