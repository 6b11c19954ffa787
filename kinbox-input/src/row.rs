//! A record of `kinbox deals import` (see [`crate::file`]) checked
//! and turned into the deal to create, before anything is written: money,
//! dates and phones as people in Brazil write them ([`crate::values`],
//! [`crate::datetime`], [`crate::phone`]), pipelines and stages by name with
//! "did you mean" ([`crate::matching`]), custom fields against their
//! definitions ([`crate::custom_fields`]).
//!
//! The pipelines and the custom field definitions are read once per import
//! ([`RowContext::load`]); each record is then checked without a request. A
//! contact given by phone or e-mail is left to the import engine to find or
//! create: the deal's `contactId` is 0 until then.

use std::fmt;

use chrono::Utc;
use kinbox_api::Client;
use kinbox_api::server_text::escape_controls;
use kinbox_api::types::{
    CustomField, CustomFieldsInput, DealCreate, DealStatus, Pipeline, PipelineStage, Tag,
};

use crate::InputError;
use crate::file::{Column, Format, Record, RecordError, Records};
use crate::matching::{Lookup, choose};

/// What a record is checked against: the workspace's pipelines (with their
/// stages) and the definitions of the deal custom fields.
#[derive(Clone, Debug)]
pub struct RowContext {
    pipelines: Vec<Pipeline>,
    custom_fields: Vec<CustomField>,
    /// For a `tags` column, by name.
    tags: Vec<Tag>,
    /// Where a date or time without a zone is read: Brasília unless
    /// [`RowContext::with_zone`] says otherwise.
    zone: crate::date::Zone,
}

/// How the contact of a deal is found, or created, by the import engine:
/// by phone (digits with the country code) or e-mail (lower case), with the
/// name to give a new contact.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ContactKey {
    pub phone: Option<String>,
    pub email: Option<String>,
    pub name: Option<String>,
}

/// A record that makes a deal: the deal to create, and how to find its
/// contact when the record gives no `contact_id` (then `deal.contact_id` is
/// 0, for the engine to fill).
#[derive(Clone, Debug)]
pub struct ValidatedRow {
    pub line: u64,
    pub deal: DealCreate,
    pub contact: Option<ContactKey>,
}

/// Why a record makes no deal: its line, the column at fault (none when
/// the record as a whole is), and why, written for the person who fixes the
/// file: `line 14, value: "12,5O" is not an amount; write it as 1.890,50 or
/// 1890.50`.
#[derive(Clone, Debug, PartialEq)]
pub struct RowError {
    pub line: u64,
    pub column: Option<String>,
    pub reason: String,
}

impl RowError {
    fn new(line: u64, column: Option<&Column>, reason: &str) -> Self {
        Self {
            line,
            column: column.map(Column::to_string),
            // A value of the file could move the cursor when printed.
            reason: escape_controls(reason).into_owned(),
        }
    }
}

impl fmt::Display for RowError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.column {
            Some(column) => write!(f, "line {}, {column}: {}", self.line, self.reason),
            None => write!(f, "line {}: {}", self.line, self.reason),
        }
    }
}

impl std::error::Error for RowError {}

/// A record that could not be read is a row that makes no deal.
impl From<RecordError> for RowError {
    fn from(error: RecordError) -> Self {
        RowError::new(error.line, None, &error.message)
    }
}

/// `text` quoted, as a message shows a value of the file.
fn quoted(text: &str) -> String {
    format!("\"{text}\"")
}

impl RowContext {
    /// Reads the pipelines, the deal custom field definitions and the
    /// tags, the reads every record is checked against.
    pub async fn load(client: &Client) -> Result<RowContext, InputError> {
        let (pipelines, custom_fields, tags) = futures::try_join!(
            crate::lookup::pipelines(client),
            crate::custom_fields::deal_definitions(client),
            crate::lookup::tags(client)
        )?;
        Ok(RowContext::new(pipelines, custom_fields).with_tags(tags))
    }

    /// The workspace's tags, for a `tags` column (none without them).
    pub fn with_tags(mut self, tags: Vec<Tag>) -> RowContext {
        self.tags = tags;
        self
    }

    /// `custom_fields` are the deal definitions, as
    /// [`crate::custom_fields::deal_definitions`] keeps them.
    pub fn new(pipelines: Vec<Pipeline>, custom_fields: Vec<CustomField>) -> RowContext {
        RowContext {
            pipelines,
            custom_fields,
            tags: Vec::new(),
            zone: crate::date::Zone::brasilia(),
        }
    }

    /// Reads dates and times without a zone (`due_date`, date-time custom
    /// fields) in `zone`, e.g. the CLI's `--tz`.
    pub fn with_zone(mut self, zone: crate::date::Zone) -> RowContext {
        self.zone = zone;
        self
    }

    pub fn pipelines(&self) -> &[Pipeline] {
        &self.pipelines
    }

    /// The deal custom fields by the names a header may give them, for
    /// [`crate::file::ReadOptions::custom_fields`].
    pub fn custom_field_names(&self) -> Vec<crate::file::CustomFieldName> {
        self.custom_fields
            .iter()
            .filter_map(|field| {
                Some(crate::file::CustomFieldName {
                    name: field.name.clone(),
                    placeholder: field.placeholder.clone()?,
                })
            })
            .collect()
    }

