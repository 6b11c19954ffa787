//! Campaigns (`/v1/campaigns`): bulk sending that can be paused and resumed.

use serde_json::Value;

use super::{Action, IdKind, Resource, Route, route_table};
use crate::store::Object;
use crate::workspace::Workspace;

pub(crate) static CAMPAIGNS: Resource = Resource {
    name: "campaign",
    ids: IdKind::ObjectId,
    filters: &[],
    unique: None,
    created_field: None,
    alias: None,
    on_create: start_processing,
    on_update: keep_status,
};

pub(super) static ROUTES: [Route; 8] = route_table!(CAMPAIGNS,
    "list_campaigns" => Action::List,
    "create_campaign" => Action::Create,
    "get_campaign" => Action::Get,
    "update_campaign" => Action::Update,
    "delete_campaign" => Action::Delete,
    "pause_campaign" => Action::Set { field: "status", value: "paused" },
    "resume_campaign" => Action::Set { field: "status", value: "executing" },
    "list_campaign_chunk_leads" => Action::ChunkLeads,
);

/// The status is the server's: a new campaign starts by processing its
/// audience, and only pause/resume change it afterwards. Campaign bodies
/// take any field, so a `status` sent is dropped rather than stored.
fn start_processing(campaign: &mut Object, workspace: &Workspace) {
    keep_status(campaign, workspace);
    campaign.insert("status".to_owned(), Value::from("processing"));
}

fn keep_status(campaign: &mut Object, _: &Workspace) {
    campaign.remove("status");
}
