//! The heartbeat datagram: one line of ASCII,
//! `SCHB1 device=<name> seq=<u32> uptime_ms=<u64>\n`.
//!
//! Text so that `tcpdump -A` and `nc -u -l` show it as it is; fixed field
//! order and single spaces so that decoding is one strict pass and anything
//! else is malformed. The trailing newline is optional on input.

use core::fmt;

use crate::wire::{Overflow, Writer};

/// The first token of every datagram (format version 1).
pub const MAGIC: &str = "SCHB1";
/// Longest device name, in bytes.
pub const MAX_DEVICE_NAME: usize = 32;
/// Longest valid datagram: the magic, the three fields at their widest and the newline.
pub const MAX_DATAGRAM: usize = MAGIC.len()
    + " device=".len()
    + MAX_DEVICE_NAME
    + " seq=".len()
    + 10
    + " uptime_ms=".len()
    + 20
    + 1;

/// One heartbeat: who sent it, its sequence number since boot, and the
/// sender's uptime when it was sent.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Beat<'a> {
    device: &'a str,
    seq: u32,
    uptime_ms: u64,
}

/// Why bytes are not a heartbeat datagram.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum DecodeError {
    /// Longer than [`MAX_DATAGRAM`].
    TooLong,
    /// Not ASCII text, or a control character other than the final newline.
    NotText,
    /// The first token is not [`MAGIC`] (another protocol or another version).
    BadMagic,
    /// A field is missing, misnamed, out of order, or followed by extra text.
    BadLayout,
    /// The device name is empty, too long or has a character outside `[A-Za-z0-9._-]`.
    BadDevice,
    /// `seq` or `uptime_ms` is not a decimal number in range.
    BadNumber,
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            DecodeError::TooLong => "datagram longer than any heartbeat",
            DecodeError::NotText => "datagram is not a line of ASCII text",
            DecodeError::BadMagic => "datagram does not start with SCHB1",
            DecodeError::BadLayout => "datagram is not `SCHB1 device=<name> seq=<n> uptime_ms=<n>`",
            DecodeError::BadDevice => "device name is empty, too long or has a bad character",
            DecodeError::BadNumber => "seq or uptime_ms is not a number in range",
        })
    }
}

impl core::error::Error for DecodeError {}

/// Why a [`Beat`] could not be built or encoded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum EncodeError {
    /// The device name is empty, too long or has a character outside `[A-Za-z0-9._-]`.
    BadDevice,
    /// The output buffer is shorter than the datagram.
    BufferTooSmall,
}

impl fmt::Display for EncodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            EncodeError::BadDevice => "device name is empty, too long or has a bad character",
            EncodeError::BufferTooSmall => "buffer too small for the heartbeat datagram",
        })
    }
}

impl core::error::Error for EncodeError {}

impl From<Overflow> for EncodeError {
    fn from(_: Overflow) -> Self {
        EncodeError::BufferTooSmall
    }
}

/// True when `name` is a valid device name.
fn valid_device(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= MAX_DEVICE_NAME
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
}