    /// Checks the columns of `records` before any row is read, so that a
    /// mistake there stops the import rather than fail every row: the custom
    /// fields must exist, and a CSV file must have the columns every deal
    /// needs (an NDJSON object may leave out a key that others have).
    pub fn check_columns(&self, records: &Records) -> Result<(), InputError> {
        let columns = records.columns();
        if records.format() == Format::Csv {
            let needed: [(&[Column], &str); 4] = [
                (&[Column::Name], "name"),
                (&[Column::Value], "value"),
                (
                    &[Column::Pipeline, Column::PipelineId],
                    "pipeline or pipeline_id",
                ),
                (
                    &[
                        Column::ContactPhone,
                        Column::ContactEmail,
                        Column::ContactId,
                    ],
                    "contact_phone, contact_email or contact_id",
                ),
            ];
            let missing: Vec<&str> = needed
                .iter()
                .filter(|(any, _)| !any.iter().any(|c| columns.contains(c)))
                .map(|(_, names)| *names)
                .collect();
            if !missing.is_empty() {
                return Err(InputError::invalid(format!(
                    "the file has no column for {}, which every deal needs; name the header \
                     that holds it with --map HEADER=COLUMN",
                    missing.join("; ")
                )));
            }
        }
        for column in columns {
            if let Column::CustomField(placeholder) = column {
                self.custom_field(placeholder).map_err(|reason| {
                    InputError::invalid(format!("the column {column}: {reason}"))
                })?;
            }
        }
        Ok(())
    }

    /// The deal `record` makes, or the first thing wrong with it, in the
    /// order: name, value, status, pipeline, stage, contact, due date,
    /// origin, campaign, tags, custom fields.
    pub fn validate(&self, record: &Record) -> Result<ValidatedRow, RowError> {
        let line = record.line;
        let fail = |column: &Column, reason: String| RowError::new(line, Some(column), &reason);
        let get = |column: Column| record.get(&column).map(|text| (text, column));

        let name = required(record, Column::Name, "every deal needs a name")
            .map_err(|reason| fail(&Column::Name, reason))?;
        let value = required(
            record,
            Column::Value,
            "every deal needs a value, e.g. 1.890,50 (0 for none)",
        )
        .and_then(amount)
        .map_err(|reason| fail(&Column::Value, reason))?;
        let status = match get(Column::Status) {
            Some((text, column)) => {
                crate::deal::status(text).map_err(|reason| fail(&column, reason))?
            }
            None => DealStatus::Open,
        };
        let pipeline = self.pipeline(record)?;
        let stage = stage(pipeline, record)?;
        let (contact_id, contact) = contact(record)?;
        let due_date = match get(Column::DueDate) {
            Some((text, column)) => Some(
                crate::date::parse_in(text, crate::date::DayEdge::Start, &self.zone)
                    .map(|at| at.with_timezone(&Utc))
                    .map_err(|why| {
                        fail(&column, format!("{} is not a date: {why}", quoted(text)))
                    })?,
            ),
            None => None,
        };
        let mut tag_ids = match get(Column::TagIds) {
            Some((text, column)) => tag_ids(text).map_err(|reason| fail(&column, reason))?,
            None => Vec::new(),
        };
        if let Some((text, column)) = get(Column::Tags) {
            // The same lookup as `deals create --tag`.
            let names: Vec<String> = text
                .split(',')
                .map(str::trim)
                .filter(|name| !name.is_empty())
                .map(str::to_owned)
                .collect();
            let named = crate::lookup::tag_ids_in(&self.tags, &names)
                .map_err(|error| fail(&column, error.to_string()))?;
            for id in named {
                if !tag_ids.contains(&id) {
                    tag_ids.push(id);
                }
            }
        }
        let mut custom_fields = CustomFieldsInput::new();
        for (column, text) in &record.fields {
            let Column::CustomField(placeholder) = column else {
                continue;
            };
            let field = self
                .custom_field(placeholder)
                .map_err(|reason| fail(column, reason))?;
            let value = crate::custom_fields::convert_in(field, text, &self.zone)
                .map_err(|why| fail(column, format!("{} does not fit: {why}", quoted(text))))?;
            custom_fields = custom_fields.with(
                field.placeholder.clone().unwrap_or_default(),
                field.type_.to_string(),
                value,
            );
        }
        let deal = DealCreate::builder()
            .name(name.to_owned())
            .value(value)
            .status(status)
            .pipeline_id(pipeline.id.clone())
            .stage_id(stage.id.clone())
            .contact_id(contact_id)
            .custom_fields(custom_fields)
            .due_date(due_date)
            .origin(record.get(&Column::Origin).map(str::to_owned))
            .campaign(record.get(&Column::Campaign).map(str::to_owned))
            .tag_ids(tag_ids)
            .try_into()
            .map_err(|error: kinbox_api::types::error::ConversionError| {
                RowError::new(line, None, &format!("cannot make the deal: {error}"))
            })?;
        Ok(ValidatedRow {
            line,
            deal,
            contact,
        })
    }

