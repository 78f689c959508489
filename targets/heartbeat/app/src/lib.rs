//! The heartbeat device's application, independent of the hardware.
//!
//! [`App`] runs over any smoltcp [`Device`](smoltcp::phy::Device): a static
//! IPv4 address, TCP listeners answering `GET /health` with an
//! `application/health+json` document (uptime, beats sent, send errors,
//! link, idle sockets), and a UDP heartbeat (`SCHB1 device=.. seq=..
//! uptime_ms=..`) to a collector every period. The HTTP parser, the reply
//! and JSON encoders and the datagram come from `supercheck-core`.
//!
//! Layers, bottom up: [`schedule`] (when beats are due, pure), [`health`]
//! (the document), [`http`] (request bytes → reply bytes, pure), [`app`]
//! (the glue to smoltcp sockets), [`storage`] (every buffer, caller-owned),
//! [`config`] (addresses and `key=value` overrides).
//!
//! `no_std`, no allocation; the firmware in `../firmware` drives it with a
//! LAN9118 driver and a SysTick clock, the host tests with an in-memory wire.
#![no_std]

pub mod app;
pub mod config;
pub mod health;
pub mod http;
pub mod schedule;
pub mod storage;

pub use app::{App, HttpCounters, StartError};
pub use config::{Config, ConfigError};
pub use storage::Storage;
