//! One attempt of a check, by kind: network probes (through socket tasks),
//! local reads, CPU samples on timers, exec checks as children. Each ends
//! with exactly one outcome handed to the engine, which decides what follows
//! (a retry, the check's verdict, a restart).

use std::sync::Arc;
use std::time::{Duration, Instant};

use supercheck_core::check::cpu::{CpuSample, cpu_percent};
use supercheck_core::check::port::PortError;
use supercheck_core::check::spec::{CheckSpec, XmlRpcTarget};
use supercheck_core::check::verdict::{CheckError, FailReason, Verdict};
use supercheck_core::time::Duration as CoreDuration;
use supercheck_engine::{ProbeOutcome, ProbeTicket};

use super::tasks::TaskKind;
use super::{ExecRun, Listener, Timer};
use crate::config::{CheckPlan, CheckWork, PortSource};
use supercheck_frontend::state::Observed;
use supercheck_runtime::clock::std_duration;
use supercheck_runtime::endpoint::{Connect, Endpoint};
use supercheck_runtime::exchange::{Exchange, ExchangeError, Phase};
use supercheck_runtime::log_line;
use supercheck_runtime::probe::{exec, local, net};

/// How long a CPU check measures (psutil's `cpu_percent(3.0)`), on a timer.
const CPU_SAMPLE_WINDOW: Duration = Duration::from_secs(3);

