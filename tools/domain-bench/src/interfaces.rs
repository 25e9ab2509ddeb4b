//! The inputs of two interfaces from the generated city (issue 12 item 8): the Kita-Planer export
//! buffer's child records for the Kitas of one big Träger, and the Landeszuschuss count's
//! contracts for the whole city, Tagespflege included, on 1 April.
//!
//! The contracts are the city's; what the city does not hold (names, addresses, contacts, extra
//! services, cancelled lines, care gaps, Tagespflege) is drawn from a second stream of the seed's
//! `ChaCha8Rng`, so that the city, and with it the other figures, stays what it was.

use crate::generate::{d, first_of_month, plus};
use chrono::{Datelike, Days, Months, NaiveDate};
use kitanetz_kitaplaner as kp;
use kitanetz_kitaplaner::model;
use kitanetz_occupancy::{CareType, Contract, ContractEnd, FacilityBook};
use kitanetz_statistics::landeszuschuss as lz;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rust_decimal::Decimal;
use std::collections::BTreeSet;

/// The stream of the seed's generator these inputs draw from (the city draws from stream 0).
const INTERFACE_STREAM: u64 = 1;

fn interface_rng(seed: u64) -> ChaCha8Rng {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(INTERFACE_STREAM);
    rng
}

/// The Kita-Planer service of a care type: flagged for Kita-Planer, hours from each line (the
/// node's `services()` in node/src/kitaplaner/mod.rs).
fn care_service(care_type: CareType) -> &'static str {
    match care_type {
        CareType::Nursery => "nursery",
        CareType::Kindergarten => "kindergarten",
        CareType::AfterSchool => "after_school",
        CareType::Remedial => "remedial",
        CareType::SupportedAfterSchool => "supported_after_school",
    }
}

/// An early or late module booked on top of the care (flagged, one hour from the service).
const EXTRA_HOUR: &str = "randzeit";
/// Lunch: booked on the contract but not sent to Kita-Planer (R1 drops it).
const LUNCH: &str = "mittagessen";

pub fn kitaplaner_settings() -> model::ExportSettings {
    let care = [
        CareType::Nursery,
        CareType::Kindergarten,
        CareType::AfterSchool,
        CareType::Remedial,
        CareType::SupportedAfterSchool,
    ]
    .into_iter()
    .map(|care_type| model::Service {
        id: care_service(care_type).into(),
        name: Some(care_service(care_type).into()),
        transfer_to_kitaplaner: true,
        daily_hours: None,
    });
    let extra = [
        model::Service {
            id: EXTRA_HOUR.into(),
            name: Some("Früh-/Spätdienst".into()),
            transfer_to_kitaplaner: true,
            daily_hours: kp::Hours::new(Decimal::ONE),
        },
        model::Service {
            id: LUNCH.into(),
            name: Some("Mittagessen".into()),
            transfer_to_kitaplaner: false,
            daily_hours: None,
        },
    ];
    model::ExportSettings {
        configured_areas: BTreeSet::from(["kita".to_string()]),
        mapping: kp::BetreuungszeitMapping::seed_default(),
        services: care.chain(extra).collect(),
    }
}

const LAST_NAMES: [&str; 12] = [
    "Müller",
    "Schmidt",
    "Schneider",
    "Fischer",
    "Weber",
    "Meyer",
    "Wagner",
    "Becker",
    "Schulz",
    "Hoffmann",
    "Krause",
    "Richter",
];
const FIRST_NAMES: [&str; 12] = [
    "Emma", "Mia", "Hannah", "Sofia", "Lina", "Noah", "Leon", "Paul", "Ben", "Emil", "Anna",
    "Thomas",
];
const STREETS: [&str; 8] = [
    "Königsbrücker Straße",
    "Bautzner Straße",
    "Leipziger Straße",
    "Hauptstraße",
    "Prager Straße",
    "Louisenstraße",
    "Borsbergstraße",
    "Kesselsdorfer Straße",
];

fn pick<'a>(rng: &mut ChaCha8Rng, from: &[&'a str]) -> &'a str {
    from[rng.gen_range(0..from.len())]
}

