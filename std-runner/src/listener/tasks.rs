//! Socket tasks on the poll: probe exchanges and calls to supervisord, from
//! registration to their end (response, failure or deadline).

use std::time::{Duration, Instant};

use mio::{Interest, Token};
use supercheck_core::rpc::SupervisorCall;
use supercheck_core::time::Duration as CoreDuration;

use super::timers::TimerId;
use super::{Listener, Timer};
use crate::exchange::{BodySink, Exchange, Progress};
use crate::probe::net;
use crate::supervisor::client;
use crate::supervisor::process_list::{self, ProcessListSink};

/// What a socket task is for.
#[derive(Debug)]
pub(super) enum TaskKind {
    /// A probe of a round.
    Probe {
        target: super::TargetKey,
        check: usize,
        round: u64,
        attempt: u32,
        judge: std::sync::Arc<net::Judge>,
    },
    /// `getAllProcessInfo` for a cycle.
    ProcessList { cycle: u64 },
    /// `stopProcess` of a restart.
    Stop { target: String },
    /// `startProcess` of a restart.
    Start { target: String },
}

/// A socket exchange in flight.
pub(super) struct Task {
    pub exchange: Exchange,
    pub kind: TaskKind,
    pub timeout: Duration,
    /// Its deadline on the timer queue, cancelled when the task ends first.
    pub deadline: TimerId,
}

impl Listener {
    /// Sends a call to supervisord.
    pub(super) fn call_supervisor(&mut self, call: SupervisorCall<'_>, kind: TaskKind) {
        let timeout = match kind {
            TaskKind::Stop { .. } => self.config.stop_timeout,
            _ => self.config.rpc_timeout,
        };
        let sink = match kind {
            // Read as it arrives: at ~1 KB per process, never held whole.
            TaskKind::ProcessList { .. } => {
                let expected = self.listed_last.max(self.targets.len());
                BodySink::Consume(Box::new(ProcessListSink::new(expected)))
            }
            _ => BodySink::Keep(Vec::new()),
        };
        match client::start_call(&self.config.server, &call, sink) {
            Ok(exchange) => self.add_task(exchange, kind, timeout),
            Err(e) => self.finish_task(kind, Err(e)),
        }
    }

    pub(super) fn add_task(&mut self, mut exchange: Exchange, kind: TaskKind, timeout: Duration) {
        let token = self.token();
        if let Err(e) = self.poll.registry().register(
            exchange.stream_mut(),
            Token(token),
            Interest::READABLE | Interest::WRITABLE,
        ) {
            let error = crate::exchange::ExchangeError::Io(crate::exchange::Phase::Connect, e);
            return self.task_failed(kind, error);
        }
        self.insert_task(token, exchange, kind, timeout);
        // The socket may already be writable: edge-triggered polling would not say so again.
        self.on_task_ready(token);
    }

    pub(super) fn insert_task(
        &mut self,
        token: usize,
        exchange: Exchange,
        kind: TaskKind,
        timeout: Duration,
    ) {
        let deadline = self
            .timers
            .at(Instant::now() + timeout, Timer::TaskDeadline(token));
        self.tasks.insert(
            token,
            Task {
                exchange,
                kind,
                timeout,
                deadline,
            },
        );
    }

    /// A socket of a task is ready: drive its exchange.
    /// A readiness event for `token`: a task's socket, or an idle kept-alive
    /// connection whose peer closed it or talks out of turn (`peer_acted`).
    pub(super) fn on_socket_event(&mut self, token: usize, peer_acted: bool) {
        if self.tasks.contains_key(&token) {
            self.on_task_ready(token);
        } else if peer_acted {
            if let Some(mut stream) = self.keep_alive.take_token(token) {
                let _ = self.poll.registry().deregister(&mut stream);
            }
        }
    }

