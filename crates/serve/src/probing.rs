//! Probe scheduling on the server's loop: each monitor that is not paused
//! has one chain of probes, started `interval` apart (counted from each
//! probe's start; a probe that outlasts the interval delays the next to its
//! end). A pause, resume, removal or re-registration bumps the monitor's
//! generation, so timers and probes of an older chain are ignored.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use mio::{Interest, Token};
use supercheck_core::check::verdict::FailReason;
use supercheck_core::time::Instant as CoreInstant;

use super::monitor::{Outcome, state_name};
use super::probe::{self, Probe, Stage};
use super::resolve;
use super::{Server, Timer};
use supercheck_runtime::exchange::Progress;
use supercheck_runtime::log_line;

impl Server {
    fn core_now(&self) -> CoreInstant {
        let ms = Instant::now()
            .saturating_duration_since(self.epoch)
            .as_millis();
        CoreInstant::from_millis(u64::try_from(ms).unwrap_or(u64::MAX))
    }

    /// Starts a new probe chain for `name` now (added, resumed or restored).
    pub(super) fn probe_now(&mut self, name: &str) {
        let Some(monitor) = self.registry.get_mut(name) else {
            return;
        };
        if let Some(timer) = monitor.next_probe.take() {
            self.timers.cancel(timer);
        }
        let generation = monitor.generation;
        self.on_probe_due(name, generation);
    }

    /// A probe timer fired.
    pub(super) fn on_probe_due(&mut self, name: &str, generation: u64) {
        let Some(monitor) = self.registry.get_mut(name) else {
            return;
        };
        if monitor.generation != generation || monitor.paused {
            return;
        }
        monitor.next_probe = None;
        let target = monitor.target.clone();
        let timeout = Duration::from_secs(monitor.spec.timeout_s);
        let token = self.tokens.fresh();
        let started = Instant::now();
        let deadline = self
            .timers
            .at(started + timeout, Timer::ProbeDeadline(token));
        let mut probe = Probe {
            monitor: name.to_string(),
            generation,
            started,
            deadline: Some(deadline),
            stage: Stage::Resolving,
        };
        match resolve::literal(&target.host, target.port) {
            Some(addr) => {
                self.probes.insert(token, probe);
                self.connect(token, addr);
            }
            None => match self.resolver.lookup(token, &target.host, target.port) {
                Ok(()) => {
                    self.probes.insert(token, probe);
                }
                Err(e) => {
                    probe.deadline = None;
                    self.timers.cancel(deadline);
                    self.probes.insert(token, probe);
                    let outcome = probe::failed(FailReason::ConnectionRefused, e, Duration::ZERO);
                    self.finish(token, outcome);
                }
            },
        }
    }

    /// Name lookups answered.
    pub(super) fn on_answers(&mut self) {
        for (token, answer) in self.resolver.answers() {
            if !self.probes.contains_key(&token) {
                continue; // timed out meanwhile
            }
            match answer {
                Ok(addr) => self.connect(token, addr),
                Err(e) => {
                    let elapsed = self.elapsed(token);
                    self.finish(
                        token,
                        probe::failed(FailReason::ConnectionRefused, e, elapsed),
                    );
                }
            }
        }
    }

    fn elapsed(&self, token: usize) -> Duration {
        self.probes
            .get(&token)
            .map_or(Duration::ZERO, |p| p.started.elapsed())
    }

    fn connect(&mut self, token: usize, addr: SocketAddr) {
        let Some(target) = self
            .probes
            .get(&token)
            .and_then(|p| self.registry.get(&p.monitor))
            .map(|m| m.target.clone())
        else {
            return self.drop_probe(token);
        };
        let mut exchange = match probe::connect(addr, &target) {
            Ok(exchange) => exchange,
            Err(e) => {
                let elapsed = self.elapsed(token);
                return self.finish(
                    token,
                    probe::failed(FailReason::ConnectionRefused, e, elapsed),
                );
            }
        };
        if let Err(e) = self.poll.registry().register(
            exchange.stream_mut(),
            Token(token),
            Interest::READABLE | Interest::WRITABLE,
        ) {
            let elapsed = self.elapsed(token);
            return self.finish(
                token,
                probe::failed(
                    FailReason::ConnectionReset,
                    format!("cannot register: {e}"),
                    elapsed,
                ),
            );
        }
        if let Some(p) = self.probes.get_mut(&token) {
            p.stage = Stage::Exchange(Box::new(exchange));
        }
    }

