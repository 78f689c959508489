//! supervisord's process list read as it arrives: each `getAllProcessInfo`
//! element becomes a [`ProcessSnapshot`] as soon as its bytes are in, so the
//! reply (about 1 KB per process) is never held whole. Only an element cut by
//! a read waits in a small buffer for the rest of it.

use std::any::Any;

use supercheck_core::rpc::{ListEvent, ProcessInfo, ProcessListReader};

use super::call::{CallError, ProcessSnapshot, reply_error, text};
use crate::exchange::{BodyConsumer, Response};

/// The most bytes one element may take before the reply is refused (a
/// process-info struct is about 1 KB; a hostile one cannot grow the buffer).
const MAX_ELEMENT: usize = 64 * 1024;

/// Reads a `getAllProcessInfo` body fed to it piece by piece.
#[derive(Debug)]
pub struct ProcessListSink {
    reader: ProcessListReader,
    /// Bytes of an element (or of a fault) not complete yet.
    pending: Vec<u8>,
    processes: Vec<ProcessSnapshot>,
    failed: Option<CallError>,
}

impl ProcessListSink {
    /// A sink expecting about `expected` processes (the last list's length).
    pub fn new(expected: usize) -> Self {
        Self {
            reader: ProcessListReader::new(),
            pending: Vec::new(),
            processes: Vec::with_capacity(expected),
            failed: None,
        }
    }

    /// The list, once the whole body has been fed.
    ///
    /// # Errors
    /// A fault, a malformed reply, or a reply that ended before its end.
    pub fn finish(mut self) -> Result<Vec<ProcessSnapshot>, CallError> {
        let pending = std::mem::take(&mut self.pending);
        self.read(&pending, true);
        if let Some(e) = self.failed {
            return Err(e);
        }
        if !self.reader.is_done() {
            return Err(CallError::Malformed("the process list ended early".into()));
        }
        Ok(self.processes)
    }

    /// Reads every element `input` completes; returns how many bytes it used.
    fn read(&mut self, input: &[u8], complete: bool) -> usize {
        let mut used = 0usize;
        while self.failed.is_none() {
            let rest = input.get(used..).unwrap_or_default();
            let step = match self.reader.step(rest, complete) {
                Ok(step) => step,
                Err(e) => {
                    self.failed = Some(reply_error(e));
                    break;
                }
            };
            used = used.saturating_add(step.consumed);
            match step.event {
                ListEvent::Process(info) => self.processes.push(snapshot(&info)),
                ListEvent::Invalid(e) => self.failed = Some(CallError::Malformed(e.to_string())),
                ListEvent::NeedMore if input.len().saturating_sub(used) >= MAX_ELEMENT => {
                    let left = input.get(used..).unwrap_or_default();
                    self.failed = Some(self.oversized(left));
                }
                ListEvent::NeedMore | ListEvent::Done => break,
            }
        }
        used
    }
}

impl ProcessListSink {
    /// Why `rest`, as long as an element may be and still not one, is refused:
    /// what the reader says of it as if nothing more could come.
    fn oversized(&mut self, rest: &[u8]) -> CallError {
        match self.reader.step(rest, true) {
            Err(e) => reply_error(e),
            Ok(_) => CallError::Malformed(format!(
                "an element of the process list is longer than {MAX_ELEMENT} bytes"
            )),
        }
    }
}

impl BodyConsumer for ProcessListSink {
    fn feed(&mut self, data: &[u8]) {
        if self.failed.is_some() {
            return;
        }
        if self.pending.is_empty() {
            // Most of a read is whole elements: read them where they lie.
            let used = self.read(data, false);
            self.pending
                .extend_from_slice(data.get(used..).unwrap_or_default());
            return;
        }
        let mut pending = std::mem::take(&mut self.pending);
        pending.extend_from_slice(data);
        let used = self.read(&pending, false);
        pending.drain(..used.min(pending.len()));
        self.pending = pending;
    }
}

/// The list a finished `getAllProcessInfo` exchange read with a
/// [`ProcessListSink`].
///
/// # Errors
/// An HTTP error, a fault, a malformed or truncated reply.
pub fn from_response(response: Response) -> Result<Vec<ProcessSnapshot>, CallError> {
    if response.status != 200 {
        return Err(CallError::Http(response.status));
    }
    let consumer: Option<Box<dyn Any>> = response.consumer.map(|c| c as Box<dyn Any>);
    match consumer.map(|c| c.downcast::<ProcessListSink>()) {
        Some(Ok(sink)) => sink.finish(),
        _ => Err(CallError::Malformed(
            "the process list was not read as one".into(),
        )),
    }
}

