//! Test TLS: a certificate authority and server certificates made at test
//! time with rcgen (no private key is committed), and a real TLS server on
//! 127.0.0.1 (rustls `ServerConnection` over a std `TcpListener`, one thread
//! per connection) that answers every request with a fixed response, on the
//! same connection unless the response says `Connection: close`.
//!
//! Included with `#[path = "support/tls.rs"] mod tls;`.
#![allow(
    dead_code,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair, KeyUsagePurpose};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use rustls::{ServerConfig, ServerConnection, StreamOwned};

/// A test certificate authority.
pub struct TestCa {
    issuer: Issuer<'static, KeyPair>,
    cert: CertificateDer<'static>,
    /// The CA certificate in PEM, for `--ca-file`.
    pub pem: String,
}

impl TestCa {
    /// A new CA named `name`.
    pub fn new(name: &str) -> Self {
        let key = KeyPair::generate().unwrap();
        let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params
            .distinguished_name
            .push(DnType::CommonName, format!("supercheck test CA {name}"));
        params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
        let cert = params.self_signed(&key).unwrap();
        Self {
            pem: cert.pem(),
            cert: cert.der().clone(),
            issuer: Issuer::new(params, key),
        }
    }

    /// Writes the CA certificate (PEM) to `path`.
    pub fn write_pem(&self, path: &Path) {
        std::fs::write(path, &self.pem).unwrap();
    }

    /// A server certificate for `names` (DNS names or IP addresses), signed
    /// by this CA; `expired`: valid only during the year 2000.
    pub fn server_cert(&self, names: &[&str], expired: bool) -> ServerCert {
        let key = KeyPair::generate().unwrap();
        let names: Vec<String> = names.iter().map(|n| (*n).to_string()).collect();
        let mut params = CertificateParams::new(names).unwrap();
        params
            .distinguished_name
            .push(DnType::CommonName, "supercheck test server");
        if expired {
            params.not_before = rcgen::date_time_ymd(2000, 1, 1);
            params.not_after = rcgen::date_time_ymd(2001, 1, 1);
        }
        let cert = params.signed_by(&key, &self.issuer).unwrap();
        ServerCert {
            chain: vec![cert.der().clone(), self.cert.clone()],
            key: PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der())),
        }
    }
}

/// A server's certificate chain and key.
pub struct ServerCert {
    chain: Vec<CertificateDer<'static>>,
    key: PrivateKeyDer<'static>,
}

impl ServerCert {
    /// The rustls server configuration presenting this certificate.
    pub fn config(&self) -> Arc<ServerConfig> {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let config = ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_no_client_auth()
            .with_single_cert(self.chain.clone(), self.key.clone_key())
            .unwrap();
        Arc::new(config)
    }
}

/// A TLS server on 127.0.0.1 answering every request with `response`.
/// Stopped (and its accept thread joined) when dropped.
pub struct TlsServer {
    /// The port it listens on.
    pub port: u16,
    stop: Arc<AtomicBool>,
    served: Arc<AtomicUsize>,
    server_names: Arc<Mutex<Vec<Option<String>>>>,
    accept: Option<JoinHandle<()>>,
}

impl TlsServer {
    /// Starts serving with `config`; an idle connection is closed after 30 s.
    pub fn start(config: Arc<ServerConfig>, response: &'static str) -> Self {
        Self::start_with_idle(config, response, Duration::from_secs(30))
    }

    /// Starts serving with `config`, closing connections idle for `idle`.
    pub fn start_with_idle(
        config: Arc<ServerConfig>,
        response: &'static str,
        idle: Duration,
    ) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        let port = listener.local_addr().unwrap().port();
        let stop = Arc::new(AtomicBool::new(false));
        let served = Arc::new(AtomicUsize::new(0));
        let server_names = Arc::new(Mutex::new(Vec::new()));
        let (s, n, names) = (stop.clone(), served.clone(), server_names.clone());
        let accept = std::thread::spawn(move || {
            while !s.load(Ordering::Relaxed) {
                match listener.accept() {
                    Ok((stream, _)) => {
                        let (config, n, names) = (config.clone(), n.clone(), names.clone());
                        std::thread::spawn(move || {
                            serve(stream, config, response, idle, &n, &names);
                        });
                    }
                    Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                        std::thread::sleep(Duration::from_millis(20));
                    }
                    Err(_) => return,
                }
            }
        });
        Self {
            port,
            stop,
            served,
            server_names,
            accept: Some(accept),
        }
    }

    /// How many requests got a response (handshake and request complete).
    pub fn served(&self) -> usize {
        self.served.load(Ordering::Relaxed)
    }

    /// The SNI of each connection that got an answer (`None`: the client
    /// sent none); its length is the number of such connections.
    pub fn server_names(&self) -> Vec<Option<String>> {
        self.server_names.lock().unwrap().clone()
    }
}

impl Drop for TlsServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(accept) = self.accept.take() {
            let _ = accept.join();
        }
    }
}

/// One connection: handshake, then read each request head and answer it,
/// until the response closes the connection or the client does (or is idle
/// for `idle`). Handshake failures (the client rejected the certificate) just
/// end it. The SNI is recorded once per connection.
fn serve(
    stream: TcpStream,
    config: Arc<ServerConfig>,
    response: &str,
    idle: Duration,
    served: &AtomicUsize,
    names: &Mutex<Vec<Option<String>>>,
) {
    let _ = stream.set_nonblocking(false);
    let _ = stream.set_read_timeout(Some(idle));
    let _ = stream.set_write_timeout(Some(Duration::from_secs(5)));
    let Ok(conn) = ServerConnection::new(config) else {
        return;
    };
    let mut tls = StreamOwned::new(conn, stream);
    let closes = response.contains("Connection: close");
    let mut first = true;
    loop {
        let mut head = Vec::new();
        let mut chunk = [0u8; 1024];
        while !head.windows(4).any(|w| w == b"\r\n\r\n") {
            match tls.read(&mut chunk) {
                Ok(0) | Err(_) => return,
                Ok(n) => head.extend_from_slice(&chunk[..n]),
            }
        }
        if first {
            names
                .lock()
                .unwrap()
                .push(tls.conn.server_name().map(str::to_string));
            first = false;
        }
        if tls.write_all(response.as_bytes()).is_err() {
            return;
        }
        served.fetch_add(1, Ordering::Relaxed);
        if closes {
            tls.conn.send_close_notify();
            let _ = tls.flush();
            return;
        }
    }
}

/// A healthy answer, closing the connection.
pub const OK_RESPONSE: &str =
    "HTTP/1.1 200 OK\r\nContent-Length: 7\r\nConnection: close\r\n\r\nhealthy";

/// A healthy answer that keeps the connection open for the next request.
pub const OK_KEEP_ALIVE: &str = "HTTP/1.1 200 OK\r\nContent-Length: 7\r\n\r\nhealthy";

/// An unhealthy answer, keeping the connection open.
pub const ERROR_KEEP_ALIVE: &str =
    "HTTP/1.1 500 Internal Server Error\r\nContent-Length: 4\r\n\r\nsick";
