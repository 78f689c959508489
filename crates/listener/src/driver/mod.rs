//! The event listener on Linux: a thin mio driver around the engine
//! ([`supercheck_engine`]), which makes every decision (when a tick is
//! acknowledged, what is probed and retried, what is restarted, what is
//! notified). The driver carries out what the engine asks for: supervisord's
//! protocol on stdin/stdout, every probe on one mio poll, calls to
//! supervisord's XML-RPC interface, the HTTP frontend, notifications.
//!
//! | file | what it drives |
//! |---|---|
//! | `mod.rs` | the loop: stdin, signals, timers, the engine's outputs |
//! | `tasks.rs` | socket exchanges: probes and supervisord calls |
//! | `checks.rs` | one probe attempt, by check kind |
//! | `custom_jobs.rs` | custom checks on worker threads |
//! | `heartbeat_datagrams.rs`, `heartbeat_check.rs` | the UDP heartbeat receiver and the check on it |
//! | `keep_alive.rs` | probe connections kept between ticks |
//! | `frontend_records.rs` | the frontend's records and its connections |
//! | `notices.rs` | the engine's notices handed to the mail and webhook channels |
//! | `reload.rs` | an agent's SIGHUP: its file read again, the engine reconfigured |

mod checks;
mod custom_jobs;
mod frontend_records;
mod heartbeat_check;
mod heartbeat_datagrams;
mod keep_alive;
mod notices;
mod reload;
mod tasks;

use std::io::{self, Write};
use std::process::Child;
use std::time::{Duration, Instant};

use mio::{Events, Interest, Poll, Token};
use rustc_hash::FxHashMap;
use signal_hook::consts::{SIGCHLD, SIGHUP, SIGINT, SIGQUIT, SIGTERM, SIGUSR1, SIGUSR2};
use signal_hook_mio::v1_0::Signals;
use supercheck_core::check::cpu::CpuSample;
use supercheck_core::check::port::PortError;
use supercheck_core::time::Instant as CoreInstant;
use supercheck_engine::ConfigError;
use supercheck_engine::{Call, Engine, Output, ProbeOutcome, ProbeTicket, RecordUpdate};

use self::tasks::Task;
use crate::config::ListenerConfig;
use supercheck_runtime::exchange::ReadBuffer;
use supercheck_runtime::log::Logger;
use supercheck_runtime::log_line;
use supercheck_runtime::probe::local::ProcSnapshot;
use supercheck_runtime::procfs::Procfs;
use supercheck_runtime::stdin::{Drained, StdinSource};
use supercheck_runtime::timers::Timers;

pub use supercheck_engine::{Exit, TargetKey};

const STDIN: Token = Token(0);
const SIGNALS: Token = Token(1);
/// The custom-check workers' waker.
const CUSTOM: Token = Token(2);
/// The HTTP frontend's listening socket (`--listen`).
const FRONTEND: Token = Token(3);
/// The heartbeat check's UDP socket.
const HEARTBEAT: Token = Token(4);
/// Tokens of sockets start here; each task and frontend connection gets a fresh one.
const FIRST_TASK: usize = 5;

/// Something the driver must do at a given time (the engine keeps its own timers).
#[derive(Debug)]
enum Timer {
    /// A task's time is up.
    TaskDeadline(usize),
    /// Take the second CPU sample of a cpu check.
    CpuSample {
        ticket: ProbeTicket,
        pid: u32,
        first: CpuSample,
    },
    /// The command of an exec check ran out of time (named by its attempt,
    /// not its pid: a pid may be reused once the command is reaped).
    ExecDeadline(ProbeTicket),
    /// A custom check's call ran out of time.
    CustomDeadline { job: u64, after: Duration },
    /// A frontend connection's time is up.
    FrontendDeadline(usize),
}

/// A running exec check.
struct ExecRun {
    child: Child,
    ticket: ProbeTicket,
}

/// Each check's port for a process, found from its name once (the name does
/// not change), not by running the pattern on every tick.
type Ports = Vec<Option<Result<u16, PortError>>>;

