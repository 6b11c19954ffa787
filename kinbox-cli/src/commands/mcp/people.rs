//! The tools for people: deals by the names a person sees (a pipeline's,
//! a stage's, a tag's, a custom field's), a contact by phone or e-mail,
//! money as `R$ 1.890,50` and dates as `30/06/2025`, through the same
//! `kinbox-input` code the CLI's `deals create`, `move`, `win` and `lose`
//! use. Every lookup is a read made before the one write; a name that
//! matches nothing answers with the choices.
//!
//! - `create_deal_by_names`: a deal in a pipeline's stage (its first by
//!   default), for a contact found (or, with `create_contact`, created) by
//!   phone or e-mail;
//! - `update_deal_by_names`: its name, value, stage, contact, tags, custom
//!   fields (merged with the deal's) or due date;
//! - `move_deal`: to a stage by name, in its pipeline or another;
//! - `win_deal`, `lose_deal` (with the pipeline's lost reasons),
//!   `reopen_deal`.

use chrono::{DateTime, SubsecRound as _, Utc};
use kinbox_api::Client;
use kinbox_input::InputError;
use kinbox_input::custom_fields::Assignment;
use kinbox_input::date::DayEdge;
use kinbox_input::deal::DealRefs;
use kinbox_input::lookup::{self, ContactKey};
use serde_json::{Map, Value, json};

use super::answer::{self, Answer, ToolError};
use super::call;

/// The toolset the people tools belong to.
pub const TOOLSET: &str = "deals";

/// One tool for people: its name, what it says, its input schema, whether
/// it only reads.
pub struct PeopleTool {
    pub name: &'static str,
    pub description: &'static str,
    pub input_schema: Value,
    pub idempotent: bool,
}

const ID: &str = "The deal's id (list_deals shows them)";
const DATE: &str = "When, e.g. 30/06/2025, 30/06/2025 18:00 or 2025-06-30 (the user's time zone, \
                    Brasília by default) [default: now]";

pub fn all() -> Vec<PeopleTool> {
    vec![
        PeopleTool {
            name: "create_deal_by_names",
            description: "Create a deal by names: pipeline, stage, tags and custom fields as the \
                          user sees them, the contact by phone or e-mail, money as R$ 1.890,50. \
                          Unknown names answer with the choices.",
            input_schema: with_contact(json!({
                "type": "object",
                "properties": {
                    "name": {"type": "string", "description": "The deal's name"},
                    "value": {"type": ["string", "number"], "description": "Its value, e.g. R$ 1.890,50, 1890,50 or 1890.5"},
                    "pipeline": {"type": "string", "description": "The pipeline (funil) by name, e.g. Vendas"},
                    "stage": {"type": "string", "description": "The stage (etapa) by name [default: the pipeline's first]"},
                    "tags": {"type": "array", "items": {"type": "string"}, "description": "Tags (etiquetas) by name"},
                    "custom_fields": {"type": "object", "additionalProperties": {"type": "string"}, "description": "Custom fields by placeholder, e.g. {\"cpf\": \"060.715.303-54\"}"},
                    "due_date": {"type": "string", "description": "When it is due, e.g. 30/06/2025"}
                },
                "required": ["name", "value", "pipeline"],
                "additionalProperties": false
            })),
            idempotent: false,
        },
        PeopleTool {
            name: "update_deal_by_names",
            description: "Change a deal by names: its name, value (R$ 1.890,50), stage and \
                          pipeline, contact (by phone or e-mail), tags (replacing them), custom \
                          fields (merged), due date. What is not given stays as it is.",
            input_schema: with_contact(json!({
                "type": "object",
                "properties": {
                    "id": {"type": "string", "description": ID},
                    "name": {"type": "string", "description": "The deal's new name"},
                    "value": {"type": ["string", "number"], "description": "Its value, e.g. R$ 1.890,50"},
                    "pipeline": {"type": "string", "description": "The pipeline by name (its first stage unless `stage`)"},
                    "stage": {"type": "string", "description": "The stage by name, in `pipeline` or the deal's"},
                    "tags": {"type": "array", "items": {"type": "string"}, "description": "Tags by name: the deal's tags become these"},
                    "custom_fields": {"type": "object", "additionalProperties": {"type": "string"}, "description": "Custom fields by placeholder; the others stay"},
                    "due_date": {"type": "string", "description": "When it is due, e.g. 30/06/2025"}
                },
                "required": ["id"],
                "additionalProperties": false
            })),
            idempotent: true,
        },
        PeopleTool {
            name: "move_deal",
            description: "Move a deal to a stage by name, in its pipeline or in another one.",
            input_schema: json!({
                "type": "object",
                "properties": {
                    "id": {"type": "string", "description": ID},
                    "stage": {"type": "string", "description": "The stage by name, e.g. Proposta"},
                    "pipeline": {"type": "string", "description": "The stage's pipeline by name [default: the deal's]"}
                },
                "required": ["id", "stage"],
                "additionalProperties": false
            }),
            idempotent: true,
        },
        PeopleTool {
            name: "win_deal",
            description: "Mark a deal as won (ganho), dated now or at `date`.",
            input_schema: json!({
                "type": "object",
                "properties": {
                    "id": {"type": "string", "description": ID},
                    "date": {"type": "string", "description": DATE}
                },
                "required": ["id"],
                "additionalProperties": false
            }),
            idempotent: true,
        },
        PeopleTool {
            name: "lose_deal",
            description: "Mark a deal as lost (perdido) with the reasons, from its pipeline's \
                          lost reasons.",
            input_schema: json!({
                "type": "object",
                "properties": {
                    "id": {"type": "string", "description": ID},
                    "reasons": {"type": "array", "items": {"type": "string"}, "minItems": 1, "description": "Why it was lost"},
                    "obs": {"type": "string", "description": "A note on why"},
                    "date": {"type": "string", "description": DATE}
                },
                "required": ["id", "reasons"],
                "additionalProperties": false
            }),
            idempotent: true,
        },
        PeopleTool {
            name: "reopen_deal",
            description: "Reopen a won or lost deal (status open, its close date and reasons \
                          cleared).",
            input_schema: json!({
                "type": "object",
                "properties": {"id": {"type": "string", "description": ID}},
                "required": ["id"],
                "additionalProperties": false
            }),
            idempotent: true,
        },
    ]
}

