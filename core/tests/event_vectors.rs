//! The event decoder against byte-exact captures from a real supervisord 4.3.0
//! (`vectors/events/`, recorded by `vectors/record_vectors.py`).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::fs;
use std::path::{Path, PathBuf};

use supercheck_core::event::{Decoded, Decoder, Event, LenMode};

fn events_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/vectors/events")
}

struct IndexRow {
    file: String,
    eventname: String,
    len: usize,
    payload_bytes: usize,
}

fn index() -> Vec<IndexRow> {
    let text = fs::read_to_string(events_dir().join("INDEX.tsv")).unwrap();
    text.lines()
        .skip(1)
        .map(|line| {
            let f: Vec<&str> = line.split('\t').collect();
            IndexRow {
                file: f[0].to_string(),
                eventname: f[1].to_string(),
                len: f[2].parse().unwrap(),
                payload_bytes: f[3].parse().unwrap(),
            }
        })
        .collect()
}

#[test]
fn every_captured_event_decodes_whole_with_its_name_in_char_mode() {
    let rows = index();
    assert!(rows.len() >= 30, "the capture holds every event type");
    for row in rows {
        let bytes = fs::read(events_dir().join(&row.file)).unwrap();
        let decoded = Decoder::new(LenMode::Chars)
            .decode(&bytes)
            .unwrap_or_else(|e| panic!("{}: {e}", row.file));
        let Decoded::Complete {
            header,
            event,
            consumed,
        } = decoded
        else {
            panic!("{}: incomplete", row.file)
        };
        assert_eq!(consumed, bytes.len(), "{}", row.file);
        assert_eq!(header.eventname, row.eventname, "{}", row.file);
        assert_eq!(event.name(), row.eventname, "{}", row.file);
        assert_eq!(header.len, row.len as u64, "{}", row.file);
        assert!(
            !matches!(event, Event::Other { .. }),
            "{}: every 4.3.0 event type is typed",
            row.file
        );
    }
}

#[test]
fn non_ascii_captures_have_more_bytes_than_len_and_byte_mode_would_desync() {
    let non_ascii: Vec<IndexRow> = index()
        .into_iter()
        .filter(|r| r.payload_bytes > r.len)
        .collect();
    assert!(non_ascii.len() >= 5);
    for row in non_ascii {
        let bytes = fs::read(events_dir().join(&row.file)).unwrap();
        match Decoder::new(LenMode::Bytes).decode(&bytes) {
            Ok(Decoded::Complete { consumed, .. }) => {
                assert!(consumed < bytes.len(), "{}", row.file)
            }
            other => panic!("{}: byte mode should stop short, got {other:?}", row.file),
        }
    }
}

#[test]
fn the_captured_stream_decodes_event_after_event_to_its_end() {
    let stream = fs::read(events_dir().join("stream.bin")).unwrap();
    let decoder = Decoder::new(LenMode::Chars);
    let mut rest = &stream[..];
    let mut names = Vec::new();
    while !rest.is_empty() {
        match decoder.decode(rest).unwrap() {
            Decoded::Complete {
                event, consumed, ..
            } => {
                names.push(event.name().to_string());
                rest = &rest[consumed..];
            }
            Decoded::Incomplete { needed } => panic!("stream ends inside an event ({needed} more)"),
        }
    }
    assert!(names.len() > 100);
    assert_eq!(names[0], "PROCESS_GROUP_ADDED");
    for tick in ["TICK_5", "TICK_60", "TICK_3600"] {
        assert!(names.iter().any(|n| n == tick), "{tick} in the stream");
    }
}

#[test]
fn every_prefix_of_a_captured_non_ascii_event_is_incomplete_never_an_event() {
    let bytes = fs::read(events_dir().join("PROCESS_LOG_STDOUT-nonascii.bin")).unwrap();
    let decoder = Decoder::new(LenMode::Chars);
    for cut in 0..bytes.len() {
        match decoder.decode(&bytes[..cut]) {
            Ok(Decoded::Incomplete { needed }) => assert!(cut + needed <= bytes.len()),
            other => panic!("prefix of {cut} bytes gave {other:?}"),
        }
    }
}
