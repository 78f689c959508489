//! Properties of the JSON scanner and the complex config: arbitrary strings
//! round-trip through every escaping style, a scratch buffer as long as the
//! text always suffices, and the scanner agrees with serde_json on validity.

#![allow(
    clippy::panic,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing
)]

use proptest::prelude::*;
use supercheck_core::check::spec::{Body, CheckKind, CheckSpec};
use supercheck_core::json::{ComplexConfig, ConfigErrorKind, RawJson, write_json_string};
use supercheck_core::wire::Writer;

/// `s` as a JSON string in which every character is a `\u` escape
/// (surrogate pairs beyond the BMP).
fn all_unicode_escapes(s: &str) -> String {
    let mut out = String::from("\"");
    for unit in s.encode_utf16() {
        out.push_str(&format!("\\u{unit:04X}"));
    }
    out.push('"');
    out
}

/// `s` as a JSON string written by our own encoder.
fn our_escapes(s: &str) -> String {
    let mut buf = vec![0u8; s.len() * 6 + 2];
    let mut w = Writer::new(&mut buf);
    write_json_string(&mut w, s).unwrap();
    String::from_utf8(w.written().to_vec()).unwrap()
}

/// The text body of the single http check in `text`.
fn body_of(text: &str) -> String {
    let mut scratch = vec![0u8; text.len()];
    let config = ComplexConfig::parse(text.as_bytes(), &mut scratch).unwrap();
    match config.get(CheckKind::Http) {
        Some(CheckSpec::Http(h)) => match h.body {
            Some(Body::Text(t)) => t.to_owned(),
            other => panic!("body {other:?}"),
        },
        other => panic!("check {other:?}"),
    }
}

/// Text made of JSON punctuation, literals, numbers and escapes, so random
/// draws are often nearly valid.
fn jsonish() -> impl Strategy<Value = String> {
    let token = prop::sample::select(vec![
        "{", "}", "[", "]", ",", ":", " ", "\"", "\"a\"", "\\", "\\n", "\\u00e9", "\\ud83d",
        "\\ude00", "0", "1", "-", ".", "e", "+", "12", "true", "false", "null", "nul", "x",
        "\u{1}", "é",
    ]);
    prop::collection::vec(token, 0..24).prop_map(|t| t.concat())
}

proptest! {
    #[test]
    fn any_string_round_trips_through_every_escaping(s in any::<String>()) {
        for encoded in [our_escapes(&s), serde_json::to_string(&s).unwrap(), all_unicode_escapes(&s)] {
            let text = format!(r#"{{"http":{{"url":"/","port":1,"body":{encoded}}}}}"#);
            prop_assert_eq!(body_of(&text), s.as_str());
        }
    }

    #[test]
    fn scratch_as_long_as_the_text_always_suffices(s in any::<String>(), t in any::<String>()) {
        let text = format!(
            r#"{{"http":{{"url":{},"port":{},"headers":{{{}:{}}}}}}}"#,
            all_unicode_escapes(&format!("/{s}")),
            all_unicode_escapes(&t),
            all_unicode_escapes(&s),
            all_unicode_escapes(&t),
        );
        let mut scratch = vec![0u8; text.len()];
        if let Err(e) = ComplexConfig::parse(text.as_bytes(), &mut scratch) {
            prop_assert_ne!(e.kind, ConfigErrorKind::ScratchTooSmall);
        }
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..256)) {
        let mut scratch = vec![0u8; bytes.len()];
        if let Err(e) = ComplexConfig::parse(&bytes, &mut scratch) {
            prop_assert!(e.offset <= bytes.len());
            prop_assert!(!e.to_string().is_empty());
        }
    }

    #[test]
    fn scanner_agrees_with_serde_json_on_validity(text in jsonish()) {
        let ours = RawJson::parse(&text);
        let theirs = serde_json::from_str::<serde_json::Value>(&text);
        match (&ours, &theirs) {
            // serde_json refuses numbers beyond f64; the grammar allows them.
            (Ok(_), Err(e)) if e.to_string().contains("out of range") => {}
            _ => prop_assert_eq!(ours.is_ok(), theirs.is_ok(), "{:?} vs {:?}", ours, theirs),
        }
    }
}
