//! supervisord's XML-RPC, bodies only: `methodCall` encoding and
//! `methodResponse` parsing, without allocation. HTTP framing is [`crate::http`]'s job.
//!
//! - Out: [`SupervisorCall`] (or [`MethodCall`] with [`Param`]s) writes a call
//!   body into a [`Writer`](crate::wire::Writer), byte for byte as Python's
//!   `xmlrpc.client` does.
//! - In: [`Response::parse`] checks a whole reply body and returns a
//!   [`Value`] or a [`Fault`]. Strings stay escaped in the body as [`Text`];
//!   arrays and structs are views iterated lazily. [`ProcessInfoIter`] and
//!   [`ProcessInfo`] read `getAllProcessInfo` / `getProcessInfo` replies;
//!   [`ProcessListReader`] reads a `getAllProcessInfo` reply as it arrives,
//!   one process at a time, from a buffer the size of one element.
//!
//! Parsing never recurses on input: nesting is followed with a bit stack and
//! capped at [`MAX_DEPTH`]. Every error names the byte offset and what was
//! expected there ([`RpcError`]).
//!
//! ```
//! use supercheck_core::process::ProcessState;
//! use supercheck_core::rpc::{ProcessInfoIter, ReplyError};
//!
//! let body = b"<?xml version='1.0'?>\n<methodResponse>\n<params>\n<param>\n\
//! <value><array><data>\n<value><struct>\n\
//! <member>\n<name>name</name>\n<value><string>web_8101</string></value>\n</member>\n\
//! <member>\n<name>group</name>\n<value><string>web</string></value>\n</member>\n\
//! <member>\n<name>start</name>\n<value><int>1795317094</int></value>\n</member>\n\
//! <member>\n<name>stop</name>\n<value><int>0</int></value>\n</member>\n\
//! <member>\n<name>now</name>\n<value><int>1795317100</int></value>\n</member>\n\
//! <member>\n<name>state</name>\n<value><int>20</int></value>\n</member>\n\
//! <member>\n<name>statename</name>\n<value><string>RUNNING</string></value>\n</member>\n\
//! <member>\n<name>spawnerr</name>\n<value><string></string></value>\n</member>\n\
//! <member>\n<name>exitstatus</name>\n<value><int>0</int></value>\n</member>\n\
//! <member>\n<name>logfile</name>\n<value><string>/tmp/web.log</string></value>\n</member>\n\
//! <member>\n<name>stdout_logfile</name>\n<value><string>/tmp/web.log</string></value>\n</member>\n\
//! <member>\n<name>stderr_logfile</name>\n<value><string></string></value>\n</member>\n\
//! <member>\n<name>pid</name>\n<value><int>12524</int></value>\n</member>\n\
//! <member>\n<name>description</name>\n<value><string>pid 12524, uptime 0:00:06</string></value>\n</member>\n\
//! </struct></value>\n</data></array></value>\n</param>\n</params>\n</methodResponse>\n";
//!
//! let mut running = 0;
//! for info in ProcessInfoIter::parse_reply(body)? {
//!     let info = info?;
//!     assert_eq!(info.id().map(|id| (id.group, id.name)), Some(("web", "web_8101")));
//!     if info.state == ProcessState::Running {
//!         running += 1;
//!     }
//! }
//! assert_eq!(running, 1);
//! # Ok::<(), ReplyError<'static>>(())
//! ```

pub mod call;
pub mod call_parser;
pub mod entity;
pub mod error;
pub mod fault;
pub mod process_info;
pub mod process_list;
pub mod response;
mod scan;
pub mod text;
pub mod value;
mod xml;

pub use call::{MethodCall, Param, SupervisorCall};
pub use call_parser::{ParsedCall, parse_call};
pub use entity::EncodeError;
pub use error::{RpcError, RpcErrorKind};
pub use fault::FaultCode;
pub use process_info::{ProcessInfo, ProcessInfoIter};
pub use process_list::{ListEvent, ListStep, ProcessListReader};
pub use response::{Fault, ReplyError, Response, parse_reply};
pub use scan::MAX_DEPTH;
pub use text::{BufferTooSmall, Text};
pub use value::{Array, Member, Struct, Value};
