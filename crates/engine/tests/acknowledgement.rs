//! When the engine writes `READY` and `RESULT`: the first `READY`, a tick's
//! acknowledgement (verdicts in and restarts asked for, or its deadline),
//! coalesced stale ticks, other events, malformed and unreadable ones, and
//! how much of stdin the engine takes.

mod support;

use supercheck_core::event::TickPeriod;
use supercheck_engine::{ACK_AND_READY, Call, Exit, Output};
use support::{
    Answer, Harness, at_ms, at_secs, count_occurrences, http_config, secs, web, web_and_db,
};

#[test]
fn ready_is_written_first_and_alone() {
    let h = Harness::started(http_config(), web());
    assert_eq!(h.stdout, b"READY\n");
    assert_eq!(h.outputs.len(), 1);
    assert_eq!(h.outputs[0].1, Output::Protocol(b"READY\n"));
    assert_eq!(h.acks(), 0);
    assert!(!h.engine.is_busy());
}

#[test]
fn handle_start_twice_writes_ready_once() {
    let mut h = Harness::started(http_config(), web());
    h.start();
    assert_eq!(count_occurrences(&h.stdout, b"READY\n"), 1);
}

#[test]
fn tick_is_acknowledged_once_every_selected_process_has_a_verdict() {
    let mut h = Harness::started(http_config(), web_and_db());
    h.set_probes_by_target(|target, _| {
        (target == "db:db").then(|| Answer::pass().after(support::ms(700)))
    });
    h.tick(TickPeriod::Secs5);
    assert!(h.engine.is_busy());
    h.drive();
    assert_eq!(h.acks(), 1);
    // The list answers at 50 ms; web passes at 150 ms, db at 750 ms.
    assert_eq!(h.verdicts_of("web:web")[0].0, at_ms(150));
    assert_eq!(h.verdicts_of("db:db")[0].0, at_ms(750));
    assert_eq!(h.ack_instants(), vec![at_ms(750)]);
    assert_eq!(h.log_count("2 process(es) checked: all passed"), 1);
    assert!(!h.engine.is_busy());
    assert_eq!(h.stdout, b"READY\nRESULT 2\nOKREADY\n");
}

#[test]
fn tick_is_acknowledged_after_the_restart_it_decided_was_asked_for() {
    let mut h = Harness::answering(http_config(), web(), Answer::fail());
    h.tick_and_drive(TickPeriod::Secs5);
    assert_eq!(h.acks(), 1);
    let stop = h.indices(|o| matches!(o, Output::Call(Call::Stop { .. })));
    let ack = h.ack_indices();
    assert_eq!(stop.len(), 1);
    assert!(stop[0] < ack[0], "the Stop is asked before the RESULT");
    // It does not wait for the restart to finish.
    assert_eq!(h.ack_instants(), vec![at_ms(150)]);
    assert_eq!(h.stops("web:web"), vec![at_ms(150)]);
    assert_eq!(h.starts("web:web"), vec![at_ms(350)]);
}

#[test]
fn tick_5_with_a_hung_probe_is_acknowledged_four_seconds_after_the_round_started() {
    let mut h = Harness::answering(http_config(), web(), Answer::hung(secs(10)));
    h.tick(TickPeriod::Secs5);
    assert!(h.drive_until(|h| h.acks() == 1));
    assert_eq!(h.now, at_secs(4));
    h.run_until(at_secs(5));
    assert_eq!(h.ack_instants(), vec![at_secs(4)]);
    assert_eq!(h.probes_in_flight(), 1, "the probe goes on");
    assert!(h.all_stops().is_empty());
}

#[test]
fn tick_60_with_a_hung_probe_is_acknowledged_59_seconds_after_the_round_started() {
    let mut h = Harness::answering(http_config(), web(), Answer::hung(secs(120)));
    h.tick_and_drive(TickPeriod::Secs60);
    assert_eq!(h.ack_instants(), vec![at_secs(59)]);
}

#[test]
fn hung_probe_verdict_after_the_deadline_still_counts_and_restarts_after_the_ack() {
    let mut h = Harness::answering(http_config(), web(), Answer::hung(secs(10)));
    h.tick_and_drive(TickPeriod::Secs5);
    assert_eq!(h.ack_instants(), vec![at_secs(4)]);
    // The probe was asked at 50 ms and times out 10 s later.
    assert_eq!(h.stops("web:web"), vec![at_ms(10_050)]);
    assert_eq!(h.starts("web:web"), vec![at_ms(10_250)]);
    assert_eq!(h.acks(), 1, "no second RESULT for the late verdict");
    assert_eq!(h.log_count("web:web: http check failed"), 1);
    assert_eq!(h.log_count("1 process(es) checked: 0 passed, 1 failed"), 1);
}

#[test]
fn stale_tick_within_half_a_period_is_acknowledged_at_once_and_coalesced() {
    let mut h = Harness::started(http_config(), web());
    h.tick_and_drive(TickPeriod::Secs5);
    assert_eq!(h.ack_instants(), vec![at_ms(150)]);
    // supervisord queued a second TICK_5 while the first was handled.
    h.run_until(at_secs(2));
    h.tick(TickPeriod::Secs5);
    assert_eq!(h.ack_instants(), vec![at_ms(150), at_secs(2)]);
    h.drive();
    assert_eq!(h.lists().len(), 1, "no second process list");
    assert_eq!(h.probes().len(), 1);
    assert_eq!(h.acks(), 2);
}

