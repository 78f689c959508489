//! The fast paths of reply parsing give the same answers as the general ones:
//! `ProcessInfoIter` reads each struct in one pass exactly as
//! `ProcessInfo::from_struct` reads it from the array's views, field names are
//! found in any order, and plain and escaped texts compare alike.
#![allow(clippy::unwrap_used, clippy::panic, clippy::indexing_slicing)]

mod rpc_support;

use proptest::prelude::*;
use rpc_support::{array, int, process_element, process_members, response, string, structure};
use supercheck_core::process::ProcessState;
use supercheck_core::rpc::{ProcessInfo, ProcessInfoIter, RpcError, parse_reply};

/// Reads every element the slow way: the array view, then each struct view.
fn read_each_struct(body: &[u8]) -> Vec<Result<ProcessInfo<'_>, RpcError>> {
    let items = parse_reply(body).unwrap().as_array().unwrap();
    let mut out = Vec::new();
    let mut iter = items.iter();
    while let Some((offset, value)) = iter.next_with_offset() {
        out.push(match value.as_struct() {
            Some(fields) => ProcessInfo::from_struct(fields),
            None => Err(RpcError::new(
                offset,
                supercheck_core::rpc::RpcErrorKind::Expected("a process-info struct"),
            )),
        });
    }
    out
}

proptest! {
    #[test]
    fn one_pass_iteration_reads_what_each_struct_view_reads(
        elements in proptest::collection::vec(process_element(), 0..6)
    ) {
        let body = response(&array(&elements));
        let body = body.as_bytes();
        let fast: Vec<_> = ProcessInfoIter::parse_reply(body).unwrap().collect();
        prop_assert_eq!(fast, read_each_struct(body));
    }

    #[test]
    fn fields_are_found_in_any_order(rotate in 0usize..14, pid in any::<u32>()) {
        let mut members = process_members("web", "web_8101", ProcessState::Running, pid);
        let canonical = response(&structure(&members));
        members.rotate_left(rotate);
        members.swap(0, 13 - rotate % 14);
        let shuffled = response(&structure(&members));
        let expected = ProcessInfo::parse_reply(canonical.as_bytes()).unwrap();
        let got = ProcessInfo::parse_reply(shuffled.as_bytes()).unwrap();
        prop_assert_eq!(got, expected);
        prop_assert_eq!(got.pid, pid);
    }
}

#[test]
fn a_repeated_member_takes_its_last_value() {
    let mut members = process_members("web", "web_8101", ProcessState::Running, 7);
    members.push(("pid", int(8)));
    members.insert(1, ("name", string("first")));
    let body = response(&structure(&members));
    let info = ProcessInfo::parse_reply(body.as_bytes()).unwrap();
    assert_eq!(info.pid, 8);
    // `name` appears at 0 (`web_8101`) and again at 1 (`first`): the last one wins.
    assert_eq!(info.name, "first");
    let list = response(&array(&[structure(&members)]));
    let info = ProcessInfoIter::parse_reply(list.as_bytes())
        .unwrap()
        .next()
        .unwrap()
        .unwrap();
    assert_eq!((info.pid, info.name.raw()), (8, "first"));
}

#[test]
fn escaped_and_plain_names_compare_by_their_decoded_text() {
    let members = process_members("web", "a&b", ProcessState::Running, 7);
    let body = response(&structure(&members));
    let info = ProcessInfo::parse_reply(body.as_bytes()).unwrap();
    assert_eq!(info.name.raw(), "a&amp;b");
    assert!(info.name.eq_str("a&b"));
    assert!(!info.name.eq_str("a&amp;b"));
    assert_eq!(info.name.as_plain(), None);
    assert_eq!(info.group.as_plain(), Some("web"));
    assert!(info.group.eq_str("web"));
    assert!(!info.group.eq_str("we"));
}
