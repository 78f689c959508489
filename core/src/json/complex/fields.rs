//! [`Fields`]: one check's settings object, sorted into slots by key, then
//! converted to typed values by accessors whose errors name the key.
//!
//! Numbers are converted with serde-json-core (`from_str::<i64>` / `<f64>`) on
//! spans the scanner has already checked; strings are decoded into the
//! caller's [`Scratch`] only when they hold escapes.

use super::UnknownKeys;
use super::error::{ConfigError, ConfigErrorKind, Expected};
use crate::check::port::PortSpec;
use crate::check::spec::{CheckKind, SpecError, Timeout, retries_from_i64};
use crate::json::scan::{Value, ValueKind};
use crate::json::scratch::Scratch;
use crate::json::string::JsonStr;
use crate::json::syntax::SyntaxError;

/// The settings of one check, by key. A `null` value counts as absent.
#[derive(Debug)]
pub(crate) struct Fields<'a, const N: usize> {
    check: CheckKind,
    offset: usize,
    keys: &'static [&'static str; N],
    slots: [Option<Value<'a>>; N],
}

/// A syntax error as a configuration error.
pub(crate) fn syntax_error<'a>(e: SyntaxError) -> ConfigError<'a> {
    ConfigError::at(e.offset, ConfigErrorKind::Syntax(e.reason))
}

/// An integer from number text the scanner accepted as one.
pub(crate) fn integer_of(text: &str) -> Result<i64, SpecError> {
    serde_json_core::from_str::<i64>(text)
        .map(|(n, _)| n)
        .map_err(|_| SpecError::TooLarge)
}

/// A float from number text the scanner accepted (infinite when out of range).
pub(crate) fn float_of(text: &str) -> Result<f64, SpecError> {
    serde_json_core::from_str::<f64>(text)
        .map(|(n, _)| n)
        .map_err(|_| SpecError::TooLarge)
}

