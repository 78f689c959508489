//! How the engine ends: stdin closing (idle, mid-round, mid-restart, mid-event),
//! a stop signal, and a listener killed mid-tick that supervisord hands the
//! same tick again.

mod support;

use supercheck_core::event::TickPeriod;
use supercheck_engine::{CallFailure, Exit};
use support::{Answer, Harness, at_ms, http_config, ms, secs, tick_bytes, web, web_and_db};

#[test]
fn stdin_closed_while_idle_exits_clean() {
    let mut h = Harness::started(http_config(), web());
    h.close_stdin();
    assert_eq!(h.exit(), Some(Exit::Clean));
    assert_eq!(Exit::Clean.code(), 0);
    assert_eq!(h.log_count("stdin closed: supervisord is gone"), 1);
    assert_eq!(h.engine.input_room(), 0);
    assert_eq!(h.after_exit, 0);
}

#[test]
fn stdin_closed_after_the_ack_with_a_restart_in_flight_finishes_it_then_exits_clean() {
    let mut h = Harness::answering(http_config(), web(), Answer::fail());
    h.tick(TickPeriod::Secs5);
    // Acknowledged at 150 ms with the Stop asked; stopProcess answers at 350 ms.
    h.run_until(at_ms(200));
    assert_eq!(h.acks(), 1);
    h.close_stdin();
    assert_eq!(h.exit(), None, "the restart is finished first");
    h.drive();
    assert_eq!(h.starts("web:web"), vec![at_ms(350)]);
    assert_eq!(h.exited, Some((at_ms(400), Exit::Clean)));
    assert_eq!(h.log_count("web:web: restarted"), 1);
    assert_eq!(h.after_exit, 0);
}

#[test]
fn stdin_closed_mid_round_with_a_restart_in_flight_finishes_it_then_exits_clean() {
    let mut h = Harness::started(http_config(), web_and_db());
    h.set_probes_by_target(|target, _| match target {
        "web:web" => Some(Answer::fail()),
        _ => Some(Answer::hung(secs(10))),
    });
    h.tick(TickPeriod::Secs5);
    h.run_until(at_ms(200));
    assert!(h.engine.is_busy(), "db is still being checked");
    h.close_stdin();
    h.drive();
    assert_eq!(h.starts("web:web"), vec![at_ms(350)]);
    assert_eq!(h.exited, Some((at_ms(400), Exit::Clean)));
    assert_eq!(h.acks(), 0, "nobody is left to read it");
    assert_eq!(h.log_count("the round is abandoned"), 1);
}

#[test]
fn stdin_closed_with_a_stop_that_fails_exits_once_it_has_failed() {
    let mut h = Harness::answering(http_config(), web(), Answer::fail());
    h.supervisor
        .script_stop("web:web", Err(CallFailure::other("timed out")));
    h.tick(TickPeriod::Secs5);
    h.run_until(at_ms(200));
    h.close_stdin();
    h.drive();
    assert!(h.starts("web:web").is_empty());
    assert_eq!(h.exited, Some((at_ms(350), Exit::Clean)));
}

#[test]
fn stdin_closed_mid_round_without_a_restart_exits_at_once() {
    let mut h = Harness::answering(http_config(), web(), Answer::hung(secs(10)));
    h.tick(TickPeriod::Secs5);
    h.run_until(at_ms(100));
    h.close_stdin();
    assert_eq!(h.exited, Some((at_ms(100), Exit::Clean)));
    assert_eq!(h.log_count("the round is abandoned"), 1);
    h.drive();
    assert_eq!(h.acks(), 0);
    assert_eq!(h.after_exit, 0);
}

#[test]
fn stdin_closed_in_the_middle_of_an_event_ignores_it_and_exits_clean() {
    let mut h = Harness::started(http_config(), web());
    let bytes = tick_bytes(TickPeriod::Secs5, 1, 1_000_000);
    h.write_stdin(&bytes[..40]);
    h.close_stdin();
    assert_eq!(h.exit(), Some(Exit::Clean));
    assert_eq!(
        h.log_count("stdin closed in the middle of an event (40 bytes received)"),
        1
    );
    assert!(h.calls().is_empty());
}

