//! [`BeatTracker`]: what one device's heartbeats say about it.
//!
//! A beat is accepted when it is the next of the same boot (a higher sequence
//! number, an uptime that grew no faster than real time) or a plausible reboot
//! (a smaller uptime, whose implied boot time is not before the last beat
//! heard). Everything else (duplicates, late or replayed datagrams, uptimes
//! from the future) is classified and ignored, so one stray or forged datagram
//! can neither keep a dead device alive for long nor make a live one look dead.
//! Heartbeats carry no signature: this is a sanity filter, not authentication.

use crate::heartbeat::Beat;
use crate::time::{Duration, Instant};

/// Slack for network delay between two beats: a beat may claim up to this
/// much more elapsed uptime than the receiver saw pass, plus 1 % of it for
/// clock drift.
pub const SLACK: Duration = Duration::from_millis(2_000);

/// How a beat was classified.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Outcome {
    /// The first beat heard from this device: accepted.
    First,
    /// The next beat of the same boot: accepted.
    Fresh,
    /// The device booted again since the last beat: accepted.
    Rebooted,
    /// The same sequence number again: ignored.
    Duplicate,
    /// An older beat of the same boot, arriving late or replayed: ignored.
    OutOfOrder,
    /// An uptime that grew faster than real time: ignored.
    Implausible,
}

impl Outcome {
    /// True when the beat counts as a sign of life.
    pub const fn accepted(self) -> bool {
        matches!(self, Outcome::First | Outcome::Fresh | Outcome::Rebooted)
    }

    /// Lower-case name for logs and metrics labels.
    pub const fn name(self) -> &'static str {
        match self {
            Outcome::First => "first",
            Outcome::Fresh => "fresh",
            Outcome::Rebooted => "rebooted",
            Outcome::Duplicate => "duplicate",
            Outcome::OutOfOrder => "out_of_order",
            Outcome::Implausible => "implausible",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
struct Accepted {
    seq: u32,
    uptime_ms: u64,
    at: Instant,
}

/// The last accepted heartbeat of one device.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct BeatTracker {
    last: Option<Accepted>,
    /// The last beat of the boot before the latest accepted reboot: a replayed
    /// beat from just after an old boot passes for a reboot, and the device's
    /// next genuine beat, which continues this boot, undoes it.
    before_reboot: Option<Accepted>,
}

impl BeatTracker {
    /// A device not heard from yet.
    pub const fn new() -> Self {
        Self {
            last: None,
            before_reboot: None,
        }
    }

    /// Classifies `beat`, received at `now`, and remembers it if accepted.
    pub fn observe(&mut self, beat: &Beat<'_>, now: Instant) -> Outcome {
        let mut outcome = match self.last {
            None => Outcome::First,
            Some(last) => Self::classify(last, beat, now),
        };
        if !outcome.accepted()
            && self
                .before_reboot
                .is_some_and(|before| Self::classify(before, beat, now) == Outcome::Fresh)
        {
            // The "reboot" was a replay: the boot before it goes on.
            self.before_reboot = None;
            outcome = Outcome::Fresh;
        }
        if outcome == Outcome::Rebooted {
            self.before_reboot = self.last;
        }
        if outcome.accepted() {
            self.last = Some(Accepted {
                seq: beat.seq(),
                uptime_ms: beat.uptime_ms(),
                at: now,
            });
        }
        outcome
    }

    fn classify(last: Accepted, beat: &Beat<'_>, now: Instant) -> Outcome {
        let uptime = beat.uptime_ms();
        if uptime < last.uptime_ms {
            let booted_at = now.millis().saturating_sub(uptime);
            let heard_last = last.at.millis().saturating_sub(SLACK.millis());
            return if booted_at >= heard_last {
                Outcome::Rebooted
            } else {
                Outcome::OutOfOrder
            };
        }
        if beat.seq() == last.seq {
            return Outcome::Duplicate;
        }
        if beat.seq() < last.seq {
            return Outcome::OutOfOrder;
        }
        let claimed = uptime.saturating_sub(last.uptime_ms);
        let seen = (now - last.at).millis();
        let allowed = seen
            .saturating_add(seen / 100)
            .saturating_add(SLACK.millis());
        if claimed > allowed {
            Outcome::Implausible
        } else {
            Outcome::Fresh
        }
    }

    /// When the last accepted beat arrived.
    pub fn last_heard(&self) -> Option<Instant> {
        self.last.map(|last| last.at)
    }

    /// The sequence number and uptime of the last accepted beat.
    pub fn last_beat(&self) -> Option<(u32, u64)> {
        self.last.map(|last| (last.seq, last.uptime_ms))
    }

    /// How long the device has been silent, or `None` if never heard.
    pub fn silent_for(&self, now: Instant) -> Option<Duration> {
        self.last.map(|last| now - last.at)
    }

    /// True when an accepted beat arrived less than `timeout` before `now`.
    pub fn alive(&self, now: Instant, timeout: Duration) -> bool {
        self.silent_for(now).is_some_and(|silent| silent < timeout)
    }

    /// When the device will count as silent if nothing else arrives.
    pub fn deadline(&self, timeout: Duration) -> Option<Instant> {
        self.last.map(|last| last.at + timeout)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn beat(seq: u32, uptime_ms: u64) -> Beat<'static> {
        Beat::new("dev", seq, uptime_ms).unwrap()
    }

    fn at(ms: u64) -> Instant {
        Instant::from_millis(ms)
    }

