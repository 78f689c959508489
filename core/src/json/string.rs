//! JSON string contents: [`JsonStr`], the still-escaped text between the quotes,
//! decoded on demand (no buffer) or into a caller's buffer.

use super::syntax::SyntaxReason;
use crate::wire::Overflow;

/// The text between the quotes of a JSON string, escapes not yet decoded.
///
/// Only the scanner makes these, after checking every escape, so decoding
/// cannot fail (a malformed escape would decode to U+FFFD, which never happens).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub(crate) struct JsonStr<'a> {
    raw: &'a str,
}

impl<'a> JsonStr<'a> {
    /// Wraps string contents the scanner has already validated.
    pub(crate) const fn validated(raw: &'a str) -> Self {
        Self { raw }
    }

    /// The escaped text, as it appears in the document.
    pub(crate) const fn raw(self) -> &'a str {
        self.raw
    }

    /// The text itself when it holds no escapes (then decoding is the identity).
    pub(crate) fn as_plain(self) -> Option<&'a str> {
        (!self.raw.as_bytes().contains(&b'\\')).then_some(self.raw)
    }

    /// The decoded characters.
    pub(crate) fn chars(self) -> Chars<'a> {
        Chars { rest: self.raw }
    }

    /// True when the decoded text equals `text`.
    pub(crate) fn decodes_to(self, text: &str) -> bool {
        self.chars().eq(text.chars())
    }

    /// Decodes into `buf`, returning the decoded text.
    ///
    /// Decoded text is never longer than the escaped text, so a buffer of
    /// `self.raw().len()` bytes always suffices.
    pub(crate) fn decode_into(self, buf: &mut [u8]) -> Result<usize, Overflow> {
        let mut at = 0usize;
        for c in self.chars() {
            let mut utf8 = [0u8; 4];
            let bytes = c.encode_utf8(&mut utf8).as_bytes();
            let end = at.checked_add(bytes.len()).ok_or(Overflow)?;
            buf.get_mut(at..end).ok_or(Overflow)?.copy_from_slice(bytes);
            at = end;
        }
        Ok(at)
    }
}

/// Iterator over the decoded characters of a [`JsonStr`].
#[derive(Clone, Debug)]
pub(crate) struct Chars<'a> {
    rest: &'a str,
}

impl Iterator for Chars<'_> {
    type Item = char;

    fn next(&mut self) -> Option<char> {
        let bytes = self.rest.as_bytes();
        if *bytes.first()? == b'\\' {
            let after = bytes.get(1..).unwrap_or_default();
            match unescape(after) {
                Ok((c, used)) => {
                    self.rest = self.rest.get(used.saturating_add(1)..).unwrap_or_default();
                    Some(c)
                }
                Err(_) => {
                    self.rest = "";
                    Some(char::REPLACEMENT_CHARACTER)
                }
            }
        } else {
            let mut chars = self.rest.chars();
            let c = chars.next()?;
            self.rest = chars.as_str();
            Some(c)
        }
    }
}

/// Decodes the escape whose text starts right after a backslash.
/// Returns the character and how many bytes after the backslash it used.
pub(crate) fn unescape(after: &[u8]) -> Result<(char, usize), SyntaxReason> {
    let simple = match after.first() {
        None => return Err(SyntaxReason::UnexpectedEnd),
        Some(b'"') => '"',
        Some(b'\\') => '\\',
        Some(b'/') => '/',
        Some(b'b') => '\u{8}',
        Some(b'f') => '\u{c}',
        Some(b'n') => '\n',
        Some(b'r') => '\r',
        Some(b't') => '\t',
        Some(b'u') => return unescape_unicode(after),
        Some(_) => return Err(SyntaxReason::InvalidEscape),
    };
    Ok((simple, 1))
}

/// `after` starts with `u`: one `\uXXXX`, or a surrogate pair `\uD83D\uDE00`.
fn unescape_unicode(after: &[u8]) -> Result<(char, usize), SyntaxReason> {
    let first = hex4(after.get(1..5))?;
    match first {
        0xD800..=0xDBFF => {
            if after.get(5..7) != Some(b"\\u") {
                return Err(SyntaxReason::LoneSurrogate);
            }
            let second = hex4(after.get(7..11))?;
            if !(0xDC00..=0xDFFF).contains(&second) {
                return Err(SyntaxReason::LoneSurrogate);
            }
            let code = 0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00);
            char::from_u32(code)
                .map(|c| (c, 11))
                .ok_or(SyntaxReason::InvalidEscape)
        }
        0xDC00..=0xDFFF => Err(SyntaxReason::LoneSurrogate),
        _ => char::from_u32(first)
            .map(|c| (c, 5))
            .ok_or(SyntaxReason::InvalidEscape),
    }
}

fn hex4(digits: Option<&[u8]>) -> Result<u32, SyntaxReason> {
    let digits = digits.ok_or(SyntaxReason::InvalidEscape)?;
    digits.iter().try_fold(0u32, |acc, &d| {
        let v = char::from(d)
            .to_digit(16)
            .ok_or(SyntaxReason::InvalidEscape)?;
        Ok(acc * 16 + v)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decoded(raw: &str) -> std::string::String {
        JsonStr::validated(raw).chars().collect()
    }

    #[test]
    fn short_escapes_decode_to_their_characters() {
        assert_eq!(
            decoded(r#"a\"b\\c\/d\b\f\n\r\t"#),
            "a\"b\\c/d\u{8}\u{c}\n\r\t"
        );
    }

    #[test]
    fn unicode_escapes_and_surrogate_pairs_decode() {
        assert_eq!(decoded(r"\u0041\u00e9\u20AC\ud83d\ude00"), "Aé€😀");
    }

    #[test]
    fn lone_surrogates_are_rejected() {
        assert_eq!(unescape(br"uD800"), Err(SyntaxReason::LoneSurrogate));
        assert_eq!(unescape(br"uD800\u0041"), Err(SyntaxReason::LoneSurrogate));
        assert_eq!(unescape(br"uDC00"), Err(SyntaxReason::LoneSurrogate));
    }

    #[test]
    fn bad_escapes_are_rejected() {
        assert_eq!(unescape(b"x"), Err(SyntaxReason::InvalidEscape));
        assert_eq!(unescape(b"u12"), Err(SyntaxReason::InvalidEscape));
        assert_eq!(unescape(b"u12g4"), Err(SyntaxReason::InvalidEscape));
        assert_eq!(unescape(b""), Err(SyntaxReason::UnexpectedEnd));
    }

    #[test]
    fn decode_into_a_short_buffer_overflows() {
        let mut buf = [0u8; 2];
        assert_eq!(
            JsonStr::validated("abc").decode_into(&mut buf),
            Err(Overflow)
        );
        let mut buf = [0u8; 8];
        let n = JsonStr::validated(r"\u00e9!")
            .decode_into(&mut buf)
            .unwrap();
        assert_eq!(&buf[..n], "é!".as_bytes());
    }

    #[test]
    fn plain_text_is_borrowed_and_escaped_text_is_not() {
        assert_eq!(JsonStr::validated("ping").as_plain(), Some("ping"));
        assert_eq!(JsonStr::validated(r"\/ping").as_plain(), None);
        assert!(JsonStr::validated(r"\/ping").decodes_to("/ping"));
    }
}
