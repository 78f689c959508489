//! What a listener writes to supervisord: `READY\n`, then `RESULT <n>\n<body>`
//! for every event.
//!
//! Only the body `OK` acknowledges an event; supervisord resends any other
//! answer at once, with no back-off, so a checker answers [`RESULT_OK`] even
//! when a check fails. `RESULT 2\nOKREADY\n` may go out in one write.

use crate::wire::{Overflow, Writer};

/// The ready token: the listener wants an event.
pub const READY: &[u8] = b"READY\n";
/// The event was handled.
pub const RESULT_OK: &[u8] = b"RESULT 2\nOK";
/// The event was rejected: supervisord resends it immediately.
pub const RESULT_FAIL: &[u8] = b"RESULT 4\nFAIL";

/// Writes [`READY`].
///
/// # Errors
/// [`Overflow`] (nothing written) when `out` has less than 6 bytes of room.
pub fn encode_ready(out: &mut Writer<'_>) -> Result<(), Overflow> {
    out.put(READY)
}

/// Writes `RESULT <body.len()>\n<body>`, all of it or nothing.
///
/// # Errors
/// [`Overflow`] (nothing written) when it does not fit in `out`.
pub fn encode_result(out: &mut Writer<'_>, body: &[u8]) -> Result<(), Overflow> {
    let mut digits = [0u8; 20];
    let len = decimal(body.len() as u64, &mut digits);
    let total = b"RESULT \n"
        .len()
        .checked_add(len.len())
        .and_then(|n| n.checked_add(body.len()))
        .ok_or(Overflow)?;
    if out.remaining() < total {
        return Err(Overflow);
    }
    out.put(b"RESULT ")?;
    out.put(len)?;
    out.put_byte(b'\n')?;
    out.put(body)
}

/// The decimal digits of `n`, written at the end of `digits`.
pub(crate) fn decimal(mut n: u64, digits: &mut [u8; 20]) -> &[u8] {
    let mut at = digits.len();
    for slot in digits.iter_mut().rev() {
        *slot = b'0' + (n % 10) as u8;
        n /= 10;
        at = at.saturating_sub(1);
        if n == 0 {
            break;
        }
    }
    digits.get(at..).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn written(f: impl FnOnce(&mut Writer<'_>) -> Result<(), Overflow>) -> std::vec::Vec<u8> {
        let mut buf = [0u8; 64];
        let mut w = Writer::new(&mut buf);
        f(&mut w).unwrap();
        w.written().to_vec()
    }

    #[test]
    fn result_encoder_gives_the_conventional_ok_and_fail_bytes() {
        assert_eq!(written(|w| encode_result(w, b"OK")), RESULT_OK);
        assert_eq!(written(|w| encode_result(w, b"FAIL")), RESULT_FAIL);
        assert_eq!(written(|w| encode_result(w, b"")), b"RESULT 0\n");
        assert_eq!(written(encode_ready), b"READY\n");
    }

    #[test]
    fn result_and_ready_may_share_one_write() {
        let bytes = written(|w| {
            encode_result(w, b"OK")?;
            encode_ready(w)
        });
        assert_eq!(bytes, b"RESULT 2\nOKREADY\n");
    }

    #[test]
    fn result_that_does_not_fit_writes_nothing() {
        let mut buf = [0u8; 10];
        let mut w = Writer::new(&mut buf);
        assert_eq!(encode_result(&mut w, b"OK"), Err(Overflow));
        assert!(w.is_empty());
    }

    #[test]
    fn decimal_writes_zero_and_max() {
        let mut d = [0u8; 20];
        assert_eq!(decimal(0, &mut d), b"0");
        assert_eq!(decimal(u64::MAX, &mut d), b"18446744073709551615");
    }
}