#[test]
fn stale_ticks_queued_together_are_each_acknowledged_once_and_coalesced() {
    let mut h = Harness::started(http_config(), web());
    // Three ticks in the pipe at once: the first starts a round, the two
    // others arrive while it is under way and wait for its RESULT.
    h.tick(TickPeriod::Secs5);
    h.tick(TickPeriod::Secs5);
    h.tick_and_drive(TickPeriod::Secs5);
    assert_eq!(h.acks(), 3);
    assert_eq!(h.ack_instants(), vec![at_ms(150); 3]);
    assert_eq!(h.lists().len(), 1);
}

#[test]
fn tick_after_half_a_period_starts_a_new_round() {
    let mut h = Harness::started(http_config(), web());
    h.tick_and_drive(TickPeriod::Secs5);
    h.run_until(at_ms(2_500));
    h.tick_and_drive(TickPeriod::Secs5);
    assert_eq!(h.lists(), vec![at_ms(0), at_ms(2_500)]);
    assert_eq!(h.acks(), 2);
    assert_eq!(h.ack_instants()[1], at_ms(2_650));
}

#[test]
fn other_events_are_acknowledged_at_once() {
    let mut h = Harness::started(http_config(), web());
    h.event("SUPERVISOR_STATE_CHANGE_RUNNING", "");
    h.event(
        "PROCESS_STATE_EXITED",
        "processname:web groupname:web from_state:RUNNING expected:0 pid:42",
    );
    h.event(
        "PROCESS_STATE_RUNNING",
        "processname:web groupname:web from_state:STARTING pid:43",
    );
    assert_eq!(h.acks(), 3);
    assert_eq!(h.ack_instants(), vec![at_ms(0); 3]);
    h.drive();
    assert!(h.calls().is_empty(), "no process list for a non-tick event");
    assert!(h.probes().is_empty());
}

#[test]
fn malformed_payload_is_skipped_and_acknowledged_and_the_next_event_follows() {
    let mut h = Harness::started(http_config(), web());
    h.write_stdin(b"eventname:TICK_5 len:4\nnope");
    assert_eq!(h.acks(), 1);
    assert_eq!(h.log_count("malformed event skipped"), 1);
    assert!(h.calls().is_empty());
    h.tick_and_drive(TickPeriod::Secs5);
    assert_eq!(h.acks(), 2);
    assert_eq!(h.lists().len(), 1);
    assert_eq!(h.exit(), None);
}

#[test]
fn unreadable_header_loses_the_stream_and_exits_protocol_lost() {
    let mut h = Harness::started(http_config(), web());
    h.write_stdin(b"this is not a header\n");
    assert_eq!(h.exit(), Some(Exit::ProtocolLost));
    assert_eq!(Exit::ProtocolLost.code(), 1);
    assert_eq!(h.acks(), 0);
    assert_eq!(h.log_count("protocol error"), 1);
    // Nothing is taken or written afterwards.
    h.tick_and_drive(TickPeriod::Secs5);
    assert_eq!(h.acks(), 0);
    assert_eq!(h.after_exit, 0);
    assert_eq!(h.engine.poll_timeout(), None);
}

#[test]
fn bytes_beyond_input_room_are_not_taken() {
    let mut h = Harness::started(http_config(), web());
    let room = h.engine.input_room();
    assert!(room > 0);
    let big = vec![b'x'; room + 10];
    let taken = h.engine.handle_input(h.now, &big);
    assert_eq!(taken, room);
    assert_eq!(h.engine.handle_input(h.now, b"more"), 0);
}

#[test]
fn event_split_across_reads_is_decoded_once_whole() {
    let mut h = Harness::started(http_config(), web());
    let bytes = support::tick_bytes(TickPeriod::Secs5, 1, 1_000_000);
    let (head, tail) = bytes.split_at(30);
    h.write_stdin(head);
    assert!(!h.engine.is_busy());
    assert!(h.calls().is_empty());
    let (middle, last) = tail.split_at(tail.len() - 3);
    h.write_stdin(middle);
    assert!(h.calls().is_empty());
    h.write_stdin(last);
    assert!(h.engine.is_busy());
    h.drive();
    assert_eq!(h.acks(), 1);
    assert_eq!(h.lists().len(), 1);
}

#[test]
fn event_written_during_a_round_is_acknowledged_after_the_round() {
    let mut h = Harness::answering(http_config(), web(), Answer::pass().after(secs(1)));
    h.tick(TickPeriod::Secs5);
    h.run_until(at_ms(500));
    h.event("SUPERVISOR_STATE_CHANGE_RUNNING", "");
    assert_eq!(h.acks(), 0, "one event at a time");
    h.drive();
    assert_eq!(h.ack_instants(), vec![at_ms(1_050), at_ms(1_050)]);
    let acks = h.ack_indices();
    assert_eq!(h.outputs[acks[0]].1, Output::Protocol(ACK_AND_READY));
}
