//! # supercheck-listener
//!
//! The supervisord event listener on Linux. Every decision is the engine's
//! ([`supercheck_engine`]); this crate carries them out on one mio loop and
//! sets up what only Linux can: sockets and TLS, `/proc`, child processes,
//! custom-check worker threads, the HTTP frontend, mail and webhooks.
//!
//! | module | what it holds |
//! |---|---|
//! | [`Listener`] (`driver/`) | the mio driver around the engine |
//! | [`config`] | what a listener runs: its checks, ready to probe, and its settings |
//! | [`command_line`] | a drop-in command line to a [`config::ListenerConfig`] |
//! | [`agent`] | the agent's file to a [`config::ListenerConfig`] of many watches, and its reload |
//! | [`custom`] | checks written in Rust against the library API, and their workers |
//! | [`env_dump`] | the frontend's `/env` document, secrets scrubbed |

pub mod agent;
pub mod command_line;
pub mod config;
pub mod custom;
mod driver;
pub mod env_dump;

pub use driver::{Exit, Listener, TargetKey};
