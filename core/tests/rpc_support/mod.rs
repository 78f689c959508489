//! Builders for XML-RPC bodies shaped exactly like supervisord 4.3.0 writes them
//! (Python's `xmlrpc.client.dumps`): one tag pair per line, `<int>`,
//! `<boolean>`, `<string>` escaped for `&`, `<`, `>` only.
#![allow(dead_code)]

use proptest::prelude::*;
use supercheck_core::process::ProcessState;

/// Python's `xmlrpc.client.escape`.
pub fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

pub fn string(s: &str) -> String {
    format!("<value><string>{}</string></value>\n", escape(s))
}

pub fn int(n: i64) -> String {
    format!("<value><int>{n}</int></value>\n")
}

pub fn boolean(b: bool) -> String {
    format!("<value><boolean>{}</boolean></value>\n", u8::from(b))
}

pub fn array(items: &[String]) -> String {
    format!(
        "<value><array><data>\n{}</data></array></value>\n",
        items.concat()
    )
}

pub fn structure(members: &[(&str, String)]) -> String {
    let mut out = String::from("<value><struct>\n");
    for (name, value) in members {
        out.push_str(&format!(
            "<member>\n<name>{}</name>\n{value}</member>\n",
            escape(name)
        ));
    }
    out.push_str("</struct></value>\n");
    out
}

/// A successful `methodResponse` holding `value` (as built above).
pub fn response(value: &str) -> String {
    format!(
        "<?xml version='1.0'?>\n<methodResponse>\n<params>\n<param>\n{value}</param>\n</params>\n</methodResponse>\n"
    )
}

/// A fault `methodResponse`.
pub fn fault(code: i32, message: &str) -> String {
    let value = structure(&[
        ("faultCode", int(code.into())),
        ("faultString", string(message)),
    ]);
    format!(
        "<?xml version='1.0'?>\n<methodResponse>\n<fault>\n{value}</fault>\n</methodResponse>\n"
    )
}

/// The members of one process-info struct, in supervisord's order.
pub fn process_members(
    group: &str,
    name: &str,
    state: ProcessState,
    pid: u32,
) -> Vec<(&'static str, String)> {
    let running = state == ProcessState::Running;
    let log = format!("/tmp/{name}-stdout---supervisor-fybslq46.log");
    let description = if running {
        format!("pid {pid}, uptime 0:00:06")
    } else {
        "Not started".to_owned()
    };
    vec![
        ("name", string(name)),
        ("group", string(group)),
        ("start", int(if running { 1795317094 } else { 0 })),
        ("stop", int(0)),
        ("now", int(1795317100)),
        ("state", int(state.code().into())),
        ("statename", string(state.name())),
        ("spawnerr", string("")),
        ("exitstatus", int(0)),
        ("logfile", string(&log)),
        ("stdout_logfile", string(&log)),
        (
            "stderr_logfile",
            string(&format!("/tmp/{name}-stderr---supervisor-374sbs8y.log")),
        ),
        ("pid", int(pid.into())),
        ("description", string(&description)),
    ]
}

/// One process-info struct value.
pub fn process(group: &str, name: &str, state: ProcessState, pid: u32) -> String {
    structure(&process_members(group, name, state, pid))
}

