//! Membership certificates and revocation lists, signed by the city's root key (Ed25519, ring),
//! and the key files on disk.
//!
//! A certificate binds a libp2p [`PeerId`] to a node name and a [`Membership`]; the sync core
//! trusts the membership only because the root signed it. Signed objects travel as
//! [`Signed`]: the exact JSON bytes that were signed plus the signature, so that verifying never
//! depends on re-serialising a value the same way twice. Persisted and wire format: the
//! `version` fields and the signing contexts change together.

use crate::codec::{Request, MAX_FRAME};
use kitanetz_crdt::policy::Membership;
use libp2p::identity::Keypair;
use libp2p::PeerId;
use ring::rand::{SecureRandom, SystemRandom};
use ring::signature::{Ed25519KeyPair, KeyPair, UnparsedPublicKey, ED25519};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use std::fmt;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

/// Version of [`Certificate`] and [`RevocationList`] this node writes and reads.
pub const CERT_VERSION: u32 = 1;

/// Prefixes of the signed bytes: a signature over a certificate can never pass as one over a
/// revocation list (or the other way round).
const CERT_CONTEXT: &[u8] = b"kitanetz-certificate-v1\0";
const REVOCATION_CONTEXT: &[u8] = b"kitanetz-revocations-v1\0";

/// Why a key file, certificate or revocation list was refused.
#[derive(Debug, thiserror::Error)]
pub enum CertError {
    // Not a `source`: the message already says it, and error chains would print it twice.
    #[error("{path}: {error}")]
    Io { path: String, error: std::io::Error },
    #[error("{path} already exists: refusing to overwrite a key; move it away first")]
    Exists { path: String },
    #[error("{path} is readable by other users (mode {mode:o}): run `chmod 600 {path}`")]
    Permissions { path: String, mode: u32 },
    #[error("{path}: not a valid key ({reason})")]
    BadKey { path: String, reason: String },
    #[error("signature does not verify against the city's root key")]
    BadSignature,
    #[error("not valid JSON for a {what}: {reason}")]
    BadFormat { what: &'static str, reason: String },
    #[error("{what} version {version}, this node reads {CERT_VERSION}: update Kitanetz")]
    UnknownVersion { what: &'static str, version: u32 },
    #[error("certificate is for peer {certified}, but the connection is from {connected}")]
    PeerMismatch {
        certified: String,
        connected: String,
    },
    #[error("certificate of {node} expired at {expires_on} (now {now})")]
    Expired {
        node: String,
        expires_on: u64,
        now: u64,
    },
    #[error("certificate of {node} is not valid before {issued_on} (now {now})")]
    NotYetValid {
        node: String,
        issued_on: u64,
        now: u64,
    },
    #[error("peer {0} is revoked")]
    Revoked(String),
    #[error("invalid root public key: expected 64 hex digits")]
    BadRootKey,
    #[error("revocation list version {0} cannot grow any further: start a new root key")]
    VersionExhausted(u32),
    #[error(
        "a revocation list of {revoked} peers takes {bytes} bytes on the wire, over the limit \
         of {limit}: nodes could not pass it on, so it is not signed"
    )]
    TooLarge {
        revoked: usize,
        bytes: usize,
        limit: usize,
    },
}

/// What the city's root key certifies about a node. Times are Unix seconds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Certificate {
    pub version: u32,
    /// The node's libp2p PeerId (its Noise identity), as a string.
    pub peer_id: String,
    /// The name under which the sync core knows the node (and persists sync states).
    pub node_name: String,
    pub membership: Membership,
    pub issued_on: u64,
    pub expires_on: u64,
}

/// Peers cut off by the city. A higher `version` replaces a lower one; an older list is ignored,
/// so that replaying an old list cannot lift a revocation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RevocationList {
    pub version: u32,
    /// Revoked PeerIds, as strings.
    pub revoked: Vec<String>,
    pub issued_at: u64,
}

/// A value with the root's signature over its exact JSON bytes (`body`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Signed<T> {
    /// The JSON bytes that were signed, as text.
    pub body: String,
    /// Ed25519 signature over context ‖ body, hex.
    pub signature: String,
    #[serde(skip)]
    _kind: std::marker::PhantomData<T>,
}

