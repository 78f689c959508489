//! [`SpecError`]: why a check specification value was refused.

use core::fmt;

use crate::check::port::PortError;

/// Why a value was refused while building a check specification.
///
/// Always a configuration problem, reported before the listener starts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum SpecError {
    /// The port is not usable.
    Port(PortError),
    /// The text is empty.
    Empty,
    /// The text holds a control character (or a NUL, for paths and commands).
    ControlCharacter,
    /// A URL path that does not start with `/` or holds spaces or control characters.
    UrlPath,
    /// An HTTP method that is not a token (RFC 9110), such as `GET`.
    Method,
    /// A header name that is not a token.
    HeaderName,
    /// A header value with CR, LF or another control character.
    HeaderValue,
    /// The same header name (ignoring case) given twice.
    DuplicateHeader,
    /// A basic-auth username containing `:`.
    UsernameColon,
    /// Only one of username and password: no authentication would be sent.
    CredentialsIncomplete,
    /// A zero duration or limit that would make every check fail.
    NotPositive,
    /// A negative number.
    Negative,
    /// A number too large to represent.
    TooLarge,
    /// An HTTP status code outside 100..=599.
    StatusCode,
    /// More entries than the bounded list holds (the capacity).
    TooMany(usize),
    /// An XML-RPC check with none of `url`, `sock_path`, `sock_dir`.
    XmlRpcNoTarget,
    /// An XML-RPC check with more than one of `url`, `sock_path`, `sock_dir`.
    XmlRpcManyTargets,
    /// An XML-RPC `url` without a `port`.
    XmlRpcUrlNeedsPort,
    /// An XML-RPC `port` without a `url`.
    XmlRpcPortNeedsUrl,
    /// A heartbeat device name that is empty, too long or has a character
    /// outside `[A-Za-z0-9._-]`.
    DeviceName,
    /// A process namespec that is empty or holds spaces or control characters.
    ProcessName,
    /// A device binding not of the form `DEVICE=PROCESS`.
    DeviceBinding,
    /// The same process bound to a device twice.
    DuplicateBinding,
}

impl fmt::Display for SpecError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SpecError::Port(e) => e.fmt(f),
            SpecError::Empty => f.write_str("must not be empty"),
            SpecError::ControlCharacter => f.write_str("must not contain control characters"),
            SpecError::UrlPath => {
                f.write_str("must be a path starting with '/' without spaces or control characters")
            }
            SpecError::Method => f.write_str("must be an HTTP method token such as GET"),
            SpecError::HeaderName => f.write_str("header name must be an HTTP token"),
            SpecError::HeaderValue => {
                f.write_str("header value must not contain CR, LF or other control characters")
            }
            SpecError::DuplicateHeader => f.write_str("header given twice"),
            SpecError::UsernameColon => f.write_str("username must not contain ':'"),
            SpecError::CredentialsIncomplete => {
                f.write_str("\"username\" and \"password\" must be given together")
            }
            SpecError::NotPositive => f.write_str("must be greater than zero"),
            SpecError::Negative => f.write_str("must not be negative"),
            SpecError::TooLarge => f.write_str("is too large"),
            SpecError::StatusCode => f.write_str("status code must be in 100..=599"),
            SpecError::TooMany(cap) => write!(f, "too many entries (at most {cap})"),
            SpecError::XmlRpcNoTarget => {
                f.write_str("one of \"url\", \"sock_path\" or \"sock_dir\" is required")
            }
            SpecError::XmlRpcManyTargets => {
                f.write_str("\"url\", \"sock_path\" and \"sock_dir\" are mutually exclusive")
            }
            SpecError::XmlRpcUrlNeedsPort => f.write_str("\"url\" needs \"port\""),
            SpecError::XmlRpcPortNeedsUrl => f.write_str("\"port\" is only used with \"url\""),
            SpecError::DeviceName => f.write_str(
                "device name must be 1 to 32 characters of letters, digits, '.', '_' and '-'",
            ),
            SpecError::ProcessName => {
                f.write_str("process must be a namespec (NAME or GROUP:NAME) without spaces")
            }
            SpecError::DeviceBinding => f.write_str("must be DEVICE=PROCESS"),
            SpecError::DuplicateBinding => f.write_str("process bound to a device twice"),
        }
    }
}

impl core::error::Error for SpecError {}

impl From<PortError> for SpecError {
    fn from(e: PortError) -> Self {
        SpecError::Port(e)
    }
}
