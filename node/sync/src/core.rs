//! The per-node sync state machine: events in, messages out, policy checked at every step.

use crate::repo::{DocRepo, RepoError};
use crate::sign::{change_payload, erasure_payload, ChangeSignature, Signing, WriterId, ERASURE};
use crate::wire::{Msg, SignedErasure, WireSignature};
use automerge::sync::{self, SyncDoc};
use automerge::{ActorId, AutoCommit, ChangeHash, ROOT};
use kitanetz_crdt::doc::catch_decoder_panic;
use kitanetz_crdt::policy::{may_hold, may_write, Membership};
use kitanetz_crdt::{DocId, DocMeta};
use std::collections::{BTreeMap, BTreeSet};
use std::panic::AssertUnwindSafe;

/// How the transport names a peer (the node name bound in its certificate). Also the key under
/// which per-peer sync states are persisted.
pub type PeerName = String;

/// Largest automerge sync message reassembled from fragments. Far above any real document
/// (a Kita's 200 children stay in the low MiB) and low enough that a peer cannot exhaust memory.
const MAX_REASSEMBLED: usize = 256 * 1024 * 1024;

/// Most signatures kept per peer for changes not applied yet (their dependencies still
/// missing). A bootstrap of a Kita with three years of history carries about a thousand.
const MAX_PENDING_SIGNATURES: usize = 1_000_000;

/// Most signatures in one [`Msg::Signatures`] (each at most 290 bytes: under [`MAX_MESSAGE`]).
///
/// [`MAX_MESSAGE`]: crate::MAX_MESSAGE
const SIGNATURES_PER_MESSAGE: usize = 3000;

/// A message for the shell to send.
#[derive(Debug, Clone, PartialEq)]
pub struct Outgoing {
    pub to: PeerName,
    pub msg: Msg,
}

