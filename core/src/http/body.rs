//! The body decoder: a state machine fed successive input slices that hands
//! back body data borrowed from them, for `Content-Length`, chunked and
//! close-delimited bodies, with caps on body bytes, chunk lines and trailers.

use core::fmt;

use super::Framing;
use super::field::{is_field_value, is_token};

/// Caps on what a [`BodyDecoder`] accepts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct BodyLimits {
    /// Most body bytes (after chunk decoding) the caller wants.
    pub max_body: u64,
    /// Longest chunk-size line or trailer line, CRLF included.
    pub max_line: usize,
    /// Most trailer bytes in all, CRLFs included.
    pub max_trailers: usize,
}

impl Default for BodyLimits {
    /// 1 MiB of body, 1 KiB lines, 4 KiB of trailers.
    fn default() -> Self {
        Self {
            max_body: 1024 * 1024,
            max_line: 1024,
            max_trailers: 4 * 1024,
        }
    }
}

/// Why a body was refused. Once returned, every later call returns it again.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum BodyError {
    /// The body is (or announces it will be) larger than `max_body`.
    TooLarge,
    /// A chunk-size line is not hex digits, optional extensions and CRLF.
    InvalidChunkSize,
    /// A chunk-size or trailer line is longer than `max_line`.
    LineTooLong,
    /// Chunk data is not followed by CRLF.
    InvalidChunkEnd,
    /// A trailer line is not `name: value` CRLF.
    InvalidTrailer,
    /// The trailers are larger than `max_trailers`.
    TrailersTooLarge,
    /// The connection closed before the body was complete.
    Truncated,
}

impl fmt::Display for BodyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            BodyError::TooLarge => "body larger than the cap",
            BodyError::InvalidChunkSize => "invalid chunk-size line",
            BodyError::LineTooLong => "chunk-size or trailer line too long",
            BodyError::InvalidChunkEnd => "chunk data not followed by CRLF",
            BodyError::InvalidTrailer => "invalid trailer line",
            BodyError::TrailersTooLarge => "trailers larger than the cap",
            BodyError::Truncated => "connection closed before the body was complete",
        })
    }
}

impl core::error::Error for BodyError {}

/// What one [`BodyDecoder::decode`] call found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum BodyEvent<'i> {
    /// Body bytes, borrowed from the input. Call again with the rest of the input.
    Data(&'i [u8]),
    /// The input is used up, or ends inside framing (a chunk-size line, a
    /// CRLF, a trailer): keep the unconsumed bytes, append more, call again.
    NeedMore,
    /// The body is complete; input after `consumed` belongs to the next message.
    Done,
}

/// The answer of [`BodyDecoder::decode`]: how much input it used and what it found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct BodyStep<'i> {
    /// Bytes of the input used (framing and data); the caller drops them.
    pub consumed: usize,
    /// What was found.
    pub event: BodyEvent<'i>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
enum State {
    Length { remaining: u64 },
    UntilClose,
    ChunkSize,
    ChunkData { remaining: u64 },
    ChunkEnd,
    Trailers,
    Done,
    Failed(BodyError),
}

/// Decodes one message body. Sans-IO: it never holds input, it tells the
/// caller how much of each slice it used.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct BodyDecoder {
    state: State,
    limits: BodyLimits,
    delivered: u64,
    announced: u64,
    trailer_bytes: usize,
}

impl BodyDecoder {
    /// A decoder for a body framed as `framing`.
    ///
    /// # Errors
    /// [`BodyError::TooLarge`] when a `Content-Length` is above `limits.max_body`.
    pub fn new(framing: Framing, limits: BodyLimits) -> Result<Self, BodyError> {
        let state = match framing {
            Framing::None | Framing::Length(0) => State::Done,
            Framing::Length(n) if n > limits.max_body => return Err(BodyError::TooLarge),
            Framing::Length(n) => State::Length { remaining: n },
            Framing::Chunked => State::ChunkSize,
            Framing::UntilClose => State::UntilClose,
        };
        Ok(Self {
            state,
            limits,
            delivered: 0,
            announced: 0,
            trailer_bytes: 0,
        })
    }

    /// True once the whole body has been decoded.
    pub const fn is_done(&self) -> bool {
        matches!(self.state, State::Done)
    }

    /// Body bytes handed out so far.
    pub const fn body_len(&self) -> u64 {
        self.delivered
    }

