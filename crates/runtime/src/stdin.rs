//! Non-blocking reads of fd 0 for the event loop.
//!
//! `std::io::Stdin` keeps its own buffer, which hides bytes from edge-triggered
//! polling, so fd 0 is duplicated and read directly through a mio pipe
//! receiver. When fd 0 cannot be polled (a regular file or `/dev/null`: epoll
//! answers `EPERM`), a reader thread forwards the bytes instead and wakes the
//! loop through a [`mio::Waker`].

use std::io::{self, Read};
use std::os::fd::AsFd;
use std::sync::Arc;
use std::sync::mpsc::{self, Receiver, TryRecvError};

use mio::unix::pipe;
use mio::{Interest, Registry, Token, Waker};

/// What a drain of stdin produced.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Drained {
    /// Bytes were appended (possibly zero); more may come.
    Open,
    /// The other end closed stdin: supervisord is gone or the test finished.
    Eof,
}

/// Standard input as a poll source.
pub enum StdinSource {
    /// fd 0 is a pipe or a socket and is polled directly.
    Polled(pipe::Receiver),
    /// fd 0 is a file: a thread reads it and forwards chunks.
    Threaded(
        Receiver<io::Result<Vec<u8>>>,
        #[allow(dead_code)] Arc<Waker>,
    ),
}

impl StdinSource {
    /// Duplicates fd 0, makes it non-blocking and registers it as `token`
    /// (falling back to a reader thread woken through `token` when epoll refuses).
    ///
    /// # Errors
    /// When fd 0 cannot be duplicated or a waker cannot be created.
    pub fn register(registry: &Registry, token: Token) -> io::Result<Self> {
        let fd = io::stdin().as_fd().try_clone_to_owned()?;
        let mut receiver = pipe::Receiver::from(fd);
        match registry.register(&mut receiver, token, Interest::READABLE) {
            Ok(()) => {
                receiver.set_nonblocking(true)?;
                Ok(StdinSource::Polled(receiver))
            }
            Err(e) if e.raw_os_error() == Some(libc::EPERM) => {
                let waker = Arc::new(Waker::new(registry, token)?);
                let (tx, rx) = mpsc::channel();
                let thread_waker = Arc::clone(&waker);
                std::thread::Builder::new()
                    .name("stdin".into())
                    .spawn(move || {
                        let mut file = receiver;
                        loop {
                            let mut chunk = vec![0u8; 8192];
                            let result = file.read(&mut chunk).map(|n| {
                                chunk.truncate(n);
                                chunk
                            });
                            let done = !matches!(&result, Ok(c) if !c.is_empty());
                            if tx.send(result).is_err() || thread_waker.wake().is_err() || done {
                                return;
                            }
                        }
                    })?;
                Ok(StdinSource::Threaded(rx, waker))
            }
            Err(e) => Err(e),
        }
    }

    /// Reads everything available into `buf` without blocking, but never lets
    /// `buf` grow past `cap` bytes (the rest stays in the pipe for later).
    ///
    /// # Errors
    /// Read errors other than `WouldBlock` and `Interrupted`.
    pub fn drain(&mut self, buf: &mut Vec<u8>, cap: usize) -> io::Result<Drained> {
        match self {
            StdinSource::Polled(receiver) => {
                let mut chunk = [0u8; 8192];
                while buf.len() < cap {
                    let room = (cap - buf.len()).min(chunk.len());
                    match receiver.read(chunk.get_mut(..room).unwrap_or_default()) {
                        Ok(0) => return Ok(Drained::Eof),
                        Ok(n) => buf.extend_from_slice(chunk.get(..n).unwrap_or_default()),
                        Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                            return Ok(Drained::Open);
                        }
                        Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                        Err(e) => return Err(e),
                    }
                }
                Ok(Drained::Open)
            }
            StdinSource::Threaded(rx, _) => loop {
                if buf.len() >= cap {
                    return Ok(Drained::Open);
                }
                match rx.try_recv() {
                    Ok(Ok(chunk)) if chunk.is_empty() => return Ok(Drained::Eof),
                    Ok(Ok(chunk)) => buf.extend_from_slice(&chunk),
                    Ok(Err(e)) => return Err(e),
                    Err(TryRecvError::Empty) => return Ok(Drained::Open),
                    Err(TryRecvError::Disconnected) => return Ok(Drained::Eof),
                }
            },
        }
    }
}
