use super::*;
use crate::soll::{soll_stellung, ChargedAmount, DecidedAmount};
use crate::testing::{cents, decided, extra_care, m, pkn};
use kitanetz_sepa::CreditorId;
use std::str::FromStr;

fn date(text: &str) -> NaiveDate {
    NaiveDate::from_str(text).unwrap()
}

fn collection() -> Collection {
    Collection {
        message_id: "KN-SOLL-2025-03".into(),
        created_at: NaiveDateTime::from_str("2025-02-28T16:00:00").unwrap(),
        collection_date: date("2025-03-05"),
        creditor: Creditor {
            name: "Landeshauptstadt Dresden Eigenbetrieb Kitas".into(),
            iban: Iban::parse("DE69 8505 0300 3120 0012 43").unwrap(),
            bic: None,
            creditor_id: CreditorId::parse("DE98ZZZ09999999999").unwrap(),
        },
    }
}

fn mandate(payer: &str) -> Mandate {
    Mandate {
        payer: FamilyNumber::parse(payer).unwrap(),
        reference: format!("PKN{payer}-1"),
        signed_on: date("2024-08-01"),
        iban: "de89 3704 0044 0532 0130 00".into(),
        bic: None,
        debtor_name: "Anna Müller".into(),
    }
}

/// March's run for three families: 123456 with two children and a credit for January,
/// 222222 whose credit exceeds March, 333333 with one child.
fn positions() -> Vec<Position> {
    let a1 = pkn("12345601");
    let a2 = pkn("12345602");
    let b = pkn("22222201");
    let c = pkn("33333301");
    let charged = [
        ChargedAmount {
            pkn: a1,
            month: m("2025-01"),
            charge: Charge::Fee,
            amount: cents(18936),
        },
        ChargedAmount {
            pkn: b,
            month: m("2025-01"),
            charge: Charge::Fee,
            amount: cents(18936),
        },
        ChargedAmount {
            pkn: b,
            month: m("2025-02"),
            charge: Charge::Fee,
            amount: cents(18936),
        },
    ];
    let decisions: Vec<DecidedAmount> = vec![
        decided(a1, "2025-01", 17042, "alleinerziehend"),
        decided(a1, "2025-03", 17042, "alleinerziehend"),
        decided(a2, "2025-03", 7927, "2. Zählkind"),
        extra_care(a2, "2025-02", 500, "1 Stufe"),
        decided(b, "2025-01", 0, "Erlass"),
        decided(b, "2025-02", 0, "Erlass"),
        decided(b, "2025-03", 0, "Erlass"),
        decided(c, "2025-03", 13213, "Kindergarten 9 h"),
    ];
    soll_stellung(m("2025-03"), m("2020-01"), &decisions, &charged)
        .unwrap()
        .positions
}

#[test]
fn one_debit_per_payer_sums_its_positions_and_lists_the_months() {
    let positions = positions();
    let run = direct_debits(
        &positions,
        &[mandate("123456"), mandate("222222"), mandate("333333")],
        &collection(),
    )
    .unwrap();
    let file = run.file.as_ref().unwrap();
    assert_eq!(file.transactions, 2);
    assert_eq!(run.collected.len(), 2);
    let family = &run.collected[0];
    assert_eq!(family.payer.to_string(), "123456");
    assert_eq!(family.amount, cents(17042 + 7927 + 500 - 1894));
    assert_eq!(family.end_to_end_id, "FN123456-20250305");
    assert_eq!(family.position_ids.len(), 4);
    assert_eq!(
        family.remittance_text,
        "Kita FN 123456 Elternbeitrag 01/2025 03/2025 Mehrbetreuung 02/2025 Summe 235,75"
    );
    assert!(file.xml.contains("<InstdAmt Ccy=\"EUR\">235.75</InstdAmt>"));
    assert!(file.xml.contains("<SeqTp>RCUR</SeqTp>"));
    assert!(file.xml.contains("<Nm>Anna Mueller</Nm>"));
    // 222222 has a credit balance of 2 × 189.36 €: never collected, never dropped.
    assert_eq!(run.not_collected.len(), 1);
    assert_eq!(
        run.not_collected[0].reason,
        NotCollectedReason::CreditBalance(cents(-37872))
    );
    let all: Money = positions.iter().map(|p| p.amount).sum();
    assert_eq!(run.collected_total() + run.not_collected_total(), all);
    assert_eq!(file.control_sum, run.collected_total().amount());
}

