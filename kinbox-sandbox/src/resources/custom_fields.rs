//! Custom field definitions (`/v1/custom-fields`): read-only in the API,
//! so only the seeded workspace has any.

use super::{Action, IdKind, Listing, NO_CHANGE, Resource, Route, route_table};

pub(crate) static CUSTOM_FIELDS: Resource = Resource {
    name: "custom field",
    ids: IdKind::Integer { first: 1 },
    filters: &[],
    unique: None,
    created_field: None,
    alias: None,
    on_create: NO_CHANGE,
    on_update: NO_CHANGE,
};

pub(super) static ROUTES: [Route; 2] = route_table!(CUSTOM_FIELDS,
    "list_custom_fields" => Action::All(Listing::Data),
    "get_custom_field" => Action::Get,
);
