//! HealthCheck.Server's form API under `/healthchecker/`, served by
//! `supercheck serve`: its ranges enforced as documented (the Python's are
//! inverted), its status codes, its `<url>/health` probing and "only 200 is
//! healthy", and the differences on purpose (302 counts nothing, info of an
//! unknown app is 404, status is 200). The real binary on real sockets.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

#[path = "support/serve.rs"]
mod serve_support;
#[path = "support/sinks.rs"]
mod sinks;
mod support;

use serve_support::{Demo, Serve, temp, wait};
use sinks::Recorder;

fn form(app: &str, url: &str, email: &str, values: [u64; 4]) -> String {
    let enc = |s: &str| -> String { form_urlencoded::byte_serialize(s.as_bytes()).collect() };
    format!(
        "appname={}&url={}&email={}&timeout={}&interval={}&unhealthy_threshold={}&healthy_threshold={}",
        enc(app),
        enc(url),
        enc(email),
        values[0],
        values[1],
        values[2],
        values[3]
    )
}

const DEFAULTS: [u64; 4] = [5, 30, 2, 10];

#[test]
fn documented_defaults_are_accepted_and_each_out_of_range_value_is_406_naming_it() {
    let dir = temp("hc-ranges");
    let serve = Serve::start(dir.path(), "serve", &[], &[]);
    let url = "http://127.0.0.1:9";
    // The Python's `MIN >= v <= MAX` rejects these defaults with 406.
    let ok = serve.post_form("/healthchecker/monitor", &form("app", url, "", DEFAULTS));
    assert_eq!(ok.status, 201, "{}", ok.body);
    for (i, value, field, range) in [
        (0, 1, "timeout", "2 to 60"),
        (0, 61, "timeout", "2 to 60"),
        (1, 4, "interval", "5 to 300"),
        (1, 301, "interval", "5 to 300"),
        (2, 1, "unhealthy_threshold", "2 to 10"),
        (3, 11, "healthy_threshold", "2 to 10"),
    ] {
        let mut values = DEFAULTS;
        values[i] = value;
        let reply = serve.post_form("/healthchecker/monitor", &form("other", url, "", values));
        assert_eq!(reply.status, 406, "{field}={value}: {}", reply.body);
        assert_eq!(
            reply.body.trim(),
            format!("{field} is {value}, allowed range is {range}")
        );
    }
    assert_eq!(serve.get("/healthchecker/info?appname=other").status, 404);

    let bad = |body: &str, needle: &str| {
        let reply = serve.post_form("/healthchecker/monitor", body);
        assert_eq!(reply.status, 400, "{body}: {}", reply.body);
        assert!(reply.body.contains(needle), "{}", reply.body);
    };
    bad(&form("x", "not a url", "", DEFAULTS), "url");
    bad(&form("x", "https://127.0.0.1:9", "", DEFAULTS), "https");
    bad(&form("x", url, "nobody", DEFAULTS), "email");
    bad(
        &form("x", url, "a@b.c", DEFAULTS).replace("timeout=5", "timeout=five"),
        "timeout",
    );
    bad(
        &form("x", url, "a@b.c", DEFAULTS).replace("&interval=30", ""),
        "interval",
    );
    bad(
        &form("x", url, "a@b.c", DEFAULTS).replace("appname=x&", ""),
        "appname",
    );
    let json = serve.post_json("/healthchecker/monitor", "{}");
    assert_eq!(json.status, 415);
    assert_eq!(serve.get("/healthchecker/monitor").status, 405);
    assert_eq!(serve.get("/healthchecker/nothing").status, 404);
}

