//! Starting the checks of a round, by kind: network probes (through socket
//! tasks), local reads, CPU samples on timers, exec checks as children; and
//! what happens when an attempt ends (retry or verdict).

use std::sync::Arc;
use std::time::{Duration, Instant};

use supercheck_core::check::cpu::{CpuLimit, CpuPercent, CpuSample, cpu_percent};
use supercheck_core::check::retry::RetryPolicy;
use supercheck_core::check::spec::{CheckSpec, XmlRpcTarget};
use supercheck_core::check::verdict::{CheckError, Verdict};
use supercheck_core::time::Duration as CoreDuration;

use super::config::{CheckPlan, CheckWork};
use super::tasks::{TaskKind, to_std};
use super::{ExecRun, Listener, TargetKey, Timer};
use crate::endpoint::Endpoint;
use crate::exchange::Exchange;
use crate::frontend::state::Observed;
use crate::log_line;
use crate::probe::{exec, local, net};
use crate::supervisor::client::ProcessSnapshot;

/// How long a CPU check measures (psutil's `cpu_percent(3.0)`), on a timer.
const CPU_SAMPLE_WINDOW: Duration = Duration::from_secs(3);

impl Listener {
    /// Starts attempt `attempt` of check `check` of the round `round` of `key`.
    pub(super) fn start_check(&mut self, key: &str, check: usize, round: u64, attempt: u32) {
        let Some(target) = self.targets.get_mut(key) else {
            return;
        };
        if target.round.as_ref().is_none_or(|r| r.id != round) {
            return;
        }
        let Some(plan) = self.config.checks.get(check) else {
            return;
        };
        let pid = target.snapshot.pid;
        let found = plan.port.as_ref().map(|source| target.port(check, source));
        self.record.probe_started(key, check);
        let port = match found {
            Some(Ok(port)) => Some(port),
            Some(Err(e)) => {
                self.finish_check(key, check, round, Verdict::Error(CheckError::Port(e)));
                return;
            }
            None => None,
        };
        let judge = plan.judge.clone();
        let spec = match &plan.work {
            CheckWork::Builtin(spec) => Arc::clone(spec),
            CheckWork::Custom(custom) => {
                let custom = custom.clone();
                let Some(snapshot) = self.snapshot_of(key) else {
                    return self.vanished(key, check, round);
                };
                return self.start_custom(key, check, round, custom, snapshot);
            }
        };
        match &*spec {
            CheckSpec::Http(http) => {
                let judge = match judge {
                    Some(Ok(judge)) => judge,
                    Some(Err(e)) => return self.finish_check(key, check, round, Verdict::Error(e)),
                    None => return self.finish_check(key, check, round, no_judge()),
                };
                let port = port.unwrap_or(80);
                match net::http_request(http, port) {
                    Ok(request) => {
                        let endpoint = Endpoint::Tcp((net::LOCALHOST, port).into());
                        self.start_probe(
                            key,
                            check,
                            round,
                            attempt,
                            endpoint,
                            request,
                            judge,
                            http.timeout.get(),
                        );
                    }
                    Err(e) => self.finish_check(key, check, round, Verdict::Error(e)),
                }
            }
            CheckSpec::Tcp(tcp) => {
                let Some(Ok(judge)) = judge else {
                    return self.finish_check(key, check, round, no_judge());
                };
                let endpoint = Endpoint::Tcp((net::LOCALHOST, port.unwrap_or(80)).into());
                self.start_probe(
                    key,
                    check,
                    round,
                    attempt,
                    endpoint,
                    Vec::new(),
                    judge,
                    tcp.timeout.get(),
                );
            }
            CheckSpec::XmlRpc(xml) => {
                let port = match xml.target {
                    XmlRpcTarget::Http { .. } => port,
                    _ => None,
                };
                let Some(Ok(judge)) = judge else {
                    return self.finish_check(key, check, round, no_judge());
                };
                let Some(snapshot) = self.snapshot_of(key) else {
                    return self.vanished(key, check, round);
                };
                let (endpoint, path) = net::xmlrpc_endpoint(xml, port, &snapshot.name);
                match net::xmlrpc_request(xml, port, &path) {
                    Ok(request) => {
                        self.start_probe(
                            key,
                            check,
                            round,
                            attempt,
                            endpoint,
                            request,
                            judge,
                            xml.timeout.get(),
                        );
                    }
                    Err(e) => self.finish_check(key, check, round, Verdict::Error(e)),
                }
            }
            CheckSpec::Memory(memory) => {
                let (verdict, rss) =
                    local::memory(memory, pid, &self.procfs, &mut self.proc_snapshot);
                if let Some(kib) = rss {
                    self.record.observed(key, check, Observed::RssKib(kib));
                }
                self.finish_check(key, check, round, verdict);
            }
            CheckSpec::File(file) => {
                let Some(snapshot) = self.snapshot_of(key) else {
                    return self.vanished(key, check, round);
                };
                let path =
                    local::heartbeat_path(file, &snapshot.group, &snapshot.name, snapshot.pid);
                let (verdict, age) = local::file_age(file, &path);
                if let Some(secs) = age {
                    self.record.observed(key, check, Observed::AgeSecs(secs));
                }
                if let (Verdict::Pass, None) = (verdict, std::fs::symlink_metadata(&path).ok()) {
                    log_line!(
                        self.log,
                        "{key}: cannot examine {}: passing, as -x is not given",
                        path.display()
                    );
                }
                self.finish_check(key, check, round, verdict);
            }
            CheckSpec::Cpu(_) => match self.procfs.stat(pid) {
                Ok(stat) => {
                    let first = CpuSample {
                        at: self.core_now(),
                        cpu_time: CoreDuration::from_millis(stat.cpu_millis),
                    };
                    let timer = Timer::CpuSample {
                        target: key.to_string(),
                        check,
                        round,
                        pid,
                        first,
                    };
                    self.timers.at(Instant::now() + CPU_SAMPLE_WINDOW, timer);
                }
                Err(_) => self.finish_check(
                    key,
                    check,
                    round,
                    Verdict::Error(CheckError::ProcessVanished),
                ),
            },
            CheckSpec::Exec(spec) => {
                let Some(snapshot) = self.snapshot_of(key) else {
                    return self.vanished(key, check, round);
                };
                match exec::spawn(spec, &snapshot) {
                    Ok(child) => {
                        self.timers.at(
                            Instant::now() + to_std(spec.timeout.get()),
                            Timer::ExecDeadline { round, check },
                        );
                        self.execs.push(ExecRun {
                            child,
                            target: key.to_string(),
                            check,
                            round,
                            attempt,
                        });
                    }
                    Err(e) => self.finish_check(key, check, round, exec::spawn_error_verdict(&e)),
                }
            }
            CheckSpec::Heartbeat(heartbeat) => {
                let Some(snapshot) = self.snapshot_of(key) else {
                    return self.vanished(key, check, round);
                };
                let verdict = self.heartbeat_verdict(key, check, heartbeat, &snapshot);
                self.finish_check(key, check, round, verdict);
            }
            _ => self.finish_check(
                key,
                check,
                round,
                Verdict::Error(CheckError::Config("unsupported check kind")),
            ),
        }
    }

