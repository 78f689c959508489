//! superlance's `httpok` and `memmon` command lines, read with getopt
//! semantics ([`super::getopt`]) as the Python tools do.
//!
//! A refused command line prints the reason and the usage on stderr (stdout
//! belongs to supervisord's protocol) and exits 255; `-h`/`--help` prints the
//! usage on stdout and exits 0.

use std::path::PathBuf;

use super::getopt::{Found, GetoptError, OptSpec, getopt};

/// The superlance tools supercheck replaces.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SuperlanceTool {
    /// `httpok`: restart processes when a URL fails.
    Httpok,
    /// `memmon`: restart processes whose memory is over a limit.
    Memmon,
    /// `crashmail`: mail when a process exits unexpectedly.
    Crashmail,
}

impl SuperlanceTool {
    /// Every superlance tool supercheck answers to.
    pub const ALL: [SuperlanceTool; 3] = [
        SuperlanceTool::Httpok,
        SuperlanceTool::Memmon,
        SuperlanceTool::Crashmail,
    ];

    /// The program (and subcommand) name.
    pub const fn name(self) -> &'static str {
        match self {
            SuperlanceTool::Httpok => "httpok",
            SuperlanceTool::Memmon => "memmon",
            SuperlanceTool::Crashmail => "crashmail",
        }
    }

    /// The tool a program path or subcommand names (a `.py` suffix is ignored).
    pub fn from_name(path: &str) -> Option<Self> {
        let base = std::path::Path::new(path).file_name()?.to_str()?;
        let base = base.strip_suffix(".py").unwrap_or(base);
        Self::ALL.into_iter().find(|t| t.name() == base)
    }

    /// The usage text.
    pub const fn usage(self) -> &'static str {
        match self {
            SuperlanceTool::Httpok => HTTPOK_USAGE,
            SuperlanceTool::Memmon => MEMMON_USAGE,
            SuperlanceTool::Crashmail => super::crashmail::USAGE,
        }
    }
}

const HTTPOK_USAGE: &str = "\
usage: httpok [-p processname] [-a] [-g gcore_program] [-d coredir] [-t timeout]
              [-c status_code] [-b inbody] [-m mail_address] [-s sendmail]
              [-e | -E] [-n name] [--ca-file PEM] URL

-p, --program NAME     restart process NAME (or group:name) when the URL fails; repeatable
-a, --any              restart every RUNNING process (except this listener's own pool)
-g, --gcore PROGRAM    gcore program, called as PROGRAM FILE PID (default /usr/bin/gcore -o)
-d, --coredir DIR      write a core of each RUNNING process into DIR before restarting it
-t, --timeout SECS     time allowed for each attempt (default 10; 1 attempt per 10 s)
-c, --code CODE        expected status code (default 200); repeatable
-b, --body TEXT        text the response body must contain
-s, --sendmail_program CMD  sendmail command, run without a shell (default
                       /usr/sbin/sendmail -t -i)
-m, --email ADDR       mail address to notify (none: notifications are logged)
-W, --webhook URL      also POST each notification as JSON to this http:// URL
-e, --eager            check the URL even when no selected process is RUNNING (default)
-E, --not-eager        skip the check when no selected process is RUNNING
-n, --name NAME        name in notification subjects
-V, --version          print the version and exit
    --ca-file PEM      https: trust the CA certificates in this PEM file instead
                       of the system's roots (not in superlance)
-h, --help             this text

URL is http:// or https://; https certificates are verified (a rejected
certificate is a failure of the service: it is restarted).
";

const MEMMON_USAGE: &str = "\
usage: memmon [-c] [-p processname=byte_size] [-g groupname=byte_size]
              [-a byte_size] [-s sendmail] [-m email_address]
              [-u uptime] [-n memmon_name]

