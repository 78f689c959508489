//! Host names resolved off the loop: each lookup runs `getaddrinfo` on a
//! short-lived thread and hands its answer back through a channel, waking the
//! loop with a [`mio::Waker`]. IP literals and `localhost` never leave the loop.

use std::net::{IpAddr, Ipv4Addr, SocketAddr, ToSocketAddrs};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{Receiver, Sender, channel};

use mio::{Registry, Token, Waker};

/// Lookups in flight at most; more fail at once (a resolver that hangs must
/// not pile up threads).
pub const MAX_LOOKUPS: usize = 32;

/// The address of `host` when no lookup is needed: an IP literal or `localhost`.
pub fn literal(host: &str, port: u16) -> Option<SocketAddr> {
    if host.eq_ignore_ascii_case("localhost") {
        return Some(SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), port));
    }
    host.parse::<IpAddr>()
        .ok()
        .map(|ip| SocketAddr::new(ip, port))
}

/// A lookup's answer: the id it was asked with and the first address.
pub type Answer = (usize, Result<SocketAddr, String>);

/// Runs lookups on threads and collects their answers.
#[derive(Debug)]
pub struct Resolver {
    tx: Sender<Answer>,
    rx: Receiver<Answer>,
    waker: Arc<Waker>,
    in_flight: Arc<AtomicUsize>,
}

impl Resolver {
    /// A resolver that wakes `registry` with `token` when an answer arrives.
    ///
    /// # Errors
    /// The waker cannot be created.
    pub fn new(registry: &Registry, token: Token) -> std::io::Result<Self> {
        let (tx, rx) = channel();
        Ok(Self {
            tx,
            rx,
            waker: Arc::new(Waker::new(registry, token)?),
            in_flight: Arc::new(AtomicUsize::new(0)),
        })
    }

    /// Starts looking up `host:port`; the answer comes with `id`.
    ///
    /// # Errors
    /// Too many lookups in flight, or no thread could be started.
    pub fn lookup(&self, id: usize, host: &str, port: u16) -> Result<(), String> {
        if self.in_flight.fetch_add(1, Ordering::SeqCst) >= MAX_LOOKUPS {
            self.in_flight.fetch_sub(1, Ordering::SeqCst);
            return Err(format!("more than {MAX_LOOKUPS} name lookups in flight"));
        }
        let (tx, waker, in_flight) = (self.tx.clone(), self.waker.clone(), self.in_flight.clone());
        let host = host.to_string();
        std::thread::Builder::new()
            .name("resolve".into())
            .spawn(move || {
                let answer = (host.as_str(), port)
                    .to_socket_addrs()
                    .map_err(|e| format!("cannot resolve {host}: {e}"))
                    .and_then(|mut addrs| {
                        addrs.next().ok_or_else(|| format!("no address for {host}"))
                    });
                in_flight.fetch_sub(1, Ordering::SeqCst);
                let _ = tx.send((id, answer));
                let _ = waker.wake();
            })
            .map(|_| ())
            .map_err(|e| {
                self.in_flight.fetch_sub(1, Ordering::SeqCst);
                format!("cannot start a lookup thread: {e}")
            })
    }

    /// The answers that arrived.
    pub fn answers(&self) -> Vec<Answer> {
        self.rx.try_iter().collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literals_and_localhost_need_no_lookup() {
        assert_eq!(
            literal("localhost", 80),
            Some(SocketAddr::from(([127, 0, 0, 1], 80)))
        );
        assert_eq!(
            literal("::1", 8),
            Some(SocketAddr::new(
                IpAddr::from([0u16, 0, 0, 0, 0, 0, 0, 1]),
                8
            ))
        );
        assert_eq!(literal("example.invalid", 80), None);
    }
}
