//! The WASI listener: a blocking driver around the engine
//! ([`supercheck_engine`]), which makes every decision, exactly as the Linux
//! listener's mio driver does. See the [crate docs](crate) for the loop and
//! how its timing differs from Linux.

use std::collections::VecDeque;
use std::io::{self, Write};
use std::time::Instant;

use supercheck_core::check::verdict::{CheckError, Verdict};
use supercheck_core::rpc::SupervisorCall;
use supercheck_engine::ConfigError;
use supercheck_engine::{Call, CallFailure, Engine, Exit, Output, ProbeTicket};
use supercheck_wire::exchange::{BodySink, ReadBuffer, Response};
use supercheck_wire::supervisor::call::{self, CallError};
use supercheck_wire::supervisor::process_list::{self, ProcessListSink};

use crate::clock::Clock;
use crate::log::Log;
use crate::net::{self, Blocking};
use crate::plan::Plan;
use crate::stdin::{Input, Waited};

/// The most stdin bytes read at once.
const CHUNK: usize = 64 * 1024;

/// Something the engine asked for that is carried out after the outputs
/// before it: one at a time, in the order asked.
#[derive(Debug)]
enum Work {
    /// An attempt of a check.
    Probe(ProbeTicket),
    /// A call to supervisord whose request is out: its reply is read.
    Reply { call: Call, exchange: Blocking },
}

/// The event listener on WASI.
pub struct Driver<I, O, E> {
    engine: Engine,
    plan: Plan,
    clock: Clock,
    input: I,
    out: O,
    log: Log<E>,
    work: VecDeque<Work>,
    buffer: ReadBuffer,
    stdin_buf: Vec<u8>,
    input_closed: bool,
    exit: Option<Exit>,
}

impl<I: Input, O: Write, E: Write> Driver<I, O, E> {
    /// A listener for `plan`, reading events from `input`, speaking the
    /// protocol on `out` and logging to `log`.
    ///
    /// # Errors
    /// The configuration is not valid (checked with the command line already).
    pub fn new(plan: Plan, input: I, out: O, log: E) -> Result<Self, ConfigError> {
        Ok(Self {
            engine: Engine::new(plan.engine.clone())?,
            log: Log::new(plan.check_name.clone(), log),
            plan,
            clock: Clock::new(),
            input,
            out,
            work: VecDeque::new(),
            buffer: ReadBuffer::new(),
            stdin_buf: Vec::new(),
            input_closed: false,
            exit: None,
        })
    }

    /// Speaks the protocol until stdin closes or the stream is lost.
    ///
    /// # Errors
    /// When stdout cannot be written.
    pub fn run(mut self) -> io::Result<Exit> {
        let kinds: Vec<&str> = self
            .engine
            .config()
            .checks
            .iter()
            .map(|c| c.name.as_str())
            .collect();
        let line = format!(
            "starting: {} check(s) [{}] on {}, supervisord at {}",
            kinds.len(),
            kinds.join(", "),
            supercheck_engine::config::describe_watches(&self.engine.config().watches),
            self.plan.server.endpoint
        );
        self.log.line(&line);
        if cfg!(all(target_os = "wasi", target_env = "p1")) {
            self.log.line(
                "wasm32-wasip1 has no sockets: supervisord cannot be reached, nothing is checked \
                 or restarted; build for wasm32-wasip2",
            );
        }
        let now = self.clock.now();
        self.engine.handle_start(now);
        loop {
            self.carry_out()?;
            if let Some(exit) = self.exit {
                return Ok(exit);
            }
            let now = self.clock.now();
            if self.engine.poll_timeout().is_some_and(|at| at <= now) {
                self.engine.handle_timeout(now);
            } else if let Some(work) = self.work.pop_front() {
                self.run_work(work);
            } else {
                self.wait()?;
            }
        }
    }

    /// Carries out the engine's outputs in their order. Probes and replies
    /// to read are queued: each blocks, and the outputs after them (an
    /// acknowledgement, a log line) must not wait for them.
    fn carry_out(&mut self) -> io::Result<()> {
        while let Some(output) = self.engine.poll_output() {
            match output {
                Output::Log(line) => self.log.line(&line.text),
                Output::Protocol(bytes) => self.stdout(bytes)?,
                // `--once` only, where stdout is not the protocol.
                Output::Print(text) => self.stdout(format!("{text}\n").as_bytes())?,
                Output::Call(call) => self.call(call),
                Output::Probe(ticket) => self.work.push_back(Work::Probe(ticket)),
                Output::Notify(notice) => {
                    let line = format!("{} (not sent: no mail on WASI)", notice.subject);
                    self.log.line(&line);
                }
                // No frontend here, and nothing kept per process.
                Output::Record(_) | Output::Forget(_) => {}
                Output::Exit(exit) => self.exit = Some(exit),
            }
        }
        Ok(())
    }

    /// Writes `bytes` on stdout, flushed: supervisord reads them at once.
    fn stdout(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.out.write_all(bytes)?;
        self.out.flush()
    }