/// A decimal number without sign, leading `+` or leading zeros (but `0` itself).
fn decimal(text: &str) -> Option<u64> {
    let canonical = text == "0" || (!text.starts_with('0') && !text.is_empty());
    if !canonical || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

impl<'a> Beat<'a> {
    /// A heartbeat from `device`.
    ///
    /// # Errors
    /// [`EncodeError::BadDevice`] when the name is not 1 to [`MAX_DEVICE_NAME`]
    /// bytes of `[A-Za-z0-9._-]`.
    pub fn new(device: &'a str, seq: u32, uptime_ms: u64) -> Result<Self, EncodeError> {
        if !valid_device(device) {
            return Err(EncodeError::BadDevice);
        }
        Ok(Beat {
            device,
            seq,
            uptime_ms,
        })
    }

    /// The sender's name.
    pub const fn device(&self) -> &'a str {
        self.device
    }

    /// The sequence number: 0 for the first beat after boot, one more for each.
    pub const fn seq(&self) -> u32 {
        self.seq
    }

    /// The sender's uptime in milliseconds when it sent the beat.
    pub const fn uptime_ms(&self) -> u64 {
        self.uptime_ms
    }

    /// Writes the datagram into `out` and returns its length.
    ///
    /// # Errors
    /// [`EncodeError::BufferTooSmall`] when `out` cannot hold it
    /// ([`MAX_DATAGRAM`] bytes always can).
    pub fn encode(&self, out: &mut [u8]) -> Result<usize, EncodeError> {
        let mut w = Writer::new(out);
        w.put_str(MAGIC)?;
        w.put_str(" device=")?;
        w.put_str(self.device)?;
        w.put_str(" seq=")?;
        w.put_u64(u64::from(self.seq))?;
        w.put_str(" uptime_ms=")?;
        w.put_u64(self.uptime_ms)?;
        w.put_byte(b'\n')?;
        Ok(w.len())
    }

    /// Reads one datagram. The device name borrows from `bytes`.
    ///
    /// # Errors
    /// A [`DecodeError`] naming what is wrong; nothing is guessed.
    pub fn decode(bytes: &'a [u8]) -> Result<Self, DecodeError> {
        if bytes.len() > MAX_DATAGRAM {
            return Err(DecodeError::TooLong);
        }
        let line = bytes.strip_suffix(b"\n").unwrap_or(bytes);
        if !line.iter().all(|b| b.is_ascii_graphic() || *b == b' ') {
            return Err(DecodeError::NotText);
        }
        let text = core::str::from_utf8(line).map_err(|_| DecodeError::NotText)?;
        let mut tokens = text.split(' ');
        if tokens.next() != Some(MAGIC) {
            return Err(DecodeError::BadMagic);
        }
        let mut field = |key: &str| {
            tokens
                .next()
                .and_then(|token| token.strip_prefix(key))
                .and_then(|rest| rest.strip_prefix('='))
                .ok_or(DecodeError::BadLayout)
        };
        let device = field("device")?;
        let seq = field("seq")?;
        let uptime = field("uptime_ms")?;
        if tokens.next().is_some() {
            return Err(DecodeError::BadLayout);
        }
        if !valid_device(device) {
            return Err(DecodeError::BadDevice);
        }
        let seq = decimal(seq)
            .and_then(|n| u32::try_from(n).ok())
            .ok_or(DecodeError::BadNumber)?;
        let uptime_ms = decimal(uptime).ok_or(DecodeError::BadNumber)?;
        Ok(Beat {
            device,
            seq,
            uptime_ms,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode(text: &str) -> Result<Beat<'_>, DecodeError> {
        Beat::decode(text.as_bytes())
    }

    #[test]
    fn encoded_beat_is_the_documented_line() {
        let mut buf = [0u8; MAX_DATAGRAM];
        let len = Beat::new("pump-7", 42, 123_456)
            .unwrap()
            .encode(&mut buf)
            .unwrap();
        assert_eq!(
            &buf[..len],
            b"SCHB1 device=pump-7 seq=42 uptime_ms=123456\n"
        );
    }

    #[test]
    fn widest_beat_fits_max_datagram_exactly() {
        let name = "a".repeat(MAX_DEVICE_NAME);
        let beat = Beat::new(&name, u32::MAX, u64::MAX).unwrap();
        let mut buf = [0u8; MAX_DATAGRAM];
        assert_eq!(beat.encode(&mut buf), Ok(MAX_DATAGRAM));
        assert_eq!(Beat::decode(&buf), Ok(beat));
        assert_eq!(
            beat.encode(&mut [0u8; MAX_DATAGRAM - 1]),
            Err(EncodeError::BufferTooSmall)
        );
    }

    #[test]
    fn newline_is_optional_on_input() {
        let beat = decode("SCHB1 device=d seq=0 uptime_ms=0").unwrap();
        assert_eq!((beat.device(), beat.seq(), beat.uptime_ms()), ("d", 0, 0));
    }

    #[test]
    fn bad_device_names_are_refused_both_ways() {
        for name in [
            "",
            "has space",
            "ü",
            "a/b",
            &"x".repeat(MAX_DEVICE_NAME + 1),
        ] {
            assert_eq!(
                Beat::new(name, 0, 0),
                Err(EncodeError::BadDevice),
                "{name:?}"
            );
        }
        assert_eq!(
            decode("SCHB1 device= seq=0 uptime_ms=0"),
            Err(DecodeError::BadDevice)
        );
        assert_eq!(
            decode("SCHB1 device=a:b seq=0 uptime_ms=0"),
            Err(DecodeError::BadDevice)
        );
    }

    #[test]
    fn every_malformation_has_its_error() {
        let cases = [
            ("", DecodeError::BadMagic),
            ("SCHB2 device=d seq=0 uptime_ms=0", DecodeError::BadMagic),
            ("schb1 device=d seq=0 uptime_ms=0", DecodeError::BadMagic),
            ("SCHB1 seq=0 device=d uptime_ms=0", DecodeError::BadLayout),
            ("SCHB1 device=d seq=0", DecodeError::BadLayout),
            (
                "SCHB1 device=d seq=0 uptime_ms=0 extra=1",
                DecodeError::BadLayout,
            ),
            ("SCHB1  device=d seq=0 uptime_ms=0", DecodeError::BadLayout),
            ("SCHB1 device=d seq=0 uptime_ms=0 ", DecodeError::BadLayout),
            ("SCHB1 devicex=d seq=0 uptime_ms=0", DecodeError::BadLayout),
            ("SCHB1 device=d seq=-1 uptime_ms=0", DecodeError::BadNumber),
            ("SCHB1 device=d seq=+1 uptime_ms=0", DecodeError::BadNumber),
            ("SCHB1 device=d seq=01 uptime_ms=0", DecodeError::BadNumber),
            (
                "SCHB1 device=d seq=4294967296 uptime_ms=0",
                DecodeError::BadNumber,
            ),
            (
                "SCHB1 device=d seq=0 uptime_ms=18446744073709551616",
                DecodeError::BadNumber,
            ),
            ("SCHB1 device=d seq=0 uptime_ms=", DecodeError::BadNumber),
            ("SCHB1 device=d\tseq=0 uptime_ms=0", DecodeError::NotText),
            ("SCHB1 device=d seq=0 uptime_ms=0\r\n", DecodeError::NotText),
            ("SCHB1 device=d seq=0 uptime_ms=0\n\n", DecodeError::NotText),
        ];
        for (text, error) in cases {
            assert_eq!(decode(text), Err(error), "{text:?}");
        }
        assert_eq!(
            Beat::decode(&[b'S'; MAX_DATAGRAM + 1]),
            Err(DecodeError::TooLong)
        );
        assert_eq!(
            Beat::decode(b"SCHB1 device=\xff seq=0 uptime_ms=0"),
            Err(DecodeError::NotText)
        );
    }

    #[test]
    fn decode_inverts_encode_for_many_values() {
        let mut buf = [0u8; MAX_DATAGRAM];
        for (seq, uptime) in [(0, 0), (1, 9), (10, 10), (u32::MAX, 1 << 40)] {
            let beat = Beat::new("dev_1.a", seq, uptime).unwrap();
            let len = beat.encode(&mut buf).unwrap();
            assert_eq!(Beat::decode(&buf[..len]), Ok(beat));
        }
    }
}
