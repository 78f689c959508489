//! Socket tasks on the poll: probe exchanges and calls to supervisord, from
//! registration to their end (response, failure or deadline), handed back to
//! the engine.

use std::time::{Duration, Instant};

use mio::{Interest, Token};
use supercheck_core::rpc::SupervisorCall;
use supercheck_engine::{Call, CallFailure, ProbeTicket};

use super::{Listener, Timer};
use supercheck_runtime::exchange::{BodySink, Exchange, ExchangeError, Phase, Progress};
use supercheck_runtime::probe::net;
use supercheck_runtime::supervisor::client::{self, CallError};
use supercheck_runtime::supervisor::process_list::{self, ProcessListSink};

/// What a socket task is for.
#[derive(Debug)]
pub(super) enum TaskKind {
    /// An attempt of a check.
    Probe {
        ticket: ProbeTicket,
        judge: std::sync::Arc<net::Judge>,
    },
    /// `getAllProcessInfo` for a cycle (`expected` processes listed last time).
    ProcessList { cycle: u64, expected: usize },
    /// `stopProcess` or `startProcess` of a restart.
    Call(Call),
}

/// A socket exchange in flight.
pub(super) struct Task {
    pub exchange: Exchange,
    pub kind: TaskKind,
    pub timeout: Duration,
    /// Its deadline on the timer queue, cancelled when the task ends first.
    pub deadline: supercheck_runtime::timers::TimerId,
}

/// A call's failure as the engine sees it: the fault code, if any, and the text.
fn failure(error: &CallError) -> CallFailure {
    CallFailure {
        fault: error.fault(),
        message: error.to_string(),
    }
}

impl Listener {
    /// Sends a call to supervisord.
    pub(super) fn call_supervisor(&mut self, call: SupervisorCall<'_>, kind: TaskKind) {
        let timeout = match kind {
            TaskKind::Call(Call::Stop { .. }) => self.config.stop_timeout,
            _ => self.config.rpc_timeout,
        };
        let sink = match kind {
            // Read as it arrives: at ~1 KB per process, never held whole.
            TaskKind::ProcessList { expected, .. } => {
                BodySink::Consume(Box::new(ProcessListSink::new(expected)))
            }
            _ => BodySink::Keep(Vec::new()),
        };
        match client::start_call(&self.config.server, &call, sink) {
            Ok(exchange) => self.add_task(exchange, kind, timeout),
            Err(e) => self.call_ended(kind, Err(e)),
        }
    }

    pub(super) fn add_task(&mut self, mut exchange: Exchange, kind: TaskKind, timeout: Duration) {
        let token = self.tokens.fresh();
        if let Err(e) = self.poll.registry().register(
            exchange.stream_mut(),
            Token(token),
            Interest::READABLE | Interest::WRITABLE,
        ) {
            return self.task_failed(kind, ExchangeError::Io(Phase::Connect, e));
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
                let Some(mut task) = self.remove_task(token) else {
                    return;
                };
                match &task.kind {
                    TaskKind::Probe { ticket, .. }
                        if response.reusable && self.engine.awaits(ticket) =>
                    {
                        let target = super::TargetKey::clone(&ticket.target);
                        let check = ticket.check;
                        let stream = task.exchange.into_stream();
                        if let Some((_, mut old)) =
                            self.keep_alive.park(&target, check, token, stream)
                        {
                            let _ = self.poll.registry().deregister(&mut old);
                        }
                        self.task_done(task.kind, response);
                    }
                    _ => {
                        let _ = self.poll.registry().deregister(task.exchange.stream_mut());
                        self.task_done(task.kind, response);
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
            TaskKind::Probe { ticket, .. } => {
                let after = supercheck_runtime::clock::core_duration(task.timeout);
                self.probe_done(ticket, net::timeout_verdict(phase, after));
            }
            other => self.call_ended(other, Err(CallError::Timeout(phase))),
        }
    }

    fn task_done(&mut self, kind: TaskKind, response: supercheck_runtime::exchange::Response) {
        match kind {
            TaskKind::Probe { ticket, judge } => {
                let verdict = judge.judge(&response);
                self.probe_done(ticket, verdict);
            }
            TaskKind::ProcessList { cycle, .. } => {
                let now = self.core_now();
                let list = process_list::from_response(response).map_err(|e| failure(&e));
                self.engine.handle_process_list(now, cycle, list);
            }
            other => self.call_ended(other, client::reply_body(Ok(response))),
        }
    }

    fn task_failed(&mut self, kind: TaskKind, error: ExchangeError) {
        match kind {
            TaskKind::Probe { ticket, .. }
                if matches!(error, ExchangeError::Stale) && self.engine.awaits(&ticket) =>
            {
                // The kept-alive connection was closed meanwhile: start over on a new one.
                self.start_probe(ticket);
            }
            TaskKind::Probe { ticket, judge } => {
                if let Some(detail) = net::tls_detail(&error) {
                    supercheck_runtime::log_line!(self.log, "{}: https: {detail}", ticket.target);
                }
                let verdict = net::failure_verdict(&error, &judge);
                self.probe_done(ticket, verdict);
            }
            other => self.call_ended(other, Err(CallError::Transport(error))),
        }
    }

    /// A supervisord call ended without a process list being read.
    fn call_ended(&mut self, kind: TaskKind, body: Result<Vec<u8>, CallError>) {
        let now = self.core_now();
        match kind {
            TaskKind::ProcessList { cycle, expected } => {
                // Its reply goes to `task_done`: here it can only have failed.
                let result = body.map(drop).map_err(|e| failure(&e));
                let call = Call::ListProcesses { cycle, expected };
                self.engine.handle_reply(now, &call, result);
            }
            TaskKind::Call(call) => {
                let result = body
                    .and_then(|b| client::parse_ack(&b))
                    .map_err(|e| failure(&e));
                self.engine.handle_reply(now, &call, result);
            }
            TaskKind::Probe { .. } => {}
        }
    }
}

impl std::fmt::Debug for Task {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Task")
            .field("kind", &self.kind)
            .field("timeout", &self.timeout)
            .finish()
    }
}
