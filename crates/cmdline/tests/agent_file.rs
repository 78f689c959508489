//! The agent's configuration file, read from the sample files under
//! `tests/agent_files/`: the smallest file of the issue, a whole host, every
//! duration form, and one broken file per kind of mistake, each naming the
//! line, column and key it expects (`# expect: LINE:COL: KEY: MESSAGE` on
//! its first line).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::path::{Path, PathBuf};

use proptest::prelude::*;
use supercheck_cmdline::agent_file::options::Options;
use supercheck_cmdline::agent_file::{AgentFile, AgentFileError, ErrorKind, Target};
use supercheck_core::check::port::PortSpec;
use supercheck_core::check::retry::RetryPolicy;
use supercheck_core::check::spec::{Body, CheckKind, CheckSpec, Command, StatusItem, XmlRpcTarget};
use supercheck_core::health::Policy;
use supercheck_core::process::ProcessState;
use supercheck_core::time::Duration;
use supercheck_engine::Selection;

fn samples() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/agent_files")
}

fn load(name: &str) -> AgentFile {
    AgentFile::load(samples().join(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// The smallest file that must work, exactly as issue 15 gives it.
const SMALLEST: &str = r#"[[check]]
name = "web_http"
kind = "http"
targets = ["web:*"]
url = "/ping"
port = ".+_(\\d+)"
timeout = 2
num_retries = 0
interval = 1
"#;

#[test]
fn the_smallest_file_of_the_issue_works() {
    let text = std::fs::read_to_string(samples().join("smallest.toml")).unwrap();
    assert_eq!(text, SMALLEST, "the sample is the issue's file, unchanged");
    let file = load("smallest.toml");
    let [check] = file.checks() else {
        panic!("one check: {file:?}")
    };
    assert_eq!(check.name(), "web_http");
    assert_eq!(check.kind(), CheckKind::Http);
    assert_eq!(check.interval(), Some(Duration::from_secs(1)));
    assert_eq!(check.states(), [ProcessState::Running]);
    assert_eq!(check.policy(), Policy::DROP_IN);
    assert_eq!(check.targets().as_slice(), [Target::Group("web".into())]);
    assert_eq!(
        check.selection(Some("supercheck")),
        Selection::AnyOf(vec!["web:*".into()])
    );
    let CheckSpec::Http(http) = check.spec() else {
        panic!("an http spec")
    };
    assert_eq!(http.url.as_str(), "/ping");
    assert_eq!(http.port, PortSpec::Pattern(r".+_(\d+)"));
    assert_eq!(http.timeout.get(), Duration::from_secs(2));
    assert_eq!(http.num_retries, 0);
    assert_eq!(http.method.as_str(), "GET");
    let rule = check.rule();
    assert_eq!(rule.name, "web_http");
    assert_eq!(rule.retry, RetryPolicy::supervisor_checks(0));
    assert!(rule.cpu.is_none());
    assert!(file.frontend().is_none() && file.notify().is_none() && file.heartbeat().is_none());
    assert_eq!(
        file.supervisor().rpc_timeout,
        std::time::Duration::from_secs(10)
    );
    assert!(file.supervisor().server_url.is_none());
}

#[test]
fn a_whole_host_in_one_file() {
    let file = load("host.toml");
    let checks = file.checks();
    assert_eq!(checks.len(), 8);
    let kinds: std::collections::HashSet<CheckKind> = checks.iter().map(|c| c.kind()).collect();
    assert_eq!(kinds.len(), 8, "every kind");
    let groups: std::collections::HashSet<&str> = checks
        .iter()
        .flat_map(|c| c.targets().as_slice())
        .filter_map(|t| match t {
            Target::Group(g) | Target::Process { group: g, .. } => Some(g.as_str()),
            _ => None,
        })
        .collect();
    assert_eq!(groups, ["web", "api", "workers"].into_iter().collect());

    let supervisor = file.supervisor();
    assert!(supervisor.server_url.is_some());
    assert_eq!(supervisor.username.as_deref(), Some("agent"));
    assert_eq!(supervisor.rpc_timeout, std::time::Duration::from_secs(5));
    assert!(
        !format!("{supervisor:?}").contains("s3cret"),
        "no password in Debug"
    );

    let frontend = file.frontend().unwrap();
    assert_eq!(frontend.listen.to_string(), "127.0.0.1:9101");
    assert_eq!(
        (
            frontend.health_status_codes.pass,
            frontend.health_status_codes.warn,
            frontend.health_status_codes.fail
        ),
        (200, 299, 503)
    );
    assert_eq!(frontend.ttl_pass, std::time::Duration::from_secs(30));
    assert_eq!(frontend.ttl_fail, std::time::Duration::ZERO);
    assert!(frontend.expose_env);
    assert_eq!(frontend.http_timeout, std::time::Duration::from_secs(5));
    assert_eq!(frontend.http_max_connections, 16);

    let notify = file.notify().unwrap();
    assert_eq!(notify.mail_to.as_deref(), Some("ops@example.com"));
    assert_eq!(
        notify.webhook.as_deref(),
        Some("http://127.0.0.1:9000/hook")
    );
    assert_eq!(notify.window, std::time::Duration::from_secs(600));

    let heartbeat = file.heartbeat().unwrap();
    assert_eq!(heartbeat.bind.to_string(), "0.0.0.0:9110");
    assert_eq!(heartbeat.allow_from.len(), 2);

    let web = file.check("web_http").unwrap();
    let CheckSpec::Http(http) = web.spec() else {
        panic!("http")
    };
    assert_eq!(http.method.as_str(), "POST");
    assert_eq!(
        http.body,
        Some(Body::Json(
            supercheck_core::json::RawJson::parse(r#"{"probe":true,"depth":[1,2]}"#).unwrap()
        ))
    );
    assert_eq!(http.headers.get("x-probe"), Some("agent"));
    assert_eq!(http.headers.len(), 2);
    assert_eq!(http.auth.map(|a| a.username()), Some("probe"));
    assert_eq!(http.timeout.get(), Duration::from_millis(1500));
    assert_eq!(
        http.expected_status.iter().copied().collect::<Vec<_>>(),
        [StatusItem::Code(200), StatusItem::Pattern("3xx")]
    );
    assert_eq!(http.expected_body, Some("ok"));
    let policy = web.policy();
    assert_eq!((policy.failure_threshold, policy.success_threshold), (2, 2));
    assert_eq!(policy.window.map(|w| (w.failures, w.of)), Some((3, 5)));
    assert_eq!(policy.start_grace, Duration::from_secs(30));
    let budget = policy.budget.unwrap();
    assert_eq!(
        (budget.max_restarts, budget.period),
        (3, Duration::from_secs(3600))
    );
    assert_eq!(policy.backoff.initial, Duration::from_secs(60));
    assert_eq!(policy.backoff.max, Duration::from_secs(60 * 32));
    assert_eq!(web.rule().retry, RetryPolicy::supervisor_checks(1));

    let memory = file.check("web_memory").unwrap();
    let CheckSpec::Memory(m) = memory.spec() else {
        panic!("memory")
    };
    assert_eq!((m.max_rss_kib.get(), m.cumulative), (524_288, true));
    assert_eq!(memory.interval(), None, "without interval: on every TICK");

    let tcp = file.check("api_tcp").unwrap();
    assert_eq!(
        tcp.states(),
        [ProcessState::Running, ProcessState::Starting]
    );
    assert_eq!(tcp.interval(), Some(Duration::from_secs(2)));
    let CheckSpec::Tcp(t) = tcp.spec() else {
        panic!("tcp")
    };
    assert_eq!(
        (t.port, t.timeout.get()),
        (PortSpec::Number(8080), Duration::from_millis(500))
    );
    assert!(tcp.targets().selects("api", "api_8081", None));
    assert!(!tcp.targets().selects("api", "api_8082", None));

    let CheckSpec::XmlRpc(x) = file.check("api_rpc").unwrap().spec() else {
        panic!("xmlrpc")
    };
    assert!(matches!(x.target, XmlRpcTarget::SocketDir(dir) if dir.as_str() == "/run/api"));
    assert_eq!(x.method.as_str(), "supervisor.getState");

    let cpu = file.check("workers_cpu").unwrap();
    let limit = cpu.rule().cpu.unwrap();
    assert_eq!(limit.interval, Duration::from_secs(1800));
    assert_eq!(cpu.interval(), Some(Duration::from_secs(60)));

    let CheckSpec::File(f) = file.check("workers_beat").unwrap().spec() else {
        panic!("file")
    };
    assert_eq!(f.timeout.get(), Duration::from_secs(120));
    assert!(f.fail_on_error);
    assert_eq!(f.root_dir.map(|d| d.as_str()), Some("/run/beats"));

    let exec = file.check("workers_exec").unwrap();
    let CheckSpec::Exec(e) = exec.spec() else {
        panic!("exec")
    };
    let Command::Argv(argv) = e.command else {
        panic!("argv")
    };
    assert_eq!(
        argv.iter().collect::<Vec<_>>(),
        ["/usr/local/bin/check-queue", "--max", "100"]
    );
    assert!(exec.targets().selects("reporter", "reporter", None));

    let beats = file.check("bridge_beats").unwrap();
    let CheckSpec::Heartbeat(h) = beats.spec() else {
        panic!("heartbeat")
    };
    assert_eq!(h.device_for("fans", "fan_2"), Some("fan"));
    assert_eq!(
        beats.selection(Some("supercheck")),
        Selection::AllExcept(Some("supercheck".into()))
    );
    assert!(matches!(beats.options(), Options::Heartbeat(_)));
}

fn interval_of(value: &str) -> Result<Option<Duration>, AgentFileError> {
    let text = format!(
        "[[check]]\nname = \"m\"\nkind = \"memory\"\ntargets = [\"*\"]\nmax_rss = 1\ninterval = {value}\n"
    );
    AgentFile::parse("d.toml", &text).map(|f| f.checks().first().and_then(|c| c.interval()))
}

#[test]
fn every_duration_form() {
    for (value, millis) in [
        ("2", 2_000),
        ("0.25", 250),
        ("1.5e1", 15_000),
        ("1_000", 1_000_000),
        ("\"2\"", 2_000),
        ("\"2.5\"", 2_500),
        ("\"1500ms\"", 1_500),
        ("\"2s\"", 2_000),
        ("\"10m\"", 600_000),
        ("\"1h\"", 3_600_000),
        ("\"1h30m\"", 5_400_000),
        ("\"1m 30s 250ms\"", 90_250),
        ("\" 3 s \"", 3_000),
        ("'45s'", 45_000),
    ] {
        let got = interval_of(value).unwrap_or_else(|e| panic!("{value}: {e}"));
        assert_eq!(got, Some(Duration::from_millis(millis)), "{value}");
    }
    for (value, message) in [
        ("0", "must be greater than zero"),
        ("\"0s\"", "must be greater than zero"),
        ("0.0001", "must be greater than zero"),
        ("-5", "must not be negative"),
        ("\"-5s\"", "must not be negative"),
        ("nan", "NaN"),
        ("inf", "too large"),
        ("1e300", "too large"),
        ("99999999999999999999", "too large"),
        ("\"1000000001s\"", "too large"),
        ("\"5 minutes\"", "unknown unit \"minutes\""),
        ("\"5d\"", "unknown unit \"d\""),
        ("\"\"", "empty"),
        ("\"1m1h\"", "from hours down"),
        ("true", "expected a duration"),
        ("1979-05-27", "expected a duration"),
    ] {
        let e = interval_of(value).expect_err(value);
        assert_eq!((e.line, e.column), (6, 12), "{value}: {e}");
        assert_eq!(e.key, "check[1] (m).interval", "{value}");
        assert!(e.to_string().contains(message), "{value}: {e}");
    }
}

/// Every broken sample, with the error it must give.
fn broken_samples() -> Vec<(String, String, String)> {
    let dir = samples().join("bad");
    let mut files: Vec<(String, String, String)> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|entry| {
            let name = entry.unwrap().file_name().into_string().unwrap();
            let text = std::fs::read_to_string(dir.join(&name)).unwrap();
            let expect = text
                .lines()
                .next()
                .and_then(|l| l.strip_prefix("# expect: "))
                .unwrap_or_else(|| panic!("{name}: no '# expect: ' line"))
                .to_string();
            (name, text, expect)
        })
        .collect();
    files.sort();
    files
}

#[test]
fn each_broken_file_names_its_line_column_and_key() {
    let files = broken_samples();
    for class in [
        "syntax",
        "duplicate_key",
        "unknown_key",
        "unknown_key_of_another_kind",
        "unknown_table",
        "missing_name",
        "missing_port",
        "wrong_type",
        "bad_url",
        "duplicate_name",
        "bad_target",
        "bad_policy",
        "bad_budget",
        "bad_port_pattern",
        "port_pattern_without_group",
        "empty_targets",
        "bad_duration",
        "zero_interval",
    ] {
        assert!(
            files
                .iter()
                .any(|(name, _, _)| *name == format!("{class}.toml")),
            "a sample of {class}"
        );
    }
    for (name, text, expect) in &files {
        let e = AgentFile::parse(name, text).expect_err(name);
        assert_eq!(e.to_string(), format!("{name}:{expect}"), "{name}");
        let mut parts = expect.splitn(3, ':');
        let line: usize = parts.next().unwrap().parse().unwrap();
        let column: usize = parts.next().unwrap().trim().parse().unwrap();
        assert_eq!((e.line, e.column), (line, column), "{name}");
        assert_eq!(e.file, *name);
        if !e.key.is_empty() {
            assert!(
                expect.contains(&format!(" {}: ", e.key)),
                "{name}: key {}",
                e.key
            );
        }
    }
}

#[test]
fn broken_files_give_typed_errors() {
    let kind = |name: &str| {
        let text = std::fs::read_to_string(samples().join("bad").join(name)).unwrap();
        *AgentFile::parse(name, &text).unwrap_err().kind
    };
    assert!(matches!(kind("syntax.toml"), ErrorKind::Syntax(_)));
    assert!(matches!(
        kind("unknown_key.toml"),
        ErrorKind::UnknownKey {
            suggestion: Some("timeout"),
            ..
        }
    ));
    assert!(matches!(
        kind("unknown_key_of_another_kind.toml"),
        ErrorKind::UnknownKey { ref other_kinds, .. } if other_kinds == &["memory"]
    ));
    assert!(matches!(
        kind("missing_port.toml"),
        ErrorKind::Missing { .. }
    ));
    assert!(matches!(
        kind("wrong_type.toml"),
        ErrorKind::WrongType {
            found: "a boolean",
            ..
        }
    ));
    assert!(matches!(kind("bad_url.toml"), ErrorKind::Invalid(_)));
    assert!(matches!(
        kind("duplicate_name.toml"),
        ErrorKind::DuplicateName {
            first_line: 3,
            first_column: 8,
            ..
        }
    ));
    assert!(matches!(
        kind("bad_target.toml"),
        ErrorKind::BadTarget { .. }
    ));
    assert!(matches!(
        kind("empty_targets.toml"),
        ErrorKind::EmptyTargets
    ));
    assert!(matches!(kind("bad_policy.toml"), ErrorKind::BadPolicy(_)));
    assert!(matches!(
        kind("bad_port_pattern.toml"),
        ErrorKind::BadPort { .. }
    ));
}

#[test]
fn an_unreadable_file_names_its_path_and_the_os_error() {
    let path = samples().join("no_such_file.toml");
    let e = AgentFile::load(&path).unwrap_err();
    assert!(matches!(*e.kind, ErrorKind::Unreadable(_)));
    let shown = e.to_string();
    assert!(shown.starts_with(&path.display().to_string()), "{shown}");
    assert!(shown.contains("No such file or directory"), "{shown}");
    let e = AgentFile::load(samples()).unwrap_err();
    assert!(
        matches!(*e.kind, ErrorKind::Unreadable(_)),
        "a directory: {e}"
    );
}

#[test]
fn a_file_that_is_not_utf8_is_refused_at_the_bad_byte() {
    let path = Path::new(env!("CARGO_TARGET_TMPDIR")).join("agent_not_utf8.toml");
    std::fs::write(&path, b"[[check]]\nname = \"w\xffeb\"\n").unwrap();
    let e = AgentFile::load(&path).unwrap_err();
    assert!(matches!(*e.kind, ErrorKind::Syntax(_)), "{e}");
    assert_eq!((e.line, e.column), (2, 10), "{e}");
}

#[test]
fn a_file_without_checks_is_accepted() {
    let file = AgentFile::parse("empty.toml", "").unwrap();
    assert!(file.checks().is_empty());
    let file = AgentFile::parse("f.toml", "[frontend]\nlisten = \"127.0.0.1:0\"\n").unwrap();
    assert!(file.frontend().is_some());
}

const RELOAD_BEFORE: &str = r#"
[[check]]
name = "web_http"
kind = "http"
targets = ["web:*"]
url = "/ping"
port = 8080
timeout = 2

[[check]]
name = "web_memory"
kind = "memory"
targets = ["web:*"]
max_rss = 1024
"#;

const RELOAD_AFTER: &str = r#"
# A new check first: the old ones move down.
[[check]]
name = "api_tcp"
kind = "tcp"
targets = ["api:*"]
port = 9000

[[check]]
kind = "http"
name = "web_http"
port = "8080"
url = "/ping"
timeout = "2s"          # the same two seconds
targets = ["web:*"]

[[check]]
name = "web_memory"
kind = "memory"
targets = ["web:*"]
max_rss = 2048          # changed
"#;

#[test]
fn tables_that_say_the_same_thing_are_equal_across_a_reload() {
    let before = AgentFile::parse("agent.toml", RELOAD_BEFORE).unwrap();
    let after = AgentFile::parse("agent.toml", RELOAD_AFTER).unwrap();
    let kept = |name: &str| before.check(name) == after.check(name);
    assert!(
        kept("web_http"),
        "moved, keys reordered, 2 == \"2s\", 8080 == \"8080\""
    );
    assert!(!kept("web_memory"), "max_rss changed");
    assert!(before.check("api_tcp").is_none());
    assert_ne!(before, after);
    assert_eq!(
        before,
        AgentFile::parse("other/name.toml", RELOAD_BEFORE).unwrap()
    );
}

#[test]
fn specs_borrow_from_the_owned_tables_only() {
    // The file's text is dropped before the specs are built: they borrow
    // from the tables, which own their data.
    let file = {
        let text = std::fs::read_to_string(samples().join("host.toml")).unwrap();
        AgentFile::parse("host.toml", &text).unwrap()
    };
    let specs: Vec<CheckSpec<'_>> = file.checks().iter().map(|c| c.spec()).collect();
    assert_eq!(specs.len(), 8);
    assert_eq!(
        specs.iter().map(CheckSpec::kind).collect::<Vec<_>>(),
        file.checks().iter().map(|c| c.kind()).collect::<Vec<_>>()
    );
}

/// Checks the invariants of an error: positions inside the text, a
/// message, the file named.
fn sound(text: &str, e: &AgentFileError) -> Result<(), TestCaseError> {
    let lines = text.split('\n').count();
    prop_assert!(
        e.line >= 1 && e.line <= lines,
        "line {} of {lines}: {e}",
        e.line
    );
    prop_assert!(e.column >= 1, "{e}");
    prop_assert!(e.to_string().starts_with("p.toml:"), "{e}");
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn arbitrary_text_never_panics(text in "\\PC*") {
        if let Err(e) = AgentFile::parse("p.toml", &text) {
            sound(&text, &e)?;
        }
    }

    #[test]
    fn tomlish_text_never_panics(
        lines in proptest::collection::vec(
            prop_oneof![
                Just("[[check]]".to_string()),
                Just("[frontend]".to_string()),
                Just("[notify]".to_string()),
                Just("[heartbeat]".to_string()),
                Just("[supervisor]".to_string()),
                "(name|kind|targets|port|url|timeout|interval|window|restart_budget|backoff|states|max_rss|max_cpu|command|devices|headers|json|expected_status|listen|health_status_codes|webhook|mail_to|bind|allow_from|server_url|sock_dir|sock_path) = (\"[a-z0-9:*/._\\\\()+-]{0,12}\"|-?[0-9]{1,22}|[0-9]\\.[0-9]e[0-9]{1,3}|true|\\[\"[a-z:*]{0,6}\"\\]|\\[\\]|\\{ [a-z]{1,4} = \"[a-z ]{0,4}\" \\}|nan|-inf|1979-05-27)",
            ],
            0..24,
        )
    ) {
        let text = lines.join("\n");
        if let Err(e) = AgentFile::parse("p.toml", &text) {
            sound(&text, &e)?;
        }
    }

    #[test]
    fn the_host_file_cut_or_corrupted_never_panics(cut in 0usize..4000, byte in 0u8..128, at in 0usize..4000) {
        let text = std::fs::read_to_string(samples().join("host.toml")).unwrap();
        let mut bytes = text.into_bytes();
        let at = at % bytes.len();
        if let Some(b) = bytes.get_mut(at) {
            *b = byte;
        }
        bytes.truncate(cut.min(bytes.len()));
        let text = String::from_utf8_lossy(&bytes).into_owned();
        if let Err(e) = AgentFile::parse("p.toml", &text) {
            sound(&text, &e)?;
        }
    }
}

#[test]
fn deep_nesting_is_refused_not_overflowed() {
    for depth in [10, 200, 100_000] {
        let open = "[".repeat(depth);
        let close = "]".repeat(depth);
        let text = format!(
            "[[check]]\nname = \"w\"\nkind = \"http\"\ntargets = [\"*\"]\nurl = \"/\"\nport = 1\njson = {open}1{close}\n"
        );
        let result = AgentFile::parse("deep.toml", &text);
        if depth > 64 {
            assert!(result.is_err(), "{depth}");
        }
        let text = format!("x = {}1{}", "{ a = ".repeat(depth), " }".repeat(depth));
        assert!(AgentFile::parse("deep.toml", &text).is_err(), "{depth}");
    }
}
