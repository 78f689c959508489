//! Calls to supervisord on the listener's mio streams.

use supercheck_core::rpc::SupervisorCall;
use supercheck_wire::exchange::BodySink;
pub use supercheck_wire::supervisor::call::{
    CallError, ProcessSnapshot, connect_error, encode_request, parse_ack, reply_body,
};

use crate::endpoint::Connect;
use crate::exchange::Exchange;
use supercheck_wire::supervisor::server_url::ServerUrl;

/// Starts `call` against the supervisord at `url` with a non-blocking
/// connect; the event loop drives the exchange.
///
/// # Errors
/// [`CallError::Encode`] or an immediate connect failure.
pub fn start_call(
    url: &ServerUrl,
    call: &SupervisorCall<'_>,
    sink: BodySink,
) -> Result<Exchange, CallError> {
    supercheck_wire::supervisor::call::start_call(url, call, sink, Connect::connect)
}
