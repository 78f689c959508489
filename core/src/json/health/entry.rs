//! [`CheckEntry`]: one element of a health document's `checks` arrays, and
//! its [`ObservedValue`].

use super::object::Members;
use super::{HealthError, HealthStatus, UtcDateTime};
use crate::json::escape::write_json_string;
use crate::wire::Writer;

/// A measured value: `observedValue`.
#[derive(Clone, Copy, Debug, PartialEq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum ObservedValue<'a> {
    /// An integer.
    Int(i64),
    /// A finite float (infinity and NaN have no JSON form and are refused).
    Float(f64),
    /// Text.
    Str(&'a str),
    /// A boolean.
    Bool(bool),
}

/// One reading of a check on one node. Members are written in the draft's
/// order; `affectedEndpoints` and `output` are left out when the status is
/// pass, as the draft says they should be.
#[derive(Clone, Copy, Debug, PartialEq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct CheckEntry<'a> {
    /// `componentId`: the instance, e.g. the process name.
    pub component_id: Option<&'a str>,
    /// `componentType`: `component`, `datastore`, `system`, or a URI.
    pub component_type: Option<&'a str>,
    /// `observedValue`.
    pub observed_value: Option<ObservedValue<'a>>,
    /// `observedUnit`, e.g. `ms`, `percent`, `KiB`.
    pub observed_unit: Option<&'a str>,
    /// `status`.
    pub status: HealthStatus,
    /// `affectedEndpoints`: URI templates (RFC 6570); omitted on pass.
    pub affected_endpoints: &'a [&'a str],
    /// `time`: when the reading was taken, Unix seconds (UTC).
    pub time: Option<i64>,
    /// `output`: why it is not passing; omitted on pass.
    pub output: Option<&'a str>,
    /// `links`: relation → URI.
    pub links: &'a [(&'a str, &'a str)],
}

impl<'a> CheckEntry<'a> {
    /// An entry with only a status.
    pub const fn new(status: HealthStatus) -> Self {
        Self {
            component_id: None,
            component_type: None,
            observed_value: None,
            observed_unit: None,
            status,
            affected_endpoints: &[],
            time: None,
            output: None,
            links: &[],
        }
    }

    /// Checks what cannot be written (a non-finite float, a time out of
    /// range) and returns the entry's time as a date.
    pub(super) fn validate(&self) -> Result<Option<UtcDateTime>, HealthError> {
        if let Some(ObservedValue::Float(f)) = self.observed_value {
            if !f.is_finite() {
                return Err(HealthError::NonFiniteNumber);
            }
        }
        self.time
            .map(|secs| UtcDateTime::from_unix_secs(secs).ok_or(HealthError::TimeOutOfRange))
            .transpose()
    }

    /// Writes the entry, already validated, as a JSON object.
    pub(super) fn write(
        &self,
        w: &mut Writer<'_>,
        time: Option<UtcDateTime>,
    ) -> Result<(), HealthError> {
        w.put_byte(b'{')?;
        let mut m = Members::new(w);
        m.optional("componentId", self.component_id)?;
        m.optional("componentType", self.component_type)?;
        if let Some(value) = self.observed_value {
            m.key("observedValue")?;
            match value {
                ObservedValue::Int(n) => m.w.put_i64(n)?,
                ObservedValue::Float(f) => m.w.put_fmt(format_args!("{f}"))?,
                ObservedValue::Str(s) => write_json_string(m.w, s)?,
                ObservedValue::Bool(b) => m.w.put_str(if b { "true" } else { "false" })?,
            }
        }
        m.optional("observedUnit", self.observed_unit)?;
        m.string("status", self.status.as_str())?;
        let failing = self.status != HealthStatus::Pass;
        if failing {
            m.strings("affectedEndpoints", self.affected_endpoints)?;
        }
        if let Some(time) = time {
            m.key("time")?;
            m.w.put_byte(b'"')?;
            time.write_iso8601(m.w)?;
            m.w.put_byte(b'"')?;
        }
        if failing {
            m.optional("output", self.output)?;
        }
        m.links("links", self.links)?;
        w.put_byte(b'}')?;
        Ok(())
    }
}
