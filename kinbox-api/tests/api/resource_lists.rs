//! The lists of the v1 resources: `.stream()` on every cursor-paginated list
//! (contacts, products, campaigns, sessions) follows `nextCursor` page after
//! page with the same filters on each, and stops at the last page; the lists
//! that are not paginated (pipelines, tags, custom fields) are read whole in
//! one request.

use crate::common::*;
use chrono::{DateTime, Utc};
use futures::stream::BoxStream;
use futures::{StreamExt, TryStreamExt};
use httpmock::Method::GET;
use kinbox_api::{Client, KinboxError};
use serde_json::{Value, json};

fn utc(text: &str) -> DateTime<Utc> {
    text.parse().expect("an RFC 3339 date-time")
}

type ItemStream = for<'a> fn(&'a Client) -> BoxStream<'a, Result<Value, KinboxError>>;

/// A cursor-paginated list, and a stream of it with every filter it has set.
struct CursorList {
    op: &'static str,
    path: &'static str,
    /// What the stream's builder sets, as each page request must carry it.
    filters: &'static [(&'static str, &'static str)],
    /// The item fixture, copied with each id.
    item: &'static str,
    /// Five item ids; a page's cursor is the id of its last item.
    ids: [Value; 5],
    stream: ItemStream,
    /// `.limit(0)`, which the SDK must refuse before sending anything.
    zero_limit: Call,
}

fn cursor_lists() -> [CursorList; 4] {
    [
        CursorList {
            op: "list_contacts",
            path: "/v1/contacts",
            filters: &[
                ("limit", "2"),
                ("phone", "5585997281648"),
                ("email", "maria.silva@example.com.br"),
                ("created_at_from", "2024-01-01T03:00:00Z"),
                ("created_at_to", "2024-01-31T23:59:59Z"),
            ],
            item: "contact_full.json",
            ids: [101, 102, 103, 104, 105].map(Value::from),
            stream: |c| {
                c.list_contacts()
                    .limit(2u32)
                    .phone("5585997281648")
                    .email("maria.silva@example.com.br")
                    .created_at_from(utc("2024-01-01T00:00:00-03:00"))
                    .created_at_to(utc("2024-01-31T23:59:59Z"))
                    .stream()
                    .map_ok(|item| serde_json::to_value(item).unwrap())
                    .boxed()
            },
            zero_limit: |c| read_as_json(c.list_contacts().limit(0u32).send()),
        },
        CursorList {
            op: "list_products",
            path: "/v1/products",
            filters: &[("limit", "2")],
            item: "product_full.json",
            ids: ["p1", "p2", "p3", "p4", "p5"].map(Value::from),
            stream: |c| {
                c.list_products()
                    .limit(2u32)
                    .stream()
                    .map_ok(|item| serde_json::to_value(item).unwrap())
                    .boxed()
            },
            zero_limit: |c| read_as_json(c.list_products().limit(0u32).send()),
        },
        CursorList {
            op: "list_campaigns",
            path: "/v1/campaigns",
            filters: &[("limit", "2")],
            item: "campaign_full.json",
            ids: ["c1", "c2", "c3", "c4", "c5"].map(Value::from),
            stream: |c| {
                c.list_campaigns()
                    .limit(2u32)
                    .stream()
                    .map_ok(|item| serde_json::to_value(item).unwrap())
                    .boxed()
            },
            zero_limit: |c| read_as_json(c.list_campaigns().limit(0u32).send()),
        },
        CursorList {
            op: "list_sessions",
            path: "/v1/sessions",
            filters: &[
                ("limit", "2"),
                ("campaign_id", "65f0c0ffee0000000000dd01"),
                ("contact_id", "123456"),
                ("call_id", "98765"),
                ("updated_at_from", "2024-03-18T03:00:00Z"),
                ("updated_at_to", "2024-03-18T23:59:59Z"),
            ],
            item: "session_full.json",
            ids: ["s1", "s2", "s3", "s4", "s5"].map(Value::from),
            stream: |c| {
                c.list_sessions()
                    .limit(2u32)
                    .campaign_id("65f0c0ffee0000000000dd01")
                    .contact_id(123456)
                    .call_id(98765)
                    .updated_at_from(utc("2024-03-18T00:00:00-03:00"))
                    .updated_at_to(utc("2024-03-18T23:59:59Z"))
                    .stream()
                    .map_ok(|item| serde_json::to_value(item).unwrap())
                    .boxed()
            },
            zero_limit: |c| read_as_json(c.list_sessions().limit(0u32).send()),
        },
    ]
}