    /// A probe's socket is ready.
    pub(super) fn on_probe_event(&mut self, token: usize) {
        let Some(Probe {
            stage: Stage::Exchange(exchange),
            started,
            monitor,
            ..
        }) = self.probes.get_mut(&token)
        else {
            return;
        };
        let outcome = match exchange.advance(&mut self.read_buffer) {
            Progress::Pending => return,
            Progress::Done(response) => match self.registry.get(monitor) {
                Some(m) => probe::answered(&m.spec, response.status, started.elapsed()),
                None => return self.drop_probe(token),
            },
            Progress::Failed(e) => probe::exchange_failed(&e, started.elapsed()),
        };
        self.finish(token, outcome);
    }

    /// A probe's time is up.
    pub(super) fn on_probe_deadline(&mut self, token: usize) {
        let Some(probe) = self.probes.get_mut(&token) else {
            return;
        };
        probe.deadline = None;
        let phase = match &probe.stage {
            Stage::Resolving => None,
            Stage::Exchange(exchange) => Some(exchange.phase()),
        };
        let timeout = self
            .registry
            .get(&probe.monitor)
            .map_or(Duration::ZERO, |m| Duration::from_secs(m.spec.timeout_s));
        let outcome = probe::timed_out(phase, timeout, probe.started.elapsed());
        self.finish(token, outcome);
    }

    /// Forgets a probe without a verdict (its monitor is gone).
    fn drop_probe(&mut self, token: usize) {
        if let Some(mut probe) = self.probes.remove(&token) {
            if let Some(deadline) = probe.deadline.take() {
                self.timers.cancel(deadline);
            }
            if let Stage::Exchange(exchange) = &mut probe.stage {
                let _ = self.poll.registry().deregister(exchange.stream_mut());
            }
        }
    }

    /// A probe ended: feed the machine, announce a transition, schedule the next.
    fn finish(&mut self, token: usize, outcome: Outcome) {
        let Some(mut probe) = self.probes.remove(&token) else {
            return;
        };
        if let Some(deadline) = probe.deadline.take() {
            self.timers.cancel(deadline);
        }
        if let Stage::Exchange(exchange) = &mut probe.stage {
            let _ = self.poll.registry().deregister(exchange.stream_mut());
        }
        let now = self.core_now();
        let Some(monitor) = self
            .registry
            .get_mut(&probe.monitor)
            .filter(|m| m.generation == probe.generation && !m.paused)
        else {
            return; // paused, removed or re-registered meanwhile
        };
        let transition = monitor.observe(now, &outcome);
        supercheck_runtime::log_detail!(
            self.log,
            "{}: {} in {:?}: {}",
            monitor.spec.name,
            outcome.problem.as_deref().unwrap_or("healthy"),
            outcome.duration,
            state_name(monitor.state())
        );
        let interval = Duration::from_secs(monitor.spec.interval_s);
        let next = (probe.started + interval).max(Instant::now());
        let timer = self.timers.at(
            next,
            Timer::Probe {
                name: probe.monitor.clone(),
                generation: probe.generation,
            },
        );
        monitor.next_probe = Some(timer);
        if let Some(transition) = transition {
            log_line!(
                self.log,
                "{}: {} -> {}",
                probe.monitor,
                state_name(transition.from),
                state_name(transition.to)
            );
            if let Some(monitor) = self.registry.get(&probe.monitor) {
                self.notifier
                    .transition(monitor, transition, Instant::now());
            }
            if let Err(e) = self.registry.persist() {
                log_line!(self.log, "cannot save the new state: {e}");
            }
        }
    }
}
