//! [`ProcessInfo`]: supervisord's process-info struct, and [`ProcessInfoIter`]
//! over `getAllProcessInfo`'s array, neither of which copies or allocates.
//!
//! A struct must carry all 14 fields supervisord sends; members it does not
//! know are ignored (newer supervisord versions may add some).

use super::error::{Parsed, RpcError, RpcErrorKind};
use super::response::{ReplyError, Response, parse_located};
use super::scan::{Container, Opened, close_struct_value, finish_container, open_value};
use super::text::Text;
use super::value::{Array, Member, Members, Struct, Value};
use super::xml::ws;
use crate::names::{Namespec, ProcessId};
use crate::process::ProcessState;

/// One process as `getProcessInfo` / `getAllProcessInfo` describe it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct ProcessInfo<'a> {
    /// Process name (`web_8101`).
    pub name: Text<'a>,
    /// Group name (`web`).
    pub group: Text<'a>,
    /// Start time, seconds since the epoch; 0 if never started.
    pub start: i64,
    /// Stop time, seconds since the epoch; 0 if never stopped.
    pub stop: i64,
    /// supervisord's clock when it answered, seconds since the epoch.
    pub now: i64,
    /// The state, from its numeric code.
    pub state: ProcessState,
    /// The state's name as supervisord spelled it.
    pub statename: Text<'a>,
    /// The last spawn error; empty when none.
    pub spawnerr: Text<'a>,
    /// The exit status of the last exit.
    pub exitstatus: i64,
    /// Alias of `stdout_logfile`.
    pub logfile: Text<'a>,
    /// Path of the stdout log; empty when none.
    pub stdout_logfile: Text<'a>,
    /// Path of the stderr log; empty when none.
    pub stderr_logfile: Text<'a>,
    /// Process id; 0 when not running.
    pub pid: u32,
    /// Human summary (`pid 12524, uptime 0:00:06`, `Not started`, a spawn error...).
    pub description: Text<'a>,
}

/// A member found in a process-info struct: its offset and value.
type Slot<'a> = Option<(usize, Value<'a>)>;

/// The member names, in the order supervisord sends them.
const FIELDS: [&str; 14] = [
    "name",
    "group",
    "start",
    "stop",
    "now",
    "state",
    "statename",
    "spawnerr",
    "exitstatus",
    "logfile",
    "stdout_logfile",
    "stderr_logfile",
    "pid",
    "description",
];

impl<'a> ProcessInfo<'a> {
    /// Reads a process-info struct.
    ///
    /// # Errors
    /// [`RpcErrorKind::MissingField`] naming the first absent field (at the
    /// struct's offset), [`RpcErrorKind::FieldType`] for a member of the wrong
    /// type, [`RpcErrorKind::UnknownState`] for a state code supervisord does
    /// not define (both at the member's offset).
    pub fn from_struct(fields: Struct<'a>) -> Result<Self, RpcError> {
        Self::from_members(fields.members(), fields.offset())
    }

    /// Reads a process-info struct from all of `members` (the iterator is
    /// walked to its end); `offset` is where the struct's contents start.
    fn from_members(
        members: impl Iterator<Item = Member<'a>>,
        offset: usize,
    ) -> Result<Self, RpcError> {
        let mut found: [Slot<'a>; 14] = [None; 14];
        // supervisord sends the fields in `FIELDS` order: try the next one first.
        let mut next = 0;
        for member in members {
            let is = |i: &usize| FIELDS.get(*i).is_some_and(|f| member.name.eq_str(f));
            let index = Some(next).filter(is).or_else(|| (0..FIELDS.len()).find(is));
            if let Some(i) = index {
                if let Some(slot) = found.get_mut(i) {
                    *slot = Some((member.offset, member.value));
                }
                next = i.saturating_add(1);
            }
        }
        let missing = |field| RpcError::new(offset, RpcErrorKind::MissingField(field));
        if let Some((field, _)) = FIELDS.iter().zip(&found).find(|(_, slot)| slot.is_none()) {
            return Err(missing(field));
        }
        let wrong = |offset, field, expected| {
            RpcError::new(offset, RpcErrorKind::FieldType { field, expected })
        };
        let text = |slot: Slot<'a>, field| {
            let (at, value) = slot.ok_or(missing(field))?;
            value.as_text().ok_or(wrong(at, field, "a string"))
        };
        let int = |slot: Slot<'a>, field| {
            let (at, value) = slot.ok_or(missing(field))?;
            value.as_int().ok_or(wrong(at, field, "an integer"))
        };
        let at = |slot: Slot<'a>| slot.map_or(offset, |(at, _)| at);
        let [
            name,
            group,
            start,
            stop,
            now,
            state,
            statename,
            spawnerr,
            exitstatus,
            logfile,
            stdout_logfile,
            stderr_logfile,
            pid,
            description,
        ] = found;
        let state_code = int(state, "state")?;
        let state = ProcessState::from_code(state_code)
            .ok_or_else(|| RpcError::new(at(state), RpcErrorKind::UnknownState(state_code)))?;
        let pid = u32::try_from(int(pid, "pid")?)
            .map_err(|_| wrong(at(pid), "pid", "a process id (0 to 4294967295)"))?;
        Ok(ProcessInfo {
            name: text(name, "name")?,
            group: text(group, "group")?,
            start: int(start, "start")?,
            stop: int(stop, "stop")?,
            now: int(now, "now")?,
            state,
            statename: text(statename, "statename")?,
            spawnerr: text(spawnerr, "spawnerr")?,
            exitstatus: int(exitstatus, "exitstatus")?,
            logfile: text(logfile, "logfile")?,
            stdout_logfile: text(stdout_logfile, "stdout_logfile")?,
            stderr_logfile: text(stderr_logfile, "stderr_logfile")?,
            pid,
            description: text(description, "description")?,
        })
    }

    /// Parses a `getProcessInfo` reply body.
    ///
    /// # Errors
    /// [`ReplyError::Fault`] (for example `BAD_NAME`), or
    /// [`ReplyError::Invalid`] for a malformed body or struct.
    pub fn parse_reply(body: &'a [u8]) -> Result<Self, ReplyError<'a>> {
        let (response, offset) = parse_located(body)?;
        let fields = struct_of(response, offset)?;
        Ok(Self::from_struct(fields)?)
    }

    /// The process's [`ProcessId`], when its name and group need no decoding
    /// (no entities: always the case for names supervisord accepts).
    pub fn id(&self) -> Option<ProcessId<'a>> {
        Some(ProcessId {
            group: self.group.as_plain()?,
            name: self.name.as_plain()?,
        })
    }

    /// True when `spec` selects this process (see [`Namespec::matches`]).
    pub fn is_selected_by(&self, spec: &Namespec<'_>) -> bool {
        match *spec {
            Namespec::Process { group, name } => self.group.eq_str(group) && self.name.eq_str(name),
            Namespec::Group(group) => self.group.eq_str(group),
            Namespec::Bare(name) => self.name.eq_str(name),
        }
    }
}

