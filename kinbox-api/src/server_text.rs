//! Text that came from a server, made safe to print or log: the token taken
//! out, control characters escaped, and the length bounded.
//!
//! A server can echo the token back in an error (a 401 that quotes the
//! `Authorization` header), send escape sequences that drive the terminal
//! (`ESC ]` to set the title or write to the clipboard, `ESC [` to move the
//! cursor and hide what came before), or send megabytes of HTML.

use std::borrow::Cow;
use std::sync::Arc;

use memchr::memmem::Finder;

/// What replaces the token in text that is shown.
pub const REDACTED: &str = "<redacted>";

/// How much of a server's text an error message shows.
pub const SHOWN_TEXT_LIMIT: usize = 2048;

/// Takes one secret out of any text before it is shown. Its `Debug` output
/// never shows the secret.
#[derive(Clone, Default)]
pub struct Redactor {
    secret: Option<Arc<Secret>>,
}

/// The secret with its searchers, built once per client: every answer is
/// scanned, so the scan must cost no more than a pass of `memchr`'s SIMD
/// search over the body.
struct Secret {
    text: Box<str>,
    finder: Finder<'static>,
    /// The secret as JSON writes it inside a string, when that differs (a
    /// `"` or `\` in it).
    in_json: Option<Finder<'static>>,
}

impl std::fmt::Debug for Redactor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Redactor(<redacted>)")
    }
}

impl Redactor {
    /// Secrets shorter than this are not searched for: replacing every `t`
    /// of a message because a test token is `t` would make it unreadable,
    /// and real tokens are much longer.
    const SHORTEST_SECRET: usize = 6;

    pub fn new(secret: &str) -> Self {
        if secret.len() < Self::SHORTEST_SECRET {
            return Self::default();
        }
        let in_json = serde_json::to_string(secret).unwrap_or_default();
        let in_json = in_json.trim_matches('"');
        Self {
            secret: Some(Arc::new(Secret {
                text: secret.into(),
                finder: Finder::new(secret.as_bytes()).into_owned(),
                in_json: (in_json != secret).then(|| Finder::new(in_json.as_bytes()).into_owned()),
            })),
        }
    }

    /// `text` with every occurrence of the secret replaced by [`REDACTED`].
    pub fn redact<'a>(&self, text: &'a str) -> Cow<'a, str> {
        match &self.secret {
            Some(secret) if secret.finder.find(text.as_bytes()).is_some() => {
                Cow::Owned(text.replace(&*secret.text, REDACTED))
            }
            _ => Cow::Borrowed(text),
        }
    }

    /// `body` without the secret: a JSON body is redacted string by string
    /// and written again, any other as text. Bodies without the secret (all
    /// but a hostile or broken server's) are returned untouched, unparsed.
    pub fn redact_body(&self, body: bytes::Bytes) -> bytes::Bytes {
        let Some(secret) = &self.secret else {
            return body;
        };
        // Answers are scanned once for the secret as written, and a second
        // time only when JSON would write it otherwise (`"` or `\` in it).
        let holds = secret.finder.find(&body).is_some()
            || secret
                .in_json
                .as_ref()
                .is_some_and(|finder| finder.find(&body).is_some());
        if !holds {
            return body;
        }
        match serde_json::from_slice::<serde_json::Value>(&body) {
            Ok(mut json) => {
                self.redact_json(&mut json);
                bytes::Bytes::from(json.to_string())
            }
            Err(_) => bytes::Bytes::from(self.redact(&String::from_utf8_lossy(&body)).into_owned()),
        }
    }

    /// Redacts every string (keys included) of a JSON value in place; works
    /// whatever characters the secret holds, unlike a search in the raw
    /// bytes, where JSON escapes could hide it.
    pub fn redact_json(&self, value: &mut serde_json::Value) {
        use serde_json::Value;
        if self.secret.is_none() {
            return;
        }
        match value {
            Value::String(text) => {
                if let Cow::Owned(redacted) = self.redact(text) {
                    *text = redacted;
                }
            }
            Value::Array(items) => items.iter_mut().for_each(|item| self.redact_json(item)),
            Value::Object(map) => {
                let entries = std::mem::take(map);
                for (key, mut item) in entries {
                    self.redact_json(&mut item);
                    map.insert(self.redact(&key).into_owned(), item);
                }
            }
            _ => {}
        }
    }
}

