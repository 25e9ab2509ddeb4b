//! The Beitragsstelle's SQL: which families and contracts the node holds, and the billing book.

use crate::storage::{Store, StoreError};
use kitanetz_crdt::ids::{ContractId, FamilyId};
use rusqlite::{params, OptionalExtension};

/// Every family this node holds a child of (on a Träger node: the Träger's families).
pub(super) fn family_ids(store: &Store) -> Result<Vec<FamilyId>, StoreError> {
    let mut stmt = store
        .conn()
        .prepare_cached("SELECT DISTINCT family FROM p_children ORDER BY family")?;
    let rows = stmt.query_map([], |r| r.get::<_, String>(0).map(FamilyId))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

pub(super) fn contract_ids_of_family(
    store: &Store,
    family: &FamilyId,
) -> Result<Vec<ContractId>, StoreError> {
    let mut stmt = store
        .conn()
        .prepare_cached("SELECT id FROM p_contracts WHERE family = ?1 ORDER BY start, id")?;
    let rows = stmt.query_map([&family.0], |r| r.get::<_, String>(0).map(ContractId))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// One billing run as the list shows it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct RunRow {
    pub id: i64,
    pub billing_month: String,
    pub run_at: i64,
    pub run_by: String,
    pub positions: i64,
    pub total: String,
}

pub(super) fn runs(store: &Store) -> Result<Vec<RunRow>, StoreError> {
    let mut stmt = store.conn().prepare_cached(
        "SELECT id, billing_month, run_at, run_by, positions, total FROM billing_runs ORDER BY id DESC",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok(RunRow {
            id: r.get(0)?,
            billing_month: r.get(1)?,
            run_at: r.get(2)?,
            run_by: r.get(3)?,
            positions: r.get(4)?,
            total: r.get(5)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

pub(super) fn run(store: &Store, id: i64) -> Result<Option<RunRow>, StoreError> {
    Ok(store
        .conn()
        .query_row(
            "SELECT id, billing_month, run_at, run_by, positions, total FROM billing_runs WHERE id = ?1",
            [id],
            |r| {
                Ok(RunRow {
                    id: r.get(0)?,
                    billing_month: r.get(1)?,
                    run_at: r.get(2)?,
                    run_by: r.get(3)?,
                    positions: r.get(4)?,
                    total: r.get(5)?,
                })
            },
        )
        .optional()?)
}

/// The positions (JSON) of one run, or of every run.
pub(super) fn positions(store: &Store, run: Option<i64>) -> Result<Vec<String>, StoreError> {
    let mut stmt = store.conn().prepare_cached(
        "SELECT data FROM billing_positions WHERE ?1 IS NULL OR run = ?1 ORDER BY pkn, id",
    )?;
    let rows = stmt.query_map([run], |r| r.get::<_, String>(0))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Stores a run and its positions (inside the caller's transaction).
pub(super) fn insert_run(
    conn: &rusqlite::Connection,
    billing_month: &str,
    run_at: i64,
    run_by: &str,
    total: &str,
    positions: &[(String, String, String)],
) -> Result<i64, StoreError> {
    conn.prepare_cached(
        "INSERT INTO billing_runs (billing_month, run_at, run_by, positions, total) VALUES (?1, ?2, ?3, ?4, ?5)",
    )?
    .execute(params![billing_month, run_at, run_by, positions.len() as i64, total])?;
    let run = conn.last_insert_rowid();
    let mut insert = conn.prepare_cached(
        "INSERT INTO billing_positions (id, run, billing_month, pkn, data) VALUES (?1, ?2, ?3, ?4, ?5)",
    )?;
    for (id, pkn, data) in positions {
        insert.execute(params![id, run, billing_month, pkn, data])?;
    }
    Ok(run)
}
