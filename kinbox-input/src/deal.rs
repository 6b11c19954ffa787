//! The words of a deal that mean the same wherever they are typed: a flag
//! of `kinbox deals create`, `update` or `list`, a spreadsheet's column, a
//! tool call of an assistant.

use kinbox_api::types::{CustomFieldsInput, DealContactInput, DealStatus};
use serde::Serialize;

use crate::matching::fold;

/// What the names in a deal stood for (a pipeline's and a stage's name, a
/// contact's phone, tags' and custom fields' names), as the SDK types them:
/// the fields a front end lays over the deal's body, whether it is a
/// [`DealCreate`](kinbox_api::types::DealCreate) or a
/// [`DealUpdate`](kinbox_api::types::DealUpdate). Unset fields are left out.
///
/// The keys are the API's (`pipelineId`, `stageId`…); a test holds each to
/// the spec's request bodies.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DealRefs {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pipeline_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stage_id: Option<String>,
    /// A new deal's contact (`DealCreate`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub contact_id: Option<i64>,
    /// An updated deal's contact, whole (`DealUpdate`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub contact: Option<DealContactInput>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tag_ids: Option<Vec<i64>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub custom_fields: Option<CustomFieldsInput>,
}

impl DealRefs {
    /// The fields set, as JSON to lay over a body.
    pub fn to_fields(&self) -> serde_json::Map<String, serde_json::Value> {
        match serde_json::to_value(self) {
            Ok(serde_json::Value::Object(fields)) => fields,
            // Plain data: strings, numbers and the SDK's own types.
            _ => unreachable!("DealRefs serializes to an object"),
        }
    }
}

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

    /// Each key `DealRefs` writes is a field of the body it is laid over,
    /// as the SDK types it: a renamed field in the spec fails here.
    #[test]
    fn every_ref_is_a_field_of_the_deal_bodies() {
        use kinbox_api::types::{DealCreate, DealUpdate};
        let refs = DealRefs {
            pipeline_id: Some("p".into()),
            stage_id: Some("s".into()),
            contact_id: Some(1),
            contact: Some(DealContactInput {
                id: 1,
                name: "Ana".into(),
                avatar: String::new(),
                email: String::new(),
                phone: String::new(),
                created_at: None,
                is_private: None,
            }),
            tag_ids: Some(vec![7]),
            custom_fields: Some(CustomFieldsInput::default()),
        };
        let fields = refs.to_fields();
        assert_eq!(fields.len(), 6, "{fields:?}");
        let create = serde_json::json!({
            "name": "n", "value": 1.0, "status": "open", "customFields": {},
            "pipelineId": "x", "stageId": "y", "contactId": 2,
        });
        let mut create = create.as_object().unwrap().clone();
        let mut update = serde_json::Map::new();
        for (key, value) in fields {
            let into = if key == "contact" {
                &mut update
            } else {
                &mut create
            };
            into.insert(key.clone(), value.clone());
            if key != "contactId" {
                update.insert(key, value);
            }
        }
        let create: DealCreate = serde_json::from_value(create.into()).unwrap();
        assert_eq!(
            (
                create.pipeline_id.as_str(),
                create.stage_id.as_str(),
                create.contact_id
            ),
            ("p", "s", 1)
        );
        assert_eq!(create.tag_ids, vec![7]);
        let update: DealUpdate = serde_json::from_value(update.into()).unwrap();
        assert_eq!(update.pipeline_id.as_deref(), Some("p"));
        assert_eq!(update.stage_id.as_deref(), Some("s"));
        assert!(update.contact.is_some());
        assert_eq!(update.tag_ids, kinbox_api::Patch::Set(vec![7]));
    }

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
