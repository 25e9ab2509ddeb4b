//! The certificate rustls serves, replaced when its files change: certbot and the city's CA
//! renew every few weeks, and a restart for that would end every session and sync link.

use crate::files::{Certificate, LoadError, TlsFiles};
use crate::validity::{format_utc, ValidityAt};
use rustls::server::{ClientHello, ResolvesServerCert};
use rustls::sign::CertifiedKey;
use rustls::ServerConfig;
use std::fmt;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, PoisonError, RwLock};
use std::time::{Duration, SystemTime};
use tokio::sync::watch;
use tokio::task::JoinHandle;

/// How often [`ReloadingCertificate::watch`] looks at the files' modification times: a renewed
/// certificate is served within a minute, for the cost of two `stat` calls.
pub const DEFAULT_POLL_INTERVAL: Duration = Duration::from_secs(60);

/// How often the watcher repeats a warning about the certificate's dates (expired, ending
/// soon): once a day is noticed in the log without drowning it.
const DATE_WARNING_INTERVAL: Duration = Duration::from_secs(24 * 60 * 60);

/// The served certificate and where it came from. Every handshake asks it for the current
/// certificate ([`ResolvesServerCert`]); [`reload`](Self::reload) swaps in a new one, and a
/// broken new one leaves the old one in place.
pub struct ReloadingCertificate {
    files: TlsFiles,
    current: RwLock<Certificate>,
    /// The files' stamps when they were last read, successfully or not: a broken file is tried
    /// once per change, not at every poll.
    last_read: Mutex<Option<Stamp>>,
    /// Counts the certificates taken after the first; waiters learn of a reload without
    /// polling.
    taken: watch::Sender<u64>,
}

impl fmt::Debug for ReloadingCertificate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ReloadingCertificate")
            .field("files", &self.files)
            .field("current", &*self.read_current())
            .finish_non_exhaustive()
    }
}

impl ReloadingCertificate {
    /// Reads the files once. An error here should stop the node's start: there is no other
    /// certificate to serve. Dates are not judged (see [`Certificate::warning_at`]).
    pub fn load(files: TlsFiles) -> Result<Arc<ReloadingCertificate>, LoadError> {
        // The stamp is taken before reading: a file replaced while it is read gets a new stamp
        // and is read again at the next poll.
        let stamp = Stamp::of(&files);
        let certificate = files.load()?;
        Ok(Arc::new(ReloadingCertificate {
            files,
            current: RwLock::new(certificate),
            last_read: Mutex::new(stamp),
            taken: watch::channel(0).0,
        }))
    }

    pub fn files(&self) -> &TlsFiles {
        &self.files
    }

    /// The certificate new connections get.
    pub fn current(&self) -> Certificate {
        self.read_current().clone()
    }

    /// Changes each time a new certificate is taken (the value counts them).
    pub fn subscribe(&self) -> watch::Receiver<u64> {
        self.taken.subscribe()
    }

    /// Reads the files again, now (the node calls it on SIGHUP). A new certificate that cannot
    /// be loaded, or is not valid at this moment (expired, or not yet valid), is refused: the
    /// previous one keeps being served and the error is logged and returned. Connections
    /// already open keep the certificate they started with.
    pub fn reload(&self) -> Result<Certificate, LoadError> {
        let stamp = Stamp::of(&self.files);
        let result = self.files.load().and_then(|certificate| {
            match certificate.warning_at(SystemTime::now()) {
                Some(warning)
                    if matches!(warning.state, ValidityAt::Expired | ValidityAt::NotYetValid) =>
                {
                    Err(LoadError::NotValidNow(warning))
                }
                _ => Ok(certificate),
            }
        });
        *self
            .last_read
            .lock()
            .unwrap_or_else(PoisonError::into_inner) = stamp;
        match &result {
            Ok(certificate) => {
                *self.current.write().unwrap_or_else(PoisonError::into_inner) = certificate.clone();
                self.taken.send_modify(|count| *count += 1);
                tracing::info!(
                    cert = %self.files.cert.display(),
                    not_after = %format_utc(certificate.validity().not_after),
                    "TLS certificate reloaded"
                );
                if let Some(warning) = certificate.warning_at(SystemTime::now()) {
                    tracing::warn!("{warning}");
                }
            }
            Err(error) => tracing::error!("{error}"),
        }
        result
    }

