//! Products (`/v1/products`), also found by the id they have in the
//! user's own system (`/v1/products/external/{externalId}`).

use serde_json::Value;

use super::{Action, Filter, IdKind, NO_CHANGE, Resource, Route, route_table};
use crate::store::Object;
use crate::workspace::Workspace;

pub(crate) static PRODUCTS: Resource = Resource {
    name: "product",
    ids: IdKind::ObjectId,
    filters: &[Filter::Text {
        param: "externalId",
        pointer: "/externalId",
    }],
    unique: None,
    created_field: None,
    alias: None,
    on_create: active_by_default,
    on_update: NO_CHANGE,
};

pub(super) static ROUTES: [Route; 6] = route_table!(PRODUCTS,
    "list_products" => Action::List,
    "create_product" => Action::Create,
    "get_product" => Action::Get,
    "update_product" => Action::Update,
    "delete_product" => Action::Delete,
    "get_product_by_external_id" => Action::GetBy("externalId"),
);

/// The spec's `ProductCreate.isActive` defaults to true.
fn active_by_default(product: &mut Object, _: &Workspace) {
    product.entry("isActive").or_insert(Value::Bool(true));
}
