//! Dresden-scale data from a seed: Kitas with approved places, closures and reservations,
//! children under contract (Krippe, Kindergarten, Hort; hours 4.5–11; past, running and future
//! contracts; exits with notice, agreed ends, recorded switches and hour changes), and staff
//! (educators and leaders with weekly hours, assignments, absences, a few at two Kitas).
//!
//! Same seed and size, same data: everything is drawn from one `ChaCha8Rng` in a fixed order.

use chrono::{Datelike, Days, Months, NaiveDate};
use kitanetz_occupancy::{
    ApprovedPlaces, CareType, Child, Closure, Contract, ContractEnd, ContractLine, FacilityBook,
    FacilityId, Period, PlaceKind, PlacesFrom, Reservation, SchoolEntry, Substitute,
};
use kitanetz_staffing::{DaySpan, StaffAssignment, StaffRole};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rust_decimal::Decimal;

pub type Assignment = StaffAssignment<String, String>;

pub struct City {
    pub books: Vec<FacilityBook>,
    /// Per book (same index), the assignments at that Kita (a person at two Kitas has one
    /// assignment in each list).
    pub staff: Vec<Vec<Assignment>>,
    pub persons: usize,
}

const KRIPPE: PlaceKind = PlaceKind::regular(CareType::Nursery);
const KIGA: PlaceKind = PlaceKind::regular(CareType::Kindergarten);
const I_KIGA: PlaceKind = PlaceKind::integration(CareType::Kindergarten);
const HORT: PlaceKind = PlaceKind::regular(CareType::AfterSchool);

pub(crate) fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).expect("a valid date")
}

pub(crate) fn plus(day: NaiveDate, days: i64) -> NaiveDate {
    if days >= 0 {
        day + Days::new(days as u64)
    } else {
        day - Days::new(days.unsigned_abs())
    }
}

pub(crate) fn first_of_month(day: NaiveDate) -> NaiveDate {
    day.with_day(1).expect("every month has a 1st")
}

fn last_of_month(day: NaiveDate) -> NaiveDate {
    first_of_month(day) + Months::new(1) - Days::new(1)
}

fn hours(rng: &mut ChaCha8Rng, kind: PlaceKind) -> Decimal {
    // Tenths of hours: Hort 5–6, Krippe/Kindergarten 4.5–11 with 9 and 10 the common ones.
    let tenths: &[i64] = if kind.care_type == CareType::AfterSchool {
        &[50, 50, 60, 60, 60]
    } else {
        &[45, 60, 70, 75, 80, 90, 90, 90, 90, 100, 100, 100, 110]
    };
    Decimal::new(tenths[rng.gen_range(0..tenths.len())], 1)
}

/// Generates `kitas` Kitas (about 75 children each, so 400 give about 30,000) and their staff.
pub fn city(kitas: usize, seed: u64, today: NaiveDate) -> City {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut books = Vec::with_capacity(kitas);
    let mut next_child = 0u64;
    for k in 0..kitas {
        // Kinderhaus (Krippe + Kindergarten), Kindergarten, Krippe, Hort.
        let u: f64 = rng.gen();
        let mut places: Vec<(PlaceKind, u32)> = if u < 0.55 {
            vec![
                (KRIPPE, rng.gen_range(15..=45)),
                (KIGA, rng.gen_range(30..=110)),
            ]
        } else if u < 0.70 {
            vec![(KIGA, rng.gen_range(20..=90))]
        } else if u < 0.80 {
            vec![(KRIPPE, rng.gen_range(10..=40))]
        } else {
            vec![(HORT, rng.gen_range(40..=160))]
        };
        if places.iter().any(|p| p.0 == KIGA) && rng.gen_bool(0.15) {
            places.push((I_KIGA, rng.gen_range(3..=6)));
        }
        let approved = places
            .iter()
            .map(|&(kind, n)| {
                let mut changes = vec![PlacesFrom {
                    valid_from: d(2015, 1, 1),
                    places: n,
                }];
                // One Kita in ten grows (or shrinks) during the forecast year.
                if rng.gen_bool(0.1) {
                    changes.push(PlacesFrom {
                        valid_from: first_of_month(plus(today, rng.gen_range(30..330))),
                        places: (n as i64 + rng.gen_range(-5i64..=15)).max(0) as u32,
                    });
                }
                ApprovedPlaces { kind, changes }
            })
            .collect();
        let mut closures = Vec::new();
        // Closing days between the years (Satzung § 4 (4)) at four Kitas in ten.
        if rng.gen_bool(0.4) {
            closures.push(Closure {
                period: Period::closed(d(today.year(), 12, 27), d(today.year(), 12, 30))
                    .expect("ordered"),
                substitute: Substitute::None,
                reason: "Schließtage".into(),
            });
        }
        // A summer renovation: children go to a substitute building or a neighbour Kita.
        if rng.gen_bool(0.04) && kitas > 1 {
            let start = d(today.year(), 7, rng.gen_range(1..=20));
            let substitute = if rng.gen_bool(0.5) {
                Substitute::Location {
                    name: "Ausweichquartier".into(),
                }
            } else {
                Substitute::Facility {
                    facility: facility_id((k + 1) % kitas),
                }
            };
            closures.push(Closure {
                period: Period::closed(start, start + Days::new(13)).expect("ordered"),
                substitute,
                reason: "Sanierung".into(),
            });
        }
        let mut contracts = Vec::new();
        for &(kind, n) in &places {
            // Most Kitas 80–100 % full, a few over their places (flexible use, findings).
            let fill = if rng.gen_bool(0.03) {
                rng.gen_range(1.0..1.1)
            } else {
                rng.gen_range(0.8..1.0)
            };
            let running = (n as f64 * fill).round() as u32;
            for _ in 0..running {
                contracts.push(running_contract(&mut rng, kind, next_child, today));
                next_child += 1;
            }
            // Planned contracts starting in the coming months (new Krippe children through the
            // year, Kindergarten and Hort mostly in August).
            let planned = (n as f64 * rng.gen_range(0.04..0.12)).round() as u32;
            for _ in 0..planned {
                contracts.push(planned_contract(&mut rng, kind, next_child, today));
                next_child += 1;
            }
        }
        let reservations = (0..rng.gen_range(0..=3))
            .map(|r| {
                let kind = places[rng.gen_range(0..places.len())].0;
                let from = first_of_month(plus(today, rng.gen_range(20..200)));
                let until = last_of_month(from + Months::new(rng.gen_range(1..4)));
                Reservation {
                    wish: format!("w{k:04}-{r}").as_str().into(),
                    kind,
                    period: Period::closed(from, until).expect("ordered"),
                }
            })
            .collect();
        books.push(FacilityBook {
            facility: facility_id(k),
            approved,
            closures,
            contracts,
            reservations,
        });
    }
    let (staff, persons) = staff(&mut rng, &books, today);
    City {
        books,
        staff,
        persons,
    }
}