fn address(rng: &mut ChaCha8Rng) -> model::Address {
    model::Address {
        street: Some(pick(rng, &STREETS).into()),
        house_number: Some(rng.gen_range(1..=120).to_string()),
        postal_code: Some(format!("01{:03}", rng.gen_range(67..=328))),
        city: Some("Dresden".into()),
    }
}

fn period(start: NaiveDate, end: Option<NaiveDate>) -> kp::Period {
    kp::Period::new(start, end).expect("generated periods are ordered")
}

/// The Kitas of one Träger: the first Kitas of the city until their contracts reach `contracts`
/// (issue 12 item 8: a Träger with about 16,000 contracts, half of the generated city).
pub fn trager_books(books: &[FacilityBook], contracts: usize) -> &[FacilityBook] {
    let mut held = 0;
    let end = books
        .iter()
        .position(|b| {
            held += b.contracts.len();
            held >= contracts
        })
        .map_or(books.len(), |k| k + 1);
    &books[..end]
}

/// The six tables of every child at `books`' Kitas (one child per contract in the city), as the
/// node's `child_record` builds them: one head per contract with `KIND_ID_EXTERN` its id, one
/// org assignment for the contract's period (an exit by notice is an early discharge), the care
/// lines cut at the next line's first day; plus lunch on most contracts, an extra hour on some,
/// a cancelled line and a month without care on a few.
pub fn kitaplaner_records(books: &[FacilityBook], seed: u64) -> Vec<model::ChildRecord> {
    let mut rng = interface_rng(seed);
    let mut records = Vec::new();
    for (k, book) in books.iter().enumerate() {
        let facility = model::Facility {
            id: book.facility.0.as_str().into(),
            name: Some(format!("Kita {k}")),
            area: "kita".into(),
            kita_id_extern: Some(format!("14{k:05}")),
        };
        for contract in &book.contracts {
            records.push(child_record(&mut rng, contract, &facility));
        }
    }
    records
}

fn child_record(
    rng: &mut ChaCha8Rng,
    contract: &Contract,
    facility: &model::Facility,
) -> model::ChildRecord {
    let id = &contract.child.pseudonym.0;
    let last_name = pick(rng, &LAST_NAMES);
    let mut contacts = vec![model::Contact {
        id: format!("{id}-g1").as_str().into(),
        last_name: last_name.into(),
        first_name: pick(rng, &FIRST_NAMES).into(),
        address: address(rng),
    }];
    // Most children have a second guardian; half of them live elsewhere.
    if rng.gen_bool(0.7) {
        let address = if rng.gen_bool(0.5) {
            contacts[0].address.clone()
        } else {
            address(rng)
        };
        contacts.push(model::Contact {
            id: format!("{id}-g2").as_str().into(),
            last_name: pick(rng, &LAST_NAMES).into(),
            first_name: pick(rng, &FIRST_NAMES).into(),
            address,
        });
    }
    let end = contract.end.last_day();
    let lines = contract_lines(rng, contract, end);
    model::ChildRecord {
        child: model::Child {
            last_name: last_name.into(),
            first_name: pick(rng, &FIRST_NAMES).into(),
            birth_date: contract.child.birth_date,
            address: contacts[0].address.clone(),
        },
        contact_assignment: model::ContactAssignment {
            main_contact_1: Some(contacts[0].id.clone()),
            main_contact_2: contacts.get(1).map(|c| c.id.clone()),
        },
        contacts,
        org_assignments: vec![model::OrgAssignment {
            id: id.as_str().into(),
            facility: facility.id.clone(),
            period: period(contract.start, end),
            early_discharge: matches!(contract.end, ContractEnd::Notice { .. }),
        }],
        contracts: vec![model::ContractHead {
            id: id.as_str().into(),
            kind_id_extern: Some(format!("BV-{id}")),
            lines,
        }],
        facilities: vec![facility.clone()],
    }
}

