//! Drives the listener's engine through a sequence of inputs decoded from the
//! fuzz bytes, draining its outputs after each, and checks what it promises
//! whatever the order: no panic, no output after the exit, `READY` at most
//! once, no stop without a failing verdict for that process, never more
//! `RESULT`s than events started, no protocol bytes with `--once`.
//!
//! Byte 0 chooses the configuration; then each input is one byte selecting
//! its kind followed by its parameters (missing bytes read as 0):
//!
//! | kind % 14 | input | parameters |
//! |---|---|---|
//! | 0 | TICK event | period |
//! | 1 | another event (`SUPERVISOR_STATE_CHANGE_RUNNING`) | |
//! | 2 | a malformed event (header reads, payload does not) | |
//! | 3 | raw stdin bytes | length, bytes |
//! | 4 | stdin closed | |
//! | 5 | answer a process list | pick, count, count × (name, state, age hi, age lo) |
//! | 6 | fail a process list | pick |
//! | 7 | answer a probe | pick, outcome |
//! | 8 | answer a cpu probe | pick, percent |
//! | 9 | answer a stop/start | pick, result |
//! | 10 | time passes (timers fire when due) | hi, lo (× 100 ms) |
//! | 11 | time passes a lot | hours |
//! | 12 | stop signal | |
//! | 13 | `handle_timeout` now, due or not | |
#![no_main]

use std::collections::{HashSet, VecDeque};

use libfuzzer_sys::fuzz_target;
use supercheck_core::check::cpu::{CpuLimit, CpuPercent};
use supercheck_core::check::retry::{Exponential, RetryPolicy};
use supercheck_core::check::verdict::{CheckError, FailReason, Verdict};
use supercheck_core::event::{LenMode, READY};
use supercheck_core::health::{BudgetSpec, Policy};
use supercheck_core::process::ProcessState;
use supercheck_core::rpc::FaultCode;
use supercheck_core::time::{Duration, Instant};
use supercheck_engine::{
    ACK_AND_READY, Call, CallFailure, CheckRule, Engine, EngineConfig, NotifyRule, Output,
    ProbeOutcome, ProbeTicket, Process, Selection,
};

const NAMES: [(&str, &str); 4] = [("g", "a"), ("g", "b"), ("h", "c"), ("checks", "checks")];

struct Bytes<'a>(&'a [u8]);

impl Bytes<'_> {
    fn next(&mut self) -> Option<u8> {
        let (first, rest) = self.0.split_first()?;
        self.0 = rest;
        Some(*first)
    }

    fn byte(&mut self) -> u8 {
        self.next().unwrap_or(0)
    }

    fn take(&mut self, n: usize) -> &[u8] {
        let n = n.min(self.0.len());
        let (head, rest) = self.0.split_at(n);
        self.0 = rest;
        head
    }
}

fn config(byte: u8) -> EngineConfig {
    let policy = match byte % 7 {
        0 => Policy::DROP_IN,
        1 => Policy {
            failure_threshold: 2,
            ..Policy::DROP_IN
        },
        2 => Policy {
            start_grace: Duration::from_secs(20),
            ..Policy::DROP_IN
        },
        3 => Policy {
            budget: Some(BudgetSpec {
                max_restarts: 1,
                period: Duration::from_secs(600),
            }),
            ..Policy::DROP_IN
        },
        4 => Policy {
            backoff: Exponential {
                initial: Duration::from_secs(10),
                factor: 2,
                max: Duration::from_secs(60),
            },
            ..Policy::DROP_IN
        },
        5 => Policy::monitor(2, 2).expect("a valid monitor policy"),
        _ => Policy {
            give_up_reset: Some(Duration::from_secs(30)),
            budget: Some(BudgetSpec {
                max_restarts: 2,
                period: Duration::from_secs(60),
            }),
            ..Policy::DROP_IN
        },
    };
    let retry = if byte & 0x08 != 0 {
        RetryPolicy::supervisor_checks(1)
    } else {
        RetryPolicy::once()
    };
    let mut checks = vec![CheckRule::new("http").with_retry(retry)];
    if byte & 0x10 != 0 {
        checks.push(CheckRule::new("cpu").with_cpu_limit(CpuLimit {
            max: CpuPercent::from_percent(80),
            interval: Duration::from_secs(10),
        }));
    }
    let mut config = EngineConfig::new(Selection::AllExcept(Some("checks".into())), checks);
    config.policy = policy;
    config.once = byte & 0x20 != 0;
    config.verbose = byte & 0x40 != 0;
    config.len_mode = if byte & 0x80 != 0 {
        LenMode::Bytes
    } else {
        LenMode::Chars
    };
    if byte & 0x04 != 0 {
        config.notify = Some(NotifyRule {
            tool: "supercheck",
            check_name: "fuzz".into(),
            window: Duration::from_secs(60),
            sends: byte & 0x02 != 0,
        });
    }
    config
}

