//! The JSON API under `/v1/monitors`.
//!
//! | method and path | answer |
//! |---|---|
//! | `POST /v1/monitors` | 201 and the monitor; 400 malformed JSON, missing `name` or `url`, wrong type, unknown field, bad URL or e-mail; 409 duplicate name; 413 body over 16 KiB; 422 value out of range; 507 too many monitors |
//! | `GET /v1/monitors` | 200, `{"monitors":[...]}` |
//! | `GET /v1/monitors/{name}` | 200 or 404 |
//! | `POST /v1/monitors/{name}/pause`, `/resume` | 200 and the monitor, or 404 |
//! | `DELETE /v1/monitors/{name}` | 204, or 404 |
//!
//! A create body: `{"name", "url", "timeout_s", "interval_s",
//! "unhealthy_threshold", "healthy_threshold", "notify": {"email": [..],
//! "webhook": [..]}}`; only `name` and `url` are required, the others default
//! to HealthCheck.Server's 5, 30, 2 and 10. Errors are
//! `{"error": {"status", "message", "field"?, "value"?, "allowed"?}}`.

use serde_json::{Map, Value, json};

use super::monitor::{Monitor, state_name};
use super::registry::{Registry, RegistryError};
use super::routes::{Effect, Response};
use super::spec::{
    DEFAULTS, INTERVAL_RANGE, MonitorSpec, NotifyTargets, Origin, SpecError, THRESHOLD_RANGE,
    TIMEOUT_RANGE, out_of_range,
};

/// The JSON form of a monitor.
pub fn monitor_json(m: &Monitor) -> Value {
    let (failures, passes) = m.runs();
    json!({
        "name": m.spec.name,
        "url": m.spec.url,
        "probe_url": m.target_url(),
        "origin": m.spec.origin,
        "timeout_s": m.spec.timeout_s,
        "interval_s": m.spec.interval_s,
        "unhealthy_threshold": m.spec.unhealthy_threshold,
        "healthy_threshold": m.spec.healthy_threshold,
        "notify": m.spec.notify,
        "paused": m.paused,
        "state": state_name(m.state()),
        "consecutive_failures": failures,
        "consecutive_passes": passes,
        "passes": m.passes,
        "failures": m.failures,
        "transitions": m.transitions,
        "last_check": m.last_check,
        "last_healthy": m.last_healthy,
        "last_output": m.last_output,
        "last_duration_ms": m.last_duration.map(|d| d.as_secs_f64() * 1000.0),
        "history": m.history,
    })
}

/// A JSON reply.
pub fn json_response(status: u16, value: &Value) -> Response {
    Response::new(
        status,
        "application/json",
        serde_json::to_vec(value).unwrap_or_default(),
    )
}

/// The typed JSON error for `error`, with the status the JSON API uses.
pub fn error_response(error: &RegistryError) -> Response {
    let (status, extra) = match error {
        RegistryError::NotFound(_) => (404, json!({})),
        RegistryError::Duplicate(_) => (409, json!({"field": "name"})),
        RegistryError::Full(_) => (507, json!({})),
        RegistryError::Store(_) => (500, json!({})),
        RegistryError::Spec(SpecError::OutOfRange {
            field,
            value,
            min,
            max,
        }) => (
            422,
            json!({"field": field, "value": value, "allowed": {"min": min, "max": max}}),
        ),
        RegistryError::Spec(e) => (400, json!({"field": e.field()})),
    };
    let mut body = Map::new();
    body.insert("status".into(), json!(status));
    body.insert("message".into(), json!(error.to_string()));
    if let Value::Object(extra) = extra {
        body.extend(extra);
    }
    json_response(status, &json!({ "error": body }))
}

fn spec_error(e: SpecError) -> Response {
    error_response(&RegistryError::Spec(e))
}

