//! HealthCheck.Server's form API under `/healthchecker/` (spec 5.1), so that
//! its Python client (`HealthCheckerServer(app, url).monitor(...)`) works
//! unchanged.
//!
//! | endpoint | answer |
//! |---|---|
//! | `POST /healthchecker/monitor` (form `appname`, `url`, `email`, `timeout`, `interval`, `unhealthy_threshold`, `healthy_threshold`) | 201 registered; 302 already registered (resumed if paused); 400 a missing field, a bad URL or e-mail, a value that is not a number; 406 a value out of range; 415 not a urlencoded form |
//! | `GET /healthchecker/stopmonitoring?appname=` | 200 `OK`, or 400 (unknown or no `appname`) |
//! | `GET /healthchecker/pause?appname=`, `/resume?appname=` | 200 `OK`, or 400 |
//! | `GET /healthchecker/info?appname=` | 200 and the app's record, 400 without `appname`, 404 unknown |
//! | `GET /healthchecker/status` | 200 and every app's record, by name |
//!
//! Differences on purpose: the ranges are enforced as documented (the
//! Python's `MIN >= v <= MAX` rejects its own defaults); re-registering does
//! not count an unhealthy check (the Python's does, which can push a healthy
//! app to DEGRADED for nothing) and does not change the registered values;
//! `info` of an unknown app is 404 (the Python's raises, 500); `status` is 200
//! (the Python's answers 501 with the data); an empty `email` means no mail.
//! A monitor registered here probes `<url>/health` and only 200 is healthy.

use serde_json::{Map, Value, json};

use super::api;
use super::monitor::{Monitor, state_name};
use super::registry::{Registry, RegistryError};
use super::routes::{Effect, Response};
use super::spec::{
    INTERVAL_RANGE, MonitorSpec, NotifyTargets, Origin, SpecError, THRESHOLD_RANGE, TIMEOUT_RANGE,
    in_range, validate_email,
};

/// The app record `info` and `status` show, with HealthCheck.Server's keys.
pub fn info_json(m: &Monitor) -> Value {
    let (failures, passes) = m.runs();
    let history: Vec<Value> = m.history.iter().map(|p| json!([p.time, p.code])).collect();
    json!({
        "appname": m.spec.name,
        "url": m.spec.url,
        "timeout": m.spec.timeout_s,
        "interval": m.spec.interval_s,
        "healthState": {
            "emailAddr": m.spec.notify.email.join(", "),
            "unhealthyChecks": failures,
            "healthyChecks": passes,
            "unhealthy_threshold": m.spec.unhealthy_threshold,
            "healthy_threshold": m.spec.healthy_threshold,
            "currentHealth": state_name(m.state()),
        },
        "lasthealthy": m.last_healthy,
        "lastcheck": m.last_check,
        "healthchecks": history,
        "paused": m.paused,
    })
}

fn text(status: u16, message: &str) -> Response {
    Response::new(
        status,
        "text/plain; charset=utf-8",
        format!("{message}\n").into_bytes(),
    )
}

fn spec_error(e: &SpecError) -> Response {
    let status = match e {
        SpecError::OutOfRange { .. } => 406,
        SpecError::Missing { .. } | SpecError::Invalid { .. } => 400,
    };
    text(status, &e.to_string())
}

/// The value of `key` in a urlencoded query or form.
fn field(pairs: &[(String, String)], key: &str) -> Option<String> {
    pairs.iter().find(|(k, _)| k == key).map(|(_, v)| v.clone())
}

fn pairs(bytes: &[u8]) -> Vec<(String, String)> {
    form_urlencoded::parse(bytes)
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

/// Reads the registration form.
///
/// # Errors
/// The [`SpecError`] naming the first bad field (ranges are checked here
/// too, so that 406 names HealthCheck.Server's field names).
pub fn parse_form(body: &[u8]) -> Result<MonitorSpec, SpecError> {
    let form = pairs(body);
    let get = |key: &'static str| field(&form, key).ok_or(SpecError::Missing { field: key });
    let number = |key: &'static str, range| -> Result<u64, SpecError> {
        let raw = get(key)?;
        let value = raw
            .trim()
            .parse::<u64>()
            .map_err(|_| match raw.trim().parse::<i64>() {
                Ok(_) => super::spec::out_of_range(key, raw.trim().to_string(), range),
                Err(_) => SpecError::Invalid {
                    field: key,
                    reason: format!("{raw:?} is not a whole number"),
                },
            })?;
        in_range(key, value, range)?;
        Ok(value)
    };
    let name = get("appname")?;
    let url = get("url")?;
    let email = get("email")?;
    let timeout_s = number("timeout", &TIMEOUT_RANGE)?;
    let interval_s = number("interval", &INTERVAL_RANGE)?;
    let unhealthy = number("unhealthy_threshold", &THRESHOLD_RANGE)?;
    let healthy = number("healthy_threshold", &THRESHOLD_RANGE)?;
    let email = email.trim();
    if !email.is_empty() {
        validate_email("email", email)?;
    }
    let threshold = |v: u64| u16::try_from(v).unwrap_or(u16::MAX);
    Ok(MonitorSpec {
        name,
        url,
        timeout_s,
        interval_s,
        unhealthy_threshold: threshold(unhealthy),
        healthy_threshold: threshold(healthy),
        notify: NotifyTargets {
            email: if email.is_empty() {
                Vec::new()
            } else {
                vec![email.to_string()]
            },
            webhook: Vec::new(),
        },
        origin: Origin::Healthchecker,
    })
}

