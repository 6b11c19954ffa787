//! The description itself is valid OpenAPI 3.0.3, judged by the OpenAPI
//! Initiative's own JSON Schema for 3.0 documents
//! (https://spec.openapis.org/oas/3.0/schema/2021-09-28, Apache-2.0, copied
//! into tests/data) and the independent `jsonschema` crate.

use serde_json::Value;

fn oas_30_validator() -> jsonschema::Validator {
    let schema: Value = serde_json::from_str(include_str!("data/openapi-3.0-schema.json"))
        .expect("the OAS 3.0 schema is JSON");
    jsonschema::options()
        .with_draft(jsonschema::Draft::Draft4)
        .build(&schema)
        .expect("the OAS 3.0 schema compiles")
}

#[test]
fn kinbox_yaml_is_valid_openapi_3_0_3() {
    let document = kinbox_spec::spec().document();
    assert_eq!(
        document["openapi"], "3.0.3",
        "progenitor needs OpenAPI 3.0.x; keep 3.0.3"
    );
    let validator = oas_30_validator();
    let errors: Vec<String> = validator
        .iter_errors(document)
        .map(|e| format!("{}: {e}", e.instance_path))
        .collect();
    assert!(
        errors.is_empty(),
        "openapi/kinbox.yaml is not valid OpenAPI 3.0:\n{}",
        errors.join("\n")
    );
}

#[test]
fn the_validator_rejects_a_broken_description() {
    // Guards the test above against passing vacuously.
    let mut broken = kinbox_spec::spec().document().clone();
    broken["paths"]["/v1/deals"]["get"]["responses"] = serde_json::json!({"200": {"content": {}}});
    broken["info"] = serde_json::json!({"title": 1});
    let validator = oas_30_validator();
    assert!(!validator.is_valid(&broken));
}

#[test]
fn every_ref_resolves() {
    fn refs<'a>(value: &'a Value, out: &mut Vec<&'a str>) {
        match value {
            Value::Object(map) => {
                if let Some(Value::String(r)) = map.get("$ref") {
                    out.push(r);
                }
                map.values().for_each(|v| refs(v, out));
            }
            Value::Array(items) => items.iter().for_each(|v| refs(v, out)),
            _ => {}
        }
    }
    let document = kinbox_spec::spec().document();
    let mut found = Vec::new();
    refs(document, &mut found);
    assert!(!found.is_empty());
    for r in found {
        let pointer = r
            .strip_prefix('#')
            .unwrap_or_else(|| panic!("{r} is not a local reference"));
        assert!(document.pointer(pointer).is_some(), "{r} does not resolve");
    }
}

#[test]
fn the_deal_operations_are_all_there() {
    let spec = kinbox_spec::spec();
    let ops: Vec<(&str, &str, &str, u16)> = spec
        .operations()
        .iter()
        .map(|op| {
            (
                op.id.as_str(),
                op.method.as_str(),
                op.path.as_str(),
                op.success_status,
            )
        })
        .collect();
    for expected in [
        ("list_deals", "GET", "/v1/deals", 200),
        ("create_deal", "POST", "/v1/deals", 201),
        ("get_deal", "GET", "/v1/deals/{id}", 200),
        ("update_deal", "PATCH", "/v1/deals/{id}", 200),
        ("delete_deal", "DELETE", "/v1/deals/{id}", 200),
    ] {
        assert!(ops.contains(&expected), "missing {expected:?} in {ops:?}");
    }
}

#[test]
fn list_query_is_checked_against_declared_parameters() {
    let spec = kinbox_spec::spec();
    let q = |pairs: &[(&str, &str)]| -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    };
    assert_eq!(
        spec.check_query(
            "list_deals",
            &q(&[
                ("limit", "100"),
                ("status", "won"),
                ("created_at_from", "2023-11-07T05:31:56Z")
            ])
        ),
        Ok(())
    );
    let violations = spec
        .check_query(
            "list_deals",
            &q(&[
                ("limit", "0"),
                ("status", "closed"),
                ("created_at_to", "yesterday"),
                ("page", "2"),
            ]),
        )
        .unwrap_err();
    let paths: Vec<&str> = violations.iter().map(|v| v.path.as_str()).collect();
    for expected in [
        "query.limit",
        "query.status",
        "query.created_at_to",
        "query.page",
    ] {
        assert!(
            paths.contains(&expected),
            "{expected} not reported in {violations:?}"
        );
    }
}

#[test]
fn integer_formats_are_bounded_in_bodies_and_queries() {
    let spec = kinbox_spec::spec();
    let too_big: Value = serde_json::from_str("9223372036854775808").unwrap();
    let mut deal = serde_json::json!({
        "name": "n", "value": 1, "status": "open", "pipelineId": "p",
        "stageId": "s", "customFields": {}, "contactId": i64::MAX,
    });
    let create = spec.request_body("create_deal").unwrap();
    assert_eq!(create.check(&deal), Ok(()));
    deal["contactId"] = too_big.clone();
    deal["tasks"] = serde_json::json!({"t": {"big": too_big}});
    let paths: Vec<String> = create
        .check(&deal)
        .unwrap_err()
        .into_iter()
        .map(|v| v.path)
        .collect();
    assert_eq!(paths, ["$.contactId"], "free-form values keep any number");

    let q = |name: &str, value: &str| vec![(name.to_owned(), value.to_owned())];
    assert!(
        spec.check_query("list_deals", &q("contact_id", "9223372036854775807"))
            .is_ok()
    );
    assert!(
        spec.check_query("list_deals", &q("contact_id", "9223372036854775808"))
            .is_err()
    );
    // `limit` is int32 with its own bounds, which win.
    assert!(spec.check_query("list_deals", &q("limit", "101")).is_err());
}

#[test]
fn query_checks_are_compiled_once_per_operation() {
    let spec = kinbox_spec::spec();
    let first = spec.query_check("list_contacts").unwrap();
    let again = spec.query_check("list_contacts").unwrap();
    assert!(
        std::ptr::eq(first, again),
        "the same checker, not a new one"
    );
    assert_eq!(
        first.names().collect::<Vec<_>>(),
        [
            "created_at_from",
            "created_at_to",
            "cursor",
            "email",
            "limit",
            "phone"
        ]
    );
    assert!(spec.query_check("no_such_operation").is_none());
    let unknown = spec.check_query("no_such_operation", &[]).unwrap_err();
    assert_eq!(unknown[0].path, "$");
}

#[test]
fn path_parameters_are_judged_by_their_schema() {
    let spec = kinbox_spec::spec();
    let id = |text: &str| vec![("id".to_owned(), text.to_owned())];
    let contact = spec.path_check("get_contact").unwrap();
    assert_eq!(contact.check(&id("1001")), Ok(()));
    let violations = contact.check(&id("abc")).unwrap_err();
    assert_eq!(violations[0].path, "path.id");
    assert!(contact.check(&id("9223372036854775808")).is_err());
    assert!(
        contact.check(&[]).unwrap_err()[0]
            .message
            .contains("missing")
    );
    let deal = spec.path_check("get_deal").unwrap();
    assert_eq!(deal.check(&id("abc")), Ok(()));
}
