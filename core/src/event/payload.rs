//! Payload shape errors and the token-set reader the typed events share.
//!
//! A payload's token set is read like the header line (see `token`): fields
//! in any order, unknown keys ignored, a known field at most once.

use core::fmt;

use super::error::NumberError;
use super::token::{TokenErrorKind, Tokens, parse_u64};
use crate::process::ProcessState;

/// What is wrong with a payload, for the event type its header names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum PayloadErrorKind {
    /// The token set is not UTF-8.
    NotUtf8,
    /// A token has no `:`.
    TokenWithoutColon,
    /// A token starts with `:`.
    EmptyKey,
    /// A field the event requires is absent.
    MissingField(&'static str),
    /// A field appears twice.
    DuplicateField(&'static str),
    /// No `\n` separates the token set from the data.
    MissingBody,
    /// A numeric field has a bad value.
    BadNumber {
        /// The field.
        field: &'static str,
        /// Why the value was refused.
        reason: NumberError,
    },
    /// The field is not a process state name (`RUNNING`, `BACKOFF`...).
    UnknownState(&'static str),
    /// The field is neither `0` nor `1`.
    BadFlag(&'static str),
    /// `channel` is not the stream the event name says (`stdout`/`stderr`).
    BadChannel,
    /// The event carries no payload, but one was sent.
    NotEmpty,
}

impl fmt::Display for PayloadErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PayloadErrorKind::NotUtf8 => f.write_str("expected UTF-8 tokens"),
            PayloadErrorKind::TokenWithoutColon => {
                f.write_str("expected `key:value`, found no `:`")
            }
            PayloadErrorKind::EmptyKey => f.write_str("expected a key before `:`"),
            PayloadErrorKind::MissingField(name) => write!(f, "expected field `{name}`"),
            PayloadErrorKind::DuplicateField(name) => write!(f, "field `{name}` appears twice"),
            PayloadErrorKind::MissingBody => f.write_str("expected `\\n` before the data"),
            PayloadErrorKind::BadNumber { field, reason } => write!(f, "`{field}`: {reason}"),
            PayloadErrorKind::UnknownState(name) => {
                write!(f, "`{name}`: expected a process state name")
            }
            PayloadErrorKind::BadFlag(name) => write!(f, "`{name}`: expected `0` or `1`"),
            PayloadErrorKind::BadChannel => f.write_str("`channel` does not match the event name"),
            PayloadErrorKind::NotEmpty => f.write_str("expected an empty payload"),
        }
    }
}

/// A [`PayloadErrorKind`] and its byte offset in the payload.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct PayloadError {
    /// Byte offset of the problem in the payload.
    pub offset: usize,
    /// What was expected.
    pub kind: PayloadErrorKind,
}

impl fmt::Display for PayloadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "payload byte {}: {}", self.offset, self.kind)
    }
}

impl core::error::Error for PayloadError {}

pub(crate) const fn fail<T>(offset: usize, kind: PayloadErrorKind) -> Result<T, PayloadError> {
    Err(PayloadError { offset, kind })
}

/// A field value and its byte offset in the payload.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Field<'a> {
    pub value: &'a str,
    pub at: usize,
}

