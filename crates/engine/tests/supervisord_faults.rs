//! supervisord failing to answer, answering with a fault, answering late,
//! coming back, and its process list changing under the engine.

mod support;

use supercheck_core::event::TickPeriod;
use supercheck_core::rpc::FaultCode;
use supercheck_engine::{Call, CallFailure, Selection};
use support::{Answer, Harness, at_ms, at_secs, fault, http_config, secs, web, web_and_db};

/// `web:web` failing every probe, and a first tick whose process list fails
/// with `failure`, driven to idle.
fn first_list_failing(failure: CallFailure) -> Harness {
    let mut h = Harness::answering(http_config(), web(), Answer::fail());
    h.supervisor.fail_next_list(failure);
    h.tick_and_drive(TickPeriod::Secs5);
    h
}

#[test]
fn process_list_failure_acknowledges_the_tick_and_checks_nothing() {
    let h = first_list_failing(CallFailure::other("connection refused"));
    assert_eq!(h.ack_instants(), vec![at_ms(50)]);
    assert!(h.probes().is_empty());
    assert!(h.all_stops().is_empty());
    assert_eq!(
        h.log_count(
            "cannot list processes: connection refused; nothing is checked or restarted this tick"
        ),
        1
    );
    assert_eq!(h.exit(), None);
}

#[test]
fn process_list_fault_acknowledges_the_tick_and_checks_nothing() {
    let h = first_list_failing(fault(FaultCode::ShutdownState));
    assert_eq!(h.acks(), 1);
    assert!(h.probes().is_empty());
    assert!(h.all_stops().is_empty());
    assert_eq!(h.log_count("cannot list processes: fault ShutdownState"), 1);
}

#[test]
fn supervisord_answering_again_on_the_next_tick_works() {
    let mut h = first_list_failing(CallFailure::other("connection refused"));
    h.run_until(at_secs(5));
    h.tick_and_drive(TickPeriod::Secs5);
    assert_eq!(h.lists(), vec![at_ms(0), at_secs(5)]);
    assert_eq!(h.probes().len(), 1);
    assert_eq!(h.stops("web:web"), vec![at_ms(5_150)]);
    assert_eq!(h.starts("web:web"), vec![at_ms(5_350)]);
    assert_eq!(h.acks(), 2);
}

#[test]
fn process_list_given_as_a_call_reply_counts_as_a_failed_list() {
    let mut h = Harness::new(http_config(), web());
    h.start();
    h.tick(TickPeriod::Secs5);
    let cycle = match h.calls()[0].1 {
        Call::ListProcesses { cycle, .. } => cycle,
        ref other => panic!("{other:?}"),
    };
    let call = Call::ListProcesses { cycle, expected: 0 };
    h.engine.handle_reply(h.now, &call, Ok(()));
    h.pump();
    assert_eq!(h.acks(), 1);
    assert_eq!(h.log_count("cannot list processes"), 1);
    // The real list arriving afterwards is ignored.
    h.drive();
    assert!(h.probes().is_empty());
    assert_eq!(h.acks(), 1);
}

#[test]
fn process_list_later_than_the_deadline_still_gets_its_processes_checked() {
    let mut h = Harness::answering(http_config(), web(), Answer::fail());
    h.supervisor.list_delay = secs(4) + support::ms(500);
    h.tick_and_drive(TickPeriod::Secs5);
    assert_eq!(h.ack_instants(), vec![at_secs(4)]);
    assert_eq!(h.stops("web:web"), vec![at_ms(4_600)]);
    assert_eq!(h.acks(), 1);
}

#[test]
fn process_list_of_a_replaced_round_is_ignored() {
    let mut h = Harness::started(http_config(), web());
    // The first list takes 7 s: the next tick's round has begun by then.
    h.supervisor.list_delay = secs(7);
    h.tick(TickPeriod::Secs5);
    h.run_until(at_secs(5));
    h.supervisor.list_delay = support::ms(50);
    h.tick_and_drive(TickPeriod::Secs5);
    assert_eq!(h.lists(), vec![at_ms(0), at_secs(5)]);
    // Only the second round probes.
    assert_eq!(h.probes().len(), 1);
    assert_eq!(h.probes()[0].0, at_ms(5_050));
    assert_eq!(h.acks(), 2);
}

#[test]
fn process_that_vanishes_from_the_list_is_forgotten() {
    let mut h = Harness::started(http_config(), web_and_db());
    h.tick_and_drive(TickPeriod::Secs5);
    assert!(h.engine.target_key("db:db").is_some());
    h.supervisor.processes.retain(|p| p.name != "db");
    h.run_until(at_secs(5));
    h.tick_and_drive(TickPeriod::Secs5);
    let forgotten: Vec<String> = h.forgets().iter().map(|k| k.to_string()).collect();
    assert_eq!(forgotten, vec!["db:db".to_owned()]);
    assert!(h.engine.target_key("db:db").is_none());
    assert!(h.engine.process("web:web").is_some());
    assert_eq!(h.engine.listed_last(), 1);
}

#[test]
fn named_program_missing_from_the_list_is_logged_once() {
    let mut config = http_config();
    config.single_mut().selection = Selection::AnyOf(vec!["web".into(), "ghost".into()]);
    let mut h = Harness::started(config, web());
    h.ticks(TickPeriod::Secs5, 3);
    assert_eq!(
        h.log_count("Programs not restarted because they did not exist: ['ghost']"),
        1
    );
    assert_eq!(h.probes().len(), 3);
}

#[test]
fn process_list_asks_room_for_as_many_processes_as_last_time() {
    let mut h = Harness::started(http_config(), web_and_db());
    h.ticks(TickPeriod::Secs5, 2);
    let expected: Vec<usize> = h
        .calls()
        .into_iter()
        .filter_map(|(_, c)| match c {
            Call::ListProcesses { expected, .. } => Some(expected),
            _ => None,
        })
        .collect();
    assert_eq!(expected, vec![0, 2]);
}
