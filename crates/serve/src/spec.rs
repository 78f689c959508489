//! What a registration is ([`MonitorSpec`]) and the rules it must follow: the
//! parameter ranges HealthCheck.Server documents (and enforces backwards,
//! spec 5.1), the URL and e-mail checks, and the typed [`SpecError`] each
//! endpoint turns into its own status code.

use std::fmt;
use std::ops::RangeInclusive;

use serde::{Deserialize, Serialize};
use supercheck_core::health::MONITOR_THRESHOLD_RANGE;

use supercheck_wire::http_url::HttpUrl;

/// Probe timeout, seconds (HealthCheck.Server's documented 2-60).
pub const TIMEOUT_RANGE: RangeInclusive<u64> = 2..=60;
/// Probe interval, seconds (5-300).
pub const INTERVAL_RANGE: RangeInclusive<u64> = 5..=300;
/// Unhealthy and healthy thresholds (2-10, the core's monitor range).
pub const THRESHOLD_RANGE: RangeInclusive<u64> =
    (*MONITOR_THRESHOLD_RANGE.start() as u64)..=(*MONITOR_THRESHOLD_RANGE.end() as u64);
/// HealthCheck.Server's defaults: timeout 5 s, interval 30 s, unhealthy 2, healthy 10.
pub const DEFAULTS: (u64, u64, u16, u16) = (5, 30, 2, 10);
/// The longest monitor name, bytes.
pub const MAX_NAME: usize = 128;
/// The longest URL, bytes.
pub const MAX_URL: usize = 1024;
/// Notification targets one monitor may have (e-mail and webhook each).
pub const MAX_TARGETS: usize = 16;

/// Which API registered a monitor; it decides what is probed and what is healthy.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Origin {
    /// `/v1/monitors`: the URL as given; any 2xx is healthy.
    Api,
    /// `/healthchecker/monitor`: `<url>/health`; only 200 is healthy (as the Python).
    Healthchecker,
}

/// Where a monitor's transitions are announced, besides the server-wide defaults.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NotifyTargets {
    /// E-mail recipients.
    #[serde(default)]
    pub email: Vec<String>,
    /// Webhook URLs (`http://`).
    #[serde(default)]
    pub webhook: Vec<String>,
}

/// One registration.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MonitorSpec {
    /// Unique name (HealthCheck.Server's `appname`).
    pub name: String,
    /// The URL as registered.
    pub url: String,
    /// Per-probe timeout, seconds.
    pub timeout_s: u64,
    /// Seconds between probe starts.
    pub interval_s: u64,
    /// Consecutive failures that make the monitor UNHEALTHY.
    pub unhealthy_threshold: u16,
    /// Consecutive passes that make it HEALTHY.
    pub healthy_threshold: u16,
    /// Its own notification targets.
    pub notify: NotifyTargets,
    /// The API it came through.
    pub origin: Origin,
}

impl MonitorSpec {
    /// The URL probed: the registered one, or `<url>/health` for a
    /// HealthCheck.Server registration (one trailing `/` of the URL dropped).
    pub fn probe_url(&self) -> String {
        match self.origin {
            Origin::Api => self.url.clone(),
            Origin::Healthchecker => {
                let base = self.url.strip_suffix('/').unwrap_or(&self.url);
                format!("{base}/health")
            }
        }
    }

    /// Whether a response with `status` is healthy for this monitor.
    pub fn healthy_status(&self, status: u16) -> bool {
        match self.origin {
            Origin::Api => (200..300).contains(&status),
            Origin::Healthchecker => status == 200,
        }
    }

    /// Checks every rule; the first broken one is the error.
    ///
    /// # Errors
    /// A [`SpecError`] naming the field.
    pub fn validate(&self) -> Result<HttpUrl, SpecError> {
        validate_name(&self.name)?;
        in_range("timeout_s", self.timeout_s, &TIMEOUT_RANGE)?;
        in_range("interval_s", self.interval_s, &INTERVAL_RANGE)?;
        in_range(
            "unhealthy_threshold",
            u64::from(self.unhealthy_threshold),
            &THRESHOLD_RANGE,
        )?;
        in_range(
            "healthy_threshold",
            u64::from(self.healthy_threshold),
            &THRESHOLD_RANGE,
        )?;
        if self.notify.email.len() > MAX_TARGETS || self.notify.webhook.len() > MAX_TARGETS {
            return Err(SpecError::Invalid {
                field: "notify",
                reason: format!("at most {MAX_TARGETS} e-mail and {MAX_TARGETS} webhook targets"),
            });
        }
        for email in &self.notify.email {
            validate_email("email", email)?;
        }
        for hook in &self.notify.webhook {
            validate_url("webhook", hook)?;
        }
        validate_url("url", &self.url)?;
        validate_url("url", &self.probe_url())
    }
}

/// Why a registration was refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SpecError {
    /// A required field is absent.
    Missing {
        /// The field.
        field: &'static str,
    },
    /// A field has the wrong type or form (not a number, a bad URL...).
    Invalid {
        /// The field.
        field: &'static str,
        /// What is wrong.
        reason: String,
    },
    /// A number outside its allowed range.
    OutOfRange {
        /// The field.
        field: &'static str,
        /// The value given.
        value: String,
        /// Smallest allowed.
        min: u64,
        /// Largest allowed.
        max: u64,
    },
}

impl SpecError {
    /// The field the error is about.
    pub fn field(&self) -> &'static str {
        match self {
            SpecError::Missing { field }
            | SpecError::Invalid { field, .. }
            | SpecError::OutOfRange { field, .. } => field,
        }
    }
}

