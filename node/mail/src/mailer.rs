//! Sending: the [`Mailer`] trait and its SMTP, folder and configured implementations.

use crate::{
    MailConfig, MailConfigError, MailError, OutgoingMail, Sender, SmtpConfig, TlsMode, Transport,
};
use lettre::message::Mailbox;
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Tls, TlsParameters};
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
use std::fmt;
use std::future::Future;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Sends one mail at a time. Every implementation validates the mail first, so an invalid one
/// fails with a permanent error before any connection is made.
///
/// The trait is not object-safe (its future is `impl Future`); hold a [`ConfiguredMailer`] or
/// make the outbox generic over `M: Mailer`.
pub trait Mailer: Send + Sync {
    fn send(&self, mail: &OutgoingMail) -> impl Future<Output = Result<(), MailError>> + Send;
}

/// Sends through an SMTP relay, one connection per mail (no pool: the portal sends a few mails
/// a minute, and a fresh connection never fails on a connection the server closed meanwhile).
pub struct SmtpMailer {
    from: Mailbox,
    config: SmtpConfig,
    timeout: Duration,
    transport: AsyncSmtpTransport<Tokio1Executor>,
}

impl SmtpMailer {
    /// Checks `from` and `smtp` (every problem by key) and prepares the transport; nothing is
    /// connected until the first send.
    pub fn new(from: &Sender, smtp: &SmtpConfig) -> Result<SmtpMailer, MailConfigError> {
        let mut problems = Vec::new();
        from.problems(&mut problems);
        smtp.problems(&mut problems);
        if !problems.is_empty() {
            return Err(MailConfigError::Invalid(problems));
        }
        let timeout = Duration::from_secs(smtp.timeout_secs);
        Ok(SmtpMailer {
            from: from.mailbox()?,
            transport: transport(smtp, timeout)?,
            config: smtp.clone(),
            timeout,
        })
    }

    /// The same mailer with another limit for one whole send (tests use fractions of a second).
    pub fn with_timeout(self, timeout: Duration) -> SmtpMailer {
        SmtpMailer {
            transport: transport(&self.config, timeout).expect("the same settings built before"),
            timeout,
            ..self
        }
    }
}

fn transport(
    smtp: &SmtpConfig,
    timeout: Duration,
) -> Result<AsyncSmtpTransport<Tokio1Executor>, MailConfigError> {
    let parameters = || {
        TlsParameters::new(smtp.host.clone())
            .map_err(|e| MailConfigError::Invalid(vec![format!("mail.transport.host: TLS: {e}")]))
    };
    let tls = match smtp.tls {
        TlsMode::None => Tls::None,
        TlsMode::StartTls => Tls::Required(parameters()?),
        TlsMode::Tls => Tls::Wrapper(parameters()?),
    };
    // `builder_dangerous` only means "no TLS preset": the TLS mode is set right here.
    let mut builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(smtp.host.clone())
        .port(smtp.effective_port())
        .tls(tls)
        // lettre applies this to the TCP connect only; `send` bounds the whole dialogue.
        .timeout(Some(timeout));
    if let (Some(user), Some(password)) = (&smtp.username, &smtp.password) {
        builder = builder.credentials(Credentials::new(
            user.clone(),
            password.expose().to_string(),
        ));
    }
    Ok(builder.build())
}

impl fmt::Debug for SmtpMailer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SmtpMailer")
            .field("from", &self.from.email.to_string())
            .field("config", &self.config)
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

impl Mailer for SmtpMailer {
    async fn send(&self, mail: &OutgoingMail) -> Result<(), MailError> {
        let message = mail.to_message(&self.from)?;
        let result = match tokio::time::timeout(self.timeout, self.transport.send(message)).await {
            Err(_elapsed) => Err(MailError::TimedOut(self.timeout)),
            Ok(Err(e)) => Err(MailError::from_smtp(e)),
            Ok(Ok(_reply)) => Ok(()),
        };
        match &result {
            Ok(()) => tracing::debug!(recipients = mail.to.len(), "mail sent"),
            Err(e) => tracing::debug!(transient = e.is_transient(), "mail not sent"),
        }
        result
    }
}

/// Writes each mail as an RFC 5322 `.eml` file, `<unix-millis>-<8 hex digits>.eml`, for the
/// demo and for development: a person opens them in a mail program.
#[derive(Debug, Clone)]
pub struct FolderMailer {
    from: Mailbox,
    dir: PathBuf,
}

impl FolderMailer {
    /// The folder is created on the first mail.
    pub fn new(from: &Sender, dir: impl Into<PathBuf>) -> Result<FolderMailer, MailConfigError> {
        Ok(FolderMailer {
            from: from.mailbox()?,
            dir: dir.into(),
        })
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Writes the mail and returns the file's path. The file appears complete or not at all
    /// (written under a hidden name, then renamed).
    pub async fn write(&self, mail: &OutgoingMail) -> Result<PathBuf, MailError> {
        let bytes = mail.to_message(&self.from)?.formatted();
        let failed = |path: &Path| {
            let path = path.to_path_buf();
            move |error| MailError::Folder { path, error }
        };
        tokio::fs::create_dir_all(&self.dir)
            .await
            .map_err(failed(&self.dir))?;
        let millis = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_millis())
            .unwrap_or(0);
        let name = format!("{millis}-{:08x}.eml", fastrand::u32(..));
        let path = self.dir.join(&name);
        let partial = self.dir.join(format!(".{name}.partial"));
        tokio::fs::write(&partial, &bytes)
            .await
            .map_err(failed(&partial))?;
        tokio::fs::rename(&partial, &path)
            .await
            .map_err(failed(&path))?;
        Ok(path)
    }
}

impl Mailer for FolderMailer {
    async fn send(&self, mail: &OutgoingMail) -> Result<(), MailError> {
        self.write(mail).await.map(|_| ())
    }
}

/// The mailer `[mail.transport]` asks for.
#[derive(Debug)]
// One per node, built once: boxing the SMTP variant would buy nothing.
#[allow(clippy::large_enum_variant)]
pub enum ConfiguredMailer {
    Smtp(SmtpMailer),
    Folder(FolderMailer),
    /// Mails are validated, then dropped (logged at info level without content).
    Disabled,
}

impl ConfiguredMailer {
    /// Validates the configuration (every problem by key) and builds the mailer.
    pub fn from_config(config: &MailConfig) -> Result<ConfiguredMailer, MailConfigError> {
        config.validate()?;
        Ok(match &config.transport {
            Transport::Smtp(smtp) => ConfiguredMailer::Smtp(SmtpMailer::new(&config.from, smtp)?),
            Transport::Folder { path } => {
                ConfiguredMailer::Folder(FolderMailer::new(&config.from, path.clone())?)
            }
            Transport::Disabled => ConfiguredMailer::Disabled,
        })
    }
}

impl Mailer for ConfiguredMailer {
    async fn send(&self, mail: &OutgoingMail) -> Result<(), MailError> {
        match self {
            ConfiguredMailer::Smtp(m) => m.send(mail).await,
            ConfiguredMailer::Folder(m) => m.send(mail).await,
            ConfiguredMailer::Disabled => {
                mail.validate()?;
                tracing::info!("mail transport disabled: a mail was checked and dropped");
                Ok(())
            }
        }
    }
}
