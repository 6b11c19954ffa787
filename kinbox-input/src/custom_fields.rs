//! `--custom-field PLACEHOLDER=VALUE`: a deal's custom field by the key
//! Kinbox shows, checked against the custom field definitions
//! (`GET /v1/custom-fields`) and sent as the reference writes it:
//! `{"value": <text>, "type": <the field's type>}`.

use chrono::{SecondsFormat, Utc};
use kinbox_api::types::{CustomField, CustomFieldEntity, CustomFieldType, CustomFieldsInput};
use kinbox_api::{Client, OrOther};

use crate::InputError;
use crate::date::Zone;
use crate::matching::{Lookup, choose};

/// One `--custom-field`, split at its first `=`.
#[derive(Clone, Debug, PartialEq)]
pub struct Assignment {
    pub placeholder: String,
    pub value: String,
}

/// The custom field definitions of deals that are not deleted.
pub async fn deal_definitions(client: &Client) -> Result<Vec<CustomField>, InputError> {
    let list = client
        .list_custom_fields()
        .send()
        .await
        .map_err(InputError::lookup("listing the custom fields"))?
        .into_inner();
    Ok(list
        .data
        .into_iter()
        .filter(|field| field.entity.as_ref() == Some(&CustomFieldEntity::Deal.into()))
        .filter(|field| field.is_deleted != Some(true))
        // A field without a placeholder cannot be set by one.
        .filter(|field| field.placeholder.is_some())
        .collect())
}

/// `base` (e.g. the customFields of `--json-body`) with each assignment set,
/// checked against `definitions`; a date-time without a zone is Brasília
/// time ([`apply_in`] takes the zone).
pub fn apply(
    definitions: &[CustomField],
    assignments: &[Assignment],
    base: CustomFieldsInput,
) -> Result<CustomFieldsInput, InputError> {
    apply_in(definitions, assignments, base, &Zone::brasilia())
}

/// [`apply`], with a date-time without a zone read in `zone`.
pub fn apply_in(
    definitions: &[CustomField],
    assignments: &[Assignment],
    mut base: CustomFieldsInput,
    zone: &Zone,
) -> Result<CustomFieldsInput, InputError> {
    let lookup = Lookup {
        what: "deal custom field",
        id_flag: None,
    };
    for assignment in assignments {
        let field = choose(
            &lookup,
            &assignment.placeholder,
            definitions,
            |f| placeholder(f),
            |f| format!("{} ({})", placeholder(f), f.type_),
        )
        .map_err(|error| {
            InputError::invalid(format!(
                "--custom-field {}={}: {error}; see `kinbox custom-fields list -o table`",
                assignment.placeholder, assignment.value
            ))
        })?;
        let value = convert_in(field, &assignment.value, zone).map_err(|why| {
            InputError::invalid(format!(
                "--custom-field {}={}: {why}",
                assignment.placeholder, assignment.value
            ))
        })?;
        base = base.with(placeholder(field), field.type_.to_string(), value);
    }
    Ok(base)
}

/// The custom fields a deal has, written back as a write takes them: each
/// value as text, with its type (the answer's, else its definition's).
pub fn current(deal: &kinbox_api::types::Deal, definitions: &[CustomField]) -> CustomFieldsInput {
    let mut fields = CustomFieldsInput::new();
    for (name, field) in deal.custom_fields.0.iter() {
        let value = match &field.value {
            serde_json::Value::String(text) => text.clone(),
            serde_json::Value::Null => String::new(),
            other => other.to_string(),
        };
        let type_ = field.type_.clone().or_else(|| {
            definitions
                .iter()
                .find(|d| d.placeholder.as_deref() == Some(name))
                .map(|d| d.type_.to_string())
        });
        fields = fields.with(
            name.clone(),
            type_.unwrap_or_else(|| "text".to_owned()),
            value,
        );
    }
    fields
}

/// Only definitions with a placeholder are kept by [`deal_definitions`].
fn placeholder(field: &CustomField) -> &str {
    field.placeholder.as_deref().unwrap_or_default()
}

/// The text of `raw` for `field`, normalised to what its type takes, or why
/// it does not fit; a date-time without a zone is Brasília time.
pub fn convert(field: &CustomField, raw: &str) -> Result<String, String> {
    convert_in(field, raw, &Zone::brasilia())
}

/// How a message names `zone`: Brasília's by its usual name.
fn zone_words(zone: &Zone) -> String {
    if zone.name() == crate::date::DEFAULT_ZONE {
        "Brasília time".to_owned()
    } else {
        format!("{zone} time")
    }
}

