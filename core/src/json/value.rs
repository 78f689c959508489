//! Values found by the scanner: [`Value`] with its offset and text, and
//! iterators over the members and elements of validated containers.

use super::scan::Cursor;
use super::string::JsonStr;
use super::syntax::{SyntaxError, SyntaxReason};

/// A complete JSON value found in a document, with where it starts.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Value<'a> {
    /// Byte offset of the value's first byte.
    pub(crate) offset: usize,
    /// The value's text as it appears in the document.
    pub(crate) text: &'a str,
    /// What the value is.
    pub(crate) kind: ValueKind<'a>,
}

/// The kinds of JSON value, borrowing the document.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum ValueKind<'a> {
    Null,
    Bool(bool),
    /// The number's text, grammar already checked; `integer` when it has
    /// neither fraction nor exponent.
    Number {
        text: &'a str,
        integer: bool,
    },
    String(JsonStr<'a>),
    Array(Container<'a>),
    Object(Container<'a>),
}

/// An array or object already validated by the scanner, re-read on demand.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Container<'a> {
    doc: &'a str,
    /// Offset of the opening bracket or brace.
    start: usize,
}

impl<'a> Container<'a> {
    /// A container the scanner has checked, its opening byte at `start`.
    pub(crate) const fn validated(doc: &'a str, start: usize) -> Self {
        Self { doc, start }
    }

    /// The members of an object, in document order.
    pub(crate) fn members(self) -> Members<'a> {
        Members {
            cursor: Cursor::at(self.doc, self.start.saturating_add(1)),
            first: true,
            done: false,
        }
    }

    /// The elements of an array, in document order.
    pub(crate) fn elements(self) -> Elements<'a> {
        Elements {
            cursor: Cursor::at(self.doc, self.start.saturating_add(1)),
            first: true,
            done: false,
        }
    }
}

/// One `"key": value` member of an object.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Member<'a> {
    pub(crate) key: JsonStr<'a>,
    pub(crate) key_offset: usize,
    pub(crate) value: Value<'a>,
}

/// Iterator over an object's members.
#[derive(Clone, Debug)]
pub(crate) struct Members<'a> {
    cursor: Cursor<'a>,
    first: bool,
    done: bool,
}

impl<'a> Iterator for Members<'a> {
    type Item = Result<Member<'a>, SyntaxError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        let c = &mut self.cursor;
        let step = (|| {
            if c.skip_ws() == Some(b'}') {
                return Ok(None);
            }
            if !core::mem::take(&mut self.first) {
                c.expect(b',', SyntaxReason::ExpectedCommaOrBrace)?;
                c.skip_ws();
            }
            let key_offset = c.pos;
            if c.peek() != Some(b'"') {
                return Err(c.error(SyntaxReason::ExpectedKey));
            }
            let key = c.string()?;
            c.skip_ws();
            c.expect(b':', SyntaxReason::ExpectedColon)?;
            let value = c.value()?;
            Ok(Some(Member {
                key,
                key_offset,
                value,
            }))
        })();
        match step {
            Ok(Some(m)) => Some(Ok(m)),
            Ok(None) => {
                self.done = true;
                None
            }
            Err(e) => {
                self.done = true;
                Some(Err(e))
            }
        }
    }
}

/// Iterator over an array's elements.
#[derive(Clone, Debug)]
pub(crate) struct Elements<'a> {
    cursor: Cursor<'a>,
    first: bool,
    done: bool,
}

impl<'a> Iterator for Elements<'a> {
    type Item = Result<Value<'a>, SyntaxError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        let c = &mut self.cursor;
        let step = (|| {
            if c.skip_ws() == Some(b']') {
                return Ok(None);
            }
            if !core::mem::take(&mut self.first) {
                c.expect(b',', SyntaxReason::ExpectedCommaOrBracket)?;
            }
            c.value().map(Some)
        })();
        match step {
            Ok(Some(v)) => Some(Ok(v)),
            Ok(None) => {
                self.done = true;
                None
            }
            Err(e) => {
                self.done = true;
                Some(Err(e))
            }
        }
    }
}
