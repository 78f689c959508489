//! [`SyntaxError`]: why a text is not JSON (RFC 8259), and at which byte.

use core::fmt;

/// The byte offset and reason of the first JSON syntax error in a text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct SyntaxError {
    /// Offset of the offending byte from the start of the text (the text's
    /// length when it ended too early).
    pub offset: usize,
    /// What was wrong there.
    pub reason: SyntaxReason,
}

/// What made a text invalid JSON.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum SyntaxReason {
    /// The text is not UTF-8.
    InvalidUtf8,
    /// The text ended inside a value.
    UnexpectedEnd,
    /// A value was expected (object, array, string, number, `true`, `false`, `null`).
    ExpectedValue,
    /// An object key (a string) was expected.
    ExpectedKey,
    /// A `:` was expected after an object key.
    ExpectedColon,
    /// A `,` or `}` was expected after an object member.
    ExpectedCommaOrBrace,
    /// A `,` or `]` was expected after an array element.
    ExpectedCommaOrBracket,
    /// A raw control character (below U+0020) inside a string.
    ControlCharacter,
    /// A backslash escape that JSON does not define.
    InvalidEscape,
    /// A `\u` escape naming half of a surrogate pair without the other half.
    LoneSurrogate,
    /// A number that does not follow the JSON grammar (leading zeros, bare `.`, `+`...).
    InvalidNumber,
    /// A bare word other than `true`, `false` or `null`.
    InvalidLiteral,
    /// More text after the value.
    TrailingCharacters,
    /// Arrays and objects nested deeper than [`MAX_DEPTH`](crate::json::MAX_DEPTH).
    TooDeep,
}

impl SyntaxReason {
    /// A short description, for messages.
    pub const fn as_str(self) -> &'static str {
        match self {
            SyntaxReason::InvalidUtf8 => "text is not UTF-8",
            SyntaxReason::UnexpectedEnd => "unexpected end of text",
            SyntaxReason::ExpectedValue => "expected a value",
            SyntaxReason::ExpectedKey => "expected a string key",
            SyntaxReason::ExpectedColon => "expected ':'",
            SyntaxReason::ExpectedCommaOrBrace => "expected ',' or '}'",
            SyntaxReason::ExpectedCommaOrBracket => "expected ',' or ']'",
            SyntaxReason::ControlCharacter => "control character in a string",
            SyntaxReason::InvalidEscape => "invalid escape sequence",
            SyntaxReason::LoneSurrogate => "unpaired UTF-16 surrogate in a \\u escape",
            SyntaxReason::InvalidNumber => "invalid number",
            SyntaxReason::InvalidLiteral => "invalid literal (expected true, false or null)",
            SyntaxReason::TrailingCharacters => "unexpected text after the value",
            SyntaxReason::TooDeep => "arrays and objects nested too deeply",
        }
    }
}

impl fmt::Display for SyntaxReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Display for SyntaxError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "invalid JSON at byte {}: {}", self.offset, self.reason)
    }
}

impl core::error::Error for SyntaxError {}