/// The event listener.
pub struct Listener {
    config: ListenerConfig,
    engine: Engine,
    log: Logger,
    poll: Poll,
    stdin: Option<StdinSource>,
    /// stdin bytes read but not yet taken by the engine.
    stdin_pending: Vec<u8>,
    /// The last read stopped because the engine had no room: read on once it has.
    stdin_capped: bool,
    /// stdin reached its end (told to the engine once `stdin_pending` is empty).
    stdin_eof: bool,
    signals: Signals,
    out: io::Stdout,
    timers: Timers<Timer>,
    tasks: FxHashMap<usize, Task>,
    keep_alive: keep_alive::KeepAlive,
    /// Where every exchange's reads land.
    read_buffer: ReadBuffer,
    /// Tokens of tasks and frontend connections.
    tokens: supercheck_runtime::tokens::Tokens,
    execs: Vec<ExecRun>,
    custom: Option<crate::custom::WorkerPool<custom_jobs::CustomJob>>,
    ports: FxHashMap<TargetKey, Ports>,
    procfs: Procfs,
    proc_snapshot: ProcSnapshot,
    exit: Option<Exit>,
    /// What the HTTP frontend shows.
    record: supercheck_frontend::state::Record,
    /// The HTTP frontend, with `--listen`.
    frontend: Option<supercheck_frontend::server::Server>,
    /// Mail and webhook on restarts, give-ups and recoveries (`--mail-to`, `--webhook`).
    notifier: Option<supercheck_notification::Notifier>,
    /// The heartbeat check's socket and trackers.
    heartbeat: Option<heartbeat_datagrams::HeartbeatReceiver>,
}

impl Listener {
    /// A listener for `config`: registers stdin and the signals.
    ///
    /// # Errors
    /// When the poll, stdin or the signal handlers cannot be set up, or the
    /// policy is invalid.
    pub fn new(config: ListenerConfig) -> io::Result<Self> {
        let log = Logger::new(config.check_name.clone(), config.verbose);
        let notifier = config.notify.as_ref().map(|n| notices::notifier(n, &log));
        let sends = notifier
            .as_ref()
            .is_some_and(supercheck_notification::Notifier::sends);
        let engine = Engine::new(config.engine_config(sends))
            .map_err(|e: ConfigError| io::Error::new(io::ErrorKind::InvalidInput, e.to_string()))?;
        let poll = Poll::new()?;
        let stdin = if config.once {
            None
        } else {
            Some(StdinSource::register(poll.registry(), STDIN)?)
        };
        // SIGUSR1/SIGUSR2 are caught only to be ignored: their default action
        // would kill the listener mid-tick (`supervisorctl signal USR1 all` is a
        // common way to make programs reopen their logs).
        let mut signals =
            Signals::new([SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGCHLD, SIGUSR1, SIGUSR2])?;
        poll.registry()
            .register(&mut signals, SIGNALS, Interest::READABLE)?;
        let custom = custom_jobs::pool_for(&config, poll.registry(), CUSTOM)?;
        let kinds = config
            .checks
            .iter()
            .map(|c| c.label().to_string())
            .collect();
        let mut listener = Self {
            engine,
            log,
            notifier,
            config,
            poll,
            stdin,
            stdin_pending: Vec::new(),
            stdin_capped: false,
            stdin_eof: false,
            signals,
            out: io::stdout(),
            timers: Timers::default(),
            tasks: FxHashMap::default(),
            keep_alive: keep_alive::KeepAlive::default(),
            read_buffer: ReadBuffer::new(),
            tokens: supercheck_runtime::tokens::Tokens::starting_at(FIRST_TASK),
            execs: Vec::new(),
            custom,
            ports: FxHashMap::default(),
            procfs: Procfs::default(),
            proc_snapshot: ProcSnapshot::default(),
            exit: None,
            record: supercheck_frontend::state::Record::new(kinds),
            frontend: None,
            heartbeat: None,
        };
        listener.start_heartbeat()?;
        listener.start_frontend()?;
        Ok(listener)
    }

    /// The core's clock: monotonic milliseconds.
    fn core_now(&self) -> CoreInstant {
        supercheck_runtime::clock::now()
    }

