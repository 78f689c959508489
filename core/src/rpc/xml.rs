//! The XML tokens XML-RPC is made of, as complete-mode nom parsers: opening,
//! closing and empty tags without attributes, character data, whitespace
//! between tags, and the optional `<?xml ...?>` declaration.
//!
//! Every parser takes the remaining input and, on failure, reports where it
//! stopped (a suffix of its input) and what it expected there.
//!
//! Only the XML that XML-RPC needs is read: attributes, comments, CDATA
//! sections, processing instructions past the declaration and DOCTYPEs are
//! refused (supervisord never sends them; Python's marshaller cannot).

use nom::bytes::complete::{tag, take_till, take_until, take_while1};
use nom::character::complete::{char, multispace0};
use nom::combinator::opt;
use nom::{IResult, Parser};

use super::error::{Fail, Parsed, RpcErrorKind};
use super::text::{Text, TextErrorKind};

/// An element name with the ways an error message spells its tags.
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

type NomResult<'a, T> = IResult<&'a [u8], T>;

/// Skips XML whitespace (space, tab, CR, LF).
pub(crate) fn ws(input: &[u8]) -> &[u8] {
    let skipped: NomResult<'_, &[u8]> = multispace0(input);
    skipped.map_or(input, |(rest, _)| rest)
}

/// `<name` followed by optional whitespace, then `>` (false) or `/>` (true).
fn start_tag<'a>(input: &'a [u8], name: &str) -> NomResult<'a, bool> {
    let (rest, _) = (char('<'), tag(name), multispace0).parse_complete(input)?;
    let (rest, slash) = opt(char('/')).parse_complete(rest)?;
    let (rest, _) = char('>').parse_complete(rest)?;
    Ok((rest, slash.is_some()))
}

/// `<name>`.
pub(crate) fn open<'a>(input: &'a [u8], t: &Tag) -> Parsed<'a, ()> {
    match start_tag(input, t.name) {
        Ok((rest, false)) => Ok((rest, ())),
        _ => Err(Fail::expected(input, t.open)),
    }
}

/// `<name>` (false) or the empty element `<name/>` (true).
pub(crate) fn open_or_empty<'a>(input: &'a [u8], t: &Tag) -> Parsed<'a, bool> {
    start_tag(input, t.name).map_err(|_| Fail::expected(input, t.open))
}

/// `</name>`.
pub(crate) fn close<'a>(input: &'a [u8], t: &Tag) -> Parsed<'a, ()> {
    let parsed: NomResult<'a, _> =
        (tag("</"), tag(t.name), multispace0, char('>')).parse_complete(input);
    parsed
        .map(|(rest, _)| (rest, ()))
        .map_err(|_| Fail::expected(input, t.close))
}

/// Whitespace, then `</name>`.
pub(crate) fn ws_close<'a>(input: &'a [u8], t: &Tag) -> Parsed<'a, ()> {
    close(ws(input), t)
}

/// True when the input starts with a tag (opening, closing or empty) named exactly `name`.
pub(crate) fn at_tag(input: &[u8], name: &str, closing: bool) -> bool {
    let lead: &[u8] = if closing { b"</" } else { b"<" };
    input
        .strip_prefix(lead)
        .and_then(|rest| rest.strip_prefix(name.as_bytes()))
        .and_then(|rest| rest.first())
        .is_some_and(|b| matches!(b, b'>' | b'/' | b' ' | b'\t' | b'\r' | b'\n'))
}

/// The element name of the tag at the start of `input` (`<name...`).
pub(crate) fn tag_name(input: &[u8]) -> Option<&[u8]> {
    let parsed: NomResult<'_, _> = (
        char('<'),
        take_while1(|b: u8| !matches!(b, b'>' | b'/' | b'<' | b' ' | b'\t' | b'\r' | b'\n')),
    )
        .parse_complete(input);
    parsed.ok().map(|(_, (_, name))| name)
}

/// Character data up to the next `<`, checked: UTF-8, entities, allowed characters.
pub(crate) fn text(input: &[u8]) -> Parsed<'_, Text<'_>> {
    let taken: NomResult<'_, &[u8]> = take_till(|b| b == b'<')(input);
    let (rest, raw) = taken.unwrap_or((input, &[]));
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

/// `<name>text</name>`, or `<name/>` for empty text.
pub(crate) fn text_element<'a>(input: &'a [u8], t: &Tag) -> Parsed<'a, Text<'a>> {
    let (rest, empty) = open_or_empty(input, t)?;
    if empty {
        return Ok((rest, Text::EMPTY));
    }
    let (rest, text) = text(rest)?;
    let (rest, ()) = close(rest, t)?;
    Ok((rest, text))
}

/// What may come before the root element: a UTF-8 byte order mark,
/// whitespace, an `<?xml ...?>` declaration, whitespace.
pub(crate) fn prolog(input: &[u8]) -> Parsed<'_, ()> {
    let input = input.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(input);
    let rest = ws(input);
    if !rest.starts_with(b"<?") {
        return Ok((rest, ()));
    }
    let declaration: NomResult<'_, _> =
        (tag("<?xml"), take_until("?>"), tag("?>")).parse_complete(rest);
    match declaration {
        Ok((after, _)) => Ok((ws(after), ())),
        Err(_) => Err(Fail::expected(rest, "an `<?xml ...?>` declaration")),
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
}
