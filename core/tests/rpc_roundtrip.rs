//! Encode, then parse back: calls, params and escaped text survive the trip.
#![allow(clippy::unwrap_used, clippy::panic, clippy::indexing_slicing)]

use proptest::prelude::*;
use supercheck_core::rpc::entity::escape_into;
use supercheck_core::rpc::{
    EncodeError, MethodCall, Param, Response, SupervisorCall, Text, Value, parse_call,
};
use supercheck_core::wire::Writer;

/// Characters XML 1.0 can carry, biased towards the ones that need escaping.
fn xml_string() -> impl Strategy<Value = String> {
    let special = prop::sample::select(vec![
        '&', '<', '>', '"', '\'', '\r', '\n', '\t', ';', '#', 'é', '日', '😀',
    ]);
    let any_char = any::<char>().prop_filter("XML 1.0 Char", |c| {
        matches!(*c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
    });
    prop::collection::vec(prop_oneof![special, any_char], 0..40)
        .prop_map(|chars| chars.into_iter().collect())
}

fn encode(call: &MethodCall<'_>) -> Vec<u8> {
    let mut buf = vec![0u8; 64 * 1024];
    let mut w = Writer::new(&mut buf);
    call.encode(&mut w).unwrap();
    w.written().to_vec()
}

fn decoded(t: Text<'_>) -> String {
    let mut buf = vec![0u8; t.decoded_len()];
    t.decode_into(&mut buf).unwrap().to_owned()
}

proptest! {
    #[test]
    fn string_params_come_back_unchanged(method in xml_string(), strings in prop::collection::vec(xml_string(), 0..6)) {
        let params: Vec<Param<'_>> = strings.iter().map(|s| Param::Str(s)).collect();
        let body = encode(&MethodCall { method: &method, params: &params });
        let call = parse_call(&body).unwrap();
        prop_assert!(call.method.eq_str(&method));
        let back: Vec<String> = call.params.iter().map(|v| decoded(v.as_text().unwrap())).collect();
        prop_assert_eq!(back, strings);
    }

    #[test]
    fn int_and_bool_params_come_back_unchanged(ints in prop::collection::vec(any::<i32>(), 0..8), flag in any::<bool>()) {
        let mut params: Vec<Param<'_>> = ints.iter().map(|n| Param::Int(*n)).collect();
        params.push(Param::Bool(flag));
        let body = encode(&MethodCall { method: "m", params: &params });
        let values: Vec<Value<'_>> = parse_call(&body).unwrap().params.iter().collect();
        let (last, rest) = values.split_last().unwrap();
        prop_assert_eq!(*last, Value::Bool(flag));
        let back: Vec<i64> = rest.iter().map(|v| v.as_int().unwrap()).collect();
        prop_assert_eq!(back, ints.iter().map(|n| i64::from(*n)).collect::<Vec<_>>());
    }

    #[test]
    fn nested_array_and_struct_params_come_back_unchanged(name in xml_string(), key in xml_string(), value in xml_string(), n in any::<i32>()) {
        let inner = [Param::Str(&value), Param::Int(n)];
        let members = [(key.as_str(), Param::Array(&inner)), ("flag", Param::Bool(true))];
        let outer = [Param::Str(&name), Param::Struct(&members)];
        let params = [Param::Array(&outer)];
        let body = encode(&MethodCall { method: "system.multicall", params: &params });
        let call = parse_call(&body).unwrap();
        let top = call.params.iter().next().unwrap().as_array().unwrap();
        let mut items = top.iter();
        prop_assert!(items.next().unwrap().as_text().unwrap().eq_str(&name));
        let s = items.next().unwrap().as_struct().unwrap();
        prop_assert!(items.next().is_none());
        let got = s.get(&key).unwrap().as_array().unwrap();
        let got: Vec<Value<'_>> = got.iter().collect();
        prop_assert!(got[0].as_text().unwrap().eq_str(&value));
        prop_assert_eq!(got[1], Value::Int(i64::from(n)));
        prop_assert_eq!(s.get("flag"), Some(Value::Bool(true)));
    }

    #[test]
    fn escaped_text_decodes_to_the_original(s in xml_string()) {
        let mut buf = vec![0u8; s.len() * 6 + 8];
        let mut w = Writer::new(&mut buf);
        escape_into(&s, &mut w).unwrap();
        let escaped = std::str::from_utf8(w.written()).unwrap().to_owned();
        prop_assert!(!escaped.contains('<'));
        let t = Text::new(&escaped).unwrap();
        prop_assert!(t.eq_str(&s));
        prop_assert_eq!(t.decoded_len(), s.len());
        prop_assert_eq!(decoded(t), s.clone());
        prop_assert_eq!(t.to_string(), s.clone());
        prop_assert!(t.chars().eq(s.chars()));
    }

    #[test]
    fn strings_with_forbidden_characters_are_refused_by_the_encoder(s in xml_string(), c in prop::sample::select(vec!['\u{0}', '\u{8}', '\u{1f}', '\u{fffe}', '\u{ffff}'])) {
        let bad = format!("{s}{c}");
        let params = [Param::Str(&bad)];
        let mut buf = vec![0u8; 4096];
        let mut w = Writer::new(&mut buf);
        prop_assert_eq!(MethodCall { method: "m", params: &params }.encode(&mut w), Err(EncodeError::ForbiddenChar(c)));
    }

    #[test]
    fn arbitrary_bytes_never_panic_the_response_parser(body in prop::collection::vec(any::<u8>(), 0..256)) {
        if let Ok(Response::Value(Value::Array(a))) = Response::parse(&body) {
            let _ = a.len();
        }
    }

    #[test]
    fn mutated_real_replies_never_panic_and_walk_fully(pos in 0usize..400, byte in any::<u8>()) {
        let mut body = b"<?xml version='1.0'?>\n<methodResponse>\n<params>\n<param>\n<value><array><data>\n<value><struct>\n<member>\n<name>name</name>\n<value><string>a&amp;b</string></value>\n</member>\n<member>\n<name>n</name>\n<value><array><data>\n<value><int>1</int></value>\n<value><boolean>0</boolean></value>\n</data></array></value>\n</member>\n</struct></value>\n</data></array></value>\n</param>\n</params>\n</methodResponse>\n".to_vec();
        let at = pos % body.len();
        body[at] = byte;
        if let Ok(Response::Value(v)) = Response::parse(&body) {
            let mut stack = vec![v];
            while let Some(v) = stack.pop() {
                match v {
                    Value::Array(a) => stack.extend(a.iter()),
                    Value::Struct(s) => stack.extend(s.members().map(|m| m.value)),
                    Value::String(t) => { let _ = decoded(t); }
                    _ => {}
                }
            }
        }
    }
}

#[test]
fn every_supervisor_call_parses_back_to_its_method_and_params() {
    let calls = [
        (SupervisorCall::GetAllProcessInfo, vec![]),
        (
            SupervisorCall::GetProcessInfo("web:web_8101"),
            vec![Value::String(Text::new("web:web_8101").unwrap())],
        ),
        (
            SupervisorCall::StartProcess {
                name: "a&b",
                wait: true,
            },
            vec![
                Value::String(Text::new("a&amp;b").unwrap()),
                Value::Bool(true),
            ],
        ),
        (
            SupervisorCall::StopProcess {
                name: "web:*",
                wait: false,
            },
            vec![
                Value::String(Text::new("web:*").unwrap()),
                Value::Bool(false),
            ],
        ),
        (
            SupervisorCall::SignalProcess {
                name: "web:web_8101",
                signal: "HUP",
            },
            vec![
                Value::String(Text::new("web:web_8101").unwrap()),
                Value::String(Text::new("HUP").unwrap()),
            ],
        ),
        (SupervisorCall::GetState, vec![]),
        (SupervisorCall::GetApiVersion, vec![]),
    ];
    for (call, params) in calls {
        let mut buf = [0u8; 1024];
        let mut w = Writer::new(&mut buf);
        call.encode(&mut w).unwrap();
        let parsed = parse_call(w.written()).unwrap();
        assert_eq!(parsed.method, call.method());
        assert_eq!(parsed.params.iter().collect::<Vec<_>>(), params);
    }
}

#[test]
fn a_call_without_params_or_with_empty_params_has_none() {
    for body in [
        &b"<methodCall><methodName>supervisor.getState</methodName></methodCall>"[..],
        b"<methodCall><methodName>supervisor.getState</methodName><params/></methodCall>",
        b"<?xml version='1.0'?>\n<methodCall>\n<methodName>supervisor.getState</methodName>\n<params>\n</params>\n</methodCall>\n",
    ] {
        let call = parse_call(body).unwrap();
        assert_eq!(call.method, "supervisor.getState");
        assert_eq!(call.params.iter().count(), 0);
    }
}
