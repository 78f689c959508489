//! [`Text`]: XML character data kept as it arrived (still escaped), decoded on demand.
//!
//! A reply's strings are never copied while parsing. Compare them with
//! [`Text::eq_str`], print them with `Display`, walk them with [`Text::chars`],
//! or decode them into a buffer of your own with [`Text::decode_into`].
//! Decoding follows XML: the five entities, `&#NN;` and `&#xHH;` references,
//! and line ends (`\r\n` and a lone `\r` read as `\n`).

use core::fmt;

use super::entity::{is_xml_char, reference};

/// Escaped XML text from a body, known to be well formed.
#[derive(Clone, Copy, Default)]
pub struct Text<'a> {
    /// Valid UTF-8, checked when the text was made. Kept as bytes so that
    /// parsing does not have to run `str::from_utf8` over every plain
    /// ASCII text it reads; [`Text::raw`] converts when asked.
    raw: &'a [u8],
    /// How many leading bytes of `raw` decode to themselves: up to the first
    /// `&` or CR, all of them when there is none.
    plain_len: usize,
}

/// Why raw text is not well-formed XML character data.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct TextError {
    /// Byte offset into the raw text.
    pub offset: usize,
    /// What is wrong there.
    pub kind: TextErrorKind,
}

/// What is wrong at [`TextError::offset`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum TextErrorKind {
    /// An `&` that does not start a known entity or a valid character reference.
    BadEntity,
    /// A character XML 1.0 does not allow.
    ForbiddenChar,
    /// A `<`, which cannot appear in character data.
    Markup,
}

/// The caller's buffer is too small for the decoded text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct BufferTooSmall {
    /// Bytes the decoded text needs.
    pub needed: usize,
}

impl<'a> Text<'a> {
    /// The empty text.
    pub const EMPTY: Text<'static> = Text::plain(b"");

    /// Wraps raw (escaped) XML text after checking it is well formed.
    ///
    /// # Errors
    /// [`TextError`] naming the first bad entity, forbidden character or `<`.
    pub fn new(raw: &'a str) -> Result<Self, TextError> {
        let mut at = 0usize;
        let mut rest = raw;
        while let Some(c) = rest.chars().next() {
            let fail = move |kind| TextError { offset: at, kind };
            let took = match c {
                '&' => reference(rest).ok_or(fail(TextErrorKind::BadEntity))?.1,
                '<' => return Err(fail(TextErrorKind::Markup)),
                c if !is_xml_char(c) => return Err(fail(TextErrorKind::ForbiddenChar)),
                c => c.len_utf8(),
            };
            rest = rest.get(took..).unwrap_or_default();
            at = at.saturating_add(took);
        }
        Ok(Text::from_checked(raw.as_bytes()))
    }

    /// Wraps UTF-8 text that [`Text::new`] (or the same checks while parsing) accepted.
    pub(crate) fn from_checked(raw: &'a [u8]) -> Self {
        Text {
            raw,
            plain_len: first_escape(raw).unwrap_or(raw.len()),
        }
    }

    /// Wraps checked UTF-8 text that holds no `&` and no CR.
    pub(crate) const fn plain(raw: &'a [u8]) -> Self {
        Text {
            raw,
            plain_len: raw.len(),
        }
    }

    /// The text exactly as it appeared in the body, entities and all.
    pub const fn raw(&self) -> &'a str {
        // Cannot fail: the bytes were checked when the text was made.
        match core::str::from_utf8(self.raw) {
            Ok(raw) => raw,
            Err(_) => "",
        }
    }

    /// True when the text is empty (raw and decoded alike).
    pub const fn is_empty(&self) -> bool {
        self.raw.is_empty()
    }

    /// The text itself when decoding would not change it (no `&`, no `\r`).
    pub const fn as_plain(&self) -> Option<&'a str> {
        if self.plain_len == self.raw.len() {
            Some(self.raw())
        } else {
            None
        }
    }

    /// The bytes of the text when decoding would not change it (no `&`, no `\r`).
    pub(crate) const fn plain_bytes(&self) -> Option<&'a [u8]> {
        if self.plain_len == self.raw.len() {
            Some(self.raw)
        } else {
            None
        }
    }

    /// Length in bytes of the decoded text.
    pub fn decoded_len(&self) -> usize {
        self.pieces().fold(0usize, |n, piece| {
            n.saturating_add(match piece {
                Piece::Run(run) => run.len(),
                Piece::Char(c) => c.len_utf8(),
            })
        })
    }

    /// Decodes the text into `buf` and returns the decoded part of it.
    ///
    /// # Errors
    /// [`BufferTooSmall`] (with the size needed) when `buf` cannot hold it.
    pub fn decode_into<'b>(&self, buf: &'b mut [u8]) -> Result<&'b str, BufferTooSmall> {
        let needed = self.decoded_len();
        if needed > buf.len() {
            return Err(BufferTooSmall { needed });
        }
        let mut len = 0usize;
        for piece in self.pieces() {
            let mut utf8 = [0u8; 4];
            let bytes = match piece {
                Piece::Run(run) => run.as_bytes(),
                Piece::Char(c) => c.encode_utf8(&mut utf8).as_bytes(),
            };
            let end = len.saturating_add(bytes.len());
            let dest = buf.get_mut(len..end).ok_or(BufferTooSmall { needed })?;
            dest.copy_from_slice(bytes);
            len = end;
        }
        let decoded = buf.get(..len).unwrap_or_default();
        let text = core::str::from_utf8(decoded);
        debug_assert!(text.is_ok(), "only whole UTF-8 sequences are copied");
        Ok(text.unwrap_or_default())
    }

    /// True when the decoded text equals `s`; needs no buffer.
    pub fn eq_str(&self, s: &str) -> bool {
        if let Some(plain) = self.plain_bytes() {
            return plain == s.as_bytes();
        }
        let mut rest = s;
        for piece in self.pieces() {
            match piece {
                Piece::Run(run) => match rest.strip_prefix(run) {
                    Some(tail) => rest = tail,
                    None => return false,
                },
                Piece::Char(c) => match rest.strip_prefix(c) {
                    Some(tail) => rest = tail,
                    None => return false,
                },
            }
        }
        rest.is_empty()
    }

    /// The decoded characters, one by one.
    pub fn chars(&self) -> Chars<'a> {
        Chars {
            pieces: self.pieces(),
            run: "".chars(),
        }
    }

    /// The text after the first `": "`, if there is one (for `NAME: detail` fault strings).
    pub(crate) fn after_colon(&self) -> Option<Text<'a>> {
        // ": " cannot be part of an entity or a CR LF pair, so both halves stay well formed.
        self.raw()
            .split_once(": ")
            .map(|(_, detail)| Text::from_checked(detail.as_bytes()))
    }

    fn pieces(&self) -> Pieces<'a> {
        Pieces { rest: self.raw() }
    }
}

