//! https: TLS for httpok's probe (and any caller with a byte stream), with
//! rustls on the ring provider and certificate verification against the
//! system's roots or a `--ca-file`.
//!
//! - [`client`]: which roots are trusted, checked at start-up.
//! - [`stream`]: the session over a socket, blocking or non-blocking.
//! - [`failure`]: why a session failed, as a probe failure with a fixed reason.

pub mod client;
pub mod failure;
pub mod stream;

pub use client::{TlsClient, TlsSetupError, server_name};
pub use failure::TlsFailure;
pub use stream::TlsStream;
