//! Port specifications: a number, or a pattern the caller resolves against a process name.
//!
//! The core has no regex engine (it would need `alloc`). A driver compiles the
//! pattern once, applies it anchored at the start of the process name (Python's
//! `re.match`), and hands the capture groups to [`port_from_captures`].

use core::fmt;

/// How a check finds the TCP port of a process.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum PortSpec<'a> {
    /// A fixed port.
    Number(u16),
    /// A regular expression with exactly one capture group holding the port,
    /// matched at the start of the process name (for example `.+_(\d+)`).
    Pattern(&'a str),
}

impl<'a> PortSpec<'a> {
    /// Reads a port specification as supervisor_checks does: text that parses as
    /// an integer (surrounding whitespace allowed) is a number, anything else a pattern.
    ///
    /// # Errors
    /// [`PortError::OutOfRange`] for an integer that is not a TCP port (0 or above 65535).
    pub fn parse(text: &'a str) -> Result<Self, PortError> {
        let trimmed = text.trim();
        let digits = trimmed.strip_prefix(['+', '-']).unwrap_or(trimmed);
        if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
            return match trimmed.parse::<u16>() {
                Ok(port) if port != 0 => Ok(PortSpec::Number(port)),
                _ => Err(PortError::OutOfRange),
            };
        }
        Ok(PortSpec::Pattern(text))
    }

    /// A port spec from a JSON or config integer.
    ///
    /// # Errors
    /// [`PortError::OutOfRange`] when `n` is not in 1..=65535.
    pub fn from_number(n: i64) -> Result<Self, PortError> {
        match u16::try_from(n) {
            Ok(port) if port != 0 => Ok(PortSpec::Number(port)),
            _ => Err(PortError::OutOfRange),
        }
    }
}

/// Why a port could not be found. Always a configuration problem, never a
/// reason to restart a process.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum PortError {
    /// The number is not a TCP port (0, negative or above 65535).
    OutOfRange,
    /// The pattern did not match the process name.
    NoMatch,
    /// The pattern has no capture group, or more than one.
    GroupCount(usize),
    /// The capture group did not take part in the match.
    GroupUnset,
    /// The captured text is not a port number.
    NotANumber,
}

impl fmt::Display for PortError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PortError::OutOfRange => f.write_str("port is not in 1..=65535"),
            PortError::NoMatch => f.write_str("port pattern does not match the process name"),
            PortError::GroupCount(n) => write!(
                f,
                "port pattern must have exactly one capture group, it has {n}"
            ),
            PortError::GroupUnset => {
                f.write_str("port pattern's capture group did not take part in the match")
            }
            PortError::NotANumber => {
                f.write_str("port pattern captured text that is not a port number")
            }
        }
    }
}

impl core::error::Error for PortError {}

/// Turns the result of matching a port pattern into a port.
///
/// `captures` is `None` when the pattern did not match; otherwise it yields one
/// item per capture group (group 0, the whole match, excluded), `None` for a
/// group that did not participate.
///
/// # Errors
/// Every [`PortError`] but `OutOfRange` for a capture that is not a port.
pub fn port_from_captures<'t, I>(captures: Option<I>) -> Result<u16, PortError>
where
    I: IntoIterator<Item = Option<&'t str>>,
{
    let mut groups = captures.ok_or(PortError::NoMatch)?.into_iter();
    let first = groups.next().ok_or(PortError::GroupCount(0))?;
    let extra = groups.count();
    if extra > 0 {
        return Err(PortError::GroupCount(extra + 1));
    }
    let text = first.ok_or(PortError::GroupUnset)?;
    match PortSpec::parse(text) {
        Ok(PortSpec::Number(port)) => Ok(port),
        Ok(PortSpec::Pattern(_)) => Err(PortError::NotANumber),
        Err(e) => Err(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integer_text_with_spaces_is_a_number() {
        assert_eq!(PortSpec::parse(" 8080 "), Ok(PortSpec::Number(8080)));
    }

    #[test]
    fn non_integer_text_is_a_pattern() {
        assert_eq!(
            PortSpec::parse(r".+_(\d+)"),
            Ok(PortSpec::Pattern(r".+_(\d+)"))
        );
    }

    #[test]
    fn zero_and_huge_ports_are_out_of_range() {
        assert_eq!(PortSpec::parse("0"), Err(PortError::OutOfRange));
        assert_eq!(PortSpec::parse("70000"), Err(PortError::OutOfRange));
        assert_eq!(PortSpec::from_number(-1), Err(PortError::OutOfRange));
    }

    #[test]
    fn single_captured_number_is_the_port() {
        assert_eq!(port_from_captures(Some([Some("8101")])), Ok(8101));
    }

    #[test]
    fn pattern_miss_is_a_config_error() {
        assert_eq!(
            port_from_captures::<[Option<&str>; 1]>(None),
            Err(PortError::NoMatch)
        );
        assert_eq!(
            port_from_captures(Some([Some("1"), Some("2")])),
            Err(PortError::GroupCount(2))
        );
        assert_eq!(port_from_captures(Some([None])), Err(PortError::GroupUnset));
        assert_eq!(
            port_from_captures(Some([Some("web")])),
            Err(PortError::NotANumber)
        );
        assert_eq!(
            port_from_captures(Some(core::iter::empty())),
            Err(PortError::GroupCount(0))
        );
    }
}
