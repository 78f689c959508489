//! [`App`]: the device application over any smoltcp [`Device`]: one
//! [`Interface`] with a static address, HTTP listeners answering
//! `GET /health`, and a UDP socket sending a heartbeat every period.
//! Sans-clock: the caller passes milliseconds since boot to [`App::poll`]
//! and sleeps until the time it returns (or until a frame arrives).

use core::fmt;

use smoltcp::iface::{Config as IfaceConfig, Interface, SocketHandle, SocketSet};
use smoltcp::phy::Device;
use smoltcp::socket::{tcp, udp};
use smoltcp::time::Instant;
use smoltcp::wire::{HardwareAddress, IpCidr};
use supercheck_core::heartbeat::{Beat, MAX_DATAGRAM};

use crate::config::Config;
use crate::health::Snapshot;
use crate::http::{Answer, answer};
use crate::schedule::BeatSchedule;
use crate::storage::{HTTP_SOCKETS, Storage};

/// A connection that has not been answered and closed within this time is aborted.
pub const HTTP_DEADLINE_MS: u64 = 5_000;

/// Why the application could not start.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum StartError {
    /// The configured device name is not a valid heartbeat device name.
    BadDevice,
    /// The interface's address table or route table is full.
    AddressTable,
    /// The HTTP port or the beat source port is 0.
    BadPort,
}

impl fmt::Display for StartError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            StartError::BadDevice => "device name is not 1-32 bytes of [A-Za-z0-9._-]",
            StartError::AddressTable => "interface address or route table is full",
            StartError::BadPort => "HTTP port and beat source port must not be 0",
        })
    }
}

impl core::error::Error for StartError {}

/// One HTTP listener and the request it is reading.
#[derive(Debug)]
struct HttpSlot<'a> {
    handle: SocketHandle,
    request: &'a mut [u8],
    len: usize,
    /// When the current connection left `Listen`.
    busy_since_ms: Option<u64>,
    /// The reply is queued and the socket closing.
    answered: bool,
}

/// Counters of the HTTP side, for logs and tests.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct HttpCounters {
    /// Replies queued.
    pub replies: u32,
    /// Connections aborted (deadline passed, or the reply did not fit).
    pub aborted: u32,
}

/// The heartbeat device application.
pub struct App<'a, D: Device> {
    device: D,
    iface: Interface,
    sockets: SocketSet<'a>,
    http: [HttpSlot<'a>; HTTP_SOCKETS],
    udp: SocketHandle,
    config: Config<'a>,
    beats: BeatSchedule,
    http_counters: HttpCounters,
    link_up: bool,
    now_ms: u64,
}

fn instant(ms: u64) -> Instant {
    Instant::from_millis(i64::try_from(ms).unwrap_or(i64::MAX))
}

impl<'a, D: Device> App<'a, D> {
    /// Sets up the interface and the sockets in `storage`; the first beat is
    /// due at `now_ms`. `random_seed` seeds TCP initial sequence numbers and
    /// ephemeral ports: give it something that differs between boots.
    ///
    /// # Errors
    /// A [`StartError`] when the configuration cannot be used.
    pub fn new(
        config: Config<'a>,
        mut device: D,
        storage: &'a mut Storage<'a>,
        now_ms: u64,
        random_seed: u64,
    ) -> Result<Self, StartError> {
        Beat::new(config.device, 0, 0).map_err(|_| StartError::BadDevice)?;
        if config.http_port == 0 || config.beat_source_port == 0 {
            return Err(StartError::BadPort);
        }
        let mut iface_config = IfaceConfig::new(HardwareAddress::Ethernet(config.mac));
        iface_config.random_seed = random_seed;
        let mut iface = Interface::new(iface_config, &mut device, instant(now_ms));
        let mut pushed = Ok(());
        iface.update_ip_addrs(|addrs| pushed = addrs.push(IpCidr::Ipv4(config.address)));
        pushed.map_err(|_| StartError::AddressTable)?;
        if let Some(gateway) = config.gateway {
            iface
                .routes_mut()
                .add_default_ipv4_route(gateway)
                .map_err(|_| StartError::AddressTable)?;
        }

        let Storage {
            sockets: socket_storage,
            http: http_buffers,
            udp_rx_meta,
            udp_rx,
            udp_tx_meta,
            udp_tx,
        } = storage;
        let mut sockets = SocketSet::new(&mut socket_storage[..]);
        let http = http_buffers.each_mut().map(|buffers| {
            let socket = tcp::Socket::new(
                tcp::SocketBuffer::new(&mut buffers.tcp_rx[..]),
                tcp::SocketBuffer::new(&mut buffers.tcp_tx[..]),
            );
            HttpSlot {
                handle: sockets.add(socket),
                request: &mut buffers.request[..],
                len: 0,
                busy_since_ms: None,
                answered: false,
            }
        });
        let mut udp_socket = udp::Socket::new(
            udp::PacketBuffer::new(&mut udp_rx_meta[..], &mut udp_rx[..]),
            udp::PacketBuffer::new(&mut udp_tx_meta[..], &mut udp_tx[..]),
        );
        udp_socket
            .bind(config.beat_source_port)
            .map_err(|_| StartError::BadPort)?;
        let udp = sockets.add(udp_socket);

        let mut app = Self {
            device,
            iface,
            sockets,
            http,
            udp,
            config,
            beats: BeatSchedule::new(config.period_ms, now_ms),
            http_counters: HttpCounters::default(),
            link_up: true,
            now_ms,
        };
        for i in 0..HTTP_SOCKETS {
            app.relisten(i)?;
        }
        Ok(app)
    }

