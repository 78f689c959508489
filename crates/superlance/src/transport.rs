//! How httpok's probe reaches the server: plain TCP for `http://`, TLS over it
//! for `https://`, with the attempt's deadline applied to every socket call
//! (the TLS handshake included).

use std::io::{self, Read, Write};
use std::net::TcpStream;
use std::time::Instant;

#[cfg(feature = "tls")]
use supercheck_runtime::tls::{TlsClient, TlsStream};

/// The transport of a probe, fixed at start-up.
#[derive(Clone, Debug)]
pub enum Transport {
    /// `http://`.
    Plain,
    /// `https://`: the client (trusted roots) and the name to verify.
    #[cfg(feature = "tls")]
    Tls {
        /// Trusted roots and settings.
        client: TlsClient,
        /// The URL's host: SNI and the name (or IP address) the certificate must carry.
        name: rustls::pki_types::ServerName<'static>,
    },
}

impl Transport {
    /// Wraps a connected socket; every read and write on the result ends by
    /// `deadline` (`TimedOut`/`WouldBlock` after it).
    ///
    /// # Errors
    /// rustls refused to start the session.
    pub fn open(&self, stream: TcpStream, deadline: Instant) -> io::Result<Conn> {
        let socket = DeadlineStream { stream, deadline };
        match self {
            Transport::Plain => Ok(Conn::Plain(socket)),
            #[cfg(feature = "tls")]
            Transport::Tls { client, name } => {
                client.connect(name, socket).map(|s| Conn::Tls(Box::new(s)))
            }
        }
    }
}

/// A TCP stream whose reads and writes give up at a deadline.
#[derive(Debug)]
pub struct DeadlineStream {
    stream: TcpStream,
    deadline: Instant,
}

impl DeadlineStream {
    fn arm(&self) -> io::Result<()> {
        let left = self.deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(io::Error::from(io::ErrorKind::TimedOut));
        }
        self.stream.set_read_timeout(Some(left))?;
        self.stream.set_write_timeout(Some(left))
    }
}

impl Read for DeadlineStream {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        loop {
            self.arm()?;
            match self.stream.read(buf) {
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                other => return other,
            }
        }
    }
}

impl Write for DeadlineStream {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        loop {
            self.arm()?;
            match self.stream.write(buf) {
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                other => return other,
            }
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        self.stream.flush()
    }
}

/// A probe's connection, plain or TLS.
#[derive(Debug)]
pub enum Conn {
    /// `http://`.
    Plain(DeadlineStream),
    /// `https://`.
    #[cfg(feature = "tls")]
    Tls(Box<TlsStream<DeadlineStream>>),
}

impl Read for Conn {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self {
            Conn::Plain(s) => s.read(buf),
            #[cfg(feature = "tls")]
            Conn::Tls(s) => s.read(buf),
        }
    }
}

impl Write for Conn {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            Conn::Plain(s) => s.write(buf),
            #[cfg(feature = "tls")]
            Conn::Tls(s) => s.write(buf),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match self {
            Conn::Plain(s) => s.flush(),
            #[cfg(feature = "tls")]
            Conn::Tls(s) => s.flush(),
        }
    }
}

/// The verdict and log detail of a TLS failure inside an I/O error.
#[cfg(feature = "tls")]
pub fn tls_failure(e: &io::Error) -> Option<(supercheck_core::check::verdict::Verdict, String)> {
    supercheck_runtime::tls::TlsFailure::of(e).map(|f| (f.verdict(), f.detail.clone()))
}

/// Without TLS there are no TLS failures.
#[cfg(not(feature = "tls"))]
pub fn tls_failure(_e: &io::Error) -> Option<(supercheck_core::check::verdict::Verdict, String)> {
    None
}

/// The transport for `url`: TLS with the roots of `ca_file` (or the
/// system's) for https, plain TCP for http.
///
/// # Errors
/// A configuration mistake, reported at start-up (never a restart):
/// `--ca-file` with an http URL, an unreadable or certificate-less CA file,
/// no system roots, a host that is no TLS name, or an https URL in a build
/// without the `tls` feature.
pub fn for_url(
    url: &super::url_probe::HttpUrl,
    ca_file: Option<&std::path::Path>,
) -> Result<Transport, String> {
    if !url.tls {
        return match ca_file {
            Some(path) => Err(format!(
                "--ca-file {} is only used with https:// URLs",
                path.display()
            )),
            None => Ok(Transport::Plain),
        };
    }
    #[cfg(feature = "tls")]
    {
        let client = TlsClient::new(ca_file).map_err(|e| e.to_string())?;
        let name = supercheck_runtime::tls::server_name(&url.host).map_err(|e| e.to_string())?;
        Ok(Transport::Tls { client, name })
    }
    #[cfg(not(feature = "tls"))]
    {
        let _ = ca_file;
        Err(
            "https:// URLs need TLS, and this build has none (built without the `tls` feature)"
                .into(),
        )
    }
}

/// Logs what an https probe trusts, once at start-up.
pub fn log_trust(transport: &Transport, log: &supercheck_runtime::log::Logger) {
    match transport {
        Transport::Plain => {
            let _ = log;
        }
        #[cfg(feature = "tls")]
        Transport::Tls { client, name } => supercheck_runtime::log_line!(
            log,
            "https: verifying certificates for {} against {}",
            name.to_str(),
            client.trust()
        ),
    }
}
