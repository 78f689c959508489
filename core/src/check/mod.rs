//! Check specifications and verdicts.
//!
//! A probe (run by a driver: a socket, `/proc`, a file's metadata) produces an
//! observation; the functions here turn observations into a [`Verdict`]. A
//! verdict is `Pass`, `Fail` (the target is unhealthy: may lead to a restart) or
//! `Error` (the checker could not tell: never leads to a restart).

pub mod port;
