//! Parses the input as an XML-RPC `methodResponse` body, walks every value
//! (arrays, structs, texts decoded into a stack buffer) and runs the
//! process-info readers over it; also reads it as a `methodCall`. The
//! piecewise process-list reader, fed the input in pieces whose sizes come
//! from its first bytes, must find what the whole-body reader finds.
#![no_main]

use libfuzzer_sys::fuzz_target;
use supercheck_core::rpc::{
    Fault, ListEvent, ProcessInfo, ProcessInfoIter, ProcessListReader, ReplyError, Response,
    Text, Value, parse_call,
};

/// What a process-list reader made of a body, comparable across readers.
#[derive(Debug, PartialEq)]
enum Read {
    List(Vec<String>),
    Fault(String),
    Invalid,
}

fn reply_error(e: ReplyError<'_>) -> Read {
    match e {
        ReplyError::Fault(f) => Read::Fault(format!("{:?} {}", f.code, f.string.raw())),
        _ => Read::Invalid,
    }
}

fn whole(data: &[u8]) -> Read {
    match ProcessInfoIter::parse_reply(data) {
        Ok(iter) => Read::List(iter.map(|item| format!("{item:?}")).collect()),
        Err(e) => reply_error(e),
    }
}

/// `data` fed in pieces of `sizes` (cycled), as the runner feeds a reply.
fn in_pieces(data: &[u8], sizes: &[u8]) -> Read {
    let mut reader = ProcessListReader::new();
    let mut buffer: Vec<u8> = Vec::new();
    let mut items = Vec::new();
    let mut fed = 0;
    let mut sizes = sizes.iter().map(|&s| usize::from(s).max(1)).cycle();
    loop {
        let upto = (fed + sizes.next().unwrap_or(data.len())).min(data.len());
        buffer.extend_from_slice(&data[fed..upto]);
        fed = upto;
        let complete = fed == data.len();
        loop {
            let step = match reader.step(&buffer, complete) {
                Ok(step) => step,
                Err(e) => return reply_error(e),
            };
            let item = match step.event {
                ListEvent::Process(info) => format!("{:?}", Ok::<_, ()>(info)),
                ListEvent::Invalid(e) => format!("{:?}", Err::<(), _>(e)),
                ListEvent::NeedMore => {
                    assert!(!complete, "NeedMore on a complete body");
                    buffer.drain(..step.consumed);
                    break;
                }
                ListEvent::Done => return Read::List(items),
            };
            buffer.drain(..step.consumed);
            items.push(item);
        }
    }
}

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
    let sizes = data.get(..3).unwrap_or(&[1]);
    assert_eq!(in_pieces(data, sizes), whole(data));
    if let Ok(call) = parse_call(data) {
        check_text(call.method);
        for v in call.params {
            walk(v);
        }
    }
});
