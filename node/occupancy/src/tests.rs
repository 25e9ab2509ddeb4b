//! Unit tests of the rules, one per rule, with dates around the boundaries.

use crate::fixtures::*;
use crate::*;

fn rules() -> Rules {
    Rules::saxony()
}

fn on(book: &FacilityBook, day: chrono::NaiveDate) -> FacilityOccupancy {
    occupancy_on(std::slice::from_ref(book), &book.facility, day, &rules()).unwrap()
}

fn row(o: &FacilityOccupancy, kind: PlaceKind) -> Figures {
    o.places.iter().find(|r| r.kind == kind).unwrap().figures
}

fn child_kind(o: &FacilityOccupancy, name: &str) -> Option<PlaceKind> {
    o.children
        .iter()
        .find(|c| c.child.0 == name)
        .map(|c| c.kind)
}

#[test]
fn occupied_reserved_and_free_per_kind() {
    let mut b = book("kita-1", &[(KRIPPE, 10), (KIGA, 20)]);
    b.contracts = vec![krippe_child("k1"), krippe_child("k2"), kiga_child("g1")];
    b.contracts[1].lines[0].employer_seat = true;
    b.reservations = vec![reservation("w1", KRIPPE, d(2025, 2, 1))];
    let o = on(&b, d(2025, 3, 1));
    let krippe = row(&o, KRIPPE);
    assert_eq!(
        (
            krippe.capacity,
            krippe.occupied,
            krippe.employer_seats,
            krippe.reserved,
            krippe.free
        ),
        (10, 2, 1, 1, 7)
    );
    let kiga = row(&o, KIGA);
    assert_eq!((kiga.occupied, kiga.free), (1, 19));
    assert_eq!(
        (o.total.capacity, o.total.occupied, o.total.free),
        (30, 3, 26)
    );
    assert!(o.findings.is_empty(), "{:?}", o.findings);
    // Before the contracts start nothing is occupied; the reservation only from its day.
    let o = on(&b, d(2024, 12, 31));
    assert_eq!((o.total.occupied, o.total.reserved), (0, 0));
}

#[test]
fn kindergarten_children_on_krippe_places_warn_within_the_total() {
    let mut b = book("kita-1", &[(KRIPPE, 2), (KIGA, 3)]);
    b.contracts = vec![
        krippe_child("k1"),
        kiga_child("g1"),
        kiga_child("g2"),
        kiga_child("g3"),
        kiga_child("g4"),
    ];
    let o = on(&b, d(2025, 3, 1));
    assert_eq!(
        o.findings,
        [Finding::FlexibleUse {
            kind: KIGA,
            children: 1,
            on_places_of: vec![KindCount {
                kind: KRIPPE,
                places: 1
            }],
        }]
    );
    assert_eq!(o.findings[0].level(), Level::Warning);
    let (krippe, kiga) = (row(&o, KRIPPE), row(&o, KIGA));
    assert_eq!((krippe.occupied, krippe.lent, krippe.free), (1, 1, 0));
    assert_eq!(
        (kiga.occupied, kiga.borrowed, kiga.over, kiga.free),
        (4, 1, 0, 0)
    );
    assert!(o.findings[0]
        .explain_de()
        .contains("1 Kindergarten-Kind(er)"));
}

#[test]
fn an_integration_child_borrows_the_regular_place_of_its_care_type_first() {
    let mut b = book("kita-1", &[(KRIPPE, 5), (KIGA, 5), (I_KIGA, 0)]);
    let mut g = kiga_child("i1");
    g.lines[0].kind = I_KIGA;
    b.contracts = vec![g];
    let o = on(&b, d(2025, 3, 1));
    assert_eq!(row(&o, KIGA).lent, 1);
    assert_eq!(row(&o, KRIPPE).lent, 0);
    assert_eq!(
        row(&o, I_KIGA).occupied,
        1,
        "integration places are counted apart"
    );
}

