//! supercheck: health checks for services run under supervisord.
//!
//! The `supercheck` binary is a drop-in replacement for supervisor_checks'
//! `supervisor_*_check` programs and superlance's tools. This library is what
//! Rust programs use of it:
//!
//! - [`custom`]: your own health check, run by the same listener as the
//!   built-in ones (see `examples/custom_check.rs`);
//! - [`heartbeat_file`]: the heartbeat file a program bumps for the `file` check.
//!
//! The rest lives in the workspace's crates: `supercheck-core` (no_std
//! parsers and judges), `supercheck-engine` (every decision of the listener),
//! `supercheck-wire`, `supercheck-cmdline`, `supercheck-runtime`,
//! `supercheck-listener`, `supercheck-frontend`, `supercheck-notification`,
//! `supercheck-superlance` and `supercheck-serve`.

pub use supercheck_listener::custom;
pub use supercheck_runtime::heartbeat_file;
