//! The XML tokens XML-RPC is made of, read with plain byte comparisons:
//! opening, closing and empty tags without attributes, character data,
//! whitespace between tags, and the optional `<?xml ...?>` declaration.
//!
//! Every parser takes the remaining input and, on failure, reports where it
//! stopped (a suffix of its input) and what it expected there.
//!
//! Only the XML that XML-RPC needs is read: attributes, comments, CDATA
//! sections, processing instructions past the declaration and DOCTYPEs are
//! refused (supervisord never sends them; Python's marshaller cannot).

use super::error::{Fail, Parsed, RpcErrorKind};
use super::text::{Text, TextErrorKind};

/// An element name with the ways an error message spells its tags.
///
/// The tag readers taking a `Tag` are always inlined: each caller names a
/// constant tag, so its name has a known length and is compared with a load
/// or two instead of a call to `memcmp`.
pub(crate) struct Tag {
    pub(crate) name: &'static str,
    pub(crate) open: &'static str,
    pub(crate) close: &'static str,
}

macro_rules! element {
    ($const:ident, $name:literal) => {
        pub(crate) const $const: Tag = Tag {
            name: $name,
            open: concat!("`<", $name, ">`"),
            close: concat!("`</", $name, ">`"),
        };
    };
}

element!(METHOD_RESPONSE, "methodResponse");
element!(METHOD_CALL, "methodCall");
element!(METHOD_NAME, "methodName");
element!(PARAMS, "params");
element!(PARAM, "param");
element!(FAULT, "fault");
element!(VALUE, "value");
element!(ARRAY, "array");
element!(DATA, "data");
element!(STRUCT, "struct");
element!(MEMBER, "member");
element!(NAME, "name");
element!(STRING, "string");
element!(INT, "int");
element!(I4, "i4");
element!(I8, "i8");
element!(BOOLEAN, "boolean");
element!(DOUBLE, "double");
element!(DATE_TIME, "dateTime.iso8601");
element!(BASE64, "base64");
element!(NIL, "nil");

/// XML whitespace: space, tab, CR, LF.
const fn is_ws(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\r' | b'\n')
}

/// Skips XML whitespace (space, tab, CR, LF).
pub(crate) fn ws(input: &[u8]) -> &[u8] {
    match input.iter().position(|b| !is_ws(*b)) {
        Some(at) => input.get(at..).unwrap_or_default(),
        None => &[],
    }
}

/// `<name` followed by optional whitespace, then `>` (false) or `/>` (true).
#[inline(always)]
fn start_tag<'a>(input: &'a [u8], name: &str) -> Option<(&'a [u8], bool)> {
    let rest = input.strip_prefix(b"<")?.strip_prefix(name.as_bytes())?;
    let rest = ws(rest);
    match rest.strip_prefix(b">") {
        Some(rest) => Some((rest, false)),
        None => Some((rest.strip_prefix(b"/>")?, true)),
    }
}

/// `<name>`.
#[inline(always)]
pub(crate) fn open<'a>(input: &'a [u8], t: &Tag) -> Parsed<'a, ()> {
    match start_tag(input, t.name) {
        Some((rest, false)) => Ok((rest, ())),
        _ => Err(Fail::expected(input, t.open)),
    }
}

/// `<name>` (false) or the empty element `<name/>` (true).
#[inline(always)]
pub(crate) fn open_or_empty<'a>(input: &'a [u8], t: &Tag) -> Parsed<'a, bool> {
    start_tag(input, t.name).ok_or(Fail::expected(input, t.open))
}

/// `</name>`.
#[inline(always)]
pub(crate) fn close<'a>(input: &'a [u8], t: &Tag) -> Parsed<'a, ()> {
    match end_tag(input, t.name) {
        Some(rest) => Ok((rest, ())),
        None => Err(Fail::expected(input, t.close)),
    }
}

/// `</name` followed by optional whitespace, then `>`.
#[inline(always)]
fn end_tag<'a>(input: &'a [u8], name: &str) -> Option<&'a [u8]> {
    let rest = input.strip_prefix(b"</")?.strip_prefix(name.as_bytes())?;
    ws(rest).strip_prefix(b">")
}

/// Whitespace, then `</name>`.
#[inline(always)]
pub(crate) fn ws_close<'a>(input: &'a [u8], t: &Tag) -> Parsed<'a, ()> {
    close(ws(input), t)
}

