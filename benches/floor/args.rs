//! The command line of `loopback_floor`.

use std::path::PathBuf;

/// Where the services come from.
pub enum Services {
    /// Already running on these ports (a fleet under supervisord).
    Ports(Vec<u16>),
    /// Started here: `count` × `supercheck demo-service`, optionally all on one CPU.
    Spawn {
        supercheck: PathBuf,
        count: u16,
        cpu: Option<usize>,
    },
}

/// How the requests of a round are written.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum SendWith {
    /// One `write` per connection.
    Write,
    /// Every request of the round in one `io_uring_enter`.
    IoUring,
}

/// The sender's scheduling policy.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Policy {
    Normal,
    Batch,
}

pub struct Args {
    pub services: Services,
    pub supervisor_sock: Option<String>,
    pub rounds: u32,
    pub gap_ms: u64,
    pub path: String,
    pub send_with: SendWith,
    pub policy: Policy,
    /// A custom EEVDF slice for the sender (`sched_setattr`'s `sched_runtime`).
    pub slice_us: Option<u64>,
    /// Pin the sender to this CPU.
    pub cpu: Option<usize>,
}

fn number<T: std::str::FromStr>(flag: &str, value: &str) -> Result<T, String> {
    value
        .parse()
        .map_err(|_| format!("{flag}: not a number: {value}"))
}

pub fn parse() -> Result<Args, String> {
    let mut ports = Vec::new();
    let (mut spawn, mut count, mut services_cpu) = (None, 0u16, None);
    let mut args = Args {
        services: Services::Ports(Vec::new()),
        supervisor_sock: None,
        rounds: 50,
        gap_ms: 100,
        path: "/ping".into(),
        send_with: SendWith::Write,
        policy: Policy::Normal,
        slice_us: None,
        cpu: None,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let value = it.next().ok_or_else(|| format!("{flag} needs a value"))?;
        match flag.as_str() {
            "--ports" => {
                let (lo, hi) = value.split_once('-').unwrap_or((&value, &value));
                let (lo, hi): (u16, u16) = (number(&flag, lo)?, number(&flag, hi)?);
                ports = (lo..=hi).collect();
            }
            "--spawn" => spawn = Some(PathBuf::from(value)),
            "--services" => count = number(&flag, &value)?,
            "--services-cpu" => services_cpu = Some(number(&flag, &value)?),
            "--supervisor-sock" => args.supervisor_sock = Some(value),
            "--rounds" => args.rounds = number(&flag, &value)?,
            "--gap-ms" => args.gap_ms = number(&flag, &value)?,
            "--path" => args.path = value,
            "--send-with" => {
                args.send_with = match value.as_str() {
                    "write" => SendWith::Write,
                    "io-uring" => SendWith::IoUring,
                    _ => return Err(format!("--send-with: write or io-uring, not {value}")),
                }
            }
            "--policy" => {
                args.policy = match value.as_str() {
                    "normal" => Policy::Normal,
                    "batch" => Policy::Batch,
                    _ => return Err(format!("--policy: normal or batch, not {value}")),
                }
            }
            "--slice-us" => args.slice_us = Some(number(&flag, &value)?),
            "--cpu" => args.cpu = Some(number(&flag, &value)?),
            _ => return Err(format!("unknown flag {flag}")),
        }
    }
    args.services = match (spawn, ports.is_empty()) {
        (Some(supercheck), true) if count > 0 => Services::Spawn {
            supercheck,
            count,
            cpu: services_cpu,
        },
        (None, false) => Services::Ports(ports),
        _ => return Err("give --ports LO-HI, or --spawn SUPERCHECK --services N".into()),
    };
    if args.rounds == 0 {
        return Err("--rounds must be positive".into());
    }
    Ok(args)
}