    /// The pipeline of `pipeline` (a name, or an id) or `pipeline_id`; both
    /// must name the same one.
    fn pipeline(&self, record: &Record) -> Result<&Pipeline, RowError> {
        let line = record.line;
        let by_name = match record.get(&Column::Pipeline) {
            Some(text) => Some(
                self.pipeline_named(text)
                    .map_err(|reason| RowError::new(line, Some(&Column::Pipeline), &reason))?,
            ),
            None => None,
        };
        let by_id = match record.get(&Column::PipelineId) {
            Some(id) => Some(
                by_id(
                    &self.pipelines,
                    id,
                    "pipeline",
                    |p| &p.id,
                    |p| format!("\"{}\" (id {})", p.name, p.id),
                )
                .map_err(|reason| RowError::new(line, Some(&Column::PipelineId), &reason))?,
            ),
            None => None,
        };
        match one_of(line, "pipeline", Column::PipelineId, by_name, by_id, |p| {
            (&p.id, &p.name)
        })? {
            Some(pipeline) => Ok(pipeline),
            None => Err(RowError::new(
                line,
                Some(&Column::Pipeline),
                "empty; every deal needs a pipeline: give its name (pipeline) or id (pipeline_id)",
            )),
        }
    }

    /// The pipeline named `text`, else (when no name matches) whose id is
    /// `text`.
    fn pipeline_named(&self, text: &str) -> Result<&Pipeline, String> {
        crate::lookup::pipeline_named_in(&self.pipelines, text, Some("a pipeline_id"))
            .map_err(|error| error.to_string())
    }

    /// The definition of the deal custom field `placeholder`.
    fn custom_field(&self, placeholder: &str) -> Result<&CustomField, String> {
        let lookup = Lookup {
            what: "deal custom field",
            id_flag: None,
        };
        choose(
            &lookup,
            placeholder,
            &self.custom_fields,
            |f| f.placeholder.as_deref().unwrap_or_default(),
            |f| {
                format!(
                    "{} ({})",
                    f.placeholder.as_deref().unwrap_or_default(),
                    f.type_
                )
            },
        )
        .map_err(|error| format!("{error}; see `kinbox custom-fields list -o table`"))
    }
}

/// The value of `column`, or why a record needs one.
fn required<'r>(record: &'r Record, column: Column, why: &str) -> Result<&'r str, String> {
    record.get(&column).ok_or_else(|| format!("empty; {why}"))
}

/// An amount of money as [`crate::number::read_number`] reads it.
fn amount(text: &str) -> Result<f64, String> {
    use crate::number::NumberError;
    crate::number::read_number(text).map_err(|error| match error {
        NumberError::NotANumber => format!(
            "{} is not an amount; write it as 1.890,50 or 1890.50",
            quoted(text)
        ),
        // Says which text, and how to write it either way.
        NumberError::Ambiguous(how) => how,
        other => format!("{} is not an amount: {other}", quoted(text)),
    })
}

/// The one `what` a row names, by name or by id (its column `id_column`),
/// or neither; both must be the same one.
fn one_of<'t, T>(
    line: u64,
    what: &str,
    id_column: Column,
    by_name: Option<&'t T>,
    by_id: Option<&'t T>,
    id_and_name: impl Fn(&T) -> (&String, &String),
) -> Result<Option<&'t T>, RowError> {
    match (by_name, by_id) {
        (Some(named), Some(given)) if id_and_name(named).0 != id_and_name(given).0 => {
            let ((given_id, given_name), (named_id, named_name)) =
                (id_and_name(given), id_and_name(named));
            Err(RowError::new(
                line,
                Some(&id_column),
                &format!(
                    "{} is {what} \"{given_name}\", but {what} is \"{named_name}\" (id \
                     {named_id}); give one of them",
                    quoted(given_id)
                ),
            ))
        }
        (Some(one), _) | (None, Some(one)) => Ok(Some(one)),
        (None, None) => Ok(None),
    }
}

/// The item of `items` whose id is `id`, or the choices.
fn by_id<'i, T>(
    items: &'i [T],
    id: &str,
    what: &str,
    item_id: impl Fn(&T) -> &str,
    describe: impl Fn(&T) -> String,
) -> Result<&'i T, String> {
    items
        .iter()
        .find(|item| item_id(item) == id)
        .ok_or_else(|| {
            format!(
                "no {what} has the id {}; {}",
                quoted(id),
                crate::matching::list_choices(items.iter().map(describe))
            )
        })
}

