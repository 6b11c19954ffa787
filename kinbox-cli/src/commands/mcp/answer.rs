//! What a tool answers: the API's answer as JSON twice, as the result's
//! text (after a one-line summary) and as its `structuredContent` (which
//! the tool's output schema describes), the two together at most
//! [`MAX_RESULT_BYTES`]. A list gives one page with its cursor; an answer
//! too large loses items, then its long texts and lists are shortened, and
//! the summary says how to read the rest. Text from the server has the
//! characters a terminal acts on, or a reader cannot see, escaped, and
//! never the token. And what a tool says when it fails ([`ToolError`]).

use serde_json::{Map, Value, json};

/// The most bytes a tool result carries, its text and structured content
/// together.
pub const MAX_RESULT_BYTES: usize = 64 * 1024;

/// The most bytes of the answer's JSON: it is carried twice (text and
/// structured content), with room for the summary line.
const DOCUMENT_BUDGET: usize = (MAX_RESULT_BYTES - 2048) / 2;

/// Where a list the API answers as a JSON array goes in structured content,
/// which MCP wants an object.
pub const ITEMS: &str = "items";

/// A tool call that failed: the message says what happened and what to do.
#[derive(Clone, Debug, PartialEq)]
pub struct ToolError {
    pub message: String,
}

impl ToolError {
    /// Arguments refused before anything was sent.
    pub fn refused(problems: Vec<String>) -> Self {
        Self {
            message: format!(
                "nothing was sent: the arguments need changes:\n- {}",
                problems.join("\n- ")
            ),
        }
    }

    pub fn new(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
        }
    }
}

/// A tool's result: its text, and the same answer as structured content
/// (an object) when there is one.
#[derive(Clone, Debug, PartialEq)]
pub struct Answer {
    pub text: String,
    pub structured: Option<Value>,
}

impl Answer {
    /// A result with text only (an answer without a body).
    pub fn text(text: impl Into<String>) -> Self {
        Self {
            text: text.into(),
            structured: None,
        }
    }

    /// The same answer with `note` (escaped by the caller) before its text.
    pub fn after(mut self, note: &str) -> Self {
        self.text = format!("{note}{}", self.text);
        self
    }
}

/// `text` as a tool result may carry it: without the token, and with the
/// characters a terminal or a renderer acts on (controls, bidirectional
/// overrides) escaped.
pub fn escaped(text: &str) -> String {
    crate::error::printable(text)
}

/// A character a person reading an answer would not see, or that would act
/// on their screen: controls other than line breaks and tabs (which JSON
/// writes as `\n` and `\t`), bidirectional overrides, and Unicode tags
/// (U+E0000–U+E007F, invisible, read by language models as text: a way to
/// hide instructions in a deal's name).
fn hidden(c: char) -> bool {
    (kinbox_api::server_text::acts_on_terminal(c) && !matches!(c, '\n' | '\t'))
        || ('\u{e0000}'..='\u{e007f}').contains(&c)
}

fn visible_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if hidden(c) {
            out.extend(c.escape_unicode());
        } else {
            out.push(c);
        }
    }
    out
}

/// `value` with every [`hidden`] character of its texts and keys written as
/// a visible escape (`\u{202e}`).
pub fn visible(value: Value) -> Value {
    match value {
        Value::String(text) if text.chars().any(hidden) => Value::String(visible_text(&text)),
        Value::Array(items) => Value::Array(items.into_iter().map(visible).collect()),
        Value::Object(map) => Value::Object(
            map.into_iter()
                .map(|(key, value)| {
                    let key = if key.chars().any(hidden) {
                        visible_text(&key)
                    } else {
                        key
                    };
                    (key, visible(value))
                })
                .collect(),
        ),
        other => other,
    }
}

/// Compact JSON of `value` made [`visible`], without the token.
pub fn json_text(value: &Value) -> String {
    let text = serde_json::to_string(&visible(value.clone())).unwrap_or_else(|_| "null".into());
    escaped(&text)
}

