//! The `application/health+json` encoder: the draft's own example reproduced
//! byte for byte, the omissions the draft asks for, key rules, failures that
//! write nothing.

#![allow(
    clippy::panic,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing
)]

use supercheck_core::json::{
    CheckEntry, HealthDocument, HealthError, HealthHead, HealthStatus, ObservedValue,
};
use supercheck_core::wire::Writer;

/// The example response of draft-inadarei-api-health-check-06, section 5.
const DRAFT_EXAMPLE: &str = r#"
   {
     "status": "pass",
     "version": "1",
     "releaseId": "1.2.2",
     "notes": [""],
     "output": "",
     "serviceId": "f03e522f-1f44-4062-9b55-9587f91c9c41",
     "description": "health of authz service",
     "checks": {
       "cassandra:responseTime": [
         {
           "componentId": "dfd6cf2b-1b6e-4412-a0b8-f6f7797a60d2",
           "componentType": "datastore",
           "observedValue": 250,
           "observedUnit": "ms",
           "status": "pass",
           "affectedEndpoints" : [
             "/users/{userId}",
             "/customers/{customerId}/status",
             "/shopping/{anything}"
           ],
           "time": "2018-01-17T03:36:48Z",
           "output": ""
         }
       ],
       "cassandra:connections": [
         {
           "componentId": "dfd6cf2b-1b6e-4412-a0b8-f6f7797a60d2",
           "componentType": "datastore",
           "observedValue": 75,
           "status": "warn",
           "time": "2018-01-17T03:36:48Z",
           "output": "",
           "links": {
             "self": "http://api.example.com/dbnode/dfd6cf2b/health"
           }
         }
       ],
       "uptime": [
         {
           "componentType": "system",
           "observedValue": 1209600.245,
           "observedUnit": "s",
           "status": "pass",
           "time": "2018-01-17T03:36:48Z"
         }
       ],
       "cpu:utilization": [
         {
           "componentId": "6fd416e0-8920-410f-9c7b-c479000f7227",
           "node": 1,
           "componentType": "system",
           "observedValue": 85,
           "observedUnit": "percent",
           "status": "warn",
           "time": "2018-01-17T03:36:48Z",
           "output": ""
         },
         {
           "componentId": "6fd416e0-8920-410f-9c7b-c479000f7227",
           "node": 2,
           "componentType": "system",
           "observedValue": 85,
           "observedUnit": "percent",
           "status": "warn",
           "time": "2018-01-17T03:36:48Z",
           "output": ""
         }
       ],
       "memory:utilization": [
         {
           "componentId": "6fd416e0-8920-410f-9c7b-c479000f7227",
           "node": 1,
           "componentType": "system",
           "observedValue": 8.5,
           "observedUnit": "GiB",
           "status": "warn",
           "time": "2018-01-17T03:36:48Z",
           "output": ""
         },
         {
           "componentId": "6fd416e0-8920-410f-9c7b-c479000f7227",
           "node": 2,
           "componentType": "system",
           "observedValue": 5500,
           "observedUnit": "MiB",
           "status": "pass",
           "time": "2018-01-17T03:36:48Z",
           "output": ""
         }
       ]
     },
     "links": {
       "about": "http://api.example.com/about/authz",
       "http://api.x.io/rel/thresholds":
         "http://api.x.io/about/authz/thresholds"
     }
   }"#;

/// Removes the whitespace outside strings.
fn compact(json: &str) -> String {
    let mut out = String::new();
    let (mut in_string, mut escaped) = (false, false);
    for c in json.chars() {
        if in_string {
            out.push(c);
            in_string = escaped || c != '"';
            escaped = !escaped && c == '\\';
        } else if !c.is_whitespace() {
            out.push(c);
            in_string = c == '"';
        }
    }
    out
}

const TIME: i64 = 1_516_160_208; // 2018-01-17T03:36:48Z
const CASSANDRA: &str = "dfd6cf2b-1b6e-4412-a0b8-f6f7797a60d2";
const HOST: &str = "6fd416e0-8920-410f-9c7b-c479000f7227";

fn reading(
    id: Option<&'static str>,
    kind: &'static str,
    value: ObservedValue<'static>,
    unit: Option<&'static str>,
    status: HealthStatus,
) -> CheckEntry<'static> {
    CheckEntry {
        component_id: id,
        component_type: Some(kind),
        observed_value: Some(value),
        observed_unit: unit,
        time: Some(TIME),
        output: Some(""),
        ..CheckEntry::new(status)
    }
}

