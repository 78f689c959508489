//! Driving one [`Exchange`] on its own poll until it ends, and the server's
//! side of it.

use std::io::Read;
use std::time::{Duration, Instant};

use mio::{Events, Interest, Poll, Token};
use supercheck_runtime::exchange::{Exchange, Progress, ReadBuffer};

/// Runs `exchange` on `poll` until it ends (10 s at most).
pub fn drive(poll: &mut Poll, mut exchange: Exchange) -> (Exchange, Progress) {
    poll.registry()
        .register(
            exchange.stream_mut(),
            Token(1),
            Interest::READABLE | Interest::WRITABLE,
        )
        .unwrap();
    let mut events = Events::with_capacity(8);
    let end = Instant::now() + Duration::from_secs(10);
    let mut buffer = ReadBuffer::new();
    loop {
        match exchange.advance(&mut buffer) {
            Progress::Pending => {}
            done => {
                poll.registry().deregister(exchange.stream_mut()).unwrap();
                return (exchange, done);
            }
        }
        assert!(Instant::now() < end, "the exchange never ended");
        poll.poll(&mut events, Some(Duration::from_millis(200)))
            .unwrap();
    }
}

/// Reads one request head from the server's side of the connection.
pub fn read_request(conn: &mut std::net::TcpStream) {
    let mut got = Vec::new();
    let mut buf = [0u8; 512];
    while !got.ends_with(b"\r\n\r\n") {
        let n = conn.read(&mut buf).unwrap();
        assert!(n > 0, "client closed early");
        got.extend_from_slice(&buf[..n]);
    }
}
