//! A strict, allocation-free JSON scanner (RFC 8259) that hands out byte spans.
//!
//! serde-json-core cannot say where a value starts and ends, accepts some
//! invalid JSON inside ignored fields, and cannot parse "any value"; the
//! complex config needs all three (error offsets, strictness, the raw `json`
//! body). So values are scanned here; containers are skipped iteratively (no
//! recursion, at most [`MAX_DEPTH`] levels) and re-entered on demand.

use super::string::{JsonStr, unescape};
use super::syntax::{SyntaxError, SyntaxReason};
pub(crate) use super::value::{Container, Value, ValueKind};

/// The deepest nesting of arrays and objects the scanner accepts.
pub const MAX_DEPTH: u32 = 64;

/// Parses a whole document: exactly one value, optional whitespace around it.
pub(crate) fn parse_document(text: &[u8]) -> Result<Value<'_>, SyntaxError> {
    let doc = core::str::from_utf8(text).map_err(|e| SyntaxError {
        offset: e.valid_up_to(),
        reason: SyntaxReason::InvalidUtf8,
    })?;
    let mut cursor = Cursor::at(doc, 0);
    let value = cursor.value()?;
    if cursor.skip_ws().is_some() {
        return Err(cursor.error(SyntaxReason::TrailingCharacters));
    }
    Ok(value)
}

/// A read position in a UTF-8 document.
#[derive(Clone, Debug)]
pub(crate) struct Cursor<'a> {
    doc: &'a str,
    pub(crate) pos: usize,
}

impl<'a> Cursor<'a> {
    pub(crate) fn at(doc: &'a str, pos: usize) -> Self {
        Self { doc, pos }
    }

    pub(crate) fn peek(&self) -> Option<u8> {
        self.doc.as_bytes().get(self.pos).copied()
    }

    fn bump(&mut self) {
        self.pos = self.pos.saturating_add(1);
    }

    pub(crate) fn error(&self, reason: SyntaxReason) -> SyntaxError {
        let reason = if self.pos >= self.doc.len() {
            SyntaxReason::UnexpectedEnd
        } else {
            reason
        };
        SyntaxError {
            offset: self.pos.min(self.doc.len()),
            reason,
        }
    }

    /// Skips whitespace and returns the next byte.
    pub(crate) fn skip_ws(&mut self) -> Option<u8> {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.peek() {
            self.bump();
        }
        self.peek()
    }

    pub(crate) fn expect(&mut self, byte: u8, reason: SyntaxReason) -> Result<(), SyntaxError> {
        if self.peek() == Some(byte) {
            self.bump();
            Ok(())
        } else {
            Err(self.error(reason))
        }
    }

