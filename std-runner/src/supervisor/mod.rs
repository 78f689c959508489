//! The supervisord client: where it is, and non-blocking XML-RPC calls to it.

pub mod client;
pub mod process_list;
pub mod url;
