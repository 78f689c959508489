//! The check listeners' notifications: a message when a process is restarted,
//! when its restart budget runs out or (in monitor mode) when it turns
//! unhealthy, and one "recovered" message when it is healthy again; throttled
//! per process by [`Notifier`].

use crate::listener::Listener;
use crate::listener::config::NotifyConfig;
use crate::log::Logger;
use crate::notification::Notifier;
use crate::notification::sendmail::Mailer;
use crate::notification::webhook::Webhook;

/// The notifier for these settings. The settings were checked when the
/// command line was read, so a webhook URL that does not parse here is
/// logged and dropped rather than stopping a running listener.
pub(super) fn notifier(config: &NotifyConfig, log: &Logger) -> Notifier {
    let mailer = config
        .mail_to
        .as_deref()
        .map(|to| Mailer::new(&config.sendmail, to, config.tool));
    let webhook = config
        .webhook
        .as_deref()
        .and_then(|url| match Webhook::parse(url) {
            Ok(hook) => Some(hook),
            Err(e) => {
                crate::log_line!(log, "--webhook {url}: {e}: not used");
                None
            }
        });
    Notifier::new(config.tool, mailer, webhook, config.window, log.clone())
}

impl Listener {
    /// Reports a problem with the process `key`: `what` happened because of `reason`.
    pub(super) fn notify_problem(&mut self, key: &str, what: &str, reason: &dyn std::fmt::Display) {
        let check = self.config.check_name.clone();
        let Some(notifier) = self.notifier.as_mut() else {
            return;
        };
        let tool = self.config.notify.as_ref().map_or("supercheck", |n| n.tool);
        let subject = format!("{tool}: {key} {what}");
        let body = format!(
            "The health check {check:?} ({tool}) found {key} failing: {reason}.\n{key} {what}.\n"
        );
        notifier.problem(key, &subject, &body);
    }

    /// Reports that the process `key` is healthy again (sent once after a problem).
    pub(super) fn notify_healthy(&mut self, key: &str) {
        if let Some(notifier) = self.notifier.as_mut() {
            notifier.healthy(key);
        }
    }
}
