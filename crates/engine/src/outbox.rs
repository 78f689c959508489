//! The engine's output queue, and the log-line helpers every part of the
//! engine writes through (a detail line is not even formatted without
//! `--verbose`).

use alloc::collections::VecDeque;
use alloc::string::ToString;
use core::fmt;

use crate::output::{LogLine, Output};

/// Outputs waiting to be drained, in the order they were decided.
#[derive(Debug, Default)]
pub(crate) struct Outbox {
    queue: VecDeque<Output>,
    verbose: bool,
}

impl Outbox {
    pub(crate) fn new(verbose: bool) -> Self {
        Self {
            queue: VecDeque::new(),
            verbose,
        }
    }

    pub(crate) fn set_verbose(&mut self, verbose: bool) {
        self.verbose = verbose;
    }

    pub(crate) fn push(&mut self, output: Output) {
        self.queue.push_back(output);
    }

    pub(crate) fn pop(&mut self) -> Option<Output> {
        self.queue.pop_front()
    }

    /// A log line written always.
    pub(crate) fn line(&mut self, text: fmt::Arguments<'_>) {
        self.push(Output::Log(LogLine {
            detail: false,
            text: text.to_string(),
        }));
    }

    /// A log line written only with `--verbose`.
    pub(crate) fn detail(&mut self, text: fmt::Arguments<'_>) {
        if self.verbose {
            self.push(Output::Log(LogLine {
                detail: true,
                text: text.to_string(),
            }));
        }
    }
}

/// `out.line(format_args!(...))`.
macro_rules! line {
    ($out:expr, $($arg:tt)*) => { $out.line(format_args!($($arg)*)) };
}

/// `out.detail(format_args!(...))`.
macro_rules! detail {
    ($out:expr, $($arg:tt)*) => { $out.detail(format_args!($($arg)*)) };
}
