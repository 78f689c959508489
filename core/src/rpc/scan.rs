//! The XML-RPC value grammar, read without recursion.
//!
//! [`scan_value`] reads one `<value>` completely and checks all of it. A
//! scalar comes back decoded; an array or struct comes back as a view over its
//! contents, whose extent [`skip_container`] finds with an explicit stack of
//! one bit per level (array or struct), capped at [`MAX_DEPTH`] levels. Hostile
//! nesting costs a typed error, never stack space. Iterating a view later runs
//! the same code over its contents, which has already been checked.
//! [`ProcessInfoIter`](super::ProcessInfoIter) reads each struct of an array
//! with [`open_value`], its members and [`close_struct_value`], so a struct is
//! walked once rather than skipped over and then walked again.

use super::error::{Fail, Parsed, RpcErrorKind};
use super::text::Text;
use super::value::{Array, Struct, Value};
use super::xml::{
    ARRAY, BASE64, BOOLEAN, DATA, DATE_TIME, DOUBLE, I4, I8, INT, MEMBER, NAME, NIL, STRING,
    STRUCT, Tag, VALUE, at_tag, close, empty_text, open, open_or_empty, tag_name, text,
    text_element, ws, ws_close,
};
use core::num::IntErrorKind;

/// How many arrays and structs may be nested inside one another.
pub const MAX_DEPTH: usize = 32;

/// The two kinds of container.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Container {
    Array,
    Struct,
}

/// What the start of a `<value>` held.
pub(crate) enum Opened<'a> {
    /// A whole scalar (or empty container); the input is past `</value>`.
    Done(Value<'a>),
    /// `<array><data>` or `<struct>`; the input is at the container's first element.
    Container(Container),
}

/// Reads one `<value>...</value>` at the start of `input` (no leading whitespace).
/// `end` is the absolute offset just past the last byte of the slice `input` ends
/// with, so views can record absolute offsets.
pub(crate) fn scan_value(end: usize, input: &[u8]) -> Parsed<'_, Value<'_>> {
    match open_value(end, input)? {
        (rest, Opened::Done(value)) => Ok((rest, value)),
        (rest, Opened::Container(kind)) => finish_container(end, rest, kind),
    }
}

/// Reads the rest of a container whose `<value>` and opening [`open_value`]
/// read, through `</value>`, and returns the container as a view.
pub(crate) fn finish_container(end: usize, input: &[u8], kind: Container) -> Parsed<'_, Value<'_>> {
    let (after, close_at) = skip_container(end, input, kind)?;
    let content = input
        .get(..input.len().saturating_sub(close_at.len()))
        .unwrap_or_default();
    let offset = end.saturating_sub(input.len());
    let (after, ()) = ws_close(after, &VALUE)?;
    let value = match kind {
        Container::Array => Value::Array(Array::new(content, offset)),
        Container::Struct => Value::Struct(Struct::new(content, offset)),
    };
    Ok((after, value))
}

/// Reads `</struct>`, whitespace and `</value>`: the end of a struct value
/// whose members were walked.
pub(crate) fn close_struct_value(input: &[u8]) -> Parsed<'_, ()> {
    let (rest, ()) = close(input, &STRUCT)?;
    ws_close(rest, &VALUE)
}

/// Reads `<member>`, the member name and the whitespace before its `<value>`.
pub(crate) fn member_head(input: &[u8]) -> Parsed<'_, Text<'_>> {
    if !at_tag(input, MEMBER.name, false) {
        return Err(Fail::expected(input, "`<member>` or `</struct>`"));
    }
    let (rest, ()) = open(input, &MEMBER)?;
    let (rest, name) = text_element(ws(rest), &NAME)?;
    Ok((ws(rest), name))
}

/// Bits of a container stack: bit 0 is the innermost level, 1 for a struct.
struct Stack {
    bits: u64,
    depth: usize,
}

impl Stack {
    fn top(&self) -> Container {
        if self.bits & 1 == 1 {
            Container::Struct
        } else {
            Container::Array
        }
    }

    fn push(&mut self, kind: Container) -> bool {
        if self.depth >= MAX_DEPTH {
            return false;
        }
        self.bits = (self.bits << 1) | u64::from(kind == Container::Struct);
        self.depth = self.depth.saturating_add(1);
        true
    }

    fn pop(&mut self) {
        self.bits >>= 1;
        self.depth = self.depth.saturating_sub(1);
    }
}

