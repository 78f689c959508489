//! [`Members`]: writes the members of one JSON object, commas included.

use crate::json::escape::write_json_string;
use crate::wire::{Overflow, Writer};

/// Writes `"key":value` members of an object whose `{` is already written,
/// putting a comma before every member but the first.
pub(super) struct Members<'x, 'b> {
    pub(super) w: &'x mut Writer<'b>,
    first: bool,
}

impl<'x, 'b> Members<'x, 'b> {
    /// Members of an object that has none yet.
    pub(super) fn new(w: &'x mut Writer<'b>) -> Self {
        Self { w, first: true }
    }

    /// Members of an object that already has some.
    pub(super) fn after_first(w: &'x mut Writer<'b>) -> Self {
        Self { w, first: false }
    }

    /// `,"key":` — the caller writes the value.
    pub(super) fn key(&mut self, key: &str) -> Result<(), Overflow> {
        if !core::mem::take(&mut self.first) {
            self.w.put_byte(b',')?;
        }
        write_json_string(self.w, key)?;
        self.w.put_byte(b':')
    }

    /// A string member.
    pub(super) fn string(&mut self, key: &str, value: &str) -> Result<(), Overflow> {
        self.key(key)?;
        write_json_string(self.w, value)
    }

    /// A string member, left out when `None`.
    pub(super) fn optional(&mut self, key: &str, value: Option<&str>) -> Result<(), Overflow> {
        match value {
            Some(v) => self.string(key, v),
            None => Ok(()),
        }
    }

    /// An array-of-strings member, left out when empty.
    pub(super) fn strings(&mut self, key: &str, values: &[&str]) -> Result<(), Overflow> {
        if values.is_empty() {
            return Ok(());
        }
        self.key(key)?;
        self.w.put_byte(b'[')?;
        for (i, v) in values.iter().enumerate() {
            if i > 0 {
                self.w.put_byte(b',')?;
            }
            write_json_string(self.w, v)?;
        }
        self.w.put_byte(b']')
    }

    /// An object-of-strings member (relation → URI), left out when empty.
    pub(super) fn links(&mut self, key: &str, links: &[(&str, &str)]) -> Result<(), Overflow> {
        if links.is_empty() {
            return Ok(());
        }
        self.key(key)?;
        self.w.put_byte(b'{')?;
        let mut inner = Members::new(self.w);
        for (rel, uri) in links {
            inner.string(rel, uri)?;
        }
        self.w.put_byte(b'}')
    }
}
