//! Command lines: which tool was asked for, and its flags.

pub mod drop_in;
pub mod tool;
