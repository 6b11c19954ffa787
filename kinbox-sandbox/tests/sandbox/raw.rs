//! HTTP/1.1 by hand over blocking sockets, for what no client library
//! does on purpose: stop halfway through a request, or read an answer
//! before the request is finished.

use std::io::{ErrorKind, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::{Duration, Instant};

use serde_json::Value;

/// A connection to the sandbox that has sent `bytes`.
pub fn open(addr: SocketAddr, bytes: &[u8]) -> TcpStream {
    let mut stream = TcpStream::connect(addr).expect("the sandbox accepts connections");
    stream.write_all(bytes).expect("the request is sent");
    stream
}

/// A request head: its line, `Host`, the bearer token if any, and `extra`
/// header lines.
pub fn head(method: &str, path: &str, token: Option<&str>, extra: &[&str]) -> String {
    let mut head = format!("{method} {path} HTTP/1.1\r\nHost: sandbox\r\n");
    if let Some(token) = token {
        head.push_str(&format!("Authorization: Bearer {token}\r\n"));
    }
    for line in extra {
        head.push_str(line);
        head.push_str("\r\n");
    }
    head.push_str("\r\n");
    head
}

/// What came back on a connection before it closed or `wait` passed.
#[derive(Debug)]
pub struct Received {
    pub bytes: Vec<u8>,
    /// When the sandbox closed the connection, if it did within `wait`.
    pub closed_after: Option<Duration>,
}

impl Received {
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.bytes).into_owned()
    }

    /// The status code of the first answer, if one came.
    pub fn status(&self) -> Option<u16> {
        let text = self.text();
        let line = text.lines().next()?;
        line.strip_prefix("HTTP/1.1 ")?.get(..3)?.parse().ok()
    }

    pub fn header(&self, name: &str) -> Option<String> {
        let text = self.text();
        let (head, _) = text.split_once("\r\n\r\n")?;
        head.lines().skip(1).find_map(|line| {
            let (key, value) = line.split_once(':')?;
            key.eq_ignore_ascii_case(name)
                .then(|| value.trim().to_owned())
        })
    }

    /// The body of the first answer, read as JSON.
    pub fn json(&self) -> Value {
        let text = self.text();
        let (_, body) = text
            .split_once("\r\n\r\n")
            .unwrap_or_else(|| panic!("no complete head in {text:?}"));
        serde_json::from_str(body).unwrap_or_else(|e| panic!("{e}: {body:?}"))
    }
}

/// Reads until the sandbox closes the connection, or `wait` passes.
pub fn read_until_closed(stream: &mut TcpStream, wait: Duration) -> Received {
    let started = Instant::now();
    let mut bytes = Vec::new();
    let mut buffer = [0u8; 16 * 1024];
    loop {
        let left = wait.saturating_sub(started.elapsed());
        if left.is_zero() {
            return Received {
                bytes,
                closed_after: None,
            };
        }
        stream.set_read_timeout(Some(left)).unwrap();
        match stream.read(&mut buffer) {
            Ok(0) => break,
            Ok(read) => bytes.extend_from_slice(&buffer[..read]),
            Err(error) if matches!(error.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {
                continue;
            }
            Err(error) if error.kind() == ErrorKind::Interrupted => continue,
            // Reset: closed as well.
            Err(_) => break,
        }
    }
    Received {
        bytes,
        closed_after: Some(started.elapsed()),
    }
}

/// Reads one whole answer on a kept-alive connection: its status and body,
/// or `None` if it did not come within `wait`.
pub fn read_answer(stream: &mut TcpStream, wait: Duration) -> Option<(u16, String)> {
    let started = Instant::now();
    let mut bytes = Vec::new();
    let mut buffer = [0u8; 16 * 1024];
    loop {
        let text = String::from_utf8_lossy(&bytes).into_owned();
        if let Some((head, body)) = text.split_once("\r\n\r\n") {
            let length: usize = head
                .lines()
                .find_map(|line| {
                    let (key, value) = line.split_once(':')?;
                    key.eq_ignore_ascii_case("content-length")
                        .then(|| value.trim().parse().ok())?
                })
                .unwrap_or(0);
            if body.len() >= length {
                let status = head.get(9..12)?.parse().ok()?;
                return Some((status, body[..length].to_owned()));
            }
        }
        let left = wait.saturating_sub(started.elapsed());
        if left.is_zero() {
            return None;
        }
        stream.set_read_timeout(Some(left)).unwrap();
        match stream.read(&mut buffer) {
            Ok(0) => return None,
            Ok(read) => bytes.extend_from_slice(&buffer[..read]),
            Err(error)
                if matches!(
                    error.kind(),
                    ErrorKind::WouldBlock | ErrorKind::TimedOut | ErrorKind::Interrupted
                ) => {}
            Err(_) => return None,
        }
    }
}
