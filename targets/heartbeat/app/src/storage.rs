//! [`Storage`]: every buffer the application uses, owned by the caller (a
//! `static` in the firmware, a local in tests), so the memory budget is one
//! `size_of` and nothing is allocated.

use smoltcp::iface::SocketStorage;
use smoltcp::socket::udp;
use supercheck_core::heartbeat::MAX_DATAGRAM;

use crate::http::MAX_REQUEST;

/// HTTP connections served at once (one TCP listener each on the HTTP port).
pub const HTTP_SOCKETS: usize = 2;
/// TCP receive window per connection.
pub const TCP_RX: usize = 256;
/// TCP send buffer per connection: holds a whole reply.
pub const TCP_TX: usize = 1024;
/// Beats that may wait in the UDP socket (for ARP, say) before sends fail.
pub const BEATS_QUEUED: usize = 2;

/// The buffers of one HTTP connection.
#[derive(Debug)]
pub(crate) struct HttpBuffers {
    pub(crate) tcp_rx: [u8; TCP_RX],
    pub(crate) tcp_tx: [u8; TCP_TX],
    pub(crate) request: [u8; MAX_REQUEST],
}

impl HttpBuffers {
    const fn new() -> Self {
        Self {
            tcp_rx: [0; TCP_RX],
            tcp_tx: [0; TCP_TX],
            request: [0; MAX_REQUEST],
        }
    }
}

/// The buffers of the sockets and of the requests being read.
#[derive(Debug)]
pub struct Storage<'a> {
    pub(crate) sockets: [SocketStorage<'a>; HTTP_SOCKETS + 1],
    pub(crate) http: [HttpBuffers; HTTP_SOCKETS],
    pub(crate) udp_rx_meta: [udp::PacketMetadata; 1],
    pub(crate) udp_rx: [u8; 0],
    pub(crate) udp_tx_meta: [udp::PacketMetadata; BEATS_QUEUED],
    pub(crate) udp_tx: [u8; MAX_DATAGRAM * BEATS_QUEUED],
}

impl Storage<'_> {
    /// Empty buffers.
    pub const fn new() -> Self {
        Self {
            sockets: [SocketStorage::EMPTY; HTTP_SOCKETS + 1],
            http: [const { HttpBuffers::new() }; HTTP_SOCKETS],
            udp_rx_meta: [udp::PacketMetadata::EMPTY; 1],
            udp_rx: [],
            udp_tx_meta: [udp::PacketMetadata::EMPTY; BEATS_QUEUED],
            udp_tx: [0; MAX_DATAGRAM * BEATS_QUEUED],
        }
    }
}

impl Default for Storage<'_> {
    fn default() -> Self {
        Self::new()
    }
}