/// `schema` with the arguments that name a deal's contact, as the create
/// and the update take them (read by `contact_key` and `contact_id`).
fn with_contact(mut schema: Value) -> Value {
    let contact = json!({
        "contact_phone": {"type": "string", "description": "The contact, by phone, e.g. (85) 99728-1648"},
        "contact_email": {"type": "string", "description": "The contact, by e-mail"},
        "create_contact": {"type": "boolean", "description": "Create the contact when none has that phone or e-mail"},
        "contact_name": {"type": "string", "description": "The name of a contact created"}
    });
    if let (Some(properties), Value::Object(contact)) =
        (schema["properties"].as_object_mut(), contact)
    {
        properties.extend(contact);
    }
    schema
}

/// What every people tool answers: the deal as it is after the change.
pub fn output_schema() -> Option<&'static Map<String, Value>> {
    static SCHEMA: std::sync::OnceLock<Option<Map<String, Value>>> = std::sync::OnceLock::new();
    SCHEMA
        .get_or_init(|| super::tools::output_schema("update_deal", None))
        .as_ref()
}

/// The arguments of a people tool, read with messages that say what to do.
struct Arguments<'a> {
    tool: &'a PeopleTool,
    values: &'a Map<String, Value>,
}

impl<'a> Arguments<'a> {
    fn check(tool: &'a PeopleTool, values: &'a Map<String, Value>) -> Result<Self, ToolError> {
        call::check_size(values)?;
        let schema = &tool.input_schema;
        let properties = schema["properties"].as_object().expect("an object schema");
        let mut problems = Vec::new();
        for (name, value) in values {
            let Some(property) = properties.get(name) else {
                let known: Vec<&str> = properties.keys().map(String::as_str).collect();
                let close = kinbox_input::matching::did_you_mean(name, known.iter().copied());
                problems.push(format!(
                    "`{}` is not an argument: remove it {}; known: {}",
                    answer::escaped(&kinbox_api::server_text::shown(name)),
                    close.trim(),
                    known.join(", ")
                ));
                continue;
            };
            if too_long(value) {
                problems.push(format!(
                    "`{name}` is too long: each text is at most {MAX_TEXT} bytes (a name, a \
                     phone, an amount)"
                ));
                continue;
            }
            if !fits(property, value) {
                problems.push(format!(
                    "`{name}` must be {}",
                    match &property["type"] {
                        Value::String(t) => t.clone(),
                        other => other.to_string(),
                    }
                ));
            }
        }
        for name in schema["required"].as_array().into_iter().flatten() {
            let name = name.as_str().unwrap_or_default();
            if !values.contains_key(name) {
                problems.push(format!("`{name}` is missing: give it"));
            }
        }
        if let Some(Value::String(id)) = values.get("id")
            && let Err(why) = call::check_id(id)
        {
            problems.push(format!("`id`: {why}"));
        }
        if !problems.is_empty() {
            return Err(ToolError::refused(problems));
        }
        Ok(Self { tool, values })
    }

