//! Deals (`/v1/deals`).

use serde_json::{Value, json};

use super::{Action, Bound, Filter, IdKind, Resource, Route, route_table};
use crate::store::Object;
use crate::workspace::Workspace;

pub(crate) static DEALS: Resource = Resource {
    name: "deal",
    ids: IdKind::ObjectId,
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
    unique: None,
    created_field: None,
    alias: None,
    on_create: contact_from_contact_id,
    on_update: contact_from_contact,
};

pub(super) static ROUTES: [Route; 5] = route_table!(DEALS,
    "list_deals" => Action::List,
    "create_deal" => Action::Create,
    "get_deal" => Action::Get,
    "update_deal" => Action::Update,
    "delete_deal" => Action::Delete,
);

/// The fields of a contact that a deal's `contact` (the spec's `DealContact`) shows.
const CONTACT_FIELDS: [&str; 7] = [
    "id",
    "name",
    "avatar",
    "phone",
    "email",
    "createdAt",
    "isPrivate",
];

/// A create names the contact by id (`contactId`); a deal answers with the
/// contact object, read from the contacts when that contact exists (as it is
/// at the time of the write), else carrying the id alone, which is all the
/// spec's `DealContact` requires.
fn contact_from_contact_id(deal: &mut Object, workspace: &Workspace) {
    let Some(contact_id) = deal.remove("contactId") else {
        return;
    };
    let contact = workspace
        .object(&super::CONTACTS, &contact_id.to_string())
        .map(|contact| {
            CONTACT_FIELDS
                .iter()
                .filter_map(|field| Some((field.to_string(), contact.get(*field)?.clone())))
                .collect::<Object>()
        })
        .map_or_else(|| json!({ "id": contact_id }), Value::Object);
    deal.insert("contact".to_owned(), contact);
}

/// An update gives the whole contact (the reference's `DealContact`), which
/// the deal keeps as given.
fn contact_from_contact(patch: &mut Object, _: &Workspace) {
    if let Some(Value::Object(contact)) = patch.get_mut("contact") {
        contact.retain(|field, _| CONTACT_FIELDS.contains(&field.as_str()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn object(value: Value) -> Object {
        value.as_object().cloned().unwrap()
    }

    #[test]
    fn the_contact_id_becomes_the_contact() {
        let workspace = Workspace::empty(0);
        let mut created = object(json!({"name": "a", "contactId": 7}));
        (DEALS.on_create)(&mut created, &workspace);
        assert_eq!(created, object(json!({"name": "a", "contact": {"id": 7}})));

        // An update gives the whole contact, kept as given.
        let contact =
            json!({"id": 8, "name": "Ana", "avatar": "", "phone": "55", "email": "a@b.c"});
        let mut patch = object(json!({"contact": contact}));
        (DEALS.on_update)(&mut patch, &workspace);
        assert_eq!(patch, object(json!({"contact": contact})));

        let mut untouched = object(json!({"name": "b"}));
        (DEALS.on_update)(&mut untouched, &workspace);
        assert_eq!(untouched, object(json!({"name": "b"})));
    }

    #[test]
    fn a_known_contact_is_filled_in() {
        let workspace = Workspace::empty(0);
        let stored = workspace
            .write(&super::super::CONTACTS)
            .insert(object(json!({
                "name": "Ana", "phone": "5585997281648", "email": "ana@example.com",
                "customFields": {}, "notes": "not shown in a deal",
            })))
            .unwrap();
        let id = serde_json::from_str::<Value>(&stored).unwrap()["id"].clone();
        let mut created = object(json!({"contactId": id}));
        (DEALS.on_create)(&mut created, &workspace);
        let contact = &created["contact"];
        assert_eq!(contact["id"], id);
        assert_eq!(contact["name"], "Ana");
        assert_eq!(contact["phone"], "5585997281648");
        assert!(contact["createdAt"].is_string());
        assert!(contact.get("notes").is_none() && contact.get("customFields").is_none());
    }
}