    /// Decodes from the start of `input`: framing bytes are skipped, the next
    /// run of body bytes is returned as [`BodyEvent::Data`].
    ///
    /// # Errors
    /// A [`BodyError`] for hostile or oversized input; the decoder stays failed.
    pub fn decode<'i>(&mut self, input: &'i [u8]) -> Result<BodyStep<'i>, BodyError> {
        let mut consumed = 0usize;
        loop {
            let rest = input.get(consumed..).unwrap_or_default();
            let step = move |used: usize, event| BodyStep {
                consumed: consumed.saturating_add(used),
                event,
            };
            match self.state {
                State::Done => return Ok(step(0, BodyEvent::Done)),
                State::Failed(e) => return Err(e),
                _ if rest.is_empty() => return Ok(step(0, BodyEvent::NeedMore)),
                State::Length { remaining } => {
                    let data = self.take(rest, remaining);
                    let left = remaining.saturating_sub(data.len() as u64);
                    self.state = if left == 0 {
                        State::Done
                    } else {
                        State::Length { remaining: left }
                    };
                    return Ok(step(data.len(), BodyEvent::Data(data)));
                }
                State::UntilClose => {
                    let total = self.delivered.saturating_add(rest.len() as u64);
                    if total > self.limits.max_body {
                        return Err(self.fail(BodyError::TooLarge));
                    }
                    self.delivered = total;
                    return Ok(step(rest.len(), BodyEvent::Data(rest)));
                }
                State::ChunkData { remaining } => {
                    let data = self.take(rest, remaining);
                    let left = remaining.saturating_sub(data.len() as u64);
                    self.state = if left == 0 {
                        State::ChunkEnd
                    } else {
                        State::ChunkData { remaining: left }
                    };
                    return Ok(step(data.len(), BodyEvent::Data(data)));
                }
                State::ChunkEnd => match rest.get(..2) {
                    Some(b"\r\n") => {
                        consumed = consumed.saturating_add(2);
                        self.state = State::ChunkSize;
                    }
                    None if rest == b"\r" => return Ok(step(0, BodyEvent::NeedMore)),
                    _ => return Err(self.fail(BodyError::InvalidChunkEnd)),
                },
                State::ChunkSize | State::Trailers => match self.line(rest)? {
                    Some(line) => {
                        consumed = consumed.saturating_add(line.len());
                        self.framing_line(line)?;
                    }
                    None => return Ok(step(0, BodyEvent::NeedMore)),
                },
            }
        }
    }

    /// Ends the body at end of input (the peer closed the connection).
    ///
    /// # Errors
    /// [`BodyError::Truncated`] unless the body was complete or is delimited by
    /// the close; a failed decoder returns its error again.
    pub fn finish_at_eof(&mut self) -> Result<(), BodyError> {
        match self.state {
            State::Done => Ok(()),
            State::UntilClose => {
                self.state = State::Done;
                Ok(())
            }
            State::Failed(e) => Err(e),
            _ => Err(self.fail(BodyError::Truncated)),
        }
    }

    fn fail(&mut self, e: BodyError) -> BodyError {
        self.state = State::Failed(e);
        e
    }

    /// Up to `remaining` bytes of `rest`, counted as delivered.
    fn take<'i>(&mut self, rest: &'i [u8], remaining: u64) -> &'i [u8] {
        let n = usize::try_from(remaining).map_or(rest.len(), |r| r.min(rest.len()));
        let data = rest.get(..n).unwrap_or_default();
        self.delivered = self.delivered.saturating_add(n as u64);
        data
    }

    /// The complete line (through its LF) at the start of `rest`, or `None`
    /// when it has not all arrived yet.
    fn line<'i>(&mut self, rest: &'i [u8]) -> Result<Option<&'i [u8]>, BodyError> {
        let window = rest.get(..self.limits.max_line).unwrap_or(rest);
        match window.iter().position(|&b| b == b'\n') {
            Some(lf) => Ok(window.get(..=lf)),
            None if window.len() >= self.limits.max_line => Err(self.fail(BodyError::LineTooLong)),
            None => Ok(None),
        }
    }

    /// Handles one chunk-size or trailer line.
    fn framing_line(&mut self, line: &[u8]) -> Result<(), BodyError> {
        if self.state == State::Trailers {
            return self.trailer_line(line);
        }
        let starts_with_digit = line.first().is_some_and(u8::is_ascii_hexdigit);
        let size = match httparse::parse_chunk_size(line) {
            Ok(httparse::Status::Complete((used, size)))
                if used == line.len() && starts_with_digit =>
            {
                size
            }
            _ => return Err(self.fail(BodyError::InvalidChunkSize)),
        };
        let announced = self.announced.checked_add(size);
        match announced {
            Some(total) if total <= self.limits.max_body => self.announced = total,
            _ => return Err(self.fail(BodyError::TooLarge)),
        }
        self.state = if size == 0 {
            State::Trailers
        } else {
            State::ChunkData { remaining: size }
        };
        Ok(())
    }

    fn trailer_line(&mut self, line: &[u8]) -> Result<(), BodyError> {
        let Some(text) = line.strip_suffix(b"\r\n") else {
            return Err(self.fail(BodyError::InvalidTrailer));
        };
        if text.is_empty() {
            self.state = State::Done;
            return Ok(());
        }
        self.trailer_bytes = self.trailer_bytes.saturating_add(line.len());
        if self.trailer_bytes > self.limits.max_trailers {
            return Err(self.fail(BodyError::TrailersTooLarge));
        }
        let mut parts = text.splitn(2, |&b| b == b':');
        let name = parts.next().unwrap_or_default();
        let value = parts.next();
        match value {
            Some(value) if is_token(name) && is_field_value(value) => Ok(()),
            _ => Err(self.fail(BodyError::InvalidTrailer)),
        }
    }
}
