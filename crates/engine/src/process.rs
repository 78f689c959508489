//! One process as supervisord's `getAllProcessInfo` describes it, owned: the
//! engine's view of a target, and what drivers read to address a probe.

use alloc::string::String;

use supercheck_core::process::ProcessState;

/// One process as `getAllProcessInfo` describes it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Process {
    /// Group name.
    pub group: String,
    /// Process name.
    pub name: String,
    /// Current state.
    pub state: ProcessState,
    /// Process id, 0 when not running.
    pub pid: u32,
    /// Start time, epoch seconds (0 if never started).
    pub start: i64,
    /// supervisord's clock when it answered, epoch seconds.
    pub now: i64,
}

impl Process {
    /// `group:name`, the namespec supervisord always accepts.
    pub fn namespec(&self) -> String {
        let mut spec = String::with_capacity(self.group.len() + 1 + self.name.len());
        spec.push_str(&self.group);
        spec.push(':');
        spec.push_str(&self.name);
        spec
    }

    /// Seconds the process has been up, by supervisord's clock.
    pub fn uptime_secs(&self) -> u64 {
        if self.start <= 0 {
            return 0;
        }
        u64::try_from(self.now.saturating_sub(self.start)).unwrap_or(0)
    }
}
