//! Process-info structs from getProcessInfo and getAllProcessInfo.
#![allow(clippy::unwrap_used, clippy::panic, clippy::indexing_slicing)]

mod rpc_support;

use rpc_support::{
    FAULT_BAD_NAME, GET_PROCESS_INFO_SOLO, GET_PROCESS_INFO_WEB_8101, array, int, process,
    process_members, response, string, structure,
};
use supercheck_core::names::{Namespec, ProcessId};
use supercheck_core::process::ProcessState;
use supercheck_core::rpc::{
    FaultCode, ProcessInfo, ProcessInfoIter, ReplyError, RpcError, RpcErrorKind,
};

#[test]
fn builder_writes_the_bytes_supervisord_4_3_0_sends() {
    let built = response(&process("web", "web_8101", ProcessState::Running, 12524));
    assert_eq!(built.as_bytes(), GET_PROCESS_INFO_WEB_8101);
}

#[test]
fn get_process_info_reply_fills_all_fourteen_fields() {
    let info = ProcessInfo::parse_reply(GET_PROCESS_INFO_WEB_8101).unwrap();
    assert_eq!(info.name, "web_8101");
    assert_eq!(info.group, "web");
    assert_eq!(info.start, 1795317094);
    assert_eq!(info.stop, 0);
    assert_eq!(info.now, 1795317100);
    assert_eq!(info.state, ProcessState::Running);
    assert_eq!(info.statename, "RUNNING");
    assert_eq!(info.spawnerr, "");
    assert_eq!(info.exitstatus, 0);
    assert_eq!(
        info.logfile,
        "/tmp/web_8101-stdout---supervisor-fybslq46.log"
    );
    assert_eq!(
        info.stdout_logfile,
        "/tmp/web_8101-stdout---supervisor-fybslq46.log"
    );
    assert_eq!(
        info.stderr_logfile,
        "/tmp/web_8101-stderr---supervisor-374sbs8y.log"
    );
    assert_eq!(info.pid, 12524);
    assert_eq!(info.description, "pid 12524, uptime 0:00:06");
    assert_eq!(
        info.id(),
        Some(ProcessId {
            group: "web",
            name: "web_8101"
        })
    );
}

#[test]
fn escaped_non_ascii_log_path_decodes_to_the_configured_path() {
    let info = ProcessInfo::parse_reply(GET_PROCESS_INFO_SOLO).unwrap();
    assert_eq!(
        info.stdout_logfile.raw(),
        "/tmp/rpccap/solo&amp;&lt;\u{e9}&gt;.log"
    );
    assert_eq!(info.stdout_logfile, "/tmp/rpccap/solo&<\u{e9}>.log");
    assert_eq!(info.logfile, info.stdout_logfile);
    let mut buf = [0u8; 64];
    assert_eq!(
        info.logfile.decode_into(&mut buf),
        Ok("/tmp/rpccap/solo&<\u{e9}>.log")
    );
    assert_eq!(
        info.id(),
        Some(ProcessId {
            group: "solo",
            name: "solo"
        })
    );
}

#[test]
fn get_process_info_fault_is_returned_as_fault() {
    match ProcessInfo::parse_reply(FAULT_BAD_NAME) {
        Err(ReplyError::Fault(f)) => assert_eq!(f.code, FaultCode::BadName),
        other => panic!("{other:?}"),
    }
}

#[test]
fn zero_processes_give_an_empty_iterator() {
    let body = response(&array(&[]));
    assert_eq!(
        ProcessInfoIter::parse_reply(body.as_bytes())
            .unwrap()
            .count(),
        0
    );
}

