//! The portal's SQL: what changed since the index was built, free places per Kita, one
//! childminder's profile.

use crate::storage::{Store, StoreError};
use kitanetz_crdt::ids::ChildminderId;
use kitanetz_crdt::kinds::ChildminderProfile;
use kitanetz_crdt::scalar::Date;
use kitanetz_crdt::DocId;
use rusqlite::OptionalExtension;
use std::collections::BTreeMap;

/// Writes of the documents the portal shows (profiles, licences, seat ledgers for the free
/// places): when it grows, the index is stale. Applications and personal data do not count
/// (and only personal documents are ever erased).
pub(super) fn public_writes(store: &Store) -> Result<i64, StoreError> {
    use kitanetz_crdt::DocKind;
    store.writes_of_kinds(&[
        DocKind::ProviderProfile,
        DocKind::FacilityProfile,
        DocKind::FacilityLicence,
        DocKind::ChildminderProfile,
        DocKind::SeatLedger,
    ])
}

/// Free places per Kita in `month` over all its care types: seats minus occupied minus the
/// seats held (reserved or taken) in the Kitas' seat ledgers the city holds.
pub(super) fn free_places(store: &Store, month: Date) -> Result<BTreeMap<String, i64>, StoreError> {
    let mut stmt = store.conn().prepare_cached(
        "SELECT m.facility,
                SUM(m.places - m.occupied) - COALESCE((SELECT COUNT(DISTINCT h.wish)
                    FROM p_seat_holds h
                    WHERE h.facility = m.facility AND h.month = ?1 AND h.status IN ('reserved', 'taken')), 0)
         FROM p_seat_months m WHERE m.month = ?1 GROUP BY m.facility",
    )?;
    let rows = stmt.query_map([month.to_string()], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// A childminder's profile by id (the projection finds her document).
pub(super) fn childminder(
    store: &Store,
    id: &ChildminderId,
) -> Result<Option<ChildminderProfile>, StoreError> {
    let doc: Option<String> = store
        .conn()
        .query_row(
            "SELECT doc_id FROM p_childminders WHERE id = ?1",
            [&id.0],
            |r| r.get(0),
        )
        .optional()?;
    doc.map(|d| store.get::<ChildminderProfile>(&DocId(d)).map(|(_, p)| p))
        .transpose()
}
