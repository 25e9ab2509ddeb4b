//! The SQL of extra care: which children a Kita cares for in a month, and a family's reported
//! days for its fee case.

use crate::groups::queries::ChildInCare;
use crate::storage::{Store, StoreError};
use chrono::Months;
use kitanetz_crdt::ids::{ChildId, FacilityId};
use kitanetz_crdt::scalar::Date;
use rusqlite::{params, OptionalExtension};

/// The children with a contract at `facility` on any day of the month starting `month`.
pub fn children_in_month(
    store: &Store,
    facility: &FacilityId,
    month: Date,
) -> Result<Vec<ChildInCare>, StoreError> {
    let last = Date(month.0 + Months::new(1) - chrono::Days::new(1));
    let mut stmt = store.conn().prepare_cached(
        "SELECT DISTINCT c.id, c.given_name, c.family_name, c.birth_date, k.start,
                COALESCE((SELECT l.care_type FROM p_contract_lines l
                          WHERE l.contract = k.id AND l.start <= ?3 AND (l.end IS NULL OR l.end >= ?2)
                          ORDER BY l.start DESC LIMIT 1), '')
         FROM p_contracts k JOIN p_children c ON c.id = k.child
         WHERE k.facility = ?1 AND k.start <= ?3 AND (k.end IS NULL OR k.end >= ?2)
         ORDER BY c.family_name, c.given_name, c.id",
    )?;
    let rows = stmt.query_map(
        params![facility.0, month.to_string(), last.to_string()],
        |r| {
            Ok(ChildInCare {
                id: r.get(0)?,
                given_name: r.get(1)?,
                family_name: r.get(2)?,
                birth_date: r.get(3)?,
                start: r.get(4)?,
                care_type: r.get(5)?,
            })
        },
    )?;
    let mut out: Vec<ChildInCare> = Vec::new();
    for row in rows {
        let row = row?;
        if out.last().is_none_or(|last| last.id != row.id) {
            out.push(row);
        }
    }
    Ok(out)
}

/// The care type of the child's contract line at `facility` on `day`, if it has one.
pub fn child_on(
    store: &Store,
    facility: &FacilityId,
    child: &ChildId,
    day: Date,
) -> Result<Option<String>, StoreError> {
    let day = day.to_string();
    Ok(store
        .conn()
        .query_row(
            "SELECT l.care_type FROM p_contracts k JOIN p_contract_lines l ON l.contract = k.id
             WHERE k.facility = ?1 AND k.child = ?2 AND k.start <= ?3 AND (k.end IS NULL OR k.end >= ?3)
               AND l.start <= ?3 AND (l.end IS NULL OR l.end >= ?3)
             ORDER BY l.start DESC LIMIT 1",
            params![facility.0, child.0, day],
            |r| r.get(0),
        )
        .optional()?)
}

/// A reported day of extra care, as the fee case needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportedDay {
    pub child: ChildId,
    pub facility: FacilityId,
    pub date: Date,
    pub extra_tiers: u32,
    pub outside_opening_hours: bool,
    pub school_free_day: bool,
    /// `HH:MM`, as recorded.
    pub from: String,
    pub to: String,
}

/// The reported days of the given children, by date.
pub fn reported_days_of(
    store: &Store,
    children: &[ChildId],
) -> Result<Vec<ReportedDay>, StoreError> {
    let mut stmt = store.conn().prepare_cached(
        "SELECT child, facility, day, extra_tiers, outside_opening_hours, school_free_day,
                time_from, time_to
         FROM p_extra_care WHERE child = ?1 AND reported_on IS NOT NULL ORDER BY day, entry",
    )?;
    let mut out = Vec::new();
    for child in children {
        let rows = stmt.query_map([&child.0], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, u32>(3)?,
                r.get::<_, bool>(4)?,
                r.get::<_, bool>(5)?,
                r.get::<_, String>(6)?,
                r.get::<_, String>(7)?,
            ))
        })?;
        for row in rows {
            let (child, facility, day, tiers, outside, school_free, from, to) = row?;
            let Ok(date) = day.parse::<Date>() else {
                continue;
            };
            out.push(ReportedDay {
                child: ChildId(child),
                facility: FacilityId(facility),
                date,
                extra_tiers: tiers,
                outside_opening_hours: outside,
                school_free_day: school_free,
                from,
                to,
            });
        }
    }
    Ok(out)
}
