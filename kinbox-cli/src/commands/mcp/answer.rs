//! What a tool answers: JSON text, escaped and without the token, at most
//! [`MAX_RESULT_BYTES`]; a page of a list with its cursor and a one-line
//! summary. And what a tool says when it fails ([`ToolError`]).

use serde_json::{Value, json};

/// The most bytes of text a tool result carries.
pub const MAX_RESULT_BYTES: usize = 64 * 1024;

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

/// `text` as a tool result may carry it: without the token, and with the
/// characters a terminal or a renderer acts on (controls, bidirectional
/// overrides) escaped.
pub fn escaped(text: &str) -> String {
    crate::error::printable(text)
}

/// A whole answer as a result's text. A page (`{data: [...], nextCursor}`)
/// gets a summary line first and, when it does not fit, as many items as
/// fit and how to read the rest; anything else is cut with a note.
pub fn render(body: &Value) -> String {
    if let Some(items) = body.get("data").and_then(Value::as_array) {
        return render_page(body, items);
    }
    if let Some(items) = body.as_array() {
        return render_list(items);
    }
    fit(&json_text(body), "")
}

/// [`render`] with each item of a list cut to `fields` (the main ones),
/// and a note saying how to get them all.
pub fn render_trimmed(body: &Value, fields: &[String]) -> String {
    let trim = |items: &[Value]| -> Vec<Value> {
        items
            .iter()
            .map(|item| match item {
                Value::Object(map) => Value::Object(
                    map.iter()
                        .filter(|(key, _)| fields.contains(key))
                        .map(|(key, value)| (key.clone(), value.clone()))
                        .collect(),
                ),
                other => other.clone(),
            })
            .collect()
    };
    let trimmed = match body {
        Value::Array(items) => Value::Array(trim(items)),
        Value::Object(page) if page.get("data").is_some_and(Value::is_array) => {
            let mut page = page.clone();
            let items = trim(
                page["data"]
                    .as_array()
                    .map(Vec::as_slice)
                    .unwrap_or_default(),
            );
            page.insert("data".into(), Value::Array(items));
            Value::Object(page)
        }
        other => return render(other),
    };
    let text = render(&trimmed);
    let (summary, rest) = text.split_once('\n').unwrap_or((&text, ""));
    format!(
        "{summary} Fields shown: {}; call again with all_fields: true for all.\n{rest}",
        fields.join(", ")
    )
}

fn render_page(body: &Value, items: &[Value]) -> String {
    let cursor = crate::output::next_cursor(body);
    let more = match &cursor {
        Some(cursor) => format!(
            "more pages: call again with cursor {}",
            json_text(&Value::String(cursor.clone()))
        ),
        None => "the last page".to_owned(),
    };
    let (shown, text) = fitting(items, |shown| {
        let mut page = body.clone();
        page["data"] = Value::Array(items[..shown].to_vec());
        page
    });
    let summary = if shown == items.len() {
        format!("{} item(s); {more}.", items.len())
    } else {
        format!(
            "{shown} of this page's {} item(s) shown (the rest did not fit): call again with \
             limit {shown} (and the same cursor, if any) to read this page in smaller pages; {more}.",
            items.len()
        )
    };
    fit(&text, &summary)
}

fn render_list(items: &[Value]) -> String {
    let (shown, text) = fitting(items, |shown| json!(items[..shown]));
    let summary = if shown == items.len() {
        format!("{} item(s).", items.len())
    } else {
        format!(
            "{shown} of {} item(s) shown (the rest did not fit): ask for one by its id with the \
             get tool.",
            items.len()
        )
    };
    fit(&text, &summary)
}