/// [`convert`], with a date-time without a zone read in `zone`.
pub fn convert_in(field: &CustomField, raw: &str, zone: &Zone) -> Result<String, String> {
    let text = raw.trim();
    let name = placeholder(field);
    let kind = match &field.type_ {
        OrOther::Known(kind) => *kind,
        // A type this tool does not know yet: sent as written.
        OrOther::Other(_) => return Ok(raw.to_owned()),
    };
    match kind {
        CustomFieldType::Text | CustomFieldType::Textarea | CustomFieldType::Day => {
            Ok(raw.to_owned())
        }
        CustomFieldType::Number => text
            .parse::<i64>()
            .map(|n| n.to_string())
            .or_else(|_| number(text))
            .map_err(|why| format!("\"{name}\" is a number field, e.g. {name}=30{why}")),
        CustomFieldType::Decimal => number(text)
            .map_err(|why| format!("\"{name}\" is a decimal field, e.g. {name}=1890,50{why}")),
        CustomFieldType::Boolean => match text.to_ascii_lowercase().as_str() {
            "true" => Ok("true".to_owned()),
            "false" => Ok("false".to_owned()),
            _ => Err(format!(
                "\"{name}\" is a boolean field: write {name}=true or {name}=false"
            )),
        },
        CustomFieldType::Date => crate::date::parse_date(text)
            .map(|date| date.format("%Y-%m-%d").to_string())
            .map_err(|_| {
                format!("\"{name}\" is a date field, e.g. {name}=2024-05-31 or {name}=31/05/2024")
            }),
        CustomFieldType::Datetime => crate::date::parse_in(text, crate::date::DayEdge::Start, zone)
            .map(|at| {
                at.with_timezone(&Utc)
                    .to_rfc3339_opts(SecondsFormat::AutoSi, true)
            })
            .map_err(|_| {
                format!(
                    "\"{name}\" is a date-time field, e.g. {name}={} or {name}=31/05/2024 18:00 \
                     ({})",
                    crate::date::EXAMPLE,
                    zone_words(zone)
                )
            }),
        CustomFieldType::Select => option(field, text),
        CustomFieldType::MultiSelect => text
            .split(',')
            .map(str::trim)
            .filter(|item| !item.is_empty())
            .map(|item| option(field, item))
            .collect::<Result<Vec<_>, _>>()
            .map(|options| options.join(",")),
        CustomFieldType::Json => serde_json::from_str::<serde_json::Value>(text)
            .map(|json| json.to_string())
            .map_err(|error| format!("\"{name}\" is a json field, and this is not JSON: {error}")),
    }
}

/// `text` as a number, read as [`crate::number::read_number`] does
/// (`1.890,50`, `R$ 1.890,50`), written back as JSON writes it (`1890.5`);
/// or, when the number is ambiguous or misgrouped, `: why`.
fn number(text: &str) -> Result<String, String> {
    use crate::number::NumberError;
    match crate::number::read_number(text) {
        Ok(number) => Ok(number.to_string()),
        Err(NumberError::NotANumber) => Err(String::new()),
        Err(why) => Err(format!(": {why}")),
    }
}

