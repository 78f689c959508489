//! The heartbeat firmware as a supervisord program: QEMU runs it, the http
//! check polls its `/health` through the forwarded port and restarts it when
//! the device freezes (QEMU stopped with SIGSTOP). Runs only when
//! `HEARTBEAT_FIRMWARE_ELF` names the release ELF (tests/all.sh sets it).

mod support;

use std::process::Command;
use std::time::Duration;
use support::{Supervisord, free_port, wait_for};

/// The release ELF named by `HEARTBEAT_FIRMWARE_ELF` (`None`: not built, skip).
fn firmware() -> Option<String> {
    let elf = std::env::var_os("HEARTBEAT_FIRMWARE_ELF");
    if elf.is_none() {
        eprintln!("HEARTBEAT_FIRMWARE_ELF not set: supervisord heartbeat-device test skipped");
    }
    elf.map(|e| e.to_string_lossy().into_owned())
}

/// The supervisord program `devices:device_<http>`: QEMU running the firmware
/// as `device`, beating to 127.0.0.1:`collector`, its port 80 on 127.0.0.1:`http`.
fn device_program(elf: &str, device: &str, http: u16, collector: u16, extra: &str) -> String {
    format!(
        "[program:device]\n\
         command=qemu-system-arm -machine mps2-an386 -nographic \
         -semihosting-config enable=on,target=native,arg=heartbeat,arg=device={device},arg=collector=10.0.2.2:{collector}{extra} \
         -nic user,model=lan9118,hostfwd=tcp:127.0.0.1:{http}-10.0.2.15:80 -kernel {elf}\n\
         process_name=device_{http}\nstartsecs=1\nstopwaitsecs=2\n\
         stdout_logfile={{dir}}/device.out\nstderr_logfile={{dir}}/device.err\n\n\
         [group:devices]\nprograms=device\n\n"
    )
}

#[test]
fn frozen_device_is_restarted_by_the_http_check() {
    let Some(elf) = firmware() else {
        return;
    };
    let (http, collector) = (free_port(), free_port());
    let sections = format!(
        "{}[eventlistener:device_check]\n\
         command={{dir}}/bin/supervisor_http_check -g devices -n device_check -u /health -t 2 -r 0 -p \".+_(\\d+)\"\n\
         events=TICK_5\nstderr_logfile={{dir}}/check.err\nstdout_logfile={{dir}}/check.out\n",
        device_program(&elf, &format!("dev-{http}"), http, collector, "")
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

#[test]
fn frozen_device_fails_both_checks_and_the_heartbeat_check_restarts_it() {
    let Some(elf) = firmware() else {
        return;
    };
    let (http, collector) = (free_port(), free_port());
    let device = format!("dev-{http}");
    // The http check only reports (its threshold is never reached); the
    // heartbeat check, bound to the device's UDP beats, restarts. Its 6 s
    // timeout is longer than a tick, so the first tick after the freeze
    // always sees the http check fail before the restart replaces the device.
    let sections = format!(
        "{}[eventlistener:http_check]\n\
         command={{dir}}/bin/supervisor_http_check -g devices -n http_check -u /health -t 2 -r 0 -p \".+_(\\d+)\" --fail-threshold 1000\n\
         events=TICK_5\nstderr_logfile={{dir}}/http.err\nstdout_logfile={{dir}}/http.out\n\n\
         [eventlistener:hb_check]\n\
         command={{bin}} heartbeat -g devices -n hb_check --bind 127.0.0.1:{collector} --device {device}=devices:device_{http} -t 6\n\
         events=TICK_5\nstderr_logfile={{dir}}/hb.err\nstdout_logfile={{dir}}/hb.out\n",
        device_program(&elf, &device, http, collector, ",arg=period_ms=500")
    );
    let sup = Supervisord::start("heartbeat-both", &sections);
    let namespec = format!("devices:device_{http}");
    for log in ["http.err", "hb.err"] {
        assert!(
            wait_for(Duration::from_secs(30), || sup
                .file(log)
                .contains("1 process(es) checked: all passed")),
            "{log}:\n{}\nsupervisord:\n{}",
            sup.file(log),
            sup.main_log()
        );
    }
    let pid = sup.pid(&namespec).unwrap();
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
        "the silent device was not restarted; heartbeat log:\n{}",
        sup.file("hb.err")
    );
    let hb = sup.file("hb.err");
    assert!(hb.contains("no heartbeat datagram for"), "{hb}");
    assert!(hb.contains(&format!("{namespec}: restarting")), "{hb}");
    let http_log = sup.file("http.err");
    assert!(
        http_log.contains(&format!("{namespec}: http check failed")),
        "the frozen device's /health failed too:\n{http_log}"
    );
    // The new QEMU beats again: the heartbeat check passes.
    let passes = sup.file("hb.err").matches("all passed").count();
    assert!(
        wait_for(Duration::from_secs(30), || sup
            .file("hb.err")
            .matches("all passed")
            .count()
            > passes),
        "heartbeat log:\n{}",
        sup.file("hb.err")
    );
}
