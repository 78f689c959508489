//! [`Value`]: one XML-RPC value, read lazily from a body that was already checked.
//!
//! Scalars are decoded when the value is read; strings stay escaped as
//! [`Text`]. Arrays and structs are views ([`Array`], [`Struct`]) over their
//! part of the body: iterating them reads their elements one at a time and
//! copies nothing. Everything a view can yield was checked when the body was
//! parsed, so iteration cannot fail.

use core::fmt;

use super::error::{Fail, RpcError};
use super::scan::{member_head, scan_value};
use super::text::Text;
use super::xml::{MEMBER, end_of_body, ws, ws_close};

/// One XML-RPC value.
#[derive(Clone, Copy, Debug, PartialEq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum Value<'a> {
    /// `<int>`, `<i4>` or `<i8>`.
    Int(i64),
    /// `<boolean>`: `1` or `0`.
    Bool(bool),
    /// `<double>`.
    Double(f64),
    /// `<string>`, an untyped `<value>text</value>`, `<string/>` or `<value/>`.
    String(Text<'a>),
    /// `<dateTime.iso8601>`, as sent (for example `20261122T03:07:43`).
    DateTime(Text<'a>),
    /// `<base64>`, still encoded.
    Base64(Text<'a>),
    /// `<array><data>...</data></array>`.
    Array(Array<'a>),
    /// `<struct>...</struct>`.
    Struct(Struct<'a>),
    /// `<nil/>` (an extension; supervisord never sends it).
    Nil,
}

impl<'a> Value<'a> {
    /// Reads a body that holds exactly one `<value>`, with whitespace around it allowed.
    ///
    /// # Errors
    /// [`RpcError`] at the first byte that is not a well-formed value.
    pub fn parse(body: &'a [u8]) -> Result<Self, RpcError> {
        let end = body.len();
        let (rest, value) = scan_value(end, ws(body)).map_err(|f| f.locate(end))?;
        end_of_body(rest).map_err(|f| f.locate(end))?;
        Ok(value)
    }

    /// The integer, if this is one.
    pub const fn as_int(&self) -> Option<i64> {
        match self {
            Value::Int(n) => Some(*n),
            _ => None,
        }
    }

    /// The boolean, if this is one.
    pub const fn as_bool(&self) -> Option<bool> {
        match self {
            Value::Bool(b) => Some(*b),
            _ => None,
        }
    }

    /// The double, if this is one.
    pub const fn as_f64(&self) -> Option<f64> {
        match self {
            Value::Double(x) => Some(*x),
            _ => None,
        }
    }

    /// The string, if this is one.
    pub const fn as_text(&self) -> Option<Text<'a>> {
        match self {
            Value::String(t) => Some(*t),
            _ => None,
        }
    }

    /// The array, if this is one.
    pub const fn as_array(&self) -> Option<Array<'a>> {
        match self {
            Value::Array(a) => Some(*a),
            _ => None,
        }
    }

    /// The struct, if this is one.
    pub const fn as_struct(&self) -> Option<Struct<'a>> {
        match self {
            Value::Struct(s) => Some(*s),
            _ => None,
        }
    }

    /// The XML-RPC name of the value's type (`int`, `string`, `array`...).
    pub const fn type_name(&self) -> &'static str {
        match self {
            Value::Int(_) => "int",
            Value::Bool(_) => "boolean",
            Value::Double(_) => "double",
            Value::String(_) => "string",
            Value::DateTime(_) => "dateTime.iso8601",
            Value::Base64(_) => "base64",
            Value::Array(_) => "array",
            Value::Struct(_) => "struct",
            Value::Nil => "nil",
        }
    }
}

/// An array: a view over the body between `<data>` and `</data>`.
#[derive(Clone, Copy)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Array<'a> {
    content: &'a [u8],
    offset: usize,
}

impl<'a> Array<'a> {
    pub(crate) const fn new(content: &'a [u8], offset: usize) -> Self {
        Self { content, offset }
    }

    /// The elements, in order.
    pub fn iter(&self) -> ArrayIter<'a> {
        ArrayIter {
            rest: self.content,
            end: self.end(),
        }
    }

    /// True when the array has no elements.
    pub fn is_empty(&self) -> bool {
        ws(self.content).is_empty()
    }

    /// Number of elements (counted by walking them).
    pub fn len(&self) -> usize {
        self.iter().count()
    }

    /// Byte offset in the body where the contents start (just after `<data>`).
    pub const fn offset(&self) -> usize {
        self.offset
    }

    const fn end(&self) -> usize {
        self.offset.saturating_add(self.content.len())
    }
}

impl fmt::Debug for Array<'_> {
    /// The elements, as a list.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

impl PartialEq for Array<'_> {
    /// Arrays are equal when their elements are.
    fn eq(&self, other: &Self) -> bool {
        self.iter().eq(other.iter())
    }
}

impl<'a> IntoIterator for Array<'a> {
    type Item = Value<'a>;
    type IntoIter = ArrayIter<'a>;

    fn into_iter(self) -> ArrayIter<'a> {
        self.iter()
    }
}

