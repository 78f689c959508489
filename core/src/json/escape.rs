//! Writing text as JSON strings: quotes, backslashes and control characters
//! escaped, everything else (non-ASCII included) passed through as UTF-8.

use crate::wire::{Overflow, Writer};

/// Writes `text` as a quoted JSON string.
///
/// `"` and `\` get a backslash; characters below U+0020 become `\u00XX`
/// (lowercase hex); all other characters, non-ASCII included, are copied.
///
/// # Errors
/// [`Overflow`] when the writer runs out of room (part of the string may
/// have been written).
pub fn write_json_string(w: &mut Writer<'_>, text: &str) -> Result<(), Overflow> {
    w.put_byte(b'"')?;
    write_json_string_contents(w, text)?;
    w.put_byte(b'"')
}

/// Writes the escaped contents of a JSON string, without the quotes.
///
/// # Errors
/// [`Overflow`] when the writer runs out of room.
pub fn write_json_string_contents(w: &mut Writer<'_>, text: &str) -> Result<(), Overflow> {
    let bytes = text.as_bytes();
    let mut clean_from = 0usize;
    for (at, &b) in bytes.iter().enumerate() {
        if b != b'"' && b != b'\\' && b >= 0x20 {
            continue;
        }
        w.put(bytes.get(clean_from..at).unwrap_or_default())?;
        clean_from = at.saturating_add(1);
        match b {
            b'"' => w.put(b"\\\"")?,
            b'\\' => w.put(b"\\\\")?,
            control => {
                const HEX: &[u8; 16] = b"0123456789abcdef";
                let hi = HEX.get(usize::from(control >> 4)).copied().unwrap_or(b'0');
                let lo = HEX.get(usize::from(control & 0xf)).copied().unwrap_or(b'0');
                w.put(&[b'\\', b'u', b'0', b'0', hi, lo])?;
            }
        }
    }
    w.put(bytes.get(clean_from..).unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn escaped(text: &str) -> std::string::String {
        let mut buf = [0u8; 256];
        let mut w = Writer::new(&mut buf);
        write_json_string(&mut w, text).unwrap();
        std::string::String::from_utf8(w.written().to_vec()).unwrap()
    }

    #[test]
    fn quotes_and_backslashes_are_escaped() {
        assert_eq!(escaped(r#"a"b\c"#), r#""a\"b\\c""#);
    }

    #[test]
    fn control_characters_become_u00xx() {
        assert_eq!(escaped("\n\t\u{0}\u{1f}"), r#""\u000a\u0009\u0000\u001f""#);
    }

    #[test]
    fn non_ascii_and_slash_pass_through() {
        assert_eq!(escaped("é/😀\u{7f}"), "\"é/😀\u{7f}\"");
    }

    #[test]
    fn a_string_that_does_not_fit_overflows() {
        let mut buf = [0u8; 4];
        let mut w = Writer::new(&mut buf);
        assert_eq!(write_json_string(&mut w, "abcd"), Err(Overflow));
    }
}
