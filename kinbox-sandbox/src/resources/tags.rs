//! Tags (`/v1/tags`): numeric ids, names unique in the workspace.

use super::{Action, Filter, IdKind, Listing, NO_CHANGE, Resource, Route, route_table};

pub(crate) static TAGS: Resource = Resource {
    name: "tag",
    ids: IdKind::Integer { first: 1 },
    filters: &[Filter::Text {
        param: "name",
        pointer: "/name",
    }],
    unique: Some("name"),
    created_field: None,
    alias: None,
    on_create: NO_CHANGE,
    on_update: NO_CHANGE,
};

pub(super) static ROUTES: [Route; 5] = route_table!(TAGS,
    "list_tags" => Action::All(Listing::Array),
    "create_tag" => Action::Create,
    "get_tag" => Action::Get,
    "update_tag" => Action::Update,
    "delete_tag" => Action::Delete,
);
