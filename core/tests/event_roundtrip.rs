//! Properties of the event decoder: whatever the encoder writes decodes back to
//! the same event in both `len` modes (non-ASCII included), every strict prefix
//! is `Incomplete` with an honest lower bound, trailing bytes are left alone,
//! and arbitrary input never panics.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)] // test helpers

use proptest::prelude::*;
use supercheck_core::event::{
    Channel, Decoded, Decoder, Envelope, Event, Header, LenMode, NewState, ProcessOutput,
    ProcessStateChange, SupervisorState, Tick, TickPeriod, encode_event,
};
use supercheck_core::names::ProcessId;
use supercheck_core::process::ProcessState;
use supercheck_core::wire::Writer;

/// An event that owns its strings, so proptest can generate it.
#[derive(Clone, Debug)]
enum Owned {
    State {
        group: String,
        name: String,
        from_state: ProcessState,
        to: NewState,
    },
    Output {
        log: bool,
        group: String,
        name: String,
        pid: u32,
        channel: Channel,
        data: Vec<u8>,
    },
    Remote {
        kind: String,
        data: Vec<u8>,
    },
    Supervisor(SupervisorState),
    Tick(Tick),
    Group {
        added: bool,
        group: String,
    },
    Other {
        name: String,
        payload: Vec<u8>,
    },
}

impl Owned {
    fn event(&self) -> Event<'_> {
        match self {
            Owned::State {
                group,
                name,
                from_state,
                to,
            } => Event::ProcessState(ProcessStateChange {
                process: ProcessId { group, name },
                from_state: *from_state,
                to: *to,
            }),
            Owned::Output {
                log,
                group,
                name,
                pid,
                channel,
                data,
            } => {
                let out = ProcessOutput {
                    process: ProcessId { group, name },
                    pid: *pid,
                    channel: *channel,
                    data,
                };
                if *log {
                    Event::ProcessLog(out)
                } else {
                    Event::ProcessCommunication(out)
                }
            }
            Owned::Remote { kind, data } => Event::RemoteCommunication { kind, data },
            Owned::Supervisor(state) => Event::SupervisorStateChange(*state),
            Owned::Tick(tick) => Event::Tick(*tick),
            Owned::Group { added: true, group } => Event::ProcessGroupAdded { group },
            Owned::Group {
                added: false,
                group,
            } => Event::ProcessGroupRemoved { group },
            Owned::Other { name, payload } => Event::Other { name, payload },
        }
    }
}

/// A token value: may contain `:` in its first chunk and spaces before chunks without `:`.
fn value() -> impl Strategy<Value = String> {
    "[a-z0-9_.:é日-]{0,8}( [a-z0-9_.é日-]{1,5}){0,2}"
}

fn new_state() -> impl Strategy<Value = NewState> {
    prop_oneof![
        any::<u32>().prop_map(|tries| NewState::Starting { tries }),
        any::<u32>().prop_map(|pid| NewState::Running { pid }),
        any::<u32>().prop_map(|tries| NewState::Backoff { tries }),
        any::<u32>().prop_map(|pid| NewState::Stopping { pid }),
        (any::<bool>(), any::<u32>())
            .prop_map(|(expected, pid)| NewState::Exited { expected, pid }),
        any::<u32>().prop_map(|pid| NewState::Stopped { pid }),
        Just(NewState::Fatal),
        Just(NewState::Unknown),
    ]
}

fn owned(data: impl Strategy<Value = Vec<u8>> + Clone + 'static) -> impl Strategy<Value = Owned> {
    let channel = prop_oneof![Just(Channel::Stdout), Just(Channel::Stderr)];
    let period = prop_oneof![
        Just(TickPeriod::Secs5),
        Just(TickPeriod::Secs60),
        Just(TickPeriod::Secs3600)
    ];
    prop_oneof![
        (
            value(),
            value(),
            prop::sample::select(&ProcessState::ALL[..]),
            new_state()
        )
            .prop_map(|(group, name, from_state, to)| Owned::State {
                group,
                name,
                from_state,
                to
            }),
        (
            any::<bool>(),
            value(),
            value(),
            any::<u32>(),
            channel,
            data.clone()
        )
            .prop_map(|(log, group, name, pid, channel, data)| Owned::Output {
                log,
                group,
                name,
                pid,
                channel,
                data
            }),
        (value(), data.clone()).prop_map(|(kind, data)| Owned::Remote { kind, data }),
        prop_oneof![
            Just(SupervisorState::Running),
            Just(SupervisorState::Stopping)
        ]
        .prop_map(Owned::Supervisor),
        (period, any::<u64>()).prop_map(|(period, when)| Owned::Tick(Tick { period, when })),
        (any::<bool>(), value()).prop_map(|(added, group)| Owned::Group { added, group }),
        ("X_[A-Z_]{1,10}", data).prop_map(|(name, payload)| Owned::Other { name, payload }),
    ]
}

fn utf8_data() -> impl Strategy<Value = Vec<u8>> + Clone {
    "(?s).{0,24}".prop_map(String::into_bytes)
}

fn any_data() -> impl Strategy<Value = Vec<u8>> + Clone {
    prop::collection::vec(any::<u8>(), 0..48)
}

#[derive(Clone, Debug)]
struct OwnedEnvelope {
    server: String,
    serial: u64,
    pool: String,
    poolserial: u64,
}

