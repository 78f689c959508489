//! The http check's `json` body from a TOML value: a string is JSON text
//! sent as written (as `--json` takes it); a table, an array, a number or a
//! boolean is converted to JSON (tables keep their keys in file order).
//! Date-times, NaN and infinities have no JSON form and are refused.

use supercheck_core::json::RawJson;
use toml::de::DeValue;

use super::value::Refusal;

/// The JSON text of `value`, checked with [`RawJson::parse`].
pub(crate) fn json_body(value: &DeValue<'_>) -> Result<String, Refusal> {
    let text = match value {
        DeValue::String(text) => text.trim().to_string(),
        other => {
            let mut out = String::new();
            write_value(&mut out, other)?;
            out
        }
    };
    RawJson::parse(&text).map_err(|e| Refusal::invalid(format!("is not valid JSON: {e}")))?;
    Ok(text)
}

fn write_value(out: &mut String, value: &DeValue<'_>) -> Result<(), Refusal> {
    match value {
        DeValue::String(s) => write_string(out, s),
        DeValue::Integer(n) => {
            let n = i64::from_str_radix(n.as_str(), n.radix())
                .map_err(|_| Refusal::invalid("holds an integer too large for JSON"))?;
            out.push_str(&n.to_string());
        }
        DeValue::Float(f) => {
            let x: f64 = f
                .as_str()
                .parse()
                .map_err(|_| Refusal::invalid("holds a float that is not a number"))?;
            if !x.is_finite() {
                return Err(Refusal::invalid(
                    "holds nan or inf, which JSON cannot carry",
                ));
            }
            out.push_str(&format!("{x:?}"));
        }
        DeValue::Boolean(b) => out.push_str(if *b { "true" } else { "false" }),
        DeValue::Datetime(_) => {
            return Err(Refusal::invalid(
                "holds a date-time, which JSON cannot carry: quote it as a string",
            ));
        }
        DeValue::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_value(out, item.get_ref())?;
            }
            out.push(']');
        }
        DeValue::Table(table) => {
            let mut entries: Vec<_> = table.iter().collect();
            entries.sort_by_key(|(k, _)| k.span().start);
            out.push('{');
            for (i, (key, item)) in entries.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_string(out, key.get_ref());
                out.push(':');
                write_value(out, item.get_ref())?;
            }
            out.push('}');
        }
    }
    Ok(())
}

fn write_string(out: &mut String, text: &str) {
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if u32::from(c) < 0x20 => out.push_str(&format!("\\u{:04x}", u32::from(c))),
            c => out.push(c),
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(toml: &str) -> Result<String, Refusal> {
        let text = format!("json = {toml}");
        let doc = toml::de::DeTable::parse(&text).unwrap();
        json_body(doc.get_ref().get("json").unwrap().get_ref())
    }

    #[test]
    fn tables_become_objects_in_file_order() {
        assert_eq!(
            body(r#"{ z = 1, a = [true, 2.5, "q\"\n"], n = { } }"#).unwrap(),
            r#"{"z":1,"a":[true,2.5,"q\"\u000a"],"n":{}}"#
        );
        assert_eq!(body("[1, 0x10]").unwrap(), "[1,16]");
        assert_eq!(body("1e3").unwrap(), "1000.0");
    }

    #[test]
    fn strings_are_json_text_as_written() {
        assert_eq!(body(r#"'{"a": 1}'"#).unwrap(), r#"{"a": 1}"#);
        assert_eq!(body(r#"'"hello"'"#).unwrap(), r#""hello""#);
        assert!(
            matches!(body(r#"'{"a": }'"#), Err(Refusal::Invalid(m)) if m.contains("not valid JSON"))
        );
    }

    #[test]
    fn values_without_a_json_form_are_refused() {
        assert!(body("nan").is_err());
        assert!(body("[inf]").is_err());
        assert!(body("{ when = 1979-05-27 }").is_err());
    }
}
