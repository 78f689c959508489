//! Command lines: which tool was asked for and its flags
//! ([`supercheck_cmdline`]), and the listener's configuration built from them.

pub use supercheck_cmdline::{crashmail, drop_in, getopt, heartbeat, manual, superlance, tool};

pub mod listener_config;
pub use supercheck_cmdline::plan;
