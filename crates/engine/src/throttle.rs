//! At most one message per process per window, in virtual time.
//!
//! A pure state machine over caller-given instants of the core's clock (tests
//! drive it with `Instant` arithmetic, no sleeping). Per key (a process namespec):
//!
//! - a problem event sends a message when none was sent for this key within
//!   the window, and otherwise is counted as suppressed;
//! - the next message sent carries the number suppressed since the last one
//!   ("N more events suppressed");
//! - the first healthy observation after a *sent* alert sends one
//!   "recovered" message (with the suppressed count), and a recovery does not
//!   reopen the window: a process flapping every tick gives at most an alert
//!   and a recovery per window.

use alloc::string::{String, ToString};

use hashbrown::HashMap;
use supercheck_core::time::{Duration, Instant};

/// The default window: one message per process per ten minutes.
pub const DEFAULT_WINDOW: Duration = Duration::from_secs(600);

/// What to do with a problem event.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Decision {
    /// Send it, mentioning this many events suppressed since the last message.
    Send {
        /// Events suppressed since the previous message for this key.
        suppressed: u32,
    },
    /// Drop it (counted for the next message).
    Suppress,
}

#[derive(Clone, Copy, Debug)]
struct Entry {
    last_sent: Instant,
    suppressed: u32,
    /// An alert was sent and no recovery since.
    alerting: bool,
}

/// Per-key message throttle.
#[derive(Debug)]
pub struct Throttle {
    window: Duration,
    entries: HashMap<String, Entry, rustc_hash::FxBuildHasher>,
}

impl Throttle {
    /// A throttle allowing one message per key per `window`.
    pub fn new(window: Duration) -> Self {
        Self {
            window,
            entries: HashMap::default(),
        }
    }

    /// A problem event for `key` at `now`.
    pub fn on_problem(&mut self, key: &str, now: Instant) -> Decision {
        match self.entries.get_mut(key) {
            Some(entry) if now.saturating_since(entry.last_sent) < self.window => {
                entry.suppressed = entry.suppressed.saturating_add(1);
                Decision::Suppress
            }
            Some(entry) => {
                let suppressed = entry.suppressed;
                *entry = Entry {
                    last_sent: now,
                    suppressed: 0,
                    alerting: true,
                };
                Decision::Send { suppressed }
            }
            None => {
                self.entries.insert(
                    key.to_string(),
                    Entry {
                        last_sent: now,
                        suppressed: 0,
                        alerting: true,
                    },
                );
                Decision::Send { suppressed: 0 }
            }
        }
    }

    /// `key` was seen healthy at `now`: `Some(suppressed)` when a
    /// "recovered" message is due (an alert was sent and not yet resolved).
    pub fn on_healthy(&mut self, key: &str, now: Instant) -> Option<u32> {
        let entry = self.entries.get_mut(key)?;
        if !entry.alerting {
            // Forget keys whose window is over and that have nothing pending.
            if entry.suppressed == 0 && now.saturating_since(entry.last_sent) >= self.window {
                self.entries.remove(key);
            }
            return None;
        }
        let suppressed = entry.suppressed;
        entry.alerting = false;
        entry.suppressed = 0;
        Some(suppressed)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use alloc::vec::Vec;

    fn at(start: Instant, secs: u64) -> Instant {
        start + Duration::from_secs(secs)
    }

    #[test]
    fn restart_loop_of_a_day_gives_one_message_per_window() {
        let t0 = Instant::from_secs(1_000);
        let mut throttle = Throttle::new(DEFAULT_WINDOW);
        // A crash every 5 s for 24 h: 17 280 events.
        let sent: Vec<u32> = (0..17_280u64)
            .filter_map(|i| match throttle.on_problem("web:web", at(t0, i * 5)) {
                Decision::Send { suppressed } => Some(suppressed),
                Decision::Suppress => None,
            })
            .collect();
        assert_eq!(sent.len(), 144, "one per 10 min over 24 h");
        assert_eq!(sent.first(), Some(&0));
        // Each later message reports the 119 events of the previous window.
        assert!(sent.iter().skip(1).all(|&n| n == 119), "{sent:?}");
    }

    #[test]
    fn keys_are_throttled_separately() {
        let t0 = Instant::from_secs(1_000);
        let mut throttle = Throttle::new(DEFAULT_WINDOW);
        assert_eq!(
            throttle.on_problem("a:a", t0),
            Decision::Send { suppressed: 0 }
        );
        assert_eq!(
            throttle.on_problem("b:b", t0),
            Decision::Send { suppressed: 0 }
        );
        assert_eq!(throttle.on_problem("a:a", at(t0, 1)), Decision::Suppress);
    }

    #[test]
    fn recovery_is_sent_once_after_an_alert_with_the_suppressed_count() {
        let t0 = Instant::from_secs(1_000);
        let mut throttle = Throttle::new(DEFAULT_WINDOW);
        assert_eq!(throttle.on_healthy("a:a", t0), None, "never alerted");
        throttle.on_problem("a:a", t0);
        throttle.on_problem("a:a", at(t0, 5));
        throttle.on_problem("a:a", at(t0, 10));
        assert_eq!(throttle.on_healthy("a:a", at(t0, 15)), Some(2));
        assert_eq!(throttle.on_healthy("a:a", at(t0, 20)), None);
    }

    #[test]
    fn flapping_every_tick_gives_an_alert_and_a_recovery_per_window() {
        let t0 = Instant::from_secs(1_000);
        let mut throttle = Throttle::new(DEFAULT_WINDOW);
        let mut messages = 0;
        // Fail, heal, fail, heal ... every 5 s for one hour.
        for i in 0..720u64 {
            let now = at(t0, i * 5);
            if i % 2 == 0 {
                if matches!(throttle.on_problem("a:a", now), Decision::Send { .. }) {
                    messages += 1;
                }
            } else if throttle.on_healthy("a:a", now).is_some() {
                messages += 1;
            }
        }
        assert_eq!(messages, 12, "6 windows x (alert + recovery)");
    }

    #[test]
    fn suppressed_events_are_reported_by_the_next_alert_after_the_window() {
        let t0 = Instant::from_secs(1_000);
        let mut throttle = Throttle::new(Duration::from_secs(60));
        throttle.on_problem("a:a", t0);
        throttle.on_healthy("a:a", at(t0, 1));
        assert_eq!(throttle.on_problem("a:a", at(t0, 2)), Decision::Suppress);
        assert_eq!(throttle.on_healthy("a:a", at(t0, 3)), None);
        assert_eq!(
            throttle.on_problem("a:a", at(t0, 61)),
            Decision::Send { suppressed: 1 }
        );
    }
}
