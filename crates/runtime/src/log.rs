//! Log lines on stderr, as the Python tools write them:
//! `YYYY/MM/DD HH:MM:SS [<check name>] <message>`.
//!
//! stdout belongs to the supervisord protocol; nothing here ever touches it.
//! Times are UTC (the listener never reads the local time zone database).

use std::fmt;
use std::io::Write;
use std::time::{SystemTime, UNIX_EPOCH};

use supercheck_core::json::health::UtcDateTime;

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

/// `YYYY/MM/DD HH:MM:SS` in UTC (the civil date from the core's [`UtcDateTime`]).
pub fn timestamp(at: SystemTime) -> String {
    let secs = at.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
    match i64::try_from(secs)
        .ok()
        .and_then(UtcDateTime::from_unix_secs)
    {
        Some(t) => format!(
            "{:04}/{:02}/{:02} {:02}:{:02}:{:02}",
            t.year, t.month, t.day, t.hour, t.minute, t.second
        ),
        None => format!("@{secs}"),
    }
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
