//! Inputs shared by the benches: byte-exact captures from a real supervisord
//! (`core/tests/vectors/`) and fleets built in supervisord's own format.

use std::path::{Path, PathBuf};

/// The directory of captured vectors.
pub fn vectors() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../core/tests/vectors")
}

/// A captured file, read whole.
///
/// # Panics
/// When the file is missing (the benches cannot run without their inputs).
pub fn vector(relative: &str) -> Vec<u8> {
    std::fs::read(vectors().join(relative)).unwrap_or_else(|e| panic!("vector {relative}: {e}"))
}

/// The body of a captured HTTP response (after the blank line).
pub fn http_body(raw: &[u8]) -> &[u8] {
    raw.windows(4)
        .position(|w| w == b"\r\n\r\n")
        .map_or(raw, |at| raw.get(at + 4..).unwrap_or_default())
}

/// A `getAllProcessInfo` reply for `n` running processes, in supervisord 4.3.0's format.
pub fn process_list_reply(n: usize) -> Vec<u8> {
    let mut body = String::from(
        "<?xml version='1.0'?>\n<methodResponse>\n<params>\n<param>\n<value><array><data>\n",
    );
    for i in 0..n {
        let port = 8000 + i;
        let pid = 10_000 + i;
        let member = |name: &str, value: String| {
            format!("<member>\n<name>{name}</name>\n<value>{value}</value>\n</member>\n")
        };
        body.push_str("<value><struct>\n");
        body.push_str(&member("name", format!("<string>web_{port}</string>")));
        body.push_str(&member("group", "<string>web</string>".into()));
        body.push_str(&member("start", "<int>1795317094</int>".into()));
        body.push_str(&member("stop", "<int>0</int>".into()));
        body.push_str(&member("now", "<int>1795317100</int>".into()));
        body.push_str(&member("state", "<int>20</int>".into()));
        body.push_str(&member("statename", "<string>RUNNING</string>".into()));
        body.push_str(&member("spawnerr", "<string></string>".into()));
        body.push_str(&member("exitstatus", "<int>0</int>".into()));
        body.push_str(&member(
            "logfile",
            format!("<string>/var/log/web_{port}.log</string>"),
        ));
        body.push_str(&member(
            "stdout_logfile",
            format!("<string>/var/log/web_{port}.log</string>"),
        ));
        body.push_str(&member("stderr_logfile", "<string></string>".into()));
        body.push_str(&member("pid", format!("<int>{pid}</int>")));
        body.push_str(&member(
            "description",
            format!("<string>pid {pid}, uptime 0:00:06</string>"),
        ));
        body.push_str("</struct></value>\n");
    }
    body.push_str("</data></array></value>\n</param>\n</params>\n</methodResponse>\n");
    body.into_bytes()
}