/// `text` with every control character (C0, DEL, C1) and every bidirectional
/// override written as a visible escape (`\u{1b}`), so that printing it cannot
/// move the cursor, change colours, set the window title or reorder what is
/// shown. Newlines and tabs are escaped too: a server must not be able to
/// forge a line of our output.
pub fn escape_controls(text: &str) -> Cow<'_, str> {
    if !text.chars().any(acts_on_terminal) {
        return Cow::Borrowed(text);
    }
    let mut escaped = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        if acts_on_terminal(c) {
            escaped.extend(c.escape_unicode());
        } else {
            escaped.push(c);
        }
    }
    Cow::Owned(escaped)
}

/// A character that a terminal acts on rather than shows: a control
/// character, or a bidirectional override.
pub fn acts_on_terminal(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// At most `limit` bytes of `text`, cut on a character boundary, with a note
/// saying how much was left out.
pub fn cut(text: &str, limit: usize) -> Cow<'_, str> {
    if text.len() <= limit {
        return Cow::Borrowed(text);
    }
    let mut end = limit;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    Cow::Owned(format!(
        "{}… [cut: {} bytes in all, the first {end} shown]",
        &text[..end],
        text.len()
    ))
}

/// Server text ready for a message: escaped, then cut to
/// [`SHOWN_TEXT_LIMIT`].
pub fn shown(text: &str) -> String {
    cut(&escape_controls(text), SHOWN_TEXT_LIMIT).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_secret_is_taken_out_wherever_it_is() {
        let redactor = Redactor::new("s3cr3t-token");
        assert_eq!(
            redactor.redact("bad token s3cr3t-token (Bearer s3cr3t-token)"),
            "bad token <redacted> (Bearer <redacted>)"
        );
        let mut json =
            serde_json::json!({"message": "s3cr3t-token", "s3cr3t-token": ["x s3cr3t-token"]});
        redactor.redact_json(&mut json);
        assert!(!json.to_string().contains("s3cr3t"), "{json}");
        assert!(!format!("{redactor:?}").contains("s3cr3t"));
    }

    #[test]
    fn bodies_lose_the_secret_and_keep_everything_else() {
        let redactor = Redactor::new(r#"ab"c\d-123"#);
        let body = bytes::Bytes::from(r#"{"id": "x", "note": "ab\"c\\d-123"}"#);
        let redacted: serde_json::Value =
            serde_json::from_slice(&redactor.redact_body(body)).unwrap();
        assert_eq!(
            redacted,
            serde_json::json!({"id": "x", "note": "<redacted>"})
        );
        let untouched = bytes::Bytes::from_static(b"{\"id\":   1}");
        assert_eq!(redactor.redact_body(untouched.clone()), untouched);
        assert_eq!(
            redactor.redact_body(bytes::Bytes::from(r#"<p>ab"c\d-123</p>"#)),
            "<p><redacted></p>"
        );
    }

    #[test]
    fn secrets_with_json_special_characters_are_found_in_json() {
        let redactor = Redactor::new(r#"ab"c\d-123"#);
        let mut json = serde_json::json!({"message": r#"token ab"c\d-123 refused"#});
        redactor.redact_json(&mut json);
        assert_eq!(json["message"], "token <redacted> refused");
    }

    #[test]
    fn control_characters_are_made_visible() {
        assert_eq!(escape_controls("plain ção"), "plain ção");
        assert_eq!(
            escape_controls("\u{1b}]0;pwned\u{7}red\u{1b}[31m\nfake line\u{202e}"),
            "\\u{1b}]0;pwned\\u{7}red\\u{1b}[31m\\u{a}fake line\\u{202e}"
        );
        assert_eq!(escape_controls("\u{9b}2J"), "\\u{9b}2J");
    }

    #[test]
    fn long_text_is_cut_on_a_character_boundary_and_says_so() {
        let text = "é".repeat(3000);
        let shown = cut(&text, 101);
        assert!(shown.starts_with(&"é".repeat(50)));
        assert!(
            shown.ends_with("[cut: 6000 bytes in all, the first 100 shown]"),
            "{shown}"
        );
        assert_eq!(cut("short", 10), "short");
    }
}
