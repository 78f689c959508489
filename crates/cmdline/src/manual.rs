//! The manual of every name: `--version` and the long `--help` text (name,
//! description, examples, exit status, environment, see also), written once
//! here so that the drop-in names, `supercheck <check>` and the superlance
//! tools read alike.
//!
//! clap renders the synopsis and every option with its default between the
//! description ([`about`]) and the closing sections ([`closing`]); the
//! superlance tools print their getopt usage followed by [`superlance`].

use clap::Command;

use super::superlance::SuperlanceTool;
use super::tool::Tool;

/// The version printed after a drop-in name: `supervisor_http_check (supercheck) 0.1.0`.
pub const DROP_IN_VERSION: &str = concat!("(supercheck) ", env!("CARGO_PKG_VERSION"));

/// The version line of a superlance name: `httpok (supercheck) 0.1.0`.
pub fn version_line(name: &str) -> String {
    format!("{name} {DROP_IN_VERSION}\n")
}

/// Gives a check tool's clap command its version and manual. `name` is the
/// program name it was called by, or its subcommand (`http`).
pub fn document(cmd: Command, tool: Tool, name: &str) -> Command {
    let shown = if name == tool.subcommand() {
        format!("supercheck {name}")
    } else {
        name.to_string()
    };
    cmd.version(DROP_IN_VERSION)
        .long_about(about(tool, &shown))
        .after_long_help(closing(tool, &shown))
}

/// The description (`long_about`) of a check tool, headed by its one-line name.
pub fn about(tool: Tool, name: &str) -> String {
    let (summary, what) = match tool {
        Tool::Http => (
            "restart supervisord processes whose HTTP endpoint fails",
            "On every TICK it sends one HTTP request (-m, default GET) to \
             http://127.0.0.1:PORT/URL of each selected RUNNING process. A status other \
             than 200 (--expect-status), a body without --expect-body's text, or no \
             complete answer within -t seconds fails the check; refused, reset and \
             timed-out connections are first retried -r times. -j sends a JSON body with \
             Content-Type: application/json, -b a plain one, -H adds headers, -U and -P \
             add Basic authentication.",
        ),
        Tool::Tcp => (
            "restart supervisord processes that stop accepting TCP connections",
            "On every TICK it connects to 127.0.0.1:PORT of each selected RUNNING process \
             and closes the connection. No connection within -t seconds, after -r retries, \
             fails the check.",
        ),
        Tool::XmlRpc => (
            "restart supervisord processes whose XML-RPC server fails",
            "On every TICK it calls the XML-RPC method -m (no arguments) of each selected \
             RUNNING process: at http://127.0.0.1:PORT/URL (-u with -p), on the unix socket \
             -s, or on DIR/NAME.sock (-S, NAME being the process name). Give exactly one of \
             -u, -s, -S. A fault, or no answer within --timeout seconds after -r retries, \
             fails the check; any other return value passes.",
        ),
        Tool::Memory => (
            "restart supervisord processes that use too much memory",
            "On every TICK it reads the resident set size of each selected RUNNING process \
             from /proc/PID (with -c, plus every descendant's) and fails the check when it \
             is strictly above -m KiB.",
        ),
        Tool::Cpu => (
            "restart supervisord processes that keep using too much CPU",
            "On every TICK it samples the CPU usage of each selected RUNNING process from \
             /proc/PID/stat, on a timer rather than a blocking sleep. A usage above -p \
             percent (one core is 100) marks the process; the check fails when it is still \
             above the limit more than -i seconds after it was marked, and any sample at or \
             below the limit clears the mark.",
        ),
        Tool::File => (
            "restart supervisord processes whose heartbeat file goes stale",
            "On every TICK it looks at each selected RUNNING process's heartbeat file (-f, \
             or ROOT_DIR/GROUP-NAME-PID with -d or $TMPDIR or /tmp) with lstat and fails \
             the check when its ctime is more than -t seconds old. A missing file passes \
             unless -x is given. `supercheck notify` bumps that file from a shell script.",
        ),
        Tool::Complex => (
            "run several checks on supervisord processes at once",
            "On every TICK it runs, for each selected RUNNING process, every check of the \
             JSON object -c: its keys are http, tcp, xmlrpc, memory, cpu, file and exec, \
             each holding that check's options by name (\"port\", \"url\", \"timeout\", \
             \"num_retries\", \"max_rss\", \"max_cpu\", \"interval\", \"filepath\", \
             \"command\"...). Any failing check restarts the process.",
        ),
        Tool::Heartbeat => (
            "restart supervisord processes whose device stops sending heartbeats",
            "It receives UDP heartbeats (SCHB1 datagrams: device name, sequence number, \
             uptime) on --bind (default 127.0.0.1:9110) all the time, and on every TICK \
             fails the check of each selected RUNNING process whose device sent no \
             accepted beat for -t seconds (a device never heard counts from the \
             listener's start). --device DEVICE=PROCESS binds a device to the process \
             that talks to it (default: the device named like the process). Malformed, \
             replayed, implausible or unknown-device datagrams, and any from a source \
             not in --allow-from, are counted and ignored.",
        ),
        Tool::Exec => (
            "restart supervisord processes for which a command fails",
            "On every TICK it runs COMMAND once for each selected RUNNING process, in its own \
             process group, with SUPERCHECK_GROUP_NAME, SUPERCHECK_PROCESS_NAME, \
             SUPERCHECK_NAMESPEC and SUPERCHECK_PID in its environment. Exit status 0 \
             passes, any other fails; a command still running after -t seconds is killed \
             with its group and fails. Its output goes to the listener's stderr.",
        ),
    };
    let text = format!(
        "{name} - {summary} (supercheck {version})\n\n\
         {name} is a supervisord event listener: run it as the command of an \
         [eventlistener:x] section subscribed to TICK_5, TICK_60 or TICK_3600. {what}\n\n\
         A failed check restarts the process without blocking the listener (stopProcess, \
         then startProcess); a check that could not run at all (a port pattern that does \
         not match, a vanished process, no permission, supervisord unreachable) is logged \
         and never restarts anything. Processes are selected by -N (NAME, GROUP:NAME or \
         GROUP:*), else by -g, else every process but the listener's own pool. The \
         options under \"{heading}\" add failure thresholds, flapping windows, start \
         grace, restart budgets, a dry run (--once) and an HTTP frontend (--listen); \
         their defaults keep supervisor_checks' behaviour.",
        version = env!("CARGO_PKG_VERSION"),
        heading = super::drop_in::EXTRA_HEADING,
    );
    wrap(&text, WIDTH)
}

