//! Talking to a real supervisord behind the listener's back: a proxy that
//! holds one call, and a direct XML-RPC call.

use std::io::{Read, Write};
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::{Path, PathBuf};
use std::sync::mpsc::{Receiver, Sender, channel};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// A unix-socket proxy in front of a real supervisord. Calls pass through
/// untouched, except the first call whose method name contains `held`: it is
/// announced on [`HoldingProxy::held`] and forwarded only once the test sends
/// on [`HoldingProxy::release`]. This widens a race window that is otherwise
/// a few microseconds wide, so that an operator's action can land inside it.
pub struct HoldingProxy {
    /// Receives the method name of the held call when it arrives.
    pub held: Receiver<String>,
    /// Forwards the held call.
    pub release: Sender<()>,
}

impl HoldingProxy {
    /// Listens on `path`, forwarding to the supervisord socket `upstream`.
    pub fn start(path: &Path, upstream: PathBuf, held: &str) -> Self {
        let listener = UnixListener::bind(path).unwrap();
        let (held_tx, held_rx) = channel();
        let (release_tx, release_rx) = channel::<()>();
        let held = held.to_string();
        std::thread::spawn(move || {
            let release_rx = Arc::new(Mutex::new(Some(release_rx)));
            for client in listener.incoming() {
                let Ok(client) = client else { break };
                let upstream = upstream.clone();
                let held = held.clone();
                let held_tx = held_tx.clone();
                let release_rx = Arc::clone(&release_rx);
                std::thread::spawn(move || {
                    relay(client, &upstream, &held, &held_tx, &release_rx);
                });
            }
        });
        Self {
            held: held_rx,
            release: release_tx,
        }
    }
}

fn relay(
    mut client: UnixStream,
    upstream: &Path,
    held: &str,
    held_tx: &Sender<String>,
    release_rx: &Mutex<Option<Receiver<()>>>,
) {
    // The request is small: read it up to the end of the method name.
    let mut request = Vec::new();
    let mut chunk = [0u8; 4096];
    client
        .set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    while !String::from_utf8_lossy(&request).contains("</methodName>") {
        match client.read(&mut chunk) {
            Ok(0) | Err(_) => return,
            Ok(n) => request.extend_from_slice(&chunk[..n]),
        }
    }
    let text = String::from_utf8_lossy(&request).into_owned();
    let method = text
        .split("<methodName>")
        .nth(1)
        .and_then(|s| s.split("</methodName>").next())
        .unwrap_or("")
        .to_string();
    if method.contains(held) {
        // Only the first matching call is held; the receiver is taken.
        let receiver = release_rx.lock().unwrap().take();
        if let Some(receiver) = receiver {
            let _ = held_tx.send(method);
            let _ = receiver.recv_timeout(Duration::from_secs(30));
        }
    }
    let Ok(mut server) = UnixStream::connect(upstream) else {
        return;
    };
    if server.write_all(&request).is_err() {
        return;
    }
    let (mut client_read, mut server_write) =
        (client.try_clone().unwrap(), server.try_clone().unwrap());
    let upward = std::thread::spawn(move || {
        let _ = std::io::copy(&mut client_read, &mut server_write);
        let _ = server_write.shutdown(std::net::Shutdown::Write);
    });
    let _ = std::io::copy(&mut server, &mut client);
    let _ = client.shutdown(std::net::Shutdown::Both);
    let _ = upward.join();
}

/// Calls `method` with string `params` on the supervisord at the unix socket
/// `socket` (HTTP/1.0, so the reply ends with the connection); returns the reply.
/// Faster than supervisorctl, for actions that must land at a given moment.
pub fn rpc(socket: &Path, method: &str, params: &[&str]) -> String {
    let params: String = params
        .iter()
        .map(|p| format!("<param><value><string>{p}</string></value></param>"))
        .collect();
    let body = format!(
        "<?xml version='1.0'?><methodCall><methodName>{method}</methodName><params>{params}</params></methodCall>"
    );
    let mut stream = UnixStream::connect(socket).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(20)))
        .unwrap();
    write!(
        stream,
        "POST /RPC2 HTTP/1.0\r\nHost: localhost\r\nContent-Type: text/xml\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut reply = String::new();
    let _ = stream.read_to_string(&mut reply);
    reply
}
