//! A new configuration while running (an agent's SIGHUP): the watches whose
//! settings did not change keep their state and their schedule, the others
//! start afresh, a refused configuration changes nothing, and a reload never
//! restarts anything.

mod support;

use supercheck_core::health::Policy;
use supercheck_core::time::Duration;
use supercheck_engine::{EngineConfig, Exit};
use support::{Answer, Harness, agent, at_ms, at_secs, ms, secs, web};

/// `web_http` every second, restarting after three failures in a row.
fn three_strikes() -> EngineConfig {
    let mut config = agent(&[("web_http", "web:*", Some(secs(1)))]);
    config.single_mut().policy = Policy {
        failure_threshold: 3,
        ..Policy::DROP_IN
    };
    config
}

#[allow(
    clippy::unwrap_used,
    reason = "a test's new configuration is valid, or the test itself is wrong"
)]
fn reload(h: &mut Harness, config: EngineConfig) {
    let now = h.now;
    h.engine.reconfigure(now, config).unwrap();
    h.pump();
}

#[test]
fn an_unchanged_check_keeps_its_failures_across_a_reload() {
    let mut h = Harness::answering(three_strikes(), web(), Answer::fail());
    h.run_until(at_ms(1_500));
    assert!(h.stops("web:web").is_empty(), "two failures so far");
    reload(&mut h, three_strikes());
    h.run_until(at_ms(2_500));
    // The third failure (at 2 s, on the same schedule) restarts it.
    assert_eq!(h.stops("web:web"), vec![at_ms(2_150)]);
    assert_eq!(
        h.log_count(
            "configuration reloaded: 1 check(s) kept with their state, 0 new or changed, 0 dropped"
        ),
        1
    );
}

#[test]
fn a_changed_check_starts_afresh() {
    let mut h = Harness::answering(three_strikes(), web(), Answer::fail());
    h.run_until(at_ms(1_500));
    let mut changed = three_strikes();
    changed.watches[0].policy.success_threshold = 2;
    reload(&mut h, changed);
    // Run at once (1.5 s), then at 2.5 s: two failures of a new machine.
    h.run_until(at_ms(3_000));
    assert!(h.stops("web:web").is_empty());
    h.run_until(at_ms(3_700));
    assert_eq!(h.stops("web:web"), vec![at_ms(3_650)]);
    assert_eq!(
        h.log_count(
            "configuration reloaded: 0 check(s) kept with their state, 1 new or changed, 1 dropped"
        ),
        1
    );
}

#[test]
fn a_refused_configuration_changes_nothing() {
    let mut h = Harness::answering(three_strikes(), web(), Answer::fail());
    h.run_until(at_ms(1_500));
    let mut broken = three_strikes();
    broken.watches[0].interval = Some(Duration::ZERO);
    let error = h.engine.reconfigure(h.now, broken).unwrap_err();
    assert_eq!(error.to_string(), "check web_http: interval is zero");
    h.pump();
    assert_eq!(h.log_count("configuration reloaded"), 0);
    // The old configuration goes on: its third failure restarts.
    h.run_until(at_ms(2_500));
    assert_eq!(h.stops("web:web"), vec![at_ms(2_150)]);
}

#[test]
fn a_reload_abandons_the_round_under_way_and_restarts_nothing() {
    let mut config = agent(&[("web_http", "web:*", Some(secs(5)))]);
    config.watches[0].policy = Policy::DROP_IN;
    let mut h = Harness::answering(config.clone(), web(), Answer::fail().after(secs(1)));
    // Probed at 50 ms, failing at 1.05 s: reloaded at 500 ms.
    h.run_until(at_ms(500));
    reload(&mut h, config);
    h.run_until(at_ms(1_200));
    assert!(
        h.stops("web:web").is_empty(),
        "the abandoned verdict does not count"
    );
    assert!(h.verdicts_of("web:web").is_empty());
    // The next round (at 5 s, the kept schedule) checks again.
    h.run_until(at_ms(6_100));
    assert_eq!(h.stops("web:web"), vec![at_ms(6_050)]);
}

#[test]
fn a_restart_under_way_is_finished_across_a_reload() {
    let config = agent(&[("web_http", "web:*", Some(secs(10)))]);
    let mut h = Harness::answering(config, web(), Answer::fail());
    // Stop asked at 150 ms, answered at 350 ms.
    h.run_until(at_ms(200));
    reload(&mut h, agent(&[("other", "db:*", Some(secs(10)))]));
    h.run_until(at_ms(1_000));
    assert_eq!(h.starts("web:web"), vec![at_ms(350)]);
    assert_eq!(h.restarts_done(), 1);
}

#[test]
fn a_dropped_check_runs_no_more_and_a_new_one_runs_at_once() {
    let mut h = Harness::started(agent(&[("old", "web:*", Some(secs(1)))]), web());
    h.run_until(at_ms(1_500));
    reload(&mut h, agent(&[("new", "web:*", Some(secs(3)))]));
    h.run_until(at_ms(5_000));
    let probes: Vec<_> = h
        .probes()
        .into_iter()
        .map(|(at, t)| (at, t.check))
        .collect();
    assert_eq!(
        probes,
        vec![
            (at_ms(50), 0),
            (at_ms(1_050), 0),
            (at_ms(1_550), 0),
            (at_ms(4_550), 0)
        ]
    );
}

#[test]
fn a_hundred_reloads_of_the_same_file_keep_one_schedule_and_restart_nothing() {
    let mut h = Harness::started(three_strikes(), web());
    for _ in 0..100 {
        reload(&mut h, three_strikes());
    }
    h.run_until(at_secs(3) + ms(500));
    assert!(h.all_stops().is_empty());
    assert_eq!(
        h.lists(),
        vec![at_ms(0), at_secs(1), at_secs(2), at_secs(3)]
    );
}

#[test]
fn a_reload_after_the_exit_changes_nothing_and_asks_for_nothing() {
    // `a` fails at 150 ms; its restart waits for `b`'s verdict (1.05 s).
    let config = agent(&[("a", "web:*", Some(secs(5))), ("b", "web:*", Some(secs(5)))]);
    let mut h = Harness::new(config.clone(), web());
    h.set_probes(|req| {
        if req.check == 0 {
            Answer::fail()
        } else {
            Answer::pass().after(secs(1))
        }
    });
    h.start();
    h.run_until(at_ms(500));
    h.signal(15);
    // A HUP handled after the TERM, in the same batch of signals.
    let reloaded = h.engine.reconfigure(h.now, config).unwrap();
    h.pump();
    assert!(h.all_stops().is_empty(), "the pending restart is not asked");
    assert_eq!(h.after_exit, 0, "no output after the exit");
    assert_eq!(h.log_count("configuration reloaded"), 0);
    assert_eq!(reloaded, supercheck_engine::Reloaded::default());
}

#[test]
fn a_reload_during_once_checks_the_round_again_and_still_ends() {
    let mut config = agent(&[("web_http", "web:*", None)]);
    config.once = true;
    // Probed at 50 ms, passing at 1.05 s; reloaded at 500 ms.
    let mut h = Harness::answering(config.clone(), web(), Answer::pass().after(secs(1)));
    h.run_until(at_ms(500));
    reload(&mut h, config);
    h.drive();
    assert_eq!(
        h.exited,
        Some((at_ms(1_550), Exit::Clean)),
        "the dry run ends"
    );
    assert_eq!(h.lists(), vec![at_ms(0), at_ms(500)]);
    assert_eq!(h.prints(), vec!["web:web: pass".to_owned()]);
}
