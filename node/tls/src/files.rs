//! The certificate and key files named in `node.toml`, read into what rustls serves.

use crate::validity::{format_utc, Validity, ValidityAt};
use rustls::sign::CertifiedKey;
use rustls_pki_types::pem::{self, PemObject};
use rustls_pki_types::{CertificateDer, PrivateKeyDer};
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::SystemTime;

/// The `[tls]` files: a PEM certificate chain (the server's certificate first, then the
/// intermediates, as certbot's `fullchain.pem`) and its PEM private key (PKCS#8, PKCS#1 RSA or
/// SEC1 EC, unencrypted).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TlsFiles {
    pub cert: PathBuf,
    pub key: PathBuf,
}

impl TlsFiles {
    /// Paths in `node.toml` are relative to the data directory; absolute paths (e.g.
    /// `/etc/letsencrypt/live/…`) stay as they are.
    pub fn relative_to(&self, data_dir: &Path) -> TlsFiles {
        TlsFiles {
            cert: data_dir.join(&self.cert),
            key: data_dir.join(&self.key),
        }
    }

    /// Reads both files and checks that the key belongs to the certificate. The certificate's
    /// dates are not judged here: see [`Certificate::warning_at`].
    pub fn load(&self) -> Result<Certificate, LoadError> {
        let cert_pem = read(&self.cert)?;
        let key_pem = read(&self.key)?;
        let chain = certificates(&self.cert, &cert_pem)?;
        let key = private_key(&self.key, &key_pem)?;
        let provider = crate::provider();
        let signing_key = provider
            .key_provider
            .load_private_key(key)
            .map_err(|error| LoadError::UnusableKey {
                path: self.key.clone(),
                message: error.to_string(),
            })?;
        let validity =
            Validity::of_certificate(&chain[0]).ok_or_else(|| LoadError::BadCertificate {
                path: self.cert.clone(),
                message: "no readable validity dates".into(),
            })?;
        let certified = CertifiedKey::new(chain, signing_key);
        match certified.keys_match() {
            // ring can name the public key of every key type it loads; should one ever not,
            // the handshake still fails loudly at the first client.
            Ok(()) | Err(rustls::Error::InconsistentKeys(rustls::InconsistentKeys::Unknown)) => {}
            Err(rustls::Error::InconsistentKeys(rustls::InconsistentKeys::KeyMismatch)) => {
                return Err(LoadError::KeyMismatch {
                    cert: self.cert.clone(),
                    key: self.key.clone(),
                })
            }
            Err(error) => {
                return Err(LoadError::BadCertificate {
                    path: self.cert.clone(),
                    message: error.to_string(),
                })
            }
        }
        Ok(Certificate {
            key: Arc::new(certified),
            validity,
            path: self.cert.clone(),
        })
    }
}

/// A certificate chain with its key, ready to serve.
#[derive(Clone)]
pub struct Certificate {
    pub(crate) key: Arc<CertifiedKey>,
    validity: Validity,
    path: PathBuf,
}

impl fmt::Debug for Certificate {
    // The key stays out of logs; the file and the dates say which certificate this is.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Certificate")
            .field("path", &self.path)
            .field("not_before", &format_utc(self.validity.not_before))
            .field("not_after", &format_utc(self.validity.not_after))
            .finish_non_exhaustive()
    }
}

impl Certificate {
    /// The server's own certificate (DER), first in the chain.
    pub fn end_entity(&self) -> &CertificateDer<'static> {
        &self.key.cert[0]
    }

    pub fn validity(&self) -> Validity {
        self.validity
    }

    /// What an operator should hear about the certificate's dates at `now`: expired, not yet
    /// valid, or ending within two weeks. `None` when all is well.
    pub fn warning_at(&self, now: SystemTime) -> Option<CertificateWarning> {
        let state = self.validity.at(now);
        (state != ValidityAt::Valid).then(|| CertificateWarning {
            path: self.path.clone(),
            state,
            validity: self.validity,
        })
    }
}

/// The certificate's dates are a problem (or about to be one).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertificateWarning {
    pub path: PathBuf,
    pub state: ValidityAt,
    pub validity: Validity,
}

impl fmt::Display for CertificateWarning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let path = self.path.display();
        let from = format_utc(self.validity.not_before);
        let until = format_utc(self.validity.not_after);
        match self.state {
            ValidityAt::Valid => write!(f, "Das TLS-Zertifikat {path} ist gültig bis {until}. / The TLS certificate {path} is valid until {until}."),
            ValidityAt::EndsSoon => write!(f, "Das TLS-Zertifikat {path} läuft am {until} ab; wurde die Erneuerung (certbot, Zertifizierungsstelle der Stadt) versäumt? / The TLS certificate {path} expires on {until}; has its renewal (certbot, the city's CA) failed?"),
            ValidityAt::Expired => write!(f, "Das TLS-Zertifikat {path} ist seit {until} abgelaufen: Browser verweigern die Verbindung. Legen Sie ein erneuertes Zertifikat ab; es wird ohne Neustart übernommen. / The TLS certificate {path} expired on {until}: browsers refuse the connection. Put a renewed certificate in its place; it is picked up without a restart."),
            ValidityAt::NotYetValid => write!(f, "Das TLS-Zertifikat {path} gilt erst ab {from}; geht die Uhr dieses Rechners falsch? / The TLS certificate {path} is valid only from {from}; is this machine's clock wrong?"),
        }
    }
}

