//! The first WASI listener's loop: the supervisord event-listener protocol
//! on any `Read`/`Write` pair, events read by the engine's
//! [`EventInput`] (as the drop-in listener reads them), one check per
//! `TICK_*`, every event acknowledged at once.

use std::io::{self, ErrorKind, Read, Write};

use supercheck_core::event::{LenMode, READY};
use supercheck_engine::ACK_AND_READY;
use supercheck_engine::input::{EventInput, Incoming};

use super::check::Outcome;

/// How the loop ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ending {
    /// stdin closed between events (supervisord stopped the listener).
    Eof,
    /// stdin closed in the middle of an event.
    Truncated,
    /// The stream could not be followed after a malformed event; the caller
    /// should exit non-zero so supervisord starts a fresh listener.
    Lost,
}

/// What the loop counted, for logs and tests.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Stats {
    /// Events acknowledged (malformed but skippable ones included).
    pub acknowledged: u64,
    /// `TICK_*` events, each of which ran the check.
    pub ticks: u64,
    /// Malformed events skipped.
    pub skipped: u64,
}

/// Bytes read from stdin per `read` call, at most.
const CHUNK: usize = 64 * 1024;

/// Runs the listener until stdin closes: `READY\n`, then for every event an
/// acknowledgement and the next `READY\n`; `on_tick` runs on `TICK_*` events
/// and its outcome is logged as `<name>: <verdict>`.
///
/// # Errors
/// Only I/O errors on `input` or `out` (a closed stdout, a failing stdin);
/// malformed events are logged and skipped, or end the loop with [`Ending::Lost`].
pub fn run(
    name: &str,
    mut input: impl Read,
    mut out: impl Write,
    log: &mut dyn Write,
    on_tick: &mut dyn FnMut() -> Outcome,
) -> io::Result<(Ending, Stats)> {
    let mut events = EventInput::new(LenMode::Chars);
    let mut stats = Stats::default();
    let mut chunk = vec![0u8; CHUNK];
    out.write_all(READY)?;
    out.flush()?;
    loop {
        let Some(incoming) = events.next_event() else {
            let room = events.room().min(CHUNK);
            let n = match input.read(chunk.get_mut(..room).unwrap_or_default()) {
                Ok(n) => n,
                Err(e) if e.kind() == ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            if n == 0 {
                if events.pending() == 0 {
                    return Ok((Ending::Eof, stats));
                }
                let _ = writeln!(
                    log,
                    "supercheck-wasi: stdin closed in the middle of an event ({} bytes dropped)",
                    events.pending()
                );
                return Ok((Ending::Truncated, stats));
            }
            events.push(chunk.get(..n).unwrap_or_default());
            continue;
        };
        match incoming {
            Incoming::Tick { period, when } => {
                stats.ticks = stats.ticks.saturating_add(1);
                let outcome = on_tick();
                let detail = outcome
                    .detail
                    .map(|detail| format!(" ({detail})"))
                    .unwrap_or_default();
                let _ = writeln!(
                    log,
                    "supercheck-wasi: {name}: {}{detail} [{} when={when}]",
                    outcome.verdict,
                    period.event_name(),
                );
            }
            Incoming::Exited { .. } => {
                let _ = writeln!(log, "supercheck-wasi: event PROCESS_STATE_EXITED");
            }
            Incoming::Other(event) => {
                let _ = writeln!(log, "supercheck-wasi: event {event}");
            }
            Incoming::Skipped(e) => {
                stats.skipped = stats.skipped.saturating_add(1);
                let _ = writeln!(log, "supercheck-wasi: malformed event skipped: {e}");
            }
            Incoming::Lost(e) => {
                let _ = writeln!(
                    log,
                    "supercheck-wasi: {e}; exiting so supervisord restarts the listener"
                );
                return Ok((Ending::Lost, stats));
            }
        }
        stats.acknowledged = stats.acknowledged.saturating_add(1);
        out.write_all(ACK_AND_READY)?;
        out.flush()?;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use supercheck_core::check::verdict::Verdict;

    const VECTORS: &str = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../core/tests/vectors/events"
    );

    fn pass() -> Outcome {
        Outcome {
            verdict: Verdict::Pass,
            detail: None,
        }
    }

    /// A reader that hands out at most `step` bytes per call, to exercise
    /// events split across reads.
    struct Trickle<'a>(&'a [u8], usize);
    impl Read for Trickle<'_> {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            let n = self.1.min(buf.len()).min(self.0.len());
            let (head, tail) = self.0.split_at(n);
            buf[..n].copy_from_slice(head);
            self.0 = tail;
            Ok(n)
        }
    }

    fn expected(events: u64) -> Vec<u8> {
        let mut v = READY.to_vec();
        for _ in 0..events {
            v.extend_from_slice(b"RESULT 2\nOKREADY\n");
        }
        v
    }

    #[test]
    fn stream_bin_is_acknowledged_byte_exact() {
        let input = std::fs::read(format!("{VECTORS}/stream.bin")).unwrap();
        for step in [1, 7, 4096, CHUNK] {
            let mut out = Vec::new();
            let mut log = Vec::new();
            let mut ticks = 0;
            let (ending, stats) = run("t", Trickle(&input, step), &mut out, &mut log, &mut || {
                ticks += 1;
                pass()
            })
            .unwrap();
            assert_eq!(ending, Ending::Eof);
            assert_eq!(stats.acknowledged, 125);
            assert_eq!(stats.skipped, 0);
            assert_eq!(stats.ticks, ticks);
            assert_eq!(out, expected(125), "step {step}");
        }
    }

    #[test]
    fn every_vector_is_one_event() {
        for entry in std::fs::read_dir(VECTORS).unwrap() {
            let path = entry.unwrap().path();
            let file = path.file_name().unwrap().to_string_lossy().to_string();
            if !file.ends_with(".bin") || file == "stream.bin" {
                continue;
            }
            let input = std::fs::read(&path).unwrap();
            let mut out = Vec::new();
            let mut log = Vec::new();
            let (ending, stats) = run("t", &input[..], &mut out, &mut log, &mut pass).unwrap();
            assert_eq!((ending, stats.acknowledged), (Ending::Eof, 1), "{file}");
            assert_eq!(out, expected(1), "{file}");
            let log = String::from_utf8(log).unwrap();
            if file.starts_with("TICK_") {
                assert!(log.contains("t: pass [TICK_"), "{file}: {log}");
            }
        }
    }

    #[test]
    fn malformed_and_truncated_input_never_panics() {
        let bad =
            b"ver:3.0 server:supervisor serial:1 pool:p poolserial:1 eventname:TICK_60 len:3\nabc";
        let mut out = Vec::new();
        let mut log = Vec::new();
        let (ending, stats) = run("t", &bad[..], &mut out, &mut log, &mut pass).unwrap();
        assert_eq!((ending, stats.skipped), (Ending::Eof, 1));
        assert_eq!(out, expected(1));

        for (input, ending) in [
            (&b"garbage without newline"[..], Ending::Truncated),
            (&b"not a header\nmore"[..], Ending::Lost),
            (&b""[..], Ending::Eof),
        ] {
            let mut out = Vec::new();
            let (ended, _) = run("t", input, &mut out, &mut log, &mut pass).unwrap();
            assert_eq!(ended, ending, "{input:?}");
            assert_eq!(out, READY, "{input:?}");
        }
    }
}
