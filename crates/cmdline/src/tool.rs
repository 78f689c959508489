//! The names supercheck answers to: one multi-call binary, many drop-in tools.

use std::path::Path;

/// A tool supercheck can be run as, by program name or subcommand.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tool {
    /// `supervisor_http_check` / `supercheck http`.
    Http,
    /// `supervisor_tcp_check` / `supercheck tcp`.
    Tcp,
    /// `supervisor_xmlrpc_check` / `supercheck xmlrpc`.
    XmlRpc,
    /// `supervisor_memory_check` / `supercheck memory`.
    Memory,
    /// `supervisor_cpu_check` / `supercheck cpu`.
    Cpu,
    /// `supervisor_file_check` / `supercheck file`.
    File,
    /// `supervisor_complex_check` / `supercheck complex`.
    Complex,
    /// `supercheck exec`: a command's exit status (no Python counterpart).
    Exec,
    /// `supercheck heartbeat`: UDP heartbeats from devices (no Python counterpart).
    Heartbeat,
}

impl Tool {
    /// Every check tool.
    pub const ALL: [Tool; 9] = [
        Tool::Http,
        Tool::Tcp,
        Tool::XmlRpc,
        Tool::Memory,
        Tool::Cpu,
        Tool::File,
        Tool::Complex,
        Tool::Exec,
        Tool::Heartbeat,
    ];

    /// The subcommand name (`http`, `tcp`...).
    pub const fn subcommand(self) -> &'static str {
        match self {
            Tool::Http => "http",
            Tool::Tcp => "tcp",
            Tool::XmlRpc => "xmlrpc",
            Tool::Memory => "memory",
            Tool::Cpu => "cpu",
            Tool::File => "file",
            Tool::Complex => "complex",
            Tool::Exec => "exec",
            Tool::Heartbeat => "heartbeat",
        }
    }

    /// The Python program this tool replaces, when there is one.
    pub const fn program_name(self) -> Option<&'static str> {
        match self {
            Tool::Http => Some("supervisor_http_check"),
            Tool::Tcp => Some("supervisor_tcp_check"),
            Tool::XmlRpc => Some("supervisor_xmlrpc_check"),
            Tool::Memory => Some("supervisor_memory_check"),
            Tool::Cpu => Some("supervisor_cpu_check"),
            Tool::File => Some("supervisor_file_check"),
            Tool::Complex => Some("supervisor_complex_check"),
            Tool::Exec | Tool::Heartbeat => None,
        }
    }

    /// The tool a program path names (`/usr/local/bin/supervisor_http_check`
    /// → [`Tool::Http`]), if any. A `.py` suffix, as pip's old scripts had, is ignored.
    pub fn from_program_path(path: &str) -> Option<Tool> {
        let base = Path::new(path).file_name()?.to_str()?;
        let base = base.strip_suffix(".py").unwrap_or(base);
        Tool::ALL
            .into_iter()
            .find(|t| t.program_name() == Some(base))
    }

    /// The tool a subcommand names.
    pub fn from_subcommand(name: &str) -> Option<Tool> {
        Tool::ALL.into_iter().find(|t| t.subcommand() == name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn program_paths_select_their_tool() {
        assert_eq!(
            Tool::from_program_path("/usr/local/bin/supervisor_http_check"),
            Some(Tool::Http)
        );
        assert_eq!(
            Tool::from_program_path("supervisor_complex_check.py"),
            Some(Tool::Complex)
        );
        assert_eq!(Tool::from_program_path("/usr/bin/supercheck"), None);
    }

    #[test]
    fn subcommands_and_program_names_agree() {
        for tool in Tool::ALL {
            assert_eq!(Tool::from_subcommand(tool.subcommand()), Some(tool));
            if let Some(name) = tool.program_name() {
                assert_eq!(Tool::from_program_path(name), Some(tool));
            }
        }
    }
}
