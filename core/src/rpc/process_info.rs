//! [`ProcessInfo`]: supervisord's process-info struct, and [`ProcessInfoIter`]
//! over `getAllProcessInfo`'s array, neither of which copies or allocates.
//!
//! A struct must carry all 14 fields supervisord sends; members it does not
//! know are ignored (newer supervisord versions may add some).

use super::error::{RpcError, RpcErrorKind};
use super::response::{ReplyError, Response, parse_located};
use super::text::Text;
use super::value::{Array, ArrayIter, Struct, Value};
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
        let mut found: [Option<(usize, Value<'a>)>; 14] = [None; 14];
        for member in fields.members() {
            let slot = FIELDS
                .iter()
                .position(|f| member.name.eq_str(f))
                .and_then(|i| found.get_mut(i));
            if let Some(slot) = slot {
                *slot = Some((member.offset, member.value));
            }
        }
        let missing = FIELDS.iter().zip(&found).find(|(_, slot)| slot.is_none());
        if let Some((field, _)) = missing {
            let kind = RpcErrorKind::MissingField(field);
            return Err(RpcError::new(fields.offset(), kind));
        }
        let get = |field: &'static str| -> Result<(usize, Value<'a>), RpcError> {
            let slot = FIELDS.iter().position(|f| *f == field);
            slot.and_then(|i| found.get(i).copied().flatten())
                .ok_or(RpcError::new(
                    fields.offset(),
                    RpcErrorKind::MissingField(field),
                ))
        };
        let wrong = |offset, field, expected| {
            RpcError::new(offset, RpcErrorKind::FieldType { field, expected })
        };
        let text = |field| {
            let (offset, value) = get(field)?;
            value.as_text().ok_or(wrong(offset, field, "a string"))
        };
        let int = |field| {
            let (offset, value) = get(field)?;
            value.as_int().ok_or(wrong(offset, field, "an integer"))
        };
        let state_code = int("state")?;
        let state = ProcessState::from_code(state_code).ok_or_else(|| {
            let offset = get("state").map_or(fields.offset(), |(offset, _)| offset);
            RpcError::new(offset, RpcErrorKind::UnknownState(state_code))
        })?;
        let pid = u32::try_from(int("pid")?).map_err(|_| {
            let offset = get("pid").map_or(fields.offset(), |(offset, _)| offset);
            wrong(offset, "pid", "a process id (0 to 4294967295)")
        })?;
        Ok(ProcessInfo {
            name: text("name")?,
            group: text("group")?,
            start: int("start")?,
            stop: int("stop")?,
            now: int("now")?,
            state,
            statename: text("statename")?,
            spawnerr: text("spawnerr")?,
            exitstatus: int("exitstatus")?,
            logfile: text("logfile")?,
            stdout_logfile: text("stdout_logfile")?,
            stderr_logfile: text("stderr_logfile")?,
            pid,
            description: text("description")?,
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
/// iterator then goes on with the next element.
#[derive(Clone, Debug)]
pub struct ProcessInfoIter<'a> {
    items: ArrayIter<'a>,
}

impl<'a> ProcessInfoIter<'a> {
    /// Iterates over the structs of `array`.
    pub fn new(array: Array<'a>) -> Self {
        Self {
            items: array.iter(),
        }
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

impl<'a> Iterator for ProcessInfoIter<'a> {
    type Item = Result<ProcessInfo<'a>, RpcError>;

    fn next(&mut self) -> Option<Self::Item> {
        let (offset, value) = self.items.next_with_offset()?;
        Some(match value.as_struct() {
            Some(fields) => ProcessInfo::from_struct(fields),
            None => Err(RpcError::new(
                offset,
                RpcErrorKind::Expected("a process-info struct"),
            )),
        })
    }
}
