//! Test support for `supercheck serve`: the real binary on a real socket
//! (port 0, the address read from its stderr), a demo service to monitor, and
//! a tiny blocking HTTP client. Everything started is stopped by pid on drop.
#![allow(
    dead_code,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::fs;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::support::{TempDir, free_port, supercheck_bin, wait_for};

/// A running `supercheck serve`.
pub struct Serve {
    pub child: Child,
    pub addr: SocketAddr,
    pub log: PathBuf,
}

impl Serve {
    /// Starts `supercheck serve --port 0 --no-mdns ARGS` with `env` added;
    /// its stderr goes to `dir/<tag>.log`.
    pub fn start(dir: &Path, tag: &str, args: &[&str], env: &[(&str, &str)]) -> Self {
        let mut all = vec!["serve", "--port", "0", "--no-mdns"];
        all.extend_from_slice(args);
        Self::start_exact(dir, tag, &all, env)
    }

    /// Starts the binary with exactly `args` (no defaults added).
    pub fn start_exact(dir: &Path, tag: &str, args: &[&str], env: &[(&str, &str)]) -> Self {
        let log = dir.join(format!("{tag}.log"));
        let child = spawn(args, env, &log);
        let mut serve = Self {
            child,
            addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            log,
        };
        let mut found = None;
        let ok = wait_for(Duration::from_secs(15), || {
            found = listening_addr(&fs::read_to_string(&serve.log).unwrap_or_default());
            found.is_some() || serve.child.try_wait().ok().flatten().is_some()
        });
        let text = fs::read_to_string(&serve.log).unwrap_or_default();
        assert!(ok, "serve did not start in time:\n{text}");
        serve.addr = found.unwrap_or_else(|| panic!("serve exited:\n{text}"));
        serve
    }

    /// The server's stderr so far.
    pub fn log_text(&self) -> String {
        fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// Kills it with SIGKILL and reaps it.
    pub fn kill9(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// Sends SIGTERM and waits (at most 10 s) for the exit status.
    pub fn terminate(mut self) -> Option<i32> {
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        let end = Instant::now() + Duration::from_secs(10);
        while Instant::now() < end {
            if let Ok(Some(status)) = self.child.try_wait() {
                return status.code();
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        None
    }

    /// One request; the status, the head and the body.
    pub fn request(
        &self,
        method: &str,
        path: &str,
        content_type: Option<&str>,
        body: &[u8],
    ) -> Reply {
        request(self.addr, method, path, content_type, body)
    }

    /// A GET.
    pub fn get(&self, path: &str) -> Reply {
        self.request("GET", path, None, b"")
    }

    /// A POST of a JSON body.
    pub fn post_json(&self, path: &str, body: &str) -> Reply {
        self.request("POST", path, Some("application/json"), body.as_bytes())
    }

    /// A POST of a form body.
    pub fn post_form(&self, path: &str, body: &str) -> Reply {
        self.request(
            "POST",
            path,
            Some("application/x-www-form-urlencoded"),
            body.as_bytes(),
        )
    }

    /// `GET /v1/monitors/{name}` as JSON (the name must need no encoding).
    pub fn monitor(&self, name: &str) -> serde_json::Value {
        let reply = self.get(&format!("/v1/monitors/{name}"));
        assert_eq!(reply.status, 200, "{}", reply.body);
        reply.json()
    }

    /// Waits until monitor `name` is in `state` (at most `secs`).
    pub fn wait_state(&self, name: &str, state: &str, secs: u64) -> serde_json::Value {
        let mut last = serde_json::Value::Null;
        let ok = wait_for(Duration::from_secs(secs), || {
            last = self.monitor(name);
            last["state"] == state
        });
        assert!(
            ok,
            "{name} never became {state}: {last}\n{}",
            self.log_text()
        );
        last
    }
}

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Spawns the binary with `args`, stderr to `log`.
pub fn spawn(args: &[&str], env: &[(&str, &str)], log: &Path) -> Child {
    let mut cmd = Command::new(supercheck_bin());
    cmd.args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(fs::File::create(log).unwrap());
    for var in [
        "BIND_ADDR",
        "PORT",
        "DEBUG",
        "SUPERCHECK_STATE_DIR",
        "SUPERCHECK_MDNS",
    ] {
        cmd.env_remove(var);
    }
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.spawn().expect("spawn supercheck serve")
}

/// The address in a `listening on http://ADDR` line.
pub fn listening_addr(log: &str) -> Option<SocketAddr> {
    log.lines()
        .find_map(|l| l.split("listening on http://").nth(1))
        .and_then(|a| a.trim().parse().ok())
}

/// A reply.
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub head: String,
    pub body: String,
}

impl Reply {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {:?}", self.body))
    }

    pub fn header(&self, name: &str) -> Option<String> {
        self.head.lines().find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.eq_ignore_ascii_case(name).then(|| v.trim().to_string())
        })
    }
}

