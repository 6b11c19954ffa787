//! `list_deals().stream()`: every deal, page after page, following
//! `nextCursor` exactly as the spec describes, and never looping.

use crate::common::*;
use futures::{StreamExt, TryStreamExt};
use httpmock::Method::GET;
use httpmock::{Mock, MockServer};
use kinbox_api::types::DealStatus;
use kinbox_api::{ErrorKind, KinboxError};
use serde_json::{Value, json};

fn deals(ids: &[&str]) -> Vec<Value> {
    let template = raw_fixture("deal_minimal.json");
    ids.iter().map(|id| deal_with_id(&template, id)).collect()
}

/// A page served for the request with `cursor` (`None`: the first request,
/// which must not send one), with the filters every page request repeats.
async fn page<'a>(
    server: &'a MockServer,
    cursor: Option<&str>,
    body: Value,
) -> (Mock<'a>, Recorder) {
    let recorder = Recorder::new();
    let mock = server
        .mock_async(|when, then| {
            let when = sent_by_sdk(when)
                .method(GET)
                .path("/v1/deals")
                .query_param("limit", "2")
                .query_param("status", "open");
            match cursor {
                Some(cursor) => when.query_param("cursor", cursor),
                None => when.query_param_missing("cursor"),
            };
            then.respond_with(recorder.reply(200, Some(body)));
        })
        .await;
    (mock, recorder)
}

fn ids(deals: &[kinbox_api::types::Deal]) -> Vec<&str> {
    deals.iter().map(|deal| deal.id.as_str()).collect()
}

#[tokio::test]
async fn the_stream_follows_next_cursor_across_pages_in_order() {
    let (server, client) = mock_api().await;
    let (first, first_request) =
        page(&server, None, deal_page(deals(&["d1", "d2"]), Some("d2"))).await;
    let (second, _) = page(
        &server,
        Some("d2"),
        deal_page(deals(&["d3", "d4"]), Some("d4")),
    )
    .await;
    let (third, _) = page(&server, Some("d4"), deal_page(deals(&["d5"]), None)).await;

    let all: Vec<_> = client
        .list_deals()
        .limit(2u32)
        .status(DealStatus::Open)
        .stream()
        .try_collect()
        .await
        .unwrap();

    assert_eq!(ids(&all), ["d1", "d2", "d3", "d4", "d5"]);
    first.assert_calls_async(1).await;
    second.assert_calls_async(1).await;
    third.assert_calls_async(1).await;
    spec()
        .check_query("list_deals", &first_request.only_request().query_params())
        .unwrap();
}

/// The reference types `nextCursor` loosely: a number is read too, and sent
/// back as the next `cursor` as the digits it came as.
#[tokio::test]
async fn a_numeric_next_cursor_is_followed_as_it_came() {
    let (server, client) = mock_api().await;
    let first_page = json!({ "data": deals(&["d1", "d2"]), "nextCursor": 1042 });
    assert_valid_response("list_deals", 200, &first_page);
    let (first, _) = page(&server, None, first_page).await;
    let (second, _) = page(&server, Some("1042"), deal_page(deals(&["d3"]), None)).await;

    let all: Vec<_> = client
        .list_deals()
        .limit(2u32)
        .status(DealStatus::Open)
        .stream()
        .try_collect()
        .await
        .unwrap();

    assert_eq!(ids(&all), ["d1", "d2", "d3"]);
    first.assert_calls_async(1).await;
    second.assert_calls_async(1).await;
}

#[tokio::test]
async fn an_absent_next_cursor_ends_the_stream() {
    let (server, client) = mock_api().await;
    let last_page = json!({ "data": deals(&["d1"]) });
    assert_valid_response("list_deals", 200, &last_page);
    let (only, _) = page(&server, None, last_page).await;

    let all: Vec<_> = client
        .list_deals()
        .limit(2u32)
        .status(DealStatus::Open)
        .stream()
        .try_collect()
        .await
        .unwrap();

    assert_eq!(ids(&all), ["d1"]);
    only.assert_calls_async(1).await;
}

