//! The small `http://host[:port][/path]` URL parser the http check needs.

use std::fmt;

/// The parts of an `http://` URL the http check uses.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HttpUrl {
    /// The host as written in the URL (IPv6 literals keep their brackets, as
    /// the `Host` header wants them).
    pub host: String,
    /// The port (80 when the URL names none).
    pub port: u16,
    /// The path and query, starting with `/`.
    pub path: String,
}

/// Why a URL was refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum UrlError {
    /// `https://`: there is no TLS in this build.
    Https,
    /// Not an `http://` URL.
    Scheme,
    /// The host is empty or holds characters a host cannot hold.
    Host,
    /// The port is not a number from 1 to 65535.
    Port,
    /// `user:password@` is not supported.
    UserInfo,
}

impl fmt::Display for UrlError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            UrlError::Https => "https:// is not supported under WASI (no TLS); use http://",
            UrlError::Scheme => "the URL must start with http://",
            UrlError::Host => "the URL has no valid host",
            UrlError::Port => "the URL's port must be a number from 1 to 65535",
            UrlError::UserInfo => "user:password@ in the URL is not supported",
        })
    }
}

impl std::error::Error for UrlError {}

impl HttpUrl {
    /// Parses `http://host[:port][/path]`; the host may be an `[IPv6]` literal.
    ///
    /// # Errors
    /// A [`UrlError`] saying what is wrong.
    pub fn parse(text: &str) -> Result<Self, UrlError> {
        let rest = match strip_prefix_ci(text, "http://") {
            Some(rest) => rest,
            None if strip_prefix_ci(text, "https://").is_some() => return Err(UrlError::Https),
            None => return Err(UrlError::Scheme),
        };
        let (authority, path) = match rest.find(['/', '?']) {
            Some(i) => rest.split_at(i),
            None => (rest, ""),
        };
        if authority.contains('@') {
            return Err(UrlError::UserInfo);
        }
        let (host, port) = if let Some(v6) = authority.strip_prefix('[') {
            let Some(end) = v6.find(']') else {
                return Err(UrlError::Host);
            };
            let (inside, after) = v6.split_at(end);
            let after = after.get(1..).unwrap_or_default();
            if inside.parse::<std::net::Ipv6Addr>().is_err() {
                return Err(UrlError::Host);
            }
            let port = match after {
                "" => None,
                p => Some(p.strip_prefix(':').ok_or(UrlError::Port)?),
            };
            (format!("[{inside}]"), port)
        } else {
            match authority.split_once(':') {
                Some((h, p)) => (h.to_string(), Some(p)),
                None => (authority.to_string(), None),
            }
        };
        let host_ok = !host.is_empty()
            && host
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"-._[]:".contains(&b));
        if !host_ok {
            return Err(UrlError::Host);
        }
        let port = match port {
            None => 80,
            Some(p) => match p.parse::<u16>() {
                Ok(n) if n > 0 && p.bytes().all(|b| b.is_ascii_digit()) => n,
                _ => return Err(UrlError::Port),
            },
        };
        let path = if path.is_empty() {
            "/".to_string()
        } else if path.starts_with('?') {
            format!("/{path}")
        } else {
            path.to_string()
        };
        Ok(HttpUrl { host, port, path })
    }

    /// The host without IPv6 brackets, for connecting.
    pub fn connect_host(&self) -> &str {
        self.host
            .strip_prefix('[')
            .and_then(|h| h.strip_suffix(']'))
            .unwrap_or(&self.host)
    }
}

fn strip_prefix_ci<'a>(text: &'a str, prefix: &str) -> Option<&'a str> {
    let head = text.get(..prefix.len())?;
    if head.eq_ignore_ascii_case(prefix) {
        text.get(prefix.len()..)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_usual_forms() {
        let u = HttpUrl::parse("http://127.0.0.1:8080/health?x=1").unwrap();
        assert_eq!(
            (u.host.as_str(), u.port, u.path.as_str()),
            ("127.0.0.1", 8080, "/health?x=1")
        );
        let u = HttpUrl::parse("HTTP://example.org").unwrap();
        assert_eq!(
            (u.host.as_str(), u.port, u.path.as_str()),
            ("example.org", 80, "/")
        );
        let u = HttpUrl::parse("http://[::1]:9/").unwrap();
        assert_eq!(
            (u.host.as_str(), u.connect_host(), u.port),
            ("[::1]", "::1", 9)
        );
        let u = HttpUrl::parse("http://h?q").unwrap();
        assert_eq!(u.path, "/?q");
    }

    #[test]
    fn refuses_what_it_cannot_use() {
        assert_eq!(HttpUrl::parse("https://h/"), Err(UrlError::Https));
        assert_eq!(HttpUrl::parse("ftp://h/"), Err(UrlError::Scheme));
        assert_eq!(HttpUrl::parse("http://"), Err(UrlError::Host));
        assert_eq!(HttpUrl::parse("http://h:0/"), Err(UrlError::Port));
        assert_eq!(HttpUrl::parse("http://h:+80/"), Err(UrlError::Port));
        assert_eq!(HttpUrl::parse("http://h:99999/"), Err(UrlError::Port));
        assert_eq!(HttpUrl::parse("http://u:p@h/"), Err(UrlError::UserInfo));
        assert_eq!(HttpUrl::parse("http://[zz]/"), Err(UrlError::Host));
        assert_eq!(HttpUrl::parse("http://a b/"), Err(UrlError::Host));
        assert_eq!(HttpUrl::parse("http://é/"), Err(UrlError::Host));
    }
}
