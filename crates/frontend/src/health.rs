//! `GET /health`: the IETF `application/health+json` document
//! (draft-inadarei-api-health-check-06), cached like Runscope's healthcheck.
//!
//! ## Keys
//! The draft's check keys are `component:measurement` and neither part may
//! contain `:`, which supervisord uses between group and process name. The
//! component is therefore the namespec with `:` replaced by `.`
//! (`web.web_8101`), the measurement is the check's kind (`http`, `memory`,
//! a custom check's name), and the entry's `componentId` keeps the exact
//! namespec (`web:web_8101`).
//!
//! ## Status of an entry
//! - the latest verdict passed: `pass`;
//! - it failed and the process is unhealthy (over its failure threshold,
//!   backing off, or given up on): `fail`;
//! - it failed but the process is not unhealthy yet (below the threshold, in
//!   its start grace, or just restarted and waiting for verdicts): `warn`;
//! - the checker could not run (a checker error, never the service's fault): `warn`.
//!
//! The overall status is the worst entry; with no verdict yet it is `warn`
//! ("no process checked yet"). A passing document is reused for the pass
//! TTL, a warn or fail one for the fail TTL (27 s and 9 s by default).

use std::time::{Duration, Instant};

use supercheck_core::check::verdict::VerdictKind;
use supercheck_core::json::health::{
    CheckEntry, HealthDocument, HealthError, HealthHead, HealthStatus, ObservedValue,
};
use supercheck_core::wire::Writer;

use super::FrontendConfig;
use super::state::{CheckRecord, Observed, ProcessRecord, Record};

/// A rendered `/health` answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HealthReply {
    /// The overall status.
    pub status: HealthStatus,
    /// The HTTP status code for it.
    pub code: u16,
    /// The document.
    pub body: Vec<u8>,
}

/// The cached `/health` answer.
#[derive(Debug, Default)]
pub struct HealthCache {
    cached: Option<(HealthReply, Instant)>,
}

impl HealthCache {
    /// The cached answer while it is fresh, else `render()`'s (cached for its
    /// TTL). Also returns the seconds the answer stays fresh.
    ///
    /// # Errors
    /// A document that cannot be written.
    pub fn get(
        &mut self,
        config: &FrontendConfig,
        render: impl FnOnce() -> Result<HealthReply, HealthError>,
    ) -> Result<(HealthReply, u64), HealthError> {
        let now = Instant::now();
        if let Some((reply, expires)) = &self.cached {
            if *expires >= now {
                return Ok((reply.clone(), expires.duration_since(now).as_secs()));
            }
        }
        let reply = render()?;
        let ttl = match reply.status {
            HealthStatus::Pass => config.ttl_pass,
            HealthStatus::Warn | HealthStatus::Fail => config.ttl_fail,
        };
        self.cached = (ttl > Duration::ZERO).then(|| (reply.clone(), now + ttl));
        Ok((reply, ttl.as_secs()))
    }
}

fn key_part(text: &str) -> String {
    let part = text.replace(':', ".");
    if part.is_empty() {
        "check".to_string()
    } else {
        part
    }
}

fn entry_status(process: &ProcessRecord, check: &CheckRecord) -> Option<HealthStatus> {
    Some(match check.last? {
        VerdictKind::Pass => HealthStatus::Pass,
        VerdictKind::Fail if matches!(process.state, "unhealthy" | "backoff" | "gave_up") => {
            HealthStatus::Fail
        }
        VerdictKind::Fail | VerdictKind::Error => HealthStatus::Warn,
    })
}

fn observed(check: &CheckRecord) -> Option<(ObservedValue<'static>, &'static str)> {
    match check.observed {
        Some(Observed::RssKib(kib)) => Some((
            ObservedValue::Int(i64::try_from(kib).unwrap_or(i64::MAX)),
            "KiB",
        )),
        Some(Observed::AgeSecs(secs)) => Some((
            ObservedValue::Int(i64::try_from(secs).unwrap_or(i64::MAX)),
            "s",
        )),
        None => check.latency.map(|d| {
            // Milliseconds to the microsecond: `12.345`.
            let micros = i64::try_from(d.as_micros()).unwrap_or(i64::MAX);
            (
                ObservedValue::Decimal {
                    value: micros,
                    decimals: 3,
                },
                "ms",
            )
        }),
    }
}