/// Walks the contents of a container whose opening was just read, to its
/// matching close. Returns the input past `</data></array>` or `</struct>`,
/// and the input at that closing tag (where the contents end).
fn skip_container(end: usize, input: &[u8], outer: Container) -> Parsed<'_, &[u8]> {
    let mut stack = Stack {
        bits: u64::from(outer == Container::Struct),
        depth: 1,
    };
    let mut rest = input;
    loop {
        rest = ws(rest);
        let top = stack.top();
        if let Some(after) = close_container(rest, top)? {
            stack.pop();
            if stack.depth == 0 {
                return Ok((after, rest));
            }
            let (after, ()) = ws_close(after, &VALUE)?;
            rest = match stack.top() {
                Container::Struct => ws_close(after, &MEMBER)?.0,
                Container::Array => after,
            };
            continue;
        }
        let value_at = match top {
            Container::Struct => member_head(rest)?.0,
            Container::Array if at_tag(rest, VALUE.name, false) => rest,
            Container::Array => return Err(Fail::expected(rest, "`<value>` or `</data>`")),
        };
        let (after, opened) = open_value(end, value_at)?;
        rest = match opened {
            Opened::Done(_) if top == Container::Struct => ws_close(after, &MEMBER)?.0,
            Opened::Done(_) => after,
            Opened::Container(kind) if stack.push(kind) => after,
            Opened::Container(_) => return Err(Fail::new(value_at, RpcErrorKind::TooDeep)),
        };
    }
}

/// The closing of a container of kind `kind`, if the input is at it:
/// `</data></array>` or `</struct>`.
fn close_container(input: &[u8], kind: Container) -> Result<Option<&[u8]>, Fail<'_>> {
    match kind {
        Container::Array if at_tag(input, DATA.name, true) => {
            let (rest, ()) = close(input, &DATA)?;
            Ok(Some(ws_close(rest, &ARRAY)?.0))
        }
        Container::Struct if at_tag(input, STRUCT.name, true) => Ok(Some(close(input, &STRUCT)?.0)),
        _ => Ok(None),
    }
}

/// Reads `<value>` and what follows up to a container's first element, or the
/// whole value when it is a scalar or an empty container.
pub(crate) fn open_value(end: usize, input: &[u8]) -> Parsed<'_, Opened<'_>> {
    let (rest, empty) = open_or_empty(input, &VALUE)?;
    if empty {
        return Ok((rest, Opened::Done(Value::String(empty_text(rest)))));
    }
    let typed_at = ws(rest);
    let untyped = !typed_at.starts_with(b"<") || at_tag(typed_at, VALUE.name, true);
    if untyped {
        let (rest, t) = text(rest)?;
        let (rest, ()) = close(rest, &VALUE)?;
        return Ok((rest, Opened::Done(Value::String(t))));
    }
    let (rest, opened) = typed(end, typed_at)?;
    match opened {
        Opened::Done(value) => Ok((ws_close(rest, &VALUE)?.0, Opened::Done(value))),
        container => Ok((rest, container)),
    }
}

/// The typed element inside a `<value>`, at its opening `<`.
fn typed(end: usize, input: &[u8]) -> Parsed<'_, Opened<'_>> {
    let done = |rest, value| Ok((rest, Opened::Done(value)));
    match tag_name(input).unwrap_or_default() {
        b"string" => {
            let (rest, (_, t)) = typed_text(input, &STRING)?;
            done(rest, Value::String(t))
        }
        b"int" => int(input, &INT),
        b"i4" => int(input, &I4),
        b"i8" => int(input, &I8),
        b"boolean" => {
            let (rest, (at, t)) = typed_text(input, &BOOLEAN)?;
            match t.raw() {
                "0" => done(rest, Value::Bool(false)),
                "1" => done(rest, Value::Bool(true)),
                _ => Err(Fail::expected(at, "`0` or `1`")),
            }
        }
        b"double" => {
            let (rest, (at, t)) = typed_text(input, &DOUBLE)?;
            let parsed = with_plain(t, |s| s.trim_matches(XML_WS).parse::<f64>().ok());
            match parsed {
                Some(x) => done(rest, Value::Double(x)),
                None => Err(Fail::expected(at, "a floating-point number")),
            }
        }
        b"dateTime.iso8601" => {
            let (rest, (_, t)) = typed_text(input, &DATE_TIME)?;
            done(rest, Value::DateTime(t))
        }
        b"base64" => {
            let (rest, (_, t)) = typed_text(input, &BASE64)?;
            done(rest, Value::Base64(t))
        }
        b"nil" => {
            let (rest, empty) = open_or_empty(input, &NIL)?;
            let rest = if empty { rest } else { close(rest, &NIL)?.0 };
            done(rest, Value::Nil)
        }
        b"array" => {
            let (rest, ()) = open(input, &ARRAY)?;
            let (rest, empty) = open_or_empty(ws(rest), &DATA)?;
            if !empty {
                return Ok((rest, Opened::Container(Container::Array)));
            }
            let offset = end.saturating_sub(rest.len());
            let (rest, ()) = ws_close(rest, &ARRAY)?;
            done(rest, Value::Array(Array::new(&[], offset)))
        }
        b"struct" => {
            let (rest, empty) = open_or_empty(input, &STRUCT)?;
            if !empty {
                return Ok((rest, Opened::Container(Container::Struct)));
            }
            let offset = end.saturating_sub(rest.len());
            done(rest, Value::Struct(Struct::new(&[], offset)))
        }
        _ => Err(Fail::new(input, RpcErrorKind::UnknownType)),
    }
}