/// A signed [`Certificate`], as a node presents it.
pub type SignedCertificate = Signed<Certificate>;
/// A signed [`RevocationList`], as the city distributes it.
pub type SignedRevocationList = Signed<RevocationList>;

/// Types the root signs, each under its own context.
pub trait Signable: Serialize + DeserializeOwned {
    const CONTEXT: &'static [u8];
    const WHAT: &'static str;
    /// Checks the format of a value whose signature verified.
    fn check_format(&self) -> Result<(), CertError> {
        Ok(())
    }
}

impl Signable for Certificate {
    const CONTEXT: &'static [u8] = CERT_CONTEXT;
    const WHAT: &'static str = "certificate";
    fn check_format(&self) -> Result<(), CertError> {
        if self.version != CERT_VERSION {
            return Err(CertError::UnknownVersion {
                what: Self::WHAT,
                version: self.version,
            });
        }
        Ok(())
    }
}

impl Signable for RevocationList {
    const CONTEXT: &'static [u8] = REVOCATION_CONTEXT;
    const WHAT: &'static str = "revocation list";
    /// Every entry must be a PeerId: an entry no node can match would revoke nobody silently.
    fn check_format(&self) -> Result<(), CertError> {
        match self.revoked.iter().find(|p| p.parse::<PeerId>().is_err()) {
            Some(bad) => Err(CertError::BadFormat {
                what: Self::WHAT,
                reason: format!("{bad:?} is not a PeerId"),
            }),
            None => Ok(()),
        }
    }
}

impl<T: Signable> Signed<T> {
    /// Checks the signature against the root public key and returns the value.
    pub fn verify(&self, root: &RootPublicKey) -> Result<T, CertError> {
        let sig = hex::decode(&self.signature).map_err(|_| CertError::BadSignature)?;
        let msg = [T::CONTEXT, self.body.as_bytes()].concat();
        UnparsedPublicKey::new(&ED25519, root.0)
            .verify(&msg, &sig)
            .map_err(|_| CertError::BadSignature)?;
        let value: T = serde_json::from_str(&self.body).map_err(|e| CertError::BadFormat {
            what: T::WHAT,
            reason: e.to_string(),
        })?;
        value.check_format()?;
        Ok(value)
    }

    /// JSON for files and the wire.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("strings serialise")
    }

    pub fn from_json(s: &[u8]) -> Result<Self, CertError> {
        serde_json::from_slice(s).map_err(|e| CertError::BadFormat {
            what: T::WHAT,
            reason: e.to_string(),
        })
    }

    /// Reads a file written by [`Signed::save`] (not verified yet).
    pub fn load(path: &Path) -> Result<Self, CertError> {
        let bytes = std::fs::read(path).map_err(|e| io_err(path, e))?;
        Self::from_json(&bytes).map_err(|e| match e {
            CertError::BadFormat { what, reason } => CertError::BadFormat {
                what,
                reason: format!("{}: {reason}", path.display()),
            },
            other => other,
        })
    }

    /// Writes the JSON to `path`, replacing it atomically: a node that reads the file while it
    /// is written (a running node picks up a new revocation list) never sees half of it.
    pub fn save(&self, path: &Path) -> Result<(), CertError> {
        let tmp = self.write_temp(path)?;
        replace(&tmp, path)
    }

    /// Writes the JSON to a new file next to `path`, under a name no other writer uses (the
    /// `kitanetz cert revoke` command and a running node may write the same file at once).
    fn write_temp(&self, path: &Path) -> Result<PathBuf, CertError> {
        let tmp = temp_name(path);
        let write = || -> std::io::Result<()> {
            let mut f = std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(&tmp)?;
            f.write_all(self.to_json().as_bytes())?;
            f.write_all(b"\n")?;
            f.sync_all()
        };
        write().map_err(|e| {
            let _ = std::fs::remove_file(&tmp);
            io_err(path, e)
        })?;
        Ok(tmp)
    }
}

