//! The `--config FILE` format: HealthCheck.Server's (click-config-file with
//! ConfigObj in unrepr mode), one `name=value` per line.
//!
//! A value is a Python literal: a quoted string (`'...'` or `"..."`, with
//! backslash escapes), an integer, `True`/`False`, `None`, or a list of those
//! (`["a", "b"]`). Blank lines and lines starting with `#` are ignored, as is
//! a `#` comment after a value. Anything else is an error naming the line.

use std::collections::BTreeMap;
use std::fmt;

/// One value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Value {
    /// A string.
    Str(String),
    /// An integer.
    Int(i64),
    /// `True` or `False`.
    Bool(bool),
    /// `None`.
    None,
    /// A list.
    List(Vec<Value>),
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Str(s) => write!(f, "{s:?}"),
            Value::Int(n) => write!(f, "{n}"),
            Value::Bool(b) => f.write_str(if *b { "True" } else { "False" }),
            Value::None => f.write_str("None"),
            Value::List(items) => {
                f.write_str("[")?;
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{item}")?;
                }
                f.write_str("]")
            }
        }
    }
}

/// A parsed file: option name to (value, line number).
pub type Settings = BTreeMap<String, (Value, usize)>;

/// Parses the whole file.
///
/// # Errors
/// `line N: reason` for the first line that is not `name = literal`.
pub fn parse(text: &str) -> Result<Settings, String> {
    let mut settings = Settings::new();
    for (index, raw) in text.lines().enumerate() {
        let number = index + 1;
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let (name, value) = line
            .split_once('=')
            .ok_or_else(|| format!("line {number}: expected name=value, got {line:?}"))?;
        let name = name.trim();
        if name.is_empty()
            || !name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        {
            return Err(format!("line {number}: {name:?} is not an option name"));
        }
        let mut cursor = Cursor {
            rest: value.trim_start(),
        };
        let value = cursor
            .value(0)
            .map_err(|e| format!("line {number}: {name}: {e}"))?;
        let rest = cursor.rest.trim_start();
        if !rest.is_empty() && !rest.starts_with('#') {
            return Err(format!(
                "line {number}: {name}: unexpected {rest:?} after the value"
            ));
        }
        settings.insert(name.replace('-', "_"), (value, number));
    }
    Ok(settings)
}

struct Cursor<'a> {
    rest: &'a str,
}

impl Cursor<'_> {
    fn value(&mut self, depth: u8) -> Result<Value, String> {
        self.rest = self.rest.trim_start();
        let mut chars = self.rest.chars();
        match chars.next() {
            Some(quote @ ('"' | '\'')) => self.string(quote),
            Some('[') if depth < 4 => {
                self.rest = chars.as_str();
                self.list(depth)
            }
            Some(_) => self.word(),
            None => Err("missing value".into()),
        }
    }

    fn string(&mut self, quote: char) -> Result<Value, String> {
        let mut out = String::new();
        let mut chars = self.rest.char_indices().skip(1);
        while let Some((i, c)) = chars.next() {
            match c {
                '\\' => match chars.next().map(|(_, c)| c) {
                    Some('n') => out.push('\n'),
                    Some('t') => out.push('\t'),
                    Some(c) => out.push(c),
                    None => break,
                },
                c if c == quote => {
                    self.rest = self.rest.get(i + c.len_utf8()..).unwrap_or_default();
                    return Ok(Value::Str(out));
                }
                c => out.push(c),
            }
        }
        Err("unterminated string".into())
    }

    fn list(&mut self, depth: u8) -> Result<Value, String> {
        let mut items = Vec::new();
        loop {
            self.rest = self.rest.trim_start();
            if let Some(rest) = self.rest.strip_prefix(']') {
                self.rest = rest;
                return Ok(Value::List(items));
            }
            items.push(self.value(depth + 1)?);
            self.rest = self.rest.trim_start();
            if let Some(rest) = self.rest.strip_prefix(',') {
                self.rest = rest;
            } else if !self.rest.starts_with(']') {
                return Err("expected ',' or ']' in the list".into());
            }
        }
    }

    fn word(&mut self) -> Result<Value, String> {
        let end = self
            .rest
            .find(|c: char| c.is_whitespace() || matches!(c, ',' | ']' | '#'))
            .unwrap_or(self.rest.len());
        let (word, rest) = self.rest.split_at(end);
        self.rest = rest;
        match word {
            "True" | "true" => Ok(Value::Bool(true)),
            "False" | "false" => Ok(Value::Bool(false)),
            "None" => Ok(Value::None),
            w => w
                .parse::<i64>()
                .map(Value::Int)
                .map_err(|_| format!("{w:?} is not a literal (quote strings: unrepr mode)")),
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn unrepr_literals_comments_and_lists_are_read() {
        let text = "# settings\nport = 9090\nbind_addr='127.0.0.1'  # local\n\
                    debug=True\nwebhook = [\"http://a/x\", 'http://b/y']\nstate-dir = \"/tmp/s\"\n";
        let s = parse(text).unwrap();
        assert_eq!(s["port"].0, Value::Int(9090));
        assert_eq!(s["bind_addr"], (Value::Str("127.0.0.1".into()), 3));
        assert_eq!(s["debug"].0, Value::Bool(true));
        assert_eq!(
            s["webhook"].0,
            Value::List(vec![
                Value::Str("http://a/x".into()),
                Value::Str("http://b/y".into())
            ])
        );
        assert!(s.contains_key("state_dir"));
    }

    #[test]
    fn bare_words_and_junk_name_the_line() {
        assert_eq!(
            parse("port=1\nbind_addr=localhost\n").unwrap_err(),
            "line 2: bind_addr: \"localhost\" is not a literal (quote strings: unrepr mode)"
        );
        assert!(parse("just words").unwrap_err().starts_with("line 1:"));
        assert!(parse("a='x' y").is_err());
        assert!(parse("a='x").is_err());
        assert!(parse("a=[1, 2").is_err());
    }
}
