//! XML character data, both ways: reading one entity or character reference,
//! the characters XML 1.0 allows, and escaping text for output.

use core::fmt;

use nom::branch::alt;
use nom::bytes::complete::tag;
use nom::character::complete::{char, digit1, hex_digit1};
use nom::combinator::value;
use nom::sequence::delimited;
use nom::{IResult, Parser};

use crate::wire::{Overflow, Writer};

/// Why a method call could not be encoded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum EncodeError {
    /// The output buffer is too small; what was written so far is a partial body.
    Overflow,
    /// A string holds a character XML 1.0 cannot carry at all (a control
    /// character other than tab, LF and CR, or U+FFFE/U+FFFF).
    ForbiddenChar(char),
    /// Parameters are nested deeper than [`MAX_DEPTH`](crate::rpc::MAX_DEPTH).
    TooDeep,
}

impl From<Overflow> for EncodeError {
    fn from(_: Overflow) -> Self {
        EncodeError::Overflow
    }
}

impl fmt::Display for EncodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EncodeError::Overflow => f.write_str("output buffer too small for the XML-RPC call"),
            EncodeError::ForbiddenChar(c) => {
                write!(f, "character {:?} cannot be sent in XML", c)
            }
            EncodeError::TooDeep => {
                write!(f, "parameters nested deeper than {}", crate::rpc::MAX_DEPTH)
            }
        }
    }
}

impl core::error::Error for EncodeError {}

/// True for the characters XML 1.0 allows in a document (its `Char` production).
pub(crate) fn is_xml_char(c: char) -> bool {
    matches!(c,
        '\t' | '\n' | '\r'
        | '\u{20}'..='\u{D7FF}'
        | '\u{E000}'..='\u{FFFD}'
        | '\u{10000}'..)
}

/// Reads the entity or character reference at the start of `s` (which starts
/// with `&`): the character it stands for and how many bytes it took.
/// `None` when it is not `&lt;` `&gt;` `&amp;` `&quot;` `&apos;` `&#NN;` or
/// `&#xHH;` naming a character XML allows.
pub(crate) fn reference(s: &str) -> Option<(char, usize)> {
    let mut named = alt((
        value('<', tag("&lt;")),
        value('>', tag("&gt;")),
        value('&', tag("&amp;")),
        value('"', tag("&quot;")),
        value('\'', tag("&apos;")),
    ));
    let named: IResult<&str, char> = named.parse_complete(s);
    if let Ok((rest, c)) = named {
        return Some((c, s.len().saturating_sub(rest.len())));
    }
    let hex = delimited(tag("&#x"), hex_digit1, char(';')).map(|d| (d, 16));
    let dec = delimited(tag("&#"), digit1, char(';')).map(|d| (d, 10));
    let numeric: IResult<&str, (&str, u32)> = alt((hex, dec)).parse_complete(s);
    let (rest, (digits, radix)) = numeric.ok()?;
    let code = u32::from_str_radix(digits, radix).ok()?;
    let c = char::from_u32(code).filter(|c| is_xml_char(*c))?;
    Some((c, s.len().saturating_sub(rest.len())))
}

/// Writes `s` as XML character data: `&`, `<`, `>` become entities and CR
/// becomes `&#13;` (so a reader does not turn it into LF).
///
/// # Errors
/// [`EncodeError::ForbiddenChar`] (nothing written) when `s` holds a character
/// XML cannot carry; [`EncodeError::Overflow`] when `w` runs out of room.
pub fn escape_into(s: &str, w: &mut Writer<'_>) -> Result<(), EncodeError> {
    if let Some(bad) = s.chars().find(|c| !is_xml_char(*c)) {
        return Err(EncodeError::ForbiddenChar(bad));
    }
    let mut rest = s;
    while let Some(at) = rest.find(['&', '<', '>', '\r']) {
        let (run, tail) = rest.split_at_checked(at).unwrap_or((rest, ""));
        w.put_str(run)?;
        let mut chars = tail.chars();
        let entity = match chars.next() {
            Some('&') => "&amp;",
            Some('<') => "&lt;",
            Some('>') => "&gt;",
            _ => "&#13;",
        };
        w.put_str(entity)?;
        rest = chars.as_str();
    }
    w.put_str(rest)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_five_named_entities_are_read() {
        assert_eq!(reference("&lt;x"), Some(('<', 4)));
        assert_eq!(reference("&gt;"), Some(('>', 4)));
        assert_eq!(reference("&amp;amp;"), Some(('&', 5)));
        assert_eq!(reference("&quot;"), Some(('"', 6)));
        assert_eq!(reference("&apos;"), Some(('\'', 6)));
    }

    #[test]
    fn decimal_and_hex_character_references_are_read() {
        assert_eq!(reference("&#65;"), Some(('A', 5)));
        assert_eq!(reference("&#x41;"), Some(('A', 6)));
        assert_eq!(reference("&#xe9;"), Some(('é', 6)));
        assert_eq!(reference("&#x1F600;"), Some(('😀', 9)));
        assert_eq!(reference("&#0000000065;"), Some(('A', 13)));
    }

    #[test]
    fn malformed_or_forbidden_references_are_refused() {
        for bad in [
            "&",
            "&lt",
            "&nbsp;",
            "&#;",
            "&#x;",
            "&#X41;",
            "&#65",
            "&#0;",
            "&#1;",
            "&#xD800;",
            "&#x110000;",
            "&#xFFFE;",
            "&#99999999999999999999;",
            "&LT;",
        ] {
            assert_eq!(reference(bad), None, "{bad}");
        }
    }

    #[test]
    fn escaping_replaces_markup_characters_and_cr() {
        let mut buf = [0u8; 64];
        let mut w = Writer::new(&mut buf);
        escape_into("a&b<c>d\r\n\"'é", &mut w).unwrap();
        assert_eq!(w.written(), "a&amp;b&lt;c&gt;d&#13;\n\"'é".as_bytes());
    }

    #[test]
    fn escaping_a_control_character_is_refused_and_writes_nothing() {
        let mut buf = [0u8; 64];
        let mut w = Writer::new(&mut buf);
        assert_eq!(
            escape_into("ok\u{1}", &mut w),
            Err(EncodeError::ForbiddenChar('\u{1}'))
        );
        assert!(w.is_empty());
        assert_eq!(
            escape_into("\u{FFFF}", &mut w),
            Err(EncodeError::ForbiddenChar('\u{FFFF}'))
        );
    }

    #[test]
    fn escaping_into_a_small_buffer_overflows() {
        let mut buf = [0u8; 4];
        let mut w = Writer::new(&mut buf);
        assert_eq!(escape_into("a&b", &mut w), Err(EncodeError::Overflow));
    }
}
