//! Erasure of one family on this node: its documents are dropped whole (automerge cannot redact),
//! a tombstone per document is kept so that no peer can bring them back.

use super::audit::{self, AuditEntry};
use super::projections;
use super::{Store, StoreError};
use kitanetz_crdt::DocId;
use rusqlite::params;

#[derive(Debug, Clone, serde::Serialize)]
pub struct ErasureReport {
    pub family: String,
    pub documents: Vec<String>,
}

impl Store {
    /// Erases the family document and every contract of the family. Audited as one action.
    pub fn erase_family(
        &mut self,
        family_id: &str,
        entry: &AuditEntry,
    ) -> Result<ErasureReport, StoreError> {
        let tx = self.conn.transaction()?;
        let mut docs: Vec<(String, String)> = Vec::new();
        {
            let mut stmt = tx.prepare(
                "SELECT DISTINCT doc_id, 'family' FROM p_children WHERE family = ?1
                 UNION SELECT DISTINCT doc_id, 'family' FROM p_guardians WHERE family = ?1
                 UNION SELECT doc_id, 'care-contract' FROM p_contracts WHERE family = ?1",
            )?;
            let rows = stmt.query_map([family_id], |r| Ok((r.get(0)?, r.get(1)?)))?;
            for r in rows {
                docs.push(r?);
            }
        }
        if docs.is_empty() {
            return Err(StoreError::NotFound(DocId(family_id.to_string())));
        }
        for (doc_id, kind) in &docs {
            let id = DocId(doc_id.clone());
            projections::clear_doc(&tx, &id)?;
            tx.execute("DELETE FROM chunks WHERE doc_id = ?1", [doc_id])?;
            tx.execute("DELETE FROM documents WHERE doc_id = ?1", [doc_id])?;
            tx.execute(
                "INSERT OR IGNORE INTO tombstones (doc_id, kind, subject, erased_at, erased_by) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![doc_id, kind, family_id, entry.at, entry.actor],
            )?;
        }
        audit::append(&tx, entry)?;
        tx.commit()?;
        Ok(ErasureReport {
            family: family_id.to_string(),
            documents: docs.into_iter().map(|d| d.0).collect(),
        })
    }
}
