//! The probes behind each check kind: what they send or read, and how their
//! observations become verdicts. The event loop decides when they run.

pub mod exec;
pub mod https;
pub mod local;
pub mod net;
