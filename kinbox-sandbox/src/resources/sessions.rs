//! Sessions (`/v1/sessions`, atendimentos): read-only in the API, so only
//! the seeded workspace has any. One is found by its id or its numeric
//! call id.

use super::{Action, Bound, Filter, IdKind, NO_CHANGE, Resource, Route, route_table};

pub(crate) static SESSIONS: Resource = Resource {
    name: "session",
    ids: IdKind::ObjectId,
    filters: &[
        Filter::Text {
            param: "campaign_id",
            pointer: "/campaignId",
        },
        Filter::IntegerId {
            param: "contact_id",
            pointer: "/contactId",
        },
        Filter::IntegerId {
            param: "call_id",
            pointer: "/callId",
        },
        Filter::Instant {
            param: "updated_at_from",
            pointer: "/updatedAt",
            bound: Bound::Since,
        },
        Filter::Instant {
            param: "updated_at_to",
            pointer: "/updatedAt",
            bound: Bound::Until,
        },
    ],
    unique: None,
    created_field: Some("createdAt"),
    alias: Some("call_id"),
    on_create: NO_CHANGE,
    on_update: NO_CHANGE,
};

pub(super) static ROUTES: [Route; 2] = route_table!(SESSIONS,
    "list_sessions" => Action::List,
    "get_session" => Action::Get,
);
