//! Writing, loading and importing documents.

use super::audit::{self, AuditEntry};
use super::projections;
use super::subject_keys::{open_chunk, AtRestWrite, SubjectKeys};
use super::{Store, StoreError};
use kitanetz_crdt::doc::{Document, StoredDoc};
use kitanetz_crdt::meta::DocMeta;
use kitanetz_crdt::DocId;
use rusqlite::{params, Connection, OptionalExtension, Transaction};

/// After this many incremental chunks a document is compacted into one snapshot.
const COMPACT_AFTER_CHUNKS: i64 = 32;

/// One row of the `documents` table.
#[derive(Debug, Clone, serde::Serialize)]
pub struct DocRow {
    pub doc_id: String,
    pub kind: String,
    pub owner: String,
    pub provider: Option<String>,
    pub facilities: Vec<String>,
    pub visibility: String,
    pub heads: Vec<String>,
}

impl Store {
    /// How often documents of these kinds were written (locally or from peers): a number that
    /// grows with every such write.
    pub fn writes_of_kinds(&self, kinds: &[kitanetz_crdt::DocKind]) -> Result<i64, StoreError> {
        let mut total = 0;
        let mut stmt = self
            .conn
            .prepare_cached("SELECT writes FROM kind_changes WHERE kind = ?1")?;
        for kind in kinds {
            total += stmt
                .query_row([kind.as_str()], |r| r.get::<_, i64>(0))
                .optional()?
                .unwrap_or(0);
        }
        Ok(total)
    }

    /// Stores a document created or changed on this node, with its projection rows and the audit
    /// entry, in one transaction.
    pub fn save_doc(&mut self, doc: &mut StoredDoc, entry: &AuditEntry) -> Result<(), StoreError> {
        self.write_audited(
            entry,
            |tx, at_rest| {
                write_doc(tx, at_rest, doc, entry.at)?;
                mark_local_change(tx, &doc.id)
            },
            |_| Ok(()),
        )?;
        doc.mark_saved();
        Ok(())
    }

    /// The frame of every write of this node's own: `write` in one transaction with the
    /// at-rest keys, then the audit entry and `also` (the action's other rows), then the key
    /// file and the transaction committed. Nothing is written if any part fails.
    fn write_audited<R, E: From<StoreError>>(
        &mut self,
        entry: &AuditEntry,
        write: impl FnOnce(&Transaction<'_>, &AtRestWrite<'_>) -> Result<R, E>,
        also: impl FnOnce(&rusqlite::Connection) -> Result<(), StoreError>,
    ) -> Result<R, E> {
        let tx = self.conn.transaction().map_err(StoreError::from)?;
        let at_rest = AtRestWrite::begin(self.keys.as_ref(), self.seal_personal)?;
        let written = write(&tx, &at_rest)?;
        audit::append(&tx, entry)?;
        also(&tx)?;
        at_rest.commit(&tx)?;
        tx.commit().map_err(StoreError::from)?;
        Ok(written)
    }

    /// Stores several documents changed by one user action in one transaction.
    pub fn save_docs(
        &mut self,
        docs: &mut [&mut StoredDoc],
        entry: &AuditEntry,
    ) -> Result<(), StoreError> {
        self.save_docs_with(docs, entry, |_| Ok(()))
    }

    /// [`Store::save_docs`], with `also` writing the action's other rows (an outbox mail, local
    /// tables) in the same transaction.
    pub fn save_docs_with(
        &mut self,
        docs: &mut [&mut StoredDoc],
        entry: &AuditEntry,
        also: impl FnOnce(&rusqlite::Connection) -> Result<(), StoreError>,
    ) -> Result<(), StoreError> {
        self.save_and_erase_docs_with(docs, &[], entry, also)
    }

    /// [`Store::save_docs_with`] that also erases `erase` (documents this node writes, e.g.
    /// applicant shares whose reservation ended): each is dropped whole, keeps a tombstone, and
    /// sync tells the peers that hold it. Documents not held are skipped.
    pub fn save_and_erase_docs_with(
        &mut self,
        docs: &mut [&mut StoredDoc],
        erase: &[DocId],
        entry: &AuditEntry,
        also: impl FnOnce(&rusqlite::Connection) -> Result<(), StoreError>,
    ) -> Result<(), StoreError> {
        self.write_audited(
            entry,
            |tx, at_rest| {
                write_docs(tx, at_rest, docs, entry.at)?;
                erase
                    .iter()
                    .try_for_each(|id| erase_as_local_change(tx, at_rest, id, entry))
            },
            also,
        )?;
        for doc in docs.iter_mut() {
            doc.mark_saved();
        }
        Ok(())
    }

