//! Where a probe or an RPC call connects: a TCP address or a unix socket path.
//! Opening a stream to it is the driver's business (mio on Linux, blocking
//! std sockets on WASI).

use std::fmt;
use std::net::SocketAddr;
use std::path::PathBuf;

/// A place to connect to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Endpoint {
    /// A TCP address.
    Tcp(SocketAddr),
    /// A unix stream socket.
    Unix(PathBuf),
}

impl fmt::Display for Endpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Endpoint::Tcp(addr) => write!(f, "{addr}"),
            Endpoint::Unix(path) => write!(f, "unix://{}", path.display()),
        }
    }
}
