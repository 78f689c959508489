//! [`parse_call`]: reading a `methodCall` body, the server side of [`super::call`].
//!
//! The checker is a client; this exists for tests (encode, then read back) and
//! for targets that answer XML-RPC themselves (a firmware or WASI mock of
//! supervisord). Like [`super::Response::parse`], it checks the whole body first.

use super::error::{Fail, RpcError};
use super::scan::scan_value;
use super::text::Text;
use super::value::Value;
use super::xml::{
    METHOD_CALL, METHOD_NAME, PARAM, PARAMS, at_tag, close, end_of_body, open, open_or_empty,
    prolog, text, ws, ws_close,
};

/// A parsed `methodCall`.
#[derive(Clone, Copy, Debug)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct ParsedCall<'a> {
    /// `<methodName>`.
    pub method: Text<'a>,
    /// The parameters.
    pub params: Params<'a>,
}

/// The `<param>` list of a call: a view over the body between `<params>` and `</params>`.
#[derive(Clone, Copy, Debug)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Params<'a> {
    content: &'a [u8],
    end: usize,
}

impl<'a> Params<'a> {
    /// The parameter values, in order.
    pub fn iter(&self) -> ParamsIter<'a> {
        ParamsIter {
            rest: self.content,
            end: self.end,
        }
    }
}

impl<'a> IntoIterator for Params<'a> {
    type Item = Value<'a>;
    type IntoIter = ParamsIter<'a>;

    fn into_iter(self) -> ParamsIter<'a> {
        self.iter()
    }
}

/// The values of a call's [`Params`].
#[derive(Clone, Debug)]
pub struct ParamsIter<'a> {
    rest: &'a [u8],
    end: usize,
}

impl<'a> Iterator for ParamsIter<'a> {
    type Item = Value<'a>;

    fn next(&mut self) -> Option<Value<'a>> {
        let rest = ws(self.rest);
        if rest.is_empty() {
            self.rest = rest;
            return None;
        }
        let read = param(self.end, rest);
        debug_assert!(read.is_ok(), "params were checked when parsed");
        let (after, value) = read.ok()?;
        self.rest = after;
        Some(value)
    }
}

/// `<param>`, the value, `</param>`.
fn param(end: usize, input: &[u8]) -> Result<(&[u8], Value<'_>), Fail<'_>> {
    if !at_tag(input, PARAM.name, false) {
        return Err(Fail::expected(input, "`<param>` or `</params>`"));
    }
    let (rest, ()) = open(input, &PARAM)?;
    let (rest, value) = scan_value(end, ws(rest))?;
    let (rest, ()) = ws_close(rest, &PARAM)?;
    Ok((rest, value))
}

/// Parses a whole `methodCall` body. `<params>` may be absent or empty.
///
/// # Errors
/// [`RpcError`] at the first byte that breaks the XML-RPC grammar.
pub fn parse_call(body: &[u8]) -> Result<ParsedCall<'_>, RpcError> {
    let end = body.len();
    read_call(end, body).map_err(|f| f.locate(end))
}

fn read_call(end: usize, body: &[u8]) -> Result<ParsedCall<'_>, Fail<'_>> {
    let (rest, ()) = prolog(body)?;
    let (rest, ()) = open(rest, &METHOD_CALL)?;
    let (rest, ()) = open(ws(rest), &METHOD_NAME)?;
    let (rest, method) = text(rest)?;
    let (rest, ()) = close(rest, &METHOD_NAME)?;
    let mut rest = ws(rest);
    let mut content: &[u8] = &[];
    let mut content_end = 0;
    if at_tag(rest, PARAMS.name, false) {
        let (after, empty) = open_or_empty(rest, &PARAMS)?;
        rest = after;
        if !empty {
            let start = rest;
            loop {
                rest = ws(rest);
                if at_tag(rest, PARAMS.name, true) {
                    break;
                }
                rest = param(end, rest)?.0;
            }
            content = start
                .get(..start.len().saturating_sub(rest.len()))
                .unwrap_or_default();
            content_end = end.saturating_sub(rest.len());
            rest = close(rest, &PARAMS)?.0;
        }
    }
    let (rest, ()) = ws_close(rest, &METHOD_CALL)?;
    end_of_body(rest)?;
    Ok(ParsedCall {
        method,
        params: Params {
            content,
            end: content_end,
        },
    })
}