/// The API's answer `body` as a tool's result. With `keep`, each item of a
/// list keeps only those fields (the main ones).
pub fn render(body: &Value, keep: Option<&[String]>) -> Answer {
    let mut document = match body {
        Value::Array(items) => json!({ ITEMS: items }),
        other => other.clone(),
    };
    let list_key = match body {
        Value::Array(_) => Some(ITEMS),
        Value::Object(page) if page.get("data").is_some_and(Value::is_array) => Some("data"),
        _ => None,
    };
    let mut notes = Vec::new();
    if let (Some(key), Some(fields)) = (list_key, keep) {
        for item in document[key].as_array_mut().into_iter().flatten() {
            if let Value::Object(map) = item {
                map.retain(|name, _| fields.contains(name));
            }
        }
        notes.push(format!(
            "Fields shown: {}; call again with all_fields: true for all.",
            fields.join(", ")
        ));
    }
    let mut summary = String::new();
    if let Some(key) = list_key {
        let items = document[key].as_array().cloned().unwrap_or_default();
        let shown = fitting(&mut document, key, &items);
        summary = list_summary(body, key, shown, items.len());
    }
    if size(&document) > DOCUMENT_BUDGET {
        let whole = size(&document);
        let limit = shortened(&mut document);
        notes.push(format!(
            "[cut: the answer has {whole} bytes; texts, lists and objects longer than {limit} \
             were shortened to fit: ask for less (a smaller `limit`, filters, or one object by \
             its id)]"
        ));
    }
    let head: Vec<&str> = std::iter::once(summary.as_str())
        .chain(notes.iter().map(String::as_str))
        .filter(|part| !part.is_empty())
        .collect();
    let document = visible(document);
    // Already visible: only the token is left to take out.
    let json = escaped(&serde_json::to_string(&document).unwrap_or_else(|_| "null".into()));
    let text = if head.is_empty() {
        json
    } else {
        format!("{}\n{json}", head.join(" "))
    };
    Answer {
        text,
        structured: document.is_object().then_some(document),
    }
}

fn size(value: &Value) -> usize {
    serde_json::to_vec(value)
        .map(|v| v.len())
        .unwrap_or(usize::MAX)
}

/// Keeps in `document[key]` the most of `items` (from the first, at least
/// one) whose JSON fits; how many.
fn fitting(document: &mut Value, key: &str, items: &[Value]) -> usize {
    let mut with = |count: usize| {
        document[key] = Value::Array(items[..count].to_vec());
        size(document)
    };
    if with(items.len()) <= DOCUMENT_BUDGET {
        return items.len();
    }
    // Binary search on the count of items kept.
    let (mut low, mut high) = (0, items.len());
    while low < high {
        let middle = (low + high).div_ceil(2);
        if with(middle) <= DOCUMENT_BUDGET {
            low = middle;
        } else {
            high = middle - 1;
        }
    }
    // One item too large is shortened rather than left out.
    let count = low.max(1).min(items.len());
    with(count);
    count
}

fn list_summary(body: &Value, key: &str, shown: usize, all: usize) -> String {
    if key == "data" {
        let more = match crate::output::next_cursor(body) {
            Some(cursor) => format!(
                "more pages: call again with cursor {}",
                json_text(&Value::String(cursor))
            ),
            None => "the last page".to_owned(),
        };
        if shown == all {
            format!("{all} item(s); {more}.")
        } else {
            format!(
                "{shown} of this page's {all} item(s) shown (the rest did not fit): call again \
                 with limit {shown} (and the same cursor, if any) to read this page in smaller \
                 pages; {more}."
            )
        }
    } else if shown == all {
        format!("{all} item(s).")
    } else {
        format!(
            "{shown} of {all} item(s) shown (the rest did not fit): ask for one by its id with \
             the get tool."
        )
    }
}

/// Shortens `document` until it fits: every text, list and object longer
/// than one limit is cut to it, the largest limit that fits found by
/// binary search; that limit. At limit 0 anything fits.
fn shortened(document: &mut Value) -> usize {
    let whole = document.clone();
    let (mut low, mut high) = (0, longest(&whole));
    while low < high {
        let middle = (low + high).div_ceil(2);
        if size(&cut_to(&whole, middle)) <= DOCUMENT_BUDGET {
            low = middle;
        } else {
            high = middle - 1;
        }
    }
    *document = cut_to(&whole, low);
    low
}