    /// Writes the documents `produce` hands over one by one, each prepared where it was changed
    /// ([`PreparedDoc::of`], on another core), in one transaction with `entry` and `also`; the
    /// rows of the first are written while later ones are still being changed (a placement
    /// round: `parallel::map_consumed`). Returns the saved documents in the order handed over.
    /// Nothing is written if `produce` or a write fails.
    pub fn save_produced_docs_with<E: From<StoreError>>(
        &mut self,
        entry: &AuditEntry,
        produce: impl FnOnce(&mut dyn FnMut(PreparedDoc) -> Result<(), StoreError>) -> Result<(), E>,
        also: impl FnOnce(&rusqlite::Connection) -> Result<(), StoreError>,
    ) -> Result<Vec<StoredDoc>, E> {
        let mut saved = self.write_audited(
            entry,
            |tx, at_rest| {
                let mut saved = Vec::new();
                produce(&mut |PreparedDoc { mut doc, prepared }| {
                    write_prepared(tx, at_rest, &mut doc, prepared, entry.at, None)?;
                    mark_local_change(tx, &doc.id)?;
                    saved.push(doc);
                    Ok(())
                })?;
                Ok::<_, E>(saved)
            },
            also,
        )?;
        for doc in &mut saved {
            doc.mark_saved();
        }
        Ok(saved)
    }

    /// Stores documents that arrived whole from the node that created them (seeding, bootstrap),
    /// each with the bytes it came as, in one transaction. The caller has checked the policy.
    pub fn store_received(
        &mut self,
        docs: &mut [(StoredDoc, Vec<u8>)],
        entry: &AuditEntry,
    ) -> Result<(), StoreError> {
        self.write_audited(
            entry,
            |tx, at_rest| {
                docs.iter_mut().try_for_each(|(doc, bytes)| {
                    write_doc_with(tx, at_rest, doc, entry.at, Some(bytes))
                })
            },
            |_| Ok(()),
        )?;
        for (doc, _) in docs.iter_mut() {
            doc.mark_saved();
        }
        Ok(())
    }

