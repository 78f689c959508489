//! The complex check's JSON configuration: what parses, into what, and how
//! every refusal names its check and key.

#![allow(
    clippy::panic,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing
)]

use supercheck_core::check::port::PortSpec;
use supercheck_core::check::spec::{
    Body, CheckKind, CheckSpec, Command, FsPath, HttpSpec, SpecError, StatusItem, Timeout,
    XmlRpcTarget,
};
use supercheck_core::json::{
    ComplexConfig, ConfigErrorKind, Expected, SyntaxReason, UnknownKeys, parse_headers,
};
use supercheck_core::time::Duration;

/// Parses `text` and hands the config to `check`.
fn with_config(text: &str, check: impl FnOnce(&ComplexConfig<'_>)) {
    let mut scratch = vec![0u8; text.len()];
    match ComplexConfig::parse(text.as_bytes(), &mut scratch) {
        Ok(config) => check(&config),
        Err(e) => panic!("{text} was refused: {e}"),
    }
}

fn http_of(text: &str, check: impl FnOnce(&HttpSpec<'_>)) {
    with_config(text, |c| match c.get(CheckKind::Http) {
        Some(CheckSpec::Http(h)) => check(h),
        other => panic!("no http check: {other:?}"),
    });
}

/// The error message for `text`, and whether it names a check or key.
fn refusal(text: &str) -> String {
    let mut scratch = vec![0u8; text.len()];
    match ComplexConfig::parse(text.as_bytes(), &mut scratch) {
        Ok(c) => panic!("{text} was accepted: {c:?}"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn readme_complex_example_parses_in_key_order() {
    let text = r#"{"memory":{"cumulative":true,"max_rss":4194304},"http":{"timeout":15,"port":8090,"url":"\/ping","num_retries":3}}"#;
    with_config(text, |config| {
        assert_eq!(config.len(), 2);
        let mut checks = config.iter();
        let Some(CheckSpec::Memory(memory)) = checks.next() else {
            panic!("memory first")
        };
        assert_eq!(memory.max_rss_kib.get(), 4_194_304);
        assert!(memory.cumulative);
        let Some(CheckSpec::Http(http)) = checks.next() else {
            panic!("http second")
        };
        assert_eq!(http.port, PortSpec::Number(8090));
        assert_eq!(http.url.as_str(), "/ping");
        assert_eq!(http.method.as_str(), "GET");
        assert_eq!(http.timeout.get(), Duration::from_secs(15));
        assert_eq!(http.num_retries, 3);
        assert!(http.body.is_none() && http.auth.is_none() && http.headers.is_empty());
    });
}

#[test]
fn every_readme_command_line_example_parses_as_json() {
    // The seed document's command-line examples, written as complex configs.
    let examples = [
        r#"{"http":{"url":"/ping","timeout":30,"num_retries":3,"port":8080}}"#,
        r#"{"http":{"url":"/ping","timeout":30,"num_retries":3,"port":".+_(\\d+)"}}"#,
        r#"{"tcp":{"timeout":30,"num_retries":3,"port":8080}}"#,
        r#"{"tcp":{"timeout":30,"num_retries":3,"port":".+_(\\d+)"}}"#,
        r#"{"xmlrpc":{"num_retries":3,"port":8080,"url":"/status","method":"get_status"}}"#,
        r#"{"xmlrpc":{"num_retries":3,"sock_path":"/var/run/example.sock","method":"get_status"}}"#,
        r#"{"xmlrpc":{"num_retries":3,"sock_dir":"/var/run/","method":"get_status"}}"#,
        r#"{"memory":{"max_rss":102400,"cumulative":true}}"#,
        r#"{"cpu":{"max_cpu":100,"interval":1800}}"#,
        r#"{"file":{"timeout":30}}"#,
    ];
    for text in examples {
        with_config(text, |config| assert_eq!(config.len(), 1));
    }
}

#[test]
fn escaped_port_pattern_is_decoded_for_the_regex() {
    let text = r#"{"tcp":{"port":".+_(\\d+)"}}"#;
    with_config(text, |c| {
        let Some(CheckSpec::Tcp(tcp)) = c.get(CheckKind::Tcp) else {
            panic!("no tcp")
        };
        assert_eq!(tcp.port, PortSpec::Pattern(r".+_(\d+)"));
        assert_eq!(tcp.timeout, Timeout::DEFAULT);
        assert_eq!(tcp.num_retries, 2);
    });
}

#[test]
fn port_given_as_numeric_text_is_a_number() {
    with_config(r#"{"tcp":{"port":" 8080 "}}"#, |c| {
        assert!(
            matches!(c.get(CheckKind::Tcp), Some(CheckSpec::Tcp(t)) if t.port == PortSpec::Number(8080))
        );
    });
}

#[test]
fn http_without_method_uses_get() {
    http_of(r#"{"http":{"url":"/","port":1}}"#, |h| {
        assert_eq!(h.method.as_str(), "GET");
    });
}

#[test]
fn http_settings_are_all_read() {
    let text = r#"{"http":{"url":"/h\u00e9alth?x=1","port":"8080","method":"POST",
        "body":"ignored","json":{"probe": [1, "two"]},
        "headers":{"X-Token":"a\"b","Accept":"application/json"},
        "username":"u","password":"p\\w","timeout":2.5,"num_retries":0,
        "expected_status":[200,"3xx"],"expected_body":"ok"}}"#;
    http_of(text, |h| {
        assert_eq!(h.url.as_str(), "/héalth?x=1");
        assert_eq!(h.port, PortSpec::Number(8080));
        assert_eq!(h.method.as_str(), "POST");
        assert_eq!(
            h.body.map(|b| match b {
                Body::Json(j) => j.as_str(),
                Body::Text(t) => t,
            }),
            Some(r#"{"probe": [1, "two"]}"#)
        );
        let headers: Vec<_> = h.headers.iter().map(|x| (x.name, x.value)).collect();
        assert_eq!(
            headers,
            [("X-Token", "a\"b"), ("Accept", "application/json")]
        );
        let auth = h.auth.unwrap();
        assert_eq!((auth.username(), auth.password()), ("u", "p\\w"));
        assert_eq!(h.timeout.get(), Duration::from_millis(2500));
        assert_eq!(h.num_retries, 0);
        let statuses: Vec<_> = h.expected_status.iter().copied().collect();
        assert_eq!(
            statuses,
            [StatusItem::Code(200), StatusItem::Pattern("3xx")]
        );
        assert_eq!(h.expected_body, Some("ok"));
    });
}

#[test]
fn json_null_falls_back_to_the_text_body() {
    http_of(
        r#"{"http":{"url":"/","port":1,"json":null,"body":"hi"}}"#,
        |h| assert_eq!(h.body, Some(Body::Text("hi"))),
    );
}

#[test]
fn null_settings_take_their_defaults() {
    http_of(
        r#"{"http":{"url":"/","port":1,"method":null,"timeout":null,"num_retries":null,"headers":null}}"#,
        |h| {
            assert_eq!(h.method.as_str(), "GET");
            assert_eq!(h.timeout, Timeout::DEFAULT);
            assert_eq!(h.num_retries, 2);
        },
    );
}

#[test]
fn single_expected_status_may_be_a_number_or_text() {
    http_of(
        r#"{"http":{"url":"/","port":1,"expected_status":204}}"#,
        |h| {
            assert_eq!(
                h.expected_status.iter().next(),
                Some(&StatusItem::Code(204))
            );
        },
    );
    http_of(
        r#"{"http":{"url":"/","port":1,"expected_status":"2xx"}}"#,
        |h| {
            assert_eq!(
                h.expected_status.iter().next(),
                Some(&StatusItem::Pattern("2xx"))
            );
        },
    );
}

#[test]
fn xmlrpc_targets_are_judged_by_value_not_key_presence() {
    let text =
        r#"{"xmlrpc":{"url":null,"port":null,"sock_path":"unix:///run/app.sock","sock_dir":null}}"#;
    with_config(text, |c| {
        let Some(CheckSpec::XmlRpc(x)) = c.get(CheckKind::XmlRpc) else {
            panic!("no xmlrpc")
        };
        assert_eq!(
            x.target,
            XmlRpcTarget::Socket(FsPath::new("/run/app.sock").unwrap())
        );
        assert_eq!(x.method.as_str(), "status");
        assert_eq!(x.timeout, Timeout::DEFAULT);
    });
}

#[test]
fn file_check_is_accepted_with_all_settings() {
    let text =
        r#"{"file":{"timeout":30,"fail_on_error":true,"filepath":null,"root_dir":"/run/beats"}}"#;
    with_config(text, |c| {
        let Some(CheckSpec::File(f)) = c.get(CheckKind::File) else {
            panic!("no file")
        };
        assert_eq!(f.timeout.get(), Duration::from_secs(30));
        assert!(f.fail_on_error);
        assert_eq!(f.filepath, None);
        assert_eq!(f.root_dir.map(FsPath::as_str), Some("/run/beats"));
    });
}

#[test]
fn cpu_interval_defaults_to_an_hour() {
    with_config(r#"{"cpu":{"max_cpu":95.5}}"#, |c| {
        let Some(CheckSpec::Cpu(cpu)) = c.get(CheckKind::Cpu) else {
            panic!("no cpu")
        };
        assert_eq!(cpu.max_cpu.get(), 95.5);
        assert_eq!(cpu.interval, Duration::from_secs(3600));
    });
}

#[test]
fn exec_command_is_an_argv_array_or_a_shell_line() {
    with_config(
        r#"{"exec":{"command":["/bin/check","--fast","a b"],"timeout":5}}"#,
        |c| {
            let Some(CheckSpec::Exec(e)) = c.get(CheckKind::Exec) else {
                panic!("no exec")
            };
            let Command::Argv(argv) = &e.command else {
                panic!("not argv")
            };
            assert_eq!(
                argv.iter().collect::<Vec<_>>(),
                ["/bin/check", "--fast", "a b"]
            );
            assert_eq!(e.timeout.get(), Duration::from_secs(5));
        },
    );
    with_config(r#"{"exec":{"command":"pgrep -x app"}}"#, |c| {
        assert!(matches!(
            c.get(CheckKind::Exec),
            Some(CheckSpec::Exec(e)) if e.command == Command::Shell("pgrep -x app")
        ));
    });
}

