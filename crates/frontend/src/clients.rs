//! The clients of an HTTP socket on a mio loop, for the listener's frontend
//! and `serve` alike: connections accepted under a cap (503 beyond it), each
//! with a deadline on the loop's timers (408 for a client still sending), one
//! request read and one reply written, then closed.
//!
//! The loop owns the timers and the tokens; [`Clients`] owns the connections.
//! A request is handed back to the loop to answer ([`Clients::on_ready`], then
//! [`Clients::answer`]), so the answer may use anything the loop holds.

use std::collections::HashMap;
use std::io;
use std::time::{Duration, Instant};

use mio::net::TcpListener;
use mio::{Interest, Registry, Token};
use supercheck_runtime::log::Logger;
use supercheck_runtime::timers::Timers;
use supercheck_runtime::tokens::Tokens;
use supercheck_runtime::{log_detail, log_line};

use crate::server::{self, Connection, ReadOutcome, Request, WriteOutcome};

/// The open connections of one listening socket, and their limits.
#[derive(Debug)]
pub struct Clients {
    connections: HashMap<usize, Connection>,
    max_connections: usize,
    client_timeout: Duration,
    max_body: u64,
    /// Prefix of this socket's log lines (`"frontend: "`, or empty).
    label: &'static str,
}

impl Clients {
    /// No clients yet: at most `max_connections` at once, each given
    /// `client_timeout` to send its request and read the reply, with a body
    /// of at most `max_body` bytes (413 beyond).
    pub fn new(
        max_connections: usize,
        client_timeout: Duration,
        max_body: u64,
        label: &'static str,
    ) -> Self {
        Self {
            connections: HashMap::new(),
            max_connections,
            client_timeout,
            max_body,
            label,
        }
    }

    /// Whether `token` is one of these connections.
    pub fn owns(&self, token: usize) -> bool {
        self.connections.contains_key(&token)
    }

    /// The listening socket is readable: accepts every waiting connection,
    /// registers it under a fresh token and sets its deadline (`deadline`
    /// makes the loop's timer for a token).
    pub fn accept_all<T>(
        &mut self,
        socket: &TcpListener,
        registry: &Registry,
        tokens: &mut Tokens,
        timers: &mut Timers<T>,
        deadline: impl Fn(usize) -> T,
        log: &Logger,
    ) {
        let label = self.label;
        loop {
            let (mut stream, peer) = match socket.accept() {
                Ok(accepted) => accepted,
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => return,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => {
                    // Out of descriptors and the like: try again at the next event.
                    log_line!(log, "{label}cannot accept: {e}");
                    return;
                }
            };
            if self.connections.len() >= self.max_connections {
                log_detail!(log, "{label}{peer} refused: too many connections");
                Connection::write_best_effort(
                    &mut stream,
                    &server::error_reply(503, &[("Retry-After", "1")]),
                );
                continue;
            }
            let token = tokens.fresh();
            if let Err(e) = registry.register(
                &mut stream,
                Token(token),
                Interest::READABLE | Interest::WRITABLE,
            ) {
                log_line!(log, "{label}cannot register a connection: {e}");
                continue;
            }
            let mut connection = Connection::with_body_cap(stream, self.max_body);
            connection.deadline =
                Some(timers.at(Instant::now() + self.client_timeout, deadline(token)));
            self.connections.insert(token, connection);
        }
    }

    /// Connection `token` is ready: reads its request, or goes on writing its
    /// reply. A request to answer is returned (answer it with
    /// [`Clients::answer`]); a malformed one is refused here.
    pub fn on_ready<T>(
        &mut self,
        token: usize,
        registry: &Registry,
        timers: &mut Timers<T>,
        log: &Logger,
    ) -> Option<Request> {
        let connection = self.connections.get_mut(&token)?;
        if !connection.responding() {
            match connection.read() {
                ReadOutcome::Pending => return None,
                ReadOutcome::Closed => {
                    self.close(token, registry, timers);
                    return None;
                }
                ReadOutcome::Request(request) => return Some(request),
                ReadOutcome::Refused(status) => {
                    log_detail!(log, "{}request refused: {status}", self.label);
                    connection.respond(server::error_reply(status, &[]));
                }
            }
        }
        self.flush(token, registry, timers);
        None
    }

    /// Sets the reply of connection `token` and writes what the socket takes.
    pub fn answer<T>(
        &mut self,
        token: usize,
        reply: Vec<u8>,
        registry: &Registry,
        timers: &mut Timers<T>,
    ) {
        if let Some(connection) = self.connections.get_mut(&token) {
            connection.respond(reply);
        }
        self.flush(token, registry, timers);
    }

    /// Connection `token`'s time is up: a client still sending gets 408.
    pub fn on_deadline(&mut self, token: usize, registry: &Registry) {
        let Some(mut connection) = self.connections.remove(&token) else {
            return;
        };
        connection.deadline = None;
        if !connection.responding() {
            Connection::write_best_effort(connection.stream_mut(), &server::error_reply(408, &[]));
        }
        let _ = registry.deregister(connection.stream_mut());
    }

    /// Closes every connection (the loop is stopping).
    pub fn close_all(&mut self, registry: &Registry) {
        for (_, mut connection) in self.connections.drain() {
            let _ = registry.deregister(connection.stream_mut());
        }
    }

    fn flush<T>(&mut self, token: usize, registry: &Registry, timers: &mut Timers<T>) {
        let outcome = self
            .connections
            .get_mut(&token)
            .map_or(WriteOutcome::Failed, Connection::flush);
        if outcome != WriteOutcome::Pending {
            self.close(token, registry, timers);
        }
    }

    fn close<T>(&mut self, token: usize, registry: &Registry, timers: &mut Timers<T>) {
        let Some(mut connection) = self.connections.remove(&token) else {
            return;
        };
        if let Some(deadline) = connection.deadline.take() {
            timers.cancel(deadline);
        }
        let _ = registry.deregister(connection.stream_mut());
    }
}
