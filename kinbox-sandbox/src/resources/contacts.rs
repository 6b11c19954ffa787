//! Contacts (`/v1/contacts`): numeric ids, no deletion.

use super::{Action, Bound, Filter, IdKind, NO_CHANGE, Resource, Route, route_table};

pub(crate) static CONTACTS: Resource = Resource {
    name: "contact",
    ids: IdKind::Integer { first: 1 },
    filters: &[
        Filter::Text {
            param: "phone",
            pointer: "/phone",
        },
        Filter::Text {
            param: "email",
            pointer: "/email",
        },
        Filter::Created {
            param: "created_at_from",
            bound: Bound::Since,
        },
        Filter::Created {
            param: "created_at_to",
            bound: Bound::Until,
        },
    ],
    unique: None,
    created_field: Some("createdAt"),
    alias: None,
    on_create: NO_CHANGE,
    on_update: NO_CHANGE,
};

pub(super) static ROUTES: [Route; 4] = route_table!(CONTACTS,
    "list_contacts" => Action::List,
    "create_contact" => Action::Create,
    "get_contact" => Action::Get,
    "update_contact" => Action::Update,
);
