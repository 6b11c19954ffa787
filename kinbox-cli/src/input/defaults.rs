//! What the reference requires in a body and a person should not have to
//! type, filled in before the request is built: a pipeline's `rules` and
//! `position`, its stages' `id`, `color` and `requireds`, a tag's `privacy`,
//! a new deal's `status` (open) and the `customFields` ({}) of new deals,
//! contacts and products, and the whole contact object a deal update must
//! carry.
//!
//! Each value is filled only when the body leaves it out; what the flags or
//! `--json-body` give is sent as given.

use clap::ArgMatches;
use kinbox_api::{Client, types};
use serde_json::{Map, Value, json};

use crate::CliError;
use crate::input::request_body::Body;

/// The colour of a stage given without one.
pub const STAGE_COLOR: &str = "#cccccc";

/// Who sees a tag created without `privacy`: everyone.
pub fn tag_privacy() -> Value {
    json!({"type": "public"})
}

/// What a pipeline's body gets when left out, said under `pipelines
/// create` and `update`.
pub fn pipeline_help() -> String {
    format!(
        "Filled in when left out: a new stage (one without an id) gets a new id, 24 hex \
         digits as Kinbox's own ids look, colour {STAGE_COLOR} and requireds []; a stage \
         that keeps its id keeps its colour and requireds. A new pipeline gets rules [] \
         and the position after the last pipeline."
    )
}

/// What a tag's body gets when left out, said under `tags create`.
pub fn tag_help() -> String {
    format!(
        "privacy defaults to {} (everyone sees the tag); give another in --json-body, \
         e.g. {{\"privacy\": {{\"type\": \"team\", \"groupIds\": [\"7\"]}}}}.",
        tag_privacy()
    )
}

/// A new pipeline: after the last one, with rules [] and its stages whole.
pub async fn new_pipeline(client: &Client, body: &mut Body) -> Result<(), CliError> {
    if body.field("position").is_none() {
        let position = next_pipeline_position(client).await?;
        body.fields_mut()
            .insert("position".to_owned(), json!(position));
    }
    let fields = body.fields_mut();
    fields.entry("rules").or_insert_with(|| json!([]));
    complete_stages(fields, &[]);
    Ok(())
}

/// An updated pipeline's stages whole, the kept ones as they are.
pub async fn updated_pipeline(
    client: &Client,
    matches: &ArgMatches,
    body: &mut Body,
) -> Result<(), CliError> {
    if body.field("stages").is_none() {
        return Ok(());
    }
    let id = matches
        .get_one::<String>("id")
        .expect("the pipeline id is a required positional");
    let current = crate::resolve::pipeline_by_id(client, id).await?;
    complete_stages(body.fields_mut(), &current.stages);
    Ok(())
}

/// A field and the value it gets when left out.
pub type Default = (&'static str, fn() -> Value);

/// `body` with each `(name, value)` of `fields` it leaves out.
pub fn fill(body: &mut Body, fields: &[Default]) {
    for (name, value) in fields {
        body.fields_mut()
            .entry(name.to_owned())
            .or_insert_with(*value);
    }
}

/// After the last pipeline, or 0 in a workspace without any.
pub async fn next_pipeline_position(client: &Client) -> Result<f64, CliError> {
    let pipelines = crate::resolve::pipelines(client).await?;
    Ok(pipelines
        .iter()
        .map(|pipeline| pipeline.position)
        .fold(None, |last: Option<f64>, position| {
            Some(last.map_or(position, |last| last.max(position)))
        })
        .map_or(0.0, |last| (last + 1.0).floor()))
}

/// Each stage of `body` whole: a stage that keeps the id of one in `current`
/// keeps its colour and requireds; any other is new.
fn complete_stages(body: &mut Map<String, Value>, current: &[types::PipelineStage]) {
    let Some(Value::Array(stages)) = body.get_mut("stages") else {
        return;
    };
    for stage in stages.iter_mut().filter_map(Value::as_object_mut) {
        let existing = stage
            .get("id")
            .and_then(Value::as_str)
            .and_then(|id| current.iter().find(|s| s.id == id));
        let (color, requireds) = match existing {
            Some(existing) => (
                existing
                    .color
                    .clone()
                    .unwrap_or_else(|| STAGE_COLOR.to_owned()),
                existing.requireds.clone().unwrap_or_default(),
            ),
            None => (STAGE_COLOR.to_owned(), Vec::new()),
        };
        stage.entry("id").or_insert_with(|| json!(new_id()));
        stage.entry("color").or_insert_with(|| json!(color));
        stage
            .entry("requireds")
            .or_insert_with(|| Value::Array(requireds));
    }
}

/// A new id as Kinbox's look (a MongoDB ObjectId): the time in seconds, then
/// random bits, 24 hex digits in all.
pub fn new_id() -> String {
    use std::hash::{BuildHasher as _, Hasher as _};
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
    hasher.write_u128(now.as_nanos());
    format!("{:08x}{:016x}", now.as_secs() as u32, hasher.finish())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn new_stages_get_an_id_a_colour_and_requireds_and_kept_ones_keep_theirs() {
        let current: Vec<types::PipelineStage> = serde_json::from_value(json!([
            {"id": "kept", "name": "Proposta", "color": "#ff0000", "requireds": ["cpf"]}
        ]))
        .unwrap();
        let mut body = json!({"stages": [
            {"id": "kept", "name": "Proposta"},
            {"name": "Nova"},
            {"name": "Dada", "id": "given", "color": "#00ff00", "requireds": []},
        ]})
        .as_object()
        .cloned()
        .unwrap();

        complete_stages(&mut body, &current);

        let stages = body["stages"].as_array().unwrap();
        assert_eq!(
            stages[0],
            json!({"id": "kept", "name": "Proposta", "color": "#ff0000", "requireds": ["cpf"]})
        );
        let new = stages[1].as_object().unwrap();
        assert_eq!(new["id"].as_str().unwrap().len(), 24);
        assert!(
            new["id"]
                .as_str()
                .unwrap()
                .chars()
                .all(|c| c.is_ascii_hexdigit())
        );
        assert_eq!(
            (&new["color"], &new["requireds"]),
            (&json!(STAGE_COLOR), &json!([]))
        );
        assert_eq!(
            stages[2],
            json!({"name": "Dada", "id": "given", "color": "#00ff00", "requireds": []})
        );
    }

    #[test]
    fn new_ids_differ() {
        assert_ne!(new_id(), new_id());
    }
}
