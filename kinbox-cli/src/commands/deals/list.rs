//! `kinbox deals list` by name: `--pipeline "Vendas" --stage "Proposta"
//! --contact-phone "(85) 99728-1648"`. The pipeline and the contact become
//! the API's own filters; the API has no stage filter, so the stage is kept
//! from each page as it is printed.

use clap::{ArgMatches, Command};
use kinbox_api::Client;

use crate::CliError;
use crate::input::name_flags::{PIPELINE, STAGE, by_name, contact_key};
use crate::resolve;
use crate::resources::Prepared;

/// What the name filters resolved to.
#[derive(Clone, Debug, Default)]
struct Filters {
    pipeline_id: Option<String>,
    contact_id: Option<i64>,
    /// Kept by the printer: only deals in this stage.
    stage_id: Option<String>,
}

/// The filters given by name: the pipeline and the contact as the API's
/// query (`--pipeline-id`, `--contact-id`), the stage kept by the printer.
pub async fn prepare(client: &Client, matches: &ArgMatches) -> Result<Prepared, CliError> {
    let filters = resolve(client, matches).await?;
    let mut prepared = Prepared {
        keep: filters.stage_id.map(|id| ("stageId", id.into())),
        ..Prepared::default()
    };
    if let Some(id) = filters.pipeline_id {
        prepared.query.push(("pipeline-id", id.into()));
    }
    if let Some(id) = filters.contact_id {
        prepared.query.push(("contact-id", id.into()));
    }
    Ok(prepared)
}

/// Adds the name filters to the generated `deals list`.
pub fn adapt(cmd: Command) -> Command {
    by_name(
        cmd,
        "Only deals in the pipeline (funil) of this name, e.g. \"Vendas\"",
        "Only deals in the stage (etapa) of this name, in --pipeline's pipeline or in the only \
         pipeline that has such a stage. The API has no stage filter: pages are read whole and \
         the other deals left out, so a page may show fewer than --limit",
        ("Only deals of the contact", ""),
    )
}

/// Resolves the filters given by name; reads nothing without them.
async fn resolve(client: &Client, matches: &ArgMatches) -> Result<Filters, CliError> {
    let mut filters = Filters::default();
    let pipeline_name = matches.get_one::<String>(PIPELINE);
    let stage_name = matches.get_one::<String>(STAGE);
    if pipeline_name.is_some() || stage_name.is_some() {
        let pipelines = resolve::pipelines(client).await?;
        let pipeline_id = match pipeline_name {
            Some(name) => Some(
                resolve::pipeline_named_in(&pipelines, name, Some("--pipeline-id"))?
                    .id
                    .clone(),
            ),
            None => matches.get_one::<String>("pipeline-id").cloned(),
        };
        if let Some(stage_name) = stage_name {
            filters.stage_id = Some(resolve::stage_in_any(
                &pipelines,
                pipeline_id.as_deref(),
                stage_name,
            )?);
        }
        if pipeline_name.is_some() {
            filters.pipeline_id = pipeline_id;
        }
    }
    if let Some(key) = contact_key(matches)? {
        filters.contact_id = Some(resolve::contact_id(client, &key).await?);
    }
    Ok(filters)
}
