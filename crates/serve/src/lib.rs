//! `supercheck serve`: a standalone, registration-based health monitor in the
//! manner of HealthCheck.Server (spec 5.1), done right.
//!
//! Apps register (JSON under `/v1/monitors`, or HealthCheck.Server's forms
//! under `/healthchecker/`); the server probes each one every `interval`
//! seconds, drives the core's health machine ([`monitor`] has the state
//! table), notifies on every transition ([`notify`]), keeps registrations and
//! states across restarts ([`store`]), and advertises itself over mDNS
//! ([`mdns`]).
//!
//! Everything runs on one mio loop ([`Server::run`]): the listening socket,
//! every client connection (with the listener frontend's caps and deadlines,
//! [`supercheck_frontend::server`]), every probe (a non-blocking exchange with a
//! per-probe deadline, [`probe`]), and the timers. Nothing on the loop blocks
//! except the fsyncs that make an acknowledged change durable; name lookups,
//! mail and webhooks run on short-lived threads, mDNS on its daemon's.

pub mod api;
pub mod cli;
pub mod config;
pub mod config_file;
mod connections;
pub mod healthchecker;
pub mod mdns;
pub mod monitor;
pub mod notify;
pub mod probe;
mod probing;
pub mod registry;
pub mod resolve;
pub mod routes;
pub mod spec;
pub mod store;

use std::collections::HashMap;
use std::io;
use std::net::SocketAddr;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use mio::net::TcpListener;
use mio::{Events, Interest, Poll, Token};
use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
use signal_hook_mio::v1_0::Signals;

use self::monitor::Monitor;
use self::probe::Probe;
use self::registry::Registry;
use self::resolve::Resolver;
use self::store::Store;
use crate::config::ServeConfig;
use supercheck_frontend::FrontendConfig;
use supercheck_frontend::clients::Clients;
use supercheck_runtime::exchange::ReadBuffer;
use supercheck_runtime::log::Logger;
use supercheck_runtime::log_line;
use supercheck_runtime::timers::Timers;
use supercheck_runtime::tokens::Tokens;

const LISTEN: Token = Token(0);
const SIGNALS: Token = Token(1);
const RESOLVER: Token = Token(2);
const FIRST_DYNAMIC: usize = 3;

/// Largest request body (JSON or form); 413 beyond.
pub const MAX_BODY: u64 = 16 * 1024;

/// What a timer is for.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Timer {
    /// Start the next probe of a monitor (of this generation).
    Probe { name: String, generation: u64 },
    /// A probe's time is up.
    ProbeDeadline(usize),
    /// A client connection's time is up.
    ConnectionDeadline(usize),
}

/// Why the server could not start.
#[derive(Debug)]
pub enum StartError {
    /// The state file is unreadable or corrupt.
    Store(store::StoreError),
    /// A saved monitor is not valid.
    Restore(String),
    /// Binding or setting up the loop failed.
    Io(String, io::Error),
}

impl std::fmt::Display for StartError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StartError::Store(e) => write!(f, "{e}"),
            StartError::Restore(e) => write!(f, "state file: {e}"),
            StartError::Io(what, e) => write!(f, "{what}: {e}"),
        }
    }
}

impl std::error::Error for StartError {}

/// The running server.
pub struct Server {
    config: ServeConfig,
    log: Logger,
    poll: Poll,
    signals: Signals,
    socket: TcpListener,
    frontend: FrontendConfig,
    clients: Clients,
    timers: Timers<Timer>,
    probes: HashMap<usize, Probe>,
    /// Where every probe's reads land.
    read_buffer: ReadBuffer,
    registry: Registry,
    resolver: Resolver,
    notifier: notify::Notifier,
    mdns: Option<mdns::Advertisement>,
    /// Tokens of probes and client connections.
    tokens: Tokens,
    epoch: Instant,
    started: f64,
}

