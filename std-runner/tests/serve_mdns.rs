//! `supercheck serve`'s mDNS advertisement: a DNS-SD browser (mdns-sd, in
//! this test) finds `_healthchecker._http._tcp.local.` with the bound port
//! and HealthCheck.Server's TXT keys when it is on, and nothing from a server
//! started with `--no-mdns`. Multicast on the loopback interface only (the
//! server binds 127.0.0.1).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

#[path = "support/serve.rs"]
mod serve_support;
mod support;

use std::collections::HashMap;
use std::time::{Duration, Instant};

use mdns_sd::{ServiceDaemon, ServiceEvent};
use serve_support::{Serve, temp};

/// Browses `_http._tcp.local.` for `window`: the resolved instances by port
/// (full name and TXT properties).
fn browse(window: Duration) -> HashMap<u16, (String, HashMap<String, String>)> {
    let daemon = ServiceDaemon::new().unwrap();
    let events = daemon.browse("_http._tcp.local.").unwrap();
    let mut found = HashMap::new();
    let end = Instant::now() + window;
    while let Some(left) = end.checked_duration_since(Instant::now()) {
        match events.recv_timeout(left) {
            Ok(ServiceEvent::ServiceResolved(service)) => {
                let txt = service
                    .txt_properties
                    .iter()
                    .map(|p| (p.key().to_string(), p.val_str().to_string()))
                    .collect();
                found.insert(service.port, (service.fullname.clone(), txt));
            }
            Ok(_) => {}
            Err(_) => break,
        }
    }
    let _ = daemon.shutdown();
    found
}

#[test]
fn a_browser_finds_the_healthchecker_instance_and_nothing_with_no_mdns() {
    let dir = temp("mdns");
    let on = Serve::start_exact(dir.path(), "on", &["serve", "--port", "0"], &[]);
    let off = Serve::start_exact(
        dir.path(),
        "off",
        &["serve", "--port", "0", "--no-mdns"],
        &[],
    );
    assert!(
        on.log_text()
            .contains("mdns: advertising _healthchecker._http._tcp.local."),
        "{}",
        on.log_text()
    );
    assert!(off.log_text().contains("mdns: off"));
    let mut found = HashMap::new();
    let deadline = Instant::now() + Duration::from_secs(12);
    while !found.contains_key(&on.addr.port()) && Instant::now() < deadline {
        found.extend(browse(Duration::from_secs(3)));
    }
    let (name, txt) = found
        .get(&on.addr.port())
        .unwrap_or_else(|| panic!("not found; saw {found:?}\n{}", on.log_text()));
    assert_eq!(name, "_healthchecker._http._tcp.local.");
    assert_eq!(
        txt.get("version").map(String::as_str),
        Some(env!("CARGO_PKG_VERSION"))
    );
    assert!(txt.get("desc").is_some_and(|d| !d.is_empty()));
    assert_eq!(txt.get("path").map(String::as_str), Some("/healthchecker/"));
    assert!(
        !found.contains_key(&off.addr.port()),
        "--no-mdns advertised: {found:?}"
    );
}
