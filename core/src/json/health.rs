//! The `application/health+json` document (draft-inadarei-api-health-check-06),
//! streamed into a [`Writer`] without allocation.
//!
//! The builder's types follow the document's shape, so members come in the
//! draft's order and brackets always match:
//!
//! ```text
//! HealthDocument::begin(w, &head)      {"status":..,"version":..,..
//!   .checks()                          ,"checks":{
//!     .begin_check(component, measure)   "component:measure":[
//!       .entry(&entry) ...                 {...},{...}
//!     .end_check()                       ]
//!   .finish(links)                     },"links":{..}}
//! ```
//!
//! `output` (top level and per entry) and `affectedEndpoints` are left out
//! when the status is pass, as the draft says they should be. Every step
//! consumes the previous one; a step that fails leaves an incomplete document
//! the caller must discard.
//!
//! ```
//! use supercheck_core::json::health::{CheckEntry, HealthDocument, HealthHead, HealthStatus, ObservedValue};
//! use supercheck_core::wire::Writer;
//!
//! let mut buf = [0u8; 256];
//! let mut w = Writer::new(&mut buf);
//! let status = HealthStatus::Warn;
//! let head = HealthHead { output: Some("1 of 2 checks failing"), ..HealthHead::new(status) };
//! let mut check = HealthDocument::begin(&mut w, &head)?
//!     .checks()?
//!     .begin_check(Some("web_8101"), Some("responseTime"))?;
//! check.entry(&CheckEntry {
//!     observed_value: Some(ObservedValue::Int(12)),
//!     observed_unit: Some("ms"),
//!     time: Some(1_516_160_208),
//!     ..CheckEntry::new(HealthStatus::Pass)
//! })?;
//! check.end_check()?.finish(&[])?;
//! assert_eq!(
//!     core::str::from_utf8(w.written()).unwrap(),
//!     r#"{"status":"warn","output":"1 of 2 checks failing","checks":{"web_8101:responseTime":[{"observedValue":12,"observedUnit":"ms","status":"pass","time":"2018-01-17T03:36:48Z"}]}}"#
//! );
//! assert_eq!(status.default_http_status(), 200);
//! # Ok::<(), supercheck_core::json::health::HealthError>(())
//! ```

mod entry;
mod object;
mod status;
mod time;

use core::fmt;

pub use entry::{CheckEntry, MAX_DECIMALS, ObservedValue};
pub use status::HealthStatus;
pub use time::{MAX_UNIX_SECS, MIN_UNIX_SECS, UtcDateTime};

use crate::json::escape::write_json_string_contents;
use crate::wire::{Overflow, Writer};
use object::Members;

/// The media type of the document.
pub const HEALTH_JSON_MEDIA_TYPE: &str = "application/health+json";

/// Why a health document could not be written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum HealthError {
    /// The output buffer is full.
    Overflow,
    /// A component or measurement name contains `:`, the key's separator.
    ColonInKey,
    /// A check key with no component and no measurement, or an empty part.
    EmptyKey,
    /// A check key closed without any entry (the draft wants one per node).
    EmptyCheck,
    /// An observed decimal with more than [`MAX_DECIMALS`] decimals.
    TooManyDecimals,
    /// A time outside the years 0000..=9999.
    TimeOutOfRange,
}

impl fmt::Display for HealthError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            HealthError::Overflow => "output buffer too small",
            HealthError::ColonInKey => "component and measurement names must not contain ':'",
            HealthError::EmptyKey => "a check key needs a component or a measurement name",
            HealthError::EmptyCheck => "a check needs at least one entry",
            HealthError::TooManyDecimals => "observed value has more than 18 decimals",
            HealthError::TimeOutOfRange => "time is outside the years 0000 to 9999",
        })
    }
}

impl core::error::Error for HealthError {}

impl From<Overflow> for HealthError {
    fn from(_: Overflow) -> Self {
        HealthError::Overflow
    }
}

/// The top-level members written before `checks`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct HealthHead<'a> {
    /// `status` (required).
    pub status: HealthStatus,
    /// `version`: the public version of the service.
    pub version: Option<&'a str>,
    /// `releaseId`: the implementation's release.
    pub release_id: Option<&'a str>,
    /// `notes`; left out when empty.
    pub notes: &'a [&'a str],
    /// `output`: raw error text; left out when the status is pass.
    pub output: Option<&'a str>,
    /// `serviceId`.
    pub service_id: Option<&'a str>,
    /// `description`.
    pub description: Option<&'a str>,
}

impl<'a> HealthHead<'a> {
    /// A head with only a status.
    pub const fn new(status: HealthStatus) -> Self {
        Self {
            status,
            version: None,
            release_id: None,
            notes: &[],
            output: None,
            service_id: None,
            description: None,
        }
    }
}

/// A document whose head is written; next come `checks` or the end.
#[must_use = "a health document is incomplete until finish() is called"]
#[derive(Debug)]
pub struct HealthDocument<'w, 'b> {
    w: &'w mut Writer<'b>,
}

