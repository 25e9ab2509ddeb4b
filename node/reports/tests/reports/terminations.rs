//! Terminations (3.12.1.4) on `fixtures::terminations`.

use kitanetz_reports::{termination_report, AgeBand, Breakdown, Filter, TerminationReport};

use crate::fixtures::{d, dec, first_quarter, terminations};

fn report(filter: &Filter) -> TerminationReport {
    termination_report(&terminations(), filter).unwrap()
}

fn counts<K>(b: &Breakdown<K>) -> Vec<Option<u64>> {
    b.entries.iter().map(|e| e.count).collect()
}

#[test]
fn the_quarter_counts_as_worked_out_by_hand() {
    let r = report(&first_quarter());
    assert_eq!(r.count, 5);
    let months: Vec<(String, Option<u64>)> = r
        .by_month
        .entries
        .iter()
        .map(|e| (e.key.label(), e.count))
        .collect();
    assert_eq!(
        months,
        [
            ("01.2025".into(), Some(2)),
            ("02.2025".into(), Some(1)),
            ("03.2025".into(), Some(2)),
        ]
    );
    assert_eq!(r.by_month.entries[0].percent, Some(dec("40")));
    assert_eq!(
        counts(&r.age_at_desired_start),
        [Some(1), Some(2), Some(0), Some(1)]
    );
    assert_eq!(r.age_at_desired_start.total, 4);
    assert_eq!(r.without_desired_start, Some(1));
    assert_eq!(
        counts(&r.age_at_start),
        [Some(1), Some(3), Some(0), Some(1)]
    );
    // T4: exactly 33 completed months at desired start and start.
    assert_eq!(r.age_at_start.count(&AgeBand::TwoNineAndOver), Some(1));

    assert_eq!(r.regions.ortsamt("Altstadt"), Some(2));
    assert_eq!(r.regions.stadtteil("Altstadt", "Johannstadt"), Some(1));
    assert_eq!(r.regions.stadtteil("Altstadt", "Seevorstadt"), Some(1));
    assert_eq!(r.regions.ortsamt("Neustadt"), Some(2));
    assert_eq!(r.regions.ortsamt(""), Some(1));
    assert_eq!(r.regions.total, 5);

    let reasons: Vec<(&str, Option<u64>)> = r
        .reasons
        .entries
        .iter()
        .map(|e| (e.key.as_str(), e.count))
        .collect();
    assert_eq!(
        reasons,
        [
            ("move", Some(2)),
            ("school", Some(1)),
            ("dissatisfied", Some(1)),
            ("kita_closed", Some(1)),
        ]
    );
    assert_eq!(kitanetz_reports::reason_label("move"), "Umzug");
    assert_eq!(kitanetz_reports::reason_label("kita_closed"), "kita_closed");
    assert_eq!(kitanetz_reports::reason_label(""), "ohne Angabe");
}

#[test]
fn months_cover_the_range_and_its_ends() {
    // T1 on `from` and T4 on `until` count; T6 and T7 one day outside do not.
    let mut f = first_quarter();
    f.from = d(2025, 1, 2);
    f.until = d(2025, 3, 30);
    let r = report(&f);
    assert_eq!(r.count, 3);
    assert_eq!(counts(&r.by_month), [Some(1), Some(1), Some(1)]);

    // A range over a month without notices lists it with 0.
    let f = Filter::range(d(2024, 12, 15), d(2025, 4, 1));
    let r = report(&f);
    assert_eq!(r.count, 7);
    assert_eq!(
        counts(&r.by_month),
        [Some(1), Some(2), Some(1), Some(2), Some(1)]
    );
}

#[test]
fn filters() {
    let mut f = first_quarter();
    f.stadtteil = Some("Leipziger Vorstadt".into());
    assert_eq!(report(&f).count, 2);

    let mut f = first_quarter();
    f.provider = Some("awo".into());
    let r = report(&f);
    assert_eq!(r.count, 2);
    assert_eq!(r.reasons.count(&"school".to_owned()), Some(1));

    let mut f = first_quarter();
    f.municipal = Some(true);
    assert_eq!(report(&f).count, 2);
    f.municipal = Some(false);
    assert_eq!(report(&f).count, 3);
}

#[test]
fn suppression() {
    let r = report(&first_quarter()).suppressed(2);
    assert_eq!(r.count, 5);
    assert_eq!(counts(&r.by_month), [Some(2), None, Some(2)]);
    assert_eq!(counts(&r.age_at_start), [None, Some(3), Some(0), None]);
    assert_eq!(r.without_desired_start, None);
    assert_eq!(r.regions.ortsamt("Altstadt"), Some(2));
    assert_eq!(r.regions.stadtteil("Altstadt", "Johannstadt"), None);
    assert_eq!(r.regions.ortsamt(""), None);
    assert_eq!(counts(&r.reasons), [Some(2), None, None, None]);
    assert_eq!(r.reasons.total, 5);

    let r = report(&first_quarter()).suppressed(kitanetz_reports::DEFAULT_MIN_CHILDREN);
    assert_eq!(counts(&r.by_month), [None, None, None]);
    assert_eq!(r.by_month.total, 5);
    assert_eq!(counts(&r.age_at_start), [None, Some(3), Some(0), None]);
}

#[test]
fn empty_input() {
    let r = termination_report(&[], &first_quarter()).unwrap();
    assert_eq!(r.count, 0);
    assert_eq!(counts(&r.by_month), [Some(0); 3]);
    assert!(r.reasons.entries.is_empty());
    assert_eq!(r.suppressed(3).count, 0);
}