#[test]
fn over_the_total_capacity_is_an_error() {
    let mut b = book("kita-1", &[(KRIPPE, 1), (KIGA, 1)]);
    b.contracts = vec![kiga_child("g1"), kiga_child("g2"), kiga_child("g3")];
    let o = on(&b, d(2025, 3, 1));
    assert!(o.findings.contains(&Finding::OverTotalCapacity {
        occupied: 3,
        capacity: 2
    }));
    assert!(o.findings.iter().any(|f| f.level() == Level::Error));
    assert_eq!(row(&o, KIGA).over, 1);
    assert_eq!(o.total.over, 1);
}

#[test]
fn reservations_beyond_the_free_places_warn() {
    let mut b = book("kita-1", &[(KRIPPE, 1)]);
    b.contracts = vec![krippe_child("k1")];
    b.reservations = vec![reservation("w1", KRIPPE, d(2025, 1, 1))];
    let o = on(&b, d(2025, 3, 1));
    assert!(o.findings.contains(&Finding::ReservationsBeyondCapacity {
        reserved: 1,
        free_before_reservations: 0
    }));
}

#[test]
fn krippe_counts_as_kindergarten_from_the_third_birthday() {
    let mut b = book("kita-1", &[(KRIPPE, 5), (KIGA, 5)]);
    b.contracts = vec![contract("k1", d(2022, 3, 15), d(2023, 4, 1), KRIPPE)];
    assert_eq!(child_kind(&on(&b, d(2025, 3, 14)), "k1"), Some(KRIPPE));
    let o = on(&b, d(2025, 3, 15));
    assert_eq!(child_kind(&o, "k1"), Some(KIGA));
    assert_eq!(
        o.children[0].basis,
        Basis::KrippeToKindergarten {
            since: d(2025, 3, 15)
        }
    );
    assert_eq!(o.children[0].completed_months, 36);
}

#[test]
fn a_leap_day_child_switches_on_1_march_in_a_common_year() {
    let mut b = book("kita-1", &[(KRIPPE, 5), (KIGA, 5)]);
    b.contracts = vec![contract("k1", d(2020, 2, 29), d(2021, 3, 1), KRIPPE)];
    assert_eq!(child_kind(&on(&b, d(2023, 2, 28)), "k1"), Some(KRIPPE));
    assert_eq!(child_kind(&on(&b, d(2023, 3, 1)), "k1"), Some(KIGA));
    let w = switch_window(d(2020, 2, 29), &rules()).unwrap();
    // 34 months: 29 December 2022 exists, so the day before it completes the month.
    assert_eq!((w.earliest, w.latest), (d(2022, 12, 29), d(2023, 3, 1)));
}

#[test]
fn a_krippe_place_ends_at_three_where_there_is_no_kindergarten() {
    let mut b = book("krippe-1", &[(KRIPPE, 5)]);
    b.contracts = vec![contract("k1", d(2022, 3, 15), d(2023, 4, 1), KRIPPE)];
    let o = on(&b, d(2025, 3, 15));
    assert!(o.children.is_empty());
    assert_eq!(o.not_counted.len(), 1);
    assert_eq!(o.not_counted[0].since, d(2025, 3, 15));
    assert!(matches!(
        o.not_counted[0].reason,
        MovementReason::KrippeEnds { .. }
    ));
}

#[test]
fn a_young_child_on_a_kindergarten_place_is_named() {
    let mut b = book("kita-1", &[(KRIPPE, 5), (KIGA, 5)]);
    // Born 15 March 2022: 33 months on 14 January 2025, 34 on 15 January.
    b.contracts = vec![contract("y1", d(2022, 3, 15), d(2025, 1, 1), KIGA)];
    let young = |o: &FacilityOccupancy| {
        o.findings
            .iter()
            .any(|f| matches!(f, Finding::YoungChildOnKindergartenPlace { .. }))
    };
    assert!(young(&on(&b, d(2025, 1, 14))));
    assert!(!young(&on(&b, d(2025, 1, 15))));
}