#[test]
fn all_seven_kinds_fit_in_one_config() {
    let text = r#"{"exec":{"command":"true"},"file":{"timeout":1},"cpu":{"max_cpu":1},
        "memory":{"max_rss":1},"xmlrpc":{"sock_dir":"/run"},"tcp":{"port":1},
        "http":{"url":"/","port":1}}"#;
    with_config(text, |c| {
        let kinds: Vec<_> = c.iter().map(CheckSpec::kind).collect();
        assert_eq!(
            kinds,
            [
                CheckKind::Exec,
                CheckKind::File,
                CheckKind::Cpu,
                CheckKind::Memory,
                CheckKind::XmlRpc,
                CheckKind::Tcp,
                CheckKind::Http
            ]
        );
    });
}

#[test]
fn unknown_keys_are_refused_by_default_and_ignored_on_request() {
    let text = br#"{"tcp":{"port":1,"timout":3,"extra":{"deep":[1,2]}}}"#;
    let mut scratch = [0u8; 64];
    let err = ComplexConfig::parse(text, &mut scratch).unwrap_err();
    assert_eq!(err.to_string(), r#"tcp: unknown key "timout""#);
    assert_eq!(err.offset, 17);
    let mut scratch = [0u8; 64];
    let config = ComplexConfig::parse_with(text, &mut scratch, UnknownKeys::Ignore).unwrap();
    assert_eq!(config.len(), 1);
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

#[test]
fn escaped_check_names_are_matched_after_decoding() {
    with_config(r#"{"\u0074cp":{"\u0070ort":22}}"#, |c| {
        assert_eq!(c.iter().next().map(CheckSpec::kind), Some(CheckKind::Tcp));
    });
}

#[test]
fn command_line_headers_parse_alone() {
    let text = br#"{"Authorization": "Bearer \u0061bc", "X-A": "1"}"#;
    let mut scratch = [0u8; 64];
    let headers = parse_headers(text, &mut scratch).unwrap();
    assert_eq!(headers.get("authorization"), Some("Bearer abc"));
    assert_eq!(headers.len(), 2);
    let mut scratch = [0u8; 8];
    let err = parse_headers(b"[]", &mut scratch).unwrap_err();
    assert_eq!(
        err.to_string(),
        "http.headers: expected an object of strings"
    );
}
