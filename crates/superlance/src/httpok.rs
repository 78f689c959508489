//! httpok as a custom check: the listener calls it for each selected process
//! of a tick, one process at a time; the first call of a tick probes the URL
//! and the others of the same tick reuse that verdict, so one `GET` decides
//! for every selected process, as in superlance.
//!
//! A tick is recognised by supervisord's clock in the process list (`now`,
//! whole seconds, the same for every process of one `getAllProcessInfo`
//! within a second): the listener never starts two rounds less than half a
//! tick period (2.5 s) apart, so a `now` within one second of the last probe's
//! belongs to the same tick.

use std::io::Read;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use supercheck_core::check::verdict::{FailReason, Verdict};
use supercheck_core::process::ProcessState;

use super::transport::Transport;
use super::url_probe::{Expect, HttpUrl, attempts_for, probe};
use supercheck_listener::custom::{Check, ProcessInfo};
use supercheck_notification::Notifier;
use supercheck_runtime::log::Logger;
use supercheck_runtime::log_line;

/// superlance's pause between attempts (`retry_time`, hard-coded there too).
pub const RETRY_PAUSE: Duration = Duration::from_secs(10);
/// Longest a gcore run may take before it is killed.
pub const GCORE_BUDGET: Duration = Duration::from_secs(60);

/// Where cores go and what writes them (`-d`, `-g`).
#[derive(Clone, Debug)]
pub struct Gcore {
    /// The program and its first arguments (`/usr/bin/gcore -o`), split on
    /// whitespace: it is run directly, never through a shell.
    pub argv: Vec<String>,
    /// `-d`.
    pub dir: PathBuf,
}

impl Gcore {
    /// The core file prefix for `group:name`: only `[A-Za-z0-9._-]` survive,
    /// other bytes become `_`, and `:` becomes `-` (no `:` in file names).
    pub fn core_path(&self, group: &str, name: &str) -> PathBuf {
        let safe = |s: &str| -> String {
            s.chars()
                .map(|c| {
                    if c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-') {
                        c
                    } else {
                        '_'
                    }
                })
                .collect()
        };
        let mut file = format!("{}-{}", safe(group), safe(name));
        if file.starts_with('.') {
            file.insert(0, '_');
        }
        self.dir.join(file)
    }

    /// Runs gcore on `pid`, bounded by [`GCORE_BUDGET`]; returns what to log.
    pub fn run(&self, group: &str, name: &str, pid: u32) -> String {
        let Some((program, args)) = self.argv.split_first() else {
            return "no gcore program given".into();
        };
        let path = self.core_path(group, name);
        let child = Command::new(program)
            .args(args)
            .arg(&path)
            .arg(pid.to_string())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn();
        let mut child = match child {
            Ok(child) => child,
            Err(e) => return format!("cannot run {program}: {e}"),
        };
        let reader = child.stdout.take().map(|mut out| {
            std::thread::spawn(move || {
                let mut text = Vec::new();
                let _ = out.by_ref().take(64 * 1024).read_to_end(&mut text);
                String::from_utf8_lossy(&text).into_owned()
            })
        });
        let end = Instant::now() + GCORE_BUDGET;
        let status = loop {
            match child.try_wait() {
                Ok(Some(status)) => break status.to_string(),
                Ok(None) if Instant::now() < end => std::thread::sleep(Duration::from_millis(50)),
                Ok(None) => {
                    let _ = child.kill();
                    let _ = child.wait();
                    break format!("killed after {GCORE_BUDGET:?}");
                }
                Err(e) => break format!("cannot wait for it: {e}"),
            }
        };
        let output = reader.and_then(|r| r.join().ok()).unwrap_or_default();
        format!("{} ({status}): {}", path.display(), output.trim())
    }
}

/// How httpok names itself in notifications.
#[derive(Debug)]
pub struct MailNote {
    /// Sends (or logs, without `-m`/`--webhook`) the throttled notifications.
    pub notifier: Notifier,
    /// `-n`.
    pub name: Option<String>,
}

/// httpok's check.
#[derive(Debug)]
pub struct HttpokCheck {
    url: HttpUrl,
    raw_url: String,
    transport: Transport,
    expect: Expect,
    timeout: Duration,
    attempts: u32,
    gcore: Option<Gcore>,
    mail: MailNote,
    log: Logger,
    /// supervisord's `now` of the tick last probed, and its verdict.
    last: Option<(i64, Verdict)>,
    /// The last failure's specifics (a TLS failure's), for notifications.
    detail: Option<String>,
}