pub fn facility_id(k: usize) -> FacilityId {
    FacilityId(format!("kita-{k:04}"))
}

fn child(rng: &mut ChaCha8Rng, n: u64, birth: NaiveDate) -> Child {
    let u: f64 = rng.gen();
    let school_entry = if u < 0.03 {
        // Schulrücksteller: the school year after the statutory one (six by 30 June).
        SchoolEntry::Deferred {
            school_year: birth.year() + 7 + i32::from(birth.month() > 6),
        }
    } else if u < 0.05 {
        SchoolEntry::OnRequest
    } else {
        SchoolEntry::Statutory
    };
    Child {
        pseudonym: format!("c{n:06}").as_str().into(),
        birth_date: birth,
        school_entry,
    }
}

/// Age range in days on `today` of the children on a kind of place.
fn age_days(rng: &mut ChaCha8Rng, kind: PlaceKind) -> i64 {
    match kind.care_type {
        CareType::Nursery => rng.gen_range(300..1095),
        CareType::AfterSchool => rng.gen_range(2300..3800),
        _ => rng.gen_range(1000..2330),
    }
}

fn end(rng: &mut ChaCha8Rng, start: NaiveDate, today: NaiveDate) -> ContractEnd {
    let u: f64 = rng.gen();
    if u < 0.10 {
        // Notice received lately; the last day the end of a month about two months on (one in
        // ten too early: a short-notice finding).
        let received_on = plus(today, -rng.gen_range(0..60)).max(start);
        let months = if rng.gen_bool(0.1) { 0 } else { 2 };
        let last_day = last_of_month(received_on + Months::new(months));
        ContractEnd::Notice {
            received_on,
            last_day,
        }
    } else if u < 0.15 {
        ContractEnd::Fixed {
            last_day: last_of_month(plus(today, rng.gen_range(0..365))).max(start),
        }
    } else {
        ContractEnd::Open
    }
}

fn line(rng: &mut ChaCha8Rng, valid_from: NaiveDate, kind: PlaceKind) -> ContractLine {
    ContractLine {
        valid_from,
        kind,
        daily_hours: hours(rng, kind),
        employer_seat: rng.gen_bool(0.03),
    }
}

