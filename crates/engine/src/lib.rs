//! # supercheck-engine
//!
//! Every decision the event listener makes, as one deterministic state
//! machine: it does no I/O, reads no clock and starts no thread. The mio
//! listener on Linux, the WASI listener and the virtual-time tests drive the
//! same [`Engine`]; each only carries out what it asks for.
//!
//! `#![no_std]` with `alloc`: the engine keeps per-process state for fleets
//! of any size (maps of targets, log lines, notification texts), so it
//! allocates; being `no_std` it *cannot* reach a socket, a file, a clock or a
//! thread, which is the guarantee that matters here. The core underneath
//! ([`supercheck_core`]) stays allocation-free.
//!
//! ## Driving it (in the manner of quinn-proto's `Connection`)
//!
//! Inputs, each with the driver's `now` on the core's clock
//! ([`supercheck_core::time::Instant`], milliseconds from an epoch the driver
//! chooses):
//!
//! | input | when |
//! |---|---|
//! | [`Engine::handle_start`] | once, before anything else: `READY`, or the `--once` round |
//! | [`Engine::handle_input`] | stdin bytes (at most [`Engine::input_room`]) |
//! | [`Engine::handle_input_closed`] | stdin reached its end |
//! | [`Engine::handle_process_list`] | the answer to [`Call::ListProcesses`] (or its failure) |
//! | [`Engine::handle_reply`] | the answer to [`Call::Stop`] / [`Call::Start`] (or its fault) |
//! | [`Engine::handle_probe`] | the outcome of a [`Output::Probe`]: always, exactly once |
//! | [`Engine::handle_timeout`] | the instant [`Engine::poll_timeout`] named has come |
//! | [`Engine::handle_stop_signal`] | TERM, INT, HUP or QUIT (a drop-in's; an agent reloads on HUP) |
//! | [`Engine::reconfigure`] | a new configuration (an agent's SIGHUP), validated first |
//!
//! After each input, drain [`Engine::poll_output`] until it returns `None`,
//! carrying out each [`Output`] **in the order given** (a log line written
//! before an acknowledgement comes out before it; the acknowledgement comes
//! after the restart it waited for was asked for), then sleep until
//! [`Engine::poll_timeout`] or the next input. A driver may feed an input
//! while draining (a local probe that answers at once): the new outputs queue
//! behind the ones already there. After [`Output::Exit`] the engine takes no
//! more input.
//!
//! What a driver keeps: sockets, `/proc`, child processes, custom-check
//! workers, connections kept alive, probe deadlines (a probe that runs out of
//! time is reported as its timeout verdict). What the engine keeps: every
//! rule below.
//!
//! ## Rules
//!
//! - **Acknowledgement.** supervisord sends the next event only after
//!   `RESULT`, and re-sends the in-flight event to a listener that dies
//!   before answering. A tick is acknowledged when every process it selected
//!   has a verdict and every restart it decided has been *asked for*, or at
//!   its deadline (one second before the next tick of that period is due, at
//!   least half a second after the round started), whichever comes first.
//!   Probes still under way after the deadline go on and their verdicts count.
//! - **Coalescing.** A tick arriving less than half a period after the last
//!   round started is acknowledged at once and coalesced into that round,
//!   never replayed one by one.
//! - **Other events** are acknowledged at once; a malformed one is skipped
//!   (and acknowledged); a header that cannot be read loses the stream:
//!   [`Exit::ProtocolLost`], so that supervisord restarts the listener in step.
//!   With a restart under way (`stopProcess` or `startProcess` asked, not
//!   answered) the engine reads nothing more and exits once it is finished:
//!   exiting at once would leave the process stopped, since supervisord
//!   carries out a `stopProcess` asked and nobody would ask its start. The
//!   wait is bounded by the driver's call timeout (it reports the reply or
//!   the failure); nothing is acknowledged meanwhile, and supervisord hands
//!   the restarted listener the event in flight again.
//! - **Watches.** A configuration has one or more [`Watch`]es: a drop-in
//!   one, an agent one per `[[check]]` table. Each has its processes, its
//!   checks, its policy and its schedule; each (watch, process) pair has its
//!   own health machine.
//! - **Schedule.** A watch without `interval` runs on every tick. One with
//!   an interval runs on the engine's own timers from the start, on a fixed
//!   phase (an instant missed is skipped, not caught up); watches due at the
//!   same instant share one cycle, so one process list. A tick that finds no
//!   watch to run is acknowledged at once, without a list. An interval's
//!   summary line is a detail, and a failing list or a watch finding no
//!   process is logged when that changes, not every interval.
//! - **Arbiter.** One restart per process at a time, whichever watches ask:
//!   restart decisions of one cycle wait for the process's other rounds of
//!   that cycle, and one `stopProcess` carries every reason (`web_http: ...;
//!   web_mem: ...`). A watch that fails a process while it is being
//!   restarted joins that restart. Every watch that asked is told when it
//!   is done (its budget and back-off count it, its grace starts).
//! - **Reload.** [`Engine::reconfigure`] refuses an invalid configuration
//!   and changes nothing then. Otherwise each watch equal in both (settings
//!   and check rules) keeps its machines, cpu windows and place on its
//!   schedule; the others start afresh. The rounds under way are abandoned
//!   (their probes' outcomes are ignored), a restart decided is asked for and
//!   one under way is finished: a reload itself never restarts anything.
//! - **Selection.** One process list per cycle; a process still being checked
//!   or restarted is skipped by the next tick, never checked twice at once;
//!   one listed twice is checked once. A configuration without checks
//!   selects nothing: each tick is acknowledged once its process list is in
//!   (and `--once` ends then), no round waits for a verdict that cannot come.
//! - **Verdicts.** Each check's attempts follow its retry plan; the first
//!   failure decides the process's verdict; an error (the checker could not
//!   tell) never restarts anything.
//! - **Restarts.** The health machine ([`supercheck_core::health`]) decides;
//!   a restart is `stopProcess` (waiting), then `startProcess`. A stop that
//!   finds the process not running does not start it (an operator stopped
//!   it); a start that finds it started already counts as done.
//! - **End.** stdin closing ends the engine ([`Exit::Clean`]), after a
//!   restart already asked for is finished.
//!
//! ## Modules
//!
//! | module | what it is |
//! |---|---|
//! | [`engine`] | the [`Engine`]: state, event admission, outputs, queries |
//! | `cycle` | cycles (a tick's, or the watches due together): coalescing, the acknowledgement deadline, the process list, selection, the summary |
//! | `schedule` | watches with an interval, on the engine's timers |
//! | `round` | per-(watch, process) rounds: attempts, retries, cpu windows, combining verdicts |
//! | `restart` | the health machines' decisions, the arbiter, the restart sequence |
//! | `reload` | [`Engine::reconfigure`]: a new configuration, the unchanged watches' state kept |
//! | `notice` | notification wording and throttling |
//! | [`input`] | the event stream: stdin bytes to typed events |
//! | [`output`] | what the engine asks for: [`Output`], [`Call`], [`ProbeTicket`], [`Notice`] |
//! | [`config`] | [`EngineConfig`], [`Watch`], [`CheckRule`], [`NotifyRule`], [`ConfigError`] |
//! | [`selection`] | which processes are checked |
//! | [`process`] | one process as supervisord lists it |
//! | [`throttle`] | at most one message per process per window |
//! | [`timers`] | cancellable deadlines, generic over the clock |
//! | `scripted` | with feature `scripted-inputs`, for tests and fuzzing only: input sequences (from bytes or generated), applied with the engine's promises checked |
#![no_std]
#![deny(unsafe_code)]

extern crate alloc;

#[macro_use]
mod outbox;

pub mod config;
mod cycle;
pub mod engine;
pub mod input;
mod notice;
pub mod output;
pub mod process;
mod reload;
mod restart;
mod round;
mod schedule;
#[cfg(feature = "scripted-inputs")]
pub mod scripted;
pub mod selection;
pub mod throttle;
pub mod timers;

pub use config::{CheckRule, ConfigError, EngineConfig, NotifyRule, Watch};
pub use engine::{ACK_AND_READY, Engine};
pub use notice::with_summary;
pub use output::{
    Call, CallFailure, Exit, LogLine, Notice, Output, ProbeOutcome, ProbeTicket, RecordUpdate,
    TargetKey,
};
pub use process::Process;
pub use reload::Reloaded;
pub use selection::Selection;
