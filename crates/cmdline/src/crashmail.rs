//! superlance's `crashmail` command line, read with getopt semantics
//! ([`super::getopt`]) like httpok's and memmon's.
//!
//! Unlike the Python tool, `-p` and `-a` are honoured (superlance issue #18):
//! `-p` (repeatable) selects processes by name or `group:name`, `-a` selects
//! every process; with neither, every process is selected, as the Python tool
//! did in practice.

use super::getopt::{Found, GetoptError, OptSpec, getopt};
use super::superlance::{DEFAULT_SENDMAIL, Parsed, opt};

/// crashmail's usage text.
pub const USAGE: &str = "\
usage: crashmail [-p processname] [-a] [-o string] [-m mail_address]
                 [-s sendmail] [-W webhook_url]

-p, --program NAME     mail when process NAME (or group:name) exits unexpectedly;
                       repeatable
-a, --any              mail when any process exits unexpectedly (the default
                       when no -p is given)
-o, --optionalheader STR  subject prefix (`STR: NAME crashed at ...`)
-s, --sendmail_program CMD  sendmail command, run without a shell (default
                       /usr/sbin/sendmail -t -i)
-m, --email ADDR       mail address to notify (none: crashes are only logged)
-W, --webhook URL      also POST each notification as JSON to this http:// URL
-V, --version          print the version and exit
-h, --help             this text

Subscribe it to PROCESS_STATE (or PROCESS_STATE_EXITED) events. At most one
message per process per ten minutes; the next one counts those suppressed.
";

const OPTS: [OptSpec; 8] = [
    opt('V', "version", false),
    opt('h', "help", false),
    opt('p', "program", true),
    opt('a', "any", false),
    opt('o', "optionalheader", true),
    opt('s', "sendmail_program", true),
    opt('m', "email", true),
    opt('W', "webhook", true),
];

/// crashmail's options.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CrashmailOptions {
    /// `-p`: names or `group:name` namespecs.
    pub programs: Vec<String>,
    /// `-a`, or no `-p` at all.
    pub any: bool,
    /// `-o`.
    pub header: Option<String>,
    /// `-s`.
    pub sendmail: String,
    /// `-m`.
    pub email: Option<String>,
    /// `-W`/`--webhook`.
    pub webhook: Option<String>,
}

impl CrashmailOptions {
    /// Whether a crash of `group:name` is to be reported.
    pub fn selects(&self, group: &str, name: &str) -> bool {
        self.any
            || self.programs.iter().any(|p| {
                p == name
                    || p.split_once(':')
                        .is_some_and(|(g, n)| g == group && (n == name || n == "*"))
            })
    }
}

/// Reads crashmail's command line (without the program name); positional
/// arguments are ignored, as getopt leaves them to the Python tool.
///
/// # Errors
/// An unknown option or a missing value; the caller prints it with the usage
/// and exits 255.
pub fn parse_crashmail(args: &[String]) -> Result<Parsed<CrashmailOptions>, GetoptError> {
    let (found, _positional) = getopt(args, &OPTS)?;
    if found.iter().any(|f| f.short == 'h') {
        return Ok(Parsed::Help);
    }
    if found.iter().any(|f| f.short == 'V') {
        return Ok(Parsed::Version);
    }
    let mut o = CrashmailOptions {
        programs: Vec::new(),
        any: false,
        header: None,
        sendmail: DEFAULT_SENDMAIL.into(),
        email: None,
        webhook: None,
    };
    for Found { short, value, .. } in found {
        match short {
            'p' => o.programs.push(value),
            'a' => o.any = true,
            'o' => o.header = Some(value),
            's' => o.sendmail = value,
            'm' => o.email = Some(value),
            'W' => o.webhook = Some(value),
            _ => {}
        }
    }
    if o.programs.is_empty() {
        o.any = true;
    }
    Ok(Parsed::Run(o))
}

#[cfg(test)]
#[allow(clippy::panic)]
mod tests {
    use super::*;

    fn parse(a: &[&str]) -> CrashmailOptions {
        let args: Vec<String> = a.iter().map(|s| s.to_string()).collect();
        match parse_crashmail(&args) {
            Ok(Parsed::Run(o)) => o,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn p_filters_by_name_or_namespec_and_a_selects_all() {
        let o = parse(&["-p", "web", "--program=jobs:w1", "-pq:*", "-m", "ops@x"]);
        assert!(!o.any);
        assert!(o.selects("web", "web"));
        assert!(
            o.selects("other", "web"),
            "a bare name matches in any group"
        );
        assert!(o.selects("jobs", "w1"));
        assert!(!o.selects("jobs", "w2"));
        assert!(o.selects("q", "anything"));
        assert!(!o.selects("db", "db"));
        assert_eq!(o.email.as_deref(), Some("ops@x"));
        assert!(parse(&["-a", "-p", "web"]).selects("db", "db"));
        assert!(parse(&[]).selects("db", "db"), "no -p: every process");
    }

    #[test]
    fn header_sendmail_and_bad_options() {
        let o = parse(&["-o", "prod", "-s", "/bin/mail -x", "--webhook=http://h/x"]);
        assert_eq!(o.header.as_deref(), Some("prod"));
        assert_eq!(o.sendmail, "/bin/mail -x");
        assert_eq!(o.webhook.as_deref(), Some("http://h/x"));
        assert!(parse_crashmail(&["-z".to_string()]).is_err());
        assert!(parse_crashmail(&["-m".to_string()]).is_err());
        assert_eq!(parse_crashmail(&["-h".to_string()]), Ok(Parsed::Help));
    }
}
