//! The supervisord client: where it is, and non-blocking XML-RPC calls to it
//! over mio streams (the calls and replies are [`supercheck_wire::supervisor`]'s).

pub mod client;
pub use supercheck_wire::supervisor::{process_list, server_url as url};
