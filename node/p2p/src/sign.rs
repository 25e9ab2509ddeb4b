//! Signed changes over the node's libp2p identity and its membership certificate: the crypto
//! that `kitanetz_sync::sign` leaves to the node, so that the Träger office can relay the city's
//! and its Kitas' documents (issue #13 item 8).
//!
//! A writer is the PeerId its certificate names, its credential the certificate's JSON (as
//! [`SignedCertificate::to_json`] writes it), and its signatures are made with the key behind
//! that PeerId: the key Noise authenticates the node with. A certificate renewed for the same
//! key keeps the writer, so what was signed before still verifies.

use crate::cert::{RootPublicKey, SignedCertificate};
use automerge::ActorId;
use kitanetz_crdt::policy::Membership;
use kitanetz_sync::{ChangeSigner, ChangeVerifier, Signing, WriterId};
use libp2p::identity::{Keypair, PublicKey};
use libp2p::PeerId;
use std::collections::{BTreeSet, HashMap};
use std::sync::{Arc, Mutex, RwLock};

/// The PeerIds revoked by the list in force, shared between the transport's admission and the
/// verifier (the node updates it when a newer list is put in force).
pub type RevokedPeers = Arc<RwLock<BTreeSet<String>>>;

/// Most parsed writer keys kept: far above the nodes of one city (about 400), low enough that
/// peers introducing made-up but root-signed credentials cannot grow it without bound.
const MAX_CACHED_KEYS: usize = 4096;

/// Signs this node's changes with its libp2p identity.
pub struct NodeSigner {
    key: Keypair,
    writer: WriterId,
    credential: Vec<u8>,
    actor: ActorId,
}

impl NodeSigner {
    /// The signer of a node with `key`, certified by `certificate`, that commits its own
    /// changes under `actor` (the store's actor id).
    pub fn new(key: Keypair, certificate: &SignedCertificate, actor: ActorId) -> NodeSigner {
        NodeSigner {
            writer: WriterId(key.public().to_peer_id().to_string()),
            credential: certificate.to_json().into_bytes(),
            key,
            actor,
        }
    }
}

impl ChangeSigner for NodeSigner {
    fn writer(&self) -> WriterId {
        self.writer.clone()
    }

    fn credential(&self) -> Vec<u8> {
        self.credential.clone()
    }

    fn actor(&self) -> ActorId {
        self.actor.clone()
    }

    fn sign(&self, payload: &[u8]) -> Vec<u8> {
        // Ed25519 signing cannot fail; an empty signature would only be refused by peers.
        self.key.sign(payload).unwrap_or_default()
    }
}

/// A writer's key and PeerId, parsed once from its credential.
#[derive(Clone)]
struct WriterKey {
    peer: String,
    key: PublicKey,
}

/// Checks other writers' certificates against the city's root key and the revocation list in
/// force, and their signatures against the key their certificate names.
///
/// Expiry is deliberately not checked: a change signed while its writer's certificate was valid
/// stays valid (and relayable) after the certificate expires, as a signed letter stays signed.
/// A node with an expired certificate cannot connect, so it cannot sign anything new that
/// reaches anyone; revocation, by contrast, withdraws the trust in everything the key signed.
pub struct CertVerifier {
    root: RootPublicKey,
    revoked: RevokedPeers,
    /// Parsed keys by credential (the certificate names one key).
    keys: Mutex<HashMap<Vec<u8>, WriterKey>>,
}

impl CertVerifier {
    pub fn new(root: RootPublicKey, revoked: RevokedPeers) -> CertVerifier {
        CertVerifier {
            root,
            revoked,
            keys: Mutex::new(HashMap::new()),
        }
    }

    fn is_revoked(&self, peer: &str) -> bool {
        self.revoked
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .contains(peer)
    }

    /// The certificate's root-checked content and its writer's key; `None` for anything that
    /// does not verify.
    fn parse(&self, credential: &[u8]) -> Option<(Membership, WriterKey)> {
        let certificate = SignedCertificate::from_json(credential)
            .ok()?
            .verify(&self.root)
            .ok()?;
        let key = peer_key(&certificate.peer_id)?;
        Some((
            certificate.membership,
            WriterKey {
                peer: certificate.peer_id,
                key,
            },
        ))
    }

    fn cached(&self, credential: &[u8]) -> Option<WriterKey> {
        let keys = self.keys.lock().unwrap_or_else(|p| p.into_inner());
        keys.get(credential).cloned()
    }

    fn remember(&self, credential: &[u8], key: WriterKey) {
        let mut keys = self.keys.lock().unwrap_or_else(|p| p.into_inner());
        if keys.len() >= MAX_CACHED_KEYS {
            keys.clear();
        }
        keys.insert(credential.to_vec(), key);
    }
}

/// The public key a PeerId inlines (libp2p inlines Ed25519 keys in the identity multihash);
/// `None` for a PeerId that is a hash of its key, which cannot be checked without the key.
fn peer_key(peer: &str) -> Option<PublicKey> {
    let peer: PeerId = peer.parse().ok()?;
    let hash = peer.as_ref();
    if hash.code() != 0 {
        return None;
    }
    let key = PublicKey::try_decode_protobuf(hash.digest()).ok()?;
    (key.to_peer_id() == peer).then_some(key)
}