/// True when the input starts with a tag (opening, closing or empty) named exactly `name`.
#[inline(always)]
pub(crate) fn at_tag(input: &[u8], name: &str, closing: bool) -> bool {
    let lead: &[u8] = if closing { b"</" } else { b"<" };
    let after_name = input
        .strip_prefix(lead)
        .and_then(|rest| rest.strip_prefix(name.as_bytes()));
    after_name
        .and_then(|rest| rest.first())
        .is_some_and(|b| matches!(b, b'>' | b'/') || is_ws(*b))
}

/// The element name of the tag at the start of `input` (`<name...`).
pub(crate) fn tag_name(input: &[u8]) -> Option<&[u8]> {
    let rest = input.strip_prefix(b"<")?;
    let len = rest
        .iter()
        .position(|b| matches!(b, b'>' | b'/' | b'<') || is_ws(*b))
        .unwrap_or(rest.len());
    rest.get(..len).filter(|name| !name.is_empty())
}

/// For each byte value, true when the byte stands for itself in text and
/// needs no further check: ASCII that XML allows, other than `&`, `<` and CR.
#[expect(
    clippy::indexing_slicing,
    reason = "evaluated at compile time: a bad index fails the build"
)]
const PLAIN: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 256 {
        table[b] = matches!(b as u8, b'\t' | b'\n' | b' '..=b'%' | b'\''..=b';' | b'='..=0x7F);
        b += 1;
    }
    table
};

/// True for a byte of [`PLAIN`] text.
#[inline(always)]
fn is_plain(b: u8) -> bool {
    PLAIN.get(usize::from(b)).is_some_and(|plain| *plain)
}

/// Character data up to the next `<`, checked: UTF-8, entities, allowed characters.
///
/// Plain ASCII (the common case) is read and checked in one pass, inline;
/// anything else (an entity, a multi-byte or control character, CR) goes
/// through [`checked_text`].
#[inline(always)]
pub(crate) fn text(input: &[u8]) -> Parsed<'_, Text<'_>> {
    let plain_len = input
        .iter()
        .position(|b| !is_plain(*b))
        .unwrap_or(input.len());
    if input.get(plain_len).is_none_or(|b| *b == b'<') {
        if let Some((raw, rest)) = input.split_at_checked(plain_len) {
            return Ok((rest, Text::plain(raw)));
        }
    }
    checked_text(input)
}

/// Character data up to the next `<`, checked character by character.
fn checked_text(input: &[u8]) -> Parsed<'_, Text<'_>> {
    let len = memchr::memchr(b'<', input).unwrap_or(input.len());
    let (raw, rest) = input.split_at_checked(len).unwrap_or((input, &[]));
    let at = |offset: usize| input.get(offset..).unwrap_or_default();
    let raw = core::str::from_utf8(raw)
        .map_err(|e| Fail::new(at(e.valid_up_to()), RpcErrorKind::InvalidUtf8))?;
    let text = Text::new(raw).map_err(|e| {
        let kind = match e.kind {
            TextErrorKind::ForbiddenChar => RpcErrorKind::ForbiddenChar,
            _ => RpcErrorKind::BadEntity,
        };
        Fail::new(at(e.offset), kind)
    })?;
    Ok((rest, text))
}

/// The text of an empty element (`<string/>`): empty, and located where it
/// would have started. Equal to [`Text::EMPTY`]; built from the input rather
/// than that constant so the compiler can keep every text read in registers.
#[inline(always)]
pub(crate) fn empty_text(at: &[u8]) -> Text<'_> {
    Text::plain(at.get(..0).unwrap_or_default())
}

/// `<name>text</name>`, or `<name/>` for empty text.
#[inline(always)]
pub(crate) fn text_element<'a>(input: &'a [u8], t: &Tag) -> Parsed<'a, Text<'a>> {
    match start_tag(input, t.name) {
        Some((rest, false)) => {
            let (rest, text) = text(rest)?;
            let (rest, ()) = close(rest, t)?;
            Ok((rest, text))
        }
        Some((rest, true)) => Ok((rest, empty_text(rest))),
        None => Err(Fail::expected(input, t.open)),
    }
}

/// What may come before the root element: a UTF-8 byte order mark,
/// whitespace, an `<?xml ...?>` declaration, whitespace.
pub(crate) fn prolog(input: &[u8]) -> Parsed<'_, ()> {
    let input = input.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(input);
    let rest = ws(input);
    if !rest.starts_with(b"<?") {
        return Ok((rest, ()));
    }
    let declaration = rest
        .strip_prefix(b"<?xml")
        .and_then(|decl| Some((decl, memchr::memmem::find(decl, b"?>")?)))
        .and_then(|(decl, at)| decl.get(at.saturating_add(2)..));
    match declaration {
        Some(after) => Ok((ws(after), ())),
        None => Err(Fail::expected(rest, "an `<?xml ...?>` declaration")),
    }
}