/// Why a message or event was refused. Refusals change nothing: the document, its sync state and
/// the repo are left as they were.
#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    #[error("message from {0}, which is not connected")]
    UnknownPeer(PeerName),
    #[error("{peer} may not write document {doc}: its changes are refused")]
    NotAWriter { peer: PeerName, doc: DocId },
    #[error(
        "{peer} may not write document {doc} and relays a change without a valid signature by \
         a writer ({reason}): refused"
    )]
    Unsigned {
        peer: PeerName,
        doc: DocId,
        reason: &'static str,
    },
    #[error("{peer} names writer {index}, which it did not introduce")]
    UnknownWriter { peer: PeerName, index: u16 },
    #[error("{peer} sent more than {MAX_PENDING_SIGNATURES} signatures of changes not applied")]
    TooManySignatures { peer: PeerName },
    #[error("document {doc} may not be held here ({reason}): refused")]
    NotForThisNode { doc: DocId, reason: &'static str },
    #[error("document {doc} is not shared with {peer}")]
    NotShared { peer: PeerName, doc: DocId },
    #[error("document {doc} was erased here and is never taken in again")]
    Tombstoned { doc: DocId },
    #[error("first message about unknown document {doc} carries no metadata")]
    MissingMeta { doc: DocId },
    #[error("document {doc}: {message}")]
    BadDocument { doc: DocId, message: String },
    #[error("document {doc}: reassembled message over {MAX_REASSEMBLED} bytes")]
    TooLarge { doc: DocId },
    #[error("document {doc} is not held here")]
    NotHeld { doc: DocId },
    #[error(transparent)]
    Repo(#[from] RepoError),
}

/// One connected peer.
struct Session {
    membership: Membership,
    /// The node whose relay carries this link (a Kita's link to the city through its Träger
    /// office), if any: documents it may hold itself are not offered on this link, as the
    /// relay already passes them on (see [`SyncCore::on_connect_relayed`]).
    relay: Option<Membership>,
    /// Live sync states per document (loaded from the repo on first use).
    states: BTreeMap<DocId, sync::State>,
    /// Documents whose metadata this peer has been sent in this session.
    announced: BTreeSet<DocId>,
    /// Documents the peer offered that are not held here yet (empty until changes arrive).
    incoming: BTreeMap<DocId, (DocMeta, AutoCommit)>,
    /// Fragments of an automerge message being reassembled.
    partial: BTreeMap<DocId, Vec<u8>>,
    /// Writers introduced to this peer in this session, with the index they go by.
    writers_out: BTreeMap<WriterId, u16>,
    /// Writers the peer introduced: the verified writer, or `None` if its credential was refused.
    writers_in: BTreeMap<u16, Option<Writer>>,
    /// Signatures the peer sent for changes not applied here yet.
    pending: BTreeMap<DocId, BTreeMap<ChangeHash, (u16, Vec<u8>)>>,
    pending_count: usize,
}

impl Session {
    fn new(membership: Membership, relay: Option<Membership>) -> Session {
        Session {
            membership,
            relay,
            states: BTreeMap::new(),
            announced: BTreeSet::new(),
            incoming: BTreeMap::new(),
            partial: BTreeMap::new(),
            writers_out: BTreeMap::new(),
            writers_in: BTreeMap::new(),
            pending: BTreeMap::new(),
            pending_count: 0,
        }
    }

    fn drop_pending(&mut self, doc: &DocId) {
        if let Some(p) = self.pending.remove(doc) {
            self.pending_count -= p.len();
        }
    }
}

/// A writer whose credential the verifier admitted.
#[derive(Clone)]
struct Writer {
    id: WriterId,
    membership: Membership,
    credential: Vec<u8>,
}

/// The sync state machine of one node. Pure: no clock, no randomness, no I/O besides `R`.
pub struct SyncCore<R: DocRepo> {
    me: Membership,
    name: String,
    repo: R,
    peers: BTreeMap<PeerName, Session>,
    /// With signing, this node signs its own changes, verifies others' and relays.
    signing: Option<Signing>,
}

impl<R: DocRepo> SyncCore<R> {
    /// A core over a repo. After a restart, create it again over the same repo: sync states are
    /// loaded from there, so reconnecting peers exchange only what changed.
    pub fn new(me: Membership, name: impl Into<String>, repo: R) -> Self {
        SyncCore {
            me,
            name: name.into(),
            repo,
            peers: BTreeMap::new(),
            signing: None,
        }
    }

    /// Turns relaying on (see [`crate::sign`]): the core signs the changes this node makes,
    /// sends every signature it holds with the changes, takes changes from a peer that may not
    /// write a document when each carries a valid writer's signature, and syncs a document with
    /// every peer that may hold it, not only with writers.
    pub fn with_signing(mut self, signing: Signing) -> Self {
        self.signing = Some(signing);
        self
    }

    /// Whether this core relays (has [`Signing`]).
    pub fn relays(&self) -> bool {
        self.signing.is_some()
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn membership(&self) -> &Membership {
        &self.me
    }

    pub fn repo(&self) -> &R {
        &self.repo
    }

    /// The repo, for the node's own writes (then call [`SyncCore::on_local_change`]).
    pub fn repo_mut(&mut self) -> &mut R {
        &mut self.repo
    }

    pub fn into_repo(self) -> R {
        self.repo
    }

    /// A peer connected; `membership` comes from its verified certificate, never from what the
    /// peer says about itself. Starts syncing every document both sides should share and tells
    /// the peer about erasures it has to follow.
    pub fn on_connect(&mut self, peer: &str, membership: Membership) -> Vec<Outgoing> {
        self.connect(peer, membership, None)
    }

    /// As [`SyncCore::on_connect`], for a link that runs through `relay`'s relay (a Kita and
    /// the city through the Kita's Träger office). Both ends offer on it the documents the relay
    /// may not hold (the placement documents) and their own; others' documents reach the peer
    /// through the relay node itself, signed, and offering them twice doubles a bootstrap's
    /// bytes (`relay-bench`). What the peer offers anyway is answered as on any link.
    pub fn on_connect_relayed(
        &mut self,
        peer: &str,
        membership: Membership,
        relay: Membership,
    ) -> Vec<Outgoing> {
        self.connect(peer, membership, Some(relay))
    }

    fn connect(
        &mut self,
        peer: &str,
        membership: Membership,
        relay: Option<Membership>,
    ) -> Vec<Outgoing> {
        self.peers
            .insert(peer.to_string(), Session::new(membership, relay));
        let mut out = Vec::new();
        let mut erased = Vec::new();
        let mut signed = Vec::new();
        for (doc, meta) in self.repo.tombstones() {
            if !may_hold(&self.peers[peer].membership, &meta) {
                continue;
            }
            match self.erasure_signature(&doc, &meta) {
                Some(sig) => signed.push((doc, meta, sig)),
                None if may_write(&self.me, &meta) => erased.push((doc, meta)),
                None => {}
            }
        }
        out.extend(Msg::erased_batches(erased).into_iter().map(|msg| Outgoing {
            to: peer.to_string(),
            msg,
        }));
        for (doc, meta, sig) in signed {
            self.send_signed_erasure(peer, doc, meta, sig, &mut out);
        }
        for (doc, meta) in self.repo.list() {
            if self.offered(peer, &meta) {
                self.generate(peer, &doc, &meta, &mut out);
            }
        }
        out
    }

    /// Whether this node starts syncing a document with `peer` (rather than only answering
    /// it): on a relayed link, not a document of another writer that the relay may hold (the
    /// relay passes it on, signed). Its own documents it offers everywhere: changes made
    /// before signing was on (or by the demo seed) carry no signature, so only their writer
    /// can hand them over.
    fn offered(&self, peer: &str, meta: &DocMeta) -> bool {
        self.peers
            .get(peer)
            .and_then(|s| s.relay.as_ref())
            .is_none_or(|relay| !may_hold(relay, meta) || may_write(&self.me, meta))
    }

    /// The link to a peer closed. Sync states are already persisted after every message.
    pub fn on_disconnect(&mut self, peer: &str) {
        self.peers.remove(peer);
    }

    /// The node committed a change to `doc` (or created it): offer it to every connected peer
    /// that shares it.
    /// A document the node erased itself (its store dropped it and kept a tombstone) counts as
    /// a local change too: connected holders are told to erase it, as [`SyncCore::erase`]
    /// would have.
    pub fn on_local_change(&mut self, doc: &DocId) -> Vec<Outgoing> {
        let mut out = Vec::new();
        if let Some(meta) = self.repo.meta(doc) {
            let peers: Vec<PeerName> = self.peers.keys().cloned().collect();
            for peer in peers {
                if self.offered(&peer, &meta) {
                    self.generate(&peer, doc, &meta, &mut out);
                }
            }
        } else if self.repo.is_tombstoned(doc) {
            if let Some((_, meta)) = self.repo.tombstones().into_iter().find(|(d, _)| d == doc) {
                let sig = self.erasure_signature(doc, &meta);
                out = self.forget_and_tell(doc, &meta, None, sig);
            }
        }
        out
    }

    /// Erases a document this node may write: drops it, keeps a tombstone and tells every
    /// connected peer that holds it.
    pub fn erase(&mut self, doc: &DocId) -> Result<Vec<Outgoing>, SyncError> {
        let meta = self
            .repo
            .meta(doc)
            .ok_or_else(|| SyncError::NotHeld { doc: doc.clone() })?;
        if !may_write(&self.me, &meta) {
            return Err(SyncError::NotAWriter {
                peer: self.name.clone(),
                doc: doc.clone(),
            });
        }
        self.repo.erase(doc, meta.clone())?;
        let sig = self.erasure_signature(doc, &meta);
        Ok(self.forget_and_tell(doc, &meta, None, sig))
    }

    /// A message arrived from a connected peer.
    pub fn on_message(&mut self, peer: &str, msg: Msg) -> Result<Vec<Outgoing>, SyncError> {
        if !self.peers.contains_key(peer) {
            return Err(SyncError::UnknownPeer(peer.to_string()));
        }
        self.repo.receiving_from(peer);
        match msg {
            Msg::Sync {
                doc,
                meta,
                more,
                data,
            } => {
                let session = self.peers.get_mut(peer).expect("checked");
                let buf = session.partial.entry(doc.clone()).or_default();
                if buf.len() + data.len() > MAX_REASSEMBLED {
                    session.partial.remove(&doc);
                    return Err(SyncError::TooLarge { doc });
                }
                buf.extend_from_slice(&data);
                if more {
                    // Keep the metadata of the first fragment for the last one.
                    if let Some(m) = meta {
                        session.incoming.entry(doc.clone()).or_insert_with(|| {
                            (m, AutoCommit::new().with_actor(actor(&self.name)))
                        });
                    }
                    return Ok(Vec::new());
                }
                let data = session.partial.remove(&doc).unwrap_or_default();
                self.on_sync(peer, doc, meta, data)
            }
            Msg::Erased { docs } => self.on_erased(peer, docs),
            Msg::Writer { index, credential } => {
                let admitted = self.signing.as_ref().and_then(|s| {
                    s.verifier
                        .admit(&credential)
                        .map(|(id, membership)| Writer {
                            id,
                            membership,
                            credential,
                        })
                });
                let session = self.peers.get_mut(peer).expect("checked");
                session.writers_in.insert(index, admitted);
                Ok(Vec::new())
            }
            Msg::Signatures { doc, sigs } => {
                let session = self.peers.get_mut(peer).expect("checked");
                if self.signing.is_none() {
                    // Cannot check them: changes from non-writers are refused anyway.
                    return Ok(Vec::new());
                }
                let pending = session.pending.entry(doc).or_default();
                for s in sigs {
                    if !session.writers_in.contains_key(&s.writer) {
                        return Err(SyncError::UnknownWriter {
                            peer: peer.to_string(),
                            index: s.writer,
                        });
                    }
                    if pending.insert(s.hash, (s.writer, s.signature)).is_none() {
                        session.pending_count += 1;
                    }
                }
                if session.pending_count > MAX_PENDING_SIGNATURES {
                    session.pending.clear();
                    session.pending_count = 0;
                    return Err(SyncError::TooManySignatures {
                        peer: peer.to_string(),
                    });
                }
                Ok(Vec::new())
            }
            Msg::SignedErased { docs } => self.on_signed_erased(peer, docs),
        }
    }

    fn on_sync(
        &mut self,
        peer: &str,
        doc: DocId,
        claimed: Option<DocMeta>,
        data: Vec<u8>,
    ) -> Result<Vec<Outgoing>, SyncError> {
        if self.repo.is_tombstoned(&doc) {
            return self.stale_offer(peer, doc);
        }
        // automerge may panic on malformed input instead of refusing it (see
        // `catch_decoder_panic`); every decoding of peer bytes below is guarded, and the ones
        // that apply changes work on a copy that is dropped on failure.
        let message = catch_decoder_panic(|| sync::Message::decode(&data))
            .map_err(|m| bad(&doc, m))?
            .map_err(|e| bad(&doc, e))?;
        let carries_changes = !message.changes.is_empty();
        let session = self.peers.get(peer).expect("checked by caller");
        let known = self.repo.meta(&doc);
        let meta = match (&known, session.incoming.get(&doc), claimed) {
            (Some(m), _, _) => m.clone(),
            (None, Some((m, _)), _) => m.clone(),
            (None, None, Some(m)) => m,
            (None, None, None) => return Err(SyncError::MissingMeta { doc }),
        };
        if known.is_none() && !may_hold(&self.me, &meta) {
            return Err(SyncError::NotForThisNode {
                doc,
                reason: "visibility",
            });
        }
        if !self.shared(&session.membership, &meta) {
            return Err(SyncError::NotShared {
                peer: peer.to_string(),
                doc,
            });
        }
        // A writer's changes are taken as they come (the rule before relaying, which keeps
        // older peers working); a peer that may not write must show a writer's signature for
        // every change it hands over (checked once the changes are applied to a copy).
        let peer_writes = may_write(&session.membership, &meta);
        if carries_changes && !peer_writes && self.signing.is_none() {
            return Err(SyncError::NotAWriter {
                peer: peer.to_string(),
                doc,
            });
        }
        let mut state = self.state(peer, &doc, &meta);

        let mut changed = false;
        // The metadata after this message (a put may carry an updated one): generate with it
        // without asking the repository again.
        let mut meta = meta;
        match known {
            Some(_) => {
                let am = self.repo.doc_mut(&doc)?.expect("meta implies held");
                if carries_changes {
                    // Apply to a copy: if the result breaks an invariant, nothing is applied.
                    let before = am.get_heads();
                    let mut copy = am.clone();
                    receive(&doc, &mut copy, &mut state, message)?;
                    let new_meta = checked_meta(&self.me, &doc, &meta, &mut copy)?;
                    changed = copy.get_heads() != before;
                    if changed {
                        self.take_signatures(peer, &doc, &meta, &mut copy, &before)?;
                    }
                    self.repo.put(&doc, new_meta.clone(), copy)?;
                    meta = new_meta;
                } else {
                    // No changes: only the sync state learns the peer's heads.
                    receive(&doc, am, &mut state, message)?;
                }
            }
            None => {
                let session = self.peers.get_mut(peer).expect("checked");
                let (_, am) = session.incoming.entry(doc.clone()).or_insert_with(|| {
                    (
                        meta.clone(),
                        AutoCommit::new().with_actor(actor(&self.name)),
                    )
                });
                let mut copy = am.clone();
                receive(&doc, &mut copy, &mut state, message)?;
                if copy.get_heads().is_empty() {
                    *am = copy;
                } else {
                    let new_meta = checked_meta(&self.me, &doc, &meta, &mut copy)?;
                    self.take_signatures(peer, &doc, &meta, &mut copy, &[])?;
                    let session = self.peers.get_mut(peer).expect("checked");
                    session.incoming.remove(&doc);
                    self.repo.put(&doc, new_meta.clone(), copy)?;
                    meta = new_meta;
                    changed = true;
                }
            }
        }
        self.repo.save_sync_state(peer, &doc, state.encode())?;
        self.peers
            .get_mut(peer)
            .expect("checked")
            .states
            .insert(doc.clone(), state);

        let mut out = Vec::new();
        self.generate(peer, &doc, &meta, &mut out);
        if changed {
            // Hand the news on to the other peers that share the document. Invariants across
            // organisations (a place given twice, a month overbooked) are not decided here: the
            // owners' merged documents show them as conflict records (node::conflicts).
            let others: Vec<PeerName> = self
                .peers
                .keys()
                .filter(|p| p.as_str() != peer)
                .cloned()
                .collect();
            for other in others {
                if self.offered(&other, &meta) {
                    self.generate(&other, &doc, &meta, &mut out);
                }
            }
        }
        Ok(out)
    }

    /// A peer offered a document erased here. Never taken in; a writer tells the peer to erase
    /// its stale copy too (the peer was offline when the erasure went out).
    fn stale_offer(&mut self, peer: &str, doc: DocId) -> Result<Vec<Outgoing>, SyncError> {
        let meta = self
            .repo
            .tombstones()
            .into_iter()
            .find_map(|(d, m)| (d == doc).then_some(m));
        let Some(meta) = meta else {
            return Err(SyncError::Tombstoned { doc });
        };
        if !may_hold(&self.peers[peer].membership, &meta) {
            return Err(SyncError::Tombstoned { doc });
        }
        let mut out = Vec::new();
        match self.erasure_signature(&doc, &meta) {
            Some(sig) => self.send_signed_erasure(peer, doc, meta, sig, &mut out),
            None if may_write(&self.me, &meta) => out.push(Outgoing {
                to: peer.to_string(),
                msg: Msg::Erased {
                    docs: vec![(doc, meta)],
                },
            }),
            None => return Err(SyncError::Tombstoned { doc }),
        }
        Ok(out)
    }

    fn on_erased(
        &mut self,
        peer: &str,
        docs: Vec<(DocId, DocMeta)>,
    ) -> Result<Vec<Outgoing>, SyncError> {
        let membership = self.peers[peer].membership.clone();
        // Check everything first: a refused entry refuses the whole message.
        let mut todo = Vec::new();
        for (doc, claimed) in docs {
            let meta = self.repo.meta(&doc).unwrap_or(claimed);
            if !may_write(&membership, &meta) {
                return Err(SyncError::NotAWriter {
                    peer: peer.to_string(),
                    doc,
                });
            }
            if may_hold(&self.me, &meta) && !self.repo.is_tombstoned(&doc) {
                todo.push((doc, meta));
            }
        }
        let mut out = Vec::new();
        for (doc, meta) in todo {
            self.repo.erase(&doc, meta.clone())?;
            let sig = self.erasure_signature(&doc, &meta);
            out.extend(self.forget_and_tell(&doc, &meta, Some(peer), sig));
        }
        Ok(out)
    }

    /// Erasures signed by writers: taken from any peer (a relay) when the signature is valid
    /// and its writer may write the document, or from a writer peer as [`Msg::Erased`] is.
    fn on_signed_erased(
        &mut self,
        peer: &str,
        docs: Vec<SignedErasure>,
    ) -> Result<Vec<Outgoing>, SyncError> {
        let session = &self.peers[peer];
        let mut todo = Vec::new();
        for e in docs {
            let meta = self.repo.meta(&e.doc).unwrap_or(e.meta);
            let signed = match (&self.signing, session.writers_in.get(&e.writer)) {
                (Some(signing), Some(Some(w))) => {
                    may_write(&w.membership, &meta)
                        && signing.verifier.verify(
                            &w.credential,
                            &erasure_payload(&e.doc),
                            &e.signature,
                        )
                }
                _ => false,
            };
            if !signed && !may_write(&session.membership, &meta) {
                return Err(SyncError::Unsigned {
                    peer: peer.to_string(),
                    doc: e.doc,
                    reason: "erasure",
                });
            }
            if may_hold(&self.me, &meta) && !self.repo.is_tombstoned(&e.doc) {
                let sig = match session.writers_in.get(&e.writer) {
                    Some(Some(w)) if signed => Some((w.clone(), e.signature)),
                    _ => None,
                };
                todo.push((e.doc, meta, sig));
            }
        }
        let mut out = Vec::new();
        for (doc, meta, sig) in todo {
            self.repo.erase(&doc, meta.clone())?;
            let sig = match sig {
                Some((w, signature)) => {
                    let sig = ChangeSignature {
                        hash: ERASURE,
                        writer: w.id.clone(),
                        signature,
                    };
                    self.repo.save_writer(&w.id, &w.credential)?;
                    self.repo
                        .save_signatures(&doc, std::slice::from_ref(&sig))?;
                    Some(sig)
                }
                None => self.erasure_signature(&doc, &meta),
            };
            out.extend(self.forget_and_tell(&doc, &meta, Some(peer), sig));
        }
        Ok(out)
    }

    /// The stored signature of a document's erasure, or a new one if this node may write the
    /// document and signs.
    fn erasure_signature(&mut self, doc: &DocId, meta: &DocMeta) -> Option<ChangeSignature> {
        let signing = self.signing.as_ref()?;
        if let Some(sig) = self.repo.signatures(doc, &[ERASURE]).into_iter().next() {
            return Some(sig);
        }
        if !may_write(&self.me, meta) {
            return None;
        }
        let sig = ChangeSignature {
            hash: ERASURE,
            writer: signing.signer.writer(),
            signature: signing.signer.sign(&erasure_payload(doc)),
        };
        // Not stored: the next call signs again (erasures are rare; signing is deterministic
        // for ed25519). A failed save only costs that.
        let _ = self.repo.save_signatures(doc, std::slice::from_ref(&sig));
        Some(sig)
    }

    /// Sends a signed erasure, introducing its writer first if the peer does not know it.
    fn send_signed_erasure(
        &mut self,
        peer: &str,
        doc: DocId,
        meta: DocMeta,
        sig: ChangeSignature,
        out: &mut Vec<Outgoing>,
    ) {
        let Some(writer) = self.introduce(peer, &sig.writer, out) else {
            return;
        };
        out.push(Outgoing {
            to: peer.to_string(),
            msg: Msg::SignedErased {
                docs: vec![SignedErasure {
                    doc,
                    meta,
                    writer,
                    signature: sig.signature,
                }],
            },
        });
    }

    /// The index `writer` goes by towards `peer`, sending its credential first if this is its
    /// first use in the session. `None` if the credential is not known here.
    fn introduce(&mut self, peer: &str, writer: &WriterId, out: &mut Vec<Outgoing>) -> Option<u16> {
        let session = self.peers.get(peer)?;
        if let Some(i) = session.writers_out.get(writer) {
            return Some(*i);
        }
        let own = self
            .signing
            .as_ref()
            .filter(|s| &s.signer.writer() == writer)
            .map(|s| s.signer.credential());
        let credential = own.or_else(|| self.repo.writer_credential(writer))?;
        let session = self.peers.get_mut(peer)?;
        let index = u16::try_from(session.writers_out.len()).ok()?;
        session.writers_out.insert(writer.clone(), index);
        out.push(Outgoing {
            to: peer.to_string(),
            msg: Msg::Writer { index, credential },
        });
        Some(index)
    }

    /// Checks the signatures of the changes a peer's message added to `copy` (those not in
    /// `before`) and stores the valid ones. From a peer that may not write the document, every
    /// added change needs a valid signature by a writer whose verified membership may write it;
    /// from a writer peer, changes without one are taken all the same (and cannot be relayed
    /// from here).
    fn take_signatures(
        &mut self,
        peer: &str,
        doc: &DocId,
        meta: &DocMeta,
        copy: &mut AutoCommit,
        before: &[ChangeHash],
    ) -> Result<(), SyncError> {
        let session = self.peers.get_mut(peer).expect("checked");
        let peer_writes = may_write(&session.membership, meta);
        let Some(signing) = &self.signing else {
            return Ok(());
        };
        let added: Vec<ChangeHash> = copy
            .get_changes_meta(before)
            .into_iter()
            .map(|c| c.hash)
            .collect();
        let empty = BTreeMap::new();
        let pending = session.pending.get(doc).unwrap_or(&empty);
        let mut valid = Vec::new();
        let mut writers: BTreeMap<WriterId, Vec<u8>> = BTreeMap::new();
        for hash in &added {
            let checked = match pending.get(hash) {
                None => Err("unsigned"),
                Some((index, signature)) => match session.writers_in.get(index) {
                    Some(Some(w)) if !may_write(&w.membership, meta) => {
                        Err("signed by a node that may not write it")
                    }
                    Some(Some(w))
                        if signing.verifier.verify(
                            &w.credential,
                            &change_payload(doc, hash),
                            signature,
                        ) =>
                    {
                        Ok((w, signature))
                    }
                    Some(Some(_)) => Err("bad signature"),
                    _ => Err("writer's credential refused"),
                },
            };
            match checked {
                Ok((w, signature)) => {
                    writers
                        .entry(w.id.clone())
                        .or_insert_with(|| w.credential.clone());
                    valid.push(ChangeSignature {
                        hash: *hash,
                        writer: w.id.clone(),
                        signature: signature.clone(),
                    });
                }
                Err(reason) if !peer_writes => {
                    return Err(SyncError::Unsigned {
                        peer: peer.to_string(),
                        doc: doc.clone(),
                        reason,
                    })
                }
                Err(_) => {}
            }
        }
        if let Some(p) = session.pending.get_mut(doc) {
            for hash in &added {
                if p.remove(hash).is_some() {
                    session.pending_count -= 1;
                }
            }
            if p.is_empty() {
                session.pending.remove(doc);
            }
        }
        // Before the document: a crash in between leaves signatures of changes not stored,
        // never changes whose signatures are lost.
        for (id, credential) in writers {
            self.repo.save_writer(&id, &credential)?;
        }
        if !valid.is_empty() {
            self.repo.save_signatures(doc, &valid)?;
        }
        Ok(())
    }

    /// Drops every session's state about an erased document and, if this node may write it,
    /// tells the other connected holders.
    /// With a writer's signature of the erasure, it is passed on whether or not this node may
    /// write the document.
    fn forget_and_tell(
        &mut self,
        doc: &DocId,
        meta: &DocMeta,
        except: Option<&str>,
        sig: Option<ChangeSignature>,
    ) -> Vec<Outgoing> {
        let mut out = Vec::new();
        let tell = may_write(&self.me, meta) || sig.is_some();
        let mut told = Vec::new();
        for (name, s) in &mut self.peers {
            s.states.remove(doc);
            s.incoming.remove(doc);
            s.partial.remove(doc);
            s.drop_pending(doc);
            if tell && Some(name.as_str()) != except && may_hold(&s.membership, meta) {
                told.push(name.clone());
            }
        }
        for name in told {
            match &sig {
                Some(sig) => self.send_signed_erasure(
                    &name,
                    doc.clone(),
                    meta.clone(),
                    sig.clone(),
                    &mut out,
                ),
                None => out.push(Outgoing {
                    to: name,
                    msg: Msg::Erased {
                        docs: vec![(doc.clone(), meta.clone())],
                    },
                }),
            }
        }
        out
    }

    /// Whether this node syncs `meta` with a peer: the peer may hold it and at least one side
    /// may write it (two readers have nothing to give each other that either may accept).
    /// A relaying node (with [`Signing`]) syncs with every peer that may hold the document:
    /// either may hand on a writer's signed changes.
    fn shared(&self, peer: &Membership, meta: &DocMeta) -> bool {
        may_hold(peer, meta)
            && (self.signing.is_some() || may_write(&self.me, meta) || may_write(peer, meta))
    }

    /// The live sync state for a peer and document: from the session, else from the repo, else
    /// fresh. Read-only towards a peer that may not write (unless this node relays, and so
    /// takes signed changes from anyone), so that automerge tells the peer not to send changes
    /// and ignores any that come.
    fn state(&mut self, peer: &str, doc: &DocId, meta: &DocMeta) -> sync::State {
        let session = self.peers.get_mut(peer).expect("connected");
        let mut state = session.states.remove(doc).unwrap_or_else(|| {
            self.repo
                .sync_state(peer, doc)
                .and_then(|b| sync::State::decode(&b).ok())
                .unwrap_or_default()
        });
        state.read_only = !may_write(&session.membership, meta) && self.signing.is_none();
        state
    }

    /// Generates the next automerge message for `doc` towards `peer`, if the document is shared
    /// with it and there is anything to say.
    fn generate(&mut self, peer: &str, doc: &DocId, meta: &DocMeta, out: &mut Vec<Outgoing>) {
        let Some(session) = self.peers.get(peer) else {
            return;
        };
        if !self.shared(&session.membership, meta) {
            return;
        }
        let mut state = self.state(peer, doc, meta);
        let session = self.peers.get_mut(peer).expect("connected");
        // automerge sends the whole document (a v2 message) when a peer lacks more than a third
        // of the changes. For our small, often-edited documents that turns a one-field change
        // into a full resend (measured: 524 instead of 122 bytes). Whole documents are sent
        // only to a peer that has nothing yet (bootstrap), where the compressed form wins.
        let caps = state.their_capabilities.clone();
        let bootstrap = state.their_heads.as_ref().is_some_and(|h| h.is_empty());
        if !bootstrap {
            if let Some(c) = state.their_capabilities.as_mut() {
                c.retain(|c| *c != sync::Capability::MessageV2);
            }
        }
        // What was sent before, to find the changes this message carries and sign them.
        let sent_before = self.signing.as_ref().map(|_| state.sent_hashes.clone());
        let message = match self.repo.doc_mut(doc) {
            Ok(Some(am)) => am.sync().generate_sync_message(&mut state),
            Ok(None) => match session.incoming.get_mut(doc) {
                Some((_, am)) => am.sync().generate_sync_message(&mut state),
                None => None,
            },
            // A document that cannot be loaded is skipped; the next event retries it.
            Err(_) => None,
        };
        state.their_capabilities = caps;
        if let (Some(_), Some(before)) = (&message, sent_before) {
            let carried: Vec<ChangeHash> = state.sent_hashes.difference(&before).copied().collect();
            if !carried.is_empty() {
                self.send_signatures(peer, doc, meta, &carried, out);
            }
        }
        let session = self.peers.get_mut(peer).expect("connected");
        if let Some(message) = message {
            // The metadata goes with the first message of a session, unless the persisted
            // state shows the peer already has the document (saves ~200 bytes per document on
            // every reconnect).
            let first = session.announced.insert(doc.clone());
            let meta = (first && state.shared_heads.is_empty()).then(|| meta.clone());
            out.extend(
                Msg::sync_fragments(doc, meta, message.encode())
                    .into_iter()
                    .map(|msg| Outgoing {
                        to: peer.to_string(),
                        msg,
                    }),
            );
        }
        session.states.insert(doc.clone(), state);
    }
}

impl<R: DocRepo> SyncCore<R> {
    /// Sends the signatures of `carried` changes of `doc` that are known here, signing this
    /// node's own changes first if it may write the document. Goes before the sync message
    /// that carries the changes.
    fn send_signatures(
        &mut self,
        peer: &str,
        doc: &DocId,
        meta: &DocMeta,
        carried: &[ChangeHash],
        out: &mut Vec<Outgoing>,
    ) {
        let Some(signing) = &self.signing else {
            return;
        };
        let mut sigs = self.repo.signatures(doc, carried);
        if sigs.len() < carried.len() && may_write(&self.me, meta) {
            let have: BTreeSet<ChangeHash> = sigs.iter().map(|s| s.hash).collect();
            let actor = signing.signer.actor();
            let writer = signing.signer.writer();
            let mut new = Vec::new();
            if let Ok(Some(am)) = self.repo.doc_mut(doc) {
                for hash in carried.iter().filter(|h| !have.contains(h)) {
                    let own = am
                        .get_change_meta_by_hash(hash)
                        .is_some_and(|c| *c.actor == actor);
                    if own {
                        new.push(ChangeSignature {
                            hash: *hash,
                            writer: writer.clone(),
                            signature: signing.signer.sign(&change_payload(doc, hash)),
                        });
                    }
                }
            }
            // A signature that cannot be stored is made again next time.
            let _ = self.repo.save_signatures(doc, &new);
            sigs.extend(new);
        }
        if sigs.is_empty() {
            return;
        }
        let mut wire = Vec::with_capacity(sigs.len());
        for s in sigs {
            if s.signature.len() > crate::wire::MAX_SIGNATURE {
                continue;
            }
            if let Some(writer) = self.introduce(peer, &s.writer, out) {
                wire.push(WireSignature {
                    hash: s.hash,
                    writer,
                    signature: s.signature,
                });
            }
        }
        for chunk in wire.chunks(SIGNATURES_PER_MESSAGE) {
            out.push(Outgoing {
                to: peer.to_string(),
                msg: Msg::Signatures {
                    doc: doc.clone(),
                    sigs: chunk.to_vec(),
                },
            });
        }
    }
}

/// The actor this node uses for documents it receives. Deterministic (no randomness in the
/// core); the node's own writes set their actor when they load the document.
fn actor(name: &str) -> ActorId {
    ActorId::from(name.as_bytes())
}

/// Applies a peer's sync message, refusing it (instead of panicking) if automerge's decoder
/// panics on its changes. A refused message leaves `state` to be dropped by the caller.
fn receive(
    doc: &DocId,
    am: &mut AutoCommit,
    state: &mut sync::State,
    message: sync::Message,
) -> Result<(), SyncError> {
    // automerge applies the message's chunks joined, so a chunk may span two of them.
    let joined: Vec<u8> = message.changes.iter().flatten().copied().collect();
    kitanetz_crdt::screen::screen_chunks(&joined).map_err(|m| bad(doc, m))?;
    catch_decoder_panic(AssertUnwindSafe(|| {
        am.sync().receive_sync_message(state, message)
    }))
    .map_err(|m| bad(doc, m))?
    .map_err(|e| bad(doc, e))
}

fn bad(doc: &DocId, e: impl std::fmt::Display) -> SyncError {
    SyncError::BadDocument {
        doc: doc.clone(),
        message: e.to_string(),
    }
}

/// Reads the metadata of a document after merging and checks that the merge did not change what
/// the document is or who owns it, and that this node may still hold it.
fn checked_meta(
    me: &Membership,
    doc: &DocId,
    before: &DocMeta,
    am: &mut AutoCommit,
) -> Result<DocMeta, SyncError> {
    let meta: DocMeta = autosurgeon::hydrate_prop(&*am, ROOT, "meta").map_err(|e| bad(doc, e))?;
    if meta.kind != before.kind || meta.owner != before.owner {
        return Err(bad(
            doc,
            "kind or owner differs from the announced metadata",
        ));
    }
    if meta.schema > meta.kind.schema_version() {
        return Err(bad(
            doc,
            "schema newer than this node reads: update Kitanetz",
        ));
    }
    if !may_hold(me, &meta) {
        // TODO(issue 3): a re-scoped document (child moved Kita) should be dropped here, not
        // refused; needs the owner's scope change to travel as its own event.
        return Err(SyncError::NotForThisNode {
            doc: doc.clone(),
            reason: "re-scoped",
        });
    }
    Ok(meta)
}
