//! The heartbeat firmware as a supervisord program: QEMU runs it, the http
//! check polls its `/health` through the forwarded port and restarts it when
//! the device freezes (QEMU stopped with SIGSTOP). Runs only when
//! `HEARTBEAT_FIRMWARE_ELF` names the release ELF (tests/all.sh sets it).

mod support;

use std::process::Command;
use std::time::Duration;
use support::{Supervisord, free_port, wait_for};

#[test]
fn frozen_device_is_restarted_by_the_http_check() {
    let Some(elf) = std::env::var_os("HEARTBEAT_FIRMWARE_ELF") else {
        eprintln!("HEARTBEAT_FIRMWARE_ELF not set: supervisord heartbeat-device test skipped");
        return;
    };
    let elf = elf.to_string_lossy().into_owned();
    let (http, collector) = (free_port(), free_port());
    let sections = format!(
        "[program:device]\n\
         command=qemu-system-arm -machine mps2-an386 -nographic \
         -semihosting-config enable=on,target=native,arg=heartbeat,arg=device=dev-{http},arg=collector=10.0.2.2:{collector} \
         -nic user,model=lan9118,hostfwd=tcp:127.0.0.1:{http}-10.0.2.15:80 -kernel {elf}\n\
         process_name=device_{http}\nstartsecs=1\nstopwaitsecs=2\n\
         stdout_logfile={{dir}}/device.out\nstderr_logfile={{dir}}/device.err\n\n\
         [group:devices]\nprograms=device\n\n\
         [eventlistener:device_check]\n\
         command={{dir}}/bin/supervisor_http_check -g devices -n device_check -u /health -t 2 -r 0 -p \".+_(\\d+)\"\n\
         events=TICK_5\nstderr_logfile={{dir}}/check.err\nstdout_logfile={{dir}}/check.out\n"
    );
    let sup = Supervisord::start("heartbeat", &sections);
    let namespec = format!("devices:device_{http}");
    assert!(
        wait_for(Duration::from_secs(15), || sup.state(&namespec)
            == "RUNNING"),
        "{}",
        sup.main_log()
    );
    assert!(
        wait_for(Duration::from_secs(20), || sup
            .file("check.err")
            .contains("1 process(es) checked: all passed")),
        "listener log:\n{}",
        sup.file("check.err")
    );
    let pid = sup.pid(&namespec).unwrap();

    // Freeze the device: /health stops answering, the check restarts it.
    assert!(
        Command::new("kill")
            .args(["-STOP", &pid.to_string()])
            .status()
            .unwrap()
            .success()
    );
    assert!(
        wait_for(Duration::from_secs(40), || sup
            .pid(&namespec)
            .is_some_and(|p| p != pid)),
        "the frozen device was not restarted; listener log:\n{}",
        sup.file("check.err")
    );
    let log = sup.file("check.err");
    assert!(log.contains(&format!("{namespec}: restarting")), "{log}");

    // The new QEMU boots and passes again.
    let passes = log.matches("all passed").count();
    assert!(
        wait_for(Duration::from_secs(30), || sup
            .file("check.err")
            .matches("all passed")
            .count()
            > passes),
        "listener log:\n{}",
        sup.file("check.err")
    );
}
