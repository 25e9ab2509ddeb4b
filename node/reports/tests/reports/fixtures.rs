//! Small fixed data sets with their figures worked out by hand.

use chrono::NaiveDate;
use kitanetz_reports::{
    FacilityOwner, FacilityOwners, Filter, OpenDemand, PlacedContract, Region, Termination,
};
use rust_decimal::Decimal;

pub fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

pub fn dec(text: &str) -> Decimal {
    text.parse().unwrap()
}

pub fn region(ortsamt: &str, stadtteil: &str) -> Region {
    Region {
        ortsamt: ortsamt.into(),
        stadtteil: stadtteil.into(),
    }
}

/// Facility K1 is the city's (municipal), K2 AWO's, K3 a church's (both free).
pub fn owner(facility: &str) -> (&'static str, bool) {
    match facility {
        "K1" => ("city", true),
        "K2" => ("awo", false),
        "K3" => ("kirche", false),
        other => panic!("no facility {other} in the fixtures"),
    }
}

pub fn owners() -> FacilityOwners {
    ["K1", "K2", "K3"]
        .into_iter()
        .map(|f| {
            let (provider, municipal) = owner(f);
            (
                f.to_owned(),
                FacilityOwner {
                    provider: provider.into(),
                    provider_is_municipal: municipal,
                },
            )
        })
        .collect()
}

/// The range of the placed-places data set: the first half of 2025.
pub fn half_year() -> Filter {
    Filter::range(d(2025, 1, 1), d(2025, 6, 30))
}

/// A contract with the defaults of the data set (9 hours, Krippe, no Belegrecht).
#[allow(clippy::too_many_arguments)]
fn contract(
    facility: &str,
    region: Region,
    birth: NaiveDate,
    desired: Option<NaiveDate>,
    start: NaiveDate,
    concluded: NaiveDate,
    rank: Option<u8>,
    hours: &str,
) -> PlacedContract {
    let (provider, municipal) = owner(facility);
    PlacedContract {
        facility: facility.into(),
        facility_name: format!("Kita {facility}"),
        provider: provider.into(),
        provider_is_municipal: municipal,
        region,
        birth_date: birth,
        desired_start: desired,
        start,
        concluded_on: concluded,
        wish_rank: rank,
        daily_hours: dec(hours),
        care_type: "krippe".into(),
        employer_seat: false,
    }
}

