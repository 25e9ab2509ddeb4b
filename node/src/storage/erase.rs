//! Erasure of one family on this node: its documents are dropped whole (automerge cannot redact),
//! a tombstone per document is kept so that no peer can bring them back.

use super::audit::{self, AuditEntry};
use super::projections;
use super::subject_keys::AtRestWrite;
use super::{Store, StoreError};
use kitanetz_crdt::DocId;
use rusqlite::params;

/// Deletes a document's chunks, row, projections and sync states, and keeps a tombstone with its
/// metadata (read before the row goes). Its secret in the subject key file goes too, which
/// shreds the sealed chunks in every backup of `node.db`; the key file commits first
/// ([`AtRestWrite`]), so a crash in between leaves sealed chunks without a key, whose erasure
/// [`Store::finish_shredded_erasures`] finishes when the store is opened next.
pub(super) fn drop_doc(
    tx: &rusqlite::Transaction<'_>,
    at_rest: &AtRestWrite<'_>,
    id: &DocId,
    kind: &str,
    subject: &str,
    entry: &AuditEntry,
) -> Result<(), StoreError> {
    tx.execute(
        "INSERT OR IGNORE INTO tombstones (doc_id, kind, subject, erased_at, erased_by, meta)
         VALUES (?1, ?2, ?3, ?4, ?5, (SELECT meta FROM documents WHERE doc_id = ?1))",
        params![id.0, kind, subject, entry.at, entry.actor],
    )?;
    projections::clear_doc(tx, id)?;
    at_rest.forget(id)?;
    tx.execute("DELETE FROM chunks WHERE doc_id = ?1", [&id.0])?;
    tx.execute("DELETE FROM documents WHERE doc_id = ?1", [&id.0])?;
    tx.execute("DELETE FROM sync_states WHERE doc_id = ?1", [&id.0])?;
    // The erasure's own signature stays (it is passed on with the tombstone).
    tx.execute(
        "DELETE FROM change_signatures WHERE doc_id = ?1 AND change_hash != ?2",
        params![id.0, &kitanetz_sync::sign::ERASURE.0[..]],
    )?;
    Ok(())
}