    /// The shared key of `key`'s target (a new one if it has none).
    fn target_key(&self, key: &str) -> TargetKey {
        self.targets.get_key_value(key).map_or_else(
            || TargetKey::from(key),
            |(shared, _)| TargetKey::clone(shared),
        )
    }

    /// Ends a check whose process is no longer known (never a restart).
    fn vanished(&mut self, key: &str, check: usize, round: u64) {
        let verdict = Verdict::Error(CheckError::ProcessVanished);
        self.finish_check(key, check, round, verdict);
    }

    /// A copy of what supervisord last said about `key`, for the checks that
    /// need its name or group (http, tcp, memory and cpu need only the pid).
    fn snapshot_of(&self, key: &str) -> Option<ProcessSnapshot> {
        self.targets.get(key).map(|target| target.snapshot.clone())
    }

    #[allow(clippy::too_many_arguments)]
    fn start_probe(
        &mut self,
        key: &str,
        check: usize,
        round: u64,
        attempt: u32,
        endpoint: Endpoint,
        request: Vec<u8>,
        judge: Arc<net::Judge>,
        timeout: CoreDuration,
    ) {
        let sink = match judge.sink() {
            Ok(sink) => sink,
            Err(e) => return self.finish_check(key, check, round, Verdict::Error(e)),
        };
        let limits = judge.limits();
        let target = self.target_key(key);
        let idle = self.keep_alive.take(&target, check);
        let kind = TaskKind::Probe {
            target,
            check,
            round,
            attempt,
            judge,
        };
        if let Some((token, stream)) = idle {
            let exchange = Exchange::reuse(stream, request, sink, limits);
            self.insert_task(token, exchange, kind, to_std(timeout));
            return self.on_task_ready(token);
        }
        let TaskKind::Probe { judge, .. } = &kind else {
            return;
        };
        let https = self.config.checks.get(check).and_then(|p| p.https.clone());
        let connected = endpoint.connect().and_then(|stream| match &https {
            Some(target) => target.wrap(stream),
            None => Ok(stream),
        });
        let stream = match connected {
            Ok(stream) => stream,
            Err(e) => {
                let error = crate::exchange::ExchangeError::Io(crate::exchange::Phase::Connect, e);
                let verdict = net::failure_verdict(&error, judge);
                return self.probe_ended(key, check, round, attempt, verdict);
            }
        };
        let mut exchange = Exchange::new(stream, request, sink, limits);
        if matches!(**judge, net::Judge::Connect) {
            exchange = exchange.connect_only();
        }
        self.add_task(exchange, kind, to_std(timeout));
    }

