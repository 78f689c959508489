//! The HTTP reader and the XML-RPC parser together, over byte-exact exchanges
//! captured from a real supervisord 4.3.0 (`vectors/rpc/`): every reply is read
//! as the runner reads it, head, body framing, then `methodResponse`.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::fs;
use std::path::{Path, PathBuf};

use supercheck_core::http::{
    BodyDecoder, BodyEvent, BodyLimits, EMPTY_HEADER, Parsed, RequestParser, ResponseReader,
};
use supercheck_core::process::ProcessState;
use supercheck_core::rpc::{FaultCode, ProcessInfoIter, Response, parse_call};

fn rpc_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/vectors/rpc")
}

struct Row {
    file: String,
    method: String,
    status: Option<u16>,
    fault: Option<i32>,
}

fn index() -> Vec<Row> {
    fs::read_to_string(rpc_dir().join("INDEX.tsv"))
        .unwrap()
        .lines()
        .skip(1)
        .map(|line| {
            let f: Vec<&str> = line.split('\t').collect();
            Row {
                file: f[0].into(),
                method: f[1].into(),
                status: f[2].parse().ok(),
                fault: f[3].parse().ok(),
            }
        })
        .collect()
}

/// Status and body of a raw HTTP response, read the way the runner reads it.
fn read_http(raw: &[u8]) -> (u16, Vec<u8>) {
    let mut headers = [EMPTY_HEADER; 32];
    let Parsed::Complete(head) = ResponseReader::new().read(raw, &mut headers).unwrap() else {
        panic!("incomplete head")
    };
    let code = head.code();
    let mut decoder = BodyDecoder::new(head.framing(), BodyLimits::default()).unwrap();
    let mut rest = &raw[head.head_len()..];
    let mut body = Vec::new();
    loop {
        let step = decoder.decode(rest).unwrap();
        rest = &rest[step.consumed..];
        match step.event {
            BodyEvent::Data(d) => body.extend_from_slice(d),
            BodyEvent::Done => break,
            BodyEvent::NeedMore => {
                decoder.finish_at_eof().unwrap();
                break;
            }
        }
    }
    assert!(rest.is_empty(), "nothing follows the body");
    (code, body)
}

#[test]
fn every_captured_reply_reads_with_its_status_and_fault_code() {
    let rows = index();
    assert!(rows.len() >= 60);
    for row in rows.iter().filter(|r| r.status.is_some()) {
        let raw = fs::read(rpc_dir().join(&row.file)).unwrap();
        let (code, body) = read_http(&raw);
        assert_eq!(Some(code), row.status, "{}", row.file);
        if code != 200 {
            continue;
        }
        let response = Response::parse(&body).unwrap_or_else(|e| panic!("{}: {e}", row.file));
        match (response, row.fault) {
            (Response::Fault(fault), Some(expected)) => {
                assert_eq!(fault.code.code(), expected, "{}", row.file);
                assert!(
                    !matches!(fault.code, FaultCode::Other(_)),
                    "{}: a known code",
                    row.file
                );
                let name = fault.code.name().unwrap();
                assert!(
                    fault.string.chars().collect::<String>().starts_with(name),
                    "{}",
                    row.file
                );
            }
            (Response::Value(_), None) => {}
            (other, expected) => panic!("{}: {other:?} but expected fault {expected:?}", row.file),
        }
    }
}

#[test]
fn captured_requests_are_methodcalls_the_call_parser_reads() {
    for row in index()
        .iter()
        .filter(|r| r.method.contains('.') && r.status == Some(200))
    {
        let raw = fs::read(rpc_dir().join(row.file.replace(".http", ".request"))).unwrap();
        let mut headers = [EMPTY_HEADER; 32];
        let Parsed::Complete(head) = RequestParser::new().parse(&raw, &mut headers).unwrap() else {
            panic!("{}: incomplete request", row.file)
        };
        assert_eq!(head.method(), "POST");
        let body = &raw[head.head_len()..];
        let call = parse_call(body).unwrap_or_else(|e| panic!("{}: {e}", row.file));
        assert!(call.method.eq_str(&row.method), "{}", row.file);
    }
}

#[test]
fn captured_process_lists_yield_all_fourteen_fields_in_every_state() {
    let mut states = Vec::new();
    for file in ["getAllProcessInfo.http", "getAllProcessInfo-tcp.http"] {
        let (_, body) = read_http(&fs::read(rpc_dir().join(file)).unwrap());
        let mut count = 0;
        for info in ProcessInfoIter::parse_reply(&body).unwrap() {
            let info = info.unwrap();
            count += 1;
            states.push(info.state);
            assert!(!info.name.is_empty() && !info.group.is_empty());
            assert!(
                info.statename.eq_str(info.state.name()),
                "{file}: statename matches state"
            );
            match info.state {
                ProcessState::Running => {
                    assert_ne!(info.pid, 0, "{file}: a running process has a pid")
                }
                ProcessState::Stopped | ProcessState::Exited | ProcessState::Fatal => {
                    assert_eq!(info.pid, 0, "{file}: a stopped process has none")
                }
                _ => {}
            }
            assert!(info.now >= info.start);
        }
        assert!(count >= 5, "{file} lists the fleet");
    }
    for state in [
        ProcessState::Running,
        ProcessState::Fatal,
        ProcessState::Exited,
        ProcessState::Stopped,
        ProcessState::Backoff,
    ] {
        assert!(states.contains(&state), "a process in {state}");
    }
}

#[test]
fn http_errors_from_supervisord_are_read_not_parsed_as_xml() {
    let (code, body) = read_http(&fs::read(rpc_dir().join("http401-noauth-tcp.http")).unwrap());
    assert_eq!(code, 401);
    assert!(Response::parse(&body).is_err());
    let raw = fs::read(rpc_dir().join("closed-nonutf8body-tcp.http")).unwrap();
    assert!(raw.is_empty(), "supervisord closed without answering");
}
