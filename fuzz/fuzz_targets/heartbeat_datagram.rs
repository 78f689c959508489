//! Decodes a heartbeat datagram, re-encodes what decoded and feeds a tracker
//! at arbitrary times: decoding must invert encoding and nothing may panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use supercheck_core::heartbeat::{Beat, BeatTracker, MAX_DATAGRAM};
use supercheck_core::time::{Duration, Instant};

fuzz_target!(|data: &[u8]| {
    let (clock, datagram) = data.split_at(data.len().min(8));
    let mut now = [0u8; 8];
    now[..clock.len()].copy_from_slice(clock);
    let now = Instant::from_millis(u64::from_le_bytes(now));
    let mut tracker = BeatTracker::new();
    for part in datagram.split(|b| *b == 0) {
        if let Ok(beat) = Beat::decode(part) {
            let mut buf = [0u8; MAX_DATAGRAM];
            let len = beat.encode(&mut buf).expect("a decoded beat re-encodes");
            assert_eq!(Beat::decode(&buf[..len]), Ok(beat));
            let _ = tracker.observe(&beat, now);
            let _ = tracker.alive(now, Duration::from_secs(5));
        }
    }
});