#[test]
fn payers_without_a_usable_mandate_are_listed_with_the_reason() {
    let positions = positions();
    let mut bad_iban = mandate("123456");
    bad_iban.iban = "DE89 3704 0044 0532 0130 01".into();
    let run = direct_debits(&positions, &[bad_iban], &collection()).unwrap();
    assert!(run.file.is_none(), "nobody can be collected");
    let reasons: Vec<String> = run
        .not_collected
        .iter()
        .map(|n| format!("{} {}", n.payer, n.reason))
        .collect();
    assert_eq!(reasons.len(), 3);
    assert!(reasons[0].starts_with("123456 IBAN des Mandats: Die Prüfziffern"));
    assert!(reasons[1].starts_with("222222 Guthaben von -378,72 €"));
    assert!(reasons[2].starts_with("333333 Kein Lastschriftmandat"));

    let mut bad_bic = mandate("333333");
    bad_bic.bic = Some("OSDD".into());
    let run = direct_debits(
        &positions,
        &[mandate("123456"), mandate("123456"), bad_bic],
        &collection(),
    )
    .unwrap();
    assert_eq!(
        run.not_collected[0].reason,
        NotCollectedReason::SeveralMandates(2)
    );
    assert!(matches!(
        run.not_collected[2].reason,
        NotCollectedReason::InvalidBic(_)
    ));
}

#[test]
fn a_debit_the_sepa_checks_refuse_leaves_the_others_in_the_file() {
    let positions = positions();
    let mut after_file = mandate("123456");
    after_file.signed_on = date("2025-03-01");
    let mut unwritable_name = mandate("333333");
    unwritable_name.debtor_name = "Anna 李".into();
    let run = direct_debits(&positions, &[after_file, unwritable_name], &collection()).unwrap();
    assert!(run.file.is_none());
    let reasons: Vec<_> = run
        .not_collected
        .iter()
        .map(|n| (n.payer.to_string(), n.reason.to_string()))
        .collect();
    assert!(
        reasons[0].1.contains("Unterschrift des Mandats"),
        "{reasons:?}"
    );
    assert!(
        reasons[2].1.contains("Zahlungspflichtige(r)"),
        "{reasons:?}"
    );

    let mut unwritable_name = mandate("333333");
    unwritable_name.debtor_name = "Anna 李".into();
    let run = direct_debits(
        &positions,
        &[mandate("123456"), unwritable_name],
        &collection(),
    )
    .unwrap();
    assert_eq!(run.file.as_ref().unwrap().transactions, 1);
    assert_eq!(run.collected[0].payer.to_string(), "123456");
}

#[test]
fn a_problem_of_the_file_itself_refuses_it() {
    let mut frame = collection();
    frame.message_id = "KN SOLL März 2025 mit viel zu langem Namen".into();
    let refused = direct_debits(&positions(), &[mandate("123456")], &frame).unwrap_err();
    assert!(refused.problems.iter().all(|p| p.place == Place::File));
}

#[test]
fn a_payer_whose_positions_cancel_out_is_listed_too() {
    let child = pkn("12345601");
    let positions = soll_stellung(
        m("2025-03"),
        m("2020-01"),
        &[
            decided(child, "2025-02", 0, "Erlass"),
            decided(child, "2025-03", 18936, "Krippe"),
        ],
        &[ChargedAmount {
            pkn: child,
            month: m("2025-02"),
            charge: Charge::Fee,
            amount: cents(18936),
        }],
    )
    .unwrap()
    .positions;
    let run = direct_debits(&positions, &[mandate("123456")], &collection()).unwrap();
    assert_eq!(run.not_collected[0].reason, NotCollectedReason::NothingOwed);
    assert_eq!(run.not_collected[0].position_ids.len(), 2);
}

#[test]
fn a_long_list_of_months_is_cut_to_fit_140_characters() {
    let child = pkn("12345601");
    let decisions: Vec<DecidedAmount> = (0..30)
        .map(|i| {
            let month = (0..i).fold(m("2022-10"), |month, _| month.next());
            DecidedAmount {
                month,
                ..decided(child, "2022-10", 18936, "spät beschieden")
            }
        })
        .collect();
    let positions = soll_stellung(m("2025-03"), m("2020-01"), &decisions, &[])
        .unwrap()
        .positions;
    let references: Vec<&Position> = positions.iter().collect();
    let text = remittance_text(child.family(), &references);
    assert!(text.len() <= REMITTANCE_MAX, "{} > 140: {text}", text.len());
    assert!(text.starts_with("Kita FN 123456 Elternbeitrag 10/2022 11/2022"));
    assert!(text.ends_with(" u.a. Summe 5680,80"), "{text}");
}
