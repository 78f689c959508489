//! [`ExecSpec`]: run a command; exit status 0 passes.

use super::{SpecError, Timeout};

/// Most arguments (program included) an exec check's command may have.
pub const MAX_ARGS: usize = 16;

/// A command's arguments, program first: at most [`MAX_ARGS`], none holding a NUL.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Argv<'a> {
    args: heapless::Vec<&'a str, MAX_ARGS>,
}

impl<'a> Argv<'a> {
    /// No arguments yet.
    pub const fn new() -> Self {
        Self {
            args: heapless::Vec::new(),
        }
    }

    /// Appends an argument.
    ///
    /// # Errors
    /// [`SpecError::ControlCharacter`] for a NUL, [`SpecError::Empty`] for an
    /// empty program name, [`SpecError::TooMany`] when full.
    pub fn push(&mut self, arg: &'a str) -> Result<(), SpecError> {
        if arg.contains('\0') {
            return Err(SpecError::ControlCharacter);
        }
        if self.args.is_empty() && arg.is_empty() {
            return Err(SpecError::Empty);
        }
        self.args
            .push(arg)
            .map_err(|_| SpecError::TooMany(MAX_ARGS))
    }

    /// The program (the first argument).
    pub fn program(&self) -> Option<&'a str> {
        self.args.first().copied()
    }

    /// All arguments, program first.
    pub fn iter(&self) -> core::iter::Copied<core::slice::Iter<'_, &'a str>> {
        self.args.iter().copied()
    }

    /// How many arguments there are.
    pub fn len(&self) -> usize {
        self.args.len()
    }

    /// True when there are none.
    pub fn is_empty(&self) -> bool {
        self.args.is_empty()
    }
}

/// What an exec check runs.
// Without `alloc` there is nothing to box into; a command is built once at start-up.
#[allow(clippy::large_enum_variant)]
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Command<'a> {
    /// A program and its arguments, run directly (no shell). Never empty.
    Argv(Argv<'a>),
    /// A command line for `/bin/sh -c`. Not empty, no NUL.
    Shell(&'a str),
}

impl<'a> Command<'a> {
    /// A direct command.
    ///
    /// # Errors
    /// [`SpecError::Empty`] when `argv` is empty.
    pub fn argv(argv: Argv<'a>) -> Result<Self, SpecError> {
        if argv.is_empty() {
            return Err(SpecError::Empty);
        }
        Ok(Command::Argv(argv))
    }

    /// A shell command line.
    ///
    /// # Errors
    /// [`SpecError::Empty`] for blank text, [`SpecError::ControlCharacter`] for a NUL.
    pub fn shell(line: &'a str) -> Result<Self, SpecError> {
        if line.trim().is_empty() {
            return Err(SpecError::Empty);
        }
        if line.contains('\0') {
            return Err(SpecError::ControlCharacter);
        }
        Ok(Command::Shell(line))
    }
}

/// An exec check: run `command`; pass on exit status 0 within `timeout`.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct ExecSpec<'a> {
    /// What to run.
    pub command: Command<'a>,
    /// How long it may run.
    pub timeout: Timeout,
}

impl<'a> ExecSpec<'a> {
    /// A check of `command` with the default timeout.
    pub fn new(command: Command<'a>) -> Self {
        Self {
            command,
            timeout: Timeout::DEFAULT,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn argv_keeps_order_and_refuses_nul() {
        let mut argv = Argv::new();
        argv.push("/bin/check").unwrap();
        argv.push("").unwrap();
        assert_eq!(argv.push("a\0b"), Err(SpecError::ControlCharacter));
        assert_eq!(argv.program(), Some("/bin/check"));
        assert_eq!(
            argv.iter().collect::<std::vec::Vec<_>>(),
            ["/bin/check", ""]
        );
    }

    #[test]
    fn empty_commands_are_refused() {
        assert_eq!(Command::argv(Argv::new()), Err(SpecError::Empty));
        assert_eq!(Argv::new().push(""), Err(SpecError::Empty));
        assert_eq!(Command::shell("  "), Err(SpecError::Empty));
        assert_eq!(Command::shell("true"), Ok(Command::Shell("true")));
    }
}
