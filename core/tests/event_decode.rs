//! The event decoder against byte-exact supervisord vectors (spec section 1):
//! every event kind, non-ASCII payloads under both `len` modes, streams of
//! several events. Garbage is in `event_garbage.rs`.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)] // test helpers

use supercheck_core::event::{
    Channel, Decoded, Decoder, Event, Header, LenMode, NewState, ProcessOutput, ProcessStateChange,
    SupervisorState, Tick, TickPeriod,
};
use supercheck_core::names::ProcessId;
use supercheck_core::process::ProcessState;

const CHARS: Decoder = Decoder::new(LenMode::Chars);
const BYTES: Decoder = Decoder::new(LenMode::Bytes);

/// Decodes one whole event that must fill `buf` exactly, in both modes when it is ASCII.
fn decode_all(decoder: Decoder, buf: &[u8]) -> (Header<'_>, Event<'_>) {
    match decoder.decode(buf) {
        Ok(Decoded::Complete {
            header,
            event,
            consumed,
        }) => {
            assert_eq!(consumed, buf.len(), "consumed");
            (header, event)
        }
        other => panic!("expected a complete event, got {other:?}"),
    }
}

fn event(buf: &[u8]) -> Event<'_> {
    let (_, chars) = decode_all(CHARS, buf);
    if buf.is_ascii() {
        assert_eq!(decode_all(BYTES, buf).1, chars, "modes agree on ASCII");
    }
    chars
}

fn pid(group: &'static str, name: &'static str) -> ProcessId<'static> {
    ProcessId { group, name }
}

// --- spec vectors -----------------------------------------------------------

#[test]
fn docs_communication_vector_takes_exactly_len_bytes_of_payload() {
    // The supervisord docs' example announces len:54, which ends after "This is the data".
    let buf = b"ver:3.0 server:supervisor serial:21 pool:listener poolserial:10 eventname:PROCESS_COMMUNICATION_STDOUT len:54\nprocessname:foo groupname:bar pid:123\nThis is the data that was sent between the tags";
    let Ok(Decoded::Complete {
        header,
        event,
        consumed,
    }) = CHARS.decode(buf)
    else {
        panic!()
    };
    assert_eq!(
        header,
        Header {
            ver: Some("3.0"),
            server: Some("supervisor"),
            serial: Some(21),
            pool: Some("listener"),
            poolserial: Some(10),
            eventname: "PROCESS_COMMUNICATION_STDOUT",
            len: 54,
        }
    );
    assert_eq!(
        event,
        Event::ProcessCommunication(ProcessOutput {
            process: pid("bar", "foo"),
            pid: 123,
            channel: Channel::Stdout,
            data: b"This is the data",
        })
    );
    assert_eq!(consumed, 110 + 54);
}

#[test]
fn communication_vector_with_consistent_len_carries_the_whole_text() {
    let buf = b"ver:3.0 server:supervisor serial:21 pool:listener poolserial:10 eventname:PROCESS_COMMUNICATION_STDERR len:85\nprocessname:foo groupname:bar pid:123\nThis is the data that was sent between the tags";
    let Event::ProcessCommunication(out) = event(buf) else {
        panic!()
    };
    assert_eq!(
        (out.channel, out.data),
        (
            Channel::Stderr,
            &b"This is the data that was sent between the tags"[..]
        )
    );
}

#[test]
fn remote_communication_len_counts_characters_not_bytes() {
    // 28 characters in 30 bytes, as supervisord 4.x sends it.
    let buf = "ver:3.0 server:supervisor serial:3 pool:listener poolserial:1 eventname:REMOTE_COMMUNICATION len:28\ntype:test\ndätä from the rpc!".as_bytes();
    assert_eq!(buf.len() - 100, 30);
    assert_eq!(
        decode_all(CHARS, buf).1,
        Event::RemoteCommunication {
            kind: "test",
            data: "dätä from the rpc!".as_bytes()
        }
    );
}

#[test]
fn log_len_counts_characters_of_the_non_ascii_chunk() {
    // 77 characters in 78 bytes.
    let buf = "ver:3.0 server:supervisor serial:9 pool:listener poolserial:4 eventname:PROCESS_LOG_STDOUT len:77\nprocessname:foo groupname:bar pid:123 channel:stdout\nhéllo from the process!\n".as_bytes();
    assert_eq!(
        decode_all(CHARS, buf).1,
        Event::ProcessLog(ProcessOutput {
            process: pid("bar", "foo"),
            pid: 123,
            channel: Channel::Stdout,
            data: "héllo from the process!\n".as_bytes(),
        })
    );
}