fn struct_of(response: Response<'_>, offset: usize) -> Result<Struct<'_>, ReplyError<'_>> {
    let value = response.into_result()?;
    let expected = RpcError::new(offset, RpcErrorKind::Expected("a process-info struct"));
    Ok(value.as_struct().ok_or(expected)?)
}

/// The process-info structs of a `getAllProcessInfo` array, one at a time.
///
/// An element that is not a valid process-info struct yields an error; the
/// iterator then goes on with the next element. Each struct is read in a
/// single pass over its members.
#[derive(Clone, Debug)]
pub struct ProcessInfoIter<'a> {
    rest: &'a [u8],
    end: usize,
}

impl<'a> ProcessInfoIter<'a> {
    /// Iterates over the structs of `array`.
    pub fn new(array: Array<'a>) -> Self {
        let (rest, end) = array.iter().remaining();
        Self { rest, end }
    }

    /// Parses a `getAllProcessInfo` reply body.
    ///
    /// # Errors
    /// [`ReplyError::Fault`] when supervisord answered with a fault,
    /// [`ReplyError::Invalid`] for a malformed body or a result that is not an array.
    pub fn parse_reply(body: &'a [u8]) -> Result<Self, ReplyError<'a>> {
        let (response, offset) = parse_located(body)?;
        let value = response.into_result()?;
        let expected = RpcError::new(
            offset,
            RpcErrorKind::Expected("an array of process-info structs"),
        );
        Ok(Self::new(value.as_array().ok_or(expected)?))
    }
}

/// Reads the element at the start of `input`, a `<value>` of a
/// `getAllProcessInfo` array: the process, or why the element is not one.
/// `end` is the absolute offset just past `input`'s last byte. The input may
/// be unchecked (a reply read as it arrives): a malformed member is an error.
pub(crate) fn read_element(
    end: usize,
    input: &[u8],
) -> Parsed<'_, Result<ProcessInfo<'_>, RpcError>> {
    element(end, input, Walk::Checked)
}

/// How an element's members are walked.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Walk {
    /// The whole body was checked before: walk without checking again.
    Trusted,
    /// The bytes have not been checked: stop at the first malformed member.
    Checked,
}

// Inlined into both callers, so that each gets the walk it asks for and the
// trusted one keeps the speed of a plain iterator.
#[inline(always)]
fn element(end: usize, input: &[u8], walk: Walk) -> Parsed<'_, Result<ProcessInfo<'_>, RpcError>> {
    let offset = end.saturating_sub(input.len());
    let not_a_struct = RpcError::new(offset, RpcErrorKind::Expected("a process-info struct"));
    match open_value(end, input)? {
        (rest, Opened::Container(Container::Struct)) => {
            let fields_offset = end.saturating_sub(rest.len());
            let mut members = Members::new(rest, end);
            let info = if walk == Walk::Trusted {
                ProcessInfo::from_members(&mut members, fields_offset)
            } else {
                let mut malformed = None;
                let checked = core::iter::from_fn(|| match members.try_next() {
                    Ok(member) => member,
                    Err(fail) => {
                        malformed = Some(fail);
                        None
                    }
                });
                let info = ProcessInfo::from_members(checked, fields_offset);
                if let Some(fail) = malformed {
                    return Err(fail);
                }
                info
            };
            let (rest, ()) = close_struct_value(members.rest())?;
            Ok((rest, info))
        }
        (rest, Opened::Container(kind)) => {
            let (rest, _) = finish_container(end, rest, kind)?;
            Ok((rest, Err(not_a_struct)))
        }
        (rest, Opened::Done(Value::Struct(fields))) => Ok((rest, ProcessInfo::from_struct(fields))),
        (rest, Opened::Done(_)) => Ok((rest, Err(not_a_struct))),
    }
}

impl<'a> Iterator for ProcessInfoIter<'a> {
    type Item = Result<ProcessInfo<'a>, RpcError>;

    fn next(&mut self) -> Option<Self::Item> {
        let rest = ws(self.rest);
        self.rest = rest;
        if rest.is_empty() {
            return None;
        }
        let read = element(self.end, rest, Walk::Trusted);
        debug_assert!(read.is_ok(), "array contents were checked when parsed");
        match read {
            Ok((after, info)) => {
                self.rest = after;
                Some(info)
            }
            Err(_) => {
                self.rest = &[];
                None
            }
        }
    }
}