    fn text(&self, name: &str) -> Option<&'a str> {
        self.values.get(name).and_then(Value::as_str)
    }

    fn texts(&self, name: &str) -> Vec<String> {
        self.values
            .get(name)
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .map(str::to_owned)
            .collect()
    }
}

/// The longest text a people tool takes in one argument.
const MAX_TEXT: usize = 2048;

fn too_long(value: &Value) -> bool {
    match value {
        Value::String(text) => text.len() > MAX_TEXT,
        Value::Array(items) => items.iter().any(too_long),
        Value::Object(map) => map.iter().any(|(k, v)| k.len() > MAX_TEXT || too_long(v)),
        _ => false,
    }
}

/// Whether `value` has the JSON type `schema` says (the only check the
/// schemas above need beyond names).
/// [`Arguments::check`] alone: whether `values` would be taken.
#[cfg(test)]
pub fn check_arguments(tool: &PeopleTool, values: &Map<String, Value>) -> Result<(), ToolError> {
    Arguments::check(tool, values).map(drop)
}

fn fits(schema: &Value, value: &Value) -> bool {
    let types: Vec<&str> = match &schema["type"] {
        Value::String(t) => vec![t.as_str()],
        Value::Array(ts) => ts.iter().filter_map(Value::as_str).collect(),
        _ => return true,
    };
    types.iter().any(|t| match *t {
        "string" => value.is_string(),
        "number" => value.is_number(),
        "boolean" => value.is_boolean(),
        "array" => value
            .as_array()
            .is_some_and(|items| items.iter().all(|i| fits(&schema["items"], i))),
        "object" => value.as_object().is_some_and(|map| {
            map.values()
                .all(|v| fits(&schema["additionalProperties"], v))
        }),
        _ => false,
    })
}

fn input(error: InputError) -> ToolError {
    let message = answer::escaped(&error.to_string());
    match error {
        InputError::Lookup { .. } => ToolError::new(format!(
            "{message}\nWhat to do: try again later; nothing was changed"
        )),
        _ => ToolError::new(format!(
            "nothing was sent: {message}\nWhat to do: use one of the names listed, or read the \
             resource kinbox://pipelines (kinbox://tags, kinbox://custom-fields) for the names"
        )),
    }
}

/// Runs the people tool `tool` with `arguments`.
pub async fn run(
    client: &Client,
    tool: &PeopleTool,
    arguments: &Map<String, Value>,
) -> Result<Answer, ToolError> {
    let args = Arguments::check(tool, arguments)?;
    match tool.name {
        "create_deal_by_names" => create(client, &args).await,
        "move_deal" => move_deal(client, &args).await,
        "update_deal_by_names" => update_by_names(client, &args).await,
        "win_deal" => {
            let body = json!({
                "status": "won",
                "wonLostDate": closed_at(&args)?,
                "lostReason": [],
            });
            update(client, &args, body).await
        }
        "lose_deal" => {
            let id = args.text("id").unwrap_or_default();
            let deal = lookup::deal(client, id).await.map_err(input)?;
            let pipeline = lookup::pipeline_by_id(client, &deal.pipeline_id)
                .await
                .map_err(input)?;
            let reasons = lookup::lost_reasons(&pipeline, &args.texts("reasons")).map_err(input)?;
            let mut body = json!({
                "status": "lost",
                "wonLostDate": closed_at(&args)?,
                "lostReason": reasons,
            });
            if let Some(obs) = args.text("obs") {
                body["lostReasonObs"] = json!(obs);
            }
            update(client, &args, body).await
        }
        "reopen_deal" => {
            let body = json!({"status": "open", "wonLostDate": null, "lostReason": []});
            update(client, &args, body).await
        }
        other => Err(ToolError::new(format!("no tool is named {other}"))),
    }
}