impl Signed<RevocationList> {
    /// [`Signed::save`] of this list (whose `version` is given), unless `path` already holds a
    /// list signed by `root` with a higher version: the operator wrote a newer one that the
    /// running node has not read yet. That file is left as it is and its list returned, to be
    /// applied. A file holding this very list is not rewritten.
    ///
    /// The file is read after the new content is on disk, just before it replaces the file,
    /// so a concurrent writer has a window of a few system calls only.
    pub fn save_unless_superseded(
        &self,
        path: &Path,
        root: &RootPublicKey,
        version: u32,
    ) -> Result<Option<(SignedRevocationList, RevocationList)>, CertError> {
        let tmp = self.write_temp(path)?;
        let on_disk = Self::load(path)
            .ok()
            .and_then(|s| s.verify(root).ok().map(|l| (s, l)));
        match on_disk {
            Some((s, l)) if l.version > version => {
                let _ = std::fs::remove_file(&tmp);
                Ok(Some((s, l)))
            }
            Some((s, _)) if s == *self => {
                let _ = std::fs::remove_file(&tmp);
                Ok(None)
            }
            _ => replace(&tmp, path).map(|()| None),
        }
    }
}

/// Temp files get the process id, a counter and random bits, so that no two writers (threads
/// or processes) ever write the same one.
fn temp_name(path: &Path) -> PathBuf {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let mut random = [0u8; 8];
    // Without system randomness the pid and counter still keep writers apart.
    let _ = SystemRandom::new().fill(&mut random);
    let mut name = path.as_os_str().to_os_string();
    name.push(format!(
        ".{}-{}-{}.tmp",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed),
        hex::encode(random)
    ));
    PathBuf::from(name)
}

/// Renames `tmp` over `path` (atomic on one file system), removing `tmp` if that fails.
fn replace(tmp: &Path, path: &Path) -> Result<(), CertError> {
    std::fs::rename(tmp, path).map_err(|e| {
        let _ = std::fs::remove_file(tmp);
        io_err(path, e)
    })
}

/// The city's root public key (raw Ed25519, 32 bytes); configured on every node.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct RootPublicKey(pub [u8; 32]);

impl RootPublicKey {
    /// Parses the hex form that [`fmt::Display`] prints.
    pub fn from_hex(s: &str) -> Result<Self, CertError> {
        let bytes = hex::decode(s.trim()).map_err(|_| CertError::BadRootKey)?;
        Ok(RootPublicKey(
            bytes.try_into().map_err(|_| CertError::BadRootKey)?,
        ))
    }
}

impl fmt::Display for RootPublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&hex::encode(self.0))
    }
}

impl fmt::Debug for RootPublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "RootPublicKey({self})")
    }
}

/// The city's root signing key. Only the city's administration machine holds it.
pub struct RootKey {
    pair: Ed25519KeyPair,
}

impl fmt::Debug for RootKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "RootKey(public {}, secret redacted)", self.public_key())
    }
}

impl RootKey {
    /// Loads a PKCS#8 root key written by [`generate_root`].
    pub fn load(path: &Path) -> Result<Self, CertError> {
        let bytes = read_private(path)?;
        let pair = Ed25519KeyPair::from_pkcs8(&bytes).map_err(|e| CertError::BadKey {
            path: path.display().to_string(),
            reason: e.to_string(),
        })?;
        Ok(RootKey { pair })
    }

    pub fn public_key(&self) -> RootPublicKey {
        let mut k = [0u8; 32];
        k.copy_from_slice(self.pair.public_key().as_ref());
        RootPublicKey(k)
    }

    /// Signs a value: serialises it once and signs exactly those bytes.
    pub fn sign<T: Signable>(&self, value: &T) -> Signed<T> {
        let body = serde_json::to_string(value).expect("plain data serialises");
        let msg = [T::CONTEXT, body.as_bytes()].concat();
        Signed {
            body,
            signature: hex::encode(self.pair.sign(&msg).as_ref()),
            _kind: std::marker::PhantomData,
        }
    }
}

