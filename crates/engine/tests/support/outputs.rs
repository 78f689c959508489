//! What happened: queries over everything the engine asked for, to assert
//! on (acknowledgements, log lines, calls, probes, notices, records, the exit).

use supercheck_core::check::verdict::Verdict;
use supercheck_core::time::Instant;
use supercheck_engine::{
    ACK_AND_READY, Call, Exit, LogLine, Notice, Output, ProbeTicket, RecordUpdate, TargetKey,
};

use super::harness::{Due, Harness};

/// The acknowledgement written after each event.
pub const RESULT_OK: &[u8] = b"RESULT 2\nOK";

/// Counts the occurrences of `needle` in `haystack`.
pub fn count_occurrences(haystack: &[u8], needle: &[u8]) -> usize {
    if needle.is_empty() || haystack.len() < needle.len() {
        return 0;
    }
    haystack
        .windows(needle.len())
        .filter(|w| *w == needle)
        .count()
}

impl Harness {
    /// Acknowledgements written so far (`RESULT 2\nOK`).
    pub fn acks(&self) -> usize {
        count_occurrences(&self.stdout, RESULT_OK)
    }

    /// When each acknowledgement was written.
    pub fn ack_instants(&self) -> Vec<Instant> {
        self.outputs
            .iter()
            .filter(|(_, o)| *o == Output::Protocol(ACK_AND_READY))
            .map(|(t, _)| *t)
            .collect()
    }

    /// Index in [`Harness::outputs`] of each acknowledgement.
    pub fn ack_indices(&self) -> Vec<usize> {
        self.indices(|o| *o == Output::Protocol(ACK_AND_READY))
    }

    /// Indices in [`Harness::outputs`] of outputs matching `pred`.
    pub fn indices(&self, pred: impl Fn(&Output) -> bool) -> Vec<usize> {
        self.outputs
            .iter()
            .enumerate()
            .filter(|(_, (_, o))| pred(o))
            .map(|(i, _)| i)
            .collect()
    }

    /// Every log line, with its instant.
    pub fn logs(&self) -> Vec<(Instant, &LogLine)> {
        self.outputs
            .iter()
            .filter_map(|(t, o)| match o {
                Output::Log(line) => Some((*t, line)),
                _ => None,
            })
            .collect()
    }

    /// Log lines containing `needle`, with their instants.
    pub fn logs_with(&self, needle: &str) -> Vec<(Instant, String)> {
        self.logs()
            .into_iter()
            .filter(|(_, l)| l.text.contains(needle))
            .map(|(t, l)| (t, l.text.clone()))
            .collect()
    }

    /// How many log lines contain `needle`.
    pub fn log_count(&self, needle: &str) -> usize {
        self.logs_with(needle).len()
    }

    /// Every log line's text, for failure messages.
    pub fn log_texts(&self) -> Vec<String> {
        self.logs()
            .into_iter()
            .map(|(_, l)| l.text.clone())
            .collect()
    }

    /// Every printed line (`--once`).
    pub fn prints(&self) -> Vec<String> {
        self.outputs
            .iter()
            .filter_map(|(_, o)| match o {
                Output::Print(s) => Some(s.clone()),
                _ => None,
            })
            .collect()
    }

    /// Every call to supervisord, with its instant.
    pub fn calls(&self) -> Vec<(Instant, Call)> {
        self.outputs
            .iter()
            .filter_map(|(t, o)| match o {
                Output::Call(c) => Some((*t, c.clone())),
                _ => None,
            })
            .collect()
    }

    /// When each process list was asked for.
    pub fn lists(&self) -> Vec<Instant> {
        self.calls()
            .into_iter()
            .filter(|(_, c)| matches!(c, Call::ListProcesses { .. }))
            .map(|(t, _)| t)
            .collect()
    }

    /// When `stopProcess(target)` was asked for.
    pub fn stops(&self, target: &str) -> Vec<Instant> {
        self.calls()
            .into_iter()
            .filter(|(_, c)| matches!(c, Call::Stop { target: t } if &**t == target))
            .map(|(t, _)| t)
            .collect()
    }

    /// Every `stopProcess`, whatever the target.
    pub fn all_stops(&self) -> Vec<(Instant, String)> {
        self.calls()
            .into_iter()
            .filter_map(|(t, c)| match c {
                Call::Stop { target } => Some((t, target.to_string())),
                _ => None,
            })
            .collect()
    }

    /// When `startProcess(target)` was asked for.
    pub fn starts(&self, target: &str) -> Vec<Instant> {
        self.calls()
            .into_iter()
            .filter(|(_, c)| matches!(c, Call::Start { target: t } if &**t == target))
            .map(|(t, _)| t)
            .collect()
    }

    /// Every probe asked for, with its instant.
    pub fn probes(&self) -> Vec<(Instant, ProbeTicket)> {
        self.outputs
            .iter()
            .filter_map(|(t, o)| match o {
                Output::Probe(p) => Some((*t, p.clone())),
                _ => None,
            })
            .collect()
    }

    /// The probes of `target`, with their instants.
    pub fn probes_of(&self, target: &str) -> Vec<(Instant, ProbeTicket)> {
        self.probes()
            .into_iter()
            .filter(|(_, p)| &*p.target == target)
            .collect()
    }

    /// Probes still owed an answer.
    pub fn probes_in_flight(&self) -> usize {
        self.pending
            .iter()
            .filter(|p| matches!(p.what, Due::Probe { .. }))
            .count()
    }

    /// Every notification, with its instant.
    pub fn notices(&self) -> Vec<(Instant, Notice)> {
        self.outputs
            .iter()
            .filter_map(|(t, o)| match o {
                Output::Notify(n) => Some((*t, n.clone())),
                _ => None,
            })
            .collect()
    }

    /// Every record update, with its instant.
    pub fn records(&self) -> Vec<(Instant, RecordUpdate)> {
        self.outputs
            .iter()
            .filter_map(|(t, o)| match o {
                Output::Record(r) => Some((*t, r.clone())),
                _ => None,
            })
            .collect()
    }

    /// The final verdicts recorded for `target`, with their instants.
    pub fn verdicts_of(&self, target: &str) -> Vec<(Instant, Verdict)> {
        self.records()
            .into_iter()
            .filter_map(|(t, r)| match r {
                RecordUpdate::Verdict {
                    target: key,
                    verdict,
                    ..
                } if &*key == target => Some((t, verdict)),
                _ => None,
            })
            .collect()
    }

    /// Every process the engine said to forget.
    pub fn forgets(&self) -> Vec<TargetKey> {
        self.outputs
            .iter()
            .filter_map(|(_, o)| match o {
                Output::Forget(k) => Some(k.clone()),
                _ => None,
            })
            .collect()
    }

    /// The exit, if the engine asked for one.
    pub fn exit(&self) -> Option<Exit> {
        self.exited.map(|(_, e)| e)
    }
}
