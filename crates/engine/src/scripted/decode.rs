//! Arbitrary bytes to a configuration and a sequence of [`Step`]s: the fuzz
//! target's input format ([`decode`]).

use alloc::vec::Vec;

use supercheck_core::check::cpu::{CpuLimit, CpuPercent};
use supercheck_core::check::retry::RetryPolicy;
use supercheck_core::check::verdict::{CheckError, FailReason, Verdict};
use supercheck_core::event::{LenMode, TickPeriod};
use supercheck_core::process::ProcessState;
use supercheck_core::rpc::FaultCode;
use supercheck_core::time::Duration;

use super::{Listed, NAMES, Step, fault, policy};
use crate::config::{CheckRule, EngineConfig, NotifyRule};
use crate::output::{CallFailure, ProbeOutcome};
use crate::selection::Selection;

/// At most this many steps are decoded.
pub const MAX_STEPS: usize = 512;

/// The configuration `byte` chooses: its policy ([`policy`] of `byte % 7`),
/// an `http` check retried once (`0x08`), a cpu check (`0x10`), `--once`
/// (`0x20`), verbose (`0x40`), lengths in bytes (`0x80`), notifications
/// (`0x04`) that send (`0x02`); every process but `checks` is checked.
pub fn config_from_byte(byte: u8) -> EngineConfig {
    let retry = if byte & 0x08 != 0 {
        RetryPolicy::supervisor_checks(1)
    } else {
        RetryPolicy::once()
    };
    let mut checks = alloc::vec![CheckRule::new("http").with_retry(retry)];
    if byte & 0x10 != 0 {
        checks.push(CheckRule::new("cpu").with_cpu_limit(CpuLimit {
            max: CpuPercent::from_percent(80),
            interval: Duration::from_secs(10),
        }));
    }
    let mut config = EngineConfig::new(Selection::AllExcept(Some("checks".into())), checks);
    config.single_mut().policy = policy(byte);
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

/// The configuration and the steps `data` stands for.
///
/// Byte 0 chooses the configuration ([`config_from_byte`]); then each input
/// is one byte selecting its kind followed by its parameters (missing bytes
/// read as 0), at most [`MAX_STEPS`] of them:
///
/// | kind % 14 | input | parameters |
/// |---|---|---|
/// | 0 | TICK event | period |
/// | 1 | another event (`SUPERVISOR_STATE_CHANGE_RUNNING`) | |
/// | 2 | a malformed event (header reads, payload does not) | |
/// | 3 | raw stdin bytes | length, bytes |
/// | 4 | stdin closed | |
/// | 5 | answer a process list | pick, count, count × (name, state, age hi, age lo) |
/// | 6 | fail a process list | pick |
/// | 7 | answer a probe | pick, outcome |
/// | 8 | answer a cpu probe | pick, percent |
/// | 9 | answer a stop/start | pick, result |
/// | 10 | time passes (timers fire when due) | hi, lo (× 100 ms) |
/// | 11 | time passes a lot | hours |
/// | 12 | stop signal | |
/// | 13 | `handle_timeout` now, due or not | |
pub fn decode(data: &[u8]) -> (EngineConfig, Vec<Step>) {
    let mut input = Bytes(data);
    let config = config_from_byte(input.byte());
    let mut steps = Vec::new();
    while let Some(kind) = input.next() {
        if steps.len() == MAX_STEPS {
            break;
        }
        steps.push(step(kind, &mut input));
    }
    (config, steps)
}

/// The fuzz bytes, read from the front.
struct Bytes<'a>(&'a [u8]);

impl Bytes<'_> {
    fn next(&mut self) -> Option<u8> {
        let (first, rest) = self.0.split_first()?;
        self.0 = rest;
        Some(*first)
    }

    /// The next byte, 0 once they have run out.
    fn byte(&mut self) -> u8 {
        self.next().unwrap_or(0)
    }

    fn pick(&mut self) -> usize {
        usize::from(self.byte())
    }

    fn u16(&mut self) -> u16 {
        u16::from_be_bytes([self.byte(), self.byte()])
    }

    /// Up to `n` bytes.
    fn take(&mut self, n: usize) -> &[u8] {
        let (head, rest) = self.0.split_at(n.min(self.0.len()));
        self.0 = rest;
        head
    }
}

fn step(kind: u8, input: &mut Bytes<'_>) -> Step {
    match kind % 14 {
        0 => Step::Tick(match input.byte() % 3 {
            0 => TickPeriod::Secs5,
            1 => TickPeriod::Secs60,
            _ => TickPeriod::Secs3600,
        }),
        1 => Step::OtherEvent,
        2 => Step::Malformed,
        3 => {
            let len = input.pick();
            Step::Raw(input.take(len).to_vec())
        }
        4 => Step::CloseStdin,
        5 => {
            let pick = input.pick();
            let count = input.byte() % 5;
            let listed = (0..count).map(|_| listed(input)).collect();
            Step::List {
                pick,
                answer: Ok(listed),
            }
        }
        6 => Step::List {
            pick: input.pick(),
            answer: Err(CallFailure::fault(
                FaultCode::ShutdownState,
                "shutting down",
            )),
        },
        7 => {
            let pick = input.pick();
            let verdict = match input.byte() % 5 {
                0 | 1 => Verdict::Pass,
                2 => Verdict::Fail(FailReason::ConnectionRefused),
                3 => Verdict::Fail(FailReason::BadStatus { code: 503 }),
                _ => Verdict::Error(CheckError::ProcessVanished),
            };
            Step::Probe {
                pick,
                outcome: ProbeOutcome::Verdict(verdict),
            }
        }
        8 => {
            let pick = input.pick();
            let percent = u32::from(input.byte());
            Step::Probe {
                pick,
                outcome: ProbeOutcome::CpuUsage(CpuPercent::from_percent(percent)),
            }
        }
        9 => {
            let pick = input.pick();
            let result = match input.byte() % 6 {
                0 | 1 => Ok(()),
                2 => Err(fault(FaultCode::NotRunning)),
                3 => Err(fault(FaultCode::AlreadyStarted)),
                4 => Err(fault(FaultCode::BadName)),
                _ => Err(CallFailure::other("connection reset")),
            };
            Step::Reply { pick, result }
        }
        10 => Step::Advance(Duration::from_millis(u64::from(input.u16()) * 100)),
        11 => Step::Advance(Duration::from_secs(u64::from(input.byte() % 25) * 3600)),
        12 => Step::Signal,
        _ => Step::Timeout,
    }
}

/// One listed process: name, state, age (two bytes, big-endian).
fn listed(input: &mut Bytes<'_>) -> Listed {
    let name = input.pick() % NAMES.len();
    let states = ProcessState::ALL;
    let state = states
        .get(input.pick() % states.len())
        .copied()
        .unwrap_or(ProcessState::Running);
    Listed {
        name,
        state,
        age_secs: u64::from(input.u16()),
    }
}