fn closed_at(args: &Arguments<'_>) -> Result<String, ToolError> {
    let at: DateTime<Utc> = match args.text("date") {
        Some(text) => date(text, "date")?,
        None => Utc::now().trunc_subsecs(0),
    };
    Ok(at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
}

/// A date as people write it, in the run's time zone (`--tz`, `KINBOX_TZ`,
/// the profile's, else Brasília), as the CLI's date flags read it.
fn date(text: &str, name: &str) -> Result<DateTime<Utc>, ToolError> {
    let zone = crate::input::datetime::zone().map_err(|why| {
        ToolError::new(format!(
            "the time zone is not usable: {}\nWhat to do: fix --tz or KINBOX_TZ and restart",
            answer::escaped(&why)
        ))
    })?;
    kinbox_input::date::parse_in(text, DayEdge::Start, &zone)
        .map(|at| at.with_timezone(&Utc))
        .map_err(|why| {
            ToolError::refused(vec![format!(
                "`{name}`: {}; write it like 30/06/2025 or 30/06/2025 18:00",
                answer::escaped(&why)
            )])
        })
}

async fn create(client: &Client, args: &Arguments<'_>) -> Result<Answer, ToolError> {
    let value = amount(args)?.unwrap_or(f64::NAN);
    if !value.is_finite() {
        return Err(ToolError::refused(vec![
            "`value` must be a finite amount".into(),
        ]));
    }
    let due_date = args
        .text("due_date")
        .map(|t| date(t, "due_date"))
        .transpose()?;
    let Some(contact_key) = contact_key(args)? else {
        return Err(ToolError::refused(vec![
            "give the contact: `contact_phone` or `contact_email` (one of them)".into(),
        ]));
    };
    // Every name first; the contact (which may be created) last.
    let pipelines = lookup::pipelines(client).await.map_err(input)?;
    let pipeline =
        lookup::pipeline_named_in(&pipelines, args.text("pipeline").unwrap_or_default(), None)
            .map_err(input)?;
    let stage = match args.text("stage") {
        Some(name) => lookup::stage_named(pipeline, name, None).map_err(input)?,
        None => lookup::first_stage(pipeline).map_err(input)?,
    };
    let mut refs = DealRefs {
        pipeline_id: Some(pipeline.id.clone()),
        stage_id: Some(stage.id.clone()),
        ..Default::default()
    };
    let tags = args.texts("tags");
    if !tags.is_empty() {
        let all = lookup::tags(client).await.map_err(input)?;
        refs.tag_ids = Some(lookup::tag_ids_in(&all, &tags).map_err(input)?);
    }
    let assignments = assignments(args);
    let custom_fields = if assignments.is_empty() {
        kinbox_api::types::CustomFieldsInput::default()
    } else {
        let definitions = kinbox_input::custom_fields::deal_definitions(client)
            .await
            .map_err(input)?;
        kinbox_input::custom_fields::apply(&definitions, &assignments, Default::default())
            .map_err(input)?
    };
    refs.custom_fields = Some(custom_fields);
    let (contact_id, created) = contact_id(client, args, &contact_key).await?;
    refs.contact_id = Some(contact_id);
    let mut body = Map::new();
    body.insert("name".into(), json!(args.text("name").unwrap_or_default()));
    body.insert("value".into(), json!(value));
    body.insert("status".into(), json!("open"));
    if let Some(due) = due_date {
        body.insert(
            "dueDate".into(),
            json!(due.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)),
        );
    }
    body.extend(refs.to_fields());
    let problems = call::body_problems("create_deal", &body);
    if !problems.is_empty() {
        return Err(ToolError::refused(problems));
    }
    let answer = client
        .raw(
            reqwest::Method::POST,
            "/v1/deals",
            Some(&Value::Object(body)),
        )
        .await
        .map_err(|error| {
            call::api_error(
                error,
                args.tool.name,
                "POST",
                &call::how_to_check("/v1/deals", &[]),
            )
        })?;
    let note = if created {
        format!("The contact {contact_id} was created. ")
    } else {
        String::new()
    };
    Ok(answered(answer.body.as_ref()).after(&format!(
        "{note}Created in \"{}\" / \"{}\":\n",
        answer::escaped(&pipeline.name),
        answer::escaped(&stage.name),
    )))
}

/// The deal the API answered, or what it said without one.
fn answered(body: Option<&Value>) -> Answer {
    match body {
        Some(body) => answer::render(body, None),
        None => Answer::text("done: the API answered with no body"),
    }
}

