//! [`ConfigError`]: why a complex-check configuration was refused, naming the
//! check and key at fault.

use core::fmt;

use crate::check::spec::{CheckKind, SpecError};
use crate::json::SyntaxReason;

/// A refused complex-check configuration: where, which check and key, and why.
///
/// Displays as `unknown check "foo"`, `http: missing "port"`,
/// `memory.max_rss: expected a number`, `http.port: port is not in 1..=65535`
/// or `invalid JSON at byte 17: expected ',' or '}'`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct ConfigError<'a> {
    /// Byte offset in the configuration text of the offending value or key
    /// (for a missing key, of the check's object).
    pub offset: usize,
    /// The check at fault, if the error is inside one.
    pub check: Option<CheckKind>,
    /// The key at fault: a known key name, or the text of an unknown one as written.
    pub key: Option<&'a str>,
    /// What is wrong.
    pub kind: ConfigErrorKind,
}

/// What is wrong with a complex-check configuration.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum ConfigErrorKind {
    /// The text is not JSON.
    Syntax(SyntaxReason),
    /// The configuration, or a check's settings, is not a JSON object.
    NotAnObject,
    /// The object has no checks.
    NoChecks,
    /// A top-level key that is no check kind (`key` holds it).
    UnknownCheck,
    /// A check kind given twice.
    DuplicateCheck,
    /// A setting the check does not have (`key` holds it).
    UnknownKey,
    /// A setting given twice.
    DuplicateKey,
    /// A required setting is absent or `null`.
    Missing,
    /// A setting of the wrong JSON type.
    Expected(Expected),
    /// A setting of the right type but an unusable value.
    Invalid(SpecError),
    /// The caller's scratch buffer could not hold the decoded strings.
    ScratchTooSmall,
}

/// The JSON type a setting needs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum Expected {
    /// A string.
    String,
    /// An integer (no fraction or exponent).
    Integer,
    /// Any number.
    Number,
    /// `true` or `false`.
    Boolean,
    /// An object whose values are strings.
    StringObject,
    /// A port number or a pattern string.
    Port,
    /// A string or an array of strings.
    Command,
    /// A status code, a pattern string, or an array of those.
    StatusList,
}

impl Expected {
    /// The phrase used in messages: "a string", "an integer"...
    pub const fn as_str(self) -> &'static str {
        match self {
            Expected::String => "a string",
            Expected::Integer => "an integer",
            Expected::Number => "a number",
            Expected::Boolean => "true or false",
            Expected::StringObject => "an object of strings",
            Expected::Port => "a port number or a pattern string",
            Expected::Command => "a string or an array of strings",
            Expected::StatusList => "a status code, a pattern string or an array of them",
        }
    }
}

impl fmt::Display for Expected {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl<'a> ConfigError<'a> {
    /// An error at `offset` with no check or key.
    pub(crate) const fn at(offset: usize, kind: ConfigErrorKind) -> Self {
        Self {
            offset,
            check: None,
            key: None,
            kind,
        }
    }

    /// The same error, inside `check`.
    pub(crate) const fn in_check(mut self, check: CheckKind) -> Self {
        self.check = Some(check);
        self
    }

    /// The same error, about `key`.
    pub(crate) const fn for_key(mut self, key: &'a str) -> Self {
        self.key = Some(key);
        self
    }
}

impl fmt::Display for ConfigError<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let key = self.key.unwrap_or_default();
        match (self.kind, self.check) {
            (ConfigErrorKind::Syntax(reason), _) => {
                return write!(f, "invalid JSON at byte {}: {reason}", self.offset);
            }
            (ConfigErrorKind::NotAnObject, None) => {
                return f.write_str("check config must be a JSON object");
            }
            (ConfigErrorKind::NoChecks, _) => return f.write_str("check config has no checks"),
            (ConfigErrorKind::UnknownCheck, _) => return write!(f, "unknown check \"{key}\""),
            (ConfigErrorKind::DuplicateCheck, Some(check)) => {
                return write!(f, "duplicate check \"{check}\"");
            }
            _ => {}
        }
        if let Some(check) = self.check {
            f.write_str(check.name())?;
        }
        let key_in_path = matches!(
            self.kind,
            ConfigErrorKind::Expected(_) | ConfigErrorKind::Invalid(_)
        );
        if key_in_path && self.key.is_some() {
            write!(f, ".{key}")?;
        }
        if self.check.is_some() || (key_in_path && self.key.is_some()) {
            f.write_str(": ")?;
        }
        match self.kind {
            ConfigErrorKind::NotAnObject => f.write_str("expected an object"),
            ConfigErrorKind::UnknownKey => write!(f, "unknown key \"{key}\""),
            ConfigErrorKind::DuplicateKey => write!(f, "duplicate key \"{key}\""),
            ConfigErrorKind::Missing => write!(f, "missing \"{key}\""),
            ConfigErrorKind::Expected(e) => write!(f, "expected {e}"),
            ConfigErrorKind::Invalid(e) => write!(f, "{e}"),
            ConfigErrorKind::ScratchTooSmall => f.write_str(
                "scratch buffer too small to decode the strings (the text's length always suffices)",
            ),
            ConfigErrorKind::DuplicateCheck => f.write_str("duplicate check"),
            ConfigErrorKind::Syntax(_)
            | ConfigErrorKind::NoChecks
            | ConfigErrorKind::UnknownCheck => Ok(()),
        }
    }
}

impl core::error::Error for ConfigError<'_> {}
