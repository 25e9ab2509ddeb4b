use super::*;
use crate::testing::{cents, decided, extra_care, m, pkn};
use kitanetz_fees::care::FeeGroup;
use kitanetz_fees::case::ChildId;
use kitanetz_fees::explain::Explanation;
use kitanetz_fees::result::{ChildFee, MonthFees};
use proptest::prelude::*;

fn charged_from(positions: &[Position]) -> Vec<ChargedAmount> {
    positions.iter().map(Position::charged).collect()
}

#[test]
fn the_first_run_charges_the_billing_month_only() {
    let child = pkn("12345601");
    let decisions = vec![
        decided(child, "2025-03", 18936, "Krippe 9 h, 1. Zählkind"),
        decided(child, "2025-04", 18936, "Krippe 9 h, 1. Zählkind"),
    ];
    let run = soll_stellung(m("2025-03"), m("2020-01"), &decisions, &[]).unwrap();
    assert_eq!(run.positions.len(), 1, "April is billed by April's run");
    let position = &run.positions[0];
    assert_eq!(position.kind, PositionKind::Regular);
    assert_eq!(position.amount, cents(18936));
    assert_eq!(position.previously_charged, Money::ZERO);
    assert_eq!(position.decided, cents(18936));
    assert_eq!(position.id, "202503-12345601-202503-EB-1");
    assert_eq!(position.payer().to_string(), "123456");
    assert_eq!(
        position.explanation,
        "Elternbeitrag 03/2025, Kind PKN 12345601: 189,36 € (Soll-Stellung für 03/2025). \
         Festsetzung: Krippe 9 h, 1. Zählkind"
    );
}

#[test]
fn a_waived_month_that_was_never_charged_gives_no_position() {
    let decisions = vec![decided(pkn("12345601"), "2025-03", 0, "Erlass § 13")];
    let run = soll_stellung(m("2025-03"), m("2020-01"), &decisions, &[]).unwrap();
    assert!(run.positions.is_empty());
}

#[test]
fn a_retroactive_reduction_becomes_a_credit_naming_old_and_new_amount() {
    let child = pkn("12345601");
    let january = soll_stellung(
        m("2025-01"),
        m("2020-01"),
        &[decided(child, "2025-01", 18936, "Krippe 9 h")],
        &[],
    )
    .unwrap();
    // In February the single-parent reduction is granted from January on.
    let decisions = vec![
        decided(child, "2025-01", 17042, "alleinerziehend ab 01/2025, 90 %"),
        decided(child, "2025-02", 17042, "alleinerziehend ab 01/2025, 90 %"),
    ];
    let february = soll_stellung(
        m("2025-02"),
        m("2020-01"),
        &decisions,
        &charged_from(&january.positions),
    )
    .unwrap();
    assert_eq!(february.positions.len(), 2);
    let credit = &february.positions[0];
    assert_eq!(credit.kind, PositionKind::Credit);
    assert_eq!(credit.month, m("2025-01"));
    assert_eq!(credit.amount, cents(-1894));
    assert_eq!(credit.previously_charged, cents(18936));
    assert_eq!(credit.decided, cents(17042));
    assert_eq!(credit.billing_month, m("2025-02"));
    assert_eq!(credit.id, "202502-12345601-202501-EB-2");
    assert_eq!(
        credit.explanation,
        "Gutschrift Elternbeitrag 01/2025, Kind PKN 12345601: bisher berechnet 189,36 €, jetzt \
         festgesetzt 170,42 €, Differenz -18,94 €. Grund: alleinerziehend ab 01/2025, 90 %"
    );
    let regular = &february.positions[1];
    assert_eq!(regular.kind, PositionKind::Regular);
    assert_eq!(regular.amount, cents(17042));
    assert_eq!(february.total(), cents(17042 - 1894));
    assert_eq!(february.total_of(PositionKind::Credit), cents(-1894));
}

#[test]
fn an_unjustified_reduction_becomes_a_back_charge() {
    // Lastenheft 3.10.5 (L2846–2850): a single-parent reduction that was not justified is
    // charged afterwards for the whole period.
    let child = pkn("12345601");
    let charged = [
        ChargedAmount {
            pkn: child,
            month: m("2024-11"),
            charge: Charge::Fee,
            amount: cents(11892),
        },
        ChargedAmount {
            pkn: child,
            month: m("2024-12"),
            charge: Charge::Fee,
            amount: cents(11892),
        },
    ];
    let decisions = vec![
        decided(child, "2024-11", 13213, "nicht alleinerziehend"),
        decided(child, "2024-12", 13213, "nicht alleinerziehend"),
        decided(child, "2025-01", 13213, "nicht alleinerziehend"),
    ];
    let run = soll_stellung(m("2025-01"), m("2020-01"), &decisions, &charged).unwrap();
    let kinds: Vec<_> = run
        .positions
        .iter()
        .map(|p| (p.month, p.kind, p.amount))
        .collect();
    assert_eq!(
        kinds,
        [
            (m("2024-11"), PositionKind::BackCharge, cents(1321)),
            (m("2024-12"), PositionKind::BackCharge, cents(1321)),
            (m("2025-01"), PositionKind::Regular, cents(13213)),
        ]
    );
    assert!(run.positions[0]
        .explanation
        .starts_with("Nachforderung Elternbeitrag 11/2024"));
}

