//! The event encoder: writes an [`Event`] as supervisord would send it, header
//! line with every standard key, then the payload. Used by tests, benches,
//! fuzz seeds and simulated supervisords.
//!
//! The encoder writes what it is given; values that break the grammar (a
//! `\n` in a name, a space followed by a `:` inside a value) do not round-trip.

use super::kinds::{Event, SupervisorState};
use super::length::LenMode;
use super::reply::decimal;
use crate::wire::{Overflow, Writer};

/// The header fields of an encoded event other than `eventname` and `len`,
/// which come from the event. `ver` is always `3.0`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Envelope<'a> {
    /// `server`: the supervisord identifier.
    pub server: &'a str,
    /// `serial`: the global event serial.
    pub serial: u64,
    /// `pool`: the listener pool name.
    pub pool: &'a str,
    /// `poolserial`: the serial within the pool.
    pub poolserial: u64,
}

impl Default for Envelope<'_> {
    /// `server:supervisor serial:0 pool:listener poolserial:0`.
    fn default() -> Self {
        Self {
            server: "supervisor",
            serial: 0,
            pool: "listener",
            poolserial: 0,
        }
    }
}

/// Writes `event` as one header line and payload, with `len` counted in `mode`.
///
/// In [`LenMode::Chars`] the data bytes of the event should be UTF-8: `len`
/// counts the bytes that do not continue a UTF-8 sequence.
///
/// # Errors
/// [`Overflow`] (nothing written) when the event does not fit in `out`.
pub fn encode_event(
    out: &mut Writer<'_>,
    envelope: &Envelope<'_>,
    event: &Event<'_>,
    mode: LenMode,
) -> Result<(), Overflow> {
    let mut payload = Tally::default();
    emit_payload(&mut payload, event)?;
    let len = match mode {
        LenMode::Chars => payload.chars,
        LenMode::Bytes => payload.bytes,
    };
    let mut header = Tally::default();
    emit_header(&mut header, envelope, event.name(), len)?;
    if out.remaining() < header.bytes.saturating_add(payload.bytes) {
        return Err(Overflow);
    }
    emit_header(out, envelope, event.name(), len)?;
    emit_payload(out, event)
}

/// Where encoded bytes go: the output, or a counter measuring them first.
trait Sink {
    fn put(&mut self, bytes: &[u8]) -> Result<(), Overflow>;

    fn put_u64(&mut self, n: u64) -> Result<(), Overflow> {
        let mut digits = [0u8; 20];
        self.put(decimal(n, &mut digits))
    }

    fn field(&mut self, key: &str, value: &[u8]) -> Result<(), Overflow> {
        self.put(key.as_bytes())?;
        self.put(b":")?;
        self.put(value)
    }

    fn number(&mut self, key: &str, n: u64) -> Result<(), Overflow> {
        self.put(key.as_bytes())?;
        self.put(b":")?;
        self.put_u64(n)
    }
}

impl Sink for Writer<'_> {
    fn put(&mut self, bytes: &[u8]) -> Result<(), Overflow> {
        Writer::put(self, bytes)
    }
}

/// Counts bytes and UTF-8 characters instead of writing them.
#[derive(Default)]
struct Tally {
    bytes: usize,
    chars: usize,
}

impl Sink for Tally {
    fn put(&mut self, bytes: &[u8]) -> Result<(), Overflow> {
        self.bytes = self.bytes.checked_add(bytes.len()).ok_or(Overflow)?;
        self.chars = self.chars.saturating_add(LenMode::Chars.count(bytes));
        Ok(())
    }
}

fn emit_header(
    out: &mut impl Sink,
    envelope: &Envelope<'_>,
    eventname: &str,
    len: usize,
) -> Result<(), Overflow> {
    out.put(b"ver:3.0 ")?;
    out.field("server", envelope.server.as_bytes())?;
    out.put(b" ")?;
    out.number("serial", envelope.serial)?;
    out.put(b" ")?;
    out.field("pool", envelope.pool.as_bytes())?;
    out.put(b" ")?;
    out.number("poolserial", envelope.poolserial)?;
    out.put(b" ")?;
    out.field("eventname", eventname.as_bytes())?;
    out.put(b" ")?;
    out.number("len", len as u64)?;
    out.put(b"\n")
}