fn envelope() -> impl Strategy<Value = OwnedEnvelope> {
    (value(), any::<u64>(), value(), any::<u64>()).prop_map(|(server, serial, pool, poolserial)| {
        OwnedEnvelope {
            server,
            serial,
            pool,
            poolserial,
        }
    })
}

fn encode(env: &OwnedEnvelope, event: &Event<'_>, mode: LenMode) -> Vec<u8> {
    let mut buf = vec![0u8; 1 << 16];
    let mut w = Writer::new(&mut buf);
    let envelope = Envelope {
        server: &env.server,
        serial: env.serial,
        pool: &env.pool,
        poolserial: env.poolserial,
    };
    encode_event(&mut w, &envelope, event, mode).unwrap();
    w.written().to_vec()
}

fn check_round_trip(
    env: &OwnedEnvelope,
    owned: &Owned,
    mode: LenMode,
) -> Result<(), TestCaseError> {
    let event = owned.event();
    let bytes = encode(env, &event, mode);
    let decoded = Decoder::new(mode).decode(&bytes);
    let Ok(Decoded::Complete {
        header,
        event: back,
        consumed,
    }) = decoded
    else {
        return Err(TestCaseError::fail(format!(
            "{decoded:?} for {:?}",
            String::from_utf8_lossy(&bytes)
        )));
    };
    prop_assert_eq!(back, event);
    prop_assert_eq!(consumed, bytes.len());
    let payload = &bytes[bytes.iter().position(|&b| b == b'\n').unwrap() + 1..];
    let expected = Header {
        ver: Some("3.0"),
        server: Some(&env.server),
        serial: Some(env.serial),
        pool: Some(&env.pool),
        poolserial: Some(env.poolserial),
        eventname: event.name(),
        len: mode.count(payload) as u64,
    };
    prop_assert_eq!(header, expected);
    Ok(())
}

fn mode() -> impl Strategy<Value = LenMode> {
    prop_oneof![Just(LenMode::Chars), Just(LenMode::Bytes)]
}

proptest! {
    #[test]
    fn utf8_events_round_trip_in_both_modes(env in envelope(), owned in owned(utf8_data()), mode in mode()) {
        check_round_trip(&env, &owned, mode)?;
    }

    #[test]
    fn raw_byte_events_round_trip_in_bytes_mode(env in envelope(), owned in owned(any_data())) {
        check_round_trip(&env, &owned, LenMode::Bytes)?;
    }

    #[test]
    fn every_strict_prefix_is_incomplete_with_an_honest_lower_bound(
        env in envelope(), owned in owned(utf8_data()), mode in mode()
    ) {
        let bytes = encode(&env, &owned.event(), mode);
        let decoder = Decoder::new(mode);
        for cut in 0..bytes.len() {
            match decoder.decode(&bytes[..cut]) {
                Ok(Decoded::Incomplete { needed }) => {
                    prop_assert!(needed >= 1);
                    prop_assert!(cut + needed <= bytes.len(), "cut {} needed {} of {}", cut, needed, bytes.len());
                }
                other => return Err(TestCaseError::fail(format!("cut {cut}: {other:?}"))),
            }
        }
    }

    #[test]
    fn bytes_after_an_event_are_left_for_the_next_decode(
        owned in owned(utf8_data()), mode in mode(), tail in any_data()
    ) {
        let env = OwnedEnvelope { server: "supervisor".into(), serial: 1, pool: "p".into(), poolserial: 1 };
        let event = owned.event();
        let mut bytes = encode(&env, &event, mode);
        let len = bytes.len();
        bytes.extend_from_slice(&tail);
        let decoded = Decoder::new(mode).decode(&bytes);
        let Ok(Decoded::Complete { event: back, consumed, .. }) = decoded else {
            return Err(TestCaseError::fail(format!("{decoded:?}")));
        };
        prop_assert_eq!((back, consumed), (event, len));
    }

    #[test]
    fn header_tokens_decode_the_same_in_any_order(
        order in Just(vec![
            "ver:3.0", "server:supervisor", "serial:21", "pool:listener", "poolserial:10",
            "eventname:TICK_5", "len:15",
        ]).prop_shuffle()
    ) {
        let buf = format!("{}\nwhen:1700000005", order.join(" "));
        let Ok(Decoded::Complete { header, .. }) = Decoder::default().decode(buf.as_bytes()) else {
            return Err(TestCaseError::fail(buf));
        };
        prop_assert_eq!(
            (header.ver, header.server, header.serial, header.pool, header.poolserial, header.eventname, header.len),
            (Some("3.0"), Some("supervisor"), Some(21), Some("listener"), Some(10), "TICK_5", 15)
        );
    }

    #[test]
    fn arbitrary_bytes_never_panic_and_stay_in_bounds(buf in any_data(), mode in mode()) {
        let decoder = Decoder { max_header_len: 16, max_payload_len: 16, mode };
        match decoder.decode(&buf) {
            Ok(Decoded::Complete { consumed, .. }) => prop_assert!(consumed <= buf.len()),
            Ok(Decoded::Incomplete { needed }) => prop_assert!(needed >= 1),
            Err(err) => {
                prop_assert!(err.offset <= buf.len());
                if let Some(skip) = err.skip_to() {
                    prop_assert!(skip >= 1 && skip <= buf.len());
                }
            }
        }
    }
}
