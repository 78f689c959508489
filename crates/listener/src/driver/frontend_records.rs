//! The listener's side of the HTTP frontend ([`supercheck_frontend`]): accepting
//! on the loop, driving connections, deadlines, and answering from the
//! listener's own record.

use mio::Interest;

use super::{FRONTEND, Listener, Timer};
use supercheck_frontend::server::{self, Request};
use supercheck_frontend::{health, metrics, page};

use crate::env_dump;
use supercheck_runtime::log_line;

impl Listener {
    /// Whether `token` is a frontend connection.
    pub(super) fn frontend_owns(&self, token: usize) -> bool {
        self.frontend
            .as_ref()
            .is_some_and(|f| f.clients.owns(token))
    }

    /// The listening socket is readable: accept every waiting connection.
    pub(super) fn on_frontend_accept(&mut self) {
        if let Some(frontend) = self.frontend.as_mut() {
            frontend.clients.accept_all(
                &frontend.socket,
                self.poll.registry(),
                &mut self.tokens,
                &mut self.timers,
                Timer::FrontendDeadline,
                &self.log,
            );
        }
    }

    /// A frontend connection is ready.
    pub(super) fn on_frontend_event(&mut self, token: usize) {
        let Some(frontend) = self.frontend.as_mut() else {
            return;
        };
        let registry = self.poll.registry();
        let Some(request) = frontend
            .clients
            .on_ready(token, registry, &mut self.timers, &self.log)
        else {
            return;
        };
        let reply = self.answer(&request);
        if let Some(frontend) = self.frontend.as_mut() {
            frontend
                .clients
                .answer(token, reply, self.poll.registry(), &mut self.timers);
        }
    }

    /// A connection's time is up: a client still sending its request gets 408.
    pub(super) fn on_frontend_deadline(&mut self, token: usize) {
        if let Some(frontend) = self.frontend.as_mut() {
            frontend.clients.on_deadline(token, self.poll.registry());
        }
    }

    /// Copies the health machines' states into the record.
    fn refresh_record(&mut self) {
        let now = self.core_now();
        for (key, state, budget_left) in self.engine.health(now) {
            self.record.machine(key, state, budget_left);
        }
    }

    /// The reply to a request.
    fn answer(&mut self, request: &Request) -> Vec<u8> {
        let head_only = request.method == "HEAD";
        if request.method != "GET" && !head_only {
            return server::error_reply(405, &[("Allow", "GET, HEAD")]);
        }
        self.refresh_record();
        let no_store = [("Cache-Control", "no-store")];
        match request.path.as_str() {
            "/health" => {
                let description = format!("supercheck listener {}", self.config.check_name);
                let record = &self.record;
                let Some(frontend) = self.frontend.as_mut() else {
                    return server::error_reply(404, &[]);
                };
                let config = frontend.config.clone();
                match frontend
                    .health
                    .get(&config, || health::render(record, &config, &description))
                {
                    Ok((reply, fresh_for)) => {
                        let cache = format!("max-age={fresh_for}");
                        server::reply_bytes(
                            reply.code,
                            supercheck_core::json::health::HEALTH_JSON_MEDIA_TYPE,
                            &[("Cache-Control", &cache)],
                            &reply.body,
                            head_only,
                        )
                    }
                    Err(e) => {
                        log_line!(self.log, "frontend: cannot write /health: {e}");
                        server::error_reply(500, &[])
                    }
                }
            }
            "/metrics" => {
                let mut text = metrics::render(&self.record);
                if let Some(receiver) = &self.heartbeat {
                    receiver.counters().render_metrics(&mut text);
                }
                server::reply_bytes(
                    200,
                    metrics::CONTENT_TYPE,
                    &no_store,
                    text.as_bytes(),
                    head_only,
                )
            }
            "/" => server::reply_bytes(
                200,
                page::CONTENT_TYPE,
                &no_store,
                page::render(&self.record, &self.config.check_name).as_bytes(),
                head_only,
            ),
            "/env" if self.frontend.as_ref().is_some_and(|f| f.config.expose_env) => {
                server::reply_bytes(
                    200,
                    "application/json",
                    &no_store,
                    env_dump::to_json(&env_dump::dump(&self.config)).as_bytes(),
                    head_only,
                )
            }
            _ => server::error_reply(404, &[]),
        }
    }

    /// Closes the listening socket and every connection.
    pub(super) fn shutdown_frontend(&mut self) {
        let Some(mut frontend) = self.frontend.take() else {
            return;
        };
        frontend.clients.close_all(self.poll.registry());
        let _ = self.poll.registry().deregister(&mut frontend.socket);
    }

    /// Binds and registers the frontend, if configured.
    pub(super) fn start_frontend(&mut self) -> std::io::Result<()> {
        let Some(config) = self.config.frontend.clone() else {
            return Ok(());
        };
        let mut frontend = server::Server::bind(config)?;
        self.poll
            .registry()
            .register(&mut frontend.socket, FRONTEND, Interest::READABLE)?;
        if let Ok(addr) = frontend.socket.local_addr() {
            log_line!(self.log, "frontend: serving http://{addr}/");
        }
        self.frontend = Some(frontend);
        Ok(())
    }
}