-c, --cumulative       count the RSS of each process's descendants too
-p, --program NAME=SIZE  limit for process NAME (or group:name); repeatable
-g, --group GROUP=SIZE   limit for every process of GROUP; repeatable
-a, --any SIZE         limit for every other process (never this listener's own pool)
-s, --sendmail_program CMD  sendmail command, run without a shell (default
                       /usr/sbin/sendmail -t -i)
-m, --email ADDR       mail address to notify (none: notifications are logged)
-W, --webhook URL      also POST each notification as JSON to this http:// URL
-u, --uptime SECS      notify only when the process was up at most SECS (s/m/h/d suffix)
-n, --name NAME        name in notification subjects
-V, --version          print the version and exit
-h, --help             this text

A limit applies by precedence: -p, then -g, then -a; a process is restarted
when its RSS is strictly greater than its limit. SIZE is an integer with an
optional KB, MB or GB suffix (powers of 1024, any case).
";

/// The short letter of options that have only a long name: no argument can
/// spell it as a short option.
pub const LONG_ONLY: char = '\0';

const HTTPOK_OPTS: [OptSpec; 16] = [
    opt('V', "version", false),
    opt('W', "webhook", true),
    opt('h', "help", false),
    opt('p', "program", true),
    opt('a', "any", false),
    opt('t', "timeout", true),
    opt('c', "code", true),
    opt('b', "body", true),
    opt('s', "sendmail_program", true),
    opt('m', "email", true),
    opt('g', "gcore", true),
    opt('d', "coredir", true),
    opt('e', "eager", false),
    opt('E', "not-eager", false),
    opt('n', "name", true),
    opt(LONG_ONLY, "ca-file", true),
];

const MEMMON_OPTS: [OptSpec; 11] = [
    opt('V', "version", false),
    opt('W', "webhook", true),
    opt('h', "help", false),
    opt('c', "cumulative", false),
    opt('p', "program", true),
    opt('g', "group", true),
    opt('a', "any", true),
    opt('s', "sendmail_program", true),
    opt('m', "email", true),
    opt('u', "uptime", true),
    opt('n', "name", true),
];

/// One getopt option (shared with crashmail's table).
pub(crate) const fn opt(short: char, long: &'static str, takes_value: bool) -> OptSpec {
    OptSpec {
        short,
        long,
        takes_value,
    }
}

/// The default sendmail command of both tools.
pub const DEFAULT_SENDMAIL: &str = "/usr/sbin/sendmail -t -i";
/// httpok's default gcore command.
pub const DEFAULT_GCORE: &str = "/usr/bin/gcore -o";

/// What a command line asks for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Parsed<T> {
    /// `-h`/`--help`: print the usage, exit 0.
    Help,
    /// `-V`/`--version`: print the version, exit 0.
    Version,
    /// Run with these options.
    Run(T),
}

/// httpok's options.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HttpokOptions {
    /// `-p`: names or `group:name` namespecs, in order.
    pub programs: Vec<String>,
    /// `-a`.
    pub any: bool,
    /// `-t`, seconds (at least 1).
    pub timeout_secs: u64,
    /// `-c`, in order (`[200]` when none is given).
    pub codes: Vec<u16>,
    /// `-b`.
    pub body: Option<String>,
    /// `-s`.
    pub sendmail: String,
    /// `-m`.
    pub email: Option<String>,
    /// `-g`.
    pub gcore: String,
    /// `-d`.
    pub coredir: Option<PathBuf>,
    /// `-e` (default) / `-E`: the last one given wins.
    pub eager: bool,
    /// `-n`.
    pub name: Option<String>,
    /// `-W`/`--webhook`: an `http://` URL to POST notifications to.
    pub webhook: Option<String>,
    /// `--ca-file`: a PEM file of CA certificates to trust for https.
    pub ca_file: Option<PathBuf>,
    /// The URL.
    pub url: String,
}

/// memmon's options.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MemmonOptions {
    /// `-c`.
    pub cumulative: bool,
    /// `-p NAME=SIZE`: limits in bytes; a later pair for the same name replaces an earlier one.
    pub programs: Vec<(String, u64)>,
    /// `-g GROUP=SIZE`, in bytes, the same way.
    pub groups: Vec<(String, u64)>,
    /// `-a SIZE`, in bytes.
    pub any: Option<u64>,
    /// `-s`.
    pub sendmail: String,
    /// `-m`.
    pub email: Option<String>,
    /// `-u`, seconds (`None`: always notify).
    pub uptime_limit: Option<u64>,
    /// `-n`.
    pub name: Option<String>,
    /// `-W`/`--webhook`: an `http://` URL to POST notifications to.
    pub webhook: Option<String>,
}

