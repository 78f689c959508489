//! The complex check's `heartbeat` key: timeout and device bindings.

#![allow(clippy::panic, clippy::unwrap_used)]

use supercheck_core::check::spec::{CheckKind, CheckSpec, DEFAULT_HEARTBEAT_TIMEOUT, SpecError};
use supercheck_core::json::{ComplexConfig, ConfigErrorKind};
use supercheck_core::time::Duration;

#[test]
fn heartbeat_with_bindings_parses_in_order() {
    let text = r#"{"heartbeat":{"timeout":9,"devices":{"pump":"bridge","fan":"fans:*"}}}"#;
    let mut scratch = vec![0u8; text.len()];
    let config = ComplexConfig::parse(text.as_bytes(), &mut scratch).unwrap();
    let Some(CheckSpec::Heartbeat(spec)) = config.get(CheckKind::Heartbeat) else {
        panic!("no heartbeat check");
    };
    assert_eq!(spec.timeout.get(), Duration::from_secs(9));
    let pairs: Vec<_> = spec
        .bindings()
        .iter()
        .map(|b| (b.device(), b.process()))
        .collect();
    assert_eq!(pairs, [("pump", "bridge"), ("fan", "fans:*")]);
    assert_eq!(spec.device_for("fans", "fan_1"), Some("fan"));
}

#[test]
fn empty_heartbeat_object_takes_the_defaults() {
    let text = r#"{"heartbeat":{}}"#;
    let mut scratch = vec![0u8; text.len()];
    let config = ComplexConfig::parse(text.as_bytes(), &mut scratch).unwrap();
    let Some(CheckSpec::Heartbeat(spec)) = config.get(CheckKind::Heartbeat) else {
        panic!("no heartbeat check");
    };
    assert_eq!(spec.timeout, DEFAULT_HEARTBEAT_TIMEOUT);
    assert!(spec.bindings().is_empty());
}

#[test]
fn bad_device_names_are_refused_naming_the_key() {
    for (text, reason) in [
        (
            r#"{"heartbeat":{"devices":{"pu mp":"bridge"}}}"#,
            SpecError::DeviceName,
        ),
        (
            r#"{"heartbeat":{"devices":{"pump":""}}}"#,
            SpecError::ProcessName,
        ),
        (
            r#"{"heartbeat":{"devices":{"a":"x","b":"x"}}}"#,
            SpecError::DuplicateBinding,
        ),
    ] {
        let mut scratch = vec![0u8; text.len()];
        let error = ComplexConfig::parse(text.as_bytes(), &mut scratch).unwrap_err();
        assert_eq!(error.check, Some(CheckKind::Heartbeat), "{text}");
        assert_eq!(error.key, Some("devices"), "{text}");
        assert_eq!(error.kind, ConfigErrorKind::Invalid(reason), "{text}");
    }
    let text = r#"{"heartbeat":{"devices":["pump"]}}"#;
    let mut scratch = vec![0u8; text.len()];
    assert!(ComplexConfig::parse(text.as_bytes(), &mut scratch).is_err());
}