/// The contact `contact_phone` or `contact_email` names (not both);
/// `None` when neither is given.
fn contact_key(args: &Arguments<'_>) -> Result<Option<ContactKey>, ToolError> {
    match (args.text("contact_phone"), args.text("contact_email")) {
        (Some(phone), None) => Ok(Some(ContactKey::phone(phone).map_err(input)?)),
        (None, Some(email)) => Ok(Some(ContactKey::email(email))),
        (None, None) => Ok(None),
        (Some(_), Some(_)) => Err(ToolError::refused(vec![
            "give `contact_phone` or `contact_email`, not both".into(),
        ])),
    }
}

/// The id of the contact with `key`, created (named `contact_name`) when
/// none has it and `create_contact: true`; `true` when created. Made last,
/// after every other name was found, so that a wrong name creates nothing.
async fn contact_id(
    client: &Client,
    args: &Arguments<'_>,
    key: &ContactKey,
) -> Result<(i64, bool), ToolError> {
    if args.values.get("create_contact") == Some(&Value::Bool(true)) {
        return lookup::contact_id_or_create(client, key, args.text("contact_name"))
            .await
            .map_err(input);
    }
    let id = lookup::contact_id(client, key).await.map_err(|e| match e {
        InputError::NotFound(_) => ToolError::new(format!(
            "nothing was sent: {}\nWhat to do: call again with create_contact: true (and \
             contact_name) to create the contact",
            answer::escaped(&e.to_string())
        )),
        e => input(e),
    })?;
    Ok((id, false))
}

/// `value`, read as people write amounts; `None` when not given.
fn amount(args: &Arguments<'_>) -> Result<Option<f64>, ToolError> {
    let value = match args.values.get("value") {
        None => return Ok(None),
        Some(Value::Number(number)) => number.as_f64().unwrap_or(f64::NAN),
        Some(Value::String(text)) => kinbox_input::number::read_number(text).map_err(|why| {
            ToolError::refused(vec![format!(
                "`value` \"{}\": {why}",
                answer::escaped(&kinbox_api::server_text::shown(text))
            )])
        })?,
        Some(_) => f64::NAN,
    };
    if !value.is_finite() {
        return Err(ToolError::refused(vec![
            "`value` must be a finite amount".into(),
        ]));
    }
    Ok(Some(value))
}

/// The custom fields given, as the CLI's `--custom-field` assignments.
fn assignments(args: &Arguments<'_>) -> Vec<Assignment> {
    args.values
        .get("custom_fields")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
        .map(|(placeholder, value)| Assignment {
            placeholder: placeholder.clone(),
            value: value.as_str().unwrap_or_default().to_owned(),
        })
        .collect()
}

async fn update_by_names(client: &Client, args: &Arguments<'_>) -> Result<Answer, ToolError> {
    let id = args.text("id").unwrap_or_default();
    let contact_key = contact_key(args)?;
    let mut body = Map::new();
    if let Some(name) = args.text("name") {
        body.insert("name".into(), json!(name));
    }
    if let Some(value) = amount(args)? {
        body.insert("value".into(), json!(value));
    }
    if let Some(due) = args.text("due_date") {
        let due = date(due, "due_date")?;
        body.insert(
            "dueDate".into(),
            json!(due.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)),
        );
    }
    let mut refs = DealRefs::default();
    let assignments = assignments(args);
    let needs_deal = (args.text("stage").is_some() && args.text("pipeline").is_none())
        || !assignments.is_empty();
    let deal = match needs_deal {
        true => Some(lookup::deal(client, id).await.map_err(input)?),
        false => None,
    };
    match (args.text("pipeline"), args.text("stage")) {
        (Some(pipeline), stage) => {
            let pipeline = lookup::pipeline_named(client, pipeline)
                .await
                .map_err(input)?;
            let stage = match stage {
                Some(name) => lookup::stage_named(&pipeline, name, None).map_err(input)?,
                None => lookup::first_stage(&pipeline).map_err(input)?,
            };
            refs.stage_id = Some(stage.id.clone());
            refs.pipeline_id = Some(pipeline.id.clone());
        }
        (None, Some(stage)) => {
            let current = deal
                .as_ref()
                .map(|d| d.pipeline_id.clone())
                .unwrap_or_default();
            let pipeline = lookup::pipeline_by_id(client, &current)
                .await
                .map_err(input)?;
            refs.stage_id = Some(
                lookup::stage_named(&pipeline, stage, None)
                    .map_err(input)?
                    .id
                    .clone(),
            );
        }
        (None, None) => {}
    }
    if args.values.contains_key("tags") {
        let all = lookup::tags(client).await.map_err(input)?;
        refs.tag_ids = Some(lookup::tag_ids_in(&all, &args.texts("tags")).map_err(input)?);
    }
    if let Some(deal) = &deal
        && !assignments.is_empty()
    {
        let definitions = kinbox_input::custom_fields::deal_definitions(client)
            .await
            .map_err(input)?;
        let base = kinbox_input::custom_fields::current(deal, &definitions);
        refs.custom_fields = Some(
            kinbox_input::custom_fields::apply(&definitions, &assignments, base).map_err(input)?,
        );
    }
    let mut created = None;
    if let Some(key) = contact_key {
        let (contact_id, made) = contact_id(client, args, &key).await?;
        refs.contact = Some(
            lookup::deal_contact(client, contact_id)
                .await
                .map_err(input)?,
        );
        created = made.then_some(contact_id);
    }
    body.extend(refs.to_fields());
    if body.is_empty() {
        return Err(ToolError::refused(vec![
            "nothing to change: give name, value, pipeline, stage, tags, custom_fields, due_date \
             or the contact (contact_phone or contact_email)"
                .into(),
        ]));
    }
    let answer = update(client, args, Value::Object(body)).await?;
    Ok(match created {
        Some(id) => answer.after(&format!("The contact {id} was created.\n")),
        None => answer,
    })
}