#[test]
fn all_process_info_yields_every_process_in_order() {
    let body = response(&array(&[
        process("broken", "broken", ProcessState::Fatal, 0),
        process("idle", "idle", ProcessState::Stopped, 0),
        process("web", "web_8101", ProcessState::Running, 12524),
        process("web", "web_8102", ProcessState::Backoff, 0),
    ]));
    let infos: Vec<ProcessInfo<'_>> = ProcessInfoIter::parse_reply(body.as_bytes())
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let summary: Vec<(String, ProcessState, u32)> = infos
        .iter()
        .map(|i| (i.id().unwrap().to_string(), i.state, i.pid))
        .collect();
    assert_eq!(
        summary,
        [
            ("broken:broken".to_owned(), ProcessState::Fatal, 0),
            ("idle:idle".to_owned(), ProcessState::Stopped, 0),
            ("web:web_8101".to_owned(), ProcessState::Running, 12524),
            ("web:web_8102".to_owned(), ProcessState::Backoff, 0),
        ]
    );
}

#[test]
fn many_processes_are_iterated_without_allocation_limits() {
    let items: Vec<String> = (0..1000u32)
        .map(|i| {
            process(
                "web",
                &format!("web_{}", 8000 + i),
                ProcessState::Running,
                10_000 + i,
            )
        })
        .collect();
    let body = response(&array(&items));
    let mut count = 0u32;
    for (i, info) in ProcessInfoIter::parse_reply(body.as_bytes())
        .unwrap()
        .enumerate()
    {
        let info = info.unwrap();
        assert_eq!(info.pid, 10_000 + i as u32);
        assert!(info.name.eq_str(&format!("web_{}", 8000 + i)));
        count += 1;
    }
    assert_eq!(count, 1000);
}

#[test]
fn every_process_state_code_is_read() {
    for state in ProcessState::ALL {
        let body = response(&process("g", "p", state, 0));
        assert_eq!(
            ProcessInfo::parse_reply(body.as_bytes()).unwrap().state,
            state
        );
    }
}

fn without(field: &str) -> String {
    let members: Vec<(&str, String)> = process_members("web", "web_8101", ProcessState::Running, 1)
        .into_iter()
        .filter(|(name, _)| *name != field)
        .collect();
    response(&structure(&members))
}

#[test]
fn a_missing_field_is_an_error_naming_it() {
    for field in [
        "name",
        "group",
        "start",
        "stop",
        "now",
        "state",
        "statename",
        "spawnerr",
        "exitstatus",
        "logfile",
        "stdout_logfile",
        "stderr_logfile",
        "pid",
        "description",
    ] {
        let body = without(field);
        match ProcessInfo::parse_reply(body.as_bytes()) {
            Err(ReplyError::Invalid(e)) => {
                assert_eq!(e.kind, RpcErrorKind::MissingField(field));
                // The struct's contents start after `<value><struct>`.
                assert_eq!(e.offset, 71);
                assert!(body[..e.offset].ends_with("<param>\n<value><struct>"));
            }
            other => panic!("{field}: {other:?}"),
        }
    }
}

#[test]
fn unknown_members_are_ignored() {
    let mut members = process_members("web", "web_8101", ProcessState::Running, 7);
    members.insert(3, ("cpu_affinity", array(&[int(0), int(1)])));
    members.push(("future", structure(&[("x", string("y"))])));
    let body = response(&structure(&members));
    assert_eq!(ProcessInfo::parse_reply(body.as_bytes()).unwrap().pid, 7);
}

#[test]
fn an_unknown_state_code_is_a_typed_error_at_its_member() {
    let mut members = process_members("web", "web_8101", ProcessState::Running, 7);
    members[5].1 = int(25);
    let body = response(&structure(&members));
    let e = match ProcessInfo::parse_reply(body.as_bytes()) {
        Err(ReplyError::Invalid(e)) => e,
        other => panic!("{other:?}"),
    };
    assert_eq!(e.kind, RpcErrorKind::UnknownState(25));
    assert!(body[e.offset..].starts_with("<member>\n<name>state</name>"));
}