/// A cursor as a query string carries it: `102`, not `"102"`.
fn cursor_of(id: &Value) -> String {
    match id {
        Value::String(text) => text.clone(),
        other => other.to_string(),
    }
}

#[tokio::test]
async fn every_cursor_list_streams_three_pages_with_its_filters_on_each() {
    for list in cursor_lists() {
        let op = list.op;
        let template = raw_fixture(list.item);
        let items: Vec<Value> = list
            .ids
            .iter()
            .map(|id| with_id(&template, id.clone()))
            .collect();
        let second = cursor_of(&list.ids[1]);
        let fourth = cursor_of(&list.ids[3]);
        // (cursor sent, items answered, next cursor answered)
        let pages = [
            (None, &items[0..2], Some(second.as_str())),
            (Some(second.as_str()), &items[2..4], Some(fourth.as_str())),
            (Some(fourth.as_str()), &items[4..5], None),
        ];

        let (server, client) = mock_api().await;
        let mut mocks = Vec::new();
        for (cursor, page_items, next) in pages {
            let recorder = Recorder::new();
            let page = list_page(op, page_items.to_vec(), next);
            let mock = server
                .mock_async(|when, then| {
                    let mut when = sent_by_sdk(when).method(GET).path(list.path);
                    for (name, value) in list.filters {
                        when = when.query_param(*name, *value);
                    }
                    match cursor {
                        Some(cursor) => when.query_param("cursor", cursor),
                        None => when.query_param_missing("cursor"),
                    };
                    then.respond_with(recorder.reply(200, Some(page)));
                })
                .await;
            mocks.push((mock, recorder, cursor));
        }

        let read: Vec<Value> = (list.stream)(&client)
            .try_collect()
            .await
            .unwrap_or_else(|e| panic!("{op}: {e}"));

        let read_ids: Vec<&Value> = read.iter().map(|item| &item["id"]).collect();
        assert_eq!(read_ids, list.ids.iter().collect::<Vec<_>>(), "{op}");
        for (mock, recorder, cursor) in mocks {
            mock.assert_calls_async(1).await;
            // Each filter exactly once, and the cursor only after the first page.
            let mut query = recorder.only_request().query_params();
            query.sort();
            let mut expected: Vec<(String, String)> = list
                .filters
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .chain(cursor.map(|c| ("cursor".to_owned(), c.to_owned())))
                .collect();
            expected.sort();
            assert_eq!(query, expected, "{op}, page after {cursor:?}");
            spec().check_query(op, &query).unwrap();
        }
    }
}

#[tokio::test]
async fn every_cursor_list_stream_ends_at_an_absent_next_cursor() {
    for list in cursor_lists() {
        let item = with_id(&raw_fixture(list.item), list.ids[0].clone());
        let last_page = json!({ "data": [item] });
        assert_valid_response(list.op, 200, &last_page);
        let (server, client) = mock_api().await;
        let mock = server
            .mock_async(|when, then| {
                when.method(GET).path(list.path);
                then.status(200)
                    .header("content-type", "application/json")
                    .json_body(last_page.clone());
            })
            .await;

        let read: Vec<Value> = (list.stream)(&client).try_collect().await.unwrap();

        assert_eq!(read.len(), 1, "{}", list.op);
        mock.assert_calls_async(1).await;
    }
}