    /// Documents this node's users changed after local change `after`, oldest first, with the
    /// sequence number of the newest (`after` if there is none).
    pub fn local_changes_since(&self, after: i64) -> Result<(Vec<DocId>, i64), StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT doc_id, local_seq FROM documents WHERE local_seq > ?1
             UNION ALL SELECT doc_id, local_seq FROM tombstones WHERE local_seq > ?1
             ORDER BY local_seq",
        )?;
        let mut last = after;
        let mut docs = Vec::new();
        let mut rows = stmt.query([after])?;
        while let Some(r) = rows.next()? {
            docs.push(DocId(r.get(0)?));
            last = r.get(1)?;
        }
        Ok((docs, last))
    }

    /// Loads a document from its chunks.
    pub fn load_doc(&self, id: &DocId) -> Result<StoredDoc, StoreError> {
        let bytes = self.doc_bytes(id)?;
        Ok(StoredDoc::load(id.clone(), &bytes, &self.actor)?)
    }

    /// Loads a document and its typed value.
    pub fn get<T: Document>(&self, id: &DocId) -> Result<(StoredDoc, T), StoreError> {
        let doc = self.load_doc(id)?;
        let value = doc.value::<T>()?;
        Ok((doc, value))
    }

    /// Loads a document and its typed value, `None` when the node holds no such document
    /// (never received, or erased).
    pub fn find<T: Document>(&self, id: &DocId) -> Result<Option<(StoredDoc, T)>, StoreError> {
        match self.get(id) {
            Ok(found) => Ok(Some(found)),
            Err(StoreError::NotFound(_)) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// [`Store::find`] for many documents: the bytes are read here, the documents decoded on
    /// every core as they come ([`crate::parallel::map_fed`]); results in the order of `ids`.
    #[allow(clippy::type_complexity)]
    pub fn find_many<T: Document + Send>(
        &self,
        ids: &[DocId],
    ) -> Result<Vec<Option<(StoredDoc, T)>>, StoreError> {
        let actor = &self.actor;
        crate::parallel::map_fed(
            ids.len(),
            |send| {
                for id in ids {
                    match self.doc_bytes(id) {
                        Ok(bytes) => send(Some((id.clone(), bytes))),
                        Err(StoreError::NotFound(_)) => send(None),
                        Err(e) => return Err(e),
                    }
                }
                Ok(())
            },
            |saved| {
                let Some((id, bytes)) = saved else {
                    return Ok(None);
                };
                let doc = StoredDoc::load(id, &bytes, actor)?;
                let value = doc.value::<T>()?;
                Ok(Some((doc, value)))
            },
        )?
        .into_iter()
        .collect()
    }

    /// The stored chunks of a document, opened and concatenated (automerge loads them as
    /// one): the document's automerge bytes, whether its chunks are sealed at rest or not.
    pub fn doc_bytes(&self, id: &DocId) -> Result<Vec<u8>, StoreError> {
        read_chunks(&self.conn, self.keys.as_ref(), id)
    }

    pub fn is_erased(&self, id: &DocId) -> Result<bool, StoreError> {
        Ok(self
            .conn
            .query_row(
                "SELECT 1 FROM tombstones WHERE doc_id = ?1",
                [&id.0],
                |_| Ok(()),
            )
            .optional()?
            .is_some())
    }

    /// Every document row, sorted by id (for dumps and sync announcements).
    /// Every held document of one kind, decoded (uses the `kind` index).
    pub fn values_of_kind<T: Document>(&self) -> Result<Vec<T>, StoreError> {
        let ids: Vec<String> = {
            let mut stmt = self
                .conn
                .prepare_cached("SELECT doc_id FROM documents WHERE kind = ?1 ORDER BY doc_id")?;
            let rows = stmt.query_map([T::KIND.as_str()], |r| r.get(0))?;
            rows.collect::<Result<_, _>>()?
        };
        ids.into_iter()
            .map(|id| Ok(self.get::<T>(&DocId(id))?.1))
            .collect()
    }

    pub fn doc_rows(&self) -> Result<Vec<DocRow>, StoreError> {
        let mut stmt = self.conn.prepare(
            "SELECT doc_id, kind, owner, provider, facilities, visibility, heads FROM documents ORDER BY doc_id",
        )?;
        let rows = stmt.query_map([], |r| {
            let facilities: String = r.get(4)?;
            let heads: String = r.get(6)?;
            Ok(DocRow {
                doc_id: r.get(0)?,
                kind: r.get(1)?,
                owner: r.get(2)?,
                provider: r.get(3)?,
                facilities: serde_json::from_str(&facilities).unwrap_or_default(),
                visibility: r.get(5)?,
                heads: serde_json::from_str(&heads).unwrap_or_default(),
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Drops every projection row and rebuilds them from the stored chunks.
    pub fn rebuild_projections(&mut self) -> Result<usize, StoreError> {
        let ids: Vec<String> = {
            let mut stmt = self
                .conn
                .prepare("SELECT doc_id FROM documents ORDER BY doc_id")?;
            let rows = stmt.query_map([], |r| r.get(0))?;
            rows.collect::<Result<_, _>>()?
        };
        let tx = self.conn.transaction()?;
        projections::clear_all(&tx)?;
        for id in &ids {
            let id = DocId(id.clone());
            let bytes = read_chunks(&tx, self.keys.as_ref(), &id)?;
            let mut doc = StoredDoc::load(id.clone(), &bytes, &self.actor)?;
            projections::project(&tx, &id, &doc.any_value()?)?;
        }
        tx.commit()?;
        Ok(ids.len())
    }
}

/// The chunks of `id` in order, each opened ([`open_chunk`]) and appended.
fn read_chunks(
    conn: &Connection,
    keys: Option<&SubjectKeys>,
    id: &DocId,
) -> Result<Vec<u8>, StoreError> {
    let mut stmt = conn
        .prepare_cached("SELECT seq, sealed, bytes FROM chunks WHERE doc_id = ?1 ORDER BY seq")?;
    let mut rows = stmt.query([&id.0])?;
    let mut out = Vec::new();
    let mut any = false;
    while let Some(r) = rows.next()? {
        any = true;
        let stored = r.get_ref(2)?.as_blob().map_err(rusqlite::Error::from)?;
        out.extend_from_slice(&open_chunk(keys, id, r.get(0)?, r.get(1)?, stored)?);
    }
    if !any {
        return Err(StoreError::NotFound(id.clone()));
    }
    Ok(out)
}

/// Records that this node's user changed `id`: the next in the node's sequence of local changes.
fn mark_local_change(tx: &Transaction<'_>, id: &DocId) -> Result<(), StoreError> {
    tx.prepare_cached(&format!(
        "UPDATE documents SET local_seq = {NEXT_LOCAL_SEQ} WHERE doc_id = ?1"
    ))?
    .execute([&id.0])?;
    Ok(())
}

/// The next number in the node's sequence of local changes, shared by written documents and
/// documents the node erased itself (an erased document's row is gone, its tombstone keeps
/// its number, so the sequence never goes back).
const NEXT_LOCAL_SEQ: &str = "(SELECT MAX(s) + 1 FROM (SELECT MAX(local_seq) AS s FROM documents
    UNION ALL SELECT MAX(local_seq) FROM tombstones))";

/// Erases `id` as part of a local action (the tombstone is a local change that sync passes on).
fn erase_as_local_change(
    tx: &Transaction<'_>,
    at_rest: &AtRestWrite<'_>,
    id: &DocId,
    entry: &AuditEntry,
) -> Result<(), StoreError> {
    let kind: Option<String> = tx
        .query_row(
            "SELECT kind FROM documents WHERE doc_id = ?1",
            [&id.0],
            |r| r.get(0),
        )
        .optional()?;
    let Some(kind) = kind else {
        return Ok(());
    };
    super::erase::drop_doc(tx, at_rest, id, &kind, &id.0, entry)?;
    tx.execute(
        &format!("UPDATE tombstones SET local_seq = {NEXT_LOCAL_SEQ} WHERE doc_id = ?1"),
        [&id.0],
    )?;
    Ok(())
}

pub(super) fn write_doc(
    tx: &Transaction<'_>,
    at_rest: &AtRestWrite<'_>,
    doc: &mut StoredDoc,
    at: i64,
) -> Result<(), StoreError> {
    let prepared = Prepared::of(doc, false)?;
    write_prepared(tx, at_rest, doc, prepared, at, None)
}

/// Like [`write_doc`]; `received` is the saved form of a document that arrived whole from its
/// origin, stored as it came instead of being saved again.
fn write_doc_with(
    tx: &Transaction<'_>,
    at_rest: &AtRestWrite<'_>,
    doc: &mut StoredDoc,
    at: i64,
    received: Option<&[u8]>,
) -> Result<(), StoreError> {
    let prepared = Prepared::of(doc, received.is_some())?;
    write_prepared(tx, at_rest, doc, prepared, at, received)
}

/// Writes many documents of one action: what each write computes from its document (heads, the
/// new chunk, the value for the projections) is computed on every core first, the rows are
/// written here. A placement round writes thousands of documents at once.
fn write_docs(
    tx: &Transaction<'_>,
    at_rest: &AtRestWrite<'_>,
    docs: &mut [&mut StoredDoc],
    at: i64,
) -> Result<(), StoreError> {
    let prepared: Vec<Result<Prepared, StoreError>> =
        crate::parallel::map(docs.iter_mut().map(|d| &mut **d).collect(), |doc| {
            Prepared::of(doc, false)
        });
    for (doc, prepared) in docs.iter_mut().zip(prepared) {
        write_prepared(tx, at_rest, doc, prepared?, at, None)?;
        mark_local_change(tx, &doc.id)?;
    }
    Ok(())
}

/// A changed document with what writing it needs computed ([`Store::save_produced_docs_with`]).
pub struct PreparedDoc {
    doc: StoredDoc,
    prepared: Prepared,
}

impl PreparedDoc {
    /// Computes on the calling thread what the write needs: the new chunk, heads and the value
    /// for the projections.
    pub fn of(mut doc: StoredDoc) -> Result<PreparedDoc, StoreError> {
        let prepared = Prepared::of(&mut doc, false)?;
        Ok(PreparedDoc { doc, prepared })
    }
}

/// What writing a document computes from it before touching the database.
struct Prepared {
    heads: String,
    meta: String,
    facilities: String,
    /// The chunk to append, unless the document came whole (`received`).
    chunk: Option<(bool, Vec<u8>)>,
    value: kitanetz_crdt::doc::KindValue,
}

impl Prepared {
    fn of(doc: &mut StoredDoc, received: bool) -> Result<Prepared, StoreError> {
        Ok(Prepared {
            heads: serde_json::to_string(&doc.heads_hex()).expect("strings"),
            meta: serde_json::to_string(&doc.meta).expect("meta serialises"),
            facilities: serde_json::to_string(&doc.meta.facilities).expect("ids"),
            chunk: if received { None } else { doc.pending_chunk() },
            value: doc.any_value()?,
        })
    }
}

fn write_prepared(
    tx: &Transaction<'_>,
    at_rest: &AtRestWrite<'_>,
    doc: &mut StoredDoc,
    prepared: Prepared,
    at: i64,
    received: Option<&[u8]>,
) -> Result<(), StoreError> {
    if tx
        .prepare_cached("SELECT 1 FROM tombstones WHERE doc_id = ?1")?
        .query_row([&doc.id.0], |_| Ok(()))
        .optional()?
        .is_some()
    {
        return Err(StoreError::Erased(doc.id.clone()));
    }
    let meta: &DocMeta = &doc.meta;
    // Counts writes per kind, so that a cache of one kind's documents (the portal's index of
    // the public ones) sees a change without scanning documents.
    tx.prepare_cached(
        "INSERT INTO kind_changes (kind, writes) VALUES (?1, 1)
         ON CONFLICT (kind) DO UPDATE SET writes = writes + 1",
    )?
    .execute([meta.kind.as_str()])?;
    tx.prepare_cached(
        "INSERT INTO documents (doc_id, kind, owner, provider, facilities, visibility, heads, meta, chunk_count, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?9, 0, ?8, ?8)
         ON CONFLICT (doc_id) DO UPDATE SET owner = ?3, provider = ?4, facilities = ?5, heads = ?7, meta = ?9, updated_at = ?8",
    )?
    .execute(params![
        doc.id.0,
        meta.kind.as_str(),
        meta.owner.0,
        meta.provider.as_ref().map(|p| p.0.clone()),
        prepared.facilities,
        meta.visibility().as_str(),
        prepared.heads,
        at,
        prepared.meta
    ])?;
    // The chunks held and the next sequence number, in one look at the chunks' primary key
    // (a round writes thousands of documents; every statement per document counts).
    let (held, next_seq): (i64, i64) = tx
        .prepare_cached(
            "SELECT COUNT(*), COALESCE(MAX(seq), -1) + 1 FROM chunks WHERE doc_id = ?1",
        )?
        .query_row([&doc.id.0], |r| Ok((r.get(0)?, r.get(1)?)))?;
    let id = doc.id.clone();
    let kind = meta.kind;
    // Stores one chunk at `seq`, sealed or plain as the node and the kind say; returns whether
    // it was sealed.
    let insert = |seq: i64, snapshot: bool, bytes: &[u8]| -> Result<bool, StoreError> {
        let (sealed, stored) = at_rest.chunk_for_disk(kind, &id, seq, bytes)?;
        tx.prepare_cached(
            "INSERT INTO chunks (doc_id, seq, snapshot, bytes, sealed) VALUES (?1, ?2, ?3, ?4, ?5)",
        )?
        .execute(params![id.0, seq, snapshot as i64, stored, sealed])?;
        Ok(sealed)
    };
    // The document's `sealed` flag: exact after compaction (only the snapshot is left); set by
    // a sealed chunk; kept by a plain one (earlier sealed chunks are still there).
    let (chunk_count, sealed_flag) = if held >= COMPACT_AFTER_CHUNKS {
        tx.execute("DELETE FROM chunks WHERE doc_id = ?1", [&doc.id.0])?;
        let snapshot = doc.save();
        (1, Some(insert(0, true, &snapshot)?))
    } else if let Some(bytes) = received {
        (held + 1, insert(next_seq, true, bytes)?.then_some(true))
    } else if let Some((snapshot, bytes)) = &prepared.chunk {
        (
            held + 1,
            insert(next_seq, *snapshot, bytes)?.then_some(true),
        )
    } else {
        (held, None)
    };
    tx.prepare_cached(
        "UPDATE documents SET chunk_count = ?2, sealed = COALESCE(?3, sealed) WHERE doc_id = ?1",
    )?
    .execute(params![doc.id.0, chunk_count, sealed_flag])?;
    projections::project(tx, &doc.id, &prepared.value)?;
    Ok(())
}
