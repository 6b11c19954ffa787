//! The words of a deal that mean the same wherever they are typed: a flag
//! of `kinbox deals create`, `update` or `list`, a spreadsheet's column, a
//! tool call of an assistant.

use kinbox_api::types::DealStatus;

use crate::matching::fold;

/// How a status may be written, for help texts.
pub const STATUS_HELP: &str = "In Portuguese too: aberto, ganho or perdido.";

/// A status as the spec names it (`open`, `won`, `lost`), or in
/// Portuguese (`aberto`, `ganho`, `perdido`, and their feminine forms), in
/// any case and with or without accents.
pub fn status(text: &str) -> Result<DealStatus, String> {
    let folded = fold(text.trim());
    if let Ok(status) = folded.parse::<DealStatus>() {
        return Ok(status);
    }
    match folded.as_str() {
        "aberto" | "aberta" => Ok(DealStatus::Open),
        "ganho" | "ganha" => Ok(DealStatus::Won),
        "perdido" | "perdida" => Ok(DealStatus::Lost),
        _ => Err(format!(
            "\"{text}\" is not a status; write open, won or lost (aberto, ganho or perdido)"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_in_english_or_portuguese_in_any_case() {
        for (text, expected) in [
            ("open", DealStatus::Open),
            (" Aberto ", DealStatus::Open),
            ("ABERTA", DealStatus::Open),
            ("Won", DealStatus::Won),
            ("ganho", DealStatus::Won),
            ("lost", DealStatus::Lost),
            ("Perdida", DealStatus::Lost),
        ] {
            assert_eq!(status(text), Ok(expected), "{text}");
        }
        let error = status("fechado").unwrap_err();
        assert!(error.contains("aberto, ganho or perdido"), "{error}");
    }
}
