//! [`RawJson`]: the text of one complete JSON value, checked but not decoded.

use core::fmt;

use super::scan::parse_document;
use super::syntax::SyntaxError;

/// The text of one complete, valid JSON value (any kind), kept as written.
///
/// Used for the HTTP check's `json` body: it is sent as is, so there is
/// nothing to decode.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct RawJson<'a> {
    text: &'a str,
}

impl<'a> RawJson<'a> {
    /// Checks that `text` is one JSON value (RFC 8259, at most
    /// [`MAX_DEPTH`](super::MAX_DEPTH) levels deep) and keeps it without the
    /// surrounding whitespace.
    ///
    /// # Errors
    /// [`SyntaxError`] naming the first offending byte of `text`.
    pub fn parse(text: &'a str) -> Result<Self, SyntaxError> {
        let value = parse_document(text.as_bytes())?;
        Ok(Self { text: value.text })
    }

    /// Wraps a value's text the scanner has already checked.
    pub(crate) const fn validated(text: &'a str) -> Self {
        Self { text }
    }

    /// The JSON text.
    pub const fn as_str(self) -> &'a str {
        self.text
    }

    /// True when the value is JSON `null`.
    pub fn is_null(self) -> bool {
        self.text == "null"
    }
}

impl fmt::Display for RawJson<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::json::SyntaxReason;

    #[test]
    fn valid_value_is_kept_without_surrounding_whitespace() {
        let raw = RawJson::parse(" {\"a\": [1, 2]}\n").unwrap();
        assert_eq!(raw.as_str(), "{\"a\": [1, 2]}");
        assert!(RawJson::parse("null").unwrap().is_null());
    }

    #[test]
    fn invalid_json_is_rejected_with_its_offset() {
        assert_eq!(
            RawJson::parse("{\"a\": }").unwrap_err(),
            SyntaxError {
                offset: 6,
                reason: SyntaxReason::ExpectedValue
            }
        );
    }
}