impl<'a, const N: usize> Fields<'a, N> {
    /// Sorts the members of `value` (which must be an object) by `keys`.
    pub(crate) fn read(
        check: CheckKind,
        value: Value<'a>,
        keys: &'static [&'static str; N],
        unknown: UnknownKeys,
    ) -> Result<Self, ConfigError<'a>> {
        let ValueKind::Object(object) = value.kind else {
            return Err(ConfigError::at(value.offset, ConfigErrorKind::NotAnObject).in_check(check));
        };
        let mut fields = Self {
            check,
            offset: value.offset,
            keys,
            slots: [None; N],
        };
        let mut seen = [false; N];
        for member in object.members() {
            let member = member.map_err(syntax_error)?;
            let Some(index) = keys.iter().position(|k| member.key.decodes_to(k)) else {
                if unknown == UnknownKeys::Reject {
                    return Err(fields
                        .error(member.key_offset, ConfigErrorKind::UnknownKey)
                        .for_key(member.key.raw()));
                }
                continue;
            };
            let name = keys.get(index).copied().unwrap_or_default();
            match seen.get_mut(index) {
                Some(true) => {
                    return Err(fields
                        .error(member.key_offset, ConfigErrorKind::DuplicateKey)
                        .for_key(name));
                }
                Some(flag) => *flag = true,
                None => {}
            }
            if member.value.kind != ValueKind::Null {
                if let Some(slot) = fields.slots.get_mut(index) {
                    *slot = Some(member.value);
                }
            }
        }
        Ok(fields)
    }

    /// Settings holding only `value` under `keys[0]`, for a value parsed on its own.
    pub(crate) fn single(
        check: CheckKind,
        keys: &'static [&'static str; N],
        value: Value<'a>,
    ) -> Self {
        let mut slots = [None; N];
        if let Some(slot) = slots.first_mut() {
            *slot = Some(value);
        }
        Self {
            check,
            offset: value.offset,
            keys,
            slots,
        }
    }

    fn error(&self, offset: usize, kind: ConfigErrorKind) -> ConfigError<'a> {
        ConfigError::at(offset, kind).in_check(self.check)
    }

    /// The value of `key`, unless absent or null.
    pub(crate) fn value(&self, key: &'static str) -> Option<Value<'a>> {
        let index = self.keys.iter().position(|k| *k == key)?;
        self.slots.get(index).copied().flatten()
    }

    /// `key` is absent.
    pub(crate) fn missing(&self, key: &'static str) -> ConfigError<'a> {
        self.error(self.offset, ConfigErrorKind::Missing)
            .for_key(key)
    }

    /// `value` unless it is `None`, in which case `key` is missing.
    pub(crate) fn required<T>(
        &self,
        key: &'static str,
        value: Option<T>,
    ) -> Result<T, ConfigError<'a>> {
        value.ok_or_else(|| self.missing(key))
    }

    /// `key` has a value the check cannot use (or, with no key, the
    /// combination of settings is unusable).
    pub(crate) fn invalid(&self, key: Option<&'static str>, e: SpecError) -> ConfigError<'a> {
        let offset = key
            .and_then(|k| self.value(k))
            .map_or(self.offset, |v| v.offset);
        let error = self.error(offset, ConfigErrorKind::Invalid(e));
        match key {
            Some(k) => error.for_key(k),
            None => error,
        }
    }

    /// A part of `key`'s value, at `offset`, is unusable.
    pub(crate) fn invalid_at(
        &self,
        offset: usize,
        key: &'static str,
        e: SpecError,
    ) -> ConfigError<'a> {
        self.error(offset, ConfigErrorKind::Invalid(e)).for_key(key)
    }

    /// A value of `key` (possibly nested in it) has the wrong type.
    pub(crate) fn expected(
        &self,
        at: &Value<'a>,
        key: &'static str,
        e: Expected,
    ) -> ConfigError<'a> {
        self.error(at.offset, ConfigErrorKind::Expected(e))
            .for_key(key)
    }

    /// Decodes a string found in `key`.
    pub(crate) fn decode(
        &self,
        key: &'static str,
        at: &Value<'a>,
        s: JsonStr<'a>,
        scratch: &mut Scratch<'a>,
    ) -> Result<&'a str, ConfigError<'a>> {
        scratch.text(s).map_err(|_| {
            self.error(at.offset, ConfigErrorKind::ScratchTooSmall)
                .for_key(key)
        })
    }

    /// A string setting.
    pub(crate) fn string(
        &self,
        key: &'static str,
        scratch: &mut Scratch<'a>,
    ) -> Result<Option<&'a str>, ConfigError<'a>> {
        let Some(v) = self.value(key) else {
            return Ok(None);
        };
        match v.kind {
            ValueKind::String(s) => self.decode(key, &v, s, scratch).map(Some),
            _ => Err(self.expected(&v, key, Expected::String)),
        }
    }

    /// An integer setting.
    pub(crate) fn integer(&self, key: &'static str) -> Result<Option<i64>, ConfigError<'a>> {
        let Some(v) = self.value(key) else {
            return Ok(None);
        };
        match v.kind {
            ValueKind::Number {
                text,
                integer: true,
            } => integer_of(text)
                .map(Some)
                .map_err(|e| self.invalid(Some(key), e)),
            _ => Err(self.expected(&v, key, Expected::Integer)),
        }
    }

    /// A numeric setting, integer or not.
    pub(crate) fn number(&self, key: &'static str) -> Result<Option<f64>, ConfigError<'a>> {
        let Some(v) = self.value(key) else {
            return Ok(None);
        };
        match v.kind {
            ValueKind::Number { text, .. } => float_of(text)
                .map(Some)
                .map_err(|e| self.invalid(Some(key), e)),
            _ => Err(self.expected(&v, key, Expected::Number)),
        }
    }

    /// A boolean setting.
    pub(crate) fn boolean(&self, key: &'static str) -> Result<Option<bool>, ConfigError<'a>> {
        let Some(v) = self.value(key) else {
            return Ok(None);
        };
        match v.kind {
            ValueKind::Bool(b) => Ok(Some(b)),
            _ => Err(self.expected(&v, key, Expected::Boolean)),
        }
    }

    /// A port: an integer, or a string holding an integer or a pattern.
    pub(crate) fn port(
        &self,
        key: &'static str,
        scratch: &mut Scratch<'a>,
    ) -> Result<Option<PortSpec<'a>>, ConfigError<'a>> {
        let Some(v) = self.value(key) else {
            return Ok(None);
        };
        let port = match v.kind {
            ValueKind::Number {
                text,
                integer: true,
            } => {
                PortSpec::from_number(integer_of(text).unwrap_or(i64::MAX)).map_err(SpecError::Port)
            }
            ValueKind::String(s) => {
                let text = self.decode(key, &v, s, scratch)?;
                if text.trim().is_empty() {
                    Err(SpecError::Empty)
                } else {
                    PortSpec::parse(text).map_err(SpecError::Port)
                }
            }
            _ => return Err(self.expected(&v, key, Expected::Port)),
        };
        port.map(Some).map_err(|e| self.invalid(Some(key), e))
    }

    /// A positive timeout in seconds, integer or fractional.
    pub(crate) fn timeout(&self, key: &'static str) -> Result<Option<Timeout>, ConfigError<'a>> {
        let Some(v) = self.value(key) else {
            return Ok(None);
        };
        let timeout = match v.kind {
            ValueKind::Number {
                text,
                integer: true,
            } => integer_of(text).and_then(|n| {
                u64::try_from(n)
                    .map_err(|_| SpecError::Negative)
                    .and_then(Timeout::from_secs)
            }),
            ValueKind::Number { text, .. } => float_of(text).and_then(Timeout::from_secs_f64),
            _ => return Err(self.expected(&v, key, Expected::Number)),
        };
        timeout.map(Some).map_err(|e| self.invalid(Some(key), e))
    }

    /// A retry count: an integer, not negative.
    pub(crate) fn retries(&self, key: &'static str) -> Result<Option<u32>, ConfigError<'a>> {
        self.integer(key)?
            .map(|n| retries_from_i64(n).map_err(|e| self.invalid(Some(key), e)))
            .transpose()
    }
}
