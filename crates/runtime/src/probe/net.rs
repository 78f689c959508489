//! The network probes' requests and judges ([`supercheck_wire::probe`]), with
//! the failures of TLS named by rustls.

use supercheck_core::check::verdict::Verdict;
pub use supercheck_wire::probe::{
    Judge, LOCALHOST, http_request, status_set, timeout_verdict, xmlrpc_endpoint, xmlrpc_request,
};

use crate::exchange::ExchangeError;

/// The verdict for an exchange that failed: a TLS failure (a rejected
/// certificate, broken TLS) with its reason, or the wire's verdict.
pub fn failure_verdict(error: &ExchangeError, judge: &Judge) -> Verdict {
    #[cfg(feature = "tls")]
    if let ExchangeError::Io(_, e) = error {
        if let Some(failure) = crate::tls::TlsFailure::of(e) {
            return failure.verdict();
        }
    }
    supercheck_wire::probe::failure_verdict(error, judge)
}

/// The specifics of a TLS failure in an exchange error (the names a
/// certificate presented, its expiry), for the log.
pub fn tls_detail(error: &ExchangeError) -> Option<String> {
    #[cfg(feature = "tls")]
    if let ExchangeError::Io(_, e) = error {
        return crate::tls::TlsFailure::of(e).map(|f| f.detail.clone());
    }
    let _ = error;
    None
}