/// The width the manual's prose is wrapped to.
const WIDTH: usize = 78;

/// Wraps each line of `text` at spaces to at most `width` columns (a longer
/// word stays whole on its own line).
fn wrap(text: &str, width: usize) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / width);
    for (i, line) in text.split('\n').enumerate() {
        if i > 0 {
            out.push('\n');
        }
        let mut column = 0;
        for word in line.split(' ').filter(|w| !w.is_empty()) {
            let len = word.chars().count();
            if column > 0 && column + 1 + len > width {
                out.push('\n');
                column = 0;
            } else if column > 0 {
                out.push(' ');
                column += 1;
            }
            out.push_str(word);
            column += len;
        }
    }
    out
}

/// A supervisord section using `tool` under `name`, for the EXAMPLES section.
fn example(tool: Tool, name: &str) -> String {
    let flags = match tool {
        Tool::Http => "-n web_check -g web -u /ping -p 8080 -t 5 -r 2",
        Tool::Tcp => "-n db_check -g db -p 5432 -t 5",
        Tool::XmlRpc => "-n api_check -g api -s /run/api.sock -m status",
        Tool::Memory => "-n mem_check -g workers -m 204800 -c",
        Tool::Cpu => "-n cpu_check -g workers -p 90 -i 600",
        Tool::File => "-n beat_check -g beat -t 30",
        Tool::Complex => {
            r#"-n web_check -g web -c '{"http":{"port":8080,"url":"/ping","timeout":5},"memory":{"max_rss":204800}}'"#
        }
        Tool::Exec => "-n ping_check -g web -t 5 -- /usr/local/bin/ping-web",
        Tool::Heartbeat => "-n pump_check --device pump-7=bridges:pump7 -t 15",
    };
    let name = match tool {
        Tool::Exec | Tool::Heartbeat => format!("supercheck {}", tool.subcommand()),
        _ => format!("/usr/local/bin/{name}"),
    };
    format!(
        "  [eventlistener:{kind}_check]\n  command={name} {flags}\n  events=TICK_60\n\n\
         \x20 The same check restarting only after 3 failed rounds in a row, never in the\n\
         \x20 first 30 s after a start, at most 3 times in 10 minutes, with the frontend\n\
         \x20 (/health, /metrics, a status page) on 127.0.0.1:9101:\n\n\
         \x20 command={name} {flags} --fail-threshold 3 --grace 30 --restart-budget 3/600 --listen 127.0.0.1:9101\n\n\
         \x20 Once from a shell (prints the verdicts, restarts nothing):\n\n\
         \x20 {name} {flags} --once --server-url unix:///var/run/supervisor.sock\n",
        kind = tool.subcommand(),
    )
}

