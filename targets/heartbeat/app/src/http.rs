//! The device's HTTP server logic, sans-IO: request bytes in (parsed by the
//! core's [`RequestParser`]), one complete reply out. `GET`/`HEAD /health`
//! answer the health document; other paths 404; other methods 405; requests
//! the parser refuses get the status it names. Every reply closes the
//! connection.

use core::fmt;

use supercheck_core::http::{EMPTY_HEADER, Parsed, Reply, ReplyError, RequestParser};
use supercheck_core::json::health::{HEALTH_JSON_MEDIA_TYPE, HealthError};
use supercheck_core::wire::Writer;

use crate::health::{Snapshot, write_health};

/// The largest request head accepted; longer ones are answered 431 (or 414).
pub const MAX_REQUEST: usize = 512;
/// Request headers accepted; more are answered 431.
pub const MAX_HEADERS: usize = 16;
/// Room kept in front of the health body for the reply head.
const HEAD_ROOM: usize = 192;

/// What to do with the bytes received so far.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Answer {
    /// The request head is not complete: receive more.
    Incomplete,
    /// The reply is the first `len` bytes of the output: send them, then close.
    Reply {
        /// The status code sent.
        status: u16,
        /// Bytes of the output to send.
        len: usize,
    },
}

/// The output buffer cannot hold the reply.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct ReplyTooLarge;

impl fmt::Display for ReplyTooLarge {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("output buffer too small for the reply")
    }
}

impl core::error::Error for ReplyTooLarge {}

impl From<ReplyError> for ReplyTooLarge {
    fn from(_: ReplyError) -> Self {
        ReplyTooLarge
    }
}

impl From<HealthError> for ReplyTooLarge {
    fn from(_: HealthError) -> Self {
        ReplyTooLarge
    }
}

/// Answers the request at the start of `request`, writing the reply into `out`.
///
/// # Errors
/// [`ReplyTooLarge`] when `out` cannot hold the reply (about 800 bytes always can).
pub fn answer(
    request: &[u8],
    snapshot: &Snapshot<'_>,
    out: &mut [u8],
) -> Result<Answer, ReplyTooLarge> {
    let parser = RequestParser::new()
        .max_head(MAX_REQUEST)
        .max_request_line(MAX_REQUEST / 2)
        .max_body(0);
    let mut headers = [EMPTY_HEADER; MAX_HEADERS];
    let head = match parser.parse(request, &mut headers) {
        Ok(Parsed::Incomplete) => return Ok(Answer::Incomplete),
        Ok(Parsed::Complete(head)) => head,
        Err(e) => return text(out, e.status(), &[]),
    };
    let method = head.method();
    match (head.path(), method) {
        ("/health", "GET" | "HEAD") => health(out, snapshot, method == "HEAD"),
        ("/health", _) => text(out, 405, &[("Allow", "GET, HEAD")]),
        _ => text(out, 404, &[]),
    }
}

/// A short `text/plain` reply whose body is the reason phrase.
fn text(out: &mut [u8], status: u16, headers: &[(&str, &str)]) -> Result<Answer, ReplyTooLarge> {
    let body = supercheck_core::http::reason_phrase(status).unwrap_or("error");
    let mut w = Writer::new(out);
    Reply::new(status)
        .content_type("text/plain")
        .headers(headers)
        .encode_head(&mut w, body.len() as u64 + 1)?;
    w.put_str(body).map_err(|_| ReplyTooLarge)?;
    w.put_byte(b'\n').map_err(|_| ReplyTooLarge)?;
    Ok(Answer::Reply {
        status,
        len: w.len(),
    })
}

