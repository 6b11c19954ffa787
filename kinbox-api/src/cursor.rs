//! `PageCursor` and `Timestamp`: the Rust types of the spec's `PageCursor`
//! and `Timestamp` schemas (see `codegen.rs`), both read as loosely as the
//! reference types them.

use std::fmt;

/// An answer's date: a date-time when it reads as one (RFC 3339), else the
/// text exactly as it came, so that an unusual date never fails a whole
/// answer.
///
/// ```
/// use kinbox_api::{OrOther, Timestamp};
///
/// let at: Timestamp = serde_json::from_str("\"2024-05-31T21:00:00Z\"").unwrap();
/// assert!(at.known().is_some());
/// let odd: Timestamp = serde_json::from_str("\"31/05/2024\"").unwrap();
/// assert_eq!(odd, OrOther::Other("31/05/2024".to_owned()));
/// ```
pub type Timestamp = crate::OrOther<chrono::DateTime<chrono::Utc>>;

/// The `nextCursor` of a page. The reference types it loosely (an object, in
/// its schema; "the id of the last object", in its text), so any JSON is
/// read: a string or a number is sent back as `cursor` exactly as it came,
/// anything else as its JSON text.
///
/// ```
/// use kinbox_api::PageCursor;
///
/// let text: PageCursor = serde_json::from_str("\"65f0c0ffee0000000000dddd\"").unwrap();
/// let number: PageCursor = serde_json::from_str("1042").unwrap();
/// let object: PageCursor = serde_json::from_str(r#"{"after": 7}"#).unwrap();
/// assert_eq!(number.to_string(), "1042");
/// assert_eq!(object.to_string(), r#"{"after":7}"#);
/// assert_eq!(serde_json::to_string(&number).unwrap(), "1042");
/// assert_eq!(serde_json::to_string(&text).unwrap(), "\"65f0c0ffee0000000000dddd\"");
/// ```
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(untagged)]
pub enum PageCursor {
    Text(String),
    Number(serde_json::Number),
    /// Any other JSON, kept as it came.
    Json(serde_json::Value),
}

impl fmt::Display for PageCursor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PageCursor::Text(text) => f.write_str(text),
            PageCursor::Number(number) => number.fmt(f),
            PageCursor::Json(json) => json.fmt(f),
        }
    }
}

impl std::str::FromStr for PageCursor {
    type Err = std::convert::Infallible;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(PageCursor::Text(s.to_owned()))
    }
}

impl From<&str> for PageCursor {
    fn from(text: &str) -> Self {
        PageCursor::Text(text.to_owned())
    }
}

impl schemars::JsonSchema for PageCursor {
    fn schema_name() -> String {
        "PageCursor".to_owned()
    }

    fn json_schema(_: &mut schemars::r#gen::SchemaGenerator) -> schemars::schema::Schema {
        // Any JSON, as the spec's `PageCursor`.
        schemars::schema::Schema::Bool(true)
    }
}
