//! Chunked bodies: extensions, trailers, splits at any byte, hostile framing.

mod socket_sim;

use proptest::prelude::*;
use socket_sim::{Failure, bytewise, read_response, split_at};
use supercheck_core::http::{
    BodyDecoder, BodyError, BodyEvent, BodyLimits, Framing, ResponseReader,
};

const HEAD: &[u8] = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";

fn chunked(body: &[u8]) -> Vec<u8> {
    let mut input = HEAD.to_vec();
    input.extend_from_slice(body);
    input
}

fn read(body: &[u8], limits: BodyLimits) -> Result<Vec<u8>, Failure> {
    read_response(&[&chunked(body)], ResponseReader::new(), limits).map(|r| r.body)
}

fn read_default(body: &[u8]) -> Result<Vec<u8>, Failure> {
    read(body, BodyLimits::default())
}

/// Encodes `body` in chunks of the given sizes (the rest in one last chunk).
fn encode_chunks(body: &[u8], sizes: &[usize]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut rest = body;
    for &size in sizes {
        let (chunk, tail) = rest.split_at(size.min(rest.len()));
        if !chunk.is_empty() {
            out.extend_from_slice(format!("{:x};i=1\r\n", chunk.len()).as_bytes());
            out.extend_from_slice(chunk);
            out.extend_from_slice(b"\r\n");
        }
        rest = tail;
    }
    if !rest.is_empty() {
        out.extend_from_slice(format!("{:X}\r\n", rest.len()).as_bytes());
        out.extend_from_slice(rest);
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(b"0\r\nX-Checksum: abc\r\n\r\n");
    out
}

#[test]
fn chunks_are_joined_into_the_body() {
    assert_eq!(
        read_default(b"4\r\nWiki\r\n5\r\npedia\r\n0\r\n\r\n").unwrap(),
        b"Wikipedia"
    );
    assert_eq!(read_default(b"0\r\n\r\n").unwrap(), b"");
}

#[test]
fn extensions_and_trailers_are_skipped() {
    let body =
        b"4;name=\"va;l\"\r\nWiki\r\n5 ; x\r\npedia\r\n0;last\r\nExpires: never\r\nX-Sum:1\r\n\r\n";
    assert_eq!(read_default(body).unwrap(), b"Wikipedia");
}

#[test]
fn chunked_reply_split_at_every_byte_reads_the_same() {
    let input = chunked(b"4;ext=1\r\nWiki\r\n5\r\npedia\r\n0\r\nTrailer: yes\r\n\r\nNEXT");
    let whole = read_response(&[&input], ResponseReader::new(), BodyLimits::default());
    assert_eq!(whole.as_ref().unwrap().leftover, b"NEXT");
    for cut in 0..=input.len() {
        let got = read_response(
            &split_at(&input, &[cut]),
            ResponseReader::new(),
            BodyLimits::default(),
        );
        assert_eq!(got, whole, "cut at {cut}");
    }
    let got = read_response(
        &bytewise(&input),
        ResponseReader::new(),
        BodyLimits::default(),
    );
    assert_eq!(got, whole);
}

#[test]
fn data_is_borrowed_from_the_input_not_copied() {
    let input = b"5\r\nhello\r\n0\r\n\r\n";
    let mut decoder = BodyDecoder::new(Framing::Chunked, BodyLimits::default()).unwrap();
    let step = decoder.decode(input).unwrap();
    let BodyEvent::Data(data) = step.event else {
        panic!("expected data, got {step:?}")
    };
    assert_eq!(data, b"hello");
    assert_eq!(data.as_ptr(), input[3..].as_ptr());
    assert_eq!(step.consumed, 8);
    let step = decoder.decode(&input[8..]).unwrap();
    assert_eq!((step.consumed, step.event), (7, BodyEvent::Done));
    assert!(decoder.is_done());
    assert_eq!(decoder.body_len(), 5);
}

#[test]
fn partial_framing_asks_for_more_and_keeps_the_fragment() {
    let mut decoder = BodyDecoder::new(Framing::Chunked, BodyLimits::default()).unwrap();
    let step = decoder.decode(b"1").unwrap();
    assert_eq!((step.consumed, step.event), (0, BodyEvent::NeedMore));
    let step = decoder.decode(b"1\r\nA\r").unwrap();
    assert_eq!((step.consumed, step.event), (4, BodyEvent::Data(&b"A"[..])));
    let step = decoder.decode(b"\r").unwrap();
    assert_eq!((step.consumed, step.event), (0, BodyEvent::NeedMore));
    assert_eq!(decoder.finish_at_eof(), Err(BodyError::Truncated));
}

#[test]
fn bad_chunk_sizes_are_refused() {
    for body in [
        &b"x\r\n"[..],
        b"\r\n",
        b";ext\r\n",
        b"-1\r\n",
        b" 5\r\nhello\r\n",
        b"5 5\r\nhello\r\n",
        b"5\nhello\r\n",
        b"5;a\nb\r\nhello\r\n",
        b"0x5\r\nhello\r\n",
        b"11111111111111111\r\n",
    ] {
        let got = read_default(body);
        assert_eq!(
            got,
            Err(Failure::Body(BodyError::InvalidChunkSize)),
            "{:?}",
            String::from_utf8_lossy(body)
        );
    }
}

#[test]
fn chunk_data_without_crlf_is_refused() {
    assert_eq!(
        read_default(b"2\r\nokX\r\n0\r\n\r\n"),
        Err(Failure::Body(BodyError::InvalidChunkEnd))
    );
    assert_eq!(
        read_default(b"2\r\nok\n0\r\n\r\n"),
        Err(Failure::Body(BodyError::InvalidChunkEnd))
    );
}

#[test]
fn endless_extensions_hit_the_line_cap() {
    let mut body = b"5;".to_vec();
    body.extend(std::iter::repeat_n(b'e', 5000));
    assert_eq!(
        read_default(&body),
        Err(Failure::Body(BodyError::LineTooLong))
    );
}

#[test]
fn announced_chunks_over_the_body_cap_are_refused_before_their_data() {
    let limits = BodyLimits {
        max_body: 8,
        ..BodyLimits::default()
    };
    assert_eq!(
        read(b"5\r\nhello\r\n4\r\n", limits),
        Err(Failure::Body(BodyError::TooLarge))
    );
    assert_eq!(
        read(b"ffffffffffffffff\r\n", limits),
        Err(Failure::Body(BodyError::TooLarge))
    );
    assert_eq!(
        read(b"5\r\nhello\r\n3\r\nabc\r\n0\r\n\r\n", limits).unwrap(),
        b"helloabc"
    );
}

#[test]
fn malformed_or_endless_trailers_are_refused() {
    assert_eq!(
        read_default(b"0\r\nNo colon\r\n\r\n"),
        Err(Failure::Body(BodyError::InvalidTrailer))
    );
    assert_eq!(
        read_default(b"0\r\n folded: x\r\n\r\n"),
        Err(Failure::Body(BodyError::InvalidTrailer))
    );
    assert_eq!(
        read_default(b"0\r\nA: b\n\r\n"),
        Err(Failure::Body(BodyError::InvalidTrailer))
    );
    let mut body = b"0\r\n".to_vec();
    for _ in 0..1000 {
        body.extend_from_slice(b"X-Spam: 0123456789\r\n");
    }
    assert_eq!(
        read_default(&body),
        Err(Failure::Body(BodyError::TrailersTooLarge))
    );
}

#[test]
fn close_inside_a_chunked_body_is_truncated() {
    assert_eq!(
        read_default(b"5\r\nhel"),
        Err(Failure::Body(BodyError::Truncated))
    );
    assert_eq!(
        read_default(b"5\r\nhello\r\n0\r\n"),
        Err(Failure::Body(BodyError::Truncated))
    );
}

#[test]
fn a_failed_decoder_keeps_failing() {
    let mut decoder = BodyDecoder::new(Framing::Chunked, BodyLimits::default()).unwrap();
    assert_eq!(decoder.decode(b"zz\r\n"), Err(BodyError::InvalidChunkSize));
    assert_eq!(
        decoder.decode(b"0\r\n\r\n"),
        Err(BodyError::InvalidChunkSize)
    );
    assert_eq!(decoder.finish_at_eof(), Err(BodyError::InvalidChunkSize));
}

proptest! {
    #[test]
    fn any_chunking_and_any_split_give_back_the_body(
        body in proptest::collection::vec(any::<u8>(), 0..200),
        sizes in proptest::collection::vec(0usize..50, 0..8),
        cuts in proptest::collection::vec(0usize..400, 0..8),
    ) {
        let input = chunked(&encode_chunks(&body, &sizes));
        let pieces = split_at(&input, &cuts);
        let got = read_response(&pieces, ResponseReader::new(), BodyLimits::default());
        prop_assert_eq!(got.map(|r| r.body), Ok(body));
    }

    #[test]
    fn any_chunked_bytes_split_anywhere_read_as_they_do_whole(
        body in proptest::collection::vec(
            prop_oneof![Just(b'\r'), Just(b'\n'), Just(b'0'), Just(b'1'), Just(b';'), Just(b':'), any::<u8>()],
            0..120),
        cuts in proptest::collection::vec(0usize..200, 0..6),
    ) {
        let limits = BodyLimits { max_body: 40, max_line: 12, max_trailers: 24 };
        let input = chunked(&body);
        let whole = read_response(&[&input], ResponseReader::new(), limits);
        let got = read_response(&split_at(&input, &cuts), ResponseReader::new(), limits);
        prop_assert_eq!(got, whole);
    }
}
