//! Judging a response: [`StatusSet`] (the expected status codes, httpok's
//! `-c`) and [`BodyMatcher`] (httpok's `-b`: a substring found across chunk
//! boundaries without holding the body).

use core::fmt;

const LOWEST: u16 = 100;
const HIGHEST: u16 = 999;
const WORDS: usize = (HIGHEST - LOWEST + 1).div_ceil(64) as usize;

/// A set of HTTP status codes (100..=999), stored as a bit set: any number of
/// codes and ranges, no allocation. The default is {200}.
#[derive(Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct StatusSet {
    bits: [u64; WORDS],
}

/// Why a status set could not be built. `at` is the byte offset of the bad
/// element in the text (or its index in a list of codes).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum StatusSetError {
    /// The text lists no code at all.
    Empty,
    /// An element is not `code`, `low-high` or `Nxx`.
    InvalidElement {
        /// Where the element starts.
        at: usize,
    },
    /// A code outside 100..=999.
    OutOfRange {
        /// Where the element starts.
        at: usize,
    },
    /// A range whose low end is above its high end.
    ReversedRange {
        /// Where the element starts.
        at: usize,
    },
}

impl fmt::Display for StatusSetError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StatusSetError::Empty => f.write_str("no status code given"),
            StatusSetError::InvalidElement { at } => {
                write!(
                    f,
                    "at {at}: expected a code, a range low-high or a class like 2xx"
                )
            }
            StatusSetError::OutOfRange { at } => write!(f, "at {at}: status codes are 100..=999"),
            StatusSetError::ReversedRange { at } => {
                write!(f, "at {at}: range low end above high end")
            }
        }
    }
}

impl core::error::Error for StatusSetError {}

impl Default for StatusSet {
    fn default() -> Self {
        let mut set = Self::EMPTY;
        set.set(200);
        set
    }
}

impl StatusSet {
    /// The set with no code.
    pub const EMPTY: Self = Self { bits: [0; WORDS] };

    /// Parses a comma-separated list of codes (`200`), ranges (`300-399`) and
    /// classes (`2xx`), spaces allowed around elements: `200,204,300-399`.
    ///
    /// # Errors
    /// A [`StatusSetError`] naming the offset of the first bad element, or
    /// `Empty` when the text lists nothing.
    pub fn parse(text: &str) -> Result<Self, StatusSetError> {
        if text.trim().is_empty() {
            return Err(StatusSetError::Empty);
        }
        let mut set = Self::EMPTY;
        let mut at = 0usize;
        for element in text.split(',') {
            let trimmed = element.trim_start();
            let start = at.saturating_add(element.len().saturating_sub(trimmed.len()));
            set.insert_element(trimmed.trim_end(), start)?;
            at = at.saturating_add(element.len()).saturating_add(1);
        }
        Ok(set)
    }

    /// The set of the listed codes.
    ///
    /// # Errors
    /// [`StatusSetError::OutOfRange`] with the index of a code outside 100..=999;
    /// `Empty` for an empty list.
    pub fn from_codes(codes: &[u16]) -> Result<Self, StatusSetError> {
        if codes.is_empty() {
            return Err(StatusSetError::Empty);
        }
        let mut set = Self::EMPTY;
        for (at, &code) in codes.iter().enumerate() {
            set.insert_range(code, code)
                .map_err(|_| StatusSetError::OutOfRange { at })?;
        }
        Ok(set)
    }

    /// Adds every code of `low..=high`.
    ///
    /// # Errors
    /// `OutOfRange` or `ReversedRange` (with `at` 0); the set is unchanged.
    pub fn insert_range(&mut self, low: u16, high: u16) -> Result<(), StatusSetError> {
        if !(LOWEST..=HIGHEST).contains(&low) || !(LOWEST..=HIGHEST).contains(&high) {
            return Err(StatusSetError::OutOfRange { at: 0 });
        }
        if low > high {
            return Err(StatusSetError::ReversedRange { at: 0 });
        }
        for code in low..=high {
            self.set(code);
        }
        Ok(())
    }

    /// Every code in either set.
    pub fn union(mut self, other: Self) -> Self {
        for (mine, theirs) in self.bits.iter_mut().zip(other.bits) {
            *mine |= theirs;
        }
        self
    }

    /// True when `code` is in the set.
    pub fn contains(&self, code: u16) -> bool {
        let Some(offset) = code.checked_sub(LOWEST) else {
            return false;
        };
        let word = usize::from(offset / 64);
        self.bits
            .get(word)
            .is_some_and(|w| w & (1u64 << (offset % 64)) != 0)
    }

    /// True when no code is in the set.
    pub fn is_empty(&self) -> bool {
        self.bits.iter().all(|w| *w == 0)
    }

