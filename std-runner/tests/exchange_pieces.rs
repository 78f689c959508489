//! A response that arrives in pieces, against a real local server: wherever
//! the reads split it (inside the status line, between head and body, inside
//! a chunk), the exchange reads the same status and body as when it arrives
//! whole, and bytes after the response make the connection unfit for reuse.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

#[path = "support/exchange.rs"]
mod exchange;

use std::io::{Read, Write};
use std::net::TcpListener;
use std::time::Duration;

use exchange::{drive, read_request};
use mio::Poll;
use mio::net::TcpStream;
use supercheck_core::http::BodyLimits;
use supercheck_runtime::endpoint::Stream;
use supercheck_runtime::exchange::{BodySink, Exchange, Progress, Response};

const REQUEST: &[u8] = b"GET /ping HTTP/1.1\r\nHost: t\r\n\r\n";
const SIZED: &[u8] = b"HTTP/1.1 200 OK\r\nContent-Length: 11\r\n\r\nhello world";
const CHUNKED: &[u8] =
    b"HTTP/1.1 503 Busy\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n";

/// Serves one request with `pieces`, written one by one with a pause between
/// them (no Nagle: each piece is its own segment, read by its own `read`),
/// and returns what the exchange made of it.
fn exchange_in_pieces(pieces: Vec<Vec<u8>>) -> Response {
    let server = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = server.local_addr().unwrap();
    let thread = std::thread::spawn(move || {
        let (mut conn, _) = server.accept().unwrap();
        conn.set_nodelay(true).unwrap();
        read_request(&mut conn);
        for piece in pieces {
            conn.write_all(&piece).unwrap();
            std::thread::sleep(Duration::from_millis(30));
        }
        // Hold the connection until the client is done with it.
        let _ = conn.read(&mut [0u8; 16]);
    });
    let mut poll = Poll::new().unwrap();
    let stream = Stream::Tcp(TcpStream::connect(addr).unwrap());
    let exchange = Exchange::new(
        stream,
        REQUEST.to_vec(),
        BodySink::Keep(Vec::new()),
        BodyLimits::default(),
    );
    let (exchange, progress) = drive(&mut poll, exchange);
    drop(exchange);
    thread.join().unwrap();
    match progress {
        Progress::Done(response) => response,
        Progress::Failed(e) => panic!("the exchange failed: {e}"),
        Progress::Pending => panic!("the exchange did not end"),
    }
}

/// `whole` cut at `cuts` (byte offsets, increasing).
fn cut(whole: &[u8], cuts: &[usize]) -> Vec<Vec<u8>> {
    let mut pieces = Vec::new();
    let mut from = 0;
    for &at in cuts.iter().chain(std::iter::once(&whole.len())) {
        pieces.push(whole[from..at].to_vec());
        from = at;
    }
    pieces
}

#[test]
fn a_response_in_one_piece_is_read_whole_and_the_connection_kept() {
    let response = exchange_in_pieces(vec![SIZED.to_vec()]);
    assert_eq!(response.status, 200);
    assert_eq!(response.body, b"hello world");
    assert!(response.reusable);
}

#[test]
fn a_sized_response_split_anywhere_reads_the_same() {
    let head_len = SIZED.windows(4).position(|w| w == b"\r\n\r\n").unwrap() + 4;
    let splits: [&[usize]; 5] = [
        &[5],                             // inside "HTTP/1.1"
        &[20, 30],                        // inside the header lines
        &[head_len],                      // head, then the whole body
        &[head_len + 3],                  // head and a bit of the body, then the rest
        &[1, head_len - 1, head_len + 5], // a byte, most of the head, then the body in two
    ];
    for cuts in splits {
        let response = exchange_in_pieces(cut(SIZED, cuts));
        assert_eq!(response.status, 200, "cut at {cuts:?}");
        assert_eq!(response.body, b"hello world", "cut at {cuts:?}");
        assert!(response.reusable, "cut at {cuts:?}");
    }
}

#[test]
fn a_chunked_response_split_inside_its_chunks_reads_the_same() {
    let head_len = CHUNKED.windows(4).position(|w| w == b"\r\n\r\n").unwrap() + 4;
    for cuts in [
        vec![head_len + 1],
        vec![head_len + 4, head_len + 12],
        vec![head_len - 2, CHUNKED.len() - 3],
    ] {
        let response = exchange_in_pieces(cut(CHUNKED, &cuts));
        assert_eq!(response.status, 503, "cut at {cuts:?}");
        assert_eq!(response.body, b"hello world", "cut at {cuts:?}");
        assert!(response.reusable, "cut at {cuts:?}");
    }
}

#[test]
fn bytes_after_the_response_make_the_connection_unfit_for_reuse() {
    let mut extra = SIZED.to_vec();
    extra.extend_from_slice(b"HTTP/1.1 200 OK\r\n");
    let response = exchange_in_pieces(vec![extra]);
    assert_eq!(response.body, b"hello world");
    assert!(
        !response.reusable,
        "a connection with unread bytes was kept"
    );
}
