//! The client response reader: heads and bodies as real servers send them,
//! whole or split at any byte, and hostile input.

mod socket_sim;

use proptest::prelude::*;
use socket_sim::{Failure, Response, bytewise, read_response, split_at};
use supercheck_core::http::{
    BodyDecoder, BodyError, BodyLimits, EMPTY_HEADER, Framing, HeadError, Parsed, ResponseReader,
};

const SUPERVISORD_401: &[u8] = include_bytes!("data/http/supervisord-401.bin");
const SUPERVISORD_200: &[u8] = include_bytes!("data/http/supervisord-200-getstate.bin");

fn read_whole(input: &[u8]) -> Result<Response, Failure> {
    read_response(&[input], ResponseReader::new(), BodyLimits::default())
}

fn header<'a>(r: &'a Response, name: &str) -> Option<&'a [u8]> {
    r.headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_slice())
}

/// Reading `input` split into two pieces at every offset, and one byte at a
/// time, gives the same answer as reading it whole.
fn assert_split_invariant(input: &[u8], reader: ResponseReader, limits: BodyLimits) {
    let whole = read_response(&[input], reader, limits);
    for cut in 0..=input.len() {
        let pieces = split_at(input, &[cut]);
        assert_eq!(
            read_response(&pieces, reader, limits),
            whole,
            "cut at {cut}"
        );
    }
    assert_eq!(
        read_response(&bytewise(input), reader, limits),
        whole,
        "bytewise"
    );
}

#[test]
fn supervisord_401_is_read_with_its_challenge_and_close() {
    let r = read_whole(SUPERVISORD_401).unwrap();
    assert_eq!(r.code, 401);
    assert_eq!(r.reason, "Unauthorized");
    assert_eq!(header(&r, "server"), Some(&b"Medusa/1.12"[..]));
    assert_eq!(
        header(&r, "www-authenticate"),
        Some(&b"Basic realm=\"default\""[..])
    );
    assert_eq!(r.framing, Framing::Length(137));
    assert!(!r.keep_alive);
    assert_eq!(
        r.body,
        b"<head>\r\n<title>Error response</title>\r\n</head>\r\n<body>\r\n<h1>Error response</h1>\r\n<p>Error code 401.\r\n<p>Message: Unauthorized.\r\n</body>\r\n"
    );
}

#[test]
fn supervisord_xmlrpc_200_has_its_content_length_body() {
    let r = read_whole(SUPERVISORD_200).unwrap();
    assert_eq!((r.code, r.reason.as_str()), (200, "OK"));
    assert_eq!(header(&r, "content-type"), Some(&b"text/xml"[..]));
    assert_eq!(r.framing, Framing::Length(279));
    assert!(r.keep_alive);
    assert_eq!(r.body.len(), 279);
    assert!(
        r.body
            .starts_with(b"<?xml version='1.0'?>\n<methodResponse>")
    );
    assert!(r.body.ends_with(b"</methodResponse>\n"));
    assert!(r.leftover.is_empty());
}

#[test]
fn supervisord_replies_split_at_every_byte_read_the_same() {
    for input in [SUPERVISORD_401, SUPERVISORD_200] {
        assert_split_invariant(input, ResponseReader::new(), BodyLimits::default());
    }
}

#[test]
fn head_split_anywhere_is_incomplete_not_an_error() {
    let head_len = SUPERVISORD_401
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .unwrap()
        + 4;
    for end in 0..head_len {
        let mut headers = [EMPTY_HEADER; 16];
        let got = ResponseReader::new().read(&SUPERVISORD_401[..end], &mut headers);
        assert_eq!(got, Ok(Parsed::Incomplete), "prefix of {end}");
    }
}

