//! supervisord's XML-RPC interface as a client sees it: where it is
//! ([`server_url`]), the calls and their typed results ([`call`]), and the
//! process list read as it arrives ([`process_list`]).

pub mod call;
pub mod process_list;
pub mod server_url;