#[test]
fn a_member_of_the_wrong_type_names_field_and_expectation() {
    let mut members = process_members("web", "web_8101", ProcessState::Running, 7);
    members[12].1 = string("7");
    let body = response(&structure(&members));
    let e = ProcessInfo::parse_reply(body.as_bytes()).unwrap_err();
    let ReplyError::Invalid(e) = e else {
        panic!("{e:?}")
    };
    assert_eq!(
        e.kind,
        RpcErrorKind::FieldType {
            field: "pid",
            expected: "an integer"
        }
    );
    assert!(body[e.offset..].starts_with("<member>\n<name>pid</name>"));

    let mut members = process_members("web", "web_8101", ProcessState::Running, 7);
    members[12].1 = int(-1);
    let body = response(&structure(&members));
    let ReplyError::Invalid(e) = ProcessInfo::parse_reply(body.as_bytes()).unwrap_err() else {
        panic!()
    };
    assert_eq!(
        e.kind,
        RpcErrorKind::FieldType {
            field: "pid",
            expected: "a process id (0 to 4294967295)"
        }
    );

    let mut members = process_members("web", "web_8101", ProcessState::Running, 7);
    members[0].1 = int(1);
    let body = response(&structure(&members));
    let ReplyError::Invalid(e) = ProcessInfo::parse_reply(body.as_bytes()).unwrap_err() else {
        panic!()
    };
    assert_eq!(
        e.kind,
        RpcErrorKind::FieldType {
            field: "name",
            expected: "a string"
        }
    );
}

#[test]
fn a_bad_element_yields_an_error_and_iteration_goes_on() {
    let body = response(&array(&[
        process("a", "a", ProcessState::Running, 1),
        int(5),
        structure(&[("name", string("half"))]),
        process("b", "b", ProcessState::Running, 2),
    ]));
    let results: Vec<Result<ProcessInfo<'_>, RpcError>> =
        ProcessInfoIter::parse_reply(body.as_bytes())
            .unwrap()
            .collect();
    assert_eq!(results.len(), 4);
    assert_eq!(results[0].unwrap().pid, 1);
    let e = results[1].unwrap_err();
    assert_eq!(e.kind, RpcErrorKind::Expected("a process-info struct"));
    assert!(body[e.offset..].starts_with("<value><int>5</int>"));
    assert_eq!(
        results[2].unwrap_err().kind,
        RpcErrorKind::MissingField("group")
    );
    assert_eq!(results[3].unwrap().pid, 2);
}

#[test]
fn a_reply_that_is_not_an_array_is_refused_at_its_value() {
    let body = response(&string("nope"));
    let ReplyError::Invalid(e) = ProcessInfoIter::parse_reply(body.as_bytes()).unwrap_err() else {
        panic!()
    };
    assert_eq!(
        e,
        RpcError::new(
            56,
            RpcErrorKind::Expected("an array of process-info structs")
        )
    );
    assert!(body[e.offset..].starts_with("<value><string>nope"));
    let ReplyError::Invalid(e) = ProcessInfo::parse_reply(body.as_bytes()).unwrap_err() else {
        panic!()
    };
    assert_eq!(e.kind, RpcErrorKind::Expected("a process-info struct"));
}

#[test]
fn id_is_none_when_names_carry_entities() {
    let body = response(&process("a&b", "p", ProcessState::Running, 1));
    let info = ProcessInfo::parse_reply(body.as_bytes()).unwrap();
    assert_eq!(info.id(), None);
    assert_eq!(info.group, "a&b");
}

#[test]
fn namespecs_select_processes_by_decoded_names() {
    let body = response(&process("web", "web_8101", ProcessState::Running, 1));
    let info = ProcessInfo::parse_reply(body.as_bytes()).unwrap();
    for (spec, selected) in [
        ("web:web_8101", true),
        ("web_8101", true),
        ("web:*", true),
        ("web:", true),
        ("web:web_8102", false),
        ("db:*", false),
        ("web", false),
    ] {
        assert_eq!(
            info.is_selected_by(&Namespec::parse(spec)),
            selected,
            "{spec}"
        );
    }
}