impl<'w, 'b> HealthDocument<'w, 'b> {
    /// Writes `{` and the members of `head`.
    ///
    /// # Errors
    /// [`HealthError::Overflow`].
    pub fn begin(w: &'w mut Writer<'b>, head: &HealthHead<'_>) -> Result<Self, HealthError> {
        w.put_byte(b'{')?;
        let mut m = Members::new(w);
        m.string("status", head.status.as_str())?;
        m.optional("version", head.version)?;
        m.optional("releaseId", head.release_id)?;
        m.strings("notes", head.notes)?;
        if head.status != HealthStatus::Pass {
            m.optional("output", head.output)?;
        }
        m.optional("serviceId", head.service_id)?;
        m.optional("description", head.description)?;
        Ok(Self { w })
    }

    /// Opens the `checks` object.
    ///
    /// # Errors
    /// [`HealthError::Overflow`].
    pub fn checks(self) -> Result<ChecksWriter<'w, 'b>, HealthError> {
        Members::after_first(self.w).key("checks")?;
        self.w.put_byte(b'{')?;
        Ok(ChecksWriter {
            w: self.w,
            first: true,
        })
    }

    /// Writes `links` (left out when empty) and closes the document.
    /// Returns the document's length.
    ///
    /// # Errors
    /// [`HealthError::Overflow`].
    pub fn finish(self, links: &[(&str, &str)]) -> Result<usize, HealthError> {
        Members::after_first(self.w).links("links", links)?;
        self.w.put_byte(b'}')?;
        Ok(self.w.len())
    }
}

/// The open `checks` object; next come check keys or the end.
#[must_use = "a health document is incomplete until finish() is called"]
#[derive(Debug)]
pub struct ChecksWriter<'w, 'b> {
    w: &'w mut Writer<'b>,
    first: bool,
}

impl<'w, 'b> ChecksWriter<'w, 'b> {
    /// Opens the array for `"component:measurement"` (or just the part given,
    /// as the draft's `"uptime"`).
    ///
    /// # Errors
    /// [`HealthError::ColonInKey`], [`HealthError::EmptyKey`] (both parts
    /// `None`, or a part empty) before anything is written; [`HealthError::Overflow`].
    pub fn begin_check(
        self,
        component: Option<&str>,
        measurement: Option<&str>,
    ) -> Result<CheckArray<'w, 'b>, HealthError> {
        let parts = [component, measurement];
        if parts.iter().flatten().any(|p| p.contains(':')) {
            return Err(HealthError::ColonInKey);
        }
        if parts.iter().flatten().any(|p| p.is_empty()) || parts == [None, None] {
            return Err(HealthError::EmptyKey);
        }
        if !self.first {
            self.w.put_byte(b',')?;
        }
        self.w.put_byte(b'"')?;
        if let Some(c) = component {
            write_json_string_contents(self.w, c)?;
        }
        if let (Some(_), Some(_)) = (component, measurement) {
            self.w.put_byte(b':')?;
        }
        if let Some(m) = measurement {
            write_json_string_contents(self.w, m)?;
        }
        self.w.put(b"\":[")?;
        Ok(CheckArray {
            w: self.w,
            entries: 0,
        })
    }

    /// Closes `checks`, writes `links` (left out when empty) and closes the
    /// document. Returns the document's length.
    ///
    /// # Errors
    /// [`HealthError::Overflow`].
    pub fn finish(self, links: &[(&str, &str)]) -> Result<usize, HealthError> {
        self.w.put_byte(b'}')?;
        HealthDocument { w: self.w }.finish(links)
    }
}

/// The open array of one check key; next come entries, then [`CheckArray::end_check`].
#[must_use = "call end_check() to close the check's array"]
#[derive(Debug)]
pub struct CheckArray<'w, 'b> {
    w: &'w mut Writer<'b>,
    entries: usize,
}

impl<'w, 'b> CheckArray<'w, 'b> {
    /// Writes one entry (one node's reading).
    ///
    /// # Errors
    /// [`HealthError::TooManyDecimals`] or [`HealthError::TimeOutOfRange`]
    /// before anything is written; [`HealthError::Overflow`].
    pub fn entry(&mut self, entry: &CheckEntry<'_>) -> Result<(), HealthError> {
        // Refuse before writing anything, so no dangling comma is left behind.
        let time = entry.validate()?;
        if self.entries > 0 {
            self.w.put_byte(b',')?;
        }
        entry.write(self.w, time)?;
        self.entries = self.entries.saturating_add(1);
        Ok(())
    }

    /// Closes the array.
    ///
    /// # Errors
    /// [`HealthError::EmptyCheck`] when no entry was written; [`HealthError::Overflow`].
    pub fn end_check(self) -> Result<ChecksWriter<'w, 'b>, HealthError> {
        if self.entries == 0 {
            return Err(HealthError::EmptyCheck);
        }
        self.w.put_byte(b']')?;
        Ok(ChecksWriter {
            w: self.w,
            first: false,
        })
    }
}
