//! Notifications: what a restart, a give-up, an unhealthy process or a
//! recovery says, throttled per process ([`crate::throttle`]) before the
//! driver sends it.

use alloc::format;
use alloc::string::{String, ToString};
use core::fmt;

use supercheck_core::time::Instant;

use crate::config::NotifyRule;
use crate::outbox::Outbox;
use crate::output::{Notice, Output, TargetKey};
use crate::throttle::{Decision, Throttle};

/// The notification rule and its throttle.
#[derive(Debug)]
pub(crate) struct Notices {
    rule: NotifyRule,
    throttle: Throttle,
}

impl Notices {
    pub(crate) fn new(rule: NotifyRule) -> Self {
        Self {
            throttle: Throttle::new(rule.window),
            rule,
        }
    }

    /// A problem with `process`: `what` happened because of `reason`.
    pub(crate) fn problem(
        &mut self,
        out: &mut Outbox,
        now: Instant,
        process: &TargetKey,
        what: &str,
        reason: &dyn fmt::Display,
    ) {
        let tool = self.rule.tool;
        let check = &self.rule.check_name;
        let subject = format!("{tool}: {process} {what}");
        if !self.rule.sends {
            line!(out, "not mailed (no -m or --webhook): Subject: {subject}");
            return;
        }
        match self.throttle.on_problem(process, now) {
            Decision::Send { suppressed } => {
                let body = format!(
                    "The health check {check:?} ({tool}) found {process} failing: {reason}.\n{process} {what}.\n"
                );
                out.push(Output::Notify(Notice {
                    kind: "alert",
                    process: TargetKey::clone(process),
                    subject,
                    body: with_summary(&body, process, suppressed),
                    suppressed,
                }));
            }
            Decision::Suppress => detail!(
                out,
                "notification for {process} suppressed (one per window): {subject}"
            ),
        }
    }

    /// `process` is healthy again: one "recovered" message after an alert.
    pub(crate) fn healthy(&mut self, out: &mut Outbox, now: Instant, process: &TargetKey) {
        if !self.rule.sends {
            return;
        }
        if let Some(suppressed) = self.throttle.on_healthy(process, now) {
            let tool = self.rule.tool;
            let body = format!("{tool} sees {process} healthy again.");
            out.push(Output::Notify(Notice {
                kind: "recovered",
                process: TargetKey::clone(process),
                subject: format!("{tool}: {process} recovered"),
                body: with_summary(&body, process, suppressed),
                suppressed,
            }));
        }
    }
}

/// `body`, with a sentence on the events held back since the last message.
pub fn with_summary(body: &str, process: &str, suppressed: u32) -> String {
    if suppressed == 0 {
        body.to_string()
    } else {
        format!(
            "{body}\n\n{suppressed} more events for {process} were suppressed since the previous message."
        )
    }
}
