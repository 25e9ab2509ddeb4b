//! Signed changes, so that a node may relay documents it may not write (issue #13 item 8).
//!
//! Automerge changes carry no author anyone can check: the actor id is whatever the writing
//! program chose. Without signatures the core can trust a change only as far as it trusts the
//! peer handing it over, so it takes changes only from peers that may write the document. With
//! signatures the trust rests on the writer instead: every change a node commits under its own
//! actor id is signed with its node key, the signature travels with the change, every node stores
//! it and passes it on, and every hop verifies it against the writer's credential (the node's
//! certificate, signed by the city root). A Kita behind a firewall that reaches only its Träger
//! office thus gets the city's licence through the office, and the city still decides alone what
//! its licence says.
//!
//! The crypto is injected: [`ChangeSigner`] and [`ChangeVerifier`] are implemented by the node
//! over its libp2p ed25519 key and its membership certificate (`kitanetz-p2p`), and by the test
//! fixtures over ring with a toy certificate. The core never parses a credential itself.
//!
//! What is signed ([`change_payload`], [`erasure_payload`]; persisted and on the wire, so part of
//! the format): a fixed context string, the document id and the automerge change hash (for an
//! erasure: the document id alone). Binding the document id means a signed change cannot be
//! replayed into another document.

use automerge::{ActorId, ChangeHash};
use kitanetz_crdt::policy::Membership;
use kitanetz_crdt::DocId;

/// Who signed: an id of the writer's key that the verifier derives from the credential (the
/// node: the libp2p `PeerId` of the key its certificate names). Stable for a key, so signatures
/// made before a certificate was renewed with the same key still verify; a new key is a new
/// writer. Persisted (`change_signatures.writer`, `writers.writer`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct WriterId(pub String);

impl std::fmt::Display for WriterId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// A writer's signature of one change (or, under [`ERASURE`], of the document's erasure), as
/// the repo stores it and the wire carries it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChangeSignature {
    pub hash: ChangeHash,
    pub writer: WriterId,
    pub signature: Vec<u8>,
}

/// The hash under which a document's erasure signature is stored (no automerge change hashes to
/// all zeros). Persisted.
pub const ERASURE: ChangeHash = ChangeHash([0; 32]);

/// Signs this node's changes. The node implements it with its libp2p identity key.
pub trait ChangeSigner {
    /// This node as a writer (the id [`ChangeVerifier::admit`] derives from [`credential`]).
    ///
    /// [`credential`]: ChangeSigner::credential
    fn writer(&self) -> WriterId;
    /// What a peer needs to check this node's signatures: the node's certificate bytes.
    fn credential(&self) -> Vec<u8>;
    /// The actor id this node commits its own changes under (the node: `Store::actor()`). The
    /// core signs exactly the changes made under it, never a change another node made.
    fn actor(&self) -> ActorId;
    /// Signs a payload ([`change_payload`], [`erasure_payload`]).
    fn sign(&self, payload: &[u8]) -> Vec<u8>;
}

/// Checks other writers' signatures. The node implements it over the city root key and the
/// revocation list in force.
pub trait ChangeVerifier {
    /// Checks a credential (certificate signed by the root, not revoked) and returns the
    /// writer's id and verified membership; `None` refuses it.
    fn admit(&self, credential: &[u8]) -> Option<(WriterId, Membership)>;
    /// Whether `signature` is the credential's key's signature of `payload`. Called only with
    /// credentials [`admit`](ChangeVerifier::admit) accepted.
    fn verify(&self, credential: &[u8], payload: &[u8], signature: &[u8]) -> bool;
}

/// The crypto a core relays with: sign its own changes, verify everyone else's.
pub struct Signing {
    pub signer: Box<dyn ChangeSigner + Send>,
    pub verifier: Box<dyn ChangeVerifier + Send>,
}

const CHANGE_CONTEXT: &[u8] = b"kitanetz/change/1\0";
const ERASURE_CONTEXT: &[u8] = b"kitanetz/erasure/1\0";

/// The bytes a writer signs for a change of `doc`. Persisted format.
pub fn change_payload(doc: &DocId, hash: &ChangeHash) -> Vec<u8> {
    let mut out = Vec::with_capacity(CHANGE_CONTEXT.len() + doc.0.len() + 33);
    out.extend_from_slice(CHANGE_CONTEXT);
    out.extend_from_slice(doc.0.as_bytes());
    out.push(0);
    out.extend_from_slice(&hash.0);
    out
}

/// The bytes a writer signs to erase `doc`. Persisted format.
pub fn erasure_payload(doc: &DocId) -> Vec<u8> {
    let mut out = Vec::with_capacity(ERASURE_CONTEXT.len() + doc.0.len());
    out.extend_from_slice(ERASURE_CONTEXT);
    out.extend_from_slice(doc.0.as_bytes());
    out
}
