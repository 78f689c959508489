//! A TLS client stream over any byte stream, for blocking sockets with
//! timeouts and non-blocking mio sockets alike.
//!
//! `Read`/`Write` on it move plaintext; underneath, each call drives the
//! rustls connection as far as the socket allows: pending TLS records are
//! written (`write_tls`), records are read (`read_tls`) and processed
//! (`process_new_packets`), until plaintext is available or the socket says
//! `WouldBlock`. So a caller that reads until `WouldBlock` (as the
//! edge-triggered [`Exchange`](crate::exchange::Exchange) does) also drains
//! the socket, and the handshake happens inside the first reads and writes:
//! it counts against whatever deadline the caller keeps.
//!
//! A rejected certificate or broken TLS comes out as an `InvalidData` I/O
//! error carrying a [`TlsFailure`].

use std::io::{self, Read, Write};

use rustls::ClientConnection;

use super::failure::TlsFailure;

/// A client TLS session over `S`.
pub struct TlsStream<S> {
    conn: ClientConnection,
    socket: S,
}

impl<S> std::fmt::Debug for TlsStream<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TlsStream")
            .field("handshaking", &self.conn.is_handshaking())
            .finish_non_exhaustive()
    }
}

impl<S: Read + Write> TlsStream<S> {
    /// Wraps a started rustls session around `socket`.
    pub fn new(conn: ClientConnection, socket: S) -> Self {
        Self { conn, socket }
    }

    /// The socket, for registration with a poll or for setting timeouts.
    pub fn socket(&self) -> &S {
        &self.socket
    }

    /// The socket, mutably (mio registration).
    pub fn socket_mut(&mut self) -> &mut S {
        &mut self.socket
    }

    /// Whether the handshake is still under way.
    pub fn is_handshaking(&self) -> bool {
        self.conn.is_handshaking()
    }

    /// Writes pending TLS records until there are none or the socket would
    /// block (`Err(WouldBlock)`).
    fn flush_tls(&mut self) -> io::Result<()> {
        while self.conn.wants_write() {
            match self.conn.write_tls(&mut self.socket) {
                Ok(0) => return Err(io::ErrorKind::WriteZero.into()),
                Ok(_) => {}
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        Ok(())
    }

    /// Reads what the socket has into rustls and processes it. `Ok(false)`
    /// at end of stream.
    fn fill(&mut self) -> io::Result<bool> {
        let n = loop {
            match self.conn.read_tls(&mut self.socket) {
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                other => break other?,
            }
        };
        if let Err(e) = self.conn.process_new_packets() {
            // Best effort: tell the server why (the alert rustls queued).
            let _ = self.flush_tls();
            return Err(TlsFailure::from_rustls(&e).into_io());
        }
        Ok(n > 0)
    }

    /// `WouldBlock` from a flush is no error while there is reading to do:
    /// the rest goes out on a later call.
    fn flush_tls_lenient(&mut self) -> io::Result<()> {
        match self.flush_tls() {
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => Ok(()),
            other => other,
        }
    }
}

impl<S: Read + Write> Read for TlsStream<S> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        loop {
            match self.conn.reader().read(buf) {
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {}
                // A close without close_notify: most HTTPS servers do it; the
                // HTTP framing tells whether the body was complete.
                Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => {
                    if self.conn.is_handshaking() {
                        return Err(TlsFailure::closed_in_handshake().into_io());
                    }
                    return Ok(0);
                }
                other => return other,
            }
            self.flush_tls_lenient()?;
            if !self.fill()? && self.conn.is_handshaking() {
                return Err(TlsFailure::closed_in_handshake().into_io());
            }
            // Processing may have produced records to send (the end of the
            // handshake, the request buffered behind it).
            self.flush_tls_lenient()?;
        }
    }
}

impl<S: Read + Write> Write for TlsStream<S> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        // Buffered by rustls (no limit, see `TlsClient::connect`) and sent as
        // soon as the handshake allows.
        let n = self.conn.writer().write(buf)?;
        self.flush_tls_lenient()?;
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.conn.writer().flush()?;
        self.flush_tls()?;
        self.socket.flush()
    }
}