fn contract_lines(
    rng: &mut ChaCha8Rng,
    contract: &Contract,
    end: Option<NaiveDate>,
) -> Vec<model::ContractLine> {
    let id = &contract.child.pseudonym.0;
    let mut lines: Vec<model::ContractLine> = Vec::new();
    let mut push = |service: &str, period: kp::Period, cancelled, hours: Option<Decimal>| {
        let n = lines.len();
        lines.push(model::ContractLine {
            id: format!("{id}/{n}").as_str().into(),
            service: service.into(),
            period,
            cancelled,
            daily_hours_override: hours.map(|h| kp::Hours::new(h).expect("positive")),
        });
    };
    // The care lines: each holds until the day before the next one, the last to the contract's
    // end; a change planned after an exit never takes effect.
    let care: Vec<_> = contract
        .lines
        .iter()
        .filter(|l| end.is_none_or(|e| l.valid_from <= e))
        .collect();
    for (i, line) in care.iter().enumerate() {
        let until = care
            .get(i + 1)
            .map(|next| next.valid_from - Days::new(1))
            .or(end);
        let service = care_service(line.kind.care_type);
        let from = line.valid_from.max(contract.start);
        // One contract in 50: a month without care after the first month of a long line (the
        // family paused; R6 refuses the contract).
        let long = until.is_none_or(|u| u >= from + Months::new(3));
        if i == 0 && long && rng.gen_bool(0.02) {
            let paused = from + Months::new(1);
            push(
                service,
                period(from, Some(paused - Days::new(1))),
                false,
                Some(line.daily_hours),
            );
            push(
                service,
                period(paused + Months::new(1), until),
                false,
                Some(line.daily_hours),
            );
        } else {
            push(service, period(from, until), false, Some(line.daily_hours));
        }
    }
    let first = care
        .first()
        .expect("every contract has a line from its start");
    // Lunch on most contracts, for the contract's whole period.
    if rng.gen_bool(0.6) {
        push(LUNCH, period(contract.start, end), false, None);
    }
    // One in seven books an extra hour for six to twelve months.
    if rng.gen_bool(0.15) {
        let from =
            first_of_month(contract.start + Months::new(rng.gen_range(0..12))).max(contract.start);
        let until = from + Months::new(rng.gen_range(6..=12)) - Days::new(1);
        let until = end.map_or(until, |e| until.min(e));
        if from <= until {
            push(EXTRA_HOUR, period(from, Some(until)), false, None);
        }
    }
    // One in 30 has a line entered with the wrong hours and cancelled (R1 ignores it).
    if rng.gen_bool(0.03) {
        let hours = first.daily_hours + Decimal::ONE;
        push(
            care_service(first.kind.care_type),
            period(contract.start, end),
            true,
            Some(hours),
        );
    }
    lines
}

/// The same records after a change to every Kita's Einrichtung (renamed): R11 rebuilds every
/// child. Returns the state before the change.
pub fn before_renaming(records: &[model::ChildRecord]) -> Vec<model::ChildRecord> {
    records
        .iter()
        .map(|record| {
            let mut previous = record.clone();
            for facility in &mut previous.facilities {
                facility.name = facility.name.as_ref().map(|n| format!("{n} (alt)"));
            }
            previous
        })
        .collect()
}

/// 1 April of `year`, the Landeszuschuss Stichtag (§ 18 Abs. 1 and 5 SächsKitaG).
pub fn stichtag(year: i32) -> NaiveDate {
    d(year, 4, 1)
}