async fn move_deal(client: &Client, args: &Arguments<'_>) -> Result<Answer, ToolError> {
    let id = args.text("id").unwrap_or_default();
    let stage_name = args.text("stage").unwrap_or_default();
    let (pipeline, send_pipeline) = match args.text("pipeline") {
        Some(name) => (
            lookup::pipeline_named(client, name).await.map_err(input)?,
            true,
        ),
        None => {
            let deal = lookup::deal(client, id).await.map_err(input)?;
            (
                lookup::pipeline_by_id(client, &deal.pipeline_id)
                    .await
                    .map_err(input)?,
                false,
            )
        }
    };
    let stage = lookup::stage_named(&pipeline, stage_name, None).map_err(input)?;
    let mut body = json!({"stageId": stage.id});
    if send_pipeline {
        body["pipelineId"] = json!(pipeline.id);
    }
    update(client, args, body).await
}

/// `PATCH /v1/deals/{id}` with `body`, checked against the spec first.
async fn update(client: &Client, args: &Arguments<'_>, body: Value) -> Result<Answer, ToolError> {
    let id = args.text("id").unwrap_or_default();
    let fields = body.as_object().cloned().unwrap_or_default();
    let problems = call::body_problems("update_deal", &fields);
    if !problems.is_empty() {
        return Err(ToolError::refused(problems));
    }
    let path = format!("/v1/deals/{}", kinbox_api::encode_path(id));
    let answer = client
        .raw(reqwest::Method::PATCH, &path, Some(&body))
        .await
        .map_err(|error| {
            call::api_error(
                error,
                args.tool.name,
                "PATCH",
                &call::how_to_check("/v1/deals/{id}", &[("id".to_owned(), id.to_owned())]),
            )
        })?;
    Ok(answered(answer.body.as_ref()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_people_tool_takes_a_spec_operations_name() {
        let spec: Vec<String> = super::super::tools::spec_tools()
            .iter()
            .map(|t| t.name.clone())
            .collect();
        for tool in all() {
            assert!(!spec.contains(&tool.name.to_owned()), "{}", tool.name);
        }
    }

    #[test]
    fn arguments_are_checked_before_anything_is_sent() {
        let tools = all();
        let win = tools.iter().find(|t| t.name == "win_deal").unwrap();
        for (value, expected) in [
            (json!({}), "`id` is missing"),
            (json!({"id": "../x"}), "`id`:"),
            (json!({"id": 5}), "`id` must be string"),
            (
                json!({"id": "x", "when": "hoje"}),
                "`when` is not an argument",
            ),
        ] {
            let map = value.as_object().unwrap().clone();
            let error = Arguments::check(win, &map).err().unwrap();
            assert!(
                error.message.contains(expected),
                "{value}: {}",
                error.message
            );
        }
        let create = tools
            .iter()
            .find(|t| t.name == "create_deal_by_names")
            .unwrap();
        let map = json!({"name": "x", "value": "R$ 1", "pipeline": "p", "tags": ["a", 1]});
        let error = Arguments::check(create, map.as_object().unwrap())
            .err()
            .unwrap();
        assert!(
            error.message.contains("`tags` must be array"),
            "{}",
            error.message
        );
    }
}
