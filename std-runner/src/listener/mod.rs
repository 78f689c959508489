//! The event listener: supervisord's protocol on stdin/stdout, every probe on
//! one mio poll, restarts through supervisord's XML-RPC interface.
//!
//! ## When a tick is acknowledged
//!
//! supervisord sends the next event only after the listener's `RESULT`, and
//! re-sends the in-flight event to a listener that dies before answering. A
//! tick is therefore acknowledged when every process it selected has a verdict
//! and every restart it decided has been *asked for*, or when its acknowledgement
//! deadline passes (one second before the next tick of the same period is due),
//! whichever comes first:
//! - a listener killed mid-tick gets the same tick again after its restart, so
//!   no tick is lost to a crash;
//! - a slow or hung service never holds the pool BUSY for longer than a tick
//!   period, so supervisord's event buffer never overflows; probes still under
//!   way go on after the acknowledgement and their verdicts still count;
//! - ticks that piled up anyway (the listener was stopped, supervisord was
//!   busy) arrive back to back with stale `when` values: a tick that comes
//!   less than half a period after the previous round started is acknowledged
//!   at once and coalesced into that round, never replayed.

mod checks;
pub mod config;
mod custom;
mod frontend;
pub mod heartbeat;
mod heartbeat_check;
mod keep_alive;
mod notify;
pub mod protocol;
mod round;
mod tasks;
pub mod timers;

use std::io::{self, Write};
use std::process::Child;
use std::time::{Duration, Instant};

use mio::{Events, Interest, Poll, Token};
use rustc_hash::FxHashMap;
use signal_hook::consts::{SIGCHLD, SIGHUP, SIGINT, SIGQUIT, SIGTERM, SIGUSR1, SIGUSR2};
use signal_hook_mio::v1_0::Signals;
use supercheck_core::check::cpu::CpuSample;
use supercheck_core::health::{HealthMachine, PolicyError};
use supercheck_core::time::Instant as CoreInstant;

use self::config::ListenerConfig;
use self::protocol::{EventReader, Incoming};
use self::round::{Cycle, TargetState};
use self::tasks::Task;
use self::timers::Timers;
use crate::exchange::ReadBuffer;
use crate::log::Logger;
use crate::log_line;
use crate::probe::local::ProcSnapshot;
use crate::procfs::Procfs;
use crate::stdin::{Drained, StdinSource};

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

/// Core instants count milliseconds from a point far enough in the past that
/// a process started long before the listener still has a start time.
const CORE_EPOCH_OFFSET_MS: u64 = 100 * 365 * 24 * 3600 * 1000;

/// Something the loop must do at a given time.
#[derive(Debug)]
enum Timer {
    /// A task's time is up.
    TaskDeadline(usize),
    /// Try a probe again.
    Retry {
        target: String,
        check: usize,
        round: u64,
        attempt: u32,
    },
    /// Take the second CPU sample of a cpu check.
    CpuSample {
        target: String,
        check: usize,
        round: u64,
        pid: u32,
        first: CpuSample,
    },
    /// The command of exec check `check` of round `round` ran out of time
    /// (named by round, not pid: a pid may be reused once the command is reaped).
    ExecDeadline { round: u64, check: usize },
    /// Acknowledge the tick of this cycle even if probes are still running.
    AckDeadline { cycle: u64 },
    /// A health machine asked to be woken (end of back-off or grace).
    Health { target: String },
    /// A custom check's call ran out of time.
    CustomDeadline { job: u64, after: Duration },
    /// A frontend connection's time is up.
    FrontendDeadline(usize),
}

/// A process's namespec (`group:name`), shared by everything that refers to
/// the process: a probe in flight or an idle connection holds a counted
/// reference, not a copy.
pub(super) type TargetKey = std::rc::Rc<str>;

/// A running exec check.
struct ExecRun {
    child: Child,
    target: String,
    check: usize,
    round: u64,
    attempt: u32,
}

/// How the listener ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// Told to stop (signal) or stdin closed: status 0.
    Clean,
    /// The event stream could not be followed: status 1.
    ProtocolLost,
    /// `--once` found a process failing or could not check it: status 1.
    OnceFailed,
}

impl Exit {
    /// The process exit status.
    pub fn code(self) -> u8 {
        match self {
            Exit::Clean => 0,
            Exit::ProtocolLost | Exit::OnceFailed => 1,
        }
    }
}