impl fmt::Display for SpecError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SpecError::Missing { field } => write!(f, "missing field {field:?}"),
            SpecError::Invalid { field, reason } => write!(f, "{field}: {reason}"),
            SpecError::OutOfRange {
                field,
                value,
                min,
                max,
            } => write!(f, "{field} is {value}, allowed range is {min} to {max}"),
        }
    }
}

impl std::error::Error for SpecError {}

/// `value` must lie in `range`.
///
/// # Errors
/// [`SpecError::OutOfRange`].
pub fn in_range(
    field: &'static str,
    value: u64,
    range: &RangeInclusive<u64>,
) -> Result<(), SpecError> {
    if range.contains(&value) {
        Ok(())
    } else {
        Err(out_of_range(field, value.to_string(), range))
    }
}

/// The [`SpecError::OutOfRange`] for `value` (as written) and `range`.
pub fn out_of_range(field: &'static str, value: String, range: &RangeInclusive<u64>) -> SpecError {
    SpecError::OutOfRange {
        field,
        value,
        min: *range.start(),
        max: *range.end(),
    }
}

/// A name must be 1 to [`MAX_NAME`] bytes, printable, without `/` (it is a
/// path segment of `/v1/monitors/{name}`).
///
/// # Errors
/// [`SpecError::Invalid`] for the field `name`.
pub fn validate_name(name: &str) -> Result<(), SpecError> {
    let reason = if name.trim().is_empty() {
        "must not be empty"
    } else if name.len() > MAX_NAME {
        "is longer than 128 bytes"
    } else if name.chars().any(|c| c.is_control() || c == '/') {
        "must not contain '/' or control characters"
    } else {
        return Ok(());
    };
    Err(SpecError::Invalid {
        field: "name",
        reason: reason.to_string(),
    })
}

/// An `http://` URL the probe can use (no TLS stack: `https` is refused).
///
/// # Errors
/// [`SpecError::Invalid`] naming `field`.
pub fn validate_url(field: &'static str, url: &str) -> Result<HttpUrl, SpecError> {
    if url.len() > MAX_URL {
        return Err(SpecError::Invalid {
            field,
            reason: format!("longer than {MAX_URL} bytes"),
        });
    }
    let parsed = HttpUrl::parse(url).map_err(|e| SpecError::Invalid {
        field,
        reason: format!("invalid URL: {e}"),
    })?;
    if parsed.tls {
        return Err(SpecError::Invalid {
            field,
            reason: "only http:// URLs: serve does not probe or post over https".into(),
        });
    }
    Ok(parsed)
}

/// A plausible single address: `local@domain`, printable, no spaces, commas
/// or angle brackets (it goes into a `To:` header).
///
/// # Errors
/// [`SpecError::Invalid`] naming `field`.
pub fn validate_email(field: &'static str, email: &str) -> Result<(), SpecError> {
    let valid = email.len() <= 254
        && email.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty()
                && !domain.is_empty()
                && !domain.contains('@')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
        })
        && !email
            .chars()
            .any(|c| c.is_control() || c.is_whitespace() || matches!(c, ',' | '<' | '>' | ';'));
    if valid {
        Ok(())
    } else {
        Err(SpecError::Invalid {
            field,
            reason: format!("{email:?} is not an e-mail address"),
        })
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn spec() -> MonitorSpec {
        MonitorSpec {
            name: "web".into(),
            url: "http://127.0.0.1:8080/".into(),
            timeout_s: DEFAULTS.0,
            interval_s: DEFAULTS.1,
            unhealthy_threshold: DEFAULTS.2,
            healthy_threshold: DEFAULTS.3,
            notify: NotifyTargets::default(),
            origin: Origin::Healthchecker,
        }
    }

    #[test]
    fn the_documented_defaults_pass_and_the_edges_of_each_range_fail() {
        assert!(spec().validate().is_ok());
        type Change = fn(&mut MonitorSpec);
        let cases: [(&str, Change); 6] = [
            ("timeout_s", |s| s.timeout_s = 1),
            ("timeout_s", |s| s.timeout_s = 61),
            ("interval_s", |s| s.interval_s = 4),
            ("interval_s", |s| s.interval_s = 301),
            ("unhealthy_threshold", |s| s.unhealthy_threshold = 1),
            ("healthy_threshold", |s| s.healthy_threshold = 11),
        ];
        for (field, change) in cases {
            let mut s = spec();
            change(&mut s);
            let err = s.validate().unwrap_err();
            assert_eq!(err.field(), field, "{err}");
            assert!(matches!(err, SpecError::OutOfRange { .. }));
        }
    }

    #[test]
    fn healthchecker_monitors_probe_slash_health_and_only_200_is_healthy() {
        let s = spec();
        assert_eq!(s.probe_url(), "http://127.0.0.1:8080/health");
        assert!(s.healthy_status(200) && !s.healthy_status(204));
        let api = MonitorSpec {
            origin: Origin::Api,
            ..spec()
        };
        assert_eq!(api.probe_url(), "http://127.0.0.1:8080/");
        assert!(api.healthy_status(204) && !api.healthy_status(302));
    }

    #[test]
    fn emails_and_names_are_checked() {
        assert!(validate_email("email", "ops@example.com").is_ok());
        for bad in ["", "ops", "@x", "a@", "a b@x", "a@x\nBcc: y@z", "a@b@c"] {
            assert!(validate_email("email", bad).is_err(), "{bad:?}");
        }
        assert!(validate_name("My App 1.0").is_ok());
        assert!(validate_name("a/b").is_err() && validate_name(" ").is_err());
    }
}
