//! Outgoing e-mail for the parents' portal: verification and password-reset links, receipts
//! for applications.
//!
//! - [`OutgoingMail`] is what the portal wants to say: recipients, a UTF-8 subject, a plain
//!   text (always), optional HTML and attachments. [`OutgoingMail::validate`] checks it before
//!   anything is sent.
//! - [`MailConfig`] is the `[mail]` section of `node.toml`: the sender and one [`Transport`]:
//!   SMTP, a folder of `.eml` files (for the demo, so a person can open the mails), or off.
//! - A [`Mailer`] sends one mail. [`ConfiguredMailer::from_config`] builds the one the
//!   configuration asks for; [`SmtpMailer`] and [`FolderMailer`] can also be built directly.
//! - [`MailError::is_transient`] tells the caller's outbox whether to retry with backoff
//!   (connection refused, timeout, `4xx`) or to give up (bad address, `5xx` rejection).
//!
//! With the `test-server` feature, `TestSmtpServer` is a real SMTP server on `127.0.0.1` that
//! records what arrives and can be told to fail, for this crate's and other crates' tests.
//!
//! This crate is an I/O shell: it reads the clock only to date mails and name `.eml` files.

mod config;
mod error;
mod mailer;
mod message;
#[cfg(feature = "test-server")]
mod test_server;

pub use config::{MailConfig, MailConfigError, Password, Sender, SmtpConfig, TlsMode, Transport};
pub use error::MailError;
pub use mailer::{ConfiguredMailer, FolderMailer, Mailer, SmtpMailer};
pub use message::{Attachment, OutgoingMail};
#[cfg(feature = "test-server")]
pub use test_server::{Fault, ReceivedMail, TestSmtpServer};
