//! The device application against a second smoltcp interface over an
//! in-memory wire, in virtual time: HTTP health over TCP and UDP beats.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)] // test code

mod wire;

use supercheck_core::heartbeat::{Beat, BeatTracker, Outcome};
use supercheck_core::time::Instant;
use wire::Net;

fn split(response: &str) -> (&str, &str) {
    response.split_once("\r\n\r\n").expect("a head and a body")
}

#[test]
fn get_health_over_tcp_returns_a_passing_health_document() {
    let mut net = Net::new(1_000);
    net.run_until(2_500, |_, _| false);
    let response = net.get("/health", 50_000);
    let (head, body) = split(&response);
    assert!(head.starts_with("HTTP/1.1 200 OK\r\n"), "{head}");
    assert!(head.contains("\r\nContent-Type: application/health+json\r\n"));
    assert!(head.contains(&format!("\r\nContent-Length: {}\r\n", body.len())));
    let doc: serde_json::Value = serde_json::from_str(body).unwrap();
    assert_eq!(doc["status"], "pass");
    assert_eq!(doc["serviceId"], "dev-1");
    assert_eq!(doc["checks"]["uptime"][0]["observedValue"], 2);
    assert_eq!(doc["checks"]["heartbeat:sent"][0]["observedValue"], 3);
    assert_eq!(doc["checks"]["heartbeat:sendErrors"][0]["observedValue"], 0);
    assert_eq!(doc["checks"]["link:up"][0]["observedValue"], true);
    assert_eq!(doc["checks"]["tcp:idleSockets"][0]["observedValue"], 1);
}

#[test]
fn other_paths_get_404_over_tcp() {
    let mut net = Net::new(1_000);
    let response = net.get("/metrics", 50_001);
    assert!(
        response.starts_with("HTTP/1.1 404 Not Found\r\n"),
        "{response}"
    );
    assert!(response.ends_with("\r\n\r\nNot Found\n"));
}

#[test]
fn many_requests_in_a_row_are_served_without_waiting_out_time_wait() {
    let mut net = Net::new(1_000);
    for i in 0..6 {
        let response = net.get("/health", 50_010 + i);
        assert!(
            response.starts_with("HTTP/1.1 200 OK\r\n"),
            "request {i}: {response}"
        );
    }
    assert_eq!(net.app.http_counters().replies, 6);
    assert_eq!(net.app.http_counters().aborted, 0);
}

#[test]
fn silent_client_is_dropped_at_the_deadline() {
    let mut net = Net::new(1_000);
    let _idle = net.peer.connect(50_100);
    net.run_until(6_000, |_, _| false);
    assert_eq!(net.app.http_counters().aborted, 1);
    let response = net.get("/health", 50_101);
    assert!(response.starts_with("HTTP/1.1 200 OK\r\n"));
}

#[test]
fn beats_arrive_every_period_with_increasing_seq() {
    let mut net = Net::new(1_000);
    let mut beats = Vec::new();
    net.collect_beats(&mut beats, 5_500);
    let decoded: Vec<_> = beats
        .iter()
        .map(|(at, bytes)| (*at, Beat::decode(bytes).unwrap()))
        .collect();
    assert_eq!(decoded.len(), 6, "{decoded:?}");
    for (i, (at, beat)) in decoded.iter().enumerate() {
        let i = i as u64;
        assert_eq!(beat.device(), "dev-1");
        assert_eq!(u64::from(beat.seq()), i);
        assert_eq!(beat.uptime_ms(), i * 1_000);
        // Delivered within a few milliseconds of being due (ARP first).
        assert!(
            (i * 1_000..i * 1_000 + 20).contains(at),
            "beat {i} read at {at} ms"
        );
    }
    let mut tracker = BeatTracker::new();
    let outcomes: Vec<_> = decoded
        .iter()
        .map(|(at, beat)| tracker.observe(beat, Instant::from_millis(*at)))
        .collect();
    assert_eq!(outcomes[0], Outcome::First);
    assert!(
        outcomes[1..].iter().all(|o| *o == Outcome::Fresh),
        "{outcomes:?}"
    );
    assert_eq!(net.app.beats().sent(), 6);
}

#[test]
fn period_is_configurable() {
    let mut net = Net::new(250);
    let mut beats = Vec::new();
    net.collect_beats(&mut beats, 1_100);
    let uptimes: Vec<u64> = beats
        .iter()
        .map(|(_, b)| Beat::decode(b).unwrap().uptime_ms())
        .collect();
    assert_eq!(uptimes, [0, 250, 500, 750, 1_000]);
}
