//! Properties of the occupancy figures and the forecast over random facilities and contracts.

use chrono::{Days, NaiveDate};
use kitanetz_occupancy::*;
use proptest::prelude::*;
use rust_decimal::Decimal;
use std::collections::BTreeSet;

const KINDS: [PlaceKind; 4] = [
    PlaceKind::regular(CareType::Nursery),
    PlaceKind::regular(CareType::Kindergarten),
    PlaceKind::integration(CareType::Kindergarten),
    PlaceKind::regular(CareType::AfterSchool),
];

fn base() -> NaiveDate {
    NaiveDate::from_ymd_opt(2024, 1, 1).unwrap()
}

fn day(offset: u64) -> NaiveDate {
    base() + Days::new(offset)
}

prop_compose! {
    fn arb_contract()(
        child in 0u8..12,
        born_days_before in 200u64..2700,
        start in 0u64..500,
        length in prop::option::of(10u64..700),
        notice in any::<bool>(),
        kinds in prop::collection::vec((0usize..4, 0u64..400), 1..3),
    ) -> Contract {
        let start_day = day(start);
        let birth = base() - Days::new(born_days_before);
        let end = match length {
            None => ContractEnd::Open,
            Some(l) if notice => ContractEnd::Notice { received_on: start_day, last_day: day(start + l) },
            Some(l) => ContractEnd::Fixed { last_day: day(start + l) },
        };
        Contract {
            // The birth date belongs to the pseudonym: the same child in two contracts is one child.
            child: Child {
                pseudonym: ChildPseudonym(format!("c{child}")),
                birth_date: birth - Days::new(u64::from(child)),
                school_entry: SchoolEntry::Statutory,
            },
            start: start_day,
            end,
            lines: kinds.into_iter().map(|(k, from)| ContractLine {
                valid_from: day(start + from),
                kind: KINDS[k],
                daily_hours: Decimal::from(8),
                employer_seat: from % 2 == 0,
            }).collect(),
        }
    }
}

prop_compose! {
    fn arb_book()(
        places in prop::collection::vec(0u32..6, 4),
        contracts in prop::collection::vec(arb_contract(), 0..14),
    ) -> FacilityBook {
        FacilityBook {
            facility: FacilityId("kita".into()),
            approved: KINDS.iter().zip(places).map(|(&kind, places)| ApprovedPlaces {
                kind,
                changes: vec![PlacesFrom { valid_from: day(0), places }],
            }).collect(),
            closures: Vec::new(),
            contracts,
            reservations: Vec::new(),
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    /// Every row balances; and where nothing is over its places, occupied + free = capacity.
    #[test]
    fn occupied_and_free_make_the_capacity(book in arb_book(), at in 0u64..900) {
        let rules = Rules::saxony();
        let o = occupancy_on(std::slice::from_ref(&book), &book.facility, day(at), &rules).unwrap();
        for r in o.places.iter().map(|r| &r.figures).chain([&o.total]) {
            prop_assert_eq!(
                r.capacity + r.borrowed + r.over,
                r.occupied + r.reserved + r.guests + r.lent + r.free
            );
        }
        let nothing_over = o.places.iter().all(|r| r.figures.occupied <= r.figures.capacity);
        if nothing_over {
            for r in &o.places {
                prop_assert_eq!(r.figures.occupied + r.figures.free, r.figures.capacity, "{:?}", r.kind);
            }
        }
        let children: BTreeSet<_> = o.children.iter().map(|c| &c.child).collect();
        prop_assert_eq!(children.len(), o.children.len());
        prop_assert_eq!(o.total.occupied as usize, o.children.len());
    }

    /// The forecast counts each child at most once on each month's day, and moves each child
    /// at most once a day.
    #[test]
    fn the_forecast_never_counts_a_child_twice(book in arb_book(), at in 0u64..600) {
        let rules = Rules::saxony();
        let books = std::slice::from_ref(&book);
        let f = forecast(books, &book.facility, day(at), &rules).unwrap();
        prop_assert!(f.months.len() == 12 || f.months.len() == 13);
        for m in &f.months {
            let o = occupancy_on(books, &book.facility, m.on, &rules).unwrap();
            let children: BTreeSet<_> = o.children.iter().map(|c| &c.child).collect();
            prop_assert_eq!(children.len(), o.children.len());
            prop_assert_eq!(m.total.occupied as usize, children.len());
            let mut moved = BTreeSet::new();
            for mv in &m.movements {
                prop_assert!(moved.insert((mv.on, &mv.child)), "{:?} moves twice", mv);
                prop_assert!(m.period.contains(mv.on) && mv.on > f.reference_date);
            }
            for l in &m.least_free {
                let on_day = m.places.iter().find(|r| r.kind == l.kind).map_or(0, |r| r.figures.free);
                prop_assert!(l.free <= on_day);
            }
        }
    }
}