/// Deletes the rows of the node's own tables that name a family or its children (by id). Runs
/// before the family's projection rows go: the children are found through `p_children`.
fn clear_family_rows(tx: &rusqlite::Transaction<'_>, family_id: &str) -> Result<(), StoreError> {
    // The Kita-Planer export status names the children (ids only); it goes with them.
    tx.execute(
        "DELETE FROM kitaplaner_status WHERE child IN (SELECT id FROM p_children WHERE family = ?1)",
        [family_id],
    )?;
    // The income proofs the Beitragsstelle took over from the parents' self-assessment.
    tx.execute("DELETE FROM fee_proofs WHERE family = ?1", [family_id])?;
    // The Änderungsmeldungen name the family's people and what changed for them.
    tx.execute("DELETE FROM change_reports WHERE family = ?1", [family_id])?;
    // The Kita-Planer import rows the family's children were admitted from.
    tx.execute(
        "DELETE FROM kitaplaner_imports WHERE child IN (SELECT id FROM p_children WHERE family = ?1)",
        [family_id],
    )?;
    tx.execute(
        "DELETE FROM change_reports_done WHERE family = ?1",
        [family_id],
    )?;
    // So does the kind of integration aid kept for the Kita-Data-Webhouse.
    tx.execute(
        "DELETE FROM kdw_integration WHERE child IN (SELECT id FROM p_children WHERE family = ?1)",
        [family_id],
    )?;
    Ok(())
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct ErasureReport {
    pub family: String,
    pub documents: Vec<String>,
}

impl Store {
    /// Erases the family document, every contract of the family and its fee case. Audited as one
    /// action. (The billing book keeps its positions: they name the child by PKN only.)
    pub fn erase_family(
        &mut self,
        family_id: &str,
        entry: &AuditEntry,
    ) -> Result<ErasureReport, StoreError> {
        // The Beitragsstelle's answers to the parents' declarations (`declaration-status`,
        // named after each declaration its fee case took over) go with the family.
        let fee_case_id = kitanetz_crdt::ids::doc_id_for("fee-case", family_id);
        let answers: Vec<String> = match self.find::<kitanetz_crdt::kinds::FeeCase>(&fee_case_id)? {
            Some((_, case)) => case
                .reductions
                .iter()
                .filter_map(|r| r.declaration.as_ref())
                .map(|d| {
                    let short = d.strip_prefix("doc-income-declaration-").unwrap_or(d);
                    kitanetz_crdt::ids::doc_id_for("declaration-status", short).0
                })
                .collect(),
            None => Vec::new(),
        };
        let tx = self.conn.transaction()?;
        let at_rest = AtRestWrite::begin(self.keys.as_ref(), self.seal_personal)?;
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
        // The Beitragsstelle's fee case (payer, mandate, decisions with names and addresses).
        let fee_case = kitanetz_crdt::ids::doc_id_for("fee-case", family_id);
        let held: bool = tx.query_row(
            "SELECT EXISTS (SELECT 1 FROM documents WHERE doc_id = ?1)",
            [&fee_case.0],
            |r| r.get(0),
        )?;
        if held {
            docs.push((fee_case.0, "fee-case".into()));
        }
        for answer in answers {
            let held: bool = tx.query_row(
                "SELECT EXISTS (SELECT 1 FROM documents WHERE doc_id = ?1)",
                [&answer],
                |r| r.get(0),
            )?;
            if held {
                docs.push((answer, "declaration-status".into()));
            }
        }
        clear_family_rows(&tx, family_id)?;
        for (doc_id, kind) in &docs {
            let id = DocId(doc_id.clone());
            drop_doc(&tx, &at_rest, &id, kind, family_id, entry)?;
        }
        audit::append(&tx, entry)?;
        at_rest.commit(&tx)?;
        tx.commit()?;
        Ok(ErasureReport {
            family: family_id.to_string(),
            documents: docs.into_iter().map(|d| d.0).collect(),
        })
    }
}

impl Store {
    /// Finishes the erasure of every sealed document whose secret is gone from the subject key
    /// file: its chunks cannot be read by anyone any more, so it is dropped and tombstoned like
    /// an erased one (never taken back from a peer). This happens after a crash between the key
    /// file's commit and `node.db`'s in an erasure, and after restoring a backup of `node.db`
    /// taken before an erasure (with the node's current key file): the family erased since is
    /// gone again. Returns the documents dropped. Audited as one system entry.
    pub fn finish_shredded_erasures(&mut self, at: i64) -> Result<Vec<DocId>, StoreError> {
        let Some(keys) = self.keys.as_ref() else {
            return Ok(Vec::new());
        };
        let mut shredded = Vec::new();
        {
            let mut stmt = self
                .conn
                .prepare("SELECT doc_id, kind FROM documents WHERE sealed = 1 ORDER BY doc_id")?;
            let mut rows = stmt.query([])?;
            while let Some(r) = rows.next()? {
                let id = DocId(r.get(0)?);
                if keys.secret(&id)?.is_none() {
                    shredded.push((id, r.get::<_, String>(1)?));
                }
            }
        }
        if shredded.is_empty() {
            return Ok(Vec::new());
        }
        let entry = AuditEntry {
            at,
            actor: "system".into(),
            action: "document.shredded",
            target: None,
            subjects: shredded.iter().map(|(id, _)| id.0.clone()).collect(),
            valid_from: None,
        };
        let tx = self.conn.transaction()?;
        let at_rest = AtRestWrite::begin(self.keys.as_ref(), false)?;
        // A family document's id is `doc_id_for("family", family id)`.
        let family_prefix = kitanetz_crdt::ids::doc_id_for("family", "").0;
        for (id, kind) in &shredded {
            // A family's own rows go with it, as in `erase_family`: those kept by family id
            // always, those kept by child id where the projection rows still name the children
            // (not in a restored backup, whose projection tables were left out).
            let family = id.0.strip_prefix(family_prefix.as_str());
            if let (Some(family_id), "family") = (family, kind.as_str()) {
                clear_family_rows(&tx, family_id)?;
            }
            drop_doc(&tx, &at_rest, id, kind, &id.0, &entry)?;
        }
        audit::append(&tx, &entry)?;
        at_rest.commit(&tx)?;
        tx.commit()?;
        Ok(shredded.into_iter().map(|(id, _)| id).collect())
    }
}