/// A real supervisord 4.3.0 reply to `getProcessInfo('web:web_8101')`.
pub const GET_PROCESS_INFO_WEB_8101: &[u8] = b"<?xml version='1.0'?>\n<methodResponse>\n<params>\n<param>\n<value><struct>\n<member>\n<name>name</name>\n<value><string>web_8101</string></value>\n</member>\n<member>\n<name>group</name>\n<value><string>web</string></value>\n</member>\n<member>\n<name>start</name>\n<value><int>1795317094</int></value>\n</member>\n<member>\n<name>stop</name>\n<value><int>0</int></value>\n</member>\n<member>\n<name>now</name>\n<value><int>1795317100</int></value>\n</member>\n<member>\n<name>state</name>\n<value><int>20</int></value>\n</member>\n<member>\n<name>statename</name>\n<value><string>RUNNING</string></value>\n</member>\n<member>\n<name>spawnerr</name>\n<value><string></string></value>\n</member>\n<member>\n<name>exitstatus</name>\n<value><int>0</int></value>\n</member>\n<member>\n<name>logfile</name>\n<value><string>/tmp/web_8101-stdout---supervisor-fybslq46.log</string></value>\n</member>\n<member>\n<name>stdout_logfile</name>\n<value><string>/tmp/web_8101-stdout---supervisor-fybslq46.log</string></value>\n</member>\n<member>\n<name>stderr_logfile</name>\n<value><string>/tmp/web_8101-stderr---supervisor-374sbs8y.log</string></value>\n</member>\n<member>\n<name>pid</name>\n<value><int>12524</int></value>\n</member>\n<member>\n<name>description</name>\n<value><string>pid 12524, uptime 0:00:06</string></value>\n</member>\n</struct></value>\n</param>\n</params>\n</methodResponse>\n";

/// A real supervisord 4.3.0 reply to `getProcessInfo('solo')` for a program whose
/// `stdout_logfile` is `/tmp/rpccap/solo&<é>.log`.
pub const GET_PROCESS_INFO_SOLO: &[u8] = b"<?xml version='1.0'?>\n<methodResponse>\n<params>\n<param>\n<value><struct>\n<member>\n<name>name</name>\n<value><string>solo</string></value>\n</member>\n<member>\n<name>group</name>\n<value><string>solo</string></value>\n</member>\n<member>\n<name>start</name>\n<value><int>1795317094</int></value>\n</member>\n<member>\n<name>stop</name>\n<value><int>0</int></value>\n</member>\n<member>\n<name>now</name>\n<value><int>1795317100</int></value>\n</member>\n<member>\n<name>state</name>\n<value><int>20</int></value>\n</member>\n<member>\n<name>statename</name>\n<value><string>RUNNING</string></value>\n</member>\n<member>\n<name>spawnerr</name>\n<value><string></string></value>\n</member>\n<member>\n<name>exitstatus</name>\n<value><int>0</int></value>\n</member>\n<member>\n<name>logfile</name>\n<value><string>/tmp/rpccap/solo&amp;&lt;\xc3\xa9&gt;.log</string></value>\n</member>\n<member>\n<name>stdout_logfile</name>\n<value><string>/tmp/rpccap/solo&amp;&lt;\xc3\xa9&gt;.log</string></value>\n</member>\n<member>\n<name>stderr_logfile</name>\n<value><string>/tmp/solo-stderr---supervisor-wvklu87t.log</string></value>\n</member>\n<member>\n<name>pid</name>\n<value><int>12523</int></value>\n</member>\n<member>\n<name>description</name>\n<value><string>pid 12523, uptime 0:00:06</string></value>\n</member>\n</struct></value>\n</param>\n</params>\n</methodResponse>\n";

/// A real supervisord 4.3.0 reply to `getProcessInfo('nosuch')`.
pub const FAULT_BAD_NAME: &[u8] = b"<?xml version='1.0'?>\n<methodResponse>\n<fault>\n<value><struct>\n<member>\n<name>faultCode</name>\n<value><int>10</int></value>\n</member>\n<member>\n<name>faultString</name>\n<value><string>BAD_NAME: nosuch</string></value>\n</member>\n</struct></value>\n</fault>\n</methodResponse>\n";

