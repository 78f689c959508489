//! Properties over arbitrary sequences of inputs: ticks of every period,
//! other events, malformed events and junk bytes, stdin closing, process
//! lists (random states and start times, or failures), probe outcomes for
//! outstanding tickets in random order, stop/start replies with random
//! faults, clock jumps, stop signals and new configurations, for drop-in
//! and agent configurations (several watches, some on intervals). The fuzz
//! target's seeds run here too.
//!
//! The steps and what is checked after each output are the engine's
//! `scripted` module, shared with the fuzz target:
//!
//! - the engine never panics;
//! - it never asks to stop a process unless a failing verdict was fed for it;
//! - every event is acknowledged at most once: RESULTs never outnumber the
//!   events whose bytes the engine has taken, and once everything has been
//!   answered (stdin open, no junk, no signal) they equal the events sent;
//! - `READY` comes first, once, and nothing comes out after the exit;
//! - neither stdin closing nor a lost stream leaves a process stopped: when
//!   the engine ends (no signal), no stop is still awaited and every stop
//!   that worked was followed by a start;
//! - one restart per process at a time: no stop while one of its stops or
//!   starts is unanswered;
//! - a reload is taken exactly when valid, keeps every watch of the same
//!   configuration, abandons every probe under way (whose outcomes then
//!   count for nothing) and restarts nothing by itself; a refused one
//!   changes nothing;
//! - with a watch on an interval, process lists are asked without ticks.

use std::collections::HashSet;
use std::path::Path;

use proptest::prelude::*;
use supercheck_core::check::retry::RetryPolicy;
use supercheck_core::check::verdict::{CheckError, FailReason, Verdict};
use supercheck_core::event::TickPeriod;
use supercheck_core::health::Policy;
use supercheck_core::process::ProcessState;
use supercheck_core::rpc::FaultCode;
use supercheck_core::time::Duration;
use supercheck_engine::scripted::{self, Driver, Listed, Step, fault};
use supercheck_engine::{CallFailure, CheckRule, EngineConfig, Exit, ProbeOutcome, Selection};

/// Generated lists name the first three of [`scripted::NAMES`], each at
/// most once, as supervisord lists them.
const NAMES: usize = 3;

fn period() -> impl Strategy<Value = TickPeriod> {
    prop_oneof![
        4 => Just(TickPeriod::Secs5),
        2 => Just(TickPeriod::Secs60),
        1 => Just(TickPeriod::Secs3600),
    ]
}

fn state() -> impl Strategy<Value = ProcessState> {
    prop_oneof![
        6 => Just(ProcessState::Running),
        1 => proptest::sample::select(ProcessState::ALL.to_vec()),
    ]
}

/// A process list: the first entry of each name kept.
fn listed(answer: Vec<(usize, ProcessState, u64)>) -> Vec<Listed> {
    let mut seen = HashSet::new();
    answer
        .into_iter()
        .filter(|(name, ..)| seen.insert(*name))
        .map(|(name, state, age_secs)| Listed {
            name,
            state,
            age_secs,
        })
        .collect()
}

/// 0 pass, 1 refused, 2 status 500, 3 error.
fn probe_outcome(outcome: u8) -> ProbeOutcome {
    ProbeOutcome::Verdict(match outcome {
        0 => Verdict::Pass,
        1 => Verdict::Fail(FailReason::ConnectionRefused),
        2 => Verdict::Fail(FailReason::BadStatus { code: 500 }),
        _ => Verdict::Error(CheckError::ProcessVanished),
    })
}

/// 0 ok, 1 NOT_RUNNING, 2 ALREADY_STARTED, 3 FAILED, 4 transport error.
fn reply(result: u8) -> Result<(), CallFailure> {
    match result {
        0 => Ok(()),
        1 => Err(fault(FaultCode::NotRunning)),
        2 => Err(fault(FaultCode::AlreadyStarted)),
        3 => Err(fault(FaultCode::Failed)),
        _ => Err(CallFailure::other("connection reset")),
    }
}

fn step() -> impl Strategy<Value = Step> {
    let listing = proptest::collection::vec((0..NAMES, state(), 0u64..100_000), 0..4);
    prop_oneof![
        6 => period().prop_map(Step::Tick),
        1 => Just(Step::OtherEvent),
        1 => Just(Step::Malformed),
        1 => proptest::collection::vec(
            proptest::sample::select(b"abc xyz019\n".to_vec()),
            1..12
        )
        .prop_map(Step::Junk),
        1 => Just(Step::CloseStdin),
        5 => (any::<usize>(), proptest::option::weighted(0.85, listing))
            .prop_map(|(pick, answer)| Step::List {
                pick,
                answer: answer
                    .map(listed)
                    .ok_or_else(|| CallFailure::other("connection refused")),
            }),
        8 => (any::<usize>(), 0u8..4).prop_map(|(pick, outcome)| Step::Probe {
            pick,
            outcome: probe_outcome(outcome),
        }),
        4 => (any::<usize>(), 0u8..5).prop_map(|(pick, result)| Step::Reply {
            pick,
            result: reply(result),
        }),
        5 => prop_oneof![0u64..2_000, 0u64..70_000, Just(3_600_000)]
            .prop_map(|ms| Step::Advance(Duration::from_millis(ms))),
        1 => Just(Step::Signal),
        2 => any::<u8>().prop_map(Step::Reload),
    ]
}