fn emit_payload(out: &mut impl Sink, event: &Event<'_>) -> Result<(), Overflow> {
    match event {
        Event::ProcessState(change) => {
            out.field("processname", change.process.name.as_bytes())?;
            out.put(b" ")?;
            out.field("groupname", change.process.group.as_bytes())?;
            out.put(b" ")?;
            out.field("from_state", change.from_state.name().as_bytes())?;
            use super::process_state::NewState;
            match change.to {
                NewState::Starting { tries } | NewState::Backoff { tries } => {
                    out.put(b" ")?;
                    out.number("tries", u64::from(tries))
                }
                NewState::Running { pid }
                | NewState::Stopping { pid }
                | NewState::Stopped { pid } => {
                    out.put(b" ")?;
                    out.number("pid", u64::from(pid))
                }
                NewState::Exited { expected, pid } => {
                    out.put(b" ")?;
                    out.number("expected", u64::from(expected))?;
                    out.put(b" ")?;
                    out.number("pid", u64::from(pid))
                }
                NewState::Fatal | NewState::Unknown => Ok(()),
            }
        }
        Event::ProcessLog(output) | Event::ProcessCommunication(output) => {
            out.field("processname", output.process.name.as_bytes())?;
            out.put(b" ")?;
            out.field("groupname", output.process.group.as_bytes())?;
            out.put(b" ")?;
            out.number("pid", u64::from(output.pid))?;
            if let Event::ProcessLog(_) = event {
                out.put(b" ")?;
                out.field("channel", output.channel.as_str().as_bytes())?;
            }
            out.put(b"\n")?;
            out.put(output.data)
        }
        Event::RemoteCommunication { kind, data } => {
            out.field("type", kind.as_bytes())?;
            out.put(b"\n")?;
            out.put(data)
        }
        Event::SupervisorStateChange(SupervisorState::Running | SupervisorState::Stopping) => {
            Ok(())
        }
        Event::Tick(tick) => out.number("when", tick.when),
        Event::ProcessGroupAdded { group } | Event::ProcessGroupRemoved { group } => {
            out.field("groupname", group.as_bytes())?;
            out.put(b"\n")
        }
        Event::Other { payload, .. } => out.put(payload),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::{Tick, TickPeriod};

    #[test]
    fn encoded_tick_matches_supervisord_bytes() {
        let mut buf = [0u8; 256];
        let mut w = Writer::new(&mut buf);
        let envelope = Envelope {
            serial: 5,
            poolserial: 2,
            ..Envelope::default()
        };
        let tick = Event::Tick(Tick {
            period: TickPeriod::Secs60,
            when: 1_700_000_040,
        });
        encode_event(&mut w, &envelope, &tick, LenMode::Chars).unwrap();
        assert_eq!(
            w.written(),
            b"ver:3.0 server:supervisor serial:5 pool:listener poolserial:2 eventname:TICK_60 len:15\nwhen:1700000040"
        );
    }

    #[test]
    fn encoded_len_counts_chars_or_bytes_by_mode() {
        let event = Event::RemoteCommunication {
            kind: "t",
            data: "dätä…".as_bytes(),
        };
        for (mode, len) in [(LenMode::Chars, "len:12\n"), (LenMode::Bytes, "len:16\n")] {
            let mut buf = [0u8; 256];
            let mut w = Writer::new(&mut buf);
            encode_event(&mut w, &Envelope::default(), &event, mode).unwrap();
            let text = core::str::from_utf8(w.written()).unwrap();
            assert!(text.contains(len), "{text}");
        }
    }

    #[test]
    fn event_that_does_not_fit_writes_nothing() {
        let mut buf = [0u8; 100];
        let mut w = Writer::new(&mut buf);
        let event = Event::Other {
            name: "X",
            payload: &[b'a'; 50],
        };
        assert_eq!(
            encode_event(&mut w, &Envelope::default(), &event, LenMode::Bytes),
            Err(Overflow)
        );
        assert!(w.is_empty());
    }
}