struct Driver {
    engine: Engine,
    once: bool,
    now: Instant,
    pipe: VecDeque<u8>,
    serial: u64,
    lists: Vec<u64>,
    calls: Vec<Call>,
    probes: Vec<ProbeTicket>,
    failed: HashSet<String>,
    /// Events decoded at most: one per `eventname` the engine took a whole
    /// header of is too fine to track with raw bytes, so RESULTs are bounded
    /// by the events the driver wrote plus the raw writes.
    events_written: usize,
    readies: usize,
    results: usize,
    exited: bool,
}

impl Driver {
    fn event(&mut self, name: &str, payload: &str) {
        self.serial += 1;
        let header = format!(
            "ver:3.0 server:supervisor serial:{0} pool:c poolserial:{0} eventname:{name} len:{1}\n",
            self.serial,
            payload.len()
        );
        self.pipe.extend(header.bytes().chain(payload.bytes()));
        self.events_written += 1;
    }

    fn drain(&mut self) {
        loop {
            let mut progressed = false;
            while let Some(output) = self.engine.poll_output() {
                progressed = true;
                self.check(output);
            }
            let room = self.engine.input_room();
            if room > 0 && !self.pipe.is_empty() {
                let chunk: Vec<u8> = self.pipe.iter().take(room).copied().collect();
                let taken = self.engine.handle_input(self.now, &chunk);
                assert!(taken <= room && taken <= chunk.len());
                self.pipe.drain(..taken);
                progressed |= taken > 0;
            }
            if !progressed {
                return;
            }
        }
    }

    fn check(&mut self, output: Output) {
        assert!(!self.exited, "output after the exit: {output:?}");
        match output {
            Output::Protocol(bytes) => {
                assert!(!self.once, "protocol bytes with --once");
                if bytes == READY {
                    self.readies += 1;
                    assert_eq!(self.readies, 1, "READY once");
                } else {
                    assert_eq!(bytes, ACK_AND_READY);
                    self.results += 1;
                    assert!(
                        self.results <= self.events_written,
                        "more RESULTs than events"
                    );
                }
            }
            Output::Call(Call::ListProcesses { cycle, .. }) => self.lists.push(cycle),
            Output::Call(call) => {
                if let Call::Stop { target } = &call {
                    assert!(self.failed.contains(&**target), "stop without a failure");
                    assert!(!self.once, "stop with --once");
                }
                self.calls.push(call);
            }
            Output::Probe(ticket) => self.probes.push(ticket),
            Output::Exit(_) => self.exited = true,
            Output::Log(line) => assert!(!line.text.is_empty()),
            Output::Print(_) | Output::Notify(_) | Output::Record(_) | Output::Forget(_) => {}
        }
    }

    fn listing(&self, input: &mut Bytes<'_>) -> Vec<Process> {
        let now = i64::try_from(self.now.secs()).unwrap_or(i64::MAX);
        let count = input.byte() % 5;
        (0..count)
            .map(|_| {
                let (group, name) = NAMES[usize::from(input.byte()) % NAMES.len()];
                let state = ProcessState::ALL[usize::from(input.byte()) % ProcessState::ALL.len()];
                let age = i64::from(u16::from_be_bytes([input.byte(), input.byte()]));
                Process {
                    group: group.into(),
                    name: name.into(),
                    state,
                    pid: 7,
                    start: if age == 0 { 0 } else { now - age },
                    now,
                }
            })
            .collect()
    }

    fn pick<T>(list: &mut Vec<T>, byte: u8) -> Option<T> {
        if list.is_empty() {
            None
        } else {
            Some(list.remove(usize::from(byte) % list.len()))
        }
    }

