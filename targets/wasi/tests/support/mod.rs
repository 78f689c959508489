//! Test support: the WASI listener built for the host, driven through pipes
//! as supervisord drives it (the Linux tests' `ListenerProcess`), against a
//! scripted supervisord (its XML-RPC interface over TCP, as WASI reaches it)
//! and real local services.
#![allow(dead_code, clippy::unwrap_used, clippy::indexing_slicing)]

#[path = "../../../../std-runner/tests/support/listener_process.rs"]
pub mod listener_process;

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use supercheck_core::http::{EMPTY_HEADER, Parsed, RequestParser};

/// The listener under test: `supercheck-wasi` built for the host.
pub fn supercheck_bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_supercheck-wasi"))
}

/// Polls `cond` every 20 ms until it holds (true) or `timeout` passes (false).
pub fn wait_for(timeout: Duration, mut cond: impl FnMut() -> bool) -> bool {
    let end = Instant::now() + timeout;
    while !cond() {
        if Instant::now() >= end {
            return false;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    true
}

/// The credentials the scripted supervisord wants (`user:pass`, base64).
pub const BASIC_AUTH: &str = "Basic dXNlcjpwYXNz";

/// One process of the scripted supervisord.
#[derive(Debug, Clone)]
struct Proc {
    name: String,
    pid: u32,
    /// supervisord's state code (20 RUNNING, 0 STOPPED).
    state: u32,
}

#[derive(Debug, Default)]
struct Script {
    processes: Vec<Proc>,
    /// `method name` of every call answered, in order.
    calls: Vec<String>,
    /// A fault `stopProcess` answers with: code and string.
    stop_fault: Option<(u32, &'static str)>,
    next_pid: u32,
}

/// supervisord's XML-RPC interface, scripted: `getAllProcessInfo`,
/// `stopProcess` and `startProcess` on processes of the group `web`, one
/// request per connection, `401` without [`BASIC_AUTH`].
pub struct Supervisor {
    /// Its port on 127.0.0.1.
    pub port: u16,
    script: Arc<Mutex<Script>>,
}

impl Supervisor {
    /// Serves the processes `web:<name>` for each of `names`, RUNNING.
    pub fn start(names: &[String]) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let script = Arc::new(Mutex::new(Script {
            processes: names
                .iter()
                .zip(1000..)
                .map(|(name, pid)| Proc {
                    name: name.clone(),
                    pid,
                    state: 20,
                })
                .collect(),
            next_pid: 2000,
            ..Script::default()
        }));
        let shared = Arc::clone(&script);
        std::thread::spawn(move || {
            for conn in listener.incoming().flatten() {
                let _ = answer(conn, &shared);
            }
        });
        Self { port, script }
    }

    /// `http://127.0.0.1:PORT`, as supervisord sets `SUPERVISOR_SERVER_URL`.
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// `stopProcess` answers with this fault from now on.
    pub fn fail_stops(&self, code: u32, text: &'static str) {
        self.script.lock().unwrap().stop_fault = Some((code, text));
    }

    /// Every call answered so far: `method` or `method name`.
    pub fn calls(&self) -> Vec<String> {
        self.script.lock().unwrap().calls.clone()
    }

    /// The pid of `web:<name>` now (0 when stopped).
    pub fn pid(&self, name: &str) -> u32 {
        let script = self.script.lock().unwrap();
        script
            .processes
            .iter()
            .find(|p| p.name == name)
            .map_or(0, |p| p.pid)
    }
}

/// Reads one request, answers it, closes the connection.
fn answer(mut conn: TcpStream, script: &Mutex<Script>) -> std::io::Result<()> {
    conn.set_read_timeout(Some(Duration::from_secs(10)))?;
    let mut data = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        let mut headers = [EMPTY_HEADER; 32];
        if let Ok(Parsed::Complete(head)) = RequestParser::new().parse(&data, &mut headers) {
            let end = head.head_len() + usize::try_from(head.content_length()).unwrap();
            if data.len() >= end {
                if head.header("authorization") != Some(BASIC_AUTH.as_bytes()) {
                    return conn
                        .write_all(b"HTTP/1.1 401 Unauthorized\r\nContent-Length: 0\r\n\r\n");
                }
                let call = String::from_utf8_lossy(&data[head.head_len()..end]).into_owned();
                let method = between(&call, "<methodName>", "</methodName>").unwrap_or_default();
                let name = between(&call, "<string>", "</string>")
                    .map(|n| n.strip_prefix("web:").unwrap_or(n).to_string());
                let body = reply(script, method, name.as_deref());
                let head = format!(
                    "HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\nContent-Length: {}\r\n\r\n",
                    body.len()
                );
                return conn.write_all(format!("{head}{body}").as_bytes());
            }
        }
        let n = conn.read(&mut chunk)?;
        if n == 0 {
            return Ok(());
        }
        data.extend_from_slice(&chunk[..n]);
    }
}

fn reply(script: &Mutex<Script>, method: &str, name: Option<&str>) -> String {
    let mut script = script.lock().unwrap();
    script.calls.push(match name {
        Some(name) => format!("{method} web:{name}"),
        None => method.to_string(),
    });
    let value = match method {
        "supervisor.getAllProcessInfo" => {
            let items: String = script.processes.iter().map(process_info).collect();
            format!("<array><data>\n{items}</data></array>")
        }
        "supervisor.stopProcess" => {
            if let Some((code, text)) = script.stop_fault {
                return fault(code, &format!("{text}: web:{}", name.unwrap_or_default()));
            }
            if let Some(p) = script
                .processes
                .iter_mut()
                .find(|p| Some(p.name.as_str()) == name)
            {
                (p.state, p.pid) = (0, 0);
            }
            "<boolean>1</boolean>".to_string()
        }
        "supervisor.startProcess" => {
            let pid = script.next_pid;
            script.next_pid += 1;
            if let Some(p) = script
                .processes
                .iter_mut()
                .find(|p| Some(p.name.as_str()) == name)
            {
                (p.state, p.pid) = (20, pid);
            }
            "<boolean>1</boolean>".to_string()
        }
        _ => return fault(1, "UNKNOWN_METHOD"),
    };
    format!(
        "<?xml version='1.0'?>\n<methodResponse>\n<params>\n<param>\n<value>{value}</value>\n</param>\n</params>\n</methodResponse>\n"
    )
}

/// One element of `getAllProcessInfo`, as supervisord 4 writes it.
fn process_info(p: &Proc) -> String {
    let (name, state, pid) = (&p.name, p.state, p.pid);
    let statename = if state == 20 { "RUNNING" } else { "STOPPED" };
    let member = |key: &str, value: String| {
        format!("<member>\n<name>{key}</name>\n<value>{value}</value>\n</member>\n")
    };
    let text = |key: &str, value: &str| member(key, format!("<string>{value}</string>"));
    let int = |key: &str, value: u64| member(key, format!("<int>{value}</int>"));
    let members = [
        text("name", name),
        text("group", "web"),
        int("start", 1_700_000_000),
        int("stop", 0),
        int("now", 1_700_000_100),
        int("state", state.into()),
        text("statename", statename),
        text("spawnerr", ""),
        int("exitstatus", 0),
        text("logfile", ""),
        text("stdout_logfile", ""),
        text("stderr_logfile", ""),
        int("pid", pid.into()),
        text("description", &format!("pid {pid}")),
    ];
    format!("<value><struct>\n{}</struct></value>\n", members.concat())
}

fn fault(code: u32, text: &str) -> String {
    format!(
        "<?xml version='1.0'?>\n<methodResponse>\n<fault>\n<value><struct>\n\
<member>\n<name>faultCode</name>\n<value><int>{code}</int></value>\n</member>\n\
<member>\n<name>faultString</name>\n<value><string>{text}</string></value>\n</member>\n\
</struct></value>\n</fault>\n</methodResponse>\n"
    )
}

fn between<'a>(text: &'a str, open: &str, close: &str) -> Option<&'a str> {
    let start = text.find(open)? + open.len();
    let len = text[start..].find(close)?;
    Some(&text[start..start + len])
}

/// A service on a free 127.0.0.1 port answering every request `200 ok`.
pub fn healthy_service() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for mut conn in listener.incoming().flatten() {
            std::thread::spawn(move || {
                let mut chunk = [0u8; 4096];
                while matches!(conn.read(&mut chunk), Ok(n) if n > 0) {
                    let _ = conn.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
                }
            });
        }
    });
    port
}

/// A service on a free 127.0.0.1 port that accepts connections and never
/// answers (a hung process).
pub fn hung_service() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for conn in listener.incoming().flatten() {
            held.push(conn);
        }
    });
    port
}

/// A 127.0.0.1 port nothing listens on.
pub fn closed_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}