#[tokio::test]
async fn every_cursor_list_stops_at_a_repeated_cursor() {
    for list in cursor_lists() {
        let template = raw_fixture(list.item);
        let first = cursor_of(&list.ids[0]);
        let (server, client) = mock_api().await;
        server
            .mock_async(|when, then| {
                when.method(GET)
                    .path(list.path)
                    .query_param_missing("cursor");
                then.status(200).json_body(list_page(
                    list.op,
                    vec![with_id(&template, list.ids[0].clone())],
                    Some(&first),
                ));
            })
            .await;
        // The next page points back at the same cursor.
        let stuck = server
            .mock_async(|when, then| {
                when.method(GET)
                    .path(list.path)
                    .query_param("cursor", &first);
                then.status(200).json_body(list_page(
                    list.op,
                    vec![with_id(&template, list.ids[1].clone())],
                    Some(&first),
                ));
            })
            .await;

        let results: Vec<Result<Value, KinboxError>> =
            (list.stream)(&client).take(10).collect().await;

        // Both pages' items (the looping page's are new), then the error
        // instead of following the cursor again.
        assert_eq!(results.len(), 3, "{}: {results:?}", list.op);
        for (result, id) in results.iter().zip(&list.ids[..2]) {
            assert_eq!(result.as_ref().unwrap()["id"], *id, "{}", list.op);
        }
        assert!(
            matches!(&results[2], Err(KinboxError::CursorDidNotAdvance { cursor }) if *cursor == first),
            "{}: {:?}",
            list.op,
            results[2]
        );
        stuck.assert_calls_async(1).await;
    }
}

#[tokio::test]
async fn every_cursor_list_refuses_a_zero_limit_without_sending() {
    for list in cursor_lists() {
        let (server, client) = mock_api().await;
        let mock = server
            .mock_async(|when, then| {
                when.any_request();
                then.status(500);
            })
            .await;

        let error = (list.zero_limit)(&client).await.unwrap_err();

        assert!(
            matches!(error, KinboxError::InvalidRequest(_)),
            "{}: {error:?}",
            list.op
        );
        assert!(error.to_string().contains("limit"), "{error}");
        mock.assert_calls_async(0).await;
    }
}

// --- Lists read whole -----------------------------------------------------------

/// Serves `answer` to one `GET path` and checks that the SDK asked once,
/// with no query at all.
async fn read_whole(path: &str, answer: Value, read: Call) -> Value {
    let (server, client) = mock_api().await;
    let recorder = Recorder::new();
    let mock = server
        .mock_async(|when, then| {
            sent_by_sdk(when).method(GET).path(path);
            then.respond_with(recorder.reply(200, Some(answer)));
        })
        .await;

    let read = read(&client).await.unwrap();

    mock.assert_calls_async(1).await;
    assert_eq!(recorder.only_request().query_params(), Vec::new(), "{path}");
    read
}

#[tokio::test]
async fn pipelines_are_read_whole_in_one_request() {
    let full = raw_fixture("pipeline_full.json");
    let answer = json!([
        full,
        with_id(&full, "65f0c0ffee0000000000aaab"),
        with_id(
            &only_required("Pipeline", &full),
            "65f0c0ffee0000000000aaac"
        ),
    ]);
    assert_valid_response("list_pipelines", 200, &answer);

    let read = read_whole("/v1/pipelines", answer.clone(), |c| {
        read_as_json(c.list_pipelines().send())
    })
    .await;

    assert_eq!(read, answer);
}

#[tokio::test]
async fn tags_are_read_whole_in_one_request() {
    let answer = json!([
        raw_fixture("tag_full.json"),
        { "id": 8, "name": "Inadimplente", "color": "#F44336" },
        { "id": "9", "name": "Indicação" },
    ]);
    assert_valid_response("list_tags", 200, &answer);

    let read = read_whole("/v1/tags", answer, |c| read_as_json(c.list_tags().send())).await;

    let names: Vec<&str> = read
        .as_array()
        .unwrap()
        .iter()
        .map(|tag| tag["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Cliente VIP", "Inadimplente", "Indicação"]);
    assert_eq!(read[2]["id"], json!(9), "a numeric string id is read");
}

#[tokio::test]
async fn custom_fields_are_read_whole_even_if_a_cursor_comes_along() {
    let select = raw_fixture("custom_field_full.json");
    let cpf = json!({
        "id": 15, "name": "CPF", "placeholder": "cpf", "entity": "contact",
        "type": "text", "isUniqueIdentifier": true
    });
    // The list is not paginated: a `nextCursor` is an unknown field, not a
    // page to follow.
    let answer = json!({ "data": [select, cpf], "nextCursor": "15" });
    assert_valid_response("list_custom_fields", 200, &answer);

    let read = read_whole("/v1/custom-fields", answer, |c| {
        read_as_json(c.list_custom_fields().send())
    })
    .await;

    assert_eq!(read, json!({ "data": [select, cpf] }));
}
