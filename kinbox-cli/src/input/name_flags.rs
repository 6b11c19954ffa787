//! The flags that name what the API takes by id: `--pipeline`, `--stage`,
//! `--contact-phone`, `--contact-email`; shared by `deals create`, `deals
//! list` and `deals update`, and named by `request_body.rs` when a field
//! they give is missing.

use clap::{Arg, ArgMatches, Command};

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
