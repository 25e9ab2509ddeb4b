//! The city's record of its rounds (migration 0021).

use crate::storage::{Store, StoreError};
use kitanetz_crdt::ids::{ApplicationId, FacilityId};
use kitanetz_crdt::scalar::Date;
use rusqlite::{params, OptionalExtension};
use std::collections::HashMap;

/// The round an application was last in, with its deadline for offers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RoundRef {
    pub round: i64,
    pub offer_days: u32,
}

/// Every application that was in a round (placed by rounds from then on), with its latest round.
pub fn applications_in_rounds(
    store: &Store,
) -> Result<HashMap<ApplicationId, RoundRef>, StoreError> {
    let mut stmt = store.conn().prepare_cached(
        "SELECT c.application, r.id, r.offer_days FROM round_children c
         JOIN rounds r ON r.id = c.round ORDER BY r.id",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok((
            ApplicationId(r.get(0)?),
            RoundRef {
                round: r.get(1)?,
                offer_days: r.get(2)?,
            },
        ))
    })?;
    // Ordered by round: the latest one wins.
    Ok(rows.collect::<Result<_, _>>()?)
}

/// A round as stored.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct RoundRow {
    pub id: i64,
    pub started_by: String,
    pub started_on: Date,
    pub window_from: Date,
    pub window_to: Date,
    pub offer_days: u32,
    pub catalogue: String,
    pub seed: String,
    pub seed_hash: String,
    pub input_hash: String,
    pub children: u32,
    pub proposed: u32,
}

/// What a new round stores.
pub struct NewRound<'a> {
    pub started_at: i64,
    pub row: &'a RoundRow,
    pub instance: &'a str,
    pub protocol: &'a str,
    pub statistics: &'a str,
    /// Every child of the round: its application and the Kita proposed (none: unplaced).
    pub children: &'a [(ApplicationId, Option<(String, FacilityId)>)],
}

pub fn next_round_id(store: &Store) -> Result<i64, StoreError> {
    Ok(store
        .conn()
        .query_row("SELECT COALESCE(MAX(id), 0) + 1 FROM rounds", [], |r| {
            r.get(0)
        })?)
}

pub fn insert_round(tx: &rusqlite::Connection, new: &NewRound<'_>) -> rusqlite::Result<()> {
    let r = new.row;
    tx.execute(
        "INSERT INTO rounds (id, started_at, started_by, started_on, window_from, window_to,
             offer_days, catalogue, seed, seed_hash, input_hash, children, proposed, instance,
             protocol, statistics)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)",
        params![
            r.id,
            new.started_at,
            r.started_by,
            r.started_on.to_string(),
            r.window_from.to_string(),
            r.window_to.to_string(),
            r.offer_days,
            r.catalogue,
            r.seed,
            r.seed_hash,
            r.input_hash,
            r.children,
            r.proposed,
            new.instance,
            new.protocol,
            new.statistics,
        ],
    )?;
    let mut stmt = tx.prepare_cached(
        "INSERT INTO round_children (round, application, program, facility) VALUES (?1, ?2, ?3, ?4)",
    )?;
    for (application, proposal) in new.children {
        stmt.execute(params![
            r.id,
            application.0,
            proposal.as_ref().map(|p| p.0.as_str()),
            proposal.as_ref().map(|p| p.1 .0.as_str()),
        ])?;
    }
    Ok(())
}

fn row(r: &rusqlite::Row<'_>) -> rusqlite::Result<RoundRow> {
    let date = |i: usize| -> rusqlite::Result<Date> {
        let s: String = r.get(i)?;
        s.parse().map_err(|_| {
            rusqlite::Error::FromSqlConversionFailure(
                i,
                rusqlite::types::Type::Text,
                format!("bad date {s:?}").into(),
            )
        })
    };
    Ok(RoundRow {
        id: r.get(0)?,
        started_by: r.get(1)?,
        started_on: date(2)?,
        window_from: date(3)?,
        window_to: date(4)?,
        offer_days: r.get(5)?,
        catalogue: r.get(6)?,
        seed: r.get(7)?,
        seed_hash: r.get(8)?,
        input_hash: r.get(9)?,
        children: r.get(10)?,
        proposed: r.get(11)?,
    })
}

const COLUMNS: &str = "id, started_by, started_on, window_from, window_to, offer_days, catalogue, \
                       seed, seed_hash, input_hash, children, proposed";

/// Every round, the latest first.
pub fn rounds(store: &Store) -> Result<Vec<RoundRow>, StoreError> {
    let mut stmt = store
        .conn()
        .prepare_cached(&format!("SELECT {COLUMNS} FROM rounds ORDER BY id DESC"))?;
    let rows = stmt.query_map([], row)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

pub fn round(store: &Store, id: i64) -> Result<Option<RoundRow>, StoreError> {
    Ok(store
        .conn()
        .prepare_cached(&format!("SELECT {COLUMNS} FROM rounds WHERE id = ?1"))?
        .query_row([id], row)
        .optional()?)
}

/// The stored JSON of a round: (instance, protocol, statistics).
pub fn round_json(store: &Store, id: i64) -> Result<Option<(String, String, String)>, StoreError> {
    Ok(store
        .conn()
        .prepare_cached("SELECT instance, protocol, statistics FROM rounds WHERE id = ?1")?
        .query_row([id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .optional()?)
}

/// A child of a round: its application, the program and the Kita proposed (none: unplaced).
pub type RoundChild = (ApplicationId, Option<String>, Option<FacilityId>);

/// The children of a round, in application order.
pub fn round_children(store: &Store, id: i64) -> Result<Vec<RoundChild>, StoreError> {
    let mut stmt = store.conn().prepare_cached(
        "SELECT application, program, facility FROM round_children WHERE round = ?1
         ORDER BY application",
    )?;
    let rows = stmt.query_map([id], |r| {
        Ok((
            ApplicationId(r.get(0)?),
            r.get(1)?,
            r.get::<_, Option<String>>(2)?.map(FacilityId),
        ))
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Whether the reminder for the application's offer in `round` went out.
pub fn reminded(
    store: &Store,
    round: i64,
    application: &ApplicationId,
) -> Result<bool, StoreError> {
    Ok(store
        .conn()
        .prepare_cached(
            "SELECT reminded_on IS NOT NULL FROM round_children WHERE round = ?1 AND application = ?2",
        )?
        .query_row(params![round, application.0], |r| r.get(0))
        .optional()?
        .unwrap_or(false))
}

pub fn mark_reminded(
    tx: &rusqlite::Connection,
    round: i64,
    application: &ApplicationId,
    on: Date,
) -> rusqlite::Result<()> {
    tx.execute(
        "UPDATE round_children SET reminded_on = ?3 WHERE round = ?1 AND application = ?2",
        params![round, application.0, on.to_string()],
    )?;
    Ok(())
}
