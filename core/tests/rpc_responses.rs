//! methodResponse bodies: results and faults as supervisord 4.3.0 sends them.
#![allow(clippy::unwrap_used, clippy::panic, clippy::indexing_slicing)]

mod rpc_support;

use rpc_support::{
    FAULT_BAD_NAME, GET_API_VERSION, GET_STATE, MULTICALL, SIGNAL_GROUP, TRUE_REPLY, fault, int,
    response, structure,
};
use supercheck_core::rpc::{
    Fault, FaultCode, ReplyError, Response, RpcError, RpcErrorKind, Value, parse_reply,
};

fn fault_of(body: &[u8]) -> Fault<'_> {
    match Response::parse(body).unwrap() {
        Response::Fault(f) => f,
        other => panic!("expected a fault, got {other:?}"),
    }
}

#[test]
fn start_stop_and_signal_reply_true() {
    assert_eq!(parse_reply(TRUE_REPLY), Ok(Value::Bool(true)));
}

#[test]
fn get_api_version_replies_a_string() {
    assert_eq!(
        parse_reply(GET_API_VERSION).unwrap().as_text().unwrap(),
        "3.0"
    );
}

#[test]
fn get_state_replies_code_and_name() {
    let state = parse_reply(GET_STATE).unwrap().as_struct().unwrap();
    assert_eq!(state.get("statecode"), Some(Value::Int(1)));
    assert_eq!(
        state.get("statename").unwrap().as_text().unwrap(),
        "RUNNING"
    );
}

#[test]
fn bad_name_fault_has_code_string_and_detail() {
    let f = fault_of(FAULT_BAD_NAME);
    assert_eq!(f.code, FaultCode::BadName);
    assert_eq!(f.string, "BAD_NAME: nosuch");
    assert_eq!(f.detail().unwrap(), "nosuch");
    assert_eq!(f.to_string(), "BAD_NAME: nosuch (fault 10)");
}

#[test]
fn a_fault_is_an_error_of_parse_reply() {
    match parse_reply(FAULT_BAD_NAME) {
        Err(ReplyError::Fault(f)) => assert_eq!(f.code, FaultCode::BadName),
        other => panic!("{other:?}"),
    }
    let e = parse_reply(FAULT_BAD_NAME).unwrap_err();
    assert_eq!(
        e.to_string(),
        "supervisord fault: BAD_NAME: nosuch (fault 10)"
    );
}

#[test]
fn every_supervisord_fault_code_is_recognised() {
    for code in FaultCode::ALL {
        let name = code.name().unwrap();
        let body = fault(code.code(), &format!("{name}: web:web_8101"));
        let f = fault_of(body.as_bytes());
        assert_eq!(f.code, code);
        assert_eq!(f.detail().unwrap(), "web:web_8101");
    }
}

#[test]
fn faults_supervisord_documents_per_method_parse_as_sent() {
    let cases: [(&[u8], FaultCode, &str); 5] = [
        (
            b"<?xml version='1.0'?>\n<methodResponse>\n<fault>\n<value><struct>\n<member>\n<name>faultCode</name>\n<value><int>60</int></value>\n</member>\n<member>\n<name>faultString</name>\n<value><string>ALREADY_STARTED: web:web_8101</string></value>\n</member>\n</struct></value>\n</fault>\n</methodResponse>\n",
            FaultCode::AlreadyStarted,
            "ALREADY_STARTED: web:web_8101",
        ),
        (
            b"<?xml version='1.0'?>\n<methodResponse>\n<fault>\n<value><struct>\n<member>\n<name>faultCode</name>\n<value><int>70</int></value>\n</member>\n<member>\n<name>faultString</name>\n<value><string>NOT_RUNNING: idle</string></value>\n</member>\n</struct></value>\n</fault>\n</methodResponse>\n",
            FaultCode::NotRunning,
            "NOT_RUNNING: idle",
        ),
        (
            b"<?xml version='1.0'?>\n<methodResponse>\n<fault>\n<value><struct>\n<member>\n<name>faultCode</name>\n<value><int>11</int></value>\n</member>\n<member>\n<name>faultString</name>\n<value><string>BAD_SIGNAL: NOPE</string></value>\n</member>\n</struct></value>\n</fault>\n</methodResponse>\n",
            FaultCode::BadSignal,
            "BAD_SIGNAL: NOPE",
        ),
        (
            b"<?xml version='1.0'?>\n<methodResponse>\n<fault>\n<value><struct>\n<member>\n<name>faultCode</name>\n<value><int>1</int></value>\n</member>\n<member>\n<name>faultString</name>\n<value><string>UNKNOWN_METHOD</string></value>\n</member>\n</struct></value>\n</fault>\n</methodResponse>\n",
            FaultCode::UnknownMethod,
            "UNKNOWN_METHOD",
        ),
        (
            b"<?xml version='1.0'?>\n<methodResponse>\n<fault>\n<value><struct>\n<member>\n<name>faultCode</name>\n<value><int>20</int></value>\n</member>\n<member>\n<name>faultString</name>\n<value><string>NO_FILE: can't find command '/nonexistent/binary'</string></value>\n</member>\n</struct></value>\n</fault>\n</methodResponse>\n",
            FaultCode::NoFile,
            "NO_FILE: can't find command '/nonexistent/binary'",
        ),
    ];
    for (body, code, string) in cases {
        let f = fault_of(body);
        assert_eq!(
            (f.code, f.string),
            (code, supercheck_core::rpc::Text::new(string).unwrap())
        );
    }
}

