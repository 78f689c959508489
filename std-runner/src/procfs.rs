//! Reading process facts from `/proc`: resident memory, CPU time, parent pids.
//!
//! No `ps`: the files are read directly, so the checks work on BusyBox, under
//! memory pressure and without spawning anything.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

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

    /// `pid` and all its descendants, `pid` first.
    ///
    /// # Errors
    /// When `/proc` cannot be listed.
    pub fn tree(&self, pid: u32) -> io::Result<Vec<u32>> {
        Ok(descendants(pid, &self.all_stats()?))
    }

    /// Whether `/proc/<pid>` exists.
    pub fn exists(&self, pid: u32) -> bool {
        Path::new(&self.root).join(pid.to_string()).exists()
    }
}

fn invalid(msg: String) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, msg)
}

/// `pid` followed by every process whose chain of parents leads to it.
/// Cycles (impossible in a consistent snapshot, possible in a torn one) are cut.
pub fn descendants(pid: u32, stats: &[ProcStat]) -> Vec<u32> {
    let mut tree = vec![pid];
    let mut next = 0;
    while let Some(&parent) = tree.get(next) {
        next += 1;
        for stat in stats {
            if stat.ppid == parent && stat.pid != pid && !tree.contains(&stat.pid) {
                tree.push(stat.pid);
            }
        }
    }
    tree
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
    let ticks = utime.saturating_add(stime);
    Some(ProcStat {
        pid,
        ppid,
        cpu_millis: ticks.saturating_mul(1000) / USER_HZ,
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
                cpu_millis: 3000
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
    fn descendants_follow_parent_links_and_survive_cycles() {
        let s = |pid, ppid| ProcStat {
            pid,
            ppid,
            cpu_millis: 0,
        };
        let stats = [
            s(1, 0),
            s(10, 1),
            s(11, 10),
            s(12, 11),
            s(20, 1),
            s(30, 31),
            s(31, 30),
        ];
        assert_eq!(descendants(10, &stats), vec![10, 11, 12]);
        assert_eq!(descendants(30, &stats), vec![30, 31]);
    }

    #[test]
    fn own_process_is_readable() {
        let procfs = Procfs::default();
        let me = std::process::id();
        assert!(procfs.rss_kib(me).unwrap() > 0);
        assert_eq!(procfs.stat(me).unwrap().pid, me);
        assert!(procfs.tree(me).unwrap().starts_with(&[me]));
    }
}
