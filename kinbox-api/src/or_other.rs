//! `OrOther<T>`: the Rust type of the spec's `…OrOther` schemas (see `codegen.rs`).

use std::fmt;

/// A value of the enum `T`, or a value this SDK does not know yet.
///
/// Kinbox adds enum values without notice (a new `authorType`, a new deal
/// status). Reading one must not fail the whole response, and writing the
/// object back must not lose it, so responses carry `OrOther<T>`; requests use
/// the closed enum `T`.
///
/// ```
/// use kinbox_api::OrOther;
/// use kinbox_api::types::AuthorType;
///
/// let known: OrOther<AuthorType> = serde_json::from_str("\"api\"").unwrap();
/// assert_eq!(known, AuthorType::Api);
///
/// let new: OrOther<AuthorType> = serde_json::from_str("\"chatbot-v2\"").unwrap();
/// assert_eq!(new, OrOther::Other("chatbot-v2".to_owned()));
/// assert_eq!(serde_json::to_string(&new).unwrap(), "\"chatbot-v2\"");
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum OrOther<T> {
    /// A value the API description lists.
    Known(T),
    /// Any other value, exactly as the server sent it.
    Other(String),
}

impl<T> OrOther<T> {
    /// The known value, if it is one.
    pub fn known(&self) -> Option<&T> {
        match self {
            OrOther::Known(value) => Some(value),
            OrOther::Other(_) => None,
        }
    }
}

impl<T> From<T> for OrOther<T> {
    fn from(value: T) -> Self {
        OrOther::Known(value)
    }
}

impl<T: PartialEq> PartialEq<T> for OrOther<T> {
    fn eq(&self, other: &T) -> bool {
        self.known() == Some(other)
    }
}

impl<T: fmt::Display> fmt::Display for OrOther<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            OrOther::Known(value) => value.fmt(f),
            OrOther::Other(value) => f.write_str(value),
        }
    }
}

impl<T: std::str::FromStr> std::str::FromStr for OrOther<T> {
    type Err = std::convert::Infallible;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(s.parse()
            .map(OrOther::Known)
            .unwrap_or_else(|_| OrOther::Other(s.to_owned())))
    }
}

impl<T: serde::Serialize> serde::Serialize for OrOther<T> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            OrOther::Known(value) => value.serialize(serializer),
            OrOther::Other(value) => serializer.serialize_str(value),
        }
    }
}

impl<'de, T: serde::de::DeserializeOwned> serde::Deserialize<'de> for OrOther<T> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        Ok(
            match T::deserialize(serde_json::Value::String(text.clone())) {
                Ok(known) => OrOther::Known(known),
                Err(_) => OrOther::Other(text),
            },
        )
    }
}

impl<T: schemars::JsonSchema> schemars::JsonSchema for OrOther<T> {
    fn schema_name() -> String {
        format!("{}OrOther", T::schema_name())
    }

    fn json_schema(generator: &mut schemars::r#gen::SchemaGenerator) -> schemars::schema::Schema {
        use schemars::schema::{InstanceType, SchemaObject, SubschemaValidation};
        let other = SchemaObject {
            instance_type: Some(InstanceType::String.into()),
            ..Default::default()
        };
        SchemaObject {
            subschemas: Some(Box::new(SubschemaValidation {
                any_of: Some(vec![generator.subschema_for::<T>(), other.into()]),
                ..Default::default()
            })),
            ..Default::default()
        }
        .into()
    }
}
