//! `kinbox deals move ID --stage NAME|--stage-id S [--pipeline NAME|--pipeline-id P]`.

use clap::{Arg, ArgGroup, ArgMatches, Command};
use kinbox_api::types;

use crate::CliError;
use crate::commands::deals::workflow;
use crate::config::context::Context;
use crate::lookup::deal_stage::stage_and_pipeline;

pub fn command() -> Command {
    Command::new("move")
        .about("Move a deal to another stage, and optionally another pipeline")
        .long_about(
            "Move a deal to another stage, and optionally another pipeline.\n\n\
             A shortcut for `kinbox deals update ID --stage-id S [--pipeline-id P]`: the \
             API has no endpoint of its own for moving a deal.\n\n\
             --stage NAME is looked up among the stages of --pipeline / --pipeline-id, or \
             else of the deal's current pipeline (read first with GET); case and accents \
             are ignored unless a name matches exactly. A name that matches nothing or \
             several stages exits with status 2, lists the stages, and the deal is not \
             changed.",
        )
        .arg(workflow::id_arg())
        .arg(
            Arg::new("stage")
                .long("stage")
                .value_name("NAME")
                .conflicts_with("stage-id")
                .help("The stage to move the deal to, by name, e.g. \"Fechamento\""),
        )
        .arg(
            Arg::new("stage-id")
                .long("stage-id")
                .value_name("STAGE_ID")
                .help("The stage to move the deal to, by id"),
        )
        .group(
            ArgGroup::new("target")
                .args(["stage", "stage-id"])
                .required(true),
        )
        .arg(
            Arg::new("pipeline")
                .long("pipeline")
                .value_name("NAME")
                .conflicts_with("pipeline-id")
                .help("The pipeline of that stage by name, when it is not the deal's current one"),
        )
        .arg(
            Arg::new("pipeline-id")
                .long("pipeline-id")
                .value_name("PIPELINE_ID")
                .help("The pipeline of that stage, when it is not the deal's current one"),
        )
        .after_help(
            "Examples:\n  \
             kinbox deals move 65f0c0ffee0000000000dddd --stage \"Fechamento\"\n  \
             kinbox deals move 65f0c0ffee0000000000dddd --pipeline \"Pós-venda\" --stage \"Onboarding\"\n  \
             kinbox deals move 65f0c0ffee0000000000dddd --stage-id S2 --pipeline-id P2",
        )
}

pub async fn run(context: &Context, matches: &ArgMatches) -> Result<(), CliError> {
    let client = context.client()?;
    let deal_id = workflow::id(matches);
    let (stage_id, pipeline_id) = stage_and_pipeline(&client, deal_id, None, matches).await?;
    let stage_id = stage_id.expect("--stage or --stage-id is required");
    let mut body = types::DealUpdate::builder().stage_id(stage_id);
    if let Some(pipeline_id) = pipeline_id {
        body = body.pipeline_id(pipeline_id);
    }
    workflow::update_with(context, &client, deal_id, body).await
}
