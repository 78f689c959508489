//! The http check over TLS (`supervisor_http_check --https`): the probe still
//! connects to `127.0.0.1:PORT`, and the certificate is verified for the
//! configured name (`--tls-name`, default `localhost`), sent as SNI. The
//! exchange is the same non-blocking [`Exchange`](crate::exchange::Exchange):
//! only its stream is wrapped ([`Stream::Tls`]).

use std::io;

use crate::endpoint::Stream;

/// Where an https check's certificate is verified, built at start-up.
#[cfg(feature = "tls")]
#[derive(Clone, Debug)]
pub struct HttpsTarget {
    client: crate::tls::TlsClient,
    name: rustls::pki_types::ServerName<'static>,
}

/// Without the `tls` feature no https target can be built.
#[cfg(not(feature = "tls"))]
#[derive(Clone, Debug)]
pub struct HttpsTarget {
    never: std::convert::Infallible,
}

impl HttpsTarget {
    /// A target verifying certificates for `name` against `ca_file`'s
    /// certificates, or the system's roots.
    ///
    /// # Errors
    /// A configuration mistake, for start-up: a bad name, an unreadable or
    /// certificate-less CA file, no system roots, or no TLS in this build.
    pub fn new(name: &str, ca_file: Option<&std::path::Path>) -> Result<Self, String> {
        #[cfg(feature = "tls")]
        {
            Ok(Self {
                client: crate::tls::TlsClient::new(ca_file).map_err(|e| e.to_string())?,
                name: crate::tls::server_name(name).map_err(|e| e.to_string())?,
            })
        }
        #[cfg(not(feature = "tls"))]
        {
            let _ = (name, ca_file);
            Err("https needs TLS, and this build has none (built without the `tls` feature)".into())
        }
    }

    /// What is verified, for the start-up log line.
    pub fn describe(&self) -> String {
        #[cfg(feature = "tls")]
        {
            format!(
                "https: verifying certificates for {} against {}",
                self.name.to_str(),
                self.client.trust()
            )
        }
        #[cfg(not(feature = "tls"))]
        match self.never {}
    }

    /// Starts TLS over a connecting TCP stream; the handshake runs inside the
    /// exchange's reads and writes.
    ///
    /// # Errors
    /// A unix socket (https is for TCP), or rustls refused to start.
    pub fn wrap(&self, stream: Stream) -> io::Result<Stream> {
        #[cfg(feature = "tls")]
        match stream {
            Stream::Tcp(tcp) => Ok(Stream::Tls(Box::new(self.client.connect(&self.name, tcp)?))),
            _ => Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "https is only for TCP connections",
            )),
        }
        #[cfg(not(feature = "tls"))]
        {
            let _ = stream;
            match self.never {}
        }
    }
}
