//! The heartbeat check's receiving side: one UDP socket on the loop's poll,
//! drained on every readiness; each datagram is decoded, filtered by source
//! and fed to the [`BeatTracker`] of its device.
//!
//! Memory is bounded whatever the senders do: a datagram is read into a
//! fixed buffer one byte longer than the longest heartbeat (the kernel drops
//! the rest of a larger one), and only devices the configuration names (or the
//! selected processes' own names) get a tracker, at most
//! [`MAX_TRACKED_DEVICES`]; any other name is counted, never stored.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::io;
use std::net::{IpAddr, SocketAddr};

use mio::net::UdpSocket;
use mio::{Interest, Registry, Token};
use supercheck_cmdline::heartbeat::HeartbeatListen;
use supercheck_core::check::file_age::heartbeat_verdict;
use supercheck_core::check::verdict::{CheckError, Limit, Verdict};
use supercheck_core::heartbeat::{Beat, BeatTracker, MAX_DATAGRAM, Outcome};
use supercheck_core::time::{Duration, Instant};

/// Most devices tracked at once (a bound on memory, far above any real set-up).
pub const MAX_TRACKED_DEVICES: usize = 1024;

/// Every outcome, in the order of [`BeatCounters::outcomes`].
const OUTCOMES: [Outcome; 6] = [
    Outcome::First,
    Outcome::Fresh,
    Outcome::Rebooted,
    Outcome::Duplicate,
    Outcome::OutOfOrder,
    Outcome::Implausible,
];

/// What the receiver did with the datagrams it read.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct BeatCounters {
    /// Datagrams read from the socket.
    pub received: u64,
    /// Heartbeats accepted as signs of life.
    pub accepted: u64,
    /// Datagrams that are not heartbeats (or are too long).
    pub malformed: u64,
    /// Datagrams from a source not in `--allow-from`.
    pub spoofed: u64,
    /// Heartbeats from a device no process depends on.
    pub unknown_device: u64,
    /// Heartbeats of known devices, by [`Outcome`] (in `OUTCOMES` order).
    pub outcomes: [u64; 6],
}

impl BeatCounters {
    /// The count of one outcome.
    pub fn outcome(&self, outcome: Outcome) -> u64 {
        OUTCOMES
            .iter()
            .position(|o| *o == outcome)
            .and_then(|i| self.outcomes.get(i).copied())
            .unwrap_or(0)
    }

    fn count(&mut self, outcome: Outcome) {
        if let Some(slot) = OUTCOMES
            .iter()
            .position(|o| *o == outcome)
            .and_then(|i| self.outcomes.get_mut(i))
        {
            *slot = slot.saturating_add(1);
        }
    }

    /// One log line: `received 12, accepted 9, ignored: duplicate 1, ...`.
    pub fn summary(&self) -> String {
        let mut line = format!(
            "heartbeats: received {}, accepted {}, malformed {}, spoofed {}, unknown device {}",
            self.received, self.accepted, self.malformed, self.spoofed, self.unknown_device
        );
        for outcome in OUTCOMES.into_iter().filter(|o| !o.accepted()) {
            let _ = write!(line, ", {} {}", outcome.name(), self.outcome(outcome));
        }
        line
    }

    /// The counters as Prometheus families, appended to `out`.
    pub fn render_metrics(&self, out: &mut String) {
        let _ = writeln!(
            out,
            "# HELP supercheck_heartbeat_datagrams_total Heartbeat datagrams read, by what became of them.\n\
             # TYPE supercheck_heartbeat_datagrams_total counter"
        );
        let mut family = |result: &str, n: u64| {
            let _ = writeln!(
                out,
                "supercheck_heartbeat_datagrams_total{{result=\"{result}\"}} {n}"
            );
        };
        family("received", self.received);
        family("accepted", self.accepted);
        family("malformed", self.malformed);
        family("spoofed", self.spoofed);
        family("unknown_device", self.unknown_device);
        for outcome in OUTCOMES {
            family(outcome.name(), self.outcome(outcome));
        }
    }
}

