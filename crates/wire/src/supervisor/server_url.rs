//! `SUPERVISOR_SERVER_URL` and the credentials that go with it.

use std::fmt;
use std::net::{SocketAddr, ToSocketAddrs};
use std::path::PathBuf;

use crate::endpoint::Endpoint;

/// How to reach supervisord's XML-RPC interface.
#[derive(Clone, PartialEq, Eq)]
pub struct ServerUrl {
    /// The socket to connect to.
    pub endpoint: Endpoint,
    /// The host name for the `Host` header (`localhost` over a unix socket, as Python does).
    pub host: String,
    /// The port for the `Host` header (80, left out of the header, over a unix socket).
    pub port: u16,
    /// The request path (`/RPC2`; supervisord accepts any path starting with it).
    pub path: String,
    /// Basic-auth user name and password, when given.
    pub credentials: Option<(String, String)>,
}

impl fmt::Debug for ServerUrl {
    /// Never shows the password.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ServerUrl")
            .field("endpoint", &self.endpoint)
            .field("host", &self.host)
            .field("path", &self.path)
            .field("user", &self.credentials.as_ref().map(|(u, _)| u))
            .finish()
    }
}

/// Why a server URL was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UrlError {
    /// Not `unix://` nor `http://`.
    Scheme(String),
    /// `http://` without a usable host and port.
    Address(String),
}

impl fmt::Display for UrlError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            UrlError::Scheme(url) => {
                write!(
                    f,
                    "supervisord URL {url:?}: expected unix:///path/to.sock or http://host:port"
                )
            }
            UrlError::Address(url) => {
                write!(f, "supervisord URL {url:?}: cannot resolve host and port")
            }
        }
    }
}

impl std::error::Error for UrlError {}

impl ServerUrl {
    /// Parses `unix:///path` or `http://host[:port][/path]` (port 80 by default).
    ///
    /// # Errors
    /// [`UrlError`] for other schemes or an unresolvable address.
    pub fn parse(url: &str) -> Result<Self, UrlError> {
        if let Some(path) = url.strip_prefix("unix://") {
            return Ok(Self {
                endpoint: Endpoint::Unix(PathBuf::from(path)),
                host: "localhost".into(),
                port: 80,
                path: "/RPC2".into(),
                credentials: None,
            });
        }
        let rest = url
            .strip_prefix("http://")
            .ok_or_else(|| UrlError::Scheme(url.into()))?;
        let (authority, path) = match rest.find('/') {
            Some(at) => rest.split_at(at),
            None => (rest, ""),
        };
        let path = if path.is_empty() || path == "/" {
            "/RPC2"
        } else {
            path
        };
        let (host, port) = match authority.rsplit_once(':') {
            Some((host, port)) => (
                host,
                port.parse::<u16>()
                    .map_err(|_| UrlError::Address(url.into()))?,
            ),
            None => (authority, 80),
        };
        let host = host.trim_start_matches('[').trim_end_matches(']');
        let addr: SocketAddr = (host, port)
            .to_socket_addrs()
            .ok()
            .and_then(|mut addrs| addrs.next())
            .ok_or_else(|| UrlError::Address(url.into()))?;
        Ok(Self {
            endpoint: Endpoint::Tcp(addr),
            host: host.into(),
            port,
            path: path.into(),
            credentials: None,
        })
    }

    /// The same URL with Basic-auth credentials.
    pub fn with_credentials(mut self, user: Option<String>, password: Option<String>) -> Self {
        if user.is_some() || password.is_some() {
            self.credentials = Some((user.unwrap_or_default(), password.unwrap_or_default()));
        }
        self
    }

    /// Reads `SUPERVISOR_SERVER_URL`, `SUPERVISOR_USERNAME` and
    /// `SUPERVISOR_PASSWORD` through `var` (the process environment in
    /// production). `Ok(None)` when the URL is not set: not under supervisord.
    ///
    /// # Errors
    /// [`UrlError`] when the URL is set but unusable.
    pub fn from_env(var: impl Fn(&str) -> Option<String>) -> Result<Option<Self>, UrlError> {
        let Some(url) = var("SUPERVISOR_SERVER_URL") else {
            return Ok(None);
        };
        Ok(Some(Self::parse(&url)?.with_credentials(
            var("SUPERVISOR_USERNAME"),
            var("SUPERVISOR_PASSWORD"),
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unix_url_targets_the_socket_path_with_localhost_host() {
        let url = ServerUrl::parse("unix:///var/run/supervisor.sock").unwrap();
        assert_eq!(
            url.endpoint,
            Endpoint::Unix("/var/run/supervisor.sock".into())
        );
        assert_eq!(url.host, "localhost");
        assert_eq!(url.path, "/RPC2");
    }

    #[test]
    fn http_url_keeps_host_port_and_defaults_path() {
        let url = ServerUrl::parse("http://127.0.0.1:9011").unwrap();
        assert_eq!(
            url.endpoint,
            Endpoint::Tcp("127.0.0.1:9011".parse().unwrap())
        );
        assert_eq!((url.host.as_str(), url.port), ("127.0.0.1", 9011));
        assert_eq!(url.path, "/RPC2");
        assert_eq!(
            ServerUrl::parse("http://127.0.0.1:9011/RPC2/x")
                .unwrap()
                .path,
            "/RPC2/x"
        );
    }

    #[test]
    fn other_schemes_are_refused_with_the_url_named() {
        let err = ServerUrl::parse("https://x").unwrap_err();
        assert!(err.to_string().contains("\"https://x\""));
    }

    #[test]
    fn env_without_url_means_not_under_supervisord() {
        assert_eq!(ServerUrl::from_env(|_| None), Ok(None));
        let url = ServerUrl::from_env(|k| match k {
            "SUPERVISOR_SERVER_URL" => Some("unix:///s".into()),
            "SUPERVISOR_USERNAME" => Some("u".into()),
            _ => None,
        })
        .unwrap()
        .unwrap();
        assert_eq!(url.credentials, Some(("u".into(), String::new())));
        assert!(!format!("{url:?}").contains("password"));
    }
}
