//! Memory: the RSS threshold verdict and the cumulative RSS of a process tree.
//!
//! The driver reads `(pid, ppid, rss)` for every process from `/proc` (no `ps`,
//! which broke memmon on BusyBox and FreeBSD) into a caller-owned slice of
//! [`ProcEntry`]; [`tree_rss_kib`] sums a root and all its descendants without
//! allocating. The table may be inconsistent (it is read process by process while
//! processes come and go): cycles and reused pids cannot make the walk loop or
//! count an entry twice, and its work is bounded by `O(n · depth · log n)`.

use core::fmt;

use crate::check::verdict::{CheckError, FailReason, Limit, Verdict};

/// Default bound on the length of an ancestor chain walked by [`tree_rss_kib`].
pub const DEFAULT_MAX_DEPTH: u32 = 256;

/// The RSS verdict: fails when `rss_kib` is strictly greater than `limit_kib`.
///
/// A fractional configured limit (`max_rss` may be a float in JSON) is equivalent
/// to its floor here, because the RSS is a whole number of KiB.
pub fn rss_verdict(rss_kib: u64, limit_kib: u64) -> Verdict {
    if rss_kib > limit_kib {
        Verdict::Fail(FailReason::RssOverLimit { rss_kib, limit_kib })
    } else {
        Verdict::Pass
    }
}

/// Bytes to KiB, truncating like supervisor_checks (`rss // 1024`).
pub const fn kib_from_bytes(bytes: u64) -> u64 {
    bytes / 1024
}

/// Pages (`/proc/<pid>/statm`, field 2) to KiB, saturating.
pub const fn kib_from_pages(pages: u64, page_size_bytes: u64) -> u64 {
    pages.saturating_mul(page_size_bytes) / 1024
}

/// One row of the process table.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct ProcEntry {
    /// Process id.
    pub pid: u32,
    /// Parent process id (0 for none).
    pub ppid: u32,
    /// Resident set size in KiB.
    pub rss_kib: u64,
}

/// Why a process tree could not be summed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum TreeError {
    /// The root pid is not in the table (the process exited).
    RootMissing,
    /// An ancestor chain is longer than the cap.
    TooDeep {
        /// The cap that was reached.
        cap: u32,
    },
}

impl fmt::Display for TreeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TreeError::RootMissing => f.write_str("the process is not in the process table"),
            TreeError::TooDeep { cap } => write!(f, "process tree deeper than {cap} levels"),
        }
    }
}

impl core::error::Error for TreeError {}

impl From<TreeError> for CheckError {
    fn from(e: TreeError) -> Self {
        match e {
            TreeError::RootMissing => CheckError::ProcessVanished,
            TreeError::TooDeep { cap } => CheckError::LimitHit(Limit::ProcessTreeDepth { cap }),
        }
    }
}

/// The RSS of `root` plus every process descending from it, in KiB.
///
/// `table` is sorted by pid in place (that is why it is `&mut`). Each entry is
/// counted at most once; if `root` appears more than once, only one copy counts.
/// Ancestor chains are walked up to `max_depth` levels, with Brent's cycle
/// detection so that a looping `ppid` chain ends early.
///
/// # Errors
/// [`TreeError::RootMissing`] when no entry has pid `root`;
/// [`TreeError::TooDeep`] when an ancestor chain is longer than `max_depth`.
pub fn tree_rss_kib(root: u32, table: &mut [ProcEntry], max_depth: u32) -> Result<u64, TreeError> {
    table.sort_unstable_by_key(|e| e.pid);
    let table: &[ProcEntry] = table;
    let root_rss = find(table, root).ok_or(TreeError::RootMissing)?.rss_kib;
    let mut total = root_rss;
    for entry in table {
        if entry.pid != root && descends_from(table, entry, root, max_depth)? {
            total = total.saturating_add(entry.rss_kib);
        }
    }
    Ok(total)
}

fn find(table: &[ProcEntry], pid: u32) -> Option<&ProcEntry> {
    let index = table.binary_search_by_key(&pid, |e| e.pid).ok()?;
    table.get(index)
}