    fn run_work(&mut self, work: Work) {
        match work {
            Work::Probe(ticket) => {
                let verdict = self.probe(&ticket);
                let now = self.clock.now();
                self.engine.handle_probe(now, ticket, verdict.into());
            }
            Work::Reply { call, exchange } => {
                let result = exchange
                    .finish(&mut self.buffer)
                    .map_err(net::Failure::into_call_error);
                self.reply(call, result);
            }
        }
    }

    /// One attempt, to its end (its timeout bounds it).
    fn probe(&mut self, ticket: &ProbeTicket) -> Verdict {
        let Some(check) = self.plan.checks.get(ticket.check) else {
            return Verdict::Error(CheckError::Config("no such check"));
        };
        let Some(process) = self.engine.process(&ticket.target) else {
            return Verdict::Error(CheckError::ProcessVanished);
        };
        match check.request(&process.name) {
            Ok(request) => net::probe(request, &check.judge, &mut self.buffer).verdict,
            Err(e) => Verdict::Error(e),
        }
    }

    /// Sends a call to supervisord; its reply is read once the outputs
    /// before it are carried out (a restart is asked for before the tick is
    /// acknowledged, as on Linux).
    fn call(&mut self, call: Call) {
        let (timeout, sink) = match &call {
            Call::ListProcesses { expected, .. } => (
                self.plan.rpc_timeout,
                // Read as it arrives, never held whole.
                BodySink::Consume(Box::new(ProcessListSink::new(*expected))),
            ),
            Call::Stop { .. } => (self.plan.stop_timeout, BodySink::Keep(Vec::new())),
            Call::Start { .. } => (self.plan.rpc_timeout, BodySink::Keep(Vec::new())),
        };
        let deadline = Instant::now() + timeout;
        let started = {
            let rpc = match &call {
                Call::ListProcesses { .. } => SupervisorCall::GetAllProcessInfo,
                // A stop waits for the process to stop; a start does not wait for it to run.
                Call::Stop { target } => SupervisorCall::StopProcess {
                    name: target,
                    wait: true,
                },
                Call::Start { target } => SupervisorCall::StartProcess {
                    name: target,
                    wait: false,
                },
            };
            call::start_call(&self.plan.server, &rpc, sink, |endpoint| {
                net::connect_endpoint(endpoint, timeout)
            })
        };
        let mut exchange = match started {
            Ok(exchange) => Blocking::new(exchange, deadline),
            Err(e) => return self.reply(call, Err(e)),
        };
        match exchange.send(&mut self.buffer) {
            None => self.work.push_back(Work::Reply { call, exchange }),
            Some(ended) => self.reply(call, ended.map_err(net::Failure::into_call_error)),
        }
    }

    /// supervisord answered `call` (or did not): the engine decides what follows.
    fn reply(&mut self, call: Call, result: Result<Response, CallError>) {
        let failure = |e: CallError| CallFailure {
            fault: e.fault(),
            message: e.to_string(),
        };
        let now = self.clock.now();
        match call {
            Call::ListProcesses { cycle, .. } => {
                let list = result
                    .and_then(process_list::from_response)
                    .map_err(failure);
                self.engine.handle_process_list(now, cycle, list);
            }
            other => {
                let acked = result
                    .and_then(|response| call::reply_body(Ok(response)))
                    .and_then(|body| call::parse_ack(&body))
                    .map_err(failure);
                self.engine.handle_reply(now, &other, acked);
            }
        }
    }

    /// Nothing to do before the next timer: waits for stdin or that timer.
    /// While a tick is not acknowledged supervisord sends nothing, so an
    /// input that cannot time a wait out is not read then: the driver sleeps.
    fn wait(&mut self) -> io::Result<()> {
        let timeout = self.engine.poll_timeout().map(|at| self.clock.until(at));
        let room = self.engine.input_room().min(CHUNK);
        let can_read = !self.plan.engine.once && !self.input_closed && room > 0;
        let sleep = !can_read || (self.engine.is_busy() && !self.input.times_out());
        match (sleep, timeout) {
            (true, Some(timeout)) => {
                std::thread::sleep(timeout);
                return Ok(());
            }
            // Busy with nothing scheduled: only the end of stdin can come.
            (true, None) if can_read => {}
            (true, None) => {
                self.log.line("nothing left to wait for: exiting");
                self.exit = Some(Exit::Clean);
                return Ok(());
            }
            (false, _) => {}
        }
        self.stdin_buf.resize(room, 0);
        let Some(buf) = self.stdin_buf.get_mut(..room) else {
            return Ok(());
        };
        let waited = self.input.wait_read(buf, timeout);
        let now = self.clock.now();
        // Timers that fell due during the wait come before what was read.
        if self.engine.poll_timeout().is_some_and(|at| at <= now) {
            self.engine.handle_timeout(now);
        }
        match waited {
            Ok(Waited::Data(n)) => {
                let bytes = self.stdin_buf.get(..n).unwrap_or_default();
                self.engine.handle_input(now, bytes);
            }
            Ok(Waited::TimedOut) => {}
            Ok(Waited::Closed) => {
                self.input_closed = true;
                self.engine.handle_input_closed(now);
            }
            Err(e) => {
                self.log.line(&format!("cannot read stdin: {e}"));
                self.input_closed = true;
                self.engine.handle_input_closed(now);
            }
        }
        Ok(())
    }
}
