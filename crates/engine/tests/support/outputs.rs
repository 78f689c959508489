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
    /// What `pick` takes from each output it maps to `Some`, with the instant
    /// the output was drained at, in order.
    pub fn picked<'a, T>(&'a self, pick: impl Fn(&'a Output) -> Option<T>) -> Vec<(Instant, T)> {
        self.outputs
            .iter()
            .filter_map(|(t, o)| pick(o).map(|picked| (*t, picked)))
            .collect()
    }

    /// When each output `pred` holds for was drained.
    pub fn instants(&self, pred: impl Fn(&Output) -> bool) -> Vec<Instant> {
        self.picked(|o| pred(o).then_some(()))
            .into_iter()
            .map(|(t, ())| t)
            .collect()
    }

    /// Acknowledgements written so far (`RESULT 2\nOK`).
    pub fn acks(&self) -> usize {
        count_occurrences(&self.stdout, RESULT_OK)
    }

    /// When each acknowledgement was written.
    pub fn ack_instants(&self) -> Vec<Instant> {
        self.instants(|o| *o == Output::Protocol(ACK_AND_READY))
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
        self.picked(|o| match o {
            Output::Log(line) => Some(line),
            _ => None,
        })
    }

    /// Log lines containing `needle`, with their instants.
    pub fn logs_with(&self, needle: &str) -> Vec<(Instant, String)> {
        self.picked(|o| match o {
            Output::Log(line) if line.text.contains(needle) => Some(line.text.clone()),
            _ => None,
        })
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
        let prints = self.picked(|o| match o {
            Output::Print(s) => Some(s.clone()),
            _ => None,
        });
        prints.into_iter().map(|(_, s)| s).collect()
    }

    /// Every call to supervisord, with its instant.
    pub fn calls(&self) -> Vec<(Instant, Call)> {
        self.picked(|o| match o {
            Output::Call(c) => Some(c.clone()),
            _ => None,
        })
    }

    /// When each process list was asked for.
    pub fn lists(&self) -> Vec<Instant> {
        self.instants(|o| matches!(o, Output::Call(Call::ListProcesses { .. })))
    }

    /// When `stopProcess(target)` was asked for.
    pub fn stops(&self, target: &str) -> Vec<Instant> {
        self.instants(|o| matches!(o, Output::Call(Call::Stop { target: t }) if &**t == target))
    }

    /// Every `stopProcess`, whatever the target.
    pub fn all_stops(&self) -> Vec<(Instant, String)> {
        self.picked(|o| match o {
            Output::Call(Call::Stop { target }) => Some(target.to_string()),
            _ => None,
        })
    }

    /// When `startProcess(target)` was asked for.
    pub fn starts(&self, target: &str) -> Vec<Instant> {
        self.instants(|o| matches!(o, Output::Call(Call::Start { target: t }) if &**t == target))
    }

    /// How many restarts were recorded as done (started again).
    pub fn restarts_done(&self) -> usize {
        self.instants(|o| matches!(o, Output::Record(RecordUpdate::RestartDone { .. })))
            .len()
    }

    /// Every probe asked for, with its instant.
    pub fn probes(&self) -> Vec<(Instant, ProbeTicket)> {
        self.picked(|o| match o {
            Output::Probe(p) => Some(p.clone()),
            _ => None,
        })
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
        self.picked(|o| match o {
            Output::Notify(n) => Some(n.clone()),
            _ => None,
        })
    }

    /// Every record update, with its instant.
    pub fn records(&self) -> Vec<(Instant, RecordUpdate)> {
        self.picked(|o| match o {
            Output::Record(r) => Some(r.clone()),
            _ => None,
        })
    }

    /// The final verdicts recorded for `target`, with their instants.
    pub fn verdicts_of(&self, target: &str) -> Vec<(Instant, Verdict)> {
        self.picked(|o| match o {
            Output::Record(RecordUpdate::Verdict {
                target: key,
                verdict,
                ..
            }) if &**key == target => Some(*verdict),
            _ => None,
        })
    }

    /// Every process the engine said to forget.
    pub fn forgets(&self) -> Vec<TargetKey> {
        let forgets = self.picked(|o| match o {
            Output::Forget(k) => Some(k.clone()),
            _ => None,
        });
        forgets.into_iter().map(|(_, k)| k).collect()
    }

    /// The exit, if the engine asked for one.
    pub fn exit(&self) -> Option<Exit> {
        self.exited.map(|(_, e)| e)
    }
}
