//! The event decoder on garbage: every malformed header and payload names
//! its byte offset, what was expected, and how a driver gets back in step.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)] // test helpers

use supercheck_core::event::{
    DecodeError, DecodeErrorKind, Decoded, Decoder, Event, HeaderErrorKind, HeaderKey, LenMode,
    NumberError, PayloadErrorKind, Resync,
};

const CHARS: Decoder = Decoder::new(LenMode::Chars);
const BYTES: Decoder = Decoder::new(LenMode::Bytes);

fn error(decoder: Decoder, buf: &[u8]) -> DecodeError {
    decoder.decode(buf).expect_err("expected an error")
}

fn header_error(buf: &[u8]) -> (usize, HeaderErrorKind, Resync) {
    let err = error(CHARS, buf);
    let DecodeErrorKind::Header(kind) = err.kind else {
        panic!("{err:?}")
    };
    (err.offset, kind, err.resync())
}

#[test]
fn bad_header_lines_name_the_offset_and_the_next_line() {
    assert_eq!(
        header_error(b"garbage\nlen:0"),
        (0, HeaderErrorKind::TokenWithoutColon, Resync::SkipLine(8))
    );
    assert_eq!(
        header_error(b"\nver:3.0"),
        (0, HeaderErrorKind::Empty, Resync::SkipLine(1))
    );
    assert_eq!(
        header_error(b"ver:3.0 eventname:E\n"),
        (
            19,
            HeaderErrorKind::MissingKey(HeaderKey::Len),
            Resync::SkipLine(20)
        )
    );
    assert_eq!(
        header_error(b"len:0\n"),
        (
            5,
            HeaderErrorKind::MissingKey(HeaderKey::EventName),
            Resync::SkipLine(6)
        )
    );
    assert_eq!(
        header_error(b"eventname:E \xc3\x28:1 len:0\n"),
        (12, HeaderErrorKind::NotUtf8, Resync::SkipLine(23))
    );
}

#[test]
fn negative_non_numeric_and_overflowing_len_are_refused() {
    let bad = |reason| HeaderErrorKind::BadNumber {
        key: HeaderKey::Len,
        reason,
    };
    assert_eq!(
        header_error(b"eventname:E len:-1\n").1,
        bad(NumberError::Negative)
    );
    assert_eq!(
        header_error(b"eventname:E len:12a\n").1,
        bad(NumberError::NotDigit)
    );
    assert_eq!(
        header_error(b"eventname:E len:18446744073709551616\n").1,
        bad(NumberError::Overflow)
    );
}

#[test]
fn one_tebibyte_len_fails_as_soon_as_the_header_is_read() {
    let err = error(BYTES, b"eventname:E len:1099511627776\n");
    assert_eq!(
        (err.offset, err.kind),
        (
            30,
            DecodeErrorKind::PayloadTooLarge {
                len: 1 << 40,
                max: 1 << 20
            }
        )
    );
    assert_eq!(err.skip_to(), None);
}

#[test]
fn one_mebibyte_header_line_is_too_long_without_waiting_for_its_newline() {
    let mut line = vec![b'a'; 1 << 20];
    line[0..4].copy_from_slice(b"ver:");
    let err = error(CHARS, &line);
    assert_eq!(
        (err.offset, err.kind, err.resync()),
        (
            4096,
            DecodeErrorKind::HeaderTooLong { max: 4096 },
            Resync::Lost
        )
    );
    line.push(b'\n');
    assert_eq!(
        error(CHARS, &line).kind,
        DecodeErrorKind::HeaderTooLong { max: 4096 }
    );
}

#[test]
fn invalid_utf8_payload_is_an_error_in_chars_mode_and_raw_data_in_bytes_mode() {
    let buf = b"eventname:PROCESS_LOG_STDOUT len:50\nprocessname:a groupname:b pid:1 channel:stdout\nx\xff\n";
    let err = error(CHARS, buf);
    assert_eq!(
        (err.offset, err.kind, err.resync()),
        (84, DecodeErrorKind::PayloadNotUtf8, Resync::Lost)
    );
    let Ok(Decoded::Complete {
        event: Event::ProcessLog(out),
        consumed,
        ..
    }) = BYTES.decode(buf)
    else {
        panic!()
    };
    assert_eq!((out.data, consumed), (&b"x\xff\n"[..], buf.len()));
}

#[test]
fn payload_of_the_wrong_shape_is_skippable_as_a_whole_event() {
    let buf = b"eventname:TICK_60 len:8\nwhen:abcver:3.0";
    let err = error(CHARS, buf);
    assert_eq!(
        err.kind,
        DecodeErrorKind::Payload(PayloadErrorKind::BadNumber {
            field: "when",
            reason: NumberError::NotDigit
        })
    );
    assert_eq!(
        (err.offset, err.resync(), err.skip_to()),
        (29, Resync::SkipEvent(32), Some(32))
    );
}

#[test]
fn invalid_tokens_in_bytes_mode_are_a_payload_error() {
    let buf =
        b"eventname:PROCESS_STATE_FATAL len:44\nprocessname:\xff groupname:b from_state:BACKOFF";
    let err = error(BYTES, buf);
    assert_eq!(
        (err.offset, err.kind),
        (49, DecodeErrorKind::Payload(PayloadErrorKind::NotUtf8))
    );
}

#[test]
fn errors_display_offset_and_expectation() {
    let err = error(CHARS, b"eventname:E len:x\n");
    assert_eq!(
        err.to_string(),
        "event byte 16: bad header: `len`: expected only ASCII digits"
    );
}