/// Sends raw bytes and reads until the server closes (5 s at most).
pub fn exchange(addr: SocketAddr, bytes: &[u8]) -> String {
    let mut stream = TcpStream::connect(addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    stream
        .set_write_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    let _ = stream.write_all(bytes);
    let mut out = Vec::new();
    let _ = stream.read_to_end(&mut out);
    String::from_utf8_lossy(&out).into_owned()
}

/// One HTTP/1.1 request.
pub fn request(
    addr: SocketAddr,
    method: &str,
    path: &str,
    content_type: Option<&str>,
    body: &[u8],
) -> Reply {
    let mut head = format!("{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n");
    if let Some(ct) = content_type {
        head.push_str(&format!("Content-Type: {ct}\r\n"));
    }
    if !body.is_empty() || method == "POST" {
        head.push_str(&format!("Content-Length: {}\r\n", body.len()));
    }
    head.push_str("\r\n");
    let mut bytes = head.into_bytes();
    bytes.extend_from_slice(body);
    parse_reply(&exchange(addr, &bytes))
}

/// Splits a raw reply.
pub fn parse_reply(text: &str) -> Reply {
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((text, ""));
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("no status line in {text:?}"));
    Reply {
        status,
        head: head.to_string(),
        body: body.to_string(),
    }
}

/// A running `supercheck demo-service` on 127.0.0.1, its mode switched by file.
pub struct Demo {
    pub child: Child,
    pub port: u16,
    pub mode_file: PathBuf,
}

impl Demo {
    pub fn start(dir: &Path, tag: &str) -> Self {
        let port = free_port();
        let mode_file = dir.join(format!("{tag}.mode"));
        fs::write(&mode_file, "ok").unwrap();
        let child = Command::new(supercheck_bin())
            .args(["demo-service", "--port", &port.to_string(), "--mode-file"])
            .arg(&mode_file)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let up = wait_for(Duration::from_secs(10), || {
            TcpStream::connect(("127.0.0.1", port)).is_ok()
        });
        assert!(up, "demo service did not listen");
        Self {
            child,
            port,
            mode_file,
        }
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    pub fn set_mode(&self, mode: &str) {
        fs::write(&self.mode_file, mode).unwrap();
    }

    /// The first line of the latest request the service received.
    pub fn last_request(&self) -> String {
        let mut path = self.mode_file.clone().into_os_string();
        path.push(".last");
        fs::read_to_string(path).unwrap_or_default()
    }
}

impl Drop for Demo {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A fresh directory for one test.
pub fn temp(tag: &str) -> TempDir {
    TempDir::new(tag)
}

/// Waits (10 s at most) for `cond`, failing the test if it never holds.
pub fn wait(cond: impl FnMut() -> bool) {
    assert!(
        wait_for(Duration::from_secs(10), cond),
        "condition not met within 10 s"
    );
}
