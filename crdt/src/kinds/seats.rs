//! A Kita's seat ledger: per care type and month the places, occupancy and reservations by
//! application pseudonym. Owned by the Kita: the Kita decides its seats.

use crate::ids::{ApplicationId, FacilityId};
use crate::kinds::facility::CareType;
use crate::scalar::Date;
use crate::validate::{ValidationError, Validator};
use autosurgeon::{Hydrate, Reconcile};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Reconcile, Hydrate)]
pub enum SeatStatus {
    Free,
    Reserved,
    Taken,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Reconcile, Hydrate)]
pub struct SeatReservation {
    #[key]
    pub application: ApplicationId,
    pub status: SeatStatus,
    pub decided_on: Date,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Reconcile, Hydrate)]
pub struct SeatMonth {
    pub care_type: CareType,
    /// First day of the month.
    pub month: Date,
    pub places: u32,
    pub occupied: u32,
    pub reservations: Vec<SeatReservation>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Reconcile, Hydrate)]
pub struct SeatLedger {
    pub facility: FacilityId,
    pub months: Vec<SeatMonth>,
}

impl SeatLedger {
    pub fn validate(&self) -> Result<(), ValidationError> {
        let mut v = Validator::new();
        for (i, m) in self.months.iter().enumerate() {
            use chrono::Datelike;
            v.check(
                m.month.0.day() == 1,
                format!("months[{i}].month"),
                "Monatserster / first day of a month",
            );
            let reserved = m
                .reservations
                .iter()
                .filter(|r| r.status != SeatStatus::Free)
                .count() as u32;
            v.check(
                m.occupied + reserved <= m.places,
                format!("months[{i}].reservations"),
                "mehr Plätze vergeben als vorhanden / more seats given than there are",
            );
            if self.months[..i]
                .iter()
                .any(|o| o.care_type == m.care_type && o.month == m.month)
            {
                v.fail(
                    format!("months[{i}].month"),
                    "Monat doppelt / month listed twice",
                );
            }
        }
        v.finish()
    }

    /// Free seats of a care type in a month.
    pub fn free(&self, care_type: CareType, month: Date) -> u32 {
        self.months
            .iter()
            .find(|m| m.care_type == care_type && m.month == month)
            .map_or(0, |m| {
                let reserved = m
                    .reservations
                    .iter()
                    .filter(|r| r.status != SeatStatus::Free)
                    .count() as u32;
                m.places.saturating_sub(m.occupied + reserved)
            })
    }
}