    /// Speaks the protocol until told to stop, stdin closes or the stream is lost.
    ///
    /// # Errors
    /// When stdout is closed or the poll fails.
    pub fn run(mut self) -> io::Result<Exit> {
        log_line!(
            self.log,
            "starting: {} check(s) [{}] on {}, supervisord at {}",
            self.config.checks.len(),
            self.config
                .checks
                .iter()
                .map(|c| c.kind())
                .collect::<Vec<_>>()
                .join(", "),
            self.config.describe_selection(),
            self.config.server.endpoint
        );
        for https in self.config.checks.iter().filter_map(|c| c.https.as_ref()) {
            log_line!(self.log, "{}", https.describe());
        }
        let now = self.core_now();
        self.engine.handle_start(now);
        self.carry_out()?;
        let mut events = Events::with_capacity(256);
        loop {
            // Checked before sleeping: an exit may be decided before the first poll.
            if let Some(exit) = self.exit {
                self.shutdown();
                return Ok(exit);
            }
            let engine_wake = self
                .engine
                .poll_timeout()
                .map(supercheck_runtime::clock::to_std);
            let wake = match (self.timers.next_deadline(), engine_wake) {
                (Some(a), Some(b)) => Some(a.min(b)),
                (a, b) => a.or(b),
            };
            let timeout = wake.map(|at| at.saturating_duration_since(Instant::now()));
            match self.poll.poll(&mut events, timeout) {
                Ok(()) => {}
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            }
            for event in events.iter() {
                match event.token() {
                    STDIN => self.on_stdin(),
                    SIGNALS => self.on_signals(),
                    CUSTOM => self.on_custom_results(),
                    FRONTEND => self.on_frontend_accept(),
                    HEARTBEAT => self.on_heartbeats(),
                    Token(token) if self.frontend_owns(token) => self.on_frontend_event(token),
                    Token(token) => {
                        // An idle kept-alive connection only matters when its
                        // peer closed it or wrote to it, not when it became writable.
                        let peer_acted =
                            event.is_readable() || event.is_read_closed() || event.is_error();
                        self.on_socket_event(token, peer_acted);
                    }
                }
                self.carry_out()?;
            }
            self.fire_timers();
            let now = self.core_now();
            if self.engine.poll_timeout().is_some_and(|at| at <= now) {
                self.engine.handle_timeout(now);
            }
            self.carry_out()?;
            if self.stdin_capped && self.engine.input_room() > 0 {
                self.on_stdin();
                self.carry_out()?;
            }
        }
    }

    /// Reads stdin into the engine, no more than it has room for; what a
    /// reader thread handed over beyond that waits in `stdin_pending`.
    fn on_stdin(&mut self) {
        self.stdin_capped = false;
        loop {
            if !self.stdin_pending.is_empty() {
                let now = self.core_now();
                let taken = self.engine.handle_input(now, &self.stdin_pending);
                self.stdin_pending
                    .drain(..taken.min(self.stdin_pending.len()));
            }
            if self.stdin_eof {
                if self.stdin_pending.is_empty() {
                    let now = self.core_now();
                    self.engine.handle_input_closed(now);
                }
                return;
            }
            let room = self
                .engine
                .input_room()
                .saturating_sub(self.stdin_pending.len());
            if room == 0 {
                self.stdin_capped = true;
                return;
            }
            let Some(stdin) = self.stdin.as_mut() else {
                return;
            };
            let before = self.stdin_pending.len();
            match stdin.drain(&mut self.stdin_pending, before + room) {
                Ok(Drained::Open) if self.stdin_pending.len() == before => return,
                Ok(Drained::Open) => {}
                Ok(Drained::Eof) => self.stdin_eof = true,
                Err(e) => {
                    log_line!(self.log, "cannot read stdin: {e}");
                    self.stdin_eof = true;
                }
            }
        }
    }

    fn on_signals(&mut self) {
        let pending: Vec<i32> = self.signals.pending().collect();
        for signal in pending {
            if signal == SIGCHLD {
                self.reap_execs();
            } else if signal == SIGUSR1 || signal == SIGUSR2 {
                log_line!(
                    self.log,
                    "signal {signal} ignored: only TERM, INT, HUP and QUIT stop the listener"
                );
            } else if signal == SIGHUP && self.config.reload.is_some() {
                self.reload();
            } else {
                self.engine.handle_stop_signal(signal);
            }
        }
    }

