//! [`CheckEntry`]: one element of a health document's `checks` arrays, and
//! its [`ObservedValue`].

use super::object::Members;
use super::{HealthError, HealthStatus, UtcDateTime};
use crate::json::escape::write_json_string;
use crate::wire::Writer;

/// Most decimals an [`ObservedValue::Decimal`] may have (10^18 fits a `u64`).
pub const MAX_DECIMALS: u8 = 18;

/// A measured value: `observedValue`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum ObservedValue<'a> {
    /// An integer.
    Int(i64),
    /// A fixed-point number, `value` × 10^-`decimals`, written exactly:
    /// `Decimal { value: 1250, decimals: 3 }` is `1.250`. Readings such as
    /// latencies have a known precision; this writes them without `f64`
    /// formatting (which would cost firmware ~11 KiB of flash) and without
    /// float artefacts. At most [`MAX_DECIMALS`].
    Decimal {
        /// The digits, sign included.
        value: i64,
        /// How many of them are after the decimal point.
        decimals: u8,
    },
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

    /// Checks what cannot be written (too many decimals, a time out of
    /// range) and returns the entry's time as a date.
    pub(super) fn validate(&self) -> Result<Option<UtcDateTime>, HealthError> {
        if let Some(ObservedValue::Decimal { decimals, .. }) = self.observed_value {
            if decimals > MAX_DECIMALS {
                return Err(HealthError::TooManyDecimals);
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
                ObservedValue::Decimal { value, decimals } => {
                    write_decimal(m.w, value, decimals)?;
                }
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

/// Writes `value` × 10^-`decimals` in JSON number syntax (`-0.05`, `12.500`, `7`).
fn write_decimal(w: &mut Writer<'_>, value: i64, decimals: u8) -> Result<(), HealthError> {
    let scale = 10u64
        .checked_pow(u32::from(decimals))
        .ok_or(HealthError::TooManyDecimals)?;
    if value < 0 {
        w.put_byte(b'-')?;
    }
    let magnitude = value.unsigned_abs();
    w.put_u64(magnitude / scale)?;
    if decimals > 0 {
        w.put_byte(b'.')?;
        let fraction = magnitude % scale;
        // Leading zeros of the fraction: one per power of ten it falls short of.
        let mut pad = scale / 10;
        while pad > 1 && fraction < pad {
            w.put_byte(b'0')?;
            pad /= 10;
        }
        if fraction == 0 {
            // `pad` stopped at 1: the last digit is still to write.
            w.put_byte(b'0')?;
        } else {
            w.put_u64(fraction)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decimal(value: i64, decimals: u8) -> std::string::String {
        let mut buf = [0u8; 48];
        let mut w = Writer::new(&mut buf);
        write_decimal(&mut w, value, decimals).unwrap();
        std::string::String::from_utf8(w.written().to_vec()).unwrap()
    }

    #[test]
    fn decimals_are_written_exactly() {
        assert_eq!(decimal(1_209_600_245, 3), "1209600.245");
        assert_eq!(decimal(85, 1), "8.5");
        assert_eq!(decimal(1250, 3), "1.250");
        assert_eq!(decimal(5, 2), "0.05");
        assert_eq!(decimal(-5, 2), "-0.05");
        assert_eq!(decimal(0, 3), "0.000");
        assert_eq!(decimal(100, 2), "1.00");
        assert_eq!(decimal(7, 0), "7");
        assert_eq!(decimal(i64::MIN, 18), "-9.223372036854775808");
        assert_eq!(decimal(i64::MAX, 0), "9223372036854775807");
        assert_eq!(decimal(1, 18), "0.000000000000000001");
    }

    #[test]
    fn more_than_eighteen_decimals_are_refused() {
        let mut buf = [0u8; 48];
        assert_eq!(
            write_decimal(&mut Writer::new(&mut buf), 1, 20),
            Err(HealthError::TooManyDecimals)
        );
    }
}
