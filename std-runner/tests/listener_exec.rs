//! The exec check (`supercheck exec`, no Python counterpart) under a real
//! supervisord: a command exiting non-zero restarts its process only; a
//! command that hangs past `-t` fails the check and its whole process group is
//! killed; what the command prints never reaches the protocol's stdout.

#[path = "support/kinds.rs"]
mod kinds;
mod support;

use std::time::Duration;

use kinds::{
    assert_protocol_clean, group, group_members, listener, port_program, running_pid, wait_log,
    wait_restart,
};
use support::{Supervisord, free_port, wait_for};

#[test]
fn non_zero_exit_restarts_its_process_and_not_the_others() {
    let (bad, good) = (free_port(), free_port());
    // The command fails for a process when `{dir}/<process name>.broken` exists,
    // and prints on stdout every time (it must go to the listener's stderr).
    let sections = format!(
        "{}{}{}{}",
        port_program("bad", bad),
        port_program("good", good),
        group("jobs", &["bad", "good"]),
        listener(
            "exec_check",
            "{bin} exec -n exec_check -g jobs -t 2 -- /bin/sh -c \
             'echo checking $SUPERCHECK_NAMESPEC pid $SUPERCHECK_PID; test ! -e {dir}/$SUPERCHECK_PROCESS_NAME.broken'"
        )
    );
    let sup = Supervisord::start("exec", &sections);
    let (bad_ns, good_ns) = (format!("jobs:bad_{bad}"), format!("jobs:good_{good}"));
    let bad_pid = running_pid(&sup, &bad_ns);
    let good_pid = running_pid(&sup, &good_ns);
    wait_log(&sup, "exec_check", "2 process(es) checked: all passed");
    let log = sup.file("exec_check.err");
    assert!(
        log.contains(&format!("checking {good_ns} pid {good_pid}")),
        "the command's stdout (with SUPERCHECK_* set) goes to stderr: {log}"
    );

    sup.write(&format!("bad_{bad}.broken"), "");
    wait_restart(&sup, &bad_ns, bad_pid, "exec_check");
    std::fs::remove_file(sup.dir.path().join(format!("bad_{bad}.broken"))).unwrap();

    let log = sup.file("exec_check.err");
    assert!(
        log.contains(&format!(
            "{bad_ns}: exec check failed: command exited with status 1"
        )),
        "{log}"
    );
    assert!(log.contains(&format!("{bad_ns}: restarted")), "{log}");
    assert!(
        !log.contains(&format!("{good_ns}: exec check failed")),
        "{log}"
    );
    assert_eq!(
        sup.pid(&good_ns),
        Some(good_pid),
        "the healthy process was restarted"
    );
    assert_protocol_clean(&sup, "exec_check");
}

#[test]
fn command_hanging_past_the_timeout_fails_and_its_process_group_is_killed() {
    let (hung, fine) = (free_port(), free_port());
    // For a process with `{dir}/<name>.hang`, the command records its process
    // group (it leads one: `$$`) and hangs in two sleeps, one in the background.
    let sections = format!(
        "{}{}{}{}",
        port_program("hung", hung),
        port_program("fine", fine),
        group("jobs", &["hung", "fine"]),
        listener(
            "exec_check",
            "{bin} exec -n exec_check -g jobs -t 1 -- /bin/sh -c \
             'if test -e {dir}/$SUPERCHECK_PROCESS_NAME.hang; then echo $$ > {dir}/$SUPERCHECK_PROCESS_NAME.pgid; sleep 60 & sleep 60; fi'"
        )
    );
    let sup = Supervisord::start("exec-hang", &sections);
    let (hung_ns, fine_ns) = (format!("jobs:hung_{hung}"), format!("jobs:fine_{fine}"));
    let hung_pid = running_pid(&sup, &hung_ns);
    let fine_pid = running_pid(&sup, &fine_ns);
    wait_log(&sup, "exec_check", "2 process(es) checked: all passed");

    let name = format!("hung_{hung}");
    sup.write(&format!("{name}.hang"), "");
    wait_restart(&sup, &hung_ns, hung_pid, "exec_check");
    std::fs::remove_file(sup.dir.path().join(format!("{name}.hang"))).unwrap();

    let log = sup.file("exec_check.err");
    assert!(
        log.contains(&format!(
            "{hung_ns}: exec check failed: command still running after 1.000s"
        )),
        "{log}"
    );
    let pgid: u32 = sup
        .file(&format!("{name}.pgid"))
        .trim()
        .parse()
        .expect("the hanging command recorded its process group");
    assert!(
        wait_for(Duration::from_secs(5), || group_members(pgid).is_empty()),
        "the timed-out command's process group {pgid} still has members: {:?}",
        group_members(pgid)
    );
    assert!(
        !log.contains(&format!("{fine_ns}: exec check failed")),
        "{log}"
    );
    assert_eq!(
        sup.pid(&fine_ns),
        Some(fine_pid),
        "the healthy process was restarted"
    );
    assert_protocol_clean(&sup, "exec_check");
}
