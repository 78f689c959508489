//! `ProcessListReader` reads a `getAllProcessInfo` reply in pieces exactly as
//! `ProcessInfoIter` reads it whole: the same processes, the same invalid
//! elements, the same faults; wherever the pieces are cut. A body cut short is
//! an error, never a shorter list; a malformed one is refused at the same byte.
#![allow(clippy::unwrap_used, clippy::panic, clippy::indexing_slicing)]

mod rpc_support;

use std::fs;
use std::path::Path;

use proptest::prelude::*;
use rpc_support::{array, fault, int, process, process_element, response, string, structure};
use supercheck_core::process::ProcessState;
use supercheck_core::rpc::{ListEvent, ProcessInfoIter, ProcessListReader, ReplyError};

/// What a whole-body or piecewise read found, comparable across buffers.
#[derive(Debug, PartialEq, Eq)]
enum Read {
    /// One line per element: the process (as `Debug` prints it) or the error.
    List(Vec<String>),
    /// A fault: its code and string.
    Fault(String),
    /// The body was refused at this byte (what each reader expected there
    /// may be worded differently: a struct cut by a stray `</x>` expects
    /// `</struct>` to one and "`<member>` or `</struct>`" to the other).
    Invalid(usize),
}

fn reply_error(e: ReplyError<'_>) -> Read {
    match e {
        ReplyError::Fault(f) => Read::Fault(format!("{:?} {}", f.code, f.string.raw())),
        ReplyError::Invalid(e) => Read::Invalid(e.offset),
        other => panic!("unexpected reply error {other:?}"),
    }
}

fn whole(body: &[u8]) -> Read {
    match ProcessInfoIter::parse_reply(body) {
        Ok(iter) => Read::List(
            iter.map(|item| match item {
                Ok(info) => format!("{info:?}"),
                Err(e) => format!("invalid {e:?}"),
            })
            .collect(),
        ),
        Err(e) => reply_error(e),
    }
}

/// Feeds `body` in pieces of the given sizes (cycled), as a caller with a
/// growing buffer would, saying the body is complete with its last piece.
fn in_pieces(body: &[u8], sizes: &[usize]) -> Read {
    let mut reader = ProcessListReader::new();
    let mut buffer: Vec<u8> = Vec::new();
    let mut items = Vec::new();
    let mut fed = 0;
    let mut size = sizes.iter().copied().cycle();
    loop {
        let n = size.next().unwrap_or(body.len()).max(1);
        let upto = (fed + n).min(body.len());
        buffer.extend_from_slice(&body[fed..upto]);
        fed = upto;
        let complete = fed == body.len();
        loop {
            let step = match reader.step(&buffer, complete) {
                Ok(step) => step,
                Err(e) => return reply_error(e),
            };
            let event = match step.event {
                ListEvent::Process(info) => Some(format!("{info:?}")),
                ListEvent::Invalid(e) => Some(format!("invalid {e:?}")),
                ListEvent::NeedMore => None,
                ListEvent::Done => return Read::List(items),
            };
            buffer.drain(..step.consumed);
            match event {
                Some(item) => items.push(item),
                None if complete => panic!("NeedMore on a complete body"),
                None => break,
            }
        }
    }
}

fn captured(name: &str) -> Vec<u8> {
    let raw = fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/vectors/rpc")
            .join(name),
    )
    .unwrap();
    let head = raw.windows(4).position(|w| w == b"\r\n\r\n").unwrap();
    raw[head + 4..].to_vec()
}

fn fleet(n: u32) -> Vec<u8> {
    let items: Vec<String> = (0..n)
        .map(|i| process("web", &format!("web_{i}"), ProcessState::Running, 100 + i))
        .collect();
    response(&array(&items)).into_bytes()
}

#[test]
fn captured_replies_read_alike_in_any_piece_size() {
    for name in ["getAllProcessInfo.http", "getAllProcessInfo-tcp.http"] {
        let body = captured(name);
        let expected = whole(&body);
        assert!(
            matches!(&expected, Read::List(l) if !l.is_empty()),
            "{name}"
        );
        for size in [1, 2, 3, 7, 64, 500, 4096, body.len()] {
            assert_eq!(
                in_pieces(&body, &[size]),
                expected,
                "{name}, pieces of {size}"
            );
        }
    }
}

#[test]
fn a_large_fleet_reads_alike_and_needs_only_one_element_of_buffer() {
    let body = fleet(300);
    let expected = whole(&body);
    assert!(matches!(&expected, Read::List(l) if l.len() == 300));
    assert_eq!(in_pieces(&body, &[16 * 1024]), expected);
    assert_eq!(in_pieces(&body, &[1000, 333, 1]), expected);
}

#[test]
fn empty_lists_in_every_spelling_are_done() {
    for value in [
        "<value><array><data></data></array></value>",
        "<value><array><data/></array></value>",
        "<value><array>\n<data>\n</data>\n</array></value>",
    ] {
        let body = response(value);
        assert_eq!(
            in_pieces(body.as_bytes(), &[1]),
            Read::List(Vec::new()),
            "{value}"
        );
        assert_eq!(whole(body.as_bytes()), Read::List(Vec::new()), "{value}");
    }
}

#[test]
fn faults_are_read_whole_and_reported() {
    let body = fault(10, "BAD_NAME: web");
    let expected = whole(body.as_bytes());
    assert!(matches!(expected, Read::Fault(_)));
    for size in [1, 5, body.len()] {
        assert_eq!(in_pieces(body.as_bytes(), &[size]), expected);
    }
    let body = captured("fault-BAD_NAME.http");
    assert_eq!(in_pieces(&body, &[3]), whole(&body));
}

#[test]
fn a_result_that_is_not_an_array_is_refused_as_whole_parsing_refuses_it() {
    for value in [int(3), string("x"), structure(&[("a", int(1))])] {
        let body = response(&value);
        let expected = whole(body.as_bytes());
        assert!(matches!(expected, Read::Invalid(_)), "{value}");
        assert_eq!(in_pieces(body.as_bytes(), &[4]), expected, "{value}");
    }
}

#[test]
fn a_body_cut_short_anywhere_is_an_error_never_a_shorter_list() {
    let body = fleet(3);
    for cut in 0..body.len() {
        let trimmed_end = body[cut..].iter().all(u8::is_ascii_whitespace);
        let read = in_pieces(&body[..cut], &[97]);
        if trimmed_end {
            // Only whitespace is missing: the body is whole.
            assert_eq!(read, whole(&body), "cut at {cut}");
        } else {
            assert!(matches!(read, Read::Invalid(_)), "cut at {cut}: {read:?}");
        }
    }
}

proptest! {
    #[test]
    fn pieces_read_what_the_whole_body_reads(
        elements in proptest::collection::vec(process_element(), 0..6),
        sizes in proptest::collection::vec(1usize..300, 1..5),
    ) {
        let body = response(&array(&elements));
        prop_assert_eq!(in_pieces(body.as_bytes(), &sizes), whole(body.as_bytes()));
    }

    #[test]
    fn a_damaged_body_is_refused_at_the_byte_whole_parsing_names(
        elements in proptest::collection::vec(process_element(), 1..4),
        at in any::<prop::sample::Index>(),
        byte in prop::sample::select(b"<>/&x \"".to_vec()),
        sizes in proptest::collection::vec(1usize..300, 1..5),
    ) {
        let mut body = response(&array(&elements)).into_bytes();
        let at = at.index(body.len());
        body.insert(at, byte);
        prop_assert_eq!(in_pieces(&body, &sizes), whole(&body));
    }
}
