//! Tests of the register watch (a file of its own to keep `register.rs` short).
use super::*;
use crate::period::d;

fn book() -> Vec<RegisterRules> {
    vec![RegisterRules::lastenheft()]
}

fn minder(permits: Vec<Permit>, proofs: Vec<Proof>) -> ChildminderRecord {
    ChildminderRecord {
        id: ChildminderId("tpp-1".into()),
        permits,
        proofs,
    }
}

fn permit(start: NaiveDate) -> Permit {
    Permit {
        start,
        end: None,
        places: 5,
    }
}

fn permit_line(record: &ChildminderRecord, today: NaiveDate) -> Watch {
    watch(record, today, &book())
        .unwrap()
        .into_iter()
        .find(|w| w.subject == Subject::Permit)
        .unwrap()
}

#[test]
fn a_permit_holds_five_years_and_is_due_six_months_ahead() {
    let record = minder(vec![permit(d(2020, 3, 1))], vec![]);
    let line = permit_line(&record, d(2024, 8, 31));
    assert_eq!(line.state, WatchState::Valid);
    assert_eq!(line.valid_until, Some(d(2025, 2, 28)));
    assert_eq!(
        line.phases,
        vec![
            Phase {
                state: WatchState::Valid,
                from: d(2020, 3, 1)
            },
            Phase {
                state: WatchState::RenewalDue,
                from: d(2024, 9, 1)
            },
            Phase {
                state: WatchState::Expired,
                from: d(2025, 3, 1)
            },
        ]
    );
    assert_eq!(
        line.next,
        Some(Phase {
            state: WatchState::RenewalDue,
            from: d(2024, 9, 1)
        })
    );
    let due = permit_line(&record, d(2024, 9, 1));
    assert_eq!(
        (due.state, due.since),
        (WatchState::RenewalDue, Some(d(2024, 9, 1)))
    );
    // The last day of the permit is still a valid day (renewal due); the next is not.
    assert_eq!(
        permit_line(&record, d(2025, 2, 28)).state,
        WatchState::RenewalDue
    );
    let gone = permit_line(&record, d(2025, 3, 1));
    assert_eq!(
        (gone.state, gone.since, gone.next),
        (WatchState::Expired, Some(d(2025, 3, 1)), None)
    );
    assert!(gone.explanation[0]
        .detail
        .contains("für 60 Monate: gültig bis 28.02.2025"));
    assert!(gone.explanation[1].source.contains("L1800"));
}

#[test]
fn a_renewed_permit_back_to_back_is_no_longer_due() {
    let record = minder(vec![permit(d(2020, 3, 1)), permit(d(2025, 3, 1))], vec![]);
    let line = permit_line(&record, d(2024, 10, 1));
    assert_eq!(line.state, WatchState::Valid);
    assert_eq!(line.valid_until, Some(d(2030, 2, 28)));
    assert_eq!(line.next.unwrap().from, d(2029, 9, 1));
    // A gap of a day does not join them: the first runs out first.
    let gap = minder(vec![permit(d(2020, 3, 1)), permit(d(2025, 3, 2))], vec![]);
    assert_eq!(
        permit_line(&gap, d(2024, 10, 1)).state,
        WatchState::RenewalDue
    );
    let between = permit_line(&gap, d(2025, 3, 1));
    assert_eq!(
        (between.state, between.since),
        (WatchState::NotYetValid, None)
    );
    assert_eq!(between.next.unwrap().from, d(2025, 3, 2));
}

#[test]
fn a_permit_with_its_own_end_as_in_annex_k() {
    // Förderbescheid: "vom 01.09.2011 bis 30.04.2013" (L29689).
    let record = minder(
        vec![Permit {
            start: d(2011, 9, 1),
            end: Some(d(2013, 4, 30)),
            places: 4,
        }],
        vec![],
    );
    let line = permit_line(&record, d(2012, 11, 1));
    assert_eq!(line.state, WatchState::RenewalDue);
    assert_eq!(line.since, Some(d(2012, 11, 1)));
    assert_eq!(
        permit_line(&record, d(2012, 10, 31)).state,
        WatchState::Valid
    );
    let bad = minder(
        vec![Permit {
            start: d(2011, 9, 1),
            end: Some(d(2011, 8, 31)),
            places: 4,
        }],
        vec![],
    );
    assert!(matches!(
        watch(&bad, d(2012, 1, 1), &book()),
        Err(RegisterError::PermitEndsBeforeStart { .. })
    ));
}

