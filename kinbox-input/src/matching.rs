//! Finding one item by the name a person sees in Kinbox: exactly as written
//! first, then ignoring case and accents ("negociacao" finds "Negociação"),
//! never guessing between two. A name that matches nothing suggests the
//! closest ones ("did you mean \"Proposta\"?"), never picks them.

use crate::InputError;

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
) -> Result<&'c T, InputError> {
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
        [] => Err(InputError::invalid(format!(
            "no {} is named \"{wanted}\"; {}{}{or_id}",
            lookup.what,
            did_you_mean(wanted, candidates.iter().map(&name)),
            list_choices(candidates.iter().map(&describe)),
        ))),
        several => Err(InputError::invalid(format!(
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

/// `did you mean "Proposta"? ` when some of `names` are close to `wanted`
/// (see [`closest`]), else nothing.
pub fn did_you_mean<'n>(wanted: &str, names: impl Iterator<Item = &'n str>) -> String {
    let close = closest(wanted, names);
    if close.is_empty() {
        return String::new();
    }
    let quoted: Vec<String> = close.iter().map(|name| format!("\"{name}\"")).collect();
    format!("did you mean {}? ", quoted.join(" or "))
}

/// The names of `names` nearest to `wanted` by edit distance (insertions,
/// deletions, substitutions and swaps of neighbours) between their folded
/// forms (see [`fold`]), when that distance is at most a third of the
/// longer name (at least 1, at most 3): "Propsta" and "proposat" are near
/// "Proposta", "Ganho" is near none of the stages. Ties are all given, in
/// the order of `names`, without repeats.
pub fn closest<'n>(wanted: &str, names: impl Iterator<Item = &'n str>) -> Vec<&'n str> {
    let folded: Vec<char> = fold(wanted).chars().collect();
    let mut best: Option<usize> = None;
    let mut nearest: Vec<&str> = Vec::new();
    for name in names {
        let theirs: Vec<char> = fold(name).chars().collect();
        let limit = (folded.len().max(theirs.len()) / 3).clamp(1, 3);
        let distance = edit_distance(&folded, &theirs);
        if distance > limit || best.is_some_and(|best| distance > best) {
            continue;
        }
        if best != Some(distance) {
            nearest.clear();
            best = Some(distance);
        }
        if !nearest.contains(&name) {
            nearest.push(name);
        }
    }
    nearest
}

/// The optimal string alignment distance: Levenshtein's, where swapping two
/// neighbours ("porposta") counts as one edit.
fn edit_distance(a: &[char], b: &[char]) -> usize {
    let mut rows = vec![vec![0; b.len() + 1]; a.len() + 1];
    for (i, row) in rows.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in rows[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (rows[i - 1][j] + 1)
                .min(rows[i][j - 1] + 1)
                .min(rows[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(rows[i - 2][j - 2] + 1);
            }
            rows[i][j] = best;
        }
    }
    rows[a.len()][b.len()]
}

/// "the choices are: A, B" or "there is none".
pub fn list_choices(choices: impl Iterator<Item = String>) -> String {
    let mut choices = choices.peekable();
    if choices.peek().is_none() {
        return "there are none".to_owned();
    }
    let shown: Vec<String> = choices.by_ref().take(MAX_CHOICES_LISTED).collect();
    let more = choices.count();
    match more {
        0 => format!("the choices are: {}", shown.join(", ")),
        more => format!("the choices include: {}, and {more} more", shown.join(", ")),
    }
}

/// The most choices a message lists: a workspace's contacts or products
/// may be thousands.
pub const MAX_CHOICES_LISTED: usize = 20;

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

    #[test]
    fn a_long_list_of_choices_is_cut_and_says_how_many_more() {
        let many = (1..=25).map(|n| format!("\"Contato {n}\""));
        let said = list_choices(many);
        assert!(
            said.starts_with("the choices include: \"Contato 1\", "),
            "{said}"
        );
        assert!(said.ends_with("\"Contato 20\", and 5 more"), "{said}");
        assert_eq!(
            list_choices(["\"A\"".to_owned()].into_iter()),
            "the choices are: \"A\""
        );
    }

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
    fn an_unknown_name_suggests_the_closest() {
        let error = pick("Propsta", &STAGES).unwrap_err();
        assert_eq!(
            error,
            "no stage is named \"Propsta\"; did you mean \"Proposta\"? the choices are: \
             \"Prospecção\", \"Proposta\", \"Negociação\", \"Fechamento\", or give --stage-id"
        );
        // Accents and case do not count; a swap is one edit.
        assert_eq!(closest("NEGOCIASAO", STAGES.into_iter()), ["Negociação"]);
        assert_eq!(closest("fechamnet", STAGES.into_iter()), ["Fechamento"]);
        assert_eq!(closest("porposta", STAGES.into_iter()), ["Proposta"]);
        // Ties are all given.
        assert_eq!(
            closest("Prazo", ["Preço", "Praza", "Prazos"].into_iter()),
            ["Praza", "Prazos"]
        );
        assert_eq!(
            did_you_mean("Prazo", ["Praza", "Prazos"].into_iter()),
            "did you mean \"Praza\" or \"Prazos\"? "
        );
    }

    #[test]
    fn nothing_is_suggested_when_nothing_is_close() {
        assert!(closest("Ganho", STAGES.into_iter()).is_empty());
        assert!(closest("rg", ["cpf", "idade"].into_iter()).is_empty());
        assert!(closest("Prop", STAGES.into_iter()).is_empty());
        assert_eq!(did_you_mean("x", std::iter::empty()), "");
        assert!(!pick("Ganho", &STAGES).unwrap_err().contains("did you mean"));
    }

    #[test]
    fn edit_distances() {
        let d = |a: &str, b: &str| {
            edit_distance(
                &a.chars().collect::<Vec<_>>(),
                &b.chars().collect::<Vec<_>>(),
            )
        };
        assert_eq!(d("", ""), 0);
        assert_eq!(d("abc", ""), 3);
        assert_eq!(d("kitten", "sitting"), 3);
        assert_eq!(d("ab", "ba"), 1);
        assert_eq!(d("proposta", "proposta"), 0);
    }

    #[test]
    fn no_prefix_guessing() {
        assert!(pick("Prop", &STAGES).is_err());
    }
}