    #[test]
    fn a_steady_device_is_accepted_beat_after_beat() {
        let mut t = BeatTracker::new();
        assert_eq!(t.observe(&beat(0, 1_000), at(50_000)), Outcome::First);
        for i in 1..10u64 {
            let outcome = t.observe(&beat(i as u32, 1_000 + i * 1_000), at(50_000 + i * 1_000));
            assert_eq!(outcome, Outcome::Fresh);
        }
        assert_eq!(t.last_beat(), Some((9, 10_000)));
        assert_eq!(t.last_heard(), Some(at(59_000)));
    }

    #[test]
    fn network_jitter_within_slack_is_fresh() {
        let mut t = BeatTracker::new();
        t.observe(&beat(0, 1_000), at(10_000));
        // Sent 1 s later by the device's clock, but the first beat was delayed 1.5 s.
        assert_eq!(
            t.observe(&beat(1, 2_000), at(9_500 + 1_000)),
            Outcome::Fresh
        );
    }

    #[test]
    fn duplicates_and_late_beats_are_ignored() {
        let mut t = BeatTracker::new();
        t.observe(&beat(5, 5_000), at(10_000));
        assert_eq!(t.observe(&beat(5, 5_000), at(10_100)), Outcome::Duplicate);
        assert_eq!(t.observe(&beat(4, 5_000), at(10_200)), Outcome::OutOfOrder);
        assert_eq!(t.observe(&beat(4, 4_000), at(10_300)), Outcome::OutOfOrder);
        assert_eq!(t.last_heard(), Some(at(10_000)));
    }

    #[test]
    fn uptime_from_the_future_is_implausible() {
        let mut t = BeatTracker::new();
        t.observe(&beat(0, 1_000), at(10_000));
        assert_eq!(
            t.observe(&beat(1, 3_600_000), at(11_000)),
            Outcome::Implausible
        );
        assert_eq!(t.last_beat(), Some((0, 1_000)));
    }

    #[test]
    fn a_reboot_after_the_last_beat_is_accepted() {
        let mut t = BeatTracker::new();
        t.observe(&beat(100, 100_000), at(200_000));
        // Rebooted at 201 s, first beat 500 ms later.
        assert_eq!(t.observe(&beat(0, 500), at(201_500)), Outcome::Rebooted);
        assert_eq!(t.observe(&beat(1, 1_500), at(202_500)), Outcome::Fresh);
    }

    #[test]
    fn a_reboot_before_the_last_beat_heard_is_a_replay() {
        let mut t = BeatTracker::new();
        t.observe(&beat(100, 100_000), at(200_000));
        // Claims to have booted at 150 s, but we heard the old boot at 200 s.
        assert_eq!(
            t.observe(&beat(0, 50_000), at(200_000)),
            Outcome::OutOfOrder
        );
    }

    #[test]
    fn a_replayed_boot_beat_cannot_make_a_live_device_look_dead() {
        let mut t = BeatTracker::new();
        // Booted at 9 s; beats every second.
        t.observe(&beat(0, 1_000), at(10_000));
        for i in 1..=10u64 {
            t.observe(&beat(i as u32, 1_000 + i * 1_000), at(10_000 + i * 1_000));
        }
        // The first beat, replayed: it looks like a reboot half a second ago.
        assert_eq!(t.observe(&beat(0, 1_000), at(20_500)), Outcome::Rebooted);
        // The device's next genuine beat continues the real boot and is accepted.
        assert_eq!(t.observe(&beat(11, 12_000), at(21_000)), Outcome::Fresh);
        assert_eq!(t.last_beat(), Some((11, 12_000)));
        assert_eq!(t.observe(&beat(12, 13_000), at(22_000)), Outcome::Fresh);
        assert!(t.alive(at(22_500), Duration::from_secs(3)));
    }

    #[test]
    fn after_a_genuine_reboot_old_beats_stay_ignored() {
        let mut t = BeatTracker::new();
        t.observe(&beat(100, 100_000), at(200_000));
        assert_eq!(t.observe(&beat(0, 500), at(201_500)), Outcome::Rebooted);
        assert_eq!(t.observe(&beat(1, 1_500), at(202_500)), Outcome::Fresh);
        // A replay of the old boot's last beat.
        assert_eq!(
            t.observe(&beat(100, 100_000), at(203_000)),
            Outcome::Implausible
        );
        assert_eq!(t.last_beat(), Some((1, 1_500)));
    }

    #[test]
    fn liveness_follows_the_last_accepted_beat() {
        let mut t = BeatTracker::new();
        let timeout = Duration::from_secs(3);
        assert!(!t.alive(at(0), timeout));
        assert_eq!(t.silent_for(at(0)), None);
        t.observe(&beat(0, 0), at(1_000));
        assert!(t.alive(at(3_999), timeout));
        assert!(!t.alive(at(4_000), timeout));
        assert_eq!(t.deadline(timeout), Some(at(4_000)));
        // An ignored beat does not keep the device alive.
        t.observe(&beat(0, 0), at(3_500));
        assert!(!t.alive(at(4_000), timeout));
    }

    #[test]
    fn extreme_values_never_panic() {
        let mut t = BeatTracker::new();
        for (seq, uptime, now) in [
            (u32::MAX, u64::MAX, u64::MAX),
            (0, 0, 0),
            (u32::MAX, u64::MAX, 0),
            (0, u64::MAX, u64::MAX),
            (1, 0, u64::MAX),
        ] {
            let _ = t.observe(&beat(seq, uptime), at(now));
            let _ = t.alive(at(now), Duration::from_millis(u64::MAX));
        }
        assert!(t.last_heard().is_some());
    }
}