/// The first six of [`scripted::policy`]: drop-in, threshold, grace,
/// budget, back-off, monitor.
fn policy() -> impl Strategy<Value = Policy> {
    prop_oneof![
        Just(scripted::policy(0)),
        Just(scripted::policy(1)),
        Just(scripted::policy(2)),
        Just(scripted::policy(3)),
        Just(scripted::policy(4)),
        Just(scripted::policy(5)),
    ]
}

/// A drop-in's configuration, or an agent's ([`scripted::agent_config`]).
fn engine_config() -> impl Strategy<Value = EngineConfig> {
    prop_oneof![
        drop_in_config(),
        (any::<u8>(), any::<u8>())
            .prop_map(|(byte, layout)| { scripted::agent_config(byte, layout) }),
    ]
}

fn drop_in_config() -> impl Strategy<Value = EngineConfig> {
    (policy(), 1usize..3, any::<bool>(), any::<bool>()).prop_map(
        |(policy, checks, retry, verbose)| {
            let retry = if retry {
                RetryPolicy::supervisor_checks(1)
            } else {
                RetryPolicy::once()
            };
            let checks = (0..checks)
                .map(|i| CheckRule::new(format!("check{i}")).with_retry(retry))
                .collect();
            let mut config = EngineConfig::new(Selection::AllExcept(None), checks);
            config.single_mut().policy = policy;
            config.verbose = verbose;
            config
        },
    )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 192, ..ProptestConfig::default() })]

    #[test]
    fn engine_keeps_its_promises_under_arbitrary_inputs(
        config in engine_config(),
        steps in proptest::collection::vec(step(), 0..60),
    ) {
        Driver::new(config).unwrap().run(&steps);
    }
}

/// RESULTs, process lists, probes, stops, starts, reloads (taken,
/// refused), and the exit.
type Asked = (
    usize,
    usize,
    usize,
    usize,
    usize,
    (usize, usize),
    Option<Exit>,
);

/// What each fuzz seed asks for, run through the fuzz target's decoder and
/// settled. A seed that stops doing what its name says fails here, not
/// silently in the fuzzer. The `seed-agent-*` ones run agents' watches (on
/// intervals and ticks, one restart for two watches) and reloads.
const SEEDS: [(&str, Asked); 16] = [
    ("seed-agent-arbiter", (2, 2, 6, 1, 1, (0, 0), None)),
    ("seed-agent-interval-restart", (1, 5, 7, 1, 1, (0, 0), None)),
    ("seed-agent-intervals", (0, 9, 20, 0, 0, (0, 0), None)),
    ("seed-agent-reload", (3, 7, 12, 0, 0, (5, 2), None)),
    ("seed-backoff-budget", (2, 2, 2, 2, 2, (0, 0), None)),
    (
        "seed-coalesced-and-other-events",
        (5, 1, 1, 0, 0, (0, 0), None),
    ),
    ("seed-hung-probe-deadline", (1, 1, 2, 1, 1, (0, 0), None)),
    ("seed-list-failure-then-back", (2, 2, 1, 0, 0, (0, 0), None)),
    ("seed-once", (0, 1, 2, 0, 0, (0, 0), Some(Exit::OnceFailed))),
    (
        "seed-protocol-lost",
        (0, 0, 0, 0, 0, (0, 0), Some(Exit::ProtocolLost)),
    ),
    ("seed-retry-and-cpu", (2, 2, 5, 0, 0, (0, 0), None)),
    (
        "seed-stdin-closed-mid-restart",
        (1, 1, 1, 1, 1, (0, 0), Some(Exit::Clean)),
    ),
    (
        "seed-stop-signal",
        (0, 1, 1, 0, 0, (0, 0), Some(Exit::Clean)),
    ),
    ("seed-tick-fail-restart", (2, 2, 2, 1, 1, (0, 0), None)),
    ("seed-tick-pass", (1, 1, 1, 0, 0, (0, 0), None)),
    ("seed-vanished-process", (2, 2, 3, 0, 0, (0, 0), None)),
];

#[test]
fn fuzz_seeds_keep_the_promises_and_do_what_they_are_named_for() {
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz/corpus/engine_inputs");
    let mut seeds: Vec<String> = std::fs::read_dir(&corpus)
        .unwrap()
        .map(|entry| entry.unwrap().file_name().into_string().unwrap())
        .collect();
    seeds.sort();
    let named: Vec<&str> = SEEDS.iter().map(|seed| seed.0).collect();
    assert_eq!(seeds, named, "the seeds in {}", corpus.display());
    for (name, asked) in SEEDS {
        let (config, steps) = scripted::decode(&std::fs::read(corpus.join(name)).unwrap());
        let tally = Driver::new(config).unwrap().run(&steps).tally();
        let got = (
            tally.results,
            tally.lists,
            tally.probes,
            tally.stops,
            tally.starts,
            (tally.reloads, tally.refused),
            tally.exit,
        );
        assert_eq!(got, asked, "{name}");
    }
}
