//! The command lines of the seven supervisor_checks programs, flag for flag,
//! plus supercheck's own long options (policies, dry run, frontend).
//!
//! argparse behaviour is kept where users rely on it: long options may be
//! abbreviated (`--check` for `--check-name`), a repeated option keeps its last
//! value, bad flags exit with status 2 and a usage line. The quirks stay too:
//! `--msx-rss` is the memory limit, and `-p` is the CPU percentage in the cpu
//! check while it is the port everywhere else.

use clap::{Arg, ArgAction, Command, value_parser};

use super::tool::Tool;

/// Help heading of the options supervisor_checks does not have.
pub const EXTRA_HEADING: &str = "supercheck options (beyond supervisor_checks)";

fn flag(id: &'static str, short: char, long: &'static str, help: &'static str) -> Arg {
    Arg::new(id).short(short).long(long).help(help)
}

fn common(cmd: Command) -> Command {
    cmd.infer_long_args(true)
        .args_override_self(true)
        .arg(flag("check_name", 'n', "check-name", "Health check name, used in log lines").required(true))
        .arg(flag("process_group", 'g', "process-group", "Supervisor process group name"))
        .arg(flag(
            "process_name",
            'N',
            "process-name",
            "Supervisor process name: NAME, GROUP:NAME or GROUP:*; the group argument is ignored if this is given",
        ))
}

fn port_arg(help: &'static str) -> Arg {
    flag("port", 'p', "port", help).value_name("PORT")
}

fn timeout_arg(default: &'static str, help: &'static str) -> Arg {
    flag("timeout", 't', "timeout", help)
        .value_parser(value_parser!(u64))
        .default_value(default)
}

fn retries_arg() -> Arg {
    flag("num_retries", 'r', "num-retries", "Connection retries")
        .value_parser(value_parser!(u32))
        .default_value("2")
}

const PORT_HELP: &str = "Port to query: an integer, or a regular expression whose single group extracts the port from the process name";