/// The event listener.
pub struct Listener {
    config: ListenerConfig,
    log: Logger,
    poll: Poll,
    stdin: Option<StdinSource>,
    signals: Signals,
    reader: EventReader,
    out: io::Stdout,
    epoch: Instant,
    timers: Timers<Timer>,
    tasks: FxHashMap<usize, Task>,
    keep_alive: keep_alive::KeepAlive,
    /// Where every exchange's reads land.
    read_buffer: ReadBuffer,
    next_token: usize,
    execs: Vec<ExecRun>,
    custom: Option<crate::custom::WorkerPool<custom::CustomJob>>,
    targets: FxHashMap<TargetKey, TargetState>,
    cycle: Option<Cycle>,
    cycle_seq: u64,
    /// How many processes supervisord listed last time (all groups): the
    /// next list is read into a vector of that capacity.
    listed_last: usize,
    round_seq: u64,
    /// The event being handled, not yet acknowledged.
    busy: bool,
    procfs: Procfs,
    proc_snapshot: ProcSnapshot,
    exit: Option<Exit>,
    stdin_open: bool,
    /// What the HTTP frontend shows.
    record: crate::frontend::state::Record,
    /// The HTTP frontend, with `--listen`.
    frontend: Option<crate::frontend::server::Server>,
    /// Mail and webhook on restarts, give-ups and recoveries (`--mail-to`, `--webhook`).
    notifier: Option<crate::notification::Notifier>,
    /// Named programs found missing at the last process list (logged when it changes).
    unmatched: Vec<String>,
    /// The heartbeat check's socket and trackers.
    heartbeat: Option<heartbeat::HeartbeatReceiver>,
}

impl Listener {
    /// A listener for `config`: registers stdin and the signals.
    ///
    /// # Errors
    /// When the poll, stdin or the signal handlers cannot be set up, or the
    /// policy is invalid.
    pub fn new(config: ListenerConfig) -> io::Result<Self> {
        HealthMachine::new(config.policy)
            .map_err(|e: PolicyError| io::Error::new(io::ErrorKind::InvalidInput, e.to_string()))?;
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
        let custom = custom::pool_for(&config, poll.registry(), CUSTOM)?;
        let kinds = config.checks.iter().map(|c| c.kind().to_string()).collect();
        let log = Logger::new(config.check_name.clone(), config.verbose);
        let notifier = config.notify.as_ref().map(|n| notify::notifier(n, &log));
        let mut listener = Self {
            log,
            notifier,
            unmatched: Vec::new(),
            reader: EventReader::new(config.len_mode),
            config,
            poll,
            stdin,
            signals,
            out: io::stdout(),
            epoch: Instant::now(),
            timers: Timers::default(),
            tasks: FxHashMap::default(),
            keep_alive: keep_alive::KeepAlive::default(),
            read_buffer: ReadBuffer::new(),
            next_token: FIRST_TASK,
            execs: Vec::new(),
            custom,
            targets: FxHashMap::default(),
            cycle: None,
            cycle_seq: 0,
            listed_last: 0,
            round_seq: 0,
            busy: false,
            procfs: Procfs::default(),
            proc_snapshot: ProcSnapshot::default(),
            exit: None,
            stdin_open: true,
            record: crate::frontend::state::Record::new(kinds),
            frontend: None,
            heartbeat: None,
        };
        listener.start_heartbeat()?;
        listener.start_frontend()?;
        Ok(listener)
    }

    /// The core's clock: monotonic milliseconds.
    fn core_now(&self) -> CoreInstant {
        let elapsed = u64::try_from(self.epoch.elapsed().as_millis()).unwrap_or(u64::MAX);
        CoreInstant::from_millis(CORE_EPOCH_OFFSET_MS.saturating_add(elapsed))
    }