/// Why the `[tls]` files cannot be served. Each names the file and what to do.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("TLS-Datei {path} kann nicht gelesen werden ({error}); prüfen Sie den Pfad im Abschnitt [tls] von node.toml und die Leserechte. / Cannot read the TLS file {path} ({error}); check the path in the [tls] section of node.toml and the file's permissions.", path = .path.display())]
    Read {
        path: PathBuf,
        error: std::io::Error,
    },
    #[error("{path} enthält kein Zertifikat (-----BEGIN CERTIFICATE-----); sind cert und key vertauscht? / {path} holds no certificate (-----BEGIN CERTIFICATE-----); are cert and key swapped?", path = .path.display())]
    NoCertificate { path: PathBuf },
    #[error("{path} ist keine gültige PEM-Datei ({message}). / {path} is not a valid PEM file ({message}).", path = .path.display())]
    BadPem { path: PathBuf, message: String },
    #[error("{path} enthält ein Zertifikat, das nicht gelesen werden kann ({message}). / {path} holds a certificate that cannot be read ({message}).", path = .path.display())]
    BadCertificate { path: PathBuf, message: String },
    #[error("{path} enthält keinen privaten Schlüssel (-----BEGIN PRIVATE KEY-----, RSA PRIVATE KEY oder EC PRIVATE KEY); sind cert und key vertauscht? / {path} holds no private key (-----BEGIN PRIVATE KEY-----, RSA PRIVATE KEY or EC PRIVATE KEY); are cert and key swapped?", path = .path.display())]
    NoKey { path: PathBuf },
    #[error("Der private Schlüssel in {path} ist verschlüsselt; der Knoten braucht ihn unverschlüsselt und nur für sich lesbar (openssl pkey -in verschluesselt.pem -out {path}; chmod 600 {path}). / The private key in {path} is encrypted; the node needs it unencrypted and readable by itself only (openssl pkey -in encrypted.pem -out {path}; chmod 600 {path}).", path = .path.display())]
    EncryptedKey { path: PathBuf },
    #[error("Der private Schlüssel in {path} kann nicht verwendet werden ({message}); unterstützt sind RSA (ab 2048 Bit), ECDSA P-256/P-384 und Ed25519. / The private key in {path} cannot be used ({message}); RSA (2048 bits or more), ECDSA P-256/P-384 and Ed25519 are supported.", path = .path.display())]
    UnusableKey { path: PathBuf, message: String },
    #[error("Der Schlüssel {key} gehört nicht zum Zertifikat {cert}; legen Sie beide aus derselben Ausstellung ab (certbot: fullchain.pem und privkey.pem). / The key {key} does not belong to the certificate {cert}; use both from the same issuance (certbot: fullchain.pem and privkey.pem).", key = .key.display(), cert = .cert.display())]
    KeyMismatch { cert: PathBuf, key: PathBuf },
    /// Only from a reload: the certificate served until now stays (see
    /// [`crate::ReloadingCertificate::reload`]).
    #[error("{0}; das bisherige Zertifikat wird weiter verwendet. / {0}; the previous certificate stays in use.")]
    NotValidNow(CertificateWarning),
}

fn read(path: &Path) -> Result<Vec<u8>, LoadError> {
    std::fs::read(path).map_err(|error| LoadError::Read {
        path: path.to_owned(),
        error,
    })
}

fn certificates(path: &Path, pem_text: &[u8]) -> Result<Vec<CertificateDer<'static>>, LoadError> {
    let chain = CertificateDer::pem_slice_iter(pem_text)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|error| bad_pem(path, error))?;
    if chain.is_empty() {
        return Err(LoadError::NoCertificate {
            path: path.to_owned(),
        });
    }
    Ok(chain)
}

fn private_key(path: &Path, pem_text: &[u8]) -> Result<PrivateKeyDer<'static>, LoadError> {
    match PrivateKeyDer::from_pem_slice(pem_text) {
        Ok(key) => Ok(key),
        Err(pem::Error::NoItemsFound) if contains(pem_text, b"ENCRYPTED PRIVATE KEY") => {
            Err(LoadError::EncryptedKey {
                path: path.to_owned(),
            })
        }
        Err(pem::Error::NoItemsFound) => Err(LoadError::NoKey {
            path: path.to_owned(),
        }),
        Err(error) => Err(bad_pem(path, error)),
    }
}

fn bad_pem(path: &Path, error: pem::Error) -> LoadError {
    LoadError::BadPem {
        path: path.to_owned(),
        message: error.to_string(),
    }
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack
        .windows(needle.len())
        .any(|window| window == needle)
}
