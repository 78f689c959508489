//! Helpers of the supervisor_checks bug tests (python_bugs_*.rs): flags read
//! through the library ([`config`]), the real binary driven over pipes without
//! supervisord ([`driven`]), a pass-through proxy to a real supervisord that
//! can hold one call back ([`proxy`]), and supervisord sections ([`sections`]).
#![allow(
    dead_code,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

pub mod driven;
pub mod proxy;
pub mod sections;

use supercheck_cmdline::drop_in;
use supercheck_cmdline::plan::{ConfigError, Env};
use supercheck_cmdline::tool::Tool;
use supercheck_listener::command_line::listener_config;
use supercheck_listener::config::ListenerConfig;

/// The environment supervisord gives a listener of pool `checks`.
pub struct ListenerEnv;

impl Env for ListenerEnv {
    fn var(&self, key: &str) -> Option<String> {
        match key {
            "SUPERVISOR_SERVER_URL" => Some("unix:///nonexistent/supervisor.sock".into()),
            "SUPERVISOR_GROUP_NAME" => Some("checks".into()),
            _ => None,
        }
    }
}

/// The listener configuration `tool`'s drop-in program builds from `args`,
/// exactly as the binary does before `READY`.
pub fn config(tool: Tool, args: &[&str]) -> Result<ListenerConfig, ConfigError> {
    let name = tool.program_name().unwrap_or("supercheck");
    let matches = drop_in::command(tool, name)
        .try_get_matches_from(std::iter::once(name).chain(args.iter().copied()))
        .map_err(|e| ConfigError(e.to_string()))?;
    listener_config(tool, &matches, &ListenerEnv)
}
