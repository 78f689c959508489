//! One probe of one monitor on the server's loop: an optional name lookup,
//! then a `GET` over a non-blocking stream ([`supercheck_runtime::exchange`]), bounded by
//! the monitor's timeout. Only the status code matters; the body is read and
//! dropped (at most [`MAX_BODY`] bytes: a larger one fails the probe).

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use supercheck_core::check::verdict::{FailReason, Verdict};
use supercheck_core::http::{BodyLimits, Connection, Request};
use supercheck_core::time::Duration as CoreDuration;
use supercheck_core::wire::Writer;

use super::monitor::Outcome;
use super::spec::MonitorSpec;
use supercheck_runtime::endpoint::{Connect, Endpoint, Stream};
use supercheck_runtime::exchange::{BodySink, Exchange, ExchangeError, Phase};
use supercheck_runtime::timers::TimerId;
use supercheck_wire::http_url::HttpUrl;

/// The most body bytes a probe reads.
pub const MAX_BODY: u64 = 1024 * 1024;

/// Where a probe is.
pub enum Stage {
    /// Waiting for the name lookup.
    Resolving,
    /// Exchanging with the target.
    Exchange(Box<Exchange>),
}

/// A probe in flight.
pub struct Probe {
    /// The monitor's name.
    pub monitor: String,
    /// The monitor's generation when the probe started.
    pub generation: u64,
    /// When it started.
    pub started: Instant,
    /// Its deadline on the server's timers.
    pub deadline: Option<TimerId>,
    /// Where it is.
    pub stage: Stage,
}

/// The request bytes for `url`.
///
/// # Errors
/// A URL the request encoder refuses (it was validated at registration, so
/// this is never expected).
pub fn request_bytes(url: &HttpUrl) -> Result<Vec<u8>, String> {
    let mut buf = vec![0u8; 1024 + url.target.len() + url.host.len()];
    let mut w = Writer::new(&mut buf);
    Request::get(&url.target, &url.host, url.port)
        .user_agent("supercheck-serve")
        .connection(Connection::Close)
        .encode(&mut w)
        .map_err(|e| format!("cannot encode the request: {e}"))?;
    Ok(w.written().to_vec())
}

/// Connects to `addr` and prepares the exchange.
///
/// # Errors
/// An immediate connect failure.
pub fn connect(addr: SocketAddr, url: &HttpUrl) -> Result<Exchange, String> {
    let request = request_bytes(url)?;
    let stream: Stream = Endpoint::Tcp(addr)
        .connect()
        .map_err(|e| format!("cannot connect to {addr}: {e}"))?;
    let limits = BodyLimits {
        max_body: MAX_BODY,
        ..BodyLimits::default()
    };
    Ok(Exchange::new(stream, request, BodySink::Discard, limits))
}

/// The outcome of a response with `status`.
pub fn answered(spec: &MonitorSpec, status: u16, duration: Duration) -> Outcome {
    let healthy = spec.healthy_status(status);
    Outcome {
        code: status,
        problem: (!healthy).then(|| format!("HTTP {status}")),
        verdict: if healthy {
            Verdict::Pass
        } else {
            Verdict::Fail(FailReason::BadStatus { code: status })
        },
        duration,
    }
}

/// The outcome of a probe that got no usable response.
pub fn failed(reason: FailReason, problem: String, duration: Duration) -> Outcome {
    Outcome {
        code: 0,
        problem: Some(problem),
        verdict: Verdict::Fail(reason),
        duration,
    }
}

/// The outcome of an exchange error: the listener's http verdict for it
/// (refused, reset, garbage, a TLS failure...), with the error as the problem.
pub fn exchange_failed(error: &ExchangeError, duration: Duration) -> Outcome {
    Outcome {
        code: 0,
        problem: Some(error.to_string()),
        verdict: supercheck_runtime::probe::net::failure_verdict(
            error,
            &supercheck_runtime::probe::net::Judge::Connect,
        ),
        duration,
    }
}

/// The outcome of a probe whose time ran out in `phase` (`None`: during the lookup).
pub fn timed_out(phase: Option<Phase>, timeout: Duration, duration: Duration) -> Outcome {
    let after = CoreDuration::from_millis(u64::try_from(timeout.as_millis()).unwrap_or(u64::MAX));
    let (reason, what) = match phase {
        None => (FailReason::ConnectTimeout { after }, "resolving the name"),
        Some(Phase::Connect) => (FailReason::ConnectTimeout { after }, "connecting"),
        Some(_) => (
            FailReason::ResponseTimeout { after },
            "waiting for the response",
        ),
    };
    failed(
        reason,
        format!("timed out after {}s {what}", timeout.as_secs()),
        duration,
    )
}
