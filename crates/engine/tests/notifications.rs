//! Notifications: one alert per process per window, the count held back
//! carried by the next one, one "recovered" after an alert, and only a log
//! line when no channel sends.

mod support;

use supercheck_core::event::TickPeriod;
use supercheck_core::health::{BudgetSpec, Policy};
use supercheck_core::time::Duration;
use supercheck_engine::{EngineConfig, NotifyRule};
use support::{Answer, Harness, at_ms, http_config, secs, web, web_and_db};

fn notifying(window: Duration, sends: bool) -> EngineConfig {
    let mut config = http_config();
    config.notify = Some(NotifyRule {
        tool: "supercheck",
        check_name: "web-check".into(),
        window,
        sends,
    });
    config
}

#[test]
fn one_alert_per_process_per_window_with_the_suppressed_count_in_the_next() {
    let mut h = Harness::answering(notifying(secs(600), true), web(), Answer::fail());
    // A failure (and a restart) every minute for ten minutes and more.
    h.ticks(TickPeriod::Secs60, 11);
    assert_eq!(h.all_stops().len(), 11);
    let notices = h.notices();
    assert_eq!(notices.len(), 2, "{notices:#?}");
    assert_eq!(notices[0].0, at_ms(150));
    assert_eq!(notices[0].1.kind, "alert");
    assert_eq!(notices[0].1.subject, "supercheck: web:web restarted");
    assert_eq!(notices[0].1.suppressed, 0);
    assert!(notices[0].1.body.contains("\"web-check\""));
    assert!(notices[0].1.body.contains("bad HTTP status 500"));
    // The nine restarts between were held back, and counted in the next one.
    assert_eq!(notices[1].0, at_ms(600_150));
    assert_eq!(notices[1].1.suppressed, 9);
    assert!(
        notices[1]
            .1
            .body
            .contains("9 more events for web:web were suppressed since the previous message.")
    );
}

#[test]
fn alerts_are_throttled_per_process() {
    let mut h = Harness::answering(notifying(secs(600), true), web_and_db(), Answer::fail());
    h.ticks(TickPeriod::Secs60, 3);
    let mut processes: Vec<String> = h
        .notices()
        .into_iter()
        .map(|(_, n)| n.process.to_string())
        .collect();
    processes.sort();
    assert_eq!(processes, vec!["db:db".to_owned(), "web:web".to_owned()]);
}

#[test]
fn one_recovered_message_after_an_alert() {
    let mut h = Harness::started(notifying(secs(600), true), web());
    h.set_probes(|req| Answer::pass_if(req.nth > 0));
    h.ticks(TickPeriod::Secs60, 4);
    let notices = h.notices();
    let kinds: Vec<&str> = notices.iter().map(|(_, n)| n.kind).collect();
    assert_eq!(kinds, vec!["alert", "recovered"]);
    assert_eq!(notices[1].0, at_ms(60_150));
    assert_eq!(notices[1].1.subject, "supercheck: web:web recovered");
    assert_eq!(notices[1].1.body, "supercheck sees web:web healthy again.");
}

#[test]
fn flapping_within_a_window_gives_one_alert_and_one_recovery() {
    let mut h = Harness::started(notifying(secs(600), true), web());
    // fail, pass, fail, pass, ... every minute for six minutes.
    h.set_probes(|req| Answer::pass_if(req.nth % 2 == 1));
    h.ticks(TickPeriod::Secs60, 6);
    assert_eq!(h.all_stops().len(), 3);
    let kinds: Vec<&str> = h.notices().iter().map(|(_, n)| n.kind).collect();
    assert_eq!(kinds, vec!["alert", "recovered"]);
}

#[test]
fn giving_up_is_notified_once() {
    let mut config = notifying(secs(30), true);
    config.single_mut().policy = Policy {
        budget: Some(BudgetSpec {
            max_restarts: 1,
            period: secs(3600),
        }),
        ..Policy::DROP_IN
    };
    let mut h = Harness::answering(config, web(), Answer::fail());
    h.ticks(TickPeriod::Secs60, 4);
    let subjects: Vec<String> = h.notices().into_iter().map(|(_, n)| n.subject).collect();
    assert_eq!(
        subjects,
        vec![
            "supercheck: web:web restarted".to_owned(),
            "supercheck: web:web given up: restart budget spent".to_owned(),
        ]
    );
    assert_eq!(h.all_stops().len(), 1);
}

#[test]
fn without_a_channel_a_problem_is_logged_not_mailed_and_no_notice_is_sent() {
    let mut h = Harness::started(notifying(secs(600), false), web());
    h.set_probes(|req| Answer::pass_if(req.nth >= 2));
    h.ticks(TickPeriod::Secs60, 3);
    assert!(h.notices().is_empty());
    assert_eq!(
        h.log_count("not mailed (no -m or --webhook): Subject: supercheck: web:web restarted"),
        2,
        "not throttled: it is only a log line"
    );
}

#[test]
fn without_notification_settings_nothing_is_said_about_mail() {
    let mut h = Harness::answering(http_config(), web(), Answer::fail());
    h.ticks(TickPeriod::Secs60, 2);
    assert!(h.notices().is_empty());
    assert_eq!(h.log_count("not mailed"), 0);
}
