//! [`Event`]: every event type supervisord 4.x sends, typed, borrowing from
//! the payload; and the dispatch from event name to payload parser.

use super::payload::{Fields, PayloadError, PayloadErrorKind, fail, split_body};
use super::process_output::{self, Channel, Flavour, ProcessOutput};
use super::process_state::{self, ProcessStateChange};

/// One decoded event.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum Event<'a> {
    /// `PROCESS_STATE_<STATE>`.
    ProcessState(ProcessStateChange<'a>),
    /// `PROCESS_LOG_STDOUT` / `PROCESS_LOG_STDERR`.
    ProcessLog(ProcessOutput<'a>),
    /// `PROCESS_COMMUNICATION_STDOUT` / `PROCESS_COMMUNICATION_STDERR`.
    ProcessCommunication(ProcessOutput<'a>),
    /// `REMOTE_COMMUNICATION`, sent by `supervisor.sendRemoteCommEvent(type, data)`.
    RemoteCommunication {
        /// The `type` field.
        kind: &'a str,
        /// The data after the `\n`.
        data: &'a [u8],
    },
    /// `SUPERVISOR_STATE_CHANGE_RUNNING` / `SUPERVISOR_STATE_CHANGE_STOPPING`.
    SupervisorStateChange(SupervisorState),
    /// `TICK_5` / `TICK_60` / `TICK_3600`.
    Tick(Tick),
    /// `PROCESS_GROUP_ADDED`.
    ProcessGroupAdded {
        /// The group name.
        group: &'a str,
    },
    /// `PROCESS_GROUP_REMOVED`.
    ProcessGroupRemoved {
        /// The group name.
        group: &'a str,
    },
    /// An event name this decoder does not know; never an error.
    Other {
        /// The event name.
        name: &'a str,
        /// The raw payload.
        payload: &'a [u8],
    },
}

/// The state supervisord itself entered.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum SupervisorState {
    /// supervisord has started (after the `PROCESS_GROUP_ADDED` events).
    Running,
    /// supervisord is shutting down.
    Stopping,
}

/// A `TICK_*` event.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Tick {
    /// Which tick.
    pub period: TickPeriod,
    /// Epoch seconds, floored to a multiple of the period. Ticks delivered late
    /// (a slow listener) keep their old `when`.
    pub when: u64,
}

/// The period of a tick event.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum TickPeriod {
    /// `TICK_5`
    Secs5,
    /// `TICK_60`
    Secs60,
    /// `TICK_3600`
    Secs3600,
}

impl TickPeriod {
    /// The period in seconds.
    pub const fn seconds(self) -> u64 {
        match self {
            TickPeriod::Secs5 => 5,
            TickPeriod::Secs60 => 60,
            TickPeriod::Secs3600 => 3600,
        }
    }

    /// The event name, e.g. `TICK_60`.
    pub const fn event_name(self) -> &'static str {
        match self {
            TickPeriod::Secs5 => "TICK_5",
            TickPeriod::Secs60 => "TICK_60",
            TickPeriod::Secs3600 => "TICK_3600",
        }
    }
}

impl<'a> Event<'a> {
    /// The event name this event is sent under (the header's `eventname`).
    pub const fn name(&self) -> &'a str {
        match self {
            Event::ProcessState(change) => change.to.event_name(),
            Event::ProcessLog(out) => match out.channel {
                Channel::Stdout => "PROCESS_LOG_STDOUT",
                Channel::Stderr => "PROCESS_LOG_STDERR",
            },
            Event::ProcessCommunication(out) => match out.channel {
                Channel::Stdout => "PROCESS_COMMUNICATION_STDOUT",
                Channel::Stderr => "PROCESS_COMMUNICATION_STDERR",
            },
            Event::RemoteCommunication { .. } => "REMOTE_COMMUNICATION",
            Event::SupervisorStateChange(SupervisorState::Running) => {
                "SUPERVISOR_STATE_CHANGE_RUNNING"
            }
            Event::SupervisorStateChange(SupervisorState::Stopping) => {
                "SUPERVISOR_STATE_CHANGE_STOPPING"
            }
            Event::Tick(tick) => tick.period.event_name(),
            Event::ProcessGroupAdded { .. } => "PROCESS_GROUP_ADDED",
            Event::ProcessGroupRemoved { .. } => "PROCESS_GROUP_REMOVED",
            Event::Other { name, .. } => name,
        }
    }

    /// Parses the payload of an event named `name`. Unknown names give [`Event::Other`].
    ///
    /// # Errors
    /// A [`PayloadError`] (offset within `payload`) when the payload does not
    /// have the shape the event type requires.
    pub fn parse(name: &'a str, payload: &'a [u8]) -> Result<Self, PayloadError> {
        if let Some(to) = process_state::target_state(name) {
            return process_state::parse(to, payload).map(Event::ProcessState);
        }
        let output = |flavour, channel| process_output::parse(flavour, channel, payload);
        Ok(match name {
            "PROCESS_LOG_STDOUT" => Event::ProcessLog(output(Flavour::Log, Channel::Stdout)?),
            "PROCESS_LOG_STDERR" => Event::ProcessLog(output(Flavour::Log, Channel::Stderr)?),
            "PROCESS_COMMUNICATION_STDOUT" => {
                Event::ProcessCommunication(output(Flavour::Communication, Channel::Stdout)?)
            }
            "PROCESS_COMMUNICATION_STDERR" => {
                Event::ProcessCommunication(output(Flavour::Communication, Channel::Stderr)?)
            }
            "REMOTE_COMMUNICATION" => {
                let (tokens, data) = split_body(payload)?;
                let kind = Fields::read(tokens, 0, ["type"])?.text("type")?.value;
                Event::RemoteCommunication { kind, data }
            }
            "SUPERVISOR_STATE_CHANGE_RUNNING" => {
                supervisor_state(SupervisorState::Running, payload)?
            }
            "SUPERVISOR_STATE_CHANGE_STOPPING" => {
                supervisor_state(SupervisorState::Stopping, payload)?
            }
            "TICK_5" => tick(TickPeriod::Secs5, payload)?,
            "TICK_60" => tick(TickPeriod::Secs60, payload)?,
            "TICK_3600" => tick(TickPeriod::Secs3600, payload)?,
            "PROCESS_GROUP_ADDED" => Event::ProcessGroupAdded {
                group: group_name(payload)?,
            },
            "PROCESS_GROUP_REMOVED" => Event::ProcessGroupRemoved {
                group: group_name(payload)?,
            },
            _ => Event::Other { name, payload },
        })
    }
}

