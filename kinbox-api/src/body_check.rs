//! A request body given as JSON, held to the SDK's typed body before it is
//! sent: serde's own reading, with the path of the field that does not fit.
//! What a type says (required fields, numbers, enums, dates) costs one
//! parse here, where a JSON Schema validator would first have to be built.

/// Why a JSON request body does not fit its operation's typed body.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{}{message}", field_prefix(.field))]
pub struct BodyError {
    /// Where, as a path of keys and indexes (`products[0].price`); empty
    /// for the body itself (a missing required field).
    pub field: String,
    /// What serde expected, e.g. `invalid type: string "10", expected f64`.
    pub message: String,
}

fn field_prefix(field: &str) -> String {
    match field {
        "" => String::new(),
        field => format!("{field}: "),
    }
}

pub(crate) fn check<T: serde::de::DeserializeOwned>(
    body: &serde_json::Value,
) -> Result<(), BodyError> {
    serde_path_to_error::deserialize::<_, T>(body)
        .map(drop)
        .map_err(|error| {
            let field = error.path().to_string();
            BodyError {
                field: if field == "." { String::new() } else { field },
                message: plain(&error.into_inner().to_string()),
            }
        })
}

/// serde's `invalid type: string "mil", expected f64` as a person reads it:
/// `expected a number, got "mil"`; other messages as they are.
fn plain(message: &str) -> String {
    let Some((got, expected)) = message
        .strip_prefix("invalid type: ")
        .and_then(|rest| rest.split_once(", expected "))
    else {
        return message.to_owned();
    };
    let expected = match expected {
        "f64" | "f32" => "a number",
        "i64" | "i32" | "u64" | "u32" | "i16" | "u16" | "i8" | "u8" => "an integer",
        "a boolean" | "bool" => "true or false",
        other => other,
    };
    // `string "mil"` → `"mil"`, `integer `7`` → `7`
    let got = match got.split_once(' ') {
        Some((_, value)) if value.starts_with('"') => value.to_owned(),
        Some((_, value)) if value.starts_with('`') => value.trim_matches('`').to_owned(),
        _ => got.to_owned(),
    };
    format!("expected {expected}, got {got}")
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    #[test]
    fn the_field_that_does_not_fit_is_named() {
        let good = json!({
            "name": "Pedido", "value": 10, "status": "open", "pipelineId": "p",
            "stageId": "s", "contactId": 1, "customFields": {}
        });
        assert_eq!(crate::check_request_body("create_deal", &good), Ok(()));
        let mut bad = good.clone();
        bad["value"] = json!("10");
        let error = crate::check_request_body("create_deal", &bad).unwrap_err();
        assert_eq!(error.to_string(), "value: expected a number, got \"10\"");
        bad = good.clone();
        bad["status"] = json!("ganho");
        let error = crate::check_request_body("create_deal", &bad).unwrap_err();
        assert_eq!(error.field, "status");
        let mut missing = good;
        missing.as_object_mut().unwrap().remove("name");
        let error = crate::check_request_body("create_deal", &missing).unwrap_err();
        assert_eq!(error.to_string(), "missing field `name`");
        assert_eq!(
            crate::check_request_body("list_deals", &json!(null)),
            Ok(())
        );
    }
}
