//! HTTP/1.1 both ways, sans-IO and allocation-free.
//!
//! Client side (the http check, httpok, the XML-RPC transport):
//! [`Request`] encodes a request into a [`Writer`](crate::wire::Writer);
//! [`ResponseReader`] reads a response head (through `httparse`) into a
//! [`ResponseHead`] that knows its body [`Framing`]; [`BodyDecoder`] turns the
//! bytes that follow into body data slices borrowed from the input;
//! [`StatusSet`] and [`BodyMatcher`] judge the status code and look for a
//! substring across chunk boundaries without holding the body.
//!
//! Server side (the frontend and the firmware's health endpoint):
//! [`RequestParser`] reads a request head into a [`RequestHead`], with caps
//! whose violations map to a status code; [`Reply`] encodes the response.
//!
//! Every reader answers *complete*, *incomplete* ([`Parsed::Incomplete`] or
//! [`BodyEvent::NeedMore`]: read more bytes, that is not an error) or *invalid*
//! (a typed error). Every size is capped by the caller: the head bytes, the
//! header count (the length of the header array the caller passes), the body.
//!
//! ```
//! use supercheck_core::http::{
//!     BodyDecoder, BodyEvent, BodyLimits, BodyMatcher, Parsed, Request, ResponseReader,
//!     StatusSet, EMPTY_HEADER,
//! };
//! use supercheck_core::wire::Writer;
//!
//! // The request an httpok-style probe sends.
//! let mut out = [0u8; 256];
//! let mut w = Writer::new(&mut out);
//! Request::get("/health", "127.0.0.1", 8080).user_agent("httpok").encode(&mut w)?;
//! assert_eq!(
//!     w.written(),
//!     b"GET /health HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nUser-Agent: httpok\r\nConnection: close\r\n\r\n"
//! );
//!
//! // The reply, as the socket delivered it.
//! let input = b"HTTP/1.1 200 OK\r\nContent-Length: 15\r\n\r\n{\"status\":\"ok\"}";
//! let mut headers = [EMPTY_HEADER; 16];
//! let Parsed::Complete(head) = ResponseReader::new().read(input, &mut headers)? else {
//!     unreachable!("the whole head is there")
//! };
//! assert!(StatusSet::default().contains(head.code()));
//!
//! let mut body = BodyDecoder::new(head.framing(), BodyLimits::default())?;
//! let mut matcher = BodyMatcher::<32>::new(b"\"ok\"")?;
//! let mut rest = input.get(head.head_len()..).unwrap_or_default();
//! loop {
//!     let step = body.decode(rest)?;
//!     rest = rest.get(step.consumed..).unwrap_or_default();
//!     match step.event {
//!         BodyEvent::Data(data) => { matcher.feed(data); }
//!         BodyEvent::NeedMore => unreachable!("the whole body is there"),
//!         BodyEvent::Done => break,
//!     }
//! }
//! assert!(matcher.is_found());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod body;
mod field;
mod matcher;
mod reason;
mod reply;
mod request;
mod response;
mod server;

pub use body::{BodyDecoder, BodyError, BodyEvent, BodyLimits, BodyStep};
pub use httparse::{EMPTY_HEADER, Header};
pub use matcher::{BodyMatcher, NeedleTooLong, StatusSet, StatusSetError};
pub use reason::reason_phrase;
pub use reply::{Reply, ReplyError};
pub use request::{BasicAuth, Request, RequestError};
pub use response::{Framing, HeadError, ResponseHead, ResponseReader};
pub use server::{RequestHead, RequestParser, ServerError};

/// The answer of a head reader: the whole head was there, or more bytes are needed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Parsed<T> {
    /// The head is complete.
    Complete(T),
    /// The head is not complete yet: read more bytes and parse the grown buffer again.
    Incomplete,
}

/// What the sender of a message asks for the connection after it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Connection {
    /// `Connection: close`: one exchange, then the connection ends.
    #[default]
    Close,
    /// `Connection: keep-alive`: the connection may carry another exchange.
    KeepAlive,
}

impl Connection {
    /// The header value for this choice.
    pub const fn as_str(self) -> &'static str {
        match self {
            Connection::Close => "close",
            Connection::KeepAlive => "keep-alive",
        }
    }
}
