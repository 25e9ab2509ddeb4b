//! The SQL of personal follow-ups.

use crate::storage::{Store, StoreError};
use kitanetz_crdt::scalar::Date;
use rusqlite::params;

/// A stored follow-up: (id, due_on, subject, note).
pub type Row = (i64, String, String, String);

/// The user's open follow-ups, by due day.
pub fn open_of(store: &Store, user_id: i64) -> Result<Vec<Row>, StoreError> {
    let mut stmt = store.conn().prepare_cached(
        "SELECT id, due_on, subject, note FROM follow_ups
         WHERE user_id = ?1 AND done_on IS NULL ORDER BY due_on, id",
    )?;
    let rows = stmt.query_map([user_id], |r| {
        Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

pub fn insert(
    conn: &rusqlite::Connection,
    user_id: i64,
    due_on: Date,
    subject: &str,
    note: &str,
    at: i64,
) -> Result<i64, StoreError> {
    conn.execute(
        "INSERT INTO follow_ups (user_id, due_on, subject, note, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![user_id, due_on.to_string(), subject, note, at],
    )?;
    Ok(conn.last_insert_rowid())
}

/// Marks the user's open follow-up done; whether there was one.
pub fn mark_done(
    conn: &rusqlite::Connection,
    user_id: i64,
    id: i64,
    today: Date,
) -> Result<bool, StoreError> {
    Ok(conn.execute(
        "UPDATE follow_ups SET done_on = ?3 WHERE id = ?1 AND user_id = ?2 AND done_on IS NULL",
        params![id, user_id, today.to_string()],
    )? == 1)
}
