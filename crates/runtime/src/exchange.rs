//! The HTTP exchange ([`supercheck_wire::exchange`]) on the listener's
//! non-blocking mio streams.

pub use supercheck_wire::exchange::{
    BodyConsumer, BodySink, ExchangeError, MAX_NEEDLE, Phase, Progress, ReadBuffer, Response,
    Transport,
};

/// An exchange over a mio [`Stream`](crate::endpoint::Stream).
pub type Exchange = supercheck_wire::exchange::Exchange<crate::endpoint::Stream>;