const EXIT_STATUS: &str = "\
EXIT STATUS
  0    stdin closed (supervisord stopped the listener), or SIGTERM, SIGINT,
       SIGHUP or SIGQUIT; with --once, every selected process passed
  1    the event stream could not be followed (supervisord then restarts the
       listener in step); with --once, a process failed or could not be checked
  2    bad flags, a bad port pattern or a bad JSON configuration, reported
       before READY so that supervisord marks the listener FATAL
";

const ENVIRONMENT: &str = "\
ENVIRONMENT
  SUPERVISOR_SERVER_URL   supervisord's XML-RPC address (unix:///path or
                          http://host:port), set by supervisord for its
                          listeners; --server-url overrides it
  SUPERVISOR_USERNAME, SUPERVISOR_PASSWORD
                          credentials for supervisord's [unix_http_server] or
                          [inet_http_server]
  SUPERVISOR_GROUP_NAME   the listener's own pool, never selected without -g/-N
  TMPDIR                  the file check's default heartbeat directory
";

/// The closing sections of a check tool's long help.
pub fn closing(tool: Tool, name: &str) -> String {
    let see_also = "SEE ALSO\n  supercheck --help, supervisor_http_check, supervisor_tcp_check,\n  \
                    supervisor_xmlrpc_check, supervisor_memory_check, supervisor_cpu_check,\n  \
                    supervisor_file_check, supervisor_complex_check, httpok, memmon, crashmail,\n  \
                    supercheck notify, supervisord(1), http://supervisord.org/events.html\n";
    format!(
        "EXAMPLES\n{}\n{EXIT_STATUS}\n{ENVIRONMENT}\n{see_also}",
        example(tool, name)
    )
}

/// The closing sections of `supercheck --help`.
pub const SUPERCHECK: &str = "\
NAMES
  Linked or installed as supervisor_http_check, supervisor_tcp_check,
  supervisor_xmlrpc_check, supervisor_memory_check, supervisor_cpu_check,
  supervisor_file_check or supervisor_complex_check, supercheck takes exactly
  that tool's flags; as httpok, memmon or crashmail, superlance's (getopt).
  `supercheck NAME ARGS...` with any of these names is the same as running it
  under that name.

EXAMPLES
  supercheck install-links /usr/local/bin
  supercheck http -n web_check -g web -u /ping -p 8080 --once \\
      --server-url unix:///var/run/supervisor.sock
  supercheck demo-service --port 8080 --mode-file /tmp/mode

