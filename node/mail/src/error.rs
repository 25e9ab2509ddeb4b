//! Why a mail was not sent, and whether trying again later can help.

use std::path::PathBuf;
use std::time::Duration;

/// A mail that was not sent.
///
/// [`is_transient`](MailError::is_transient) splits the variants for the caller's outbox:
/// transient ones are retried with backoff, permanent ones are given up. Problems of the
/// configuration or the relay (wrong password, TLS failure, unreachable server) count as
/// transient: they hit every mail, and giving up would drop every verification link until an
/// operator notices; retrying delivers them once the problem is fixed.
///
/// Messages never contain the recipients' addresses, except where the mail server's own reply
/// quotes them (`Rejected`, `Deferred`).
#[derive(Debug, thiserror::Error)]
pub enum MailError {
    /// Permanent: a recipient is not an e-mail address (0-based position in `to`).
    #[error("recipient {index} is not a valid e-mail address ({reason}); correct the address")]
    InvalidRecipient { index: usize, reason: String },
    /// Permanent: the mail itself is malformed (no recipient, empty subject, …).
    #[error("the mail cannot be sent: {0}")]
    InvalidMail(String),
    /// Permanent: the server answered `5xx`, e.g. `550` for an unknown mailbox.
    #[error("the mail server refused the mail ({code} {message}); check the recipient address")]
    Rejected { code: u16, message: String },
    /// Transient: the server answered `4xx`, e.g. `421` (busy) or `451` (greylisting).
    #[error("the mail server deferred the mail ({code} {message}); it will be tried again")]
    Deferred { code: u16, message: String },
    /// Transient: the server refused the login (`530`, `534`, `535`, `538`).
    #[error(
        "the mail server refused the login ({code} {message}); check mail.transport.username \
         and mail.transport.password"
    )]
    LoginRefused { code: u16, message: String },
    /// Transient: no connection (refused, DNS, network, TLS handshake).
    #[error(
        "cannot reach the mail server: {0}; check mail.transport.host, port and tls, and that \
         the server is running"
    )]
    Unreachable(String),
    /// Transient: the whole send took longer than `timeout_secs`.
    #[error("the mail server did not finish within {0:?}; it will be tried again")]
    TimedOut(Duration),
    /// Transient: the server and lettre do not understand each other (malformed reply, no
    /// common login mechanism, missing SMTPUTF8 for a non-ASCII address).
    #[error("the mail server's dialogue failed: {0}")]
    Protocol(String),
    /// Transient: the folder transport could not write the `.eml` file.
    #[error("cannot write the mail to {path}: {error}; check mail.transport.path")]
    Folder {
        path: PathBuf,
        error: std::io::Error,
    },
}

/// Reply codes that mean the login failed (RFC 4954): a configuration problem, not the mail's.
const LOGIN_CODES: [u16; 4] = [530, 534, 535, 538];

impl MailError {
    /// Whether sending the same mail again later can succeed.
    pub fn is_transient(&self) -> bool {
        match self {
            MailError::InvalidRecipient { .. }
            | MailError::InvalidMail(_)
            | MailError::Rejected { .. } => false,
            MailError::Deferred { .. }
            | MailError::LoginRefused { .. }
            | MailError::Unreachable(_)
            | MailError::TimedOut(_)
            | MailError::Protocol(_)
            | MailError::Folder { .. } => true,
        }
    }

    /// Whether the mail should be given up: `!is_transient()`.
    pub fn is_permanent(&self) -> bool {
        !self.is_transient()
    }

    pub(crate) fn from_smtp(e: lettre::transport::smtp::Error) -> MailError {
        use std::error::Error as _;
        // lettre's Display repeats the code; the source is the server's text alone.
        let detail = || {
            e.source()
                .map(|s| s.to_string())
                .unwrap_or_else(|| e.to_string())
        };
        if let Some(code) = e.status() {
            let code = u16::from(code);
            let message = detail();
            if e.is_transient() {
                MailError::Deferred { code, message }
            } else if LOGIN_CODES.contains(&code) {
                MailError::LoginRefused { code, message }
            } else {
                MailError::Rejected { code, message }
            }
        } else if e.is_client() || e.is_response() {
            MailError::Protocol(e.to_string())
        } else {
            // Connection, network (including a connect timeout), TLS, shutdown.
            MailError::Unreachable(e.to_string())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn permanent_and_transient_are_split_as_documented() {
        let permanent = [
            MailError::InvalidRecipient {
                index: 0,
                reason: String::new(),
            },
            MailError::InvalidMail(String::new()),
            MailError::Rejected {
                code: 550,
                message: String::new(),
            },
        ];
        assert!(permanent.iter().all(MailError::is_permanent));
        let transient = [
            MailError::Deferred {
                code: 451,
                message: String::new(),
            },
            MailError::LoginRefused {
                code: 535,
                message: String::new(),
            },
            MailError::Unreachable(String::new()),
            MailError::TimedOut(Duration::from_secs(1)),
            MailError::Protocol(String::new()),
            MailError::Folder {
                path: PathBuf::new(),
                error: std::io::ErrorKind::PermissionDenied.into(),
            },
        ];
        assert!(transient.iter().all(MailError::is_transient));
    }
}
