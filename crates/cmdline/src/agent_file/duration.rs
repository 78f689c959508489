//! Durations: a number of seconds (`2`, `0.25`) or a string with units
//! (`"1500ms"`, `"2s"`, `"10m"`, `"1h"`, `"1h30m"`, and `"2"` or `"2.5"`
//! for seconds).
//!
//! The resolution is the millisecond (fractions below it are dropped),
//! the largest duration 10⁹ seconds (about 31 years), as everywhere in
//! the core. Negative values, NaN and infinities are refused; whether zero
//! is allowed is the key's business ([`positive`]).

use supercheck_core::time::Duration;
use toml::de::DeValue;

use super::value::{Refusal, integer};

/// What a duration key takes, for "expected ..." messages.
pub(crate) const EXPECTED: &str =
    "a duration (seconds as a number, or a string such as \"1500ms\", \"2s\", \"10m\", \"1h\")";

/// The largest duration, in milliseconds: 10⁹ seconds.
const MAX_MILLIS: u64 = 1_000_000_000_000;

/// The units, largest first, with their length in milliseconds.
const UNITS: [(&str, u64); 4] = [("h", 3_600_000), ("m", 60_000), ("s", 1_000), ("ms", 1)];

fn too_large() -> Refusal {
    Refusal::Invalid("is too large (at most 1000000000 seconds)".into())
}

fn negative() -> Refusal {
    Refusal::Invalid("must not be negative".into())
}

/// A duration from a TOML integer, float or string.
pub(crate) fn duration(value: &DeValue<'_>) -> Result<Duration, Refusal> {
    match value {
        DeValue::Integer(_) => {
            let secs = integer(value, EXPECTED)?;
            let secs = u64::try_from(secs).map_err(|_| negative())?;
            if secs > MAX_MILLIS / 1000 {
                return Err(too_large());
            }
            Ok(Duration::from_secs(secs))
        }
        DeValue::Float(f) => {
            let secs: f64 = f.as_str().parse().map_err(|_| too_large())?;
            from_secs_f64(secs)
        }
        DeValue::String(text) => text_duration(text),
        _ => Err(Refusal::WrongType(EXPECTED)),
    }
}

/// A duration that must not be zero.
pub(crate) fn positive(value: &DeValue<'_>) -> Result<Duration, Refusal> {
    let d = duration(value)?;
    if d == Duration::ZERO {
        return Err(Refusal::Invalid(
            "must be greater than zero (the resolution is 1 ms)".into(),
        ));
    }
    Ok(d)
}

fn from_secs_f64(secs: f64) -> Result<Duration, Refusal> {
    if secs.is_nan() {
        return Err(Refusal::Invalid("is not a number (NaN)".into()));
    }
    if secs < 0.0 {
        return Err(negative());
    }
    let millis = secs * 1000.0;
    // Also refuses infinity. In range, the cast only drops the fraction.
    if millis.is_nan() || millis > MAX_MILLIS as f64 {
        return Err(too_large());
    }
    Ok(Duration::from_millis(millis as u64))
}

