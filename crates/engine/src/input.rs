//! The event stream from supervisord: stdin bytes in, one [`Incoming`] event
//! at a time out, on top of the core decoder.
//!
//! The buffer holds at most one whole event of the largest size
//! ([`EventInput::room`] says how many more bytes it takes now), so a driver
//! never reads more than the engine can hold: the rest waits in the pipe.
//!
//! Resynchronisation: an event whose header was read but whose payload is
//! malformed is skipped and acknowledged (its boundaries are known). A header
//! line that cannot be read leaves the payload length unknown: the stream is
//! lost, and the only honest way back in step is to exit non-zero, so that
//! supervisord restarts the listener with a fresh pipe and re-sends the event.

use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;

use supercheck_core::event::{
    Decoded, Decoder, Event, LenMode, NewState, ProcessStateChange, Resync, TickPeriod,
};

/// What the reader found at the head of its buffer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Incoming {
    /// A `TICK_*` event.
    Tick {
        /// Its period.
        period: TickPeriod,
        /// Its `when`, epoch seconds floored to the period.
        when: u64,
    },
    /// `PROCESS_STATE_EXITED`: a process left RUNNING by exiting.
    Exited {
        /// Its group.
        group: String,
        /// Its name in the group.
        name: String,
        /// The pid that exited.
        pid: u32,
        /// Whether the exit code was one of its `exitcodes`.
        expected: bool,
    },
    /// Any other well-formed event (the name, for the log).
    Other(String),
    /// A malformed event that was skipped whole; it still needs its `RESULT`.
    Skipped(String),
    /// The stream cannot be followed any more (the message says why).
    Lost(String),
}

/// Buffers stdin bytes and decodes events one at a time.
#[derive(Debug)]
pub struct EventInput {
    buf: Vec<u8>,
    decoder: Decoder,
    /// Bytes the decoder said it needs at least before trying again.
    needed: usize,
}

impl EventInput {
    /// A reader for supervisord 4.x (`len` in characters) or 3.x (bytes).
    pub fn new(mode: LenMode) -> Self {
        Self {
            buf: Vec::new(),
            decoder: Decoder::new(mode),
            needed: 0,
        }
    }

    /// The most bytes the buffer holds: one whole event of the largest size.
    pub fn capacity(&self) -> usize {
        self.decoder.max_event_len()
    }

    /// How many more bytes the buffer takes now.
    pub fn room(&self) -> usize {
        self.capacity().saturating_sub(self.buf.len())
    }

    /// Appends as much of `bytes` as there is room for; returns how many were taken.
    pub fn push(&mut self, bytes: &[u8]) -> usize {
        let taken = bytes.len().min(self.room());
        self.buf
            .extend_from_slice(bytes.get(..taken).unwrap_or_default());
        taken
    }

    /// Bytes received but not yet part of a whole event.
    pub fn pending(&self) -> usize {
        self.buf.len()
    }

    /// The next complete event, if the buffer holds one.
    pub fn next_event(&mut self) -> Option<Incoming> {
        if self.buf.is_empty() || self.buf.len() < self.needed {
            return None;
        }
        let (incoming, consumed) = match self.decoder.decode(&self.buf) {
            Ok(Decoded::Incomplete { needed }) => {
                self.needed = self.buf.len().saturating_add(needed);
                return None;
            }
            Ok(Decoded::Complete {
                event, consumed, ..
            }) => {
                let incoming = match event {
                    Event::Tick(tick) => Incoming::Tick {
                        period: tick.period,
                        when: tick.when,
                    },
                    Event::ProcessState(ProcessStateChange {
                        process,
                        to: NewState::Exited { expected, pid },
                        ..
                    }) => Incoming::Exited {
                        group: process.group.to_string(),
                        name: process.name.to_string(),
                        pid,
                        expected,
                    },
                    other => Incoming::Other(other.name().to_string()),
                };
                (incoming, consumed)
            }
            Err(e) => match e.resync() {
                Resync::SkipEvent(n) => (Incoming::Skipped(e.to_string()), n),
                _ => {
                    return Some(Incoming::Lost(format!(
                        "{e}; cannot find the next event in the stream"
                    )));
                }
            },
        };
        self.buf.drain(..consumed.min(self.buf.len()));
        self.needed = 0;
        Some(incoming)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reader_with(bytes: &[u8]) -> EventInput {
        let mut r = EventInput::new(LenMode::Chars);
        assert_eq!(r.push(bytes), bytes.len());
        r
    }

    #[test]
    fn tick_is_read_and_consumed() {
        let mut r = reader_with(b"ver:3.0 server:supervisor serial:1 pool:c poolserial:1 eventname:TICK_5 len:15\nwhen:1700000005");
        assert_eq!(
            r.next_event(),
            Some(Incoming::Tick {
                period: TickPeriod::Secs5,
                when: 1_700_000_005
            })
        );
        assert_eq!(r.pending(), 0);
        assert_eq!(r.next_event(), None);
    }

    #[test]
    fn exited_event_is_typed_with_group_name_pid_and_expected() {
        let mut r = reader_with(b"ver:3.0 server:supervisor serial:1 pool:c poolserial:1 eventname:PROCESS_STATE_EXITED len:64\nprocessname:web groupname:g from_state:RUNNING expected:0 pid:42");
        assert_eq!(
            r.next_event(),
            Some(Incoming::Exited {
                group: "g".into(),
                name: "web".into(),
                pid: 42,
                expected: false
            })
        );
        assert_eq!(r.pending(), 0);
    }

    #[test]
    fn truncated_payload_is_never_an_event() {
        let mut r = reader_with(b"ver:3.0 eventname:TICK_5 len:15\nwhen:17");
        assert_eq!(r.next_event(), None);
        assert_eq!(r.pending(), 39);
    }

    #[test]
    fn malformed_payload_is_skipped_and_next_event_follows() {
        let mut r = reader_with(
            b"eventname:TICK_5 len:4\nnope\
              eventname:TICK_60 len:15\nwhen:1700000040",
        );
        assert!(matches!(r.next_event(), Some(Incoming::Skipped(_))));
        assert_eq!(
            r.next_event(),
            Some(Incoming::Tick {
                period: TickPeriod::Secs60,
                when: 1_700_000_040
            })
        );
    }

    #[test]
    fn unreadable_header_loses_the_stream() {
        let mut r = reader_with(b"this is not a header\n");
        assert!(matches!(r.next_event(), Some(Incoming::Lost(msg)) if msg.contains("byte")));
    }

    #[test]
    fn the_buffer_takes_no_more_than_one_largest_event() {
        let mut r = EventInput::new(LenMode::Chars);
        let cap = r.capacity();
        let big = alloc::vec![b'x'; cap + 10];
        assert_eq!(r.push(&big), cap);
        assert_eq!(r.room(), 0);
        assert_eq!(r.push(b"more"), 0);
    }
}
