//! `PROCESS_LOG_*` and `PROCESS_COMMUNICATION_*` events: a chunk of a
//! process's output, after a token set naming the process.

use core::fmt;

use super::payload::{Fields, PayloadError, PayloadErrorKind, fail, split_body};
use crate::names::ProcessId;

/// The output stream an event came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Channel {
    /// Standard output.
    Stdout,
    /// Standard error.
    Stderr,
}

impl Channel {
    /// `stdout` or `stderr`, as in the `channel` field.
    pub const fn as_str(self) -> &'static str {
        match self {
            Channel::Stdout => "stdout",
            Channel::Stderr => "stderr",
        }
    }
}

impl fmt::Display for Channel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Output of a process: the payload of `PROCESS_LOG_*` (one read of output)
/// and `PROCESS_COMMUNICATION_*` (the text between the capture tags).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct ProcessOutput<'a> {
    /// The process (`groupname`, `processname`).
    pub process: ProcessId<'a>,
    /// Its process id.
    pub pid: u32,
    /// The stream, from the event name's `_STDOUT`/`_STDERR`.
    pub channel: Channel,
    /// The raw bytes, not necessarily one line.
    pub data: &'a [u8],
}

/// Whether the token set carries `channel:` (`PROCESS_LOG_*`) or not (`PROCESS_COMMUNICATION_*`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Flavour {
    Log,
    Communication,
}

/// Parses the payload of a `PROCESS_LOG_*` or `PROCESS_COMMUNICATION_*` event on `channel`.
pub(crate) fn parse(
    flavour: Flavour,
    channel: Channel,
    payload: &[u8],
) -> Result<ProcessOutput<'_>, PayloadError> {
    let (tokens, data) = split_body(payload)?;
    let fields = Fields::read(tokens, 0, ["processname", "groupname", "pid", "channel"])?;
    let process = ProcessId {
        name: fields.text("processname")?.value,
        group: fields.text("groupname")?.value,
    };
    let pid = fields.number("pid")?;
    if flavour == Flavour::Log {
        let field = fields.text("channel")?;
        if field.value != channel.as_str() {
            return fail(field.at, PayloadErrorKind::BadChannel);
        }
    }
    Ok(ProcessOutput {
        process,
        pid,
        channel,
        data,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn log_event_data_keeps_raw_bytes_and_newlines() {
        let out = parse(
            Flavour::Log,
            Channel::Stderr,
            b"processname:foo groupname:bar pid:123 channel:stderr\nline 1\nline\xff2",
        )
        .unwrap();
        assert_eq!(
            out.process,
            ProcessId {
                group: "bar",
                name: "foo"
            }
        );
        assert_eq!((out.pid, out.channel), (123, Channel::Stderr));
        assert_eq!(out.data, b"line 1\nline\xff2");
    }

    #[test]
    fn log_channel_must_match_the_event_name() {
        let err = parse(
            Flavour::Log,
            Channel::Stdout,
            b"processname:foo groupname:bar pid:1 channel:stderr\nx",
        )
        .unwrap_err();
        assert_eq!((err.offset, err.kind), (44, PayloadErrorKind::BadChannel));
    }

    #[test]
    fn communication_needs_no_channel_but_a_newline() {
        let out = parse(
            Flavour::Communication,
            Channel::Stdout,
            b"processname:a groupname:b pid:9\n",
        )
        .unwrap();
        assert_eq!((out.pid, out.data), (9, &b""[..]));
        let err = parse(
            Flavour::Communication,
            Channel::Stdout,
            b"processname:a groupname:b pid:9",
        )
        .unwrap_err();
        assert_eq!((err.offset, err.kind), (31, PayloadErrorKind::MissingBody));
    }
}
