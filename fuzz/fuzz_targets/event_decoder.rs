//! Decodes events back to back in both `len` modes, with default and tiny caps,
//! skipping past recoverable errors, and checks the decoder's bounds.
#![no_main]

use libfuzzer_sys::fuzz_target;
use supercheck_core::event::{Decoded, Decoder, LenMode};

fn drain(decoder: Decoder, mut buf: &[u8]) {
    loop {
        match decoder.decode(buf) {
            Ok(Decoded::Complete { consumed, .. }) => {
                assert!(consumed >= 1 && consumed <= buf.len());
                buf = &buf[consumed..];
            }
            Ok(Decoded::Incomplete { needed }) => {
                assert!(needed >= 1);
                return;
            }
            Err(err) => {
                assert!(err.offset <= buf.len());
                match err.skip_to() {
                    Some(skip) => {
                        assert!(skip >= 1 && skip <= buf.len());
                        buf = &buf[skip..];
                    }
                    None => return,
                }
            }
        }
    }
}

fuzz_target!(|data: &[u8]| {
    for mode in [LenMode::Chars, LenMode::Bytes] {
        drain(Decoder::new(mode), data);
        drain(Decoder { max_header_len: 64, max_payload_len: 32, mode }, data);
    }
});
