//! Network probes (tcp, http, xmlrpc): the request bytes each sends and how
//! its outcome becomes a verdict. The bytes are moved by [`Exchange`](crate::exchange::Exchange).
//! A TLS failure is the TLS layer's to name; everything else is named here.

use std::io;
use std::net::{Ipv4Addr, SocketAddr};
use std::path::PathBuf;

use supercheck_core::check::spec::{
    Body, CheckSpec, HttpSpec, StatusItem, StatusList, XmlRpcSpec, XmlRpcTarget,
};
use supercheck_core::check::verdict::{CheckError, FailReason, Protocol, Resource, Verdict};
use supercheck_core::http::{BasicAuth, BodyLimits, BodyMatcher, Connection, Request, StatusSet};
use supercheck_core::rpc::{MethodCall, Response};
use supercheck_core::time::Duration;
use supercheck_core::wire::Writer;

use crate::endpoint::Endpoint;
use crate::exchange::{self, BodySink, ExchangeError, Phase};

/// The host every port-based probe connects to, as supervisor_checks does.
pub const LOCALHOST: Ipv4Addr = Ipv4Addr::LOCALHOST;

/// [`LOCALHOST`] as the `Host` header names it.
const LOCALHOST_NAME: &str = "127.0.0.1";

/// How an exchange's outcome is judged.
#[derive(Debug, Clone)]
pub enum Judge {
    /// tcp: connecting is enough.
    Connect,
    /// http: the status must be in the set, and the body must contain the needle.
    Http {
        /// Healthy status codes.
        statuses: StatusSet,
        /// Text the body must contain.
        needle: Option<Vec<u8>>,
    },
    /// xmlrpc: any non-fault reply is healthy.
    XmlRpc,
}

impl Judge {
    /// How an http check's responses are judged: its expected statuses and body.
    ///
    /// # Errors
    /// An expected status list that does not parse.
    pub fn for_http(spec: &HttpSpec<'_>) -> Result<Self, CheckError> {
        Ok(Judge::Http {
            statuses: status_set(&spec.expected_status)?,
            needle: spec.expected_body.map(|b| b.as_bytes().to_vec()),
        })
    }

    /// How the responses of a socket check are judged: `None` for the checks
    /// that do not talk over a socket.
    ///
    /// # Errors
    /// As [`Judge::for_http`].
    pub fn for_check(spec: &CheckSpec<'_>) -> Option<Result<Self, CheckError>> {
        match spec {
            CheckSpec::Http(http) => Some(Self::for_http(http)),
            CheckSpec::Tcp(_) => Some(Ok(Judge::Connect)),
            CheckSpec::XmlRpc(_) => Some(Ok(Judge::XmlRpc)),
            _ => None,
        }
    }

    /// Where the response body goes while it is read.
    ///
    /// # Errors
    /// A needle longer than [`exchange::MAX_NEEDLE`] (checked when the check is built).
    pub fn sink(&self) -> Result<BodySink, CheckError> {
        Ok(match self {
            Judge::Connect => BodySink::Discard,
            Judge::Http {
                needle: Some(needle),
                ..
            } => BodySink::Find(Box::new(
                BodyMatcher::new(needle)
                    .map_err(|_| CheckError::Config("expected body text is too long"))?,
            )),
            Judge::Http { needle: None, .. } => BodySink::Discard,
            Judge::XmlRpc => BodySink::Keep(Vec::new()),
        })
    }

    /// Caps on the body read.
    pub fn limits(&self) -> BodyLimits {
        match self {
            // An http check reads the body only to match it: no cap on its size.
            Judge::Http { .. } | Judge::Connect => BodyLimits {
                max_body: u64::MAX,
                ..BodyLimits::default()
            },
            Judge::XmlRpc => BodyLimits::default(),
        }
    }

