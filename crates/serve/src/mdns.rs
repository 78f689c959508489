//! mDNS / DNS-SD advertisement, as HealthCheck.Server's Zeroconf one: service
//! type `_http._tcp.local.`, instance [`INSTANCE`] (so its client's lookup of
//! `_healthchecker._http._tcp.local.` finds this server), TXT `version` and
//! `desc`, plus `path=/healthchecker/` and `api=/v1/monitors`.
//!
//! The `mdns-sd` daemon runs on its own thread. It answers only on the
//! interfaces that match the bound address: loopback alone for `127.0.0.1`
//! (the default, so nothing is announced to the network unless the server is
//! bound to a network address), that interface for a specific address, every
//! interface (with their addresses) for `0.0.0.0` or `::`. `--no-mdns`
//! turns it off. Dropping the [`Advertisement`] sends the goodbye.

use std::net::IpAddr;

use mdns_sd::{IfKind, ServiceDaemon, ServiceInfo};

/// The service type.
pub const SERVICE_TYPE: &str = "_http._tcp.local.";
/// The instance name HealthCheck.Server registers and its client looks up.
pub const INSTANCE: &str = "_healthchecker";

/// A running advertisement.
pub struct Advertisement {
    daemon: ServiceDaemon,
    fullname: String,
}

/// Advertises the server bound to `bind:port`.
///
/// # Errors
/// The daemon cannot start (no multicast socket) or refuses the record.
pub fn advertise(bind: IpAddr, port: u16) -> Result<Advertisement, mdns_sd::Error> {
    let daemon = ServiceDaemon::new()?;
    let host = format!(
        "{}.local.",
        supercheck_notification::sendmail::hostname()
            .split('.')
            .next()
            .unwrap_or("localhost")
    );
    let properties = [
        ("version", env!("CARGO_PKG_VERSION")),
        (
            "desc",
            "supercheck serve: registration-based health monitor",
        ),
        ("path", "/healthchecker/"),
        ("api", "/v1/monitors"),
    ];
    let info = if bind.is_unspecified() {
        ServiceInfo::new(SERVICE_TYPE, INSTANCE, &host, (), port, &properties[..])?
            .enable_addr_auto()
    } else {
        daemon.disable_interface(IfKind::All)?;
        let interface = match bind {
            IpAddr::V4(v4) if v4.is_loopback() => IfKind::LoopbackV4,
            IpAddr::V6(v6) if v6.is_loopback() => IfKind::LoopbackV6,
            other => IfKind::Addr(other),
        };
        daemon.enable_interface(interface)?;
        ServiceInfo::new(SERVICE_TYPE, INSTANCE, &host, bind, port, &properties[..])?
    };
    let fullname = info.get_fullname().to_string();
    daemon.register(info)?;
    Ok(Advertisement { daemon, fullname })
}

impl std::fmt::Debug for Advertisement {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Advertisement")
            .field("fullname", &self.fullname)
            .finish_non_exhaustive()
    }
}

impl Advertisement {
    /// The advertised instance's full name.
    pub fn fullname(&self) -> &str {
        &self.fullname
    }
}

impl Drop for Advertisement {
    fn drop(&mut self) {
        if let Ok(done) = self.daemon.unregister(&self.fullname) {
            let _ = done.recv_timeout(std::time::Duration::from_millis(500));
        }
        let _ = self.daemon.shutdown();
    }
}
