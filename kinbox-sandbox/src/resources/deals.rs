//! Deals (`/v1/deals`).

use serde_json::json;

use super::{Action, Bound, Filter, Resource, Route};
use crate::store::Object;

pub(super) static DEALS: Resource = Resource {
    name: "deal",
    filters: &[
        Filter::Text {
            param: "pipeline_id",
            pointer: "/pipelineId",
        },
        Filter::Text {
            param: "status",
            pointer: "/status",
        },
        Filter::IntegerId {
            param: "contact_id",
            pointer: "/contact/id",
        },
        Filter::Created {
            param: "created_at_from",
            bound: Bound::Since,
        },
        Filter::Created {
            param: "created_at_to",
            bound: Bound::Until,
        },
        Filter::Instant {
            param: "won_lost_date_from",
            pointer: "/wonLostDate",
            bound: Bound::Since,
        },
        Filter::Instant {
            param: "won_lost_date_to",
            pointer: "/wonLostDate",
            bound: Bound::Until,
        },
    ],
    on_create: contact_from_contact_id,
    on_update: contact_from_contact,
};

pub(super) static ROUTES: [Route; 5] = [
    Route {
        operation_id: "list_deals",
        resource: &DEALS,
        action: Action::List,
    },
    Route {
        operation_id: "create_deal",
        resource: &DEALS,
        action: Action::Create,
    },
    Route {
        operation_id: "get_deal",
        resource: &DEALS,
        action: Action::Get,
    },
    Route {
        operation_id: "update_deal",
        resource: &DEALS,
        action: Action::Update,
    },
    Route {
        operation_id: "delete_deal",
        resource: &DEALS,
        action: Action::Delete,
    },
];

/// Requests name the contact by id (`contactId` to create, `contact` to
/// update); a deal answers with the contact object. The sandbox keeps no
/// contacts yet, so the object carries the id alone, which is all the spec's
/// `DealContact` requires.
fn contact_from_contact_id(deal: &mut Object) {
    replace_contact(deal, "contactId");
}

fn contact_from_contact(patch: &mut Object) {
    replace_contact(patch, "contact");
}

fn replace_contact(deal: &mut Object, field: &str) {
    if let Some(contact_id) = deal.remove(field) {
        deal.insert("contact".to_owned(), json!({ "id": contact_id }));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;

    fn object(value: Value) -> Object {
        value.as_object().cloned().unwrap()
    }

    #[test]
    fn the_contact_id_becomes_the_contact() {
        let mut created = object(json!({"name": "a", "contactId": 7}));
        (DEALS.on_create)(&mut created);
        assert_eq!(created, object(json!({"name": "a", "contact": {"id": 7}})));

        let mut patch = object(json!({"contact": 8}));
        (DEALS.on_update)(&mut patch);
        assert_eq!(patch, object(json!({"contact": {"id": 8}})));

        let mut untouched = object(json!({"name": "b"}));
        (DEALS.on_update)(&mut untouched);
        assert_eq!(untouched, object(json!({"name": "b"})));
    }
}