impl Server {
    /// Loads the state, binds the socket, and starts the advertisement.
    ///
    /// # Errors
    /// A corrupt state file, a saved monitor that is no longer valid, or a
    /// socket that cannot be bound.
    pub fn new(config: ServeConfig) -> Result<Self, StartError> {
        let log = Logger::new("serve", config.verbose);
        let store = match &config.state_dir {
            Some(dir) => Some(Store::open(dir).map_err(StartError::Store)?),
            None => None,
        };
        let saved = match &store {
            Some(store) => store.load().map_err(StartError::Store)?,
            None => Vec::new(),
        };
        let monitors = saved
            .into_iter()
            .map(Monitor::restore)
            .collect::<Result<Vec<_>, _>>()
            .map_err(StartError::Restore)?;
        let io = |what: &str| {
            let what = what.to_string();
            move |e| StartError::Io(what, e)
        };
        let poll = Poll::new().map_err(io("cannot create the poll"))?;
        let addr = SocketAddr::new(config.bind_addr, config.port);
        let mut socket =
            TcpListener::bind(addr).map_err(io(&format!("cannot listen on {addr}")))?;
        poll.registry()
            .register(&mut socket, LISTEN, Interest::READABLE)
            .map_err(io("cannot register the socket"))?;
        let mut signals = Signals::new([SIGTERM, SIGINT, SIGHUP])
            .map_err(io("cannot install the signal handlers"))?;
        poll.registry()
            .register(&mut signals, SIGNALS, Interest::READABLE)
            .map_err(io("cannot register the signals"))?;
        let resolver =
            Resolver::new(poll.registry(), RESOLVER).map_err(io("cannot create the waker"))?;
        let bound = socket
            .local_addr()
            .map_err(io("cannot read the bound address"))?;
        let mut frontend = FrontendConfig::new(bound);
        frontend.ttl_pass = Duration::ZERO;
        frontend.ttl_fail = Duration::ZERO;
        frontend.max_connections = config.max_connections;
        let clients = Clients::new(
            config.max_connections,
            frontend.client_timeout,
            MAX_BODY,
            "",
        );
        let restored = monitors.len();
        let notifier = notify::Notifier::new(&config, log.clone());
        let mut server = Self {
            registry: Registry::new(monitors, store, config.max_monitors),
            config,
            log,
            poll,
            signals,
            socket,
            frontend,
            clients,
            timers: Timers::default(),
            probes: HashMap::new(),
            read_buffer: ReadBuffer::new(),
            resolver,
            notifier,
            mdns: None,
            tokens: Tokens::starting_at(FIRST_DYNAMIC),
            epoch: Instant::now(),
            started: supercheck_frontend::state::unix_now(),
        };
        log_line!(server.log, "listening on http://{bound}");
        if restored > 0 {
            log_line!(
                server.log,
                "restored {restored} monitors from the state file"
            );
        }
        server.start_mdns(bound);
        let names: Vec<String> = server.registry.monitors().keys().cloned().collect();
        for name in names {
            server.probe_now(&name);
        }
        Ok(server)
    }

    fn start_mdns(&mut self, bound: SocketAddr) {
        if !self.config.mdns {
            log_line!(self.log, "mdns: off");
            return;
        }
        match mdns::advertise(self.config.bind_addr, bound.port()) {
            Ok(ad) => {
                log_line!(self.log, "mdns: advertising {}", ad.fullname());
                self.mdns = Some(ad);
            }
            Err(e) => log_line!(self.log, "mdns: cannot advertise: {e}"),
        }
    }

    /// Runs until SIGTERM or SIGINT; the state is saved on the way out.
    ///
    /// # Errors
    /// The poll fails.
    pub fn run(mut self) -> io::Result<()> {
        let mut events = Events::with_capacity(256);
        loop {
            let timeout = self
                .timers
                .next_deadline()
                .map(|at| at.saturating_duration_since(Instant::now()));
            match self.poll.poll(&mut events, timeout) {
                Ok(()) => {}
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            }
            for event in &events {
                match event.token() {
                    LISTEN => self.on_accept(),
                    SIGNALS => {
                        if self.on_signals() {
                            self.shutdown();
                            return Ok(());
                        }
                    }
                    RESOLVER => self.on_answers(),
                    Token(t) if self.clients.owns(t) => self.on_connection(t),
                    Token(t) => self.on_probe_event(t),
                }
            }
            let now = Instant::now();
            while let Some(timer) = self.timers.pop_due(now) {
                match timer {
                    Timer::Probe { name, generation } => self.on_probe_due(&name, generation),
                    Timer::ProbeDeadline(token) => self.on_probe_deadline(token),
                    Timer::ConnectionDeadline(token) => self.on_connection_deadline(token),
                }
            }
        }
    }

    /// True when the server should stop.
    fn on_signals(&mut self) -> bool {
        let mut stop = false;
        for signal in self.signals.pending() {
            match signal {
                SIGHUP => log_line!(self.log, "SIGHUP ignored"),
                _ => stop = true,
            }
        }
        stop
    }

    fn shutdown(&mut self) {
        if let Err(e) = self.registry.persist() {
            log_line!(self.log, "cannot save the state on the way out: {e}");
        }
        self.mdns = None;
        log_line!(self.log, "stopped");
    }
}

/// `supercheck serve ...` (arguments after `serve`).
pub fn main(args: &[String]) -> ExitCode {
    let argv =
        cli::normalise_args(std::iter::once("serve".to_string()).chain(args.iter().cloned()));
    let matches = match cli::command()
        .bin_name("supercheck serve")
        .try_get_matches_from(argv)
    {
        Ok(m) => m,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { 2 } else { 0 });
        }
    };
    let env = |var: &str| std::env::var(var).ok();
    let config = match config::resolve(&matches, &env) {
        Ok(config) => config,
        Err(e) => {
            eprintln!("serve: error: {e}");
            return ExitCode::from(2);
        }
    };
    if matches.get_flag("print-config") {
        for (key, value, source) in &config.sources {
            println!("{key} = {value}  # {source}");
        }
        return ExitCode::SUCCESS;
    }
    match Server::new(config)
        .map_err(|e| e.to_string())
        .and_then(|s| s.run().map_err(|e| e.to_string()))
    {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("serve: error: {e}");
            ExitCode::FAILURE
        }
    }
}
