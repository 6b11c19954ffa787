//! Ids in request paths: whatever an id holds, it names one path segment of
//! the operation it was given to, and nothing else.
//!
//! progenitor-client's own `encode_path` leaves `\` and dot segments alone,
//! and the URL parser then turns `\` into `/` and resolves `..`: the id
//! `x\..\..\pipelines\42` given to `delete_deal` would delete pipeline 42.
//! `codegen.rs` makes the generated operations call [`encode_path`] here
//! instead, which percent-encodes every byte but the unreserved ones, and the
//! client's `pre` hook refuses, before sending, an id that cannot be a segment
//! at all (empty, `.`, `..`).

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

/// RFC 3986's unreserved characters stay as they are; everything else,
/// `/`, `\`, `%`, `?`, `#` and every non-ASCII byte included, is encoded.
const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

/// What [`encode_path`] writes for an id that cannot be a segment. A `%` not
/// followed by two hex digits: the encoder never writes one, so no id can
/// produce it, and even if a request carrying it were sent, it would stay one
/// harmless segment.
pub(crate) const REFUSED_SEGMENT: &str = "%refused-id";

/// Why `id` cannot be sent as a path segment, if it cannot.
///
/// ```
/// assert!(kinbox_api::check_path_id("65f0c0ffee0000000000dddd").is_ok());
/// assert!(kinbox_api::check_path_id(r"x\..\..\pipelines\42").is_ok()); // sent encoded, as one segment
/// assert!(kinbox_api::check_path_id("..").is_err());
/// assert!(kinbox_api::check_path_id("").is_err());
/// ```
pub fn check_path_id(id: &str) -> Result<(), PathIdError> {
    match id {
        "" => Err(PathIdError::Empty),
        "." | ".." => Err(PathIdError::DotSegment(id.to_owned())),
        _ => Ok(()),
    }
}

/// An id that cannot be sent as a path segment.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum PathIdError {
    #[error("the id is empty; give the id of an existing object")]
    Empty,
    #[error(
        "`{0}` is not an id: as a path segment it would name another path; give the id of an existing object"
    )]
    DotSegment(String),
}

/// The path segment for `id`; called by the generated operations for every
/// path parameter.
pub fn encode_path(id: &str) -> String {
    if check_path_id(id).is_err() {
        return REFUSED_SEGMENT.to_owned();
    }
    utf8_percent_encode(id, SEGMENT).to_string()
}

/// The error of the `pre` hook for a URL built from a refused id.
pub(crate) fn refused_segment(url: &reqwest::Url) -> Option<String> {
    url.path_segments()?
        .any(|segment| segment == REFUSED_SEGMENT)
        .then(|| {
            "an id is empty, `.` or `..`: it cannot be sent as a path segment, since the \
             request would reach another path; give the id of an existing object"
                .to_owned()
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url_for(id: &str) -> reqwest::Url {
        reqwest::Url::parse(&format!("https://api.example/v1/deals/{}", encode_path(id))).unwrap()
    }

    #[test]
    fn every_id_stays_one_segment_of_its_path() {
        for id in [
            r"x\..\..\pipelines\42",
            "../pipelines/42",
            "%2e%2e",
            ".%2e",
            "a/b",
            "a?b#c",
            "Pedido nº 1",
            "\u{1b}[31m",
            "...",
            " .. ",
        ] {
            let url = url_for(id);
            let segments: Vec<_> = url.path_segments().unwrap().collect();
            assert_eq!(segments.len(), 3, "{id:?} gave {url}");
            assert_eq!(&segments[..2], ["v1", "deals"], "{id:?} gave {url}");
            let decoded = percent_encoding::percent_decode_str(segments[2])
                .decode_utf8()
                .unwrap();
            assert_eq!(decoded, id, "{id:?} must round-trip");
            assert!(refused_segment(&url).is_none());
        }
    }

    #[test]
    fn ids_that_cannot_be_a_segment_are_refused() {
        for id in ["", ".", ".."] {
            let url = url_for(id);
            assert_eq!(url.path(), "/v1/deals/%refused-id", "{id:?}");
            assert!(refused_segment(&url).is_some());
            assert!(check_path_id(id).is_err());
        }
    }

    #[test]
    fn ordinary_ids_are_sent_as_they_are() {
        assert_eq!(
            encode_path("65f0c0ffee0000000000dddd"),
            "65f0c0ffee0000000000dddd"
        );
        assert_eq!(encode_path("SKU-0042_a.b~c"), "SKU-0042_a.b~c");
        assert_eq!(encode_path("SKU 42"), "SKU%2042");
    }
}
