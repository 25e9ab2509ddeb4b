//! Unmet demand (3.12.1.5) on `fixtures::open_demands`, reference date 31.03.2025.

use kitanetz_reports::{
    demand_report, AgeBand, Breakdown, DemandReport, FacilityOwners, Filter, ReportError,
};

use crate::fixtures::{d, dec, first_quarter, open_demands, owners};

fn report(filter: &Filter) -> DemandReport {
    demand_report(&open_demands(), &owners(), filter).unwrap()
}

fn counts<K>(b: &Breakdown<K>) -> Vec<Option<u64>> {
    b.entries.iter().map(|e| e.count).collect()
}

#[test]
fn the_reference_date_counts_as_worked_out_by_hand() {
    let r = report(&first_quarter());
    assert_eq!(r.reference_date, d(2025, 3, 31));
    assert_eq!(r.open, 6);
    assert_eq!(r.waiting.count, 5);
    assert_eq!(r.waiting.mean, Some(dec("230")));
    assert_eq!(r.waiting.median, Some(dec("120")));
    assert_eq!(r.waiting.max, Some(820));
    // not yet due, 0, 1–30, 31–90, 91–180 (D2 at exactly 180, D5), > 180.
    assert_eq!(
        counts(&r.waiting_bands),
        [Some(1), Some(1), Some(1), Some(0), Some(2), Some(1)]
    );
    assert_eq!(r.waiting_bands.total, 6);
    assert_eq!(counts(&r.age), [Some(2), Some(1), Some(1), Some(2)]);
    assert_eq!(r.regions.ortsamt("Altstadt"), Some(3));
    assert_eq!(r.regions.stadtteil("Altstadt", "Seevorstadt"), Some(2));
    assert_eq!(r.regions.ortsamt("Neustadt"), Some(2));
    assert_eq!(r.regions.ortsamt(""), Some(1));

    let months: Vec<(String, Option<u64>, Vec<Option<u64>>)> = r
        .registrations
        .iter()
        .map(|m| {
            (
                m.month.label(),
                m.count,
                m.by_age.iter().map(|e| e.count).collect(),
            )
        })
        .collect();
    assert_eq!(
        months,
        [
            (
                "01.2025".into(),
                Some(1),
                vec![Some(0), Some(1), Some(0), Some(0)]
            ),
            (
                "02.2025".into(),
                Some(1),
                vec![Some(0), Some(0), Some(0), Some(1)]
            ),
            // D4, registered on the reference date itself.
            (
                "03.2025".into(),
                Some(1),
                vec![Some(1), Some(0), Some(0), Some(0)]
            ),
        ]
    );
    assert_eq!(
        counts(&r.registrations_by_age),
        [Some(1), Some(1), Some(0), Some(1)]
    );
    assert_eq!(r.registrations_by_age.total, 3);
}

#[test]
fn a_demand_of_exactly_33_months_is_in_the_last_band() {
    // D3: born 30.06.2022, 33 completed months on 31.03.2025 (the 30th is the birth day's
    // number in March); one day earlier it is 32.
    let r = report(&first_quarter());
    assert_eq!(r.age.count(&AgeBand::TwoNineAndOver), Some(2));
    let r = report(&Filter::range(d(2025, 1, 1), d(2025, 3, 29)));
    // On 29.03.: D3 32 months (2–2,75), D7 still ≥ 2,75; D4 not yet registered.
    assert_eq!(r.open, 5);
    assert_eq!(r.age.count(&AgeBand::TwoNineAndOver), Some(1));
    assert_eq!(r.age.count(&AgeBand::TwoToTwoNine), Some(2));
}

#[test]
fn filters_on_wished_facilities() {
    let mut f = first_quarter();
    f.provider = Some("awo".into());
    assert_eq!(report(&f).open, 2);

    let mut f = first_quarter();
    f.municipal = Some(true);
    assert_eq!(report(&f).open, 3);
    f.municipal = Some(false);
    // Wishing K2 or K3: D2, D3, D4, D7.
    assert_eq!(report(&f).open, 4);

    // The facility filter needs no owners.
    let mut f = first_quarter();
    f.facility = Some("K3".into());
    let r = demand_report(&open_demands(), &FacilityOwners::new(), &f).unwrap();
    assert_eq!(r.open, 2);
    assert_eq!(r.registrations_by_age.total, 1);

    let mut f = first_quarter();
    f.ortsamt = Some("Neustadt".into());
    let r = report(&f);
    assert_eq!(r.open, 2);
    assert_eq!(r.waiting.count, 1);
}

#[test]
fn a_provider_filter_without_owners_is_refused() {
    let mut f = first_quarter();
    f.provider = Some("awo".into());
    let mut owners = owners();
    owners.remove("K3");
    // D3 (the third demand) wishes K3.
    assert_eq!(
        demand_report(&open_demands(), &owners, &f),
        Err(ReportError::UnknownFacility {
            index: 2,
            facility: "K3".into()
        })
    );
    // D6 wishes an unknown K9 but was registered after the reference date: not needed.
    assert_eq!(report(&f).open, 2);
}

#[test]
fn suppression() {
    let r = report(&first_quarter()).suppressed(3);
    assert_eq!(r.open, 6);
    assert_eq!(
        counts(&r.waiting_bands),
        [None, None, None, Some(0), None, None]
    );
    // Five waiting times: the statistics stay.
    assert_eq!(r.waiting.median, Some(dec("120")));
    assert_eq!(counts(&r.age), [None; 4]);
    assert_eq!(r.regions.ortsamt("Altstadt"), Some(3));
    assert_eq!(r.regions.stadtteil("Altstadt", "Seevorstadt"), None);
    assert!(r.registrations.iter().all(|m| m.count.is_none()));
    assert_eq!(r.registrations[0].by_age[0].count, Some(0));
    assert_eq!(r.registrations[0].by_age[1].count, None);
    assert_eq!(r.registrations_by_age.total, 3);

    let mut f = first_quarter();
    f.ortsamt = Some("Neustadt".into());
    let r = report(&f).suppressed(3);
    // One waiting time (D4): hidden.
    assert_eq!(
        (r.waiting.count, r.waiting.mean, r.waiting.max),
        (1, None, None)
    );
}

#[test]
fn empty_input() {
    let r = demand_report(&[], &FacilityOwners::new(), &first_quarter()).unwrap();
    assert_eq!(r.open, 0);
    assert_eq!(r.waiting.mean, None);
    assert_eq!(r.registrations.len(), 3);
    assert!(r.registrations.iter().all(|m| m.count == Some(0)));
    assert_eq!(r.suppressed(3).open, 0);
}