impl ChangeVerifier for CertVerifier {
    fn admit(&self, credential: &[u8]) -> Option<(WriterId, Membership)> {
        let (membership, key) = self.parse(credential)?;
        if self.is_revoked(&key.peer) {
            return None;
        }
        let writer = WriterId(key.peer.clone());
        self.remember(credential, key);
        Some((writer, membership))
    }

    fn verify(&self, credential: &[u8], payload: &[u8], signature: &[u8]) -> bool {
        let key = match self.cached(credential) {
            Some(k) => k,
            None => match self.parse(credential) {
                Some((_, k)) => {
                    self.remember(credential, k.clone());
                    k
                }
                None => return false,
            },
        };
        // Checked again: a list put in force during a session takes effect at once.
        !self.is_revoked(&key.peer) && key.key.verify(payload, signature)
    }
}

/// The signing of a node: its key and certificate, the root and the revocations in force.
pub fn node_signing(
    key: Keypair,
    certificate: &SignedCertificate,
    actor: ActorId,
    root: RootPublicKey,
    revoked: RevokedPeers,
) -> Signing {
    Signing {
        signer: Box::new(NodeSigner::new(key, certificate, actor)),
        verifier: Box::new(CertVerifier::new(root, revoked)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cert::{generate_root, issue_certificate};
    use kitanetz_crdt::ids::{city_org, OrgId};
    use kitanetz_crdt::policy::NodeRole;

    fn city() -> Membership {
        Membership {
            role: NodeRole::City,
            organisation: city_org(),
            provider: None,
            facility: None,
        }
    }

    struct World {
        _dir: tempfile::TempDir,
        root: crate::cert::RootKey,
    }

    fn world() -> World {
        let dir = tempfile::tempdir().unwrap();
        let root = generate_root(&dir.path().join("root.key")).unwrap();
        World { _dir: dir, root }
    }

    fn signer(w: &World, key: &Keypair, expires_on: u64) -> NodeSigner {
        let cert = issue_certificate(
            &w.root,
            &key.public().to_peer_id(),
            "city",
            city(),
            0,
            expires_on,
        );
        NodeSigner::new(key.clone(), &cert, ActorId::from(&[7u8; 16][..]))
    }

    #[test]
    fn a_signature_verifies_against_the_certified_key_and_nothing_else() {
        let w = world();
        let key = Keypair::generate_ed25519();
        // Expired long ago: what it signed stays valid.
        let s = signer(&w, &key, 1);
        let v = CertVerifier::new(w.root.public_key(), RevokedPeers::default());
        let (writer, membership) = v.admit(&s.credential()).expect("admitted");
        assert_eq!(writer, s.writer());
        assert_eq!(writer.0, key.public().to_peer_id().to_string());
        assert_eq!(membership, city());
        let sig = s.sign(b"payload");
        assert!(v.verify(&s.credential(), b"payload", &sig));
        assert!(!v.verify(&s.credential(), b"other payload", &sig));
        let mut bad = sig.clone();
        bad[0] ^= 1;
        assert!(!v.verify(&s.credential(), b"payload", &bad));
        assert!(!v.verify(&s.credential(), b"payload", b"short"));

        // A certificate naming this key, signed by another root, is refused.
        let other = world();
        let foreign = signer(&other, &key, u64::MAX);
        assert!(v.admit(&foreign.credential()).is_none());
        assert!(!v.verify(&foreign.credential(), b"payload", &sig));

        // A key's signature does not pass for another writer's.
        let mallory = signer(&w, &Keypair::generate_ed25519(), u64::MAX);
        assert!(v.admit(&mallory.credential()).is_some());
        assert!(!v.verify(&s.credential(), b"payload", &mallory.sign(b"payload")));

        // Garbage is refused, never a panic.
        assert!(v.admit(b"").is_none());
        assert!(v.admit(b"{\"body\":\"x\",\"signature\":\"zz\"}").is_none());
        assert!(!v.verify(b"not json", b"payload", &sig));
    }

    #[test]
    fn a_revoked_writer_is_refused_even_mid_session() {
        let w = world();
        let key = Keypair::generate_ed25519();
        let s = signer(&w, &key, u64::MAX);
        let revoked = RevokedPeers::default();
        let v = CertVerifier::new(w.root.public_key(), revoked.clone());
        assert!(v.admit(&s.credential()).is_some());
        let sig = s.sign(b"payload");
        assert!(v.verify(&s.credential(), b"payload", &sig));
        revoked.write().unwrap().insert(s.writer().0);
        assert!(!v.verify(&s.credential(), b"payload", &sig));
        assert!(v.admit(&s.credential()).is_none());
    }

    #[test]
    fn a_certificate_whose_peer_id_is_no_key_is_refused() {
        let w = world();
        // A PeerId whose bytes are no public key cannot be checked: refused.
        let hashed = PeerId::random();
        let cert = issue_certificate(
            &w.root,
            &hashed,
            "x",
            Membership {
                role: NodeRole::Kita,
                organisation: OrgId("org-k".into()),
                provider: None,
                facility: None,
            },
            0,
            u64::MAX,
        );
        let v = CertVerifier::new(w.root.public_key(), RevokedPeers::default());
        assert!(v.admit(cert.to_json().as_bytes()).is_none());
    }
}
