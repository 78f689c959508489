//! The `key:value` token grammar shared by the header line and the payloads'
//! token sets, plus the decimal numbers inside them.
//!
//! Tokens are separated by single spaces and split on their FIRST `:`, so
//! values may contain `:`. A space-separated chunk without any `:` cannot
//! start a token; it continues the previous value, so values may contain
//! spaces too (`pool:my pool`). A chunk after a space that does contain `:`
//! always starts a new token.

use nom::bytes::{take_till, take_till1};
use nom::character::char;
use nom::combinator::{recognize, verify};
use nom::multi::fold_many0;
use nom::sequence::preceded;
use nom::{IResult, Parser};

use super::error::NumberError;

/// One `key:value` token and where its value starts in the tokenized text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Token<'a> {
    pub key: &'a str,
    pub value: &'a str,
    /// Byte offset of `value` in the tokenized text.
    pub value_at: usize,
}

impl Token<'_> {
    /// Byte offset of the token (its key) in the tokenized text.
    pub(crate) fn key_at(&self) -> usize {
        self.value_at
            .saturating_sub(self.key.len().saturating_add(1))
    }
}

/// Why the text is not a sequence of tokens.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum TokenErrorKind {
    /// A token has no `:` (only possible for the first chunk).
    WithoutColon,
    /// A token starts with `:`.
    EmptyKey,
}

/// A [`TokenErrorKind`] and the byte offset of the token in the tokenized text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct TokenError {
    pub offset: usize,
    pub kind: TokenErrorKind,
}

/// Iterator over the tokens of a line; the empty text has no tokens.
#[derive(Clone, Debug)]
pub(crate) struct Tokens<'a> {
    text: &'a str,
    rest: &'a str,
    failed: bool,
}

impl<'a> Tokens<'a> {
    pub(crate) fn new(text: &'a str) -> Self {
        Self {
            text,
            rest: text,
            failed: false,
        }
    }

    fn offset_of(&self, rest: &str) -> usize {
        self.text.len().saturating_sub(rest.len())
    }
}

impl<'a> Iterator for Tokens<'a> {
    type Item = Result<Token<'a>, TokenError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.failed || self.rest.is_empty() {
            return None;
        }
        // Every token but the first is preceded by its separating space.
        let start = if self.offset_of(self.rest) == 0 {
            self.rest
        } else {
            self.rest.strip_prefix(' ').unwrap_or(self.rest)
        };
        let offset = self.offset_of(start);
        match token(start) {
            Ok((rest, (key, value))) => {
                self.rest = rest;
                let value_at = self.offset_of(rest).saturating_sub(value.len());
                Some(Ok(Token {
                    key,
                    value,
                    value_at,
                }))
            }
            Err(_) => {
                self.failed = true;
                let chunk = start.split(' ').next().unwrap_or_default();
                let kind = if chunk.contains(':') {
                    TokenErrorKind::EmptyKey
                } else {
                    TokenErrorKind::WithoutColon
                };
                Some(Err(TokenError { offset, kind }))
            }
        }
    }
}

/// `key:value( continuation)*` where the key is non-empty and has no space,
/// and every continuation chunk has no `:`.
fn token(input: &str) -> IResult<&str, (&str, &str)> {
    let key = take_till1(|c| c == ':' || c == ' ');
    let chunk = || take_till(|c| c == ' ');
    let continuation = preceded(char(' '), verify(chunk(), |c: &str| !c.contains(':')));
    let value = recognize((chunk(), fold_many0(continuation, || (), |(), _| ())));
    (key, preceded(char(':'), value)).parse_complete(input)
}

/// A non-negative decimal integer: ASCII digits only, no sign, no spaces.
pub(crate) fn parse_u64(value: &str) -> Result<u64, NumberError> {
    if value.is_empty() {
        return Err(NumberError::Empty);
    }
    if value.starts_with('-') {
        return Err(NumberError::Negative);
    }
    value.bytes().try_fold(0u64, |n, b| {
        let digit = match b {
            b'0'..=b'9' => u64::from(b - b'0'),
            _ => return Err(NumberError::NotDigit),
        };
        n.checked_mul(10)
            .and_then(|n| n.checked_add(digit))
            .ok_or(NumberError::Overflow)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tokens(text: &str) -> std::vec::Vec<Result<(&str, &str, usize), TokenError>> {
        Tokens::new(text)
            .map(|t| t.map(|t| (t.key, t.value, t.value_at)))
            .collect()
    }

    #[test]
    fn tokens_split_on_first_colon_only() {
        assert_eq!(
            tokens("a:1 url:http://x:9/ b:"),
            [
                Ok(("a", "1", 2)),
                Ok(("url", "http://x:9/", 8)),
                Ok(("b", "", 22))
            ]
        );
    }

    #[test]
    fn chunk_without_colon_continues_previous_value() {
        assert_eq!(
            tokens("pool:my big pool len:3"),
            [Ok(("pool", "my big pool", 5)), Ok(("len", "3", 21))]
        );
    }

    #[test]
    fn double_and_trailing_spaces_stay_in_the_value() {
        assert_eq!(
            tokens("a:x  b:y "),
            [Ok(("a", "x ", 2)), Ok(("b", "y ", 7))]
        );
    }

    #[test]
    fn first_chunk_without_colon_is_an_error_at_its_offset() {
        assert_eq!(
            tokens("garbage len:3"),
            [Err(TokenError {
                offset: 0,
                kind: TokenErrorKind::WithoutColon
            })]
        );
    }

    #[test]
    fn token_starting_with_colon_has_an_empty_key() {
        assert_eq!(
            tokens("a:1 :2"),
            [
                Ok(("a", "1", 2)),
                Err(TokenError {
                    offset: 4,
                    kind: TokenErrorKind::EmptyKey
                })
            ]
        );
    }

    #[test]
    fn empty_text_has_no_tokens() {
        assert_eq!(tokens(""), []);
    }

    #[test]
    fn numbers_are_plain_non_negative_decimals() {
        assert_eq!(parse_u64("0"), Ok(0));
        assert_eq!(parse_u64("007"), Ok(7));
        assert_eq!(parse_u64("18446744073709551615"), Ok(u64::MAX));
        assert_eq!(
            parse_u64("18446744073709551616"),
            Err(NumberError::Overflow)
        );
        assert_eq!(parse_u64(""), Err(NumberError::Empty));
        assert_eq!(parse_u64("-1"), Err(NumberError::Negative));
        assert_eq!(parse_u64("+1"), Err(NumberError::NotDigit));
        assert_eq!(parse_u64("1 "), Err(NumberError::NotDigit));
        assert_eq!(parse_u64("x"), Err(NumberError::NotDigit));
    }
}