/// Where the first `&` or CR is: the first byte that does not decode to itself.
fn first_escape(raw: &[u8]) -> Option<usize> {
    memchr::memchr2(b'&', b'\r', raw)
}

/// A stretch of decoded text: either raw bytes that decode to themselves or one
/// character that came from an entity or a line end.
enum Piece<'a> {
    Run(&'a str),
    Char(char),
}

struct Pieces<'a> {
    rest: &'a str,
}

impl<'a> Iterator for Pieces<'a> {
    type Item = Piece<'a>;

    fn next(&mut self) -> Option<Piece<'a>> {
        if self.rest.is_empty() {
            return None;
        }
        match first_escape(self.rest.as_bytes()) {
            None => {
                let run = self.rest;
                self.rest = "";
                Some(Piece::Run(run))
            }
            Some(0) => {
                let (c, took) = if self.rest.starts_with("\r\n") {
                    ('\n', 2)
                } else if self.rest.starts_with('\r') {
                    ('\n', 1)
                } else {
                    let found = reference(self.rest);
                    debug_assert!(found.is_some(), "text was checked when it was made");
                    found?
                };
                self.rest = self.rest.get(took..).unwrap_or_default();
                Some(Piece::Char(c))
            }
            Some(at) => {
                let (run, tail) = self.rest.split_at_checked(at)?;
                self.rest = tail;
                Some(Piece::Run(run))
            }
        }
    }
}

/// The decoded characters of a [`Text`], from [`Text::chars`].
pub struct Chars<'a> {
    pieces: Pieces<'a>,
    run: core::str::Chars<'a>,
}

impl Iterator for Chars<'_> {
    type Item = char;

    fn next(&mut self) -> Option<char> {
        loop {
            if let Some(c) = self.run.next() {
                return Some(c);
            }
            match self.pieces.next()? {
                Piece::Run(run) => self.run = run.chars(),
                Piece::Char(c) => return Some(c),
            }
        }
    }
}

impl fmt::Display for Text<'_> {
    /// Writes the decoded text.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for piece in self.pieces() {
            match piece {
                Piece::Run(run) => f.write_str(run)?,
                Piece::Char(c) => fmt::Write::write_char(f, c)?,
            }
        }
        Ok(())
    }
}

impl fmt::Debug for Text<'_> {
    /// Shows the raw text, quoted.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.raw(), f)
    }
}

impl PartialEq for Text<'_> {
    /// Texts are equal when they decode to the same characters.
    fn eq(&self, other: &Self) -> bool {
        self.raw == other.raw || self.chars().eq(other.chars())
    }
}

impl Eq for Text<'_> {}

#[cfg(feature = "defmt")]
impl defmt::Format for Text<'_> {
    /// Shows the raw text.
    fn format(&self, f: defmt::Formatter<'_>) {
        defmt::write!(f, "{=str}", self.raw());
    }
}

impl PartialEq<str> for Text<'_> {
    fn eq(&self, other: &str) -> bool {
        self.eq_str(other)
    }
}

impl PartialEq<&str> for Text<'_> {
    fn eq(&self, other: &&str) -> bool {
        self.eq_str(other)
    }
}

impl fmt::Display for TextError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let what = match self.kind {
            TextErrorKind::BadEntity => "bad entity or character reference",
            TextErrorKind::ForbiddenChar => "character not allowed in XML",
            TextErrorKind::Markup => "`<` in character data",
        };
        write!(f, "{what} at byte {} of the text", self.offset)
    }
}

impl core::error::Error for TextError {}

impl fmt::Display for BufferTooSmall {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "decoded text needs {} bytes of buffer", self.needed)
    }
}

impl core::error::Error for BufferTooSmall {}
