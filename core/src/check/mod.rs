//! Check specifications and verdicts.
//!
//! A probe (run by a driver: a socket, `/proc`, a file's metadata) produces an
//! observation; the functions here turn observations into a [`verdict::Verdict`].
//! A verdict is `Pass`, `Fail` (the target is unhealthy: may lead to a restart)
//! or `Error` (the checker could not tell: never leads to a restart).

pub mod cpu;
pub mod file_age;
pub mod memory;
pub mod port;
pub mod retry;
pub mod spec;
pub mod verdict;
