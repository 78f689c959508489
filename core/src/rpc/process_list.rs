//! [`ProcessListReader`]: a `getAllProcessInfo` reply read as it arrives, one
//! process at a time, so a caller needs a buffer the size of one process-info
//! struct (about 1 KB), not of the whole reply (about 1 KB per process).
//!
//! The caller owns the buffer: it appends what it receives, calls
//! [`ProcessListReader::step`] until it asks for more, drops the bytes the
//! steps consumed, and says when the body is complete. Every element is read
//! with the same code as [`ProcessInfoIter`], so the
//! two agree on every input; offsets in errors are from the start of the body.
//!
//! A truncated reply is never taken for a whole one: the reader says
//! [`ListEvent::Done`] only once the caller has said the body is complete and
//! everything up to `</methodResponse>` has been read.

use super::error::{Fail, RpcError, RpcErrorKind};
use super::process_info::{ProcessInfo, ProcessInfoIter, read_element};
use super::response::ReplyError;
use super::scan::{Container, Opened, open_value};
use super::value::Value;
use super::xml::{
    ARRAY, DATA, FAULT, METHOD_RESPONSE, PARAM, PARAMS, VALUE, at_tag, close, end_of_body, open,
    prolog, ws, ws_close,
};

/// Where the reader is in the reply.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Stage {
    /// Before the array's first element.
    Head,
    /// Between elements of the array.
    Elements,
    /// The array was empty (`<data/>` or `<array/>`...): only its closing tags are left.
    AfterArray,
    /// The reply is a fault: it is read whole once complete.
    Fault,
    /// Everything has been read.
    Done,
}

/// What one [`ProcessListReader::step`] found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum ListEvent<'a> {
    /// Nothing more can be read from the bytes given: append more (or say the
    /// body is complete) and step again.
    NeedMore,
    /// The next process of the list.
    Process(ProcessInfo<'a>),
    /// The next element is well-formed XML-RPC but not a process-info struct
    /// (a member missing or of the wrong type); the list goes on after it.
    Invalid(RpcError),
    /// The whole reply has been read.
    Done,
}

/// The result of one step: how many leading bytes of the input it used (the
/// caller drops them before the next step) and what it found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct ListStep<'a> {
    /// Bytes of the input consumed, to be dropped by the caller.
    pub consumed: usize,
    /// What was found.
    pub event: ListEvent<'a>,
}

/// Reads a `getAllProcessInfo` reply incrementally. See the [module](self) docs.
///
/// ```
/// use supercheck_core::rpc::{ListEvent, ProcessListReader};
///
/// let body: &[u8] = b"<?xml version='1.0'?>\n<methodResponse><params><param>\
/// <value><array><data>\n</data></array></value></param></params></methodResponse>\n";
/// let mut reader = ProcessListReader::new();
/// let mut buffer = Vec::new();
/// let mut processes = 0;
/// for (i, piece) in body.chunks(7).enumerate() {
///     buffer.extend_from_slice(piece);
///     let complete = (i + 1) * 7 >= body.len();
///     loop {
///         let step = reader.step(&buffer, complete).unwrap();
///         if let ListEvent::Process(info) = step.event {
///             processes += 1; // `info` borrows `buffer`: copy what is needed now
///         }
///         let wait = matches!(step.event, ListEvent::NeedMore | ListEvent::Done);
///         let consumed = step.consumed;
///         buffer.drain(..consumed);
///         if wait {
///             break;
///         }
///     }
/// }
/// assert!(reader.is_done());
/// assert_eq!(processes, 0);
/// ```
#[derive(Clone, Debug)]
pub struct ProcessListReader {
    stage: Stage,
    /// Bytes of the body consumed by earlier steps (for error offsets).
    offset: usize,
}

impl Default for ProcessListReader {
    fn default() -> Self {
        Self::new()
    }
}

impl ProcessListReader {
    /// A reader at the start of a reply body.
    pub const fn new() -> Self {
        Self {
            stage: Stage::Head,
            offset: 0,
        }
    }

    /// True once the whole reply has been read.
    pub const fn is_done(&self) -> bool {
        matches!(self.stage, Stage::Done)
    }