#[test]
fn proofs_are_followed_up_and_missing_ones_listed() {
    let record = minder(
        vec![permit(d(2020, 3, 1))],
        vec![
            Proof {
                kind: ProofKind::FirstAid,
                issued_on: d(2019, 11, 16),
                valid_until: None,
            },
            Proof {
                kind: ProofKind::FirstAid,
                issued_on: d(2014, 5, 1),
                valid_until: None,
            },
            Proof {
                kind: ProofKind::HealthCertificate,
                issued_on: d(2020, 1, 10),
                valid_until: Some(d(2022, 1, 9)),
            },
            Proof {
                kind: ProofKind::Other("hygiene training".into()),
                issued_on: d(2021, 1, 1),
                valid_until: None,
            },
        ],
    );
    let lines = watch(&record, d(2024, 9, 1), &book()).unwrap();
    let of = |kind: ProofKind| {
        lines
            .iter()
            .find(|w| w.subject == Subject::Proof(kind.clone()))
            .unwrap()
            .clone()
    };
    let first_aid = of(ProofKind::FirstAid);
    assert_eq!(first_aid.valid_until, Some(d(2024, 11, 15)));
    assert_eq!(
        (first_aid.state, first_aid.since),
        (WatchState::RenewalDue, Some(d(2024, 8, 16)))
    );
    assert_eq!(
        first_aid.next,
        Some(Phase {
            state: WatchState::Expired,
            from: d(2024, 11, 16)
        })
    );
    let health = of(ProofKind::HealthCertificate);
    assert_eq!(
        (health.state, health.since),
        (WatchState::Expired, Some(d(2022, 1, 10)))
    );
    let police = of(ProofKind::PoliceCertificate);
    assert_eq!((police.state, police.since), (WatchState::Missing, None));
    let other = of(ProofKind::Other("hygiene training".into()));
    assert_eq!((other.state, other.next), (WatchState::Valid, None));
    // Training hours are not required: not listed when never presented.
    assert!(lines
        .iter()
        .all(|w| w.subject != Subject::Proof(ProofKind::TrainingHours)));
}

#[test]
fn the_watch_list_puts_the_urgent_first_and_the_renewals_list_plans() {
    let a = ChildminderRecord {
        id: ChildminderId("a".into()),
        permits: vec![permit(d(2020, 3, 1))],
        proofs: vec![],
    };
    let b = ChildminderRecord {
        id: ChildminderId("b".into()),
        permits: vec![permit(d(2019, 1, 1))],
        proofs: vec![],
    };
    let c = ChildminderRecord {
        id: ChildminderId("c".into()),
        permits: vec![permit(d(2024, 1, 1))],
        proofs: vec![],
    };
    let today = d(2024, 10, 1);
    let list = watch_list(&[a.clone(), b.clone(), c.clone()], today, &book()).unwrap();
    let permits: Vec<(String, WatchState)> = list
        .iter()
        .filter(|w| w.subject == Subject::Permit)
        .map(|w| (w.childminder.0.clone(), w.state))
        .collect();
    assert_eq!(
        permits,
        [
            ("b".to_string(), WatchState::Expired),
            ("a".to_string(), WatchState::RenewalDue),
            ("c".to_string(), WatchState::Valid),
        ]
    );
    assert_eq!(list[0].state, WatchState::Expired);
    let window = Period::closed(d(2025, 1, 1), d(2025, 12, 31)).unwrap();
    let renewals = permit_renewals(&[a, b, c], today, &window, &book()).unwrap();
    assert_eq!(renewals.len(), 1);
    assert_eq!(renewals[0].childminder.0, "a");
}

#[test]
fn a_later_rules_version_applies_to_permits_issued_under_it() {
    let mut later = RegisterRules::lastenheft();
    later.id = "city-2026".into();
    later.valid_from = d(2026, 1, 1);
    later.permit_validity_months = 36;
    let book = vec![RegisterRules::lastenheft(), later];
    let old = minder(vec![permit(d(2025, 12, 31))], vec![]);
    let new = minder(vec![permit(d(2026, 1, 1))], vec![]);
    let until = |r: &ChildminderRecord| {
        watch(r, d(2026, 6, 1), &book).unwrap()[0]
            .valid_until
            .unwrap()
    };
    assert_eq!(until(&old), d(2030, 12, 30));
    assert_eq!(until(&new), d(2028, 12, 31));
    assert!(matches!(
        watch(&old, d(1999, 1, 1), &book),
        Err(RegisterError::NoRules(_))
    ));
}