/// Whitespace, then the end of the body.
pub(crate) fn end_of_body(input: &[u8]) -> Parsed<'_, ()> {
    let rest = ws(input);
    if rest.is_empty() {
        Ok((rest, ()))
    } else {
        Err(Fail::expected(rest, "the end of the body"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_allow_whitespace_before_the_closing_bracket() {
        assert_eq!(open(b"<value >x", &VALUE).unwrap().0, b"x");
        assert_eq!(close(b"</value\n>x", &VALUE).unwrap().0, b"x");
        assert_eq!(
            open_or_empty(b"<value />x", &VALUE).unwrap(),
            (&b"x"[..], true)
        );
    }

    #[test]
    fn a_longer_name_is_not_the_tag() {
        let fail = open(b"<values>", &VALUE).unwrap_err();
        assert_eq!(fail.kind, RpcErrorKind::Expected("`<value>`"));
        assert!(!at_tag(b"<values>", "value", false));
        assert!(at_tag(b"<value/>", "value", false));
        assert!(at_tag(b"</data >", "data", true));
    }

    #[test]
    fn prolog_skips_bom_declaration_and_whitespace() {
        let (rest, ()) = prolog(b"\xEF\xBB\xBF <?xml version='1.0'?>\n<m").unwrap();
        assert_eq!(rest, b"<m");
        let (rest, ()) = prolog(b"<m").unwrap();
        assert_eq!(rest, b"<m");
        assert!(prolog(b"<?xml version='1.0'").is_err());
    }

    #[test]
    fn text_failure_points_at_the_offending_byte() {
        let input = b"ab&bad;</x>";
        let fail = text(input).unwrap_err();
        assert_eq!(fail.locate(input.len()).offset, 2);
        let input = b"ab\xFF</x>";
        let fail = text(input).unwrap_err();
        assert_eq!(fail.kind, RpcErrorKind::InvalidUtf8);
        assert_eq!(fail.locate(input.len()).offset, 2);
    }

    #[test]
    fn plain_bytes_are_exactly_those_text_keeps_as_they_are() {
        for b in 0..=255u8 {
            let as_is = b.is_ascii()
                && super::super::entity::is_xml_char(char::from(b))
                && !matches!(b, b'&' | b'<' | b'\r');
            assert_eq!(is_plain(b), as_is, "byte {b:#04x}");
        }
    }

    /// A text, its end and what follows, as pieces likely to hit every path.
    fn text_input() -> impl proptest::strategy::Strategy<Value = std::vec::Vec<u8>> {
        use proptest::prelude::*;
        use std::vec;
        let piece = prop_oneof![
            "[ -~\t\n]{0,6}".prop_map(std::string::String::into_bytes),
            Just(b"&amp;".to_vec()),
            Just(b"&#x263A;".to_vec()),
            Just(b"&bad;".to_vec()),
            Just(b"&".to_vec()),
            Just(b"\r\n".to_vec()),
            Just("\u{e9}".as_bytes().to_vec()),
            Just(b"\xEF\xBF\xBE".to_vec()),
            Just(b"\xFF".to_vec()),
            Just(b"\x01".to_vec()),
            Just(b"\x7F".to_vec()),
            Just(b"</x>".to_vec()),
        ];
        proptest::collection::vec(piece, 0..6).prop_map(|pieces| pieces.concat())
    }

    proptest::proptest! {
        #[test]
        fn plain_text_fast_path_reads_as_the_full_check_does(input in text_input()) {
            let fast = text(&input).map(|(rest, t)| (rest, t.raw(), t.as_plain()));
            let full = checked_text(&input).map(|(rest, t)| (rest, t.raw(), t.as_plain()));
            match (fast, full) {
                (Ok(fast), Ok(full)) => proptest::prop_assert_eq!(fast, full),
                (Err(fast), Err(full)) => {
                    proptest::prop_assert_eq!(fast.at, full.at);
                    proptest::prop_assert_eq!(fast.kind, full.kind);
                }
                (fast, full) => proptest::prop_assert!(false, "{fast:?} vs {full:?}"),
            }
        }
    }
}
