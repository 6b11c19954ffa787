//! The columns of `-o table`: a few per resource, chosen for what a person
//! scans a list for; objects whose shape the API does not document get
//! columns derived from their scalar fields.

use serde_json::Value;

/// Header and JSON field of each column.
pub type Columns = &'static [(&'static str, &'static str)];

const DEALS: Columns = &[
    ("ID", "id"),
    ("NAME", "name"),
    ("VALUE", "value"),
    ("STATUS", "status"),
    ("STAGE", "stageId"),
    ("DUE DATE", "dueDate"),
];
const PIPELINES: Columns = &[
    ("ID", "id"),
    ("NAME", "name"),
    ("STAGES", "stages"),
    ("LOST REASONS", "lostReasons"),
];
const CONTACTS: Columns = &[
    ("ID", "id"),
    ("NAME", "name"),
    ("PHONE", "phone"),
    ("EMAIL", "email"),
    ("CREATED AT", "createdAt"),
];
const CUSTOM_FIELDS: Columns = &[
    ("ID", "id"),
    ("PLACEHOLDER", "placeholder"),
    ("NAME", "name"),
    ("ENTITY", "entity"),
    ("TYPE", "type"),
    ("OPTIONS", "options"),
];
const PRODUCTS: Columns = &[
    ("ID", "id"),
    ("NAME", "name"),
    ("PRICE", "price"),
    ("EXTERNAL ID", "externalId"),
    ("ACTIVE", "isActive"),
];
const TAGS: Columns = &[("ID", "id"), ("NAME", "name"), ("COLOR", "color")];
const CAMPAIGNS: Columns = &[("ID", "id"), ("NAME", "name"), ("STATUS", "status")];
const SESSIONS: Columns = &[
    ("ID", "id"),
    ("CONTACT", "contactId"),
    ("CAMPAIGN", "campaignId"),
    ("CALL", "callId"),
    ("UPDATED AT", "updatedAt"),
];

/// The columns of `kinbox RESOURCE VERB -o table`; `None` when they are
/// derived from the rows (chunk leads, whose shape is not documented).
pub fn for_command(resource: &str, verb: &str) -> Option<Columns> {
    Some(match (resource, verb) {
        ("campaigns", "chunk-leads") => return None,
        ("deals", _) => DEALS,
        ("pipelines", _) => PIPELINES,
        ("contacts", _) => CONTACTS,
        ("custom-fields", _) => CUSTOM_FIELDS,
        ("products", _) => PRODUCTS,
        ("tags", _) => TAGS,
        ("campaigns", _) => CAMPAIGNS,
        ("sessions", _) => SESSIONS,
        _ => return None,
    })
}

/// At most this many derived columns, so a row fits a terminal.
const MAX_DERIVED: usize = 6;

/// `id` and `name` first when present, then the other fields of the rows
/// that hold a scalar, in the order they first appear.
pub fn derive(rows: &[&Value]) -> Vec<(String, String)> {
    let mut fields: Vec<&str> = Vec::new();
    for row in rows {
        for (key, value) in row.as_object().into_iter().flatten() {
            let scalar = !(value.is_object() || value.is_array());
            if scalar && !fields.contains(&key.as_str()) {
                fields.push(key);
            }
        }
    }
    let rank = |f: &&str| match *f {
        "id" => 0,
        "name" => 1,
        _ => 2,
    };
    fields.sort_by_key(rank);
    fields
        .into_iter()
        .take(MAX_DERIVED)
        .map(|field| (header(field), field.to_owned()))
        .collect()
}

/// `createdAt` → `CREATED AT`.
fn header(field: &str) -> String {
    let mut out = String::new();
    for c in field.chars() {
        if c.is_uppercase() && !out.is_empty() {
            out.push(' ');
        }
        if c == '_' || c == '-' {
            out.push(' ');
        } else {
            out.extend(c.to_uppercase());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn derived_columns_put_id_and_name_first_and_skip_nested_values() {
        let a = json!({"phone": "55", "lead": {"x": 1}, "name": "Ana", "id": 7});
        let b = json!({"sentAt": "2024-05-01T00:00:00Z", "id": 8});
        let columns = derive(&[&a, &b]);
        let headers: Vec<&str> = columns.iter().map(|(h, _)| h.as_str()).collect();
        assert_eq!(headers, ["ID", "NAME", "PHONE", "SENT AT"]);
    }
}