/// The clap command for `tool`, named `name` (the program name it was called by).
pub fn command(tool: Tool, name: &'static str) -> Command {
    let cmd = common(Command::new(name));
    let cmd = match tool {
        Tool::Http => cmd
            .about("Run HTTP check program")
            .arg(flag("url", 'u', "url", "HTTP check url (path and query)").required(true))
            .arg(port_arg(PORT_HELP).required(true))
            .arg(
                flag(
                    "method",
                    'm',
                    "method",
                    "HTTP request method (GET, POST, PUT...)",
                )
                .default_value("GET"),
            )
            .arg(flag(
                "json",
                'j',
                "json",
                "HTTP json body, sets Content-Type: application/json",
            ))
            .arg(flag(
                "body",
                'b',
                "body",
                "HTTP body, ignored if a json body is given",
            ))
            .arg(flag(
                "headers",
                'H',
                "headers",
                "HTTP headers as a JSON object",
            ))
            .arg(flag("username", 'U', "username", "HTTP check username"))
            .arg(flag("password", 'P', "password", "HTTP check password"))
            .arg(timeout_arg("15", "Connection timeout, seconds"))
            .arg(retries_arg())
            .arg(
                Arg::new("expect_status")
                    .long("expect-status")
                    .help("Healthy status codes, e.g. 200,204,300-399 [default: 200]")
                    .help_heading(EXTRA_HEADING),
            )
            .arg(
                Arg::new("expect_body")
                    .long("expect-body")
                    .help("A text the response body must contain")
                    .help_heading(EXTRA_HEADING),
            )
            .arg(
                Arg::new("https")
                    .long("https")
                    .action(ArgAction::SetTrue)
                    .help("Probe over TLS, verifying the certificate (still to 127.0.0.1:PORT)")
                    .help_heading(EXTRA_HEADING),
            )
            .arg(
                Arg::new("tls_name")
                    .long("tls-name")
                    .help("With --https: the name the certificate must carry, sent as SNI [default: localhost]")
                    .help_heading(EXTRA_HEADING),
            )
            .arg(
                Arg::new("ca_file")
                    .long("ca-file")
                    .help("With --https: trust the CA certificates of this PEM file instead of the system's")
                    .help_heading(EXTRA_HEADING),
            ),
        Tool::Tcp => cmd
            .about("Run TCP check program")
            .arg(port_arg(PORT_HELP).required(true))
            .arg(timeout_arg("15", "Connection timeout, seconds"))
            .arg(retries_arg()),
        Tool::XmlRpc => cmd
            .about("Run XML RPC check program")
            .arg(flag(
                "url",
                'u',
                "url",
                "XML RPC check url path (needs --port)",
            ))
            .arg(flag(
                "sock_path",
                's',
                "socket-path",
                "Full path to XML RPC server local socket",
            ))
            .arg(flag(
                "sock_dir",
                'S',
                "socket-dir",
                "XML RPC server socket directory; the socket is <dir>/<process name>.sock",
            ))
            .arg(flag("method", 'm', "method", "XML RPC method name").default_value("status"))
            .arg(port_arg(PORT_HELP))
            .arg(flag("username", 'U', "username", "XML RPC username"))
            .arg(flag("password", 'P', "password", "XML RPC password"))
            .arg(retries_arg())
            .arg(
                Arg::new("timeout")
                    .long("timeout")
                    .help("Timeout of each call, seconds")
                    .value_parser(value_parser!(u64))
                    .default_value("15")
                    .help_heading(EXTRA_HEADING),
            ),
        Tool::Memory => cmd
            .about("Run memory check program")
            .arg(
                flag(
                    "max_rss",
                    'm',
                    "msx-rss",
                    "Maximum memory allowed to use by process, KB",
                )
                .alias("max-rss")
                .value_name("MAX_RSS")
                .value_parser(value_parser!(f64))
                .required(true),
            )
            .arg(
                flag(
                    "cumulative",
                    'c',
                    "cumulative",
                    "Add the memory of all the process's children",
                )
                .action(ArgAction::SetTrue),
            ),
        Tool::Cpu => cmd
            .about("Run CPU check program")
            .arg(
                flag(
                    "max_cpu",
                    'p',
                    "max-cpu-percent",
                    "Maximum CPU percent allowed within the interval",
                )
                .value_name("MAX_CPU")
                .value_parser(value_parser!(f64))
                .required(true),
            )
            .arg(
                flag(
                    "interval",
                    'i',
                    "interval",
                    "How long the process may stay over the threshold, seconds",
                )
                .value_parser(value_parser!(u64))
                .required(true),
            ),
        Tool::File => cmd
            .about("Run File check program")
            .arg(
                flag(
                    "timeout",
                    't',
                    "timeout",
                    "Seconds without a file change after which a process is dead",
                )
                .value_parser(value_parser!(u64))
                .required(true),
            )
            .arg(
                flag(
                    "fail_on_error",
                    'x',
                    "fail-on-error",
                    "Fail the check when the file cannot be read",
                )
                .action(ArgAction::SetTrue),
            )
            .arg(flag(
                "filepath",
                'f',
                "filepath",
                "File to check [default: <root dir>/<group>-<name>-<pid>]",
            ))
            .arg(flag(
                "root_dir",
                'd',
                "root-dir",
                "Directory of heartbeat files [default: $TMPDIR or /tmp]",
            )),
        Tool::Complex => super::heartbeat::listen_args(cmd)
            .about("Run several checks at once")
            .arg(
                flag(
                    "check_config",
                    'c',
                    "check-config",
                    "Check config in JSON format",
                )
                .required(true),
            ),
        Tool::Exec => cmd
            .about("Run a command per process; exit status 0 is healthy")
            .arg(
                Arg::new("timeout")
                    .short('t')
                    .long("timeout")
                    .help("Seconds the command may run")
                    .value_parser(value_parser!(u64))
                    .default_value("15"),
            )
            .arg(
                Arg::new("command")
                    .help("The command and its arguments; SUPERCHECK_* variables name the process")
                    .num_args(1..)
                    .trailing_var_arg(true)
                    .allow_hyphen_values(true)
                    .required(true),
            ),
        Tool::Heartbeat => super::heartbeat::args(cmd),
    };
    super::manual::document(with_extras(cmd), tool, name)
}

