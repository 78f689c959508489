//! The server request parser over arbitrary bytes, whole and in two pieces
//! split at the first byte's value: same answer, no panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use supercheck_core::http::{EMPTY_HEADER, Parsed, RequestParser};

#[derive(Debug, PartialEq)]
enum Outcome {
    Head {
        method: String,
        path: String,
        query: Option<String>,
        length: u64,
        head_len: usize,
    },
    Refused(u16, String),
    EofInHead,
}

fn parse(pieces: &[&[u8]]) -> Outcome {
    let parser = RequestParser::new()
        .max_request_line(256)
        .max_head(1024)
        .max_body(4096);
    let mut pieces = pieces.iter();
    let mut buf: Vec<u8> = Vec::new();
    loop {
        let mut headers = [EMPTY_HEADER; 16];
        match parser.parse(&buf, &mut headers) {
            Ok(Parsed::Complete(head)) => {
                let _ = (head.header("host"), head.keep_alive(), head.minor_version());
                return Outcome::Head {
                    method: head.method().to_owned(),
                    path: head.path().to_owned(),
                    query: head.query().map(str::to_owned),
                    length: head.content_length(),
                    head_len: head.head_len(),
                };
            }
            Ok(Parsed::Incomplete) => match pieces.next() {
                Some(piece) => buf.extend_from_slice(piece),
                None => return Outcome::EofInHead,
            },
            Err(e) => return Outcome::Refused(e.status(), e.to_string()),
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let cut = data.first().map_or(0, |&b| usize::from(b)).min(data.len());
    let (first, second) = data.split_at(cut);
    assert_eq!(
        parse(&[data]),
        parse(&[first, second]),
        "split at {cut} changed the answer"
    );
});
