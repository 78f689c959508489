//! [`Config`]: who the device is and where it sends, with the QEMU user-net
//! defaults, and the `key=value` words that override them at boot (the
//! firmware reads them from the semihosting command line).

use core::fmt;
use core::net::{Ipv4Addr, SocketAddrV4};

use smoltcp::wire::{EthernetAddress, Ipv4Cidr};
use supercheck_core::heartbeat::Beat;

/// The device's static network set-up and heartbeat settings.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Config<'a> {
    /// The name sent in every beat and shown as `serviceId` (1 to 32 bytes of `[A-Za-z0-9._-]`).
    pub device: &'a str,
    /// The Ethernet address.
    pub mac: EthernetAddress,
    /// The device's address and prefix.
    pub address: Ipv4Cidr,
    /// The default router, if any.
    pub gateway: Option<Ipv4Addr>,
    /// Where beats go.
    pub collector: SocketAddrV4,
    /// The UDP port beats are sent from.
    pub beat_source_port: u16,
    /// Time between two beats, in milliseconds (at least 1).
    pub period_ms: u32,
    /// The TCP port serving `GET /health`.
    pub http_port: u16,
}

/// Why a command-line word was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum ConfigError {
    /// `device=` is empty, longer than 32 bytes or has a character outside `[A-Za-z0-9._-]`.
    BadDevice,
    /// `collector=` is not `a.b.c.d:port`.
    BadCollector,
    /// `ip=` is not `a.b.c.d/prefix`.
    BadAddress,
    /// `gateway=` is not `a.b.c.d` or `none`.
    BadGateway,
    /// `period_ms=` is not a number from 1 to 2^32 - 1.
    BadPeriod,
    /// A key this firmware does not know.
    UnknownKey,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ConfigError::BadDevice => "device= must be 1-32 bytes of [A-Za-z0-9._-]",
            ConfigError::BadCollector => "collector= must be a.b.c.d:port",
            ConfigError::BadAddress => "ip= must be a.b.c.d/prefix",
            ConfigError::BadGateway => "gateway= must be a.b.c.d or none",
            ConfigError::BadPeriod => "period_ms= must be a positive number",
            ConfigError::UnknownKey => "unknown key (device, collector, ip, gateway, period_ms)",
        })
    }
}

impl core::error::Error for ConfigError {}

impl<'a> Config<'a> {
    /// QEMU user networking: 10.0.2.15/24 via 10.0.2.2, beats to
    /// 10.0.2.2:9999 (the host's 127.0.0.1:9999) every second, HTTP on port 80.
    pub const fn qemu_user_net(device: &'a str) -> Self {
        Self {
            device,
            mac: EthernetAddress([0x52, 0x54, 0x00, 0x12, 0x34, 0x56]),
            address: Ipv4Cidr::new(Ipv4Addr::new(10, 0, 2, 15), 24),
            gateway: Some(Ipv4Addr::new(10, 0, 2, 2)),
            collector: SocketAddrV4::new(Ipv4Addr::new(10, 0, 2, 2), 9999),
            beat_source_port: 49_152,
            period_ms: 1_000,
            http_port: 80,
        }
    }

    /// Applies the `key=value` words of `line`, separated by spaces: `device=`,
    /// `collector=a.b.c.d:port`, `ip=a.b.c.d/prefix`, `gateway=a.b.c.d|none`,
    /// `period_ms=`. Words without `=` (the program name) are skipped.
    ///
    /// # Errors
    /// The first word that is refused; the words before it are applied.
    pub fn apply_words(&mut self, line: &'a str) -> Result<(), ConfigError> {
        for word in line.split_ascii_whitespace() {
            let Some((key, value)) = word.split_once('=') else {
                continue;
            };
            match key {
                "device" => {
                    Beat::new(value, 0, 0).map_err(|_| ConfigError::BadDevice)?;
                    self.device = value;
                }
                "collector" => {
                    self.collector = parse_socket(value).ok_or(ConfigError::BadCollector)?;
                }
                "ip" => self.address = parse_cidr(value).ok_or(ConfigError::BadAddress)?,
                "gateway" if value == "none" => self.gateway = None,
                "gateway" => {
                    self.gateway = Some(parse_ipv4(value).ok_or(ConfigError::BadGateway)?);
                }
                "period_ms" => {
                    self.period_ms = value
                        .parse()
                        .ok()
                        .filter(|p| *p > 0)
                        .ok_or(ConfigError::BadPeriod)?;
                }
                _ => return Err(ConfigError::UnknownKey),
            }
        }
        Ok(())
    }
}