#[test]
fn a_registration_probes_url_slash_health_and_reregistering_is_302_counting_nothing() {
    let dir = temp("hc-register");
    let demo = Demo::start(dir.path(), "app");
    let serve = Serve::start(dir.path(), "serve", &[], &[]);
    let body = form("My App", &demo.url(), "ops@example.com", DEFAULTS);
    assert_eq!(serve.post_form("/healthchecker/monitor", &body).status, 201);
    wait(|| {
        serve.get("/healthchecker/info?appname=My+App").json()["healthState"]["healthyChecks"] == 1
    });
    assert!(
        demo.last_request().starts_with("GET /health HTTP/1.1"),
        "{}",
        demo.last_request()
    );
    let info = serve.get("/healthchecker/info?appname=My%20App").json();
    assert_eq!(info["appname"], "My App");
    assert_eq!(info["url"], demo.url().as_str());
    assert_eq!(
        (info["timeout"].as_u64(), info["interval"].as_u64()),
        (Some(5), Some(30))
    );
    assert_eq!(info["healthState"]["emailAddr"], "ops@example.com");
    assert_eq!(info["healthState"]["currentHealth"], "UNKNOWN");
    assert_eq!(info["healthchecks"][0][1], 200);
    assert!(info["lastcheck"].as_f64().is_some() && info["lasthealthy"].as_f64().is_some());

    // Pause, then register again: 302, resumed, no unhealthy check counted,
    // the registered values unchanged.
    assert_eq!(serve.get("/healthchecker/pause?appname=My+App").status, 200);
    let again = form("My App", "http://127.0.0.1:9", "", [10, 60, 3, 3]);
    let reply = serve.post_form("/healthchecker/monitor", &again);
    assert_eq!(reply.status, 302, "{}", reply.body);
    assert!(reply.body.contains("already being monitored"));
    assert_eq!(
        reply.header("Location"),
        None,
        "a client must not follow it"
    );
    let info = serve.get("/healthchecker/info?appname=My+App").json();
    assert_eq!(info["paused"], false);
    assert_eq!(info["healthState"]["unhealthyChecks"], 0);
    assert_eq!(info["url"], demo.url().as_str());
    assert_eq!(info["timeout"], 5);
    // Resumed: probed again at once, healthy.
    wait(|| {
        serve.get("/healthchecker/info?appname=My+App").json()["healthState"]["healthyChecks"] == 2
    });
    assert_eq!(serve.monitor("My%20App")["failures"], 0);
}

#[test]
fn info_pause_resume_stop_and_status_answer_like_healthcheck_server_minus_its_bugs() {
    let dir = temp("hc-verbs");
    let serve = Serve::start(dir.path(), "serve", &[], &[]);
    for app in ["one", "two"] {
        let reply = serve.post_form(
            "/healthchecker/monitor",
            &form(app, "http://127.0.0.1:9", "", DEFAULTS),
        );
        assert_eq!(reply.status, 201);
    }
    // Unknown app: info is 404 (the Python's 500), the others 400.
    assert_eq!(serve.get("/healthchecker/info?appname=three").status, 404);
    assert_eq!(serve.get("/healthchecker/info").status, 400);
    for verb in ["pause", "resume", "stopmonitoring"] {
        assert_eq!(
            serve
                .get(&format!("/healthchecker/{verb}?appname=three"))
                .status,
            400
        );
        assert_eq!(serve.get(&format!("/healthchecker/{verb}")).status, 400);
    }
    let paused = serve.get("/healthchecker/pause?appname=one");
    assert_eq!((paused.status, paused.body.trim()), (200, "OK"));
    assert_eq!(
        serve.get("/healthchecker/info?appname=one").json()["paused"],
        true
    );
    assert_eq!(serve.get("/healthchecker/resume?appname=one").status, 200);
    assert_eq!(
        serve.get("/healthchecker/info?appname=one").json()["paused"],
        false
    );

    // Status: 200 (the Python's 501) with every app by name.
    let status = serve.get("/healthchecker/status");
    assert_eq!(status.status, 200);
    let all = status.json();
    assert_eq!(all["one"]["appname"], "one");
    assert_eq!(all["two"]["healthState"]["unhealthy_threshold"], 2);

    assert_eq!(
        serve
            .get("/healthchecker/stopmonitoring?appname=two")
            .status,
        200
    );
    assert_eq!(
        serve
            .get("/healthchecker/stopmonitoring?appname=two")
            .status,
        400
    );
    assert!(
        serve
            .get("/healthchecker/status")
            .json()
            .get("two")
            .is_none()
    );
    // Both APIs share one namespace.
    assert_eq!(
        serve.get("/v1/monitors/one").json()["origin"],
        "healthchecker"
    );
    assert_eq!(
        serve
            .post_json(
                "/v1/monitors",
                r#"{"name":"one","url":"http://127.0.0.1:9/"}"#
            )
            .status,
        409
    );
}

#[test]
fn only_200_is_healthy_for_a_healthchecker_monitor_but_any_2xx_for_a_v1_one() {
    let dir = temp("hc-204");
    let target = Recorder::answering(b"HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n");
    let serve = Serve::start(dir.path(), "serve", &[], &[]);
    let url = format!("http://127.0.0.1:{}", target.port());
    assert_eq!(
        serve
            .post_form(
                "/healthchecker/monitor",
                &form("compat", &url, "", DEFAULTS)
            )
            .status,
        201
    );
    let api = format!(r#"{{"name":"api","url":"{url}/health"}}"#);
    assert_eq!(serve.post_json("/v1/monitors", &api).status, 201);
    wait(|| serve.monitor("compat")["failures"] == 1 && serve.monitor("api")["passes"] == 1);
    let compat = serve.monitor("compat");
    assert_eq!(compat["state"], "DEGRADED");
    assert_eq!(compat["last_output"], "HTTP 204");
    assert_eq!(compat["probe_url"], format!("{url}/health").as_str());
    assert_eq!(serve.monitor("api")["state"], "UNKNOWN");
}