fn running_contract(rng: &mut ChaCha8Rng, kind: PlaceKind, n: u64, today: NaiveDate) -> Contract {
    let age = age_days(rng, kind);
    let birth = plus(today, -age);
    // Entered at the earliest at ten months (Hort: at school entry).
    let earliest = match kind.care_type {
        CareType::AfterSchool => 2200,
        _ => 300,
    };
    let start = first_of_month(plus(birth, rng.gen_range(earliest..=age.max(earliest + 1))));
    let start = start.min(today);
    let mut lines = Vec::with_capacity(3);
    let third_birthday = birth + Months::new(36);
    if kind.care_type == CareType::Kindergarten && start < third_birthday {
        // Came from the Krippe: half of them have the switch recorded as an annex.
        if rng.gen_bool(0.5) {
            lines.push(line(rng, start, KRIPPE.with_integration(kind)));
            let switch = first_of_month(birth + Months::new(rng.gen_range(34..=36)));
            lines.push(line(rng, switch.max(start + Days::new(1)), kind));
        } else {
            lines.push(line(rng, start, KRIPPE.with_integration(kind)));
        }
    } else {
        lines.push(line(rng, start, kind));
    }
    // One in ten changes the hours by an annex, in the past or the coming months.
    if rng.gen_bool(0.1) {
        let from = first_of_month(plus(today, rng.gen_range(-300..300))).max(start);
        let last_kind = lines.last().expect("one line at least").kind;
        if from > lines.last().expect("one line at least").valid_from {
            lines.push(line(rng, from, last_kind));
        }
    }
    Contract {
        child: child(rng, n, birth),
        start,
        end: end(rng, start, today),
        lines,
    }
}

fn planned_contract(rng: &mut ChaCha8Rng, kind: PlaceKind, n: u64, today: NaiveDate) -> Contract {
    let start = match kind.care_type {
        CareType::Nursery => first_of_month(plus(today, rng.gen_range(20..330))),
        _ => {
            let august = d(today.year(), 8, 1);
            if august > today {
                august
            } else {
                d(today.year() + 1, 8, 1)
            }
        }
    };
    // Krippe from ten months to two years; Kindergarten three to four; Hort: school entrants.
    let age_at_start = match kind.care_type {
        CareType::Nursery => rng.gen_range(300..730),
        CareType::AfterSchool => rng.gen_range(2200..2560),
        _ => rng.gen_range(1095..1460),
    };
    let birth = plus(start, -age_at_start);
    Contract {
        child: child(rng, n, birth),
        start,
        end: ContractEnd::Open,
        lines: vec![line(rng, start, kind)],
    }
}

trait WithIntegration {
    fn with_integration(self, of: PlaceKind) -> PlaceKind;
}

impl WithIntegration for PlaceKind {
    fn with_integration(self, of: PlaceKind) -> PlaceKind {
        PlaceKind {
            integration: of.integration,
            ..self
        }
    }
}

/// Staff per Kita from its places: about one person per 5 Krippe, 11 Kindergarten and 18 Hort
/// places (part-time included), one leader, a deputy at big Kitas.
fn staff(
    rng: &mut ChaCha8Rng,
    books: &[FacilityBook],
    today: NaiveDate,
) -> (Vec<Vec<Assignment>>, usize) {
    let mut staff: Vec<Vec<Assignment>> = vec![Vec::new(); books.len()];
    let mut persons = 0usize;
    let weekly: [i64; 8] = [20, 25, 30, 30, 32, 35, 38, 40];
    for (k, book) in books.iter().enumerate() {
        let places = |kind: PlaceKind| {
            book.approved
                .iter()
                .filter(|a| a.kind == kind)
                .map(|a| a.changes[0].places)
                .sum::<u32>() as f64
        };
        let educators = (places(KRIPPE) / 5.0
            + (places(KIGA) + places(I_KIGA) * 2.0) / 11.0
            + places(HORT) / 18.0)
            .ceil() as usize;
        let leaders = if educators > 12 { 2 } else { 1 };
        for p in 0..educators + leaders {
            let person = format!("p{k:04}-{p:02}");
            persons += 1;
            let role = if p < leaders {
                StaffRole::Leadership
            } else {
                StaffRole::Educator
            };
            let start = if rng.gen_bool(0.06) {
                plus(today, rng.gen_range(1..330))
            } else {
                plus(today, -rng.gen_range(0..3650))
            };
            let end = rng
                .gen_bool(0.08)
                .then(|| plus(today, rng.gen_range(1..365)).max(start));
            let absences = if rng.gen_bool(0.12) {
                let from = plus(today, rng.gen_range(-200..300));
                let until = plus(from, rng.gen_range(30..365));
                vec![DaySpan {
                    start: from,
                    end: Some(until),
                }]
            } else {
                Vec::new()
            };
            let assignment = Assignment {
                person: person.clone(),
                facility: book.facility.0.clone(),
                role,
                counts_towards_key: rng.gen_bool(0.95),
                period: DaySpan { start, end },
                weekly_hours: Decimal::from(weekly[rng.gen_range(0..weekly.len())]),
                absences: absences.clone(),
            };
            // One in twenty also works some hours at the next Kita.
            if books.len() > 1 && rng.gen_bool(0.05) {
                let other = (k + 1) % books.len();
                staff[other].push(Assignment {
                    facility: books[other].facility.0.clone(),
                    role: StaffRole::Educator,
                    weekly_hours: Decimal::from(rng.gen_range(5..=10)),
                    ..assignment.clone()
                });
            }
            staff[k].push(assignment);
        }
    }
    (staff, persons)
}
