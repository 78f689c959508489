//! Per-process rounds: retry plans in virtual time, how the checks' verdicts
//! combine, a hung process next to a healthy one, selection, cpu windows.

mod support;

use supercheck_core::check::verdict::{FailReason, Verdict};
use supercheck_core::event::TickPeriod;
use supercheck_core::process::ProcessState;
use supercheck_engine::CheckRule;
use support::{
    Answer, Harness, at_ms, at_secs, config, cpu_config, http_config, long_running, ms, retrying,
    secs, web, web_and_db,
};

/// Two checks: `http` (0) then `memory` (1), one attempt each.
fn http_and_memory() -> supercheck_engine::EngineConfig {
    config(vec![CheckRule::new("http"), CheckRule::new("memory")])
}

#[test]
fn supervisor_checks_plan_waits_three_then_six_seconds_after_failed_attempts() {
    let mut h = Harness::answering(retrying(2), web(), Answer::refused());
    h.tick_and_drive(TickPeriod::Secs60);
    let attempts: Vec<_> = h
        .probes_of("web:web")
        .into_iter()
        .map(|(t, p)| (t, p.attempt))
        .collect();
    // Attempt 1 at 50 ms fails at 150 ms; attempt 2 at 3.150 s fails at
    // 3.250 s; attempt 3 at 9.250 s fails at 9.350 s: the verdict.
    assert_eq!(
        attempts,
        vec![(at_ms(50), 1), (at_ms(3_150), 2), (at_ms(9_250), 3)]
    );
    assert_eq!(h.verdicts_of("web:web").len(), 1);
    assert_eq!(h.verdicts_of("web:web")[0].0, at_ms(9_350));
    assert_eq!(h.stops("web:web"), vec![at_ms(9_350)]);
    assert_eq!(h.ack_instants(), vec![at_ms(9_350)]);
    assert_eq!(h.log_count("attempt 1 failed"), 1);
    assert_eq!(h.log_count("attempt 2 failed"), 1);
}

#[test]
fn retries_outlasting_a_tick_5_deadline_still_restart_after_the_ack() {
    let mut h = Harness::answering(retrying(2), web(), Answer::refused());
    h.tick_and_drive(TickPeriod::Secs5);
    assert_eq!(h.ack_instants(), vec![at_secs(4)]);
    assert_eq!(h.probes_of("web:web").len(), 3);
    assert_eq!(h.stops("web:web"), vec![at_ms(9_350)]);
}

#[test]
fn retry_that_passes_gives_a_pass_and_no_restart() {
    let mut h = Harness::started(retrying(2), web());
    h.set_probes(|req| {
        if req.attempt == 1 {
            Answer::refused()
        } else {
            Answer::pass()
        }
    });
    h.tick_and_drive(TickPeriod::Secs60);
    assert_eq!(h.probes_of("web:web").len(), 2);
    assert_eq!(
        h.verdicts_of("web:web"),
        vec![(at_ms(3_250), Verdict::Pass)]
    );
    assert!(h.all_stops().is_empty());
    assert_eq!(h.acks(), 1);
}

#[test]
fn failure_not_worth_retrying_is_not_retried() {
    let mut h = Harness::answering(retrying(2), web(), Answer::fail());
    h.tick_and_drive(TickPeriod::Secs60);
    assert_eq!(h.probes_of("web:web").len(), 1);
    assert_eq!(h.stops("web:web"), vec![at_ms(150)]);
}

#[test]
fn error_verdict_is_never_retried_and_never_restarts() {
    let mut h = Harness::answering(retrying(2), web(), Answer::error());
    h.ticks(TickPeriod::Secs5, 3);
    assert_eq!(h.probes_of("web:web").len(), 3, "one attempt per tick");
    assert!(h.all_stops().is_empty());
    assert_eq!(h.acks(), 3);
    assert_eq!(h.log_count("could not run"), 3);
    assert_eq!(h.log_count("not restarting"), 3);
    assert_eq!(h.log_count("1 could not be checked"), 3);
}

