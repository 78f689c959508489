//! [`HealthStatus`]: `pass`, `warn` or `fail`, and the HTTP status each allows.

use core::fmt;
use core::ops::RangeInclusive;

/// The health of a service or of one of its checks (draft-inadarei-api-health-check-06).
///
/// Ordered from best to worst, so `a.max(b)` is the combined status.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum HealthStatus {
    /// Healthy.
    Pass,
    /// Healthy, with concerns.
    Warn,
    /// Unhealthy.
    Fail,
}

impl HealthStatus {
    /// The JSON value: `pass`, `warn` or `fail`.
    pub const fn as_str(self) -> &'static str {
        match self {
            HealthStatus::Pass => "pass",
            HealthStatus::Warn => "warn",
            HealthStatus::Fail => "fail",
        }
    }

    /// Reads a status as the draft allows, ignoring case: `pass`/`ok`/`up`,
    /// `warn`, `fail`/`error`/`down`.
    pub fn parse(text: &str) -> Option<Self> {
        const NAMES: [(&str, HealthStatus); 7] = [
            ("pass", HealthStatus::Pass),
            ("ok", HealthStatus::Pass),
            ("up", HealthStatus::Pass),
            ("warn", HealthStatus::Warn),
            ("fail", HealthStatus::Fail),
            ("error", HealthStatus::Fail),
            ("down", HealthStatus::Fail),
        ];
        NAMES
            .iter()
            .find(|(name, _)| name.eq_ignore_ascii_case(text))
            .map(|&(_, status)| status)
    }

    /// The HTTP status codes a response with this status must use:
    /// 200..=399 for pass and warn, 400..=599 for fail.
    pub const fn http_status_range(self) -> RangeInclusive<u16> {
        match self {
            HealthStatus::Pass | HealthStatus::Warn => 200..=399,
            HealthStatus::Fail => 400..=599,
        }
    }

    /// True when `code` is allowed for this status.
    pub fn allows_http_status(self, code: u16) -> bool {
        self.http_status_range().contains(&code)
    }

    /// The HTTP status to answer with by default: 200, 200, 503.
    pub const fn default_http_status(self) -> u16 {
        match self {
            HealthStatus::Pass | HealthStatus::Warn => 200,
            HealthStatus::Fail => 503,
        }
    }
}

impl fmt::Display for HealthStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aliases_parse_ignoring_case() {
        assert_eq!(HealthStatus::parse("OK"), Some(HealthStatus::Pass));
        assert_eq!(HealthStatus::parse("Up"), Some(HealthStatus::Pass));
        assert_eq!(HealthStatus::parse("WARN"), Some(HealthStatus::Warn));
        assert_eq!(HealthStatus::parse("down"), Some(HealthStatus::Fail));
        assert_eq!(HealthStatus::parse("error"), Some(HealthStatus::Fail));
        assert_eq!(HealthStatus::parse("fine"), None);
    }

    #[test]
    fn each_status_names_its_http_class_and_default_code() {
        for status in [HealthStatus::Pass, HealthStatus::Warn, HealthStatus::Fail] {
            assert!(status.allows_http_status(status.default_http_status()));
        }
        assert!(HealthStatus::Warn.allows_http_status(304));
        assert!(!HealthStatus::Warn.allows_http_status(500));
        assert!(HealthStatus::Fail.allows_http_status(404));
        assert!(!HealthStatus::Fail.allows_http_status(200));
        assert_eq!(HealthStatus::Fail.default_http_status(), 503);
    }

    #[test]
    fn worst_status_wins_when_combined() {
        assert_eq!(
            HealthStatus::Pass.max(HealthStatus::Warn),
            HealthStatus::Warn
        );
        assert_eq!(
            HealthStatus::Fail.max(HealthStatus::Warn),
            HealthStatus::Fail
        );
    }
}
