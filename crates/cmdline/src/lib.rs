//! The command lines supercheck accepts, read exactly as the programs it
//! replaces read them, into checked plans. No platform code: the Linux binary
//! and the WASI listener parse the same way.
//!
//! | module | what it holds |
//! |---|---|
//! | [`agent_file`] | the agent's TOML configuration file, checked into owned values |
//! | [`tool`] | which drop-in a program name or subcommand asks for |
//! | [`drop_in`] | supervisor_checks' flags (and supercheck's own) as clap commands |
//! | [`plan`] | parsed flags and the environment checked into a [`plan::DropIn`] |
//! | [`heartbeat`] | the heartbeat check's flags and where datagrams are received |
//! | [`getopt`] | Python's `getopt`, as superlance's tools parse |
//! | [`superlance`] | httpok's and memmon's options |
//! | [`crashmail`] | crashmail's options |
//! | [`manual`] | help texts and version lines |

pub mod agent_file;
pub mod crashmail;
pub mod drop_in;
pub mod getopt;
pub mod heartbeat;
pub mod manual;
pub mod plan;
pub mod superlance;
pub mod tool;
