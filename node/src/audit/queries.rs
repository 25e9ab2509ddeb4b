//! The audit view's SQL.

use super::Filter;
use crate::storage::{AuditRow, StoreError};
use rusqlite::{params, Connection};

/// Entries matching `filter`, newest first. Person and action match case-insensitively on a
/// part (person) or a prefix (action), without LIKE's wildcards (an underscore in a user name
/// means an underscore).
pub(super) fn search(
    conn: &Connection,
    filter: &Filter,
    limit: usize,
) -> Result<Vec<AuditRow>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT seq, at, actor, action, target, subjects, valid_from FROM audit_log
         WHERE (?1 = '' OR instr(lower(actor), lower(?1)) > 0)
           AND (?2 = '' OR substr(lower(action), 1, length(?2)) = lower(?2))
           AND (?3 IS NULL OR at >= ?3)
           AND (?4 IS NULL OR at < ?4)
           AND (?5 IS NULL OR seq < ?5)
         ORDER BY seq DESC LIMIT ?6",
    )?;
    let rows = stmt.query_map(
        params![
            filter.person,
            filter.action,
            filter.from_millis,
            filter.until_millis,
            filter.before_seq,
            limit as i64
        ],
        crate::storage::audit_row,
    )?;
    Ok(rows.collect::<Result<_, _>>()?)
}

pub(super) fn actions(conn: &Connection) -> Result<Vec<String>, StoreError> {
    let mut stmt = conn.prepare_cached("SELECT DISTINCT action FROM audit_log ORDER BY action")?;
    let rows = stmt.query_map([], |r| r.get(0))?;
    Ok(rows.collect::<Result<_, _>>()?)
}