#[tokio::test]
async fn an_empty_first_page_is_an_empty_stream() {
    let (server, client) = mock_api().await;
    let (only, _) = page(&server, None, deal_page(vec![], None)).await;

    let all: Vec<_> = client
        .list_deals()
        .limit(2u32)
        .status(DealStatus::Open)
        .stream()
        .try_collect()
        .await
        .unwrap();

    assert!(all.is_empty());
    only.assert_calls_async(1).await;
}

#[tokio::test]
async fn an_error_mid_stream_is_yielded_and_ends_the_stream() {
    let (server, client) = mock_api().await;
    let (first, _) = page(&server, None, deal_page(deals(&["d1", "d2"]), Some("d2"))).await;
    let failing = server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/v1/deals")
                .query_param("cursor", "d2");
            then.status(503)
                .header("content-type", "application/json")
                .json_body(json!({ "message": "Service Unavailable" }));
        })
        .await;
    let after = server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/v1/deals")
                .query_param_exists("cursor")
                .query_param_not("cursor", "d2");
            then.status(200).json_body(deal_page(vec![], None));
        })
        .await;

    let results: Vec<Result<_, KinboxError>> = client
        .list_deals()
        .limit(2u32)
        .status(DealStatus::Open)
        .stream()
        .collect()
        .await;

    assert_eq!(results.len(), 3, "two deals, then the error, then nothing");
    assert_eq!(results[0].as_ref().unwrap().id, "d1");
    assert_eq!(results[1].as_ref().unwrap().id, "d2");
    let error = results[2].as_ref().unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Server);
    assert_eq!(error.status().map(|s| s.as_u16()), Some(503));
    first.assert_calls_async(1).await;
    // A page is a read: retried by default before the stream gives up.
    failing
        .assert_calls_async(1 + kinbox_api::RetryPolicy::DEFAULT_RETRIES as usize)
        .await;
    after.assert_calls_async(0).await;
}

#[tokio::test]
async fn a_cursor_that_does_not_advance_stops_the_stream() {
    let (server, client) = mock_api().await;
    let (first, _) = page(&server, None, deal_page(deals(&["d1", "d2"]), Some("d2"))).await;
    // The server answers the page after `d2` with `d2` again.
    let (stuck, _) = page(&server, Some("d2"), deal_page(deals(&["d3"]), Some("d2"))).await;

    let results: Vec<Result<_, KinboxError>> = client
        .list_deals()
        .limit(2u32)
        .status(DealStatus::Open)
        .stream()
        .take(10)
        .collect()
        .await;

    // `d3` is new and is kept; following `d2` again would loop.
    assert_eq!(results.len(), 4, "{results:?}");
    assert_eq!(results[0].as_ref().unwrap().id, "d1");
    assert_eq!(results[1].as_ref().unwrap().id, "d2");
    assert_eq!(results[2].as_ref().unwrap().id, "d3");
    match &results[3] {
        Err(KinboxError::CursorDidNotAdvance { cursor }) => assert_eq!(cursor, "d2"),
        other => panic!("expected CursorDidNotAdvance, got {other:?}"),
    }
    assert!(results[3].as_ref().unwrap_err().to_string().contains("d2"));
    first.assert_calls_async(1).await;
    stuck.assert_calls_async(1).await;
}

#[tokio::test]
async fn a_cursor_that_comes_back_later_stops_the_stream() {
    let (server, client) = mock_api().await;
    let (first, _) = page(&server, None, deal_page(deals(&["d1"]), Some("a"))).await;
    let (to_b, _) = page(&server, Some("a"), deal_page(deals(&["d2"]), Some("b"))).await;
    // Back to a cursor already followed: a cycle of two pages.
    let (to_a, _) = page(&server, Some("b"), deal_page(deals(&["d3"]), Some("a"))).await;

    let results: Vec<Result<_, KinboxError>> = client
        .list_deals()
        .limit(2u32)
        .status(DealStatus::Open)
        .stream()
        .take(10)
        .collect()
        .await;

    assert_eq!(results.len(), 4, "{results:?}");
    assert_eq!(results[0].as_ref().unwrap().id, "d1");
    assert_eq!(results[1].as_ref().unwrap().id, "d2");
    assert_eq!(results[2].as_ref().unwrap().id, "d3");
    assert!(
        matches!(&results[3], Err(KinboxError::CursorDidNotAdvance { cursor }) if cursor == "a"),
        "expected the stream to stop on the repeated cursor, got {:?}",
        results
            .iter()
            .map(|r| r.as_ref().map(|deal| &deal.id))
            .collect::<Vec<_>>()
    );
    first.assert_calls_async(1).await;
    to_b.assert_calls_async(1).await;
    to_a.assert_calls_async(1).await;
}

