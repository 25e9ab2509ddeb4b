//! The intake's SQL: the versioned settings and the parents' proofs.

use super::IntakeSettings;
use crate::storage::StoreError;
use kitanetz_crdt::ids::ApplicationId;
use kitanetz_crdt::scalar::Date;
use rusqlite::{params, Connection, OptionalExtension, Row};
use std::collections::BTreeMap;

const SETTINGS_COLUMNS: &str = "valid_from, horizon_months, recheck_from_weeks, recheck_until_weeks, followup_days, changed_by, changed_at, grace_months";

fn settings_row(r: &Row<'_>) -> rusqlite::Result<IntakeSettings> {
    let valid_from: String = r.get(0)?;
    Ok(IntakeSettings {
        valid_from: valid_from.parse().map_err(|_| {
            rusqlite::Error::FromSqlConversionFailure(
                0,
                rusqlite::types::Type::Text,
                format!("intake_settings.valid_from: {valid_from}").into(),
            )
        })?,
        horizon_months: r.get(1)?,
        recheck_from_weeks: r.get(2)?,
        recheck_until_weeks: r.get(3)?,
        followup_days: r.get(4)?,
        changed_by: r.get(5)?,
        changed_at: r.get(6)?,
        grace_months: r.get(7)?,
    })
}

pub(super) fn settings_on(
    conn: &Connection,
    day: Date,
) -> Result<Option<IntakeSettings>, StoreError> {
    Ok(conn
        .prepare_cached(&format!(
            "SELECT {SETTINGS_COLUMNS} FROM intake_settings WHERE valid_from <= ?1
             ORDER BY valid_from DESC LIMIT 1"
        ))?
        .query_row([day.to_string()], settings_row)
        .optional()?)
}

pub(super) fn all_settings(conn: &Connection) -> Result<Vec<IntakeSettings>, StoreError> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {SETTINGS_COLUMNS} FROM intake_settings ORDER BY valid_from DESC"
    ))?;
    let rows = stmt.query_map([], settings_row)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

pub(super) fn save_settings(conn: &Connection, s: &IntakeSettings) -> Result<(), StoreError> {
    conn.execute(
        &format!(
            "INSERT OR REPLACE INTO intake_settings ({SETTINGS_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"
        ),
        params![
            s.valid_from.to_string(),
            s.horizon_months,
            s.recheck_from_weeks,
            s.recheck_until_weeks,
            s.followup_days,
            s.changed_by,
            s.changed_at,
            s.grace_months
        ],
    )?;
    Ok(())
}

pub(super) fn document_count(conn: &Connection, id: &ApplicationId) -> Result<i64, StoreError> {
    Ok(conn.query_row(
        "SELECT COUNT(*) FROM application_documents WHERE application = ?1",
        [&id.0],
        |r| r.get(0),
    )?)
}

pub(super) fn insert_document(
    conn: &Connection,
    id: &ApplicationId,
    filename: &str,
    content_type: &str,
    bytes: &[u8],
    at: i64,
) -> Result<(), StoreError> {
    conn.execute(
        "INSERT INTO application_documents (application, filename, content_type, bytes, uploaded_at)
         VALUES (?1, ?2, ?3, ?4, ?5)",
        params![id.0, filename, content_type, bytes, at],
    )?;
    Ok(())
}

/// Application → its proofs (id, file name), oldest first.
pub(super) fn document_names(
    conn: &Connection,
) -> Result<BTreeMap<String, Vec<(i64, String)>>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT application, id, filename FROM application_documents ORDER BY id",
    )?;
    let mut out: BTreeMap<String, Vec<(i64, String)>> = BTreeMap::new();
    let mut rows = stmt.query([])?;
    while let Some(r) = rows.next()? {
        out.entry(r.get(0)?)
            .or_default()
            .push((r.get(1)?, r.get(2)?));
    }
    Ok(out)
}

pub(super) fn document(
    conn: &Connection,
    id: i64,
) -> Result<Option<(String, String, Vec<u8>)>, StoreError> {
    Ok(conn
        .query_row(
            "SELECT filename, content_type, bytes FROM application_documents WHERE id = ?1",
            [id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .optional()?)
}

/// A letter owed to parents who chose notification by post.
pub(super) struct LetterRow {
    pub id: i64,
    pub application: ApplicationId,
    pub kind: String,
    pub letter_date: Date,
    pub printed_at: Option<i64>,
    pub printed_by: Option<String>,
    /// A notice's subject and text (German); `None` for receipts and changes.
    pub subject: Option<String>,
    pub body: Option<String>,
}

fn letter_row(r: &Row<'_>) -> rusqlite::Result<LetterRow> {
    let date: String = r.get(3)?;
    Ok(LetterRow {
        id: r.get(0)?,
        application: ApplicationId(r.get(1)?),
        kind: r.get(2)?,
        letter_date: date.parse().map_err(|_| {
            rusqlite::Error::FromSqlConversionFailure(
                3,
                rusqlite::types::Type::Text,
                format!("letters_out.letter_date: {date}").into(),
            )
        })?,
        printed_at: r.get(4)?,
        printed_by: r.get(5)?,
        subject: r.get(6)?,
        body: r.get(7)?,
    })
}

const LETTER_COLUMNS: &str =
    "id, application, kind, letter_date, printed_at, printed_by, subject, body";

pub(crate) fn queue_letter(
    conn: &Connection,
    application: &ApplicationId,
    kind: &str,
    letter_date: Date,
    at: i64,
) -> Result<(), StoreError> {
    conn.execute(
        "INSERT INTO letters_out (application, kind, letter_date, created_at) VALUES (?1, ?2, ?3, ?4)",
        params![application.0, kind, letter_date.to_string(), at],
    )?;
    Ok(())
}

/// Queues a notice: a letter with its own subject and text.
pub(crate) fn queue_notice(
    conn: &Connection,
    application: &ApplicationId,
    subject: &str,
    body: &str,
    letter_date: Date,
    at: i64,
) -> Result<(), StoreError> {
    conn.execute(
        "INSERT INTO letters_out (application, kind, letter_date, created_at, subject, body) VALUES (?1, 'notice', ?2, ?3, ?4, ?5)",
        params![application.0, letter_date.to_string(), at, subject, body],
    )?;
    Ok(())
}

/// Letters not printed yet (oldest first), then those printed since `printed_since`
/// (newest first), so the ZVS can print one again.
pub(super) fn letters(conn: &Connection, printed_since: i64) -> Result<Vec<LetterRow>, StoreError> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {LETTER_COLUMNS} FROM letters_out
         WHERE printed_at IS NULL OR printed_at >= ?1
         ORDER BY printed_at IS NOT NULL, printed_at DESC, id"
    ))?;
    let rows = stmt.query_map([printed_since], letter_row)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

pub(super) fn letter(conn: &Connection, id: i64) -> Result<Option<LetterRow>, StoreError> {
    Ok(conn
        .query_row(
            &format!("SELECT {LETTER_COLUMNS} FROM letters_out WHERE id = ?1"),
            [id],
            letter_row,
        )
        .optional()?)
}

/// Marks a letter printed (once: a second click keeps the first time and person).
pub(super) fn mark_printed(
    conn: &Connection,
    id: i64,
    by: &str,
    at: i64,
) -> Result<bool, StoreError> {
    Ok(conn.execute(
        "UPDATE letters_out SET printed_at = ?3, printed_by = ?2 WHERE id = ?1 AND printed_at IS NULL",
        params![id, by, at],
    )? == 1)
}
