//! The check listeners' notification channels: mail through a sendmail
//! program and a webhook. What is sent, and when, the engine decides (a
//! message when a process is restarted, when its restart budget runs out or
//! in monitor mode when it turns unhealthy, one "recovered" message when it is
//! healthy again, throttled per process); the [`Notifier`] only delivers.

use crate::config::NotifyConfig;
use supercheck_notification::Notifier;
use supercheck_notification::sendmail::Mailer;
use supercheck_notification::webhook::Webhook;
use supercheck_runtime::log::Logger;

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
                supercheck_runtime::log_line!(log, "--webhook {url}: {e}: not used");
                None
            }
        });
    Notifier::new(config.tool, mailer, webhook, config.window, log.clone())
}