#[test]
fn listener_killed_mid_tick_and_handed_the_tick_again_acknowledges_it_once() {
    let tick = tick_bytes(TickPeriod::Secs5, 7, 1_000_000);
    let mut first = Harness::started(http_config(), web());
    first.set_probes(|_| Answer::pass().after(secs(2)));
    first.write_stdin(&tick);
    first.run_until(at_ms(500));
    assert_eq!(first.acks(), 0);
    drop(first); // killed: supervisord starts a new listener and re-sends the tick.

    let mut second = Harness::started(http_config(), web());
    second.write_stdin(&tick);
    second.drive();
    assert_eq!(second.acks(), 1);
    assert_eq!(second.stdout, b"READY\nRESULT 2\nOKREADY\n");
    assert_eq!(second.lists().len(), 1);
}

#[test]
fn stop_signal_exits_clean_and_nothing_follows() {
    let mut h = Harness::answering(http_config(), web(), Answer::hung(secs(10)));
    h.tick(TickPeriod::Secs5);
    h.run_until(at_ms(100));
    h.signal(15);
    assert_eq!(h.exited, Some((at_ms(100), Exit::Clean)));
    assert_eq!(h.log_count("told to stop (signal 15)"), 1);
    assert_eq!(h.engine.poll_timeout(), None);
    h.signal(2);
    h.tick(TickPeriod::Secs5);
    h.close_stdin();
    h.drive();
    assert_eq!(h.after_exit, 0);
    assert_eq!(h.log_count("told to stop"), 1);
    assert_eq!(h.engine.handle_input(h.now + ms(1), b"x"), 0);
}

#[test]
fn unreadable_header_with_a_stop_in_flight_finishes_the_restart_then_exits_protocol_lost() {
    let mut h = Harness::answering(http_config(), web(), Answer::fail());
    h.tick(TickPeriod::Secs5);
    // Acknowledged at 150 ms with the Stop asked; stopProcess answers at 350 ms.
    h.run_until(at_ms(200));
    assert_eq!(h.acks(), 1);
    h.write_stdin(b"this is not a header\n");
    assert_eq!(h.exit(), None, "the restart is finished first");
    assert_eq!(h.engine.input_room(), 0, "nothing more is read");
    h.tick(TickPeriod::Secs5);
    h.drive();
    assert_eq!(h.starts("web:web"), vec![at_ms(350)]);
    assert_eq!(h.log_count("web:web: restarted"), 1);
    assert_eq!(h.exited, Some((at_ms(400), Exit::ProtocolLost)));
    assert_eq!(h.acks(), 1, "the tick after the lost header is not read");
    assert_eq!(h.log_count("protocol error"), 1);
    assert_eq!(h.after_exit, 0);
}

#[test]
fn unreadable_header_with_a_start_in_flight_exits_protocol_lost_once_it_is_answered() {
    let mut h = Harness::answering(http_config(), web(), Answer::fail());
    h.tick(TickPeriod::Secs5);
    // startProcess is asked at 350 ms and answers at 400 ms.
    h.run_until(at_ms(370));
    h.write_stdin(b"this is not a header\n");
    assert_eq!(h.exit(), None);
    h.drive();
    assert_eq!(h.exited, Some((at_ms(400), Exit::ProtocolLost)));
    assert_eq!(h.restarts_done(), 1);
}

#[test]
fn unreadable_header_with_a_stop_that_fails_exits_protocol_lost_once_it_has_failed() {
    let mut h = Harness::answering(http_config(), web(), Answer::fail());
    h.supervisor
        .script_stop("web:web", Err(CallFailure::other("timed out")));
    h.tick(TickPeriod::Secs5);
    h.run_until(at_ms(200));
    h.write_stdin(b"this is not a header\n");
    h.drive();
    assert!(h.starts("web:web").is_empty());
    assert_eq!(h.exited, Some((at_ms(350), Exit::ProtocolLost)));
}
