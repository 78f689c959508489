//! Which handler answers a request, and the [`Response`] every handler
//! returns: status, content, and an [`Effect`] on the probe schedule.
//!
//! | path | methods | handler |
//! |---|---|---|
//! | `/` | GET, HEAD | the status page ([`supercheck_frontend::page`]) |
//! | `/health` | GET, HEAD | `application/health+json`, one check per monitor ([`supercheck_frontend::health`]) |
//! | `/metrics` | GET, HEAD | Prometheus text ([`supercheck_frontend::metrics`] plus `supercheck_serve_*`) |
//! | `/v1/monitors...` | see [`super::api`] | JSON API |
//! | `/healthchecker/...` | see [`super::healthchecker`] | HealthCheck.Server's form API |
//!
//! Anything else is 404; a known path with another method is 405 with `Allow`.

use std::fmt::Write as _;

use supercheck_core::check::verdict::VerdictKind;

use super::registry::Registry;
use super::{api, healthchecker};
use supercheck_frontend::server::{Request, reply_bytes};
use supercheck_frontend::state::{CheckRecord, ProcessRecord, Record};
use supercheck_frontend::{FrontendConfig, health, metrics, page};
use supercheck_runtime::timers::TimerId;

/// What a handled request changes in the probe schedule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    /// Nothing.
    None,
    /// Probe this monitor now (it was added or resumed).
    ProbeNow(String),
    /// Cancel this timer (the monitor was paused or removed).
    Cancel(Option<TimerId>),
}

/// A reply to send.
#[derive(Debug, Clone)]
pub struct Response {
    /// The status code.
    pub status: u16,
    /// The `Content-Type`.
    pub content_type: &'static str,
    /// The body.
    pub body: Vec<u8>,
    /// Extra headers.
    pub headers: Vec<(&'static str, String)>,
    /// The change to the probe schedule.
    pub effect: Effect,
}

impl Response {
    /// A reply without extra headers or effect.
    pub fn new(status: u16, content_type: &'static str, body: Vec<u8>) -> Self {
        Self {
            status,
            content_type,
            body,
            headers: Vec::new(),
            effect: Effect::None,
        }
    }

    /// 404.
    pub fn not_found() -> Self {
        Self::new(
            404,
            "text/plain; charset=utf-8",
            b"404 Not Found\n".to_vec(),
        )
    }

    /// 405 with the allowed methods.
    pub fn method_not_allowed(allow: &str) -> Self {
        let mut r = Self::new(
            405,
            "text/plain; charset=utf-8",
            b"405 Method Not Allowed\n".to_vec(),
        );
        r.headers.push(("Allow", allow.to_string()));
        r
    }

