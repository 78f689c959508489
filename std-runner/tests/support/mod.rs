//! Test support: a real supervisord (Python, from PyPI) in a private temp dir,
//! driven through `supervisorctl`, stopped by pid when the test ends.
#![allow(
    dead_code,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

pub mod listener_process;

use std::fs;
use std::io::Read;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The `supercheck` binary under test.
pub fn supercheck_bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_supercheck"))
}

/// The names supercheck answers to, linked into `{dir}/bin/` for every supervisord.
pub const DROP_IN_NAMES: [&str; 7] = [
    "supervisor_http_check",
    "supervisor_tcp_check",
    "supervisor_xmlrpc_check",
    "supervisor_memory_check",
    "supervisor_cpu_check",
    "supervisor_file_check",
    "supervisor_complex_check",
];

/// A port that was free a moment ago (bound to port 0, then released).
pub fn free_port() -> u16 {
    let l = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
    l.local_addr().expect("local addr").port()
}

/// A fresh private directory, removed when dropped.
pub struct TempDir(PathBuf);

impl TempDir {
    pub fn new(tag: &str) -> Self {
        static COUNTER: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
        let n = COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        // Unix socket paths are limited to 108 bytes: keep the name short.
        let dir = std::env::temp_dir().join(format!("sc-{tag}-{}-{n}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).expect("create temp dir");
        Self(dir)
    }
    pub fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        if std::env::var_os("SUPERCHECK_KEEP_TEMP").is_none() {
            let _ = fs::remove_dir_all(&self.0);
        }
    }
}

/// Polls `cond` every 50 ms until it holds or `timeout` passes.
pub fn wait_for(timeout: Duration, mut cond: impl FnMut() -> bool) -> bool {
    let end = Instant::now() + timeout;
    loop {
        if cond() {
            return true;
        }
        if Instant::now() >= end {
            return false;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// A running supervisord with its own config, socket and logs.
pub struct Supervisord {
    pub dir: TempDir,
    child: Child,
}

impl Supervisord {
    /// Starts supervisord with `sections` appended to a minimal config. In
    /// `sections`, `{dir}` is replaced by the private directory and `{bin}` by
    /// the supercheck binary.
    pub fn start(tag: &str, sections: &str) -> Self {
        let dir = TempDir::new(tag);
        let d = dir.path().display().to_string();
        let conf = format!(
            "[unix_http_server]\nfile={d}/s.sock\n\n\
             [supervisord]\nnodaemon=true\nlogfile={d}/supervisord.log\npidfile={d}/supervisord.pid\n\
             childlogdir={d}\nloglevel=debug\nidentifier=supervisor\n\n\
             [rpcinterface:supervisor]\nsupervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface\n\n\
             [supervisorctl]\nserverurl=unix://{d}/s.sock\n\n{}\n",
            sections
                .replace("{dir}", &d)
                .replace("{bin}", &supercheck_bin().display().to_string())
        );
        let bin_dir = dir.path().join("bin");
        fs::create_dir_all(&bin_dir).expect("create bin dir");
        for name in DROP_IN_NAMES {
            std::os::unix::fs::symlink(supercheck_bin(), bin_dir.join(name))
                .expect("link drop-in name");
        }
        let conf_path = dir.path().join("supervisord.conf");
        fs::write(&conf_path, conf).expect("write supervisord.conf");
        let child = Command::new("python3")
            .args(["-m", "supervisor.supervisord", "-n", "-c"])
            .arg(&conf_path)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start supervisord (pip install supervisor==4.3.0)");
        let sup = Self { dir, child };
        assert!(
            wait_for(Duration::from_secs(15), || sup
                .ctl(&["pid"])
                .trim()
                .parse::<u32>()
                .is_ok()),
            "supervisord did not come up:\n{}",
            sup.main_log()
        );
        sup
    }

    /// Runs `supervisorctl` against this supervisord and returns its stdout.
    pub fn ctl(&self, args: &[&str]) -> String {
        let out = Command::new("python3")
            .args(["-m", "supervisor.supervisorctl", "-c"])
            .arg(self.dir.path().join("supervisord.conf"))
            .args(args)
            .stdin(Stdio::null())
            .output()
            .expect("run supervisorctl");
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// The state name `supervisorctl status` shows for `namespec`.
    pub fn state(&self, namespec: &str) -> String {
        self.ctl(&["status", namespec])
            .split_whitespace()
            .nth(1)
            .unwrap_or("")
            .to_string()
    }

    /// The pid of `namespec`, if it runs.
    pub fn pid(&self, namespec: &str) -> Option<u32> {
        self.ctl(&["pid", namespec])
            .trim()
            .parse()
            .ok()
            .filter(|&p| p != 0)
    }

    /// The unix socket URL, as supervisord passes it in `SUPERVISOR_SERVER_URL`.
    pub fn server_url(&self) -> String {
        format!("unix://{}/s.sock", self.dir.path().display())
    }

    /// supervisord's own log.
    pub fn main_log(&self) -> String {
        read_lossy(&self.dir.path().join("supervisord.log"))
    }

    /// A file in the private directory, read leniently (empty if missing).
    pub fn file(&self, name: &str) -> String {
        read_lossy(&self.dir.path().join(name))
    }

    /// Writes a file in the private directory (a demo service's mode file...).
    pub fn write(&self, name: &str, text: &str) {
        fs::write(self.dir.path().join(name), text).expect("write file");
    }

    pub fn pid_of_supervisord(&self) -> u32 {
        self.child.id()
    }
}

impl Drop for Supervisord {
    fn drop(&mut self) {
        let pid = self.child.id().to_string();
        let _ = Command::new("kill").args(["-TERM", &pid]).status();
        let end = Instant::now() + Duration::from_secs(15);
        while Instant::now() < end {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn read_lossy(path: &Path) -> String {
    let mut bytes = Vec::new();
    if let Ok(mut f) = fs::File::open(path) {
        let _ = f.read_to_end(&mut bytes);
    }
    String::from_utf8_lossy(&bytes).into_owned()
}
