//! Several watches in one engine (an agent): each on its own schedule or on
//! every TICK, one process list per cycle for the watches due together, and
//! one arbiter per process, so that however many watches fail it, it is
//! restarted once with every reason.

mod support;

use supercheck_core::check::verdict::FailReason;
use supercheck_core::event::TickPeriod;
use supercheck_core::time::Duration;
use supercheck_engine::{Call, CallFailure, Watch};
use support::{Answer, Harness, agent, at_ms, at_secs, long_running, ms, secs, web, web_and_db};

/// Both watches' machines were told of the restart of the one process.
fn assert_both_told_of_the_restart(h: &Harness) {
    let states: Vec<_> = h
        .engine
        .watch_health(h.now)
        .map(|(_, watch, state, _)| (watch, state))
        .collect();
    assert!(states.contains(&(0, "restarting")), "{states:?}");
    assert!(states.contains(&(1, "restarting")), "{states:?}");
}

fn every(secs_: u64) -> Option<Duration> {
    Some(secs(secs_))
}

#[test]
fn a_watch_with_an_interval_runs_on_its_own_timer_without_any_tick() {
    let mut h = Harness::started(agent(&[("web_http", "web:*", every(1))]), web());
    h.run_until(at_ms(3_500));
    assert_eq!(
        h.lists(),
        vec![at_ms(0), at_secs(1), at_secs(2), at_secs(3)]
    );
    let probes: Vec<_> = h.probes().into_iter().map(|(at, _)| at).collect();
    assert_eq!(
        probes,
        vec![at_ms(50), at_ms(1_050), at_ms(2_050), at_ms(3_050)]
    );
    assert_eq!(h.acks(), 0, "no event came, none is acknowledged");
    // An interval's summaries are details, not one line a second.
    assert_eq!(h.logs().iter().filter(|(_, l)| !l.detail).count(), 0);
}

#[test]
fn a_tick_with_only_interval_watches_is_acknowledged_at_once_without_a_list() {
    let mut h = Harness::started(agent(&[("web_http", "web:*", every(60))]), web());
    h.run_until(at_ms(500));
    h.run_until(at_secs(5));
    h.tick(TickPeriod::Secs5);
    assert_eq!(h.ack_instants(), vec![at_secs(5)]);
    assert_eq!(h.lists(), vec![at_ms(0)], "the tick asked for no list");
}

#[test]
fn a_hung_service_is_restarted_within_its_interval_plus_its_timeout() {
    let mut h = Harness::new(agent(&[("web_http", "web:*", every(1))]), web());
    let hang = at_ms(10_300);
    h.set_probes(move |req| {
        if req.now >= hang {
            Answer::hung(secs(2))
        } else {
            Answer::pass()
        }
    });
    h.start();
    h.run_until(at_secs(20));
    let stops = h.stops("web:web");
    // Probed at 11.05 s, no answer by 13.05 s: stopped then (and again
    // each time the restarted service hangs once more).
    assert_eq!(stops[0], at_ms(13_050));
    assert!(stops[0] <= hang + secs(1) + secs(2) + ms(50));
}

#[test]
fn watches_due_together_share_one_process_list() {
    let config = agent(&[
        ("web_http", "web:*", every(2)),
        ("db_tcp", "db:*", every(2)),
        ("all_mem", "*", every(1)),
    ]);
    let mut h = Harness::started(config, web_and_db());
    h.run_until(at_ms(2_500));
    // One list at 0 s for all three, one at 1 s, one at 2 s.
    assert_eq!(h.lists(), vec![at_ms(0), at_secs(1), at_secs(2)]);
    let at_zero: Vec<(String, usize)> = h
        .probes()
        .into_iter()
        .filter(|(at, _)| *at == at_ms(50))
        .map(|(_, t)| (t.target.to_string(), t.check))
        .collect();
    assert_eq!(at_zero.len(), 4, "{at_zero:?}");
    assert!(at_zero.contains(&("web:web".into(), 0)));
    assert!(at_zero.contains(&("db:db".into(), 1)));
    assert!(at_zero.contains(&("web:web".into(), 2)));
    assert!(at_zero.contains(&("db:db".into(), 2)));
    // At 0 s and at 2 s all three are due; at 1 s only `all_mem`.
    assert_eq!(h.log_count("4 check(s) of 2 process(es): all passed"), 2);
    assert_eq!(h.log_count("2 process(es) checked: all passed"), 1);
}

#[test]
fn tick_watches_run_on_ticks_and_interval_watches_on_their_own() {
    let config = agent(&[("on_tick", "web:*", None), ("often", "web:*", every(1))]);
    let mut h = Harness::started(config, web());
    h.run_until(at_ms(500));
    h.tick(TickPeriod::Secs5);
    h.run_until(at_ms(2_500));
    let on_tick: Vec<_> = h
        .probes()
        .into_iter()
        .filter(|(_, t)| t.check == 0)
        .map(|(at, _)| at)
        .collect();
    assert_eq!(on_tick, vec![at_ms(550)]);
    assert_eq!(h.ack_instants(), vec![at_ms(650)]);
    let often = h.probes().iter().filter(|(_, t)| t.check == 1).count();
    assert_eq!(often, 3, "at 0, 1 and 2 s");
}

