//! The client response reader (head, then body decoder) over arbitrary bytes,
//! delivered whole and in two pieces split at the first byte's value: both
//! deliveries must give the same answer, and nothing may panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use supercheck_core::http::{
    BodyDecoder, BodyEvent, BodyLimits, BodyMatcher, EMPTY_HEADER, Parsed, ResponseReader,
    StatusSet,
};

#[derive(Debug, PartialEq)]
enum Outcome {
    Read {
        code: u16,
        body: Vec<u8>,
        found: bool,
        leftover: usize,
    },
    Failed(String),
    EofInHead,
}

fn read(pieces: &[&[u8]]) -> Outcome {
    let reader = ResponseReader::new().max_head(1024);
    let limits = BodyLimits {
        max_body: 4096,
        max_line: 64,
        max_trailers: 256,
    };
    let mut pieces = pieces.iter();
    let mut buf: Vec<u8> = Vec::new();
    let (code, framing) = loop {
        let mut headers = [EMPTY_HEADER; 16];
        match reader.read(&buf, &mut headers) {
            Ok(Parsed::Complete(head)) => {
                let (len, code, framing) = (head.head_len(), head.code(), head.framing());
                let _ = (
                    head.header("content-type"),
                    head.keep_alive(),
                    head.reason(),
                );
                let interim = head.is_interim();
                buf.drain(..len);
                if !interim {
                    break (code, framing);
                }
            }
            Ok(Parsed::Incomplete) => match pieces.next() {
                Some(piece) => buf.extend_from_slice(piece),
                None => return Outcome::EofInHead,
            },
            Err(e) => return Outcome::Failed(e.to_string()),
        }
    };
    let _ = StatusSet::default().contains(code);
    let mut matcher = match BodyMatcher::<16>::new(b"status") {
        Ok(m) => m,
        Err(e) => return Outcome::Failed(e.to_string()),
    };
    let mut decoder = match BodyDecoder::new(framing, limits) {
        Ok(d) => d,
        Err(e) => return Outcome::Failed(e.to_string()),
    };
    let mut body = Vec::new();
    loop {
        let step = match decoder.decode(&buf) {
            Ok(step) => step,
            Err(e) => return Outcome::Failed(e.to_string()),
        };
        let consumed = step.consumed;
        match step.event {
            BodyEvent::Data(data) => {
                matcher.feed(data);
                body.extend_from_slice(data);
            }
            BodyEvent::Done => {
                buf.drain(..consumed);
                break;
            }
            BodyEvent::NeedMore => match pieces.next() {
                Some(piece) => buf.extend_from_slice(piece),
                None => {
                    if let Err(e) = decoder.finish_at_eof() {
                        return Outcome::Failed(e.to_string());
                    }
                    buf.drain(..consumed);
                    break;
                }
            },
        }
        buf.drain(..consumed);
    }
    let leftover = buf.len() + pieces.map(|p| p.len()).sum::<usize>();
    Outcome::Read {
        code,
        body,
        found: matcher.is_found(),
        leftover,
    }
}

fuzz_target!(|data: &[u8]| {
    let cut = data.first().map_or(0, |&b| usize::from(b)).min(data.len());
    let (first, second) = data.split_at(cut);
    let whole = read(&[data]);
    let split = read(&[first, second]);
    assert_eq!(whole, split, "split at {cut} changed the answer");
});
