//! The city's record of its rounds (migration 0021).

use crate::storage::{Store, StoreError};
use kitanetz_crdt::ids::{ApplicationId, FacilityId};
use kitanetz_crdt::kinds::CareType;
use kitanetz_crdt::scalar::Date;
use rusqlite::{params, OptionalExtension};
use std::collections::HashMap;

/// The round an application was last in, with its deadline for offers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RoundRef {
    pub round: i64,
    pub offer_days: u32,
}

/// The round `application` was last in, if any.
pub fn round_of(
    store: &Store,
    application: &ApplicationId,
) -> Result<Option<RoundRef>, StoreError> {
    Ok(store
        .conn()
        .prepare_cached(
            "SELECT r.id, r.offer_days FROM round_children c JOIN rounds r ON r.id = c.round
             WHERE c.application = ?1 AND c.released_on IS NULL ORDER BY r.id DESC LIMIT 1",
        )?
        .query_row([&application.0], |r| {
            Ok(RoundRef {
                round: r.get(0)?,
                offer_days: r.get(1)?,
            })
        })
        .optional()?)
}

/// The applications with an open offer of a round (from the wishes' projection).
pub fn with_open_offer(store: &Store) -> Result<Vec<ApplicationId>, StoreError> {
    let mut stmt = store.conn().prepare_cached(
        "SELECT DISTINCT application FROM p_application_wishes WHERE status = 'offered'
         ORDER BY application",
    )?;
    let rows = stmt.query_map([], |r| Ok(ApplicationId(r.get(0)?)))?;
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
    /// Set once the ZVS cancelled the round.
    pub cancelled: Option<Cancellation>,
}

/// Who cancelled a round, when and why.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Cancellation {
    pub on: Date,
    pub by: String,
    pub reason: String,
}

/// A child's proposal in a round: the program, its Kita and the rank the parents gave it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Proposal {
    pub program: String,
    pub facility: FacilityId,
    pub rank: Option<u32>,
}

/// The active applications whose desired start falls in the months `from..=to` (first days).
pub fn active_in_window(
    store: &Store,
    from: Date,
    to: Date,
) -> Result<Vec<(ApplicationId, ApplicantFacts)>, StoreError> {
    let until = Date(to.0 + chrono::Months::new(1));
    let mut stmt = store.conn().prepare_cached(
        "SELECT a.id, p.birth_date, p.denomination, p.ranked, p.street, p.postcode
         FROM p_applications a JOIN p_applicants p ON p.application = a.id
         WHERE a.status = 'active' AND a.desired_start >= ?1 AND a.desired_start < ?2
         ORDER BY a.id",
    )?;
    let rows = stmt.query_map(params![from.to_string(), until.to_string()], |r| {
        let birth_date: String = r.get(1)?;
        let ranked: String = r.get(3)?;
        Ok((
            ApplicationId(r.get(0)?),
            ApplicantFacts {
                birth_date: birth_date.parse().map_err(|e| {
                    rusqlite::Error::FromSqlConversionFailure(
                        1,
                        rusqlite::types::Type::Text,
                        Box::new(e),
                    )
                })?,
                denomination: r.get(2)?,
                ranked: serde_json::from_str(&ranked).map_err(|e| {
                    rusqlite::Error::FromSqlConversionFailure(
                        3,
                        rusqlite::types::Type::Text,
                        Box::new(e),
                    )
                })?,
                street: r.get(4)?,
                postcode: r.get(5)?,
            },
        ))
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// What a round reads of an applicant half (the `p_applicants` projection): the applicant
/// documents themselves stay closed.
#[derive(Debug, Clone)]
pub struct ApplicantFacts {
    pub birth_date: Date,
    pub denomination: String,
    /// The wishes in the parents' order, best first.
    pub ranked: Vec<FacilityId>,
    /// The address as typed (street and number in one field) and its postcode, for the home
    /// district.
    pub street: String,
    pub postcode: String,
}

/// Seats promised by rounds that their Kita has not answered yet (a proposal without a hold),
/// per Kita, care type and month of the desired start.
pub fn open_proposals(
    store: &Store,
) -> Result<HashMap<(FacilityId, CareType, Date), i64>, StoreError> {
    let mut stmt = store.conn().prepare_cached(
        "SELECT w.facility, a.care_type, a.desired_start, count(*) FROM p_application_wishes w
         JOIN p_applications a ON a.id = w.application
         WHERE w.status = 'proposed' AND a.status = 'active'
           AND NOT EXISTS (SELECT 1 FROM p_seat_holds h WHERE h.wish = w.handle AND h.status != 'free')
         GROUP BY w.facility, a.care_type, a.desired_start",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, String>(2)?,
            r.get::<_, i64>(3)?,
        ))
    })?;
    let mut promised = HashMap::new();
    for row in rows {
        let (facility, care_type, start, n) = row?;
        let (Some(care_type), Ok(start)) = (CareType::parse(&care_type), start.parse::<Date>())
        else {
            continue;
        };
        *promised
            .entry((
                FacilityId(facility),
                care_type,
                super::instance::first_of_month(start),
            ))
            .or_default() += n;
    }
    Ok(promised)
}

