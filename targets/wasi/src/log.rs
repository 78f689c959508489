//! Log lines on stderr, as the Linux listener writes them:
//! `YYYY/MM/DD HH:MM:SS [<check name>] <message>`, one write per line (UTC,
//! from the wall clock WASI gives).

use std::io::Write;
use std::time::{SystemTime, UNIX_EPOCH};

use supercheck_core::json::health::UtcDateTime;

/// Writes the log lines of one listener to `W` (stderr in production).
#[derive(Debug)]
pub struct Log<W> {
    name: String,
    out: W,
}

impl<W: Write> Log<W> {
    /// Lines prefixed with `[name]`.
    pub fn new(name: impl Into<String>, out: W) -> Self {
        Self {
            name: name.into(),
            out,
        }
    }

    /// Writes one line (a failing stderr is not the listener's problem).
    pub fn line(&mut self, text: &str) {
        let secs = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        let stamp = i64::try_from(secs)
            .ok()
            .and_then(UtcDateTime::from_unix_secs)
            .map_or_else(
                || format!("@{secs}"),
                |t| {
                    let (date, time) = ((t.year, t.month, t.day), (t.hour, t.minute, t.second));
                    format!(
                        "{:04}/{:02}/{:02} {:02}:{:02}:{:02}",
                        date.0, date.1, date.2, time.0, time.1, time.2
                    )
                },
            );
        let line = format!("{stamp} [{}] {text}\n", self.name);
        let _ = self.out.write_all(line.as_bytes());
        let _ = self.out.flush();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_line_is_stamped_and_named() {
        let mut log = Log::new("chk", Vec::new());
        log.line("web:web_1: restarted");
        let text = String::from_utf8(log.out).unwrap();
        let (stamp, rest) = text.split_at(19);
        assert_eq!(rest, " [chk] web:web_1: restarted\n");
        assert_eq!(stamp.as_bytes()[4], b'/');
        assert_eq!(stamp.as_bytes()[13], b':');
    }
}
