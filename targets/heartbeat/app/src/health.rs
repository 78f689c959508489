//! The device's `application/health+json` document, written with the core's
//! encoder from a [`Snapshot`] of the device's state.

use supercheck_core::json::health::{
    CheckEntry, HealthDocument, HealthError, HealthHead, HealthStatus, ObservedValue,
};
use supercheck_core::wire::Writer;

/// What the document reports, taken when the request is answered.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Snapshot<'a> {
    /// The device name (`serviceId`).
    pub device: &'a str,
    /// Milliseconds since boot.
    pub uptime_ms: u64,
    /// Beats handed to the network.
    pub beats_sent: u32,
    /// Beats that could not be sent.
    pub beat_send_errors: u32,
    /// True when the most recent beat could not be sent.
    pub last_beat_failed: bool,
    /// True when the Ethernet link is up.
    pub link_up: bool,
    /// HTTP sockets listening for the next connection.
    pub idle_http_sockets: usize,
}

impl Snapshot<'_> {
    fn beat_status(&self) -> HealthStatus {
        if self.last_beat_failed {
            HealthStatus::Warn
        } else {
            HealthStatus::Pass
        }
    }

    fn link_status(&self) -> HealthStatus {
        if self.link_up {
            HealthStatus::Pass
        } else {
            HealthStatus::Fail
        }
    }

    fn socket_status(&self) -> HealthStatus {
        if self.idle_http_sockets > 0 {
            HealthStatus::Pass
        } else {
            HealthStatus::Warn
        }
    }

    /// The worst status of the checks: the document's `status`.
    pub fn status(&self) -> HealthStatus {
        self.beat_status()
            .max(self.link_status())
            .max(self.socket_status())
    }
}

/// Writes the document into `w` and returns its length.
///
/// # Errors
/// [`HealthError::Overflow`] when `w` is too small (the document is at most
/// about 600 bytes).
pub fn write_health(w: &mut Writer<'_>, s: &Snapshot<'_>) -> Result<usize, HealthError> {
    let head = HealthHead {
        version: Some(env!("CARGO_PKG_VERSION")),
        service_id: Some(s.device),
        description: Some("supercheck heartbeat device"),
        output: Some("a check is not passing"),
        ..HealthHead::new(s.status())
    };
    let int = |n: u64| Some(ObservedValue::Int(i64::try_from(n).unwrap_or(i64::MAX)));
    let checks = HealthDocument::begin(w, &head)?.checks()?;
    let mut uptime = checks.begin_check(Some("uptime"), None)?;
    uptime.entry(&CheckEntry {
        component_type: Some("system"),
        observed_value: int(s.uptime_ms / 1_000),
        observed_unit: Some("s"),
        ..CheckEntry::new(HealthStatus::Pass)
    })?;
    let mut sent = uptime
        .end_check()?
        .begin_check(Some("heartbeat"), Some("sent"))?;
    sent.entry(&CheckEntry {
        observed_value: int(u64::from(s.beats_sent)),
        ..CheckEntry::new(HealthStatus::Pass)
    })?;
    let mut errors = sent
        .end_check()?
        .begin_check(Some("heartbeat"), Some("sendErrors"))?;
    errors.entry(&CheckEntry {
        observed_value: int(u64::from(s.beat_send_errors)),
        output: Some("the last beat could not be sent"),
        ..CheckEntry::new(s.beat_status())
    })?;
    let mut link = errors.end_check()?.begin_check(Some("link"), Some("up"))?;
    link.entry(&CheckEntry {
        component_type: Some("component"),
        observed_value: Some(ObservedValue::Bool(s.link_up)),
        output: Some("Ethernet link is down"),
        ..CheckEntry::new(s.link_status())
    })?;
    let mut tcp = link
        .end_check()?
        .begin_check(Some("tcp"), Some("idleSockets"))?;
    tcp.entry(&CheckEntry {
        observed_value: int(s.idle_http_sockets as u64),
        output: Some("no socket is listening for the next request"),
        ..CheckEntry::new(s.socket_status())
    })?;
    tcp.end_check()?.finish(&[])
}

#[cfg(test)]
mod tests {
    extern crate std;
    use super::*;

    fn snapshot() -> Snapshot<'static> {
        Snapshot {
            device: "pump-7",
            uptime_ms: 12_345,
            beats_sent: 12,
            beat_send_errors: 1,
            last_beat_failed: false,
            link_up: true,
            idle_http_sockets: 1,
        }
    }

    fn render(s: &Snapshot<'_>) -> std::string::String {
        let mut buf = [0u8; 1024];
        let mut w = Writer::new(&mut buf);
        write_health(&mut w, s).unwrap();
        std::string::String::from_utf8(w.written().to_vec()).unwrap()
    }

    #[test]
    fn healthy_device_document_is_exact() {
        assert_eq!(
            render(&snapshot()),
            concat!(
                r#"{"status":"pass","version":"0.1.0","serviceId":"pump-7","description":"supercheck heartbeat device","checks":{"#,
                r#""uptime":[{"componentType":"system","observedValue":12,"observedUnit":"s","status":"pass"}],"#,
                r#""heartbeat:sent":[{"observedValue":12,"status":"pass"}],"#,
                r#""heartbeat:sendErrors":[{"observedValue":1,"status":"pass"}],"#,
                r#""link:up":[{"componentType":"component","observedValue":true,"status":"pass"}],"#,
                r#""tcp:idleSockets":[{"observedValue":1,"status":"pass"}]}}"#
            )
        );
    }

    #[test]
    fn link_down_fails_the_document_and_says_why() {
        let s = Snapshot {
            link_up: false,
            last_beat_failed: true,
            ..snapshot()
        };
        assert_eq!(s.status(), HealthStatus::Fail);
        let doc: serde_json::Value = serde_json::from_str(&render(&s)).unwrap();
        assert_eq!(doc["status"], "fail");
        assert_eq!(doc["output"], "a check is not passing");
        assert_eq!(
            doc["checks"]["link:up"][0]["output"],
            "Ethernet link is down"
        );
        assert_eq!(doc["checks"]["heartbeat:sendErrors"][0]["status"], "warn");
    }

    #[test]
    fn no_idle_socket_is_a_warning() {
        let s = Snapshot {
            idle_http_sockets: 0,
            ..snapshot()
        };
        assert_eq!(s.status(), HealthStatus::Warn);
    }

    #[test]
    fn too_small_buffer_is_an_overflow_not_a_panic() {
        let mut buf = [0u8; 64];
        let mut w = Writer::new(&mut buf);
        assert_eq!(
            write_health(&mut w, &snapshot()),
            Err(HealthError::Overflow)
        );
    }
}
