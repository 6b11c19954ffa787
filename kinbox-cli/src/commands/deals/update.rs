//! `kinbox deals update` by name and merge: `--contact-id` (the whole
//! contact), `--stage`/`--pipeline` by name, `--custom-field` merged with the
//! deal's current fields. All are reads made before the write, the deal read
//! at most once, and the result is laid over the body built from the flags
//! and `--json-body` (`request_body.rs`).

use clap::{Arg, ArgMatches, Command};
use kinbox_api::Client;
use kinbox_input::deal::DealRefs;

use crate::CliError;
use crate::input::custom_fields::{self, Assignment};
use crate::input::name_flags;

/// `deals update --contact-id`: the contact, read whole before the update.
pub const CONTACT_ID: &str = "contact-id";

/// Adds the by-name flags to the generated `deals update`.
pub fn adapt(mut cmd: Command) -> Command {
    cmd = cmd
        .arg(
            Arg::new("pipeline")
                .long("pipeline")
                .value_name("NAME")
                .conflicts_with("pipeline-id")
                .help(
                    "The pipeline (funil) by its name, e.g. \"Vendas\" (instead of --pipeline-id)",
                ),
        )
        .arg(
            Arg::new("stage")
                .long("stage")
                .value_name("NAME")
                .conflicts_with("stage-id")
                .help(
                    "The stage (etapa) by its name, in --pipeline's or else the deal's \
                     pipeline (instead of --stage-id)",
                ),
        );
    cmd = cmd.arg(custom_fields::arg().long_help(
        "A custom field by its placeholder, e.g. cpf=060.715.303-54; repeat for several. \
         It is merged with the deal's current custom fields (the deal is read first), \
         so the others are kept: the API replaces the whole map. Checked against the \
         field's type as `deals create --custom-field` does.",
    ));
    cmd = cmd.arg(
        Arg::new(CONTACT_ID)
            .long(CONTACT_ID)
            .value_name("ID")
            .value_parser(clap::value_parser!(i64))
            .help("Give the deal to this contact, by its numeric id")
            .long_help(
                "Give the deal to this contact, by its numeric id. The update carries \
                 the whole contact, as the API requires, so the contact is read first \
                 (GET /v1/contacts/ID) and its name, avatar, phone and e-mail are sent.",
            )
            .conflicts_with_all([name_flags::CONTACT_PHONE, name_flags::CONTACT_EMAIL]),
    );
    cmd = cmd.arg(name_flags::tag_arg(
        "Set the deal's tags (etiquetas) by name, e.g. \"Lead quente\" (or id); repeat for \
         several. They replace the deal's tags, as the API does with tagIds",
    ));
    cmd = cmd.args(name_flags::contact_args(
        "Give the deal to the contact",
        "(instead of --contact-id; the contact is read whole, as for --contact-id)",
    ));
    cmd
}

/// `deals update`'s lookups, laid over its body.
pub async fn prepare(
    client: &Client,
    matches: &ArgMatches,
    body: Option<&mut crate::input::request_body::Body>,
) -> Result<crate::resources::Prepared, CliError> {
    if let (Some(body), Some(refs)) = (body, resolve(client, matches).await?) {
        body.overlay(refs.to_fields());
    }
    Ok(Default::default())
}

/// Makes the lookups `matches` ask for; `None` when they ask for none.
pub async fn resolve(client: &Client, matches: &ArgMatches) -> Result<Option<DealRefs>, CliError> {
    let given = |id: &str| matches.try_get_one::<String>(id).ok().flatten().is_some();
    let contact_id = match crate::input::name_flags::contact_key(matches)? {
        Some(key) => Some(crate::resolve::contact_id(client, &key).await?),
        None => matches
            .try_get_one::<i64>(CONTACT_ID)
            .ok()
            .flatten()
            .copied(),
    };
    let assignments: Vec<Assignment> = name_flags::every(matches, custom_fields::ARG);
    let by_name = given("stage") || given("pipeline");
    let tag_ids = name_flags::tag_ids(client, matches).await?;
    if contact_id.is_none() && !by_name && assignments.is_empty() && tag_ids.is_none() {
        return Ok(None);
    }
    let id = matches
        .get_one::<String>("id")
        .expect("ID is a required positional");
    let mut lookups = DealRefs {
        tag_ids,
        ..DealRefs::default()
    };
    if let Some(contact_id) = contact_id {
        lookups.contact = Some(kinbox_input::lookup::deal_contact(client, contact_id).await?);
    }
    // The deal is read once, for the merge, and then also serves a stage
    // named without its pipeline.
    let deal = match assignments.is_empty() {
        true => None,
        false => Some(crate::resolve::deal(client, id).await?),
    };
    if by_name {
        let (stage_id, pipeline_id) =
            crate::lookup::deal_stage::stage_and_pipeline(client, id, deal.as_ref(), matches)
                .await?;
        lookups.stage_id = stage_id;
        lookups.pipeline_id = pipeline_id;
    }
    if let Some(deal) = &deal {
        let definitions = custom_fields::deal_definitions(client).await?;
        // A date-time value is read in the run's zone, as the date flags are.
        let zone = crate::input::datetime::zone().map_err(CliError::usage)?;
        lookups.custom_fields = Some(custom_fields::apply_in(
            &definitions,
            &assignments,
            custom_fields::current(deal, &definitions),
            &zone,
        )?);
    }
    Ok(Some(lookups))
}
