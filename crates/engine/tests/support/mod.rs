//! A virtual-time driver for the engine, in the manner of quinn-proto's
//! `Pair`: one [`Engine`](supercheck_engine::Engine), a virtual clock, a
//! scripted supervisord, scripted probes, and a record of everything the
//! engine asked for.
//!
//! The harness carries out [`Output`](supercheck_engine::Output)s exactly as
//! a driver would: a call to supervisord or a probe becomes a reply due after
//! its scripted delay, kept in a queue ordered by due time (then by the order
//! it was asked); driving jumps the clock to the earliest of
//! [`Engine::poll_timeout`](supercheck_engine::Engine::poll_timeout) and the
//! next reply (never backwards) and feeds that input. On a tie the reply is
//! delivered before the timer fires. Nothing sleeps.
//!
//! | module | what it holds |
//! |---|---|
//! | [`clock`] | where virtual time starts ([`T0`]) and its units ([`at_ms`], [`secs`]...) |
//! | [`builders`] | configurations, processes, event bytes |
//! | [`supervisor`] | the scripted supervisord ([`Supervisor`]) and its faults |
//! | [`probes`] | scripted probe answers ([`Answer`]) and what a probe is asked |
//! | [`harness`] | the [`Harness`]: inputs, and driving the virtual clock |
//! | [`outputs`] | queries over what the engine asked for, to assert on |
//!
//! Everything is re-exported here: a test names `support::Harness`, not the
//! module it lives in.
//!
//! The test files carry no `#![allow(clippy::unwrap_used, ...)]`: the
//! workspace's `.clippy.toml` allows unwrap, expect, indexing and panics in
//! `#[test]` functions, and the helpers here do without them (or allow one
//! where it must, with its reason).
#![allow(dead_code, unused_imports)]

pub mod builders;
pub mod clock;
pub mod harness;
pub mod outputs;
pub mod probes;
pub mod supervisor;

pub use builders::{
    agent, config, cpu_config, event_bytes, http_config, long_running, retrying, running,
    tick_bytes, web, web_and_db, with_policy,
};
pub use clock::{T0, at_ms, at_secs, ms, secs};
pub use harness::{Harness, MAX_ITERATIONS};
pub use outputs::{RESULT_OK, count_occurrences};
pub use probes::{Answer, PROBE_DELAY, ProbeRequest, ProbeScript, first_then};
pub use supervisor::{Supervisor, fault};
