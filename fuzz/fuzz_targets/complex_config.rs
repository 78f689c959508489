//! Parses the input as a complex-check configuration (both key policies) and as
//! command-line headers, walks every spec, and re-encodes every decoded string
//! to check it survives a JSON round trip.
#![no_main]

use libfuzzer_sys::fuzz_target;
use supercheck_core::check::spec::{Body, CheckSpec, Command, StatusItem, XmlRpcTarget};
use supercheck_core::json::{
    ComplexConfig, ConfigErrorKind, RawJson, UnknownKeys, parse_headers, write_json_string,
};
use supercheck_core::wire::Writer;

/// Encodes `s` as a JSON string and checks the scanner accepts it.
fn round_trip(s: &str) {
    let mut buf = vec![0u8; s.len() * 6 + 2];
    let mut w = Writer::new(&mut buf);
    write_json_string(&mut w, s).expect("6 bytes per byte always fit");
    let text = std::str::from_utf8(w.written()).expect("encoder writes UTF-8");
    RawJson::parse(text).expect("encoded string is valid JSON");
}

fn walk(spec: &CheckSpec<'_>) {
    let mut strings: Vec<&str> = Vec::new();
    match spec {
        CheckSpec::Http(h) => {
            assert!(h.url.as_str().starts_with('/'));
            strings.extend([h.url.as_str(), h.method.as_str()]);
            match h.body {
                Some(Body::Json(j)) => {
                    RawJson::parse(j.as_str()).expect("kept json body is valid");
                }
                Some(Body::Text(t)) => strings.push(t),
                None => {}
            }
            for header in &h.headers {
                strings.extend([header.name, header.value]);
            }
            if let Some(auth) = h.auth {
                strings.extend([auth.username(), auth.password()]);
            }
            for item in &h.expected_status {
                if let StatusItem::Pattern(p) = item {
                    strings.push(p);
                }
            }
            strings.extend(h.expected_body);
        }
        CheckSpec::XmlRpc(x) => {
            match x.target {
                XmlRpcTarget::Http { url, .. } => strings.push(url.as_str()),
                XmlRpcTarget::Socket(p) | XmlRpcTarget::SocketDir(p) => strings.push(p.as_str()),
            }
            strings.push(x.method.as_str());
        }
        CheckSpec::File(f) => {
            strings.extend(f.filepath.map(|p| p.as_str()));
            strings.extend(f.root_dir.map(|p| p.as_str()));
        }
        CheckSpec::Exec(e) => match &e.command {
            Command::Argv(argv) => strings.extend(argv.iter()),
            Command::Shell(line) => strings.push(line),
        },
        _ => {}
    }
    for s in strings {
        round_trip(s);
    }
}

fuzz_target!(|data: &[u8]| {
    for unknown in [UnknownKeys::Reject, UnknownKeys::Ignore] {
        let mut scratch = vec![0u8; data.len()];
        match ComplexConfig::parse_with(data, &mut scratch, unknown) {
            Ok(config) => {
                assert!(!config.is_empty());
                for spec in &config {
                    walk(spec);
                }
            }
            Err(e) => {
                assert!(e.offset <= data.len());
                assert_ne!(e.kind, ConfigErrorKind::ScratchTooSmall);
                let _ = e.to_string();
            }
        }
    }
    let mut scratch = vec![0u8; data.len()];
    if let Ok(headers) = parse_headers(data, &mut scratch) {
        for h in &headers {
            round_trip(h.name);
            round_trip(h.value);
        }
    }
});
