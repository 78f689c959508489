//! The command lines of the first WASI listener, kept with their meaning:
//!
//! ```text
//! supercheck-wasi [--name NAME] [--timeout SECONDS] tcp --host HOST --port PORT
//! supercheck-wasi [--name NAME] [--timeout SECONDS] http --url http://HOST[:PORT][/PATH]
//! ```
//!
//! One check of one fixed target on every `TICK_*`, its verdict logged,
//! nothing restarted and supervisord never called. The events are read by
//! the engine's [`EventInput`](supercheck_engine::input::EventInput) and the
//! check runs through [`crate::net`], as the drop-in checks do.

pub mod args;
pub mod check;
pub mod listener;
