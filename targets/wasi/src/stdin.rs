//! Waiting for supervisord's events on stdin.
//!
//! On `wasm32-wasip2` stdin is a `wasi:io/streams` input stream whose
//! readiness is a pollable: `Polled` waits on it and on a monotonic-clock
//! pollable for the engine's next timer at once (`wasi:io/poll`), so a wait
//! for the next event ends when a timer falls due, as the Linux listener's
//! epoll does. Elsewhere (`wasm32-wasip1`, and the host the tests run on)
//! std's blocking read is all there is: [`Blocking`] waits until bytes come
//! or stdin ends, and the driver sleeps instead of reading whenever nothing
//! can come (a tick is not acknowledged yet).

use std::io::{self, Read};
use std::time::Duration;

/// How a wait for input ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Waited {
    /// This many bytes were read into the buffer.
    Data(usize),
    /// stdin reached its end.
    Closed,
    /// The timeout passed first.
    TimedOut,
}

/// Where events come from.
pub trait Input {
    /// Whether [`Input::wait_read`] ends at its timeout; otherwise it waits
    /// for bytes or the end of the input, whatever the timeout.
    fn times_out(&self) -> bool;

    /// Reads what has come into `buf` (not empty), waiting at most `timeout`
    /// (`None`: as long as it takes) where the input can time a wait out.
    ///
    /// # Errors
    /// A failing read.
    fn wait_read(&mut self, buf: &mut [u8], timeout: Option<Duration>) -> io::Result<Waited>;
}

/// Any reader, read with blocking reads: std's stdin on wasip1 and on the host.
#[derive(Debug)]
pub struct Blocking<R>(pub R);

impl<R: Read> Input for Blocking<R> {
    fn times_out(&self) -> bool {
        false
    }

    fn wait_read(&mut self, buf: &mut [u8], _timeout: Option<Duration>) -> io::Result<Waited> {
        loop {
            match self.0.read(buf) {
                Ok(0) => return Ok(Waited::Closed),
                Ok(n) => return Ok(Waited::Data(n)),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
    }
}

/// wasip2's stdin, waited on together with a timer.
#[cfg(all(target_os = "wasi", target_env = "p2"))]
pub struct Polled {
    // Declared first, dropped first: a pollable must go before its stream.
    ready: wasip2::io::poll::Pollable,
    stream: wasip2::io::streams::InputStream,
}

#[cfg(all(target_os = "wasi", target_env = "p2"))]
impl Polled {
    /// The component's stdin (std's stdin is not used alongside it).
    pub fn stdin() -> Self {
        let stream = wasip2::cli::stdin::get_stdin();
        Self {
            ready: stream.subscribe(),
            stream,
        }
    }
}

#[cfg(all(target_os = "wasi", target_env = "p2"))]
impl Input for Polled {
    fn times_out(&self) -> bool {
        true
    }

    fn wait_read(&mut self, buf: &mut [u8], timeout: Option<Duration>) -> io::Result<Waited> {
        use wasip2::io::streams::StreamError;
        match timeout {
            Some(timeout) => {
                let nanos = u64::try_from(timeout.as_nanos()).unwrap_or(u64::MAX);
                let timer = wasip2::clocks::monotonic_clock::subscribe_duration(nanos);
                let ready = wasip2::io::poll::poll(&[&self.ready, &timer]);
                if !ready.contains(&0) {
                    return Ok(Waited::TimedOut);
                }
            }
            None => self.ready.block(),
        }
        let len = u64::try_from(buf.len()).unwrap_or(u64::MAX);
        match self.stream.read(len) {
            // Ready but empty: the caller waits again.
            Ok(bytes) if bytes.is_empty() => Ok(Waited::TimedOut),
            Ok(bytes) => {
                let n = bytes.len().min(buf.len());
                if let (Some(dst), Some(src)) = (buf.get_mut(..n), bytes.get(..n)) {
                    dst.copy_from_slice(src);
                }
                Ok(Waited::Data(n))
            }
            Err(StreamError::Closed) => Ok(Waited::Closed),
            Err(StreamError::LastOperationFailed(e)) => Err(io::Error::other(e.to_debug_string())),
        }
    }
}

/// The platform's stdin: `Polled` on wasip2.
#[cfg(all(target_os = "wasi", target_env = "p2"))]
pub fn open() -> Polled {
    Polled::stdin()
}

/// The platform's stdin: std's, read with blocking reads.
#[cfg(not(all(target_os = "wasi", target_env = "p2")))]
pub fn open() -> Blocking<io::Stdin> {
    Blocking(io::stdin())
}
