//! Driving one [`Exchange`] on its own poll until it ends.

use std::time::{Duration, Instant};

use mio::{Events, Interest, Poll, Token};
use supercheck::exchange::{Exchange, Progress};

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
    loop {
        match exchange.advance() {
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