/// The length of the longest text (in characters), list or object.
fn longest(value: &Value) -> usize {
    match value {
        Value::String(text) => text.chars().count(),
        Value::Array(items) => items
            .iter()
            .map(longest)
            .max()
            .unwrap_or(0)
            .max(items.len()),
        Value::Object(map) => map.values().map(longest).max().unwrap_or(0).max(map.len()),
        _ => 0,
    }
}

fn cut_to(value: &Value, limit: usize) -> Value {
    match value {
        Value::String(text) if text.chars().count() > limit => {
            Value::String(text.chars().take(limit).chain(['…']).collect())
        }
        Value::Array(items) => {
            Value::Array(items.iter().take(limit).map(|v| cut_to(v, limit)).collect())
        }
        Value::Object(map) => Value::Object(
            map.iter()
                .take(limit)
                .map(|(key, value)| (key.clone(), cut_to(value, limit)))
                .collect::<Map<String, Value>>(),
        ),
        other => other.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn json_of(answer: &Answer) -> Value {
        let json = answer
            .text
            .split_once('\n')
            .map_or(&*answer.text, |(_, json)| json);
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn a_page_says_how_many_and_its_cursor() {
        let answer = render(&json!({"data": [{"id": 1}], "nextCursor": "abc"}), None);
        assert!(
            answer
                .text
                .starts_with("1 item(s); more pages: call again with cursor \"abc\"."),
            "{}",
            answer.text
        );
        assert_eq!(answer.structured, Some(json_of(&answer)));
        let answer = render(&json!({"data": [], "nextCursor": null}), None);
        assert!(
            answer.text.starts_with("0 item(s); the last page."),
            "{}",
            answer.text
        );
    }

    #[test]
    fn an_array_is_structured_under_items() {
        let answer = render(&json!([{"id": "a"}, {"id": "b"}]), None);
        assert!(answer.text.starts_with("2 item(s).\n"), "{}", answer.text);
        assert_eq!(
            answer.structured,
            Some(json!({"items": [{"id": "a"}, {"id": "b"}]}))
        );
    }

    #[test]
    fn items_keep_the_main_fields_and_say_how_to_get_all() {
        let page = json!({"data": [{"id": 1, "name": "a", "extra": {"x": 1}}], "nextCursor": null});
        let answer = render(&page, Some(&["id".to_owned(), "name".to_owned()]));
        let (summary, _) = answer.text.split_once('\n').unwrap();
        assert!(
            summary.contains("Fields shown: id, name; call again with all_fields: true"),
            "{summary}"
        );
        assert_eq!(json_of(&answer)["data"], json!([{"id": 1, "name": "a"}]));
        assert_eq!(
            answer.structured.unwrap()["data"],
            json!([{"id": 1, "name": "a"}])
        );
    }

    fn within_the_cap(answer: &Answer) {
        let structured = answer.structured.as_ref().map_or(0, size);
        assert!(
            answer.text.len() + structured <= MAX_RESULT_BYTES,
            "{} + {structured}",
            answer.text.len()
        );
    }

    #[test]
    fn a_large_page_is_cut_at_an_item_with_how_to_read_the_rest() {
        let items: Vec<Value> = (0..100)
            .map(|i| json!({"id": i, "name": "x".repeat(2000)}))
            .collect();
        let answer = render(&json!({"data": items, "nextCursor": "c"}), None);
        within_the_cap(&answer);
        let (summary, _) = answer.text.split_once('\n').unwrap();
        assert!(
            summary.contains("of this page's 100 item(s) shown"),
            "{summary}"
        );
        assert!(summary.contains("limit"), "{summary}");
        let page = json_of(&answer);
        assert!(!page["data"].as_array().unwrap().is_empty());
        assert_eq!(Some(page), answer.structured);
    }

    #[test]
    fn anything_too_large_is_shortened_and_stays_json() {
        for body in [
            json!({"text": "y".repeat(MAX_RESULT_BYTES * 2), "id": "d1"}),
            json!({"id": "p", "stages": vec![json!({"id": "s", "name": "Etapa"}); 20_000]}),
            json!({"data": [{"id": 1, "notes": "z".repeat(MAX_RESULT_BYTES * 3)}]}),
            json!([{"customFields": (0..20_000).map(|i| (format!("f{i}"), json!(i))).collect::<Map<_, _>>()}]),
        ] {
            let answer = render(&body, None);
            within_the_cap(&answer);
            assert!(
                answer.text.contains("[cut: the answer has "),
                "{}",
                &answer.text[..200]
            );
            assert_eq!(Some(json_of(&answer)), answer.structured);
        }
        let answer = render(
            &json!({"text": "y".repeat(MAX_RESULT_BYTES), "id": "d1"}),
            None,
        );
        assert_eq!(
            answer.structured.unwrap()["id"],
            "d1",
            "short values are kept whole"
        );
    }

    #[test]
    fn what_would_act_on_a_screen_or_hide_from_a_reader_is_escaped() {
        let answer = render(
            &json!({"name": "a\u{1b}[2J\u{202e}b\u{9b}", "obs": "linha 1\nlinha 2", "tag": "x\u{e0041}"}),
            None,
        );
        let structured = answer.structured.clone().unwrap();
        assert_eq!(structured["name"], "a\\u{1b}[2J\\u{202e}b\\u{9b}");
        assert_eq!(structured["obs"], "linha 1\nlinha 2");
        assert_eq!(structured["tag"], "x\\u{e0041}");
        assert_eq!(json_of(&answer), structured);
        assert!(
            !answer
                .text
                .chars()
                .any(|c| c != '\n' && (c.is_control() || hidden(c))),
            "{}",
            answer.text
        );
    }

    mod properties {
        use super::*;
        use proptest::prelude::*;

        fn text() -> impl Strategy<Value = String> {
            prop_oneof![
                ".{0,16}",
                "[a\u{1b}\u{202e}\u{e0041}\n\t\u{9b}]{0,8}",
                (1usize..40_000).prop_map(|n| "x".repeat(n)),
            ]
        }

        fn value() -> impl Strategy<Value = Value> {
            let leaf = prop_oneof![
                Just(Value::Null),
                any::<bool>().prop_map(Value::from),
                any::<i64>().prop_map(Value::from),
                text().prop_map(Value::from),
            ];
            leaf.prop_recursive(4, 64, 8, |inner| {
                prop_oneof![
                    prop::collection::vec(inner.clone(), 0..8).prop_map(Value::from),
                    prop::collection::btree_map(text(), inner, 0..6)
                        .prop_map(|map| Value::Object(map.into_iter().collect())),
                ]
            })
        }

        proptest! {
            #![proptest_config(crate::tests::proptest_config())]

            /// Whatever the API answers: within the cap, the text's JSON is
            /// the structured content, and nothing hidden or acting on a
            /// screen is left in either.
            #[test]
            fn any_answer_fits_the_cap_and_says_the_same_twice(
                body in prop_oneof![
                    value(),
                    prop::collection::vec(value(), 0..40).prop_map(|items| json!({"data": items, "nextCursor": "c"})),
                    prop::collection::vec(value(), 0..40).prop_map(Value::from),
                ],
                trimmed in any::<bool>(),
            ) {
                let keep = ["id".to_owned(), "name".to_owned()];
                let answer = render(&body, trimmed.then_some(&keep[..]));
                let structured = answer.structured.as_ref().map_or(0, size);
                prop_assert!(answer.text.len() + structured <= MAX_RESULT_BYTES);
                // The JSON is the last line: compact JSON has no line break.
                let json = answer.text.rsplit('\n').next().unwrap();
                let read: Value = serde_json::from_str(json).unwrap();
                if let Some(structured) = &answer.structured {
                    prop_assert_eq!(&read, structured);
                }
                let shown = serde_json::to_string(&read).unwrap();
                prop_assert!(!shown.chars().any(hidden), "{}", shown);
            }
        }
    }
}
