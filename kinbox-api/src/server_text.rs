//! Text that came from a server, made safe to print or log: the token taken
//! out, control characters escaped, and the length bounded.
//!
//! A server can echo the token back in an error (a 401 that quotes the
//! `Authorization` header), as written or in JSON escapes that every reader
//! decodes (`\u006b…`, `\/`), send escape sequences that drive the terminal
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

/// The secret with its searcher, built once per client: every answer is
/// scanned, so the scan must cost no more than a pass of `memchr`'s SIMD
/// search over the body.
struct Secret {
    text: Box<str>,
    finder: Finder<'static>,
    /// The secret's ASCII characters, one bit each.
    ascii: u128,
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
        Self {
            secret: Some(Arc::new(Secret {
                text: secret.into(),
                finder: Finder::new(secret.as_bytes()).into_owned(),
                ascii: secret
                    .bytes()
                    .filter(u8::is_ascii)
                    .fold(0, |bits, b| bits | 1 << b),
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

    /// `body` without the secret, as written or as any JSON reader decodes
    /// it (`\u` escapes, surrogate pairs, `\/`), keys included. Bodies
    /// without the secret and without an escape that writes one of its
    /// characters (all but a hostile or broken server's) are returned
    /// untouched after two SIMD scans; others are rewritten only where the
    /// secret was found.
    pub fn redact_body(&self, body: bytes::Bytes) -> bytes::Bytes {
        let Some(secret) = &self.secret else {
            return body;
        };
        if !secret.escapes_reach(&body) && secret.finder.find(&body).is_none() {
            return body;
        }
        match self.redact_text(&String::from_utf8_lossy(&body)) {
            Cow::Borrowed(_) => body,
            Cow::Owned(redacted) => bytes::Bytes::from(redacted),
        }
    }

    /// `text` without the secret as written, nor as a JSON reader decodes
    /// any string literal in it: for answers (JSON or not, whole or cut
    /// short: serde quotes a decoded string of the wrong type in its error,
    /// even when the JSON breaks further on) and for output that holds JSON.
    /// Only literals whose decoded text holds the secret are written again,
    /// so everything else keeps its bytes.
    pub fn redact_text<'a>(&self, text: &'a str) -> Cow<'a, str> {
        let Some(secret) = &self.secret else {
            return Cow::Borrowed(text);
        };
        let rewritten = secret
            .escapes_reach(text.as_bytes())
            .then(|| secret.redact_escaped_literals(text, self))
            .flatten();
        let decoded = rewritten.map_or(Cow::Borrowed(text), Cow::Owned);
        let redacted = match self.redact(&decoded) {
            Cow::Owned(redacted) => Some(redacted),
            Cow::Borrowed(_) => None,
        };
        redacted.map_or(decoded, Cow::Owned)
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

impl Secret {
    /// Whether some escape in `bytes` writes a character of the secret.
    /// Decoding can show the secret where the bytes do not hold it only
    /// through such an escape: any other leaves the secret's characters
    /// as written, where the plain search finds them. So a server that
    /// escapes every `/` (`\/`) or writes line breaks in its text costs no
    /// decoding, unless the secret holds that character.
    fn escapes_reach(&self, bytes: &[u8]) -> bool {
        let mut at = 0;
        while let Some(i) = memchr::memchr(b'\\', &bytes[at..]).map(|i| at + i) {
            let Some(&kind) = bytes.get(i + 1) else {
                return false;
            };
            at = i + 2;
            let written = match kind {
                b'u' => {
                    let unit = bytes
                        .get(i + 2..i + 6)
                        .and_then(|hex| std::str::from_utf8(hex).ok())
                        .and_then(|hex| u16::from_str_radix(hex, 16).ok());
                    let Some(unit) = unit else { continue };
                    at = i + 6;
                    match char::from_u32(u32::from(unit)) {
                        Some(c) => c,
                        // Half of a pair: a character beyond the BMP.
                        None if self.text.chars().any(|c| c.len_utf16() == 2) => return true,
                        None => continue,
                    }
                }
                b'"' => '"',
                b'\\' => '\\',
                b'/' => '/',
                b'b' => '\u{8}',
                b'f' => '\u{c}',
                b'n' => '\n',
                b'r' => '\r',
                b't' => '\t',
                // Not a JSON escape: nothing is decoded from it.
                _ => continue,
            };
            let held = match u8::try_from(written) {
                Ok(b) if b.is_ascii() => self.ascii & 1 << b != 0,
                _ => self.text.contains(written),
            };
            if held {
                return true;
            }
        }
        false
    }

    /// `text` with each JSON string literal that holds an escape and decodes
    /// to text holding the secret written again, redacted; `None` when there
    /// is none. Literals are found as a JSON reader finds them: a `"` outside
    /// a literal opens one, a `\` inside escapes the next byte. In a JSON
    /// document that is exact; in broken JSON, it is exact up to the first
    /// error, past which no reader decodes anything; in other text it only
    /// redacts more. A literal that does not decode (a bad escape, a lone
    /// surrogate, cut short) stops any reader there, so it is left alone.
    fn redact_escaped_literals(&self, text: &str, redactor: &Redactor) -> Option<String> {
        let bytes = text.as_bytes();
        let mut rewritten: Option<String> = None;
        let mut copied = 0;
        let mut at = 0;
        while let Some(open) = memchr::memchr(b'"', &bytes[at..]).map(|i| at + i) {
            let mut escaped = false;
            let mut close = None;
            let mut i = open + 1;
            while let Some(j) = bytes
                .get(i..)
                .and_then(|rest| memchr::memchr2(b'"', b'\\', rest))
            {
                let j = i + j;
                if bytes[j] == b'"' {
                    close = Some(j);
                    break;
                }
                escaped = true;
                i = j + 2;
            }
            let Some(close) = close else { break };
            at = close + 1;
            // Escapes only lengthen what they write: a shorter literal cannot
            // decode to the secret.
            if !escaped || close - open - 1 < self.text.len() {
                continue;
            }
            let literal = &text[open..=close];
            let Ok(decoded) = serde_json::from_str::<String>(literal) else {
                continue;
            };
            if let Cow::Owned(redacted) = redactor.redact(&decoded) {
                let out = rewritten.get_or_insert_with(|| String::with_capacity(text.len()));
                out.push_str(&text[copied..open]);
                out.push_str(&serde_json::to_string(&redacted).unwrap_or_default());
                copied = at;
            }
        }
        let mut out = rewritten?;
        out.push_str(&text[copied..]);
        Some(out)
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

    /// `text` as JSON writes it, with each character for which `escape`
    /// says so written as a `\u` escape (two, for one outside the BMP) or,
    /// for `/`, as `\/`.
    fn literal(text: &str, mut escape: impl FnMut() -> bool) -> String {
        let mut out = String::from('"');
        for c in text.chars() {
            if c == '/' && escape() {
                out.push_str("\\/");
            } else if matches!(c, '"' | '\\') || c.is_control() || escape() {
                for unit in c.encode_utf16(&mut [0; 2]) {
                    out.push_str(&format!("\\u{unit:04x}"));
                }
            } else {
                out.push(c);
            }
        }
        out.push('"');
        out
    }

    #[test]
    fn a_secret_in_json_escapes_is_taken_out_as_decoded() {
        let secret = "kbx/s3cr3t-😀-token";
        let redactor = Redactor::new(secret);
        let mut flip = false;
        let mut alternate = move || {
            flip = !flip;
            flip
        };
        let body = format!(
            r#"{{"id": "65f0", "name": {}, {}: [{}], "note": "a\nline", "n": 1.50}}"#,
            literal(secret, || true),
            literal(&format!("key {secret}"), &mut alternate),
            literal(secret, || false).replace('/', "\\/"),
        );
        assert!(!body.contains(secret), "{body}");
        let redacted = redactor.redact_body(bytes::Bytes::from(body.clone()));
        let text = std::str::from_utf8(&redacted).unwrap();
        let json: serde_json::Value = serde_json::from_str(text).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"id": "65f0", "name": "<redacted>", "key <redacted>": ["<redacted>"],
                "note": "a\nline", "n": 1.5})
        );
        // What held no secret keeps its bytes.
        assert!(
            text.starts_with(r#"{"id": "65f0", "name": "<redacted>", "#),
            "{text}"
        );
        assert!(text.ends_with(r#""note": "a\nline", "n": 1.50}"#), "{text}");
    }

    #[test]
    fn a_body_with_escapes_but_no_secret_is_returned_as_it_came() {
        let redactor = Redactor::new("s3cr3t-token");
        let body = bytes::Bytes::from(r#"{"url": "https:\/\/x", "s": "\u00e7\u00e3o \"s3cr3t\""}"#);
        let redacted = redactor.redact_body(body.clone());
        assert_eq!(redacted.as_ptr(), body.as_ptr(), "not copied");
    }

    #[test]
    fn broken_json_and_text_lose_the_decoded_secret_too() {
        let redactor = Redactor::new("s3cr3t-token");
        let hidden = literal("s3cr3t-token", || true);
        // serde reads the first value (and would quote it in a type error)
        // before it meets the end.
        let cut = format!(r#"{{"value": {hidden}, "name": "ab"#);
        let redacted = redactor.redact_body(bytes::Bytes::from(cut));
        assert_eq!(redacted, r#"{"value": "<redacted>", "name": "ab"#);
        let text = format!("<p>bad token {hidden}</p>");
        assert_eq!(
            redactor.redact_text(&text),
            r#"<p>bad token "<redacted>"</p>"#
        );
        // Escapes no reader decodes, and cut ones, are left as they are.
        let hidden = hidden.trim_matches('"');
        for left in [
            format!(r#"{{"a": "{hidden}\q"}}"#),
            format!(r#"{{"a": "{hidden}\ud800"}}"#),
            format!(r#"{{"a": "{hidden}"#),
        ] {
            assert_eq!(redactor.redact_text(&left), left);
        }
    }

    proptest::proptest! {
        /// Whatever a server writes, and however it escapes it, no string
        /// a JSON reader gets from the redacted body holds the secret, and
        /// the body reads as the decoded one redacted string by string.
        #[test]
        fn no_escaping_hides_the_secret(
            parts in proptest::collection::vec(
                proptest::collection::vec(
                    proptest::prop_oneof![
                        proptest::strategy::Just("tok/en-ç😀".to_owned()),
                        "[a-z/\"\\\\ ç😀\u{1}-]{0,4}",
                    ],
                    0..4,
                ),
                1..6,
            ),
            escapes in proptest::collection::vec(proptest::bool::ANY, 64),
        ) {
            let redactor = Redactor::new("tok/en-ç😀");
            let mut escape = escapes.into_iter().cycle();
            let mut escape = move || escape.next().unwrap_or(false);
            let strings: Vec<String> = parts.iter().map(|p| p.concat()).collect();
            let mut body = String::from("{");
            let mut expected = serde_json::Map::new();
            for (i, text) in strings.iter().enumerate() {
                if i > 0 {
                    body.push(',');
                }
                let key = format!("{i}{text}");
                body.push_str(&literal(&key, &mut escape));
                body.push(':');
                body.push_str(&literal(text, &mut escape));
                expected.insert(redactor.redact(&key).into_owned(), redactor.redact(text).into_owned().into());
            }
            body.push('}');
            let redacted = redactor.redact_body(bytes::Bytes::from(body.clone()));
            let read: serde_json::Value = serde_json::from_slice(&redacted).unwrap();
            proptest::prop_assert_eq!(read, serde_json::Value::Object(expected), "{}", body);
        }
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
