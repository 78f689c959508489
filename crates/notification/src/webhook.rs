//! A webhook: one HTTP POST of a JSON object to an `http://` URL, on a
//! short-lived thread, bounded by [`WEBHOOK_TIMEOUT`] per step.

use std::io::{Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::time::Duration;

use supercheck_core::json::write_json_string;
use supercheck_core::wire::Writer;

use supercheck_runtime::log::Logger;
use supercheck_wire::http_url::HttpUrl;

/// Connect, write and read timeout of one POST.
pub const WEBHOOK_TIMEOUT: Duration = Duration::from_secs(10);

/// The fields of one notification, as sent in the JSON body.
#[derive(Clone, Copy, Debug)]
pub struct Payload<'a> {
    /// The tool (`httpok`, `memmon`, `crashmail`).
    pub tool: &'a str,
    /// `alert` or `recovered`.
    pub kind: &'a str,
    /// The process namespec the notification is about.
    pub process: &'a str,
    /// The mail subject.
    pub subject: &'a str,
    /// The mail body.
    pub body: &'a str,
    /// Events suppressed since the previous notification for this process.
    pub suppressed: u32,
}

/// The JSON object for `payload`
/// (`{"tool":…,"kind":…,"process":…,"subject":…,"body":…,"suppressed":N}`).
pub fn json_body(payload: &Payload<'_>) -> Vec<u8> {
    let text_len = payload.tool.len()
        + payload.kind.len()
        + payload.process.len()
        + payload.subject.len()
        + payload.body.len();
    // Escaping grows a character to 6 bytes at most.
    let mut buf = vec![0u8; text_len.saturating_mul(6).saturating_add(128)];
    let mut w = Writer::new(&mut buf);
    let written = (|| {
        let fields = [
            ("tool", payload.tool),
            ("kind", payload.kind),
            ("process", payload.process),
            ("subject", payload.subject),
            ("body", payload.body),
        ];
        w.put_byte(b'{')?;
        for (key, value) in fields {
            write_json_string(&mut w, key)?;
            w.put_byte(b':')?;
            write_json_string(&mut w, value)?;
            w.put_byte(b',')?;
        }
        w.put_str("\"suppressed\":")?;
        w.put_u64(u64::from(payload.suppressed))?;
        w.put_byte(b'}')
    })();
    match written {
        Ok(()) => w.written().to_vec(),
        Err(_) => b"{}".to_vec(),
    }
}

/// A webhook target.
#[derive(Clone, Debug)]
pub struct Webhook {
    url: HttpUrl,
    raw: String,
}

impl Webhook {
    /// A webhook posting to `url`.
    ///
    /// # Errors
    /// The URL is not `http://host[:port]/path`.
    pub fn parse(url: &str) -> Result<Self, String> {
        let parsed = HttpUrl::parse(url).map_err(|e| e.to_string())?;
        if parsed.tls {
            return Err(format!(
                "{url:?}: https webhooks are not supported, only http://"
            ));
        }
        Ok(Self {
            url: parsed,
            raw: url.to_string(),
        })
    }

    /// Posts `payload` in the background; failures are logged.
    pub fn send(&self, payload: &Payload<'_>, log: &Logger) {
        let body = json_body(payload);
        let url = self.url.clone();
        let raw = self.raw.clone();
        let thread_log = log.clone();
        let spawned = std::thread::Builder::new()
            .name("webhook".into())
            .spawn(move || match post(&url, &body) {
                Ok(status) => {
                    supercheck_runtime::log_detail!(thread_log, "webhook {raw}: {status}")
                }
                Err(e) => supercheck_runtime::log_line!(thread_log, "webhook {raw} failed: {e}"),
            });
        if let Err(e) = spawned {
            supercheck_runtime::log_line!(log, "cannot start the webhook thread: {e}");
        }
    }
}

/// One POST of `body` to `url`; the response's status line.
///
/// # Errors
/// Name resolution, connection, timeouts, a non-2xx status.
pub fn post(url: &HttpUrl, body: &[u8]) -> Result<String, String> {
    let addr = (url.host.as_str(), url.port)
        .to_socket_addrs()
        .map_err(|e| format!("cannot resolve {}: {e}", url.host))?
        .next()
        .ok_or_else(|| format!("no address for {}", url.host))?;
    let mut stream = TcpStream::connect_timeout(&addr, WEBHOOK_TIMEOUT)
        .map_err(|e| format!("cannot connect to {addr}: {e}"))?;
    stream
        .set_read_timeout(Some(WEBHOOK_TIMEOUT))
        .and_then(|()| stream.set_write_timeout(Some(WEBHOOK_TIMEOUT)))
        .map_err(|e| e.to_string())?;
    let head = format!(
        "POST {} HTTP/1.1\r\nHost: {}\r\nUser-Agent: supercheck\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        url.target,
        url.authority,
        body.len()
    );
    stream
        .write_all(head.as_bytes())
        .and_then(|()| stream.write_all(body))
        .map_err(|e| format!("cannot send: {e}"))?;
    let mut response = Vec::new();
    let mut chunk = [0u8; 512];
    // The status line is enough; stop at the first line end or after 4 KiB.
    while !response.contains(&b'\n') && response.len() < 4096 {
        match stream.read(&mut chunk) {
            Ok(0) => break,
            Ok(n) => response.extend_from_slice(chunk.get(..n).unwrap_or_default()),
            Err(e) => return Err(format!("no response: {e}")),
        }
    }
    let text = String::from_utf8_lossy(&response);
    let status_line = text.lines().next().unwrap_or_default().trim().to_string();
    let code = status_line.split_whitespace().nth(1).unwrap_or_default();
    if code.starts_with('2') && code.len() == 3 {
        Ok(status_line)
    } else {
        Err(format!("answered {status_line:?}"))
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn json_body_escapes_quotes_and_newlines() {
        let body = json_body(&Payload {
            tool: "httpok",
            kind: "alert",
            process: "web:web",
            subject: "say \"hi\"",
            body: "line 1\nline 2\\",
            suppressed: 3,
        });
        let v: serde_json::Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(v["subject"], "say \"hi\"");
        assert_eq!(v["body"], "line 1\nline 2\\");
        assert_eq!(v["suppressed"], 3);
        assert_eq!(v["process"], "web:web");
    }
}
