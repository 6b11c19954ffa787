//! Every read this tool makes from a file or stdin has a limit, so that
//! `--json-body /dev/zero` fails at once instead of filling the memory.

use std::io::Read;

/// A request body: Kinbox's are a few KiB (a deal with products and custom
/// fields).
pub const JSON_BODY: usize = 1 << 20;
/// A token pasted on stdin.
pub const TOKEN: usize = 64 << 10;
/// The credentials file.
pub const CREDENTIALS: usize = 1 << 20;

/// All of `reader`, as text, unless it holds more than `limit` bytes.
/// `what` names the source in messages ("the JSON body file 'deal.json'").
pub fn read_text(reader: impl Read, limit: usize, what: &str) -> Result<String, String> {
    let mut bytes = Vec::new();
    reader
        .take(limit as u64 + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| format!("cannot read {what}: {e}"))?;
    if bytes.len() > limit {
        return Err(format!(
            "{what} is larger than {} KiB, the most this tool reads; nothing was sent",
            limit >> 10
        ));
    }
    String::from_utf8(bytes).map_err(|e| format!("{what} is not UTF-8 text: {e}"))
}

/// A JSON body given as a file name, or `-` for stdin: its text, and how to
/// name it in messages.
pub fn read_body(source: &std::path::Path) -> Result<(String, String), String> {
    if source.as_os_str() == "-" {
        let what = "the JSON body on stdin".to_owned();
        let text = read_text(std::io::stdin().lock(), JSON_BODY, &what)?;
        return Ok((what, text));
    }
    let what = format!("the JSON body file '{}'", source.display());
    let file = std::fs::File::open(source).map_err(|e| format!("cannot read {what}: {e}"))?;
    let text = read_text(file, JSON_BODY, &what)?;
    Ok((what, text))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_up_to_the_limit_and_refuses_more() {
        assert_eq!(read_text(&b"{}"[..], 2, "x").unwrap(), "{}");
        let error = read_text(std::io::repeat(b' '), 1024, "the JSON body on stdin").unwrap_err();
        assert_eq!(
            error,
            "the JSON body on stdin is larger than 1 KiB, the most this tool reads; nothing was sent"
        );
    }
}
