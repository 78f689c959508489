//! supervisord configuration sections and log waits for the end-to-end bug tests.

use std::time::Duration;

use crate::support::{Supervisord, wait_for};

/// A demo service `program` on `port`; its mode file is `{dir}/<program>.mode`.
pub fn service(program: &str, port: u16, extra: &str) -> String {
    format!(
        "[program:{program}]\ncommand={{bin}} demo-service --port {port} --mode-file {{dir}}/{program}.mode\n\
         startsecs=1\nstdout_logfile={{dir}}/{program}.out\nstderr_logfile={{dir}}/{program}.err\n{extra}\n\n"
    )
}

/// A TICK_5 listener `name` running `{dir}/bin/<command>`; its log is `{dir}/<name>.err`.
pub fn listener(name: &str, command: &str) -> String {
    format!(
        "[eventlistener:{name}]\ncommand={{dir}}/bin/{command}\nevents=TICK_5\n\
         stdout_logfile={{dir}}/{name}.out\nstderr_logfile={{dir}}/{name}.err\n\n"
    )
}

/// Waits up to `secs` for `{dir}/<file>` to contain `text` past byte `from`.
pub fn wait_log_from(sup: &Supervisord, file: &str, from: usize, text: &str, secs: u64) {
    let found = wait_for(Duration::from_secs(secs), || {
        sup.file(file).get(from..).is_some_and(|t| t.contains(text))
    });
    assert!(
        found,
        "{file} never said {text:?}:\n{}\nsupervisord log:\n{}",
        sup.file(file),
        sup.main_log()
    );
}

/// Waits up to `secs` for `{dir}/<file>` to contain `text`.
pub fn wait_log(sup: &Supervisord, file: &str, text: &str, secs: u64) {
    wait_log_from(sup, file, 0, text, secs);
}

/// Waits up to 15 s for every namespec to be RUNNING.
pub fn wait_running(sup: &Supervisord, namespecs: &[&str]) {
    assert!(
        wait_for(Duration::from_secs(15), || namespecs
            .iter()
            .all(|n| sup.state(n) == "RUNNING")),
        "not all RUNNING: {namespecs:?}\n{}",
        sup.main_log()
    );
}
