//! Restarts: the stop-then-start sequence and its races with an operator,
//! and the health policy deciding them (threshold, start grace, budget,
//! back-off, a restart by hand).

mod support;

use supercheck_core::check::retry::Exponential;
use supercheck_core::event::TickPeriod;
use supercheck_core::health::{BudgetSpec, Policy};
use supercheck_core::rpc::FaultCode;
use supercheck_engine::{Call, CallFailure, EngineConfig, Output, RecordUpdate};
use support::{
    Answer, Harness, Supervisor, T0, at_ms, at_secs, fault, first_then, http_config, running, secs,
    web, with_policy,
};

/// [`http_config`] restarting after `failures` failures in a row.
fn restart_after(failures: u16) -> EngineConfig {
    with_policy(Policy {
        failure_threshold: failures,
        ..Policy::DROP_IN
    })
}

/// `web:web` failing its checks, with `script` applied to supervisord before
/// a first tick; that tick driven to idle.
fn first_restart(script: impl FnOnce(&mut Supervisor)) -> Harness {
    let mut h = Harness::answering(http_config(), web(), Answer::fail());
    script(&mut h.supervisor);
    h.tick_and_drive(TickPeriod::Secs5);
    h
}

#[test]
fn restart_is_stop_then_start_in_order() {
    let h = first_restart(|_| {});
    let calls: Vec<_> = h.calls().into_iter().skip(1).collect();
    assert_eq!(
        calls,
        vec![
            (
                at_ms(150),
                Call::Stop {
                    target: "web:web".into()
                }
            ),
            (
                at_ms(350),
                Call::Start {
                    target: "web:web".into()
                }
            ),
        ]
    );
    assert_eq!(h.log_count("web:web: restarting"), 1);
    assert_eq!(h.logs_with("web:web: restarted")[0].0, at_ms(400));
    let records: Vec<_> = h
        .records()
        .into_iter()
        .filter(|(_, r)| {
            matches!(
                r,
                RecordUpdate::RestartAsked { .. } | RecordUpdate::RestartDone { .. }
            )
        })
        .collect();
    assert_eq!(records.len(), 2);
    assert!(matches!(records[0].1, RecordUpdate::RestartAsked { .. }));
    assert_eq!(records[1].0, at_ms(400));
    assert_eq!(h.engine.process("web:web").unwrap().pid, 100);
}

#[test]
fn stop_answered_not_running_does_not_start_it() {
    let h = first_restart(|s| s.script_stop("web:web", Err(fault(FaultCode::NotRunning))));
    assert_eq!(h.stops("web:web").len(), 1);
    assert!(h.starts("web:web").is_empty());
    assert_eq!(h.log_count("not running any more"), 1);
    assert_eq!(h.acks(), 1);
}

#[test]
fn start_answered_already_started_counts_as_done() {
    let h = first_restart(|s| s.script_start("web:web", Err(fault(FaultCode::AlreadyStarted))));
    assert_eq!(h.starts("web:web").len(), 1);
    assert_eq!(h.log_count("already started again by someone else"), 1);
    assert_eq!(h.restarts_done(), 1);
}

#[test]
fn stop_failing_otherwise_is_logged_not_started_and_restarted_on_a_later_tick() {
    let mut h = Harness::answering(http_config(), web(), Answer::fail());
    h.supervisor
        .script_stop("web:web", Err(CallFailure::other("connection reset")));
    h.ticks(TickPeriod::Secs5, 2);
    assert_eq!(
        h.log_count("web:web: could not stop it: connection reset"),
        1
    );
    assert_eq!(h.stops("web:web"), vec![at_ms(150), at_ms(5_150)]);
    // Only the second stop, which worked, is followed by a start.
    assert_eq!(h.starts("web:web"), vec![at_ms(5_350)]);
    assert_eq!(h.acks(), 2);
}

#[test]
fn start_failing_is_logged_and_not_counted_as_a_restart() {
    let h = first_restart(|s| s.script_start("web:web", Err(fault(FaultCode::SpawnError))));
    assert_eq!(h.log_count("web:web: could not start it"), 1);
    assert_eq!(h.restarts_done(), 0);
}

#[test]
fn process_restarting_is_skipped_by_the_next_tick() {
    let mut h = Harness::answering(http_config(), web(), Answer::fail());
    // stopProcess waits for the process to stop: 8 s here.
    h.supervisor.stop_delay = secs(8);
    h.ticks(TickPeriod::Secs5, 2);
    assert_eq!(h.stops("web:web"), vec![at_ms(150)]);
    assert_eq!(h.probes_of("web:web").len(), 1);
    assert_eq!(h.log_count("still being checked or restarted"), 1);
    assert_eq!(h.acks(), 2);
}

#[test]
fn failure_threshold_restarts_only_after_n_failures_in_a_row_across_ticks() {
    let mut h = Harness::started(restart_after(3), web());
    // fail, fail, pass, fail, fail, fail
    h.set_probes(|req| Answer::pass_if(req.nth == 2));
    h.ticks(TickPeriod::Secs5, 6);
    assert_eq!(h.stops("web:web"), vec![at_ms(25_150)]);
    assert_eq!(h.acks(), 6);
}

