//! The TLS adapter (`supercheck_runtime::tls`) against a real rustls server on
//! 127.0.0.1 with certificates made at test time: verification outcomes and
//! their reasons, SNI, blocking sockets with timeouts and non-blocking mio
//! sockets driven by readiness, and the start-up errors of `--ca-file`.

#![cfg(feature = "tls")]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod support;
#[path = "support/tls.rs"]
mod tls;

use std::io::{self, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::time::{Duration, Instant};

use supercheck_runtime::tls::{TlsClient, TlsFailure, server_name};
use support::TempDir;
use tls::{OK_RESPONSE, TestCa, TlsServer};

const REQUEST: &[u8] = b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";

/// A client trusting `ca` through a PEM file, as `--ca-file` does.
fn client_trusting(ca: &TestCa, dir: &TempDir) -> TlsClient {
    let path = dir.path().join("ca.pem");
    ca.write_pem(&path);
    TlsClient::new(Some(&path)).unwrap()
}

/// One blocking GET to `port` verifying `host`: the whole answer, or the error.
fn blocking_get(client: &TlsClient, host: &str, port: u16) -> io::Result<String> {
    let socket = TcpStream::connect(("127.0.0.1", port)).unwrap();
    socket
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    socket
        .set_write_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    let mut stream = client.connect(&server_name(host).unwrap(), socket)?;
    stream.write_all(REQUEST)?;
    let mut answer = String::new();
    stream.read_to_string(&mut answer)?;
    Ok(answer)
}

fn reason_of(result: io::Result<String>) -> (&'static str, String) {
    let e = result.expect_err("the handshake must fail");
    let failure = TlsFailure::of(&e).unwrap_or_else(|| panic!("not a TLS failure: {e:?}"));
    (failure.reason, failure.detail.clone())
}

#[test]
fn blocking_get_verifies_the_private_ca_and_sends_the_dns_name_as_sni() {
    let dir = TempDir::new("tls-ok");
    let ca = TestCa::new("a");
    let server = TlsServer::start(ca.server_cert(&["localhost"], false).config(), OK_RESPONSE);
    let client = client_trusting(&ca, &dir);
    assert!(client.trust().contains("ca.pem"), "{}", client.trust());
    let answer = blocking_get(&client, "localhost", server.port).unwrap();
    assert!(answer.starts_with("HTTP/1.1 200 OK"), "{answer}");
    assert!(answer.ends_with("healthy"), "{answer}");
    assert_eq!(server.server_names(), vec![Some("localhost".to_string())]);
}

#[test]
fn ip_address_host_sends_no_sni_and_is_verified_against_the_ip_san() {
    let dir = TempDir::new("tls-ip");
    let ca = TestCa::new("a");
    let server = TlsServer::start(ca.server_cert(&["127.0.0.1"], false).config(), OK_RESPONSE);
    let answer = blocking_get(&client_trusting(&ca, &dir), "127.0.0.1", server.port).unwrap();
    assert!(answer.ends_with("healthy"), "{answer}");
    assert_eq!(server.server_names(), vec![None]);
}

#[test]
fn certificate_of_another_ca_fails_with_unknown_issuer() {
    let dir = TempDir::new("tls-issuer");
    let (ca, other) = (TestCa::new("a"), TestCa::new("b"));
    let server = TlsServer::start(ca.server_cert(&["localhost"], false).config(), OK_RESPONSE);
    let (reason, _) = reason_of(blocking_get(
        &client_trusting(&other, &dir),
        "localhost",
        server.port,
    ));
    assert_eq!(reason, "TLS: certificate verify failed: UnknownIssuer");
    assert_eq!(server.served(), 0);
}

#[test]
fn certificate_for_another_name_fails_with_not_valid_for_name() {
    let dir = TempDir::new("tls-name");
    let ca = TestCa::new("a");
    let server = TlsServer::start(
        ca.server_cert(&["other.example"], false).config(),
        OK_RESPONSE,
    );
    let client = client_trusting(&ca, &dir);
    let (reason, detail) = reason_of(blocking_get(&client, "localhost", server.port));
    assert_eq!(reason, "TLS: certificate verify failed: NotValidForName");
    assert!(detail.contains("other.example"), "{detail}");
    // An IP address is checked against IP SANs, never against DNS names.
    let (reason, _) = reason_of(blocking_get(&client, "127.0.0.1", server.port));
    assert_eq!(reason, "TLS: certificate verify failed: NotValidForName");
}

#[test]
fn expired_certificate_fails_with_expired() {
    let dir = TempDir::new("tls-expired");
    let ca = TestCa::new("a");
    let server = TlsServer::start(ca.server_cert(&["localhost"], true).config(), OK_RESPONSE);
    let (reason, detail) = reason_of(blocking_get(
        &client_trusting(&ca, &dir),
        "localhost",
        server.port,
    ));
    assert_eq!(reason, "TLS: certificate verify failed: Expired");
    assert!(detail.contains("expired"), "{detail}");
}

#[test]
fn plain_http_answer_to_a_client_hello_is_not_a_tls_answer() {
    let dir = TempDir::new("tls-plain");
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let server = std::thread::spawn(move || {
        let (mut s, _) = listener.accept().unwrap();
        let mut buf = [0u8; 512];
        let _ = s.read(&mut buf);
        let _ = s.write_all(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n");
    });
    let (reason, _) = reason_of(blocking_get(
        &client_trusting(&TestCa::new("a"), &dir),
        "localhost",
        port,
    ));
    assert_eq!(
        reason,
        "TLS: handshake failed: not a TLS answer (InvalidMessage)"
    );
    server.join().unwrap();
}

#[test]
fn silent_server_times_out_in_the_handshake_instead_of_hanging() {
    let dir = TempDir::new("tls-silent");
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let socket = TcpStream::connect(("127.0.0.1", port)).unwrap();
    let (_held, _) = listener.accept().unwrap();
    socket
        .set_read_timeout(Some(Duration::from_millis(300)))
        .unwrap();
    let client = client_trusting(&TestCa::new("a"), &dir);
    let mut stream = client
        .connect(&server_name("localhost").unwrap(), socket)
        .unwrap();
    stream.write_all(REQUEST).unwrap();
    let start = Instant::now();
    let e = stream.read(&mut [0u8; 64]).unwrap_err();
    assert!(
        matches!(
            e.kind(),
            io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
        ),
        "{e:?}"
    );
    assert!(stream.is_handshaking());
    assert!(start.elapsed() < Duration::from_secs(3));
}

#[test]
fn server_closing_during_the_handshake_is_named() {
    let dir = TempDir::new("tls-close");
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let server = std::thread::spawn(move || {
        let (mut s, _) = listener.accept().unwrap();
        let _ = s.read(&mut [0u8; 512]);
    });
    let (reason, _) = reason_of(blocking_get(
        &client_trusting(&TestCa::new("a"), &dir),
        "localhost",
        port,
    ));
    assert_eq!(reason, "TLS: connection closed during the handshake");
    server.join().unwrap();
}

#[test]
fn non_blocking_mio_stream_is_driven_by_readiness_until_the_answer() {
    use mio::net::TcpStream as MioStream;
    use mio::{Events, Interest, Poll, Token};

    let dir = TempDir::new("tls-mio");
    let ca = TestCa::new("a");
    let server = TlsServer::start(ca.server_cert(&["localhost"], false).config(), OK_RESPONSE);
    let client = client_trusting(&ca, &dir);
    let mut poll = Poll::new().unwrap();
    let mut events = Events::with_capacity(8);
    let addr = format!("127.0.0.1:{}", server.port).parse().unwrap();
    let socket = MioStream::connect(addr).unwrap();
    let mut stream = client
        .connect(&server_name("localhost").unwrap(), socket)
        .unwrap();
    poll.registry()
        .register(
            stream.socket_mut(),
            Token(0),
            Interest::READABLE | Interest::WRITABLE,
        )
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(5);
    let (mut sent, mut would_block, mut eof) = (false, 0, false);
    let mut answer = Vec::new();
    while !eof {
        assert!(Instant::now() < deadline, "no answer in 5 s");
        poll.poll(&mut events, Some(Duration::from_millis(200)))
            .unwrap();
        if events.is_empty() {
            continue;
        }
        if !sent && stream.socket().peer_addr().is_ok() {
            stream.write_all(REQUEST).unwrap();
            sent = true;
        }
        // Edge-triggered: read until the socket would block.
        let mut chunk = [0u8; 4096];
        loop {
            match stream.read(&mut chunk) {
                Ok(0) => {
                    eof = true;
                    break;
                }
                Ok(n) => answer.extend_from_slice(&chunk[..n]),
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                    would_block += 1;
                    break;
                }
                Err(e) if e.kind() == io::ErrorKind::NotConnected => break,
                Err(e) => panic!("{e:?}"),
            }
        }
    }
    let answer = String::from_utf8(answer).unwrap();
    assert!(answer.ends_with("healthy"), "{answer}");
    assert!(
        would_block > 0,
        "the stream never had to wait: not non-blocking"
    );
    assert!(!stream.is_handshaking());
}

#[test]
fn ca_file_problems_are_set_up_errors_naming_the_file() {
    let dir = TempDir::new("tls-cafile");
    let missing = dir.path().join("missing.pem");
    let e = TlsClient::new(Some(&missing)).unwrap_err();
    assert!(
        e.0.contains("missing.pem") && e.0.contains("cannot read"),
        "{e}"
    );

    // A directory cannot be read as a file (root reads any mode-000 file).
    let e = TlsClient::new(Some(dir.path())).unwrap_err();
    assert!(e.0.contains("cannot read"), "{e}");

    let garbage = dir.path().join("garbage.pem");
    std::fs::write(&garbage, "this is not a certificate\n").unwrap();
    let e = TlsClient::new(Some(&garbage)).unwrap_err();
    assert!(
        e.0.contains("garbage.pem") && e.0.contains("no PEM certificate"),
        "{e}"
    );

    let broken = dir.path().join("broken.pem");
    std::fs::write(
        &broken,
        "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n",
    )
    .unwrap();
    let e = TlsClient::new(Some(&broken)).unwrap_err();
    assert!(e.0.contains("broken.pem"), "{e}");
}

#[test]
fn without_a_ca_file_the_system_roots_are_trusted_or_the_error_says_what_to_do() {
    match TlsClient::new(None) {
        Ok(client) => assert!(
            client.trust().starts_with("system roots ("),
            "{}",
            client.trust()
        ),
        Err(e) => assert!(e.0.contains("--ca-file"), "{e}"),
    }
}

#[test]
fn a_host_that_is_no_tls_name_is_refused() {
    assert!(server_name("bad name").is_err());
    assert!(server_name("::1").is_ok());
}
