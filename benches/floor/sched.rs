//! The sender's scheduling, and what the kernel says it cost.

use std::io;

use rustix::process::Pid;
use rustix::thread::{CpuSet, sched_setaffinity};

use crate::args::Policy;

/// Nanoseconds this thread has spent on a CPU.
pub fn cpu_ns() -> io::Result<u64> {
    let text = std::fs::read_to_string("/proc/thread-self/schedstat")?;
    text.split_whitespace()
        .next()
        .and_then(|n| n.parse().ok())
        .ok_or_else(|| io::Error::other("unreadable schedstat"))
}

/// Times this thread was preempted (`nonvoluntary_ctxt_switches`).
pub fn involuntary_switches() -> io::Result<u64> {
    let text = std::fs::read_to_string("/proc/thread-self/status")?;
    text.lines()
        .find_map(|l| l.strip_prefix("nonvoluntary_ctxt_switches:"))
        .and_then(|n| n.trim().parse().ok())
        .ok_or_else(|| io::Error::other("unreadable status"))
}

/// Pins a child process (`Some`) or the calling thread (`None`) to one CPU.
pub fn pin(child: Option<&std::process::Child>, cpu: usize) -> io::Result<()> {
    let mut set = CpuSet::new();
    set.set(cpu);
    sched_setaffinity(child.map(Pid::from_child), &set).map_err(io::Error::from)
}

/// `struct sched_attr` of `sched_setattr(2)` (the fields up to `sched_period`).
#[repr(C)]
struct SchedAttr {
    size: u32,
    policy: u32,
    flags: u64,
    nice: i32,
    priority: u32,
    runtime: u64,
    deadline: u64,
    period: u64,
}

/// Sets this thread's policy and, with `slice_us`, its EEVDF slice (Linux ≥ 6.12).
pub fn set_policy(policy: Policy, slice_us: Option<u64>) -> io::Result<()> {
    if policy == Policy::Normal && slice_us.is_none() {
        return Ok(());
    }
    let attr = SchedAttr {
        size: std::mem::size_of::<SchedAttr>() as u32,
        policy: match policy {
            Policy::Normal => libc::SCHED_OTHER as u32,
            Policy::Batch => libc::SCHED_BATCH as u32,
        },
        flags: 0,
        nice: 0,
        priority: 0,
        runtime: slice_us.unwrap_or(0).saturating_mul(1000),
        deadline: 0,
        period: 0,
    };
    // SAFETY: attr is a valid sched_attr of the size it declares, alive for the call;
    // rustix has no sched_setattr.
    let ok = unsafe { libc::syscall(libc::SYS_sched_setattr, 0, &attr as *const SchedAttr, 0) };
    if ok == 0 {
        Ok(())
    } else {
        Err(io::Error::last_os_error())
    }
}
