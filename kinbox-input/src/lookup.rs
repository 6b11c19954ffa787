//! Turning what a person sees in Kinbox (a pipeline's or stage's name, a
//! contact's phone or e-mail, a lost reason) into what the API takes, with
//! GET requests made before any write.
//!
//! A name that matches nothing, or more than one thing, is a usage error
//! (exit 2) listing the choices; a failed lookup request is exit 1. Either
//! way the write is not sent.

use kinbox_api::{Client, KinboxError, types};

use crate::InputError;
use crate::matching::{Lookup, choose};

/// A failed lookup request: says which lookup, and that nothing was changed.
fn lookup_failed(what: &str) -> impl FnOnce(KinboxError) -> InputError + '_ {
    InputError::lookup(what)
}

pub async fn deal(client: &Client, id: &str) -> Result<types::Deal, InputError> {
    Ok(client
        .get_deal()
        .id(id)
        .send()
        .await
        .map_err(lookup_failed("reading the deal"))?
        .into_inner())
}

pub async fn pipeline_by_id(client: &Client, id: &str) -> Result<types::Pipeline, InputError> {
    Ok(client
        .get_pipeline()
        .id(id)
        .send()
        .await
        .map_err(lookup_failed("reading the pipeline"))?
        .into_inner())
}

/// The pipeline named `name`, from `GET /v1/pipelines`.
pub async fn pipelines(client: &Client) -> Result<Vec<types::Pipeline>, InputError> {
    Ok(client
        .list_pipelines()
        .send()
        .await
        .map_err(lookup_failed("listing the pipelines"))?
        .into_inner())
}

pub async fn pipeline_named(client: &Client, name: &str) -> Result<types::Pipeline, InputError> {
    let pipelines = pipelines(client).await?;
    pipeline_named_in(&pipelines, name, Some("--pipeline-id")).cloned()
}

/// The pipeline of `pipelines` named `name`, else (when no name matches)
/// whose id is `name`: a person may paste either. A wrong name's message
/// suggests `id_flag`, the flag that takes an id instead.
pub fn pipeline_named_in<'p>(
    pipelines: &'p [types::Pipeline],
    name: &str,
    id_flag: Option<&str>,
) -> Result<&'p types::Pipeline, InputError> {
    let lookup = Lookup {
        what: "pipeline",
        id_flag,
    };
    choose(
        &lookup,
        name,
        pipelines,
        |p| &p.name,
        |p| format!("\"{}\" (id {})", p.name, p.id),
    )
    .or_else(|error| pipelines.iter().find(|p| p.id == name).ok_or(error))
}

/// The id of the stage named `name`: in the pipeline `pipeline_id` when
/// given, else in the only pipeline that has a stage of that name.
pub fn stage_in_any(
    pipelines: &[types::Pipeline],
    pipeline_id: Option<&str>,
    name: &str,
) -> Result<String, InputError> {
    if let Some(id) = pipeline_id {
        let pipeline = pipelines.iter().find(|p| p.id == id).ok_or_else(|| {
            InputError::invalid(format!(
                "no pipeline has the id {id}; `kinbox pipelines list -o table` lists them"
            ))
        })?;
        return Ok(stage_named(pipeline, name, Some("--stage-id"))?.id.clone());
    }
    let found: Vec<(&types::Pipeline, &types::PipelineStage)> = pipelines
        .iter()
        .filter_map(|p| stage_named(p, name, None).ok().map(|stage| (p, stage)))
        .collect();
    match found.as_slice() {
        [(_, stage)] => Ok(stage.id.clone()),
        [] => {
            let all = pipelines
                .iter()
                .flat_map(|p| p.stages.iter().map(|s| s.name.as_str()));
            let close: Vec<String> = crate::matching::closest(name, all)
                .into_iter()
                .flat_map(|stage| {
                    pipelines
                        .iter()
                        .filter(move |p| p.stages.iter().any(|s| s.name == stage))
                        .map(move |p| format!("\"{stage}\" (in \"{}\")", p.name))
                })
                .collect();
            let hint = match close.is_empty() {
                true => "`kinbox pipelines list -o table` lists them".to_owned(),
                false => format!("did you mean {}?", close.join(" or ")),
            };
            Err(InputError::invalid(format!(
                "no pipeline has a stage named \"{name}\"; {hint}"
            )))
        }
        several => Err(InputError::invalid(format!(
            "\"{name}\" is a stage of several pipelines ({}): say which with --pipeline NAME",
            several
                .iter()
                .map(|(p, _)| format!("\"{}\"", p.name))
                .collect::<Vec<_>>()
                .join(", ")
        ))),
    }
}

