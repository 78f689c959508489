//! Notification sinks for tests: a sendmail stand-in script that records each
//! message in a file, and a real local HTTP server that records each request.
#![allow(
    dead_code,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::io::{Read, Write};
use std::net::TcpListener;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, channel};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crate::support::Supervisord;

/// Writes `{dir}/sendmail.sh`: records its arguments and appends its stdin to
/// `{dir}/mail.<pid>`, one file per message.
pub fn install_sendmail(sup: &Supervisord) -> String {
    install_sendmail_in(sup.dir.path())
}

/// [`install_sendmail`] in `dir` (made before supervisord starts when crashes
/// may come at once).
pub fn install_sendmail_in(dir_path: &Path) -> String {
    let d = dir_path.display();
    // Written under a temporary name and renamed: a reader never sees half a message.
    let script = format!(
        "#!/bin/sh\necho \"$@\" > {d}/args.$$\ncat > {d}/mail.$$.tmp\nmv {d}/mail.$$.tmp {d}/mail.$$\n"
    );
    let path = dir_path.join("sendmail.sh");
    std::fs::write(&path, script).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    path.display().to_string()
}

/// The complete files of `dir` whose names start with `prefix` (`mail.`,
/// `args.`), in the order they were written: by modification time, then name.
/// Not by name alone: the stand-ins name them by pid, and a later pid can
/// sort first (`mail.10012` before `mail.9987`).
pub fn files(dir: &Path, prefix: &str) -> Vec<String> {
    let mut names: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .filter_map(|e| e.ok())
        .filter_map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            let written = e.metadata().and_then(|m| m.modified()).ok()?;
            Some((written, name))
        })
        .filter(|(_, n)| n.starts_with(prefix) && !n.ends_with(".tmp"))
        .collect();
    names.sort();
    names
        .iter()
        .map(|(_, n)| std::fs::read_to_string(dir.join(n)).unwrap_or_default())
        .collect()
}

/// The messages the stand-in received so far, oldest first.
pub fn mails(sup: &Supervisord) -> Vec<String> {
    mails_in(sup.dir.path())
}

pub fn mails_in(dir: &Path) -> Vec<String> {
    files(dir, "mail.")
}

pub fn header<'a>(mail: &'a str, name: &str) -> Option<&'a str> {
    let head = mail.split("\n\n").next()?;
    head.lines()
        .find_map(|l| l.strip_prefix(name)?.strip_prefix(": "))
}

/// A local HTTP server that records each request (head and body) and answers 200.
pub struct Recorder {
    port: u16,
    requests: Receiver<(String, String)>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Recorder {
    pub fn start() -> Self {
        Self::answering(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
    }

    /// A recorder that answers every request with `reply`.
    pub fn answering(reply: &'static [u8]) -> Self {
        let server = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = server.local_addr().unwrap().port();
        server.set_nonblocking(true).unwrap();
        let (tx, requests) = channel();
        let stop = Arc::new(AtomicBool::new(false));
        let stopped = stop.clone();
        let thread = std::thread::spawn(move || {
            let end = Instant::now() + Duration::from_secs(120);
            while !stopped.load(Ordering::Relaxed) && Instant::now() < end {
                let Ok((mut stream, _)) = server.accept() else {
                    std::thread::sleep(Duration::from_millis(20));
                    continue;
                };
                stream.set_nonblocking(false).unwrap();
                stream
                    .set_read_timeout(Some(Duration::from_secs(5)))
                    .unwrap();
                let mut data = Vec::new();
                let mut chunk = [0u8; 4096];
                let complete = |data: &[u8]| {
                    let text = String::from_utf8_lossy(data);
                    let Some((head, body)) = text.split_once("\r\n\r\n") else {
                        return false;
                    };
                    let len = head
                        .lines()
                        .find_map(|l| {
                            l.to_ascii_lowercase()
                                .strip_prefix("content-length:")
                                .map(|v| v.trim().parse::<usize>().unwrap_or(0))
                        })
                        .unwrap_or(0);
                    body.len() >= len
                };
                while !complete(&data) {
                    match stream.read(&mut chunk) {
                        Ok(0) | Err(_) => break,
                        Ok(n) => data.extend_from_slice(&chunk[..n]),
                    }
                }
                let _ = stream.write_all(reply);
                let text = String::from_utf8_lossy(&data).into_owned();
                let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
                let _ = tx.send((head.to_string(), body.to_string()));
            }
        });
        Self {
            port,
            requests,
            stop,
            thread: Some(thread),
        }
    }

    /// The port it listens on (127.0.0.1).
    pub fn port(&self) -> u16 {
        self.port
    }

    pub fn url(&self) -> String {
        self.url_at("/hook")
    }

    /// This server's URL for `path`.
    pub fn url_at(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    /// The requests received since the last call, as (path, body).
    pub fn paths_and_bodies(&self) -> Vec<(String, String)> {
        self.all()
            .into_iter()
            .map(|(head, body)| {
                let path = head.split_whitespace().nth(1).unwrap_or_default();
                (path.to_string(), body)
            })
            .collect()
    }

    pub fn all(&self) -> Vec<(String, String)> {
        self.requests.try_iter().collect()
    }
}

impl Drop for Recorder {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}
