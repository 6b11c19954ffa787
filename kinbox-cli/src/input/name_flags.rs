//! The flags that name what the API takes by id: `--pipeline`, `--stage`,
//! `--contact-phone`, `--contact-email`; shared by `deals create`, `deals
//! list` and `deals update`, and named by `request_body.rs` when a field
//! they give is missing.

use clap::{Arg, ArgMatches, Command};
use kinbox_api::Client;

use crate::CliError;
use crate::resolve::ContactKey;

pub const PIPELINE: &str = "pipeline";
pub const STAGE: &str = "stage";
pub const CONTACT_PHONE: &str = "contact-phone";
pub const CONTACT_EMAIL: &str = "contact-email";

/// The flags that give body field `field` by name instead of by id, with
/// the value each takes: named in the message for a missing field.
pub fn name_flags(field: &str) -> &'static [(&'static str, &'static str)] {
    match field {
        "pipelineId" => &[(PIPELINE, "NAME")],
        "stageId" => &[(STAGE, "NAME")],
        "contactId" => &[(CONTACT_PHONE, "PHONE"), (CONTACT_EMAIL, "EMAIL")],
        _ => &[],
    }
}

/// Adds `--pipeline`, `--stage`, `--contact-phone` and `--contact-email` to
/// a deals command, each in conflict with the id flag it stands for; the
/// help says what each does in that command.
pub fn by_name(cmd: Command, pipeline: &str, stage: &str, contact: (&str, &str)) -> Command {
    cmd.mut_arg("pipeline-id", |arg| arg.conflicts_with(PIPELINE))
        .mut_arg("contact-id", |arg| {
            arg.conflicts_with_all([CONTACT_PHONE, CONTACT_EMAIL])
        })
        .arg(
            Arg::new(PIPELINE)
                .long(PIPELINE)
                .value_name("NAME")
                .help(pipeline.to_owned()),
        )
        .arg(
            Arg::new(STAGE)
                .long(STAGE)
                .value_name("NAME")
                .help(stage.to_owned()),
        )
        .args(contact_args(contact.0, contact.1))
}

/// `--contact-phone` and `--contact-email`, helped as `what` by phone, …
/// `instead`.
pub fn contact_args(what: &str, instead: &str) -> [Arg; 2] {
    [
        Arg::new(CONTACT_PHONE)
            .long(CONTACT_PHONE)
            .value_name("PHONE")
            .conflicts_with(CONTACT_EMAIL)
            .help(format!(
                "{what} by phone {instead}. {}",
                crate::input::phone::HELP
            )),
        Arg::new(CONTACT_EMAIL)
            .long(CONTACT_EMAIL)
            .value_name("EMAIL")
            .help(format!(
                "{what} by e-mail, in any case: Ana@Example.com finds ana@example.com {instead}"
            )),
    ]
}

/// The contact `--contact-phone` or `--contact-email` names, if either is
/// given (and defined for the command).
pub fn contact_key(matches: &ArgMatches) -> Result<Option<ContactKey>, CliError> {
    let given = |id: &str| matches.try_get_one::<String>(id).ok().flatten();
    Ok(match (given(CONTACT_PHONE), given(CONTACT_EMAIL)) {
        (Some(phone), _) => Some(ContactKey::phone(phone)?),
        (None, Some(email)) => Some(ContactKey::email(email)),
        (None, None) => None,
    })
}

pub const TAG: &str = "tag";
pub const CREATE_CONTACT: &str = "create-contact";
pub const CONTACT_NAME: &str = "contact-name";

/// `--tag NAME`, repeatable, helped as `help`: the body's `tagIds` by
/// name (laid over a `--json-body` file's).
pub fn tag_arg(help: &str) -> Arg {
    Arg::new(TAG)
        .long(TAG)
        .value_name("NAME")
        .action(clap::ArgAction::Append)
        .help(help.to_owned())
}

/// The ids of the tags `--tag` names, read from `GET /v1/tags` once; `None`
/// without `--tag`.
pub async fn tag_ids(client: &Client, matches: &ArgMatches) -> Result<Option<Vec<i64>>, CliError> {
    let names: Vec<String> = every(matches, TAG);
    if names.is_empty() {
        return Ok(None);
    }
    let tags = kinbox_input::lookup::tags(client).await?;
    Ok(Some(kinbox_input::lookup::tag_ids_in(&tags, &names)?))
}

/// `--create-contact` and `--contact-name`, as the import's
/// `--create-contacts`.
pub fn create_contact_args() -> [Arg; 2] {
    [
        Arg::new(CREATE_CONTACT)
            .long(CREATE_CONTACT)
            .action(clap::ArgAction::SetTrue)
            .help(
                "Create the contact when no contact has --contact-phone or --contact-email \
                 (as `deals import --create-contacts`); without it a missing contact is an \
                 error (exit 1) and nothing is created",
            ),
        Arg::new(CONTACT_NAME)
            .long(CONTACT_NAME)
            .value_name("NAME")
            .requires(CREATE_CONTACT)
            .help("The name of a contact --create-contact creates"),
    ]
}

/// The id of the contact `key` names, created when missing and
/// `--create-contact` is given (said on stderr).
pub async fn contact_id(
    client: &Client,
    matches: &ArgMatches,
    key: &ContactKey,
) -> Result<i64, CliError> {
    let create = matches
        .try_get_one::<bool>(CREATE_CONTACT)
        .is_ok_and(|flag| flag == Some(&true));
    if !create {
        return Ok(crate::resolve::contact_id(client, key).await?);
    }
    let name = matches
        .try_get_one::<String>(CONTACT_NAME)
        .ok()
        .flatten()
        .map(String::as_str);
    let (id, created) = kinbox_input::lookup::contact_id_or_create(client, key, name).await?;
    if created {
        eprintln!("Created contact {id}.");
    }
    Ok(id)
}

/// The flag of `leaf` that gives by name what a body's field `field`
/// (`tags`, `pipeline`) seems to mean, if `leaf` has one.
pub fn flag_for_field(field: &str, leaf: &Command) -> Option<&'static str> {
    let flag = match kinbox_input::matching::fold(field).trim_end_matches('s') {
        "tag" | "tagname" | "etiqueta" => TAG,
        "pipeline" | "funil" | "pipelinename" => PIPELINE,
        "stage" | "etapa" | "stagename" => STAGE,
        "phone" | "telefone" | "contactphone" => CONTACT_PHONE,
        "email" | "contactemail" => CONTACT_EMAIL,
        _ => return None,
    };
    leaf.get_arguments()
        .any(|arg| arg.get_id() == flag)
        .then_some(flag)
}

/// Every value of the repeatable flag `id`, none when the command has no
/// such flag.
pub fn every<T: Clone + Send + Sync + 'static>(matches: &ArgMatches, id: &str) -> Vec<T> {
    matches
        .try_get_many::<T>(id)
        .ok()
        .flatten()
        .into_iter()
        .flatten()
        .cloned()
        .collect()
}