impl HttpokCheck {
    /// A check of `url` (already parsed from `raw_url`) over `transport`.
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        raw_url: String,
        url: HttpUrl,
        transport: Transport,
        expect: Expect,
        timeout_secs: u64,
        gcore: Option<Gcore>,
        mail: MailNote,
        log: Logger,
    ) -> Self {
        Self {
            url,
            raw_url,
            transport,
            expect,
            timeout: Duration::from_secs(timeout_secs),
            attempts: attempts_for(timeout_secs),
            gcore,
            mail,
            log,
            last: None,
            detail: None,
        }
    }

    /// The verdict of this tick's probe, probing on the tick's first call.
    fn tick_verdict(&mut self, now: i64) -> Verdict {
        if let Some((at, verdict)) = self.last {
            if now.abs_diff(at) <= 1 {
                return verdict;
            }
        }
        let outcome = probe(
            &self.url,
            &self.transport,
            &self.expect,
            self.timeout,
            self.attempts,
            RETRY_PAUSE,
        );
        let verdict = outcome.verdict;
        match (verdict, &outcome.detail) {
            (Verdict::Pass, _) => supercheck_runtime::log_detail!(self.log, "{}: ok", self.raw_url),
            (other, Some(detail)) => log_line!(self.log, "{}: {other}: {detail}", self.raw_url),
            (other, None) => log_line!(self.log, "{}: {other}", self.raw_url),
        }
        self.detail = outcome.detail;
        self.last = Some((now, verdict));
        verdict
    }

    /// Notifies (throttled per process) that the URL failed for `process`.
    fn notify(&mut self, process: &ProcessInfo, verdict: Verdict, action: &str) {
        let what = match verdict {
            Verdict::Fail(FailReason::BadStatus { .. }) => "bad status returned",
            Verdict::Fail(FailReason::BodyMismatch) => "bad body returned",
            Verdict::Fail(FailReason::Custom(why)) if why.starts_with("TLS") => "TLS failure",
            _ => "error contacting URL",
        };
        let prefix = match &self.mail.name {
            Some(name) => format!("httpok [{name}]"),
            None => "httpok".into(),
        };
        let subject = format!("{prefix}: {}: {what}", self.raw_url);
        let body = match &self.detail {
            Some(detail) => format!("{what}: {verdict}\n{detail}\n{action}"),
            None => format!("{what}: {verdict}\n{action}"),
        };
        self.mail
            .notifier
            .problem(&process.namespec(), &subject, &body);
    }
}

impl Check for HttpokCheck {
    fn name(&self) -> &str {
        "httpok"
    }

    fn check(&mut self, process: &ProcessInfo) -> Verdict {
        let verdict = self.tick_verdict(process.now);
        if verdict == Verdict::Pass {
            self.mail.notifier.healthy(&process.namespec());
            return verdict;
        }
        if matches!(verdict, Verdict::Error(_)) {
            return verdict;
        }
        let ns = process.namespec();
        if process.state != ProcessState::Running {
            let action = format!("{ns} not in RUNNING state, NOT restarting");
            log_line!(self.log, "{action}");
            self.notify(process, verdict, &action);
            return Verdict::Pass;
        }
        self.notify(process, verdict, &format!("{ns} restarted"));
        if let Some(gcore) = &self.gcore {
            let report = gcore.run(&process.group, &process.name, process.pid);
            log_line!(self.log, "gcore output for {ns}: {report}");
        }
        verdict
    }

    fn timeout(&self) -> Duration {
        let probes = self.timeout.saturating_mul(self.attempts);
        let pauses = RETRY_PAUSE.saturating_mul(self.attempts.saturating_sub(1));
        let gcore = if self.gcore.is_some() {
            GCORE_BUDGET
        } else {
            Duration::ZERO
        };
        probes + pauses + gcore + Duration::from_secs(5)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn core_file_names_have_no_colon_or_path_separator() {
        let g = Gcore {
            argv: vec!["gcore".into()],
            dir: PathBuf::from("/cores"),
        };
        assert_eq!(
            g.core_path("web", "web_1"),
            PathBuf::from("/cores/web-web_1")
        );
        assert_eq!(
            g.core_path("../x", "a b;rm"),
            PathBuf::from("/cores/_.._x-a_b_rm")
        );
    }
}
