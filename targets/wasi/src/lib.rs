//! supercheck's event listener for WASI (`wasm32-wasip1`, `wasm32-wasip2`).
//!
//! It runs the drop-in command lines of supervisor_checks' http, tcp and
//! xmlrpc checks, and of the complex check made of them
//! (`supervisor_http_check -g web -n chk -u /ping -p ".+_(\d+)"`), with the
//! same flags and the same meaning as on Linux, and drives the same
//! [`supercheck_engine::Engine`]: every decision (when a tick is
//! acknowledged, what is probed and retried, what is restarted) is the
//! engine's. Restarts go through supervisord's XML-RPC interface over TCP
//! (`SUPERVISOR_SERVER_URL=http://127.0.0.1:PORT`, which supervisord sets
//! when only its `[inet_http_server]` is configured; the credentials come
//! from `SUPERVISOR_USERNAME`/`SUPERVISOR_PASSWORD`, given with the
//! listener's `environment=`): WASI has no unix sockets.
//! The first WASI program's command lines (`tcp --host H --port P`,
//! `http --url URL`: one target checked and logged, nothing restarted) keep
//! their meaning ([`legacy`]).
//!
//! ## The driver: one blocking loop
//!
//! WASI's std has no epoll and (on wasip2) no threads, and a read of stdin
//! blocks. The driver ([`driver::Driver`]) is one loop that, after carrying
//! out every output the engine has (protocol bytes written and flushed, log
//! lines, calls sent), does the first of:
//!
//! 1. a timer of the engine has come: [`Engine::handle_timeout`](supercheck_engine::Engine::handle_timeout);
//! 2. work is queued: run the oldest piece to its end and report it. A probe
//!    is queued when the engine asks for it and runs later, one after
//!    another, each bounded by its timeout (applied with `connect_timeout`,
//!    then as the socket's read and write timeouts); its verdict goes to
//!    [`Engine::handle_probe`](supercheck_engine::Engine::handle_probe). A
//!    call to supervisord is *sent* at once, where the engine asks for it (a
//!    restart is asked for before the tick is acknowledged, as on Linux), and
//!    its reply is queued to be read: `getAllProcessInfo` is read as it
//!    arrives ([`ProcessListSink`](supercheck_wire::supervisor::process_list::ProcessListSink))
//!    and goes to `handle_process_list`, `stopProcess`/`startProcess` to
//!    `handle_reply`; a fault, a timeout or supervisord being down is a
//!    failure the engine survives, never a restart;
//! 3. wait for stdin or the next timer, whichever comes first. On wasip2
//!    stdin's pollable and a monotonic-clock pollable are waited on together
//!    (`wasi:io/poll`), as epoll does on Linux. Where only a blocking read
//!    exists (wasip1, and the host the tests run on) the driver sleeps until
//!    the next timer while a tick is not acknowledged (supervisord sends
//!    nothing then), and reads stdin once `READY` is out; timers that fall
//!    due while it is blocked there are handled when the next event arrives,
//!    before it.
//!
//! Because queued work runs before the loop looks at stdin or the clock
//! again, the acknowledgement that the engine decides while probes remain
//! is written before they run, and a tick's acknowledgement deadline is
//! never later than the end of the probe under way.
//!
//! ## Timing against Linux
//!
//! The rules are the engine's and identical; what differs is when the
//! driver can act:
//!
//! - probes run one after another, not at once: a process that hangs delays
//!   the next probe by its timeout (`-t`), and a timer (a tick's
//!   acknowledgement deadline, a retry) that falls due during a probe is
//!   handled right after it;
//! - a reply of supervisord is read when its turn in the queue comes, and
//!   while it is awaited (a `stopProcess` waits until the process stopped)
//!   nothing else happens;
//! - on wasip1 and the host only: a timer that falls due while the listener
//!   waits for the next event is handled when that event arrives;
//! - no connection is kept alive between probes; there are no signals (the
//!   runtime is stopped with its host process), no frontend, no mail or
//!   webhook (a notification is a log line).
//!
//! Under `wasm32-wasip1` std has no sockets: supervisord cannot be reached,
//! so nothing is checked or restarted (the process list fails every tick,
//! and a legacy check reports "could not run"), and it never panics.
//!
//! | module | what it holds |
//! |---|---|
//! | [`cli`] | which command line the arguments are |
//! | [`driver`] | the loop around the engine |
//! | [`plan`] | a drop-in command line checked for WASI |
//! | [`net`] | blocking TCP: connect, one exchange to its end, verdicts |
//! | [`stdin`] | waiting for events: polled (wasip2) or blocking |
//! | [`clock`] | the engine's clock on the monotonic clock |
//! | [`log`] | log lines on stderr |
//! | [`legacy`] | the first WASI command lines (check and log only) |

pub mod cli;
pub mod clock;
pub mod driver;
pub mod legacy;
pub mod log;
pub mod net;
pub mod plan;
pub mod stdin;
