//! The heartbeat check on the loop: the receiver is started with the
//! listener (so a bad `--bind` fails before `READY`), drained whenever its
//! socket is readable, and asked for a verdict when a round checks a process.

use std::io;

use supercheck_core::check::spec::{CheckSpec, HeartbeatSpec};
use supercheck_core::check::verdict::{CheckError, Verdict};

use super::heartbeat_datagrams::HeartbeatReceiver;
use super::{HEARTBEAT, Listener};
use supercheck_frontend::state::Observed;
use supercheck_runtime::log_line;
use supercheck_runtime::supervisor::client::ProcessSnapshot;

impl Listener {
    /// Binds the heartbeat socket when a heartbeat check is configured, and
    /// tracks every device a binding names.
    pub(super) fn start_heartbeat(&mut self) -> io::Result<()> {
        let specs: Vec<HeartbeatSpec<'_>> = self
            .config
            .checks
            .iter()
            .filter_map(|plan| match plan.builtin() {
                Some(CheckSpec::Heartbeat(spec)) => Some(spec),
                _ => None,
            })
            .collect();
        if specs.is_empty() {
            return Ok(());
        }
        let listen = self.config.heartbeat.clone().unwrap_or_default();
        let mut receiver =
            HeartbeatReceiver::bind(&listen, self.poll.registry(), HEARTBEAT, self.core_now())?;
        for binding in specs.iter().flat_map(|spec| spec.bindings()) {
            receiver.watch(binding.device());
        }
        let allowed = if listen.allow_from.is_empty() {
            String::from("any source")
        } else {
            let list: Vec<String> = listen.allow_from.iter().map(ToString::to_string).collect();
            list.join(", ")
        };
        log_line!(
            self.log,
            "receiving heartbeats on udp {} from {allowed}",
            receiver.local_addr().unwrap_or(listen.bind)
        );
        self.heartbeat = Some(receiver);
        Ok(())
    }

    /// The heartbeat socket is readable: read every datagram waiting.
    pub(super) fn on_heartbeats(&mut self) {
        let now = self.core_now();
        let Some(receiver) = self.heartbeat.as_mut() else {
            return;
        };
        if let Err(e) = receiver.drain(now) {
            log_line!(self.log, "cannot read heartbeats: {e}");
        }
    }

    /// The verdict of a heartbeat check of the process `key`.
    pub(super) fn heartbeat_verdict(
        &mut self,
        key: &str,
        check: usize,
        spec: &HeartbeatSpec<'_>,
        snapshot: &ProcessSnapshot,
    ) -> Verdict {
        // Datagrams that arrived since the last readiness count too.
        self.on_heartbeats();
        let now = self.core_now();
        let Some(device) = spec.device_for(&snapshot.group, &snapshot.name) else {
            return Verdict::Error(CheckError::Config(
                "no heartbeat device is bound to this process (--device DEVICE=PROCESS)",
            ));
        };
        let Some(receiver) = self.heartbeat.as_mut() else {
            return Verdict::Error(CheckError::Config("the heartbeat receiver is not running"));
        };
        let verdict = receiver.verdict(device, now, spec.timeout.get());
        let last = receiver.last_heard(device);
        if let Some(summary) = receiver.summary_if_changed() {
            supercheck_runtime::log_detail!(self.log, "{summary}");
        }
        match last {
            Some(at) => {
                let silent = now.saturating_since(at);
                self.record
                    .observed(key, check, Observed::AgeSecs(silent.secs()));
                supercheck_runtime::log_detail!(
                    self.log,
                    "{key}: device {device} last heard {silent} ago"
                );
            }
            None => {
                supercheck_runtime::log_detail!(self.log, "{key}: device {device} not heard yet")
            }
        }
        verdict
    }
}
