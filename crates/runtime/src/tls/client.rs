//! The TLS client settings of a probe: which roots it trusts, checked once at
//! start-up so that a bad `--ca-file` is a start-up error, never a restart.
//!
//! Trust: without `--ca-file`, the system's roots (`rustls-native-certs`:
//! `/etc/ssl/certs`, or `SSL_CERT_FILE`/`SSL_CERT_DIR` when set). With
//! `--ca-file PATH`, the certificates in that PEM file *instead of* the
//! system's: a probe pinned to a private CA does not also accept any public
//! CA's certificate for the same name (as curl's `--cacert`). To trust both,
//! put both in the file.

use std::fmt;
use std::io::{Read, Write};
use std::path::Path;
use std::sync::Arc;

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName};
use rustls::{ClientConfig, ClientConnection, RootCertStore};

use super::failure::TlsFailure;
use super::stream::TlsStream;

/// Why TLS could not be set up: a configuration mistake, reported at start-up.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TlsSetupError(pub String);

impl fmt::Display for TlsSetupError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for TlsSetupError {}

/// The client side of TLS: trusted roots and protocol settings, shared by
/// every connection of a check.
#[derive(Clone, Debug)]
pub struct TlsClient {
    config: Arc<ClientConfig>,
    trust: String,
}

impl TlsClient {
    /// A client trusting the certificates of `ca_file` (PEM), or the system's
    /// roots when `None`.
    ///
    /// # Errors
    /// The file cannot be read, holds no PEM certificate, or holds one that is
    /// not a usable CA certificate; no system roots were found.
    pub fn new(ca_file: Option<&Path>) -> Result<Self, TlsSetupError> {
        let (roots, trust) = match ca_file {
            Some(path) => (file_roots(path)?, format!("CA file {}", path.display())),
            None => system_roots()?,
        };
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let config = ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|e| TlsSetupError(format!("TLS set-up: {e}")))?
            .with_root_certificates(roots)
            .with_no_client_auth();
        Ok(Self {
            config: Arc::new(config),
            trust,
        })
    }

    /// What this client trusts, for the start-up log line.
    pub fn trust(&self) -> &str {
        &self.trust
    }

    /// Starts a TLS session with `host` over `socket` (connected, blocking
    /// with timeouts or non-blocking). Nothing is sent until the stream is
    /// first written or read.
    ///
    /// # Errors
    /// rustls refused to start a session (as a [`TlsFailure`] I/O error).
    pub fn connect<S: Read + Write>(
        &self,
        host: &ServerName<'static>,
        socket: S,
    ) -> std::io::Result<TlsStream<S>> {
        let mut conn = ClientConnection::new(Arc::clone(&self.config), host.clone())
            .map_err(|e| TlsFailure::from_rustls(&e).into_io())?;
        // Requests are small and bounded by the configuration: buffer them
        // whole while the handshake is under way.
        conn.set_buffer_limit(None);
        Ok(TlsStream::new(conn, socket))
    }
}

/// The name to verify the certificate against (and to send as SNI): a DNS
/// name, or an IP address (no SNI; the certificate must carry it as an IP SAN).
///
/// # Errors
/// `host` is neither a valid DNS name nor an IP address.
pub fn server_name(host: &str) -> Result<ServerName<'static>, TlsSetupError> {
    ServerName::try_from(host.to_string())
        .map_err(|_| TlsSetupError(format!("{host:?} is not a valid TLS server name")))
}

fn file_roots(path: &Path) -> Result<RootCertStore, TlsSetupError> {
    let named = |why: String| TlsSetupError(format!("--ca-file {}: {why}", path.display()));
    let mut roots = RootCertStore::empty();
    let certs = CertificateDer::pem_file_iter(path).map_err(|e| named(pem_error(&e)))?;
    for cert in certs {
        let cert = cert.map_err(|e| named(pem_error(&e)))?;
        roots
            .add(cert)
            .map_err(|e| named(format!("not a usable CA certificate: {e}")))?;
    }
    if roots.is_empty() {
        return Err(named(
            "no PEM certificate (-----BEGIN CERTIFICATE-----) in the file".into(),
        ));
    }
    Ok(roots)
}

fn pem_error(e: &rustls::pki_types::pem::Error) -> String {
    match e {
        rustls::pki_types::pem::Error::Io(io) => format!("cannot read it: {io}"),
        other => format!("not a PEM file: {other:?}"),
    }
}

fn system_roots() -> Result<(RootCertStore, String), TlsSetupError> {
    let found = rustls_native_certs::load_native_certs();
    let mut roots = RootCertStore::empty();
    let (added, _ignored) = roots.add_parsable_certificates(found.certs);
    if added == 0 {
        let errors: Vec<String> = found.errors.iter().map(ToString::to_string).collect();
        return Err(TlsSetupError(format!(
            "no system CA certificates found ({}); give --ca-file PATH",
            if errors.is_empty() {
                "none in /etc/ssl/certs".to_string()
            } else {
                errors.join("; ")
            }
        )));
    }
    Ok((roots, format!("system roots ({added} certificates)")))
}
