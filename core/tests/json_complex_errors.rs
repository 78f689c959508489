//! Every way a complex-check configuration is refused, and how each refusal
//! names its check, key and byte offset.

#![allow(
    clippy::panic,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing
)]

use supercheck_core::check::spec::{CheckKind, SpecError};
use supercheck_core::json::{ComplexConfig, ConfigErrorKind, Expected, SyntaxReason};

/// The error message for `text`, after checking that the error carries the
/// check and key its kind calls for and an offset inside the text.
fn refusal(text: &str) -> String {
    let mut scratch = vec![0u8; text.len()];
    let e = match ComplexConfig::parse(text.as_bytes(), &mut scratch) {
        Ok(c) => panic!("{text} was accepted: {c:?}"),
        Err(e) => e,
    };
    assert!(e.offset <= text.len(), "{text}: offset {}", e.offset);
    match e.kind {
        ConfigErrorKind::Missing
        | ConfigErrorKind::Expected(_)
        | ConfigErrorKind::UnknownKey
        | ConfigErrorKind::DuplicateKey => {
            assert!(e.check.is_some() && e.key.is_some(), "{text}: {e:?}");
        }
        ConfigErrorKind::UnknownCheck => assert!(e.key.is_some(), "{text}: {e:?}"),
        ConfigErrorKind::Invalid(_) | ConfigErrorKind::DuplicateCheck => {
            assert!(e.check.is_some(), "{text}: {e:?}");
        }
        _ => {}
    }
    e.to_string()
}