/// The stage of `pipeline` named `name`, else (when no name matches) whose
/// id is `name`; a wrong name's message suggests `id_flag`.
pub fn stage_named<'p>(
    pipeline: &'p types::Pipeline,
    name: &str,
    id_flag: Option<&str>,
) -> Result<&'p types::PipelineStage, InputError> {
    let what = format!("stage of pipeline \"{}\"", pipeline.name);
    let lookup = Lookup {
        what: &what,
        id_flag,
    };
    choose(
        &lookup,
        name,
        &pipeline.stages,
        |s| &s.name,
        |s| format!("\"{}\" (id {})", s.name, s.id),
    )
    .or_else(|error| pipeline.stages.iter().find(|s| s.id == name).ok_or(error))
}

/// Where a deal of `pipeline` goes when no stage is named: its first
/// stage, as in Kinbox's app. The same rule for `deals create`, the import
/// and any other front end.
pub fn first_stage(pipeline: &types::Pipeline) -> Result<&types::PipelineStage, InputError> {
    pipeline.stages.first().ok_or_else(|| {
        InputError::invalid(format!(
            "pipeline \"{}\" has no stages: add one in Kinbox, then try again",
            pipeline.name
        ))
    })
}

/// Each of `reasons` as written in the lost reasons of `pipeline`. A
/// pipeline that lists none accepts any reason: there is nothing to check
/// against.
pub fn lost_reasons(
    pipeline: &types::Pipeline,
    reasons: &[String],
) -> Result<Vec<String>, InputError> {
    let allowed = pipeline.lost_reasons.as_deref().unwrap_or_default();
    if allowed.is_empty() {
        return Ok(reasons.to_vec());
    }
    let what = format!("lost reason of pipeline \"{}\"", pipeline.name);
    let lookup = Lookup {
        what: &what,
        id_flag: None,
    };
    reasons
        .iter()
        .map(|reason| choose(&lookup, reason, allowed, |r| r, |r| format!("\"{r}\"")).cloned())
        .collect()
}

/// How a contact is named on the command line.
#[derive(Clone, Debug)]
pub enum ContactKey {
    Phone(String),
    Email(String),
}

impl ContactKey {
    /// `--contact-phone`: written any usual way (`+55 (85) 99728-1648`,
    /// `(85) 99728-1648`, `85997281648`), looked up as Kinbox keeps phones:
    /// digits with the country code (see [`crate::phone::normalize`]).
    pub fn phone(text: &str) -> Result<Self, InputError> {
        crate::phone::normalize(text)
            .map(Self::Phone)
            .map_err(|reason| {
                InputError::invalid(format!(
                    "--contact-phone '{}' is not a phone number: {reason}",
                    kinbox_api::server_text::escape_controls(text)
                ))
            })
    }

    /// `--contact-email`: e-mails are compared ignoring case, so the filter
    /// is sent trimmed and in lower case.
    pub fn email(text: &str) -> Self {
        Self::Email(text.trim().to_lowercase())
    }

    fn describe(&self) -> String {
        match self {
            Self::Phone(phone) => format!("the phone {phone}"),
            Self::Email(email) => format!("the e-mail {email}"),
        }
    }

    fn create_hint(&self) -> String {
        match self {
            Self::Phone(phone) => format!("kinbox contacts create --phone {phone} --name NAME"),
            Self::Email(email) => format!("kinbox contacts create --email {email} --name NAME"),
        }
    }
}