/// The health reply: the body is written after [`HEAD_ROOM`] first (its
/// length goes in the head), then moved down behind the head.
fn health(
    out: &mut [u8],
    snapshot: &Snapshot<'_>,
    head_only: bool,
) -> Result<Answer, ReplyTooLarge> {
    let status = snapshot.status().default_http_status();
    let (head_area, body_area) = out.split_at_mut_checked(HEAD_ROOM).ok_or(ReplyTooLarge)?;
    let body_len = write_health(&mut Writer::new(body_area), snapshot)?;
    let mut w = Writer::new(head_area);
    Reply::new(status)
        .content_type(HEALTH_JSON_MEDIA_TYPE)
        .cache_control("no-store")
        .encode_head(&mut w, body_len as u64)?;
    let head_len = w.len();
    if head_only {
        return Ok(Answer::Reply {
            status,
            len: head_len,
        });
    }
    let body_end = HEAD_ROOM.checked_add(body_len).ok_or(ReplyTooLarge)?;
    out.copy_within(HEAD_ROOM..body_end, head_len);
    Ok(Answer::Reply {
        status,
        len: head_len.saturating_add(body_len),
    })
}

#[cfg(test)]
mod tests {
    extern crate std;
    use super::*;
    use std::string::String;

    fn snapshot() -> Snapshot<'static> {
        Snapshot {
            device: "dev",
            uptime_ms: 2_000,
            beats_sent: 2,
            beat_send_errors: 0,
            last_beat_failed: false,
            link_up: true,
            idle_http_sockets: 1,
        }
    }

    fn reply(request: &[u8]) -> (u16, String) {
        let mut out = [0u8; 1024];
        match answer(request, &snapshot(), &mut out).unwrap() {
            Answer::Reply { status, len } => (
                status,
                String::from_utf8(out.get(..len).unwrap().to_vec()).unwrap(),
            ),
            Answer::Incomplete => panic!("incomplete"),
        }
    }

    #[test]
    fn get_health_answers_the_document_with_its_length() {
        let (status, text) = reply(b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n");
        assert_eq!(status, 200);
        let (head, body) = text.split_once("\r\n\r\n").unwrap();
        assert!(head.starts_with("HTTP/1.1 200 OK\r\nContent-Type: application/health+json\r\n"));
        assert!(head.contains(&std::format!("Content-Length: {}\r\n", body.len())));
        let doc: serde_json::Value = serde_json::from_str(body).unwrap();
        assert_eq!(doc["status"], "pass");
        assert_eq!(doc["serviceId"], "dev");
    }

    #[test]
    fn head_health_answers_the_head_alone() {
        let (status, text) = reply(b"HEAD /health HTTP/1.1\r\nHost: x\r\n\r\n");
        assert_eq!(status, 200);
        assert!(text.ends_with("Connection: close\r\n\r\n"));
    }

    #[test]
    fn other_paths_are_404_and_other_methods_405() {
        assert_eq!(
            reply(b"GET /nope HTTP/1.0\r\n\r\n"),
            (
                404,
                String::from(
                    "HTTP/1.1 404 Not Found\r\nContent-Type: text/plain\r\nContent-Length: 10\r\nConnection: close\r\n\r\nNot Found\n"
                )
            )
        );
        let (status, text) = reply(b"DELETE /health HTTP/1.1\r\nHost: x\r\n\r\n");
        assert_eq!(status, 405);
        assert!(text.contains("\r\nAllow: GET, HEAD\r\n"));
    }

    #[test]
    fn refused_requests_get_the_parsers_status() {
        assert_eq!(reply(b"GET /health HTTP/1.1\r\n\r\n").0, 400); // no Host
        assert_eq!(
            reply(b"PUT /health HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\n").0,
            413
        );
        let mut long = std::vec::Vec::from(&b"GET /health HTTP/1.1\r\nHost: x\r\nX: "[..]);
        long.resize(MAX_REQUEST + 10, b'a');
        assert_eq!(reply(&long).0, 431);
    }

    #[test]
    fn partial_request_asks_for_more() {
        let mut out = [0u8; 1024];
        assert_eq!(
            answer(b"GET /health HTTP/1.1\r\nHo", &snapshot(), &mut out),
            Ok(Answer::Incomplete)
        );
    }

    #[test]
    fn small_output_is_an_error_not_a_panic() {
        let mut out = [0u8; 100];
        assert_eq!(
            answer(
                b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n",
                &snapshot(),
                &mut out
            ),
            Err(ReplyTooLarge)
        );
    }
}