/// The most items (from the first) whose JSON fits, and that JSON.
fn fitting(items: &[Value], document: impl Fn(usize) -> Value) -> (usize, String) {
    let budget = MAX_RESULT_BYTES - 512;
    let whole = json_text(&document(items.len()));
    if whole.len() <= budget {
        return (items.len(), whole);
    }
    // Binary search on the count of items kept.
    let (mut low, mut high) = (0, items.len());
    while low < high {
        let middle = (low + high).div_ceil(2);
        if json_text(&document(middle)).len() <= budget {
            low = middle;
        } else {
            high = middle - 1;
        }
    }
    (low, json_text(&document(low)))
}

/// `summary` then `text`, cut to [`MAX_RESULT_BYTES`] with a note.
fn fit(text: &str, summary: &str) -> String {
    let head = if summary.is_empty() {
        String::new()
    } else {
        format!("{summary}\n")
    };
    let room = MAX_RESULT_BYTES.saturating_sub(head.len() + 200);
    if text.len() <= room {
        return format!("{head}{text}");
    }
    let mut end = room;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!(
        "{head}{}\n[cut: the answer has {} bytes, {} shown; ask for less (a smaller `limit`, \
         filters, or one object by its id)]",
        &text[..end],
        text.len(),
        end
    )
}

/// Compact JSON, without the token, with controls and bidirectional
/// overrides written as `\u` escapes (the same string to a JSON reader).
pub fn json_text(value: &Value) -> String {
    let text = serde_json::to_string(value).unwrap_or_else(|_| "null".to_owned());
    let text: String = text
        .chars()
        .map(|c| {
            if kinbox_api::server_text::acts_on_terminal(c) {
                format!("\\u{:04x}", c as u32)
            } else {
                c.to_string()
            }
        })
        .collect();
    escaped(&text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_page_says_how_many_and_its_cursor() {
        let text = render(&json!({"data": [{"id": 1}], "nextCursor": "abc"}));
        assert!(
            text.starts_with("1 item(s); more pages: call again with cursor \"abc\"."),
            "{text}"
        );
        let text = render(&json!({"data": [], "nextCursor": null}));
        assert!(text.starts_with("0 item(s); the last page."), "{text}");
    }

    #[test]
    fn items_keep_the_main_fields_and_say_how_to_get_all() {
        let page = json!({"data": [{"id": 1, "name": "a", "extra": {"x": 1}}], "nextCursor": null});
        let text = render_trimmed(&page, &["id".to_owned(), "name".to_owned()]);
        let (summary, json) = text.split_once('\n').unwrap();
        assert!(
            summary.contains("Fields shown: id, name; call again with all_fields: true"),
            "{summary}"
        );
        assert_eq!(
            serde_json::from_str::<Value>(json).unwrap()["data"],
            json!([{"id": 1, "name": "a"}])
        );
    }

    #[test]
    fn a_large_page_is_cut_at_an_item_with_how_to_read_the_rest() {
        let items: Vec<Value> = (0..100)
            .map(|i| json!({"id": i, "name": "x".repeat(2000)}))
            .collect();
        let text = render(&json!({"data": items, "nextCursor": "c"}));
        assert!(text.len() <= MAX_RESULT_BYTES, "{}", text.len());
        let (summary, rest) = text.split_once('\n').unwrap();
        assert!(
            summary.contains("of this page's 100 item(s) shown"),
            "{summary}"
        );
        assert!(summary.contains("limit"), "{summary}");
        let page: Value = serde_json::from_str(rest).unwrap();
        assert!(!page["data"].as_array().unwrap().is_empty());
    }

    #[test]
    fn anything_else_is_cut_with_a_note_and_controls_are_escaped() {
        let text = render(&json!({"text": "y".repeat(MAX_RESULT_BYTES * 2)}));
        assert!(text.len() <= MAX_RESULT_BYTES);
        assert!(text.contains("[cut: "), "{}", &text[text.len() - 200..]);
        let text = render(&json!({"name": "a\u{1b}[2J\u{202e}b\u{9b}"}));
        assert_eq!(text, r#"{"name":"a\u001b[2J\u202eb\u009b"}"#);
    }
}