#[test]
fn switch_list_shows_months_34_to_36_with_earliest_and_latest_dates() {
    let mut b = book("kita-1", &[(KRIPPE, 9), (KIGA, 9)]);
    let stichtag = d(2025, 6, 15);
    b.contracts = vec![
        // 33 completed months on the day (born 16 Aug 2022): not listed.
        contract("m33", d(2022, 8, 16), d(2023, 9, 1), KRIPPE),
        // exactly 34 (born 15 Aug 2022).
        contract("m34", d(2022, 8, 15), d(2023, 9, 1), KRIPPE),
        // 35.
        contract("m35", d(2022, 7, 1), d(2023, 9, 1), KRIPPE),
        // 36 (born 15 June 2022, third birthday today) and still on a Krippe line.
        contract("m36", d(2022, 6, 15), d(2023, 9, 1), KRIPPE),
        // Already a Kindergarten line: not on the list.
        contract("kg", d(2022, 7, 1), d(2025, 6, 1), KIGA),
    ];
    let list = switch_list(&b, stichtag, &rules()).unwrap();
    let names: Vec<(&str, u32, SwitchStatus)> = list
        .iter()
        .map(|c| (c.child.0.as_str(), c.completed_months, c.status))
        .collect();
    assert_eq!(
        names,
        [
            ("m36", 36, SwitchStatus::Overdue),
            ("m35", 35, SwitchStatus::May),
            ("m34", 34, SwitchStatus::May),
        ]
    );
    let m34 = &list[2];
    assert_eq!(m34.window.earliest, d(2025, 6, 15));
    assert_eq!(m34.window.latest, d(2025, 8, 15));
}

#[test]
fn the_switch_age_is_a_parameter() {
    let mut r = rules();
    r.earliest_switch_months = 33;
    let w = switch_window(d(2022, 8, 15), &r).unwrap();
    assert_eq!(w.earliest, d(2025, 5, 15));
}

#[test]
fn six_by_30_june_leaves_on_1_august_born_2_july_a_year_later() {
    let r = rules();
    let entry = school_entry(&child("a", d(2019, 7, 1)), &r).unwrap();
    assert_eq!(entry.first_school_day, d(2025, 8, 1));
    assert_eq!(entry.rule, SchoolEntryRule::Compulsory);
    assert_eq!(entry.completes_school_age_on, d(2025, 6, 30));
    let entry = school_entry(&child("b", d(2019, 7, 2)), &r).unwrap();
    assert_eq!(entry.first_school_day, d(2026, 8, 1));
    // In the occupancy: the last Kindergarten day is 31 July.
    let mut b = book("kita-1", &[(KIGA, 5)]);
    b.contracts = vec![
        contract("a", d(2019, 7, 1), d(2023, 1, 1), KIGA),
        contract("b", d(2019, 7, 2), d(2023, 1, 1), KIGA),
    ];
    assert_eq!(on(&b, d(2025, 7, 31)).total.occupied, 2);
    let o = on(&b, d(2025, 8, 1));
    assert_eq!(o.children.len(), 1);
    assert_eq!(o.children[0].child.0, "b");
    assert!(matches!(
        o.not_counted[0].reason,
        MovementReason::SchoolEntry { .. }
    ));
}

#[test]
fn on_request_by_30_september_counting_the_birthday_as_a_whole_day() {
    let r = rules();
    let asked = |birth| Child {
        school_entry: SchoolEntry::OnRequest,
        ..child("x", birth)
    };
    // Born 1 October 2019: six at the end of 30 September 2025, so on request in 2025.
    let e = school_entry(&asked(d(2019, 10, 1)), &r).unwrap();
    assert_eq!(
        (e.first_school_day, e.rule),
        (d(2025, 8, 1), SchoolEntryRule::OnRequest)
    );
    let e = school_entry(&asked(d(2019, 10, 2)), &r).unwrap();
    assert_eq!(
        (e.first_school_day, e.rule),
        (d(2026, 8, 1), SchoolEntryRule::Compulsory)
    );
    // Without a request the September child goes in 2026.
    let e = school_entry(&child("x", d(2019, 9, 15)), &r).unwrap();
    assert_eq!(e.first_school_day, d(2026, 8, 1));
    // A request for a child that must go anyway changes nothing.
    let e = school_entry(&asked(d(2019, 3, 1)), &r).unwrap();
    assert_eq!(
        (e.first_school_day, e.rule),
        (d(2025, 8, 1), SchoolEntryRule::Compulsory)
    );
}

