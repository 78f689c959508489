//! The listener's protocol path, byte for byte: decoding supervisord's events,
//! answering them, reading supervisord's XML-RPC replies, judging HTTP replies,
//! and writing health documents.
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use supercheck_benches::{http_body, process_list_reply, vector};
use supercheck_core::event::{Decoded, Decoder, LenMode, encode_result};
use supercheck_core::http::{
    BodyDecoder, BodyEvent, BodyLimits, EMPTY_HEADER, Parsed, Request, ResponseReader,
};
use supercheck_core::json::ComplexConfig;
use supercheck_core::json::health::{
    CheckEntry, HealthDocument, HealthHead, HealthStatus, ObservedValue,
};
use supercheck_core::rpc::{
    ListEvent, ProcessInfoIter, ProcessListReader, Response, SupervisorCall,
};
use supercheck_core::wire::Writer;

fn events(c: &mut Criterion) {
    let mut group = c.benchmark_group("event");
    let decoder = Decoder::new(LenMode::Chars);
    for name in [
        "TICK_5",
        "PROCESS_LOG_STDOUT-nonascii",
        "PROCESS_STATE_EXITED-unexpected",
    ] {
        let bytes = vector(&format!("events/{name}.bin"));
        group.throughput(Throughput::Bytes(bytes.len() as u64));
        group.bench_function(format!("decode {name}"), |b| {
            b.iter(|| match decoder.decode(black_box(&bytes)) {
                Ok(Decoded::Complete { consumed, .. }) => consumed,
                other => panic!("{other:?}"),
            })
        });
    }
    let stream = vector("events/stream.bin");
    group.throughput(Throughput::Bytes(stream.len() as u64));
    group.bench_function("decode captured stream", |b| {
        b.iter(|| {
            let mut rest = black_box(&stream[..]);
            let mut n = 0;
            while let Ok(Decoded::Complete { consumed, .. }) = decoder.decode(rest) {
                rest = &rest[consumed..];
                n += 1;
            }
            n
        })
    });
    group.throughput(Throughput::Elements(1));
    group.bench_function("encode RESULT 2 OK + READY", |b| {
        let mut out = [0u8; 32];
        b.iter(|| {
            let mut w = Writer::new(&mut out);
            encode_result(&mut w, black_box(b"OK")).unwrap();
            w.put(b"READY\n").unwrap();
            w.len()
        })
    });
    group.finish();
}

fn rpc(c: &mut Criterion) {
    let mut group = c.benchmark_group("rpc");
    group.bench_function("encode getAllProcessInfo request", |b| {
        let mut out = [0u8; 512];
        b.iter(|| {
            let mut w = Writer::new(&mut out);
            black_box(SupervisorCall::GetAllProcessInfo)
                .encode(&mut w)
                .unwrap();
            w.len()
        })
    });
    let captured = vector("rpc/getAllProcessInfo.http");
    let bodies = [
        ("captured", http_body(&captured).to_vec()),
        ("100 processes", process_list_reply(100)),
    ];
    for (label, body) in bodies {
        group.throughput(Throughput::Bytes(body.len() as u64));
        group.bench_function(format!("parse getAllProcessInfo ({label})"), |b| {
            b.iter(|| {
                let mut running = 0;
                for info in ProcessInfoIter::parse_reply(black_box(&body)).unwrap() {
                    let info = info.unwrap();
                    running += usize::from(info.pid != 0 && info.name.as_plain().is_some());
                }
                running
            })
        });
    }
    // Read as the listener reads it: in 16 KiB pieces as they arrive, only an
    // element cut by a piece waiting in a small buffer.
    let body = process_list_reply(100);
    group.throughput(Throughput::Bytes(body.len() as u64));
    group.bench_function(
        "stream getAllProcessInfo in 16 KiB pieces (100 processes)",
        |b| {
            let mut pending: Vec<u8> = Vec::with_capacity(4096);
            b.iter(|| {
                let mut reader = ProcessListReader::new();
                let mut running = 0;
                pending.clear();
                let pieces = black_box(&body).chunks(16 * 1024);
                let last = pieces.len();
                for (i, piece) in pieces.enumerate() {
                    pending.extend_from_slice(piece);
                    let complete = i + 1 == last;
                    let mut used = 0;
                    loop {
                        let step = reader.step(&pending[used..], complete).unwrap();
                        used += step.consumed;
                        match step.event {
                            ListEvent::Process(info) => {
                                running +=
                                    usize::from(info.pid != 0 && info.name.as_plain().is_some());
                            }
                            ListEvent::Invalid(e) => panic!("{e}"),
                            ListEvent::NeedMore | ListEvent::Done => break,
                        }
                    }
                    pending.drain(..used);
                }
                assert!(reader.is_done());
                running
            })
        },
    );
    // The whole-body check alone (what `parse_reply` does before iterating).
    group.throughput(Throughput::Bytes(body.len() as u64));
    group.bench_function("check getAllProcessInfo body (100 processes)", |b| {
        b.iter(|| Response::parse(black_box(&body)).is_ok())
    });
    group.finish();
}