/// Renders the document for `record`.
///
/// # Errors
/// A name that cannot be a key (never happens: `:` is replaced) or a time out of range.
pub fn render(
    record: &Record,
    config: &FrontendConfig,
    description: &str,
) -> Result<HealthReply, HealthError> {
    let entries: Vec<(&String, &ProcessRecord, &CheckRecord, HealthStatus)> = record
        .sorted()
        .into_iter()
        .flat_map(|(name, p)| {
            p.checks
                .iter()
                .filter_map(move |c| entry_status(p, c).map(|s| (name, p, c, s)))
        })
        .collect();
    let status = entries
        .iter()
        .map(|e| e.3)
        .max()
        .unwrap_or(HealthStatus::Warn);
    let not_passing = entries.iter().filter(|e| e.3 != HealthStatus::Pass).count();
    let output = if entries.is_empty() {
        "no process checked yet".to_string()
    } else {
        format!("{not_passing} of {} checks not passing", entries.len())
    };
    let mut size = 16 * 1024;
    loop {
        let mut buf = vec![0u8; size];
        match write(&mut buf, status, &output, description, &entries) {
            Ok(len) => {
                buf.truncate(len);
                return Ok(HealthReply {
                    status,
                    code: config.health_codes.for_status(status),
                    body: buf,
                });
            }
            Err(HealthError::Overflow) if size < 64 * 1024 * 1024 => size *= 4,
            Err(e) => return Err(e),
        }
    }
}

fn write(
    buf: &mut [u8],
    status: HealthStatus,
    output: &str,
    description: &str,
    entries: &[(&String, &ProcessRecord, &CheckRecord, HealthStatus)],
) -> Result<usize, HealthError> {
    let mut w = Writer::new(buf);
    let head = HealthHead {
        release_id: Some(env!("CARGO_PKG_VERSION")),
        output: Some(output),
        description: Some(description),
        ..HealthHead::new(status)
    };
    let mut checks = HealthDocument::begin(&mut w, &head)?.checks()?;
    for (name, _, check, status) in entries {
        let component = key_part(name);
        let measurement = key_part(&check.kind);
        let mut array = checks.begin_check(Some(&component), Some(&measurement))?;
        let observed = observed(check);
        #[allow(clippy::cast_possible_truncation)]
        let time = check.time as i64;
        array.entry(&CheckEntry {
            component_id: Some(name),
            component_type: Some("component"),
            observed_value: observed.map(|o| o.0),
            observed_unit: observed.map(|o| o.1),
            time: Some(time),
            output: check.output.as_deref(),
            ..CheckEntry::new(*status)
        })?;
        checks = array.end_check()?;
    }
    let links = [("self", "/health")];
    checks.finish(&links)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::SocketAddr;
    use supercheck_core::check::verdict::{FailReason, Verdict};

    fn config() -> FrontendConfig {
        FrontendConfig::new(SocketAddr::from(([127, 0, 0, 1], 0)))
    }

    #[test]
    fn failing_below_threshold_warns_and_unhealthy_fails() {
        let mut record = Record::new(vec!["http".into()]);
        record.verdict("web:a", 0, Verdict::Pass);
        record.verdict(
            "web:b",
            0,
            Verdict::Fail(FailReason::BadStatus { code: 500 }),
        );
        record.machine("web:b", "degraded", None);
        let reply = render(&record, &config(), "test").unwrap();
        assert_eq!((reply.status, reply.code), (HealthStatus::Warn, 200));
        let body = String::from_utf8(reply.body).unwrap();
        assert!(
            body.contains(r#""web.a:http":[{"componentId":"web:a""#),
            "{body}"
        );
        record.machine("web:b", "unhealthy", None);
        let reply = render(&record, &config(), "test").unwrap();
        assert_eq!((reply.status, reply.code), (HealthStatus::Fail, 503));
    }

    #[test]
    fn nothing_checked_yet_is_a_warning() {
        let reply = render(&Record::new(vec![]), &config(), "test").unwrap();
        assert_eq!(reply.status, HealthStatus::Warn);
    }

    #[test]
    fn cache_reuses_until_the_ttl_passes_and_zero_disables_it() {
        let mut cache = HealthCache::default();
        let reply = |n: u8| HealthReply {
            status: HealthStatus::Pass,
            code: 200,
            body: vec![n],
        };
        let cfg = config();
        assert_eq!(cache.get(&cfg, || Ok(reply(1))).unwrap().0.body, [1]);
        assert_eq!(cache.get(&cfg, || Ok(reply(2))).unwrap().0.body, [1]);
        let off = FrontendConfig {
            ttl_pass: Duration::ZERO,
            ..config()
        };
        let mut cache = HealthCache::default();
        assert_eq!(cache.get(&off, || Ok(reply(1))).unwrap().0.body, [1]);
        assert_eq!(cache.get(&off, || Ok(reply(2))).unwrap().0.body, [2]);
    }
}
