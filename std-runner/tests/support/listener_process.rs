//! The listener driven directly through pipes, as supervisord drives it:
//! bytes written to its stdin (a pipe: epoll refuses regular files), its
//! stdout and stderr collected by reader threads, signals sent by pid.

use std::io::{self, Read, Write};
use std::process::{Child, ChildStdin, Command, ExitStatus, Stdio};
use std::sync::mpsc::{self, Sender};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use super::{supercheck_bin, wait_for};

/// The first line a listener writes.
pub const READY: &[u8] = b"READY\n";
/// What a listener writes for every event: the acknowledgement, then READY.
pub const ACK: &[u8] = b"RESULT 2\nOKREADY\n";

/// A `supercheck` process with piped stdin, stdout and stderr.
pub struct ListenerProcess {
    child: Child,
    input: Option<Sender<Vec<u8>>>,
    writer: Option<JoinHandle<io::Result<()>>>,
    stdout: Arc<Mutex<Vec<u8>>>,
    stderr: Arc<Mutex<Vec<u8>>>,
    /// The stdout and stderr reader threads: they end at the pipes' EOF.
    readers: Vec<JoinHandle<()>>,
    status: Option<ExitStatus>,
}

/// Copies everything `from` yields into `into`, on a thread that ends at EOF.
pub fn collect(mut from: impl Read + Send + 'static, into: Arc<Mutex<Vec<u8>>>) -> JoinHandle<()> {
    std::thread::spawn(move || {
        let mut chunk = [0u8; 8192];
        loop {
            match from.read(&mut chunk) {
                Ok(0) => return,
                Ok(n) => into.lock().unwrap().extend_from_slice(&chunk[..n]),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(_) => return,
            }
        }
    })
}

/// Waits (2 s at most) until the `readers` of an exited process met EOF: then
/// everything it wrote is in.
pub fn wait_drained(readers: &[JoinHandle<()>]) {
    wait_for(Duration::from_secs(2), || {
        readers.iter().all(JoinHandle::is_finished)
    });
}

/// Writes every chunk it is sent, in order; stdin closes when the sender goes.
/// A write error (the listener exited) is kept and the rest is dropped.
fn feed(mut stdin: ChildStdin) -> (Sender<Vec<u8>>, JoinHandle<io::Result<()>>) {
    let (tx, rx) = mpsc::channel::<Vec<u8>>();
    let handle = std::thread::spawn(move || {
        let mut result = Ok(());
        for chunk in rx {
            if result.is_ok() {
                result = stdin.write_all(&chunk).and_then(|()| stdin.flush());
            }
        }
        result
    });
    (tx, handle)
}

impl ListenerProcess {
    /// Starts `supercheck args...` with `SUPERVISOR_SERVER_URL` set to
    /// `server_url` (or unset), as if supervisord had started it.
    pub fn spawn(args: &[&str], server_url: Option<&str>) -> Self {
        Self::spawn_with(args, server_url, &[])
    }

    /// As [`ListenerProcess::spawn`], with the variables `envs` set too
    /// (`SUPERVISOR_USERNAME`, `SUPERVISOR_PASSWORD`...).
    pub fn spawn_with(args: &[&str], server_url: Option<&str>, envs: &[(&str, &str)]) -> Self {
        let mut cmd = Command::new(supercheck_bin());
        cmd.args(args)
            .env_remove("SUPERVISOR_SERVER_URL")
            .env_remove("SUPERVISOR_GROUP_NAME")
            .env_remove("SUPERVISOR_PROCESS_NAME")
            .env_remove("SUPERVISOR_USERNAME")
            .env_remove("SUPERVISOR_PASSWORD")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        if let Some(url) = server_url {
            cmd.env("SUPERVISOR_SERVER_URL", url);
        }
        cmd.envs(envs.iter().copied());
        let mut child = cmd.spawn().expect("start supercheck");
        let stdout = Arc::new(Mutex::new(Vec::new()));
        let stderr = Arc::new(Mutex::new(Vec::new()));
        let readers = vec![
            collect(child.stdout.take().unwrap(), Arc::clone(&stdout)),
            collect(child.stderr.take().unwrap(), Arc::clone(&stderr)),
        ];
        let (input, writer) = feed(child.stdin.take().unwrap());
        Self {
            child,
            input: Some(input),
            writer: Some(writer),
            stdout,
            stderr,
            readers,
            status: None,
        }
    }