/// Reads `"1500ms"`, `"2s"`, `"1h30m"`, `"2"`, `" 2.5 s "`.
pub(crate) fn text_duration(text: &str) -> Result<Duration, Refusal> {
    let bad = |why: &str| {
        Refusal::Invalid(format!(
            "{text:?} is not a duration: {why} (write seconds, or a number with a unit: \"1500ms\", \"2s\", \"10m\", \"1h\", \"1h30m\")"
        ))
    };
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return Err(bad("it is empty"));
    }
    if trimmed.starts_with('-') {
        return Err(negative());
    }
    let mut rest = trimmed;
    let mut total: u64 = 0;
    let mut last_unit: Option<usize> = None;
    let mut parts = 0;
    while !rest.is_empty() {
        let number_len = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        let (number, after) = rest.split_at(number_len);
        if number.is_empty() {
            return Err(bad("a number must come before each unit"));
        }
        if number.starts_with('.') || number.ends_with('.') || number.matches('.').count() > 1 {
            return Err(bad(&format!("{number:?} is not a number")));
        }
        let after = after.trim_start();
        let unit_len = after
            .find(|c: char| !c.is_ascii_alphabetic())
            .unwrap_or(after.len());
        let (unit, after) = after.split_at(unit_len);
        parts += 1;
        let scale = if unit.is_empty() {
            if parts > 1 || !after.trim().is_empty() {
                return Err(bad("every part of a compound duration needs a unit"));
            }
            1_000
        } else {
            let Some(index) = UNITS.iter().position(|(u, _)| *u == unit) else {
                return Err(bad(&format!("unknown unit {unit:?}, use ms, s, m or h")));
            };
            if last_unit.is_some_and(|last| index <= last) {
                return Err(bad(
                    "units must go from hours down to milliseconds, each once",
                ));
            }
            last_unit = Some(index);
            UNITS.get(index).map_or(1, |(_, scale)| *scale)
        };
        let value: f64 = number.parse().map_err(|_| bad("bad number"))?;
        let millis = value * scale as f64;
        if millis.is_nan() || millis > MAX_MILLIS as f64 {
            return Err(too_large());
        }
        total = total.saturating_add(millis as u64);
        if total > MAX_MILLIS {
            return Err(too_large());
        }
        rest = after.trim_start();
    }
    Ok(Duration::from_millis(total))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(toml: &str) -> Result<Duration, Refusal> {
        let text = format!("d = {toml}");
        let table = toml::de::DeTable::parse(&text).unwrap();
        let value = table.get_ref().get("d").unwrap();
        duration(value.get_ref())
    }

    fn millis(toml: &str) -> u64 {
        parse(toml)
            .unwrap_or_else(|e| panic!("{toml}: {e:?}"))
            .millis()
    }

    fn refusal(toml: &str) -> String {
        match parse(toml) {
            Ok(d) => panic!("{toml} accepted as {d:?}"),
            Err(Refusal::Invalid(m)) => m,
            Err(Refusal::WrongType(e)) => format!("wrong type, expected {e}"),
        }
    }

    #[test]
    fn numbers_are_seconds() {
        assert_eq!(millis("2"), 2_000);
        assert_eq!(millis("0"), 0);
        assert_eq!(millis("0.25"), 250);
        assert_eq!(millis("1e3"), 1_000_000);
        assert_eq!(millis("1_000"), 1_000_000);
        assert_eq!(millis("0x10"), 16_000);
        assert_eq!(millis("0.0004"), 0, "below the resolution: dropped");
    }

    #[test]
    fn strings_take_units() {
        assert_eq!(millis("\"1500ms\""), 1_500);
        assert_eq!(millis("\"2s\""), 2_000);
        assert_eq!(millis("\"10m\""), 600_000);
        assert_eq!(millis("\"1h\""), 3_600_000);
        assert_eq!(millis("\"1h30m\""), 5_400_000);
        assert_eq!(millis("\"1m 30s\""), 90_000);
        assert_eq!(millis("\"2.5s\""), 2_500);
        assert_eq!(millis("\" 2 s \""), 2_000);
        assert_eq!(millis("\"2\""), 2_000);
        assert_eq!(millis("\"2.5\""), 2_500);
        assert_eq!(millis("\"0ms\""), 0);
    }

    #[test]
    fn bad_durations_say_why() {
        for (toml, why) in [
            ("-1", "must not be negative"),
            ("-0.5", "must not be negative"),
            ("\"-2s\"", "must not be negative"),
            ("nan", "NaN"),
            ("inf", "too large"),
            ("1e10", "too large"),
            ("9223372036854775807", "too large"),
            ("\"2000000000s\"", "too large"),
            ("\"99999999999999999999h\"", "too large"),
            ("\"\"", "empty"),
            ("\"2 minutes\"", "unknown unit \"minutes\""),
            ("\"2sec\"", "unknown unit"),
            ("\"s\"", "a number must come before"),
            ("\"1.2.3s\"", "is not a number"),
            ("\".5s\"", "is not a number"),
            ("\"30s1m\"", "from hours down"),
            ("\"1s1s\"", "from hours down"),
            ("\"1m30\"", "needs a unit"),
            ("\"2 3\"", "needs a unit"),
            ("\"+2s\"", "a number must come before"),
            ("true", "wrong type"),
            ("[1]", "wrong type"),
        ] {
            let message = refusal(toml);
            assert!(message.contains(why), "{toml}: {message}");
        }
    }

    #[test]
    fn zero_is_refused_where_a_duration_must_be_positive() {
        let table = toml::de::DeTable::parse("a = 0\nb = \"0.4ms\"\nc = \"1ms\"").unwrap();
        let get = |k: &str| table.get_ref().get(k).unwrap().get_ref().clone();
        assert!(
            matches!(positive(&get("a")), Err(Refusal::Invalid(m)) if m.contains("greater than zero"))
        );
        assert!(positive(&get("b")).is_err());
        assert_eq!(positive(&get("c")).map(Duration::millis), Ok(1));
    }
}