/// Creates the city's root key as PKCS#8 at `path` (owner-only, never overwriting) and returns it.
pub fn generate_root(path: &Path) -> Result<RootKey, CertError> {
    let pkcs8 =
        Ed25519KeyPair::generate_pkcs8(&SystemRandom::new()).map_err(|_| CertError::BadKey {
            path: path.display().to_string(),
            reason: "no system randomness".into(),
        })?;
    write_private(path, pkcs8.as_ref())?;
    RootKey::load(path)
}

/// Issues a certificate for a node's PeerId. Times are Unix seconds.
pub fn issue_certificate(
    root: &RootKey,
    peer_id: &PeerId,
    node_name: &str,
    membership: Membership,
    issued_on: u64,
    expires_on: u64,
) -> SignedCertificate {
    root.sign(&Certificate {
        version: CERT_VERSION,
        peer_id: peer_id.to_string(),
        node_name: node_name.to_string(),
        membership,
        issued_on,
        expires_on,
    })
}

/// Issues a revocation list; `version` must grow with every list the city publishes.
pub fn issue_revocations(
    root: &RootKey,
    version: u32,
    revoked: &[PeerId],
    issued_at: u64,
) -> SignedRevocationList {
    root.sign(&RevocationList {
        version,
        revoked: revoked.iter().map(|p| p.to_string()).collect(),
        issued_at,
    })
}

/// The city's next revocation list: everything `previous` revoked plus `add`, under the next
/// version, so that nodes holding `previous` take it. Revocations are never dropped here: a
/// list replaces the one before it, and lifting a revocation should be a deliberate act.
/// Refused ([`CertError::TooLarge`]) if the list would not fit in one frame of the wire
/// protocol ([`crate::codec::MAX_FRAME`]): no node could pass it on.
pub fn next_revocations(
    root: &RootKey,
    previous: Option<&RevocationList>,
    add: &[PeerId],
    issued_at: u64,
) -> Result<SignedRevocationList, CertError> {
    let (version, issued_at, mut revoked) = match previous {
        Some(p) => (
            p.version
                .checked_add(1)
                .ok_or(CertError::VersionExhausted(p.version))?,
            issued_at.max(p.issued_at),
            p.revoked.iter().cloned().collect::<BTreeSet<String>>(),
        ),
        None => (1, issued_at, BTreeSet::new()),
    };
    revoked.extend(add.iter().map(PeerId::to_string));
    let count = revoked.len();
    let signed = root.sign(&RevocationList {
        version,
        revoked: revoked.into_iter().collect(),
        issued_at,
    });
    let bytes = Request::Revocations(signed.to_json().into_bytes())
        .encode()
        .len();
    if bytes > MAX_FRAME {
        return Err(CertError::TooLarge {
            revoked: count,
            bytes,
            limit: MAX_FRAME,
        });
    }
    Ok(signed)
}

/// Verifies a peer's certificate for a connection: the root signed it, it names the PeerId the
/// Noise handshake authenticated (`connected`), it is valid at `now` and not revoked.
pub fn verify_certificate(
    cert: &SignedCertificate,
    root: &RootPublicKey,
    connected: &PeerId,
    now: u64,
    revoked: &BTreeSet<String>,
) -> Result<Certificate, CertError> {
    let c = cert.verify(root)?;
    if c.peer_id != connected.to_string() {
        return Err(CertError::PeerMismatch {
            certified: c.peer_id,
            connected: connected.to_string(),
        });
    }
    if now < c.issued_on {
        return Err(CertError::NotYetValid {
            node: c.node_name,
            issued_on: c.issued_on,
            now,
        });
    }
    if now >= c.expires_on {
        return Err(CertError::Expired {
            node: c.node_name,
            expires_on: c.expires_on,
            now,
        });
    }
    if revoked.contains(&c.peer_id) {
        return Err(CertError::Revoked(c.peer_id));
    }
    Ok(c)
}