    /// The listener's pid.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Queues `bytes` for its stdin (written by a thread: never blocks the test).
    pub fn send(&self, bytes: impl Into<Vec<u8>>) {
        if let Some(input) = &self.input {
            let _ = input.send(bytes.into());
        }
    }

    /// Closes its stdin once everything queued is written; returns the
    /// writer's outcome (an error when the listener stopped reading first).
    pub fn close_stdin(&mut self) -> io::Result<()> {
        self.input = None;
        match self.writer.take() {
            Some(writer) => writer.join().expect("stdin writer thread"),
            None => Ok(()),
        }
    }

    /// Everything it wrote on stdout so far.
    pub fn stdout(&self) -> Vec<u8> {
        self.stdout.lock().unwrap().clone()
    }

    /// Everything it wrote on stderr so far, read leniently.
    pub fn stderr(&self) -> String {
        String::from_utf8_lossy(&self.stderr.lock().unwrap()).into_owned()
    }

    /// Waits until stdout holds at least `n` acknowledgements.
    pub fn wait_acks(&self, n: usize, timeout: Duration) -> bool {
        wait_for(timeout, || count(&self.stdout(), ACK) >= n)
    }

    /// Waits until stdout starts with READY.
    pub fn wait_ready(&self, timeout: Duration) -> bool {
        wait_for(timeout, || self.stdout().starts_with(READY))
    }

    /// Waits until stderr contains `needle`.
    pub fn wait_stderr(&self, needle: &str, timeout: Duration) -> bool {
        wait_for(timeout, || self.stderr().contains(needle))
    }

    /// Waits for it to exit; `None` if it still runs after `timeout`.
    pub fn wait_exit(&mut self, timeout: Duration) -> Option<ExitStatus> {
        if self.status.is_none() {
            let end = Instant::now() + timeout;
            loop {
                if let Some(status) = self.child.try_wait().expect("try_wait") {
                    self.status = Some(status);
                    break;
                }
                if Instant::now() >= end {
                    return None;
                }
                std::thread::sleep(Duration::from_millis(10));
            }
            wait_drained(&self.readers);
        }
        self.status
    }

    /// Whether it is still running.
    pub fn is_running(&mut self) -> bool {
        self.status.is_none() && self.child.try_wait().ok().flatten().is_none()
    }

    /// Sends it signal `name` (TERM, INT, HUP, KILL...) by pid.
    pub fn signal(&self, name: &str) {
        let ok = Command::new("kill")
            .args(["-s", name, &self.pid().to_string()])
            .status()
            .expect("run kill")
            .success();
        assert!(ok, "kill -s {name} {}", self.pid());
    }
}

impl Drop for ListenerProcess {
    fn drop(&mut self) {
        self.input = None;
        if self.status.is_none() && self.child.try_wait().ok().flatten().is_none() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// Non-overlapping occurrences of `needle` in `haystack`.
pub fn count(haystack: &[u8], needle: &[u8]) -> usize {
    if needle.is_empty() {
        return 0;
    }
    let (mut n, mut at) = (0, 0);
    while let Some(pos) = haystack[at..]
        .windows(needle.len())
        .position(|w| w == needle)
    {
        n += 1;
        at += pos + needle.len();
    }
    n
}

/// A well-formed supervisord event (supervisord 4.x: `len` counts characters).
pub fn event(serial: u64, name: &str, payload: &str) -> Vec<u8> {
    format!(
        "ver:3.0 server:supervisor serial:{serial} pool:robust poolserial:{serial} eventname:{name} len:{}\n{payload}",
        payload.chars().count()
    )
    .into_bytes()
}

/// A `TICK_5` event for epoch second `when`.
pub fn tick(serial: u64, when: u64) -> Vec<u8> {
    event(serial, "TICK_5", &format!("when:{when}"))
}

/// Whether `status` is a normal exit with one of `codes` (not a signal, not a panic's 101).
pub fn exited_with(status: ExitStatus, codes: &[i32]) -> bool {
    status.code().is_some_and(|c| codes.contains(&c))
}