    /// The verdict for a completed exchange.
    pub fn judge(&self, response: &exchange::Response) -> Verdict {
        match self {
            Judge::Connect => Verdict::Pass,
            Judge::Http { statuses, .. } if !statuses.contains(response.status) => {
                Verdict::Fail(FailReason::BadStatus {
                    code: response.status,
                })
            }
            Judge::Http { .. } if response.found == Some(false) => {
                Verdict::Fail(FailReason::BodyMismatch)
            }
            Judge::Http { .. } => Verdict::Pass,
            Judge::XmlRpc if response.status != 200 => Verdict::Fail(FailReason::BadStatus {
                code: response.status,
            }),
            Judge::XmlRpc => match Response::parse(&response.body) {
                Ok(Response::Fault(fault)) => Verdict::Fail(FailReason::XmlRpcFault {
                    code: fault.code.code(),
                }),
                Ok(_) => Verdict::Pass,
                Err(_) => Verdict::Fail(FailReason::ProtocolGarbage(Protocol::XmlRpc)),
            },
        }
    }
}

/// The statuses an http check accepts: the configured list, or `{200}`.
///
/// # Errors
/// A status pattern the matcher cannot read.
pub fn status_set(list: &StatusList<'_>) -> Result<StatusSet, CheckError> {
    if list.is_empty() {
        return Ok(StatusSet::default());
    }
    let mut set = StatusSet::EMPTY;
    for item in list.iter() {
        match *item {
            StatusItem::Code(code) => {
                set.insert_range(code, code)
                    .map_err(|_| CheckError::Config("bad expected status"))?;
            }
            StatusItem::Pattern(text) => {
                set = set.union(
                    StatusSet::parse(text)
                        .map_err(|_| CheckError::Config("bad expected status"))?,
                );
            }
        }
    }
    Ok(set)
}

/// The request an http check sends to `127.0.0.1:port`.
///
/// # Errors
/// A request that cannot be encoded (bad header bytes).
pub fn http_request(spec: &HttpSpec<'_>, port: u16) -> Result<Vec<u8>, CheckError> {
    let headers: Vec<(&str, &str)> = spec.headers.iter().map(|h| (h.name, h.value)).collect();
    let (body, content_type): (&[u8], Option<&str>) = match spec.body {
        // JSON always carries its Content-Type (supervisor_checks forgot it
        // when no other header was given); a header of the user's wins.
        Some(Body::Json(json)) => (json.as_str().as_bytes(), Some("application/json")),
        Some(Body::Text(text)) => (text.as_bytes(), None),
        None => (&[], None),
    };
    let auth = spec.auth.map(|a| BasicAuth {
        user: a.username(),
        password: a.password(),
    });
    let mut request = Request::new(
        spec.method.as_str(),
        spec.url.as_str(),
        LOCALHOST_NAME,
        port,
    )
    .user_agent("http_check")
    .connection(Connection::KeepAlive)
    .headers(&headers)
    .basic_auth(auth);
    if !body.is_empty() {
        request = request.body(body);
    }
    if let Some(content_type) = content_type {
        request = request.content_type(content_type);
    }
    encode(|w| {
        request
            .encode(w)
            .map_err(|_| CheckError::Config("the http request cannot be encoded"))
    })
}

/// Where an xmlrpc check connects for the process named `process_name`, and
/// the `Host` and path it uses.
pub fn xmlrpc_endpoint(
    spec: &XmlRpcSpec<'_>,
    port: Option<u16>,
    process_name: &str,
) -> (Endpoint, String) {
    match spec.target {
        XmlRpcTarget::Http { url, .. } => (
            Endpoint::Tcp(SocketAddr::from((LOCALHOST, port.unwrap_or(80)))),
            url.as_str().to_string(),
        ),
        XmlRpcTarget::Socket(path) => {
            (Endpoint::Unix(PathBuf::from(path.as_str())), "/RPC2".into())
        }
        XmlRpcTarget::SocketDir(dir) => (
            Endpoint::Unix(PathBuf::from(dir.as_str()).join(format!("{process_name}.sock"))),
            "/RPC2".into(),
        ),
    }
}