/// Writes the draft's example through the builder.
fn write_draft_example(w: &mut Writer<'_>) -> Result<usize, HealthError> {
    use HealthStatus::{Pass, Warn};
    use ObservedValue::{Decimal, Int};
    let head = HealthHead {
        version: Some("1"),
        release_id: Some("1.2.2"),
        notes: &[""],
        output: Some(""),
        service_id: Some("f03e522f-1f44-4062-9b55-9587f91c9c41"),
        description: Some("health of authz service"),
        ..HealthHead::new(Pass)
    };
    let endpoints = [
        "/users/{userId}",
        "/customers/{customerId}/status",
        "/shopping/{anything}",
    ];
    let mut response_time = reading(Some(CASSANDRA), "datastore", Int(250), Some("ms"), Pass);
    response_time.affected_endpoints = &endpoints;
    let self_link = [("self", "http://api.example.com/dbnode/dfd6cf2b/health")];
    let mut connections = reading(Some(CASSANDRA), "datastore", Int(75), None, Warn);
    connections.links = &self_link;
    let mut uptime = reading(
        None,
        "system",
        Decimal {
            value: 1_209_600_245,
            decimals: 3,
        },
        Some("s"),
        Pass,
    );
    uptime.output = None;
    let cpu = reading(Some(HOST), "system", Int(85), Some("percent"), Warn);

    let mut checks = HealthDocument::begin(w, &head)?.checks()?;
    let mut c = checks.begin_check(Some("cassandra"), Some("responseTime"))?;
    c.entry(&response_time)?;
    checks = c.end_check()?;
    let mut c = checks.begin_check(Some("cassandra"), Some("connections"))?;
    c.entry(&connections)?;
    checks = c.end_check()?;
    let mut c = checks.begin_check(None, Some("uptime"))?;
    c.entry(&uptime)?;
    checks = c.end_check()?;
    let mut c = checks.begin_check(Some("cpu"), Some("utilization"))?;
    c.entry(&cpu)?;
    c.entry(&cpu)?;
    checks = c.end_check()?;
    let mut c = checks.begin_check(Some("memory"), Some("utilization"))?;
    c.entry(&reading(
        Some(HOST),
        "system",
        Decimal {
            value: 85,
            decimals: 1,
        },
        Some("GiB"),
        Warn,
    ))?;
    c.entry(&reading(Some(HOST), "system", Int(5500), Some("MiB"), Pass))?;
    checks = c.end_check()?;
    checks.finish(&[
        ("about", "http://api.example.com/about/authz"),
        (
            "http://api.x.io/rel/thresholds",
            "http://api.x.io/about/authz/thresholds",
        ),
    ])
}

