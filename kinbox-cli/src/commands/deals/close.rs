//! `kinbox deals win ID`, `kinbox deals lose ID --reason R [--obs TEXT]`:
//! close a deal, dated now unless `--date` says otherwise; and `kinbox deals
//! reopen ID`, which undoes either.

use chrono::{DateTime, SubsecRound as _, Utc};
use clap::{Arg, ArgAction, ArgMatches, Command};
use kinbox_api::types;

use crate::CliError;
use crate::commands::deals::workflow;
use crate::config::context::Context;
use crate::input::datetime::{self, DateTimeParser};
use crate::resolve;

fn date_arg() -> Arg {
    Arg::new("date")
        .long("date")
        .value_name(datetime::VALUE_NAME)
        .value_parser(DateTimeParser)
        .help(format!(
            "When the deal was closed (wonLostDate) [default: now], e.g. {}",
            datetime::EXAMPLE
        ))
}

pub fn win_command() -> Command {
    Command::new("win")
        .about("Mark a deal as won")
        .long_about(
            "Mark a deal as won: sets its status to `won`, its wonLostDate to now (or \
             --date), and clears lostReason, which a won deal does not have.\n\nA shortcut \
             for `kinbox deals update ID --status won --won-lost-date …` with lostReason [].",
        )
        .arg(workflow::id_arg())
        .arg(date_arg())
        .after_help("Examples:\n  kinbox deals win 65f0c0ffee0000000000dddd")
}

pub fn lose_command() -> Command {
    Command::new("lose")
        .about("Mark a deal as lost, with the reason")
        .long_about(
            "Mark a deal as lost: sets its status to `lost`, its wonLostDate to now (or \
             --date), its lostReason and, with --obs, its lostReasonObs.\n\nA shortcut for \
             `kinbox deals update ID --json-body …` with those fields.\n\nEach --reason is \
             checked against the lost reasons of the deal's pipeline (the deal and its \
             pipeline are read first with GET) and sent as the pipeline writes it; case and \
             accents are ignored unless a reason matches exactly. A reason that matches none \
             or several exits with status 2, lists the pipeline's reasons, and the deal is \
             not changed. A pipeline that lists no lost reasons takes any.",
        )
        .arg(workflow::id_arg())
        .arg(
            Arg::new("reason")
                .long("reason")
                .value_name("REASON")
                .required(true)
                .action(ArgAction::Append)
                .help("Why the deal was lost (lostReason); repeat for several reasons"),
        )
        .arg(
            Arg::new("obs")
                .long("obs")
                .value_name("TEXT")
                .help("A note on why the deal was lost (lostReasonObs)"),
        )
        .arg(date_arg())
        .after_help(
            "Examples:\n  \
             kinbox deals lose 65f0c0ffee0000000000dddd --reason \"Preço\"\n  \
             kinbox deals lose 65f0c0ffee0000000000dddd --reason \"Preço\" --reason \"Prazo\" \\\n    \
             --obs \"Fechou com o concorrente\"",
        )
}

fn closed_at(matches: &ArgMatches) -> DateTime<Utc> {
    matches
        .get_one::<DateTime<Utc>>("date")
        .copied()
        .unwrap_or_else(|| Utc::now().trunc_subsecs(0))
}

pub async fn run_win(context: &Context, matches: &ArgMatches) -> Result<(), CliError> {
    let body = types::DealUpdate::builder()
        .status(types::DealStatus::Won)
        .won_lost_date(closed_at(matches))
        .lost_reason(Vec::<String>::new());
    workflow::update(context, workflow::id(matches), body).await
}

pub fn reopen_command() -> Command {
    Command::new("reopen")
        .about("Reopen a won or lost deal")
        .long_about(
            "Reopen a won or lost deal: sets its status to `open` and clears wonLostDate \
             and lostReason (sent as null and []), so the deal reads as it did before it was \
             closed. Its stage, value and everything else stay as they are.",
        )
        .arg(workflow::id_arg())
        .after_help("Examples:\n  kinbox deals reopen 65f0c0ffee0000000000dddd")
}

/// `wonLostDate` is cleared (sent as `null`) through the typed body:
/// [`kinbox_api::Patch::Clear`].
pub async fn run_reopen(context: &Context, matches: &ArgMatches) -> Result<(), CliError> {
    let body = types::DealUpdate::builder()
        .status(types::DealStatus::Open)
        .won_lost_date(kinbox_api::Patch::Clear)
        .lost_reason(Vec::<String>::new());
    workflow::update(context, workflow::id(matches), body).await
}

pub async fn run_lose(context: &Context, matches: &ArgMatches) -> Result<(), CliError> {
    let given: Vec<String> = matches
        .get_many::<String>("reason")
        .into_iter()
        .flatten()
        .cloned()
        .collect();
    let client = context.client()?;
    let id = workflow::id(matches);
    let deal = resolve::deal(&client, id).await?;
    let pipeline = resolve::pipeline_by_id(&client, &deal.pipeline_id).await?;
    let reasons = resolve::lost_reasons(&pipeline, &given)?;
    let mut body = types::DealUpdate::builder()
        .status(types::DealStatus::Lost)
        .won_lost_date(closed_at(matches))
        .lost_reason(reasons);
    if let Some(obs) = matches.get_one::<String>("obs") {
        body = body.lost_reason_obs(obs.clone());
    }
    workflow::update_with(context, &client, id, body).await
}