    fn span(&self, start: usize) -> Result<&'a str, SyntaxError> {
        self.doc.get(start..self.pos).ok_or(SyntaxError {
            offset: start,
            reason: SyntaxReason::InvalidUtf8,
        })
    }

    /// One complete value after optional whitespace.
    pub(crate) fn value(&mut self) -> Result<Value<'a>, SyntaxError> {
        let first = self.skip_ws();
        let offset = self.pos;
        let kind = match first {
            Some(b'{' | b'[') => {
                self.skip_container()?;
                let container = Container::validated(self.doc, offset);
                if first == Some(b'{') {
                    ValueKind::Object(container)
                } else {
                    ValueKind::Array(container)
                }
            }
            _ => self.scalar()?,
        };
        let text = self.span(offset)?;
        Ok(Value { offset, text, kind })
    }

    /// A string, number or literal at the cursor.
    fn scalar(&mut self) -> Result<ValueKind<'a>, SyntaxError> {
        match self.peek() {
            Some(b'"') => self.string().map(ValueKind::String),
            Some(b'-' | b'0'..=b'9') => self.number(),
            Some(b't') => self.literal("true", ValueKind::Bool(true)),
            Some(b'f') => self.literal("false", ValueKind::Bool(false)),
            Some(b'n') => self.literal("null", ValueKind::Null),
            _ => Err(self.error(SyntaxReason::ExpectedValue)),
        }
    }

    fn literal(&mut self, word: &str, kind: ValueKind<'a>) -> Result<ValueKind<'a>, SyntaxError> {
        for &expected in word.as_bytes() {
            if self.peek() != Some(expected) {
                return Err(self.error(SyntaxReason::InvalidLiteral));
            }
            self.bump();
        }
        Ok(kind)
    }

    /// A string at the cursor (which is on its opening quote).
    pub(crate) fn string(&mut self) -> Result<JsonStr<'a>, SyntaxError> {
        self.bump();
        let start = self.pos;
        loop {
            match self.peek() {
                None => return Err(self.error(SyntaxReason::UnexpectedEnd)),
                Some(b'"') => {
                    let raw = self.span(start)?;
                    self.bump();
                    return Ok(JsonStr::validated(raw));
                }
                Some(b'\\') => {
                    let after = self
                        .doc
                        .as_bytes()
                        .get(self.pos.saturating_add(1)..)
                        .unwrap_or_default();
                    let (_, used) = unescape(after).map_err(|reason| self.error(reason))?;
                    self.pos = self.pos.saturating_add(used).saturating_add(1);
                }
                Some(0x00..=0x1f) => return Err(self.error(SyntaxReason::ControlCharacter)),
                Some(_) => self.bump(),
            }
        }
    }

    /// `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`
    fn number(&mut self) -> Result<ValueKind<'a>, SyntaxError> {
        let start = self.pos;
        if self.peek() == Some(b'-') {
            self.bump();
        }
        match self.peek() {
            Some(b'0') => self.bump(),
            Some(b'1'..=b'9') => self.digits(),
            _ => return Err(self.error(SyntaxReason::InvalidNumber)),
        }
        let mut integer = true;
        if self.peek() == Some(b'.') {
            integer = false;
            self.bump();
            self.require_digits()?;
        }
        if let Some(b'e' | b'E') = self.peek() {
            integer = false;
            self.bump();
            if let Some(b'+' | b'-') = self.peek() {
                self.bump();
            }
            self.require_digits()?;
        }
        Ok(ValueKind::Number {
            text: self.span(start)?,
            integer,
        })
    }

    fn digits(&mut self) {
        while let Some(b'0'..=b'9') = self.peek() {
            self.bump();
        }
    }

    fn require_digits(&mut self) -> Result<(), SyntaxError> {
        if !matches!(self.peek(), Some(b'0'..=b'9')) {
            return Err(self.error(SyntaxReason::InvalidNumber));
        }
        self.digits();
        Ok(())
    }

    /// Skips the array or object at the cursor, checking its syntax, without recursion.
    fn skip_container(&mut self) -> Result<(), SyntaxError> {
        // Bit i of `kinds` is set when level i is an object.
        let mut kinds: u64 = 0;
        let mut depth: u32 = 0;
        let is_object = |kinds: u64, depth: u32| depth > 0 && (kinds >> (depth - 1)) & 1 == 1;
        loop {
            // At the start of a value (or, inside an object, of a member).
            let opened = match self.peek() {
                Some(b'{') => Some(true),
                Some(b'[') => Some(false),
                _ => None,
            };
            if let Some(object) = opened {
                if depth >= MAX_DEPTH {
                    return Err(self.error(SyntaxReason::TooDeep));
                }
                kinds = (kinds & !(1u64 << depth)) | (u64::from(object) << depth);
                depth += 1;
                self.bump();
                let close = if object { b'}' } else { b']' };
                if self.skip_ws() != Some(close) {
                    if object {
                        self.member_key()?;
                    } else {
                        self.skip_ws();
                    }
                    continue;
                }
            } else {
                self.scalar()?;
            }
            // After a value (an empty container counts as one at its closing byte).
            loop {
                let object = is_object(kinds, depth);
                match self.skip_ws() {
                    Some(b'}') if object => {}
                    Some(b']') if !object => {}
                    Some(b',') => {
                        self.bump();
                        if object {
                            self.skip_ws();
                            self.member_key()?;
                        } else {
                            self.skip_ws();
                        }
                        break;
                    }
                    _ if object => return Err(self.error(SyntaxReason::ExpectedCommaOrBrace)),
                    _ => return Err(self.error(SyntaxReason::ExpectedCommaOrBracket)),
                }
                self.bump();
                depth -= 1;
                if depth == 0 {
                    return Ok(());
                }
            }
        }
    }

    /// `"key" :` then whitespace, leaving the cursor on the member's value.
    fn member_key(&mut self) -> Result<(), SyntaxError> {
        if self.peek() != Some(b'"') {
            return Err(self.error(SyntaxReason::ExpectedKey));
        }
        self.string()?;
        self.skip_ws();
        self.expect(b':', SyntaxReason::ExpectedColon)?;
        self.skip_ws();
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reason(text: &str) -> SyntaxReason {
        parse_document(text.as_bytes()).unwrap_err().reason
    }

    #[test]
    fn scalars_at_top_level_are_values() {
        assert_eq!(parse_document(b" null ").unwrap().kind, ValueKind::Null);
        assert_eq!(parse_document(b"true").unwrap().kind, ValueKind::Bool(true));
        assert_eq!(
            parse_document(b"-1.5e+3").unwrap().kind,
            ValueKind::Number {
                text: "-1.5e+3",
                integer: false
            }
        );
    }

    #[test]
    fn nested_containers_are_skipped_and_spanned() {
        let doc = br#" {"a": [1, {"b": []}, {}], "c": {"d": [[]]}} "#;
        let value = parse_document(doc).unwrap();
        assert_eq!(value.offset, 1);
        assert_eq!(value.text, r#"{"a": [1, {"b": []}, {}], "c": {"d": [[]]}}"#);
        let ValueKind::Object(obj) = value.kind else {
            panic!("not an object")
        };
        let keys: std::vec::Vec<_> = obj.members().map(|m| m.unwrap().key.raw()).collect();
        assert_eq!(keys, ["a", "c"]);
    }

    #[test]
    fn array_elements_iterate_in_order() {
        let value = parse_document(br#"[1, "x", null]"#).unwrap();
        let ValueKind::Array(arr) = value.kind else {
            panic!("not an array")
        };
        let offsets: std::vec::Vec<_> = arr.elements().map(|v| v.unwrap().offset).collect();
        assert_eq!(offsets, [1, 4, 9]);
    }

    #[test]
    fn malformed_documents_name_the_reason_and_byte() {
        assert_eq!(
            parse_document(br#"{"a" 1}"#).unwrap_err(),
            SyntaxError {
                offset: 5,
                reason: SyntaxReason::ExpectedColon
            }
        );
        assert_eq!(reason(r#"{"a":1,}"#), SyntaxReason::ExpectedKey);
        assert_eq!(reason("[1,]"), SyntaxReason::ExpectedValue);
        assert_eq!(reason("[1 2]"), SyntaxReason::ExpectedCommaOrBracket);
        assert_eq!(
            reason(r#"{"a":1 "b":2}"#),
            SyntaxReason::ExpectedCommaOrBrace
        );
        assert_eq!(reason("[1}"), SyntaxReason::ExpectedCommaOrBracket);
        assert_eq!(reason(r#"{"a":1]"#), SyntaxReason::ExpectedCommaOrBrace);
        assert_eq!(reason("01"), SyntaxReason::TrailingCharacters);
        assert_eq!(reason("1."), SyntaxReason::UnexpectedEnd);
        assert_eq!(reason("1.x"), SyntaxReason::InvalidNumber);
        assert_eq!(reason("+1"), SyntaxReason::ExpectedValue);
        assert_eq!(reason("nul"), SyntaxReason::UnexpectedEnd);
        assert_eq!(reason("nulL"), SyntaxReason::InvalidLiteral);
        assert_eq!(reason("\"a\u{1}\""), SyntaxReason::ControlCharacter);
        assert_eq!(reason(r#""\x""#), SyntaxReason::InvalidEscape);
        assert_eq!(reason(r#""\ud800""#), SyntaxReason::LoneSurrogate);
        assert_eq!(reason("{"), SyntaxReason::UnexpectedEnd);
        assert_eq!(reason(""), SyntaxReason::UnexpectedEnd);
        assert_eq!(reason("{} {}"), SyntaxReason::TrailingCharacters);
        assert_eq!(
            parse_document(b"[\xff]").unwrap_err(),
            SyntaxError {
                offset: 1,
                reason: SyntaxReason::InvalidUtf8
            }
        );
    }

    #[test]
    fn nesting_is_capped_without_recursion() {
        let ok: std::string::String = "[".repeat(64) + &"]".repeat(64);
        assert!(parse_document(ok.as_bytes()).is_ok());
        let deep: std::string::String = "[".repeat(65) + &"]".repeat(65);
        assert_eq!(reason(&deep), SyntaxReason::TooDeep);
        let huge = "[".repeat(100_000);
        assert_eq!(reason(&huge), SyntaxReason::TooDeep);
    }
}
