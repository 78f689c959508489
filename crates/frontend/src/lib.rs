//! The listener's HTTP frontend (`--listen`): `/health` (IETF
//! `application/health+json`), `/metrics` (Prometheus text 0.0.4), `/` (a
//! self-contained status page) and, with `--expose-env`, `/env` (an
//! environment dump with secrets scrubbed).
//!
//! Everything is served from the listener's own mio loop: the listening
//! socket and every connection have tokens there, nothing blocks, and a
//! client that is slow to send its request is dropped when its deadline
//! passes. Each connection carries one request (`Connection: close`).
//!
//! The pieces: [`state`] is what the listener records for the frontend;
//! [`server`] reads requests and writes replies on one connection;
//! [`clients`] accepts connections under a cap and gives each a deadline
//! (`serve` uses it too); [`health`],
//! [`metrics`] and [`page`] render the documents (the listener renders `/env`).

pub mod clients;
pub mod health;
pub mod metrics;
pub mod page;
pub mod server;
pub mod state;

use std::net::SocketAddr;
use std::time::Duration;

use supercheck_core::json::health::HealthStatus;

/// What the frontend serves and its limits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FrontendConfig {
    /// The address to listen on (`--listen`).
    pub listen: SocketAddr,
    /// HTTP status of `/health` for pass, warn and fail (`--health-status-codes`).
    pub health_codes: HealthCodes,
    /// How long a passing `/health` document is reused (`--health-ttl-pass`; 0: never).
    pub ttl_pass: Duration,
    /// How long a warn or fail document is reused (`--health-ttl-fail`; 0: never).
    pub ttl_fail: Duration,
    /// Whether `/env` is served (`--expose-env`).
    pub expose_env: bool,
    /// Time a client has to send its request and read the reply (`--http-timeout`).
    pub client_timeout: Duration,
    /// Connections served at once; more are closed at once (`--http-max-connections`).
    pub max_connections: usize,
}

impl FrontendConfig {
    /// A frontend on `listen` with the defaults: codes 200/200/503, TTLs 27 s
    /// and 9 s (Runscope healthcheck's), no `/env`, 10 s per client, 64 connections.
    pub fn new(listen: SocketAddr) -> Self {
        Self {
            listen,
            health_codes: HealthCodes::default(),
            ttl_pass: Duration::from_secs(27),
            ttl_fail: Duration::from_secs(9),
            expose_env: false,
            client_timeout: Duration::from_secs(10),
            max_connections: 64,
        }
    }
}

/// The HTTP status of `/health` for each overall status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HealthCodes {
    /// For `pass`.
    pub pass: u16,
    /// For `warn`.
    pub warn: u16,
    /// For `fail`.
    pub fail: u16,
}

impl Default for HealthCodes {
    fn default() -> Self {
        Self {
            pass: 200,
            warn: 200,
            fail: 503,
        }
    }
}

impl HealthCodes {
    /// Parses `PASS,WARN,FAIL`; each must be one the draft allows for its
    /// status (2xx-3xx for pass and warn, 4xx-5xx for fail).
    ///
    /// # Errors
    /// A message naming the bad part.
    pub fn parse(text: &str) -> Result<Self, String> {
        let parts: Vec<&str> = text.split(',').map(str::trim).collect();
        let [pass, warn, fail] = parts.as_slice() else {
            return Err(format!("{text:?}: expected three codes, PASS,WARN,FAIL"));
        };
        let code = |part: &str, status: HealthStatus| -> Result<u16, String> {
            let code: u16 = part
                .parse()
                .map_err(|_| format!("{part:?} is not an HTTP status code"))?;
            if status.allows_http_status(code) {
                Ok(code)
            } else {
                let range = status.http_status_range();
                Err(format!(
                    "{code} is not allowed for {}: use {}-{}",
                    status.as_str(),
                    range.start(),
                    range.end()
                ))
            }
        };
        Ok(Self {
            pass: code(pass, HealthStatus::Pass)?,
            warn: code(warn, HealthStatus::Warn)?,
            fail: code(fail, HealthStatus::Fail)?,
        })
    }

    /// The code for `status`.
    pub fn for_status(self, status: HealthStatus) -> u16 {
        match status {
            HealthStatus::Pass => self.pass,
            HealthStatus::Warn => self.warn,
            HealthStatus::Fail => self.fail,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn health_codes_must_suit_their_status() {
        assert_eq!(
            HealthCodes::parse("200, 299,500"),
            Ok(HealthCodes {
                pass: 200,
                warn: 299,
                fail: 500
            })
        );
        assert!(HealthCodes::parse("200,200").is_err());
        assert!(
            HealthCodes::parse("200,503,503").is_err(),
            "warn must be 2xx-3xx"
        );
        assert!(
            HealthCodes::parse("200,200,200").is_err(),
            "fail must be 4xx-5xx"
        );
        assert!(HealthCodes::parse("ok,200,503").is_err());
    }
}
