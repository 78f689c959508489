//! What supercheck's Linux drivers stand on. Each module is one piece of
//! plumbing the listener, `serve` and the superlance tools share; none of
//! them decides anything (the engine does).
//!
//! | module | what it holds |
//! |---|---|
//! | [`clock`] | one process-wide monotonic epoch, and the core's clock on it |
//! | [`timers`] | the engine's deadline queue on [`std::time::Instant`] |
//! | [`tokens`] | fresh mio tokens for sockets that come and go |
//! | [`endpoint`] | non-blocking mio streams (TCP, unix, TLS) to an endpoint |
//! | [`exchange`] | the wire's HTTP exchange on those streams |
//! | [`tls`] | rustls clients, the non-blocking TLS stream, failures named (feature `tls`) |
//! | [`stdin`] | fd 0 read without blocking the event loop |
//! | [`log`] | log lines on stderr in the Python tools' format |
//! | [`procfs`] | memory, CPU time and parents from `/proc` |
//! | [`probe`] | the probes that touch the system: exec, https, `/proc`, files |
//! | [`supervisor`] | calls to supervisord on mio streams |
//! | [`heartbeat_file`] | heartbeat files: the passive side of the file check |

pub mod clock;
pub mod endpoint;
pub mod exchange;
pub mod heartbeat_file;
pub mod log;
pub mod probe;
pub mod procfs;
pub mod stdin;
pub mod supervisor;
pub mod timers;
#[cfg(feature = "tls")]
pub mod tls;
pub mod tokens;