/// A real supervisord 4.3.0 reply to `signalProcess('web:*', 'USR1')`.
pub const SIGNAL_GROUP: &[u8] = b"<?xml version='1.0'?>\n<methodResponse>\n<params>\n<param>\n<value><array><data>\n<value><struct>\n<member>\n<name>name</name>\n<value><string>web_8101</string></value>\n</member>\n<member>\n<name>group</name>\n<value><string>web</string></value>\n</member>\n<member>\n<name>status</name>\n<value><int>80</int></value>\n</member>\n<member>\n<name>description</name>\n<value><string>OK</string></value>\n</member>\n</struct></value>\n<value><struct>\n<member>\n<name>name</name>\n<value><string>web_8102</string></value>\n</member>\n<member>\n<name>group</name>\n<value><string>web</string></value>\n</member>\n<member>\n<name>status</name>\n<value><int>80</int></value>\n</member>\n<member>\n<name>description</name>\n<value><string>OK</string></value>\n</member>\n</struct></value>\n</data></array></value>\n</param>\n</params>\n</methodResponse>\n";

/// A real supervisord 4.3.0 reply to `system.multicall([getState, getProcessInfo('nosuch')])`.
pub const MULTICALL: &[u8] = b"<?xml version='1.0'?>\n<methodResponse>\n<params>\n<param>\n<value><array><data>\n<value><struct>\n<member>\n<name>statecode</name>\n<value><int>1</int></value>\n</member>\n<member>\n<name>statename</name>\n<value><string>RUNNING</string></value>\n</member>\n</struct></value>\n<value><struct>\n<member>\n<name>faultCode</name>\n<value><int>10</int></value>\n</member>\n<member>\n<name>faultString</name>\n<value><string>BAD_NAME: nosuch</string></value>\n</member>\n</struct></value>\n</data></array></value>\n</param>\n</params>\n</methodResponse>\n";

/// A real supervisord 4.3.0 reply to `getState()`.
pub const GET_STATE: &[u8] = b"<?xml version='1.0'?>\n<methodResponse>\n<params>\n<param>\n<value><struct>\n<member>\n<name>statecode</name>\n<value><int>1</int></value>\n</member>\n<member>\n<name>statename</name>\n<value><string>RUNNING</string></value>\n</member>\n</struct></value>\n</param>\n</params>\n</methodResponse>\n";

/// A real supervisord 4.3.0 reply to `getAPIVersion()`.
pub const GET_API_VERSION: &[u8] = b"<?xml version='1.0'?>\n<methodResponse>\n<params>\n<param>\n<value><string>3.0</string></value>\n</param>\n</params>\n</methodResponse>\n";

/// A real supervisord 4.3.0 reply to `signalProcess('solo', 'USR1')` (and to start/stop).
pub const TRUE_REPLY: &[u8] = b"<?xml version='1.0'?>\n<methodResponse>\n<params>\n<param>\n<value><boolean>1</boolean></value>\n</param>\n</params>\n</methodResponse>\n";

/// A process name or path as it may appear: plain, with entities, non-ASCII, empty.
fn name() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-z_0-9]{0,12}",
        "[a-z&<>\u{e9}\u{263a} :]{0,12}",
        Just(String::new()),
    ]
}

/// One `getAllProcessInfo` array element, for property tests: a process-info
/// struct (perhaps shuffled, with a field dropped or a stray member), or
/// something that is not one.
pub fn process_element() -> impl Strategy<Value = String> {
    let info = (name(), name(), 0u32..100_000, any::<u64>(), any::<bool>()).prop_map(
        |(group, name, pid, shuffle, drop)| {
            let mut members = process_members(&group, &name, ProcessState::Running, pid);
            let len = members.len();
            members.rotate_left((shuffle % len as u64) as usize);
            if drop {
                members.remove((shuffle >> 8) as usize % len);
            }
            if shuffle & 1 == 1 {
                members.insert(0, ("extra", array(&[int(1), string("x")])));
            }
            structure(&members)
        },
    );
    prop_oneof![
        4 => info,
        1 => Just(int(5)),
        1 => Just(array(&[string("a")])),
        1 => Just("<value><struct/></value>\n".to_owned()),
    ]
}
