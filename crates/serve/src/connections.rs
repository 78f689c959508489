//! Client connections on the server's loop ([`Clients`]: accepted under a
//! cap, read with the frontend's head caps and the [`super::MAX_BODY`] body
//! cap, answered once, closed; a client that takes longer than the frontend's
//! client timeout (10 s) to send its request gets 408), each request routed.

use super::routes::{self, Effect};
use super::{Server, Timer};
use supercheck_runtime::log_line;

impl Server {
    /// The listening socket is readable: accept every waiting connection.
    pub(super) fn on_accept(&mut self) {
        self.clients.accept_all(
            &self.socket,
            self.poll.registry(),
            &mut self.tokens,
            &mut self.timers,
            Timer::ConnectionDeadline,
            &self.log,
        );
    }

    /// A connection is ready: read the request, answer it, write the reply.
    pub(super) fn on_connection(&mut self, token: usize) {
        let Some(request) =
            self.clients
                .on_ready(token, self.poll.registry(), &mut self.timers, &self.log)
        else {
            return;
        };
        let response = routes::route(&mut self.registry, &self.frontend, self.started, &request);
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
        let reply = response.to_bytes(request.method == "HEAD");
        self.clients
            .answer(token, reply, self.poll.registry(), &mut self.timers);
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
        self.clients.on_deadline(token, self.poll.registry());
    }
}
