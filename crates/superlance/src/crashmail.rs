//! superlance's `crashmail`: a notification for each `PROCESS_STATE_EXITED`
//! with `expected:0` of a selected process.
//!
//! crashmail needs no ticks, timers or XML-RPC, so it runs a plain blocking
//! protocol loop on the engine's event decoder ([`EventInput`]): read an event,
//! act, acknowledge, `READY`. Notifications are sent on their own threads
//! ([`Notifier`]), so the loop never waits for sendmail or the webhook, and
//! they are throttled per process: a crash loop gives a handful of messages.

use std::io::{self, Read, Write};
use std::time::{SystemTime, UNIX_EPOCH};

use supercheck_core::event::LenMode;

use supercheck_cmdline::crashmail::CrashmailOptions;
use supercheck_engine::ACK_AND_READY;
use supercheck_engine::input::{EventInput, Incoming};
use supercheck_notification::Notifier;
use supercheck_runtime::log::Logger;
use supercheck_runtime::log_line;

/// Exit status when the event stream is lost (supervisord restarts us in step).
pub const LOST_STATUS: u8 = 1;

/// Subject and body of the message for a crash, as superlance writes them
/// (without its stray leading space when there is no `-o`).
pub fn crash_message(
    header: Option<&str>,
    group: &str,
    name: &str,
    pid: u32,
    at: SystemTime,
) -> (String, String) {
    let when = crash_time(at);
    let subject = match header {
        Some(h) => format!("{h}: {name} crashed at {when}"),
        None => format!("{name} crashed at {when}"),
    };
    let body = format!(
        "Process {name} in group {group} exited unexpectedly (pid {pid}) from state RUNNING"
    );
    (subject, body)
}

/// `YYYY-mm-dd HH:MM:SS,mmm` in UTC (superlance's `get_asctime`, in local time there).
fn crash_time(at: SystemTime) -> String {
    let since = at.duration_since(UNIX_EPOCH).unwrap_or_default();
    let date = supercheck_runtime::log::timestamp(at).replace('/', "-");
    format!("{date},{:03}", since.subsec_millis())
}

/// Runs the protocol loop until stdin closes; returns the exit status.
pub fn run(options: &CrashmailOptions, mut notifier: Notifier, log: &Logger) -> u8 {
    let stdout = io::stdout();
    let mut out = stdout.lock();
    let stdin = io::stdin();
    let mut input = stdin.lock();
    if let Err(e) = write_flushed(&mut out, supercheck_core::event::READY) {
        log_line!(log, "cannot write to stdout: {e}");
        return LOST_STATUS;
    }
    let mut reader = EventInput::new(LenMode::Chars);
    let mut chunk = [0u8; 8192];
    // Bytes read but not yet taken by the reader (it holds one event at most).
    let mut pending: Vec<u8> = Vec::new();
    loop {
        let taken = reader.push(&pending);
        pending.drain(..taken);
        while let Some(incoming) = reader.next_event() {
            if let Incoming::Lost(error) = &incoming {
                log_line!(
                    log,
                    "protocol error: {error}; exiting so that supervisord restarts the listener in step"
                );
                return LOST_STATUS;
            }
            handle(options, &mut notifier, log, incoming);
            let taken = reader.push(&pending);
            pending.drain(..taken);
            if let Err(e) = write_flushed(&mut out, ACK_AND_READY) {
                log_line!(log, "cannot write to stdout: {e}");
                return LOST_STATUS;
            }
        }
        match input.read(&mut chunk) {
            Ok(0) => {
                log_line!(log, "stdin closed: supervisord is gone");
                return 0;
            }
            Ok(n) => pending.extend_from_slice(chunk.get(..n).unwrap_or_default()),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => {
                log_line!(log, "cannot read stdin: {e}");
                return LOST_STATUS;
            }
        }
    }
}

fn write_flushed(out: &mut impl Write, bytes: &[u8]) -> io::Result<()> {
    out.write_all(bytes)?;
    out.flush()
}

fn handle(options: &CrashmailOptions, notifier: &mut Notifier, log: &Logger, incoming: Incoming) {
    match incoming {
        Incoming::Exited {
            group,
            name,
            pid,
            expected,
        } => {
            let ns = format!("{group}:{name}");
            if expected {
                supercheck_runtime::log_detail!(log, "{ns} exited as expected (pid {pid})");
            } else if !options.selects(&group, &name) {
                supercheck_runtime::log_detail!(
                    log,
                    "{ns} crashed (pid {pid}); not selected by -p"
                );
            } else {
                log_line!(log, "{ns} exited unexpectedly (pid {pid})");
                let (subject, body) = crash_message(
                    options.header.as_deref(),
                    &group,
                    &name,
                    pid,
                    SystemTime::now(),
                );
                notifier.problem(&ns, &subject, &body);
            }
        }
        Incoming::Skipped(error) => log_line!(log, "malformed event skipped: {error}"),
        Incoming::Tick { .. } | Incoming::Other(_) | Incoming::Lost(_) => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn subject_and_body_follow_superlance() {
        let at = UNIX_EPOCH + Duration::from_millis(1_795_322_748_007);
        let (subject, body) = crash_message(None, "g", "web", 42, at);
        assert_eq!(subject, "web crashed at 2026-11-22 04:45:48,007");
        assert_eq!(
            body,
            "Process web in group g exited unexpectedly (pid 42) from state RUNNING"
        );
        let (subject, _) = crash_message(Some("prod"), "g", "web", 42, at);
        assert_eq!(subject, "prod: web crashed at 2026-11-22 04:45:48,007");
    }
}
