//! supercheck: health checks for services run under supervisord.
//!
//! The binary is a drop-in replacement for supervisor_checks' `supervisor_*_check`
//! programs and superlance's tools; this library holds its pieces so that
//! integration tests and custom checks can use them.

pub mod cli;
pub mod clock;
pub mod custom;
pub mod demo_service;
pub mod endpoint;
pub mod exchange;
pub mod frontend;
pub mod heartbeat;
pub mod install;
pub mod listener;
pub mod log;
pub mod notification;
pub mod notify;
pub mod probe;
pub mod procfs;
pub mod serve;
pub mod stdin;
pub mod superlance;
pub mod supervisor;
pub mod timers;
#[cfg(feature = "tls")]
pub mod tls;
