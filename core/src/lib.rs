//! # supercheck-core
//!
//! The sans-IO heart of supercheck: everything that decides, nothing that waits.
//! It never reads a socket, a file or a clock. Drivers (the mio runner on Linux,
//! smoltcp firmware, the WASI listener) feed it bytes and [`time::Instant`]s and
//! carry out what it returns: bytes to write, processes to restart, a time to wake up.
//!
//! `#![no_std]`, no `alloc`: every buffer is the caller's.
//!
//! ## Layers, bytes in to bytes out
//!
//! | module | what it is |
//! |---|---|
//! | [`event`] | the supervisord event-listener protocol: streaming header/payload decoder, typed events, `READY`/`RESULT` encoders |
//! | [`rpc`] | supervisord XML-RPC: `methodCall` encoder, `methodResponse` parser, faults, process-info iterator, process states |
//! | [`http`] | HTTP/1.1 both ways: client request encoder and response reader with body framing and matchers; server request parser and response encoder |
//! | [`json`] | the complex-check JSON configuration and the `application/health+json` document |
//! | [`check`] | check specifications and their verdicts: ports, retries, CPU window, file age, memory |
//! | [`health`] | the per-target health state machine: thresholds, X-of-Y window, start grace, restart budget with back-off |
//! | [`heartbeat`] | the UDP heartbeat datagram devices send, and the per-device tracker that tells live from silent |
//!
//! Shared vocabulary lives beside them: [`time`] (virtual instants and durations),
//! [`names`] (process names and namespecs), [`process`] (process states), [`wire`] (the bounded output writer
//! every encoder uses).
//!
//! ## Logging
//!
//! One shim maps `trace!`..`error!` to `defmt` (feature `defmt`), `log` (feature
//! `log`) or nothing. Call sites never carry a `cfg`.
#![no_std]
#![cfg_attr(docsrs, feature(doc_cfg))]
#![deny(unsafe_code)]

#[cfg(any(test, feature = "std"))]
extern crate std;

#[macro_use]
mod fmt;

pub mod check;
pub mod event;
pub mod health;
pub mod heartbeat;
pub mod http;
pub mod json;
pub mod names;
pub mod process;
pub mod rpc;
pub mod time;
pub mod wire;