/// The stage of `stage` (a name, or an id) or `stage_id` within `pipeline`,
/// else its first stage.
fn stage<'p>(pipeline: &'p Pipeline, record: &Record) -> Result<&'p PipelineStage, RowError> {
    let line = record.line;
    let what = format!("stage of pipeline \"{}\"", pipeline.name);
    let describe = |s: &PipelineStage| format!("\"{}\" (id {})", s.name, s.id);
    let by_name = match record.get(&Column::Stage) {
        Some(text) => Some(
            crate::lookup::stage_named(pipeline, text, Some("a stage_id"))
                .map_err(|error| RowError::new(line, Some(&Column::Stage), &error.to_string()))?,
        ),
        None => None,
    };
    let by_id = match record.get(&Column::StageId) {
        Some(id) => Some(
            by_id(&pipeline.stages, id, &what, |s| &s.id, describe)
                .map_err(|reason| RowError::new(line, Some(&Column::StageId), &reason))?,
        ),
        None => None,
    };
    match one_of(line, "stage", Column::StageId, by_name, by_id, |s| {
        (&s.id, &s.name)
    })? {
        Some(stage) => Ok(stage),
        None => crate::lookup::first_stage(pipeline)
            .map_err(|error| RowError::new(line, Some(&Column::Stage), &error.to_string())),
    }
}

/// The deal's `contactId` and, when the record names its contact by phone
/// or e-mail rather than id, how to find it.
fn contact(record: &Record) -> Result<(i64, Option<ContactKey>), RowError> {
    let line = record.line;
    let fail = |column: Column, reason: String| RowError::new(line, Some(&column), &reason);
    let id = match record.get(&Column::ContactId) {
        Some(text) => Some(
            text.parse::<i64>()
                .ok()
                .filter(|id| *id > 0)
                .ok_or_else(|| {
                    fail(
                        Column::ContactId,
                        format!(
                            "{} is not a contact id, a whole number like 123456",
                            quoted(text)
                        ),
                    )
                })?,
        ),
        None => None,
    };
    let phone = match record.get(&Column::ContactPhone) {
        Some(text) => Some(crate::phone::normalize(text).map_err(|why| {
            let why = if in_scientific_notation(text) {
                "the spreadsheet wrote it in scientific notation, without its last digits: \
                 format the column as text and save the file again"
                    .to_owned()
            } else {
                why
            };
            fail(
                Column::ContactPhone,
                format!("{} is not a phone number: {why}", quoted(text)),
            )
        })?),
        None => None,
    };
    let email = match record.get(&Column::ContactEmail) {
        Some(text) => Some(email(text).map_err(|reason| fail(Column::ContactEmail, reason))?),
        None => None,
    };
    let name = record.get(&Column::ContactName).map(str::to_owned);
    match id {
        Some(id) => Ok((id, None)),
        None if phone.is_some() || email.is_some() => {
            Ok((0, Some(ContactKey { phone, email, name })))
        }
        None => Err(RowError::new(
            line,
            None,
            &format!(
                "no contact; give contact_phone, contact_email or contact_id{}",
                if name.is_some() {
                    " (a contact_name alone does not say which contact)"
                } else {
                    ""
                }
            ),
        )),
    }
}

/// `5,58599E+12`: how Excel writes a long number in a cell it formats as a
/// number, dropping digits.
fn in_scientific_notation(text: &str) -> bool {
    let Some((mantissa, exponent)) = text.trim().split_once(['e', 'E']) else {
        return false;
    };
    let exponent = exponent.strip_prefix('+').unwrap_or(exponent);
    !mantissa.is_empty()
        && mantissa
            .chars()
            .all(|c| c.is_ascii_digit() || c == ',' || c == '.')
        && !exponent.is_empty()
        && exponent.chars().all(|c| c.is_ascii_digit())
}

/// An e-mail address, trimmed and in lower case, as contacts are looked up.
fn email(text: &str) -> Result<String, String> {
    let email = text.trim().to_lowercase();
    match email.split_once('@') {
        Some((user, domain))
            if !user.is_empty()
                && !domain.is_empty()
                && !email.chars().any(char::is_whitespace) =>
        {
            Ok(email)
        }
        _ => Err(format!(
            "{} is not an e-mail address, like ana@example.com",
            quoted(text)
        )),
    }
}

