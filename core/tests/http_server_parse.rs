//! The server request parser: real requests, splits at any byte, and every
//! cap and refusal with the status it maps to.

mod socket_sim;

use proptest::prelude::*;
use socket_sim::{RequestFailure, bytewise, read_request, split_at};
use supercheck_core::http::{EMPTY_HEADER, Parsed, RequestParser, ServerError};

const CURL: &[u8] =
    b"GET /health?full=1 HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nUser-Agent: curl/8.5.0\r\nAccept: */*\r\n\r\n";

fn refusal(input: &[u8], parser: RequestParser) -> Option<(ServerError, u16)> {
    match read_request(&[input], parser) {
        Err(RequestFailure::Server(e)) => Some((e, e.status())),
        _ => None,
    }
}

fn assert_split_invariant(input: &[u8], parser: RequestParser) {
    let whole = read_request(&[input], parser);
    for cut in 0..=input.len() {
        assert_eq!(
            read_request(&split_at(input, &[cut]), parser),
            whole,
            "cut at {cut}"
        );
    }
    assert_eq!(read_request(&bytewise(input), parser), whole, "bytewise");
}

#[test]
fn curl_health_request_is_read_field_by_field() {
    let r = read_request(&[CURL], RequestParser::new()).unwrap();
    assert_eq!(r.method, "GET");
    assert_eq!(r.path, "/health");
    assert_eq!(r.query.as_deref(), Some("full=1"));
    assert_eq!(r.minor_version, 1);
    assert_eq!(r.content_length, 0);
    assert!(r.keep_alive);
    assert_eq!(r.head_len, CURL.len());
    assert_eq!(r.headers[2], ("Accept".to_owned(), b"*/*".to_vec()));
}

#[test]
fn header_lookup_is_case_insensitive_and_body_follows_the_head() {
    let input = b"POST /RPC2 HTTP/1.1\r\nHost: localhost\r\nContent-Type: text/xml\r\nContent-Length: 4\r\nConnection: close\r\n\r\nbody";
    let mut headers = [EMPTY_HEADER; 8];
    let Ok(Parsed::Complete(head)) = RequestParser::new().parse(input, &mut headers) else {
        panic!("complete request expected");
    };
    assert_eq!(head.header("CONTENT-TYPE"), Some(&b"text/xml"[..]));
    assert_eq!(head.header("x-missing"), None);
    assert_eq!(head.content_length(), 4);
    assert!(!head.keep_alive());
    assert_eq!(&input[head.head_len()..], b"body");
    assert_eq!(head.query(), None);
}

#[test]
fn requests_split_at_every_byte_read_the_same() {
    assert_split_invariant(CURL, RequestParser::new());
    assert_split_invariant(b"\r\nGET / HTTP/1.0\r\n\r\n", RequestParser::new());
    assert_split_invariant(CURL, RequestParser::new().max_request_line(10));
    assert_split_invariant(CURL, RequestParser::new().max_head(40));
}

#[test]
fn partial_request_is_incomplete_not_an_error() {
    for end in 0..CURL.len() {
        let mut headers = [EMPTY_HEADER; 8];
        assert_eq!(
            RequestParser::new().parse(&CURL[..end], &mut headers),
            Ok(Parsed::Incomplete)
        );
    }
}

#[test]
fn http_1_0_needs_no_host_and_closes_by_default() {
    let r = read_request(&[b"GET / HTTP/1.0\r\n\r\n"], RequestParser::new()).unwrap();
    assert!(!r.keep_alive);
    let r = read_request(
        &[b"GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"],
        RequestParser::new(),
    )
    .unwrap();
    assert!(r.keep_alive);
}

#[test]
fn long_request_line_is_414() {
    let mut input = b"GET /".to_vec();
    input.extend(std::iter::repeat_n(b'a', 3000));
    assert_eq!(
        refusal(&input, RequestParser::new()),
        Some((ServerError::RequestLineTooLong, 414))
    );
    input.extend_from_slice(b" HTTP/1.1\r\nHost: h\r\n\r\n");
    let parser = RequestParser::new().max_head(16 * 1024);
    assert_eq!(
        refusal(&input, parser),
        Some((ServerError::RequestLineTooLong, 414))
    );
    assert_split_invariant(&input, RequestParser::new().max_request_line(64));
}