    /// Reloads if either file's modification time, size or (for a symlink such as certbot's
    /// `live/` files) target differs from when it was last read. `None`: nothing changed.
    pub fn reload_if_changed(&self) -> Option<Result<Certificate, LoadError>> {
        let stamp = Stamp::of(&self.files);
        let unchanged = *self
            .last_read
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            == stamp;
        (!unchanged).then(|| self.reload())
    }

    /// Polls the files every `every` in a tokio task and reloads on change; also repeats a
    /// warning about the certificate's dates once a day. Abort the handle to stop it.
    pub fn watch(self: &Arc<Self>, every: Duration) -> JoinHandle<()> {
        let this = Arc::clone(self);
        tokio::spawn(async move {
            let mut ticks = tokio::time::interval(every);
            ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            ticks.tick().await;
            let mut last_date_warning: Option<tokio::time::Instant> = None;
            loop {
                ticks.tick().await;
                // Two `stat` calls and, rarely, two small reads: not worth a blocking thread.
                let _ = this.reload_if_changed();
                let now = tokio::time::Instant::now();
                if last_date_warning.is_none_or(|at| now - at >= DATE_WARNING_INTERVAL) {
                    if let Some(warning) = this.current().warning_at(SystemTime::now()) {
                        tracing::warn!("{warning}");
                        last_date_warning = Some(now);
                    }
                }
            }
        })
    }

    /// Reloads on SIGHUP (`systemctl reload`, certbot's `--deploy-hook "pkill -HUP …"`), in a
    /// tokio task. Registering fails only outside a tokio runtime with signals enabled.
    #[cfg(unix)]
    pub fn reload_on_sighup(self: &Arc<Self>) -> std::io::Result<JoinHandle<()>> {
        use tokio::signal::unix::{signal, SignalKind};
        let mut hangups = signal(SignalKind::hangup())?;
        let this = Arc::clone(self);
        Ok(tokio::spawn(async move {
            while hangups.recv().await.is_some() {
                let _ = this.reload();
            }
        }))
    }

    /// A rustls server configuration that serves this certificate: ring, TLS 1.3 and 1.2, no
    /// client certificates, ALPN `h2` then `http/1.1`.
    pub fn server_config(self: &Arc<Self>) -> Arc<ServerConfig> {
        let mut config = ServerConfig::builder_with_provider(crate::provider())
            .with_protocol_versions(&[&rustls::version::TLS13, &rustls::version::TLS12])
            .expect("ring's provider supports TLS 1.2 and 1.3")
            .with_no_client_auth()
            .with_cert_resolver(Arc::clone(self) as Arc<dyn ResolvesServerCert>);
        config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
        Arc::new(config)
    }

    fn read_current(&self) -> std::sync::RwLockReadGuard<'_, Certificate> {
        self.current.read().unwrap_or_else(PoisonError::into_inner)
    }
}

impl ResolvesServerCert for ReloadingCertificate {
    fn resolve(&self, _client_hello: ClientHello<'_>) -> Option<Arc<CertifiedKey>> {
        Some(Arc::clone(&self.read_current().key))
    }
}

/// What identifies one version of the two files without reading them.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Stamp {
    cert: FileStamp,
    key: FileStamp,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct FileStamp {
    modified: Option<SystemTime>,
    len: u64,
    /// certbot renews by pointing `live/…/fullchain.pem` at a new file in `archive/`.
    target: Option<PathBuf>,
}

impl Stamp {
    /// `None` when a file is missing: a reload then reports it, and the stamp changes again
    /// once the file is back.
    fn of(files: &TlsFiles) -> Option<Stamp> {
        Some(Stamp {
            cert: FileStamp::of(&files.cert)?,
            key: FileStamp::of(&files.key)?,
        })
    }
}

impl FileStamp {
    fn of(path: &std::path::Path) -> Option<FileStamp> {
        let metadata = std::fs::metadata(path).ok()?;
        Some(FileStamp {
            modified: metadata.modified().ok(),
            len: metadata.len(),
            target: std::fs::canonicalize(path).ok(),
        })
    }
}