/// Walks up from `start` until `root` (true), the top of a chain or a cycle
/// not passing through `root` (false).
fn descends_from(
    table: &[ProcEntry],
    start: &ProcEntry,
    root: u32,
    max_depth: u32,
) -> Result<bool, TreeError> {
    let mut current = *start;
    // Brent: the tortoise waits at a checkpoint that moves to the hare every
    // `power` steps, `power` doubling each time.
    let mut tortoise = start.pid;
    let mut power: u32 = 1;
    let mut lambda: u32 = 0;
    let mut steps: u32 = 0;
    loop {
        if current.ppid == root {
            return Ok(true);
        }
        if current.ppid == 0 || current.ppid == current.pid {
            return Ok(false);
        }
        let Some(parent) = find(table, current.ppid) else {
            return Ok(false);
        };
        steps = steps.saturating_add(1);
        if steps >= max_depth {
            return Err(TreeError::TooDeep { cap: max_depth });
        }
        current = *parent;
        if current.pid == tortoise {
            return Ok(false);
        }
        lambda = lambda.saturating_add(1);
        if lambda == power {
            tortoise = current.pid;
            power = power.saturating_mul(2);
            lambda = 0;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn e(pid: u32, ppid: u32, rss_kib: u64) -> ProcEntry {
        ProcEntry { pid, ppid, rss_kib }
    }

    #[test]
    fn rss_equal_to_the_limit_passes_and_one_more_fails() {
        assert_eq!(rss_verdict(1024, 1024), Verdict::Pass);
        assert_eq!(
            rss_verdict(1025, 1024),
            Verdict::Fail(FailReason::RssOverLimit {
                rss_kib: 1025,
                limit_kib: 1024
            })
        );
    }

    #[test]
    fn units_truncate_like_psutil_division() {
        assert_eq!(kib_from_bytes(2047), 1);
        assert_eq!(kib_from_pages(3, 4096), 12);
        assert_eq!(kib_from_pages(u64::MAX, 4096), u64::MAX / 1024);
    }

    #[test]
    fn tree_sum_adds_children_and_grandchildren_only() {
        let mut table = [
            e(1, 0, 4),
            e(300, 100, 30),
            e(100, 1, 10),
            e(200, 100, 20),
            e(400, 300, 40),
            e(500, 1, 500),
        ];
        assert_eq!(
            tree_rss_kib(100, &mut table, DEFAULT_MAX_DEPTH),
            Ok(10 + 20 + 30 + 40)
        );
        assert_eq!(tree_rss_kib(400, &mut table, DEFAULT_MAX_DEPTH), Ok(40));
    }

    #[test]
    fn missing_root_means_the_process_vanished() {
        let mut table = [e(1, 0, 4)];
        let result = tree_rss_kib(7, &mut table, DEFAULT_MAX_DEPTH);
        assert_eq!(result, Err(TreeError::RootMissing));
        assert_eq!(
            CheckError::from(TreeError::RootMissing),
            CheckError::ProcessVanished
        );
    }

    #[test]
    fn cycles_end_the_walk_without_double_counting() {
        // 20 and 30 are each other's parent; 10 is the root and its own grandchild.
        let mut table = [
            e(10, 12, 1),
            e(11, 10, 2),
            e(12, 11, 4),
            e(20, 30, 100),
            e(30, 20, 100),
            e(40, 40, 100),
        ];
        assert_eq!(tree_rss_kib(10, &mut table, DEFAULT_MAX_DEPTH), Ok(7));
    }

    #[test]
    fn duplicated_root_pid_counts_once() {
        let mut table = [e(10, 1, 5), e(10, 2, 5), e(11, 10, 1)];
        assert_eq!(tree_rss_kib(10, &mut table, DEFAULT_MAX_DEPTH), Ok(6));
    }

    #[test]
    fn chain_longer_than_the_cap_is_a_typed_limit_error() {
        let mut table = [e(1, 0, 1), e(2, 1, 1), e(3, 2, 1), e(4, 3, 1), e(5, 4, 1)];
        // 5 is four levels below 1.
        assert_eq!(tree_rss_kib(1, &mut table, 4), Ok(5));
        assert_eq!(
            tree_rss_kib(1, &mut table, 3),
            Err(TreeError::TooDeep { cap: 3 })
        );
        assert_eq!(
            CheckError::from(TreeError::TooDeep { cap: 2 }),
            CheckError::LimitHit(Limit::ProcessTreeDepth { cap: 2 })
        );
    }
}