/// Reads a create body.
///
/// # Errors
/// The [`SpecError`] naming the first bad field.
pub fn parse_create(body: &[u8]) -> Result<MonitorSpec, SpecError> {
    let value: Value = serde_json::from_slice(body).map_err(|e| SpecError::Invalid {
        field: "body",
        reason: format!("malformed JSON: {e}"),
    })?;
    let Value::Object(object) = value else {
        return Err(SpecError::Invalid {
            field: "body",
            reason: "expected a JSON object".into(),
        });
    };
    const KNOWN: [&str; 7] = [
        "name",
        "url",
        "timeout_s",
        "interval_s",
        "unhealthy_threshold",
        "healthy_threshold",
        "notify",
    ];
    if let Some(unknown) = object.keys().find(|k| !KNOWN.contains(&k.as_str())) {
        return Err(SpecError::Invalid {
            field: "body",
            reason: format!("unknown field {unknown:?} (known: {})", KNOWN.join(", ")),
        });
    }
    let text = |field: &'static str| -> Result<String, SpecError> {
        match object.get(field) {
            None | Some(Value::Null) => Err(SpecError::Missing { field }),
            Some(Value::String(s)) => Ok(s.clone()),
            Some(_) => Err(SpecError::Invalid {
                field,
                reason: "must be a string".into(),
            }),
        }
    };
    let number = |field: &'static str, default: u64, range| -> Result<u64, SpecError> {
        match object.get(field) {
            None | Some(Value::Null) => Ok(default),
            Some(Value::Number(n)) => match n.as_u64() {
                Some(v) => Ok(v),
                None => Err(out_of_range(field, n.to_string(), range)),
            },
            Some(_) => Err(SpecError::Invalid {
                field,
                reason: "must be a whole number".into(),
            }),
        }
    };
    let threshold = |field: &'static str, default: u16| -> Result<u16, SpecError> {
        let v = number(field, u64::from(default), &THRESHOLD_RANGE)?;
        u16::try_from(v).map_err(|_| out_of_range(field, v.to_string(), &THRESHOLD_RANGE))
    };
    let notify = match object.get("notify") {
        None | Some(Value::Null) => NotifyTargets::default(),
        Some(v) => {
            serde_json::from_value::<NotifyTargets>(v.clone()).map_err(|e| SpecError::Invalid {
                field: "notify",
                reason: format!("expected {{\"email\": [..], \"webhook\": [..]}}: {e}"),
            })?
        }
    };
    let spec = MonitorSpec {
        name: text("name")?,
        url: text("url")?,
        timeout_s: number("timeout_s", DEFAULTS.0, &TIMEOUT_RANGE)?,
        interval_s: number("interval_s", DEFAULTS.1, &INTERVAL_RANGE)?,
        unhealthy_threshold: threshold("unhealthy_threshold", DEFAULTS.2)?,
        healthy_threshold: threshold("healthy_threshold", DEFAULTS.3)?,
        notify,
        origin: Origin::Api,
    };
    Ok(spec)
}

/// Answers a request under `/v1/monitors`; `rest` is the path after it,
/// split on `/` and percent-decoded.
pub fn handle(registry: &mut Registry, method: &str, rest: &[String], body: &[u8]) -> Response {
    match (method, rest) {
        ("POST", []) => match parse_create(body) {
            Err(e) => spec_error(e),
            Ok(spec) => match registry.add(spec) {
                Ok(m) => {
                    let name = m.spec.name.clone();
                    let mut r = json_response(201, &monitor_json(m));
                    r.headers.push((
                        "Location",
                        format!("/v1/monitors/{}", super::routes::encode_segment(&name)),
                    ));
                    r.effect = Effect::ProbeNow(name);
                    r
                }
                Err(e) => error_response(&e),
            },
        },
        ("GET" | "HEAD", []) => {
            let list: Vec<Value> = registry.monitors().values().map(monitor_json).collect();
            json_response(200, &json!({ "monitors": list }))
        }
        (_, []) => Response::method_not_allowed("GET, HEAD, POST"),
        ("GET" | "HEAD", [name]) => match registry.get(name) {
            Some(m) => json_response(200, &monitor_json(m)),
            None => error_response(&RegistryError::NotFound(name.clone())),
        },
        ("DELETE", [name]) => match registry.remove(name) {
            Ok(timer) => {
                let mut r = Response::new(204, "application/json", Vec::new());
                r.effect = Effect::Cancel(timer);
                r
            }
            Err(e) => error_response(&e),
        },
        (_, [_]) => Response::method_not_allowed("GET, HEAD, DELETE"),
        ("POST", [name, action]) if action == "pause" || action == "resume" => {
            let pause = action == "pause";
            match registry.set_paused(name, pause) {
                Ok((_, timer)) => {
                    let mut r = match registry.get(name) {
                        Some(m) => json_response(200, &monitor_json(m)),
                        None => error_response(&RegistryError::NotFound(name.clone())),
                    };
                    r.effect = if pause {
                        Effect::Cancel(timer)
                    } else {
                        Effect::ProbeNow(name.clone())
                    };
                    r
                }
                Err(e) => error_response(&e),
            }
        }
        (_, [_, action]) if action == "pause" || action == "resume" => {
            Response::method_not_allowed("POST")
        }
        _ => Response::not_found(),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn create_bodies_are_read_with_defaults_and_typed_errors() {
        let spec = parse_create(br#"{"name":"a","url":"http://127.0.0.1:1/"}"#).unwrap();
        assert_eq!(
            (
                spec.timeout_s,
                spec.interval_s,
                spec.unhealthy_threshold,
                spec.healthy_threshold
            ),
            (5, 30, 2, 10)
        );
        let field = |body: &[u8]| parse_create(body).unwrap_err().field();
        assert_eq!(field(b"{"), "body");
        assert_eq!(field(br#"{"url":"http://x/"}"#), "name");
        assert_eq!(
            field(br#"{"name":"a","url":"http://x/","interval":5}"#),
            "body"
        );
        assert_eq!(
            field(br#"{"name":"a","url":"http://x/","timeout_s":"5"}"#),
            "timeout_s"
        );
        assert!(matches!(
            parse_create(br#"{"name":"a","url":"http://x/","interval_s":-5}"#),
            Err(SpecError::OutOfRange {
                field: "interval_s",
                ..
            })
        ));
    }
}
