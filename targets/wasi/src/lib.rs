//! supercheck's event listener for WASI (`wasm32-wasip1`, `wasm32-wasip2`).
//!
//! The same protocol as the native listener, on stdin/stdout, with a plain
//! blocking loop (WASI has no epoll): `READY\n` first, then for every event
//! decoded by [`supercheck_core::event::Decoder`] (`len` counted in
//! characters, as supervisord 4.x does) one `RESULT 2\nOK` and the next
//! `READY\n`. On `TICK_*` events the configured check runs (a TCP connect or an
//! HTTP GET, through `std::net::TcpStream`) and its verdict is logged to
//! stderr. Nothing is ever restarted from here.
//!
//! Under `wasm32-wasip1` std has no sockets: every check then reports
//! "could not run" (a [`Verdict::Error`](supercheck_core::check::verdict::Verdict::Error)),
//! it never panics. Under `wasm32-wasip2` the checks work when the runtime
//! grants network access (`wasmtime run -S inherit-network ...`).

pub mod args;
pub mod check;
pub mod listener;
pub mod url;