    /// An attempt ended with `verdict`: retry it if the policy says so, else
    /// it is the check's verdict.
    pub(super) fn probe_ended(
        &mut self,
        key: &str,
        check: usize,
        round: u64,
        attempt: u32,
        verdict: Verdict,
    ) {
        if let Verdict::Fail(reason) = verdict {
            if let Some(delay) = self.retry_policy(check).retry_after(attempt, reason) {
                crate::log_detail!(
                    self.log,
                    "{key}: attempt {attempt} failed ({reason}); retrying in {delay}"
                );
                let timer = Timer::Retry {
                    target: key.to_string(),
                    check,
                    round,
                    attempt: attempt + 1,
                };
                self.timers.at(Instant::now() + to_std(delay), timer);
                return;
            }
        }
        self.finish_check(key, check, round, verdict);
    }

    fn retry_policy(&self, check: usize) -> RetryPolicy {
        let retries = match self.config.checks.get(check).and_then(CheckPlan::builtin) {
            Some(CheckSpec::Http(s)) => s.num_retries,
            Some(CheckSpec::Tcp(s)) => s.num_retries,
            Some(CheckSpec::XmlRpc(s)) => s.num_retries,
            _ => 0,
        };
        RetryPolicy::supervisor_checks(retries)
    }

    /// The second sample of a cpu check.
    pub(super) fn finish_cpu_sample(
        &mut self,
        key: &str,
        check: usize,
        round: u64,
        pid: u32,
        first: CpuSample,
    ) {
        let Some(CheckSpec::Cpu(spec)) = self
            .config
            .checks
            .get(check)
            .and_then(CheckPlan::builtin)
            .cloned()
        else {
            return;
        };
        let now = self.core_now();
        let verdict = match self.procfs.stat(pid) {
            Ok(stat) => {
                let second = CpuSample {
                    at: now,
                    cpu_time: CoreDuration::from_millis(stat.cpu_millis),
                };
                match (
                    cpu_percent(first, second),
                    CpuPercent::from_percent_f64(spec.max_cpu.get()),
                ) {
                    (Ok(percent), Some(max)) => {
                        let limit = CpuLimit {
                            max,
                            interval: spec.interval,
                        };
                        let window = self
                            .targets
                            .get_mut(key)
                            .map(|t| t.cpu.entry(check).or_default());
                        match window {
                            Some(window) => window.observe(now, percent, limit),
                            None => return,
                        }
                    }
                    (Err(e), _) => Verdict::Error(e.into()),
                    (_, None) => {
                        Verdict::Error(CheckError::Config("the CPU limit is not a percentage"))
                    }
                }
            }
            Err(_) => Verdict::Error(CheckError::ProcessVanished),
        };
        self.finish_check(key, check, round, verdict);
    }

    /// SIGCHLD: collect the exec checks that finished.
    pub(super) fn reap_execs(&mut self) {
        let mut finished = Vec::new();
        self.execs.retain_mut(|run| match run.child.try_wait() {
            Ok(Some(status)) => {
                finished.push((
                    run.target.clone(),
                    run.check,
                    run.round,
                    run.attempt,
                    exec::exit_verdict(status),
                ));
                false
            }
            Ok(None) => true,
            Err(_) => {
                finished.push((
                    run.target.clone(),
                    run.check,
                    run.round,
                    run.attempt,
                    Verdict::Error(CheckError::ProcessVanished),
                ));
                false
            }
        });
        for (target, check, round, _, verdict) in finished {
            self.finish_check(&target, check, round, verdict);
        }
    }

    /// An exec check's command ran out of time: kill it; the check fails.
    pub(super) fn on_exec_deadline(&mut self, round: u64, check: usize) {
        let Some(at) = self
            .execs
            .iter()
            .position(|r| r.round == round && r.check == check)
        else {
            return;
        };
        let mut run = self.execs.swap_remove(at);
        exec::kill(&mut run.child);
        let after = match self
            .config
            .checks
            .get(run.check)
            .and_then(CheckPlan::builtin)
        {
            Some(CheckSpec::Exec(spec)) => spec.timeout.get(),
            _ => CoreDuration::ZERO,
        };
        let verdict =
            Verdict::Fail(supercheck_core::check::verdict::FailReason::CommandTimeout { after });
        self.finish_check(&run.target, run.check, run.round, verdict);
    }
}

/// The verdict of a socket check whose plan has no judge: a plan built
/// without [`CheckPlan::new`](super::config::CheckPlan::new). Never a restart.
fn no_judge() -> Verdict {
    Verdict::Error(CheckError::Config(
        "the check has no way to judge its responses",
    ))
}
