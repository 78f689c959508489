//! Which command line the arguments are: a drop-in check's, or one of the
//! first WASI program's (`[--name N] [--timeout S] tcp|http ...`).

use std::path::Path;

use supercheck_cmdline::tool::Tool;

/// What the arguments ask for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Route {
    /// A drop-in check: `argv` is its command line, program name first.
    DropIn {
        /// The tool.
        tool: Tool,
        /// Its program name, for usage lines and errors.
        name: &'static str,
        /// The command line, `name` first.
        argv: Vec<String>,
    },
    /// The first WASI command lines: the arguments after the program name.
    Legacy(Vec<String>),
}

/// Reads the arguments (the program first). A drop-in is named
///
/// - by the program itself (`supervisor_http_check.wasm`),
/// - by the first argument: `supervisor_http_check -g web ...`,
/// - as `supercheck SUBCOMMAND ...` (`supercheck http -g web ...`),
/// - or by a subcommand other than `tcp` and `http`, which keep their
///   first meaning (`tcp --host H --port P`).
pub fn route(args: &[String]) -> Route {
    let drop_in = |tool: Tool, rest: &[String]| {
        let name = tool.program_name().unwrap_or("supercheck");
        Route::DropIn {
            tool,
            name,
            argv: std::iter::once(name.to_string())
                .chain(rest.iter().cloned())
                .collect(),
        }
    };
    let rest = |from: usize| args.get(from..).unwrap_or_default();
    let program = args.first().map(|p| {
        let base = Path::new(p)
            .file_name()
            .and_then(|b| b.to_str())
            .unwrap_or(p);
        base.strip_suffix(".wasm").unwrap_or(base).to_string()
    });
    if let Some(tool) = program.as_deref().and_then(Tool::from_program_path) {
        return drop_in(tool, rest(1));
    }
    let first = args.get(1).map(String::as_str);
    if let Some(tool) = first.and_then(Tool::from_program_path) {
        return drop_in(tool, rest(2));
    }
    if first == Some("supercheck") {
        if let Some(tool) = args.get(2).and_then(|sub| Tool::from_subcommand(sub)) {
            return drop_in(tool, rest(3));
        }
    }
    match first.and_then(Tool::from_subcommand) {
        Some(tool) if !matches!(tool, Tool::Tcp | Tool::Http) => drop_in(tool, rest(2)),
        _ => Route::Legacy(rest(1).to_vec()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(line: &str) -> Route {
        route(
            &line
                .split_whitespace()
                .map(str::to_string)
                .collect::<Vec<_>>(),
        )
    }

    fn argv(line: &str) -> Vec<String> {
        line.split_whitespace().map(str::to_string).collect()
    }

    #[test]
    fn drop_in_names_are_found_where_they_may_stand() {
        let want = Route::DropIn {
            tool: Tool::Http,
            name: "supervisor_http_check",
            argv: argv("supervisor_http_check -n chk -u /ping -p 80"),
        };
        assert_eq!(
            r("x.wasm supervisor_http_check -n chk -u /ping -p 80"),
            want
        );
        assert_eq!(
            r("/opt/supervisor_http_check.wasm -n chk -u /ping -p 80"),
            want
        );
        assert_eq!(r("x.wasm supercheck http -n chk -u /ping -p 80"), want);
        assert_eq!(
            r("x.wasm xmlrpc -n chk -p 80"),
            Route::DropIn {
                tool: Tool::XmlRpc,
                name: "supervisor_xmlrpc_check",
                argv: argv("supervisor_xmlrpc_check -n chk -p 80"),
            }
        );
        assert!(matches!(
            r("x.wasm supervisor_memory_check -n chk -m 1"),
            Route::DropIn {
                tool: Tool::Memory,
                ..
            }
        ));
    }

    #[test]
    fn the_first_command_lines_keep_their_meaning() {
        assert_eq!(
            r("supercheck-wasi --name w tcp --host h --port 1"),
            Route::Legacy(argv("--name w tcp --host h --port 1"))
        );
        assert_eq!(
            r("supercheck-wasi http --url http://h/"),
            Route::Legacy(argv("http --url http://h/"))
        );
        assert_eq!(r("supercheck-wasi"), Route::Legacy(Vec::new()));
    }
}