    fn step(&mut self, kind: u8, input: &mut Bytes<'_>) {
        match kind % 14 {
            0 => {
                let name = ["TICK_5", "TICK_60", "TICK_3600"][usize::from(input.byte()) % 3];
                let when = self.now.secs();
                self.event(name, &format!("when:{when}"));
            }
            1 => self.event("SUPERVISOR_STATE_CHANGE_RUNNING", ""),
            2 => self.event("TICK_5", "nope"),
            3 => {
                let len = usize::from(input.byte());
                let bytes = input.take(len).to_vec();
                self.pipe.extend(bytes);
                // Raw bytes may hold whole events of their own.
                self.events_written += len;
            }
            4 => {
                self.drain();
                self.engine.handle_input_closed(self.now);
            }
            5 => {
                let pick = input.byte();
                let listing = self.listing(input);
                if let Some(cycle) = Self::pick(&mut self.lists, pick) {
                    self.engine
                        .handle_process_list(self.now, cycle, Ok(listing));
                }
            }
            6 => {
                if let Some(cycle) = Self::pick(&mut self.lists, input.byte()) {
                    let failure = CallFailure::fault(FaultCode::ShutdownState, "shutting down");
                    self.engine
                        .handle_process_list(self.now, cycle, Err(failure));
                }
            }
            7 => {
                let pick = input.byte();
                let verdict = match input.byte() % 5 {
                    0 | 1 => Verdict::Pass,
                    2 => Verdict::Fail(FailReason::ConnectionRefused),
                    3 => Verdict::Fail(FailReason::BadStatus { code: 503 }),
                    _ => Verdict::Error(CheckError::ProcessVanished),
                };
                if let Some(ticket) = Self::pick(&mut self.probes, pick) {
                    if matches!(verdict, Verdict::Fail(_)) {
                        self.failed.insert(ticket.target.to_string());
                    }
                    self.engine
                        .handle_probe(self.now, ticket, ProbeOutcome::Verdict(verdict));
                }
            }
            8 => {
                let pick = input.byte();
                let percent = u32::from(input.byte());
                if let Some(ticket) = Self::pick(&mut self.probes, pick) {
                    // A cpu check may fail from usage alone: allow its stop.
                    self.failed.insert(ticket.target.to_string());
                    let usage = ProbeOutcome::CpuUsage(CpuPercent::from_percent(percent));
                    self.engine.handle_probe(self.now, ticket, usage);
                }
            }
            9 => {
                let pick = input.byte();
                let result = match input.byte() % 6 {
                    0 | 1 => Ok(()),
                    2 => Err(CallFailure::fault(FaultCode::NotRunning, "NOT_RUNNING")),
                    3 => Err(CallFailure::fault(
                        FaultCode::AlreadyStarted,
                        "ALREADY_STARTED",
                    )),
                    4 => Err(CallFailure::fault(FaultCode::BadName, "BAD_NAME")),
                    _ => Err(CallFailure::other("connection reset")),
                };
                if let Some(call) = Self::pick(&mut self.calls, pick) {
                    self.engine.handle_reply(self.now, &call, result);
                }
            }
            10 => {
                let steps = u64::from(u16::from_be_bytes([input.byte(), input.byte()]));
                self.advance(Duration::from_millis(steps * 100));
            }
            11 => {
                let hours = u64::from(input.byte() % 25);
                self.advance(Duration::from_secs(hours * 3600));
            }
            12 => self.engine.handle_stop_signal(15),
            _ => self.engine.handle_timeout(self.now),
        }
        self.drain();
    }

    fn advance(&mut self, by: Duration) {
        self.now = self.now + by;
        if self.engine.poll_timeout().is_some_and(|t| t <= self.now) {
            self.engine.handle_timeout(self.now);
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let mut input = Bytes(data);
    let config = config(input.byte());
    let once = config.once;
    let Ok(engine) = Engine::new(config) else {
        return;
    };
    let mut driver = Driver {
        engine,
        once,
        now: Instant::from_secs(1_000_000),
        pipe: VecDeque::new(),
        serial: 0,
        lists: Vec::new(),
        calls: Vec::new(),
        probes: Vec::new(),
        failed: HashSet::new(),
        events_written: 0,
        readies: 0,
        results: 0,
        exited: false,
    };
    driver.engine.handle_start(driver.now);
    driver.drain();
    assert_eq!(driver.readies, usize::from(!once));
    let mut steps = 0;
    while let Some(kind) = input.next() {
        steps += 1;
        if steps > 512 {
            break;
        }
        driver.step(kind, &mut input);
    }
});
