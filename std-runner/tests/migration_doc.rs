//! docs/migration.md is accurate: every "before" `command=` line (the Python
//! tool's path) is followed by its "after" line, equal but for the path, the
//! ten Python tools all appear, and every "after" command really starts: run
//! under its name (a symlink) with a supervisord URL in its environment, it
//! prints `READY`, serves `/health` when the line has `--listen`, and exits 0
//! when its stdin closes, as it does when supervisord stops it.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

const OLD_DIR: &str = "/usr/local/bin/";
const NEW_DIR: &str = "/opt/supercheck/bin/";
const TOOLS: [&str; 10] = [
    "supervisor_http_check",
    "supervisor_tcp_check",
    "supervisor_xmlrpc_check",
    "supervisor_memory_check",
    "supervisor_cpu_check",
    "supervisor_file_check",
    "supervisor_complex_check",
    "httpok",
    "memmon",
    "crashmail",
];

fn command_lines() -> Vec<String> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/migration.md");
    std::fs::read_to_string(path)
        .expect("docs/migration.md")
        .lines()
        .filter_map(|l| l.strip_prefix("command="))
        .map(str::to_string)
        .collect()
}

/// Splits a command as supervisord does (Python's `shlex.split`, POSIX mode).
fn shlex_split(line: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut word: Option<String> = None;
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match c {
            ' ' | '\t' => words.extend(word.take()),
            '\'' => {
                let w = word.get_or_insert_with(String::new);
                for c in chars.by_ref().take_while(|&c| c != '\'') {
                    w.push(c);
                }
            }
            '"' => {
                let w = word.get_or_insert_with(String::new);
                while let Some(c) = chars.next() {
                    match c {
                        '"' => break,
                        '\\' => match chars.next() {
                            Some(e @ ('"' | '\\')) => w.push(e),
                            Some(e) => {
                                w.push('\\');
                                w.push(e);
                            }
                            None => w.push('\\'),
                        },
                        c => w.push(c),
                    }
                }
            }
            '\\' => {
                let w = word.get_or_insert_with(String::new);
                w.extend(chars.next());
            }
            c => word.get_or_insert_with(String::new).push(c),
        }
    }
    words.extend(word);
    words
}

#[test]
fn shlex_split_reads_quotes_as_supervisord_does() {
    assert_eq!(
        shlex_split(r#"a -p ".+_(\d+)" -c '{"x":1}' b\ c"#),
        ["a", "-p", r".+_(\d+)", "-c", r#"{"x":1}"#, "b c"]
    );
}

#[test]
fn every_before_line_is_followed_by_the_same_line_with_only_the_path_changed() {
    let lines = command_lines();
    let mut pairs = 0;
    let mut tools_seen = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let Some(rest) = line.strip_prefix(OLD_DIR) else {
            assert!(line.starts_with(NEW_DIR), "unexpected path: {line}");
            continue;
        };
        let next = lines.get(i + 1).expect("a before line ends the page");
        assert_eq!(
            next.strip_prefix(NEW_DIR),
            Some(rest),
            "the after line differs from the before line by more than the path"
        );
        tools_seen.push(rest.split(' ').next().unwrap().to_string());
        pairs += 1;
    }
    for tool in TOOLS {
        assert!(
            tools_seen.iter().any(|t| t == tool),
            "{tool} has no before/after pair"
        );
    }
    assert!(pairs >= TOOLS.len());
}

#[test]
fn every_after_command_starts_says_ready_and_exits_zero_when_stdin_closes() {
    let dir = support::TempDir::new("migration");
    for tool in TOOLS {
        std::os::unix::fs::symlink(support::supercheck_bin(), dir.path().join(tool)).unwrap();
    }
    let socket = dir.path().join("supervisor.sock");
    let mut started = 0;
    for line in command_lines() {
        let Some(rest) = line.strip_prefix(NEW_DIR) else {
            continue;
        };
        let mut argv = shlex_split(rest);
        let name = argv.remove(0);
        let mut frontend_port = None;
        for arg in &mut argv {
            if arg == "127.0.0.1:9101" {
                let port = support::free_port();
                *arg = format!("127.0.0.1:{port}");
                frontend_port = Some(port);
            }
        }
        let mut child = Command::new(dir.path().join(&name))
            .args(&argv)
            .env(
                "SUPERVISOR_SERVER_URL",
                format!("unix://{}", socket.display()),
            )
            .env("SUPERVISOR_GROUP_NAME", "listener")
            .env("SUPERVISOR_PROCESS_NAME", "listener")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let mut first = String::new();
            let _ = BufReader::new(stdout).read_line(&mut first);
            let _ = tx.send(first);
        });
        let ready = rx.recv_timeout(Duration::from_secs(5));
        if ready.as_deref() != Ok("READY\n") {
            let _ = child.kill();
            let mut err = String::new();
            let _ = child.stderr.take().unwrap().read_to_string(&mut err);
            panic!("{name} {argv:?} did not say READY ({ready:?}): {err}");
        }
        if let Some(port) = frontend_port {
            let mut s = TcpStream::connect(("127.0.0.1", port)).expect("the frontend listens");
            s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
            s.write_all(b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
                .unwrap();
            let mut reply = String::new();
            let _ = s.read_to_string(&mut reply);
            assert!(reply.contains("application/health+json"), "{reply}");
        }
        drop(child.stdin.take());
        let exited = support::wait_for(Duration::from_secs(5), || {
            matches!(child.try_wait(), Ok(Some(_)))
        });
        if !exited {
            let _ = child.kill();
        }
        let status = child.wait().unwrap();
        assert!(exited && status.success(), "{name} {argv:?}: {status:?}");
        started += 1;
    }
    assert!(started >= 13, "only {started} after commands were run");
}