#[test]
fn leap_day_children_are_six_by_30_june() {
    let e = school_entry(&child("x", d(2020, 2, 29)), &rules()).unwrap();
    assert_eq!(e.completes_school_age_on, d(2026, 2, 28));
    assert_eq!(e.first_school_day, d(2026, 8, 1));
}

#[test]
fn schulruecksteller_keep_their_place_until_their_school_year() {
    let mut deferred = contract("r1", d(2019, 3, 1), d(2023, 1, 1), KIGA);
    deferred.child.school_entry = SchoolEntry::Deferred { school_year: 2026 };
    let mut b = book("kita-1", &[(KIGA, 5)]);
    b.contracts = vec![deferred, contract("s1", d(2019, 4, 1), d(2023, 1, 1), KIGA)];
    let o = on(&b, d(2025, 9, 1));
    assert_eq!(o.children.len(), 1);
    assert_eq!(o.children[0].child.0, "r1");
    let list_2025 = school_list(&b, 2025, &rules()).unwrap();
    assert_eq!(list_2025.entrants.len(), 1);
    assert_eq!(list_2025.entrants[0].child.0, "s1");
    assert_eq!(list_2025.deferred.len(), 1);
    assert_eq!(
        list_2025.deferred[0].entry.rule,
        SchoolEntryRule::Deferred {
            statutory_year: 2025
        }
    );
    let list_2026 = school_list(&b, 2026, &rules()).unwrap();
    assert_eq!(list_2026.entrants.len(), 1, "last year's Schulrücksteller");
    assert_eq!(list_2026.entrants[0].child.0, "r1");
}

#[test]
fn school_list_names_who_may_enter_on_request() {
    let mut b = book("kita-1", &[(KIGA, 5)]);
    b.contracts = vec![contract("sep", d(2019, 9, 15), d(2023, 1, 1), KIGA)];
    let list = school_list(&b, 2025, &rules()).unwrap();
    assert!(list.entrants.is_empty());
    assert_eq!(list.may_enter_on_request.len(), 1);
}

#[test]
fn exit_with_notice_frees_the_place_the_day_after_the_last_day() {
    let mut c = krippe_child("k1");
    c.end = ContractEnd::Notice {
        received_on: d(2025, 3, 20),
        last_day: d(2025, 5, 31),
    };
    let mut b = book("kita-1", &[(KRIPPE, 5)]);
    b.contracts = vec![c];
    assert_eq!(on(&b, d(2025, 5, 31)).total.occupied, 1);
    let o = on(&b, d(2025, 6, 1));
    assert_eq!((o.total.occupied, o.total.free), (0, 5));
    let f = forecast(
        std::slice::from_ref(&b),
        &b.facility,
        d(2025, 3, 1),
        &rules(),
    )
    .unwrap();
    let exit: Vec<&Movement> = f.movements().collect();
    assert_eq!(exit.len(), 1);
    assert_eq!(exit[0].on, d(2025, 6, 1));
    assert!(matches!(
        exit[0].reason,
        MovementReason::ExitWithNotice { .. }
    ));
    assert!(o.findings.is_empty());
}

