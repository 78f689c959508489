//! The test harness itself: a real supervisord runs a real demo service.

mod support;

use std::time::Duration;
use support::{Supervisord, free_port, wait_for};

#[test]
fn supervisord_runs_the_demo_service_and_it_answers_http() {
    let port = free_port();
    let sup = Supervisord::start(
        "harness",
        &format!(
            "[program:web]\ncommand={{bin}} demo-service --port {port} --mode-file {{dir}}/web.mode\nstartsecs=0\n"
        ),
    );
    assert!(wait_for(Duration::from_secs(10), || sup.state("web") == "RUNNING"));
    let reply = wait_for(Duration::from_secs(5), || {
        std::net::TcpStream::connect(("127.0.0.1", port)).is_ok()
    });
    assert!(reply, "demo service never listened on {port}");
    assert!(sup.pid("web").is_some());
}
