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

/// The `nextCursor` of a page: the reference types it loosely, so a string
/// and a number are both read, and written back exactly as they came.
///
/// ```
/// use kinbox_api::PageCursor;
///
/// let text: PageCursor = serde_json::from_str("\"65f0c0ffee0000000000dddd\"").unwrap();
/// let number: PageCursor = serde_json::from_str("1042").unwrap();
/// assert_eq!(number.to_string(), "1042");
/// assert_eq!(serde_json::to_string(&number).unwrap(), "1042");
/// assert_eq!(serde_json::to_string(&text).unwrap(), "\"65f0c0ffee0000000000dddd\"");
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(untagged)]
pub enum PageCursor {
    Text(String),
    Number(serde_json::Number),
}

impl fmt::Display for PageCursor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PageCursor::Text(text) => f.write_str(text),
            PageCursor::Number(number) => number.fmt(f),
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

    fn json_schema(generator: &mut schemars::r#gen::SchemaGenerator) -> schemars::schema::Schema {
        use schemars::schema::{InstanceType, SchemaObject, SubschemaValidation};
        let _ = generator;
        let of = |kind: InstanceType| -> schemars::schema::Schema {
            SchemaObject {
                instance_type: Some(kind.into()),
                ..Default::default()
            }
            .into()
        };
        SchemaObject {
            subschemas: Some(Box::new(SubschemaValidation {
                any_of: Some(vec![of(InstanceType::String), of(InstanceType::Number)]),
                ..Default::default()
            })),
            ..Default::default()
        }
        .into()
    }
}