#[test]
fn refusals_name_the_check_and_key() {
    let cases = [
        (r#"{"foo":{}}"#, r#"unknown check "foo""#),
        (r#"{"HTTP":{}}"#, r#"unknown check "HTTP""#),
        (r#"{"http":{"url":"/"}}"#, r#"http: missing "port""#),
        (r#"{"http":{"port":1}}"#, r#"http: missing "url""#),
        (
            r#"{"http":{"port":1,"url":null}}"#,
            r#"http: missing "url""#,
        ),
        (r#"{"tcp":{}}"#, r#"tcp: missing "port""#),
        (
            r#"{"memory":{"cumulative":true}}"#,
            r#"memory: missing "max_rss""#,
        ),
        (r#"{"cpu":{"interval":5}}"#, r#"cpu: missing "max_cpu""#),
        (
            r#"{"file":{"fail_on_error":true}}"#,
            r#"file: missing "timeout""#,
        ),
        (r#"{"exec":{"timeout":1}}"#, r#"exec: missing "command""#),
        (
            r#"{"memory":{"max_rss":"big"}}"#,
            "memory.max_rss: expected a number",
        ),
        (
            r#"{"memory":{"max_rss":1,"cumulative":1}}"#,
            "memory.cumulative: expected true or false",
        ),
        (
            r#"{"cpu":{"max_cpu":"1"}}"#,
            "cpu.max_cpu: expected a number",
        ),
        (
            r#"{"file":{"timeout":1.5}}"#,
            "file.timeout: expected an integer",
        ),
        (
            r#"{"tcp":{"port":1,"timeout":"15"}}"#,
            "tcp.timeout: expected a number",
        ),
        (
            r#"{"tcp":{"port":1,"num_retries":2.0}}"#,
            "tcp.num_retries: expected an integer",
        ),
        (
            r#"{"tcp":{"port":true}}"#,
            "tcp.port: expected a port number or a pattern string",
        ),
        (
            r#"{"http":{"url":5,"port":1}}"#,
            "http.url: expected a string",
        ),
        (
            r#"{"http":{"url":"/","port":1,"headers":["a"]}}"#,
            "http.headers: expected an object of strings",
        ),
        (
            r#"{"http":{"url":"/","port":1,"headers":{"a":1}}}"#,
            "http.headers: expected an object of strings",
        ),
        (
            r#"{"http":{"url":"/","port":1,"expected_status":true}}"#,
            "http.expected_status: expected a status code, a pattern string or an array of them",
        ),
        (
            r#"{"exec":{"command":[1]}}"#,
            "exec.command: expected a string or an array of strings",
        ),
        (
            r#"{"tcp":{"port":70000}}"#,
            "tcp.port: port is not in 1..=65535",
        ),
        (
            r#"{"tcp":{"port":0}}"#,
            "tcp.port: port is not in 1..=65535",
        ),
        (
            r#"{"tcp":{"port":"99999"}}"#,
            "tcp.port: port is not in 1..=65535",
        ),
        (
            r#"{"tcp":{"port":123456789012345678901234}}"#,
            "tcp.port: port is not in 1..=65535",
        ),
        (r#"{"tcp":{"port":""}}"#, "tcp.port: must not be empty"),
        (
            r#"{"tcp":{"port":1,"timeout":0}}"#,
            "tcp.timeout: must be greater than zero",
        ),
        (
            r#"{"tcp":{"port":1,"timeout":-3}}"#,
            "tcp.timeout: must not be negative",
        ),
        (
            r#"{"tcp":{"port":1,"timeout":1e400}}"#,
            "tcp.timeout: is too large",
        ),
        (
            r#"{"tcp":{"port":1,"num_retries":-1}}"#,
            "tcp.num_retries: must not be negative",
        ),
        (
            r#"{"http":{"url":"ping","port":1}}"#,
            "http.url: must be a path starting with '/' without spaces or control characters",
        ),
        (
            r#"{"http":{"url":"/","port":1,"method":"GET /x"}}"#,
            "http.method: must be an HTTP method token such as GET",
        ),
        (
            r#"{"http":{"url":"/","port":1,"username":"u"}}"#,
            r#"http: "username" and "password" must be given together"#,
        ),
        (
            r#"{"http":{"url":"/","port":1,"username":"a:b","password":"p"}}"#,
            "http.username: username must not contain ':'",
        ),
        (
            r#"{"http":{"url":"/","port":1,"headers":{"X":"a\r\nb"}}}"#,
            "http.headers: header value must not contain CR, LF or other control characters",
        ),
        (
            r#"{"http":{"url":"/","port":1,"headers":{"X":"a","x":"b"}}}"#,
            "http.headers: header given twice",
        ),
        (
            r#"{"http":{"url":"/","port":1,"expected_status":[]}}"#,
            "http.expected_status: must not be empty",
        ),
        (
            r#"{"http":{"url":"/","port":1,"expected_status":[600]}}"#,
            "http.expected_status: status code must be in 100..=599",
        ),
        (
            r#"{"http":{"url":"/","port":1,"expected_body":""}}"#,
            "http.expected_body: must not be empty",
        ),
        (
            r#"{"memory":{"max_rss":0}}"#,
            "memory.max_rss: must be greater than zero",
        ),
        (
            r#"{"memory":{"max_rss":0.5}}"#,
            "memory.max_rss: must be greater than zero",
        ),
        (
            r#"{"cpu":{"max_cpu":-1}}"#,
            "cpu.max_cpu: must not be negative",
        ),
        (
            r#"{"cpu":{"max_cpu":1,"interval":-1}}"#,
            "cpu.interval: must not be negative",
        ),
        (
            r#"{"file":{"timeout":0}}"#,
            "file.timeout: must be greater than zero",
        ),
        (
            r#"{"file":{"timeout":1,"filepath":""}}"#,
            "file.filepath: must not be empty",
        ),
        (
            r#"{"exec":{"command":[]}}"#,
            "exec.command: must not be empty",
        ),
        (
            r#"{"exec":{"command":" "}}"#,
            "exec.command: must not be empty",
        ),
        (
            r#"{"xmlrpc":{}}"#,
            r#"xmlrpc: one of "url", "sock_path" or "sock_dir" is required"#,
        ),
        (
            r#"{"xmlrpc":{"sock_path":"/a","sock_dir":"/b"}}"#,
            r#"xmlrpc: "url", "sock_path" and "sock_dir" are mutually exclusive"#,
        ),
        (r#"{"xmlrpc":{"url":"/RPC2"}}"#, r#"xmlrpc: missing "port""#),
        (
            r#"{"xmlrpc":{"sock_dir":"/run","port":1}}"#,
            r#"xmlrpc.port: "port" is only used with "url""#,
        ),
        (
            r#"{"xmlrpc":{"sock_dir":""}}"#,
            "xmlrpc.sock_dir: must not be empty",
        ),
        (
            r#"{"xmlrpc":{"sock_path":"unix://"}}"#,
            "xmlrpc.sock_path: must not be empty",
        ),
        (
            r#"{"xmlrpc":{"sock_dir":"/run","method":""}}"#,
            "xmlrpc.method: must not be empty",
        ),
        (
            r#"{"tcp":{"port":1,"port":2}}"#,
            r#"tcp: duplicate key "port""#,
        ),
        (
            r#"{"tcp":{"port":1,"timeout":null,"timeout":3}}"#,
            r#"tcp: duplicate key "timeout""#,
        ),
        (
            r#"{"tcp":{"port":1},"tcp":{"port":2}}"#,
            r#"duplicate check "tcp""#,
        ),
        (r#"{"http":1}"#, "http: expected an object"),
        (r#"{"http":null}"#, "http: expected an object"),
        ("[1]", "check config must be a JSON object"),
        ("{}", "check config has no checks"),
        (
            r#"{"tcp":{"port":1,}}"#,
            "invalid JSON at byte 17: expected a string key",
        ),
        (
            r#"{"tcp":{"port":1}"#,
            "invalid JSON at byte 17: unexpected end of text",
        ),
        (
            r#"{"tcp":{"port":01}}"#,
            "invalid JSON at byte 16: expected ',' or '}'",
        ),
        (
            r#"{"http":{"url":"/\x","port":1}}"#,
            "invalid JSON at byte 17: invalid escape sequence",
        ),
        ("", "invalid JSON at byte 0: unexpected end of text"),
    ];
    for (text, message) in cases {
        assert_eq!(refusal(text), message, "for {text}");
    }
}

#[test]
fn errors_carry_offset_check_and_key() {
    let text = br#"{"memory": {"max_rss": "big"}}"#;
    let mut scratch = [0u8; 32];
    let err = ComplexConfig::parse(text, &mut scratch).unwrap_err();
    assert_eq!(err.offset, 23);
    assert_eq!(err.check, Some(CheckKind::Memory));
    assert_eq!(err.key, Some("max_rss"));
    assert_eq!(err.kind, ConfigErrorKind::Expected(Expected::Number));

    let text = br#"{"http": {"url": "/"}}"#;
    let mut scratch = [0u8; 32];
    let err = ComplexConfig::parse(text, &mut scratch).unwrap_err();
    assert_eq!((err.offset, err.key), (9, Some("port")));
    assert_eq!(err.kind, ConfigErrorKind::Missing);

    let text = br#"{"tcp": {"port": 70000}}"#;
    let mut scratch = [0u8; 32];
    let err = ComplexConfig::parse(text, &mut scratch).unwrap_err();
    assert_eq!(err.offset, 17);
    assert!(matches!(
        err.kind,
        ConfigErrorKind::Invalid(SpecError::Port(_))
    ));
}

#[test]
fn non_utf8_text_is_a_syntax_error_at_the_bad_byte() {
    let mut scratch = [0u8; 32];
    let err = ComplexConfig::parse(b"{\"tcp\xff\":1}", &mut scratch).unwrap_err();
    assert_eq!(err.offset, 5);
    assert_eq!(err.kind, ConfigErrorKind::Syntax(SyntaxReason::InvalidUtf8));
}

#[test]
fn too_small_scratch_is_reported_not_truncated() {
    let text = br#"{"http":{"url":"\/ping","port":1}}"#;
    let mut scratch = [0u8; 3];
    let err = ComplexConfig::parse(text, &mut scratch).unwrap_err();
    assert_eq!(err.kind, ConfigErrorKind::ScratchTooSmall);
    assert_eq!(err.key, Some("url"));
    // Strings without escapes need no scratch at all.
    let mut none = [0u8; 0];
    assert!(ComplexConfig::parse(br#"{"http":{"url":"/ping","port":1}}"#, &mut none).is_ok());
}
