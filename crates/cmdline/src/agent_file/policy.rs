//! A check's policy keys, read as the drop-ins read `--fail-threshold`,
//! `--success-threshold`, `--window`, `--grace`, `--restart-budget` and
//! `--backoff`, into a [`Policy`] that [`HealthMachine::new`] accepts.
//!
//! `window = "X/Y"` and `restart_budget = "N/PERIOD"` are the flags'
//! fractions; PERIOD is a duration (`"3/3600"`, `"3/1h"`). `backoff` is the
//! first wait once the budget is spent (doubling, at most 32 times it), as
//! with `--backoff`, so it needs `restart_budget`.

use supercheck_core::check::retry::Exponential;
use supercheck_core::health::{BudgetSpec, HealthMachine, Policy, PolicyError, WindowSpec};
use supercheck_core::time::Duration;

use super::duration::{duration, text_duration};
use super::error::{AgentFileError, ErrorKind};
use super::reader::Table;
use super::value::{Refusal, integer_in, string};

/// The policy keys of a `[[check]]`.
pub(crate) const KEYS: [&str; 6] = [
    "fail_threshold",
    "success_threshold",
    "window",
    "grace",
    "restart_budget",
    "backoff",
];

/// The first back-off with a restart budget, as `--backoff`'s default.
const DEFAULT_BACKOFF: Duration = Duration::from_secs(60);

fn threshold(value: &toml::de::DeValue<'_>) -> Result<u16, Refusal> {
    let n = integer_in(value, "an integer", 1, i64::from(u16::MAX))?;
    u16::try_from(n).map_err(|_| Refusal::invalid("is too large"))
}

/// `"A/B"` with A and B read by `first` and `second`.
fn fraction<A, B>(
    value: &toml::de::DeValue<'_>,
    form: &str,
    first: impl FnOnce(&str) -> Result<A, String>,
    second: impl FnOnce(&str) -> Result<B, String>,
) -> Result<(A, B), Refusal> {
    let text = string(value).map_err(|_| Refusal::WrongType("a string \"N/M\""))?;
    let (a, b) = text
        .split_once('/')
        .ok_or_else(|| Refusal::invalid(format!("{text:?} is not of the form {form}")))?;
    let a = first(a.trim()).map_err(Refusal::Invalid)?;
    let b = second(b.trim()).map_err(Refusal::Invalid)?;
    Ok((a, b))
}

fn small(what: &'static str, max: u8) -> impl FnOnce(&str) -> Result<u8, String> {
    move |text| {
        let n: u64 = text
            .parse()
            .map_err(|_| format!("{what} {text:?} is not a whole number"))?;
        u8::try_from(n)
            .ok()
            .filter(|n| *n <= max)
            .ok_or_else(|| format!("{what} {n} is too large (at most {max})"))
    }
}

/// Reads the policy keys of `check`.
pub(crate) fn read(check: &Table<'_, '_>) -> Result<Policy, AgentFileError> {
    let mut policy = Policy::DROP_IN;
    if let Some(n) = check.read("fail_threshold", threshold)? {
        policy.failure_threshold = n;
    }
    if let Some(n) = check.read("success_threshold", threshold)? {
        policy.success_threshold = n;
    }
    policy.window = check.read("window", |v| {
        fraction(
            v,
            "\"X/Y\" (X failures of the last Y verdicts), such as \"2/5\"",
            small("X", u8::MAX),
            small("Y", u8::MAX),
        )
        .map(|(failures, of)| WindowSpec { failures, of })
    })?;
    if let Some(grace) = check.read("grace", duration)? {
        policy.start_grace = grace;
    }
    policy.budget = check.read("restart_budget", |v| {
        fraction(
            v,
            "\"N/PERIOD\" (N restarts per PERIOD), such as \"3/3600\" or \"3/1h\"",
            small("N", u8::MAX),
            |period| {
                text_duration(period).map_err(|why| match why {
                    Refusal::Invalid(m) => format!("PERIOD: {m}"),
                    Refusal::WrongType(m) => format!("PERIOD: expected {m}"),
                })
            },
        )
        .map(|(max_restarts, period)| BudgetSpec {
            max_restarts,
            period,
        })
    })?;
    let backoff = check.read("backoff", duration)?;
    match (policy.budget, backoff, check.get("backoff")) {
        (None, Some(_), Some(value)) => {
            return Err(check.refused(
                "backoff",
                value,
                Refusal::invalid(
                    "is only used with restart_budget: it is the first wait once the budget is spent",
                ),
            ));
        }
        (Some(_), backoff, _) => {
            let initial = backoff.unwrap_or(DEFAULT_BACKOFF);
            policy.backoff = Exponential {
                initial,
                factor: 2,
                max: initial.saturating_mul(32),
            };
        }
        _ => {}
    }
    HealthMachine::new(policy).map_err(|e| refused(check, e))?;
    Ok(policy)
}

/// A policy the health machine refuses, placed at the key responsible.
fn refused(check: &Table<'_, '_>, e: PolicyError) -> AgentFileError {
    let key = match e {
        PolicyError::BadWindow { .. } => "window",
        PolicyError::BudgetTooLarge { .. } | PolicyError::ZeroPeriod => "restart_budget",
        _ => "",
    };
    let offset = check.get(key).map_or(check.start(), |v| v.span().start);
    let message = match e {
        PolicyError::BadWindow { failures, of } => format!(
            "\"{failures}/{of}\" must have 1 <= X <= Y <= {}",
            supercheck_core::health::MAX_WINDOW
        ),
        other => other.to_string(),
    };
    check.error(offset, key, ErrorKind::BadPolicy(message))
}