/// Loads the node's libp2p identity from `path`, or creates an Ed25519 one there (owner-only).
/// The PeerId derived from it is what the node's certificate names, so losing the file means a
/// new certificate.
pub fn load_or_create_identity(path: &Path) -> Result<Keypair, CertError> {
    let bad = |reason: String| CertError::BadKey {
        path: path.display().to_string(),
        reason,
    };
    if path.exists() {
        let bytes = read_private(path)?;
        return Keypair::from_protobuf_encoding(&bytes).map_err(|e| bad(e.to_string()));
    }
    let key = Keypair::generate_ed25519();
    let bytes = key.to_protobuf_encoding().map_err(|e| bad(e.to_string()))?;
    write_private(path, &bytes)?;
    Ok(key)
}

/// Writes a node's libp2p identity where [`load_or_create_identity`] reads it (owner-only,
/// never overwriting): for a key made elsewhere, e.g. handed over in an enrolment file.
pub fn write_identity(path: &Path, key: &Keypair) -> Result<(), CertError> {
    let bytes = key.to_protobuf_encoding().map_err(|e| CertError::BadKey {
        path: path.display().to_string(),
        reason: e.to_string(),
    })?;
    write_private(path, &bytes)
}

fn io_err(path: &Path, source: std::io::Error) -> CertError {
    CertError::Io {
        path: path.display().to_string(),
        error: source,
    }
}

/// Writes a secret to a new file that only its owner can read. The mode is set at creation so
/// the secret is never readable by others, not even briefly.
fn write_private(path: &Path, bytes: &[u8]) -> Result<(), CertError> {
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    let mut f = opts.open(path).map_err(|e| {
        if e.kind() == std::io::ErrorKind::AlreadyExists {
            CertError::Exists {
                path: path.display().to_string(),
            }
        } else {
            io_err(path, e)
        }
    })?;
    f.write_all(bytes).map_err(|e| io_err(path, e))?;
    f.sync_all().map_err(|e| io_err(path, e))
}

/// Reads a secret, refusing a file that group or others can read (like ssh does).
fn read_private(path: &Path) -> Result<Vec<u8>, CertError> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(path)
            .map_err(|e| io_err(path, e))?
            .permissions()
            .mode();
        if mode & 0o077 != 0 {
            return Err(CertError::Permissions {
                path: path.display().to_string(),
                mode: mode & 0o777,
            });
        }
    }
    std::fs::read(path).map_err(|e| io_err(path, e))
}

#[cfg(test)]
mod tests {
    use super::*;
    use kitanetz_crdt::ids::city_org;
    use kitanetz_crdt::policy::NodeRole;

    fn member() -> Membership {
        Membership {
            role: NodeRole::City,
            organisation: city_org(),
            provider: None,
            facility: None,
        }
    }

    fn dir() -> tempfile::TempDir {
        tempfile::tempdir().expect("temp dir")
    }

    #[test]
    fn a_certificate_verifies_only_for_its_peer_while_valid_and_not_revoked() {
        let d = dir();
        let root = generate_root(&d.path().join("root.pk8")).unwrap();
        let peer = Keypair::generate_ed25519().public().to_peer_id();
        let other = Keypair::generate_ed25519().public().to_peer_id();
        let cert = issue_certificate(&root, &peer, "city", member(), 100, 200);
        let pk = root.public_key();
        let none = BTreeSet::new();
        assert_eq!(
            verify_certificate(&cert, &pk, &peer, 150, &none)
                .unwrap()
                .node_name,
            "city"
        );
        let err = |r: Result<Certificate, CertError>| r.unwrap_err().to_string();
        assert!(err(verify_certificate(&cert, &pk, &other, 150, &none)).contains("connection"));
        assert!(err(verify_certificate(&cert, &pk, &peer, 200, &none)).contains("expired"));
        assert!(err(verify_certificate(&cert, &pk, &peer, 99, &none)).contains("before"));
        let revoked = BTreeSet::from([peer.to_string()]);
        assert!(err(verify_certificate(&cert, &pk, &peer, 150, &revoked)).contains("revoked"));
        let other_root = generate_root(&d.path().join("other.pk8")).unwrap();
        assert!(err(verify_certificate(
            &cert,
            &other_root.public_key(),
            &peer,
            150,
            &none
        ))
        .contains("signature"));
        let mut tampered = cert.clone();
        tampered.body = tampered.body.replace("\"city\"", "\"kita\"");
        assert!(err(verify_certificate(&tampered, &pk, &peer, 150, &none)).contains("signature"));
        let parsed = SignedCertificate::from_json(cert.to_json().as_bytes()).unwrap();
        assert!(verify_certificate(&parsed, &pk, &peer, 150, &none).is_ok());
    }

