//! Where the sync core keeps documents, tombstones and per-peer sync states. The node implements
//! [`DocRepo`] over its SQLite store (chunks, `documents` table, a sync-state table); [`MemRepo`]
//! keeps everything in memory for tests and simulations.

use crate::sign::{ChangeSignature, WriterId};
use automerge::{AutoCommit, ChangeHash};
use kitanetz_crdt::{DocId, DocMeta};
use std::collections::{BTreeMap, BTreeSet};

/// A storage failure, passed through from the node's store.
#[derive(Debug, thiserror::Error)]
#[error("storage: {0}")]
pub struct RepoError(#[from] pub Box<dyn std::error::Error + Send + Sync>);

/// What the sync core needs from the node's storage.
///
/// The repo holds only documents this node may hold; the core checks that before [`put`] and the
/// store checks it again on import (two locks on one door).
///
/// [`put`]: DocRepo::put
pub trait DocRepo {
    /// Every document held here with its metadata.
    fn list(&self) -> Vec<(DocId, DocMeta)>;
    /// The metadata of a held document.
    fn meta(&self, doc: &DocId) -> Option<DocMeta>;
    /// The automerge document, loaded if need be; `None` if not held.
    fn doc_mut(&mut self, doc: &DocId) -> Result<Option<&mut AutoCommit>, RepoError>;
    /// Inserts or replaces a document and persists it (in one transaction with its metadata).
    fn put(&mut self, doc: &DocId, meta: DocMeta, am: AutoCommit) -> Result<(), RepoError>;
    /// Whether the document was erased here; an erased document is never taken in again.
    fn is_tombstoned(&self, doc: &DocId) -> bool;
    /// Drops the document and every sync state about it, and keeps a tombstone.
    fn erase(&mut self, doc: &DocId, meta: DocMeta) -> Result<(), RepoError>;
    /// Every tombstone with the metadata of the erased document (to tell peers).
    fn tombstones(&self) -> Vec<(DocId, DocMeta)>;
    /// The persisted `automerge::sync::State` for a peer and document (`State::encode`).
    fn sync_state(&self, peer: &str, doc: &DocId) -> Option<Vec<u8>>;
    /// Persists a sync state so that a reconnect after a restart does not start from scratch.
    fn save_sync_state(&mut self, peer: &str, doc: &DocId, state: Vec<u8>)
        -> Result<(), RepoError>;
    /// The peer whose message is handled next: what [`put`] and [`erase`] then write came from
    /// it (the audit log names it). Called by the core for every message, whatever the
    /// transport.
    ///
    /// [`put`]: DocRepo::put
    /// [`erase`]: DocRepo::erase
    fn receiving_from(&mut self, _peer: &str) {}

    // Signatures (relaying, `crate::sign`). The defaults store nothing: a repo that keeps them
    // not can still sync with writers directly, but cannot relay what it holds. The node keeps
    // them in two tables, written before the document's `put` so that a crash in between
    // leaves only signatures of changes not stored (harmless):
    //   change_signatures(doc_id, change_hash BLOB(32), writer, signature BLOB,
    //                     PRIMARY KEY (doc_id, change_hash))
    //   writers(writer PRIMARY KEY, credential BLOB)
    // `erase` deletes the document's rows of `change_signatures`; the erasure's own signature
    // (hash [`ERASURE`](crate::sign::ERASURE)) is saved after it and kept with the tombstone.

    /// The stored signatures of these changes of `doc` (those it has; any order).
    fn signatures(&self, _doc: &DocId, _hashes: &[ChangeHash]) -> Vec<ChangeSignature> {
        Vec::new()
    }
    /// Stores signatures of changes of `doc` (replacing one stored for the same hash).
    fn save_signatures(
        &mut self,
        _doc: &DocId,
        _sigs: &[ChangeSignature],
    ) -> Result<(), RepoError> {
        Ok(())
    }
    /// A writer's credential, stored with [`DocRepo::save_writer`].
    fn writer_credential(&self, _writer: &WriterId) -> Option<Vec<u8>> {
        None
    }
    /// Stores the credential of a writer whose signatures are stored (replacing an older one:
    /// a renewed certificate of the same key).
    fn save_writer(&mut self, _writer: &WriterId, _credential: &[u8]) -> Result<(), RepoError> {
        Ok(())
    }
}

/// In-memory [`DocRepo`]. Also remembers every document id it ever held, so that privacy tests
/// can check what a node received even if it was erased since.
#[derive(Debug, Default, Clone)]
pub struct MemRepo {
    docs: BTreeMap<DocId, (DocMeta, AutoCommit)>,
    tombstones: BTreeMap<DocId, DocMeta>,
    states: BTreeMap<(String, DocId), Vec<u8>>,
    ever_held: BTreeMap<DocId, DocMeta>,
    signatures: BTreeMap<DocId, BTreeMap<ChangeHash, ChangeSignature>>,
    writers: BTreeMap<WriterId, Vec<u8>>,
}

impl MemRepo {
    pub fn new() -> Self {
        Self::default()
    }

    /// The document, if held (read access for tests and dumps).
    pub fn get(&self, doc: &DocId) -> Option<&AutoCommit> {
        self.docs.get(doc).map(|(_, d)| d)
    }

    /// Heads of a held document, sorted.
    pub fn heads(&mut self, doc: &DocId) -> Option<Vec<automerge::ChangeHash>> {
        self.docs.get_mut(doc).map(|(_, d)| {
            let mut h = d.get_heads();
            h.sort();
            h
        })
    }

    /// Ids of every document held now.
    pub fn ids(&self) -> BTreeSet<DocId> {
        self.docs.keys().cloned().collect()
    }

    /// Every document this repo ever held, with its metadata when first taken in.
    pub fn ever_held(&self) -> &BTreeMap<DocId, DocMeta> {
        &self.ever_held
    }
}

impl DocRepo for MemRepo {
    fn list(&self) -> Vec<(DocId, DocMeta)> {
        self.docs
            .iter()
            .map(|(id, (m, _))| (id.clone(), m.clone()))
            .collect()
    }

    fn meta(&self, doc: &DocId) -> Option<DocMeta> {
        self.docs.get(doc).map(|(m, _)| m.clone())
    }

    fn doc_mut(&mut self, doc: &DocId) -> Result<Option<&mut AutoCommit>, RepoError> {
        Ok(self.docs.get_mut(doc).map(|(_, d)| d))
    }

    fn put(&mut self, doc: &DocId, meta: DocMeta, am: AutoCommit) -> Result<(), RepoError> {
        self.ever_held
            .entry(doc.clone())
            .or_insert_with(|| meta.clone());
        self.docs.insert(doc.clone(), (meta, am));
        Ok(())
    }

    fn is_tombstoned(&self, doc: &DocId) -> bool {
        self.tombstones.contains_key(doc)
    }

    fn erase(&mut self, doc: &DocId, meta: DocMeta) -> Result<(), RepoError> {
        self.docs.remove(doc);
        self.states.retain(|(_, d), _| d != doc);
        self.signatures.remove(doc);
        self.tombstones.insert(doc.clone(), meta);
        Ok(())
    }

    fn tombstones(&self) -> Vec<(DocId, DocMeta)> {
        self.tombstones
            .iter()
            .map(|(id, m)| (id.clone(), m.clone()))
            .collect()
    }

    fn sync_state(&self, peer: &str, doc: &DocId) -> Option<Vec<u8>> {
        self.states.get(&(peer.to_string(), doc.clone())).cloned()
    }

    fn save_sync_state(
        &mut self,
        peer: &str,
        doc: &DocId,
        state: Vec<u8>,
    ) -> Result<(), RepoError> {
        self.states.insert((peer.to_string(), doc.clone()), state);
        Ok(())
    }

    fn signatures(&self, doc: &DocId, hashes: &[ChangeHash]) -> Vec<ChangeSignature> {
        let Some(stored) = self.signatures.get(doc) else {
            return Vec::new();
        };
        hashes
            .iter()
            .filter_map(|h| stored.get(h).cloned())
            .collect()
    }

    fn save_signatures(&mut self, doc: &DocId, sigs: &[ChangeSignature]) -> Result<(), RepoError> {
        let stored = self.signatures.entry(doc.clone()).or_default();
        for s in sigs {
            stored.insert(s.hash, s.clone());
        }
        Ok(())
    }

    fn writer_credential(&self, writer: &WriterId) -> Option<Vec<u8>> {
        self.writers.get(writer).cloned()
    }

    fn save_writer(&mut self, writer: &WriterId, credential: &[u8]) -> Result<(), RepoError> {
        self.writers.insert(writer.clone(), credential.to_vec());
        Ok(())
    }
}