#[tokio::test]
async fn the_stream_is_lazy_and_stops_fetching_when_dropped() {
    let (server, client) = mock_api().await;
    let (first, _) = page(&server, None, deal_page(deals(&["d1", "d2"]), Some("d2"))).await;
    let (second, _) = page(&server, Some("d2"), deal_page(deals(&["d3"]), None)).await;

    let mut stream = client
        .list_deals()
        .limit(2u32)
        .status(DealStatus::Open)
        .stream();
    first.assert_calls_async(0).await;
    let first_deal = stream.try_next().await.unwrap().unwrap();
    drop(stream);

    assert_eq!(first_deal.id, "d1");
    first.assert_calls_async(1).await;
    second.assert_calls_async(0).await;
}

/// Some servers answer an empty page while they still have items: stopping
/// there would hand back part of the list as if it were all of it.
#[tokio::test]
async fn empty_pages_with_a_next_cursor_are_followed() {
    let (server, client) = mock_api().await;
    let (first, _) = page(&server, None, deal_page(deals(&["d1", "d2"]), Some("a"))).await;
    let (empty_a, _) = page(&server, Some("a"), deal_page(vec![], Some("b"))).await;
    let (empty_b, _) = page(&server, Some("b"), deal_page(vec![], Some("c"))).await;
    let (last, _) = page(&server, Some("c"), deal_page(deals(&["d3"]), None)).await;

    let all: Vec<_> = client
        .list_deals()
        .limit(2u32)
        .status(DealStatus::Open)
        .stream()
        .try_collect()
        .await
        .unwrap();

    assert_eq!(ids(&all), ["d1", "d2", "d3"]);
    for mock in [first, empty_a, empty_b, last] {
        mock.assert_calls_async(1).await;
    }
}

#[tokio::test]
async fn an_empty_page_that_names_its_own_cursor_again_is_an_error() {
    let (server, client) = mock_api().await;
    let (first, _) = page(&server, None, deal_page(deals(&["d1"]), Some("a"))).await;
    let (stuck, _) = page(&server, Some("a"), deal_page(vec![], Some("a"))).await;

    let results: Vec<Result<_, KinboxError>> = client
        .list_deals()
        .limit(2u32)
        .status(DealStatus::Open)
        .stream()
        .take(10)
        .collect()
        .await;

    assert_eq!(results.len(), 2, "{results:?}");
    assert_eq!(results[0].as_ref().unwrap().id, "d1");
    assert!(
        matches!(&results[1], Err(KinboxError::CursorDidNotAdvance { cursor }) if cursor == "a"),
        "{:?}",
        results[1]
    );
    first.assert_calls_async(1).await;
    stuck.assert_calls_async(1).await;
}

/// A server that answers empty pages forever, each naming a new cursor: the
/// walk asks for `MAX_PAGES` pages, then says the list was not all read.
#[tokio::test]
async fn endless_empty_pages_end_in_too_many_pages_not_in_success() {
    let mut fetched = 0usize;
    let results: Vec<Result<u32, KinboxError>> = kinbox_api::paginate(|cursor| {
        fetched += 1;
        let next = format!("c{fetched}");
        assert_eq!(cursor.is_none(), fetched == 1);
        async move { Ok((Vec::new(), Some(next))) }
    })
    .take(2)
    .collect()
    .await;

    assert_eq!(results.len(), 1, "{results:?}");
    assert!(
        matches!(&results[0], Err(KinboxError::TooManyPages { pages }) if *pages == kinbox_api::MAX_PAGES),
        "{:?}",
        results[0]
    );
    assert_eq!(fetched, kinbox_api::MAX_PAGES);
}