/// Tag ids separated by commas or spaces: `12,15`, `12 15`, `12, 15`.
fn tag_ids(text: &str) -> Result<Vec<i64>, String> {
    text.split(|c: char| c == ',' || c.is_whitespace())
        .filter(|id| !id.is_empty())
        .map(|id| {
            id.parse::<i64>().ok().filter(|id| *id > 0).ok_or_else(|| {
                format!(
                    "{} is not a tag id in {}; write whole numbers separated by commas, e.g. \
                     12,15",
                    quoted(id),
                    quoted(text)
                )
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::file::{self, ReadOptions};
    use serde_json::json;

    fn context() -> RowContext {
        let pipelines = serde_json::from_value(json!([
            {"id": "p1", "name": "Vendas", "position": 0, "rules": [], "stages": [
                {"id": "s1", "name": "Prospecção"},
                {"id": "s2", "name": "Proposta"},
                {"id": "s3", "name": "Negociação"},
            ]},
            {"id": "p2", "name": "Pós-venda", "position": 1, "rules": [], "stages": [
                {"id": "s4", "name": "Onboarding"},
            ]},
            {"id": "p3", "name": "Vazio", "position": 2, "rules": [], "stages": []},
        ]))
        .unwrap();
        let custom_fields = serde_json::from_value(json!([
            {"id": 1, "name": "CPF", "placeholder": "cpf", "entity": "deal", "type": "text"},
            {"id": 2, "name": "Idade", "placeholder": "idade", "entity": "deal", "type": "number"},
            {"id": 3, "name": "Canal", "placeholder": "canal", "entity": "deal", "type": "select",
             "options": [{"value": "site", "label": "Site"}, {"value": "loja", "label": "Loja"}]},
        ]))
        .unwrap();
        RowContext::new(pipelines, custom_fields)
    }

    fn record(line: u64, fields: &[(Column, &str)]) -> Record {
        Record {
            line,
            fields: fields
                .iter()
                .map(|(c, v)| (c.clone(), (*v).to_owned()))
                .collect(),
        }
    }

    /// A row with all it needs, and `changes` laid over it (`""` removes).
    fn row(line: u64, changes: &[(Column, &str)]) -> Record {
        let mut fields = vec![
            (Column::Name, "Pedido 1042"),
            (Column::Value, "R$ 1.890,50"),
            (Column::Pipeline, "Vendas"),
            (Column::ContactPhone, "+55 (85) 99728-1648"),
        ];
        for (column, value) in changes {
            fields.retain(|(c, _)| c != column);
            if !value.is_empty() {
                fields.push((column.clone(), value));
            }
        }
        record(line, &fields)
    }

    /// A `tags` column names tags as `deals create --tag` does: by name in
    /// any case and without accents, or by id; joined with `tag_ids`, each
    /// once; an unknown name is the row's error, with the close ones.
    #[test]
    fn tags_are_read_by_name_as_the_cli_reads_them() {
        let tags = serde_json::from_value(json!([
            {"id": 12, "name": "Lead quente"},
            {"id": 15, "name": "Indicação"},
        ]))
        .unwrap();
        let context = context().with_tags(tags);
        let valid = context
            .validate(&row(
                2,
                &[
                    (Column::Tags, "lead quente, indicacao"),
                    (Column::TagIds, "15 7"),
                ],
            ))
            .unwrap();
        assert_eq!(valid.deal.tag_ids, vec![15, 7, 12]);
        let error = context
            .validate(&row(3, &[(Column::Tags, "Lead qente")]))
            .unwrap_err()
            .to_string();
        assert!(
            error.starts_with(
                "line 3, tags: no tag is named \"Lead qente\"; did you mean \"Lead quente\"?"
            ),
            "{error}"
        );
    }

    fn error(line: u64, changes: &[(Column, &str)]) -> String {
        context()
            .validate(&row(line, changes))
            .unwrap_err()
            .to_string()
    }

    /// One read of the pipelines, one of the custom fields, of which the
    /// deal fields are kept, and one of the tags.
    #[tokio::test]
    async fn load_reads_the_pipelines_the_deal_custom_fields_and_the_tags_once() {
        let server = httpmock::MockServer::start_async().await;
        let pipelines = server
            .mock_async(|when, then| {
                when.method("GET").path("/v1/pipelines");
                then.status(200).json_body(json!([
                    {"id": "p1", "name": "Vendas", "position": 0, "rules": [],
                     "stages": [{"id": "s1", "name": "Proposta"}]}
                ]));
            })
            .await;
        let fields = server
            .mock_async(|when, then| {
                when.method("GET").path("/v1/custom-fields");
                then.status(200).json_body(json!({"data": [
                    {"id": 1, "name": "CPF", "placeholder": "cpf", "entity": "deal", "type": "text"},
                    {"id": 2, "name": "RG", "placeholder": "rg", "entity": "contact", "type": "text"},
                ]}));
            })
            .await;
        let tags = server
            .mock_async(|when, then| {
                when.method("GET").path("/v1/tags");
                then.status(200)
                    .json_body(json!([{"id": 12, "name": "Lead quente"}]));
            })
            .await;
        let client = kinbox_api::ClientConfig::new(kinbox_api::Token::new("t0k3n").unwrap())
            .base_url(server.base_url())
            .build()
            .unwrap();
        let context = RowContext::load(&client).await.unwrap();
        pipelines.assert_calls_async(1).await;
        fields.assert_calls_async(1).await;
        tags.assert_calls_async(1).await;
        assert_eq!(context.pipelines()[0].name, "Vendas");
        let row = context
            .validate(&record(
                2,
                &[
                    (Column::Name, "a"),
                    (Column::Value, "1"),
                    (Column::Pipeline, "Vendas"),
                    (Column::ContactId, "7"),
                    (Column::CustomField("cpf".into()), "1"),
                ],
            ))
            .unwrap();
        assert_eq!(row.deal.stage_id, "s1");
        assert!(
            context
                .validate(&record(
                    2,
                    &[
                        (Column::Name, "a"),
                        (Column::Value, "1"),
                        (Column::Pipeline, "Vendas"),
                        (Column::ContactId, "7"),
                        (Column::CustomField("rg".into()), "1"),
                    ],
                ))
                .is_err(),
            "a contact field is not a deal's"
        );
    }

    #[test]
    fn a_full_row_makes_the_deal_and_its_contact_key() {
        let record = record(
            3,
            &[
                (Column::Name, "Ação de verão"),
                (Column::Value, "R$ 1.890,50"),
                (Column::Status, "Ganho"),
                (Column::Pipeline, "vendas"),
                (Column::Stage, "proposta"),
                (Column::ContactPhone, "(85) 99728-1648"),
                (Column::ContactEmail, " Ana@Example.com "),
                (Column::ContactName, "Ana"),
                (Column::DueDate, "30/06/2024"),
                (Column::Origin, "site"),
                (Column::Campaign, "verão 2024"),
                (Column::TagIds, "12, 15 7"),
                (Column::CustomField("CPF".into()), "060.715.303-54"),
                (Column::CustomField("idade".into()), "30"),
                (Column::CustomField("canal".into()), "Loja"),
            ],
        );
        let row = context().validate(&record).unwrap();
        assert_eq!(row.line, 3);
        assert_eq!(
            row.contact,
            Some(ContactKey {
                phone: Some("5585997281648".into()),
                email: Some("ana@example.com".into()),
                name: Some("Ana".into()),
            })
        );
        assert_eq!(
            serde_json::to_value(&row.deal).unwrap(),
            json!({
                "name": "Ação de verão",
                "value": 1890.5,
                "status": "won",
                "pipelineId": "p1",
                "stageId": "s2",
                "contactId": 0,
                "dueDate": "2024-06-30T03:00:00Z",
                "origin": "site",
                "campaign": "verão 2024",
                "tagIds": [12, 15, 7],
                "customFields": {
                    "cpf": {"value": "060.715.303-54", "type": "text"},
                    "idade": {"value": "30", "type": "number"},
                    "canal": {"value": "loja", "type": "select"},
                },
            })
        );
    }

    #[test]
    fn defaults_open_the_first_stage_and_no_custom_fields() {
        let row = context()
            .validate(&row(
                2,
                &[(Column::ContactPhone, ""), (Column::ContactId, "123")],
            ))
            .unwrap();
        assert_eq!(row.contact, None, "a contact by id needs no lookup");
        assert_eq!(
            serde_json::to_value(&row.deal).unwrap(),
            json!({
                "name": "Pedido 1042",
                "value": 1890.5,
                "status": "open",
                "pipelineId": "p1",
                "stageId": "s1",
                "contactId": 123,
                "customFields": {},
            })
        );
    }

    #[test]
    fn statuses_in_english_or_portuguese() {
        // Every word is `deal::status`'s (tested there); the column reads them.
        for (text, status) in [("ABERTO", DealStatus::Open), ("Won", DealStatus::Won)] {
            let row = context()
                .validate(&row(2, &[(Column::Status, text)]))
                .unwrap();
            assert_eq!(row.deal.status, status, "{text}");
        }
        assert_eq!(
            error(4, &[(Column::Status, "fechado")]),
            "line 4, status: \"fechado\" is not a status; write open, won or lost (aberto, \
             ganho or perdido)"
        );
    }

    #[test]
    fn pipelines_and_stages_by_name_or_id() {
        let deal = |changes: &[(Column, &str)]| {
            let deal = context().validate(&row(2, changes)).unwrap().deal;
            (deal.pipeline_id, deal.stage_id)
        };
        let ids = |p: &str, s: &str| (p.to_owned(), s.to_owned());
        assert_eq!(
            deal(&[(Column::Pipeline, "pos-venda")]),
            ids("p2", "s4"),
            "accents and case aside"
        );
        assert_eq!(deal(&[(Column::Pipeline, "p2")]), ids("p2", "s4"), "an id");
        assert_eq!(
            deal(&[(Column::Pipeline, ""), (Column::PipelineId, "p2")]),
            ids("p2", "s4")
        );
        assert_eq!(
            deal(&[(Column::PipelineId, "p1"), (Column::StageId, "s3")]),
            ids("p1", "s3")
        );
        assert_eq!(deal(&[(Column::Stage, "s2")]), ids("p1", "s2"));
        assert_eq!(
            error(3, &[(Column::PipelineId, "p2")]),
            "line 3, pipeline_id: \"p2\" is pipeline \"Pós-venda\", but pipeline is \"Vendas\" \
             (id p1); give one of them"
        );
        assert_eq!(
            error(3, &[(Column::Stage, "Proposta"), (Column::StageId, "s3")]),
            "line 3, stage_id: \"s3\" is stage \"Negociação\", but stage is \"Proposta\" (id \
             s2); give one of them"
        );
    }

    #[test]
    fn an_unknown_stage_suggests_the_closest() {
        assert_eq!(
            error(5, &[(Column::Stage, "Propsta")]),
            "line 5, stage: no stage of pipeline \"Vendas\" is named \"Propsta\"; did you mean \
             \"Proposta\"? the choices are: \"Prospecção\" (id s1), \"Proposta\" (id s2), \
             \"Negociação\" (id s3), or give a stage_id"
        );
        assert_eq!(
            error(5, &[(Column::StageId, "s4")]),
            "line 5, stage_id: no stage of pipeline \"Vendas\" has the id \"s4\"; the choices \
             are: \"Prospecção\" (id s1), \"Proposta\" (id s2), \"Negociação\" (id s3)"
        );
        assert_eq!(
            error(5, &[(Column::Pipeline, "Vazio")]),
            "line 5, stage: pipeline \"Vazio\" has no stages: add one in Kinbox, then try again"
        );
    }

    #[test]
    fn an_unknown_or_missing_pipeline() {
        assert_eq!(
            error(6, &[(Column::Pipeline, "Vendsa")]),
            "line 6, pipeline: no pipeline is named \"Vendsa\"; did you mean \"Vendas\"? the \
             choices are: \"Vendas\" (id p1), \"Pós-venda\" (id p2), \"Vazio\" (id p3), or give \
             a pipeline_id"
        );
        assert_eq!(
            error(6, &[(Column::Pipeline, "")]),
            "line 6, pipeline: empty; every deal needs a pipeline: give its name (pipeline) or \
             id (pipeline_id)"
        );
        assert!(
            error(6, &[(Column::PipelineId, "p9")])
                .starts_with("line 6, pipeline_id: no pipeline has the id \"p9\"; the choices")
        );
    }

    #[test]
    fn money_is_read_as_written_in_brazil_or_refused_with_how_to_write_it() {
        for (text, value) in [
            ("12,50", 12.5),
            ("1.890,50", 1890.5),
            ("R$ 1.890,50", 1890.5),
            ("1890.50", 1890.5),
            ("0", 0.0),
        ] {
            let row = context()
                .validate(&row(2, &[(Column::Value, text)]))
                .unwrap();
            assert_eq!(row.deal.value, value, "{text}");
        }
        assert_eq!(
            error(14, &[(Column::Value, "12,5O")]),
            "line 14, value: \"12,5O\" is not an amount; write it as 1.890,50 or 1890.50"
        );
        assert_eq!(
            error(14, &[(Column::Value, "1.890")]),
            "line 14, value: '1.890' could mean 1890 or 1,89: write 1890 (or 1.890,00) for the \
             first, 1,89 for the second"
        );
        assert!(
            error(14, &[(Column::Value, "NaN")])
                .starts_with("line 14, value: \"NaN\" is not an amount: expected a finite number")
        );
        assert_eq!(
            error(14, &[(Column::Value, "")]),
            "line 14, value: empty; every deal needs a value, e.g. 1.890,50 (0 for none)"
        );
        assert_eq!(
            error(15, &[(Column::Name, "")]),
            "line 15, name: empty; every deal needs a name"
        );
    }

    #[test]
    fn a_contact_is_required_and_checked() {
        assert_eq!(
            error(6, &[(Column::ContactPhone, "")]),
            "line 6: no contact; give contact_phone, contact_email or contact_id"
        );
        assert_eq!(
            error(
                6,
                &[(Column::ContactPhone, ""), (Column::ContactName, "Ana")]
            ),
            "line 6: no contact; give contact_phone, contact_email or contact_id (a \
             contact_name alone does not say which contact)"
        );
        assert_eq!(
            error(6, &[(Column::ContactPhone, "99728-1648")]),
            "line 6, contact_phone: \"99728-1648\" is not a phone number: 9 digits are too few \
             for a phone: write it with its DDD, e.g. (85) 99728-1648"
        );
        assert_eq!(
            error(6, &[(Column::ContactPhone, "5,58599E+12")]),
            "line 6, contact_phone: \"5,58599E+12\" is not a phone number: the spreadsheet \
             wrote it in scientific notation, without its last digits: format the column as \
             text and save the file again"
        );
        assert_eq!(
            error(6, &[(Column::ContactEmail, "ana.example.com")]),
            "line 6, contact_email: \"ana.example.com\" is not an e-mail address, like \
             ana@example.com"
        );
        assert_eq!(
            error(6, &[(Column::ContactId, "12a")]),
            "line 6, contact_id: \"12a\" is not a contact id, a whole number like 123456"
        );
        let by_email = context()
            .validate(&row(
                2,
                &[
                    (Column::ContactPhone, ""),
                    (Column::ContactEmail, "ANA@x.com"),
                ],
            ))
            .unwrap();
        assert_eq!(
            by_email.contact,
            Some(ContactKey {
                email: Some("ana@x.com".into()),
                ..ContactKey::default()
            })
        );
        assert_eq!(by_email.deal.contact_id, 0);
    }

    #[test]
    fn dates_tags_and_custom_fields_are_checked() {
        assert_eq!(
            error(7, &[(Column::DueDate, "31/02/2024")]),
            "line 7, due_date: \"31/02/2024\" is not a date: expected a date-time like \
             2024-05-31T18:00:00-03:00, or a date like 2024-05-31 or 31/05/2024 with an \
             optional time like 31/05/2024 18:00 (America/Sao_Paulo)"
        );
        assert_eq!(
            error(7, &[(Column::DueDate, "30/06/24")]),
            "line 7, due_date: \"30/06/24\" is not a date: write the year with four digits, \
             e.g. 31/05/2024"
        );
        assert_eq!(
            error(8, &[(Column::TagIds, "12, x")]),
            "line 8, tag_ids: \"x\" is not a tag id in \"12, x\"; write whole numbers separated \
             by commas, e.g. 12,15"
        );
        assert_eq!(
            error(9, &[(Column::CustomField("idade".into()), "trinta")]),
            "line 9, cf.idade: \"trinta\" does not fit: \"idade\" is a number field, e.g. \
             idade=30"
        );
        assert_eq!(
            error(9, &[(Column::CustomField("rg".into()), "1")]),
            "line 9, cf.rg: no deal custom field is named \"rg\"; the choices are: cpf (text), \
             idade (number), canal (select); see `kinbox custom-fields list -o table`"
        );
    }

    #[test]
    fn the_columns_are_checked_before_any_row() {
        let check = |file: &str| {
            let records = file::from_reader(
                std::io::Cursor::new(file.as_bytes().to_vec()),
                "leads",
                &ReadOptions::default(),
            )
            .unwrap();
            context().check_columns(&records).map_err(|e| e.to_string())
        };
        assert_eq!(
            check("name;value;pipeline;contact_id;cf.cpff\n"),
            Err(
                "the column cf.cpff: no deal custom field is named \"cpff\"; did you mean \
                 \"cpf\"? the choices are: cpf (text), idade (number), canal (select); see \
                 `kinbox custom-fields list -o table`"
                    .to_owned()
            )
        );
        assert_eq!(
            check("name;contact_name;cf.CPF\n"),
            Err(
                "the file has no column for value; pipeline or pipeline_id; contact_phone, \
                 contact_email or contact_id, which every deal needs; name the header that \
                 holds it with --map HEADER=COLUMN"
                    .to_owned()
            )
        );
        assert_eq!(
            check("name;value;pipeline_id;contact_email;cf.CPF\n"),
            Ok(())
        );
        // An NDJSON object may leave keys out.
        assert_eq!(check("{\"name\": \"a\"}\n"), Ok(()));
    }

    #[test]
    fn values_that_would_act_on_the_terminal_are_escaped() {
        assert_eq!(
            error(2, &[(Column::Value, "1\u{1b}[2J")]),
            "line 2, value: \"1\\u{1b}[2J\" is not an amount; write it as 1.890,50 or 1890.50"
        );
    }

    /// A Latin-1 file as Excel saves it in Brazil, read and checked: the rows
    /// that make deals, and the others with their lines.
    #[test]
    fn a_spreadsheet_read_and_checked() {
        let mut file = Vec::new();
        file.extend_from_slice(b"Nome do neg\xf3cio;Valor (R$);Funil;Etapa;Telefone;Obs\r\n");
        file.extend_from_slice(
            b"A\xe7\xe3o;R$ 1.890,50;Vendas;Negocia\xe7\xe3o;(85) 99728-1648;\r\n",
        );
        file.extend_from_slice(b"\"Pedido\r\n2\";12,5O;Vendas;;(85) 99728-1648;x\r\n");
        file.extend_from_slice(b"Pedido 3;10;Vendas;Propsta;(85) 99728-1648;\r\n");
        file.extend_from_slice(b"Pedido 4;10;Vendas;;;\r\n");
        file.extend_from_slice(b"Pedido 5;10;Vendas;;(85) 99728-1648\r\n");
        let options = ReadOptions {
            encoding: Some(file::parse_encoding("latin1").unwrap()),
            map: [
                "Nome do negócio=name",
                "Valor (R$)=value",
                "Funil=pipeline",
                "Etapa=stage",
                "Telefone=contact_phone",
                "Obs=-",
            ]
            .into_iter()
            .map(|text| file::MapEntry::parse(text).unwrap())
            .collect(),
            ..ReadOptions::default()
        };
        let records = file::from_reader(std::io::Cursor::new(file), "leads.csv", &options).unwrap();
        let context = context();
        context.check_columns(&records).unwrap();
        let results: Vec<Result<ValidatedRow, RowError>> = records
            .map(|record| {
                record
                    .map_err(RowError::from)
                    .and_then(|record| context.validate(&record))
            })
            .collect();
        let first = results[0].as_ref().unwrap();
        assert_eq!(
            (first.line, first.deal.name.as_str(), first.deal.value),
            (2, "Ação", 1890.5)
        );
        assert_eq!(first.deal.stage_id, "s3");
        let errors: Vec<String> = results[1..]
            .iter()
            .map(|result| result.as_ref().unwrap_err().to_string())
            .collect();
        assert_eq!(
            errors,
            [
                "line 3, value: \"12,5O\" is not an amount; write it as 1.890,50 or 1890.50",
                "line 5, stage: no stage of pipeline \"Vendas\" is named \"Propsta\"; did you \
                 mean \"Proposta\"? the choices are: \"Prospecção\" (id s1), \"Proposta\" (id \
                 s2), \"Negociação\" (id s3), or give a stage_id",
                "line 6: no contact; give contact_phone, contact_email or contact_id",
                "line 7: 5 values where the header has 6; a value that holds the delimiter or a \
                 line break must be in double quotes",
            ]
        );
    }
}
