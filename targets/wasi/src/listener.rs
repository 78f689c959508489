//! The blocking listener loop: the supervisord event-listener protocol on any
//! `Read`/`Write` pair, so the host tests drive it exactly as WASI does.

use std::io::{self, ErrorKind, Read, Write};

use supercheck_core::event::{Decoded, Decoder, Event, LenMode, READY, RESULT_OK, Resync};

use crate::check::Outcome;

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

/// Bytes read from stdin per `read` call.
const CHUNK: usize = 64 * 1024;

/// Writes `RESULT 2\nOK` then `READY\n` in one write and flushes.
fn ack(out: &mut impl Write) -> io::Result<()> {
    let mut bytes = Vec::with_capacity(RESULT_OK.len() + READY.len());
    bytes.extend_from_slice(RESULT_OK);
    bytes.extend_from_slice(READY);
    out.write_all(&bytes)?;
    out.flush()
}

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
    let decoder = Decoder::new(LenMode::Chars);
    let mut stats = Stats::default();
    let mut buf: Vec<u8> = Vec::new();
    let mut chunk = vec![0u8; CHUNK];
    // Bytes the buffer must hold before decoding again is worthwhile.
    let mut want = 1usize;
    out.write_all(READY)?;
    out.flush()?;
    loop {
        while buf.len() < want {
            let n = match input.read(&mut chunk) {
                Ok(n) => n,
                Err(e) if e.kind() == ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            if n == 0 {
                if buf.is_empty() {
                    return Ok((Ending::Eof, stats));
                }
                let _ = writeln!(
                    log,
                    "supercheck-wasi: stdin closed in the middle of an event ({} bytes dropped)",
                    buf.len()
                );
                return Ok((Ending::Truncated, stats));
            }
            buf.extend_from_slice(chunk.get(..n).unwrap_or_default());
        }
        let consumed = match decoder.decode(&buf) {
            Ok(Decoded::Incomplete { needed }) => {
                want = buf.len().saturating_add(needed.max(1));
                continue;
            }
            Ok(Decoded::Complete {
                header,
                event,
                consumed,
            }) => {
                let serial = header.serial.unwrap_or(0);
                if let Event::Tick(tick) = event {
                    stats.ticks = stats.ticks.saturating_add(1);
                    let outcome = on_tick();
                    match outcome.detail {
                        Some(detail) => {
                            let _ = writeln!(
                                log,
                                "supercheck-wasi: {name}: {} ({detail}) [{} when={} serial={serial}]",
                                outcome.verdict,
                                tick.period.event_name(),
                                tick.when
                            );
                        }
                        None => {
                            let _ = writeln!(
                                log,
                                "supercheck-wasi: {name}: {} [{} when={} serial={serial}]",
                                outcome.verdict,
                                tick.period.event_name(),
                                tick.when
                            );
                        }
                    }
                } else {
                    let _ = writeln!(
                        log,
                        "supercheck-wasi: event {} serial={serial}",
                        event.name()
                    );
                }
                consumed
            }
            Err(e) => match e.resync() {
                Resync::SkipEvent(n) => {
                    stats.skipped = stats.skipped.saturating_add(1);
                    let _ = writeln!(log, "supercheck-wasi: malformed event skipped: {e}");
                    n
                }
                _ => {
                    let _ = writeln!(
                        log,
                        "supercheck-wasi: {e}; cannot find the next event in the stream, exiting so supervisord restarts the listener"
                    );
                    return Ok((Ending::Lost, stats));
                }
            },
        };
        buf.drain(..consumed.min(buf.len()));
        want = 1;
        stats.acknowledged = stats.acknowledged.saturating_add(1);
        ack(&mut out)?;
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

        let mut out = Vec::new();
        let (ending, _) = run(
            "t",
            &b"garbage without newline"[..],
            &mut out,
            &mut log,
            &mut pass,
        )
        .unwrap();
        assert_eq!(ending, Ending::Truncated);
        assert_eq!(out, READY);

        let mut out = Vec::new();
        let (ending, _) = run(
            "t",
            &b"not a header\nmore"[..],
            &mut out,
            &mut log,
            &mut pass,
        )
        .unwrap();
        assert_eq!(ending, Ending::Lost);
        assert_eq!(out, READY);

        let mut out = Vec::new();
        let (ending, _) = run("t", &b""[..], &mut out, &mut log, &mut pass).unwrap();
        assert_eq!(ending, Ending::Eof);
        assert_eq!(out, READY);
    }
}