/// Eleven contracts; range 01.01.–30.06.2025.
///
/// | # | fac | Ortsamt/Stadtteil | born | desired | start | concluded | rank | h | wait (days) | age band desired / start (completed months) |
/// |---|---|---|---|---|---|---|---|---|---|---|
/// | C1 | K1 | Altstadt/Seevorstadt | 10.03.24 | 01.03.25 | 01.03.25 | 01.01.25 (from) | 1 | 9 | 0 | <1 (11) / <1 (11) |
/// | C2 | K1 | Altstadt/Seevorstadt | 10.05.23 | 01.02.25 | 03.03.25 | 15.02.25 | 2 | 9 | 28+2 = 30 | 1–2 (20) / 1–2 (21) |
/// | C3 | K2 | Altstadt/Johannstadt | 10.05.22 | 14.08.24 | 10.02.25 | 20.01.25 | 3 | 7 | 31+30+31+30+31+31−4 = 180 | 2–2,75 (27) / ≥2,75 (exactly 33) |
/// | C4 | K2 | Neustadt/Leipziger Vorstadt | 31.01.24 | 01.04.25 | 15.05.25 | 10.03.25 | – | 6 | 30+14 = 44 | 1–2 (14) / 1–2 (15) |
/// | C5 | K3 | Neustadt/Leipziger Vorstadt | 20.08.23 | 01.01.25 | 01.08.25 | 30.06.25 (until) | 1 | 9 | 31+28+31+30+31+30+31 = 212 | 1–2 (16) / 1–2 (23) |
/// | C6 | K1 | unknown | 01.06.24 | – | 01.06.25 | 01.04.25 | – | 4.5 | – | – / 1–2 (12) |
/// | C7 | K3 | Altstadt/Johannstadt | 15.01.23 | 01.05.25 | 01.04.25 | 01.03.25 | 2 | 9 | early → 0 | 2–2,75 (27) / 2–2,75 (26) |
/// | C8 B | K2 | Altstadt/Seevorstadt | 01.02.24 | – | 01.03.25 | 01.02.25 | – | 9 | – | – / 1–2 (13) |
/// | C9 B | K1 | Neustadt/Leipziger Vorstadt | 01.03.23 | 01.01.25 | 15.01.25 | 02.01.25 | – | 8 | 14 | 1–2 (22) / 1–2 (22) |
/// | C10 | K1 | Altstadt/Seevorstadt | 01.01.24 | 01.01.25 | 01.01.25 | 31.12.24 (before) | 1 | 9 | | |
/// | C11 | K2 | Altstadt/Johannstadt | 01.01.24 | 01.08.25 | 01.08.25 | 01.07.25 (after) | 1 | 9 | | |
///
/// (B = Belegrecht.) In the range: C1–C9; Belegrecht C8, C9; placed C1–C7.
///
/// Placed (7): with desired start 6 (C6 without), started early 1 (C7). Waiting sorted
/// 0, 0, 30, 44, 180, 212: mean 466 / 6 = 77.67 → 77.7, median (30 + 44) / 2 = 37, max 212.
/// Bands 0: 2 (33.3 %), 1–30: 1 (16.7 %), 31–90: 1, 91–180: 1 (C3, exactly 180), >180: 1.
/// Rank 1: 2 (C1, C5), 2: 2 (C2, C7), 3: 1, 4: 0, 5: 0, none: 2 (C4, C6).
/// Age at desired start (6): <1 1, 1–2 3, 2–2,75 2, ≥2,75 0.
/// Age at start (7): <1 1, 1–2 4 (C2, C4, C5, C6), 2–2,75 1 (C7), ≥2,75 1 (C3).
/// Regions: Altstadt 4 (Johannstadt 2, Seevorstadt 2), Neustadt 2 (Leipziger Vorstadt 2),
/// unknown 1; city 7.
/// Hours: 4.5 → 1 (14.3 %), 6 → 1, 7 → 1, 9 → 4 (4/7 = 57.14 → 57.1 %).
///
/// Belegrecht (2): waiting 14 (C9) only: mean = median = max = 14; without desired start 1
/// (C8); hours 8 → 1, 9 → 1; Altstadt/Seevorstadt 1, Neustadt/Leipziger Vorstadt 1.
#[rustfmt::skip]
pub fn placed_contracts() -> Vec<PlacedContract> {
    let altstadt = |s| region("Altstadt", s);
    let lv = region("Neustadt", "Leipziger Vorstadt");
    let mut c8 = contract(
        "K2",
        altstadt("Seevorstadt"),
        d(2024, 2, 1),
        None,
        d(2025, 3, 1),
        d(2025, 2, 1),
        None,
        "9",
    );
    c8.employer_seat = true;
    let mut c9 = contract(
        "K1",
        lv.clone(),
        d(2023, 3, 1),
        Some(d(2025, 1, 1)),
        d(2025, 1, 15),
        d(2025, 1, 2),
        None,
        "8",
    );
    c9.employer_seat = true;
    vec![
        contract("K1", altstadt("Seevorstadt"), d(2024, 3, 10), Some(d(2025, 3, 1)), d(2025, 3, 1), d(2025, 1, 1), Some(1), "9"),
        contract("K1", altstadt("Seevorstadt"), d(2023, 5, 10), Some(d(2025, 2, 1)), d(2025, 3, 3), d(2025, 2, 15), Some(2), "9"),
        contract("K2", altstadt("Johannstadt"), d(2022, 5, 10), Some(d(2024, 8, 14)), d(2025, 2, 10), d(2025, 1, 20), Some(3), "7"),
        contract("K2", lv.clone(), d(2024, 1, 31), Some(d(2025, 4, 1)), d(2025, 5, 15), d(2025, 3, 10), None, "6"),
        contract("K3", lv.clone(), d(2023, 8, 20), Some(d(2025, 1, 1)), d(2025, 8, 1), d(2025, 6, 30), Some(1), "9"),
        contract("K1", region("", ""), d(2024, 6, 1), None, d(2025, 6, 1), d(2025, 4, 1), None, "4.5"),
        contract("K3", altstadt("Johannstadt"), d(2023, 1, 15), Some(d(2025, 5, 1)), d(2025, 4, 1), d(2025, 3, 1), Some(2), "9.0"),
        c8,
        c9,
        contract("K1", altstadt("Seevorstadt"), d(2024, 1, 1), Some(d(2025, 1, 1)), d(2025, 1, 1), d(2024, 12, 31), Some(1), "9"),
        contract("K2", altstadt("Johannstadt"), d(2024, 1, 1), Some(d(2025, 8, 1)), d(2025, 8, 1), d(2025, 7, 1), Some(1), "9"),
    ]
}