/// The elements of an [`Array`].
#[derive(Clone, Debug)]
pub struct ArrayIter<'a> {
    rest: &'a [u8],
    end: usize,
}

impl<'a> ArrayIter<'a> {
    /// What is left of the array's contents, and the absolute offset where it ends.
    pub(crate) const fn remaining(&self) -> (&'a [u8], usize) {
        (self.rest, self.end)
    }

    /// The next element and the byte offset of its `<value>` tag.
    pub fn next_with_offset(&mut self) -> Option<(usize, Value<'a>)> {
        let rest = ws(self.rest);
        self.rest = rest;
        if rest.is_empty() {
            return None;
        }
        let offset = self.end.saturating_sub(rest.len());
        let scanned = scan_value(self.end, rest);
        debug_assert!(scanned.is_ok(), "array contents were checked when parsed");
        match scanned {
            Ok((after, value)) => {
                self.rest = after;
                Some((offset, value))
            }
            Err(_) => {
                self.rest = &[];
                None
            }
        }
    }
}

impl<'a> Iterator for ArrayIter<'a> {
    type Item = Value<'a>;

    fn next(&mut self) -> Option<Value<'a>> {
        self.next_with_offset().map(|(_, value)| value)
    }
}

/// A struct: a view over the body between `<struct>` and `</struct>`.
#[derive(Clone, Copy)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Struct<'a> {
    content: &'a [u8],
    offset: usize,
}

/// One member of a [`Struct`].
#[derive(Clone, Copy, Debug, PartialEq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Member<'a> {
    /// The member's name.
    pub name: Text<'a>,
    /// The member's value.
    pub value: Value<'a>,
    /// Byte offset in the body of its `<member>` tag.
    pub offset: usize,
}

impl<'a> Struct<'a> {
    pub(crate) const fn new(content: &'a [u8], offset: usize) -> Self {
        Self { content, offset }
    }

    /// The members, in body order.
    pub fn members(&self) -> Members<'a> {
        Members::new(self.content, self.offset.saturating_add(self.content.len()))
    }

    /// The value of the member named `name`; the last one if the name repeats
    /// (as Python's `xmlrpc.client` reads it).
    pub fn get(&self, name: &str) -> Option<Value<'a>> {
        self.members()
            .filter(|m| m.name.eq_str(name))
            .last()
            .map(|m| m.value)
    }

    /// True when the struct has no members.
    pub fn is_empty(&self) -> bool {
        ws(self.content).is_empty()
    }

    /// Byte offset in the body where the contents start (just after `<struct>`).
    pub const fn offset(&self) -> usize {
        self.offset
    }
}

impl fmt::Debug for Struct<'_> {
    /// The members, as a map from name to value.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map()
            .entries(self.members().map(|m| (m.name, m.value)))
            .finish()
    }
}

impl PartialEq for Struct<'_> {
    /// Structs are equal when their members (names and values, in order) are.
    fn eq(&self, other: &Self) -> bool {
        self.members()
            .map(|m| (m.name, m.value))
            .eq(other.members().map(|m| (m.name, m.value)))
    }
}

impl<'a> IntoIterator for Struct<'a> {
    type Item = Member<'a>;
    type IntoIter = Members<'a>;

    fn into_iter(self) -> Members<'a> {
        self.members()
    }
}

/// The members of a [`Struct`].
#[derive(Clone, Debug)]
pub struct Members<'a> {
    rest: &'a [u8],
    end: usize,
}

impl<'a> Members<'a> {
    /// The members of a checked struct whose first member (or whitespace before
    /// it) starts `rest`; `end` is the absolute offset where `rest` ends. The
    /// walk stops at the end of `rest` or at the struct's closing tag.
    pub(crate) const fn new(rest: &'a [u8], end: usize) -> Self {
        Self { rest, end }
    }

    /// What is left after the members read so far.
    pub(crate) const fn rest(&self) -> &'a [u8] {
        self.rest
    }
}

impl<'a> Members<'a> {
    /// The next member, `None` at the struct's closing tag (or the end of
    /// the input), or why the input there is not a member. Unlike the
    /// iterator, this reads unchecked input too: a struct that arrived in
    /// pieces and may be truncated or malformed.
    #[inline(always)]
    pub(crate) fn try_next(&mut self) -> Result<Option<Member<'a>>, Fail<'a>> {
        let rest = ws(self.rest);
        self.rest = rest;
        if rest.is_empty() || rest.starts_with(b"</") {
            return Ok(None);
        }
        let offset = self.end.saturating_sub(rest.len());
        let (at_value, name) = member_head(rest)?;
        let (after, value) = scan_value(self.end, at_value)?;
        let (after, ()) = ws_close(after, &MEMBER)?;
        self.rest = after;
        Ok(Some(Member {
            name,
            value,
            offset,
        }))
    }
}

impl<'a> Iterator for Members<'a> {
    type Item = Member<'a>;

    fn next(&mut self) -> Option<Member<'a>> {
        let next = self.try_next();
        debug_assert!(next.is_ok(), "struct contents were checked when parsed");
        next.unwrap_or_else(|_| {
            self.rest = &[];
            None
        })
    }
}
