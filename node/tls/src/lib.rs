//! HTTPS for `kitanetz serve` (issue #13 item 1).
//!
//! - [`TlsFiles`] names the PEM certificate chain and key of `node.toml`'s `[tls]` section and
//!   loads them, refusing a key that does not belong to the certificate ([`LoadError`] names
//!   the file and the fix).
//! - [`ReloadingCertificate`] serves them to rustls and swaps in renewed files without a
//!   restart ([`ReloadingCertificate::watch`] polls, [`ReloadingCertificate::reload`] on
//!   SIGHUP); a broken or expired new file leaves the old certificate in place.
//! - [`serve_tls`] is the accept loop for the node's axum router: handshakes under a deadline
//!   in their own tasks, HTTP/1.1 and HTTP/2, `ConnectInfo<SocketAddr>` for the handlers.
//! - [`with_hsts`] adds `Strict-Transport-Security`.
//! - [`check_transport`] refuses at start-up a configuration on which the `Secure` session
//!   cookie cannot reach the browser.
//!
//! The crate's README describes the `[tls]` section, getting a certificate, and the
//! reverse-proxy alternative.
//!
//! **Dates of the certificate** ([`Certificate::warning_at`]): at start-up an expired or not
//! yet valid certificate is a warning, not an error. Refusing to start would turn a lapsed
//! renewal into an outage of everything the node does besides the web pages (sync with the
//! other nodes, mail, intake jobs), and the renewed file, once in place, is picked up without
//! a restart. At a reload it is an error: there is a working certificate to keep serving.

mod files;
mod hsts;
mod reload;
mod serve;
mod transport;
mod validity;

pub use files::{Certificate, CertificateWarning, LoadError, TlsFiles};
pub use hsts::{hsts_value, with_hsts, DEFAULT_HSTS_MAX_AGE};
pub use reload::{ReloadingCertificate, DEFAULT_POLL_INTERVAL};
pub use serve::{serve_tls, ServeOptions};
pub use transport::{check_transport, TransportError, TransportProblem, TransportWarning};
pub use validity::{Validity, ValidityAt, EXPIRY_WARNING};

/// ring, like lettre's TLS: aws-lc-rs (rustls' default) needs cmake and nasm and builds for
/// minutes on the project's two-core machines.
pub(crate) fn provider() -> std::sync::Arc<rustls::crypto::CryptoProvider> {
    std::sync::Arc::new(rustls::crypto::ring::default_provider())
}