/// The range of the terminations data set: the first quarter of 2025.
pub fn first_quarter() -> Filter {
    Filter::range(d(2025, 1, 1), d(2025, 3, 31))
}

#[allow(clippy::too_many_arguments)]
fn termination(
    facility: &str,
    region: Region,
    birth: NaiveDate,
    desired: Option<NaiveDate>,
    start: NaiveDate,
    notice: NaiveDate,
    reason: &str,
) -> Termination {
    let (provider, municipal) = owner(facility);
    Termination {
        facility: facility.into(),
        facility_name: format!("Kita {facility}"),
        provider: provider.into(),
        provider_is_municipal: municipal,
        region,
        birth_date: birth,
        desired_start: desired,
        start,
        notice_on: notice,
        end: notice + chrono::Months::new(2),
        reason: reason.into(),
    }
}

/// Seven notices; range 01.01.–31.03.2025.
///
/// | # | fac | region | born | desired | start | notice | reason | band desired / start |
/// |---|---|---|---|---|---|---|---|---|
/// | T1 | K1 | Altstadt/Seevorstadt | 10.05.22 | 01.08.23 | 01.08.23 | 01.01.25 (from) | move | 1–2 (14) / 1–2 (14) |
/// | T2 | K2 | Altstadt/Johannstadt | 15.02.20 | – | 01.03.21 | 20.01.25 | school | – / 1–2 (12) |
/// | T3 | K2 | Neustadt/Leipziger Vorstadt | 01.06.23 | 01.03.24 | 01.04.24 | 28.02.25 | dissatisfied | <1 (9) / <1 (10) |
/// | T4 | K3 | Neustadt/Leipziger Vorstadt | 01.09.21 | 01.06.24 | 01.06.24 | 31.03.25 (until) | move | ≥2,75 (33) / ≥2,75 (33) |
/// | T5 | K1 | unknown | 01.01.23 | 01.01.24 | 01.02.24 | 05.03.25 | kita_closed | 1–2 (12) / 1–2 (13) |
/// | T6 | K1 | Altstadt/Seevorstadt | 01.01.22 | 01.01.23 | 01.01.23 | 31.12.24 (before) | move | |
/// | T7 | K2 | Altstadt/Johannstadt | 01.01.22 | 01.01.23 | 01.01.23 | 01.04.25 (after) | move | |
///
/// In the range: T1–T5 = 5. Months 01.2025: 2, 02.2025: 1, 03.2025: 2.
/// Age at desired start (4): <1 1, 1–2 2, 2–2,75 0, ≥2,75 1; without desired start 1 (T2).
/// Age at start (5): <1 1, 1–2 3, 2–2,75 0, ≥2,75 1.
/// Regions: Altstadt 2 (Johannstadt 1, Seevorstadt 1), Neustadt 2, unknown 1.
/// Reasons in order move 2, school 1, dissatisfied 1, kita_closed 1 (unknown code, last).
#[rustfmt::skip]
pub fn terminations() -> Vec<Termination> {
    let see = || region("Altstadt", "Seevorstadt");
    let johann = || region("Altstadt", "Johannstadt");
    let lv = || region("Neustadt", "Leipziger Vorstadt");
    vec![
        termination("K1", see(), d(2022, 5, 10), Some(d(2023, 8, 1)), d(2023, 8, 1), d(2025, 1, 1), "move"),
        termination("K2", johann(), d(2020, 2, 15), None, d(2021, 3, 1), d(2025, 1, 20), "school"),
        termination("K2", lv(), d(2023, 6, 1), Some(d(2024, 3, 1)), d(2024, 4, 1), d(2025, 2, 28), "dissatisfied"),
        termination("K3", lv(), d(2021, 9, 1), Some(d(2024, 6, 1)), d(2024, 6, 1), d(2025, 3, 31), "move"),
        termination("K1", region("", ""), d(2023, 1, 1), Some(d(2024, 1, 1)), d(2024, 2, 1), d(2025, 3, 5), "kita_closed"),
        termination("K1", see(), d(2022, 1, 1), Some(d(2023, 1, 1)), d(2023, 1, 1), d(2024, 12, 31), "move"),
        termination("K2", johann(), d(2022, 1, 1), Some(d(2023, 1, 1)), d(2023, 1, 1), d(2025, 4, 1), "move"),
    ]
}