/// Reads httpok's command line (without the program name).
///
/// # Errors
/// Why it was refused; the caller prints it with the usage and exits 255.
pub fn parse_httpok(args: &[String]) -> Result<Parsed<HttpokOptions>, GetoptError> {
    let (found, positional) = getopt(args, &HTTPOK_OPTS)?;
    if found.iter().any(|f| f.short == 'h') {
        return Ok(Parsed::Help);
    }
    if found.iter().any(|f| f.short == 'V') {
        return Ok(Parsed::Version);
    }
    let url = match positional.as_slice() {
        [url] => url.clone(),
        [] => return Err(GetoptError("a URL is required".into())),
        _ => return Err(GetoptError("exactly one URL is allowed".into())),
    };
    let mut o = HttpokOptions {
        programs: Vec::new(),
        any: false,
        timeout_secs: 10,
        codes: Vec::new(),
        body: None,
        sendmail: DEFAULT_SENDMAIL.into(),
        email: None,
        gcore: DEFAULT_GCORE.into(),
        coredir: None,
        eager: true,
        name: None,
        webhook: None,
        ca_file: None,
        url,
    };
    for Found {
        short,
        spelled,
        value,
    } in found
    {
        match short {
            'p' => o.programs.push(value),
            'a' => o.any = true,
            't' => {
                o.timeout_secs = value
                    .trim()
                    .parse::<u64>()
                    .ok()
                    .filter(|t| (1..=86_400).contains(t))
                    .ok_or_else(|| {
                        GetoptError(format!(
                            "Unparseable value {value:?} for {spelled}: a whole number of seconds from 1 to 86400"
                        ))
                    })?;
            }
            'c' => o.codes.push(
                value
                    .trim()
                    .parse::<u16>()
                    .ok()
                    .filter(|c| (100..=999).contains(c))
                    .ok_or_else(|| {
                        GetoptError(format!(
                            "Unparseable value {value:?} for {spelled}: a status code"
                        ))
                    })?,
            ),
            'b' => o.body = Some(value),
            's' => o.sendmail = value,
            'm' => o.email = Some(value),
            'g' => o.gcore = value,
            'd' => o.coredir = Some(PathBuf::from(value)),
            'e' => o.eager = true,
            'E' => o.eager = false,
            'n' => o.name = Some(value),
            'W' => o.webhook = Some(value),
            LONG_ONLY => o.ca_file = Some(PathBuf::from(value)),
            _ => {}
        }
    }
    if o.codes.is_empty() {
        o.codes.push(200);
    }
    Ok(Parsed::Run(o))
}

/// Reads memmon's command line (without the program name).
///
/// # Errors
/// Why it was refused (no arguments at all, a bad option, an unparseable
/// size, pair or uptime); the caller prints it with the usage and exits 255.
pub fn parse_memmon(args: &[String]) -> Result<Parsed<MemmonOptions>, GetoptError> {
    if args.is_empty() {
        return Err(GetoptError("no options given".into()));
    }
    let (found, _positional) = getopt(args, &MEMMON_OPTS)?;
    if found.iter().any(|f| f.short == 'h') {
        return Ok(Parsed::Help);
    }
    if found.iter().any(|f| f.short == 'V') {
        return Ok(Parsed::Version);
    }
    let mut o = MemmonOptions {
        cumulative: false,
        programs: Vec::new(),
        groups: Vec::new(),
        any: None,
        sendmail: DEFAULT_SENDMAIL.into(),
        email: None,
        uptime_limit: None,
        name: None,
        webhook: None,
    };
    for Found {
        short,
        spelled,
        value,
    } in found
    {
        match short {
            'c' => o.cumulative = true,
            'p' => set_pair(&mut o.programs, parse_name_size(&spelled, &value)?),
            'g' => set_pair(&mut o.groups, parse_name_size(&spelled, &value)?),
            'a' => o.any = Some(parse_size(&spelled, &value)?),
            's' => o.sendmail = value,
            'm' => o.email = Some(value),
            'u' => o.uptime_limit = Some(parse_seconds(&spelled, &value)?),
            'n' => o.name = Some(value),
            'W' => o.webhook = Some(value),
            _ => {}
        }
    }
    Ok(Parsed::Run(o))
}

