//! One TOML value read as what a key takes: a string, an integer, a number,
//! a boolean. A refusal ([`Refusal`]) has no position yet: the table reader
//! ([`super::reader`]) places it at the value's span.

use toml::de::DeValue;

/// Why a value was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Refusal {
    /// The value is not of the TOML type the key takes (what it takes).
    WrongType(&'static str),
    /// The value is of the right type but unusable (why).
    Invalid(String),
}

impl Refusal {
    /// An unusable value, saying why.
    pub(crate) fn invalid(why: impl std::fmt::Display) -> Self {
        Refusal::Invalid(why.to_string())
    }
}

/// The TOML type of `value`, for "found ..." messages.
pub(crate) fn type_name(value: &DeValue<'_>) -> &'static str {
    match value {
        DeValue::String(_) => "a string",
        DeValue::Integer(_) => "an integer",
        DeValue::Float(_) => "a float",
        DeValue::Boolean(_) => "a boolean",
        DeValue::Datetime(_) => "a date-time",
        DeValue::Array(_) => "an array",
        DeValue::Table(_) => "a table",
    }
}

/// A TOML integer (any radix); `expected` names the key's type otherwise.
pub(crate) fn integer(value: &DeValue<'_>, expected: &'static str) -> Result<i64, Refusal> {
    match value {
        DeValue::Integer(n) => {
            i64::from_str_radix(n.as_str(), n.radix()).map_err(|_| Refusal::invalid("is too large"))
        }
        _ => Err(Refusal::WrongType(expected)),
    }
}

/// An integer in `min..=max`.
pub(crate) fn integer_in(
    value: &DeValue<'_>,
    expected: &'static str,
    min: i64,
    max: i64,
) -> Result<i64, Refusal> {
    let n = integer(value, expected)?;
    if n < min || n > max {
        return Err(Refusal::invalid(format!(
            "{n} is out of range: must be in {min}..={max}"
        )));
    }
    Ok(n)
}

/// A TOML integer or float, as a float (NaN and infinities included: the
/// caller decides).
pub(crate) fn number(value: &DeValue<'_>, expected: &'static str) -> Result<f64, Refusal> {
    match value {
        DeValue::Integer(_) => integer(value, expected).map(|n| n as f64),
        DeValue::Float(f) => f
            .as_str()
            .parse()
            .map_err(|_| Refusal::invalid("is not a number")),
        _ => Err(Refusal::WrongType(expected)),
    }
}

/// A TOML string.
pub(crate) fn string<'v>(value: &'v DeValue<'_>) -> Result<&'v str, Refusal> {
    match value {
        DeValue::String(s) => Ok(s.as_ref()),
        _ => Err(Refusal::WrongType("a string")),
    }
}

/// A TOML string that is not blank and holds no control character.
pub(crate) fn text<'v>(value: &'v DeValue<'_>) -> Result<&'v str, Refusal> {
    let s = string(value)?;
    if s.trim().is_empty() {
        return Err(Refusal::invalid("must not be empty"));
    }
    if s.chars().any(char::is_control) {
        return Err(Refusal::invalid("must not contain control characters"));
    }
    Ok(s)
}

/// A TOML boolean.
pub(crate) fn boolean(value: &DeValue<'_>) -> Result<bool, Refusal> {
    match value {
        DeValue::Boolean(b) => Ok(*b),
        _ => Err(Refusal::WrongType("true or false")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn value(toml: &str) -> DeValue<'static> {
        // Test values live for the whole test run.
        let text: &'static str = Box::leak(format!("v = {toml}").into_boxed_str());
        let mut table = toml::de::DeTable::parse(text).unwrap().into_inner();
        table.remove("v").unwrap().into_inner()
    }

    #[test]
    fn integers_in_every_radix_and_their_range() {
        assert_eq!(integer(&value("0x1F"), "n"), Ok(31));
        assert_eq!(integer(&value("-7"), "n"), Ok(-7));
        assert_eq!(
            integer_in(&value("70000"), "n", 1, 65535),
            Err(Refusal::invalid(
                "70000 is out of range: must be in 1..=65535"
            ))
        );
        assert_eq!(
            integer(&value("1.5"), "an integer"),
            Err(Refusal::WrongType("an integer"))
        );
    }

    #[test]
    fn numbers_strings_and_booleans() {
        assert_eq!(number(&value("2"), "n"), Ok(2.0));
        assert_eq!(number(&value("2.5"), "n"), Ok(2.5));
        assert!(number(&value("nan"), "n").is_ok_and(f64::is_nan));
        assert_eq!(
            text(&value("\" \"")),
            Err(Refusal::invalid("must not be empty"))
        );
        assert_eq!(
            text(&value("\"a\\u0007\"")),
            Err(Refusal::invalid("must not contain control characters"))
        );
        assert_eq!(
            boolean(&value("1")),
            Err(Refusal::WrongType("true or false"))
        );
        assert_eq!(type_name(&value("1979-05-27")), "a date-time");
        assert_eq!(type_name(&value("{}")), "a table");
    }
}