#[test]
fn a_revoked_decision_is_credited_in_full() {
    let child = pkn("12345601");
    let charged = [ChargedAmount {
        pkn: child,
        month: m("2025-01"),
        charge: Charge::Fee,
        amount: cents(18936),
    }];
    let run = soll_stellung(m("2025-02"), m("2020-01"), &[], &charged).unwrap();
    assert_eq!(run.positions.len(), 1);
    let credit = &run.positions[0];
    assert_eq!(credit.kind, PositionKind::Credit);
    assert_eq!(credit.amount, cents(-18936));
    assert_eq!(credit.decided, Money::ZERO);
    assert!(credit.explanation.contains("kein Betrag mehr festgesetzt"));
}

#[test]
fn a_late_decision_for_a_past_month_is_a_back_charge() {
    let child = pkn("12345601");
    let decisions = vec![
        decided(child, "2025-01", 18936, "Bescheid vom 20.02.2025"),
        decided(child, "2025-02", 18936, "Bescheid vom 20.02.2025"),
        decided(child, "2025-03", 18936, "Bescheid vom 20.02.2025"),
    ];
    let run = soll_stellung(m("2025-03"), m("2020-01"), &decisions, &[]).unwrap();
    let kinds: Vec<_> = run.positions.iter().map(|p| p.kind).collect();
    assert_eq!(
        kinds,
        [
            PositionKind::BackCharge,
            PositionKind::BackCharge,
            PositionKind::Regular
        ]
    );
}

#[test]
fn mehrbetreuung_is_charged_for_the_month_it_was_incurred_in() {
    // Reported by the 10th of February for January (3.10.6), charged by February's run
    // (billing March) as a regular charge of January.
    let child = pkn("12345601");
    let decisions = vec![
        decided(child, "2025-03", 18936, "Krippe 9 h"),
        extra_care(child, "2025-01", 1000, "2 Stufen überschritten à 5,00 €"),
    ];
    let run = soll_stellung(m("2025-03"), m("2020-01"), &decisions, &[]).unwrap();
    let extra = run
        .positions
        .iter()
        .find(|p| p.charge == Charge::ExtraCare)
        .unwrap();
    assert_eq!(extra.kind, PositionKind::Regular);
    assert_eq!(extra.month, m("2025-01"));
    assert_eq!(extra.amount, cents(1000));
    assert_eq!(extra.id, "202503-12345601-202501-MB-1");
    assert!(extra.explanation.starts_with("Mehrbetreuung 01/2025"));
    // The fee of January is untouched by January's Mehrbetreuung: each charge on its own.
    assert_eq!(run.positions.len(), 2);
}

#[test]
fn running_twice_adds_nothing() {
    let a = pkn("12345601");
    let b = pkn("12345602");
    let decisions = vec![
        decided(a, "2025-03", 18936, "1. Zählkind"),
        decided(b, "2025-03", 7927, "2. Zählkind 60 %"),
        decided(b, "2025-02", 7927, "2. Zählkind 60 %"),
        extra_care(a, "2025-02", 2500, "nach Schließzeit abgeholt"),
    ];
    let first = soll_stellung(m("2025-03"), m("2020-01"), &decisions, &[]).unwrap();
    assert_eq!(first.positions.len(), 4);
    let second = soll_stellung(
        m("2025-03"),
        m("2020-01"),
        &decisions,
        &charged_from(&first.positions),
    )
    .unwrap();
    assert!(second.positions.is_empty(), "{:#?}", second.positions);
}

#[test]
fn charges_after_the_billing_month_are_left_to_their_own_run() {
    let child = pkn("12345601");
    let charged = [ChargedAmount {
        pkn: child,
        month: m("2025-04"),
        charge: Charge::Fee,
        amount: cents(18936),
    }];
    let run = soll_stellung(m("2025-03"), m("2020-01"), &[], &charged).unwrap();
    assert!(run.positions.is_empty());
}

