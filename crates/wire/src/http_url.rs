//! `http://` and `https://` URLs as httpok, webhooks and `serve` take them:
//! split into what a request needs (scheme, `Host`, address, target).

use std::fmt;

/// An `http://` or `https://` URL, split for the request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HttpUrl {
    /// `https://`: the exchange goes over TLS.
    pub tls: bool,
    /// `host[:port]` as written, for the `Host` header.
    pub authority: String,
    /// The host to connect to (without IPv6 brackets).
    pub host: String,
    /// The port (80, or 443 for https, unless given).
    pub port: u16,
    /// Path and query (`/` when empty).
    pub target: String,
}

/// Why a URL was refused at start-up.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HttpUrlError(pub String);

impl fmt::Display for HttpUrlError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl HttpUrl {
    /// Reads an `http[s]://host[:port][/path][?query]` URL. Whether https
    /// can be probed is the caller's business (the `tls` feature, the roots).
    ///
    /// # Errors
    /// Another scheme, no host, a bad port, or user information.
    pub fn parse(url: &str) -> Result<Self, HttpUrlError> {
        let (scheme, rest) = url
            .split_once("://")
            .ok_or_else(|| HttpUrlError(format!("{url:?} is not an http:// URL")))?;
        let tls = scheme.eq_ignore_ascii_case("https");
        if !tls && !scheme.eq_ignore_ascii_case("http") {
            return Err(HttpUrlError(format!(
                "{url:?}: only http:// and https:// URLs are supported"
            )));
        }
        let split = rest.find(['/', '?', '#']).unwrap_or(rest.len());
        let (authority, tail) = rest.split_at(split);
        let tail = tail.split('#').next().unwrap_or_default();
        let target = match tail {
            "" => "/".to_string(),
            t if t.starts_with('?') => format!("/{t}"),
            t => t.to_string(),
        };
        if authority.contains('@') {
            return Err(HttpUrlError(format!(
                "{url:?}: user information is not supported"
            )));
        }
        let (host, port) = match authority.strip_prefix('[') {
            Some(v6) => {
                let (host, after) = v6
                    .split_once(']')
                    .ok_or_else(|| HttpUrlError(format!("{url:?}: unclosed [ in the host")))?;
                (host, after.strip_prefix(':'))
            }
            None => match authority.rsplit_once(':') {
                Some((host, port)) => (host, Some(port)),
                None => (authority, None),
            },
        };
        let port = match port {
            None | Some("") if tls => 443,
            None | Some("") => 80,
            Some(p) => p
                .parse::<u16>()
                .ok()
                .filter(|p| *p > 0)
                .ok_or_else(|| HttpUrlError(format!("{url:?}: bad port {p:?}")))?,
        };
        if host.is_empty() || target.chars().any(|c| c.is_control() || c == ' ') {
            return Err(HttpUrlError(format!(
                "{url:?}: no host, or spaces in the path"
            )));
        }
        Ok(Self {
            tls,
            authority: authority.to_string(),
            host: host.to_string(),
            port,
            target,
        })
    }
}