/// The stored value of the option of `field` written `wanted`, by its value
/// or else by its label.
fn option(field: &CustomField, wanted: &str) -> Result<String, String> {
    let options = field.options.as_deref().unwrap_or_default();
    let what = format!("option of \"{}\"", placeholder(field));
    let lookup = Lookup {
        what: &what,
        id_flag: None,
    };
    let describe = |o: &kinbox_api::types::CustomFieldOption| match &o.label {
        Some(label) if *label != o.value => format!("{} ({label})", o.value),
        _ => o.value.clone(),
    };
    choose(&lookup, wanted, options, |o| &o.value, describe)
        .or_else(|by_value| {
            let labelled: Vec<_> = options.iter().filter(|o| o.label.is_some()).collect();
            choose(
                &lookup,
                wanted,
                &labelled,
                |o| o.label.as_deref().unwrap_or_default(),
                |o| describe(o),
            )
            .copied()
            .map_err(|_| by_value)
        })
        .map(|o| o.value.clone())
        .map_err(|error| error.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn field(placeholder: &str, kind: &str, options: &[&str]) -> CustomField {
        serde_json::from_value(json!({
            "id": 1, "name": placeholder, "placeholder": placeholder, "entity": "deal",
            "type": kind,
            "options": options.iter().map(|o| json!({"value": o, "label": o.to_uppercase()}))
                .collect::<Vec<_>>()
        }))
        .unwrap()
    }

    fn set(kind: &str, options: &[&str], raw: &str) -> Result<String, String> {
        convert(&field("f", kind, options), raw)
    }

    #[test]
    fn values_are_text_normalised_to_the_type_of_their_field() {
        let ok = |text: &str| Ok(text.to_owned());
        assert_eq!(set("text", &[], " a=b "), ok(" a=b "));
        assert_eq!(set("number", &[], "30"), ok("30"));
        assert_eq!(set("decimal", &[], "1890,50"), ok("1890.5"));
        assert_eq!(set("decimal", &[], "1890.5"), ok("1890.5"));
        assert_eq!(set("decimal", &[], "1.890,50"), ok("1890.5"));
        assert_eq!(set("decimal", &[], "R$ 1.890,50"), ok("1890.5"));
        assert_eq!(set("decimal", &[], "-12,5"), ok("-12.5"));
        assert_eq!(set("number", &[], "1.890.000"), ok("1890000"));
        assert_eq!(
            set("number", &[], "9007199254740993"),
            ok("9007199254740993")
        );
        assert_eq!(set("date", &[], "31/05/2024"), ok("2024-05-31"));
        assert_eq!(
            set("datetime", &[], "31/05/2024 18:00"),
            ok("2024-05-31T21:00:00Z")
        );
        assert_eq!(
            set("datetime", &[], "2024-05-31T18:00:00"),
            ok("2024-05-31T21:00:00Z")
        );
        assert_eq!(set("boolean", &[], "TRUE"), ok("true"));
        assert_eq!(set("date", &[], "2024-05-31"), ok("2024-05-31"));
        assert_eq!(
            set("datetime", &[], "2024-05-31T18:00:00-03:00"),
            ok("2024-05-31T21:00:00Z")
        );
        assert_eq!(
            set("select", &["varejo", "atacado"], "Atacado"),
            ok("atacado")
        );
        assert_eq!(set("select", &["a1"], "A1"), ok("a1"), "by label");
        assert_eq!(set("multi-select", &["a", "b", "c"], "a, c"), ok("a,c"));
        assert_eq!(set("json", &[], r#"{"k": [1]}"#), ok(r#"{"k":[1]}"#));
        assert_eq!(set("color", &[], "#fff"), ok("#fff"), "unknown type");
    }

    #[test]
    fn values_that_do_not_fit_say_what_would() {
        assert!(set("number", &[], "trinta").unwrap_err().contains("f=30"));
        assert!(set("number", &[], "NaN").is_err());
        assert!(set("decimal", &[], "R$ NaN").is_err());
        let ambiguous = set("decimal", &[], "1.890").unwrap_err();
        assert!(
            ambiguous.starts_with("\"f\" is a decimal field, e.g. f=1890,50: '1.890' could mean"),
            "{ambiguous}"
        );
        assert_eq!(
            set("decimal", &[], "dez").unwrap_err(),
            "\"f\" is a decimal field, e.g. f=1890,50"
        );
        assert!(set("boolean", &[], "sim").unwrap_err().contains("f=true"));
        assert!(set("date", &[], "31/02/2024").is_err());
        assert!(set("date", &[], "31/05/24").is_err());
        assert!(set("datetime", &[], "31/05/2024 25:00").is_err());
        assert!(set("json", &[], "{").is_err());
        let error = set("select", &["varejo", "atacado"], "online").unwrap_err();
        assert!(
            error.contains("varejo (VAREJO), atacado (ATACADO)"),
            "{error}"
        );
        assert!(set("multi-select", &["a", "b"], "a,x").is_err());
    }

    #[test]
    fn assignments_keep_other_fields_and_use_the_canonical_placeholder() {
        let definitions = [field("cpf", "text", &[]), field("idade", "number", &[])];
        let base = CustomFieldsInput::new().with("origem", "text", "site");
        let given = [Assignment {
            placeholder: "IDADE".into(),
            value: "30".into(),
        }];
        let fields = apply(&definitions, &given, base).unwrap();
        assert_eq!(
            serde_json::to_value(fields).unwrap(),
            json!({
                "origem": {"value": "site", "type": "text"},
                "idade": {"value": "30", "type": "number"},
            })
        );
        let unknown = [Assignment {
            placeholder: "rg".into(),
            value: "1".into(),
        }];
        let error = apply(&definitions, &unknown, CustomFieldsInput::new())
            .unwrap_err()
            .to_string();
        assert!(error.contains("cpf (text), idade (number)"), "{error}");
    }
}