fn extra(id: &'static str, long: &'static str, help: &'static str) -> Arg {
    Arg::new(id)
        .long(long)
        .help(help)
        .help_heading(EXTRA_HEADING)
}

/// supercheck's own options, shared by every check tool.
fn with_extras(cmd: Command) -> Command {
    cmd.arg(
        extra("fail_threshold", "fail-threshold", "Consecutive failures before a restart")
            .value_parser(value_parser!(u32).range(1..))
            .default_value("1"),
    )
    .arg(
        extra("success_threshold", "success-threshold", "Consecutive passes before a failing process counts as healthy")
            .value_parser(value_parser!(u32).range(1..))
            .default_value("1"),
    )
    .arg(extra(
        "window",
        "window",
        "X/Y: restart when X of the last Y verdicts failed (catches flapping) [default: off]",
    ))
    .arg(
        extra("grace", "grace", "Seconds after a process starts during which failures never restart it")
            .value_parser(value_parser!(u64))
            .default_value("0"),
    )
    .arg(extra(
        "restart_budget",
        "restart-budget",
        "N/SECONDS: at most N restarts of a process per period, then back off and give up [default: unlimited]",
    ))
    .arg(
        extra("backoff", "backoff", "First back-off after the budget is spent, seconds; doubles each time")
            .value_parser(value_parser!(u64))
            .default_value("60"),
    )
    .arg(extra(
        "states",
        "states",
        "Process states to check, comma-separated (e.g. RUNNING,STARTING,BACKOFF) [default: RUNNING]",
    ))
    .arg(extra("server_url", "server-url", "supervisord URL, instead of $SUPERVISOR_SERVER_URL (unix:///path or http://host:port)"))
    .arg(
        extra("rpc_timeout", "rpc-timeout", "Timeout of each call to supervisord, seconds")
            .value_parser(value_parser!(u64).range(1..))
            .default_value("10"),
    )
    .arg(
        extra("once", "once", "Dry run: check every selected process once, print verdicts, restart nothing")
            .action(ArgAction::SetTrue),
    )
    .arg(
        extra("verbose", "verbose", "Log every check's result, not only failures and a summary per tick")
            .short('v')
            .action(ArgAction::SetTrue),
    )
    .arg(extra(
        "listen",
        "listen",
        "Serve /health, /metrics and a status page on ADDR:PORT (e.g. 127.0.0.1:9101) [default: off]",
    ))
    .arg(
        extra("health_status_codes", "health-status-codes", "HTTP status of /health for pass,warn,fail")
            .default_value("200,200,503"),
    )
    .arg(
        extra("health_ttl_pass", "health-ttl-pass", "Seconds a passing /health answer is reused (0: never)")
            .value_parser(value_parser!(u64))
            .default_value("27"),
    )
    .arg(
        extra("health_ttl_fail", "health-ttl-fail", "Seconds a warn or fail /health answer is reused (0: never)")
            .value_parser(value_parser!(u64))
            .default_value("9"),
    )
    .arg(
        extra("expose_env", "expose-env", "Also serve /env: OS, process, build and configuration, secrets masked")
            .action(ArgAction::SetTrue),
    )
    .arg(
        extra("http_timeout", "http-timeout", "Seconds a frontend client has to send its request and read the reply")
            .value_parser(value_parser!(u64).range(1..))
            .default_value("10"),
    )
    .arg(
        extra("http_max_connections", "http-max-connections", "Frontend connections served at once; more are closed")
            .value_parser(value_parser!(usize))
            .default_value("64"),
    )
    .arg(
        extra(
            "mail_to",
            "mail-to",
            "Mail ADDR on each restart, give-up and recovery, through --sendmail [default: off]",
        )
        .value_name("ADDR"),
    )
    .arg(
        extra("sendmail", "sendmail", "Mail command, split on whitespace and run without a shell")
            .value_name("CMD")
            .default_value("/usr/sbin/sendmail -t -i"),
    )
    .arg(
        extra(
            "webhook",
            "webhook",
            "POST each notification as JSON to this http:// URL [default: off]",
        )
        .value_name("URL"),
    )
    .arg(
        extra("notify_window", "notify-window", "Seconds: at most one message per process per window; the next one counts those held back")
            .value_name("SECS")
            .value_parser(value_parser!(u64).range(1..))
            .default_value("600"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(tool: Tool, line: &str) -> Result<clap::ArgMatches, clap::Error> {
        let name = tool.program_name().unwrap_or("supercheck");
        command(tool, name)
            .try_get_matches_from(std::iter::once(name).chain(line.split_whitespace()))
    }

    #[test]
    fn every_tool_definition_is_consistent() {
        for tool in Tool::ALL {
            command(tool, "x").debug_assert();
        }
    }

    #[test]
    fn seed_command_lines_parse_unchanged() {
        let lines = [
            (
                Tool::Http,
                "-g example_service -n example_check -u /ping -t 30 -r 3 -p 8080",
            ),
            (
                Tool::Http,
                r"-g example_service -n example_check -u /ping -t 30 -r 3 -p .+_(\d+)",
            ),
            (
                Tool::Tcp,
                "-g example_service -n example_check -t 30 -r 3 -p 8080",
            ),
            (
                Tool::XmlRpc,
                "-g example_service -n example_check -r 3 -p 8080 -u /status -m get_status",
            ),
            (
                Tool::XmlRpc,
                "-g example_service -n example_check -r 3 -s /var/run/example.sock -m get_status",
            ),
            (
                Tool::XmlRpc,
                "-g example_service -n example_check -r 3 -S /var/run/ -m get_status",
            ),
            (
                Tool::Memory,
                "-n example_check -m 102400 -c -g example_service",
            ),
            (
                Tool::Cpu,
                "-n example_check -p 100 -i 1800 -g example_service",
            ),
            (Tool::File, "-n example_check -t 30"),
            (
                Tool::Complex,
                r#"-n example_check -g example_service -c {"memory":{"max_rss":1}}"#,
            ),
        ];
        for (tool, line) in lines {
            assert!(parse(tool, line).is_ok(), "{tool:?}: {line}");
        }
    }

    #[test]
    fn long_options_may_be_abbreviated_and_repeated() {
        let m = parse(Tool::Tcp, "--check web --port 1 --port 2").unwrap();
        assert_eq!(m.get_one::<String>("check_name").unwrap(), "web");
        assert_eq!(m.get_one::<String>("port").unwrap(), "2");
    }

    #[test]
    fn bad_flags_exit_with_status_two() {
        let err = parse(Tool::Http, "-n x -u / -p 1 --bogus").unwrap_err();
        assert_eq!(err.exit_code(), 2);
        let err = parse(Tool::Memory, "-n x -m lots").unwrap_err();
        assert_eq!(err.exit_code(), 2);
    }

    #[test]
    fn msx_rss_typo_and_cpu_percent_p_are_kept() {
        let m = parse(Tool::Memory, "-n x --msx-rss 100").unwrap();
        assert_eq!(m.get_one::<f64>("max_rss"), Some(&100.0));
        let m = parse(Tool::Cpu, "-n x -p 90 -i 60").unwrap();
        assert_eq!(m.get_one::<f64>("max_cpu"), Some(&90.0));
    }
}
