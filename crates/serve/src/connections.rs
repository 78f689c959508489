//! Client connections on the server's loop: accepted under a cap, read with
//! the frontend's head caps and the [`super::MAX_BODY`] body cap, answered
//! once, closed; a client that takes longer than the frontend's client
//! timeout (10 s) to send its request gets 408.

use std::time::Instant;

use mio::{Interest, Token};

use super::routes::{self, Effect};
use super::{MAX_BODY, Server, Timer};
use supercheck_frontend::server::{self, Connection, ReadOutcome, WriteOutcome};
use supercheck_runtime::log_line;

impl Server {
    /// The listening socket is readable: accept every waiting connection.
    pub(super) fn on_accept(&mut self) {
        loop {
            let (mut stream, peer) = match self.socket.accept() {
                Ok(accepted) => accepted,
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => return,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => {
                    log_line!(self.log, "cannot accept: {e}");
                    return;
                }
            };
            if self.connections.len() >= self.frontend.max_connections {
                supercheck_runtime::log_detail!(self.log, "{peer} refused: too many connections");
                Connection::write_best_effort(
                    &mut stream,
                    &server::error_reply(503, &[("Retry-After", "1")]),
                );
                continue;
            }
            let token = self.token();
            if let Err(e) = self.poll.registry().register(
                &mut stream,
                Token(token),
                Interest::READABLE | Interest::WRITABLE,
            ) {
                log_line!(self.log, "cannot register a connection: {e}");
                continue;
            }
            let deadline = self.timers.at(
                Instant::now() + self.frontend.client_timeout,
                Timer::ConnectionDeadline(token),
            );
            let mut connection = Connection::with_body_cap(stream, MAX_BODY);
            connection.deadline = Some(deadline);
            self.connections.insert(token, connection);
        }
    }

    /// A connection is ready: read the request, answer it, write the reply.
    pub(super) fn on_connection(&mut self, token: usize) {
        let Some(connection) = self.connections.get_mut(&token) else {
            return;
        };
        if !connection.responding() {
            let reply = match connection.read() {
                ReadOutcome::Pending => return,
                ReadOutcome::Closed => return self.close_connection(token),
                ReadOutcome::Refused(status) => {
                    supercheck_runtime::log_detail!(self.log, "request refused: {status}");
                    server::error_reply(status, &[])
                }
                ReadOutcome::Request(request) => {
                    let response =
                        routes::route(&mut self.registry, &self.frontend, self.started, &request);
                    if self.config.debug {
                        log_line!(
                            self.log,
                            "{} {} -> {}",
                            request.method,
                            request.path,
                            response.status
                        );
                    }
                    self.apply(response.effect.clone());
                    response.to_bytes(request.method == "HEAD")
                }
            };
            if let Some(connection) = self.connections.get_mut(&token) {
                connection.respond(reply);
            }
        }
        let outcome = self
            .connections
            .get_mut(&token)
            .map_or(WriteOutcome::Failed, Connection::flush);
        if outcome != WriteOutcome::Pending {
            self.close_connection(token);
        }
    }

    /// Carries out a handler's change to the probe schedule.
    fn apply(&mut self, effect: Effect) {
        match effect {
            Effect::None => {}
            Effect::Cancel(timer) => {
                if let Some(timer) = timer {
                    self.timers.cancel(timer);
                }
            }
            Effect::ProbeNow(name) => self.probe_now(&name),
        }
    }

    /// A connection's time is up: a client still sending gets 408.
    pub(super) fn on_connection_deadline(&mut self, token: usize) {
        let Some(mut connection) = self.connections.remove(&token) else {
            return;
        };
        connection.deadline = None;
        if !connection.responding() {
            Connection::write_best_effort(connection.stream_mut(), &server::error_reply(408, &[]));
        }
        let _ = self.poll.registry().deregister(connection.stream_mut());
    }

    fn close_connection(&mut self, token: usize) {
        let Some(mut connection) = self.connections.remove(&token) else {
            return;
        };
        if let Some(deadline) = connection.deadline.take() {
            self.timers.cancel(deadline);
        }
        let _ = self.poll.registry().deregister(connection.stream_mut());
    }
}
