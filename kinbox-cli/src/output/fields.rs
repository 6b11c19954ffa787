//! The fields `--json FIELDS` can pick: those the spec gives the items an
//! operation answers with, and, when its schema lets the answer hold others
//! (`additionalProperties`), those the answer has.

use std::collections::BTreeSet;

use serde_json::Value;

use crate::generated_cli::CliCommand;

/// The fields of an operation's answer items, as the spec describes them.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Known {
    pub names: BTreeSet<String>,
    /// The items may hold fields the spec does not name.
    pub open: bool,
}

impl Known {
    /// The fields the spec gives `op`'s answer items (the items of a list,
    /// or the object); `None` when its answer has no documented object.
    pub fn of(op: CliCommand) -> Option<Self> {
        let schema = success_schema(op.operation_id())?;
        let item = item_schema(schema);
        let mut known = Known::default();
        collect(item, &mut known, 0);
        (!known.names.is_empty()).then_some(known)
    }
}

/// Whether `op` only reads (GET): sending it to see its answer's fields
/// changes nothing.
pub fn is_read(op: CliCommand) -> bool {
    kinbox_spec::document()
        .get("paths")
        .and_then(Value::as_object)
        .into_iter()
        .flat_map(|paths| paths.values())
        .filter_map(|item| item.get("get"))
        .any(|get| get.get("operationId").and_then(Value::as_str) == Some(op.operation_id()))
}

/// The schema of the operation's success answer (the first 2xx response
/// with a JSON body).
fn success_schema(operation_id: &str) -> Option<&'static Value> {
    let document = kinbox_spec::document();
    let operation = document
        .get("paths")?
        .as_object()?
        .values()
        .filter_map(Value::as_object)
        .flat_map(|item| item.values())
        .find(|op| op.get("operationId").and_then(Value::as_str) == Some(operation_id))?;
    let responses = operation.get("responses")?.as_object()?;
    responses
        .iter()
        .filter(|(status, _)| status.starts_with('2'))
        .find_map(|(_, response)| {
            kinbox_spec::resolve_ref(response).pointer("/content/application~1json/schema")
        })
        .map(kinbox_spec::resolve_ref)
}

/// What `--json` picks from: the items of a list (an array, or a page's
/// `data`), else the object itself, as the printer does.
fn item_schema(schema: &'static Value) -> &'static Value {
    if let Some(items) = array_items(schema) {
        return items;
    }
    match schema
        .get("properties")
        .and_then(|p| p.get("data"))
        .map(kinbox_spec::resolve_ref)
        .and_then(array_items)
    {
        Some(items) => items,
        None => schema,
    }
}

fn array_items(schema: &'static Value) -> Option<&'static Value> {
    (schema.get("type").and_then(Value::as_str) == Some("array"))
        .then(|| schema.get("items"))
        .flatten()
        .map(kinbox_spec::resolve_ref)
}

fn collect(schema: &Value, known: &mut Known, depth: usize) {
    if depth > 8 {
        return;
    }
    if let Some(properties) = schema.get("properties").and_then(Value::as_object) {
        known.names.extend(properties.keys().cloned());
    }
    if schema
        .get("additionalProperties")
        .is_some_and(|extra| extra != &Value::Bool(false))
    {
        known.open = true;
    }
    for combined in ["allOf", "anyOf", "oneOf"] {
        for part in schema
            .get(combined)
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            collect(kinbox_spec::resolve_ref(part), known, depth + 1);
        }
    }
}

/// The names of `fields` (dotted for nested ones: the first part names the
/// field) that are not in `available`; nothing is checked when nothing is
/// known of the answer.
pub fn unknown<'a>(fields: &'a [String], available: &BTreeSet<String>) -> Vec<&'a str> {
    if available.is_empty() {
        return Vec::new();
    }
    fields
        .iter()
        .filter(|field| {
            let top = field.split('.').next().unwrap_or_default();
            !available.contains(top)
        })
        .map(String::as_str)
        .collect()
}

/// gh's message for a field the answer does not have.
pub fn unknown_message(unknown: &[&str], available: &BTreeSet<String>) -> String {
    let shown = |name: &str| kinbox_api::server_text::escape_controls(name).into_owned();
    let names = unknown
        .iter()
        .map(|name| shown(name))
        .collect::<Vec<_>>()
        .join(", ");
    let plural = if unknown.len() == 1 { "" } else { "s" };
    let list = available
        .iter()
        .map(|name| format!("  {}", shown(name)))
        .collect::<Vec<_>>()
        .join("\n");
    format!("Unknown JSON field{plural}: {names}\nAvailable fields:\n{list}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_page_a_list_and_an_object_give_their_items_fields() {
        let deals = Known::of(CliCommand::ListDeals).unwrap();
        assert!(deals.names.contains("name") && deals.names.contains("pipelineId"));
        assert!(!deals.names.contains("data") && !deals.names.contains("nextCursor"));
        assert!(!deals.open);
        assert_eq!(Known::of(CliCommand::GetDeal), Some(deals));
        let tags = Known::of(CliCommand::ListTags).unwrap();
        assert!(tags.names.contains("color"), "{tags:?}");
        // Campaigns are undocumented objects: the answer may hold more.
        assert!(Known::of(CliCommand::ListCampaigns).unwrap().open);
        assert!(is_read(CliCommand::ListCampaigns) && is_read(CliCommand::GetDeal));
        assert!(!is_read(CliCommand::CreateDeal) && !is_read(CliCommand::DeleteDeal));
    }

    #[test]
    fn unknown_fields_are_named_by_their_first_part() {
        let available: BTreeSet<String> = ["id", "contact"].map(str::to_owned).into();
        let fields = ["id", "contact.name", "nome", "x.y"].map(str::to_owned);
        assert_eq!(unknown(&fields, &available), ["nome", "x.y"]);
        assert!(unknown(&fields, &BTreeSet::new()).is_empty());
        assert_eq!(
            unknown_message(&["nome"], &available),
            "Unknown JSON field: nome\nAvailable fields:\n  contact\n  id"
        );
    }
}