/// The count's contracts: every contract of the city as the node's `landeszuschuss` reads it
/// (the line in force on the Stichtag or the first line; a heilpädagogischer place counts for
/// Eingliederungshilfe, as does an integration place or a child with an integration need), and
/// Tagespflege: about four children per Kita with five children per Tagespflegeperson, a few of
/// them with a term under two months.
pub fn landeszuschuss_contracts(
    books: &[FacilityBook],
    seed: u64,
    stichtag: NaiveDate,
) -> Vec<lz::Contract> {
    // Its own stream position: the Kita-Planer records draw from the start of stream 1.
    let mut rng = interface_rng(seed);
    rng.set_word_pos(1 << 40);
    let mut contracts = Vec::new();
    for (k, book) in books.iter().enumerate() {
        for contract in &book.contracts {
            let line = contract
                .lines
                .iter()
                .rev()
                .find(|l| l.valid_from <= stichtag)
                .or(contract.lines.first())
                .expect("every contract has a line");
            let (care_type, remedial) = match line.kind.care_type {
                CareType::Nursery => (lz::CareType::Krippe, false),
                CareType::Kindergarten => (lz::CareType::Kindergarten, false),
                CareType::AfterSchool | CareType::SupportedAfterSchool => {
                    (lz::CareType::Hort, false)
                }
                CareType::Remedial => (lz::CareType::Kindergarten, true),
            };
            let integration_need = line.kind.integration || rng.gen_bool(0.01);
            contracts.push(lz::Contract {
                id: contract.child.pseudonym.0.as_str().into(),
                facility: Some(format!("Kita {k}")),
                care_type,
                birth_date: Some(contract.child.birth_date),
                daily_hours: line.daily_hours,
                term: kitanetz_statistics::period::Period::new(
                    contract.start,
                    contract.end.last_day(),
                )
                .expect("generated terms are ordered"),
                eingliederungshilfe: remedial || integration_need,
            });
        }
    }
    let hours = [50i64, 60, 70, 80, 90, 90, 100, 100];
    for t in 0..books.len() * 4 {
        let birth = plus(stichtag, -rng.gen_range(300..1095));
        let start = first_of_month(plus(stichtag, -rng.gen_range(-60..700))).max(birth);
        let u: f64 = rng.gen();
        let end = if u < 0.05 {
            // A stand-in for a few weeks: under two months, excluded.
            Some(start + Days::new(rng.gen_range(10..50)))
        } else if u < 0.15 {
            Some(last_of_year(start.year() + rng.gen_range(0..3)))
        } else {
            None
        };
        contracts.push(lz::Contract {
            id: format!("tp{t:05}").as_str().into(),
            facility: Some(format!("Tagespflege {}", t / 5)),
            care_type: lz::CareType::Tagespflege,
            birth_date: Some(birth),
            daily_hours: Decimal::new(hours[rng.gen_range(0..hours.len())], 1),
            term: kitanetz_statistics::period::Period::new(start, end.map(|e| e.max(start)))
                .expect("ordered"),
            eingliederungshilfe: rng.gen_bool(0.02),
        });
    }
    contracts
}

fn last_of_year(year: i32) -> NaiveDate {
    d(year, 12, 31)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::generate;

    fn today() -> NaiveDate {
        d(2026, 3, 16)
    }

    #[test]
    fn every_generated_child_fills_its_buffer_and_some_contracts_have_a_gap() {
        let settings = kitaplaner_settings();
        let mut gaps = 0;
        for seed in 1..=3 {
            let city = generate::city(30, seed, today());
            for record in kitaplaner_records(&city.books, seed) {
                let buffer = kp::fill_export_buffer(&record, &settings)
                    .unwrap_or_else(|e| panic!("seed {seed}: {e}"));
                gaps += buffer.care_gaps.len();
            }
        }
        assert!(gaps > 0, "the records should exercise R6");
    }

    #[test]
    fn the_same_seed_gives_the_same_inputs() {
        let city = generate::city(10, 7, today());
        assert_eq!(
            kitaplaner_records(&city.books, 7),
            kitaplaner_records(&city.books, 7)
        );
        let stichtag = stichtag(2026);
        assert_eq!(
            landeszuschuss_contracts(&city.books, 7, stichtag),
            landeszuschuss_contracts(&city.books, 7, stichtag)
        );
    }

    #[test]
    fn the_trager_holds_the_first_kitas_up_to_the_contracts_asked_for() {
        let city = generate::city(40, 1, today());
        let trager = trager_books(&city.books, 1_000);
        let held: usize = trager.iter().map(|b| b.contracts.len()).sum();
        let without_last = held - trager.last().unwrap().contracts.len();
        assert!(held >= 1_000 && without_last < 1_000);
    }
}
