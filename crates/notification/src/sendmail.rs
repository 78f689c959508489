//! Mail through a sendmail program, run with an argument vector (never a
//! shell), the message on its stdin.
//!
//! Sending never blocks the caller: a short-lived thread spawns the program,
//! writes the message, and waits for it (killing it after [`SENDMAIL_BUDGET`]),
//! so the child is always reaped. The listener's SIGCHLD handling only waits
//! for its own exec-check children by pid, so it never takes this status.

use std::io::Write;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use supercheck_core::json::health::UtcDateTime;
use supercheck_runtime::log::Logger;

/// The longest a sendmail program may run before it is killed.
pub const SENDMAIL_BUDGET: Duration = Duration::from_secs(30);

/// A mail transport: `argv` (e.g. `/usr/sbin/sendmail -t -i`), sender and recipient.
#[derive(Clone, Debug)]
pub struct Mailer {
    /// The program and its arguments (split on whitespace).
    pub argv: Vec<String>,
    /// `To:`.
    pub to: String,
    /// `From:` (`<tool>@<hostname>` by default).
    pub from: String,
}

impl Mailer {
    /// A mailer running `command` (split on whitespace) for `to`, from `tool@<hostname>`.
    pub fn new(command: &str, to: &str, tool: &str) -> Self {
        Self {
            argv: command.split_whitespace().map(str::to_string).collect(),
            to: to.to_string(),
            from: format!("{tool}@{}", hostname()),
        }
    }

    /// The whole message (headers, blank line, body), CRLF-free as sendmail expects.
    pub fn message(&self, subject: &str, body: &str, now: SystemTime) -> String {
        let secs = now
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or_default();
        format!(
            "To: {}\nFrom: {}\nSubject: {}\nDate: {}\nMessage-ID: {}\n\n{}\n",
            one_line(&self.to),
            one_line(&self.from),
            one_line(subject),
            rfc5322_date(secs),
            message_id(now),
            body
        )
    }

    /// Sends `subject`/`body` in the background; failures are logged.
    pub fn send(&self, subject: &str, body: &str, log: &Logger) {
        let message = self.message(subject, body, SystemTime::now());
        let argv = self.argv.clone();
        let thread_log = log.clone();
        let spawned = std::thread::Builder::new()
            .name("sendmail".into())
            .spawn(move || match run(&argv, &message) {
                Ok(status) => {
                    supercheck_runtime::log_detail!(thread_log, "mail handed to {argv:?}: {status}")
                }
                Err(e) => {
                    supercheck_runtime::log_line!(thread_log, "mail through {argv:?} failed: {e}")
                }
            });
        if let Err(e) = spawned {
            supercheck_runtime::log_line!(log, "cannot start the mail thread: {e}");
        }
    }
}

/// Runs `argv` with `message` on stdin, waiting at most [`SENDMAIL_BUDGET`].
///
/// # Errors
/// A description of what failed (no program, spawn, write, killed, exit status).
pub fn run(argv: &[String], message: &str) -> Result<String, String> {
    let (program, args) = argv.split_first().ok_or("empty sendmail command")?;
    let mut child = Command::new(program)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .map_err(|e| format!("cannot run it: {e}"))?;
    let written = child
        .stdin
        .take()
        .map(|mut stdin| stdin.write_all(message.as_bytes()));
    // stdin is dropped (closed) here, so the program sees the end of the message.
    let end = Instant::now() + SENDMAIL_BUDGET;
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if Instant::now() < end => std::thread::sleep(Duration::from_millis(20)),
            Ok(None) => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(format!("killed after {SENDMAIL_BUDGET:?}"));
            }
            Err(e) => return Err(format!("cannot wait for it: {e}")),
        }
    };
    if let Some(Err(e)) = written {
        return Err(format!("cannot write the message: {e} ({status})"));
    }
    if status.success() {
        Ok(status.to_string())
    } else {
        Err(status.to_string())
    }
}

/// Header values on one line (a newline would start a new header).
fn one_line(text: &str) -> String {
    text.replace(['\r', '\n'], " ")
}

/// This machine's name (`localhost` when unknown).
pub fn hostname() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .ok()
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "localhost".into())
}

fn message_id(now: SystemTime) -> String {
    static SEQUENCE: AtomicU64 = AtomicU64::new(0);
    let nanos = now
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or_default();
    let n = SEQUENCE.fetch_add(1, Ordering::Relaxed);
    format!("<{nanos}.{}.{n}@{}>", std::process::id(), hostname())
}

/// `secs` since the epoch as an RFC 5322 date in UTC: `Sun, 22 Nov 2026 04:45:48 +0000`
/// (the civil date from the core's [`UtcDateTime`]).
pub fn rfc5322_date(secs: u64) -> String {
    const DAYS: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"];
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let Some(t) = i64::try_from(secs)
        .ok()
        .and_then(UtcDateTime::from_unix_secs)
    else {
        return "Thu, 01 Jan 1970 00:00:00 +0000".into();
    };
    let weekday = DAYS
        .get((secs / 86_400 % 7) as usize)
        .copied()
        .unwrap_or("Thu");
    let month_name = MONTHS
        .get(usize::from(t.month.saturating_sub(1)))
        .copied()
        .unwrap_or("Jan");
    format!(
        "{weekday}, {:02} {month_name} {} {:02}:{:02}:{:02} +0000",
        t.day, t.year, t.hour, t.minute, t.second
    )
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_rfc5322_in_utc() {
        assert_eq!(rfc5322_date(0), "Thu, 01 Jan 1970 00:00:00 +0000");
        assert_eq!(rfc5322_date(951_782_400), "Tue, 29 Feb 2000 00:00:00 +0000");
        assert_eq!(
            rfc5322_date(1_795_322_748),
            "Sun, 22 Nov 2026 04:45:48 +0000"
        );
    }

    #[test]
    fn message_has_the_headers_and_no_header_injection() {
        let mailer = Mailer {
            argv: vec!["true".into()],
            to: "ops@example.com".into(),
            from: "httpok@host".into(),
        };
        let text = mailer.message("a\nBcc: evil", "the body", UNIX_EPOCH);
        let (head, body) = text.split_once("\n\n").unwrap();
        assert!(head.starts_with("To: ops@example.com\nFrom: httpok@host\n"));
        assert!(head.contains("\nSubject: a Bcc: evil\n"));
        assert!(head.contains("\nDate: Thu, 01 Jan 1970 00:00:00 +0000\n"));
        assert!(head.contains("\nMessage-ID: <"));
        assert_eq!(body, "the body\n");
    }

    #[test]
    fn program_runs_without_a_shell_and_reports_its_status() {
        let ok = run(&["cat".into()], "hello");
        assert!(ok.is_ok(), "{ok:?}");
        let failed = run(&["false".into()], "x");
        assert!(failed.is_err());
        // `;` is an argument, not a shell separator.
        let no_shell = run(&["test".into(), "a;".into(), "=".into(), "a;".into()], "");
        assert!(no_shell.is_ok(), "{no_shell:?}");
        assert!(run(&[], "x").is_err());
    }
}
