//! Conflict records for cross-organisation invariants that merging cannot enforce.
//!
//! One place per child: each Kita owns its seat ledger, so two Kitas working offline can both
//! reserve a place for the same application. Both ledgers merge fine; the collision only shows
//! at the city, which owns the rule. It is never resolved silently: the city sees a conflict
//! with a deterministic default (which reservation stands) and a task for the ZVS.

pub mod http;

use crate::storage::{Store, StoreError};
use kitanetz_crdt::ids::{ApplicationId, FacilityId};
use kitanetz_crdt::kinds::{SeatLedger, SeatStatus};
use kitanetz_crdt::meta::DocKind;
use kitanetz_crdt::scalar::Date;
use serde::Serialize;
use std::collections::BTreeMap;

/// One Kita's hold on an application.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Hold {
    pub facility: FacilityId,
    pub month: Date,
    pub status: SeatStatus,
    pub decided_on: Date,
}

/// An application held by more than one Kita.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DoublePlace {
    pub application: ApplicationId,
    pub holds: Vec<Hold>,
    /// The hold that stands until a person decides: a signed contract (taken) before a
    /// reservation, then the earlier decision, then the smaller facility id.
    pub default_keeper: FacilityId,
}

fn precedence(h: &Hold) -> (u8, Date, &FacilityId) {
    let rank = match h.status {
        SeatStatus::Taken => 0,
        SeatStatus::Reserved => 1,
        SeatStatus::Free => 2,
    };
    (rank, h.decided_on, &h.facility)
}

/// Finds applications reserved or taken in more than one Kita. Pure: same ledgers, same result.
pub fn double_places(ledgers: &[SeatLedger]) -> Vec<DoublePlace> {
    let mut holds: BTreeMap<ApplicationId, Vec<Hold>> = BTreeMap::new();
    for ledger in ledgers {
        for month in &ledger.months {
            for r in month
                .reservations
                .iter()
                .filter(|r| r.status != SeatStatus::Free)
            {
                holds.entry(r.application.clone()).or_default().push(Hold {
                    facility: ledger.facility.clone(),
                    month: month.month,
                    status: r.status,
                    decided_on: r.decided_on,
                });
            }
        }
    }
    holds
        .into_iter()
        .filter_map(|(application, mut holds)| {
            holds.sort_by(|a, b| precedence(a).cmp(&precedence(b)));
            holds.dedup_by(|a, b| a.facility == b.facility);
            (holds.len() > 1).then(|| DoublePlace {
                default_keeper: holds[0].facility.clone(),
                application,
                holds,
            })
        })
        .collect()
}

/// The double places among the seat ledgers this node holds (the city holds all of them).
pub fn list(store: &Store) -> Result<Vec<DoublePlace>, StoreError> {
    let mut ledgers = Vec::new();
    for (id, meta) in store.doc_metas()? {
        if meta.kind == DocKind::SeatLedger {
            ledgers.push(store.get::<SeatLedger>(&id)?.1);
        }
    }
    Ok(double_places(&ledgers))
}

#[cfg(test)]
mod tests {
    use super::*;
    use kitanetz_crdt::kinds::{CareType, SeatMonth, SeatReservation};

    fn ledger(facility: &str, holds: &[(&str, SeatStatus, u32)]) -> SeatLedger {
        SeatLedger {
            facility: FacilityId(facility.into()),
            months: vec![SeatMonth {
                care_type: CareType::Kindergarten,
                month: Date::ymd(2027, 8, 1),
                places: 10,
                occupied: 2,
                reservations: holds
                    .iter()
                    .map(|(app, status, day)| SeatReservation {
                        application: ApplicationId((*app).into()),
                        status: *status,
                        decided_on: Date::ymd(2027, 3, *day),
                    })
                    .collect(),
            }],
        }
    }

    #[test]
    fn one_hold_per_application_is_no_conflict() {
        let ls = [
            ledger("fac-a", &[("app-1", SeatStatus::Reserved, 3)]),
            ledger("fac-b", &[("app-2", SeatStatus::Reserved, 2)]),
        ];
        assert!(double_places(&ls).is_empty());
    }

    #[test]
    fn taken_beats_reserved_then_the_earlier_decision() {
        let ls = [
            ledger(
                "fac-a",
                &[
                    ("app-1", SeatStatus::Reserved, 1),
                    ("app-2", SeatStatus::Reserved, 5),
                ],
            ),
            ledger(
                "fac-b",
                &[
                    ("app-1", SeatStatus::Taken, 9),
                    ("app-2", SeatStatus::Reserved, 4),
                ],
            ),
            ledger("fac-c", &[("app-2", SeatStatus::Free, 1)]),
        ];
        let c = double_places(&ls);
        assert_eq!(c.len(), 2);
        assert_eq!(c[0].application.0, "app-1");
        assert_eq!(c[0].default_keeper.0, "fac-b", "a signed contract stands");
        assert_eq!(
            c[1].default_keeper.0, "fac-b",
            "the earlier reservation stands"
        );
        assert_eq!(c[1].holds.len(), 2, "a freed seat is no hold");
        // Order of the ledgers does not matter.
        let mut reversed = ls.to_vec();
        reversed.reverse();
        assert_eq!(double_places(&reversed), c);
    }
}