impl Listener {
    /// Starts the attempt `ticket` names.
    pub(super) fn start_probe(&mut self, ticket: ProbeTicket) {
        let check = ticket.check;
        let Some(plan) = self.config.checks.get(check) else {
            let error = CheckError::Config("no such check");
            return self.probe_done(ticket, Verdict::Error(error));
        };
        let Some(process) = self.engine.process(&ticket.target) else {
            return self.probe_done(ticket, Verdict::Error(CheckError::ProcessVanished));
        };
        let pid = process.pid;
        let port = match &plan.port {
            Some(source) => match port_of(&mut self.ports, &self.engine, &ticket, source) {
                Ok(port) => Some(port),
                Err(e) => return self.probe_done(ticket, Verdict::Error(CheckError::Port(e))),
            },
            None => None,
        };
        let Some(plan) = self.config.checks.get(check) else {
            return;
        };
        let judge = plan.judge.clone();
        // Cloned (an Arc): the specification borrows it while `self` is used.
        let work = plan.work.clone();
        if let CheckWork::Custom(custom) = work {
            let Some(process) = self.engine.process(&ticket.target).cloned() else {
                return self.probe_done(ticket, Verdict::Error(CheckError::ProcessVanished));
            };
            return self.start_custom(ticket, custom, process);
        }
        let Some(spec) = work.spec() else {
            return;
        };
        match &spec {
            CheckSpec::Http(http) => {
                let judge = match judge {
                    Some(Ok(judge)) => judge,
                    Some(Err(e)) => return self.probe_done(ticket, Verdict::Error(e)),
                    None => return self.probe_done(ticket, no_judge()),
                };
                let port = port.unwrap_or(80);
                match net::http_request(http, port) {
                    Ok(request) => {
                        let endpoint = Endpoint::Tcp((net::LOCALHOST, port).into());
                        self.start_exchange(ticket, endpoint, request, judge, http.timeout.get());
                    }
                    Err(e) => self.probe_done(ticket, Verdict::Error(e)),
                }
            }
            CheckSpec::Tcp(tcp) => {
                let Some(Ok(judge)) = judge else {
                    return self.probe_done(ticket, no_judge());
                };
                let endpoint = Endpoint::Tcp((net::LOCALHOST, port.unwrap_or(80)).into());
                self.start_exchange(ticket, endpoint, Vec::new(), judge, tcp.timeout.get());
            }
            CheckSpec::XmlRpc(xml) => {
                let port = match xml.target {
                    XmlRpcTarget::Http { .. } => port,
                    _ => None,
                };
                let Some(Ok(judge)) = judge else {
                    return self.probe_done(ticket, no_judge());
                };
                let Some(name) = self.engine.process(&ticket.target).map(|p| p.name.clone()) else {
                    return self.probe_done(ticket, Verdict::Error(CheckError::ProcessVanished));
                };
                let (endpoint, path) = net::xmlrpc_endpoint(xml, port, &name);
                match net::xmlrpc_request(xml, port, &path) {
                    Ok(request) => {
                        self.start_exchange(ticket, endpoint, request, judge, xml.timeout.get());
                    }
                    Err(e) => self.probe_done(ticket, Verdict::Error(e)),
                }
            }
            CheckSpec::Memory(memory) => {
                let (verdict, rss) =
                    local::memory(memory, pid, &self.procfs, &mut self.proc_snapshot);
                if let Some(kib) = rss {
                    self.record
                        .observed(&ticket.target, check, Observed::RssKib(kib));
                }
                self.probe_done(ticket, verdict);
            }
            CheckSpec::File(file) => {
                let Some(process) = self.engine.process(&ticket.target) else {
                    return self.probe_done(ticket, Verdict::Error(CheckError::ProcessVanished));
                };
                let path = local::heartbeat_path(file, &process.group, &process.name, process.pid);
                let (verdict, age) = local::file_age(file, &path);
                if let Some(secs) = age {
                    self.record
                        .observed(&ticket.target, check, Observed::AgeSecs(secs));
                }
                if let (Verdict::Pass, None) = (verdict, std::fs::symlink_metadata(&path).ok()) {
                    log_line!(
                        self.log,
                        "{}: cannot examine {}: passing, as -x is not given",
                        ticket.target,
                        path.display()
                    );
                }
                self.probe_done(ticket, verdict);
            }
            CheckSpec::Cpu(_) => match self.procfs.stat(pid) {
                Ok(stat) => {
                    let first = CpuSample {
                        at: self.core_now(),
                        cpu_time: CoreDuration::from_millis(stat.cpu_millis),
                    };
                    let timer = Timer::CpuSample { ticket, pid, first };
                    self.timers.at(Instant::now() + CPU_SAMPLE_WINDOW, timer);
                }
                Err(_) => self.probe_done(ticket, Verdict::Error(CheckError::ProcessVanished)),
            },
            CheckSpec::Exec(spec) => {
                let Some(process) = self.engine.process(&ticket.target) else {
                    return self.probe_done(ticket, Verdict::Error(CheckError::ProcessVanished));
                };
                match exec::spawn(spec, process) {
                    Ok(child) => {
                        self.timers.at(
                            Instant::now() + std_duration(spec.timeout.get()),
                            Timer::ExecDeadline(ticket.clone()),
                        );
                        self.execs.push(ExecRun { child, ticket });
                    }
                    Err(e) => self.probe_done(ticket, exec::spawn_error_verdict(&e)),
                }
            }
            CheckSpec::Heartbeat(heartbeat) => {
                let Some(process) = self.engine.process(&ticket.target).cloned() else {
                    return self.probe_done(ticket, Verdict::Error(CheckError::ProcessVanished));
                };
                let verdict = self.heartbeat_verdict(&ticket.target, check, heartbeat, &process);
                self.probe_done(ticket, verdict);
            }
            _ => self.probe_done(
                ticket,
                Verdict::Error(CheckError::Config("unsupported check kind")),
            ),
        }
    }

    fn start_exchange(
        &mut self,
        ticket: ProbeTicket,
        endpoint: Endpoint,
        request: Vec<u8>,
        judge: Arc<net::Judge>,
        timeout: CoreDuration,
    ) {
        let sink = match judge.sink() {
            Ok(sink) => sink,
            Err(e) => return self.probe_done(ticket, Verdict::Error(e)),
        };
        let limits = judge.limits();
        if let Some((token, stream)) = self.keep_alive.take(&ticket.target, ticket.check) {
            let exchange = Exchange::reuse(stream, request, sink, limits);
            let kind = TaskKind::Probe { ticket, judge };
            self.insert_task(token, exchange, kind, std_duration(timeout));
            return self.on_task_ready(token);
        }
        let https = self
            .config
            .checks
            .get(ticket.check)
            .and_then(|p| p.https.clone());
        let connected = endpoint.connect().and_then(|stream| match &https {
            Some(target) => target.wrap(stream),
            None => Ok(stream),
        });
        let stream = match connected {
            Ok(stream) => stream,
            Err(e) => {
                let verdict = net::failure_verdict(&ExchangeError::Io(Phase::Connect, e), &judge);
                return self.probe_done(ticket, verdict);
            }
        };
        let mut exchange = Exchange::new(stream, request, sink, limits);
        if matches!(*judge, net::Judge::Connect) {
            exchange = exchange.connect_only();
        }
        self.add_task(
            exchange,
            TaskKind::Probe { ticket, judge },
            std_duration(timeout),
        );
    }

