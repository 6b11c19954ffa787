//! `kinbox deals create` by name: `--pipeline "Vendas" --stage "Proposta"
//! --contact-phone "(85) 99728-1648" --custom-field cpf=…`, resolved to ids with
//! GET requests before the deal is created.
//!
//! The generated command keeps its id flags; each conflicts with its name
//! form, and either one satisfies the requirement.

use clap::{ArgMatches, Command};
use kinbox_api::Client;
use kinbox_api::types::CustomFieldsInput;
use kinbox_input::deal::DealRefs;

use crate::CliError;
use crate::input::custom_fields::{self, Assignment};
use crate::input::name_flags::{self, PIPELINE, STAGE, by_name, contact_key};
use crate::input::request_body::Body;
use crate::resolve;
use serde_json::Value;

/// Adds the name flags to the generated `deals create`.
pub fn adapt(cmd: Command) -> Command {
    // A new deal is open unless said otherwise; the default is shown in
    // help, and filled in the body by `defaults.rs` when neither the flag
    // nor the file gives one.
    let cmd = cmd
        .mut_arg("status", |arg| arg.default_value("open"))
        .mut_arg("stage-id", |arg| arg.conflicts_with(STAGE));
    by_name(
        cmd,
        "The pipeline (funil) by its name, e.g. \"Vendas\" (instead of --pipeline-id)",
        "The stage (etapa) by its name within the pipeline, e.g. \"Proposta\" (instead of \
         --stage-id) [default: the pipeline's first stage]",
        ("The contact", "(instead of --contact-id)"),
    )
    .arg(custom_fields::arg())
    .arg(name_flags::tag_arg(
        "A tag (etiqueta) by its name, e.g. \"Lead quente\" (or its id); repeat for several",
    ))
    .args(name_flags::create_contact_args())
}

/// Resolves the name flags given, in the order: pipeline, stage, contact,
/// tags, custom fields. Nothing is resolved (and nothing requested) without
/// them; a contact is created (`--create-contact`) only once every other
/// name is known to be right.
pub async fn resolve(
    client: &Client,
    matches: &ArgMatches,
    body: &Body,
) -> Result<DealRefs, CliError> {
    let mut resolved = DealRefs::default();
    let mut pipeline = None;
    if let Some(name) = matches.get_one::<String>(PIPELINE) {
        let found = resolve::pipeline_named(client, name).await?;
        resolved.pipeline_id = Some(found.id.clone());
        pipeline = Some(found);
    }
    let stage = matches.get_one::<String>(STAGE);
    if let Some(name) = stage {
        let pipeline = match pipeline {
            Some(pipeline) => pipeline,
            None => resolve::pipeline_by_id(client, &pipeline_id_given(body)?).await?,
        };
        resolved.stage_id = Some(
            resolve::stage_named(&pipeline, name, Some("--stage-id"))?
                .id
                .clone(),
        );
    } else if body.field("stageId").is_none() {
        // No stage named: the pipeline's first, as the import does.
        let pipeline = match (pipeline, body.field("pipelineId").and_then(Value::as_str)) {
            (Some(pipeline), _) => Some(pipeline),
            (None, Some(id)) => Some(resolve::pipeline_by_id(client, id).await?),
            (None, None) => None,
        };
        if let Some(pipeline) = pipeline {
            resolved.stage_id = Some(resolve::first_stage(&pipeline)?.id.clone());
        }
    }
    resolved.tag_ids = name_flags::tag_ids(client, matches).await?;
    let assignments: Vec<Assignment> = name_flags::every(matches, custom_fields::ARG);
    if !assignments.is_empty() {
        let definitions = custom_fields::deal_definitions(client).await?;
        let base = body
            .field("customFields")
            .cloned()
            .map(serde_json::from_value::<CustomFieldsInput>)
            .transpose()
            .map_err(|e| crate::error::does_not_fit(&e))?
            .unwrap_or_default();
        // A date-time value is read in the run's zone, as the date flags are.
        let zone = crate::input::datetime::zone().map_err(CliError::usage)?;
        resolved.custom_fields = Some(custom_fields::apply_in(
            &definitions,
            &assignments,
            base,
            &zone,
        )?);
    }
    if let Some(key) = contact_key(matches)? {
        resolved.contact_id = Some(name_flags::contact_id(client, matches, &key).await?);
    }
    Ok(resolved)
}

/// `deals create`'s lookups, laid over its body.
pub async fn prepare(
    client: &Client,
    matches: &ArgMatches,
    body: Option<&mut Body>,
) -> Result<crate::resources::Prepared, CliError> {
    if let Some(body) = body {
        let refs = resolve(client, matches, body).await?;
        body.overlay(refs.to_fields());
    }
    Ok(Default::default())
}

/// `--stage NAME` without `--pipeline NAME`: the pipeline is the body's
/// `pipelineId`, from `--pipeline-id` or the `--json-body` file.
fn pipeline_id_given(body: &Body) -> Result<String, CliError> {
    body.field("pipelineId")
        .and_then(Value::as_str)
        .map(str::to_owned)
        .ok_or_else(|| {
            CliError::usage("--stage needs its pipeline: give --pipeline NAME or --pipeline-id ID")
        })
}
