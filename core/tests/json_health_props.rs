//! Properties of the health+json encoder: whatever the strings, numbers and
//! times, the output parses back (with serde_json) to the same values.

#![allow(
    clippy::panic,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing
)]

use proptest::prelude::*;
use supercheck_core::json::{CheckEntry, HealthDocument, HealthHead, HealthStatus, ObservedValue};
use supercheck_core::wire::Writer;

fn status() -> impl Strategy<Value = HealthStatus> {
    prop_oneof![
        Just(HealthStatus::Pass),
        Just(HealthStatus::Warn),
        Just(HealthStatus::Fail)
    ]
}

proptest! {
    #[test]
    fn output_always_parses_back_to_the_same_strings(
        a in any::<String>(), b in any::<String>(), c in any::<String>(),
        n in any::<i64>(), t in -62_167_219_200i64..=253_402_300_799, s in status(),
    ) {
        let component = a.replace(':', "");
        let notes = [b.as_str(), c.as_str()];
        let head = HealthHead { version: Some(&a), notes: &notes, output: Some(&c), ..HealthHead::new(s) };
        let endpoints = [c.as_str()];
        let links = [(b.as_str(), c.as_str())];
        let entry = CheckEntry {
            component_id: Some(&b),
            observed_value: Some(ObservedValue::Str(&c)),
            observed_unit: Some(&a),
            affected_endpoints: &endpoints,
            time: Some(t),
            output: Some(&b),
            links: &links,
            ..CheckEntry::new(s)
        };
        let number = CheckEntry { observed_value: Some(ObservedValue::Int(n)), ..CheckEntry::new(s) };
        let mut buf = vec![0u8; 1024 + 12 * (a.len() + b.len() + c.len()) * 6];
        let mut w = Writer::new(&mut buf);
        let key = if component.is_empty() { None } else { Some(component.as_str()) };
        let mut arr = HealthDocument::begin(&mut w, &head).unwrap().checks().unwrap()
            .begin_check(key, Some("m")).unwrap();
        arr.entry(&entry).unwrap();
        arr.entry(&number).unwrap();
        arr.end_check().unwrap().finish(&[]).unwrap();

        let v: serde_json::Value = serde_json::from_slice(w.written()).unwrap();
        prop_assert_eq!(&v["status"], s.as_str());
        prop_assert_eq!(&v["version"], a.as_str());
        prop_assert_eq!(&v["notes"][1], c.as_str());
        let check_key = match key { Some(k) => format!("{k}:m"), None => "m".to_owned() };
        let e = &v["checks"][&check_key][0];
        prop_assert_eq!(&e["componentId"], b.as_str());
        prop_assert_eq!(&e["observedValue"], c.as_str());
        prop_assert_eq!(&e["links"][&b], c.as_str());
        prop_assert_eq!(&v["checks"][&check_key][1]["observedValue"], n);
        let time = e["time"].as_str().unwrap();
        prop_assert_eq!(time.len(), 20);
        prop_assert_eq!(e.get("output").is_some(), s != HealthStatus::Pass);
        prop_assert_eq!(v.get("output").is_some(), s != HealthStatus::Pass);
    }

    #[test]
    fn decimals_are_written_as_json_numbers_with_their_exact_digits(value in any::<i64>(), decimals in 0u8..=18) {
        let entry = CheckEntry { observed_value: Some(ObservedValue::Decimal { value, decimals }), ..CheckEntry::new(HealthStatus::Pass) };
        let mut buf = vec![0u8; 512];
        let mut w = Writer::new(&mut buf);
        let mut arr = HealthDocument::begin(&mut w, &HealthHead::new(HealthStatus::Pass)).unwrap()
            .checks().unwrap().begin_check(Some("x"), None).unwrap();
        arr.entry(&entry).unwrap();
        arr.end_check().unwrap().finish(&[]).unwrap();
        let doc = std::str::from_utf8(w.written()).unwrap();
        prop_assert!(serde_json::from_str::<serde_json::Value>(doc).unwrap()["checks"]["x"][0]["observedValue"].is_number());
        let text = doc.split("\"observedValue\":").nth(1).unwrap().split(',').next().unwrap();
        // The digits, without the point, are the value; the point sits `decimals` from the end.
        let digits: String = text.chars().filter(|c| *c != '.').collect();
        prop_assert_eq!(digits.parse::<i128>().unwrap(), i128::from(value));
        match text.split_once('.') {
            Some((_, fraction)) => prop_assert_eq!(fraction.len(), usize::from(decimals)),
            None => prop_assert_eq!(decimals, 0),
        }
    }
}
