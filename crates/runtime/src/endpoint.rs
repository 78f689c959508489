//! The non-blocking mio stream to an [`Endpoint`]: TCP, a unix socket, or TLS
//! over TCP.

use std::io::{self, Read, Write};

use mio::event::Source;
use mio::net::{TcpStream, UnixStream};
use mio::{Interest, Registry, Token};

pub use supercheck_wire::endpoint::Endpoint;
use supercheck_wire::exchange::Transport;

/// Opening a non-blocking mio stream to an [`Endpoint`].
pub trait Connect {
    /// Starts a non-blocking connect. The connection completes (or fails) when
    /// the stream becomes writable.
    ///
    /// # Errors
    /// Immediate failures (no such socket file, no free ports, ...).
    fn connect(&self) -> io::Result<Stream>;
}

impl Connect for Endpoint {
    fn connect(&self) -> io::Result<Stream> {
        match self {
            Endpoint::Tcp(addr) => TcpStream::connect(*addr).map(Stream::Tcp),
            Endpoint::Unix(path) => UnixStream::connect(path).map(Stream::Unix),
        }
    }
}

/// A connected (or connecting) non-blocking stream.
#[derive(Debug)]
pub enum Stream {
    /// Over TCP.
    Tcp(TcpStream),
    /// Over a unix socket.
    Unix(UnixStream),
    /// TLS over TCP (an https check).
    #[cfg(feature = "tls")]
    Tls(Box<crate::tls::TlsStream<TcpStream>>),
}

impl Transport for Stream {
    /// The pending connect error, if the connect failed (`SO_ERROR`), or the
    /// error that says the connect has not finished yet.
    fn connect_result(&self) -> io::Result<()> {
        let pending = match self {
            Stream::Tcp(s) => s.take_error()?,
            Stream::Unix(s) => s.take_error()?,
            #[cfg(feature = "tls")]
            Stream::Tls(s) => s.socket().take_error()?,
        };
        if let Some(e) = pending {
            return Err(e);
        }
        // A TCP connect that is still in progress has no peer yet.
        match self {
            Stream::Tcp(s) => s.peer_addr().map(|_| ()),
            #[cfg(feature = "tls")]
            Stream::Tls(s) => s.socket().peer_addr().map(|_| ()),
            Stream::Unix(_) => Ok(()),
        }
    }
}

impl Read for Stream {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self {
            Stream::Tcp(s) => s.read(buf),
            Stream::Unix(s) => s.read(buf),
            #[cfg(feature = "tls")]
            Stream::Tls(s) => s.read(buf),
        }
    }
}

impl Write for Stream {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            Stream::Tcp(s) => s.write(buf),
            Stream::Unix(s) => s.write(buf),
            #[cfg(feature = "tls")]
            Stream::Tls(s) => s.write(buf),
        }
    }
    fn flush(&mut self) -> io::Result<()> {
        match self {
            Stream::Tcp(s) => s.flush(),
            Stream::Unix(s) => s.flush(),
            #[cfg(feature = "tls")]
            Stream::Tls(s) => s.flush(),
        }
    }
}

impl Source for Stream {
    fn register(
        &mut self,
        registry: &Registry,
        token: Token,
        interests: Interest,
    ) -> io::Result<()> {
        match self {
            Stream::Tcp(s) => s.register(registry, token, interests),
            Stream::Unix(s) => s.register(registry, token, interests),
            #[cfg(feature = "tls")]
            Stream::Tls(s) => s.socket_mut().register(registry, token, interests),
        }
    }
    fn reregister(
        &mut self,
        registry: &Registry,
        token: Token,
        interests: Interest,
    ) -> io::Result<()> {
        match self {
            Stream::Tcp(s) => s.reregister(registry, token, interests),
            Stream::Unix(s) => s.reregister(registry, token, interests),
            #[cfg(feature = "tls")]
            Stream::Tls(s) => s.socket_mut().reregister(registry, token, interests),
        }
    }
    fn deregister(&mut self, registry: &Registry) -> io::Result<()> {
        match self {
            Stream::Tcp(s) => s.deregister(registry),
            Stream::Unix(s) => s.deregister(registry),
            #[cfg(feature = "tls")]
            Stream::Tls(s) => s.socket_mut().deregister(registry),
        }
    }
}