#[test]
fn months_before_kitanetz_billed_are_left_to_the_old_system() {
    let child = pkn("12345601");
    let decisions = vec![
        decided(child, "2024-12", 18936, "Krippe"),
        decided(child, "2025-01", 18936, "Krippe"),
    ];
    let charged = [ChargedAmount {
        pkn: child,
        month: m("2024-11"),
        charge: Charge::Fee,
        amount: cents(18936),
    }];
    let run = soll_stellung(m("2025-01"), m("2025-01"), &decisions, &charged).unwrap();
    assert_eq!(run.positions.len(), 1);
    assert_eq!(run.positions[0].kind, PositionKind::Regular);
}

#[test]
fn duplicate_and_negative_decisions_are_all_reported() {
    let child = pkn("12345601");
    let decisions = vec![
        decided(child, "2025-03", 18936, "a"),
        decided(child, "2025-03", 17042, "b"),
        DecidedAmount {
            amount: cents(-5),
            ..extra_care(child, "2025-02", 0, "c")
        },
    ];
    let refused = soll_stellung(m("2025-03"), m("2020-01"), &decisions, &[]).unwrap_err();
    assert_eq!(
        refused.problems,
        [
            SollProblem::DuplicateDecision {
                pkn: child,
                month: m("2025-03"),
                charge: Charge::Fee
            },
            SollProblem::NegativeDecision {
                pkn: child,
                month: m("2025-02"),
                charge: Charge::ExtraCare,
                amount: cents(-5)
            },
        ]
    );
    assert!(refused.to_string().contains("zwei Festsetzungen"));
}

#[test]
fn positions_round_trip_through_json_with_their_sign() {
    let child = pkn("12345601");
    let charged = [ChargedAmount {
        pkn: child,
        month: m("2025-01"),
        charge: Charge::Fee,
        amount: cents(18936),
    }];
    let run = soll_stellung(m("2025-02"), m("2020-01"), &[], &charged).unwrap();
    let json = serde_json::to_value(&run.positions[0]).unwrap();
    assert_eq!(json["amount"], "-189.36");
    assert_eq!(json["kind"], "credit");
    assert_eq!(json["charge"], "fee");
    assert_eq!(json["pkn"], "12345601");
    let back: Position = serde_json::from_value(json).unwrap();
    assert_eq!(back, run.positions[0]);
}

#[test]
fn a_fee_result_becomes_decisions_with_its_explanations() {
    let explanation = |rule, detail: &str| Explanation {
        rule,
        statute_version: "dresden-2011/2011-09".into(),
        paragraph: "§ 10".into(),
        detail: detail.into(),
    };
    let result = FeeResult {
        months: vec![MonthFees {
            month: m("2025-03"),
            children: vec![
                ChildFee {
                    child: ChildId("anna".into()),
                    fee: Some(cents(0)),
                    countable_rank: Some(3),
                    statute_fee: Some(cents(0)),
                    extra_care: cents(500),
                    group: Some(FeeGroup::Kindergarten),
                    reductions: None,
                    explanation: vec![
                        explanation(Rule::SiblingRank, "3. Zählkind: 0 %"),
                        explanation(Rule::ExtraCareTier, "1 Stufe × 5,00 €"),
                    ],
                },
                ChildFee {
                    child: ChildId("ben".into()),
                    fee: None,
                    countable_rank: Some(1),
                    statute_fee: None,
                    extra_care: Money::ZERO,
                    group: None,
                    reductions: None,
                    explanation: vec![explanation(Rule::OutsideCity, "auswärtig")],
                },
            ],
            total: cents(500),
            waiver_outcome: None,
        }],
        waiver_form: None,
    };
    let pkns = |id: &str| match id {
        "anna" => Some(pkn("12345603")),
        "ben" => Some(pkn("12345601")),
        _ => None,
    };
    let decisions = decided_from_fee_result(&result, pkns).unwrap();
    assert_eq!(decisions.len(), 2, "ben is billed by the other town");
    assert_eq!(decisions[0].charge, Charge::Fee);
    assert_eq!(decisions[0].amount, Money::ZERO);
    assert!(decisions[0]
        .explanation
        .starts_with("3. Zählkind: 0 % [fee.sibling_rank"));
    assert_eq!(decisions[1].charge, Charge::ExtraCare);
    assert_eq!(decisions[1].amount, cents(500));
    assert!(decisions[1].explanation.starts_with("1 Stufe × 5,00 €"));
    assert_eq!(
        decided_from_fee_result(&result, |_| None),
        Err(ChildWithoutPkn("anna".into()))
    );
}

