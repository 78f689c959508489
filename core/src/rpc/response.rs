//! [`Response`]: a whole `methodResponse` body, a value or a [`Fault`].
//!
//! Parsing checks the entire body (every tag, number, entity and nesting
//! level) before it answers, so the views it hands out never fail later.
//! HTTP framing is not handled here: pass the body bytes only.

use core::fmt;

use super::error::{Fail, RpcError, RpcErrorKind};
use super::fault::FaultCode;
use super::scan::scan_value;
use super::text::Text;
use super::value::{Struct, Value};
use super::xml::{
    FAULT, METHOD_RESPONSE, PARAM, PARAMS, at_tag, end_of_body, open, prolog, ws, ws_close,
};

/// A parsed `methodResponse`.
#[derive(Clone, Copy, Debug, PartialEq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum Response<'a> {
    /// `<params><param><value>`: the call's result.
    Value(Value<'a>),
    /// `<fault>`: the call failed.
    Fault(Fault<'a>),
}

/// An XML-RPC fault: supervisord's code and message.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Fault<'a> {
    /// `faultCode`.
    pub code: FaultCode,
    /// `faultString`: `NAME` or `NAME: detail` (for example `BAD_NAME: nosuch`).
    pub string: Text<'a>,
}

/// Why a reply did not give the value asked for: the body is malformed, or
/// supervisord answered with a fault.
#[derive(Clone, Copy, Debug, PartialEq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum ReplyError<'a> {
    /// The body is not a valid reply of the expected shape.
    Invalid(RpcError),
    /// supervisord answered with a fault.
    Fault(Fault<'a>),
}

impl<'a> Response<'a> {
    /// Parses a whole `methodResponse` body.
    ///
    /// # Errors
    /// [`RpcError`] at the first byte that breaks the XML-RPC grammar, and for
    /// a fault whose struct lacks an integer `faultCode` or a string `faultString`.
    pub fn parse(body: &'a [u8]) -> Result<Self, RpcError> {
        parse_located(body).map(|(response, _)| response)
    }

    /// The value, or the fault as an error.
    ///
    /// # Errors
    /// The [`Fault`] when the response is one.
    pub fn into_result(self) -> Result<Value<'a>, Fault<'a>> {
        match self {
            Response::Value(value) => Ok(value),
            Response::Fault(fault) => Err(fault),
        }
    }
}

/// Parses a reply body and returns its value.
///
/// # Errors
/// [`ReplyError::Invalid`] for a malformed body, [`ReplyError::Fault`] for a fault.
pub fn parse_reply(body: &[u8]) -> Result<Value<'_>, ReplyError<'_>> {
    Ok(Response::parse(body)?.into_result()?)
}

/// Parses a response and also returns the byte offset of its `<value>`.
pub(crate) fn parse_located(body: &[u8]) -> Result<(Response<'_>, usize), RpcError> {
    let end = body.len();
    let locate = |f: Fail<'_>| f.locate(end);
    let (rest, ()) = prolog(body).map_err(locate)?;
    let (rest, ()) = open(rest, &METHOD_RESPONSE).map_err(locate)?;
    let rest = ws(rest);
    let is_fault = at_tag(rest, FAULT.name, false);
    let rest = if is_fault {
        open(rest, &FAULT).map_err(locate)?.0
    } else if at_tag(rest, PARAMS.name, false) {
        let (rest, ()) = open(rest, &PARAMS).map_err(locate)?;
        open(ws(rest), &PARAM).map_err(locate)?.0
    } else {
        return Err(locate(Fail::expected(rest, "`<params>` or `<fault>`")));
    };
    let value_at = ws(rest);
    let offset = end.saturating_sub(value_at.len());
    let (rest, value) = scan_value(end, value_at).map_err(locate)?;
    let rest = if is_fault {
        ws_close(rest, &FAULT).map_err(locate)?.0
    } else {
        let (rest, ()) = ws_close(rest, &PARAM).map_err(locate)?;
        ws_close(rest, &PARAMS).map_err(locate)?.0
    };
    let (rest, ()) = ws_close(rest, &METHOD_RESPONSE).map_err(locate)?;
    end_of_body(rest).map_err(locate)?;
    let response = if is_fault {
        Response::Fault(Fault::from_value(value, offset)?)
    } else {
        Response::Value(value)
    };
    Ok((response, offset))
}

impl<'a> Fault<'a> {
    /// Reads a fault struct (`faultCode`, `faultString`; other members ignored).
    fn from_value(value: Value<'a>, offset: usize) -> Result<Self, RpcError> {
        let fields = value.as_struct().ok_or(RpcError::new(
            offset,
            RpcErrorKind::Expected("a struct with faultCode and faultString"),
        ))?;
        Self::from_struct(fields)
    }

    /// Reads a fault from its struct, as found in a fault body or in a
    /// `system.multicall` result.
    ///
    /// # Errors
    /// [`RpcErrorKind::MissingField`] or [`RpcErrorKind::FieldType`] when
    /// `faultCode` is not a 32-bit integer or `faultString` not a string.
    pub fn from_struct(fields: Struct<'a>) -> Result<Self, RpcError> {
        let mut code = None;
        let mut string = None;
        for member in fields.members() {
            let wrong = |field, expected| {
                RpcError::new(member.offset, RpcErrorKind::FieldType { field, expected })
            };
            if member.name.eq_str("faultCode") {
                let n = member.value.as_int().and_then(|n| i32::try_from(n).ok());
                code = Some(n.ok_or(wrong("faultCode", "a 32-bit integer"))?);
            } else if member.name.eq_str("faultString") {
                string = Some(
                    member
                        .value
                        .as_text()
                        .ok_or(wrong("faultString", "a string"))?,
                );
            }
        }
        let missing = |field| RpcError::new(fields.offset(), RpcErrorKind::MissingField(field));
        Ok(Fault {
            code: FaultCode::from_code(code.ok_or(missing("faultCode"))?),
            string: string.ok_or(missing("faultString"))?,
        })
    }

    /// The part of the fault string after `NAME: ` (`nosuch` in `BAD_NAME: nosuch`).
    pub fn detail(&self) -> Option<Text<'a>> {
        self.string.after_colon()
    }
}

impl fmt::Display for Fault<'_> {
    /// `BAD_NAME: nosuch (fault 10)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} (fault {})", self.string, self.code.code())
    }
}

impl core::error::Error for Fault<'_> {}

impl From<RpcError> for ReplyError<'_> {
    fn from(e: RpcError) -> Self {
        ReplyError::Invalid(e)
    }
}

impl<'a> From<Fault<'a>> for ReplyError<'a> {
    fn from(f: Fault<'a>) -> Self {
        ReplyError::Fault(f)
    }
}

impl fmt::Display for ReplyError<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReplyError::Invalid(e) => e.fmt(f),
            ReplyError::Fault(fault) => write!(f, "supervisord fault: {fault}"),
        }
    }
}

impl core::error::Error for ReplyError<'_> {}