#[test]
fn two_watches_failing_a_process_in_one_cycle_restart_it_once_with_both_reasons() {
    let config = agent(&[
        ("web_http", "web:*", every(5)),
        ("web_mem", "web:*", every(5)),
    ]);
    let mut h = Harness::new(config, web());
    h.set_probes(|req| {
        if req.check == 0 {
            Answer::fail()
        } else {
            Answer::fail_with(FailReason::RssOverLimit {
                rss_kib: 300_000,
                limit_kib: 200_000,
            })
            .after(ms(400))
        }
    });
    h.start();
    h.run_until(at_secs(2));
    // The http verdict (150 ms) waits for the memory one (450 ms): one stop.
    assert_eq!(h.stops("web:web"), vec![at_ms(450)]);
    let restarting = h.logs_with("web:web: restarting (");
    assert_eq!(restarting.len(), 1);
    assert!(
        restarting[0]
            .1
            .ends_with("(web_http: bad HTTP status 500; web_mem: RSS 300000 KiB is over the limit of 200000 KiB)"),
        "{restarting:?}"
    );
    assert_eq!(h.restarts_done(), 1);
    assert_both_told_of_the_restart(&h);
}

#[test]
fn a_watch_failing_while_another_watch_restarts_the_process_joins_that_restart() {
    let config = agent(&[("on_tick", "web:*", None), ("slow", "web:*", every(10))]);
    let mut h = Harness::new(config, web());
    h.supervisor.stop_delay = secs(2);
    // `slow` probes at 50 ms and fails a second later; `on_tick` fails at
    // 650 ms in the tick's cycle: the restart is under way (stopped at
    // 650 ms, answered at 2.65 s) when `slow`'s verdict comes.
    h.set_probes(|req| {
        if req.check == 1 {
            Answer::fail().after(secs(1))
        } else {
            Answer::fail()
        }
    });
    h.start();
    h.run_until(at_ms(500));
    h.tick(TickPeriod::Secs5);
    h.run_until(at_ms(4_000));
    assert_eq!(h.stops("web:web"), vec![at_ms(650)]);
    assert_eq!(
        h.log_count("web:web [slow]: failing (bad HTTP status 500); already being restarted"),
        1
    );
    assert_eq!(h.restarts_done(), 1);
    assert_both_told_of_the_restart(&h);
}

#[test]
fn each_watch_checks_only_its_own_targets() {
    let config = agent(&[
        ("web_http", "web:*", every(10)),
        ("db_tcp", "db:db", every(10)),
    ]);
    let mut h = Harness::started(config, vec![long_running("web:web"), long_running("db:db")]);
    h.run_until(at_secs(1));
    let pairs: Vec<(String, usize)> = h
        .probes()
        .into_iter()
        .map(|(_, t)| (t.target.to_string(), t.check))
        .collect();
    assert_eq!(pairs.len(), 2);
    assert!(pairs.contains(&("web:web".into(), 0)));
    assert!(pairs.contains(&("db:db".into(), 1)));
}

#[test]
fn a_watch_that_finds_no_process_says_so_once_not_every_interval() {
    let config = agent(&[("ghost", "ghost:*", every(1))]);
    let mut h = Harness::started(config, web());
    h.run_until(at_ms(5_500));
    assert_eq!(h.lists().len(), 6);
    assert_eq!(
        h.log_count("No processes in state RUNNING found for ghost:*"),
        1
    );
    assert_eq!(
        h.log_count("Programs not restarted because they did not exist: ['ghost:*']"),
        1
    );
}

#[test]
fn supervisord_down_is_logged_once_for_an_interval_and_checked_again_when_back() {
    let mut h = Harness::new(agent(&[("web_http", "web:*", every(1))]), web());
    for _ in 0..5 {
        h.supervisor
            .lists
            .push_back(Some(CallFailure::other("connection refused")));
    }
    h.start();
    h.run_until(at_ms(4_500));
    assert_eq!(h.lists().len(), 5);
    assert_eq!(h.log_count("cannot list processes"), 1);
    assert!(h.probes().is_empty());
    h.run_until(at_ms(5_500));
    assert_eq!(h.probes().len(), 1);
}

#[test]
fn zero_interval_is_refused_naming_the_watch() {
    let mut config = agent(&[("web_http", "web:*", every(1))]);
    config.watches[0].interval = Some(Duration::ZERO);
    let error = supercheck_engine::Engine::new(config).unwrap_err();
    assert_eq!(error.to_string(), "check web_http: interval is zero");
    let mut config = agent(&[("web_http", "web:*", None)]);
    config.watches.push(Watch::new(
        "broken",
        config.watches[0].selection.clone(),
        0..3,
    ));
    let error = supercheck_engine::Engine::new(config).unwrap_err();
    assert_eq!(
        error.to_string(),
        "check broken: its checks are not configured"
    );
}

#[test]
fn stop_calls_name_the_process_once_per_restart() {
    let config = agent(&[("a", "web:*", every(1)), ("b", "web:*", every(1))]);
    let mut h = Harness::answering(config, web(), Answer::fail());
    h.run_until(at_ms(900));
    let stops: Vec<_> = h
        .calls()
        .into_iter()
        .filter(|(_, c)| matches!(c, Call::Stop { .. }))
        .collect();
    assert_eq!(stops.len(), 1);
}
