//! What the sync layer needs from storage: metadata of held and erased documents, merging
//! documents received from peers, erasure of single documents, persisted sync states.

use super::audit::{self, AuditEntry};
use super::docs::write_doc;
use super::erase::drop_doc;
use super::subject_keys::AtRestWrite;
use super::{Store, StoreError};
use automerge::AutoCommit;
use kitanetz_crdt::doc::StoredDoc;
use kitanetz_crdt::meta::DocMeta;
use kitanetz_crdt::policy::may_hold;
use kitanetz_crdt::DocId;
use rusqlite::{params, OptionalExtension};

fn parse_meta(id: &str, json: &str) -> Result<DocMeta, StoreError> {
    serde_json::from_str(json).map_err(|e| StoreError::Corrupt(format!("metadata of {id}: {e}")))
}

impl Store {
    /// Every held document with its metadata, sorted by id.
    pub fn doc_metas(&self) -> Result<Vec<(DocId, DocMeta)>, StoreError> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT doc_id, meta FROM documents ORDER BY doc_id")?;
        let rows = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?;
        let mut out = Vec::new();
        for row in rows {
            let (id, json) = row?;
            out.push((DocId(id.clone()), parse_meta(&id, &json)?));
        }
        Ok(out)
    }

    pub fn doc_meta(&self, id: &DocId) -> Result<Option<DocMeta>, StoreError> {
        let json: Option<String> = self
            .conn
            .prepare_cached("SELECT meta FROM documents WHERE doc_id = ?1")?
            .query_row([&id.0], |r| r.get(0))
            .optional()?;
        json.map(|j| parse_meta(&id.0, &j)).transpose()
    }

    /// Erased documents whose metadata is known (to tell peers).
    pub fn tombstone_metas(&self) -> Result<Vec<(DocId, DocMeta)>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT doc_id, meta FROM tombstones WHERE meta IS NOT NULL ORDER BY doc_id",
        )?;
        let rows = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?;
        let mut out = Vec::new();
        for row in rows {
            let (id, json) = row?;
            out.push((DocId(id.clone()), parse_meta(&id, &json)?));
        }
        Ok(out)
    }

    /// Stores a document as received from a peer, merged with the local copy if there is one.
    /// Refuses documents this node may not hold and erased ones. One transaction with the audit
    /// entry.
    pub fn put_synced(
        &mut self,
        id: &DocId,
        meta: &DocMeta,
        am: &mut AutoCommit,
        at: i64,
        from: &str,
    ) -> Result<(), StoreError> {
        if !may_hold(&self.membership, meta) {
            return Err(StoreError::NotAllowed(
                id.clone(),
                format!("{} document of {}", meta.visibility(), meta.owner),
            ));
        }
        if self.is_erased(id)? {
            return Err(StoreError::Erased(id.clone()));
        }
        let mut doc = match self.load_doc(id) {
            Ok(mut local) => {
                let local_heads = local.heads();
                let missing = am.save_after(&local_heads);
                if missing.is_empty() {
                    return Ok(());
                }
                local.merge_bytes(&missing)?;
                local
            }
            Err(StoreError::NotFound(_)) => {
                let mut d = StoredDoc::from_automerge(id.clone(), am.fork())?;
                d.mark_unsaved();
                d
            }
            Err(e) => return Err(e),
        };
        let entry = AuditEntry {
            at,
            actor: format!("node:{from}"),
            action: "document.sync",
            target: Some(id.0.clone()),
            subjects: vec![],
            valid_from: None,
        };
        let tx = self.conn.transaction()?;
        let at_rest = AtRestWrite::begin(self.keys.as_ref(), self.seal_personal)?;
        write_doc(&tx, &at_rest, &mut doc, at)?;
        audit::append(&tx, &entry)?;
        at_rest.commit(&tx)?;
        tx.commit()?;
        doc.mark_saved();
        Ok(())
    }

    /// Erases one document on this node (keeps a tombstone). Audited.
    pub fn erase_doc(
        &mut self,
        id: &DocId,
        meta: &DocMeta,
        entry: &AuditEntry,
    ) -> Result<(), StoreError> {
        let tx = self.conn.transaction()?;
        let at_rest = AtRestWrite::begin(self.keys.as_ref(), self.seal_personal)?;
        let held = tx
            .query_row("SELECT 1 FROM documents WHERE doc_id = ?1", [&id.0], |_| {
                Ok(())
            })
            .optional()?
            .is_some();
        if !held {
            // Not held here: still keep the tombstone so a later offer is refused.
            tx.execute(
                "INSERT OR IGNORE INTO tombstones (doc_id, kind, subject, erased_at, erased_by, meta) VALUES (?1, ?2, ?1, ?3, ?4, ?5)",
                params![id.0, meta.kind.as_str(), entry.at, entry.actor, serde_json::to_string(meta).expect("meta")],
            )?;
        } else {
            drop_doc(&tx, &at_rest, id, meta.kind.as_str(), &id.0, entry)?;
        }
        audit::append(&tx, entry)?;
        at_rest.commit(&tx)?;
        tx.commit()?;
        Ok(())
    }

    pub fn sync_state(&self, peer: &str, id: &DocId) -> Result<Option<Vec<u8>>, StoreError> {
        Ok(self
            .conn
            .prepare_cached("SELECT state FROM sync_states WHERE peer = ?1 AND doc_id = ?2")?
            .query_row(params![peer, id.0], |r| r.get(0))
            .optional()?)
    }

    pub fn save_sync_state(
        &mut self,
        peer: &str,
        id: &DocId,
        state: &[u8],
    ) -> Result<(), StoreError> {
        self.conn
            .prepare_cached("INSERT INTO sync_states (peer, doc_id, state) VALUES (?1, ?2, ?3) ON CONFLICT (peer, doc_id) DO UPDATE SET state = ?3")?
            .execute(params![peer, id.0, state])?;
        Ok(())
    }
}
