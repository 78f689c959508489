//! The real binary, run under a drop-in name with the test playing supervisord.

use std::io::{Read, Write};
use std::process::{Child, ChildStdin, Command, ExitStatus, Output, Stdio};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crate::support::{TempDir, listener_process, supercheck_bin, wait_for};

/// A byte buffer filled by a reader thread.
type Shared = Arc<Mutex<Vec<u8>>>;

fn collect(from: impl Read + Send + 'static) -> (Shared, JoinHandle<()>) {
    let shared: Shared = Arc::default();
    let reader = listener_process::collect(from, Arc::clone(&shared));
    (shared, reader)
}

/// The real binary, started under a drop-in name with its protocol pipes in
/// the test's hands (no supervisord: the test plays supervisord's part).
pub struct Driven {
    child: Child,
    stdin: Option<ChildStdin>,
    stdout: Shared,
    stderr: Shared,
    /// The stdout and stderr reader threads: they end at the pipes' EOF.
    readers: [JoinHandle<()>; 2],
    _dir: TempDir,
}

impl Driven {
    /// Starts `program` (a drop-in name) with `args`.
    pub fn spawn(program: &str, args: &[&str]) -> Self {
        let dir = TempDir::new("drv");
        let link = dir.path().join(program);
        std::os::unix::fs::symlink(supercheck_bin(), &link).unwrap();
        let mut child = Command::new(&link)
            .args(args)
            .env(
                "SUPERVISOR_SERVER_URL",
                "unix:///nonexistent/supervisor.sock",
            )
            .env("SUPERVISOR_GROUP_NAME", "checks")
            .env("SUPERVISOR_PROCESS_NAME", "checks")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let (stdout, out_reader) = collect(child.stdout.take().unwrap());
        let (stderr, err_reader) = collect(child.stderr.take().unwrap());
        Self {
            stdin: child.stdin.take(),
            child,
            stdout,
            stderr,
            readers: [out_reader, err_reader],
            _dir: dir,
        }
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    pub fn stdout(&self) -> String {
        String::from_utf8_lossy(&self.stdout.lock().unwrap()).into_owned()
    }

    pub fn stderr(&self) -> String {
        String::from_utf8_lossy(&self.stderr.lock().unwrap()).into_owned()
    }

    /// Waits up to 5 s for stdout to hold `text`.
    pub fn stdout_has(&self, text: &str) -> bool {
        wait_for(Duration::from_secs(5), || self.stdout().contains(text))
    }

    /// Waits up to 5 s for stderr to hold `text`.
    pub fn stderr_has(&self, text: &str) -> bool {
        wait_for(Duration::from_secs(5), || self.stderr().contains(text))
    }

    /// Writes an event as supervisord would: header line, then payload.
    pub fn send_event(&mut self, eventname: &str, payload: &str) {
        let event = format!(
            "ver:3.0 server:supervisor serial:1 pool:checks poolserial:1 eventname:{eventname} len:{}\n{payload}",
            payload.chars().count()
        );
        self.send_raw(event.as_bytes());
    }

    pub fn send_raw(&mut self, bytes: &[u8]) {
        let stdin = self.stdin.as_mut().expect("stdin still open");
        stdin.write_all(bytes).unwrap();
        stdin.flush().unwrap();
    }

    /// Closes stdin: supervisord went away.
    pub fn close_stdin(&mut self) {
        self.stdin = None;
    }

    /// Sends a signal by name (`USR1`, `HUP`) to this process only.
    pub fn signal(&self, name: &str) {
        let status = Command::new("kill")
            .args([&format!("-{name}"), &self.pid().to_string()])
            .status()
            .unwrap();
        assert!(status.success(), "kill -{name} failed");
    }

    /// The exit status, if the process ends within `timeout`.
    pub fn wait_exit(&mut self, timeout: Duration) -> Option<ExitStatus> {
        let end = Instant::now() + timeout;
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                listener_process::wait_drained(&self.readers);
                return Some(status);
            }
            if Instant::now() >= end {
                return None;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Whether the process is still running.
    pub fn is_running(&mut self) -> bool {
        self.child.try_wait().unwrap().is_none()
    }
}

impl Drop for Driven {
    fn drop(&mut self) {
        if self.is_running() {
            let _ = self.child.kill();
        }
        let _ = self.child.wait();
    }
}

/// The output of the real binary run as `program` with `args`.
pub fn run(program: &str, args: &[&str]) -> Output {
    let dir = TempDir::new("run");
    let link = dir.path().join(program);
    std::os::unix::fs::symlink(supercheck_bin(), &link).unwrap();
    Command::new(&link)
        .args(args)
        .env(
            "SUPERVISOR_SERVER_URL",
            "unix:///nonexistent/supervisor.sock",
        )
        .stdin(Stdio::null())
        .output()
        .unwrap()
}