    #[test]
    fn a_revocation_signature_does_not_pass_as_a_certificate() {
        let d = dir();
        let root = generate_root(&d.path().join("root.pk8")).unwrap();
        let list = issue_revocations(&root, 1, &[], 5);
        let forged: SignedCertificate = Signed {
            body: list.body.clone(),
            signature: list.signature.clone(),
            _kind: std::marker::PhantomData,
        };
        assert!(matches!(
            forged.verify(&root.public_key()),
            Err(CertError::BadSignature)
        ));
        assert_eq!(list.verify(&root.public_key()).unwrap().version, 1);
    }

    #[test]
    fn the_next_revocation_list_keeps_every_revocation_and_grows() {
        let d = dir();
        let root = generate_root(&d.path().join("root.pk8")).unwrap();
        let pk = root.public_key();
        let a = Keypair::generate_ed25519().public().to_peer_id();
        let b = Keypair::generate_ed25519().public().to_peer_id();
        let first = next_revocations(&root, None, &[a], 100).unwrap();
        let first = first.verify(&pk).unwrap();
        assert_eq!((first.version, first.issued_at), (1, 100));
        // The clock went back: the list still does not look older.
        let second = next_revocations(&root, Some(&first), &[b, a], 50).unwrap();
        let path = d.path().join("revocations.json");
        second.save(&path).unwrap();
        let second = SignedRevocationList::load(&path)
            .unwrap()
            .verify(&pk)
            .unwrap();
        assert_eq!((second.version, second.issued_at), (2, 100));
        let mut expected = vec![a.to_string(), b.to_string()];
        expected.sort();
        assert_eq!(second.revoked, expected);
        let last = RevocationList {
            version: u32::MAX,
            ..second
        };
        assert!(matches!(
            next_revocations(&root, Some(&last), &[], 1),
            Err(CertError::VersionExhausted(_))
        ));
        let garbage = root.sign(&RevocationList {
            version: 3,
            revoked: vec!["not-a-peer".into()],
            issued_at: 1,
        });
        assert!(garbage
            .verify(&pk)
            .unwrap_err()
            .to_string()
            .contains("not a PeerId"));
    }

    #[test]
    fn a_revocation_list_over_the_frame_cap_is_not_signed() {
        let d = dir();
        let root = generate_root(&d.path().join("root.pk8")).unwrap();
        let pk = root.public_key();
        // A PeerId takes 46 to 52 characters, plus quotes (escaped once the body is embedded
        // in the signed JSON) and a comma: 15 000 fit in a 1 MiB frame, 23 000 do not.
        let peers = |n: usize| (0..n).map(|_| PeerId::random().to_string()).collect();
        let under = RevocationList {
            version: 7,
            revoked: peers(15_000),
            issued_at: 1,
        };
        let list = next_revocations(&root, Some(&under), &[], 2).unwrap();
        let frame = Request::Revocations(list.to_json().into_bytes()).encode();
        assert!(frame.len() <= MAX_FRAME);
        assert_eq!(list.verify(&pk).unwrap().revoked.len(), 15_000);

        let mut over = under;
        over.revoked.extend(peers(8_000));
        let err = next_revocations(&root, Some(&over), &[PeerId::random()], 2).unwrap_err();
        match &err {
            CertError::TooLarge {
                revoked,
                bytes,
                limit,
            } => {
                assert_eq!(*revoked, 23_001);
                assert!(bytes > limit && *limit == MAX_FRAME, "{err}");
            }
            other => panic!("signed anyway: {other:?}"),
        }
        assert!(err.to_string().contains("23001 peers"), "{err}");
    }