    /// Puts the listener `i` back to `Listen`, forgetting its request.
    fn relisten(&mut self, i: usize) -> Result<(), StartError> {
        let Some(slot) = self.http.get_mut(i) else {
            return Ok(());
        };
        slot.len = 0;
        slot.busy_since_ms = None;
        slot.answered = false;
        let socket = self.sockets.get_mut::<tcp::Socket>(slot.handle);
        socket.abort();
        socket
            .listen(self.config.http_port)
            .map_err(|_| StartError::BadPort)
    }

    /// Runs the network stack, serves HTTP and sends a beat when one is due.
    /// Returns when it wants to be called again (milliseconds since boot);
    /// frames that arrive before then also warrant a call (a polled driver
    /// simply calls every tick).
    pub fn poll(&mut self, now_ms: u64) -> u64 {
        self.now_ms = now_ms;
        let now = instant(now_ms);
        self.iface.poll(now, &mut self.device, &mut self.sockets);
        self.serve_http(now_ms);
        self.send_beat_if_due(now_ms);
        self.iface.poll(now, &mut self.device, &mut self.sockets);

        let mut next = self.beats.next_due_ms();
        if let Some(at) = self.iface.poll_at(now, &self.sockets) {
            next = next.min(u64::try_from(at.total_millis()).unwrap_or(0));
        }
        for slot in &self.http {
            if let Some(since) = slot.busy_since_ms {
                next = next.min(since.saturating_add(HTTP_DEADLINE_MS));
            }
        }
        next
    }

    fn send_beat_if_due(&mut self, now_ms: u64) {
        if !self.beats.is_due(now_ms) {
            return;
        }
        let mut datagram = [0u8; MAX_DATAGRAM];
        let encoded = Beat::new(self.config.device, self.beats.next_seq(), now_ms)
            .and_then(|beat| beat.encode(&mut datagram));
        let socket = self.sockets.get_mut::<udp::Socket>(self.udp);
        let sent = match encoded.map(|len| datagram.get(..len)) {
            Ok(Some(bytes)) => socket.send_slice(bytes, self.config.collector).is_ok(),
            _ => false,
        };
        self.beats.record(now_ms, sent);
    }

    fn serve_http(&mut self, now_ms: u64) {
        let snapshot = self.snapshot();
        for i in 0..HTTP_SOCKETS {
            if self.serve_one(i, now_ms, &snapshot) {
                // A closed or stuck connection: listen again (cannot fail
                // once `new` has listened with the same port).
                let _ = self.relisten(i);
            }
        }
    }

    /// Advances listener `i`; true when it must listen again.
    fn serve_one(&mut self, i: usize, now_ms: u64, snapshot: &Snapshot<'_>) -> bool {
        let Some(slot) = self.http.get_mut(i) else {
            return false;
        };
        let socket = self.sockets.get_mut::<tcp::Socket>(slot.handle);
        match socket.state() {
            tcp::State::Listen => return false,
            // TIME-WAIT only guards against late duplicates; a device with
            // two listeners cannot spend 10 s per request on it.
            tcp::State::Closed | tcp::State::TimeWait => return true,
            _ => {}
        }
        let since = *slot.busy_since_ms.get_or_insert(now_ms);
        if now_ms.saturating_sub(since) >= HTTP_DEADLINE_MS {
            self.http_counters.aborted = self.http_counters.aborted.wrapping_add(1);
            return true;
        }
        if slot.answered || socket.state() == tcp::State::SynReceived {
            return false;
        }
        let free = slot.request.get_mut(slot.len..).unwrap_or_default();
        let received = socket.recv_slice(free).unwrap_or_default();
        slot.len = slot.len.saturating_add(received);
        if received == 0 {
            if !socket.may_recv() {
                // The peer finished sending without a whole request.
                socket.close();
                slot.answered = true;
            }
            return false;
        }
        let request = slot.request.get(..slot.len).unwrap_or_default();
        let queued = socket.send(|window| match answer(request, snapshot, window) {
            Ok(Answer::Reply { len, .. }) => (len, Some(true)),
            Ok(Answer::Incomplete) => (0, None),
            Err(_) => (0, Some(false)),
        });
        match queued {
            Ok(None) => false,
            Ok(Some(true)) => {
                self.http_counters.replies = self.http_counters.replies.wrapping_add(1);
                socket.close();
                slot.answered = true;
                false
            }
            Ok(Some(false)) | Err(_) => {
                self.http_counters.aborted = self.http_counters.aborted.wrapping_add(1);
                true
            }
        }
    }

    /// The state the health document reports, as of the last poll.
    pub fn snapshot(&self) -> Snapshot<'a> {
        let idle_http_sockets = self
            .http
            .iter()
            .filter(|slot| {
                self.sockets.get::<tcp::Socket>(slot.handle).state() == tcp::State::Listen
            })
            .count();
        Snapshot {
            device: self.config.device,
            uptime_ms: self.now_ms,
            beats_sent: self.beats.sent(),
            beat_send_errors: self.beats.send_errors(),
            last_beat_failed: self.beats.last_failed(),
            link_up: self.link_up,
            idle_http_sockets,
        }
    }

    /// Tells the application whether the Ethernet link is up (the driver knows).
    pub fn set_link_up(&mut self, up: bool) {
        self.link_up = up;
    }

    /// The beat schedule and counters.
    pub const fn beats(&self) -> &BeatSchedule {
        &self.beats
    }

    /// The HTTP counters.
    pub const fn http_counters(&self) -> HttpCounters {
        self.http_counters
    }

    /// The configuration in use.
    pub const fn config(&self) -> &Config<'a> {
        &self.config
    }

    /// The device, e.g. to read driver counters.
    pub fn device_mut(&mut self) -> &mut D {
        &mut self.device
    }
}