fn set_pair(pairs: &mut Vec<(String, u64)>, (name, size): (String, u64)) {
    pairs.retain(|(n, _)| *n != name);
    pairs.push((name, size));
}

/// `NAME=SIZE`, with exactly one `=`.
fn parse_name_size(option: &str, value: &str) -> Result<(String, u64), GetoptError> {
    let mut parts = value.split('=');
    match (parts.next(), parts.next(), parts.next()) {
        (Some(name), Some(size), None) if !name.is_empty() => {
            Ok((name.to_string(), parse_size(option, size)?))
        }
        _ => Err(GetoptError(format!(
            "Unparseable value {value:?} for {option:?}"
        ))),
    }
}

/// An integer with an optional case-insensitive `KB`, `MB` or `GB` suffix
/// (powers of 1024), as supervisor's `byte_size`.
///
/// # Errors
/// Anything else ("Unparseable byte_size ...").
pub fn parse_size(option: &str, value: &str) -> Result<u64, GetoptError> {
    let lower = value.trim().to_ascii_lowercase();
    let (digits, unit) = [("kb", 1u64 << 10), ("mb", 1 << 20), ("gb", 1 << 30)]
        .into_iter()
        .find_map(|(suffix, unit)| lower.strip_suffix(suffix).map(|d| (d, unit)))
        .unwrap_or((lower.as_str(), 1));
    whole(digits)
        .and_then(|n| n.checked_mul(unit))
        .ok_or_else(|| GetoptError(format!("Unparseable byte_size in {value:?} for {option:?}")))
}

/// An integer with an optional case-insensitive `s`, `m`, `h` or `d` suffix.
///
/// # Errors
/// Anything else ("Unparseable value for time ...").
pub fn parse_seconds(option: &str, value: &str) -> Result<u64, GetoptError> {
    let lower = value.trim().to_ascii_lowercase();
    let (digits, unit) = [("s", 1u64), ("m", 60), ("h", 3600), ("d", 86_400)]
        .into_iter()
        .find_map(|(suffix, unit)| lower.strip_suffix(suffix).map(|d| (d, unit)))
        .unwrap_or((lower.as_str(), 1));
    whole(digits)
        .and_then(|n| n.checked_mul(unit))
        .ok_or_else(|| {
            GetoptError(format!(
                "Unparseable value for time in {value:?} for {option}"
            ))
        })
}

