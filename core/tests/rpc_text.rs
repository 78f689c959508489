//! `Text`: escaped XML character data, decoded on demand without a buffer or
//! into one, compared, displayed, and refused at the offending byte when malformed.
#![allow(clippy::unwrap_used)]

use supercheck_core::rpc::text::{TextError, TextErrorKind};
use supercheck_core::rpc::{BufferTooSmall, Text};

#[test]
fn entities_and_line_ends_are_decoded_into_the_buffer() {
    let t = Text::new("a&lt;b&gt;c&amp;d&quot;e&apos;f&#233;&#x263A;\r\ng\rh").unwrap();
    let mut buf = [0u8; 64];
    assert_eq!(t.decode_into(&mut buf).unwrap(), "a<b>c&d\"e'fé☺\ng\nh");
    assert_eq!(t.decoded_len(), "a<b>c&d\"e'fé☺\ng\nh".len());
}

#[test]
fn decoding_into_a_short_buffer_says_how_much_is_needed() {
    let t = Text::new("caf&#xe9;").unwrap();
    let mut buf = [0u8; 4];
    assert_eq!(t.decode_into(&mut buf), Err(BufferTooSmall { needed: 5 }));
    let mut buf = [0u8; 5];
    assert_eq!(t.decode_into(&mut buf), Ok("café"));
}

#[test]
fn eq_str_compares_decoded_text_without_a_buffer() {
    let t = Text::new("web&amp;api:&#x77;eb_8101").unwrap();
    assert!(t.eq_str("web&api:web_8101"));
    assert!(!t.eq_str("web&api:web_810"));
    assert!(!t.eq_str("web&api:web_81011"));
    assert!(!t.eq_str("web&amp;api:web_8101"));
    assert!(Text::EMPTY.eq_str(""));
    assert!(!Text::EMPTY.eq_str("x"));
}

#[test]
fn texts_with_different_escapes_of_the_same_characters_are_equal() {
    assert_eq!(Text::new("a&amp;b").unwrap(), Text::new("a&#38;b").unwrap());
    assert_ne!(Text::new("a&amp;b").unwrap(), Text::new("a&amp;c").unwrap());
    assert_eq!(Text::new("x&lt;").unwrap(), "x<");
}

#[test]
fn malformed_text_is_refused_at_the_offending_byte() {
    let bad = |raw| Text::new(raw).unwrap_err();
    assert_eq!(
        bad("ok &nbsp;"),
        TextError {
            offset: 3,
            kind: TextErrorKind::BadEntity
        }
    );
    assert_eq!(
        bad("é&"),
        TextError {
            offset: 2,
            kind: TextErrorKind::BadEntity
        }
    );
    assert_eq!(
        bad("a\u{0}"),
        TextError {
            offset: 1,
            kind: TextErrorKind::ForbiddenChar
        }
    );
    assert_eq!(
        bad("a<b"),
        TextError {
            offset: 1,
            kind: TextErrorKind::Markup
        }
    );
}

#[test]
fn display_writes_decoded_text_and_debug_the_raw_text() {
    let t = Text::new("BAD_NAME: a&amp;b").unwrap();
    assert_eq!(t.to_string(), "BAD_NAME: a&b");
    assert_eq!(format!("{t:?}"), "\"BAD_NAME: a&amp;b\"");
}

#[test]
fn plain_text_is_available_without_decoding_only_when_unescaped() {
    assert_eq!(Text::new("web_8101").unwrap().as_plain(), Some("web_8101"));
    assert_eq!(Text::new("a&amp;b").unwrap().as_plain(), None);
    assert_eq!(Text::new("a\r\nb").unwrap().as_plain(), None);
}

#[test]
fn chars_yield_decoded_characters() {
    let t = Text::new("&lt;é&#x41;\r\n").unwrap();
    assert!(t.chars().eq(['<', 'é', 'A', '\n']));
}

#[test]
fn every_empty_text_is_the_same_plain_empty_string() {
    let parsed = supercheck_core::rpc::Value::parse(b"<value><string/></value>")
        .unwrap()
        .as_text()
        .unwrap();
    for t in [Text::EMPTY, Text::default(), Text::new("").unwrap(), parsed] {
        assert_eq!(t, Text::EMPTY);
        assert_eq!((t.raw(), t.as_plain(), t.is_empty()), ("", Some(""), true));
        assert!(t.eq_str(""));
    }
}
