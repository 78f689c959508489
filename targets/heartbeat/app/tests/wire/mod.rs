//! An in-memory Ethernet wire between the device's [`App`] and a test peer
//! (a second smoltcp interface at 10.0.2.2, the collector and HTTP client),
//! driven in virtual time.

use std::cell::RefCell;
use std::collections::VecDeque;
use std::rc::Rc;

use smoltcp::iface::{Config as IfaceConfig, Interface, SocketHandle, SocketSet, SocketStorage};
use smoltcp::phy::{self, Device, DeviceCapabilities, Medium};
use smoltcp::socket::{tcp, udp};
use smoltcp::time::Instant;
use smoltcp::wire::{EthernetAddress, HardwareAddress, IpCidr, Ipv4Address, Ipv4Cidr};
use supercheck_heartbeat::{App, Config, Storage};

type Queue = Rc<RefCell<VecDeque<Vec<u8>>>>;

/// One end of the wire: receives from `rx`, sends into `tx`.
pub struct End {
    rx: Queue,
    tx: Queue,
}

/// Two connected ends.
pub fn wire() -> (End, End) {
    let a: Queue = Rc::default();
    let b: Queue = Rc::default();
    (
        End {
            rx: a.clone(),
            tx: b.clone(),
        },
        End { rx: b, tx: a },
    )
}

pub struct Rx(Vec<u8>);
pub struct Tx(Queue);

impl phy::RxToken for Rx {
    fn consume<R, F: FnOnce(&[u8]) -> R>(self, f: F) -> R {
        f(&self.0)
    }
}

impl phy::TxToken for Tx {
    fn consume<R, F: FnOnce(&mut [u8]) -> R>(self, len: usize, f: F) -> R {
        let mut frame = vec![0; len];
        let r = f(&mut frame);
        self.0.borrow_mut().push_back(frame);
        r
    }
}

impl Device for End {
    type RxToken<'a> = Rx;
    type TxToken<'a> = Tx;

    fn receive(&mut self, _: Instant) -> Option<(Rx, Tx)> {
        let frame = self.rx.borrow_mut().pop_front()?;
        Some((Rx(frame), Tx(self.tx.clone())))
    }

    fn transmit(&mut self, _: Instant) -> Option<Tx> {
        Some(Tx(self.tx.clone()))
    }

    fn capabilities(&self) -> DeviceCapabilities {
        let mut caps = DeviceCapabilities::default();
        caps.medium = Medium::Ethernet;
        caps.max_transmission_unit = 1514;
        caps
    }
}

impl End {
    fn pending(&self) -> bool {
        !self.rx.borrow().is_empty()
    }
}

/// The collector and HTTP client on the other end of the wire.
pub struct Peer {
    pub device: End,
    pub iface: Interface,
    pub sockets: SocketSet<'static>,
    pub udp: SocketHandle,
}

fn leak(n: usize) -> &'static mut [u8] {
    Vec::leak(vec![0; n])
}

impl Peer {
    fn new(mut device: End, collector_port: u16) -> Self {
        let config = IfaceConfig::new(HardwareAddress::Ethernet(EthernetAddress([
            2, 0, 0, 0, 0, 2,
        ])));
        let mut iface = Interface::new(config, &mut device, Instant::ZERO);
        iface.update_ip_addrs(|a| {
            a.push(IpCidr::Ipv4(Ipv4Cidr::new(
                Ipv4Address::new(10, 0, 2, 2),
                24,
            )))
            .unwrap();
        });
        let storage: &'static mut [SocketStorage<'static>] =
            Vec::leak((0..8).map(|_| SocketStorage::EMPTY).collect());
        let mut sockets = SocketSet::new(storage);
        let mut socket = udp::Socket::new(
            udp::PacketBuffer::new(Vec::leak(vec![udp::PacketMetadata::EMPTY; 64]), leak(8192)),
            udp::PacketBuffer::new(Vec::leak(vec![udp::PacketMetadata::EMPTY; 4]), leak(512)),
        );
        socket.bind(collector_port).unwrap();
        let udp = sockets.add(socket);
        Self {
            device,
            iface,
            sockets,
            udp,
        }
    }

    /// A TCP client connected (or connecting) to the device's port 80.
    pub fn connect(&mut self, local_port: u16) -> SocketHandle {
        let mut socket = tcp::Socket::new(
            tcp::SocketBuffer::new(leak(4096)),
            tcp::SocketBuffer::new(leak(4096)),
        );
        socket
            .connect(
                self.iface.context(),
                (Ipv4Address::new(10, 0, 2, 15), 80),
                local_port,
            )
            .unwrap();
        self.sockets.add(socket)
    }
}