fn demand(
    region: Region,
    birth: NaiveDate,
    desired: NaiveDate,
    registered: NaiveDate,
    wishes: &[&str],
) -> OpenDemand {
    OpenDemand {
        region,
        birth_date: birth,
        desired_start: desired,
        registered_on: registered,
        care_type: "krippe".into(),
        wished_facilities: wishes.iter().map(|w| (*w).to_owned()).collect(),
    }
}

/// Seven open demands; range 01.01.–31.03.2025, reference date 31.03.2025.
///
/// | # | region | born | desired | registered | wishes | waiting on 31.03.25 | band on 31.03.25 | band at desired |
/// |---|---|---|---|---|---|---|---|---|
/// | D1 | Altstadt/Seevorstadt | 15.04.24 | 31.03.25 | 05.11.24 | K1 | 0 | <1 (11) | |
/// | D2 | Altstadt/Johannstadt | 30.06.23 | 02.10.24 | 10.01.25 | K2, K1 | 31+30+31+31+28+29 = 180 | 1–2 (21) | 1–2 (15) |
/// | D3 | Neustadt/Leipziger Vorstadt | 30.06.22 | 01.06.25 | 14.02.25 | K3 | not yet due | ≥2,75 (33) | ≥2,75 (35) |
/// | D4 | Neustadt/Leipziger Vorstadt | 01.09.24 | 01.03.25 | 31.03.25 (until) | K2 | 30 | <1 (6) | <1 (6) |
/// | D5 | unknown | 10.01.23 | 01.12.24 | 01.06.24 | K1 | 31+31+28+30 = 120 | 2–2,75 (26) | |
/// | D6 | Altstadt/Seevorstadt | 01.01.24 | 01.08.25 | 01.04.25 (after) | K9 (unknown) | | | |
/// | D7 | Altstadt/Seevorstadt | 01.01.21 | 01.01.23 | 01.06.22 | K3 | 365+366+31+28+30 = 820 (2024 a leap year) | ≥2,75 (50) | |
///
/// Open on 31.03.2025: D1–D5, D7 = 6 (D6 registered after). Due: 5, waiting sorted
/// 0, 30, 120, 180, 820: mean 1150 / 5 = 230, median 120, max 820.
/// Bands: not yet due 1, 0: 1, 1–30: 1, 31–90: 0, 91–180: 2 (D2 exactly 180, D5), >180: 1.
/// Age on 31.03.: <1 2, 1–2 1, 2–2,75 1, ≥2,75 2.
/// Regions: Altstadt 3 (Johannstadt 1, Seevorstadt 2), Neustadt 2, unknown 1.
/// Registrations in the range: 01.2025 D2 (1–2), 02.2025 D3 (≥2,75), 03.2025 D4 (<1): 3.
/// Provider awo (K2): D2, D4. Municipal (K1): D1, D2, D5. Facility K3: D3, D7.
#[rustfmt::skip]
pub fn open_demands() -> Vec<OpenDemand> {
    let see = || region("Altstadt", "Seevorstadt");
    let lv = || region("Neustadt", "Leipziger Vorstadt");
    vec![
        demand(see(), d(2024, 4, 15), d(2025, 3, 31), d(2024, 11, 5), &["K1"]),
        demand(region("Altstadt", "Johannstadt"), d(2023, 6, 30), d(2024, 10, 2), d(2025, 1, 10), &["K2", "K1"]),
        demand(lv(), d(2022, 6, 30), d(2025, 6, 1), d(2025, 2, 14), &["K3"]),
        demand(lv(), d(2024, 9, 1), d(2025, 3, 1), d(2025, 3, 31), &["K2"]),
        demand(region("", ""), d(2023, 1, 10), d(2024, 12, 1), d(2024, 6, 1), &["K1"]),
        demand(see(), d(2024, 1, 1), d(2025, 8, 1), d(2025, 4, 1), &["K9"]),
        demand(see(), d(2021, 1, 1), d(2023, 1, 1), d(2022, 6, 1), &["K3"]),
    ]
}