    /// Carries out everything the engine asked for, in its order. Carrying
    /// out may feed the engine (a local check answers at once): its new
    /// outputs are carried out in the same pass.
    fn carry_out(&mut self) -> io::Result<()> {
        while let Some(output) = self.engine.poll_output() {
            match output {
                Output::Protocol(bytes) => {
                    self.out.write_all(bytes)?;
                    self.out.flush()?;
                }
                Output::Log(line) => self.log.line(format_args!("{}", line.text)),
                Output::Print(text) => println!("{text}"),
                Output::Call(call) => self.call(call),
                Output::Probe(ticket) => self.start_probe(ticket),
                Output::Notify(notice) => {
                    if let Some(notifier) = &self.notifier {
                        notifier.deliver_notice(&notice);
                    }
                }
                Output::Record(update) => self.update_record(update),
                Output::Forget(target) => self.forget(&target),
                Output::Exit(exit) => self.exit = Some(exit),
            }
        }
        // The task table grew to hold every exchange of the tick; between ticks
        // it holds none, so its memory goes back to the allocator.
        if self.tasks.is_empty() && self.tasks.capacity() > 0 {
            self.tasks.shrink_to_fit();
        }
        Ok(())
    }

    fn update_record(&mut self, update: RecordUpdate) {
        match update {
            RecordUpdate::Tick => self.record.tick(),
            RecordUpdate::ProbeStarted { target, check } => {
                self.record.probe_started(&target, check);
            }
            RecordUpdate::Verdict {
                target,
                check,
                verdict,
            } => self.record.verdict(&target, check, verdict),
            RecordUpdate::RestartAsked { target, reason } => {
                self.record.restart_asked(&target, reason);
            }
            RecordUpdate::RestartDone { target } => self.record.restart_done(&target),
        }
    }

    /// A process left supervisord's list: its record, ports and idle connections go.
    fn forget(&mut self, target: &TargetKey) {
        self.record.retain(|key| key != &**target);
        self.ports.remove(target);
        for mut stream in self.keep_alive.take_unless(|key| key != &**target) {
            let _ = self.poll.registry().deregister(&mut stream);
        }
    }

    /// An attempt ended: the engine judges what follows.
    fn probe_done(&mut self, ticket: ProbeTicket, outcome: impl Into<ProbeOutcome>) {
        let now = self.core_now();
        self.engine.handle_probe(now, ticket, outcome.into());
    }

    /// Sends a call the engine asked for.
    fn call(&mut self, call: Call) {
        use supercheck_core::rpc::SupervisorCall;
        match call {
            Call::ListProcesses { cycle, expected } => {
                self.proc_snapshot.clear();
                self.call_supervisor(
                    SupervisorCall::GetAllProcessInfo,
                    tasks::TaskKind::ProcessList { cycle, expected },
                );
            }
            Call::Stop { ref target } | Call::Start { ref target } => {
                let name = TargetKey::clone(target);
                // A stop waits for the process to stop (on its own
                // connection); a start does not wait for it to run.
                let method = if matches!(call, Call::Stop { .. }) {
                    SupervisorCall::StopProcess {
                        name: &name,
                        wait: true,
                    }
                } else {
                    SupervisorCall::StartProcess {
                        name: &name,
                        wait: false,
                    }
                };
                self.call_supervisor(method, tasks::TaskKind::Call(call));
            }
        }
    }

    fn fire_timers(&mut self) {
        let now = Instant::now();
        while let Some(timer) = self.timers.pop_due(now) {
            match timer {
                Timer::TaskDeadline(token) => self.on_task_deadline(token),
                Timer::CpuSample { ticket, pid, first } => {
                    self.finish_cpu_sample(ticket, pid, first);
                }
                Timer::ExecDeadline(ticket) => self.on_exec_deadline(&ticket),
                Timer::CustomDeadline { job, after } => self.on_custom_deadline(job, after),
                Timer::FrontendDeadline(token) => self.on_frontend_deadline(token),
            }
        }
    }

    fn shutdown(&mut self) {
        for mut exec in self.execs.drain(..) {
            supercheck_runtime::probe::exec::kill(&mut exec.child);
        }
        for (_, mut task) in self.tasks.drain() {
            let _ = self.poll.registry().deregister(task.exchange.stream_mut());
        }
        for mut stream in self.keep_alive.drain() {
            let _ = self.poll.registry().deregister(&mut stream);
        }
        self.shutdown_frontend();
        log_line!(self.log, "done");
    }
}
