//! [`XmlRpcSpec`]: the XML-RPC check and its [`XmlRpcTarget`].

use super::{BasicAuth, DEFAULT_NUM_RETRIES, FsPath, RpcMethod, SpecError, Timeout, UrlPath};
use crate::check::port::PortSpec;

/// Where the XML-RPC check sends its call.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum XmlRpcTarget<'a> {
    /// `http://127.0.0.1:<port><url>`; the path is really used
    /// (supervisor_checks always called `/RPC2`, bug 2).
    Http {
        /// The request path.
        url: UrlPath<'a>,
        /// The port, or a pattern that extracts it from the process name.
        port: PortSpec<'a>,
    },
    /// A UNIX socket path, without any `unix://` prefix.
    Socket(FsPath<'a>),
    /// A directory holding `<process name>.sock` (the short name, not group:name).
    SocketDir(FsPath<'a>),
}

impl<'a> XmlRpcTarget<'a> {
    /// Picks the target from the optional settings, judging each by its value
    /// (`None` means unset): supervisor_checks tested key presence, so its own
    /// command line, which passes every key, could never start (bug 1).
    ///
    /// # Errors
    /// [`SpecError::XmlRpcNoTarget`] or [`SpecError::XmlRpcManyTargets`] unless
    /// exactly one of `url`, `sock_path`, `sock_dir` is set;
    /// [`SpecError::XmlRpcUrlNeedsPort`], [`SpecError::XmlRpcPortNeedsUrl`];
    /// and the errors of [`UrlPath::new`] and [`FsPath::new`].
    pub fn from_parts(
        url: Option<&'a str>,
        port: Option<PortSpec<'a>>,
        sock_path: Option<&'a str>,
        sock_dir: Option<&'a str>,
    ) -> Result<Self, SpecError> {
        let set = [url.is_some(), sock_path.is_some(), sock_dir.is_some()]
            .iter()
            .filter(|&&s| s)
            .count();
        if set == 0 {
            return Err(SpecError::XmlRpcNoTarget);
        }
        if set > 1 {
            return Err(SpecError::XmlRpcManyTargets);
        }
        match (url, port, sock_path, sock_dir) {
            (Some(url), Some(port), _, _) => Ok(XmlRpcTarget::Http {
                url: UrlPath::new(url)?,
                port,
            }),
            (Some(_), None, _, _) => Err(SpecError::XmlRpcUrlNeedsPort),
            (None, Some(_), _, _) => Err(SpecError::XmlRpcPortNeedsUrl),
            (None, None, Some(path), _) => Ok(XmlRpcTarget::Socket(FsPath::new(
                path.strip_prefix("unix://").unwrap_or(path),
            )?)),
            (None, None, None, Some(dir)) => Ok(XmlRpcTarget::SocketDir(FsPath::new(dir)?)),
            (None, None, None, None) => Err(SpecError::XmlRpcNoTarget),
        }
    }
}

/// An XML-RPC check: call a method with no arguments; any non-fault reply passes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct XmlRpcSpec<'a> {
    /// Where to call.
    pub target: XmlRpcTarget<'a>,
    /// The method, `status` unless set.
    pub method: RpcMethod<'a>,
    /// Basic-auth credentials.
    pub auth: Option<BasicAuth<'a>>,
    /// Attempts after the first when the transport fails (a fault is not retried).
    pub num_retries: u32,
    /// Limit for each attempt. supervisor_checks had none and could hang (bug 7).
    pub timeout: Timeout,
}

impl<'a> XmlRpcSpec<'a> {
    /// A check of `target` with every other setting at its default.
    pub fn new(target: XmlRpcTarget<'a>) -> Self {
        Self {
            target,
            method: RpcMethod::STATUS,
            auth: None,
            num_retries: DEFAULT_NUM_RETRIES,
            timeout: Timeout::DEFAULT,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unset_targets_do_not_count_as_given() {
        let target = XmlRpcTarget::from_parts(None, None, Some("/run/app.sock"), None).unwrap();
        assert_eq!(
            target,
            XmlRpcTarget::Socket(FsPath::new("/run/app.sock").unwrap())
        );
    }

    #[test]
    fn exactly_one_target_is_required() {
        assert_eq!(
            XmlRpcTarget::from_parts(None, None, None, None),
            Err(SpecError::XmlRpcNoTarget)
        );
        assert_eq!(
            XmlRpcTarget::from_parts(None, None, Some("/a"), Some("/b")),
            Err(SpecError::XmlRpcManyTargets)
        );
    }

    #[test]
    fn url_and_port_go_together() {
        assert_eq!(
            XmlRpcTarget::from_parts(Some("/RPC2"), None, None, None),
            Err(SpecError::XmlRpcUrlNeedsPort)
        );
        assert_eq!(
            XmlRpcTarget::from_parts(None, Some(PortSpec::Number(1)), Some("/s"), None),
            Err(SpecError::XmlRpcPortNeedsUrl)
        );
        let target =
            XmlRpcTarget::from_parts(Some("/status"), Some(PortSpec::Number(8080)), None, None)
                .unwrap();
        assert!(matches!(target, XmlRpcTarget::Http { url, .. } if url.as_str() == "/status"));
    }

    #[test]
    fn unix_prefix_is_stripped_and_empty_paths_refused() {
        assert_eq!(
            XmlRpcTarget::from_parts(None, None, Some("unix:///run/x.sock"), None),
            Ok(XmlRpcTarget::Socket(FsPath::new("/run/x.sock").unwrap()))
        );
        assert_eq!(
            XmlRpcTarget::from_parts(None, None, None, Some("")),
            Err(SpecError::Empty)
        );
    }

    #[test]
    fn new_xmlrpc_spec_calls_status() {
        let spec = XmlRpcSpec::new(XmlRpcTarget::SocketDir(FsPath::new("/run").unwrap()));
        assert_eq!(spec.method.as_str(), "status");
        assert_eq!(spec.num_retries, 2);
    }
}
