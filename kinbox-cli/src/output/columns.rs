//! The columns of tables: a few per resource, chosen for what a person scans
//! a list for, each shown as a person reads it (money in reais, dates in
//! local time, stages and pipelines by name). Objects whose shape the API
//! does not document get columns derived from their scalar fields.

use std::borrow::Cow;
use std::collections::HashMap;

use chrono::{DateTime, Utc};
use kinbox_api::server_text::escape_controls;
use kinbox_input::date::Zone;
use serde_json::Value;

pub use crate::resources::{Column, Kind};

/// Whether a table of `op` shows pipelines or stages, whose names are read
/// (`GET /v1/pipelines`) before it is printed.
pub fn needs_names(columns: &[Column]) -> bool {
    columns
        .iter()
        .any(|c| matches!(c.kind, Kind::Stage | Kind::Pipeline))
}

/// At most this many derived columns, so a row fits a terminal.
const MAX_DERIVED: usize = 6;

/// `id` and `name` first when present, then the other fields of the rows
/// that hold a scalar, in the order they first appear.
pub fn derive(rows: &[&Value]) -> Vec<Column> {
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
        .map(|field| Column {
            header: Cow::Owned(header(field)),
            field: Cow::Owned(field.to_owned()),
            kind: Kind::Text,
        })
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

/// The names of pipelines and stages, by id.
#[derive(Clone, Debug, Default)]
pub struct Names {
    pipelines: HashMap<String, String>,
    stages: HashMap<String, String>,
}

impl Names {
    pub fn from_pipelines(pipelines: &[kinbox_api::types::Pipeline]) -> Self {
        let mut names = Self::default();
        for pipeline in pipelines {
            names
                .pipelines
                .insert(pipeline.id.clone(), pipeline.name.clone());
            for stage in &pipeline.stages {
                names.stages.insert(stage.id.clone(), stage.name.clone());
            }
        }
        names
    }
}

/// The value at the dotted `field` of `row`.
pub fn field<'a>(row: &'a Value, field: &str) -> Option<&'a Value> {
    field.split('.').try_fold(row, |value, key| value.get(key))
}

/// A cell: one line of text, escaped, as `kind` shows it.
pub fn cell(value: Option<&Value>, kind: Kind, names: &Names) -> String {
    let text = match (kind, value) {
        (_, None | Some(Value::Null)) => "-".to_owned(),
        (Kind::Money, Some(Value::Number(n))) => n.as_f64().map_or_else(|| n.to_string(), reais),
        (Kind::Date, Some(Value::String(text))) => {
            local_time(text, crate::input::datetime::zone().ok().as_ref())
        }
        (Kind::Stage, Some(Value::String(id))) => names.stages.get(id).unwrap_or(id).clone(),
        (Kind::Pipeline, Some(Value::String(id))) => names.pipelines.get(id).unwrap_or(id).clone(),
        (_, Some(value)) => text(value),
    };
    escape_controls(&text).into_owned()
}

/// A field as one line of text: lists of names (stages, options) joined by
/// commas, other nested values as compact JSON.
fn text(value: &Value) -> String {
    match value {
        Value::Null => "-".to_owned(),
        Value::String(text) => text.replace(['\n', '\t'], " "),
        Value::Array(items) => items
            .iter()
            .map(|item| match item {
                Value::Object(_) => ["name", "value", "id"]
                    .iter()
                    .find_map(|key| item.get(*key).filter(|v| !v.is_null()))
                    .map_or_else(|| item.to_string(), text),
                other => text(other),
            })
            .collect::<Vec<_>>()
            .join(", "),
        other => other.to_string(),
    }
}

/// `1890.5` → `R$ 1.890,50`.
pub fn reais(amount: f64) -> String {
    let cents = (amount.abs() * 100.0).round();
    let (whole, cents) = ((cents / 100.0).trunc(), cents % 100.0);
    let digits = format!("{whole:.0}");
    let mut grouped = String::new();
    for (n, digit) in digits.chars().enumerate() {
        if n > 0 && (digits.len() - n) % 3 == 0 {
            grouped.push('.');
        }
        grouped.push(digit);
    }
    let sign = if amount < 0.0 && (whole > 0.0 || cents > 0.0) {
        "-"
    } else {
        ""
    };
    format!("{sign}R$ {grouped},{cents:02.0}")
}

/// An RFC 3339 date-time in the run's time zone (`--tz`, America/Sao_Paulo
/// by default), `30/06/2024 18:00`, the zone dates are typed in; other text
/// as it is.
fn local_time(text: &str, zone: Option<&Zone>) -> String {
    DateTime::parse_from_rfc3339(text).map_or_else(
        |_| text.to_owned(),
        |at| match zone {
            Some(zone) => zone.show(at.with_timezone(&Utc)),
            None => text.to_owned(),
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn derived_columns_put_id_and_name_first_and_skip_nested_values() {
        let a = json!({"status": "sent", "name": "x", "id": 1, "meta": {"k": 1}});
        let headers: Vec<String> = derive(&[&a]).iter().map(|c| c.header.to_string()).collect();
        assert_eq!(headers, ["ID", "NAME", "STATUS"]);
    }

    #[test]
    fn money_is_shown_in_reais() {
        assert_eq!(reais(1890.5), "R$ 1.890,50");
        assert_eq!(reais(0.0), "R$ 0,00");
        assert_eq!(reais(1234567.891), "R$ 1.234.567,89");
        assert_eq!(reais(-5.0), "-R$ 5,00");
        assert_eq!(reais(999.999), "R$ 1.000,00");
    }

    #[test]
    fn stages_and_pipelines_are_shown_by_name() {
        let pipelines: Vec<kinbox_api::types::Pipeline> = serde_json::from_value(json!([{
            "id": "p1", "name": "Vendas", "position": 1, "rules": [],
            "stages": [{"id": "s1", "name": "Proposta"}]
        }]))
        .unwrap();
        let names = Names::from_pipelines(&pipelines);
        assert_eq!(cell(Some(&json!("s1")), Kind::Stage, &names), "Proposta");
        assert_eq!(cell(Some(&json!("p1")), Kind::Pipeline, &names), "Vendas");
        assert_eq!(cell(Some(&json!("s9")), Kind::Stage, &names), "s9");
        assert_eq!(cell(None, Kind::Money, &names), "-");
    }
}
