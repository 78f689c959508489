//! A simulated socket for the HTTP tests: delivers a message in the pieces a
//! test chooses and drives the sans-IO readers the way a driver would
//! (grow a buffer, parse, drop consumed bytes, read more).
#![allow(dead_code, clippy::indexing_slicing, clippy::unwrap_used)]

use supercheck_core::http::{
    BodyDecoder, BodyError, BodyEvent, BodyLimits, EMPTY_HEADER, Framing, HeadError, Parsed,
    RequestParser, ResponseReader, ServerError,
};

/// A response read to its end, owned.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Response {
    pub code: u16,
    pub reason: String,
    pub framing: Framing,
    pub keep_alive: bool,
    pub headers: Vec<(String, Vec<u8>)>,
    pub body: Vec<u8>,
    /// Bytes left after the body (the next message on a kept-alive connection).
    pub leftover: Vec<u8>,
}

/// Why reading failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Failure {
    Head(HeadError),
    Body(BodyError),
    /// The peer closed inside the head.
    EofInHead,
}

/// Reads one response (skipping 1xx interim heads) from `pieces`, delivered in order.
pub fn read_response(
    pieces: &[&[u8]],
    reader: ResponseReader,
    limits: BodyLimits,
) -> Result<Response, Failure> {
    let mut pieces = pieces.iter();
    let mut buf: Vec<u8> = Vec::new();
    let mut response = loop {
        let mut headers = [EMPTY_HEADER; 16];
        let parsed = reader.read(&buf, &mut headers).map_err(Failure::Head)?;
        match parsed {
            Parsed::Complete(head) => {
                let len = head.head_len();
                if head.is_interim() {
                    buf.drain(..len);
                    continue;
                }
                let owned = Response {
                    code: head.code(),
                    reason: head.reason().to_owned(),
                    framing: head.framing(),
                    keep_alive: head.keep_alive(),
                    headers: head
                        .headers()
                        .iter()
                        .map(|h| (h.name.to_owned(), h.value.to_vec()))
                        .collect(),
                    body: Vec::new(),
                    leftover: Vec::new(),
                };
                buf.drain(..len);
                break owned;
            }
            Parsed::Incomplete => match pieces.next() {
                Some(piece) => buf.extend_from_slice(piece),
                None => return Err(Failure::EofInHead),
            },
        }
    };
    let mut decoder = BodyDecoder::new(response.framing, limits).map_err(Failure::Body)?;
    loop {
        let step = decoder.decode(&buf).map_err(Failure::Body)?;
        let consumed = step.consumed;
        match step.event {
            BodyEvent::Data(data) => response.body.extend_from_slice(data),
            BodyEvent::Done => {
                buf.drain(..consumed);
                break;
            }
            BodyEvent::NeedMore => match pieces.next() {
                Some(piece) => buf.extend_from_slice(piece),
                None => {
                    decoder.finish_at_eof().map_err(Failure::Body)?;
                    buf.drain(..consumed);
                    break;
                }
            },
        }
        buf.drain(..consumed);
    }
    for piece in pieces {
        buf.extend_from_slice(piece);
    }
    response.leftover = buf;
    Ok(response)
}

/// A request head read by the server parser, owned.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Request {
    pub method: String,
    pub path: String,
    pub query: Option<String>,
    pub minor_version: u8,
    pub headers: Vec<(String, Vec<u8>)>,
    pub content_length: u64,
    pub keep_alive: bool,
    pub head_len: usize,
}

/// Why the server parser stopped.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RequestFailure {
    Server(ServerError),
    EofInHead,
}

/// Reads one request head from `pieces`, delivered in order.
pub fn read_request(pieces: &[&[u8]], parser: RequestParser) -> Result<Request, RequestFailure> {
    let mut pieces = pieces.iter();
    let mut buf: Vec<u8> = Vec::new();
    loop {
        let mut headers = [EMPTY_HEADER; 16];
        match parser
            .parse(&buf, &mut headers)
            .map_err(RequestFailure::Server)?
        {
            Parsed::Complete(head) => {
                return Ok(Request {
                    method: head.method().to_owned(),
                    path: head.path().to_owned(),
                    query: head.query().map(str::to_owned),
                    minor_version: head.minor_version(),
                    headers: head
                        .headers()
                        .iter()
                        .map(|h| (h.name.to_owned(), h.value.to_vec()))
                        .collect(),
                    content_length: head.content_length(),
                    keep_alive: head.keep_alive(),
                    head_len: head.head_len(),
                });
            }
            Parsed::Incomplete => match pieces.next() {
                Some(piece) => buf.extend_from_slice(piece),
                None => return Err(RequestFailure::EofInHead),
            },
        }
    }
}

/// `input` cut at each of `cuts` (sorted, clamped).
pub fn split_at<'a>(input: &'a [u8], cuts: &[usize]) -> Vec<&'a [u8]> {
    let mut cuts: Vec<usize> = cuts.iter().map(|&c| c.min(input.len())).collect();
    cuts.sort_unstable();
    let mut pieces = Vec::new();
    let mut start = 0;
    for cut in cuts {
        pieces.push(&input[start..cut]);
        start = cut;
    }
    pieces.push(&input[start..]);
    pieces
}

/// `input` one byte at a time.
pub fn bytewise(input: &[u8]) -> Vec<&[u8]> {
    input.chunks(1).collect()
}