    /// Drives the task registered as `token` as far as its socket allows.
    pub(super) fn on_task_ready(&mut self, token: usize) {
        let Some(task) = self.tasks.get_mut(&token) else {
            return;
        };
        match task.exchange.advance(&mut self.read_buffer) {
            Progress::Pending => {}
            Progress::Done(response) => {
                if let Some(task) = self.remove_task(token) {
                    match &task.kind {
                        TaskKind::Probe { target, check, .. } if response.reusable => {
                            let (target, check) = (super::TargetKey::clone(target), *check);
                            let stream = task.exchange.into_stream();
                            if let Some((_, mut old)) =
                                self.keep_alive.park(&target, check, token, stream)
                            {
                                let _ = self.poll.registry().deregister(&mut old);
                            }
                            self.task_done(task.kind, response);
                        }
                        _ => {
                            let mut task = task;
                            let _ = self.poll.registry().deregister(task.exchange.stream_mut());
                            self.task_done(task.kind, response);
                        }
                    }
                }
            }
            Progress::Failed(error) => {
                if let Some(mut task) = self.remove_task(token) {
                    let _ = self.poll.registry().deregister(task.exchange.stream_mut());
                    self.task_failed(task.kind, error);
                }
            }
        }
    }

    /// Removes a task that ended before its deadline, and cancels the deadline.
    fn remove_task(&mut self, token: usize) -> Option<Task> {
        let task = self.tasks.remove(&token)?;
        self.timers.cancel(task.deadline);
        Some(task)
    }

    /// A task's deadline passed.
    pub(super) fn on_task_deadline(&mut self, token: usize) {
        let Some(mut task) = self.tasks.remove(&token) else {
            return;
        };
        let _ = self.poll.registry().deregister(task.exchange.stream_mut());
        let phase = task.exchange.phase();
        match task.kind {
            TaskKind::Probe {
                target,
                check,
                round,
                attempt,
                ..
            } => {
                let verdict = net::timeout_verdict(phase, to_core(task.timeout));
                self.probe_ended(&target, check, round, attempt, verdict);
            }
            other => self.finish_task(other, Err(client::CallError::Timeout(phase))),
        }
    }

    fn task_done(&mut self, kind: TaskKind, response: crate::exchange::Response) {
        match kind {
            TaskKind::Probe {
                target,
                check,
                round,
                attempt,
                judge,
            } => {
                let verdict = judge.judge(&response);
                self.probe_ended(&target, check, round, attempt, verdict);
            }
            TaskKind::ProcessList { cycle } => {
                self.on_process_list(cycle, process_list::from_response(response));
            }
            other => self.finish_task(other, client::reply_body(Ok(response))),
        }
    }

    fn task_failed(&mut self, kind: TaskKind, error: crate::exchange::ExchangeError) {
        match kind {
            TaskKind::Probe {
                target,
                check,
                round,
                attempt,
                ..
            } if matches!(error, crate::exchange::ExchangeError::Stale) => {
                // The kept-alive connection was closed meanwhile: start over on a new one.
                self.start_check(&target, check, round, attempt);
            }
            TaskKind::Probe {
                target,
                check,
                round,
                attempt,
                judge,
            } => {
                if let Some(detail) = net::tls_detail(&error) {
                    crate::log_line!(self.log, "{target}: https: {detail}");
                }
                let verdict = net::failure_verdict(&error, &judge);
                self.probe_ended(&target, check, round, attempt, verdict);
            }
            other => self.finish_task(other, Err(client::CallError::Transport(error))),
        }
    }

    /// A supervisord call finished.
    fn finish_task(&mut self, kind: TaskKind, body: Result<Vec<u8>, client::CallError>) {
        match kind {
            TaskKind::ProcessList { cycle } => {
                // Its reply goes to `task_done`: here it can only have failed.
                let error = body.err().unwrap_or_else(|| {
                    client::CallError::Malformed(
                        "the process list was not read as it arrived".into(),
                    )
                });
                self.on_process_list(cycle, Err(error));
            }
            TaskKind::Stop { target } => {
                self.on_stopped(&target, body.and_then(|b| client::parse_ack(&b)))
            }
            TaskKind::Start { target } => {
                self.on_started(&target, body.and_then(|b| client::parse_ack(&b)))
            }
            TaskKind::Probe { .. } => {}
        }
    }
}

pub(super) fn to_std(d: CoreDuration) -> Duration {
    Duration::from_millis(d.millis())
}

pub(super) fn to_core(d: Duration) -> CoreDuration {
    CoreDuration::from_millis(u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

impl std::fmt::Debug for Task {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Task")
            .field("kind", &self.kind)
            .field("timeout", &self.timeout)
            .finish()
    }
}