#[test]
fn a_fault_string_without_detail_has_none() {
    let body = fault(2, "INCORRECT_PARAMETERS");
    let f = fault_of(body.as_bytes());
    assert_eq!(f.code, FaultCode::IncorrectParameters);
    assert_eq!(f.detail(), None);
}

#[test]
fn an_undefined_fault_code_is_kept() {
    let body = fault(999, "CUSTOM");
    let f = fault_of(body.as_bytes());
    assert_eq!(f.code, FaultCode::Other(999));
    assert_eq!(f.to_string(), "CUSTOM (fault 999)");
}

#[test]
fn fault_members_may_come_in_any_order_and_untyped() {
    let body = b"<methodResponse><fault><value><struct><member><name>faultString</name><value>SHUTDOWN_STATE</value></member><member><name>extra</name><value><int>1</int></value></member><member><name>faultCode</name><value><i4>6</i4></value></member></struct></value></fault></methodResponse>";
    let f = fault_of(body);
    assert_eq!(f.code, FaultCode::ShutdownState);
    assert_eq!(f.string, "SHUTDOWN_STATE");
}

#[test]
fn a_fault_without_fault_code_names_the_missing_member() {
    let body = b"<methodResponse><fault><value><struct><member><name>faultString</name><value>x</value></member></struct></value></fault></methodResponse>";
    assert_eq!(
        Response::parse(body),
        Err(RpcError::new(38, RpcErrorKind::MissingField("faultCode")))
    );
}

#[test]
fn a_fault_code_beyond_32_bits_is_a_field_type_error() {
    let body = b"<methodResponse><fault><value><struct><member><name>faultCode</name><value><int>4294967296</int></value></member><member><name>faultString</name><value>x</value></member></struct></value></fault></methodResponse>";
    assert_eq!(
        Response::parse(body),
        Err(RpcError::new(
            38,
            RpcErrorKind::FieldType {
                field: "faultCode",
                expected: "a 32-bit integer"
            }
        ))
    );
}

#[test]
fn a_fault_that_is_not_a_struct_is_refused_at_its_value() {
    let body = b"<methodResponse><fault><value><int>1</int></value></fault></methodResponse>";
    assert_eq!(
        Response::parse(body).unwrap_err(),
        RpcError::new(
            23,
            RpcErrorKind::Expected("a struct with faultCode and faultString")
        )
    );
}

#[test]
fn group_signal_results_carry_status_fault_codes() {
    let results = parse_reply(SIGNAL_GROUP).unwrap().as_array().unwrap();
    let mut names = Vec::new();
    for item in results {
        let s = item.as_struct().unwrap();
        let status = FaultCode::from_code(s.get("status").unwrap().as_int().unwrap() as i32);
        assert_eq!(status, FaultCode::Success);
        assert_eq!(s.get("description").unwrap().as_text().unwrap(), "OK");
        names.push(s.get("name").unwrap().as_text().unwrap().to_string());
    }
    assert_eq!(names, ["web_8101", "web_8102"]);
}

#[test]
fn multicall_results_mix_values_and_fault_structs() {
    let results: Vec<Value<'_>> = parse_reply(MULTICALL)
        .unwrap()
        .as_array()
        .unwrap()
        .iter()
        .collect();
    assert_eq!(results.len(), 2);
    let state = results[0].as_struct().unwrap();
    assert_eq!(state.get("statecode"), Some(Value::Int(1)));
    let f = Fault::from_struct(results[1].as_struct().unwrap()).unwrap();
    assert_eq!(f.code, FaultCode::BadName);
    assert_eq!(f.detail().unwrap(), "nosuch");
}

#[test]
fn into_result_separates_values_from_faults() {
    let body = response(&structure(&[("statecode", int(0))]));
    assert!(
        Response::parse(body.as_bytes())
            .unwrap()
            .into_result()
            .is_ok()
    );
    assert_eq!(
        Response::parse(FAULT_BAD_NAME)
            .unwrap()
            .into_result()
            .unwrap_err()
            .code,
        FaultCode::BadName
    );
}

#[test]
fn a_response_must_hold_exactly_one_param() {
    let none = b"<methodResponse><params></params></methodResponse>";
    assert_eq!(
        Response::parse(none).unwrap_err(),
        RpcError::new(24, RpcErrorKind::Expected("`<param>`"))
    );
    let two = b"<methodResponse><params><param><value>a</value></param><param><value>b</value></param></params></methodResponse>";
    assert_eq!(
        Response::parse(two).unwrap_err(),
        RpcError::new(55, RpcErrorKind::Expected("`</params>`"))
    );
}

#[test]
fn neither_params_nor_fault_is_refused() {
    let body = b"<methodResponse><value>a</value></methodResponse>";
    assert_eq!(
        Response::parse(body).unwrap_err(),
        RpcError::new(16, RpcErrorKind::Expected("`<params>` or `<fault>`"))
    );
}
