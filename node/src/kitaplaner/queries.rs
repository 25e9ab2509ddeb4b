//! The SQL of the Kita-Planer export: the Kita's contracts (projection) and the export status
//! and runs (migration 0020).

use rusqlite::{params, Connection};
use serde::Serialize;
use std::collections::BTreeMap;

/// The ids of the contracts of `facility`, from the contract projection.
pub fn contract_ids(conn: &Connection, facility: &str) -> rusqlite::Result<Vec<String>> {
    let mut stmt =
        conn.prepare_cached("SELECT id FROM p_contracts WHERE facility = ?1 ORDER BY id")?;
    let rows = stmt.query_map([facility], |r| r.get(0))?;
    rows.collect()
}

/// What the last export run that took a child's rows recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stored {
    /// The fingerprint of the rows (and their sources) that run sent.
    pub fingerprint: String,
    /// `exported` or `failed`.
    pub status: String,
    pub run: i64,
    pub at: i64,
    /// The transfer's error message of a failed run.
    pub message: Option<String>,
}

/// The export status of every child of `facility` that an export run took.
pub fn statuses(conn: &Connection, facility: &str) -> rusqlite::Result<BTreeMap<String, Stored>> {
    let mut stmt = conn.prepare_cached(
        "SELECT s.child, s.fingerprint, s.status, s.run, r.at, r.message
         FROM kitaplaner_status s JOIN kitaplaner_runs r ON r.id = s.run
         WHERE s.facility = ?1",
    )?;
    let rows = stmt.query_map([facility], |r| {
        Ok((
            r.get::<_, String>(0)?,
            Stored {
                fingerprint: r.get(1)?,
                status: r.get(2)?,
                run: r.get(3)?,
                at: r.get(4)?,
                message: r.get(5)?,
            },
        ))
    })?;
    rows.collect()
}

/// One export run as the page lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Run {
    pub id: i64,
    pub at: i64,
    pub actor: String,
    /// Where the file went (`file-drop`).
    pub transfer: String,
    pub file: String,
    pub children: i64,
    pub rows: i64,
    pub ok: bool,
    pub message: Option<String>,
}

/// A new run (in the export's transaction); returns its id.
pub fn insert_run(conn: &Connection, facility: &str, run: &Run) -> rusqlite::Result<i64> {
    conn.execute(
        "INSERT INTO kitaplaner_runs (facility, at, actor, transfer, file, children, rows, ok, message)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        params![
            facility,
            run.at,
            run.actor,
            run.transfer,
            run.file,
            run.children,
            run.rows,
            run.ok,
            run.message
        ],
    )?;
    Ok(conn.last_insert_rowid())
}

/// Records what run `run` did with a child's rows.
pub fn set_status(
    conn: &Connection,
    facility: &str,
    child: &str,
    fingerprint: &str,
    exported: bool,
    run: i64,
    rows: usize,
) -> rusqlite::Result<()> {
    conn.execute(
        "INSERT INTO kitaplaner_status (facility, child, fingerprint, status, run, rows)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)
         ON CONFLICT (facility, child) DO UPDATE SET
           fingerprint = excluded.fingerprint, status = excluded.status,
           run = excluded.run, rows = excluded.rows",
        params![
            facility,
            child,
            fingerprint,
            if exported { "exported" } else { "failed" },
            run,
            rows as i64
        ],
    )?;
    Ok(())
}

/// The last `limit` runs of `facility`, newest first.
pub fn runs(conn: &Connection, facility: &str, limit: usize) -> rusqlite::Result<Vec<Run>> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, at, actor, transfer, file, children, rows, ok, message FROM kitaplaner_runs
         WHERE facility = ?1 ORDER BY id DESC LIMIT ?2",
    )?;
    let rows = stmt.query_map(params![facility, limit as i64], |r| {
        Ok(Run {
            id: r.get(0)?,
            at: r.get(1)?,
            actor: r.get(2)?,
            transfer: r.get(3)?,
            file: r.get(4)?,
            children: r.get(5)?,
            rows: r.get(6)?,
            ok: r.get(7)?,
            message: r.get(8)?,
        })
    })?;
    rows.collect()
}

/// The number of runs of `facility` (tests: a run that writes nothing adds none).
#[cfg(test)]
pub fn run_count(conn: &Connection, facility: &str) -> rusqlite::Result<i64> {
    conn.query_row(
        "SELECT COUNT(*) FROM kitaplaner_runs WHERE facility = ?1",
        [facility],
        |r| r.get(0),
    )
}
