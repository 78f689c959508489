//! [`Table`]: one TOML table being read, with its key path and position.
//! Every value it hands out has been checked for its key; every refusal it
//! makes is an [`AgentFileError`] at the right line and column.

use toml::Spanned;
use toml::de::{DeString, DeTable, DeValue};

use super::error::{AgentFileError, ErrorKind};
use super::source::{Source, join};
use super::suggest::closest;
use super::value::{Refusal, type_name};

/// A spanned TOML value.
pub(crate) type Value<'i> = Spanned<DeValue<'i>>;

/// One table of the file.
pub(crate) struct Table<'a, 'i> {
    source: &'a Source<'a>,
    path: String,
    table: &'a DeTable<'i>,
    start: usize,
}

impl<'a, 'i> Table<'a, 'i> {
    /// `table`, at key path `path`, whose header (or first character) is at `start`.
    pub(crate) fn new(
        source: &'a Source<'a>,
        path: String,
        table: &'a DeTable<'i>,
        start: usize,
    ) -> Self {
        Self {
            source,
            path,
            table,
            start,
        }
    }

    /// The source being read.
    pub(crate) fn source(&self) -> &'a Source<'a> {
        self.source
    }

    /// Renames the table in messages (a check, once its name is known).
    pub(crate) fn set_path(&mut self, path: String) {
        self.path = path;
    }

    /// Where the table starts.
    pub(crate) fn start(&self) -> usize {
        self.start
    }

    /// The entries in the order they are written.
    pub(crate) fn entries(&self) -> Vec<(&'a Spanned<DeString<'i>>, &'a Value<'i>)> {
        let mut entries: Vec<_> = self.table.iter().collect();
        entries.sort_by_key(|(k, _)| k.span().start);
        entries
    }

    /// Refuses the first key (in file order) that is not in `known`,
    /// suggesting the closest. `table` says what this table is; `elsewhere`
    /// names other places the key would be valid (the other check kinds).
    pub(crate) fn refuse_unknown(
        &self,
        known: &[&'static str],
        table: &str,
        elsewhere: impl Fn(&str) -> Vec<&'static str>,
    ) -> Result<(), AgentFileError> {
        for (key, _) in self.entries() {
            let name: &str = key.get_ref();
            if known.contains(&name) {
                continue;
            }
            let other_kinds = elsewhere(name);
            let suggestion = if other_kinds.is_empty() {
                closest(name, known)
            } else {
                None
            };
            return Err(self.source.error(
                key.span().start,
                &join(&self.path, name),
                ErrorKind::UnknownKey {
                    key: name.to_string(),
                    suggestion,
                    other_kinds,
                    table: table.to_string(),
                },
            ));
        }
        Ok(())
    }

    /// The value of `key`, if present.
    pub(crate) fn get(&self, key: &str) -> Option<&'a Value<'i>> {
        self.table.get(key)
    }

    /// The key path of `key` in this table.
    pub(crate) fn key(&self, key: &str) -> String {
        if key.is_empty() {
            return self.path.clone();
        }
        join(&self.path, key)
    }

    /// An error of `kind` about `key` (a path below this table) at `offset`.
    pub(crate) fn error(&self, offset: usize, key: &str, kind: ErrorKind) -> AgentFileError {
        self.source.error(offset, &self.key(key), kind)
    }

    /// `value` (of `key`, or of an element below it) refused for `why`.
    pub(crate) fn refused(&self, key: &str, value: &Value<'_>, why: Refusal) -> AgentFileError {
        let kind = match why {
            Refusal::WrongType(expected) => ErrorKind::WrongType {
                expected,
                found: type_name(value.get_ref()),
            },
            Refusal::Invalid(message) => ErrorKind::Invalid(message),
        };
        self.error(value.span().start, key, kind)
    }

    /// `key` is required and absent.
    pub(crate) fn missing(&self, key: &str, hint: &str) -> AgentFileError {
        self.error(
            self.start,
            key,
            ErrorKind::Missing {
                hint: hint.to_string(),
            },
        )
    }

    /// `key` read by `read`, if present.
    pub(crate) fn read<T>(
        &self,
        key: &str,
        read: impl FnOnce(&DeValue<'i>) -> Result<T, Refusal>,
    ) -> Result<Option<T>, AgentFileError> {
        self.get(key)
            .map(|value| read(value.get_ref()).map_err(|why| self.refused(key, value, why)))
            .transpose()
    }

    /// `key` read by `read`; absent, it is missing (`hint` says why it is needed).
    pub(crate) fn require<T>(
        &self,
        key: &str,
        hint: &str,
        read: impl FnOnce(&DeValue<'i>) -> Result<T, Refusal>,
    ) -> Result<T, AgentFileError> {
        self.read(key, read)?.ok_or_else(|| self.missing(key, hint))
    }

    /// `key` as a table (`expected` names what it holds), if present.
    pub(crate) fn table(
        &self,
        key: &str,
        expected: &'static str,
    ) -> Result<Option<Table<'a, 'i>>, AgentFileError> {
        let Some(value) = self.get(key) else {
            return Ok(None);
        };
        match value.get_ref() {
            DeValue::Table(table) => Ok(Some(Table::new(
                self.source,
                self.key(key),
                table,
                value.span().start,
            ))),
            _ => Err(self.refused(key, value, Refusal::WrongType(expected))),
        }
    }

    /// `key` as an array (`expected` names what it holds), if present.
    pub(crate) fn array(
        &self,
        key: &str,
        expected: &'static str,
    ) -> Result<Option<(&'a Value<'i>, &'a [Value<'i>])>, AgentFileError> {
        let Some(value) = self.get(key) else {
            return Ok(None);
        };
        match value.get_ref() {
            DeValue::Array(items) => Ok(Some((value, items))),
            _ => Err(self.refused(key, value, Refusal::WrongType(expected))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::agent_file::value::string;

    #[test]
    fn unknown_keys_are_found_in_file_order_with_a_suggestion() {
        let text = "zzz_last = 1\ntimout = 2\n";
        let source = Source::new("f.toml", text);
        let doc = DeTable::parse(text).unwrap();
        let table = Table::new(&source, "check[1]".into(), doc.get_ref(), 0);
        let e = table
            .refuse_unknown(&["timeout", "zzz_last"], "a tcp check", |_| Vec::new())
            .unwrap_err();
        assert_eq!(
            e.to_string(),
            "f.toml:2:1: check[1].timout: unknown key \"timout\" in a tcp check; did you mean \"timeout\"?"
        );
    }

    #[test]
    fn wrong_types_and_missing_keys_are_placed() {
        let text = "[t]\nurl = 5\n";
        let source = Source::new("f.toml", text);
        let doc = DeTable::parse(text).unwrap();
        let top = Table::new(&source, String::new(), doc.get_ref(), 0);
        let t = top.table("t", "a table").unwrap().unwrap();
        let e = t
            .read("url", |v| string(v).map(str::to_string))
            .unwrap_err();
        assert_eq!(
            e.to_string(),
            "f.toml:2:7: t.url: expected a string, found an integer"
        );
        let e = t
            .require("port", "a port is needed", |v| {
                string(v).map(str::to_string)
            })
            .unwrap_err();
        assert_eq!(
            e.to_string(),
            "f.toml:1:1: t.port: required key is missing (a port is needed)"
        );
        assert!(top.array("t", "an array").is_err());
    }
}