/// The socket and the per-device trackers.
#[derive(Debug)]
pub struct HeartbeatReceiver {
    socket: UdpSocket,
    allow_from: Vec<IpAddr>,
    trackers: HashMap<String, BeatTracker>,
    started: Instant,
    counters: BeatCounters,
    logged: BeatCounters,
}

impl HeartbeatReceiver {
    /// Binds `listen.bind` and registers it for reading under `token`.
    /// Devices not heard from count as silent from `now`.
    ///
    /// # Errors
    /// When the address cannot be bound (in use, not local) or registered;
    /// the message names the address.
    pub fn bind(
        listen: &HeartbeatListen,
        registry: &Registry,
        token: Token,
        now: Instant,
    ) -> io::Result<Self> {
        let mut socket = UdpSocket::bind(listen.bind).map_err(|e| {
            io::Error::new(
                e.kind(),
                format!(
                    "--bind: cannot receive heartbeats on udp {}: {e}",
                    listen.bind
                ),
            )
        })?;
        registry.register(&mut socket, token, Interest::READABLE)?;
        Ok(Self {
            socket,
            allow_from: listen.allow_from.iter().map(IpAddr::to_canonical).collect(),
            trackers: HashMap::new(),
            started: now,
            counters: BeatCounters::default(),
            logged: BeatCounters::default(),
        })
    }