#[test]
fn notice_shorter_than_two_months_to_a_month_end_is_named() {
    let r = rules();
    assert_eq!(
        earliest_exit_after_notice(d(2025, 3, 20), &r),
        Some(d(2025, 5, 31))
    );
    assert_eq!(
        earliest_exit_after_notice(d(2025, 4, 1), &r),
        Some(d(2025, 5, 31))
    );
    assert_eq!(
        earliest_exit_after_notice(d(2025, 4, 2), &r),
        Some(d(2025, 6, 30))
    );
    let mut c = krippe_child("k1");
    c.end = ContractEnd::Notice {
        received_on: d(2025, 4, 2),
        last_day: d(2025, 5, 31),
    };
    let mut b = book("kita-1", &[(KRIPPE, 5)]);
    b.contracts = vec![c];
    assert!(on(&b, d(2025, 5, 1))
        .findings
        .iter()
        .any(|f| matches!(f, Finding::ShortNotice { .. })));
}

#[test]
fn forecast_moves_each_child_once_with_rule_and_date() {
    let mut b = book("kita-1", &[(KRIPPE, 4), (KIGA, 6)]);
    b.contracts = vec![
        // Third birthday 15 March 2025.
        contract("krippe-to-kiga", d(2022, 3, 15), d(2023, 4, 1), KRIPPE),
        // Six by 30 June 2025: school on 1 August 2025.
        contract("school", d(2019, 6, 30), d(2023, 1, 1), KIGA),
        krippe_child("stays"),
    ];
    let f = forecast(
        std::slice::from_ref(&b),
        &b.facility,
        d(2025, 1, 15),
        &rules(),
    )
    .unwrap();
    assert_eq!(
        f.period,
        Period::closed(d(2025, 1, 15), d(2026, 1, 14)).unwrap()
    );
    assert_eq!(f.months.len(), 13);
    assert_eq!(f.months[0].on, d(2025, 1, 15));
    assert_eq!(f.months[1].on, d(2025, 2, 1));
    assert_eq!(
        f.months[12].period,
        Period::closed(d(2026, 1, 1), d(2026, 1, 14)).unwrap()
    );
    let moves: Vec<(
        chrono::NaiveDate,
        &str,
        Option<PlaceKind>,
        Option<PlaceKind>,
    )> = f
        .movements()
        .map(|m| (m.on, m.child.0.as_str(), m.from, m.to))
        .collect();
    assert_eq!(
        moves,
        [
            (d(2025, 3, 15), "krippe-to-kiga", Some(KRIPPE), Some(KIGA)),
            (d(2025, 8, 1), "school", Some(KIGA), None),
        ]
    );
    let march = &f.months[2];
    assert_eq!(march.movements.len(), 1);
    assert!(march.movements[0]
        .explain_de()
        .contains("krippe-to-kiga: Wechsel Krippe → Kindergarten spätestens am 2025-03-15"));
    let krippe = |m: &ForecastMonth| m.places.iter().find(|r| r.kind == KRIPPE).unwrap().figures;
    let kiga = |m: &ForecastMonth| m.places.iter().find(|r| r.kind == KIGA).unwrap().figures;
    assert_eq!(
        (krippe(march).occupied, kiga(march).occupied),
        (2, 1),
        "on 1 March"
    );
    assert_eq!(
        (krippe(&f.months[3]).occupied, kiga(&f.months[3]).occupied),
        (1, 2)
    );
    assert_eq!(
        kiga(&f.months[7]).occupied,
        1,
        "August: the school child left"
    );
    // March: on the 1st two Krippe places are taken, from the 15th one.
    let least = march.least_free.iter().find(|l| l.kind == KRIPPE).unwrap();
    assert_eq!((least.free, least.on), (2, d(2025, 3, 1)));
    let least = march.least_free.iter().find(|l| l.kind == KIGA).unwrap();
    assert_eq!((least.free, least.on), (4, d(2025, 3, 15)));
}

#[test]
fn a_contract_line_switch_before_the_latest_date_is_a_contract_change() {
    let mut c = contract("k1", d(2022, 3, 15), d(2023, 4, 1), KRIPPE);
    c.lines.push(line(d(2025, 2, 1), KIGA));
    let mut b = book("kita-1", &[(KRIPPE, 4), (KIGA, 6)]);
    b.contracts = vec![c];
    let f = forecast(
        std::slice::from_ref(&b),
        &b.facility,
        d(2025, 1, 1),
        &rules(),
    )
    .unwrap();
    let moves: Vec<&Movement> = f.movements().collect();
    assert_eq!(moves.len(), 1);
    assert_eq!(moves[0].on, d(2025, 2, 1));
    assert_eq!(moves[0].reason, MovementReason::ContractChanges);
}

