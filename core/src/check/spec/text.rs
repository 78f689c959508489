//! Validated text values: [`UrlPath`], [`Method`], [`RpcMethod`], [`FsPath`], [`BasicAuth`].
//!
//! Each type can only hold text that a request or a system call will accept,
//! so a bad value fails at start-up, naming its key, instead of failing every check.

use core::fmt;

use super::SpecError;

/// True for an RFC 9110 token: `!#$%&'*+-.^_`|~`, digits and letters, at least one.
pub(crate) fn is_token(text: &str) -> bool {
    !text.is_empty()
        && text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
}

fn has_control(text: &str) -> bool {
    text.chars().any(char::is_control)
}

/// The path (and query) of an HTTP or XML-RPC URL: starts with `/`, no spaces
/// or control characters. The host is always the target's own address.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct UrlPath<'a>(&'a str);

impl<'a> UrlPath<'a> {
    /// Checks a URL path such as `/ping?full=1`.
    ///
    /// # Errors
    /// [`SpecError::UrlPath`] when it does not start with `/` or holds a space
    /// or control character (`ping` would make `http://127.0.0.1:8080ping`).
    pub fn new(path: &'a str) -> Result<Self, SpecError> {
        if !path.starts_with('/') || path.contains(' ') || has_control(path) {
            return Err(SpecError::UrlPath);
        }
        Ok(Self(path))
    }

    /// The path text.
    pub const fn as_str(self) -> &'a str {
        self.0
    }
}

/// An HTTP request method (a token, case kept as given).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Method<'a>(&'a str);

impl<'a> Method<'a> {
    /// `GET`: the default, also for the JSON config (supervisor_checks had
    /// none there and failed every check, bug 3).
    pub const GET: Method<'static> = Method("GET");

    /// Checks a method name.
    ///
    /// # Errors
    /// [`SpecError::Method`] when it is not a token.
    pub fn new(method: &'a str) -> Result<Self, SpecError> {
        if !is_token(method) {
            return Err(SpecError::Method);
        }
        Ok(Self(method))
    }

    /// The method text.
    pub const fn as_str(self) -> &'a str {
        self.0
    }
}

impl Default for Method<'_> {
    fn default() -> Self {
        Method::GET
    }
}

/// An XML-RPC method name such as `status` or `supervisor.getState`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct RpcMethod<'a>(&'a str);

impl<'a> RpcMethod<'a> {
    /// `status`, supervisor_checks' default.
    pub const STATUS: RpcMethod<'static> = RpcMethod("status");

    /// Checks a method name.
    ///
    /// # Errors
    /// [`SpecError::Empty`], or [`SpecError::ControlCharacter`].
    pub fn new(name: &'a str) -> Result<Self, SpecError> {
        if name.is_empty() {
            return Err(SpecError::Empty);
        }
        if has_control(name) {
            return Err(SpecError::ControlCharacter);
        }
        Ok(Self(name))
    }

    /// The method name.
    pub const fn as_str(self) -> &'a str {
        self.0
    }
}

impl Default for RpcMethod<'_> {
    fn default() -> Self {
        RpcMethod::STATUS
    }
}

/// A file-system path: not empty, no NUL byte (which no system call accepts).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct FsPath<'a>(&'a str);

impl<'a> FsPath<'a> {
    /// Checks a path.
    ///
    /// # Errors
    /// [`SpecError::Empty`], or [`SpecError::ControlCharacter`] for a NUL.
    pub fn new(path: &'a str) -> Result<Self, SpecError> {
        if path.is_empty() {
            return Err(SpecError::Empty);
        }
        if path.contains('\0') {
            return Err(SpecError::ControlCharacter);
        }
        Ok(Self(path))
    }

    /// The path text.
    pub const fn as_str(self) -> &'a str {
        self.0
    }
}

/// HTTP basic-auth credentials. supervisor_checks sends them only when both
/// are set; here one without the other is refused, since the request would
/// go out unauthenticated and fail every time.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct BasicAuth<'a> {
    username: &'a str,
    password: &'a str,
}