/// The request an xmlrpc check sends: a call of the configured method with no
/// arguments, POSTed to the configured path.
///
/// # Errors
/// A method name or path that cannot be encoded.
pub fn xmlrpc_request(
    spec: &XmlRpcSpec<'_>,
    port: Option<u16>,
    path: &str,
) -> Result<Vec<u8>, CheckError> {
    let call = MethodCall {
        method: spec.method.as_str(),
        params: &[],
    };
    let body = encode(|w| {
        call.encode(w)
            .map_err(|_| CheckError::Config("the XML-RPC method cannot be encoded"))
    })?;
    let auth = spec.auth.map(|a| BasicAuth {
        user: a.username(),
        password: a.password(),
    });
    let request = Request::post(
        path,
        if port.is_some() {
            LOCALHOST_NAME
        } else {
            "localhost"
        },
        port.unwrap_or(80),
    )
    .user_agent("xmlrpc_check")
    .content_type("text/xml")
    .basic_auth(auth)
    .body(&body);
    encode(|w| {
        request
            .encode(w)
            .map_err(|_| CheckError::Config("the XML-RPC request cannot be encoded"))
    })
}

/// Runs an encoder into a growing buffer until it fits.
fn encode(
    mut f: impl FnMut(&mut Writer<'_>) -> Result<(), CheckError>,
) -> Result<Vec<u8>, CheckError> {
    // Most requests fit on the stack: then the one allocation is of their size.
    let mut small = [0u8; 512];
    let mut w = Writer::new(&mut small);
    if f(&mut w).is_ok() {
        return Ok(w.written().to_vec());
    }
    let mut buf = vec![0u8; 2048];
    loop {
        let mut w = Writer::new(&mut buf);
        match f(&mut w) {
            Ok(()) => {
                let len = w.len();
                buf.truncate(len);
                return Ok(buf);
            }
            Err(e) if buf.len() >= 1 << 20 => return Err(e),
            Err(_) => buf.resize(buf.len() * 4, 0),
        }
    }
}

/// The verdict for an exchange that failed (a TLS failure aside: the TLS
/// layer names that one).
pub fn failure_verdict(error: &ExchangeError, judge: &Judge) -> Verdict {
    let protocol = match judge {
        Judge::XmlRpc => Protocol::XmlRpc,
        _ => Protocol::Http,
    };
    match error {
        ExchangeError::Io(phase, e) => io_verdict(*phase, e),
        // A stale kept-alive connection is retried on a new one before it gets
        // here; should it arrive anyway, the peer did close on us.
        ExchangeError::Closed(_) | ExchangeError::Stale => {
            Verdict::Fail(FailReason::ConnectionReset)
        }
        ExchangeError::Head(_) | ExchangeError::Body(_) => {
            Verdict::Fail(FailReason::ProtocolGarbage(protocol))
        }
    }
}

/// The verdict for a probe that ran out of time in `phase`.
pub fn timeout_verdict(phase: Phase, after: Duration) -> Verdict {
    match phase {
        Phase::Connect => Verdict::Fail(FailReason::ConnectTimeout { after }),
        _ => Verdict::Fail(FailReason::ResponseTimeout { after }),
    }
}

fn io_verdict(phase: Phase, e: &io::Error) -> Verdict {
    use io::ErrorKind as K;
    match (e.kind(), e.raw_os_error()) {
        (K::ConnectionRefused | K::NotFound, _) => Verdict::Fail(FailReason::ConnectionRefused),
        (K::ConnectionReset | K::ConnectionAborted | K::BrokenPipe | K::UnexpectedEof, _) => {
            Verdict::Fail(FailReason::ConnectionReset)
        }
        (K::TimedOut, _) => timeout_verdict(phase, Duration::ZERO),
        (_, Some(libc::EMFILE | libc::ENFILE)) => {
            Verdict::Error(CheckError::ResourceExhausted(Resource::FileDescriptors))
        }
        (_, Some(libc::ENOBUFS | libc::ENOMEM)) => {
            Verdict::Error(CheckError::ResourceExhausted(Resource::Memory))
        }
        (_, Some(libc::EADDRNOTAVAIL)) => {
            Verdict::Error(CheckError::ResourceExhausted(Resource::Sockets))
        }
        (K::PermissionDenied, _) => Verdict::Error(CheckError::PermissionDenied),
        // Unreachable networks and the like: the target cannot be reached.
        _ => Verdict::Fail(FailReason::ConnectionRefused),
    }
}
