//! What the CLI says and does of each resource and operation, in one table:
//! the resource's name and description, its table's columns, and each
//! operation's verb, examples, get-by-name, added flags, lookups before the
//! request and defaults, in a file per resource. Code elsewhere asks
//! [`operation`] and names no resource of its own.

use std::borrow::Cow;

use clap::{ArgMatches, Command};
use futures::future::BoxFuture;
use kinbox_api::Client;
use serde_json::Value;

use crate::CliError;
use crate::generated_cli::CliCommand;
use crate::input::request_body::Body;

pub mod campaigns;
pub mod contacts;
pub mod custom_fields;
pub mod deals;
pub mod pipelines;
pub mod products;
pub mod sessions;
pub mod tags;

/// A resource: `kinbox <name> …`.
pub struct Resource {
    pub name: &'static str,
    /// What it is about, in `kinbox --help`.
    pub about: &'static str,
    /// The columns of its tables.
    pub columns: &'static [Column],
}

/// An operation: `kinbox <resource> <verb>`.
pub struct Operation {
    pub resource: &'static Resource,
    pub verb: &'static str,
    /// Shown under the command's help.
    pub examples: Option<&'static str>,
    /// The columns of its answer; `None` when they are derived from the rows.
    pub columns: Option<&'static [Column]>,
    /// `get`: the object named by its name as well as its id.
    pub by_name: Option<&'static ByName>,
    /// The flags this tool adds to the generated command (names for ids).
    pub adapt: Option<fn(Command) -> Command>,
    /// The reads made before the request: what those flags name, found.
    pub prepare: Option<Prepare>,
    /// What the API requires in the body and a person leaves out.
    pub defaults: Option<&'static Defaults>,
}

/// [`Operation::prepare`]: looks up what `matches` names, lays what it found
/// over the body (when the operation has one), and says what else the
/// request and the printer need.
pub type Prepare = for<'a> fn(
    &'a Client,
    &'a ArgMatches,
    Option<&'a mut Body>,
) -> BoxFuture<'a, Result<Prepared, CliError>>;

/// What [`Prepare`] found besides the body's fields.
#[derive(Clone, Debug, Default)]
pub struct Prepared {
    /// Only the rows whose field has this value are printed (a filter the
    /// API does not have).
    pub keep: Option<(&'static str, Value)>,
    /// Ids found for the request's query flags (`pipeline-id`), set on every
    /// page's request by `app/hooks.rs`.
    pub query: Vec<(&'static str, Value)>,
}

/// [`Operation::defaults`]: what is filled, said under the command's help,
/// and the filling, done after the lookups and before the body is checked.
pub struct Defaults {
    pub help: Option<fn() -> String>,
    pub complete: Complete,
}

pub type Complete =
    for<'a> fn(&'a Client, &'a ArgMatches, &'a mut Body) -> BoxFuture<'a, Result<(), CliError>>;

/// `kinbox tags get "Lead quente"`: a `get` whose `ID` may be what a person
/// sees instead (a name, a phone, a placeholder).
pub struct ByName {
    /// The help of the positional `ID`.
    pub help: &'static str,
    /// The API's ids are numbers: `ID` is read as text, and [`ByName::find`]
    /// reads ids too (the generated command would take only a number).
    pub numeric_id: bool,
    /// The object `given` names, as `get` prints it; `None` when `given` is
    /// an id for the generated command to read.
    pub find: Find,
}

/// [`ByName::find`]: the object a text names, by the client given.
pub type Find = for<'a> fn(&'a Client, &'a str) -> BoxFuture<'a, Result<Option<Value>, CliError>>;

impl Operation {
    /// `kinbox <resource> <verb>`, with the resource's columns and no examples.
    pub const fn new(resource: &'static Resource, verb: &'static str) -> Self {
        Self {
            resource,
            verb,
            examples: None,
            columns: Some(resource.columns),
            by_name: None,
            adapt: None,
            prepare: None,
            defaults: None,
        }
    }