impl<'a> BasicAuth<'a> {
    /// Checks a username (no `:`, no control characters) and takes the password as is.
    ///
    /// # Errors
    /// [`SpecError::UsernameColon`] or [`SpecError::ControlCharacter`].
    pub fn new(username: &'a str, password: &'a str) -> Result<Self, SpecError> {
        if username.contains(':') {
            return Err(SpecError::UsernameColon);
        }
        if has_control(username) {
            return Err(SpecError::ControlCharacter);
        }
        Ok(Self { username, password })
    }

    /// Credentials from optional parts: both or neither.
    ///
    /// # Errors
    /// [`SpecError::CredentialsIncomplete`] when only one is given, and those of [`BasicAuth::new`].
    pub fn from_parts(
        username: Option<&'a str>,
        password: Option<&'a str>,
    ) -> Result<Option<Self>, SpecError> {
        match (username, password) {
            (None, None) => Ok(None),
            (Some(u), Some(p)) => Self::new(u, p).map(Some),
            _ => Err(SpecError::CredentialsIncomplete),
        }
    }

    /// The username.
    pub const fn username(self) -> &'a str {
        self.username
    }

    /// The password. Never log it.
    pub const fn password(self) -> &'a str {
        self.password
    }
}

/// Shows the username only: passwords never reach logs.
impl fmt::Debug for BasicAuth<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BasicAuth")
            .field("username", &self.username)
            .field("password", &"<redacted>")
            .finish()
    }
}

#[cfg(feature = "defmt")]
impl defmt::Format for BasicAuth<'_> {
    fn format(&self, f: defmt::Formatter<'_>) {
        defmt::write!(
            f,
            "BasicAuth {{ username: {=str}, password: <redacted> }}",
            self.username
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn url_path_must_start_with_slash_and_have_no_spaces() {
        assert_eq!(
            UrlPath::new("/ping?x=1").map(UrlPath::as_str),
            Ok("/ping?x=1")
        );
        assert_eq!(UrlPath::new("ping"), Err(SpecError::UrlPath));
        assert_eq!(UrlPath::new("/a b"), Err(SpecError::UrlPath));
        assert_eq!(UrlPath::new("/a\r\nHost: x"), Err(SpecError::UrlPath));
    }

    #[test]
    fn method_must_be_a_token() {
        assert_eq!(Method::new("POST").map(Method::as_str), Ok("POST"));
        assert_eq!(Method::new(""), Err(SpecError::Method));
        assert_eq!(Method::new("GET /"), Err(SpecError::Method));
        assert_eq!(Method::default(), Method::GET);
    }

    #[test]
    fn credentials_come_in_pairs() {
        assert_eq!(BasicAuth::from_parts(None, None), Ok(None));
        assert_eq!(
            BasicAuth::from_parts(Some("u"), None),
            Err(SpecError::CredentialsIncomplete)
        );
        assert_eq!(BasicAuth::new("a:b", "p"), Err(SpecError::UsernameColon));
        let auth = BasicAuth::from_parts(Some("u"), Some("")).unwrap().unwrap();
        assert_eq!((auth.username(), auth.password()), ("u", ""));
    }

    #[test]
    fn debug_output_hides_the_password() {
        let auth = BasicAuth::new("user", "hunter2").unwrap();
        let shown = std::format!("{auth:?}");
        assert!(shown.contains("user") && !shown.contains("hunter2"));
    }

    #[test]
    fn paths_refuse_nul_and_empty() {
        assert_eq!(FsPath::new(""), Err(SpecError::Empty));
        assert_eq!(FsPath::new("/tmp/\0x"), Err(SpecError::ControlCharacter));
        assert_eq!(RpcMethod::new("a.b").map(RpcMethod::as_str), Ok("a.b"));
        assert_eq!(RpcMethod::new(""), Err(SpecError::Empty));
    }
}