fn written(f: impl FnOnce(&mut Writer<'_>) -> Result<usize, HealthError>) -> String {
    let mut buf = vec![0u8; 4096];
    let mut w = Writer::new(&mut buf);
    let n = f(&mut w).unwrap();
    assert_eq!(n, w.len());
    String::from_utf8(w.written().to_vec()).unwrap()
}

#[test]
fn drafts_example_is_reproduced_byte_for_byte() {
    // The draft's example minus what the draft itself says SHOULD be omitted
    // for pass (top-level output; affectedEndpoints and output of passing
    // entries) and minus its user-defined "node" keys, which the builder
    // does not write.
    let expected = compact(DRAFT_EXAMPLE)
        .replace(r#""notes":[""],"output":"","#, r#""notes":[""],"#)
        .replace(r#""node":1,"#, "")
        .replace(r#""node":2,"#, "")
        .replace(
            r#","affectedEndpoints":["/users/{userId}","/customers/{customerId}/status","/shopping/{anything}"]"#,
            "",
        )
        .replace(r#""status":"pass","time":"2018-01-17T03:36:48Z","output":"""#,
            r#""status":"pass","time":"2018-01-17T03:36:48Z""#);
    let ours = written(write_draft_example);
    assert_eq!(ours, expected);
    serde_json::from_str::<serde_json::Value>(&ours).unwrap();
}

#[test]
fn smallest_document_is_just_the_status() {
    let doc =
        written(|w| HealthDocument::begin(w, &HealthHead::new(HealthStatus::Pass))?.finish(&[]));
    assert_eq!(doc, r#"{"status":"pass"}"#);
}

#[test]
fn output_is_written_only_when_not_passing() {
    let head = |status| HealthHead {
        output: Some("disk full"),
        ..HealthHead::new(status)
    };
    let pass = written(|w| HealthDocument::begin(w, &head(HealthStatus::Pass))?.finish(&[]));
    let fail = written(|w| HealthDocument::begin(w, &head(HealthStatus::Fail))?.finish(&[]));
    assert_eq!(pass, r#"{"status":"pass"}"#);
    assert_eq!(fail, r#"{"status":"fail","output":"disk full"}"#);
}

#[test]
fn failing_entry_keeps_endpoints_and_output() {
    let entry = CheckEntry {
        affected_endpoints: &["/health"],
        output: Some("connection refused"),
        observed_value: Some(ObservedValue::Bool(false)),
        ..CheckEntry::new(HealthStatus::Fail)
    };
    let doc = written(|w| {
        let mut c = HealthDocument::begin(w, &HealthHead::new(HealthStatus::Fail))?
            .checks()?
            .begin_check(Some("web_8101"), Some("tcp"))?;
        c.entry(&entry)?;
        c.end_check()?.finish(&[])
    });
    assert_eq!(
        doc,
        r#"{"status":"fail","checks":{"web_8101:tcp":[{"observedValue":false,"status":"fail","affectedEndpoints":["/health"],"output":"connection refused"}]}}"#
    );
}

#[test]
fn check_key_may_have_either_part() {
    let doc = written(|w| {
        let mut checks =
            HealthDocument::begin(w, &HealthHead::new(HealthStatus::Pass))?.checks()?;
        for (component, measurement) in [(Some("db"), None), (None, Some("uptime"))] {
            let mut c = checks.begin_check(component, measurement)?;
            c.entry(&CheckEntry::new(HealthStatus::Pass))?;
            checks = c.end_check()?;
        }
        checks.finish(&[])
    });
    assert_eq!(
        doc,
        r#"{"status":"pass","checks":{"db":[{"status":"pass"}],"uptime":[{"status":"pass"}]}}"#
    );
}

#[test]
fn bad_check_keys_are_refused_before_writing() {
    let mut buf = [0u8; 256];
    let mut w = Writer::new(&mut buf);
    let head = HealthHead::new(HealthStatus::Pass);
    let checks = HealthDocument::begin(&mut w, &head)
        .unwrap()
        .checks()
        .unwrap();
    assert_eq!(
        checks.begin_check(Some("web:1"), Some("tcp")).unwrap_err(),
        HealthError::ColonInKey
    );
    let mut w = Writer::new(&mut buf);
    let checks = HealthDocument::begin(&mut w, &head)
        .unwrap()
        .checks()
        .unwrap();
    let len = r#"{"status":"pass","checks":{"#.len();
    assert_eq!(
        checks.begin_check(None, None).unwrap_err(),
        HealthError::EmptyKey
    );
    assert_eq!(w.len(), len);
    let mut w = Writer::new(&mut buf);
    let checks = HealthDocument::begin(&mut w, &head)
        .unwrap()
        .checks()
        .unwrap();
    assert_eq!(
        checks.begin_check(Some(""), Some("x")).unwrap_err(),
        HealthError::EmptyKey
    );
}

#[test]
fn check_without_entries_cannot_be_closed() {
    let mut buf = [0u8; 256];
    let mut w = Writer::new(&mut buf);
    let c = HealthDocument::begin(&mut w, &HealthHead::new(HealthStatus::Pass))
        .unwrap()
        .checks()
        .unwrap()
        .begin_check(Some("db"), None)
        .unwrap();
    assert_eq!(c.end_check().unwrap_err(), HealthError::EmptyCheck);
}

#[test]
fn unwritable_entries_are_refused_without_a_trace() {
    let mut buf = [0u8; 256];
    let mut w = Writer::new(&mut buf);
    let mut c = HealthDocument::begin(&mut w, &HealthHead::new(HealthStatus::Pass))
        .unwrap()
        .checks()
        .unwrap()
        .begin_check(Some("db"), None)
        .unwrap();
    c.entry(&CheckEntry::new(HealthStatus::Pass)).unwrap();
    let too_fine = CheckEntry {
        observed_value: Some(ObservedValue::Decimal {
            value: 1,
            decimals: 19,
        }),
        ..CheckEntry::new(HealthStatus::Pass)
    };
    assert_eq!(c.entry(&too_fine), Err(HealthError::TooManyDecimals));
    let far = CheckEntry {
        time: Some(i64::MAX),
        ..CheckEntry::new(HealthStatus::Pass)
    };
    assert_eq!(c.entry(&far), Err(HealthError::TimeOutOfRange));
    c.end_check().unwrap().finish(&[]).unwrap();
    assert_eq!(
        std::str::from_utf8(w.written()).unwrap(),
        r#"{"status":"pass","checks":{"db":[{"status":"pass"}]}}"#
    );
}

#[test]
fn every_too_small_buffer_overflows_without_panicking() {
    let full = written(write_draft_example).len();
    for size in 0..full {
        let mut buf = vec![0u8; size];
        let mut w = Writer::new(&mut buf);
        assert_eq!(
            write_draft_example(&mut w),
            Err(HealthError::Overflow),
            "size {size}"
        );
    }
}

#[test]
fn strings_are_escaped_everywhere() {
    let entry = CheckEntry {
        component_id: Some("a\"b\\c\n"),
        output: Some("é\u{1}"),
        ..CheckEntry::new(HealthStatus::Warn)
    };
    let doc = written(|w| {
        let mut c = HealthDocument::begin(w, &HealthHead::new(HealthStatus::Warn))?
            .checks()?
            .begin_check(Some("q\""), None)?;
        c.entry(&entry)?;
        c.end_check()?.finish(&[("r\\", "u\t")])
    });
    assert_eq!(
        doc,
        "{\"status\":\"warn\",\"checks\":{\"q\\\"\":[{\"componentId\":\"a\\\"b\\\\c\\u000a\",\"status\":\"warn\",\"output\":\"é\\u0001\"}]},\"links\":{\"r\\\\\":\"u\\u0009\"}}"
    );
}