    pub const fn adapt(mut self, adapt: fn(Command) -> Command) -> Self {
        self.adapt = Some(adapt);
        self
    }

    pub const fn prepare(mut self, prepare: Prepare) -> Self {
        self.prepare = Some(prepare);
        self
    }

    pub const fn defaults(mut self, defaults: &'static Defaults) -> Self {
        self.defaults = Some(defaults);
        self
    }

    pub const fn by_name(mut self, by_name: &'static ByName) -> Self {
        self.by_name = Some(by_name);
        self
    }

    pub const fn examples(mut self, text: &'static str) -> Self {
        self.examples = Some(text);
        self
    }

    /// Columns derived from the rows, for an answer whose shape the API does
    /// not document.
    pub const fn derived_columns(mut self) -> Self {
        self.columns = None;
        self
    }
}

/// What the CLI says of `op`; a new operation does not compile until it is
/// given its place here (and its entry in its resource's file).
pub fn operation(op: CliCommand) -> &'static Operation {
    use CliCommand as C;
    match op {
        C::CreateDeal => &deals::CREATE,
        C::ListDeals => &deals::LIST,
        C::GetDeal => &deals::GET,
        C::UpdateDeal => &deals::UPDATE,
        C::DeleteDeal => &deals::DELETE,
        C::ListPipelines => &pipelines::LIST,
        C::CreatePipeline => &pipelines::CREATE,
        C::GetPipeline => &pipelines::GET,
        C::UpdatePipeline => &pipelines::UPDATE,
        C::DeletePipeline => &pipelines::DELETE,
        C::ListContacts => &contacts::LIST,
        C::CreateContact => &contacts::CREATE,
        C::GetContact => &contacts::GET,
        C::UpdateContact => &contacts::UPDATE,
        C::ListCustomFields => &custom_fields::LIST,
        C::GetCustomField => &custom_fields::GET,
        C::ListProducts => &products::LIST,
        C::CreateProduct => &products::CREATE,
        C::GetProduct => &products::GET,
        C::GetProductByExternalId => &products::GET_BY_EXTERNAL_ID,
        C::UpdateProduct => &products::UPDATE,
        C::DeleteProduct => &products::DELETE,
        C::ListTags => &tags::LIST,
        C::CreateTag => &tags::CREATE,
        C::GetTag => &tags::GET,
        C::UpdateTag => &tags::UPDATE,
        C::DeleteTag => &tags::DELETE,
        C::ListCampaigns => &campaigns::LIST,
        C::CreateCampaign => &campaigns::CREATE,
        C::GetCampaign => &campaigns::GET,
        C::UpdateCampaign => &campaigns::UPDATE,
        C::DeleteCampaign => &campaigns::DELETE,
        C::PauseCampaign => &campaigns::PAUSE,
        C::ResumeCampaign => &campaigns::RESUME,
        C::ListCampaignChunkLeads => &campaigns::CHUNK_LEADS,
        C::ListSessions => &sessions::LIST,
        C::GetSession => &sessions::GET,
    }
}

/// `customFields` sent as `{}` when left out: the API requires it.
static NO_CUSTOM_FIELDS: Defaults = Defaults {
    help: None,
    complete: |_, _, body| {
        crate::input::defaults::fill(body, &[("customFields", || serde_json::json!({}))]);
        Box::pin(async { Ok(()) })
    },
};

/// How a column's value is shown.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Text,
    /// `R$ 1.890,50`.
    Money,
    /// `30/06/2024 18:00`, in the local time zone.
    Date,
    /// A stage id, shown by the stage's name.
    Stage,
    /// A pipeline id, shown by the pipeline's name.
    Pipeline,
}

#[derive(Clone, Debug)]
pub struct Column {
    pub header: Cow<'static, str>,
    /// A field of the row; dotted for a nested one (`contact.name`).
    pub field: Cow<'static, str>,
    pub kind: Kind,
}

pub const fn column(header: &'static str, field: &'static str, kind: Kind) -> Column {
    Column {
        header: Cow::Borrowed(header),
        field: Cow::Borrowed(field),
        kind,
    }
}
