//! [`HeartbeatSpec`]: the heartbeat-datagram check, and the [`DeviceBinding`]s
//! that say which device's beats keep which process alive.
//!
//! Where the datagrams are received (the UDP address, the allowed senders) is
//! the driver's business; the spec only says how long a device may be silent
//! and which device each process depends on.

use super::{SpecError, Timeout};
use crate::heartbeat::Beat;
use crate::names::Namespec;

/// Most device bindings one check holds.
pub const MAX_DEVICE_BINDINGS: usize = 16;

/// Silence allowed by default, 15 s: three beats of a 5-second period, the
/// period of supervisord's `TICK_5`.
pub const DEFAULT_HEARTBEAT_TIMEOUT: Timeout = Timeout::DEFAULT;

/// One device and the process (a namespec) its heartbeats keep alive.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct DeviceBinding<'a> {
    device: &'a str,
    process: &'a str,
}

/// True when `name` can appear as `device=` in a heartbeat datagram.
pub fn valid_device_name(name: &str) -> bool {
    Beat::new(name, 0, 0).is_ok()
}

impl<'a> DeviceBinding<'a> {
    /// Binds `device` to the processes `process` names (`name`, `group:name`
    /// or `group:*`).
    ///
    /// # Errors
    /// [`SpecError::DeviceName`] for a name no datagram can carry,
    /// [`SpecError::ProcessName`] for an empty namespec or one with spaces or
    /// control characters.
    pub fn new(device: &'a str, process: &'a str) -> Result<Self, SpecError> {
        if !valid_device_name(device) {
            return Err(SpecError::DeviceName);
        }
        let bad_char = |c: char| c.is_whitespace() || c.is_control();
        if process.is_empty() || process.starts_with(':') || process.contains(bad_char) {
            return Err(SpecError::ProcessName);
        }
        Ok(Self { device, process })
    }

    /// Reads `DEVICE=PROCESS`.
    ///
    /// # Errors
    /// [`SpecError::DeviceBinding`] without `=`, else those of [`DeviceBinding::new`].
    pub fn parse(text: &'a str) -> Result<Self, SpecError> {
        let (device, process) = text.split_once('=').ok_or(SpecError::DeviceBinding)?;
        Self::new(device, process)
    }

    /// The device's name, as in its datagrams.
    pub const fn device(&self) -> &'a str {
        self.device
    }

    /// The namespec of the processes the device keeps alive.
    pub const fn process(&self) -> &'a str {
        self.process
    }

    /// True when the process `group:name` depends on this device.
    pub fn binds(&self, group: &str, name: &str) -> bool {
        Namespec::parse(self.process).matches(group, name)
    }
}

/// A heartbeat check: a process passes while its device's last accepted
/// heartbeat is at most `timeout` old.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct HeartbeatSpec<'a> {
    /// The silence allowed.
    pub timeout: Timeout,
    /// Which device each process depends on; when empty, a process depends
    /// on the device named like the process.
    bindings: heapless::Vec<DeviceBinding<'a>, MAX_DEVICE_BINDINGS>,
}

impl Default for HeartbeatSpec<'_> {
    fn default() -> Self {
        Self::new()
    }
}

impl<'a> HeartbeatSpec<'a> {
    /// A check with the default timeout and no bindings.
    pub const fn new() -> Self {
        Self {
            timeout: DEFAULT_HEARTBEAT_TIMEOUT,
            bindings: heapless::Vec::new(),
        }
    }

    /// Adds a binding.
    ///
    /// # Errors
    /// [`SpecError::DuplicateBinding`] when the same namespec is already
    /// bound, [`SpecError::TooMany`] beyond [`MAX_DEVICE_BINDINGS`].
    pub fn bind(&mut self, binding: DeviceBinding<'a>) -> Result<(), SpecError> {
        if self.bindings.iter().any(|b| b.process == binding.process) {
            return Err(SpecError::DuplicateBinding);
        }
        self.bindings
            .push(binding)
            .map_err(|_| SpecError::TooMany(MAX_DEVICE_BINDINGS))
    }

    /// The bindings, in the order given.
    pub fn bindings(&self) -> &[DeviceBinding<'a>] {
        &self.bindings
    }

    /// The device the process `group:name` depends on: the first binding that
    /// names it or, without bindings, the device named `name`. `None` when
    /// bindings exist but none names it, or `name` is not a device name.
    pub fn device_for<'n>(&self, group: &str, name: &'n str) -> Option<&'n str>
    where
        'a: 'n,
    {
        if self.bindings.is_empty() {
            return valid_device_name(name).then_some(name);
        }
        self.bindings
            .iter()
            .find(|b| b.binds(group, name))
            .map(|b| b.device)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::Duration;

    #[test]
    fn bindings_read_device_equals_namespec() {
        let b = DeviceBinding::parse("pump-7=bridges:pump").unwrap();
        assert_eq!((b.device(), b.process()), ("pump-7", "bridges:pump"));
        assert!(b.binds("bridges", "pump"));
        assert!(!b.binds("bridges", "fan"));
        assert!(
            DeviceBinding::parse("fan=fans:*")
                .unwrap()
                .binds("fans", "x")
        );
    }

    #[test]
    fn malformed_bindings_are_refused_with_their_reason() {
        let cases = [
            ("pump", SpecError::DeviceBinding),
            ("=bridge", SpecError::DeviceName),
            ("pu mp=bridge", SpecError::DeviceName),
            ("pump=", SpecError::ProcessName),
            ("pump=br idge", SpecError::ProcessName),
            ("pump=:bridge", SpecError::ProcessName),
        ];
        for (text, error) in cases {
            assert_eq!(DeviceBinding::parse(text), Err(error), "{text:?}");
        }
    }

    #[test]
    fn without_bindings_the_device_is_named_like_the_process() {
        let spec = HeartbeatSpec::new();
        assert_eq!(spec.timeout.get(), Duration::from_secs(15));
        assert_eq!(spec.device_for("g", "pump"), Some("pump"));
        assert_eq!(spec.device_for("g", "not a device"), None);
    }

    #[test]
    fn with_bindings_only_bound_processes_have_a_device() {
        let mut spec = HeartbeatSpec::new();
        spec.bind(DeviceBinding::parse("pump=bridge").unwrap())
            .unwrap();
        spec.bind(DeviceBinding::parse("pump=logger").unwrap())
            .unwrap();
        assert_eq!(spec.device_for("bridge", "bridge"), Some("pump"));
        assert_eq!(spec.device_for("logger", "logger"), Some("pump"));
        assert_eq!(spec.device_for("web", "web"), None);
        assert_eq!(
            spec.bind(DeviceBinding::parse("fan=bridge").unwrap()),
            Err(SpecError::DuplicateBinding)
        );
    }

    #[test]
    fn bindings_are_bounded() {
        let mut spec = HeartbeatSpec::new();
        let names = [
            "p0", "p1", "p2", "p3", "p4", "p5", "p6", "p7", "p8", "p9", "pa", "pb", "pc", "pd",
            "pe", "pf", "pg",
        ];
        for name in names.iter().take(MAX_DEVICE_BINDINGS) {
            spec.bind(DeviceBinding::new("d", name).unwrap()).unwrap();
        }
        assert_eq!(
            spec.bind(DeviceBinding::new("d", "pg").unwrap()),
            Err(SpecError::TooMany(MAX_DEVICE_BINDINGS))
        );
    }
}
