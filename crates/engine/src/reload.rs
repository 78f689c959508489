//! A new configuration while running (an agent's SIGHUP): validated first,
//! then applied so that every watch whose settings and checks did not change
//! keeps its state (health machines, counters, budgets, cpu windows, its
//! place on its schedule). Nothing is restarted because of a reload.
//!
//! The rounds under way are abandoned: their probes were asked with the old
//! configuration's check indices, so their outcomes are ignored, and the
//! next cycle checks again (with `--once`, the one round starts again at
//! once). A restart already decided is still asked for, and one under way
//! is finished.

use alloc::vec::Vec;

use supercheck_core::time::{Duration, Instant};

use crate::config::{ConfigError, EngineConfig};
use crate::engine::Engine;
use crate::notice::Notices;

/// What a reload changed, by watch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Reloaded {
    /// Watches the same in both: their state is kept.
    pub kept: usize,
    /// Watches new or changed: they start afresh.
    pub fresh: usize,
    /// Watches gone or changed: their state is dropped.
    pub dropped: usize,
}

impl Engine {
    /// Replaces the configuration with `config`, keeping the state of the
    /// watches that did not change. The event stream's length rule stays the
    /// old one (it cannot change under supervisord). After the exit it only
    /// validates `config`: nothing changes, nothing is reported.
    ///
    /// # Errors
    /// `config` is not valid: nothing changes.
    pub fn reconfigure(
        &mut self,
        now: Instant,
        mut config: EngineConfig,
    ) -> Result<Reloaded, ConfigError> {
        config.validate()?;
        if self.exiting() {
            // No output after the exit (a restart still pending is not asked).
            return Ok(Reloaded::default());
        }
        config.len_mode = self.config.len_mode;
        config.once = self.config.once;
        // Old watch index -> new index, for the watches that did not change.
        let kept: Vec<Option<usize>> = self
            .config
            .watches
            .iter()
            .map(|old| {
                config
                    .watches
                    .iter()
                    .position(|new| self.config.same_watch(old, &config, new))
            })
            .collect();
        let summary = Reloaded {
            kept: kept.iter().flatten().count(),
            fresh: config.watches.len() - kept.iter().flatten().count(),
            dropped: kept.iter().filter(|k| k.is_none()).count(),
        };
        // Decisions already made are carried out.
        let pending: Vec<_> = self
            .targets
            .iter()
            .filter(|(_, t)| !t.pending_restart.is_empty())
            .map(|(key, _)| key.clone())
            .collect();
        for key in pending {
            self.settle_restart(now, &key);
        }
        for cycle in core::mem::take(&mut self.cycles) {
            if let Some(timer) = cycle.ack_timer {
                self.timers.cancel(timer);
            }
            if cycle.tick && !cycle.acknowledged {
                self.acknowledge();
            }
        }
        // Old watch index -> (new index, old first check, new first check).
        let moves: Vec<Option<(usize, usize, usize)>> = kept
            .iter()
            .zip(&self.config.watches)
            .map(|(new, old)| {
                let new = (*new)?;
                let new_start = config.watches.get(new)?.checks.start;
                Some((new, old.checks.start, new_start))
            })
            .collect();
        for target in self.targets.values_mut() {
            target.watches.retain_mut(|state| {
                let Some((new, old_start, new_start)) = moves.get(state.watch).copied().flatten()
                else {
                    return false;
                };
                state.watch = new;
                state.round = None;
                for (check, _) in &mut state.cpu {
                    *check = check.saturating_sub(old_start).saturating_add(new_start);
                }
                true
            });
            target.restart_asked = target
                .restart_asked
                .iter()
                .filter_map(|w| kept.get(*w).copied().flatten())
                .collect();
        }
        // Each kept watch keeps its place on its schedule; others start now.
        let mut kept_due: Vec<Option<Instant>> = alloc::vec![None; config.watches.len()];
        for (old, due) in core::mem::take(&mut self.due).into_iter().enumerate() {
            let Some((timer, at)) = due else { continue };
            self.timers.cancel(timer);
            if let Some(slot) = kept
                .get(old)
                .copied()
                .flatten()
                .and_then(|new| kept_due.get_mut(new))
            {
                *slot = Some(at);
            }
        }
        if config.notify != self.config.notify {
            self.notices = config.notify.clone().map(Notices::new);
        }
        self.out.set_verbose(config.verbose);
        self.found_none = alloc::vec![false; config.watches.len()];
        self.unmatched.clear();
        self.config = config;
        self.schedule_intervals(|watch| kept_due.get(watch).copied().flatten().unwrap_or(now));
        // Retries of abandoned rounds find no round and are dropped when due.
        line!(
            self.out,
            "configuration reloaded: {} check(s) kept with their state, {} new or changed, {} dropped",
            summary.kept,
            summary.fresh,
            summary.dropped
        );
        if self.config.once && self.started {
            // The dry run's one round was abandoned: it is checked again, so
            // that it still ends with its verdicts.
            let watches = (0..self.config.watches.len()).collect();
            self.open_cycle(now, watches, Some(Duration::from_secs(3600)));
        }
        self.advance(now);
        Ok(summary)
    }
}
