//! `Id`: the Rust type of the spec's `IntegerId` schema (see `codegen.rs`).

use std::fmt;

/// An integer id: of a contact, operator (user), group, tag or conversation.
///
/// The Kinbox reference is inconsistent about these ids (contact ids are
/// strings in the contacts API and numbers in deals), so `Id` reads both `42`
/// and `"42"`, and always writes a JSON number.
///
/// ```
/// use kinbox_api::Id;
///
/// let from_number: Id = serde_json::from_str("42").unwrap();
/// let from_string: Id = serde_json::from_str("\"42\"").unwrap();
/// assert_eq!(from_number, from_string);
/// assert_eq!(from_number.get(), 42);
/// assert_eq!(serde_json::to_string(&from_string).unwrap(), "42");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Id(i64);

impl Id {
    pub const fn new(id: i64) -> Self {
        Self(id)
    }

    pub const fn get(self) -> i64 {
        self.0
    }
}

impl From<i64> for Id {
    fn from(id: i64) -> Self {
        Self(id)
    }
}

impl From<Id> for i64 {
    fn from(id: Id) -> Self {
        id.0
    }
}

impl fmt::Display for Id {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl std::str::FromStr for Id {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        s.trim()
            .parse()
            .map(Self)
            .map_err(|_| format!("`{s}` is not an integer id: use digits only, e.g. 42"))
    }
}

impl serde::Serialize for Id {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_i64(self.0)
    }
}

impl<'de> serde::Deserialize<'de> for Id {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct IdVisitor;

        impl serde::de::Visitor<'_> for IdVisitor {
            type Value = Id;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an integer id, as a number or a string of digits")
            }

            fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<Id, E> {
                Ok(Id(v))
            }

            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Id, E> {
                i64::try_from(v)
                    .map(Id)
                    .map_err(|_| E::custom(format!("id {v} does not fit in 64 bits")))
            }

            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Id, E> {
                if v.is_empty() || !v.bytes().all(|b| b.is_ascii_digit()) {
                    return Err(E::invalid_value(serde::de::Unexpected::Str(v), &self));
                }
                v.parse()
                    .map(Id)
                    .map_err(|_| E::custom(format!("id {v} does not fit in 64 bits")))
            }
        }

        deserializer.deserialize_any(IdVisitor)
    }
}

impl schemars::JsonSchema for Id {
    fn schema_name() -> String {
        "IntegerId".to_owned()
    }

    fn json_schema(_: &mut schemars::r#gen::SchemaGenerator) -> schemars::schema::Schema {
        use schemars::schema::{InstanceType, SchemaObject, StringValidation, SubschemaValidation};
        let integer = SchemaObject {
            instance_type: Some(InstanceType::Integer.into()),
            format: Some("int64".to_owned()),
            ..Default::default()
        };
        let digits = SchemaObject {
            instance_type: Some(InstanceType::String.into()),
            string: Some(Box::new(StringValidation {
                pattern: Some("^(0|[1-9][0-9]{0,17})$".to_owned()),
                ..Default::default()
            })),
            ..Default::default()
        };
        SchemaObject {
            subschemas: Some(Box::new(SubschemaValidation {
                one_of: Some(vec![integer.into(), digits.into()]),
                ..Default::default()
            })),
            ..Default::default()
        }
        .into()
    }
}