#[test]
fn bytes_mode_on_a_supervisord4_stream_desyncs_after_non_ascii() {
    let first = "ver:3.0 server:supervisor serial:3 pool:listener poolserial:1 eventname:REMOTE_COMMUNICATION len:28\ntype:test\ndätä from the rpc!";
    let stream = [first, "ver:3.0 server:supervisor serial:4 pool:listener poolserial:2 eventname:TICK_5 len:15\nwhen:1700000005"].concat();
    let Ok(Decoded::Complete { consumed, .. }) = BYTES.decode(stream.as_bytes()) else {
        panic!()
    };
    assert_eq!(
        &stream.as_bytes()[consumed..consumed + 5],
        b"c!ver",
        "the next header is shifted by 2 bytes"
    );
    let Ok(Decoded::Complete { consumed, .. }) = CHARS.decode(stream.as_bytes()) else {
        panic!()
    };
    assert_eq!(consumed, first.len());
}

// --- every event kind ---------------------------------------------------------

fn state_event(name: &str, payload: &str) -> ProcessStateChange<'static> {
    let buf = format!(
        "ver:3.0 server:supervisor serial:1 pool:l poolserial:1 eventname:{name} len:{}\n{payload}",
        payload.len()
    );
    let buf: &'static [u8] = Box::leak(buf.into_bytes().into_boxed_slice());
    let Event::ProcessState(change) = event(buf) else {
        panic!("{name}")
    };
    change
}

#[test]
fn process_state_events_carry_exactly_their_state_fields() {
    let base = "processname:cat groupname:cats from_state:";
    let cases = [
        (
            "STARTING",
            "STOPPED tries:0",
            ProcessState::Stopped,
            NewState::Starting { tries: 0 },
        ),
        (
            "RUNNING",
            "STARTING pid:2766",
            ProcessState::Starting,
            NewState::Running { pid: 2766 },
        ),
        (
            "BACKOFF",
            "STARTING tries:2",
            ProcessState::Starting,
            NewState::Backoff { tries: 2 },
        ),
        (
            "STOPPING",
            "RUNNING pid:2766",
            ProcessState::Running,
            NewState::Stopping { pid: 2766 },
        ),
        (
            "EXITED",
            "RUNNING expected:1 pid:2766",
            ProcessState::Running,
            NewState::Exited {
                expected: true,
                pid: 2766,
            },
        ),
        (
            "STOPPED",
            "STOPPING pid:2766",
            ProcessState::Stopping,
            NewState::Stopped { pid: 2766 },
        ),
        ("FATAL", "BACKOFF", ProcessState::Backoff, NewState::Fatal),
        (
            "UNKNOWN",
            "RUNNING",
            ProcessState::Running,
            NewState::Unknown,
        ),
    ];
    for (state, rest, from_state, to) in cases {
        let change = state_event(&format!("PROCESS_STATE_{state}"), &format!("{base}{rest}"));
        assert_eq!(
            change,
            ProcessStateChange {
                process: pid("cats", "cat"),
                from_state,
                to
            },
            "{state}"
        );
        assert_eq!(to.state().name(), state);
    }
}

#[test]
fn tick_events_carry_their_period_and_when() {
    for (name, period) in [
        ("TICK_5", TickPeriod::Secs5),
        ("TICK_60", TickPeriod::Secs60),
        ("TICK_3600", TickPeriod::Secs3600),
    ] {
        let buf = format!(
            "ver:3.0 server:supervisor serial:1 pool:l poolserial:1 eventname:{name} len:15\nwhen:1700000000"
        );
        assert_eq!(
            event(buf.as_bytes()),
            Event::Tick(Tick {
                period,
                when: 1_700_000_000
            })
        );
    }
}

#[test]
fn log_stderr_event_reads_channel_and_raw_data() {
    let buf = b"ver:3.0 server:supervisor serial:1 pool:l poolserial:1 eventname:PROCESS_LOG_STDERR len:58\nprocessname:web groupname:web pid:42 channel:stderr\noops\n\n";
    let Event::ProcessLog(out) = event(buf) else {
        panic!()
    };
    assert_eq!(
        (out.process, out.pid, out.channel, out.data),
        (pid("web", "web"), 42, Channel::Stderr, &b"oops\n\n"[..])
    );
}

