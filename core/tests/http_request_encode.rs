//! The client request encoder, byte for byte on the wire.

use supercheck_core::http::{BasicAuth, Connection, Request, RequestError};
use supercheck_core::wire::Writer;

fn encode(req: &Request<'_>) -> Result<Vec<u8>, RequestError> {
    let mut buf = [0u8; 1024];
    let mut w = Writer::new(&mut buf);
    req.encode(&mut w)?;
    Ok(w.written().to_vec())
}

#[test]
fn httpok_get_is_exact_on_the_wire() {
    let req = Request::get("/health?verbose=1", "127.0.0.1", 8080).user_agent("httpok");
    assert_eq!(
        encode(&req).unwrap(),
        b"GET /health?verbose=1 HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nUser-Agent: httpok\r\nConnection: close\r\n\r\n"
    );
}

#[test]
fn default_port_is_left_out_of_host_and_ipv6_is_bracketed() {
    let req = Request::get("/", "example.org", 80).user_agent("");
    assert_eq!(
        encode(&req).unwrap(),
        b"GET / HTTP/1.1\r\nHost: example.org\r\nConnection: close\r\n\r\n"
    );
    let req = Request::get("/", "::1", 443)
        .default_port(443)
        .user_agent("");
    assert_eq!(
        encode(&req).unwrap(),
        b"GET / HTTP/1.1\r\nHost: [::1]\r\nConnection: close\r\n\r\n"
    );
}

#[test]
fn xmlrpc_post_carries_basic_auth_length_and_keep_alive() {
    let body = b"<?xml version='1.0'?>\n<methodCall>\n<methodName>supervisor.getState</methodName>\n</methodCall>\n";
    let req = Request::post("/RPC2", "localhost", 80)
        .basic_auth(BasicAuth::when_both(Some("user"), Some("123")))
        .content_type("text/xml")
        .body(body)
        .connection(Connection::KeepAlive);
    let mut expected = b"POST /RPC2 HTTP/1.1\r\nHost: localhost\r\nUser-Agent: supercheck\r\nAuthorization: Basic dXNlcjoxMjM=\r\nContent-Type: text/xml\r\nContent-Length: 94\r\nConnection: keep-alive\r\n\r\n".to_vec();
    expected.extend_from_slice(body);
    assert_eq!(encode(&req).unwrap(), expected);
}

#[test]
fn basic_auth_needs_both_user_and_password() {
    assert_eq!(BasicAuth::when_both(Some("u"), None), None);
    assert_eq!(BasicAuth::when_both(None, Some("p")), None);
    assert_eq!(BasicAuth::when_both(Some(""), Some("p")), None);
    assert!(BasicAuth::when_both(Some("u"), Some("p")).is_some());
}

#[test]
fn credentials_of_every_length_match_base64_of_the_joined_text() {
    for (user, password, expected) in [
        ("a", "", "YTo="),
        ("ab", "", "YWI6"),
        ("abc", "", "YWJjOg=="),
        ("Aladdin", "open sesame", "QWxhZGRpbjpvcGVuIHNlc2FtZQ=="),
        ("us", "pässwörd", "dXM6cMOkc3N3w7ZyZA=="),
    ] {
        let req = Request::get("/", "h", 80)
            .user_agent("")
            .basic_auth(Some(BasicAuth { user, password }));
        let wire = format!(
            "GET / HTTP/1.1\r\nHost: h\r\nAuthorization: Basic {expected}\r\nConnection: close\r\n\r\n"
        );
        assert_eq!(encode(&req).unwrap(), wire.as_bytes(), "{user}:{password}");
    }
}

#[test]
fn caller_headers_override_defaults_case_insensitively() {
    let headers = [
        ("user-agent", "probe/2"),
        ("Connection", "keep-alive"),
        ("X-Trace", "1"),
    ];
    let req = Request::get("/", "h", 81).headers(&headers);
    assert_eq!(
        encode(&req).unwrap(),
        b"GET / HTTP/1.1\r\nHost: h:81\r\nuser-agent: probe/2\r\nConnection: keep-alive\r\nX-Trace: 1\r\n\r\n"
    );
}

#[test]
fn post_without_body_sends_zero_length_and_get_with_body_sends_its_length() {
    let req = Request::post("/", "h", 80).user_agent("");
    assert_eq!(
        encode(&req).unwrap(),
        b"POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
    );
    let req = Request::get("/", "h", 80)
        .user_agent("http_check")
        .content_type("application/json")
        .body(b"{}");
    assert_eq!(
        encode(&req).unwrap(),
        b"GET / HTTP/1.1\r\nHost: h\r\nUser-Agent: http_check\r\nContent-Type: application/json\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}"
    );
}

#[test]
fn header_injection_is_refused_before_anything_is_written() {
    let bad = [("X-Ok", "1"), ("X-Evil", "a\r\nHost: evil")];
    let req = Request::get("/", "h", 80).headers(&bad);
    let mut buf = [0u8; 256];
    let mut w = Writer::new(&mut buf);
    assert_eq!(req.encode(&mut w), Err(RequestError::InvalidHeaderValue(1)));
    assert!(w.is_empty());
    let bad = [("X-Evil\r\nA", "1")];
    assert_eq!(
        encode(&Request::get("/", "h", 80).headers(&bad)),
        Err(RequestError::InvalidHeaderName(0))
    );
    assert_eq!(
        encode(&Request::get("/ HTTP/1.1\r\n", "h", 80)),
        Err(RequestError::InvalidTarget)
    );
    assert_eq!(
        encode(&Request::get("/", "h\n", 80)),
        Err(RequestError::InvalidHost)
    );
    assert_eq!(
        encode(&Request::get("/", "h", 80).user_agent("a\rb")),
        Err(RequestError::InvalidUserAgent)
    );
    assert_eq!(
        encode(&Request::new("G T", "/", "h", 80)),
        Err(RequestError::InvalidMethod)
    );
}

#[test]
fn framing_headers_and_colon_users_are_refused() {
    let bad = [("content-length", "5")];
    assert_eq!(
        encode(&Request::get("/", "h", 80).headers(&bad)),
        Err(RequestError::FramingHeader(0))
    );
    let auth = BasicAuth {
        user: "a:b",
        password: "c",
    };
    assert_eq!(
        encode(&Request::get("/", "h", 80).basic_auth(Some(auth))),
        Err(RequestError::ColonInUser)
    );
}

#[test]
fn request_larger_than_the_buffer_is_an_overflow() {
    let mut buf = [0u8; 20];
    let mut w = Writer::new(&mut buf);
    assert_eq!(
        Request::get("/", "localhost", 80).encode(&mut w),
        Err(RequestError::Overflow)
    );
}
