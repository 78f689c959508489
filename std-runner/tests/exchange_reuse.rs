//! An exchange on a kept-alive connection, against a real local server: a
//! connection the server closed before answering is "stale" (try a new one,
//! not the service's fault), but one that breaks after part of the answer
//! arrived is the service's failure.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

#[path = "support/exchange.rs"]
mod exchange;

use std::io::Write;
use std::net::{Shutdown, TcpListener};

use exchange::{drive, read_request};
use mio::Poll;
use mio::net::TcpStream;
use supercheck_core::http::BodyLimits;
use supercheck_runtime::endpoint::Stream;
use supercheck_runtime::exchange::{BodySink, Exchange, ExchangeError, Progress};

const REQUEST: &[u8] = b"GET /ping HTTP/1.1\r\nHost: t\r\n\r\n";
const ANSWER: &[u8] = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";

/// A first exchange answered in full and kept alive; then `second` decides
/// what the server does with the next request. Returns the second outcome.
fn second_exchange(second: impl FnOnce(std::net::TcpStream) + Send + 'static) -> Progress {
    let server = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = server.local_addr().unwrap();
    let thread = std::thread::spawn(move || {
        let (mut conn, _) = server.accept().unwrap();
        read_request(&mut conn);
        conn.write_all(ANSWER).unwrap();
        second(conn);
    });
    let mut poll = Poll::new().unwrap();
    let stream = Stream::Tcp(TcpStream::connect(addr).unwrap());
    let first = Exchange::new(
        stream,
        REQUEST.to_vec(),
        BodySink::Discard,
        BodyLimits::default(),
    );
    let (first, done) = drive(&mut poll, first);
    let Progress::Done(response) = done else {
        panic!("the first exchange failed")
    };
    assert!(response.reusable, "kept alive");
    let again = Exchange::reuse(
        first.into_stream(),
        REQUEST.to_vec(),
        BodySink::Discard,
        BodyLimits::default(),
    );
    let (_, outcome) = drive(&mut poll, again);
    thread.join().unwrap();
    outcome
}

#[test]
fn a_kept_alive_connection_closed_before_any_answer_is_stale() {
    let outcome = second_exchange(|mut conn| {
        read_request(&mut conn);
        conn.shutdown(Shutdown::Both).unwrap();
    });
    assert!(
        matches!(outcome, Progress::Failed(ExchangeError::Stale)),
        "{:?}",
        describe(&outcome)
    );
}

#[test]
fn a_kept_alive_connection_broken_after_part_of_the_answer_is_the_services_failure() {
    let outcome = second_exchange(|mut conn| {
        read_request(&mut conn);
        conn.write_all(b"HTTP/1.1 200 OK\r\nContent-Le").unwrap();
        conn.flush().unwrap();
        std::thread::sleep(std::time::Duration::from_millis(200));
        conn.shutdown(Shutdown::Both).unwrap();
    });
    match &outcome {
        Progress::Failed(ExchangeError::Stale) => {
            panic!("part of an answer arrived: not a stale connection")
        }
        Progress::Failed(_) => {}
        other => panic!("{:?}", describe(other)),
    }
}

fn describe(p: &Progress) -> String {
    match p {
        Progress::Pending => "pending".into(),
        Progress::Done(r) => format!("done {}", r.status),
        Progress::Failed(e) => format!("failed: {e}"),
    }
}
