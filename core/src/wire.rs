//! [`Writer`]: the bounded output cursor every encoder in the core writes into.
//!
//! The caller owns the bytes; an encoder that runs out of room returns
//! [`Overflow`] and the caller decides what to do (grow a buffer, drop, report).

use core::fmt;

/// The output buffer was too small for what had to be written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Overflow;

impl fmt::Display for Overflow {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("output buffer too small")
    }
}

impl core::error::Error for Overflow {}

/// Writes bytes into a caller-provided slice and remembers how far it got.
#[derive(Debug)]
pub struct Writer<'a> {
    buf: &'a mut [u8],
    len: usize,
}

impl<'a> Writer<'a> {
    /// A writer that starts at the beginning of `buf`.
    pub fn new(buf: &'a mut [u8]) -> Self {
        Self { buf, len: 0 }
    }

    /// Appends `bytes`, or writes nothing and returns [`Overflow`] if they do not fit.
    ///
    /// # Errors
    /// [`Overflow`] when fewer than `bytes.len()` bytes of room are left.
    pub fn put(&mut self, bytes: &[u8]) -> Result<(), Overflow> {
        let end = self.len.checked_add(bytes.len()).ok_or(Overflow)?;
        let dest = self.buf.get_mut(self.len..end).ok_or(Overflow)?;
        dest.copy_from_slice(bytes);
        self.len = end;
        Ok(())
    }

    /// Appends a UTF-8 string.
    ///
    /// # Errors
    /// [`Overflow`] when it does not fit.
    pub fn put_str(&mut self, s: &str) -> Result<(), Overflow> {
        self.put(s.as_bytes())
    }

    /// Appends one byte.
    ///
    /// # Errors
    /// [`Overflow`] when the buffer is full.
    pub fn put_byte(&mut self, byte: u8) -> Result<(), Overflow> {
        self.put(&[byte])
    }

    /// Appends the decimal form of `n`.
    ///
    /// # Errors
    /// [`Overflow`] when it does not fit.
    pub fn put_u64(&mut self, n: u64) -> Result<(), Overflow> {
        let mut digits = [0u8; 20];
        let mut at = digits.len();
        let mut rest = n;
        loop {
            at -= 1;
            if let Some(d) = digits.get_mut(at) {
                *d = b'0' + (rest % 10) as u8;
            }
            rest /= 10;
            if rest == 0 {
                break;
            }
        }
        self.put(digits.get(at..).unwrap_or_default())
    }

    /// Appends the decimal form of `n`, with a leading `-` when negative.
    ///
    /// # Errors
    /// [`Overflow`] when it does not fit.
    pub fn put_i64(&mut self, n: i64) -> Result<(), Overflow> {
        if n < 0 {
            self.put_byte(b'-')?;
        }
        self.put_u64(n.unsigned_abs())
    }

    /// Appends formatted text (`core::fmt` arguments).
    ///
    /// # Errors
    /// [`Overflow`] when it does not fit; the text written so far stays.
    pub fn put_fmt(&mut self, args: fmt::Arguments<'_>) -> Result<(), Overflow> {
        fmt::Write::write_fmt(self, args).map_err(|_| Overflow)
    }

    /// Bytes written so far.
    pub fn len(&self) -> usize {
        self.len
    }

    /// True when nothing has been written.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Bytes of room left.
    pub fn remaining(&self) -> usize {
        self.buf.len().saturating_sub(self.len)
    }

    /// The bytes written so far.
    pub fn written(&self) -> &[u8] {
        self.buf.get(..self.len).unwrap_or_default()
    }

    /// Consumes the writer, returning the written part of the buffer.
    pub fn finish(self) -> &'a mut [u8] {
        let len = self.len;
        let buf = self.buf;
        let (head, _) = buf.split_at_mut(len.min(buf.len()));
        head
    }
}

impl fmt::Write for Writer<'_> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        self.put_str(s).map_err(|_| fmt::Error)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn put_that_does_not_fit_writes_nothing() {
        let mut buf = [0u8; 4];
        let mut w = Writer::new(&mut buf);
        w.put(b"abc").unwrap();
        assert_eq!(w.put(b"de"), Err(Overflow));
        assert_eq!(w.written(), b"abc");
    }

    #[test]
    fn numbers_are_written_in_decimal() {
        let mut buf = [0u8; 64];
        let mut w = Writer::new(&mut buf);
        w.put_u64(0).unwrap();
        w.put_byte(b' ').unwrap();
        w.put_u64(u64::MAX).unwrap();
        w.put_byte(b' ').unwrap();
        w.put_i64(i64::MIN).unwrap();
        assert_eq!(w.written(), b"0 18446744073709551615 -9223372036854775808");
    }
}
