//! Notifications of state transitions: mail through a sendmail program and
//! webhook POSTs, reusing [`supercheck_notification`]'s transports and throttle.
//!
//! Every transition (into HEALTHY, DEGRADED or UNHEALTHY; never into
//! UNKNOWN) is announced to the monitor's own targets plus the server-wide
//! `--mail-to` and `--webhook` ones. The throttle allows one message per
//! monitor *and target state* per window (`--notify-window`, 600 s): a
//! monitor flapping between HEALTHY and DEGRADED sends at most one of each
//! per window, and the next message counts the ones suppressed meanwhile;
//! the step DEGRADED → UNHEALTHY is never hidden by the DEGRADED message
//! just before it. Sending runs on short-lived threads, never on the loop.

use std::time::Instant;

use supercheck_core::health::State;

use super::monitor::{Monitor, Transition, state_name};
use supercheck_notification::sendmail::{Mailer, hostname};
use supercheck_notification::throttle::{Decision, Throttle};
use supercheck_notification::webhook::{Payload, Webhook};
use supercheck_runtime::log::Logger;

/// The `tool` of webhook payloads and the mail subject prefix.
pub const TOOL: &str = "supercheck-serve";

/// The server's notification settings and throttle.
#[derive(Debug)]
pub struct Notifier {
    sendmail: Option<String>,
    mail_from: String,
    mail_to: Vec<String>,
    webhooks: Vec<String>,
    throttle: Throttle,
    log: Logger,
}

impl Notifier {
    /// A notifier with these defaults.
    pub fn new(config: &crate::config::ServeConfig, log: Logger) -> Self {
        Self {
            sendmail: config.sendmail.clone(),
            mail_from: config
                .mail_from
                .clone()
                .unwrap_or_else(|| format!("supercheck@{}", hostname())),
            mail_to: config.mail_to.clone(),
            webhooks: config.webhooks.clone(),
            throttle: Throttle::new(supercheck_runtime::clock::core_duration(
                config.notify_window,
            )),
            log,
        }
    }

    /// The subject and body announcing `transition` of `monitor`.
    pub fn message(monitor: &Monitor, transition: Transition) -> (String, String) {
        let name = &monitor.spec.name;
        let to = state_name(transition.to);
        let subject = format!("{TOOL}: {name} is {to}");
        let (failures, passes) = monitor.runs();
        let why = match transition.to {
            State::Healthy => format!("responded healthy to {passes} health checks in a row"),
            State::Degraded => format!(
                "has not responded healthy to the last health check ({})",
                monitor.last_output.as_deref().unwrap_or("no answer")
            ),
            _ => format!(
                "has been unhealthy for the last {failures} health checks ({})",
                monitor.last_output.as_deref().unwrap_or("no answer")
            ),
        };
        let body = format!(
            "{name} ({url}) {why}.\nState: {from} -> {to}.\n",
            url = monitor.target_url(),
            from = state_name(transition.from),
        );
        (subject, body)
    }

    /// Announces `transition` of `monitor`, unless the throttle holds it back.
    pub fn transition(&mut self, monitor: &Monitor, transition: Transition, now: Instant) {
        if transition.to == State::Unknown {
            return;
        }
        let name = &monitor.spec.name;
        let to = state_name(transition.to);
        let (subject, body) = Self::message(monitor, transition);
        let recipients: Vec<&str> = monitor
            .spec
            .notify
            .email
            .iter()
            .chain(&self.mail_to)
            .map(String::as_str)
            .collect();
        let hooks: Vec<&str> = monitor
            .spec
            .notify
            .webhook
            .iter()
            .chain(&self.webhooks)
            .map(String::as_str)
            .collect();
        let mailing = self.sendmail.is_some() && !recipients.is_empty();
        if !mailing && hooks.is_empty() {
            supercheck_runtime::log_detail!(
                self.log,
                "not notified (no target): Subject: {subject}"
            );
            return;
        }
        let suppressed = match self.throttle.on_problem(
            &format!("{name}\0{to}"),
            supercheck_runtime::clock::to_core(now),
        ) {
            Decision::Send { suppressed } => suppressed,
            Decision::Suppress => {
                supercheck_runtime::log_line!(
                    self.log,
                    "notification suppressed (one per monitor and state per window): {subject}"
                );
                return;
            }
        };
        let body = if suppressed == 0 {
            body
        } else {
            format!(
                "{body}\n{suppressed} more {to} notifications for {name} were suppressed since the previous one.\n"
            )
        };
        supercheck_runtime::log_line!(self.log, "notifying: Subject: {subject}");
        if let (Some(command), false) = (&self.sendmail, recipients.is_empty()) {
            let mailer = Mailer {
                argv: command.split_whitespace().map(str::to_string).collect(),
                to: recipients.join(", "),
                from: self.mail_from.clone(),
            };
            mailer.send(&subject, &body, &self.log);
        }
        let kind = to.to_ascii_lowercase();
        for hook in hooks {
            match Webhook::parse(hook) {
                Ok(webhook) => webhook.send(
                    &Payload {
                        tool: TOOL,
                        kind: &kind,
                        process: name,
                        subject: &subject,
                        body: &body,
                        suppressed,
                    },
                    &self.log,
                ),
                Err(e) => supercheck_runtime::log_line!(self.log, "webhook {hook}: {e}"),
            }
        }
    }
}
