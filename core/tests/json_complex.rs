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
    Body, CheckKind, CheckSpec, Command, FsPath, HttpSpec, StatusItem, Timeout, XmlRpcTarget,
};
use supercheck_core::json::{ComplexConfig, UnknownKeys, parse_headers};
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
