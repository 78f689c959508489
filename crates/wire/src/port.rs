//! How a check finds the port of a process: a fixed number, or a pattern
//! matched against the process name as supervisor_checks does.

use regex_lite::Regex;
use supercheck_core::check::port::{PortError, PortSpec, port_from_captures};

/// How a check finds the port of a process.
#[derive(Debug, Clone)]
pub enum PortSource {
    /// A fixed port.
    Fixed(u16),
    /// A pattern matched at the start of the process name (Python's `re.match`).
    Pattern(Regex),
}

impl PortSource {
    /// Compiles a port spec.
    ///
    /// # Errors
    /// A regular expression that does not compile, with the reason.
    pub fn new(spec: PortSpec<'_>) -> Result<Self, String> {
        match spec {
            PortSpec::Number(port) => Ok(PortSource::Fixed(port)),
            PortSpec::Pattern(pattern) => Regex::new(&format!("^(?:{pattern})"))
                .map(PortSource::Pattern)
                .map_err(|e| format!("bad port pattern {pattern:?}: {e}")),
        }
    }

    /// The port of the process called `name`.
    ///
    /// # Errors
    /// A pattern that does not give exactly one number: a configuration error,
    /// never a reason to restart.
    pub fn port_for(&self, name: &str) -> Result<u16, PortError> {
        match self {
            PortSource::Fixed(port) => Ok(*port),
            PortSource::Pattern(regex) => port_from_captures(regex.captures(name).map(|c| {
                c.iter()
                    .skip(1)
                    .map(|m| m.map(|m| m.as_str()))
                    .collect::<Vec<_>>()
            })),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn port_pattern_is_anchored_at_the_start_only() {
        let source = PortSource::new(PortSpec::Pattern(r".+_(\d+)")).unwrap();
        assert_eq!(source.port_for("web_8101"), Ok(8101));
        assert_eq!(
            source.port_for("web_8101_extra"),
            Ok(8101),
            "not anchored at the end"
        );
        let anchored = PortSource::new(PortSpec::Pattern(r"(\d+)")).unwrap();
        assert_eq!(anchored.port_for("web_8101"), Err(PortError::NoMatch));
    }

    #[test]
    fn pattern_misses_are_config_errors() {
        let two = PortSource::new(PortSpec::Pattern(r"(\w+)_(\d+)")).unwrap();
        assert_eq!(two.port_for("web_1"), Err(PortError::GroupCount(2)));
        let optional = PortSource::new(PortSpec::Pattern(r"web(_\d+)?")).unwrap();
        assert_eq!(optional.port_for("web"), Err(PortError::GroupUnset));
        assert!(PortSource::new(PortSpec::Pattern("(")).is_err());
    }
}
