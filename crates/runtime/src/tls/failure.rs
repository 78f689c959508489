//! Why a TLS connection failed, in words an operator can act on.
//!
//! A verdict carries a `&'static str` ([`FailReason::Custom`]), so each
//! failure has a fixed short reason (`TLS: certificate verify failed:
//! UnknownIssuer`) for verdicts and notifications, and a detail (the names the
//! certificate presented, its expiry time) for the log line.

use std::fmt;
use std::io;

use rustls::{CertificateError, Error};
use supercheck_core::check::verdict::{FailReason, Verdict};

/// A TLS handshake or record failure: the server's certificate was rejected,
/// or the server spoke broken TLS. It is the target's fault, so it is a
/// probe failure (a service presenting a bad certificate is unhealthy), never
/// a checker error.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TlsFailure {
    /// The fixed reason, for verdicts and notification subjects.
    pub reason: &'static str,
    /// rustls's own description, with the specifics (names, times).
    pub detail: String,
}

impl TlsFailure {
    /// The failure for a rustls error.
    pub fn from_rustls(error: &Error) -> Self {
        Self {
            reason: reason(error),
            detail: error.to_string(),
        }
    }

    /// The peer closed the connection before the handshake finished.
    pub fn closed_in_handshake() -> Self {
        Self {
            reason: "TLS: connection closed during the handshake",
            detail: "the server closed the connection before the TLS handshake finished".into(),
        }
    }

    /// This failure as an I/O error (kind `InvalidData`), to travel through
    /// `Read`/`Write` callers; [`TlsFailure::of`] gets it back.
    pub fn into_io(self) -> io::Error {
        io::Error::new(io::ErrorKind::InvalidData, self)
    }

    /// The TLS failure inside an I/O error made by [`TlsFailure::into_io`].
    pub fn of(error: &io::Error) -> Option<&TlsFailure> {
        error.get_ref()?.downcast_ref::<TlsFailure>()
    }

    /// The probe verdict: a failure with the fixed reason.
    pub fn verdict(&self) -> Verdict {
        Verdict::Fail(FailReason::Custom(self.reason))
    }
}

impl fmt::Display for TlsFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.reason, self.detail)
    }
}

impl std::error::Error for TlsFailure {}

/// The fixed reason for a rustls error.
fn reason(error: &Error) -> &'static str {
    match error {
        Error::InvalidCertificate(cert) => certificate_reason(cert),
        Error::NoCertificatesPresented => {
            "TLS: certificate verify failed: no certificate presented"
        }
        Error::AlertReceived(_) => "TLS: handshake failed: the server sent an alert",
        Error::InvalidMessage(_) | Error::InappropriateMessage { .. } => {
            "TLS: handshake failed: not a TLS answer (InvalidMessage)"
        }
        Error::InappropriateHandshakeMessage { .. } | Error::PeerMisbehaved(_) => {
            "TLS: handshake failed: the server broke the protocol"
        }
        Error::PeerIncompatible(_) => "TLS: handshake failed: no common protocol version or cipher",
        Error::DecryptError => "TLS: decryption failed",
        Error::PeerSentOversizedRecord => "TLS: the server sent an oversized record",
        _ => "TLS: handshake failed",
    }
}

fn certificate_reason(error: &CertificateError) -> &'static str {
    use CertificateError as C;
    match error {
        C::UnknownIssuer => "TLS: certificate verify failed: UnknownIssuer",
        C::NotValidForName | C::NotValidForNameContext { .. } => {
            "TLS: certificate verify failed: NotValidForName"
        }
        C::Expired | C::ExpiredContext { .. } => "TLS: certificate verify failed: Expired",
        C::NotValidYet | C::NotValidYetContext { .. } => {
            "TLS: certificate verify failed: NotValidYet"
        }
        C::BadSignature
        | C::UnsupportedSignatureAlgorithmContext { .. }
        | C::UnsupportedSignatureAlgorithmForPublicKeyContext { .. } => {
            "TLS: certificate verify failed: BadSignature"
        }
        C::Revoked => "TLS: certificate verify failed: Revoked",
        C::BadEncoding => "TLS: certificate verify failed: BadEncoding",
        C::InvalidPurpose | C::InvalidPurposeContext { .. } => {
            "TLS: certificate verify failed: InvalidPurpose"
        }
        C::UnhandledCriticalExtension => {
            "TLS: certificate verify failed: UnhandledCriticalExtension"
        }
        _ => "TLS: certificate verify failed",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn certificate_errors_name_the_webpki_reason() {
        let f =
            TlsFailure::from_rustls(&Error::InvalidCertificate(CertificateError::UnknownIssuer));
        assert_eq!(f.reason, "TLS: certificate verify failed: UnknownIssuer");
        let f = TlsFailure::from_rustls(&Error::InvalidCertificate(CertificateError::Expired));
        assert_eq!(f.reason, "TLS: certificate verify failed: Expired");
        assert_eq!(
            f.verdict(),
            Verdict::Fail(FailReason::Custom(
                "TLS: certificate verify failed: Expired"
            ))
        );
    }

    #[test]
    fn the_failure_survives_a_trip_through_io_error() {
        let f = TlsFailure::from_rustls(&Error::InvalidCertificate(
            CertificateError::NotValidForName,
        ));
        let e = f.clone().into_io();
        assert_eq!(e.kind(), io::ErrorKind::InvalidData);
        assert_eq!(TlsFailure::of(&e), Some(&f));
        assert_eq!(TlsFailure::of(&io::Error::other("x")), None);
    }
}
