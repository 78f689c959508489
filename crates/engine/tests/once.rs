//! `--once`: one round of checks, verdicts printed, nothing restarted, no
//! protocol, and an exit status that says whether everything passed.

mod support;

use supercheck_core::event::TickPeriod;
use supercheck_engine::{CallFailure, EngineConfig, Exit};
use support::{Answer, Harness, at_ms, http_config, secs, web, web_and_db};

fn once() -> EngineConfig {
    let mut config = http_config();
    config.once = true;
    config
}

#[test]
fn once_mode_writes_no_ready_and_prints_each_verdict() {
    let mut h = Harness::started(once(), web_and_db());
    assert!(h.stdout.is_empty(), "no READY");
    h.drive();
    let mut prints = h.prints();
    prints.sort();
    assert_eq!(
        prints,
        vec!["db:db: pass".to_owned(), "web:web: pass".to_owned()]
    );
    assert!(h.stdout.is_empty());
    assert_eq!(h.lists(), vec![at_ms(0)]);
}

#[test]
fn once_mode_exits_clean_when_all_pass() {
    let mut h = Harness::started(once(), web());
    h.drive();
    assert_eq!(h.exited, Some((at_ms(150), Exit::Clean)));
    assert_eq!(h.after_exit, 0);
}

#[test]
fn once_mode_prints_would_restart_instead_of_stopping_and_exits_once_failed() {
    let mut h = Harness::started(once(), web_and_db());
    h.set_probes_by_target(|target, _| (target == "web:web").then(Answer::fail));
    h.drive();
    let prints = h.prints();
    assert!(
        prints.contains(&"web:web: fail: bad HTTP status 500".to_owned()),
        "{prints:?}"
    );
    assert!(prints.contains(&"web:web: would restart (bad HTTP status 500)".to_owned()));
    assert!(prints.contains(&"db:db: pass".to_owned()));
    assert!(h.all_stops().is_empty());
    assert_eq!(h.exit(), Some(Exit::OnceFailed));
    assert_eq!(Exit::OnceFailed.code(), 1);
}

#[test]
fn once_mode_exits_once_failed_when_a_process_could_not_be_checked() {
    let mut h = Harness::answering(once(), web(), Answer::error());
    h.drive();
    assert_eq!(h.exit(), Some(Exit::OnceFailed));
    assert!(!h.prints().iter().any(|p| p.contains("would restart")));
}

#[test]
fn once_mode_exits_once_failed_when_supervisord_cannot_be_asked() {
    let mut h = Harness::new(once(), web());
    h.supervisor
        .fail_next_list(CallFailure::other("no such file"));
    h.start();
    h.drive();
    assert_eq!(h.exit(), Some(Exit::OnceFailed));
    assert!(h.probes().is_empty());
}

#[test]
fn once_mode_takes_no_events() {
    let mut h = Harness::answering(once(), web(), Answer::pass().after(secs(1)));
    h.tick_and_drive(TickPeriod::Secs5);
    assert!(h.stdout.is_empty());
    assert_eq!(h.lists().len(), 1);
    assert_eq!(h.exit(), Some(Exit::Clean));
}

#[test]
fn once_mode_never_writes_protocol_bytes_even_for_a_probe_outlasting_the_hour() {
    let mut h = Harness::answering(once(), web(), Answer::hung(secs(7200)));
    h.drive();
    assert!(
        h.stdout.is_empty(),
        "{:?}",
        String::from_utf8_lossy(&h.stdout)
    );
    assert_eq!(h.exit(), Some(Exit::OnceFailed));
}
