//! Checks answered from this machine at once, without waiting: memory from
//! `/proc`, heartbeat-file age from `lstat`.

use std::io;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use supercheck_core::check::file_age::{FileAgeCheck, StatOutcome};
use supercheck_core::check::memory::rss_verdict;
use supercheck_core::check::spec::{FileSpec, MemorySpec};
use supercheck_core::check::verdict::{CheckError, FileProblem, Verdict};
use supercheck_core::time::Instant;

use crate::heartbeat_file;
use crate::procfs::{ProcStat, Procfs};

/// One `/proc` snapshot per tick, taken only if a cumulative memory check
/// needs it, and shared by every target of the tick.
#[derive(Debug, Default)]
pub struct ProcSnapshot {
    stats: Option<Vec<ProcStat>>,
}

impl ProcSnapshot {
    /// Forgets the snapshot (at the start of every tick).
    pub fn clear(&mut self) {
        self.stats = None;
    }

    fn get(&mut self, procfs: &Procfs) -> io::Result<&[ProcStat]> {
        if self.stats.is_none() {
            self.stats = Some(procfs.all_stats()?);
        }
        Ok(self.stats.as_deref().unwrap_or_default())
    }
}

/// The memory check of process `pid`: RSS (of its whole tree when
/// cumulative) strictly greater than the limit fails. Returns the verdict and
/// the RSS measured, in KiB.
pub fn memory(
    spec: &MemorySpec,
    pid: u32,
    procfs: &Procfs,
    snapshot: &mut ProcSnapshot,
) -> (Verdict, Option<u64>) {
    let rss = if spec.cumulative {
        snapshot
            .get(procfs)
            .and_then(|stats| procfs.tree_rss_kib(pid, stats))
    } else {
        procfs.rss_kib(pid)
    };
    match rss {
        Ok(kib) => (rss_verdict(kib, spec.max_rss_kib.get()), Some(kib)),
        Err(e) => (Verdict::Error(proc_error(&e)), None),
    }
}

fn proc_error(e: &io::Error) -> CheckError {
    match e.kind() {
        io::ErrorKind::PermissionDenied => CheckError::PermissionDenied,
        _ => CheckError::ProcessVanished,
    }
}

/// The file a file check examines for `group:name` running as `pid`.
pub fn heartbeat_path(spec: &FileSpec<'_>, group: &str, name: &str, pid: u32) -> PathBuf {
    match spec.filepath {
        Some(path) => PathBuf::from(path.as_str()),
        None => {
            let root = spec
                .root_dir
                .map_or_else(heartbeat_file::default_root_dir, |d| {
                    PathBuf::from(d.as_str())
                });
            heartbeat_file::default_path(&root, group, name, pid)
        }
    }
}

/// The file check: the change time (`lstat`, symlinks not followed) must be
/// at most `timeout` old. Returns the verdict and the file's age in seconds.
pub fn file_age(spec: &FileSpec<'_>, path: &Path) -> (Verdict, Option<u64>) {
    let now = epoch_instant(SystemTime::now());
    let outcome = match std::fs::symlink_metadata(path) {
        Ok(meta) => {
            let secs = u64::try_from(meta.ctime()).unwrap_or(0);
            let millis = u64::try_from(meta.ctime_nsec()).unwrap_or(0) / 1_000_000;
            StatOutcome::Found {
                ctime: Instant::from_millis(secs.saturating_mul(1000).saturating_add(millis)),
            }
        }
        Err(e) => StatOutcome::Failed(file_problem(&e)),
    };
    let age = match outcome {
        StatOutcome::Found { ctime } => Some(FileAgeCheck::age(now, ctime).secs()),
        _ => None,
    };
    let check = FileAgeCheck {
        timeout: spec.timeout.get(),
        fail_on_error: spec.fail_on_error,
    };
    (check.verdict(now, outcome), age)
}

fn file_problem(e: &io::Error) -> FileProblem {
    match e.kind() {
        io::ErrorKind::NotFound => FileProblem::Missing,
        io::ErrorKind::PermissionDenied => FileProblem::PermissionDenied,
        _ => FileProblem::Os(e.raw_os_error().unwrap_or(0)),
    }
}

/// Wall-clock time as a core instant (milliseconds since the Unix epoch).
pub fn epoch_instant(at: SystemTime) -> Instant {
    let millis = at
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis())
        .unwrap_or(0);
    Instant::from_millis(u64::try_from(millis).unwrap_or(u64::MAX))
}

#[cfg(test)]
mod tests {
    use super::*;
    use supercheck_core::check::verdict::FailReason;

    #[test]
    fn memory_of_own_process_passes_a_high_limit_and_fails_a_tiny_one() {
        let procfs = Procfs::default();
        let mut snapshot = ProcSnapshot::default();
        let me = std::process::id();
        let high = MemorySpec::from_kib(1 << 30).unwrap();
        assert_eq!(memory(&high, me, &procfs, &mut snapshot).0, Verdict::Pass);
        let mut tiny = MemorySpec::from_kib(1).unwrap();
        tiny.cumulative = true;
        let (verdict, rss) = memory(&tiny, me, &procfs, &mut snapshot);
        assert!(
            matches!(verdict, Verdict::Fail(FailReason::RssOverLimit { .. })),
            "{verdict:?}"
        );
        assert!(rss.unwrap() > 1);
    }

    #[test]
    fn memory_of_a_vanished_process_is_an_error_not_a_failure() {
        let spec = MemorySpec::from_kib(1).unwrap();
        let (verdict, _) = memory(
            &spec,
            u32::MAX - 1,
            &Procfs::default(),
            &mut ProcSnapshot::default(),
        );
        assert_eq!(verdict, Verdict::Error(CheckError::ProcessVanished));
    }

    #[test]
    fn default_heartbeat_path_is_root_group_name_pid() {
        let spec = FileSpec::from_secs(30).unwrap();
        let path = heartbeat_path(&spec, "web", "web_1", 42);
        assert_eq!(
            path,
            heartbeat_file::default_root_dir().join("web-web_1-42")
        );
    }

    #[test]
    fn missing_file_passes_unless_fail_on_error() {
        let mut spec = FileSpec::from_secs(30).unwrap();
        let path = Path::new("/nonexistent/supercheck/heartbeat");
        assert_eq!(file_age(&spec, path).0, Verdict::Pass);
        spec.fail_on_error = true;
        assert!(matches!(file_age(&spec, path).0, Verdict::Fail(_)));
    }
}
