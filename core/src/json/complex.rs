//! The complex check's configuration: a JSON object whose keys are check kinds
//! and whose values are those checks' settings, read into a [`ComplexConfig`].
//!
//! ```text
//! {"memory":{"cumulative":true,"max_rss":4194304},
//!  "http":{"timeout":15,"port":8090,"url":"\/ping","num_retries":3}}
//! ```
//!
//! Checks keep their key order (they run in that order). Unlike
//! supervisor_checks, `file`, `exec` and `heartbeat` are accepted (bug 18), `method`
//! defaults to `GET` (bug 3), xmlrpc targets are judged by value (bug 1), a
//! check given twice or an empty object is refused, and every refusal is a
//! [`ConfigError`] naming the check and key.
//!
//! ## Strings and memory
//!
//! Nothing is allocated. Strings without escapes are borrowed from the text;
//! strings with escapes (`"\/ping"`) are decoded into a scratch buffer the
//! caller lends for as long as the configuration lives. A decoded string is
//! never longer than its JSON form, so a scratch buffer as long as the text
//! always suffices.

mod checks;
mod compound;
mod error;
mod fields;

pub use checks::option_keys;
pub use error::{ConfigError, ConfigErrorKind, Expected};

use crate::check::spec::{CheckKind, CheckSpec, Headers};
use crate::json::scan::{ValueKind, parse_document};
use crate::json::scratch::Scratch;
use checks::read_check;
use fields::{Fields, syntax_error};

/// Most checks a configuration can hold: one of each kind.
pub const MAX_CHECKS: usize = CheckKind::ALL.len();

/// What to do with a key a check does not have.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum UnknownKeys {
    /// Refuse the configuration: a misspelt `num_retires` should not silently
    /// fall back to the default.
    #[default]
    Reject,
    /// Skip it, as supervisor_checks does (its value must still be valid JSON).
    Ignore,
}

/// A parsed complex-check configuration: one [`CheckSpec`] per key, in key order.
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct ComplexConfig<'a> {
    checks: heapless::Vec<CheckSpec<'a>, MAX_CHECKS>,
}

impl<'a> ComplexConfig<'a> {
    /// Parses `text`, refusing unknown keys. Strings with escapes are decoded
    /// into `scratch` (its length in `text.len()` bytes always suffices).
    ///
    /// # Errors
    /// [`ConfigError`] for invalid JSON, a non-object, no checks, an unknown
    /// or repeated check, an unknown, repeated, missing, mistyped or unusable
    /// setting, or a scratch buffer too small.
    pub fn parse(text: &'a [u8], scratch: &'a mut [u8]) -> Result<Self, ConfigError<'a>> {
        Self::parse_with(text, scratch, UnknownKeys::Reject)
    }

    /// Parses `text` with a chosen treatment of unknown keys inside checks.
    ///
    /// # Errors
    /// As [`ComplexConfig::parse`].
    pub fn parse_with(
        text: &'a [u8],
        scratch: &'a mut [u8],
        unknown: UnknownKeys,
    ) -> Result<Self, ConfigError<'a>> {
        let document = parse_document(text).map_err(syntax_error)?;
        let ValueKind::Object(object) = document.kind else {
            return Err(ConfigError::at(
                document.offset,
                ConfigErrorKind::NotAnObject,
            ));
        };
        let mut scratch = Scratch::new(scratch);
        let mut checks = heapless::Vec::new();
        let mut seen = [false; MAX_CHECKS];
        for member in object.members() {
            let member = member.map_err(syntax_error)?;
            let found = CheckKind::ALL
                .iter()
                .enumerate()
                .find(|(_, k)| member.key.decodes_to(k.name()));
            let Some((index, &kind)) = found else {
                return Err(
                    ConfigError::at(member.key_offset, ConfigErrorKind::UnknownCheck)
                        .for_key(member.key.raw()),
                );
            };
            let duplicate =
                ConfigError::at(member.key_offset, ConfigErrorKind::DuplicateCheck).in_check(kind);
            match seen.get_mut(index) {
                Some(flag) if !*flag => *flag = true,
                _ => return Err(duplicate),
            }
            let spec = read_check(kind, member.value, &mut scratch, unknown)?;
            checks.push(spec).map_err(|_| duplicate)?;
        }
        if checks.is_empty() {
            return Err(ConfigError::at(document.offset, ConfigErrorKind::NoChecks));
        }
        Ok(Self { checks })
    }

    /// The checks in configuration order.
    pub fn iter(&self) -> core::slice::Iter<'_, CheckSpec<'a>> {
        self.checks.iter()
    }

    /// The checks as a slice, in configuration order.
    pub fn as_slice(&self) -> &[CheckSpec<'a>] {
        &self.checks
    }

    /// The check of `kind`, if configured.
    pub fn get(&self, kind: CheckKind) -> Option<&CheckSpec<'a>> {
        self.checks.iter().find(|c| c.kind() == kind)
    }

    /// How many checks there are (at least one).
    pub fn len(&self) -> usize {
        self.checks.len()
    }

    /// Always false: a configuration without checks is refused.
    pub fn is_empty(&self) -> bool {
        self.checks.is_empty()
    }
}

impl<'s, 'a> IntoIterator for &'s ComplexConfig<'a> {
    type Item = &'s CheckSpec<'a>;
    type IntoIter = core::slice::Iter<'s, CheckSpec<'a>>;

    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

/// Parses the HTTP check's `--headers` option: a JSON object of strings.
/// Escaped strings are decoded into `scratch` (`text.len()` bytes suffice).
///
/// # Errors
/// [`ConfigError`] (check `http`, key `headers`) for invalid JSON, a value
/// that is not an object of strings, or a header name or value refused by
/// [`Headers::push`].
pub fn parse_headers<'a>(
    text: &'a [u8],
    scratch: &'a mut [u8],
) -> Result<Headers<'a>, ConfigError<'a>> {
    const KEY: [&str; 1] = ["headers"];
    let value = parse_document(text).map_err(syntax_error)?;
    let fields = Fields::single(CheckKind::Http, &KEY, value);
    compound::headers(&fields, "headers", &mut Scratch::new(scratch))
}
