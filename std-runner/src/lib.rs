//! supercheck: health checks for services run under supervisord.
//!
//! The binary is a drop-in replacement for supervisor_checks' `supervisor_*_check`
//! programs and superlance's tools; this library holds its pieces so that
//! integration tests and custom checks can use them.

pub mod cli;
pub mod custom;
pub mod demo_service;
pub mod frontend;
pub mod install;
pub mod listener;
pub mod notify;
pub mod serve;
pub mod superlance;