/// The id of the one contact with `key`, from `GET /v1/contacts?phone=…`
/// (or `email=…`). None is [`InputError::NotFound`].
pub async fn contact_id(client: &Client, key: &ContactKey) -> Result<i64, InputError> {
    let request = client.list_contacts();
    let request = match key {
        ContactKey::Phone(phone) => request.phone(phone.clone()),
        ContactKey::Email(email) => request.email(email.clone()),
    };
    let page = request
        .send()
        .await
        .map_err(lookup_failed("looking up the contact"))?
        .into_inner();
    // A contact whose e-mail differs (in more than case) from the one asked
    // for is not it, whatever the filter matched; one without an e-mail in
    // the answer cannot be ruled out.
    let candidates: Vec<&types::Contact> = page
        .data
        .iter()
        .filter(|contact| match (key, contact.email.as_deref()) {
            (ContactKey::Email(email), Some(theirs)) => theirs.trim().to_lowercase() == *email,
            _ => true,
        })
        .collect();
    match candidates.as_slice() {
        [contact] => Ok(contact.id.get()),
        [] => Err(InputError::not_found(format!(
            "no contact has {}; create it with `{}` (or --create-contact), or give --contact-id",
            key.describe(),
            key.create_hint()
        ))),
        several => Err(InputError::invalid(format!(
            "{} contacts have {}: {}; give --contact-id",
            several.len(),
            key.describe(),
            several
                .iter()
                .map(|c| format!("{} \"{}\"", c.id, c.name.as_deref().unwrap_or("(no name)")))
                .collect::<Vec<_>>()
                .join(", ")
        ))),
    }
}

/// The id of the contact with `key`, created (with `name`, and the phone
/// or e-mail of `key`) when there is none; `true` when it was created.
///
/// A create whose answer is lost is not sent again: the error says the
/// contact may exist and how to check.
pub async fn contact_id_or_create(
    client: &Client,
    key: &ContactKey,
    name: Option<&str>,
) -> Result<(i64, bool), InputError> {
    match contact_id(client, key).await {
        Ok(id) => return Ok((id, false)),
        Err(InputError::NotFound(_)) => {}
        Err(error) => return Err(error),
    }
    let (phone, email) = match key {
        ContactKey::Phone(phone) => (Some(phone.clone()), None),
        ContactKey::Email(email) => (None, Some(email.clone())),
    };
    let body = types::ContactCreate::builder()
        .name(
            name.map(str::trim)
                .filter(|n| !n.is_empty())
                .map(str::to_owned),
        )
        .phone(phone)
        .email(email)
        .custom_fields(types::CustomFieldsInput::default());
    let created = client
        .create_contact()
        .body(body)
        .send()
        .await
        .map_err(lookup_failed("creating the contact"))?
        .into_inner();
    Ok((created.id.get(), true))
}

/// Contact `id` as a deal's update must carry it (the API takes the
/// contact whole, not its id): read from the contacts, with empty text
/// where it has none.
pub async fn deal_contact(client: &Client, id: i64) -> Result<types::DealContactInput, InputError> {
    let contact = client
        .get_contact()
        .id(id)
        .send()
        .await
        .map_err(|source| InputError::Lookup {
            what: format!("reading contact {id}"),
            source: Box::new(source),
        })?
        .into_inner();
    Ok(types::DealContactInput {
        id: contact.id.get(),
        name: contact.name.unwrap_or_default(),
        avatar: contact.avatar.unwrap_or_default(),
        phone: contact.phone.unwrap_or_default(),
        email: contact.email.unwrap_or_default(),
        created_at: contact.created_at.and_then(|at| at.known().copied()),
        is_private: contact.is_private,
    })
}

/// Enough pages of a list walked to find one item by name: 100 pages of
/// 100. Past them the search stops and says so, rather than read a huge
/// workspace whole.
pub const MAX_PAGES_SEARCHED: usize = 100;