fn supervisor_state(state: SupervisorState, payload: &[u8]) -> Result<Event<'_>, PayloadError> {
    if !payload.is_empty() {
        return fail(0, PayloadErrorKind::NotEmpty);
    }
    Ok(Event::SupervisorStateChange(state))
}

fn tick(period: TickPeriod, payload: &[u8]) -> Result<Event<'_>, PayloadError> {
    let when = Fields::read(payload, 0, ["when"])?.number("when")?;
    Ok(Event::Tick(Tick { period, when }))
}

/// `groupname:G`, with the trailing `\n` supervisord 4.x sends, or without.
fn group_name(payload: &[u8]) -> Result<&str, PayloadError> {
    let tokens = payload.strip_suffix(b"\n").unwrap_or(payload);
    Ok(Fields::read(tokens, 0, ["groupname"])?
        .text("groupname")?
        .value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn group_events_accept_payload_with_or_without_trailing_newline() {
        assert_eq!(
            Event::parse("PROCESS_GROUP_ADDED", b"groupname:web\n"),
            Ok(Event::ProcessGroupAdded { group: "web" })
        );
        assert_eq!(
            Event::parse("PROCESS_GROUP_REMOVED", b"groupname:web"),
            Ok(Event::ProcessGroupRemoved { group: "web" })
        );
    }

    #[test]
    fn supervisor_state_change_must_be_empty() {
        assert_eq!(
            Event::parse("SUPERVISOR_STATE_CHANGE_STOPPING", b""),
            Ok(Event::SupervisorStateChange(SupervisorState::Stopping))
        );
        assert_eq!(
            Event::parse("SUPERVISOR_STATE_CHANGE_RUNNING", b"x")
                .unwrap_err()
                .kind,
            PayloadErrorKind::NotEmpty
        );
    }

    #[test]
    fn unknown_event_name_is_other_never_an_error() {
        assert_eq!(
            Event::parse("PROCESS_STATE", b"\xff anything"),
            Ok(Event::Other {
                name: "PROCESS_STATE",
                payload: b"\xff anything"
            })
        );
    }

    #[test]
    fn every_known_event_reports_the_name_it_was_parsed_from() {
        let cases: [(&str, &[u8]); 13] = [
            (
                "PROCESS_STATE_UNKNOWN",
                b"processname:a groupname:b from_state:RUNNING",
            ),
            (
                "PROCESS_LOG_STDOUT",
                b"processname:a groupname:b pid:1 channel:stdout\n",
            ),
            (
                "PROCESS_LOG_STDERR",
                b"processname:a groupname:b pid:1 channel:stderr\n",
            ),
            (
                "PROCESS_COMMUNICATION_STDOUT",
                b"processname:a groupname:b pid:1\n",
            ),
            (
                "PROCESS_COMMUNICATION_STDERR",
                b"processname:a groupname:b pid:1\n",
            ),
            ("REMOTE_COMMUNICATION", b"type:t\n"),
            ("SUPERVISOR_STATE_CHANGE_RUNNING", b""),
            ("SUPERVISOR_STATE_CHANGE_STOPPING", b""),
            ("TICK_5", b"when:5"),
            ("TICK_60", b"when:60"),
            ("TICK_3600", b"when:3600"),
            ("PROCESS_GROUP_ADDED", b"groupname:g\n"),
            ("PROCESS_GROUP_REMOVED", b"groupname:g\n"),
        ];
        for (name, payload) in cases {
            assert_eq!(Event::parse(name, payload).unwrap().name(), name);
        }
    }

    #[test]
    fn tick_periods_are_in_seconds() {
        assert_eq!(
            [TickPeriod::Secs5, TickPeriod::Secs60, TickPeriod::Secs3600].map(TickPeriod::seconds),
            [5, 60, 3600]
        );
    }
}