#[test]
fn first_failing_check_decides_without_waiting_for_the_others() {
    let mut h = Harness::started(http_and_memory(), web());
    h.set_probes(|req| match req.check {
        0 => Answer::pass().after(secs(3)),
        _ => Answer::fail(),
    });
    h.tick_and_drive(TickPeriod::Secs5);
    assert_eq!(h.stops("web:web"), vec![at_ms(150)]);
    assert_eq!(h.ack_instants(), vec![at_ms(150)]);
    assert_eq!(h.log_count("web:web: memory check failed"), 1);
    // The http check's later pass changes nothing.
    assert_eq!(h.verdicts_of("web:web").len(), 1);
    assert_eq!(h.log_count("all passed"), 0);
}

#[test]
fn an_error_and_a_pass_make_an_error_and_no_restart() {
    let mut h = Harness::started(http_and_memory(), web());
    h.set_probes(|req| match req.check {
        0 => Answer::error(),
        _ => Answer::pass().after(ms(300)),
    });
    h.tick_and_drive(TickPeriod::Secs5);
    assert!(h.all_stops().is_empty());
    assert_eq!(h.ack_instants(), vec![at_ms(350)]);
    assert_eq!(h.log_count("1 could not be checked"), 1);
}

#[test]
fn every_check_of_a_process_is_probed_each_tick() {
    let mut h = Harness::started(http_and_memory(), web());
    h.tick_and_drive(TickPeriod::Secs5);
    let checks: Vec<usize> = h.probes().into_iter().map(|(_, p)| p.check).collect();
    assert_eq!(checks, vec![0, 1]);
    assert_eq!(h.ack_instants(), vec![at_ms(150)]);
}

#[test]
fn hung_process_never_delays_another_process_verdict() {
    let mut h = Harness::started(http_config(), web_and_db());
    h.set_probes_by_target(|target, _| (target == "web:web").then(|| Answer::hung(secs(10))));
    h.tick_and_drive(TickPeriod::Secs5);
    // db's verdict and its log line come at its own time.
    assert_eq!(h.verdicts_of("db:db"), vec![(at_ms(150), Verdict::Pass)]);
    let passed = h.logs_with("db:db: http check passed");
    assert_eq!(passed.len(), 1);
    assert_eq!(passed[0].0, at_ms(150));
    assert_eq!(h.verdicts_of("web:web")[0].0, at_ms(10_050));
}

#[test]
fn tick_with_hung_process_restarts_only_that_process() {
    let mut h = Harness::started(http_config(), web_and_db());
    h.set_probes_by_target(|target, _| (target == "web:web").then(|| Answer::hung(secs(10))));
    h.tick_and_drive(TickPeriod::Secs5);
    assert_eq!(h.ack_instants(), vec![at_secs(4)]);
    assert_eq!(h.all_stops(), vec![(at_ms(10_050), "web:web".to_owned())]);
    assert_eq!(h.starts("web:web").len(), 1);
    assert!(h.stops("db:db").is_empty());
    assert!(matches!(
        h.verdicts_of("web:web")[0].1,
        Verdict::Fail(FailReason::ResponseTimeout { .. })
    ));
}

#[test]
fn process_still_being_checked_is_skipped_by_the_next_tick() {
    let mut h = Harness::started(http_config(), web_and_db());
    h.set_probes_by_target(|target, req| {
        (target == "web:web" && req.nth == 0).then(|| Answer::hung(secs(12)))
    });
    h.ticks(TickPeriod::Secs5, 4);
    assert_eq!(h.acks(), 4);
    // web is probed at 0 s, hangs until 12.05 s, and is checked again at 15 s.
    let web: Vec<_> = h.probes_of("web:web").into_iter().map(|(t, _)| t).collect();
    assert_eq!(web, vec![at_ms(50), at_ms(15_050)]);
    assert_eq!(h.probes_of("db:db").len(), 4);
    assert_eq!(h.log_count("web:web: still being checked or restarted"), 2);
}

#[test]
fn process_not_in_a_checked_state_is_not_probed() {
    let mut stopped = long_running("db:db");
    stopped.state = ProcessState::Stopped;
    let mut h = Harness::started(http_config(), vec![long_running("web:web"), stopped]);
    h.tick_and_drive(TickPeriod::Secs5);
    assert!(h.probes_of("db:db").is_empty());
    assert_eq!(h.probes_of("web:web").len(), 1);
    assert_eq!(h.acks(), 1);
}