    /// Reads what it can from `input`: the body bytes not consumed yet.
    /// `complete` says that no byte will follow them (the body has ended, or
    /// the caller has no room for more: then an element still unfinished is
    /// an error, not a reason to wait).
    ///
    /// # Errors
    /// [`ReplyError::Fault`] when supervisord answered with a fault (read
    /// once the body is complete), [`ReplyError::Invalid`] for a malformed
    /// body or a result that is not an array. After an error, or after
    /// [`ListEvent::Done`], the reader only repeats that it is done.
    pub fn step<'a>(
        &mut self,
        input: &'a [u8],
        complete: bool,
    ) -> Result<ListStep<'a>, ReplyError<'a>> {
        let end = self.offset.saturating_add(input.len());
        let mut used = 0usize;
        loop {
            let rest = input.get(used..).unwrap_or_default();
            let outcome = match self.stage {
                Stage::Head => self.head(end, rest),
                Stage::Elements => self.element(end, rest),
                Stage::AfterArray => self.closing(rest, complete),
                Stage::Fault if complete => return self.fault(input),
                Stage::Fault | Stage::Done => Ok(Next::Wait),
            };
            let (n, event) = match outcome {
                Ok(Next::Moved(n)) => {
                    used = used.saturating_add(n);
                    continue;
                }
                Ok(Next::Found(n, event)) => (n, event),
                Ok(Next::Wait) => (0, ListEvent::NeedMore),
                // The bytes so far may be the start of something valid.
                Err(_) if !complete => (0, ListEvent::NeedMore),
                Err(fail) => {
                    self.stage = Stage::Done;
                    return Err(ReplyError::Invalid(fail.locate(end)));
                }
            };
            let consumed = used.saturating_add(n);
            self.offset = self.offset.saturating_add(consumed);
            return Ok(ListStep { consumed, event });
        }
    }

    /// The prolog, `<methodResponse>`, and either `<fault>` or everything up
    /// to the array's first element.
    fn head<'a>(&mut self, end: usize, input: &'a [u8]) -> Result<Next<'a>, Fail<'a>> {
        let (rest, ()) = prolog(input)?;
        let (rest, ()) = open(rest, &METHOD_RESPONSE)?;
        let rest = ws(rest);
        if at_tag(rest, FAULT.name, false) {
            // A fault is short: it is read whole, from the start of the body.
            self.stage = Stage::Fault;
            return Ok(Next::Moved(0));
        }
        if !at_tag(rest, PARAMS.name, false) {
            return Err(Fail::expected(rest, "`<params>` or `<fault>`"));
        }
        let (rest, ()) = open(rest, &PARAMS)?;
        let (rest, ()) = open(ws(rest), &PARAM)?;
        let value_at = ws(rest);
        let (rest, opened) = open_value(end, value_at)?;
        self.stage = match opened {
            Opened::Container(Container::Array) => Stage::Elements,
            Opened::Done(Value::Array(array)) if array.is_empty() => Stage::AfterArray,
            _ => return Err(Fail::expected(value_at, "an array of process-info structs")),
        };
        Ok(Next::Moved(used(input, rest)))
    }

    /// The next element, or the array's end.
    fn element<'a>(&mut self, end: usize, input: &'a [u8]) -> Result<Next<'a>, Fail<'a>> {
        let rest = ws(input);
        if at_tag(rest, DATA.name, true) {
            let (rest, ()) = close(rest, &DATA)?;
            let (rest, ()) = ws_close(rest, &ARRAY)?;
            let (rest, ()) = ws_close(rest, &VALUE)?;
            self.stage = Stage::AfterArray;
            return Ok(Next::Moved(used(input, rest)));
        }
        if !at_tag(rest, VALUE.name, false) {
            return Err(Fail::expected(rest, "`<value>` or `</data>`"));
        }
        let (after, info) = read_element(end, rest)?;
        let event = match info {
            Ok(info) => ListEvent::Process(info),
            Err(e) => ListEvent::Invalid(e),
        };
        Ok(Next::Found(used(input, after), event))
    }

    /// `</param></params></methodResponse>` and the end of the body: only
    /// once the body is complete (bytes may still follow otherwise).
    fn closing<'a>(&mut self, input: &'a [u8], complete: bool) -> Result<Next<'a>, Fail<'a>> {
        let (rest, ()) = ws_close(input, &PARAM)?;
        let (rest, ()) = ws_close(rest, &PARAMS)?;
        let (rest, ()) = ws_close(rest, &METHOD_RESPONSE)?;
        let (rest, ()) = end_of_body(rest)?;
        if !complete {
            return Ok(Next::Wait);
        }
        self.stage = Stage::Done;
        Ok(Next::Found(used(input, rest), ListEvent::Done))
    }

    /// A complete fault reply, read whole.
    fn fault<'a>(&mut self, body: &'a [u8]) -> Result<ListStep<'a>, ReplyError<'a>> {
        self.stage = Stage::Done;
        match ProcessInfoIter::parse_reply(body) {
            Err(e) => Err(e),
            // Cannot happen: the body starts with `<fault>`. Say so rather than
            // pretend the list was empty.
            Ok(_) => Err(ReplyError::Invalid(RpcError::new(
                0,
                RpcErrorKind::Expected("a fault"),
            ))),
        }
    }
}

/// What a stage did with the input. Returned by value, never stored: boxing
/// the process would cost an allocation per element for nothing.
#[allow(clippy::large_enum_variant)]
enum Next<'a> {
    /// Read this many bytes and moved to another stage: go on at once.
    Moved(usize),
    /// Read this many bytes and found something for the caller.
    Found(usize, ListEvent<'a>),
    /// Needs more bytes (or the body's completion).
    Wait,
}

/// How much of `input` was read, `rest` being what is left of it.
fn used(input: &[u8], rest: &[u8]) -> usize {
    input.len().saturating_sub(rest.len())
}
