//! Heartbeats: the UDP datagram a device sends at a fixed period, and the
//! per-device tracker that tells live from silent and fresh from replayed.
//!
//! The firmware under `targets/heartbeat` encodes [`Beat`]s; the listener's
//! `heartbeat` check decodes them and feeds a [`BeatTracker`] per device. Both
//! sides share this module, so the wire format has one definition.
//!
//! ```
//! use supercheck_core::heartbeat::{Beat, BeatTracker, Outcome};
//! use supercheck_core::time::{Duration, Instant};
//!
//! let mut buf = [0u8; supercheck_core::heartbeat::MAX_DATAGRAM];
//! let beat = Beat::new("pump-7", 1, 5_000).unwrap();
//! let len = beat.encode(&mut buf).unwrap();
//! assert_eq!(&buf[..len], b"SCHB1 device=pump-7 seq=1 uptime_ms=5000\n");
//!
//! let mut tracker = BeatTracker::new();
//! let now = Instant::from_secs(100);
//! assert_eq!(tracker.observe(&Beat::decode(&buf[..len]).unwrap(), now), Outcome::First);
//! assert!(tracker.alive(now + Duration::from_secs(2), Duration::from_secs(3)));
//! assert!(!tracker.alive(now + Duration::from_secs(4), Duration::from_secs(3)));
//! ```

mod datagram;
mod tracker;

pub use datagram::{Beat, DecodeError, EncodeError, MAGIC, MAX_DATAGRAM, MAX_DEVICE_NAME};
pub use tracker::{BeatTracker, Outcome};
