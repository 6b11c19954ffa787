//! `Patch<T>`: a field of an update body that can be left alone, set, or
//! cleared. `codegen.rs` gives it to every field that an update body's
//! schema marks `nullable`.

/// A field of an update (`PATCH`): left as it is, set to a value, or
/// cleared (sent as `null`).
///
/// A plain `Option` cannot say "clear": `None` leaves the field out. A
/// deal that is reopened must clear its `wonLostDate`, so update bodies
/// carry `Patch` where their schema allows `null`:
///
/// ```
/// use kinbox_api::Patch;
/// use kinbox_api::types::{DealStatus, DealUpdate};
///
/// let reopen: DealUpdate = DealUpdate::builder()
///     .status(DealStatus::Open)
///     .won_lost_date(Patch::Clear)
///     .lost_reason(Vec::<String>::new())
///     .try_into()
///     .unwrap();
/// assert_eq!(
///     serde_json::to_value(&reopen).unwrap(),
///     serde_json::json!({"status": "open", "wonLostDate": null, "lostReason": []})
/// );
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub enum Patch<T> {
    /// Not sent: the field stays as it is.
    #[default]
    Keep,
    /// Sent with this value.
    Set(T),
    /// Sent as `null`: the field is cleared.
    Clear,
}

impl<T> Patch<T> {
    /// Whether the field is left out of the body.
    pub fn is_keep(&self) -> bool {
        matches!(self, Patch::Keep)
    }

    /// The value set, if one is.
    pub fn as_set(&self) -> Option<&T> {
        match self {
            Patch::Set(value) => Some(value),
            Patch::Keep | Patch::Clear => None,
        }
    }
}

impl<T> From<T> for Patch<T> {
    fn from(value: T) -> Self {
        Patch::Set(value)
    }
}

impl<T: serde::Serialize> serde::Serialize for Patch<T> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Patch::Set(value) => value.serialize(serializer),
            // `Keep` is skipped by the bodies' `skip_serializing_if`; alone,
            // it has nothing to say but `null`.
            Patch::Keep | Patch::Clear => serializer.serialize_none(),
        }
    }
}

/// A field that is absent is `Keep` (the bodies' fields are
/// `#[serde(default)]`), `null` is `Clear`, anything else `Set`.
impl<'de, T: serde::Deserialize<'de>> serde::Deserialize<'de> for Patch<T> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Ok(match Option::<T>::deserialize(deserializer)? {
            Some(value) => Patch::Set(value),
            None => Patch::Clear,
        })
    }
}

impl<T: schemars::JsonSchema> schemars::JsonSchema for Patch<T> {
    fn schema_name() -> String {
        <Option<T>>::schema_name()
    }

    fn json_schema(generator: &mut schemars::r#gen::SchemaGenerator) -> schemars::schema::Schema {
        <Option<T>>::json_schema(generator)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(serde::Serialize, serde::Deserialize, Debug, PartialEq)]
    struct Body {
        #[serde(default, skip_serializing_if = "Patch::is_keep")]
        date: Patch<String>,
    }

    #[test]
    fn keep_is_left_out_clear_is_null_and_set_is_the_value() {
        for (body, json) in [
            (Body { date: Patch::Keep }, "{}"),
            (Body { date: Patch::Clear }, r#"{"date":null}"#),
            (
                Body {
                    date: Patch::Set("2024-06-30".to_owned()),
                },
                r#"{"date":"2024-06-30"}"#,
            ),
        ] {
            assert_eq!(serde_json::to_string(&body).unwrap(), json);
            assert_eq!(serde_json::from_str::<Body>(json).unwrap(), body);
        }
    }
}