    /// The loop's instant for a core instant (for timers the health machine asks for).
    fn std_instant(&self, at: CoreInstant) -> Instant {
        let ms = at.millis().saturating_sub(CORE_EPOCH_OFFSET_MS);
        self.epoch + Duration::from_millis(ms)
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
            self.config.selection,
            self.config.server.endpoint
        );
        for https in self.config.checks.iter().filter_map(|c| c.https.as_ref()) {
            log_line!(self.log, "{}", https.describe());
        }
        if self.config.once {
            self.busy = true;
            self.start_cycle(supercheck_core::event::TickPeriod::Secs3600, 0);
            // The cycle may have ended already (supervisord unreachable).
            self.maybe_finish_cycle()?;
        } else {
            protocol::write_ready(&mut self.out)?;
        }
        let mut events = Events::with_capacity(256);
        loop {
            // Checked before sleeping: an exit may be decided before the first poll.
            if let Some(exit) = self.exit {
                self.shutdown();
                return Ok(exit);
            }
            let timeout = self
                .timers
                .next_deadline()
                .map(|at| at.saturating_duration_since(Instant::now()));
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
            }
            self.fire_timers()?;
            self.handle_incoming()?;
        }
    }

    fn on_stdin(&mut self) {
        let capacity = self.reader.capacity();
        let Some(stdin) = self.stdin.as_mut() else {
            return;
        };
        match stdin.drain(self.reader.buffer(), capacity) {
            Ok(Drained::Open) => {}
            Ok(Drained::Eof) => self.stdin_open = false,
            Err(e) => {
                log_line!(self.log, "cannot read stdin: {e}");
                self.stdin_open = false;
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
            } else if self.exit.is_none() {
                log_line!(self.log, "told to stop (signal {signal})");
                self.exit = Some(Exit::Clean);
            }
        }
    }

    /// Decodes the next event when idle; acknowledges non-tick events at once.
    fn handle_incoming(&mut self) -> io::Result<()> {
        if self.config.once {
            return Ok(());
        }
        if !self.stdin_open && self.busy && self.exit.is_none() && !self.restart_in_flight() {
            // Nobody is left to read the acknowledgement: end now rather than
            // when the round or its acknowledgement deadline ends. A restart
            // already asked for is finished first, so no process is left stopped.
            log_line!(
                self.log,
                "stdin closed while an event was being handled: supervisord is gone; the round is abandoned"
            );
            self.exit = Some(Exit::Clean);
        }
        while !self.busy && self.exit.is_none() {
            let Some(incoming) = self.reader.next_event() else {
                // The pipe may hold more than the last edge-triggered read
                // took (it stops when the buffer is full): read on now, as no
                // new edge comes for bytes already in the pipe.
                if self.stdin_open {
                    let before = self.reader.pending();
                    self.on_stdin();
                    if self.reader.pending() > before {
                        continue;
                    }
                }
                if !self.stdin_open {
                    if self.reader.pending() > 0 {
                        log_line!(
                            self.log,
                            "stdin closed in the middle of an event ({} bytes received): it is ignored",
                            self.reader.pending()
                        );
                    } else {
                        log_line!(self.log, "stdin closed: supervisord is gone");
                    }
                    self.exit = Some(Exit::Clean);
                }
                return Ok(());
            };
            match incoming {
                Incoming::Tick { period, when } => {
                    crate::log_detail!(self.log, "received {} (when {when})", period.event_name());
                    self.busy = true;
                    self.start_cycle(period, when);
                    // It may have ended already (supervisord unreachable, no
                    // process checkable): acknowledge now, not at the deadline.
                    self.maybe_finish_cycle()?;
                }
                Incoming::Exited { .. } => {
                    crate::log_detail!(self.log, "received PROCESS_STATE_EXITED: nothing to do");
                    protocol::write_ack_and_ready(&mut self.out)?;
                }
                Incoming::Other(name) => {
                    crate::log_detail!(self.log, "received {name}: nothing to do");
                    protocol::write_ack_and_ready(&mut self.out)?;
                }
                Incoming::Skipped(error) => {
                    log_line!(self.log, "malformed event skipped: {error}");
                    protocol::write_ack_and_ready(&mut self.out)?;
                }
                Incoming::Lost(error) => {
                    log_line!(
                        self.log,
                        "protocol error: {error}; exiting so that supervisord restarts the listener in step"
                    );
                    self.exit = Some(Exit::ProtocolLost);
                }
            }
        }
        Ok(())
    }

    /// Whether a restart was decided and is not finished (stopped, not yet started).
    fn restart_in_flight(&self) -> bool {
        self.targets.values().any(|t| t.restarting)
    }

    /// Acknowledges the event being handled.
    fn acknowledge(&mut self) -> io::Result<()> {
        if self.busy {
            self.busy = false;
            protocol::write_ack_and_ready(&mut self.out)?;
            self.out.flush()?;
        }
        Ok(())
    }

    fn fire_timers(&mut self) -> io::Result<()> {
        let now = Instant::now();
        while let Some(timer) = self.timers.pop_due(now) {
            match timer {
                Timer::TaskDeadline(token) => self.on_task_deadline(token),
                Timer::Retry {
                    target,
                    check,
                    round,
                    attempt,
                } => self.start_check(&target, check, round, attempt),
                Timer::CpuSample {
                    target,
                    check,
                    round,
                    pid,
                    first,
                } => {
                    self.finish_cpu_sample(&target, check, round, pid, first);
                }
                Timer::ExecDeadline { round, check } => self.on_exec_deadline(round, check),
                Timer::AckDeadline { cycle } => {
                    if self
                        .cycle
                        .as_ref()
                        .is_some_and(|c| c.id == cycle && !c.acknowledged)
                    {
                        if let Some(c) = self.cycle.as_mut() {
                            c.acknowledged = true;
                            crate::log_detail!(
                                self.log,
                                "acknowledging the tick with {} process(es) still being checked",
                                c.outstanding
                            );
                        }
                        self.acknowledge()?;
                    }
                }
                Timer::Health { target } => self.on_health_timer(&target),
                Timer::CustomDeadline { job, after } => self.on_custom_deadline(job, after),
                Timer::FrontendDeadline(token) => self.on_frontend_deadline(token),
            }
        }
        self.maybe_finish_cycle()
    }

    fn token(&mut self) -> usize {
        let token = self.next_token;
        self.next_token = self.next_token.wrapping_add(1).max(FIRST_TASK);
        token
    }

    fn shutdown(&mut self) {
        for mut exec in self.execs.drain(..) {
            crate::probe::exec::kill(&mut exec.child);
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