    /// The codes in the set, ascending.
    pub fn iter(&self) -> impl Iterator<Item = u16> + '_ {
        (LOWEST..=HIGHEST).filter(|c| self.contains(*c))
    }

    fn set(&mut self, code: u16) {
        if let Some(offset) = code.checked_sub(LOWEST) {
            if let Some(w) = self.bits.get_mut(usize::from(offset / 64)) {
                *w |= 1u64 << (offset % 64);
            }
        }
    }

    fn insert_element(&mut self, element: &str, at: usize) -> Result<(), StatusSetError> {
        let invalid = StatusSetError::InvalidElement { at };
        if element.is_empty() {
            return Err(invalid);
        }
        let (low, high) = if let Some(class) = element
            .strip_suffix("xx")
            .or_else(|| element.strip_suffix("XX"))
        {
            let digit = parse_code(class, at)?;
            let low = digit
                .checked_mul(100)
                .ok_or(StatusSetError::OutOfRange { at })?;
            (low, low.saturating_add(99))
        } else if let Some((low, high)) = element.split_once('-') {
            (parse_code(low.trim(), at)?, parse_code(high.trim(), at)?)
        } else {
            let code = parse_code(element, at)?;
            (code, code)
        };
        self.insert_range(low, high).map_err(|e| match e {
            StatusSetError::ReversedRange { .. } => StatusSetError::ReversedRange { at },
            _ => StatusSetError::OutOfRange { at },
        })
    }
}

fn parse_code(text: &str, at: usize) -> Result<u16, StatusSetError> {
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return Err(StatusSetError::InvalidElement { at });
    }
    text.parse().map_err(|_| StatusSetError::OutOfRange { at })
}

impl fmt::Debug for StatusSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "StatusSet({self})")
    }
}

/// Compact form: `200,204,300-399`.
impl fmt::Display for StatusSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut run: Option<(u16, u16)> = None;
        let mut first = true;
        let mut emit = |f: &mut fmt::Formatter<'_>, (low, high): (u16, u16)| {
            let sep = if first { "" } else { "," };
            first = false;
            if low == high {
                write!(f, "{sep}{low}")
            } else {
                write!(f, "{sep}{low}-{high}")
            }
        };
        for code in self.iter() {
            run = match run {
                Some((low, high)) if high.saturating_add(1) == code => Some((low, code)),
                Some(done) => {
                    emit(f, done)?;
                    Some((code, code))
                }
                None => Some((code, code)),
            };
        }
        match run {
            Some(done) => emit(f, done),
            None => Ok(()),
        }
    }
}

/// The needle does not fit the matcher's capacity.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct NeedleTooLong {
    /// The needle's length.
    pub len: usize,
    /// The most the matcher holds.
    pub max: usize,
}

impl fmt::Display for NeedleTooLong {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "body needle of {} bytes exceeds the capacity of {}",
            self.len, self.max
        )
    }
}

impl core::error::Error for NeedleTooLong {}

/// Finds a byte string in a body fed in arbitrary chunks, holding only the
/// needle and its failure table (Knuth–Morris–Pratt), at most `N` bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct BodyMatcher<const N: usize> {
    needle: [u8; N],
    /// `fail[i]`: length of the longest proper prefix of `needle[..=i]` that is also its suffix.
    fail: [u16; N],
    len: usize,
    matched: usize,
    found: bool,
}

impl<const N: usize> BodyMatcher<N> {
    /// A matcher for `needle`. The empty needle is found at once (as in Python's `'' in body`).
    ///
    /// # Errors
    /// [`NeedleTooLong`] when `needle` is longer than `N` (or than 65535).
    pub fn new(needle: &[u8]) -> Result<Self, NeedleTooLong> {
        let max = N.min(usize::from(u16::MAX));
        let too_long = NeedleTooLong {
            len: needle.len(),
            max,
        };
        if needle.len() > max {
            return Err(too_long);
        }
        let mut m = Self {
            needle: [0; N],
            fail: [0; N],
            len: needle.len(),
            matched: 0,
            found: needle.is_empty(),
        };
        m.needle
            .get_mut(..needle.len())
            .ok_or(too_long)?
            .copy_from_slice(needle);
        let mut k = 0usize;
        for i in 1..needle.len() {
            let byte = needle.get(i).copied();
            while k > 0 && needle.get(k).copied() != byte {
                k = m.fail_at(k.saturating_sub(1));
            }
            if needle.get(k).copied() == byte {
                k = k.saturating_add(1);
            }
            if let Some(slot) = m.fail.get_mut(i) {
                *slot = u16::try_from(k).unwrap_or(0);
            }
        }
        Ok(m)
    }

    fn fail_at(&self, i: usize) -> usize {
        self.fail.get(i).map_or(0, |&k| usize::from(k))
    }

    /// Feeds the next body bytes; returns true once the needle has been seen.
    pub fn feed(&mut self, chunk: &[u8]) -> bool {
        if self.found {
            return true;
        }
        for &byte in chunk {
            while self.matched > 0 && self.needle.get(self.matched) != Some(&byte) {
                self.matched = self.fail_at(self.matched.saturating_sub(1));
            }
            if self.needle.get(self.matched) == Some(&byte) {
                self.matched = self.matched.saturating_add(1);
            }
            if self.matched >= self.len {
                self.found = true;
                return true;
            }
        }
        false
    }

    /// True once the needle has been seen.
    pub const fn is_found(&self) -> bool {
        self.found
    }

    /// Forgets what was fed, for the next body.
    pub fn reset(&mut self) {
        self.matched = 0;
        self.found = self.len == 0;
    }
}
