//! Command lines: which tool was asked for, and its flags.

pub mod convert;
pub mod crashmail;
pub mod drop_in;
pub mod getopt;
pub mod heartbeat;
pub mod manual;
pub mod superlance;
pub mod tool;
