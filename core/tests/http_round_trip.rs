//! Both sides agree: what the client encoder writes the server parser reads
//! back, and what the server encoder writes the client reader reads back.

mod socket_sim;

use base64::Engine as _;
use proptest::prelude::*;
use socket_sim::{read_request, read_response, split_at};
use supercheck_core::http::{
    BasicAuth, BodyLimits, Connection, Framing, Reply, Request, RequestParser, ResponseReader,
    reason_phrase,
};
use supercheck_core::wire::Writer;

const DEFAULT_NAMES: [&str; 7] = [
    "host",
    "user-agent",
    "authorization",
    "content-type",
    "content-length",
    "connection",
    "transfer-encoding",
];

fn header_name() -> impl Strategy<Value = String> {
    "[A-Za-z][A-Za-z0-9!#$%&'*+.^_`|~-]{0,12}".prop_filter("not a default", |n| {
        !DEFAULT_NAMES.iter().any(|d| d.eq_ignore_ascii_case(n))
    })
}

/// Header values as a parser hands them back: no leading or trailing whitespace.
fn header_value() -> impl Strategy<Value = String> {
    "([!-~]([ !-~]{0,20}[!-~])?)?"
}

fn connection() -> impl Strategy<Value = Connection> {
    prop_oneof![Just(Connection::Close), Just(Connection::KeepAlive)]
}

fn find<'a>(headers: &'a [(String, Vec<u8>)], name: &str) -> Option<&'a [u8]> {
    headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_slice())
}

proptest! {
    #[test]
    fn encoded_requests_parse_back_to_their_fields(
        method in prop_oneof![Just("GET"), Just("POST"), Just("PUT"), Just("DELETE"), Just("HEAD"), Just("OPTIONS")],
        path in "/[!-~&&[^?]]{0,30}",
        query in proptest::option::of("[!-~]{0,20}"),
        host in "[a-z0-9.-]{1,20}",
        port in 1u16..,
        headers in proptest::collection::vec((header_name(), header_value()), 0..5),
        auth in proptest::option::of(("[!-9;-~]{1,10}", "[ -~]{1,10}")),
        body in proptest::option::of(proptest::collection::vec(any::<u8>(), 0..64)),
        conn in connection(),
        cuts in proptest::collection::vec(0usize..400, 0..4),
    ) {
        let target = match &query {
            Some(q) => format!("{path}?{q}"),
            None => path.clone(),
        };
        let extra: Vec<(&str, &str)> = headers.iter().map(|(n, v)| (n.as_str(), v.as_str())).collect();
        let mut req = Request::new(method, &target, &host, port)
            .headers(&extra)
            .basic_auth(auth.as_ref().map(|(user, password)| BasicAuth { user, password }))
            .connection(conn);
        if let Some(body) = &body {
            req = req.body(body);
        }
        let mut buf = vec![0u8; 4096];
        let mut w = Writer::new(&mut buf);
        req.encode(&mut w).unwrap();
        let wire = w.written().to_vec();

        let parsed = read_request(&split_at(&wire, &cuts), RequestParser::new()).unwrap();
        prop_assert_eq!(parsed.method.as_str(), method);
        prop_assert_eq!(&parsed.path, &path);
        prop_assert_eq!(&parsed.query, &query);
        prop_assert_eq!(parsed.minor_version, 1);
        prop_assert_eq!(parsed.keep_alive, conn == Connection::KeepAlive);
        let expected_len = body.as_ref().map_or(0, Vec::len);
        prop_assert_eq!(parsed.content_length, expected_len as u64);
        prop_assert_eq!(&wire[parsed.head_len..], body.as_deref().unwrap_or_default());
        let expected_host = if port == 80 { host.clone() } else { format!("{host}:{port}") };
        prop_assert_eq!(find(&parsed.headers, "host"), Some(expected_host.as_bytes()));
        let mine: Vec<(String, Vec<u8>)> = headers.iter().map(|(n, v)| (n.clone(), v.clone().into_bytes())).collect();
        prop_assert_eq!(&parsed.headers[parsed.headers.len() - mine.len()..], mine.as_slice());
        if let Some((user, password)) = &auth {
            let value = find(&parsed.headers, "authorization").unwrap();
            let encoded = value.strip_prefix(b"Basic ").unwrap();
            let mut decoded = [0u8; 64];
            let n = base64::engine::general_purpose::STANDARD.decode_slice(encoded, &mut decoded).unwrap();
            let expected = format!("{user}:{password}");
            prop_assert_eq!(&decoded[..n], expected.as_bytes());
        } else {
            prop_assert_eq!(find(&parsed.headers, "authorization"), None);
        }
    }

    #[test]
    fn encoded_replies_read_back_to_their_fields(
        status in 200u16..=999,
        content_type in proptest::option::of(header_value()),
        cache_control in proptest::option::of(header_value()),
        headers in proptest::collection::vec((header_name(), header_value()), 0..5),
        body in proptest::collection::vec(any::<u8>(), 0..64),
        conn in connection(),
        cuts in proptest::collection::vec(0usize..400, 0..4),
    ) {
        let bodiless = status == 204 || status == 304;
        let body = if bodiless { Vec::new() } else { body };
        let extra: Vec<(&str, &str)> = headers.iter()
            .filter(|(n, _)| !n.eq_ignore_ascii_case("cache-control"))
            .map(|(n, v)| (n.as_str(), v.as_str()))
            .collect();
        let mut reply = Reply::new(status).headers(&extra).connection(conn);
        if let Some(ct) = &content_type {
            reply = reply.content_type(ct);
        }
        if let Some(cc) = &cache_control {
            reply = reply.cache_control(cc);
        }
        let mut buf = vec![0u8; 4096];
        let mut w = Writer::new(&mut buf);
        reply.encode(&mut w, &body).unwrap();
        let wire = w.written().to_vec();

        let read = read_response(&split_at(&wire, &cuts), ResponseReader::new(), BodyLimits::default()).unwrap();
        prop_assert_eq!(read.code, status);
        prop_assert_eq!(read.reason.as_str(), reason_phrase(status).unwrap_or(""));
        prop_assert_eq!(&read.body, &body);
        prop_assert!(read.leftover.is_empty());
        prop_assert_eq!(read.keep_alive, conn == Connection::KeepAlive);
        let expected_framing = if bodiless { Framing::None } else { Framing::Length(body.len() as u64) };
        prop_assert_eq!(read.framing, expected_framing);
        prop_assert_eq!(find(&read.headers, "content-type"), content_type.as_deref().map(str::as_bytes));
        prop_assert_eq!(find(&read.headers, "cache-control"), cache_control.as_deref().map(str::as_bytes));
        for (name, value) in &extra {
            prop_assert!(read.headers.iter().any(|(n, v)| n == name && v == value.as_bytes()));
        }
    }
}