fn closed(substitute: Substitute) -> Closure {
    Closure {
        period: Period::closed(d(2025, 6, 1), d(2025, 6, 30)).unwrap(),
        substitute,
        reason: "Bauarbeiten".into(),
    }
}

#[test]
fn a_closure_shows_the_children_at_the_substitute_facility_as_guests() {
    let mut home = book("kita-1", &[(KRIPPE, 2), (KIGA, 2)]);
    home.contracts = vec![krippe_child("k1"), kiga_child("g1")];
    home.closures = vec![closed(Substitute::Facility {
        facility: "kita-2".into(),
    })];
    let mut host = book("kita-2", &[(KIGA, 2)]);
    host.contracts = vec![kiga_child("h1"), kiga_child("h2")];
    let books = [home, host];
    let at_home = occupancy_on(&books, &"kita-1".into(), d(2025, 6, 10), &rules()).unwrap();
    assert_eq!(at_home.total.occupied, 2, "the children keep their places");
    assert!(at_home.children.iter().all(|c| c.cared_at
        == CareLocation::SubstituteFacility {
            facility: "kita-2".into()
        }));
    assert_eq!(at_home.closure.as_ref().unwrap().children_moved, 2);
    let host = occupancy_on(&books, &"kita-2".into(), d(2025, 6, 10), &rules()).unwrap();
    assert_eq!(host.guests.len(), 2);
    assert_eq!(host.total.guests, 2);
    assert!(host.findings.contains(&Finding::SubstituteCareOverbooking {
        guests: 2,
        occupied: 2,
        capacity: 2
    }));
    assert!(host.findings.iter().all(|f| f.level() == Level::Warning));
    // After the closure: no guests.
    let host = occupancy_on(&books, &"kita-2".into(), d(2025, 7, 1), &rules()).unwrap();
    assert!(host.guests.is_empty());
}

#[test]
fn a_closure_without_substitute_shows_the_children_as_not_cared_for() {
    let mut home = book("kita-1", &[(KRIPPE, 2)]);
    home.contracts = vec![krippe_child("k1")];
    home.closures = vec![closed(Substitute::None)];
    let o = on(&home, d(2025, 6, 1));
    assert_eq!(o.children[0].cared_at, CareLocation::NotCared);
    home.closures = vec![closed(Substitute::Location {
        name: "Container Hofseite".into(),
    })];
    let o = on(&home, d(2025, 6, 30));
    assert_eq!(
        o.children[0].cared_at,
        CareLocation::SubstituteLocation {
            name: "Container Hofseite".into()
        }
    );
    assert_eq!(
        on(&home, d(2025, 7, 1)).children[0].cared_at,
        CareLocation::Facility
    );
}

#[test]
fn the_traeger_view_sums_its_facilities() {
    let mut a = book("kita-1", &[(KRIPPE, 2), (KIGA, 3)]);
    a.contracts = vec![krippe_child("k1"), kiga_child("twice")];
    let mut b = book("kita-2", &[(KIGA, 4)]);
    b.contracts = vec![kiga_child("g2"), kiga_child("twice")];
    let books = [a, b];
    let p = provider_occupancy(&books, d(2025, 3, 1), &rules()).unwrap();
    let kiga = p.places.iter().find(|r| r.kind == KIGA).unwrap().figures;
    assert_eq!((kiga.capacity, kiga.occupied, kiga.free), (7, 3, 4));
    assert_eq!((p.total.capacity, p.total.occupied), (9, 4));
    assert!(p.findings.iter().any(|f| f.facility.is_none()
        && matches!(&f.finding, Finding::ChildInSeveralFacilities { child, .. } if child.0 == "twice")));
    let fc = provider_forecast(&books, d(2025, 3, 1), &rules()).unwrap();
    assert_eq!(fc.months.len(), 12);
    assert_eq!(fc.months[0].total.occupied, 4);
    assert_eq!(fc.facilities.len(), 2);
}