#[test]
fn failures_taking_different_times_still_count_in_a_row() {
    // A refused connection fails at once, a timeout only at its deadline:
    // neither is a sign that someone else restarted the process.
    let mut h = Harness::started(restart_after(2), web());
    h.set_probes(first_then(1, Answer::fail(), Answer::hung(secs(3))));
    h.ticks(TickPeriod::Secs5, 2);
    assert_eq!(h.log_count("web:web: http check failed"), 2);
    assert_eq!(h.stops("web:web"), vec![at_ms(8_050)]);
}

#[test]
fn process_started_by_hand_resets_the_failure_count() {
    let mut h = Harness::answering(restart_after(2), web(), Answer::fail());
    h.tick_and_drive(TickPeriod::Secs5);
    // An operator restarts it between the ticks: a newer start time.
    h.run_until(at_secs(3));
    let p = h.supervisor.process_mut("web:web").unwrap();
    p.start = i64::try_from(T0.secs() + 3).unwrap();
    p.pid = 4242;
    h.ticks_at(TickPeriod::Secs5, 1..3);
    // The second failure is the first of the new process: the restart
    // comes at the third.
    assert_eq!(h.stops("web:web"), vec![at_ms(10_150)]);
    assert_eq!(h.engine.process("web:web").unwrap().pid, 4242);
}

#[test]
fn failure_within_the_start_grace_is_not_a_restart() {
    let policy = Policy {
        start_grace: secs(30),
        ..Policy::DROP_IN
    };
    // Started 7 s before the first tick: in grace until about 23 s.
    let mut h = Harness::answering(
        with_policy(policy),
        vec![running("web:web", T0.secs() - 7)],
        Answer::fail(),
    );
    h.ticks(TickPeriod::Secs5, 6);
    assert_eq!(h.log_count("in its start grace period"), 5);
    assert_eq!(h.stops("web:web"), vec![at_ms(25_150)]);
}

#[test]
fn our_own_restart_starts_a_new_grace() {
    let policy = Policy {
        start_grace: secs(12),
        ..Policy::DROP_IN
    };
    let mut h = Harness::answering(with_policy(policy), web(), Answer::fail());
    h.ticks(TickPeriod::Secs5, 5);
    // Restarted at 0.4 s: failures until 12.4 s are in its grace (5 s and
    // 10 s); restarted again at 15.4 s, the failure at 20 s is in the new one.
    assert_eq!(h.log_count("in its start grace period"), 3);
    assert_eq!(h.logs_with("in its start grace period")[2].0, at_ms(20_150));
    assert_eq!(h.stops("web:web"), vec![at_ms(150), at_ms(15_150)]);
}

#[test]
fn restart_budget_spent_gives_up_once_and_restarts_no_more() {
    let policy = Policy {
        budget: Some(BudgetSpec {
            max_restarts: 2,
            period: secs(3600),
        }),
        ..Policy::DROP_IN
    };
    let mut h = Harness::answering(with_policy(policy), web(), Answer::fail());
    h.ticks(TickPeriod::Secs5, 6);
    assert_eq!(h.stops("web:web"), vec![at_ms(150), at_ms(5_150)]);
    assert_eq!(h.log_count("giving up after too many restarts"), 1);
    assert_eq!(h.logs_with("giving up")[0].0, at_ms(10_150));
    assert_eq!(h.log_count("restart budget spent, not restarting"), 3);
    assert_eq!(h.acks(), 6);
    let health: Vec<_> = h
        .engine
        .health(h.now)
        .map(|(_, s, left)| (s, left))
        .collect();
    assert_eq!(health, vec![("gave_up", Some(0))]);
}

#[test]
fn backoff_holds_the_second_restart_until_its_end() {
    let policy = Policy {
        backoff: Exponential {
            initial: secs(30),
            factor: 2,
            max: secs(300),
        },
        ..Policy::DROP_IN
    };
    let mut h = Harness::answering(with_policy(policy), web(), Answer::fail());
    h.ticks(TickPeriod::Secs5, 8);
    // Restarted at 0.4 s; the next restart is allowed 30 s later, and comes
    // then, from the engine's timer, not from a tick. Restarted again at
    // 30.65 s and failing at 35 s, the third waits 60 s more.
    assert_eq!(
        h.stops("web:web"),
        vec![at_ms(150), at_ms(30_400), at_ms(90_650)]
    );
    // Held back at 5 s to 30 s (six ticks) and at 35 s.
    assert_eq!(h.log_count("backing off, next restart allowed in"), 7);
    assert_eq!(h.acks(), 8);
}

#[test]
fn monitor_policy_reports_unhealthy_once_and_never_restarts() {
    let mut h = Harness::answering(
        with_policy(Policy::monitor(2, 2).unwrap()),
        web(),
        Answer::fail(),
    );
    h.ticks(TickPeriod::Secs5, 4);
    assert!(h.all_stops().is_empty());
    assert_eq!(h.log_count("web:web: unhealthy"), 1);
    assert_eq!(h.logs_with("web:web: unhealthy")[0].0, at_ms(5_150));
}

#[test]
fn recovered_process_is_logged_healthy_again() {
    let mut h = Harness::started(http_config(), web());
    h.set_probes(|req| Answer::pass_if(req.nth > 0));
    h.ticks(TickPeriod::Secs5, 3);
    assert_eq!(
        h.logs_with("web:web: healthy again"),
        vec![(at_ms(5_150), "web:web: healthy again".to_owned())]
    );
    assert!(
        h.outputs
            .iter()
            .filter(|(_, o)| matches!(o, Output::Call(Call::Stop { .. })))
            .count()
            == 1
    );
}