    /// The second sample of a cpu check: its usage goes to the engine, which
    /// judges it against the limit over time.
    pub(super) fn finish_cpu_sample(&mut self, ticket: ProbeTicket, pid: u32, first: CpuSample) {
        let outcome = match self.procfs.stat(pid) {
            Ok(stat) => {
                let second = CpuSample {
                    at: self.core_now(),
                    cpu_time: CoreDuration::from_millis(stat.cpu_millis),
                };
                match cpu_percent(first, second) {
                    Ok(percent) => ProbeOutcome::CpuUsage(percent),
                    Err(e) => ProbeOutcome::Verdict(Verdict::Error(e.into())),
                }
            }
            Err(_) => ProbeOutcome::Verdict(Verdict::Error(CheckError::ProcessVanished)),
        };
        self.probe_done(ticket, outcome);
    }

    /// SIGCHLD: collect the exec checks that finished.
    pub(super) fn reap_execs(&mut self) {
        let mut finished = Vec::new();
        self.execs.retain_mut(|run| match run.child.try_wait() {
            Ok(Some(status)) => {
                finished.push((run.ticket.clone(), exec::exit_verdict(status)));
                false
            }
            Ok(None) => true,
            Err(_) => {
                let vanished = Verdict::Error(CheckError::ProcessVanished);
                finished.push((run.ticket.clone(), vanished));
                false
            }
        });
        for (ticket, verdict) in finished {
            self.probe_done(ticket, verdict);
        }
    }

    /// An exec check's command ran out of time: kill it; the check fails.
    pub(super) fn on_exec_deadline(&mut self, ticket: &ProbeTicket) {
        let Some(at) = self.execs.iter().position(|r| r.ticket == *ticket) else {
            return;
        };
        let mut run = self.execs.swap_remove(at);
        exec::kill(&mut run.child);
        let after = match self
            .config
            .checks
            .get(run.ticket.check)
            .and_then(CheckPlan::builtin)
        {
            Some(CheckSpec::Exec(spec)) => spec.timeout.get(),
            _ => CoreDuration::ZERO,
        };
        self.probe_done(
            run.ticket,
            Verdict::Fail(FailReason::CommandTimeout { after }),
        );
    }
}

/// The verdict of a socket check whose plan has no judge: a plan built
/// without [`CheckPlan::new`](crate::config::CheckPlan::new). Never a restart.
fn no_judge() -> Verdict {
    Verdict::Error(CheckError::Config(
        "the check has no way to judge its responses",
    ))
}

/// The check's port for the ticket's process, from its name with
/// `source`: found the first time only, since the name does not change.
fn port_of(
    ports: &mut rustc_hash::FxHashMap<super::TargetKey, super::Ports>,
    engine: &supercheck_engine::Engine,
    ticket: &ProbeTicket,
    source: &PortSource,
) -> Result<u16, PortError> {
    let ports = ports
        .entry(super::TargetKey::clone(&ticket.target))
        .or_default();
    if let Some(Some(known)) = ports.get(ticket.check) {
        return *known;
    }
    let found = match engine.process(&ticket.target) {
        Some(process) => source.port_for(&process.name),
        None => return Err(PortError::NoMatch),
    };
    if ports.len() <= ticket.check {
        ports.resize(ticket.check + 1, None);
    }
    if let Some(slot) = ports.get_mut(ticket.check) {
        *slot = Some(found);
    }
    found
}
