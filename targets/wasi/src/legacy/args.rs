//! Command line, in plain std (the program is small and runs in a sandbox):
//!
//! ```text
//! supercheck-wasi [--name NAME] [--timeout SECONDS] tcp --host HOST --port PORT
//! supercheck-wasi [--name NAME] [--timeout SECONDS] http --url http://HOST[:PORT][/PATH]
//! ```

use std::time::Duration;

use supercheck_wire::http_url::HttpUrl;

use super::check::Target;

/// Usage text for `--help` and usage errors.
pub const USAGE: &str = "\
usage: supercheck-wasi [--name NAME] [--timeout SECONDS] tcp --host HOST --port PORT
       supercheck-wasi [--name NAME] [--timeout SECONDS] http --url http://HOST[:PORT][/PATH]

A supervisord event listener built for WASI. Subscribe it to TICK_5, TICK_60 or
TICK_3600: on every TICK it runs its check and logs the verdict to stderr.
It restarts nothing. Under wasm32-wasip1 there are no sockets and every check
reports \"could not run\"; under wasm32-wasip2 grant network access to the
runtime (wasmtime run -S inherit-network ...).

options:
  --name NAME        name used in log lines (default: the check's target)
  --timeout SECONDS  connect and read timeout, 1 to 3600 (default 5)
  -h, --help         this text
  -V, --version      the version
";

/// What the command line asks for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Command {
    /// Print [`USAGE`] and exit 0.
    Help,
    /// Print the version and exit 0.
    Version,
    /// Run the listener.
    Run(Config),
}

/// The listener's settings.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Config {
    /// Name in log lines.
    pub name: String,
    /// What each TICK checks.
    pub target: Target,
    /// Connect and read timeout.
    pub timeout: Duration,
}

/// A command line that cannot be run (the text names the argument at fault).
pub use supercheck_cmdline::plan::ConfigError as UsageError;

fn err<T>(msg: impl Into<String>) -> Result<T, UsageError> {
    Err(UsageError(msg.into()))
}

/// Parses the arguments after the program name. Options may come before or
/// after the check kind; `--opt=value` and `--opt value` are both accepted.
///
/// # Errors
/// A [`UsageError`] naming the offending argument.
pub fn parse<I: IntoIterator<Item = String>>(args: I) -> Result<Command, UsageError> {
    let mut kind: Option<String> = None;
    let (mut host, mut port, mut url, mut name, mut timeout) = (None, None, None, None, None);
    let mut it = args.into_iter();
    while let Some(arg) = it.next() {
        let (flag, inline) = match arg.split_once('=') {
            Some((f, v)) if f.starts_with("--") => (f.to_string(), Some(v.to_string())),
            _ => (arg.clone(), None),
        };
        let slot = match flag.as_str() {
            "-h" | "--help" => return Ok(Command::Help),
            "-V" | "--version" => return Ok(Command::Version),
            "--host" => &mut host,
            "--port" => &mut port,
            "--url" => &mut url,
            "--name" => &mut name,
            "--timeout" => &mut timeout,
            f if f.starts_with('-') => {
                return err(format!(
                    "unknown option {f} (the drop-in checks' command lines start with their \
                     program name: supervisor_http_check -g GROUP -n NAME -u PATH -p PORT ...)"
                ));
            }
            _ => {
                if kind.is_some() {
                    return err(format!("unexpected argument {arg:?}"));
                }
                kind = Some(arg);
                continue;
            }
        };
        let value = match inline.or_else(|| it.next()) {
            Some(v) => v,
            None => return err(format!("{flag} needs a value")),
        };
        if slot.replace(value).is_some() {
            return err(format!("{flag} given twice"));
        }
    }
    let timeout = match timeout {
        None => Duration::from_secs(5),
        Some(t) => match t.parse::<u64>() {
            Ok(s @ 1..=3600) => Duration::from_secs(s),
            _ => {
                return err(format!(
                    "--timeout {t:?}: expected whole seconds from 1 to 3600"
                ));
            }
        },
    };
    let target = match kind.as_deref() {
        Some("tcp") => {
            if url.is_some() {
                return err("--url belongs to the http check");
            }
            let Some(host) = host.filter(|h| !h.is_empty()) else {
                return err("the tcp check needs --host");
            };
            let port = match port.as_deref().map(str::parse::<u16>) {
                Some(Ok(p)) if p > 0 => p,
                Some(_) => return err("--port: expected a number from 1 to 65535"),
                None => return err("the tcp check needs --port"),
            };
            Target::Tcp { host, port }
        }
        Some("http") => {
            if host.is_some() || port.is_some() {
                return err("--host and --port belong to the tcp check; http takes --url");
            }
            let Some(url) = url else {
                return err("the http check needs --url");
            };
            match HttpUrl::parse(&url) {
                Ok(u) if u.tls => {
                    return err(format!(
                        "--url {url:?}: https:// is not supported under WASI (no TLS); use http://"
                    ));
                }
                Ok(u) => Target::Http(u),
                Err(e) => return err(format!("--url: {e}")),
            }
        }
        Some(other) => return err(format!("unknown check {other:?}: expected tcp or http")),
        None => return err("no check given: expected tcp or http"),
    };
    let name = name.unwrap_or_else(|| target.describe());
    Ok(Command::Run(Config {
        name,
        target,
        timeout,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(args: &[&str]) -> Result<Command, UsageError> {
        parse(args.iter().map(|s| s.to_string()))
    }

    #[test]
    fn tcp_and_http() {
        let Command::Run(c) = p(&["tcp", "--host", "127.0.0.1", "--port=8080"]).unwrap() else {
            panic!()
        };
        assert_eq!(
            c.target,
            Target::Tcp {
                host: "127.0.0.1".into(),
                port: 8080
            }
        );
        assert_eq!(
            (c.name.as_str(), c.timeout.as_secs()),
            ("tcp 127.0.0.1:8080", 5)
        );
        let Command::Run(c) = p(&[
            "--timeout",
            "2",
            "http",
            "--url",
            "http://h:1/x",
            "--name",
            "web",
        ])
        .unwrap() else {
            panic!()
        };
        assert_eq!((c.name.as_str(), c.timeout.as_secs()), ("web", 2));
        assert_eq!(p(&["--help"]).unwrap(), Command::Help);
    }

    #[test]
    fn errors_are_clear() {
        for (args, needle) in [
            (&[][..], "no check"),
            (&["udp"][..], "unknown check"),
            (&["tcp", "--host", "h"][..], "--port"),
            (&["tcp", "--port", "1"][..], "--host"),
            (&["tcp", "--host", "h", "--port", "0"][..], "65535"),
            (&["tcp", "--host"][..], "needs a value"),
            (&["tcp", "--host", "a", "--host", "b"][..], "twice"),
            (&["http"][..], "--url"),
            (&["http", "--url", "https://x/"][..], "TLS"),
            (
                &["http", "--url", "http://x/", "--port", "1"][..],
                "tcp check",
            ),
            (&["tcp", "--bogus"][..], "unknown option"),
            (&["tcp", "x", "y"][..], "unexpected"),
            (
                &["tcp", "--host", "h", "--port", "1", "--timeout", "0"][..],
                "timeout",
            ),
        ] {
            let e = p(args).unwrap_err();
            assert!(e.0.contains(needle), "{args:?}: {e}");
        }
    }
}
