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
use crate::config::{CheckRule, EngineConfig, NotifyRule, Watch};
use crate::output::{CallFailure, ProbeOutcome};
use crate::selection::Selection;

/// At most this many steps are decoded.
pub const MAX_STEPS: usize = 512;

/// The configuration `byte` chooses: its policy ([`policy`] of `byte % 7`),
/// an `http` check retried once (`0x08`), a cpu check (`0x10`), `--once`
/// (`0x20`), verbose (`0x40`), lengths in bytes (`0x80`), notifications
/// (`0x04`) that send (`0x02`); every process but `checks` is checked.
pub fn config_from_byte(byte: u8) -> EngineConfig {
    let mut checks = alloc::vec![http("http", byte)];
    if byte & 0x10 != 0 {
        checks.push(cpu());
    }
    let mut config = EngineConfig::new(all_but_checks(), checks);
    config.single_mut().policy = policy(byte);
    with_flags(config, byte)
}

/// An agent's configuration over [`NAMES`]: `byte` sets its flags as for
/// [`config_from_byte`] (a cpu check, `0x10`, joins `g_http`'s); `layout`
/// (its low six bits) its watches, each with its own policy:
///
/// | watch | processes | checks | schedule |
/// |---|---|---|---|
/// | `g_http` | `g:*` | http (+ cpu) | every 1 s with `0x01`, else on ticks |
/// | `all` | every process but `checks` | (http with `0x04`) + cpu | every 3 s with `0x02`, else on ticks |
/// | `c_http` (with `0x08`) | `h:c`, RUNNING or STARTING with `0x20` | http | every 2 s with `0x10`, else on ticks |
pub fn agent_config(byte: u8, layout: u8) -> EngineConfig {
    let every = |bit: u8, secs: u64| (layout & bit != 0).then(|| Duration::from_secs(secs));
    let mut checks = alloc::vec![http("http", byte)];
    if byte & 0x10 != 0 {
        checks.push(cpu());
    }
    let mut g_http = Watch::new("g_http", Selection::Namespec("g:*".into()), 0..checks.len());
    g_http.policy = policy(byte);
    g_http.interval = every(0x01, 1);
    let first = checks.len();
    if layout & 0x04 != 0 {
        checks.push(http("all_http", byte));
    }
    checks.push(cpu());
    let mut all = Watch::new("all", all_but_checks(), first..checks.len());
    all.policy = policy(byte / 7);
    all.interval = every(0x02, 3);
    let mut watches = alloc::vec![g_http, all];
    if layout & 0x08 != 0 {
        checks.push(http("c_http", byte));
        let mut c_http = Watch::new(
            "c_http",
            Selection::Namespec("h:c".into()),
            checks.len() - 1..checks.len(),
        );
        c_http.policy = policy(layout);
        c_http.interval = every(0x10, 2);
        if layout & 0x20 != 0 {
            c_http.states.push(ProcessState::Starting);
        }
        watches.push(c_http);
    }
    with_flags(EngineConfig::with_watches(checks, watches), byte)
}

/// The configuration a [`Step::Reload`] of `byte` hands an engine running
/// `current`, by `byte % 4`: 0 the same again (every watch kept); 1 a
/// drop-in's ([`config_from_byte`]); 2 an agent's ([`agent_config`] of
/// `byte`, `byte >> 2`); 3 `current` changed, by `(byte >> 2) % 4`: its first
/// watch's interval zero or its last watch's checks out of range (both
/// refused), its first watch's policy [`policy`] of `byte >> 4` (the same
/// one at times), or its first watch's interval toggled (none and 2 s).
pub fn reload_config(current: &EngineConfig, byte: u8) -> EngineConfig {
    match byte % 4 {
        0 => current.clone(),
        1 => config_from_byte(byte),
        2 => agent_config(byte, byte >> 2),
        _ => {
            let mut config = current.clone();
            let end = config.checks.len() + 1;
            let watches = &mut config.watches;
            match (byte >> 2) % 4 {
                0 => {
                    if let Some(first) = watches.first_mut() {
                        first.interval = Some(Duration::ZERO);
                    }
                }
                1 => {
                    if let Some(last) = watches.last_mut() {
                        last.checks = 0..end;
                    }
                }
                2 => {
                    if let Some(first) = watches.first_mut() {
                        first.policy = policy(byte >> 4);
                    }
                }
                _ => {
                    if let Some(first) = watches.first_mut() {
                        first.interval = match first.interval {
                            Some(_) => None,
                            None => Some(Duration::from_secs(2)),
                        };
                    }
                }
            }
            config
        }
    }
}

/// An `http` check called `name`, retried once with `0x08` in `byte`.
fn http(name: &str, byte: u8) -> CheckRule {
    let retry = if byte & 0x08 != 0 {
        RetryPolicy::supervisor_checks(1)
    } else {
        RetryPolicy::once()
    };
    CheckRule::new(name).with_retry(retry)
}

/// A cpu check: failing over 80 % for more than 10 s.
fn cpu() -> CheckRule {
    CheckRule::new("cpu").with_cpu_limit(CpuLimit {
        max: CpuPercent::from_percent(80),
        interval: Duration::from_secs(10),
    })
}

/// Every process but the `checks` program, a drop-in listener's own.
fn all_but_checks() -> Selection {
    Selection::AllExcept(Some("checks".into()))
}

/// `config` with the flags of `byte` ([`config_from_byte`]'s).
fn with_flags(mut config: EngineConfig, byte: u8) -> EngineConfig {
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

/// A byte 1 of at least this is no step: it makes the configuration an
/// agent's ([`decode`]).
pub const AGENT: u8 = 0xC0;

/// The configuration and the steps `data` stands for.
///
/// Byte 0 chooses the configuration ([`config_from_byte`]), unless byte 1
/// is [`AGENT`] or more: then that byte is no step and the configuration is
/// [`agent_config`] of byte 0 and byte 1 (its low six bits). Then each
/// input is one byte selecting its kind followed by its parameters (missing
/// bytes read as 0), at most [`MAX_STEPS`] of them:
///
/// | kind % 15 | input | parameters |
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
/// | 14 | a new configuration ([`reload_config`]) | byte |
pub fn decode(data: &[u8]) -> (EngineConfig, Vec<Step>) {
    let mut input = Bytes(data);
    let byte = input.byte();
    let config = match input.0.first() {
        Some(&layout) if layout >= AGENT => {
            input.next();
            agent_config(byte, layout)
        }
        _ => config_from_byte(byte),
    };
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
    match kind % 15 {
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
        13 => Step::Timeout,
        _ => Step::Reload(input.byte()),
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
