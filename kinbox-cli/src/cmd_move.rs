//! `kinbox deals move ID --stage-id S [--pipeline-id P]`.

use clap::{Arg, ArgMatches, Command};
use kinbox_api::types;

use crate::CliError;
use crate::context::Context;
use crate::workflow;

pub fn command() -> Command {
    Command::new("move")
        .about("Move a deal to another stage, and optionally another pipeline")
        .long_about(
            "Move a deal to another stage, and optionally another pipeline.\n\n\
             A shortcut for `kinbox deals update ID --stage-id S [--pipeline-id P]`: the \
             API has no endpoint of its own for moving a deal.",
        )
        .arg(workflow::id_arg())
        .arg(
            Arg::new("stage-id")
                .long("stage-id")
                .value_name("STAGE_ID")
                .required(true)
                .help("The stage to move the deal to"),
        )
        .arg(
            Arg::new("pipeline-id")
                .long("pipeline-id")
                .value_name("PIPELINE_ID")
                .help("The pipeline of that stage, when it is not the deal's current one"),
        )
        .after_help(
            "Examples:\n  \
             kinbox deals move 65f0c0ffee0000000000dddd --stage-id 65f0c0ffee0000000000cccc\n  \
             kinbox deals move 65f0c0ffee0000000000dddd --stage-id S2 --pipeline-id P2",
        )
}

pub async fn run(context: &Context, matches: &ArgMatches) -> Result<(), CliError> {
    let mut body = types::DealUpdate::builder().stage_id(
        matches
            .get_one::<String>("stage-id")
            .expect("--stage-id is required")
            .clone(),
    );
    if let Some(pipeline) = matches.get_one::<String>("pipeline-id") {
        body = body.pipeline_id(pipeline.clone());
    }
    workflow::update(context, workflow::id(matches), body).await
}
