//! Hostile and malformed bodies: each is refused with the byte offset and what
//! was expected, and nothing panics or recurses.
#![allow(clippy::unwrap_used, clippy::panic, clippy::indexing_slicing)]

mod rpc_support;

use rpc_support::{FAULT_BAD_NAME, GET_PROCESS_INFO_SOLO, MULTICALL};
use supercheck_core::rpc::{
    MAX_DEPTH, ProcessInfoIter, Response, RpcError, RpcErrorKind, Value, parse_call,
};

fn err(body: &[u8]) -> RpcError {
    match Response::parse(body) {
        Err(e) => e,
        Ok(r) => panic!("accepted {:?}: {r:?}", String::from_utf8_lossy(body)),
    }
}

fn value_err(body: &[u8]) -> RpcError {
    Value::parse(body).unwrap_err()
}

const fn at(offset: usize, kind: RpcErrorKind) -> RpcError {
    RpcError::new(offset, kind)
}

const fn expected(offset: usize, what: &'static str) -> RpcError {
    RpcError::new(offset, RpcErrorKind::Expected(what))
}

#[test]
fn every_truncation_of_a_real_reply_is_an_error_not_a_panic() {
    for body in [GET_PROCESS_INFO_SOLO, FAULT_BAD_NAME, MULTICALL] {
        for len in 0..body.len() {
            if body[len..].iter().all(u8::is_ascii_whitespace) {
                continue; // only trailing whitespace cut off: still complete
            }
            let e = err(&body[..len]);
            assert!(e.offset <= len, "offset {} past end {len}", e.offset);
        }
        assert!(Response::parse(body).is_ok());
    }
}

#[test]
fn an_empty_body_expects_method_response() {
    assert_eq!(err(b""), expected(0, "`<methodResponse>`"));
    assert_eq!(err(b"  \n"), expected(3, "`<methodResponse>`"));
}

#[test]
fn unclosed_tags_name_the_missing_close() {
    assert_eq!(
        value_err(b"<value><string>abc"),
        expected(18, "`</string>`")
    );
    assert_eq!(
        value_err(b"<value><int>1</int>"),
        expected(19, "`</value>`")
    );
    assert_eq!(
        value_err(b"<value><array><data><value>1</value>"),
        expected(36, "`<value>` or `</data>`")
    );
    assert_eq!(
        value_err(b"<value><struct><member><name>a</name><value>1</value>"),
        expected(53, "`</member>`")
    );
    assert_eq!(
        value_err(b"<value><struct><member><name>a</name><value>1</value></member>"),
        expected(62, "`<member>` or `</struct>`")
    );
}

#[test]
fn mismatched_close_tags_are_refused() {
    assert_eq!(
        value_err(b"<value><string>a</int></value>"),
        expected(16, "`</string>`")
    );
    assert_eq!(
        value_err(b"<value><array><data></struct></value>"),
        expected(20, "`<value>` or `</data>`")
    );
    assert_eq!(
        value_err(b"<value><array><data></data></value>"),
        expected(27, "`</array>`")
    );
    assert_eq!(
        value_err(b"<value><struct></data></value>"),
        expected(15, "`<member>` or `</struct>`")
    );
}

#[test]
fn a_member_without_a_name_is_refused() {
    assert_eq!(
        value_err(b"<value><struct><member><value>1</value></member></struct></value>"),
        expected(23, "`<name>`")
    );
}

#[test]
fn text_mixed_with_a_typed_value_is_refused() {
    assert_eq!(
        value_err(b"<value>ab<int>1</int></value>"),
        expected(9, "`</value>`")
    );
    assert_eq!(
        value_err(b"<value><int>1</int>junk</value>"),
        expected(19, "`</value>`")
    );
}

#[test]
fn unknown_type_tags_are_refused_at_the_tag() {
    assert_eq!(
        value_err(b"<value><float>1</float></value>"),
        at(7, RpcErrorKind::UnknownType)
    );
    assert_eq!(
        value_err(b"<value><ex:nil/></value>"),
        at(7, RpcErrorKind::UnknownType)
    );
    assert_eq!(
        value_err(b"<value><></value>"),
        at(7, RpcErrorKind::UnknownType)
    );
    assert_eq!(
        value_err(b"<value><!-- c --></value>"),
        at(7, RpcErrorKind::UnknownType)
    );
}

#[test]
fn deep_nesting_up_to_the_cap_is_accepted() {
    let body = format!(
        "{}<value>1</value>{}",
        "<value><array><data>".repeat(MAX_DEPTH),
        "</data></array></value>".repeat(MAX_DEPTH)
    );
    let mut v = Value::parse(body.as_bytes()).unwrap();
    for _ in 0..MAX_DEPTH {
        v = v.as_array().unwrap().iter().next().unwrap();
    }
    assert_eq!(v.as_text().unwrap(), "1");
}

#[test]
fn nesting_past_the_cap_is_a_typed_error_at_the_first_level_too_deep() {
    let open = "<value><array><data>";
    let body = format!(
        "{}{}",
        open.repeat(MAX_DEPTH + 1),
        "</data></array></value>".repeat(MAX_DEPTH + 1)
    );
    assert_eq!(
        value_err(body.as_bytes()),
        at(open.len() * MAX_DEPTH, RpcErrorKind::TooDeep)
    );
    let open = "<value><struct><member><name>k</name>";
    let body = open.repeat(MAX_DEPTH + 1);
    assert_eq!(
        value_err(body.as_bytes()),
        at(open.len() * MAX_DEPTH, RpcErrorKind::TooDeep)
    );
}

