//! Parses the input as an XML-RPC `methodResponse` body, walks every value
//! (arrays, structs, texts decoded into a stack buffer) and runs the
//! process-info readers over it; also reads it as a `methodCall`.
#![no_main]

use libfuzzer_sys::fuzz_target;
use supercheck_core::rpc::{
    Fault, ProcessInfo, ProcessInfoIter, Response, Text, Value, parse_call,
};

fn check_text(t: Text<'_>) {
    let mut buf = [0u8; 256];
    match t.decode_into(&mut buf) {
        Ok(s) => {
            assert!(t.eq_str(s));
            assert_eq!(s.len(), t.decoded_len());
            assert!(t.chars().eq(s.chars()));
        }
        Err(e) => assert!(e.needed > buf.len() && e.needed == t.decoded_len()),
    }
}

fn walk(root: Value<'_>) {
    let mut stack = vec![root];
    while let Some(v) = stack.pop() {
        match v {
            Value::String(t) | Value::DateTime(t) | Value::Base64(t) => check_text(t),
            Value::Array(a) => {
                let _ = ProcessInfoIter::new(a).count();
                stack.extend(a.iter());
            }
            Value::Struct(s) => {
                let _ = ProcessInfo::from_struct(s);
                let _ = Fault::from_struct(s);
                for m in s.members() {
                    check_text(m.name);
                    stack.push(m.value);
                }
            }
            _ => {}
        }
    }
}

fuzz_target!(|data: &[u8]| {
    match Response::parse(data) {
        Ok(Response::Value(v)) => walk(v),
        Ok(Response::Fault(f)) => {
            check_text(f.string);
            if let Some(d) = f.detail() {
                check_text(d);
            }
        }
        Ok(_) | Err(_) => {}
    }
    if let Ok(iter) = ProcessInfoIter::parse_reply(data) {
        for info in iter.flatten() {
            let _ = info.id();
            check_text(info.description);
        }
    }
    let _ = ProcessInfo::parse_reply(data);
    if let Ok(call) = parse_call(data) {
        check_text(call.method);
        for v in call.params {
            walk(v);
        }
    }
});
