//! Reading process facts from `/proc`: resident memory, CPU time, parent pids.
//!
//! No `ps`: the files are read directly, so the checks work on BusyBox, under
//! memory pressure and without spawning anything.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use supercheck_core::check::memory::{
    DEFAULT_MAX_DEPTH, ProcEntry, TreeError, kib_from_pages, tree_rss_kib,
};

/// The kernel's `USER_HZ`: clock ticks per second in `/proc/<pid>/stat`, fixed
/// at 100 by the Linux ABI on every architecture.
const USER_HZ: u64 = 100;

/// What `/proc/<pid>/stat` says about one process.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ProcStat {
    /// The process id.
    pub pid: u32,
    /// Its parent's process id.
    pub ppid: u32,
    /// User plus system CPU time consumed so far, in milliseconds.
    pub cpu_millis: u64,
    /// Resident set size in pages.
    pub rss_pages: u64,
}

/// Where `/proc` is mounted (tests may point elsewhere).
#[derive(Clone, Debug)]
pub struct Procfs {
    root: PathBuf,
}

impl Default for Procfs {
    fn default() -> Self {
        Self::new("/proc")
    }
}

impl Procfs {
    /// A reader of the proc file system mounted at `root`.
    pub fn new(root: impl Into<PathBuf>) -> Self {
        Self { root: root.into() }
    }

    fn pid_file(&self, pid: u32, name: &str) -> PathBuf {
        self.root.join(pid.to_string()).join(name)
    }

    /// The resident set size of `pid` in KiB (`VmRSS`), as psutil reports it.
    ///
    /// # Errors
    /// `NotFound` when the process is gone; `InvalidData` when the file has no
    /// `VmRSS` line (a kernel thread or a zombie).
    pub fn rss_kib(&self, pid: u32) -> io::Result<u64> {
        let status = fs::read_to_string(self.pid_file(pid, "status"))?;
        parse_vm_rss_kib(&status).ok_or_else(|| invalid(format!("no VmRSS for pid {pid}")))
    }

    /// Parent pid and CPU time of `pid`.
    ///
    /// # Errors
    /// `NotFound` when the process is gone, `InvalidData` on a malformed file.
    pub fn stat(&self, pid: u32) -> io::Result<ProcStat> {
        let text = fs::read_to_string(self.pid_file(pid, "stat"))?;
        parse_stat(&text).ok_or_else(|| invalid(format!("malformed /proc/{pid}/stat")))
    }

    /// Every process currently in `/proc`, with its parent. Processes that vanish
    /// while the directory is read are skipped.
    ///
    /// # Errors
    /// Only when `/proc` itself cannot be listed.
    pub fn all_stats(&self) -> io::Result<Vec<ProcStat>> {
        let mut out = Vec::new();
        for entry in fs::read_dir(&self.root)? {
            let Ok(entry) = entry else { continue };
            let Some(pid) = entry
                .file_name()
                .to_str()
                .and_then(|n| n.parse::<u32>().ok())
            else {
                continue;
            };
            if let Ok(stat) = self.stat(pid) {
                out.push(stat);
            }
        }
        Ok(out)
    }

    /// The resident memory of `pid` and all its descendants, in KiB, from one
    /// snapshot of `/proc` (`stats`, taken with [`Procfs::all_stats`]).
    ///
    /// # Errors
    /// `NotFound` when `pid` is not in the snapshot; `InvalidData` when the
    /// process tree is deeper than the core's cap.
    pub fn tree_rss_kib(&self, pid: u32, stats: &[ProcStat]) -> io::Result<u64> {
        let page_bytes = u64::try_from(rustix::param::page_size()).unwrap_or(4096);
        let mut table: Vec<ProcEntry> = stats
            .iter()
            .map(|s| ProcEntry {
                pid: s.pid,
                ppid: s.ppid,
                rss_kib: kib_from_pages(s.rss_pages, page_bytes),
            })
            .collect();
        tree_rss_kib(pid, &mut table, DEFAULT_MAX_DEPTH).map_err(|e| match e {
            TreeError::RootMissing => {
                io::Error::new(io::ErrorKind::NotFound, format!("pid {pid} is gone"))
            }
            other => invalid(other.to_string()),
        })
    }

    /// Whether `/proc/<pid>` exists.
    pub fn exists(&self, pid: u32) -> bool {
        Path::new(&self.root).join(pid.to_string()).exists()
    }
}

fn invalid(msg: String) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, msg)
}

/// The `VmRSS:` value of a `/proc/<pid>/status` text, in KiB.
pub fn parse_vm_rss_kib(status: &str) -> Option<u64> {
    let line = status.lines().find_map(|l| l.strip_prefix("VmRSS:"))?;
    let mut words = line.split_whitespace();
    let value: u64 = words.next()?.parse().ok()?;
    match words.next() {
        Some("kB") | None => Some(value),
        Some(_) => None,
    }
}

/// Parses `/proc/<pid>/stat`. The command name is in parentheses and may hold
/// spaces and parentheses itself, so fields are counted from the last `)`.
pub fn parse_stat(text: &str) -> Option<ProcStat> {
    let (head, tail) = text.rsplit_once(')')?;
    let pid: u32 = head.split_once('(')?.0.trim().parse().ok()?;
    // Fields after the name, numbered from 3 (state) as in proc(5).
    let fields: Vec<&str> = tail.split_whitespace().collect();
    let field = |n: usize| fields.get(n.checked_sub(3)?).copied();
    let ppid = field(4)?.parse().ok()?;
    let utime: u64 = field(14)?.parse().ok()?;
    let stime: u64 = field(15)?.parse().ok()?;
    let rss_pages: u64 = field(24)?.parse().ok()?;
    let ticks = utime.saturating_add(stime);
    Some(ProcStat {
        pid,
        ppid,
        cpu_millis: ticks.saturating_mul(1000) / USER_HZ,
        rss_pages,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stat_with_spaces_and_parens_in_name_is_parsed() {
        let text = "4242 (we ird) (x)) S 17 4242 4242 0 -1 4194560 100 0 0 0 250 50 0 0 20 0 1 0 123 1000 200 18446744073709551615\n";
        assert_eq!(
            parse_stat(text),
            Some(ProcStat {
                pid: 4242,
                ppid: 17,
                cpu_millis: 3000,
                rss_pages: 200,
            })
        );
    }

    #[test]
    fn vm_rss_is_read_in_kib() {
        let status = "Name:\tcat\nVmPeak:\t 9000 kB\nVmRSS:\t    1932 kB\nThreads:\t1\n";
        assert_eq!(parse_vm_rss_kib(status), Some(1932));
        assert_eq!(parse_vm_rss_kib("Name:\tkthreadd\n"), None);
    }

    #[test]
    fn own_process_is_readable() {
        let procfs = Procfs::default();
        let me = std::process::id();
        assert!(procfs.rss_kib(me).unwrap() > 0);
        assert_eq!(procfs.stat(me).unwrap().pid, me);
        let stats = procfs.all_stats().unwrap();
        let own = procfs.rss_kib(me).unwrap();
        let tree = procfs.tree_rss_kib(me, &stats).unwrap();
        assert!(tree >= own / 2, "tree {tree} KiB, own {own} KiB");
        assert!(procfs.tree_rss_kib(u32::MAX, &stats).is_err());
    }
}
