//! `GET /metrics`: Prometheus text exposition, version 0.0.4.
//!
//! Families (labels `process` = `group:name`, `check` = the check's kind):
//! - `supercheck_check_verdict{process,check,verdict}`: 1 for the latest
//!   verdict (`pass`, `fail`, `error`), 0 for the others;
//! - `supercheck_check_verdicts_total{process,check,verdict}`: verdicts so far;
//! - `supercheck_checker_errors_total{process,check}`: checks that could not run;
//! - `supercheck_probe_duration_seconds{process,check}`: a summary (sum and
//!   count) of probe durations, and `supercheck_probe_last_duration_seconds`;
//! - `supercheck_process_state{process,state}`: 1 for the health machine's state;
//! - `supercheck_restarts_total{process}`: restarts carried out;
//! - `supercheck_restart_budget_left{process}`: restarts the budget still
//!   allows (only with `--restart-budget`);
//! - `supercheck_ticks_total` and `supercheck_last_tick_timestamp_seconds`.
//! - with a heartbeat check, `supercheck_heartbeat_datagrams_total{result}`
//!   (appended by the listener, `listener/heartbeat.rs`).

use std::fmt::Write as _;

use supercheck_core::check::verdict::VerdictKind;

use super::state::Record;

/// The media type of the exposition.
pub const CONTENT_TYPE: &str = "text/plain; version=0.0.4; charset=utf-8";

const STATES: [&str; 7] = [
    "unknown",
    "healthy",
    "degraded",
    "unhealthy",
    "restarting",
    "backoff",
    "gave_up",
];

/// A label value with `\`, `"` and newlines escaped.
pub fn label(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
    out
}

fn family(out: &mut String, name: &str, kind: &str, help: &str) {
    let _ = writeln!(out, "# HELP {name} {help}");
    let _ = writeln!(out, "# TYPE {name} {kind}");
}

/// A float the way Prometheus reads it.
fn number(value: f64) -> String {
    if value.is_finite() {
        format!("{value}")
    } else if value.is_nan() {
        "NaN".to_string()
    } else if value > 0.0 {
        "+Inf".to_string()
    } else {
        "-Inf".to_string()
    }
}

/// Renders the exposition for `record`.
pub fn render(record: &Record) -> String {
    let mut out = String::new();
    let processes = record.sorted();
    let checks = || {
        processes.iter().flat_map(|(name, p)| {
            p.checks
                .iter()
                .map(move |c| (label(name), label(&c.kind), c))
        })
    };
    family(
        &mut out,
        "supercheck_check_verdict",
        "gauge",
        "1 for the latest verdict of a check, 0 for the other verdicts.",
    );
    for (process, check, c) in checks() {
        for kind in [VerdictKind::Pass, VerdictKind::Fail, VerdictKind::Error] {
            let value = u8::from(c.last == Some(kind));
            let _ = writeln!(
                out,
                "supercheck_check_verdict{{process=\"{process}\",check=\"{check}\",verdict=\"{kind}\"}} {value}"
            );
        }
    }
    family(
        &mut out,
        "supercheck_check_verdicts_total",
        "counter",
        "Verdicts of a check since the listener started.",
    );
    for (process, check, c) in checks() {
        for (kind, n) in [
            ("pass", c.passes),
            ("fail", c.failures),
            ("error", c.errors),
        ] {
            let _ = writeln!(
                out,
                "supercheck_check_verdicts_total{{process=\"{process}\",check=\"{check}\",verdict=\"{kind}\"}} {n}"
            );
        }
    }
    family(
        &mut out,
        "supercheck_checker_errors_total",
        "counter",
        "Checks that could not run (checker errors; never a reason to restart).",
    );
    for (process, check, c) in checks() {
        let _ = writeln!(
            out,
            "supercheck_checker_errors_total{{process=\"{process}\",check=\"{check}\"}} {}",
            c.errors
        );
    }
    family(
        &mut out,
        "supercheck_probe_duration_seconds",
        "summary",
        "Duration of probes (the last attempt of each check).",
    );
    for (process, check, c) in checks() {
        let _ = writeln!(
            out,
            "supercheck_probe_duration_seconds_sum{{process=\"{process}\",check=\"{check}\"}} {}",
            number(c.duration_sum)
        );
        let _ = writeln!(
            out,
            "supercheck_probe_duration_seconds_count{{process=\"{process}\",check=\"{check}\"}} {}",
            c.duration_count
        );
    }
    family(
        &mut out,
        "supercheck_probe_last_duration_seconds",
        "gauge",
        "Duration of the latest probe.",
    );
    for (process, check, c) in checks() {
        if let Some(d) = c.latency {
            let _ = writeln!(
                out,
                "supercheck_probe_last_duration_seconds{{process=\"{process}\",check=\"{check}\"}} {}",
                number(d.as_secs_f64())
            );
        }
    }
    family(
        &mut out,
        "supercheck_process_state",
        "gauge",
        "1 for the state the health machine holds a process in, 0 for the others.",
    );
    for &(name, p) in &processes {
        let process = label(name);
        for state in STATES {
            let value = u8::from(p.state == state);
            let _ = writeln!(
                out,
                "supercheck_process_state{{process=\"{process}\",state=\"{state}\"}} {value}"
            );
        }
    }
    family(
        &mut out,
        "supercheck_restarts_total",
        "counter",
        "Restarts of a process carried out by this listener.",
    );
    for &(name, p) in &processes {
        let _ = writeln!(
            out,
            "supercheck_restarts_total{{process=\"{}\"}} {}",
            label(name),
            p.restarts
        );
    }
    family(
        &mut out,
        "supercheck_restart_budget_left",
        "gauge",
        "Restarts the restart budget still allows (only with --restart-budget).",
    );
    for &(name, p) in &processes {
        if let Some(left) = p.budget_left {
            let _ = writeln!(
                out,
                "supercheck_restart_budget_left{{process=\"{}\"}} {left}",
                label(name)
            );
        }
    }
    family(
        &mut out,
        "supercheck_ticks_total",
        "counter",
        "TICK events received.",
    );
    let _ = writeln!(out, "supercheck_ticks_total {}", record.ticks);
    family(
        &mut out,
        "supercheck_last_tick_timestamp_seconds",
        "gauge",
        "Unix time of the latest TICK event (0 before the first).",
    );
    let _ = writeln!(
        out,
        "supercheck_last_tick_timestamp_seconds {}",
        number(record.last_tick.unwrap_or(0.0))
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use supercheck_core::check::verdict::{FailReason, Verdict};

    #[test]
    fn label_values_are_escaped() {
        assert_eq!(label("a\"b\\c\nd"), "a\\\"b\\\\c\\nd");
    }

    #[test]
    fn latest_verdict_is_the_one_set_to_one() {
        let mut record = Record::new(vec!["http".into()]);
        record.verdict("web:a", 0, Verdict::Fail(FailReason::ConnectionRefused));
        let text = render(&record);
        assert!(text.contains(
            "supercheck_check_verdict{process=\"web:a\",check=\"http\",verdict=\"fail\"} 1"
        ));
        assert!(text.contains(
            "supercheck_check_verdict{process=\"web:a\",check=\"http\",verdict=\"pass\"} 0"
        ));
        assert!(text.ends_with('\n'));
    }
}