#[test]
fn no_process_to_check_acknowledges_at_once() {
    let mut stopped = long_running("web:web");
    stopped.state = ProcessState::Fatal;
    let mut h = Harness::started(http_config(), vec![stopped]);
    h.tick_and_drive(TickPeriod::Secs5);
    assert_eq!(h.ack_instants(), vec![at_ms(50)]);
    assert_eq!(h.log_count("No processes in state RUNNING found"), 1);
}

#[test]
fn cpu_over_the_limit_passes_until_it_has_been_over_for_the_interval_then_fails() {
    let mut h = Harness::answering(cpu_config(80, secs(10)), web(), Answer::cpu(95));
    h.ticks(TickPeriod::Secs5, 4);
    let verdicts: Vec<_> = h
        .verdicts_of("web:web")
        .into_iter()
        .map(|(t, v)| (t, v.kind()))
        .collect();
    use supercheck_core::check::verdict::VerdictKind::{Fail, Pass};
    // Over since 0.15 s: at 10.15 s it has been over for exactly the
    // interval (still a pass); at 15.15 s for longer: a failure.
    assert_eq!(
        verdicts,
        vec![
            (at_ms(150), Pass),
            (at_ms(5_150), Pass),
            (at_ms(10_150), Pass),
            (at_ms(15_150), Fail),
        ]
    );
    assert_eq!(h.stops("web:web"), vec![at_ms(15_150)]);
    assert_eq!(h.log_count("web:web: cpu check failed"), 1);
}

#[test]
fn cpu_usage_at_or_below_the_limit_resets_the_stretch() {
    let mut h = Harness::started(cpu_config(80, secs(10)), web());
    // Hot, hot, cool, hot, hot, hot: never over for longer than 10 s.
    h.set_probes(|req| Answer::cpu(if req.nth == 2 { 50 } else { 95 }));
    h.ticks(TickPeriod::Secs5, 6);
    assert_eq!(h.verdicts_of("web:web").len(), 6);
    assert!(
        h.verdicts_of("web:web")
            .iter()
            .all(|(_, v)| *v == Verdict::Pass)
    );
    assert!(h.all_stops().is_empty());
}

#[test]
fn cpu_usage_for_a_check_without_a_limit_is_an_error() {
    let mut h = Harness::answering(http_config(), web(), Answer::cpu(95));
    h.tick_and_drive(TickPeriod::Secs5);
    assert!(matches!(h.verdicts_of("web:web")[0].1, Verdict::Error(_)));
    assert!(h.all_stops().is_empty());
}

#[test]
fn without_checks_each_tick_is_acknowledged_once_the_process_list_is_in() {
    let mut h = Harness::started(config(vec![]), web_and_db());
    h.ticks(TickPeriod::Secs5, 3);
    // Nothing to wait for: each tick ends with its process list, 50 ms in.
    assert_eq!(
        h.ack_instants(),
        vec![at_ms(50), at_ms(5_050), at_ms(10_050)]
    );
    assert_eq!(h.lists().len(), 3);
    assert!(h.probes().is_empty());
    assert!(h.verdicts_of("web:web").is_empty());
    assert!(h.all_stops().is_empty());
    assert_eq!(h.log_count("still being checked"), 0);
    assert_eq!(h.log_count("No processes"), 0);
    assert!(!h.engine.is_busy());
    assert_eq!(h.log_count("no check configured"), 1);
}

#[test]
fn without_checks_once_mode_ends_once_the_process_list_is_in() {
    let mut once = config(vec![]);
    once.once = true;
    let mut h = Harness::started(once, web());
    h.drive();
    assert_eq!(h.exited, Some((at_ms(50), supercheck_engine::Exit::Clean)));
    assert!(h.probes().is_empty());
}

#[test]
fn process_listed_twice_is_checked_once_and_its_round_ends() {
    let mut h = Harness::started(http_config(), vec![long_running("web:web"); 2]);
    h.tick_and_drive(TickPeriod::Secs5);
    assert_eq!(h.probes_of("web:web").len(), 1);
    assert_eq!(h.ack_instants(), vec![at_ms(150)]);
    assert_eq!(h.log_count("1 process(es) checked: all passed"), 1);
}
