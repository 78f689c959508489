//! [`AgentFileError`]: why an agent file was refused, with the file, the
//! line and column (1-based) and the key path at fault.
//!
//! Displays as `FILE:LINE:COL: KEY: MESSAGE`, for example
//! `agent.toml:7:11: check[2] (web_http).timeout: must be greater than zero`.
//! The key path counts `[[check]]` tables and array elements from 1 and
//! names a check by its `name` once that is known.

use std::fmt;

/// A refused agent file: where, which key, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgentFileError {
    /// The file's path, as given for messages.
    pub file: String,
    /// The line, from 1 (0 only for [`ErrorKind::Unreadable`]).
    pub line: usize,
    /// The column in characters, from 1 (0 only for [`ErrorKind::Unreadable`]).
    pub column: usize,
    /// The key path at fault: `check[2] (web_http).timeout`, `frontend.listen`;
    /// empty for the whole document.
    pub key: String,
    /// What is wrong (boxed: errors travel through every reader's `Result`).
    pub kind: Box<ErrorKind>,
}

/// What is wrong with an agent file.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The file could not be read (the OS error).
    Unreadable(String),
    /// The text is not TOML (the parser's message).
    Syntax(String),
    /// A key the table does not have.
    UnknownKey {
        /// The key as written.
        key: String,
        /// The closest known key, when one is near.
        suggestion: Option<&'static str>,
        /// The kinds of check that do have this key (`["all"]`: every kind).
        other_kinds: Vec<&'static str>,
        /// What the table is (`an http check`, `the [frontend] table`).
        table: String,
    },
    /// A required key is absent (the key path ends with it).
    Missing {
        /// Why it is needed, or what goes with it.
        hint: String,
    },
    /// A value of the wrong TOML type.
    WrongType {
        /// What the key takes.
        expected: &'static str,
        /// The TOML type found.
        found: &'static str,
    },
    /// A value of the right type that cannot be used.
    Invalid(String),
    /// Two `[[check]]` tables with the same `name`.
    DuplicateName {
        /// The name.
        name: String,
        /// Where the first one is: line.
        first_line: usize,
        /// Where the first one is: column.
        first_column: usize,
    },
    /// A target that is no namespec the agent can select.
    BadTarget {
        /// The target as written.
        target: String,
        /// Why.
        reason: String,
    },
    /// `targets = []`.
    EmptyTargets,
    /// Policy keys that make no usable health policy.
    BadPolicy(String),
    /// A port pattern that cannot find a port.
    BadPort {
        /// The pattern.
        pattern: String,
        /// Why.
        reason: String,
    },
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ErrorKind::Unreadable(os) => write!(f, "cannot read the file: {os}"),
            ErrorKind::Syntax(message) => write!(f, "invalid TOML: {message}"),
            ErrorKind::UnknownKey {
                key,
                suggestion,
                other_kinds,
                table,
            } => {
                write!(f, "unknown key {key:?} in {table}")?;
                if let Some(known) = suggestion {
                    write!(f, "; did you mean {known:?}?")?;
                }
                match other_kinds.as_slice() {
                    [] => {}
                    ["all"] => write!(f, " ({key:?} is a key of every check)")?,
                    kinds => write!(f, " ({key:?} is a key of {} checks)", kinds.join(", "))?,
                }
                Ok(())
            }
            ErrorKind::Missing { hint } => {
                f.write_str("required key is missing")?;
                if !hint.is_empty() {
                    write!(f, " ({hint})")?;
                }
                Ok(())
            }
            ErrorKind::WrongType { expected, found } => {
                write!(f, "expected {expected}, found {found}")
            }
            ErrorKind::Invalid(message) | ErrorKind::BadPolicy(message) => f.write_str(message),
            ErrorKind::DuplicateName {
                name,
                first_line,
                first_column,
            } => write!(
                f,
                "check name {name:?} is already used at line {first_line}, column {first_column}: names must be unique"
            ),
            ErrorKind::BadTarget { target, reason } => write!(f, "target {target:?}: {reason}"),
            ErrorKind::EmptyTargets => f.write_str(
                "no targets: list at least one of \"GROUP:*\", \"GROUP:NAME\", \"NAME\" or \"*\"",
            ),
            ErrorKind::BadPort { pattern, reason } => {
                write!(f, "port pattern {pattern:?}: {reason}")
            }
        }
    }
}

impl fmt::Display for AgentFileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line == 0 {
            write!(f, "{}", self.file)?;
        } else {
            write!(f, "{}:{}:{}", self.file, self.line, self.column)?;
        }
        if !self.key.is_empty() {
            write!(f, ": {}", self.key)?;
        }
        write!(f, ": {}", self.kind)
    }
}

impl std::error::Error for AgentFileError {}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(key: &str, kind: ErrorKind) -> AgentFileError {
        AgentFileError {
            file: "agent.toml".into(),
            line: 7,
            column: 11,
            key: key.into(),
            kind: Box::new(kind),
        }
    }

    #[test]
    fn display_is_file_line_column_key_message() {
        let e = at(
            "check[2] (web_http).timeout",
            ErrorKind::Invalid("must be greater than zero".into()),
        );
        assert_eq!(
            e.to_string(),
            "agent.toml:7:11: check[2] (web_http).timeout: must be greater than zero"
        );
        let e = at("", ErrorKind::Syntax("expected `=`".into()));
        assert_eq!(e.to_string(), "agent.toml:7:11: invalid TOML: expected `=`");
    }

    #[test]
    fn unknown_keys_name_the_suggestion_and_the_kinds_that_have_them() {
        let e = at(
            "check[1] (web).timout",
            ErrorKind::UnknownKey {
                key: "timout".into(),
                suggestion: Some("timeout"),
                other_kinds: Vec::new(),
                table: "an http check".into(),
            },
        );
        assert!(
            e.to_string()
                .ends_with("unknown key \"timout\" in an http check; did you mean \"timeout\"?"),
            "{e}"
        );
        let e = at(
            "check[1] (web).max_rss",
            ErrorKind::UnknownKey {
                key: "max_rss".into(),
                suggestion: None,
                other_kinds: vec!["memory"],
                table: "an http check".into(),
            },
        );
        assert!(
            e.to_string()
                .ends_with("(\"max_rss\" is a key of memory checks)"),
            "{e}"
        );
    }

    #[test]
    fn an_unreadable_file_has_no_position() {
        let e = AgentFileError {
            file: "/etc/x.toml".into(),
            line: 0,
            column: 0,
            key: String::new(),
            kind: Box::new(ErrorKind::Unreadable(
                "No such file or directory (os error 2)".into(),
            )),
        };
        assert_eq!(
            e.to_string(),
            "/etc/x.toml: cannot read the file: No such file or directory (os error 2)"
        );
    }
}
