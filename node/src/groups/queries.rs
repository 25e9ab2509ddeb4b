//! The SQL of the groups and the Kita's day: which children a Kita cares for.

use crate::storage::{Store, StoreError};
use kitanetz_crdt::ids::FacilityId;
use kitanetz_crdt::scalar::Date;
use rusqlite::params;

/// A child under contract at a Kita on or after a day, with the care type of the line in force
/// on that day (or of its first line when the contract begins later).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChildInCare {
    pub id: String,
    pub given_name: String,
    pub family_name: String,
    pub birth_date: String,
    pub care_type: String,
    /// The first day of the contract.
    pub start: String,
}

/// The children with a contract at `facility` that has not ended before `on`, by name.
pub fn children_in_care(
    store: &Store,
    facility: &FacilityId,
    on: Date,
) -> Result<Vec<ChildInCare>, StoreError> {
    let on = on.to_string();
    let mut stmt = store.conn().prepare_cached(
        "SELECT c.id, c.given_name, c.family_name, c.birth_date, k.start,
                COALESCE(
                  (SELECT l.care_type FROM p_contract_lines l
                   WHERE l.contract = k.id AND l.start <= ?2 AND (l.end IS NULL OR l.end >= ?2)
                   ORDER BY l.start DESC LIMIT 1),
                  (SELECT l.care_type FROM p_contract_lines l
                   WHERE l.contract = k.id ORDER BY l.start LIMIT 1), '')
         FROM p_contracts k JOIN p_children c ON c.id = k.child
         WHERE k.facility = ?1 AND (k.end IS NULL OR k.end >= ?2)
         ORDER BY c.family_name, c.given_name, c.id, k.start",
    )?;
    let rows = stmt.query_map(params![facility.0, on], |r| {
        Ok(ChildInCare {
            id: r.get(0)?,
            given_name: r.get(1)?,
            family_name: r.get(2)?,
            birth_date: r.get(3)?,
            start: r.get(4)?,
            care_type: r.get(5)?,
        })
    })?;
    let mut out: Vec<ChildInCare> = Vec::new();
    for row in rows {
        let row = row?;
        // A child with a running and a following contract is listed once, with the first.
        if out.last().is_none_or(|last| last.id != row.id) {
            out.push(row);
        }
    }
    Ok(out)
}

/// The group documents of a Kita, by name.
pub fn group_doc_ids(store: &Store, facility: &FacilityId) -> Result<Vec<String>, StoreError> {
    let mut stmt = store
        .conn()
        .prepare_cached("SELECT doc_id FROM p_groups WHERE facility = ?1 ORDER BY name, id")?;
    let rows = stmt.query_map([&facility.0], |r| r.get(0))?;
    Ok(rows.collect::<Result<_, _>>()?)
}