/// The device and the peer in virtual time.
pub struct Net {
    pub app: App<'static, End>,
    pub peer: Peer,
    pub now_ms: u64,
    next_app_ms: u64,
}

pub const COLLECTOR_PORT: u16 = 9999;

impl Net {
    /// A device called `dev-1` beating every `period_ms` to 10.0.2.2:9999.
    pub fn new(period_ms: u32) -> Self {
        let (device_end, peer_end) = wire();
        let mut config = Config::qemu_user_net("dev-1");
        config.period_ms = period_ms;
        let storage = Box::leak(Box::new(Storage::new()));
        let app = App::new(config, device_end, storage, 0, 7).unwrap();
        Self {
            app,
            peer: Peer::new(peer_end, COLLECTOR_PORT),
            now_ms: 0,
            next_app_ms: 0,
        }
    }

    /// Runs both sides until `done` says so or `limit_ms` of virtual time
    /// passes, jumping from deadline to deadline. `done` sees the peer after
    /// every step. Returns false on the limit.
    pub fn run_until(
        &mut self,
        limit_ms: u64,
        mut done: impl FnMut(&mut Peer, u64) -> bool,
    ) -> bool {
        let end = self.now_ms + limit_ms;
        while self.now_ms <= end {
            if self.now_ms >= self.next_app_ms || self.app.device_mut().pending() {
                self.next_app_ms = self.app.poll(self.now_ms);
            }
            let now = Instant::from_millis(self.now_ms as i64);
            let peer = &mut self.peer;
            peer.iface.poll(now, &mut peer.device, &mut peer.sockets);
            if done(peer, self.now_ms) {
                return true;
            }
            if self.app.device_mut().pending() || peer.device.pending() {
                continue;
            }
            let peer_next = peer
                .iface
                .poll_at(now, &peer.sockets)
                .map_or(u64::MAX, |t| t.total_millis() as u64);
            self.now_ms = self
                .next_app_ms
                .min(peer_next)
                .clamp(self.now_ms + 1, end + 1);
        }
        false
    }

    /// GETs `target` with a fresh connection and returns the whole response
    /// the device sent before closing.
    pub fn get(&mut self, target: &str, local_port: u16) -> String {
        let handle = self.peer.connect(local_port);
        let request =
            format!("GET {target} HTTP/1.1\r\nHost: 10.0.2.15\r\nConnection: close\r\n\r\n");
        let mut sent = false;
        let mut response = Vec::new();
        let finished = self.run_until(3_000, |peer, _| {
            let socket = peer.sockets.get_mut::<tcp::Socket>(handle);
            if !sent && socket.may_send() {
                socket.send_slice(request.as_bytes()).unwrap();
                sent = true;
            }
            while socket.can_recv() {
                socket
                    .recv(|data| {
                        response.extend_from_slice(data);
                        (data.len(), ())
                    })
                    .unwrap();
            }
            if sent && !socket.may_recv() {
                socket.close();
                return true;
            }
            false
        });
        assert!(
            finished,
            "no complete response to GET {target}: {:?} {}",
            String::from_utf8_lossy(&response),
            self.peer.sockets.get::<tcp::Socket>(handle).state()
        );
        String::from_utf8(response).unwrap()
    }

    /// The datagrams the collector has received, in order, with the virtual
    /// time they were read.
    pub fn collect_beats(&mut self, into: &mut Vec<(u64, Vec<u8>)>, duration_ms: u64) {
        let udp = self.peer.udp;
        self.run_until(duration_ms, |peer, now| {
            let socket = peer.sockets.get_mut::<udp::Socket>(udp);
            while let Ok((data, _)) = socket.recv() {
                into.push((now, data.to_vec()));
            }
            false
        });
    }
}
