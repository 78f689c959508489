//! The `serve` subcommand's flags (clap), with HealthCheck.Server's
//! spellings; [`crate::config`] resolves them against the environment and
//! the config file.

use std::net::IpAddr;
use std::path::PathBuf;

use clap::{Arg, ArgAction, Command, value_parser};

/// The `serve` subcommand.
pub fn command() -> Command {
    let text = |name: &'static str, help: &'static str| Arg::new(name).long(name).help(help);
    Command::new("serve")
        .about("A registration-based health monitor (HealthCheck.Server compatible)")
        .long_about(
            "A standalone service that polls registered HTTP endpoints and notifies on state \
             changes. JSON API under /v1/monitors, HealthCheck.Server's form API under \
             /healthchecker/, and /health, /metrics and / like the listener's frontend. \
             Each setting comes from the command line, else the environment, else --config FILE, \
             else its default.",
        )
        .arg(
            Arg::new("bind_addr")
                .long("bind_addr")
                .visible_alias("bind-addr")
                .value_name("ADDR")
                .help("Address to bind; also -ba [env BIND_ADDR; default 127.0.0.1]")
                .value_parser(value_parser!(IpAddr)),
        )
        .arg(
            Arg::new("port")
                .short('p')
                .long("port")
                .value_name("PORT")
                .help("Port to bind, 0 for any free one [env PORT; default 9876]")
                .value_parser(value_parser!(u16)),
        )
        .arg(
            Arg::new("config")
                .long("config")
                .value_name("FILE")
                .help("Settings file: name=value lines, values as Python literals")
                .value_parser(value_parser!(PathBuf)),
        )
        .arg(flag("debug", Some('d'), "Log every request [env DEBUG]"))
        .arg(flag("verbose", Some('v'), "Log every probe"))
        .arg(
            text(
                "state-dir",
                "Keep registrations and states in DIR/monitors.json [env SUPERCHECK_STATE_DIR]",
            )
            .value_name("DIR")
            .value_parser(value_parser!(PathBuf)),
        )
        .arg(flag(
            "no-mdns",
            None,
            "Do not advertise over mDNS [env SUPERCHECK_MDNS=0]",
        ))
        .arg(flag("mdns", None, "Advertise over mDNS (the default)").conflicts_with("no-mdns"))
        .arg(
            text(
                "sendmail",
                "Mail through this program, e.g. \"/usr/sbin/sendmail -t -i\"",
            )
            .value_name("CMD"),
        )
        .arg(text("mail-from", "From: of the mails").value_name("ADDR"))
        .arg(
            text(
                "mail-to",
                "Also mail every monitor's transitions to ADDR (repeatable)",
            )
            .value_name("ADDR")
            .action(ArgAction::Append),
        )
        .arg(
            text(
                "webhook",
                "Also POST every monitor's transitions to URL (repeatable)",
            )
            .value_name("URL")
            .action(ArgAction::Append),
        )
        .arg(
            text(
                "notify-window",
                "At most one message per monitor and state per SECS [600]",
            )
            .value_name("SECS")
            .value_parser(value_parser!(u64)),
        )
        .arg(
            text("max-monitors", "Registrations allowed at once [1000]")
                .value_name("N")
                .value_parser(value_parser!(usize)),
        )
        .arg(
            text(
                "http-max-connections",
                "Client connections served at once; more get 503 [256]",
            )
            .value_name("N")
            .value_parser(value_parser!(u32).range(1..)),
        )
        .arg(flag(
            "print-config",
            None,
            "Print the resolved settings and their sources, then exit",
        ))
}

fn flag(name: &'static str, short: Option<char>, help: &'static str) -> Arg {
    let arg = Arg::new(name)
        .long(name)
        .help(help)
        .action(ArgAction::SetTrue);
    match short {
        Some(c) => arg.short(c),
        None => arg,
    }
}

/// Rewrites HealthCheck.Server's two-letter `-ba` into `--bind_addr`.
pub fn normalise_args(args: impl IntoIterator<Item = String>) -> Vec<String> {
    args.into_iter()
        .map(|arg| match arg.strip_prefix("-ba") {
            Some("") => "--bind_addr".to_string(),
            Some(rest) if rest.starts_with('=') => format!("--bind_addr{rest}"),
            _ => arg,
        })
        .collect()
}
