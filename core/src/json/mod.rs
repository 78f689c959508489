//! JSON both ways, without allocation: the complex check's configuration in,
//! the `application/health+json` document out.
//!
//! - [`ComplexConfig`] reads `{"http": {...}, "memory": {...}}` into typed
//!   [`CheckSpec`](crate::check::spec::CheckSpec)s, in key order, with a
//!   [`ConfigError`] naming the check and key when it refuses one.
//! - [`RawJson`] checks one JSON value and keeps its text (the HTTP `json` body).
//! - [`health`] streams an `application/health+json` document into a
//!   [`Writer`](crate::wire::Writer) ([`HealthDocument`] and friends).
//! - [`write_json_string`] escapes text into a [`Writer`](crate::wire::Writer).
//!
//! The scanner underneath is strict RFC 8259 (with byte offsets in
//! [`SyntaxError`]) and never recurses: nesting is capped at [`MAX_DEPTH`].
//!
//! ```
//! use supercheck_core::check::spec::{CheckKind, CheckSpec};
//! use supercheck_core::json::ComplexConfig;
//!
//! let text = br#"{"memory":{"cumulative":true,"max_rss":4194304},
//!                 "http":{"timeout":15,"port":8090,"url":"\/ping","num_retries":3}}"#;
//! let mut scratch = [0u8; 128];
//! let config = ComplexConfig::parse(text, &mut scratch).unwrap();
//! let kinds: Vec<CheckKind> = config.iter().map(CheckSpec::kind).collect();
//! assert_eq!(kinds, [CheckKind::Memory, CheckKind::Http]);
//! let Some(CheckSpec::Http(http)) = config.get(CheckKind::Http) else { unreachable!() };
//! assert_eq!(http.url.as_str(), "/ping");
//! assert_eq!(http.method.as_str(), "GET");
//!
//! let mut scratch = [0u8; 16];
//! let err = ComplexConfig::parse(br#"{"http":{"url":"/"}}"#, &mut scratch).unwrap_err();
//! assert_eq!(err.to_string(), r#"http: missing "port""#);
//! ```

mod complex;
mod escape;
pub mod health;
mod raw;
mod scan;
mod scratch;
mod string;
mod syntax;
mod value;

pub use complex::{
    ComplexConfig, ConfigError, ConfigErrorKind, Expected, MAX_CHECKS, UnknownKeys, option_keys,
    parse_headers,
};
pub use escape::{write_json_string, write_json_string_contents};
pub use health::{
    CheckArray, CheckEntry, ChecksWriter, HealthDocument, HealthError, HealthHead, HealthStatus,
    ObservedValue,
};
pub use raw::RawJson;
pub use scan::MAX_DEPTH;
pub use syntax::{SyntaxError, SyntaxReason};
