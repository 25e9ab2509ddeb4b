//! Small fixtures with fixed dates for the unit tests (STYLE.md 12).

use crate::input::*;
use crate::period::Period;
use chrono::NaiveDate;
use rust_decimal::Decimal;

pub const KRIPPE: PlaceKind = PlaceKind::regular(CareType::Nursery);
pub const KIGA: PlaceKind = PlaceKind::regular(CareType::Kindergarten);
pub const I_KIGA: PlaceKind = PlaceKind::integration(CareType::Kindergarten);
pub const HORT: PlaceKind = PlaceKind::regular(CareType::AfterSchool);

pub fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

pub fn child(name: &str, birth: NaiveDate) -> Child {
    Child {
        pseudonym: name.into(),
        birth_date: birth,
        school_entry: SchoolEntry::Statutory,
    }
}

pub fn line(valid_from: NaiveDate, kind: PlaceKind) -> ContractLine {
    ContractLine {
        valid_from,
        kind,
        daily_hours: Decimal::from(9),
        employer_seat: false,
    }
}

/// An open contract from `start` with one line of `kind`.
pub fn contract(name: &str, birth: NaiveDate, start: NaiveDate, kind: PlaceKind) -> Contract {
    Contract {
        child: child(name, birth),
        start,
        end: ContractEnd::Open,
        lines: vec![line(start, kind)],
    }
}

/// A facility with the given places from 2020 on, and no contracts yet.
pub fn book(id: &str, places: &[(PlaceKind, u32)]) -> FacilityBook {
    FacilityBook {
        facility: id.into(),
        approved: places
            .iter()
            .map(|&(kind, places)| ApprovedPlaces {
                kind,
                changes: vec![PlacesFrom {
                    valid_from: d(2020, 1, 1),
                    places,
                }],
            })
            .collect(),
        closures: Vec::new(),
        contracts: Vec::new(),
        reservations: Vec::new(),
    }
}

pub fn reservation(wish: &str, kind: PlaceKind, from: NaiveDate) -> Reservation {
    Reservation {
        wish: wish.into(),
        kind,
        period: Period::from(from),
    }
}

/// A young child (born 2024) that stays a Krippe child through 2026.
pub fn krippe_child(name: &str) -> Contract {
    contract(name, d(2024, 5, 10), d(2025, 1, 1), KRIPPE)
}

/// A child born 2021 that stays a Kindergarten child through 2026 (school in 2028).
pub fn kiga_child(name: &str) -> Contract {
    contract(name, d(2021, 9, 10), d(2025, 1, 1), KIGA)
}