    #[test]
    fn concurrent_saves_never_share_a_temp_file() {
        let d = dir();
        let root = generate_root(&d.path().join("root.pk8")).unwrap();
        let pk = root.public_key();
        let path = d.path().join("revocations.json");
        let lists: Vec<_> = (1..=8)
            .map(|v| issue_revocations(&root, v, &[PeerId::random()], 1))
            .collect();
        std::thread::scope(|s| {
            for list in &lists {
                let path = &path;
                s.spawn(move || {
                    for _ in 0..20 {
                        list.save(path).unwrap();
                    }
                });
            }
        });
        // Whichever won, the file is one whole list, and no temp file is left behind.
        let saved = SignedRevocationList::load(&path).unwrap();
        assert!(lists.contains(&saved));
        assert!(saved.verify(&pk).is_ok());
        let names: Vec<_> = std::fs::read_dir(d.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        assert!(names.iter().all(|n| !n.ends_with(".tmp")), "{names:?}");
    }

    #[test]
    fn a_list_is_not_saved_over_a_newer_one_in_the_file() {
        let d = dir();
        let root = generate_root(&d.path().join("root.pk8")).unwrap();
        let pk = root.public_key();
        let path = d.path().join("revocations.json");
        let v5 = issue_revocations(&root, 5, &[PeerId::random()], 1);
        let v6 = issue_revocations(&root, 6, &[PeerId::random()], 1);
        // No file yet, then the same list again: saved, then left alone.
        assert_eq!(v5.save_unless_superseded(&path, &pk, 5).unwrap(), None);
        assert_eq!(v5.save_unless_superseded(&path, &pk, 5).unwrap(), None);
        assert_eq!(SignedRevocationList::load(&path).unwrap(), v5);
        // The operator wrote version 6: a version 5 from a peer does not replace it.
        v6.save(&path).unwrap();
        let (kept, list) = v5.save_unless_superseded(&path, &pk, 5).unwrap().unwrap();
        assert_eq!((kept, list.version), (v6.clone(), 6));
        assert_eq!(SignedRevocationList::load(&path).unwrap(), v6);
        // A newer list, a badly signed file or garbage is replaced.
        let v7 = issue_revocations(&root, 7, &[], 1);
        assert_eq!(v7.save_unless_superseded(&path, &pk, 7).unwrap(), None);
        assert_eq!(SignedRevocationList::load(&path).unwrap(), v7);
        let foreign = generate_root(&d.path().join("foreign.pk8")).unwrap();
        issue_revocations(&foreign, 99, &[], 1).save(&path).unwrap();
        assert_eq!(v7.save_unless_superseded(&path, &pk, 7).unwrap(), None);
        assert_eq!(SignedRevocationList::load(&path).unwrap(), v7);
        std::fs::write(&path, b"{").unwrap();
        assert_eq!(v7.save_unless_superseded(&path, &pk, 7).unwrap(), None);
        assert_eq!(SignedRevocationList::load(&path).unwrap(), v7);
        let leftovers = std::fs::read_dir(d.path())
            .unwrap()
            .filter(|e| {
                e.as_ref()
                    .unwrap()
                    .file_name()
                    .to_string_lossy()
                    .ends_with(".tmp")
            })
            .count();
        assert_eq!(leftovers, 0);
    }

    #[cfg(unix)]
    #[test]
    fn keys_are_owner_only_and_never_overwritten() {
        use std::os::unix::fs::PermissionsExt;
        let d = dir();
        let path = d.path().join("node.key");
        let a = load_or_create_identity(&path).unwrap();
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
        let b = load_or_create_identity(&path).unwrap();
        assert_eq!(a.public(), b.public(), "the same identity after a restart");
        let root = d.path().join("root.pk8");
        generate_root(&root).unwrap();
        assert!(matches!(
            generate_root(&root),
            Err(CertError::Exists { .. })
        ));
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        assert!(matches!(
            load_or_create_identity(&path),
            Err(CertError::Permissions { .. })
        ));
        let key = RootKey::load(&root).unwrap();
        assert_eq!(
            RootPublicKey::from_hex(&key.public_key().to_string()).unwrap(),
            key.public_key()
        );
    }
}