fn monitor(registry: &mut Registry, content_type: Option<&str>, body: &[u8]) -> Response {
    let form_type = content_type
        .and_then(|ct| ct.split(';').next())
        .is_none_or(|ct| {
            ct.trim()
                .eq_ignore_ascii_case("application/x-www-form-urlencoded")
        });
    if !form_type {
        return text(415, "expected an application/x-www-form-urlencoded form");
    }
    let spec = match parse_form(body) {
        Ok(spec) => spec,
        Err(e) => return spec_error(&e),
    };
    let name = spec.name.clone();
    if registry.get(&name).is_some() {
        return match registry.set_paused(&name, false) {
            Ok((_, _)) => {
                let mut r = text(302, &format!("{name} is already being monitored"));
                r.effect = Effect::ProbeNow(name);
                r
            }
            Err(e) => api::error_response(&e),
        };
    }
    match registry.add(spec) {
        Ok(_) => {
            let mut r = text(201, &format!("{name} is now monitored"));
            r.effect = Effect::ProbeNow(name);
            r
        }
        Err(RegistryError::Spec(e)) => spec_error(&e),
        Err(e) => api::error_response(&e),
    }
}

/// Answers `GET /healthchecker/<action>?<query>` and `POST /healthchecker/monitor`.
pub fn handle(
    registry: &mut Registry,
    method: &str,
    action: &str,
    query: Option<&str>,
    content_type: Option<&str>,
    body: &[u8],
) -> Response {
    let get = matches!(method, "GET" | "HEAD");
    let appname = query.and_then(|q| field(&pairs(q.as_bytes()), "appname"));
    match (action, get) {
        ("monitor", _) if method == "POST" => monitor(registry, content_type, body),
        ("monitor", _) => Response::method_not_allowed("POST"),
        ("status", true) => {
            let all: Map<String, Value> = registry
                .monitors()
                .iter()
                .map(|(name, m)| (name.clone(), info_json(m)))
                .collect();
            api::json_response(200, &Value::Object(all))
        }
        ("info", true) => match appname {
            None => text(400, "missing appname"),
            Some(name) => match registry.get(&name) {
                Some(m) => api::json_response(200, &info_json(m)),
                None => text(404, &format!("{name} is not monitored")),
            },
        },
        ("stopmonitoring" | "pause" | "resume", true) => {
            let Some(name) = appname else {
                return text(400, "missing appname");
            };
            let result = match action {
                "stopmonitoring" => registry.remove(&name).map(Effect::Cancel),
                "pause" => registry
                    .set_paused(&name, true)
                    .map(|(_, t)| Effect::Cancel(t)),
                _ => registry
                    .set_paused(&name, false)
                    .map(|_| Effect::ProbeNow(name.clone())),
            };
            match result {
                Ok(effect) => {
                    let mut r = text(200, "OK");
                    r.effect = effect;
                    r
                }
                Err(RegistryError::NotFound(_)) => text(400, &format!("{name} is not monitored")),
                Err(e) => api::error_response(&e),
            }
        }
        ("status" | "info" | "stopmonitoring" | "pause" | "resume", false) => {
            Response::method_not_allowed("GET, HEAD")
        }
        _ => Response::not_found(),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    const GOOD: &str = "appname=My+App&url=http%3A%2F%2F127.0.0.1%3A9%2F&email=&timeout=5&interval=30&unhealthy_threshold=2&healthy_threshold=10";

    #[test]
    fn the_documented_defaults_are_accepted() {
        let spec = parse_form(GOOD.as_bytes()).unwrap();
        assert_eq!(spec.name, "My App");
        assert_eq!(spec.probe_url(), "http://127.0.0.1:9/health");
        assert!(spec.notify.email.is_empty());
    }

    #[test]
    fn out_of_range_is_406_and_junk_is_400() {
        for (from, to, field) in [
            ("timeout=5", "timeout=1", "timeout"),
            ("timeout=5", "timeout=61", "timeout"),
            ("interval=30", "interval=4", "interval"),
            ("interval=30", "interval=301", "interval"),
            (
                "unhealthy_threshold=2",
                "unhealthy_threshold=1",
                "unhealthy_threshold",
            ),
            (
                "healthy_threshold=10",
                "healthy_threshold=11",
                "healthy_threshold",
            ),
        ] {
            let err = parse_form(GOOD.replace(from, to).as_bytes()).unwrap_err();
            assert_eq!((err.field(), spec_error(&err).status), (field, 406));
        }
        let err = parse_form(GOOD.replace("timeout=5", "timeout=five").as_bytes()).unwrap_err();
        assert_eq!(spec_error(&err).status, 400);
        let err = parse_form(GOOD.replace("&email=", "").as_bytes()).unwrap_err();
        assert_eq!(err, SpecError::Missing { field: "email" });
    }
}