/// XML whitespace, which numbers may be surrounded by.
const XML_WS: [char; 4] = [' ', '\t', '\r', '\n'];

/// `<int>`, `<i4>` or `<i8>`: a decimal integer that fits in 64 bits.
#[inline(always)]
fn int<'a>(input: &'a [u8], t: &Tag) -> Parsed<'a, Opened<'a>> {
    let (rest, (at, text)) = typed_text(input, t)?;
    let parsed = match text.plain_bytes().and_then(plain_decimal) {
        Some(n) => Ok(n),
        None => any_decimal(text),
    };
    match parsed {
        Ok(n) => Ok((rest, Opened::Done(Value::Int(n)))),
        Err(kind) => Err(Fail::new(at, kind)),
    }
}

/// Digits with an optional leading `-`, as supervisord writes integers; `None`
/// for anything else (left to [`any_decimal`]), including overflow.
fn plain_decimal(s: &[u8]) -> Option<i64> {
    let (sign, digits) = match s {
        [] | [b'-'] => return None,
        [b'-', digits @ ..] => (-1, digits),
        digits => (1, digits),
    };
    let n = digits.iter().try_fold(0i64, |n, b| {
        let digit = b.checked_sub(b'0').filter(|d| *d <= 9)?;
        n.checked_mul(10)?.checked_add(i64::from(digit))
    })?;
    n.checked_mul(sign)
}

/// An integer as Python's `int()` would read it: whitespace around, a sign, entities.
fn any_decimal(text: Text<'_>) -> Result<i64, RpcErrorKind> {
    with_plain(text, |s| {
        Some(
            s.trim_matches(XML_WS)
                .parse::<i64>()
                .map_err(|e| match e.kind() {
                    IntErrorKind::PosOverflow | IntErrorKind::NegOverflow => {
                        RpcErrorKind::IntOutOfRange
                    }
                    _ => RpcErrorKind::Expected("an integer"),
                }),
        )
    })
    .unwrap_or(Err(RpcErrorKind::Expected("an integer")))
}

/// `<name>text</name>` or `<name/>`: the input past it, where the text starts, the text.
#[inline(always)]
fn typed_text<'a>(input: &'a [u8], t: &Tag) -> Parsed<'a, (&'a [u8], Text<'a>)> {
    let (at, empty) = open_or_empty(input, t)?;
    if empty {
        return Ok((at, (at, empty_text(at))));
    }
    let (rest, text) = text(at)?;
    let (rest, ()) = close(rest, t)?;
    Ok((rest, (at, text)))
}

/// Runs `f` on the decoded text of a short scalar; `None` when it is too long to decode.
fn with_plain<T>(text: Text<'_>, f: impl FnOnce(&str) -> Option<T>) -> Option<T> {
    if let Some(plain) = text.as_plain() {
        return f(plain);
    }
    let mut buf = [0u8; 64];
    f(text.decode_into(&mut buf).ok()?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn int_of(body: &str) -> Result<i64, RpcErrorKind> {
        let end = body.len();
        match scan_value(end, body.as_bytes()) {
            Ok((_, value)) => Ok(value.as_int().unwrap()),
            Err(fail) => Err(fail.kind),
        }
    }

    #[test]
    fn integers_outside_the_plain_form_take_the_general_reader() {
        for plain_only_refuses in [
            "",
            "-",
            "+5",
            " 5",
            "5\n",
            "1_0",
            "&#x35;",
            "99999999999999999999",
        ] {
            assert_eq!(plain_decimal(plain_only_refuses.as_bytes()), None);
        }
        assert_eq!(int_of("<value><int>+5</int></value>"), Ok(5));
        assert_eq!(int_of("<value><int> 5\n</int></value>"), Ok(5));
        assert_eq!(int_of("<value><int>&#x35;</int></value>"), Ok(5));
        assert_eq!(
            int_of("<value><i8>-9223372036854775808</i8></value>"),
            Ok(i64::MIN)
        );
        assert_eq!(
            int_of("<value><int>99999999999999999999</int></value>"),
            Err(RpcErrorKind::IntOutOfRange)
        );
        assert_eq!(
            int_of("<value><int>-</int></value>"),
            Err(RpcErrorKind::Expected("an integer"))
        );
    }

    proptest::proptest! {
        #[test]
        fn plain_decimals_read_as_rust_reads_them(n: i64) {
            let digits = std::format!("{n}");
            let expected = if n == i64::MIN { None } else { Some(n) };
            proptest::prop_assert_eq!(plain_decimal(digits.as_bytes()), expected);
            let body = std::format!("<value><i8>{n}</i8></value>");
            proptest::prop_assert_eq!(int_of(&body), Ok(n));
        }
    }
}