fn http(c: &mut Criterion) {
    let mut group = c.benchmark_group("http");
    group.bench_function("encode http check request", |b| {
        let mut out = [0u8; 512];
        let headers = [("X-Probe", "supercheck")];
        b.iter(|| {
            let mut w = Writer::new(&mut out);
            Request::get(black_box("/ping"), "127.0.0.1", 8101)
                .user_agent("http_check")
                .headers(&headers)
                .encode(&mut w)
                .unwrap();
            w.len()
        })
    });
    let reply = vector("rpc/getState.http");
    group.throughput(Throughput::Bytes(reply.len() as u64));
    group.bench_function("read captured supervisord reply", |b| {
        b.iter(|| {
            let mut headers = [EMPTY_HEADER; 16];
            let Parsed::Complete(head) = ResponseReader::new()
                .read(black_box(&reply), &mut headers)
                .unwrap()
            else {
                panic!("incomplete")
            };
            let mut body = BodyDecoder::new(head.framing(), BodyLimits::default()).unwrap();
            let mut rest = &reply[head.head_len()..];
            let mut len = 0;
            loop {
                let step = body.decode(rest).unwrap();
                rest = &rest[step.consumed..];
                match step.event {
                    BodyEvent::Data(d) => len += d.len(),
                    _ => break len,
                }
            }
        })
    });
    group.finish();
}

fn json(c: &mut Criterion) {
    let mut group = c.benchmark_group("json");
    let config = br#"{"memory":{"cumulative":true,"max_rss":4194304},"http":{"timeout":15,"port":8090,"url":"\/ping","num_retries":3}}"#;
    group.throughput(Throughput::Bytes(config.len() as u64));
    group.bench_function("parse complex-check config", |b| {
        let mut scratch = [0u8; 256];
        b.iter(|| {
            ComplexConfig::parse(black_box(config), &mut scratch)
                .unwrap()
                .len()
        })
    });
    group.throughput(Throughput::Elements(100));
    group.bench_function("encode health+json with 100 checks", |b| {
        let names: Vec<String> = (0..100).map(|i| format!("web:web_{}", 8000 + i)).collect();
        let mut out = vec![0u8; 64 * 1024];
        b.iter(|| {
            let mut w = Writer::new(&mut out);
            let mut checks = HealthDocument::begin(&mut w, &HealthHead::new(HealthStatus::Pass))
                .unwrap()
                .checks()
                .unwrap();
            for name in &names {
                let mut array = checks
                    .begin_check(Some(name.split(':').nth(1).unwrap()), Some("responseTime"))
                    .unwrap();
                let mut entry = CheckEntry::new(HealthStatus::Pass);
                entry.observed_value = Some(ObservedValue::Int(3));
                entry.observed_unit = Some("ms");
                entry.time = Some(1_795_317_100);
                array.entry(&entry).unwrap();
                checks = array.end_check().unwrap();
            }
            checks.finish(&[]).unwrap()
        })
    });
    group.finish();
}

criterion_group!(benches, events, rpc, http, json);
criterion_main!(benches);