#[test]
fn a_million_levels_of_nesting_cost_no_stack() {
    let body = "<value><array><data>".repeat(1_000_000);
    assert_eq!(value_err(body.as_bytes()).kind, RpcErrorKind::TooDeep);
    let body = format!(
        "<methodResponse><params><param>{}",
        "<value><struct><member><name/>".repeat(1_000_000)
    );
    assert_eq!(err(body.as_bytes()).kind, RpcErrorKind::TooDeep);
}

#[test]
fn integers_beyond_64_bits_are_out_of_range() {
    assert_eq!(
        value_err(b"<value><int>9223372036854775808</int></value>"),
        at(12, RpcErrorKind::IntOutOfRange)
    );
    assert_eq!(
        value_err(b"<value><i8>-99999999999999999999999999999999</i8></value>"),
        at(11, RpcErrorKind::IntOutOfRange)
    );
}

#[test]
fn malformed_scalars_name_what_was_expected() {
    assert_eq!(
        value_err(b"<value><int>12a</int></value>"),
        expected(12, "an integer")
    );
    assert_eq!(
        value_err(b"<value><int></int></value>"),
        expected(12, "an integer")
    );
    assert_eq!(
        value_err(b"<value><int/></value>"),
        expected(13, "an integer")
    );
    assert_eq!(
        value_err(b"<value><boolean>true</boolean></value>"),
        expected(16, "`0` or `1`")
    );
    assert_eq!(
        value_err(b"<value><boolean> 1</boolean></value>"),
        expected(16, "`0` or `1`")
    );
    assert_eq!(
        value_err(b"<value><double>1.2.3</double></value>"),
        expected(15, "a floating-point number")
    );
}

#[test]
fn bad_entities_are_refused_at_the_ampersand() {
    for (body, offset) in [
        (&b"<value><string>a &nbsp; b</string></value>"[..], 17),
        (b"<value><string>&#0;</string></value>", 15),
        (b"<value><string>&#xD800;</string></value>", 15),
        (b"<value><string>&#99999999999;</string></value>", 15),
        (b"<value><string>fish & chips</string></value>", 20),
        (b"<value><string>&amp</string></value>", 15),
        (b"<value>untyped &bogus;</value>", 15),
    ] {
        assert_eq!(
            value_err(body),
            at(offset, RpcErrorKind::BadEntity),
            "{}",
            String::from_utf8_lossy(body)
        );
    }
}

#[test]
fn bad_entities_in_member_names_are_refused() {
    assert_eq!(
        value_err(
            b"<value><struct><member><name>a&b</name><value>1</value></member></struct></value>"
        ),
        at(30, RpcErrorKind::BadEntity)
    );
}

#[test]
fn invalid_utf8_and_control_characters_are_refused() {
    assert_eq!(
        value_err(b"<value><string>ok\xC3(</string></value>"),
        at(17, RpcErrorKind::InvalidUtf8)
    );
    assert_eq!(
        value_err(b"<value><string>a\x01b</string></value>"),
        at(16, RpcErrorKind::ForbiddenChar)
    );
}

#[test]
fn trailing_bytes_after_the_response_are_refused() {
    let mut body = FAULT_BAD_NAME.to_vec();
    body.extend_from_slice(b"<x/>");
    assert_eq!(
        err(&body),
        expected(FAULT_BAD_NAME.len(), "the end of the body")
    );
    assert_eq!(
        value_err(b"<value>1</value> x"),
        expected(17, "the end of the body")
    );
}

#[test]
fn an_unterminated_declaration_is_refused() {
    assert_eq!(
        err(b"<?xml version='1.0'<methodResponse>"),
        expected(0, "an `<?xml ...?>` declaration")
    );
}

#[test]
fn garbage_never_panics_the_process_info_iterator() {
    let bodies: [&[u8]; 6] = [
        b"\x00\xff<<<>>>&&&",
        b"<methodResponse><params><param><value><array><data><value><struct></struct></value></data></array></value></param></params></methodResponse>",
        b"<methodResponse><params><param><value><array><data><value/><value><nil/></value></data></array></value></param></params></methodResponse>",
        b"<methodResponse><params><param><value><array><data/></array></value></param></params></methodResponse>",
        b"<methodResponse><params><param><value>text</value></param></params></methodResponse>",
        b"<methodResponse></methodResponse>",
    ];
    for body in bodies {
        if let Ok(iter) = ProcessInfoIter::parse_reply(body) {
            for item in iter {
                assert!(item.is_err());
            }
        }
    }
}

#[test]
fn a_call_body_with_a_broken_param_is_refused() {
    let body = b"<methodCall><methodName>m</methodName><params><param><value><int>x</int></value></param></params></methodCall>";
    assert_eq!(parse_call(body).unwrap_err(), expected(65, "an integer"));
    let body =
        b"<methodCall><methodName>m</methodName><params><value>1</value></params></methodCall>";
    assert_eq!(
        parse_call(body).unwrap_err(),
        expected(46, "`<param>` or `</params>`")
    );
}