#[test]
fn one_facility_alone_has_the_figures_and_forecast_of_the_traeger_view() {
    // One facility asked for reads only its book and the books sending it guests; the figures
    // must be those the Träger's view (which reads every book) shows for it.
    let mut home = book("kita-1", &[(KRIPPE, 2), (KIGA, 2)]);
    home.contracts = vec![krippe_child("k1"), kiga_child("g1")];
    home.closures = vec![
        closed(Substitute::Facility {
            facility: "kita-2".into(),
        }),
        Closure {
            period: Period::closed(d(2025, 8, 1), d(2025, 8, 10)).unwrap(),
            substitute: Substitute::Facility {
                facility: "kita-2".into(),
            },
            reason: "Malerarbeiten".into(),
        },
    ];
    let mut host = book("kita-2", &[(KIGA, 2)]);
    host.contracts = vec![kiga_child("h1"), kiga_child("h2")];
    let mut other = book("kita-3", &[(KRIPPE, 3)]);
    other.contracts = vec![krippe_child("o1")];
    other.closures = vec![closed(Substitute::Facility {
        facility: "kita-1".into(),
    })];
    let books = [home, host, other];
    for day in [d(2025, 3, 1), d(2025, 6, 10), d(2025, 8, 5)] {
        let all = provider_occupancy(&books, day, &rules()).unwrap();
        for (b, in_view) in books.iter().zip(&all.facilities) {
            let alone = occupancy_on(&books, &b.facility, day, &rules()).unwrap();
            assert_eq!(&alone, in_view, "{} on {day}", b.facility);
        }
    }
    let all = provider_forecast(&books, d(2025, 3, 1), &rules()).unwrap();
    for (b, in_view) in books.iter().zip(&all.facilities) {
        let alone = forecast(&books, &b.facility, d(2025, 3, 1), &rules()).unwrap();
        assert_eq!(&alone, in_view, "{}", b.facility);
    }
    assert_eq!(
        all.facilities[1].months[3].least_free[0].free, 0,
        "kita-2 hosts kita-1's children in June"
    );
}

#[test]
fn unknown_or_doubled_facilities_are_refused() {
    let b = book("kita-1", &[(KRIPPE, 2)]);
    assert_eq!(
        occupancy_on(
            std::slice::from_ref(&b),
            &"nope".into(),
            d(2025, 1, 1),
            &rules()
        ),
        Err(OccupancyError::UnknownFacility("nope".into()))
    );
    let books = [b.clone(), b];
    assert!(matches!(
        provider_occupancy(&books, d(2025, 1, 1), &rules()),
        Err(OccupancyError::FacilityListedTwice(_))
    ));
    assert!(matches!(
        forecast(&books, &"kita-1".into(), d(2025, 1, 1), &rules()),
        Err(OccupancyError::FacilityListedTwice(_))
    ));
}

#[test]
fn a_child_with_two_contracts_on_a_day_is_counted_once() {
    let mut b = book("kita-1", &[(KRIPPE, 5)]);
    b.contracts = vec![krippe_child("k1"), krippe_child("k1")];
    let o = on(&b, d(2025, 3, 1));
    assert_eq!(o.total.occupied, 1);
    assert!(o.findings.contains(&Finding::ChildCountedOnce {
        child: "k1".into(),
        contracts: 2
    }));
}

#[test]
fn hort_places_follow_the_contract_not_the_age_rules() {
    let mut b = book("hort-1", &[(HORT, 3)]);
    b.contracts = vec![contract("h1", d(2017, 7, 1), d(2023, 8, 1), HORT)];
    let o = on(&b, d(2026, 3, 1));
    assert_eq!(child_kind(&o, "h1"), Some(HORT));
    assert_eq!(row(&o, HORT).free, 2);
}
