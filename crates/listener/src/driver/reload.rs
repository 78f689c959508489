//! An agent's SIGHUP: the file is read again and validated; a refused file
//! is logged and the running configuration goes on. Otherwise the engine is
//! reconfigured (the unchanged checks keep their state) and the driver's
//! per-check state (ports found, connections kept alive, the frontend's
//! per-check results) is dropped, since check indices may have moved.
//! `[supervisor]`, `[frontend]`, `[notify]` and `[heartbeat]` take effect
//! at the next start; a change to them is logged.

use supercheck_runtime::log_line;

use super::Listener;

impl Listener {
    pub(super) fn reload(&mut self) {
        let Some(reloader) = self.config.reload.clone() else {
            return;
        };
        let new = match reloader.reload() {
            Ok(new) => new,
            Err(e) => {
                log_line!(
                    self.log,
                    "reload refused: {e}; the running configuration is kept"
                );
                return;
            }
        };
        let sends = self
            .notifier
            .as_ref()
            .is_some_and(supercheck_notification::Notifier::sends);
        let now = self.core_now();
        if let Err(e) = self.engine.reconfigure(now, new.engine_config(sends)) {
            log_line!(
                self.log,
                "reload refused: {e}; the running configuration is kept"
            );
            return;
        }
        let later: Vec<&str> = [
            (
                "[supervisor]",
                new.server != self.config.server || new.rpc_timeout != self.config.rpc_timeout,
            ),
            ("[frontend]", new.frontend != self.config.frontend),
            ("[notify]", new.notify != self.config.notify),
            ("[heartbeat]", new.heartbeat != self.config.heartbeat),
        ]
        .into_iter()
        .filter_map(|(table, changed)| changed.then_some(table))
        .collect();
        if !later.is_empty() {
            log_line!(
                self.log,
                "{} changed: taking effect when the agent restarts",
                later.join(", ")
            );
        }
        self.config.checks = new.checks;
        self.config.watches = new.watches;
        self.ports.clear();
        for mut stream in self.keep_alive.drain() {
            let _ = self.poll.registry().deregister(&mut stream);
        }
        let labels = self
            .config
            .checks
            .iter()
            .map(|c| c.label().to_string())
            .collect();
        self.record.reconfigure(labels);
        // What the engine asked for is carried out by the loop, right after the signals.
    }
}