#[test]
fn bad_byte_before_the_line_cap_is_400_not_414() {
    let mut input = b"GET /a\x01".to_vec();
    input.extend(std::iter::repeat_n(b'a', 3000));
    assert_eq!(
        refusal(&input, RequestParser::new()),
        Some((ServerError::Malformed, 400))
    );
}

#[test]
fn huge_head_and_too_many_headers_are_431() {
    let mut input = b"GET / HTTP/1.1\r\nHost: h\r\n".to_vec();
    for i in 0..10 {
        input.extend_from_slice(format!("X-{i}: {}\r\n", "v".repeat(1000)).as_bytes());
    }
    assert_eq!(
        refusal(&input, RequestParser::new()),
        Some((ServerError::HeadTooLarge, 431))
    );
    let input = b"GET / HTTP/1.1\r\nHost: h\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n";
    let mut headers = [EMPTY_HEADER; 3];
    assert_eq!(
        RequestParser::new().parse(input, &mut headers),
        Err(ServerError::TooManyHeaders)
    );
    assert_eq!(ServerError::TooManyHeaders.status(), 431);
}

#[test]
fn declared_body_over_the_cap_is_413() {
    let input = b"POST /RPC2 HTTP/1.1\r\nHost: h\r\nContent-Length: 1025\r\n\r\n";
    let parser = RequestParser::new().max_body(1024);
    assert_eq!(
        refusal(input, parser),
        Some((ServerError::BodyTooLarge, 413))
    );
}

#[test]
fn transfer_encoding_is_501_and_with_content_length_400() {
    let input = b"POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n";
    assert_eq!(
        refusal(input, RequestParser::new()),
        Some((ServerError::TransferEncoding, 501))
    );
    let input =
        b"POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n";
    assert_eq!(
        refusal(input, RequestParser::new()),
        Some((ServerError::AmbiguousFraming, 400))
    );
}

#[test]
fn hostile_content_lengths_are_400() {
    for value in ["-1", "1e3", "99999999999999999999", "4, 5", ""] {
        let input = format!("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: {value}\r\n\r\n");
        assert_eq!(
            refusal(input.as_bytes(), RequestParser::new()),
            Some((ServerError::InvalidContentLength, 400)),
            "{value}"
        );
    }
}

#[test]
fn missing_or_repeated_host_is_400() {
    assert_eq!(
        refusal(b"GET / HTTP/1.1\r\n\r\n", RequestParser::new()),
        Some((ServerError::InvalidHost, 400))
    );
    let input = b"GET / HTTP/1.1\r\nHost: a\r\nhost: b\r\n\r\n";
    assert_eq!(
        refusal(input, RequestParser::new()),
        Some((ServerError::InvalidHost, 400))
    );
}

#[test]
fn http_0_9_http_2_and_garbage_are_400() {
    for input in [
        &b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"[..],
        b"GET / HTTP/1.2\r\n\r\n",
    ] {
        assert_eq!(
            refusal(input, RequestParser::new()),
            Some((ServerError::InvalidVersion, 400))
        );
    }
    for input in [
        &b"GET /\r\n"[..],
        b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03",
        b"GET / HTTP/1.1\r\nHost h\r\n\r\n",
    ] {
        assert_eq!(
            refusal(input, RequestParser::new()),
            Some((ServerError::Malformed, 400))
        );
    }
}

proptest! {
    #[test]
    fn any_bytes_split_anywhere_parse_as_they_do_whole(
        input in proptest::collection::vec(
            prop_oneof![Just(b'\r'), Just(b'\n'), Just(b' '), Just(b'a'), Just(b':'), any::<u8>()], 0..200),
        prefix in prop_oneof![Just(&b""[..]), Just(&b"GET /"[..]), Just(&b"GET / HTTP/1.1\r\n"[..])],
        cuts in proptest::collection::vec(0usize..250, 0..6),
    ) {
        let parser = RequestParser::new().max_request_line(24).max_head(120).max_body(50);
        let mut bytes = prefix.to_vec();
        bytes.extend_from_slice(&input);
        let whole = read_request(&[&bytes], parser);
        prop_assert_eq!(read_request(&split_at(&bytes, &cuts), parser), whole);
    }
}
