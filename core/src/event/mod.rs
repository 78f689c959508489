//! The supervisord event-listener protocol: a streaming decoder for the events
//! supervisord writes to a listener's stdin, typed [`Event`]s, and the
//! `READY`/`RESULT` bytes the listener writes back.
//!
//! An event is a header line of `key:value` tokens ending in `\n`, then a
//! payload of `len` units: Unicode characters in supervisord 4.x
//! ([`LenMode::Chars`], the default), bytes in 3.x ([`LenMode::Bytes`]).
//! The caller accumulates stdin in its own buffer and asks a [`Decoder`]:
//!
//! ```
//! use supercheck_core::event::{Decoded, Decoder, Event, LenMode, RESULT_OK};
//!
//! let stdin = b"ver:3.0 server:supervisor serial:7 pool:checks poolserial:3 eventname:TICK_60 len:15\nwhen:1700000040";
//! let decoder = Decoder::new(LenMode::Chars);
//! let Ok(Decoded::Complete { event, consumed, .. }) = decoder.decode(stdin) else { panic!() };
//! let Event::Tick(tick) = event else { panic!() };
//! assert_eq!((tick.when, consumed), (1_700_000_040, stdin.len()));
//! // Drop `consumed` bytes from the buffer, run the checks, then answer:
//! assert_eq!(RESULT_OK, b"RESULT 2\nOK");
//! ```
//!
//! A driver loops: read stdin into its buffer (never more than
//! [`Decoder::max_event_len`] bytes are needed); on [`Decoded::Complete`] handle
//! the event, drop `consumed` bytes and answer [`RESULT_OK`] then [`READY`];
//! on [`Decoded::Incomplete`] read at least `needed` more bytes before decoding
//! again; on a [`DecodeError`] (byte offset and what was expected) log it and
//! follow [`DecodeError::resync`].
//!
//! The event encoder ([`encode_event`]) writes events as supervisord does, for
//! tests and simulations.

mod decoder;
mod encode;
mod error;
mod header;
mod kinds;
mod length;
mod payload;
mod process_output;
mod process_state;
mod reply;
mod token;

pub use decoder::{Decoded, Decoder};
pub use encode::{Envelope, encode_event};
pub use error::{DecodeError, DecodeErrorKind, NumberError, Resync};
pub use header::{Header, HeaderError, HeaderErrorKind, HeaderKey};
pub use kinds::{Event, SupervisorState, Tick, TickPeriod};
pub use length::LenMode;
pub use payload::{PayloadError, PayloadErrorKind};
pub use process_output::{Channel, ProcessOutput};
pub use process_state::{NewState, ProcessStateChange};
pub use reply::{READY, RESULT_FAIL, RESULT_OK, encode_ready, encode_result};
