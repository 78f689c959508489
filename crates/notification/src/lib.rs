//! Notifications of the superlance tools: mail through a sendmail program
//! ([`sendmail`]), an HTTP webhook ([`webhook`]), both throttled per process
//! ([`throttle`]).
//!
//! A [`Notifier`] is told of problems and of healthy observations per
//! process; it sends at most one message per process per window (the next
//! one counts the events suppressed meanwhile) and one "recovered" message
//! after an alert. Sending happens on short-lived threads, never on the
//! caller's.
//!
//! The listener, `serve` and the superlance tools all send through it. (The
//! `supercheck notify` command is another thing: it bumps heartbeat files.)
//!
//! | module | what it holds |
//! |---|---|
//! | [`sendmail`] | a message piped to a sendmail program, with a timeout |
//! | [`webhook`] | a JSON POST to an `http://` URL |
//! | [`throttle`] | the engine's one-message-per-window rule on the monotonic clock |

pub mod sendmail;
pub mod throttle;
pub mod webhook;

use std::time::{Duration, Instant};

use sendmail::Mailer;
use supercheck_engine::with_summary;
use supercheck_runtime::log::Logger;
use throttle::{Decision, Throttle};
use webhook::{Payload, Webhook};

/// Sends (or, without a transport, logs) throttled notifications.
#[derive(Debug)]
pub struct Notifier {
    tool: &'static str,
    mailer: Option<Mailer>,
    webhook: Option<Webhook>,
    throttle: Throttle,
    log: Logger,
}

impl Notifier {
    /// A notifier for `tool` with these transports (none: log only).
    pub fn new(
        tool: &'static str,
        mailer: Option<Mailer>,
        webhook: Option<Webhook>,
        window: Duration,
        log: Logger,
    ) -> Self {
        Self {
            tool,
            mailer,
            webhook,
            throttle: Throttle::new(supercheck_runtime::clock::core_duration(window)),
            log,
        }
    }

    /// True when something is sent (mail or webhook), not only logged.
    pub fn sends(&self) -> bool {
        self.mailer.is_some() || self.webhook.is_some()
    }

    /// A problem with `process`: sends `subject`/`body` unless throttled.
    pub fn problem(&mut self, process: &str, subject: &str, body: &str) {
        self.problem_at(process, subject, body, Instant::now());
    }

    /// [`Self::problem`] at a given instant.
    pub fn problem_at(&mut self, process: &str, subject: &str, body: &str, now: Instant) {
        if !self.sends() {
            supercheck_runtime::log_line!(
                self.log,
                "not mailed (no -m or --webhook): Subject: {subject}"
            );
            return;
        }
        match self
            .throttle
            .on_problem(process, supercheck_runtime::clock::to_core(now))
        {
            Decision::Send { suppressed } => {
                let body = with_summary(body, process, suppressed);
                self.deliver("alert", process, subject, &body, suppressed);
            }
            Decision::Suppress => supercheck_runtime::log_detail!(
                self.log,
                "notification for {process} suppressed (one per window): {subject}"
            ),
        }
    }

    /// `process` was seen healthy: sends "recovered" once after an alert.
    pub fn healthy(&mut self, process: &str) {
        self.healthy_at(process, Instant::now());
    }

    /// [`Self::healthy`] at a given instant.
    pub fn healthy_at(&mut self, process: &str, now: Instant) {
        if !self.sends() {
            return;
        }
        if let Some(suppressed) = self
            .throttle
            .on_healthy(process, supercheck_runtime::clock::to_core(now))
        {
            let subject = format!("{}: {process} recovered", self.tool);
            let body = with_summary(
                &format!("{} sees {process} healthy again.", self.tool),
                process,
                suppressed,
            );
            self.deliver("recovered", process, &subject, &body, suppressed);
        }
    }

    /// Sends a notice the listener's engine already throttled and worded.
    pub fn deliver_notice(&self, notice: &supercheck_engine::Notice) {
        self.deliver(
            notice.kind,
            &notice.process,
            &notice.subject,
            &notice.body,
            notice.suppressed,
        );
    }

    fn deliver(&self, kind: &str, process: &str, subject: &str, body: &str, suppressed: u32) {
        supercheck_runtime::log_line!(self.log, "notifying ({kind}): Subject: {subject}");
        if let Some(mailer) = &self.mailer {
            mailer.send(subject, body, &self.log);
        }
        if let Some(webhook) = &self.webhook {
            let payload = Payload {
                tool: self.tool,
                kind,
                process,
                subject,
                body,
                suppressed,
            };
            webhook.send(&payload, &self.log);
        }
    }
}