/// What a new round stores.
pub struct NewRound<'a> {
    pub started_at: i64,
    pub row: &'a RoundRow,
    pub instance: &'a str,
    pub protocol: &'a str,
    pub statistics: &'a str,
    /// Every child of the round: its application and its proposal (none: unplaced).
    pub children: &'a [(ApplicationId, Option<Proposal>)],
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
        "INSERT INTO round_children (round, application, program, facility, rank)
         VALUES (?1, ?2, ?3, ?4, ?5)",
    )?;
    for (application, proposal) in new.children {
        stmt.execute(params![
            r.id,
            application.0,
            proposal.as_ref().map(|p| p.program.as_str()),
            proposal.as_ref().map(|p| p.facility.0.as_str()),
            proposal.as_ref().and_then(|p| p.rank),
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
        cancelled: match r.get::<_, Option<String>>(12)? {
            None => None,
            Some(_) => Some(Cancellation {
                on: date(12)?,
                by: r.get::<_, Option<String>>(13)?.unwrap_or_default(),
                reason: r.get::<_, Option<String>>(14)?.unwrap_or_default(),
            }),
        },
    })
}

const COLUMNS: &str = "id, started_by, started_on, window_from, window_to, offer_days, catalogue, \
                       seed, seed_hash, input_hash, children, proposed, cancelled_on, \
                       cancelled_by, cancel_reason";

