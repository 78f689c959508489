//! [`RpcError`]: why an XML-RPC body was rejected, and at which byte.
//!
//! Every parser in [`crate::rpc`] reports the absolute byte offset into the body
//! it was given and what it expected there, so a log line can point at the
//! exact spot of a malformed reply.

use core::fmt;

/// An XML-RPC body that could not be read, and where.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct RpcError {
    /// Byte offset into the body where the problem was found.
    pub offset: usize,
    /// What was wrong there.
    pub kind: RpcErrorKind,
}

/// What was wrong at [`RpcError::offset`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum RpcErrorKind {
    /// Something else was expected here (a tag, a number, the end of input...).
    Expected(&'static str),
    /// Arrays and structs are nested deeper than [`MAX_DEPTH`](crate::rpc::MAX_DEPTH).
    TooDeep,
    /// A `<value>` holds a type tag XML-RPC does not define.
    UnknownType,
    /// An integer does not fit in 64 bits.
    IntOutOfRange,
    /// Text is not valid UTF-8.
    InvalidUtf8,
    /// An `&...;` reference is not one of the five XML entities or a valid
    /// character reference.
    BadEntity,
    /// A character XML 1.0 does not allow (a control character, U+FFFE, U+FFFF).
    ForbiddenChar,
    /// A struct lacks a member the reply must have.
    MissingField(&'static str),
    /// A struct member has the wrong type or an out-of-range value.
    FieldType {
        /// The member name.
        field: &'static str,
        /// What its value should have been.
        expected: &'static str,
    },
    /// A process `state` code that supervisord does not define.
    UnknownState(i64),
}

impl RpcError {
    /// An error of `kind` at byte `offset`.
    pub const fn new(offset: usize, kind: RpcErrorKind) -> Self {
        Self { offset, kind }
    }
}

impl fmt::Display for RpcError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "XML-RPC body, byte {}: {}", self.offset, self.kind)
    }
}

impl fmt::Display for RpcErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RpcErrorKind::Expected(what) => write!(f, "expected {what}"),
            RpcErrorKind::TooDeep => write!(
                f,
                "arrays and structs nested deeper than {}",
                crate::rpc::MAX_DEPTH
            ),
            RpcErrorKind::UnknownType => f.write_str("unknown value type"),
            RpcErrorKind::IntOutOfRange => f.write_str("integer does not fit in 64 bits"),
            RpcErrorKind::InvalidUtf8 => f.write_str("text is not valid UTF-8"),
            RpcErrorKind::BadEntity => f.write_str("bad entity or character reference"),
            RpcErrorKind::ForbiddenChar => f.write_str("character not allowed in XML"),
            RpcErrorKind::MissingField(field) => write!(f, "struct has no member `{field}`"),
            RpcErrorKind::FieldType { field, expected } => {
                write!(f, "member `{field}`: expected {expected}")
            }
            RpcErrorKind::UnknownState(code) => write!(f, "unknown process state code {code}"),
        }
    }
}

impl core::error::Error for RpcError {}

/// A parse failure inside the crate: the remaining input where it happened
/// (always a suffix of the slice being parsed) and what went wrong. Turned
/// into an [`RpcError`] with [`Fail::locate`] once the slice's end offset is known.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Fail<'a> {
    pub(crate) at: &'a [u8],
    pub(crate) kind: RpcErrorKind,
}

impl<'a> Fail<'a> {
    pub(crate) const fn new(at: &'a [u8], kind: RpcErrorKind) -> Self {
        Self { at, kind }
    }

    pub(crate) const fn expected(at: &'a [u8], what: &'static str) -> Self {
        Self::new(at, RpcErrorKind::Expected(what))
    }

    /// The public error, for a slice whose last byte is just before absolute offset `end`.
    pub(crate) fn locate(self, end: usize) -> RpcError {
        RpcError::new(end.saturating_sub(self.at.len()), self.kind)
    }
}

/// What every internal parser returns: the rest of the input and a value.
pub(crate) type Parsed<'a, T> = Result<(&'a [u8], T), Fail<'a>>;

#[cfg(test)]
mod tests {
    use super::*;
    use std::string::ToString;

    #[test]
    fn error_display_names_offset_and_expectation() {
        let e = RpcError::new(42, RpcErrorKind::Expected("`</value>`"));
        assert_eq!(e.to_string(), "XML-RPC body, byte 42: expected `</value>`");
        let e = RpcError::new(
            7,
            RpcErrorKind::FieldType {
                field: "pid",
                expected: "an integer",
            },
        );
        assert_eq!(
            e.to_string(),
            "XML-RPC body, byte 7: member `pid`: expected an integer"
        );
    }

    #[test]
    fn fail_is_located_from_the_end_of_its_slice() {
        let body = b"0123456789";
        let fail = Fail::expected(body.get(4..).unwrap(), "x");
        assert_eq!(fail.locate(100).offset, 94);
        assert_eq!(fail.locate(body.len()).offset, 4);
    }
}