EXIT STATUS
  0 success; 1 a runtime failure; 2 bad flags or configuration (each check
  subcommand's --help has the details).

ENVIRONMENT
  SUPERVISOR_SERVER_URL, SUPERVISOR_USERNAME, SUPERVISOR_PASSWORD,
  SUPERVISOR_GROUP_NAME, SUPERVISOR_PROCESS_NAME (set by supervisord), TMPDIR.

SEE ALSO
  supervisor_http_check --help (and every other name's), supervisord(1)
";

const SUPERLANCE_ENVIRONMENT: &str = "\
ENVIRONMENT
  SUPERVISOR_SERVER_URL   supervisord's XML-RPC address, set by supervisord for
                          its listeners; without it the tool explains and exits 0
  SUPERVISOR_USERNAME, SUPERVISOR_PASSWORD
                          credentials for supervisord's XML-RPC server
  SUPERVISOR_GROUP_NAME   the listener's own pool, never restarted by -a
";

/// What follows a superlance tool's usage in its `--help`.
pub fn superlance(tool: SuperlanceTool) -> String {
    let (summary, what, example) = match tool {
        SuperlanceTool::Httpok => (
            "restart supervisord processes when a URL fails",
            "On every TICK it makes one GET of URL (User-Agent: httpok). A status not \
             among -c, a body without -b's text, or no answer within -t restarts the \
             selected RUNNING processes (with -d, after writing their cores with -g).",
            "command=/usr/local/bin/httpok -p web -t 5 -b ok -m ops@example.com http://127.0.0.1:8080/health\n  events=TICK_60",
        ),
        SuperlanceTool::Memmon => (
            "restart supervisord processes that use too much memory",
            "On every TICK it reads each selected process's RSS from /proc (with -c, its \
             whole tree) and restarts the process when it is strictly above its limit.",
            "command=/usr/local/bin/memmon -p web=200MB -g workers=100MB -m ops@example.com\n  events=TICK_60",
        ),
        SuperlanceTool::Crashmail => (
            "mail when supervisord processes exit unexpectedly",
            "It reports the PROCESS_STATE_EXITED events with expected:0 of the selected \
             processes by mail (-m, through -s) and/or a webhook (-W), at most one \
             message per process per ten minutes.",
            "command=/usr/local/bin/crashmail -p web -o prod -m ops@example.com\n  events=PROCESS_STATE",
        ),
    };
    let name = tool.name();
    let description = format!(
        "{what} Options are read with getopt's rules (-pNAME or -p NAME, --program=NAME, \
         unique prefixes of long names); the first argument that is not an option ends \
         them. Without -m (or -W) notifications are only logged."
    );
    let description = wrap(&description, WIDTH - 2).replace('\n', "\n  ");
    format!(
        "\nNAME\n  {name} - {summary}\n  (supercheck {version}, with superlance 2.0.0's flags)\n\n\
         DESCRIPTION\n  {description}\n\n\
         EXAMPLES\n  [eventlistener:{name}]\n  {example}\n\n\
         EXIT STATUS\n  0    stdin closed, SIGTERM/SIGINT/SIGHUP/SIGQUIT, -h or -V, or not run under\n\
         \x20      supervisord (a one-line explanation)\n\
         \x20 1    the event stream could not be followed\n\
         \x20 255  a bad option or value (the usage is printed on stderr)\n\n\
         {SUPERLANCE_ENVIRONMENT}\n\
         SEE ALSO\n  httpok, memmon, crashmail, supercheck --help, supervisord(1),\n\
         \x20 https://superlance.readthedocs.io\n",
        version = env!("CARGO_PKG_VERSION"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_check_manual_names_its_program_and_has_every_section() {
        for tool in Tool::ALL {
            let name = tool.program_name().unwrap_or("supercheck");
            assert!(about(tool, name).starts_with(name));
            let closing = closing(tool, name);
            for section in ["EXAMPLES", "EXIT STATUS", "ENVIRONMENT", "SEE ALSO"] {
                assert!(closing.contains(section), "{tool:?} lacks {section}");
            }
        }
        for tool in SuperlanceTool::ALL {
            assert!(superlance(tool).contains(&format!("NAME\n  {}", tool.name())));
        }
    }

    #[test]
    fn prose_is_wrapped_at_spaces_and_long_words_stay_whole() {
        assert_eq!(wrap("aa bb cc", 5), "aa bb\ncc");
        assert_eq!(wrap("a verylongword b", 4), "a\nverylongword\nb");
        assert_eq!(wrap("x\n\ny", 4), "x\n\ny");
    }
}