#[test]
fn supervisor_state_change_events_are_empty() {
    let buf = b"ver:3.0 server:supervisor serial:0 pool:l poolserial:0 eventname:SUPERVISOR_STATE_CHANGE_RUNNING len:0\n";
    assert_eq!(
        event(buf),
        Event::SupervisorStateChange(SupervisorState::Running)
    );
    let buf = b"ver:3.0 server:supervisor serial:9 pool:l poolserial:9 eventname:SUPERVISOR_STATE_CHANGE_STOPPING len:0\n";
    assert_eq!(
        event(buf),
        Event::SupervisorStateChange(SupervisorState::Stopping)
    );
}

#[test]
fn process_group_events_take_the_trailing_newline_supervisord_sends() {
    let buf = b"ver:3.0 server:supervisor serial:0 pool:l poolserial:0 eventname:PROCESS_GROUP_ADDED len:14\ngroupname:web\n";
    assert_eq!(event(buf), Event::ProcessGroupAdded { group: "web" });
    let buf = b"ver:3.0 server:supervisor serial:0 pool:l poolserial:0 eventname:PROCESS_GROUP_REMOVED len:13\ngroupname:web";
    assert_eq!(event(buf), Event::ProcessGroupRemoved { group: "web" });
}

#[test]
fn unknown_event_name_decodes_to_other_with_its_payload() {
    let buf = b"ver:3.0 eventname:PROCESS_STATE_SLEEPING len:5\nhello";
    assert_eq!(
        event(buf),
        Event::Other {
            name: "PROCESS_STATE_SLEEPING",
            payload: b"hello"
        }
    );
}

// --- header grammar through the decoder ----------------------------------------

#[test]
fn header_tokens_in_any_order_with_colons_and_spaces_in_values() {
    let buf = b"len:15 pool:my pool eventname:TICK_60 server:host:9001 serial:2 poolserial:1 ver:3.0\nwhen:1700000040";
    let (header, _) = decode_all(CHARS, buf);
    assert_eq!(
        (header.pool, header.server, header.serial, header.poolserial),
        (Some("my pool"), Some("host:9001"), Some(2), Some(1))
    );
}

#[test]
fn payload_values_may_contain_colons_and_spaces() {
    let buf = b"eventname:PROCESS_STATE_FATAL len:56\nprocessname:my worker groupname:a:b c from_state:BACKOFF";
    let Event::ProcessState(change) = event(buf) else {
        panic!()
    };
    assert_eq!(change.process, pid("a:b c", "my worker"));
}

// --- streams -------------------------------------------------------------------

#[test]
fn two_events_back_to_back_decode_one_after_the_other() {
    let stream = "ver:3.0 server:supervisor serial:1 pool:l poolserial:1 eventname:TICK_5 len:15\nwhen:1700000005\
                  ver:3.0 server:supervisor serial:2 pool:l poolserial:2 eventname:REMOTE_COMMUNICATION len:9\ntype:x\nçà"
        .as_bytes();
    let Ok(Decoded::Complete {
        event: first,
        consumed,
        ..
    }) = CHARS.decode(stream)
    else {
        panic!()
    };
    assert_eq!(
        first,
        Event::Tick(Tick {
            period: TickPeriod::Secs5,
            when: 1_700_000_005
        })
    );
    let rest = &stream[consumed..];
    assert_eq!(
        event(rest),
        Event::RemoteCommunication {
            kind: "x",
            data: "çà".as_bytes()
        }
    );
}

#[test]
fn incomplete_reports_a_lower_bound_on_missing_bytes() {
    let full = "eventname:REMOTE_COMMUNICATION len:9\ntype:x\nçà".as_bytes();
    assert_eq!(
        CHARS.decode(&full[..20]),
        Ok(Decoded::Incomplete { needed: 1 })
    );
    // Header read, 2 of 9 characters received: 7 more characters, >= 7 bytes.
    assert_eq!(
        CHARS.decode(&full[..39]),
        Ok(Decoded::Incomplete { needed: 7 })
    );
    // `à` cut after its first byte.
    assert_eq!(
        CHARS.decode(&full[..full.len() - 1]),
        Ok(Decoded::Incomplete { needed: 1 })
    );
    assert_eq!(
        BYTES.decode(&full[..39]),
        Ok(Decoded::Incomplete { needed: 7 })
    );
}