    /// The address actually bound.
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.socket.local_addr()
    }

    /// Starts tracking `device` (a no-op when it is tracked already).
    /// Returns false when the tracker table is full.
    pub fn watch(&mut self, device: &str) -> bool {
        if self.trackers.contains_key(device) {
            return true;
        }
        if self.trackers.len() >= MAX_TRACKED_DEVICES {
            return false;
        }
        self.trackers.insert(device.to_string(), BeatTracker::new());
        true
    }

    /// Reads every datagram waiting (until the socket would block), at `now`.
    ///
    /// # Errors
    /// A socket error other than "would block" (the datagrams read before it count).
    pub fn drain(&mut self, now: Instant) -> io::Result<()> {
        let mut buf = [0u8; MAX_DATAGRAM + 1];
        loop {
            match self.socket.recv_from(&mut buf) {
                Ok((len, from)) => {
                    let datagram = buf.get(..len).unwrap_or_default();
                    self.on_datagram(datagram, from, now);
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => return Ok(()),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
    }

    fn on_datagram(&mut self, datagram: &[u8], from: SocketAddr, now: Instant) {
        let counters = &mut self.counters;
        counters.received = counters.received.saturating_add(1);
        if !self.allow_from.is_empty() && !self.allow_from.contains(&from.ip().to_canonical()) {
            counters.spoofed = counters.spoofed.saturating_add(1);
            return;
        }
        let Ok(beat) = Beat::decode(datagram) else {
            counters.malformed = counters.malformed.saturating_add(1);
            return;
        };
        let Some(tracker) = self.trackers.get_mut(beat.device()) else {
            counters.unknown_device = counters.unknown_device.saturating_add(1);
            return;
        };
        let outcome = tracker.observe(&beat, now);
        counters.count(outcome);
        if outcome.accepted() {
            counters.accepted = counters.accepted.saturating_add(1);
        }
    }

    /// The verdict for a process depending on `device`, at `now`: pass when
    /// its last accepted beat is at most `timeout` old; a device never heard
    /// counts from when the receiver started.
    pub fn verdict(&mut self, device: &str, now: Instant, timeout: Duration) -> Verdict {
        if !self.watch(device) {
            let cap = u32::try_from(MAX_TRACKED_DEVICES).unwrap_or(u32::MAX);
            return Verdict::Error(CheckError::LimitHit(Limit::Targets { cap }));
        }
        let last = self.trackers.get(device).and_then(BeatTracker::last_heard);
        heartbeat_verdict(now, last, self.started, timeout)
    }

    /// When `device`'s last accepted beat arrived, if ever.
    pub fn last_heard(&self, device: &str) -> Option<Instant> {
        self.trackers.get(device).and_then(BeatTracker::last_heard)
    }

    /// The counters so far.
    pub fn counters(&self) -> BeatCounters {
        self.counters
    }

    /// The counters' summary when they changed since the last call.
    pub fn summary_if_changed(&mut self) -> Option<String> {
        if self.counters == self.logged {
            return None;
        }
        self.logged = self.counters;
        Some(self.counters.summary())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summary_names_every_counter() {
        let mut counters = BeatCounters {
            received: 5,
            accepted: 2,
            malformed: 1,
            spoofed: 1,
            unknown_device: 1,
            ..BeatCounters::default()
        };
        counters.count(Outcome::Duplicate);
        assert_eq!(
            counters.summary(),
            "heartbeats: received 5, accepted 2, malformed 1, spoofed 1, unknown device 1, \
             duplicate 1, out_of_order 0, implausible 0"
        );
        let mut text = String::new();
        counters.render_metrics(&mut text);
        assert!(text.contains("supercheck_heartbeat_datagrams_total{result=\"duplicate\"} 1\n"));
        assert!(text.contains("supercheck_heartbeat_datagrams_total{result=\"spoofed\"} 1\n"));
        assert!(text.contains("supercheck_heartbeat_datagrams_total{result=\"rebooted\"} 0\n"));
    }

    #[test]
    fn only_watched_devices_from_allowed_sources_are_tracked() {
        let poll = mio::Poll::new().unwrap();
        let listen = HeartbeatListen {
            bind: "127.0.0.1:0".parse().unwrap(),
            allow_from: vec!["127.0.0.1".parse().unwrap()],
        };
        let now = Instant::from_secs(1_000);
        let mut rx = HeartbeatReceiver::bind(&listen, poll.registry(), Token(9), now).unwrap();
        rx.watch("pump");
        let local: SocketAddr = "127.0.0.1:5000".parse().unwrap();
        let foreign: SocketAddr = "10.0.0.1:5000".parse().unwrap();
        rx.on_datagram(b"SCHB1 device=pump seq=0 uptime_ms=10\n", foreign, now);
        rx.on_datagram(b"SCHB1 device=other seq=0 uptime_ms=10\n", local, now);
        rx.on_datagram(b"garbage", local, now);
        assert_eq!(rx.last_heard("pump"), None);
        rx.on_datagram(b"SCHB1 device=pump seq=0 uptime_ms=10\n", local, now);
        rx.on_datagram(b"SCHB1 device=pump seq=0 uptime_ms=10\n", local, now);
        let c = rx.counters();
        assert_eq!(
            (
                c.received,
                c.accepted,
                c.spoofed,
                c.unknown_device,
                c.malformed
            ),
            (5, 1, 1, 1, 1)
        );
        assert_eq!(c.outcome(Outcome::Duplicate), 1);
        assert_eq!(rx.last_heard("pump"), Some(now));
        assert!(!rx.trackers.contains_key("other"));
    }

    #[test]
    fn a_device_never_heard_fails_only_after_one_timeout_from_the_start() {
        let poll = mio::Poll::new().unwrap();
        let listen = HeartbeatListen {
            bind: "127.0.0.1:0".parse().unwrap(),
            allow_from: Vec::new(),
        };
        let start = Instant::from_secs(1_000);
        let mut rx = HeartbeatReceiver::bind(&listen, poll.registry(), Token(9), start).unwrap();
        let timeout = Duration::from_secs(3);
        assert_eq!(
            rx.verdict("pump", start + Duration::from_secs(3), timeout),
            Verdict::Pass
        );
        assert!(matches!(
            rx.verdict("pump", start + Duration::from_secs(4), timeout),
            Verdict::Fail(_)
        ));
    }
}