/// The owned copy of one element.
fn snapshot(info: &ProcessInfo<'_>) -> ProcessSnapshot {
    ProcessSnapshot {
        group: text(&info.group),
        name: text(&info.name),
        state: info.state,
        pid: info.pid,
        start: info.start,
        now: info.now,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(names: &[&str]) -> Vec<u8> {
        let mut xml = String::from(
            "<?xml version='1.0'?>\n<methodResponse>\n<params>\n<param>\n<value><array><data>\n",
        );
        for name in names {
            xml.push_str("<value><struct>\n");
            for (member, value) in [
                ("name", format!("<string>{name}</string>")),
                ("group", "<string>web</string>".into()),
                ("start", "<int>100</int>".into()),
                ("stop", "<int>0</int>".into()),
                ("now", "<int>160</int>".into()),
                ("state", "<int>20</int>".into()),
                ("statename", "<string>RUNNING</string>".into()),
                ("spawnerr", "<string></string>".into()),
                ("exitstatus", "<int>0</int>".into()),
                ("logfile", "<string></string>".into()),
                ("stdout_logfile", "<string></string>".into()),
                ("stderr_logfile", "<string></string>".into()),
                ("pid", "<int>42</int>".into()),
                ("description", "<string>pid 42</string>".into()),
            ] {
                xml.push_str(&format!(
                    "<member>\n<name>{member}</name>\n<value>{value}</value>\n</member>\n"
                ));
            }
            xml.push_str("</struct></value>\n");
        }
        xml.push_str("</data></array></value>\n</param>\n</params>\n</methodResponse>\n");
        xml.into_bytes()
    }

    fn fed_in_pieces(body: &[u8], size: usize) -> Result<Vec<ProcessSnapshot>, CallError> {
        let mut sink = ProcessListSink::new(0);
        for piece in body.chunks(size) {
            sink.feed(piece);
        }
        sink.finish()
    }

    #[test]
    fn a_list_fed_in_any_pieces_is_read_whole() {
        let body = body(&["web_1", "web_2", "web_3"]);
        for size in [1, 10, 333, 16 * 1024] {
            let list = fed_in_pieces(&body, size).unwrap();
            let names: Vec<&str> = list.iter().map(|p| p.name.as_str()).collect();
            assert_eq!(names, ["web_1", "web_2", "web_3"], "pieces of {size}");
            assert_eq!(list[0].namespec(), "web:web_1");
            assert_eq!(list[0].uptime_secs(), 60);
        }
    }

    #[test]
    fn only_a_cut_element_waits_in_the_buffer() {
        let body = body(&["web_1", "web_2", "web_3", "web_4"]);
        let mut sink = ProcessListSink::new(0);
        for piece in body.chunks(700) {
            sink.feed(piece);
            assert!(
                sink.pending.len() < 1500,
                "{} bytes held",
                sink.pending.len()
            );
        }
        assert_eq!(sink.finish().unwrap().len(), 4);
    }

    #[test]
    fn a_list_cut_short_is_an_error_not_a_shorter_list() {
        let body = body(&["web_1", "web_2"]);
        let cut = body.len() / 2;
        let error = fed_in_pieces(&body[..cut], 100).unwrap_err();
        assert!(matches!(error, CallError::Malformed(_)), "{error}");
    }

    #[test]
    fn an_element_larger_than_the_cap_is_refused_not_buffered_forever() {
        let mut body = body(&["web_1"]);
        let huge = "x".repeat(MAX_ELEMENT * 2);
        let at = body.windows(5).position(|w| w == b"web_1").unwrap();
        body.splice(at..at + 5, huge.bytes());
        let mut sink = ProcessListSink::new(0);
        for piece in body.chunks(16 * 1024) {
            sink.feed(piece);
            assert!(sink.pending.len() <= MAX_ELEMENT + 16 * 1024);
        }
        assert!(matches!(sink.finish(), Err(CallError::Malformed(_))));
    }

    #[test]
    fn a_fault_is_reported_with_its_code() {
        let body = b"<?xml version='1.0'?>\n<methodResponse>\n<fault>\n<value><struct>\n\
<member>\n<name>faultCode</name>\n<value><int>6</int></value>\n</member>\n\
<member>\n<name>faultString</name>\n<value><string>SHUTDOWN_STATE</string></value>\n</member>\n\
</struct></value>\n</fault>\n</methodResponse>\n";
        let error = fed_in_pieces(body, 9).unwrap_err();
        assert_eq!(
            error.fault(),
            Some(supercheck_core::rpc::FaultCode::ShutdownState)
        );
    }
}
