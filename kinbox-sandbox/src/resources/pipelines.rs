//! Pipelines (`/v1/pipelines`) and their stages.

use serde_json::{Value, json};

use super::{Action, IdKind, Listing, Resource, Route, route_table};
use crate::store::Object;
use crate::workspace::Workspace;

pub(crate) static PIPELINES: Resource = Resource {
    name: "pipeline",
    ids: IdKind::ObjectId,
    filters: &[],
    unique: None,
    created_field: None,
    alias: None,
    on_create: complete_new_pipeline,
    on_update: clear_and_name_stages,
};

pub(super) static ROUTES: [Route; 5] = route_table!(PIPELINES,
    "list_pipelines" => Action::All(Listing::Array),
    "create_pipeline" => Action::Create,
    "get_pipeline" => Action::Get,
    "update_pipeline" => Action::Update,
    "delete_pipeline" => Action::Delete,
);

/// A `Pipeline` requires `position` and `rules`, which a create body may
/// leave out: a new pipeline goes last, with no rules.
fn complete_new_pipeline(pipeline: &mut Object, workspace: &Workspace) {
    if !pipeline.contains_key("position") {
        let count = workspace.read(&PIPELINES).len();
        pipeline.insert("position".to_owned(), json!(count));
    }
    pipeline.entry("rules").or_insert_with(|| json!([]));
    name_new_stages(pipeline, workspace);
}

/// `null` clears a list; `rules` is one a `Pipeline` always has, so
/// clearing it leaves it empty.
fn clear_and_name_stages(patch: &mut Object, workspace: &Workspace) {
    if let Some(rules @ Value::Null) = patch.get_mut("rules") {
        *rules = json!([]);
    }
    name_new_stages(patch, workspace);
}

/// A stage sent without `id` is new and gets one; stages sent replace the
/// pipeline's list.
fn name_new_stages(pipeline: &mut Object, workspace: &Workspace) {
    let Some(Value::Array(stages)) = pipeline.get_mut("stages") else {
        return;
    };
    for stage in stages.iter_mut().filter_map(Value::as_object_mut) {
        if !stage.contains_key("id") {
            stage.insert("id".to_owned(), Value::from(workspace.inner_id()));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn new_stages_get_ids_and_kept_ones_keep_theirs() {
        let workspace = Workspace::empty(0);
        let mut pipeline = json!({
            "name": "Vendas",
            "stages": [{"name": "Prospecção"}, {"id": "kept", "name": "Proposta"}],
        })
        .as_object()
        .cloned()
        .unwrap();
        (PIPELINES.on_create)(&mut pipeline, &workspace);
        let stages = pipeline["stages"].as_array().unwrap();
        assert_eq!(stages[0]["id"].as_str().unwrap().len(), 24);
        assert_eq!(stages[1]["id"], "kept");
        assert_eq!(pipeline["rules"], json!([]));
        assert_eq!(pipeline["position"], json!(0));
    }

    #[test]
    fn null_clears_rules_to_an_empty_list() {
        let workspace = Workspace::empty(0);
        let mut patch = json!({"rules": null, "lostReasons": null})
            .as_object()
            .cloned()
            .unwrap();
        (PIPELINES.on_update)(&mut patch, &workspace);
        assert_eq!(
            Value::Object(patch),
            json!({"rules": [], "lostReasons": null})
        );
    }
}
