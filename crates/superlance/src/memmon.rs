//! memmon as a custom check: each selected process's resident memory (from
//! `/proc`, of its whole tree with `-c`) against the one limit that applies
//! to it. The listener restarts a failing process through its usual
//! stop/start pair, at most once per tick (a process being restarted is not
//! checked again until the restart is done).

use std::time::Duration;

use supercheck_core::check::verdict::{CheckError, FailReason, Verdict};

use supercheck_listener::custom::{Check, ProcessInfo};
use supercheck_notification::Notifier;
use supercheck_notification::sendmail::rfc5322_date;
use supercheck_runtime::log::Logger;
use supercheck_runtime::log_line;
use supercheck_runtime::procfs::Procfs;

/// The limits, by precedence: a program's (`-p`), then its group's (`-g`),
/// then the catch-all (`-a`). Sizes in bytes.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Limits {
    /// `-p NAME=SIZE`: `group:name` or a bare name.
    pub programs: Vec<(String, u64)>,
    /// `-g GROUP=SIZE`.
    pub groups: Vec<(String, u64)>,
    /// `-a SIZE`.
    pub any: Option<u64>,
}

/// Which rule gave a process its limit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Rule {
    /// `-p`.
    Program,
    /// `-g`.
    Group,
    /// `-a`.
    Any,
}

impl Limits {
    /// The limit of process `group:name` and the rule it comes from: a `-p`
    /// for `group:name`, then one for the bare name, then `-g`, then `-a`.
    pub fn limit_for(&self, group: &str, name: &str) -> Option<(u64, Rule)> {
        let namespec = format!("{group}:{name}");
        let find = |key: &str, list: &[(String, u64)]| {
            list.iter().find(|(k, _)| k == key).map(|(_, size)| *size)
        };
        find(&namespec, &self.programs)
            .or_else(|| find(name, &self.programs))
            .map(|size| (size, Rule::Program))
            .or_else(|| find(group, &self.groups).map(|size| (size, Rule::Group)))
            .or_else(|| self.any.map(|size| (size, Rule::Any)))
    }
}

/// How memmon notifies.
#[derive(Debug)]
pub struct MailNote {
    /// Sends (or logs, without `-m`/`--webhook`) the throttled notifications.
    pub notifier: Notifier,
    /// `-n`.
    pub name: Option<String>,
    /// `-u`: notify only when the process was up at most this long.
    pub uptime_limit: Option<u64>,
}

/// memmon's check.
#[derive(Debug)]
pub struct MemmonCheck {
    limits: Limits,
    cumulative: bool,
    procfs: Procfs,
    mail: MailNote,
    log: Logger,
}

impl MemmonCheck {
    /// A check with these limits, reading `/proc`.
    pub fn new(limits: Limits, cumulative: bool, mail: MailNote, log: Logger) -> Self {
        Self {
            limits,
            cumulative,
            procfs: Procfs::default(),
            mail,
            log,
        }
    }

    fn rss_kib(&self, pid: u32) -> std::io::Result<u64> {
        if self.cumulative {
            let stats = self.procfs.all_stats()?;
            self.procfs.tree_rss_kib(pid, &stats)
        } else {
            self.procfs.rss_kib(pid)
        }
    }

    fn notify(&mut self, process: &ProcessInfo, rss_bytes: u64, limit: u64) {
        let ns = process.namespec();
        let uptime = process.uptime_secs();
        if let Some(max) = self.mail.uptime_limit.filter(|max| uptime > *max) {
            log_line!(
                self.log,
                "{ns} was up {uptime} s, more than -u {max} s: no notification"
            );
            return;
        }
        let prefix = match &self.mail.name {
            Some(name) => format!("memmon [{name}]"),
            None => "memmon".into(),
        };
        let subject = format!("{prefix}: process {ns} restarted");
        let secs = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or_default();
        let body = format!(
            "memmon restarted the process named {ns} at {} because it was consuming too much memory ({rss_bytes} bytes RSS, limit {limit} bytes)",
            rfc5322_date(secs)
        );
        self.mail.notifier.problem(&ns, &subject, &body);
    }
}

impl Check for MemmonCheck {
    fn name(&self) -> &str {
        "memmon"
    }

    fn check(&mut self, process: &ProcessInfo) -> Verdict {
        let Some((limit, rule)) = self.limits.limit_for(&process.group, &process.name) else {
            return Verdict::Pass;
        };
        if process.pid == 0 {
            return Verdict::Pass;
        }
        let rss_kib = match self.rss_kib(process.pid) {
            Ok(kib) => kib,
            Err(e) if e.kind() == std::io::ErrorKind::PermissionDenied => {
                return Verdict::Error(CheckError::PermissionDenied);
            }
            Err(_) => return Verdict::Error(CheckError::ProcessVanished),
        };
        let rss_bytes = rss_kib.saturating_mul(1024);
        supercheck_runtime::log_detail!(
            self.log,
            "{}: RSS {rss_bytes} bytes, limit {limit} ({rule:?})",
            process.namespec()
        );
        if rss_bytes > limit {
            self.notify(process, rss_bytes, limit);
            Verdict::Fail(FailReason::RssOverLimit {
                rss_kib,
                limit_kib: limit / 1024,
            })
        } else {
            self.mail.notifier.healthy(&process.namespec());
            Verdict::Pass
        }
    }

    fn timeout(&self) -> Duration {
        Duration::from_secs(10)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits() -> Limits {
        Limits {
            programs: vec![("web:w1".into(), 1), ("w2".into(), 2)],
            groups: vec![("web".into(), 3)],
            any: Some(4),
        }
    }

    #[test]
    fn program_limit_wins_over_group_and_group_over_any() {
        let l = limits();
        assert_eq!(l.limit_for("web", "w1"), Some((1, Rule::Program)));
        assert_eq!(l.limit_for("web", "w2"), Some((2, Rule::Program)));
        assert_eq!(l.limit_for("web", "w3"), Some((3, Rule::Group)));
        assert_eq!(l.limit_for("other", "w9"), Some((4, Rule::Any)));
        let none = Limits {
            any: None,
            ..limits()
        };
        assert_eq!(none.limit_for("other", "w9"), None);
    }

    #[test]
    fn program_limit_by_group_and_name_does_not_crash_and_applies() {
        // superlance looked up the bare name after matching `group:name` (KeyError, issue #79).
        assert_eq!(limits().limit_for("web", "w1"), Some((1, Rule::Program)));
        assert_eq!(limits().limit_for("other", "w1"), Some((4, Rule::Any)));
    }
}
