//! [`Scratch`]: hands out decoded strings from a caller's buffer, front to back.

use super::string::JsonStr;
use crate::wire::Overflow;

/// A bump allocator over a caller's buffer, for strings that hold escapes.
///
/// Strings without escapes are borrowed from the document and take no room;
/// a decoded string is never longer than its escaped text, so a buffer as long
/// as the document always suffices.
#[derive(Debug)]
pub(crate) struct Scratch<'a> {
    rest: &'a mut [u8],
}

impl<'a> Scratch<'a> {
    /// Hands out `buf` from its start.
    pub(crate) fn new(buf: &'a mut [u8]) -> Self {
        Self { rest: buf }
    }

    /// The decoded text of `s`, borrowed from the document when it has no escapes.
    pub(crate) fn text(&mut self, s: JsonStr<'a>) -> Result<&'a str, Overflow> {
        if let Some(plain) = s.as_plain() {
            return Ok(plain);
        }
        let buf = core::mem::take(&mut self.rest);
        let used = match s.decode_into(&mut *buf) {
            Ok(used) => used,
            Err(e) => {
                self.rest = buf;
                return Err(e);
            }
        };
        let (head, tail) = buf.split_at_mut_checked(used).ok_or(Overflow)?;
        self.rest = tail;
        let head: &'a [u8] = head;
        core::str::from_utf8(head).map_err(|_| Overflow)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decoded_strings_fill_the_buffer_front_to_back() {
        let mut buf = [0u8; 4];
        let mut scratch = Scratch::new(&mut buf);
        let a = scratch.text(JsonStr::validated(r"\/a")).unwrap();
        let plain = scratch.text(JsonStr::validated("plain")).unwrap();
        let b = scratch.text(JsonStr::validated(r"\n")).unwrap();
        assert_eq!((a, plain, b), ("/a", "plain", "\n"));
        assert_eq!(scratch.text(JsonStr::validated(r"\t\t")), Err(Overflow));
        assert_eq!(scratch.text(JsonStr::validated(r"\t")), Ok("\t"));
    }
}
