//! The event listener: supervisord's protocol on stdin/stdout, probes on one
//! mio poll, restarts through supervisord's XML-RPC interface.

pub mod protocol;
pub mod timers;