/// The token set of a payload with the known fields picked out.
pub(crate) struct Fields<'a, const N: usize> {
    names: [&'static str; N],
    found: [Option<Field<'a>>; N],
    /// Offset in the payload just past the token set, where a missing field is reported.
    end: usize,
}

impl<'a, const N: usize> Fields<'a, N> {
    /// Reads `tokens`, found at byte `base` of the payload, picking out `names`.
    pub(crate) fn read(
        tokens: &'a [u8],
        base: usize,
        names: [&'static str; N],
    ) -> Result<Self, PayloadError> {
        let text = match core::str::from_utf8(tokens) {
            Ok(text) => text,
            Err(e) => {
                return fail(
                    base.saturating_add(e.valid_up_to()),
                    PayloadErrorKind::NotUtf8,
                );
            }
        };
        let mut found = [None; N];
        for token in Tokens::new(text) {
            let token = match token {
                Ok(token) => token,
                Err(e) => {
                    let kind = match e.kind {
                        TokenErrorKind::WithoutColon => PayloadErrorKind::TokenWithoutColon,
                        TokenErrorKind::EmptyKey => PayloadErrorKind::EmptyKey,
                    };
                    return fail(base.saturating_add(e.offset), kind);
                }
            };
            let Some(i) = names.iter().position(|name| *name == token.key) else {
                continue;
            };
            let at = base.saturating_add(token.value_at);
            match (found.get_mut(i), names.get(i)) {
                (Some(Some(_)), Some(name)) => {
                    let key_at = base.saturating_add(token.key_at());
                    return fail(key_at, PayloadErrorKind::DuplicateField(name));
                }
                (Some(slot), _) => {
                    *slot = Some(Field {
                        value: token.value,
                        at,
                    })
                }
                _ => {}
            }
        }
        Ok(Self {
            names,
            found,
            end: base.saturating_add(tokens.len()),
        })
    }

    /// The field `name` (one of the names given to [`Fields::read`]), if present.
    pub(crate) fn get(&self, name: &str) -> Option<Field<'a>> {
        let i = self.names.iter().position(|n| *n == name)?;
        self.found.get(i).copied().flatten()
    }

    /// The field `name`, which the event requires.
    pub(crate) fn text(&self, name: &'static str) -> Result<Field<'a>, PayloadError> {
        match self.get(name) {
            Some(field) => Ok(field),
            None => fail(self.end, PayloadErrorKind::MissingField(name)),
        }
    }

    /// The required field `name` as the unsigned integer `T`.
    pub(crate) fn number<T: TryFrom<u64>>(&self, name: &'static str) -> Result<T, PayloadError> {
        let field = self.text(name)?;
        let bad = |reason| PayloadError {
            offset: field.at,
            kind: PayloadErrorKind::BadNumber {
                field: name,
                reason,
            },
        };
        let n = parse_u64(field.value).map_err(bad)?;
        T::try_from(n).map_err(|_| bad(NumberError::Overflow))
    }

    /// The required field `name` as a process state name.
    pub(crate) fn state(&self, name: &'static str) -> Result<ProcessState, PayloadError> {
        let field = self.text(name)?;
        match ProcessState::from_name(field.value) {
            Some(state) => Ok(state),
            None => fail(field.at, PayloadErrorKind::UnknownState(name)),
        }
    }

    /// The required field `name` as a `0`/`1` flag.
    pub(crate) fn flag(&self, name: &'static str) -> Result<bool, PayloadError> {
        let field = self.text(name)?;
        match field.value {
            "0" => Ok(false),
            "1" => Ok(true),
            _ => fail(field.at, PayloadErrorKind::BadFlag(name)),
        }
    }
}

/// Splits a payload at its first `\n` into the token set and the data after it.
pub(crate) fn split_body(payload: &[u8]) -> Result<(&[u8], &[u8]), PayloadError> {
    let Some(at) = payload.iter().position(|&b| b == b'\n') else {
        return fail(payload.len(), PayloadErrorKind::MissingBody);
    };
    match (payload.get(..at), payload.get(at.saturating_add(1)..)) {
        (Some(tokens), Some(body)) => Ok((tokens, body)),
        _ => fail(at, PayloadErrorKind::MissingBody),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_are_found_in_any_order_and_unknown_ones_ignored() {
        let f = Fields::read(b"pid:7 extra:x name:a b", 3, ["name", "pid"]).unwrap();
        assert_eq!(
            f.text("name"),
            Ok(Field {
                value: "a b",
                at: 22
            })
        );
        assert_eq!(f.number::<u32>("pid"), Ok(7));
    }

    #[test]
    fn missing_field_is_reported_after_the_token_set() {
        let f = Fields::read(b"a:1", 0, ["a", "b"]).unwrap();
        assert_eq!(
            f.text("b"),
            Err(PayloadError {
                offset: 3,
                kind: PayloadErrorKind::MissingField("b")
            })
        );
    }

    #[test]
    fn duplicate_field_is_refused() {
        assert_eq!(
            Fields::read(b"a:1 a:2", 0, ["a"]).err(),
            Some(PayloadError {
                offset: 4,
                kind: PayloadErrorKind::DuplicateField("a")
            })
        );
    }

    #[test]
    fn number_too_large_for_its_type_overflows() {
        let f = Fields::read(b"pid:4294967296", 0, ["pid"]).unwrap();
        assert_eq!(
            f.number::<u32>("pid"),
            Err(PayloadError {
                offset: 4,
                kind: PayloadErrorKind::BadNumber {
                    field: "pid",
                    reason: NumberError::Overflow
                }
            })
        );
    }

    #[test]
    fn body_starts_after_the_first_newline() {
        assert_eq!(split_body(b"a:1\nx\ny"), Ok((&b"a:1"[..], &b"x\ny"[..])));
        assert_eq!(split_body(b"a:1\n"), Ok((&b"a:1"[..], &b""[..])));
        assert_eq!(
            split_body(b"a:1"),
            Err(PayloadError {
                offset: 3,
                kind: PayloadErrorKind::MissingBody
            })
        );
    }
}