// Small hand-written parsers: core's `FromStr` for addresses costs about a
// kilobyte of flash on the firmware.

/// A decimal number of 1 to 5 digits, no sign.
fn parse_decimal(text: &str) -> Option<u32> {
    if text.is_empty() || text.len() > 5 {
        return None;
    }
    text.bytes().try_fold(0u32, |n, b| {
        b.is_ascii_digit().then(|| n * 10 + u32::from(b - b'0'))
    })
}

/// `a.b.c.d`, each part 0 to 255.
fn parse_ipv4(text: &str) -> Option<Ipv4Addr> {
    let mut octets = [0u8; 4];
    let mut parts = text.split('.');
    for octet in &mut octets {
        *octet = u8::try_from(parse_decimal(parts.next()?)?).ok()?;
    }
    parts.next().is_none().then(|| Ipv4Addr::from(octets))
}

/// `a.b.c.d:port`, port 1 to 65535.
fn parse_socket(text: &str) -> Option<SocketAddrV4> {
    let (addr, port) = text.split_once(':')?;
    let port = u16::try_from(parse_decimal(port)?)
        .ok()
        .filter(|p| *p > 0)?;
    Some(SocketAddrV4::new(parse_ipv4(addr)?, port))
}

/// `a.b.c.d/prefix`, prefix 0 to 32.
fn parse_cidr(text: &str) -> Option<Ipv4Cidr> {
    let (addr, prefix) = text.split_once('/')?;
    let prefix = u8::try_from(parse_decimal(prefix)?)
        .ok()
        .filter(|p| *p <= 32)?;
    Some(Ipv4Cidr::new(parse_ipv4(addr)?, prefix))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_override_the_defaults_and_the_program_name_is_skipped() {
        let mut config = Config::qemu_user_net("dev");
        config
            .apply_words("heartbeat device=pump-7 collector=10.0.2.2:40123 period_ms=250 gateway=none ip=192.168.1.9/16")
            .unwrap();
        assert_eq!(config.device, "pump-7");
        assert_eq!(config.collector, "10.0.2.2:40123".parse().unwrap());
        assert_eq!(config.period_ms, 250);
        assert_eq!(config.gateway, None);
        assert_eq!(
            config.address,
            Ipv4Cidr::new(Ipv4Addr::new(192, 168, 1, 9), 16)
        );
    }

    #[test]
    fn bad_words_are_named() {
        let cases = [
            ("device=a/b", ConfigError::BadDevice),
            ("device=", ConfigError::BadDevice),
            ("collector=10.0.2.2", ConfigError::BadCollector),
            ("collector=10.0.2.2:0", ConfigError::BadCollector),
            ("collector=10.0.2.2:65536", ConfigError::BadCollector),
            ("collector=10.0.2.256:80", ConfigError::BadCollector),
            ("collector=10.0.2:80", ConfigError::BadCollector),
            ("collector=10.0.2.2.1:80", ConfigError::BadCollector),
            ("collector=10.0.+2.2:80", ConfigError::BadCollector),
            ("gateway=10..2.2", ConfigError::BadGateway),
            ("ip=10.0.2.15/33", ConfigError::BadAddress),
            ("gateway=x", ConfigError::BadGateway),
            ("period_ms=0", ConfigError::BadPeriod),
            ("period_ms=-5", ConfigError::BadPeriod),
            ("colour=red", ConfigError::UnknownKey),
        ];
        for (line, expected) in cases {
            let mut config = Config::qemu_user_net("dev");
            assert_eq!(config.apply_words(line), Err(expected), "{line}");
        }
    }
}
