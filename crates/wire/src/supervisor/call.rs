//! Non-blocking XML-RPC calls to supervisord, and their typed results.
//!
//! A call is an [`Exchange`] the event loop drives; when it completes, the
//! functions here read the reply with the core's XML-RPC parser. Every failure
//! is a [`CallError`] value: supervisord being down, restarting or refusing our
//! credentials is reported and survived, never turned into a restart.

use std::fmt;
use std::io;

use supercheck_core::http::{BasicAuth, BodyLimits, Request};
use supercheck_core::rpc::{FaultCode, ReplyError, Response, SupervisorCall, Text};
use supercheck_core::wire::Writer;

use super::server_url::ServerUrl;
use crate::endpoint::Endpoint;
use crate::exchange::{self, BodySink, Exchange, ExchangeError, Transport};

/// Largest reply accepted from supervisord (getAllProcessInfo of a big fleet).
const MAX_REPLY: u64 = 32 * 1024 * 1024;

/// One process as `getAllProcessInfo` describes it, owned (the engine's [`Process`](supercheck_engine::Process)).
pub use supercheck_engine::Process as ProcessSnapshot;

/// Why a call to supervisord did not give an answer.
#[derive(Debug)]
pub enum CallError {
    /// The request could not even be encoded (a name too long, bad bytes).
    Encode(String),
    /// Connecting, sending or receiving failed.
    Transport(ExchangeError),
    /// No answer within the timeout.
    Timeout(exchange::Phase),
    /// supervisord answered with an HTTP error (401: bad or missing credentials).
    Http(u16),
    /// The reply is not the XML-RPC answer expected.
    Malformed(String),
    /// supervisord answered with a fault.
    Fault {
        /// The fault code.
        code: FaultCode,
        /// The fault string (`BAD_NAME: web:web_1`).
        text: String,
    },
}

impl CallError {
    /// The fault code, when supervisord answered with a fault.
    pub fn fault(&self) -> Option<FaultCode> {
        match self {
            CallError::Fault { code, .. } => Some(*code),
            _ => None,
        }
    }
}

impl fmt::Display for CallError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CallError::Encode(e) => write!(f, "cannot encode the call: {e}"),
            CallError::Transport(e) => write!(f, "supervisord unreachable: {e}"),
            CallError::Timeout(phase) => write!(f, "supervisord did not answer in time ({phase})"),
            CallError::Http(401) => f.write_str("supervisord refused our credentials (HTTP 401): set SUPERVISOR_USERNAME and SUPERVISOR_PASSWORD"),
            CallError::Http(code) => write!(f, "supervisord answered HTTP {code}"),
            CallError::Malformed(e) => write!(f, "unreadable reply from supervisord: {e}"),
            CallError::Fault { text, .. } => write!(f, "supervisord fault {text}"),
        }
    }
}

impl std::error::Error for CallError {}

/// Starts `call` against the supervisord at `url`: connects (with `connect`,
/// the driver's kind of stream) and returns the
/// exchange for the event loop to drive. The reply goes to `sink`: kept whole
/// for a short answer, or read as it arrives (the process list).
///
/// # Errors
/// [`CallError::Encode`] or an immediate connect failure.
pub fn start_call<S: Transport>(
    url: &ServerUrl,
    call: &SupervisorCall<'_>,
    sink: BodySink,
    connect: impl FnOnce(&Endpoint) -> io::Result<S>,
) -> Result<Exchange<S>, CallError> {
    let request = encode_request(url, call)?;
    let stream = connect(&url.endpoint).map_err(connect_error)?;
    let limits = BodyLimits {
        max_body: MAX_REPLY,
        ..BodyLimits::default()
    };
    Ok(Exchange::new(stream, request, sink, limits))
}

/// The HTTP request bytes for `call`.
///
/// # Errors
/// [`CallError::Encode`] when a name cannot be encoded.
pub fn encode_request(url: &ServerUrl, call: &SupervisorCall<'_>) -> Result<Vec<u8>, CallError> {
    let mut body = vec![0u8; 1024];
    let body_len = loop {
        let mut w = Writer::new(&mut body);
        match call.encode(&mut w) {
            Ok(()) => break w.len(),
            Err(_) if body.len() < 1 << 20 => body.resize(body.len() * 4, 0),
            Err(e) => return Err(CallError::Encode(e.to_string())),
        }
    };
    let body = body.get(..body_len).unwrap_or_default();
    let auth = url
        .credentials
        .as_ref()
        .map(|(user, password)| BasicAuth { user, password });
    let request = Request::post(&url.path, &url.host, url.port)
        .user_agent("supercheck")
        .content_type("text/xml")
        .basic_auth(auth)
        .body(body);
    let mut out = vec![0u8; body_len + 512 + url.path.len() + url.host.len()];
    let mut w = Writer::new(&mut out);
    request
        .encode(&mut w)
        .map_err(|e| CallError::Encode(e.to_string()))?;
    let len = w.len();
    out.truncate(len);
    Ok(out)
}

/// Turns a finished exchange into the reply body, or the error it was.
///
/// # Errors
/// Transport failures and HTTP errors.
pub fn reply_body(
    outcome: Result<exchange::Response, ExchangeError>,
) -> Result<Vec<u8>, CallError> {
    let response = outcome.map_err(CallError::Transport)?;
    if response.status != 200 {
        return Err(CallError::Http(response.status));
    }
    Ok(response.body)
}

/// The decoded text of `t`, owned.
pub(super) fn text(t: &Text<'_>) -> String {
    // Names need no decoding: one allocation of the right size.
    t.as_plain()
        .map_or_else(|| t.chars().collect(), str::to_owned)
}

/// The [`CallError`] a reply error is.
pub(super) fn reply_error(e: ReplyError<'_>) -> CallError {
    match e {
        ReplyError::Fault(fault) => CallError::Fault {
            code: fault.code,
            text: text(&fault.string),
        },
        ReplyError::Invalid(e) => CallError::Malformed(e.to_string()),
        other => CallError::Malformed(format!("{other:?}")),
    }
}

/// Reads the reply of a call whose value does not matter (`stopProcess`,
/// `startProcess`): success, or the fault.
///
/// # Errors
/// A fault or a malformed reply.
pub fn parse_ack(body: &[u8]) -> Result<(), CallError> {
    match Response::parse(body) {
        Ok(Response::Value(_)) => Ok(()),
        Ok(Response::Fault(fault)) => Err(CallError::Fault {
            code: fault.code,
            text: text(&fault.string),
        }),
        Ok(other) => Err(CallError::Malformed(format!("{other:?}"))),
        Err(e) => Err(CallError::Malformed(e.to_string())),
    }
}

/// Maps an I/O error from the first connect to a [`CallError`].
pub fn connect_error(e: io::Error) -> CallError {
    CallError::Transport(ExchangeError::Io(exchange::Phase::Connect, e))
}
