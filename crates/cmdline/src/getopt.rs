//! Python's `getopt.getopt`, for the superlance tools (`httpok`, `memmon`),
//! which read their flags with it.
//!
//! What it accepts, exactly as Python does:
//! - short options clustered (`-aE`), a value attached (`-pfoo`) or in the
//!   next argument (`-p foo`);
//! - long options with `=value` or the value in the next argument, and any
//!   unambiguous prefix of a long name (`--prog=foo` is `--program=foo`);
//! - parsing stops at the first argument that is not an option (or at `--`,
//!   which is dropped): everything after it is positional.
//!
//! clap cannot stop at the first positional argument while also taking
//! prefixes of long names the way getopt does, so the two tools use this.

use std::fmt;

/// One option of a tool: its short letter and long name, and whether it takes a value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OptSpec {
    /// The short letter (`p` for `-p`).
    pub short: char,
    /// The long name without dashes (`program` for `--program`).
    pub long: &'static str,
    /// Whether the option takes a value.
    pub takes_value: bool,
}

/// An option found on the command line: which one (by its short letter) and its value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Found {
    /// The option's short letter, whichever spelling was used.
    pub short: char,
    /// How it was written (`-p` or `--program`), for messages.
    pub spelled: String,
    /// Its value (empty for a flag).
    pub value: String,
}

/// Why the command line was refused: the tool prints its usage and exits 255.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GetoptError(pub String);

impl fmt::Display for GetoptError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for GetoptError {}

/// Splits `args` (without the program name) into options and positional arguments.
///
/// # Errors
/// An unknown option, an ambiguous long prefix, a missing value, or a value
/// given with `=` to an option that takes none.
pub fn getopt(
    args: &[String],
    specs: &[OptSpec],
) -> Result<(Vec<Found>, Vec<String>), GetoptError> {
    let mut found = Vec::new();
    let mut rest = args.iter();
    while let Some(arg) = rest.next() {
        if arg == "--" {
            return Ok((found, rest.cloned().collect()));
        }
        if let Some(long) = arg.strip_prefix("--") {
            let (name, inline) = match long.split_once('=') {
                Some((name, value)) => (name, Some(value.to_string())),
                None => (long, None),
            };
            let spec = long_spec(name, specs)?;
            let value = match (spec.takes_value, inline) {
                (true, Some(value)) => value,
                (true, None) => rest.next().cloned().ok_or_else(|| {
                    GetoptError(format!("option --{} requires argument", spec.long))
                })?,
                (false, Some(_)) => {
                    return Err(GetoptError(format!(
                        "option --{} must not have an argument",
                        spec.long
                    )));
                }
                (false, None) => String::new(),
            };
            found.push(Found {
                short: spec.short,
                spelled: format!("--{}", spec.long),
                value,
            });
        } else if let Some(cluster) = arg.strip_prefix('-').filter(|c| !c.is_empty()) {
            for (at, letter) in cluster.char_indices() {
                let spec = specs
                    .iter()
                    .find(|s| s.short == letter)
                    .ok_or_else(|| GetoptError(format!("option -{letter} not recognized")))?;
                let spelled = format!("-{letter}");
                if !spec.takes_value {
                    found.push(Found {
                        short: letter,
                        spelled,
                        value: String::new(),
                    });
                    continue;
                }
                let attached = cluster.get(at + letter.len_utf8()..).unwrap_or_default();
                let value = if attached.is_empty() {
                    rest.next()
                        .cloned()
                        .ok_or_else(|| GetoptError(format!("option -{letter} requires argument")))?
                } else {
                    attached.to_string()
                };
                found.push(Found {
                    short: letter,
                    spelled,
                    value,
                });
                break;
            }
        } else {
            // The first positional argument ends the options (`-` alone is positional).
            let mut positional = vec![arg.clone()];
            positional.extend(rest.cloned());
            return Ok((found, positional));
        }
    }
    Ok((found, Vec::new()))
}

/// The long option `name` names: an exact name, or the only one it is a prefix of.
fn long_spec<'s>(name: &str, specs: &'s [OptSpec]) -> Result<&'s OptSpec, GetoptError> {
    if let Some(exact) = specs.iter().find(|s| s.long == name) {
        return Ok(exact);
    }
    let mut candidates = specs.iter().filter(|s| s.long.starts_with(name));
    match (candidates.next(), candidates.next()) {
        (Some(only), None) if !name.is_empty() => Ok(only),
        (Some(_), Some(_)) if !name.is_empty() => {
            Err(GetoptError(format!("option --{name} not a unique prefix")))
        }
        _ => Err(GetoptError(format!("option --{name} not recognized"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SPECS: [OptSpec; 4] = [
        OptSpec {
            short: 'p',
            long: "program",
            takes_value: true,
        },
        OptSpec {
            short: 'a',
            long: "any",
            takes_value: false,
        },
        OptSpec {
            short: 'e',
            long: "eager",
            takes_value: false,
        },
        OptSpec {
            short: 'E',
            long: "not-eager",
            takes_value: false,
        },
    ];

    type Split = (Vec<(char, String)>, Vec<String>);

    fn run(args: &[&str]) -> Result<Split, GetoptError> {
        let args: Vec<String> = args.iter().map(|s| s.to_string()).collect();
        getopt(&args, &SPECS)
            .map(|(f, rest)| (f.into_iter().map(|f| (f.short, f.value)).collect(), rest))
    }

    #[test]
    fn short_values_attached_or_separate_and_clusters() {
        let (found, rest) = run(&["-pfoo", "-p", "bar", "-aE", "URL"]).unwrap();
        assert_eq!(
            found,
            vec![
                ('p', "foo".into()),
                ('p', "bar".into()),
                ('a', String::new()),
                ('E', String::new())
            ]
        );
        assert_eq!(rest, vec!["URL".to_string()]);
        let (found, _) = run(&["-ap", "x"]).unwrap();
        assert_eq!(found, vec![('a', String::new()), ('p', "x".into())]);
    }

    #[test]
    fn long_values_with_equals_or_separate_and_unique_prefixes() {
        let (found, _) = run(&["--program=a", "--program", "b", "--prog=c", "--an"]).unwrap();
        assert_eq!(
            found,
            vec![
                ('p', "a".into()),
                ('p', "b".into()),
                ('p', "c".into()),
                ('a', String::new())
            ]
        );
        assert!(run(&["--e"]).is_ok(), "`e` is a prefix of eager only");
        assert!(run(&["--any=x"]).is_err());
        assert!(run(&["--bogus"]).is_err());
        assert!(run(&["--program"]).is_err());
    }

    #[test]
    fn options_stop_at_the_first_positional_argument() {
        let (found, rest) = run(&["-a", "URL", "-p", "x"]).unwrap();
        assert_eq!(found.len(), 1);
        assert_eq!(rest, vec!["URL", "-p", "x"]);
        let (_, rest) = run(&["--", "-p"]).unwrap();
        assert_eq!(rest, vec!["-p"]);
        assert!(run(&["-x"]).is_err());
        assert!(run(&["-p"]).is_err());
    }
}