#[test]
fn no_body_for_head_requests_204_304_and_interim_replies() {
    let input = b"HTTP/1.1 200 OK\r\nContent-Length: 12\r\n\r\n";
    let r = read_response(
        &[input],
        ResponseReader::new().after_head_request(),
        BodyLimits::default(),
    )
    .unwrap();
    assert_eq!((r.framing, r.body.len()), (Framing::None, 0));
    for code in ["204 No Content", "304 Not Modified"] {
        let input = format!("HTTP/1.1 {code}\r\nContent-Length: 3\r\n\r\nabc");
        let r = read_whole(input.as_bytes()).unwrap();
        assert_eq!(r.framing, Framing::None);
        assert_eq!(r.leftover, b"abc");
    }
    let input = b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";
    let r = read_whole(input).unwrap();
    assert_eq!((r.code, r.body.as_slice()), (200, &b"ok"[..]));
    assert_split_invariant(input, ResponseReader::new(), BodyLimits::default());
}

#[test]
fn http_1_0_without_length_reads_until_close() {
    let input = b"HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\nall of it";
    let r = read_whole(input).unwrap();
    assert_eq!(r.framing, Framing::UntilClose);
    assert!(!r.keep_alive);
    assert_eq!(r.body, b"all of it");
    assert_split_invariant(input, ResponseReader::new(), BodyLimits::default());
}

#[test]
fn close_before_content_length_is_truncated() {
    let input = b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort";
    assert_eq!(read_whole(input), Err(Failure::Body(BodyError::Truncated)));
    assert_eq!(
        read_whole(b"HTTP/1.1 200 OK\r\nContent-Le"),
        Err(Failure::EofInHead)
    );
}

#[test]
fn pipelined_reply_after_the_body_is_left_for_the_next_read() {
    let input = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokHTTP/1.1 204 No Content\r\n\r\n";
    let r = read_whole(input).unwrap();
    assert_eq!(r.body, b"ok");
    assert_eq!(r.leftover, b"HTTP/1.1 204 No Content\r\n\r\n");
}

#[test]
fn head_larger_than_the_cap_is_an_error_complete_or_not() {
    let mut input = b"HTTP/1.1 200 OK\r\nX-Pad: ".to_vec();
    input.extend(std::iter::repeat_n(b'a', 200));
    let reader = ResponseReader::new().max_head(128);
    let mut headers = [EMPTY_HEADER; 4];
    assert_eq!(reader.read(&input, &mut headers), Err(HeadError::TooLarge));
    input.extend_from_slice(b"\r\n\r\n");
    let mut headers = [EMPTY_HEADER; 4];
    assert_eq!(reader.read(&input, &mut headers), Err(HeadError::TooLarge));
    let mut headers = [EMPTY_HEADER; 4];
    assert_eq!(
        reader.read(&input[..100], &mut headers),
        Ok(Parsed::Incomplete)
    );
    assert_split_invariant(&input, reader, BodyLimits::default());
}

#[test]
fn a_head_exactly_at_the_cap_is_accepted() {
    let input = b"HTTP/1.1 204 No Content\r\n\r\n";
    let mut headers = [EMPTY_HEADER; 4];
    let got = ResponseReader::new()
        .max_head(input.len())
        .read(input, &mut headers);
    assert!(matches!(got, Ok(Parsed::Complete(h)) if h.head_len() == input.len()));
}

#[test]
fn more_headers_than_the_array_holds_is_an_error() {
    let input = b"HTTP/1.1 200 OK\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n";
    let mut headers = [EMPTY_HEADER; 2];
    assert_eq!(
        ResponseReader::new().read(input, &mut headers),
        Err(HeadError::TooManyHeaders)
    );
}

#[test]
fn hostile_content_lengths_are_refused() {
    for (value, expected) in [
        ("-1", HeadError::InvalidContentLength),
        ("+5", HeadError::InvalidContentLength),
        ("99999999999999999999", HeadError::InvalidContentLength),
        (
            "5\r\nContent-Length: 6",
            HeadError::ConflictingContentLength,
        ),
        ("5, 6", HeadError::ConflictingContentLength),
    ] {
        let input = format!("HTTP/1.1 200 OK\r\nContent-Length: {value}\r\n\r\n");
        assert_eq!(
            read_whole(input.as_bytes()),
            Err(Failure::Head(expected)),
            "{value}"
        );
    }
    let input = b"HTTP/1.1 200 OK\r\nContent-Length: 3\r\nContent-Length: 3\r\n\r\nabc";
    assert_eq!(read_whole(input).unwrap().body, b"abc");
}