/// A small random history: per child-month a decided amount (sometimes none) and a few
/// amounts charged before (sometimes none, sometimes a credit).
fn history() -> impl Strategy<Value = (Vec<DecidedAmount>, Vec<ChargedAmount>)> {
    let cell = (
        0u8..3,
        0u32..6,
        any::<bool>(),
        proptest::option::of(0i64..30_000),
        proptest::collection::vec(-30_000i64..30_000, 0..3),
    );
    proptest::collection::vec(cell, 0..40).prop_map(|cells| {
        let mut decisions = Vec::new();
        let mut charged = Vec::new();
        let mut seen = std::collections::HashSet::new();
        for (child, month_offset, extra, decision, charges) in cells {
            let child =
                Pkn::new(crate::pkn::FamilyNumber::parse("123456").unwrap(), child).unwrap();
            let month = (0..month_offset).fold(m("2024-11"), |month, _| month.next());
            let charge = if extra {
                Charge::ExtraCare
            } else {
                Charge::Fee
            };
            if let Some(amount) = decision {
                if seen.insert((child, month, charge)) {
                    decisions.push(DecidedAmount {
                        pkn: child,
                        month,
                        charge,
                        amount: cents(amount),
                        explanation: String::new(),
                    });
                }
            }
            for amount in charges {
                charged.push(ChargedAmount {
                    pkn: child,
                    month,
                    charge,
                    amount: cents(amount),
                });
            }
        }
        (decisions, charged)
    })
}

proptest! {
    /// Credits + back-charges + regular charges = Σ decided − Σ charged (months up to the
    /// billing month), and a second run with the first one's positions adds nothing.
    #[test]
    fn positions_sum_to_the_difference_and_a_rerun_is_empty((decisions, charged) in history()) {
        let billing = m("2025-02");
        let since = m("2024-12");
        let billed = |month: Month| since <= month && month <= billing;
        let run = soll_stellung(billing, since, &decisions, &charged).unwrap();
        let decided_total: Money = decisions
            .iter()
            .filter(|d| billed(d.month))
            .map(|d| d.amount)
            .sum();
        let charged_total: Money = charged
            .iter()
            .filter(|c| billed(c.month))
            .map(|c| c.amount)
            .sum();
        let by_kind = run.total_of(PositionKind::Regular)
            + run.total_of(PositionKind::Credit)
            + run.total_of(PositionKind::BackCharge);
        prop_assert_eq!(by_kind, decided_total - charged_total);
        prop_assert_eq!(run.total(), decided_total - charged_total);
        for position in &run.positions {
            prop_assert!(!position.amount.is_zero());
            prop_assert!(billed(position.month));
            prop_assert_eq!(position.amount < Money::ZERO, position.kind == PositionKind::Credit);
        }
        let mut all_charged = charged.clone();
        all_charged.extend(charged_from(&run.positions));
        let again = soll_stellung(billing, since, &decisions, &all_charged).unwrap();
        prop_assert!(again.positions.is_empty());
        let mut ids: Vec<_> = run.positions.iter().map(|p| p.id.clone()).collect();
        ids.sort();
        ids.dedup();
        prop_assert_eq!(ids.len(), run.positions.len());
    }
}

#[test]
fn a_computed_fee_case_is_billed_to_the_cent() {
    // Two children under the Dresden statute 2011 in March 2012: the older in Kindergarten 9 h
    // (1st Zählkind, 132.13 €), the younger in Krippe 9 h (2nd Zählkind, 60 % of 189.36 € =
    // 113.616 → 113.62 €).
    let case = serde_json::json!({
        "format": "kitanetz-fee-case/1",
        "statute": "dresden-2011",
        "month": "2012-03",
        "family": { "single_parent": false, "residence_in_city": true },
        "rules": {
            "age_order": "oldest_first",
            "kindergarten_fee_from_completed_months": 36,
            "non_resident_sibling_reduction": true
        },
        "children": [
            { "id": "older", "birth_date": "2008-05-20", "care_type": "kita",
              "daily_hours": "9", "status": "regular" },
            { "id": "younger", "birth_date": "2011-01-10", "care_type": "kita",
              "daily_hours": "9", "status": "regular" }
        ]
    });
    let result =
        kitanetz_fees::compute_case(&case.to_string(), &kitanetz_fees::StatuteBook::builtin())
            .unwrap();
    let decisions = decided_from_fee_result(&result, |id| match id {
        "older" => Some(pkn("12345601")),
        "younger" => Some(pkn("12345602")),
        _ => None,
    })
    .unwrap();
    let run = soll_stellung(m("2012-03"), m("2012-01"), &decisions, &[]).unwrap();
    let amounts: Vec<(String, Money)> = run
        .positions
        .iter()
        .map(|p| (p.pkn.to_string(), p.amount))
        .collect();
    assert_eq!(
        amounts,
        [
            ("12345601".to_owned(), cents(13213)),
            ("12345602".to_owned(), cents(11362))
        ],
        "{:#?}",
        run.positions
    );
    assert!(run.positions[1].explanation.contains("fee.sibling_rank"));
}
