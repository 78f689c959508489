//! Log lines on stderr, as the Python tools write them:
//! `YYYY/MM/DD HH:MM:SS [<check name>] <message>`.
//!
//! stdout belongs to the supervisord protocol; nothing here ever touches it.
//! Times are UTC (the listener never reads the local time zone database).

use std::fmt;
use std::io::Write;
use std::time::{SystemTime, UNIX_EPOCH};

/// Writes log lines for one check name.
#[derive(Clone, Debug)]
pub struct Logger {
    name: String,
    verbose: bool,
}

impl Logger {
    /// A logger that prefixes every line with `[name]`; `verbose` turns on
    /// [`Logger::detail`] lines.
    pub fn new(name: impl Into<String>, verbose: bool) -> Self {
        Self {
            name: name.into(),
            verbose,
        }
    }

    /// Whether per-check detail lines are written.
    pub fn is_verbose(&self) -> bool {
        self.verbose
    }

    /// Writes one line.
    pub fn line(&self, message: fmt::Arguments<'_>) {
        let stamp = timestamp(SystemTime::now());
        // One write per line so that concurrent writers never interleave mid-line.
        let text = format!("{stamp} [{}] {message}\n", self.name);
        let _ = std::io::stderr().lock().write_all(text.as_bytes());
    }

    /// Writes one line only in verbose mode.
    pub fn detail(&self, message: fmt::Arguments<'_>) {
        if self.verbose {
            self.line(message);
        }
    }
}

/// `YYYY/MM/DD HH:MM:SS` in UTC.
pub fn timestamp(at: SystemTime) -> String {
    let secs = at
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let (year, month, day) = civil_from_days((secs / 86_400) as i64);
    let rem = secs % 86_400;
    format!(
        "{year:04}/{month:02}/{day:02} {:02}:{:02}:{:02}",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// Days since 1970-01-01 to (year, month, day), proleptic Gregorian
/// (Howard Hinnant's `civil_from_days`).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// Logs a formatted line through a [`Logger`].
#[macro_export]
macro_rules! log_line {
    ($logger:expr, $($arg:tt)*) => { $logger.line(format_args!($($arg)*)) };
}

/// Logs a formatted line through a [`Logger`] in verbose mode only.
#[macro_export]
macro_rules! log_detail {
    ($logger:expr, $($arg:tt)*) => { $logger.detail(format_args!($($arg)*)) };
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn timestamps_are_utc_in_the_python_tools_format() {
        assert_eq!(timestamp(UNIX_EPOCH), "1970/01/01 00:00:00");
        assert_eq!(
            timestamp(UNIX_EPOCH + Duration::from_secs(951_782_400 + 3_723)),
            "2000/02/29 01:02:03"
        );
        assert_eq!(
            timestamp(UNIX_EPOCH + Duration::from_secs(4_102_444_800)),
            "2100/01/01 00:00:00"
        );
    }
}
