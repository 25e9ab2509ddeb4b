//! Append-only audit log: who changed or read what, when, valid from when. Entries name the
//! action, the caller and the ids of the people touched; never free text with personal data.

use super::{Store, StoreError};
use rusqlite::{params, Connection};

/// One audit entry, written in the transaction of the change it describes.
#[derive(Debug, Clone)]
pub struct AuditEntry {
    /// Unix milliseconds from the node's clock.
    pub at: i64,
    /// `user:<name>`, `node:<name>` or `system`.
    pub actor: String,
    /// A stable action name, e.g. `facility.profile.update`, `child.read`.
    pub action: &'static str,
    pub target: Option<String>,
    pub subjects: Vec<String>,
    pub valid_from: Option<String>,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct AuditRow {
    pub seq: i64,
    pub at: i64,
    pub actor: String,
    pub action: String,
    pub target: Option<String>,
    pub subjects: Vec<String>,
    pub valid_from: Option<String>,
}

pub(super) fn append(conn: &Connection, e: &AuditEntry) -> Result<(), StoreError> {
    conn.execute(
        "INSERT INTO audit_log (at, actor, action, target, subjects, valid_from) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![e.at, e.actor, e.action, e.target, serde_json::to_string(&e.subjects).expect("strings"), e.valid_from],
    )?;
    Ok(())
}

/// Appends an audit entry inside a write transaction (see [`Store::write`]).
pub fn audit_in(conn: &Connection, entry: &AuditEntry) -> Result<(), StoreError> {
    append(conn, entry)
}

impl Store {
    /// Records a read of personal data (or any action that changes no document).
    pub fn audit(&mut self, entry: &AuditEntry) -> Result<(), StoreError> {
        append(&self.conn, entry)
    }

    /// Audit entries about a target (newest first).
    pub fn audit_for(&self, target: &str, limit: usize) -> Result<Vec<AuditRow>, StoreError> {
        let mut stmt = self.conn.prepare(
            "SELECT seq, at, actor, action, target, subjects, valid_from FROM audit_log
             WHERE target = ?1 ORDER BY seq DESC LIMIT ?2",
        )?;
        let rows = stmt.query_map(params![target, limit as i64], audit_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}

/// Reads an `audit_log` row selected as `seq, at, actor, action, target, subjects, valid_from`.
pub fn audit_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<AuditRow> {
    let subjects: String = r.get(5)?;
    Ok(AuditRow {
        seq: r.get(0)?,
        at: r.get(1)?,
        actor: r.get(2)?,
        action: r.get(3)?,
        target: r.get(4)?,
        subjects: serde_json::from_str(&subjects).unwrap_or_default(),
        valid_from: r.get(6)?,
    })
}