/// The proposals of round `id` that their Kita has not answered yet: (application, Kita).
pub fn waiting_proposals(
    store: &Store,
    id: i64,
) -> Result<Vec<(ApplicationId, FacilityId)>, StoreError> {
    let mut stmt = store.conn().prepare_cached(
        "SELECT c.application, c.facility FROM round_children c
         JOIN p_application_wishes w ON w.application = c.application AND w.facility = c.facility
         WHERE c.round = ?1 AND w.status = 'proposed' ORDER BY c.application",
    )?;
    let rows = stmt.query_map([id], |r| {
        Ok((ApplicationId(r.get(0)?), FacilityId(r.get(1)?)))
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// The children of round `id` whose proposal became an offer that stands (with the parents,
/// accepted, or placed): a cancellation keeps them in the round.
pub fn kept_offers(store: &Store, id: i64) -> Result<Vec<ApplicationId>, StoreError> {
    let mut stmt = store.conn().prepare_cached(
        "SELECT c.application FROM round_children c
         JOIN p_application_wishes w ON w.application = c.application AND w.facility = c.facility
         WHERE c.round = ?1 AND w.status IN ('offered', 'request', 'placed')
         ORDER BY c.application",
    )?;
    let rows = stmt.query_map([id], |r| Ok(ApplicationId(r.get(0)?)))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// The children of round `id` that its cancellation released.
pub fn released_children(store: &Store, id: i64) -> Result<Vec<ApplicationId>, StoreError> {
    let mut stmt = store.conn().prepare_cached(
        "SELECT application FROM round_children WHERE round = ?1 AND released_on IS NOT NULL
         ORDER BY application",
    )?;
    let rows = stmt.query_map([id], |r| Ok(ApplicationId(r.get(0)?)))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// The Konfession of each of `ids` as the applicant projection holds it (empty if none).
pub fn denominations(
    store: &Store,
    ids: &[ApplicationId],
) -> Result<HashMap<ApplicationId, String>, StoreError> {
    let mut stmt = store
        .conn()
        .prepare_cached("SELECT denomination FROM p_applicants WHERE application = ?1")?;
    let mut found = HashMap::new();
    for id in ids {
        if let Some(d) = stmt.query_row([&id.0], |r| r.get(0)).optional()? {
            found.insert(id.clone(), d);
        }
    }
    Ok(found)
}

/// Records the cancellation of round `id` and releases its children whose proposal is not kept
/// (`kept`: the applications whose offer stands) back to the sequential procedure.
pub fn mark_cancelled(
    tx: &rusqlite::Connection,
    id: i64,
    on: Date,
    by: &str,
    reason: &str,
    kept: &[ApplicationId],
) -> rusqlite::Result<()> {
    tx.execute(
        "UPDATE rounds SET cancelled_on = ?2, cancelled_by = ?3, cancel_reason = ?4 WHERE id = ?1",
        params![id, on.to_string(), by, reason],
    )?;
    tx.execute(
        "UPDATE round_children SET released_on = ?2 WHERE round = ?1",
        params![id, on.to_string()],
    )?;
    let mut keep = tx.prepare_cached(
        "UPDATE round_children SET released_on = NULL WHERE round = ?1 AND application = ?2",
    )?;
    for application in kept {
        keep.execute(params![id, application.0])?;
    }
    Ok(())
}

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

/// A proposal of a round and where its wish stands now (from the projection of the
/// applications: no document is read).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProposalState {
    pub application: ApplicationId,
    pub facility: FacilityId,
    pub rank: Option<u32>,
    /// The wish's status at the city now; empty when the application is gone.
    pub status: String,
    pub since: Option<Date>,
    pub application_status: String,
}

/// Every proposal of round `id`, in application order.
pub fn proposal_states(store: &Store, id: i64) -> Result<Vec<ProposalState>, StoreError> {
    let mut stmt = store.conn().prepare_cached(
        "SELECT c.application, c.facility, c.rank, COALESCE(w.status, ''), w.since,
                COALESCE(a.status, '')
         FROM round_children c
         LEFT JOIN p_application_wishes w ON w.application = c.application AND w.facility = c.facility
         LEFT JOIN p_applications a ON a.id = c.application
         WHERE c.round = ?1 AND c.facility IS NOT NULL ORDER BY c.application",
    )?;
    let rows = stmt.query_map([id], |r| {
        Ok(ProposalState {
            application: ApplicationId(r.get(0)?),
            facility: FacilityId(r.get(1)?),
            rank: r.get(2)?,
            status: r.get(3)?,
            since: r.get::<_, Option<String>>(4)?.and_then(|s| s.parse().ok()),
            application_status: r.get(5)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Children of round `id` without a proposal.
pub fn unplaced_count(store: &Store, id: i64) -> Result<usize, StoreError> {
    Ok(store.conn().query_row(
        "SELECT count(*) FROM round_children WHERE round = ?1 AND facility IS NULL",
        [id],
        |r| r.get::<_, i64>(0),
    )? as usize)
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

/// The Träger of every Kita the city knows (its facility profiles), for a Träger's local
/// criteria in the catalogue.
pub fn traeger_of_facilities(
    store: &Store,
) -> Result<HashMap<FacilityId, kitanetz_crdt::ids::ProviderId>, StoreError> {
    let mut stmt = store
        .conn()
        .prepare_cached("SELECT id, provider FROM p_facilities")?;
    let rows = stmt.query_map([], |r| {
        Ok((
            FacilityId(r.get(0)?),
            kitanetz_crdt::ids::ProviderId(r.get(1)?),
        ))
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}