#[test]
fn chunked_with_content_length_is_read_as_chunked_and_closes() {
    let input = b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n";
    let r = read_whole(input).unwrap();
    assert_eq!((r.framing, r.keep_alive), (Framing::Chunked, false));
    assert_eq!(r.body, b"ok");
    let input = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\nxyz";
    let r = read_whole(input).unwrap();
    assert_eq!((r.framing, r.keep_alive), (Framing::UntilClose, false));
    let input = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked, gzip\r\n\r\n";
    assert_eq!(
        read_whole(input),
        Err(Failure::Head(HeadError::InvalidTransferEncoding))
    );
}

#[test]
fn http_0_9_and_garbage_are_not_responses() {
    assert_eq!(
        read_whole(b"<html><body>hi</body></html>"),
        Err(Failure::Head(HeadError::InvalidVersion))
    );
    assert_eq!(
        read_whole(b"HTTP/2 200\r\n\r\n"),
        Err(Failure::Head(HeadError::InvalidVersion))
    );
    assert_eq!(
        read_whole(b"HTTP/1.1 20 OK\r\n\r\n"),
        Err(Failure::Head(HeadError::InvalidStatus))
    );
    assert_eq!(
        read_whole(b"HTTP/1.1 099 Low\r\n\r\n"),
        Err(Failure::Head(HeadError::InvalidStatus))
    );
    assert_eq!(
        read_whole(b"HTTP/1.1 200 OK\r\nBad Name: x\r\n\r\n"),
        Err(Failure::Head(HeadError::InvalidHeader))
    );
}

#[test]
fn body_over_the_cap_is_refused() {
    let limits = BodyLimits {
        max_body: 4,
        ..BodyLimits::default()
    };
    assert_eq!(
        BodyDecoder::new(Framing::Length(5), limits),
        Err(BodyError::TooLarge)
    );
    let input = b"HTTP/1.0 200 OK\r\n\r\n12345";
    let got = read_response(&[input], ResponseReader::new(), limits);
    assert_eq!(got, Err(Failure::Body(BodyError::TooLarge)));
    assert_split_invariant(input, ResponseReader::new(), limits);
}

proptest! {
    #[test]
    fn any_input_split_anywhere_reads_as_it_does_whole(
        input in proptest::collection::vec(any::<u8>(), 0..300),
        cuts in proptest::collection::vec(0usize..300, 0..6),
    ) {
        let limits = BodyLimits { max_body: 64, max_line: 16, max_trailers: 32 };
        let reader = ResponseReader::new().max_head(96);
        let whole = read_response(&[&input], reader, limits);
        let pieces = split_at(&input, &cuts);
        prop_assert_eq!(read_response(&pieces, reader, limits), whole);
    }

    #[test]
    fn plausible_responses_split_anywhere_read_as_they_do_whole(
        code in 100u16..600,
        length in proptest::option::of(0usize..40),
        body in proptest::collection::vec(any::<u8>(), 0..40),
        cuts in proptest::collection::vec(0usize..200, 0..6),
    ) {
        let mut input = format!("HTTP/1.1 {code} X\r\nServer: t\r\n").into_bytes();
        if let Some(n) = length {
            input.extend_from_slice(format!("Content-Length: {n}\r\n").as_bytes());
        }
        input.extend_from_slice(b"\r\n");
        input.extend_from_slice(&body);
        let whole = read_response(&[&input], ResponseReader::new(), BodyLimits::default());
        let pieces = split_at(&input, &cuts);
        prop_assert_eq!(read_response(&pieces, ResponseReader::new(), BodyLimits::default()), whole);
    }
}
