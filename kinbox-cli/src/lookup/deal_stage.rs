//! Where a deal goes: the stage and pipeline that `--stage`/`--stage-id` and
//! `--pipeline`/`--pipeline-id` name, as `deals move` and `deals update`
//! take them.

use clap::ArgMatches;
use kinbox_api::types;

use crate::CliError;
use crate::resolve;

/// The stage and pipeline ids `matches` give, by id or by name (`--stage`,
/// `--pipeline`): a stage named alone is looked for in the deal's current
/// pipeline (`deal`, when the caller has read it already, else read here).
/// Shared by `deals move` and `deals update`.
pub async fn stage_and_pipeline(
    client: &kinbox_api::Client,
    deal_id: &str,
    deal: Option<&types::Deal>,
    matches: &ArgMatches,
) -> Result<(Option<String>, Option<String>), CliError> {
    // The pipeline sent with the stage: only when one was given.
    let mut pipeline = None;
    let pipeline_id = match (
        matches.get_one::<String>("pipeline"),
        matches.get_one::<String>("pipeline-id"),
    ) {
        (Some(name), _) => {
            let found = resolve::pipeline_named(client, name).await?;
            let id = found.id.clone();
            pipeline = Some(found);
            Some(id)
        }
        (None, Some(id)) => Some(id.clone()),
        (None, None) => None,
    };
    let stage_id = match matches.get_one::<String>("stage") {
        Some(name) => {
            let pipeline = match (pipeline, &pipeline_id) {
                (Some(pipeline), _) => pipeline,
                (None, Some(id)) => resolve::pipeline_by_id(client, id).await?,
                (None, None) => match deal {
                    Some(deal) => resolve::pipeline_by_id(client, &deal.pipeline_id).await?,
                    None => {
                        let deal = resolve::deal(client, deal_id).await?;
                        resolve::pipeline_by_id(client, &deal.pipeline_id).await?
                    }
                },
            };
            Some(
                resolve::stage_named(&pipeline, name, Some("--stage-id"))?
                    .id
                    .clone(),
            )
        }
        None => matches.get_one::<String>("stage-id").cloned(),
    };
    Ok((stage_id, pipeline_id))
}
