//! The text being read, with its name for messages: byte offsets (the TOML
//! parser's spans) become 1-based lines and columns here, and every
//! [`AgentFileError`] is made here.

use super::error::{AgentFileError, ErrorKind};

/// The file being read.
#[derive(Debug)]
pub(crate) struct Source<'t> {
    file: &'t str,
    text: &'t str,
}

impl<'t> Source<'t> {
    /// The text of `file`.
    pub(crate) fn new(file: &'t str, text: &'t str) -> Self {
        Self { file, text }
    }

    /// The 1-based line and column (in characters) of byte `offset`; an
    /// offset past the end or inside a character is moved back onto one.
    pub(crate) fn position(&self, offset: usize) -> (usize, usize) {
        let mut offset = offset.min(self.text.len());
        while offset > 0 && !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        let before = self.text.get(..offset).unwrap_or_default();
        let line_start = before.rfind('\n').map_or(0, |at| at + 1);
        let line = before.matches('\n').count() + 1;
        let column = before.get(line_start..).unwrap_or_default().chars().count() + 1;
        (line, column)
    }

    /// An error at byte `offset`, about `key`.
    pub(crate) fn error(&self, offset: usize, key: &str, kind: ErrorKind) -> AgentFileError {
        let (line, column) = self.position(offset);
        AgentFileError {
            file: self.file.to_string(),
            line,
            column,
            key: key.to_string(),
            kind: Box::new(kind),
        }
    }
}

/// `prefix.key`, or `key` at the top; a key that TOML could not write
/// bare is quoted (`headers."Bad Name"`), an element index (`targets[2]`,
/// from [`element`]) is kept as it is.
pub(crate) fn join(prefix: &str, key: &str) -> String {
    let (name, index) = match key.split_once('[') {
        Some((name, rest))
            if rest
                .strip_suffix(']')
                .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit())) =>
        {
            (name, key.get(name.len()..).unwrap_or_default())
        }
        _ => (key, ""),
    };
    let bare = !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    let name = if bare {
        name.to_string()
    } else {
        format!("{name:?}")
    };
    if prefix.is_empty() {
        format!("{name}{index}")
    } else {
        format!("{prefix}.{name}{index}")
    }
}

/// `prefix[n]`, counting from 1.
pub(crate) fn element(prefix: &str, index: usize) -> String {
    format!("{prefix}[{}]", index + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_become_one_based_lines_and_character_columns() {
        let source = Source::new("f", "a = 1\nné = \"x\"\n");
        assert_eq!(source.position(0), (1, 1));
        assert_eq!(source.position(4), (1, 5));
        assert_eq!(source.position(6), (2, 1));
        // "é" is two bytes: the "=" after it is the 4th character.
        assert_eq!(source.position(10), (2, 4));
        // Inside "é", and past the end: moved back, never a panic.
        assert_eq!(source.position(8), (2, 2));
        assert_eq!(source.position(1000), (3, 1));
    }

    #[test]
    fn paths_count_from_one() {
        assert_eq!(join("", "check"), "check");
        assert_eq!(join("frontend", "listen"), "frontend.listen");
        assert_eq!(
            join("check[1].headers", "Bad Name"),
            "check[1].headers.\"Bad Name\""
        );
        assert_eq!(element("targets", 0), "targets[1]");
        assert_eq!(
            join("check[1] (w)", &element("targets", 2)),
            "check[1] (w).targets[3]"
        );
        assert_eq!(join("t", "a[b]"), "t.\"a[b]\"");
    }
}