/// The contact `text` names: a phone (`(85) 99728-1648`) or an e-mail is
/// looked up with the API's filter; anything else is a name, found by
/// walking the contacts (case and accents aside).
pub async fn contact(client: &Client, text: &str) -> Result<types::Contact, InputError> {
    let key = if text.contains('@') {
        Some(ContactKey::email(text))
    } else {
        crate::phone::normalize(text).ok().map(ContactKey::Phone)
    };
    if let Some(key) = key {
        let id = contact_id(client, &key).await?;
        return Ok(client
            .get_contact()
            .id(id)
            .send()
            .await
            .map_err(lookup_failed("reading the contact"))?
            .into_inner());
    }
    let contacts = walk(
        client.list_contacts().limit(100).stream(),
        "listing the contacts",
    )
    .await?;
    let named: Vec<&types::Contact> = contacts.iter().filter(|c| c.name.is_some()).collect();
    let lookup = Lookup {
        what: "contact",
        id_flag: None,
    };
    let found = choose(
        &lookup,
        text,
        &named,
        |c| c.name.as_deref().unwrap_or_default(),
        |c| {
            format!(
                "\"{}\" (id {})",
                c.name.as_deref().unwrap_or_default(),
                c.id
            )
        },
    )
    .map_err(|error| match error {
        InputError::Invalid(message) if message.starts_with("no contact") => {
            InputError::not_found(message)
        }
        error => error,
    })?;
    Ok((*found).clone())
}

/// Every item of a paginated list, up to [`MAX_PAGES_SEARCHED`] pages.
async fn walk<T>(
    items: futures::stream::BoxStream<'_, Result<T, KinboxError>>,
    what: &str,
) -> Result<Vec<T>, InputError> {
    use futures::{StreamExt, TryStreamExt};
    let cap = MAX_PAGES_SEARCHED * 100;
    let found: Vec<T> = items
        .take(cap + 1)
        .try_collect()
        .await
        .map_err(lookup_failed(what))?;
    if found.len() > cap {
        return Err(InputError::invalid(format!(
            "{what}: more than {cap} to search by name; give the id instead"
        )));
    }
    Ok(found)
}

/// The workspace's tags, from `GET /v1/tags`.
pub async fn tags(client: &Client) -> Result<Vec<types::Tag>, InputError> {
    Ok(client
        .list_tags()
        .send()
        .await
        .map_err(lookup_failed("listing the tags"))?
        .into_inner())
}

/// The tag of `tags` named `name`, else (when no name matches) whose id is
/// `name`.
pub fn tag_named_in<'t>(tags: &'t [types::Tag], name: &str) -> Result<&'t types::Tag, InputError> {
    let lookup = Lookup {
        what: "tag",
        id_flag: None,
    };
    choose(
        &lookup,
        name.trim(),
        tags,
        |t| &t.name,
        |t| format!("\"{}\" (id {})", t.name, t.id),
    )
    .or_else(|error| {
        tags.iter()
            .find(|t| t.id.to_string() == name.trim())
            .ok_or(error)
    })
}

/// The ids of the tags `names` name (each by name or id), in their order,
/// each once.
pub fn tag_ids_in(tags: &[types::Tag], names: &[String]) -> Result<Vec<i64>, InputError> {
    let mut ids = Vec::new();
    for name in names {
        let id = tag_named_in(tags, name)?.id.get();
        if !ids.contains(&id) {
            ids.push(id);
        }
    }
    Ok(ids)
}

/// The product `text` names: its id, else its name (case and accents
/// aside), else its external id.
pub async fn product(client: &Client, text: &str) -> Result<types::Product, InputError> {
    let products = walk(
        client.list_products().limit(100).stream(),
        "listing the products",
    )
    .await?;
    if let Some(product) = products.iter().find(|p| p.id == text) {
        return Ok(product.clone());
    }
    let lookup = Lookup {
        what: "product",
        id_flag: None,
    };
    choose(
        &lookup,
        text,
        &products,
        |p| &p.name,
        |p| format!("\"{}\" (id {})", p.name, p.id),
    )
    .or_else(|error| {
        products
            .iter()
            .find(|p| p.external_id.as_deref() == Some(text))
            .ok_or(match error {
                InputError::Invalid(message) if message.starts_with("no product") => {
                    InputError::not_found(message)
                }
                error => error,
            })
    })
    .cloned()
}
