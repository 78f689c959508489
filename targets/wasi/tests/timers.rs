//! The driver with an input that can time a wait out (as wasip2's polled
//! stdin does): a retry that falls due after the tick was acknowledged runs
//! on time, with no further event, and its failure restarts the process.
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::indexing_slicing)]

mod support;

use std::io::{self, Write};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use supercheck_cmdline::drop_in;
use supercheck_cmdline::plan::Env;
use supercheck_cmdline::tool::Tool;
use supercheck_wasi::driver::Driver;
use supercheck_wasi::plan;
use supercheck_wasi::stdin::{Input, Waited};
use support::listener_process::{ACK, READY, tick};
use support::{Supervisor, hung_service, wait_for};

/// stdin as a channel of chunks: a wait ends at its timeout.
struct Channel(Receiver<Vec<u8>>);

impl Input for Channel {
    fn times_out(&self) -> bool {
        true
    }

    fn wait_read(&mut self, buf: &mut [u8], timeout: Option<Duration>) -> io::Result<Waited> {
        let got = match timeout {
            Some(timeout) => self.0.recv_timeout(timeout),
            None => self.0.recv().map_err(|_| RecvTimeoutError::Disconnected),
        };
        match got {
            Ok(chunk) => {
                buf[..chunk.len()].copy_from_slice(&chunk);
                Ok(Waited::Data(chunk.len()))
            }
            Err(RecvTimeoutError::Timeout) => Ok(Waited::TimedOut),
            Err(RecvTimeoutError::Disconnected) => Ok(Waited::Closed),
        }
    }
}

/// Bytes written, shared with the test.
#[derive(Clone, Default)]
struct Shared(Arc<Mutex<Vec<u8>>>);

impl Write for Shared {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

struct Vars(String);

impl Env for Vars {
    fn var(&self, key: &str) -> Option<String> {
        match key {
            "SUPERVISOR_SERVER_URL" => Some(self.0.clone()),
            "SUPERVISOR_USERNAME" => Some("user".into()),
            "SUPERVISOR_PASSWORD" => Some("pass".into()),
            _ => None,
        }
    }
}

#[test]
fn a_retry_due_after_the_acknowledgement_runs_on_time_without_another_event() {
    let hung = hung_service();
    let name = format!("web_{hung}");
    let sup = Supervisor::start(std::slice::from_ref(&name));
    // Attempt 1 fails at 1 s, attempt 2 at 3 + 1 s; the tick is acknowledged
    // at its deadline (4 s); attempt 3 is due 6 s after attempt 2 failed.
    let argv = r"supervisor_http_check -g web -n chk -u /ping -p .+_(\d+) -t 1 -r 2";
    let m = drop_in::command(Tool::Http, "supervisor_http_check")
        .try_get_matches_from(argv.split(' '))
        .expect("flags");
    let plan = plan::plan(Tool::Http, &m, &Vars(sup.url())).expect("plan");
    let (events, rx) = mpsc::channel();
    let (out, log) = (Shared::default(), Shared::default());
    let (to_out, to_log) = (out.clone(), log.clone());
    let run = std::thread::spawn(move || {
        Driver::new(plan, Channel(rx), to_out, to_log)
            .expect("driver")
            .run()
    });
    let text = |s: &Shared| String::from_utf8_lossy(&s.0.lock().unwrap()).into_owned();

    assert!(wait_for(Duration::from_secs(5), || out
        .0
        .lock()
        .unwrap()
        .starts_with(READY)));
    let sent = Instant::now();
    events.send(tick(1, 1_700_000_005)).expect("send");
    let acked = [READY, ACK].concat();
    assert!(wait_for(Duration::from_secs(10), || *out.0.lock().unwrap() == acked));
    let acked_after = sent.elapsed();
    let stopped = format!("supervisor.stopProcess web:{name}");
    assert!(
        wait_for(Duration::from_secs(20), || sup.calls().contains(&stopped)),
        "{}",
        text(&log)
    );
    let stopped_after = sent.elapsed();
    assert!(
        wait_for(Duration::from_secs(5), || text(&log).contains("restarted")),
        "{}",
        text(&log)
    );
    drop(events);
    let exit = run.join().expect("driver thread").expect("stdout");
    assert_eq!(exit.code(), 0);

    let log = text(&log);
    assert!(
        acked_after >= Duration::from_millis(3900) && acked_after < Duration::from_secs(6),
        "acknowledged at its deadline: {acked_after:?}\n{log}"
    );
    // 1 + 3 + 1 + 6 + 1 s: the third attempt ran when due, with no event.
    assert!(
        stopped_after >= Duration::from_secs(11) && stopped_after < Duration::from_secs(14),
        "{stopped_after:?}\n{log}"
    );
    assert_eq!(
        *out.0.lock().unwrap(),
        acked,
        "one tick, one acknowledgement"
    );
}