/// Decimal digits only (no sign, no fraction).
fn whole(digits: &str) -> Option<u64> {
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(a: &[&str]) -> Vec<String> {
        a.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn httpok_defaults_match_superlance() {
        let Ok(Parsed::Run(o)) = parse_httpok(&args(&["http://127.0.0.1/"])) else {
            panic!("parses")
        };
        assert_eq!(o.timeout_secs, 10);
        assert_eq!(o.codes, vec![200]);
        assert!(o.eager && !o.any && o.programs.is_empty());
        assert_eq!(o.gcore, DEFAULT_GCORE);
        assert_eq!(o.sendmail, DEFAULT_SENDMAIL);
    }

    #[test]
    fn httpok_takes_every_flag_and_exactly_one_url() {
        let Ok(Parsed::Run(o)) = parse_httpok(&args(&[
            "-pa",
            "--program=g:b",
            "-t2",
            "-c",
            "200",
            "--code=204",
            "-bok",
            "-E",
            "-n",
            "x",
            "-d",
            "/tmp",
            "-g",
            "gcore",
            "-m",
            "m@x",
            "-s",
            "sm",
            "http://h/",
        ])) else {
            panic!("parses")
        };
        assert_eq!(o.programs, vec!["a", "g:b"]);
        assert_eq!((o.timeout_secs, o.codes.clone()), (2, vec![200, 204]));
        assert_eq!(o.body.as_deref(), Some("ok"));
        assert!(!o.eager);
        assert!(parse_httpok(&args(&[])).is_err());
        assert!(parse_httpok(&args(&["http://a/", "http://b/"])).is_err());
        assert!(
            parse_httpok(&args(&["http://a/", "-p", "x"])).is_err(),
            "options end at the URL"
        );
        assert!(parse_httpok(&args(&["-t", "ten", "http://a/"])).is_err());
        assert_eq!(parse_httpok(&args(&["-h"])), Ok(Parsed::Help));
    }

    #[test]
    fn timeout_zero_is_refused_at_startup_not_a_restart_every_tick() {
        let e = parse_httpok(&args(&["-t", "0", "http://a/"])).unwrap_err();
        assert!(e.0.contains("Unparseable"), "{e}");
    }

    #[test]
    fn sizes_take_kb_mb_gb_in_any_case_as_powers_of_1024() {
        assert_eq!(parse_size("-a", "100"), Ok(100));
        assert_eq!(parse_size("-a", "2kb"), Ok(2048));
        assert_eq!(parse_size("-a", "3Mb"), Ok(3 << 20));
        assert_eq!(parse_size("-a", "1GB"), Ok(1 << 30));
        for bad in ["1.5MB", "1M", "1B", "", "MB", "-1", "1 TB"] {
            assert!(parse_size("-a", bad).is_err(), "{bad}");
        }
        assert_eq!(parse_seconds("-u", "90"), Ok(90));
        assert_eq!(parse_seconds("-u", "2M"), Ok(120));
        assert_eq!(parse_seconds("-u", "1d"), Ok(86_400));
        assert!(parse_seconds("-u", "1w").is_err());
    }

    #[test]
    fn memmon_pairs_need_exactly_one_equals_sign() {
        let Ok(Parsed::Run(o)) = parse_memmon(&args(&[
            "-p", "web=1MB", "-p", "g:w=2KB", "-g", "g=3", "-a", "1GB", "-c",
        ])) else {
            panic!("parses")
        };
        assert_eq!(
            o.programs,
            vec![("web".into(), 1 << 20), ("g:w".into(), 2048)]
        );
        assert_eq!(o.groups, vec![("g".into(), 3)]);
        assert_eq!((o.any, o.cumulative), (Some(1 << 30), true));
        for bad in ["web", "web=1=2", "=1MB", "web=lots"] {
            let e = parse_memmon(&args(&["-p", bad])).unwrap_err();
            assert!(e.0.starts_with("Unparseable"), "{bad}: {e}");
        }
        assert!(
            parse_memmon(&args(&[])).is_err(),
            "no arguments at all is a usage error"
        );
        assert_eq!(parse_memmon(&args(&["--help"])), Ok(Parsed::Help));
    }

    #[test]
    fn memmon_name_is_only_set_by_n_not_by_the_last_program_pair() {
        let Ok(Parsed::Run(o)) = parse_memmon(&args(&["-p", "web=1MB"])) else {
            panic!("parses")
        };
        assert_eq!(o.name, None, "superlance took `web` as the memmon name");
    }

    #[test]
    fn program_names_select_the_tool() {
        assert_eq!(
            SuperlanceTool::from_name("/usr/bin/httpok"),
            Some(SuperlanceTool::Httpok)
        );
        assert_eq!(
            SuperlanceTool::from_name("memmon.py"),
            Some(SuperlanceTool::Memmon)
        );
        assert_eq!(
            SuperlanceTool::from_name("/usr/local/bin/crashmail"),
            Some(SuperlanceTool::Crashmail)
        );
        assert_eq!(SuperlanceTool::from_name("crashmailbatch"), None);
    }
}
