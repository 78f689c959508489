//! What supercheck puts on the wire and how it reads the answers, for every
//! driver: the mio listener on Linux and the blocking listener on WASI.
//!
//! Nothing here opens a socket or reads a clock. The bytes of a request come
//! from `supercheck-core`'s encoders; an [`exchange::Exchange`] moves them
//! over whatever stream its driver opened ([`exchange::Transport`]); the
//! answers become verdicts and typed errors here.
//!
//! | module | what it holds |
//! |---|---|
//! | [`endpoint`] | where to connect: a TCP address or a unix socket path |
//! | [`exchange`] | one HTTP request/response over a stream, body kept, matched or streamed |
//! | [`probe`] | the tcp, http and xmlrpc checks' requests, and how their outcomes are judged |
//! | [`port`] | the port of a process: fixed, or read from its name by a pattern |
//! | [`supervisor`] | supervisord's URL, its XML-RPC calls and replies, the process list |
//! | [`http_url`] | `http://` and `https://` URLs (httpok, webhooks, `serve`) |
//!
//! It uses `std` (sockets' error kinds, `Vec`) but nothing of one platform:
//! it builds for `wasm32-wasip1` and `wasm32-wasip2` as for Linux.

pub mod endpoint;
pub mod exchange;
pub mod http_url;
pub mod port;
pub mod probe;
pub mod supervisor;