    /// The bytes on the wire (the head alone for `HEAD`).
    pub fn to_bytes(&self, head_only: bool) -> Vec<u8> {
        let mut headers: Vec<(&str, &str)> = vec![("Cache-Control", "no-store")];
        headers.extend(self.headers.iter().map(|(k, v)| (*k, v.as_str())));
        reply_bytes(
            self.status,
            self.content_type,
            &headers,
            &self.body,
            head_only,
        )
    }
}

/// Percent-decodes one path segment (`%2F` stays inside the segment).
pub fn decode_segment(segment: &str) -> Option<String> {
    let bytes = segment.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        if b == b'%' {
            let hex = bytes.get(i + 1..i + 3)?;
            let text = std::str::from_utf8(hex).ok()?;
            out.push(u8::from_str_radix(text, 16).ok()?);
            i += 3;
        } else {
            out.push(b);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// Percent-encodes a name for a path segment.
pub fn encode_segment(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for b in name.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

/// The listener's frontend record, made from the monitors: one "process" per
/// monitor (its name), one `http` check each.
pub fn record(registry: &Registry, started: f64) -> Record {
    let mut record = Record::new(vec!["http".into()]);
    record.started = started;
    for (name, m) in registry.monitors() {
        let check = CheckRecord {
            kind: "http".into(),
            last: m.history.back().map(|p| {
                if p.healthy {
                    VerdictKind::Pass
                } else {
                    VerdictKind::Fail
                }
            }),
            output: m.last_output.clone(),
            latency: m.last_duration,
            observed: None,
            time: m.last_check.unwrap_or(0.0),
            passes: m.passes,
            failures: m.failures,
            errors: 0,
            duration_sum: m.duration_sum,
            duration_count: m.duration_count,
        };
        record.processes.insert(
            name.clone(),
            ProcessRecord {
                state: m.state().name(),
                budget_left: None,
                restarts: 0,
                checks: vec![check],
                started: vec![None],
            },
        );
    }
    record
}

/// `supercheck_serve_*` families appended to the listener's metrics.
fn serve_metrics(registry: &Registry) -> String {
    let mut out = String::new();
    let monitors = registry.monitors();
    let _ = writeln!(
        out,
        "# HELP supercheck_serve_monitors Registered monitors.\n# TYPE supercheck_serve_monitors gauge\nsupercheck_serve_monitors {}",
        monitors.len()
    );
    let _ = writeln!(
        out,
        "# HELP supercheck_serve_monitor_paused 1 while a monitor is paused.\n# TYPE supercheck_serve_monitor_paused gauge"
    );
    for (name, m) in monitors {
        let _ = writeln!(
            out,
            "supercheck_serve_monitor_paused{{monitor=\"{}\"}} {}",
            metrics::label(name),
            u8::from(m.paused)
        );
    }
    let _ = writeln!(
        out,
        "# HELP supercheck_serve_transitions_total State changes of a monitor.\n# TYPE supercheck_serve_transitions_total counter"
    );
    for (name, m) in monitors {
        let _ = writeln!(
            out,
            "supercheck_serve_transitions_total{{monitor=\"{}\"}} {}",
            metrics::label(name),
            m.transitions
        );
    }
    out
}

fn frontend(registry: &Registry, config: &FrontendConfig, path: &str, started: f64) -> Response {
    let record = record(registry, started);
    match path {
        "/health" => {
            let description = format!("supercheck serve: {} monitors", registry.monitors().len());
            match health::render(&record, config, &description) {
                Ok(reply) => Response::new(
                    reply.code,
                    supercheck_core::json::health::HEALTH_JSON_MEDIA_TYPE,
                    reply.body,
                ),
                Err(_) => Response::new(500, "text/plain", b"cannot render /health\n".to_vec()),
            }
        }
        "/metrics" => {
            let mut text = metrics::render(&record);
            text.push_str(&serve_metrics(registry));
            Response::new(200, metrics::CONTENT_TYPE, text.into_bytes())
        }
        _ => Response::new(
            200,
            page::CONTENT_TYPE,
            page::render(&record, "supercheck serve").into_bytes(),
        ),
    }
}

/// Answers `request`.
pub fn route(
    registry: &mut Registry,
    config: &FrontendConfig,
    started: f64,
    request: &Request,
) -> Response {
    let method = request.method.as_str();
    let read_only = matches!(method, "GET" | "HEAD");
    let path = request.path.as_str();
    match path {
        "/" | "/health" | "/metrics" if read_only => frontend(registry, config, path, started),
        "/" | "/health" | "/metrics" => Response::method_not_allowed("GET, HEAD"),
        _ => {
            if let Some(rest) = path
                .strip_prefix("/v1/monitors")
                .filter(|r| r.is_empty() || r.starts_with('/'))
            {
                let segments: Option<Vec<String>> =
                    rest.split('/').skip(1).map(decode_segment).collect();
                return match segments {
                    Some(segments) if segments.iter().all(|s| !s.is_empty()) => {
                        api::handle(registry, method, &segments, &request.body)
                    }
                    _ => Response::not_found(),
                };
            }
            match path.strip_prefix("/healthchecker/") {
                Some(action) if !action.contains('/') => healthchecker::handle(
                    registry,
                    method,
                    action,
                    request.query.as_deref(),
                    request.content_type.as_deref(),
                    &request.body,
                ),
                _ => Response::not_found(),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn segments_round_trip_through_percent_encoding() {
        let name = "My App/1 ü";
        assert_eq!(decode_segment(&encode_segment(name)).as_deref(), Some(name));
        assert_eq!(decode_segment("a%2"), None);
        assert_eq!(decode_segment("%FF"), None);
    }
}
