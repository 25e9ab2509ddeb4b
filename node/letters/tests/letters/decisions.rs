//! Fee decisions (annex J): every kind renders with its data and without a leftover
//! placeholder, both guardians' copies, bank data only on the payer's, PKN checks, the
//! difference view. Text is read with lopdf and, where poppler is installed, cross-checked with
//! `pdftotext` and `pdfinfo` (issue 10 item 8).

use std::process::Command;
use std::str::FromStr;

use chrono::NaiveDate;
use kitanetz_letters::decision::{
    Authority, AuthorityAccount, BankAccount, ChildFees, Clerk, EndOfGrant, ExplanationLine, Grant,
    Guardian, InputField, MonthFee, Payment, PreviousDecision, TagespflegeFunding, YearMonth,
};
use kitanetz_letters::{
    difference, fee_decision_pdf, Decision, DecisionKind, LetterCopy, LetterError, Pkn,
};
use rust_decimal::Decimal;

use super::*;

const PAYER_IBAN: &str = "DE89 3704 0044 0532 0130 00";

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn euros(text: &str) -> Decimal {
    Decimal::from_str(text).unwrap()
}

fn month_fee(month: &str, amount: &str, hours: &str) -> MonthFee {
    MonthFee {
        month: YearMonth::parse(month).unwrap(),
        amount: euros(amount),
        care: "Krippe".into(),
        hours: euros(hours),
        facility: "Kita Sonnenblume".into(),
        explanation: vec![
            ExplanationLine {
                text: format!("189,36 € × {hours} h / 9 h = {amount} €"),
                paragraph: "§ 11 Abs. 1 Satzung".into(),
            },
            ExplanationLine {
                text: "1. Zählkind: 100 %".into(),
                paragraph: "§ 10 Abs. 5 Satzung".into(),
            },
        ],
    }
}

/// Lotta, Krippe 9 h from August 2026 to January 2027 at 189.36 € a month.
fn lotta() -> ChildFees {
    ChildFees {
        pkn: Pkn::parse("12345601").unwrap(),
        name: "Lotta Weiß".into(),
        birth_date: day(2025, 3, 14),
        facility_address: Some("Musterweg 3, 01099 Dresden".into()),
        months: [
            "2026-08", "2026-09", "2026-10", "2026-11", "2026-12", "2027-01",
        ]
        .iter()
        .map(|m| month_fee(m, "189.36", "9"))
        .collect(),
    }
}

fn emil() -> ChildFees {
    let mut emil = lotta();
    emil.pkn = Pkn::parse("12345602").unwrap();
    emil.name = "Emil Weiß".into();
    emil.birth_date = day(2022, 6, 1);
    for month in &mut emil.months {
        month.care = "Kindergarten".into();
        month.amount = euros("79.28");
        month.explanation[1].text = "2. Zählkind: 60 %".into();
    }
    emil
}

fn decision(kind: DecisionKind) -> Decision {
    Decision {
        kind,
        id: "fee-decision/12345601/2026-08-01/1".into(),
        authority: Authority {
            name: "Landeshauptstadt Dresden".into(),
            office: "Eigenbetrieb Kindertageseinrichtungen".into(),
            return_address: "Landeshauptstadt Dresden · Postfach 12 00 20 · 01001 Dresden".into(),
            street: "Dr.-Külz-Ring 19".into(),
            postcode_town: "01067 Dresden".into(),
            phone: "0351 488-5131".into(),
            email: "kindertageseinrichtungen@dresden.example".into(),
            objection_address: "Hauptsitz: Rathaus, Dr.-Külz-Ring 19, 01067 Dresden".into(),
            account: Some(AuthorityAccount {
                bank: "Ostsächsische Sparkasse Dresden".into(),
                iban: "DE69 8505 0300 3120 0012 43".into(),
                bic: "OSDDDE81".into(),
            }),
            creditor_id: Some("DE98ZZZ09999999999".into()),
        },
        clerk: Clerk {
            name: "Frau Beispiel".into(),
            room: Some("3.014".into()),
            phone: "0351 488-5199".into(),
            email: "beitragsstelle@dresden.example".into(),
        },
        file_number: "55.2.1".into(),
        date: day(2026, 7, 20),
        pkn: Pkn::parse("12345601").unwrap(),
        family_name: "Weiß".into(),
        payer: Guardian {
            name: "Frau Anna Weiß".into(),
            street: "Königsbrücker Straße 12".into(),
            postcode_town: "01099 Dresden".into(),
        },
        other_guardian: Some(Guardian {
            name: "Herrn Jörg Weiß".into(),
            street: "Bautzner Straße 7".into(),
            postcode_town: "01099 Dresden".into(),
        }),
        effective_from: day(2026, 8, 1),
        open_ended: true,
        children: vec![lotta()],
        payment: Payment::DirectDebit(BankAccount {
            holder: "Anna Weiß".into(),
            iban: PAYER_IBAN.into(),
            bic: Some("COBADEFFXXX".into()),
            bank: "Commerzbank Dresden".into(),
            mandate_reference: Some("KITA-12345601".into()),
        }),
        grant: None,
        tagespflege: None,
        end_of_grant: None,
        previous: None,
    }
}

/// The decision of each kind with the data its template asks for.
fn decision_of(kind: DecisionKind) -> Decision {
    let mut d = decision(kind);
    let grant = Grant {
        applied_on: day(2026, 7, 3),
        valid_from: day(2026, 8, 1),
        valid_until: day(2027, 1, 31),
        provisional: false,
    };
    match kind {
        DecisionKind::SingleChild | DecisionKind::HomeChild | DecisionKind::FosterChild => {}
        DecisionKind::Siblings => d.children.push(emil()),
        DecisionKind::Waiver | DecisionKind::WaiverSiblings => {
            d.grant = Some(grant);
            d.payment = Payment::None;
            for month in &mut d.children[0].months {
                month.amount = Decimal::ZERO;
            }
            if kind == DecisionKind::WaiverSiblings {
                d.children.push(emil());
            }
        }
        DecisionKind::Reduction | DecisionKind::ReductionSiblings => {
            d.grant = Some(grant);
            for month in &mut d.children[0].months {
                month.amount = euros("45.00");
                month.explanation.push(ExplanationLine {
                    text: "zumutbare Belastung nach Anlage C: 45,00 €".into(),
                    paragraph: "§ 13 Abs. 1 Satzung".into(),
                });
            }
            if kind == DecisionKind::ReductionSiblings {
                d.children.push(emil());
            }
        }
        DecisionKind::Tagespflege | DecisionKind::TagespflegeChange => {
            d.tagespflege = Some(TagespflegeFunding {
                agreement_on: day(2026, 6, 15),
                funded_from: day(2026, 8, 1),
                funded_until: day(2027, 7, 31),
            });
            for month in &mut d.children[0].months {
                month.care = "Kindertagespflege".into();
                month.facility = "Tagesmutter Bärbel Schröder".into();
            }
            if kind == DecisionKind::TagespflegeChange {
                d.previous = Some(previous_with_change(&d));
            }
        }
        DecisionKind::Change => d.previous = Some(previous_with_change(&d)),
        DecisionKind::EndOfReduction => {
            d.end_of_grant = Some(EndOfGrant {
                ended_on: day(2026, 10, 31),
                reason: EndOfGrant::ANNEX_J_REASONS[1].into(),
            });
        }
    }
    d
}

/// The decision in force had 8 h at 168.32 € where the new one has 9 h.
fn previous_with_change(new: &Decision) -> PreviousDecision {
    let mut in_force = new.clone();
    for month in &mut in_force.children[0].months {
        *month = MonthFee {
            month: month.month,
            care: month.care.clone(),
            facility: month.facility.clone(),
            ..month_fee(&month.month.to_string(), "168.32", "8")
        };
    }
    in_force.date = day(2026, 3, 2);
    PreviousDecision {
        date: in_force.date,
        changes: difference(&in_force, new),
    }
}

fn pdf(decision: &Decision, copy: LetterCopy) -> Vec<u8> {
    fee_decision_pdf(decision, copy).unwrap_or_else(|e| panic!("{:?}: {e}", decision.kind))
}

/// `pdftotext` and `pdfinfo` of a PDF, if poppler is installed (not needed by `cargo test`;
/// the lopdf checks run everywhere).
fn poppler(pdf: &[u8], name: &str) -> Option<(String, String)> {
    let path = std::env::temp_dir().join(format!("kt-letters-{}-{name}.pdf", std::process::id()));
    std::fs::write(&path, pdf).unwrap();
    let run = |tool: &str, args: &[&str]| {
        Command::new(tool)
            .args(args)
            .arg(&path)
            .args(if tool == "pdftotext" {
                &["-"][..]
            } else {
                &[][..]
            })
            .output()
            .ok()
            .filter(|o| o.status.success())
            .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
    };
    let text = run("pdftotext", &["-enc", "UTF-8"]);
    let info = run("pdfinfo", &[]);
    std::fs::remove_file(&path).ok();
    match (text, info) {
        (Some(text), Some(info)) => Some((normalise(&text), info)),
        _ => {
            eprintln!("poppler-utils not installed: pdftotext/pdfinfo checks skipped");
            None
        }
    }
}

fn normalise(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[test]
fn every_kind_renders_its_data_and_no_placeholder_is_left() {
    for kind in DecisionKind::ALL {
        let decision = decision_of(kind);
        let pdf = pdf(&decision, LetterCopy::Payer);
        let text = text(&pdf);
        let mut needles = vec![
            "Landeshauptstadt Dresden",
            "Frau Anna Weiß",
            "Königsbrücker Straße 12",
            "12345601",
            "55.2.1",
            "20.07.2026",
            "Sehr geehrte Familie Weiß",
            "Lotta Weiß",
            "Rechtsbehelfsbelehrung",
            "Widerspruch",
            "Hauptsitz: Rathaus, Dr.-Külz-Ring 19, 01067 Dresden",
            "maschinell erstellt",
        ];
        match kind {
            DecisionKind::SingleChild => needles.extend([
                "Bescheid über die Erhebung eines Elternbeitrages",
                "§ 10 der Satzung",
                "ab dem 01.08.2026",
                "189,36 €",
                "Krippe, 9 h täglich",
                "ab August 2026",
                "1. Zählkind: 100 % (§ 10 Abs. 5 Satzung)",
                "DE89 •••• •••• •••• ••30 00",
                "Commerzbank Dresden",
            ]),
            DecisionKind::Siblings => needles.extend([
                "Emil Weiß",
                "79,28 €",
                "Gesamtsumme",
                "268,64 €",
                "Für das dritte Kind",
            ]),
            DecisionKind::Waiver | DecisionKind::WaiverSiblings => needles.extend([
                "Bescheid über den Erlass",
                "03.07.2026",
                "vom 01.08.2026 bis 31.01.2027",
                "in voller Höhe erlassen",
            ]),
            DecisionKind::Reduction => needles.extend([
                "Bescheid über die Ermäßigung",
                "monatlich 45,00 € ermäßigt",
                "14.03.2025",
                "zumutbare Belastung",
            ]),
            DecisionKind::ReductionSiblings => {
                needles.extend(["monatlich 124,28 € ermäßigt", "Emil Weiß"])
            }
            DecisionKind::HomeChild => needles.extend(["Heim/in der Wohngruppe", "9 h"]),
            DecisionKind::FosterChild => needles.extend(["Ihr Pflegekind", "§ 39 Abs. 2"]),
            DecisionKind::Tagespflege => needles.extend([
                "Förderung einer Kindertagespflege",
                "15.06.2026",
                "vom 01.08.2026 bis 31.07.2027",
                "Tagesmutter Bärbel Schröder, Musterweg 3, 01099 Dresden",
                "Auflagen",
                "§ 64 SGB X",
            ]),
            DecisionKind::TagespflegeChange | DecisionKind::Change => needles.extend([
                "Änderungsbescheid",
                "02.03.2026",
                "168,32 €",
                "Betreuungszeit: 8 h → 9 h",
            ]),
            DecisionKind::EndOfReduction => needles.extend([
                "Beendigung einer Ermäßigung",
                "zum 31.10.2026 aufgehoben",
                "über der Einkommensgrenze",
            ]),
        }
        for needle in needles {
            assert_contains(&text, &normalise(needle));
        }
        for leftover in ["{{", "}}", "«", "»"] {
            assert!(!text.contains(leftover), "{kind:?}: {leftover} in {text}");
        }
        if let Some((poppler_text, info)) = poppler(&pdf, kind.name()) {
            assert!(!poppler_text.contains("{{"), "{kind:?}: {poppler_text}");
            assert!(
                poppler_text.contains("Rechtsbehelfsbelehrung"),
                "{poppler_text}"
            );
            assert!(poppler_text.contains("12345601"), "{poppler_text}");
            assert!(info.contains("Tagged:") && info.contains("yes"), "{info}");
        }
    }
}

#[test]
fn a_decision_is_tagged_pdf_ua_with_title_and_language() {
    let pdf = pdf(&decision_of(DecisionKind::Siblings), LetterCopy::Payer);
    let raw = String::from_utf8_lossy(&pdf);
    let document = parse(&pdf);
    assert!(catalog_entry(&document, b"StructTreeRoot").is_some());
    let mark_info = catalog_entry(&document, b"MarkInfo")
        .and_then(|o| o.as_dict().ok())
        .expect("/MarkInfo");
    assert_eq!(
        mark_info.get(b"Marked").and_then(Object::as_bool).ok(),
        Some(true)
    );
    assert_eq!(pdf_string(catalog_entry(&document, b"Lang").unwrap()), "de");
    assert!(raw.contains("pdfuaid:part"), "no PDF/UA identification");
    assert!(raw.contains("Bescheid über die Erhebung eines Elternbeitrages"));
    if let Some((_, info)) = poppler(&pdf, "tags") {
        let line = |key: &str| {
            info.lines()
                .find(|l| l.starts_with(key))
                .unwrap_or_else(|| panic!("no {key} in {info}"))
                .to_owned()
        };
        assert!(line("Tagged:").ends_with("yes"), "{info}");
        assert!(
            line("Title:").contains("Bescheid über die Erhebung eines Elternbeitrages"),
            "{info}"
        );
    }
}

#[test]
fn the_other_guardian_gets_a_copy_without_bank_data() {
    let decision = decision_of(DecisionKind::SingleChild);
    assert_eq!(
        decision.copies(),
        vec![LetterCopy::Payer, LetterCopy::OtherGuardian]
    );
    let payer = text(&pdf(&decision, LetterCopy::Payer));
    let other_pdf = pdf(&decision, LetterCopy::OtherGuardian);
    let other = text(&other_pdf);
    assert_contains(&payer, "DE89 •••• •••• •••• ••30 00");
    assert!(!payer.contains(PAYER_IBAN), "the full IBAN is masked");
    assert_contains(&other, "Herrn Jörg Weiß");
    assert_contains(&other, "Bautzner Straße 7");
    assert_contains(
        &other,
        "vom Konto der/des Zahlungspflichtigen (Frau Anna Weiß)",
    );
    assert_contains(&other, "189,36 €");
    let poppler_other = poppler(&other_pdf, "other-guardian").map(|(text, _)| text);
    for text in [Some(other), poppler_other].into_iter().flatten() {
        for bank_data in [
            "IBAN",
            "DE89",
            "30 00",
            "3000",
            "Commerzbank",
            "COBADEFF",
            "KITA-12345601",
            "DE98ZZZ",
            "Königsbrücker",
        ] {
            assert!(
                !text.contains(bank_data),
                "{bank_data} on the other copy: {text}"
            );
        }
    }
}

#[test]
fn guardians_at_one_address_get_one_copy() {
    let mut decision = decision_of(DecisionKind::SingleChild);
    let mut other = decision.payer.clone();
    other.name = "Herrn Jörg Weiß".into();
    other.street = "  königsbrücker  Straße 12".into();
    decision.other_guardian = Some(other);
    assert_eq!(decision.copies(), vec![LetterCopy::Payer]);
    decision.other_guardian = None;
    assert_eq!(decision.copies(), vec![LetterCopy::Payer]);
    assert!(matches!(
        fee_decision_pdf(&decision, LetterCopy::OtherGuardian),
        Err(LetterError::NoOtherGuardian)
    ));
}

#[test]
fn a_transfer_names_the_authoritys_account_on_both_copies() {
    let mut decision = decision_of(DecisionKind::SingleChild);
    decision.payment = Payment::Transfer;
    for copy in [LetterCopy::Payer, LetterCopy::OtherGuardian] {
        let text = text(&pdf(&decision, copy));
        assert_contains(&text, "unter Angabe der o. g. PKN 12345601");
        assert_contains(&text, "DE69 8505 0300 3120 0012 43");
        assert!(!text.contains("Commerzbank"), "{text}");
    }
}

#[test]
fn months_with_the_same_row_collapse_and_amounts_are_german() {
    let mut decision = decision_of(DecisionKind::SingleChild);
    decision.open_ended = false;
    let months = &mut decision.children[0].months;
    // January: a Gastkind rate above 1,000 € (§ 11 Abs. 2: up to 100 % of the operating cost).
    months[5].amount = euros("1234.56");
    let text = text(&pdf(&decision, LetterCopy::Payer));
    assert_contains(&text, "August 2026 – Dezember 2026 189,36 €");
    assert_contains(&text, "Januar 2027 1.234,56 €");
    assert!(!text.contains("ab Januar"), "{text}");
}

#[test]
fn a_pkn_is_eight_digits_and_children_share_the_family_part() {
    assert!(Pkn::parse("1234560").is_err());
    assert!(Pkn::parse("12345601X").is_err());
    let error: Result<Decision, _> = serde_json::from_value({
        let mut json = serde_json::to_value(decision_of(DecisionKind::SingleChild)).unwrap();
        json["pkn"] = "123-4560".into();
        json
    });
    assert!(error.unwrap_err().to_string().contains("only the digits"));

    let mut decision = decision_of(DecisionKind::Siblings);
    decision.children[1].pkn = Pkn::parse("65432102").unwrap();
    match fee_decision_pdf(&decision, LetterCopy::Payer) {
        Err(error @ LetterError::PknFamily { .. }) => {
            let message = error.to_string();
            assert!(
                message.contains("Emil Weiß") && message.contains("123456"),
                "{message}"
            );
        }
        other => panic!("expected a PKN error, got {:?}", other.map(|_| ())),
    }
}

#[test]
fn a_missing_placeholder_value_is_an_error_naming_it() {
    let mut decision = decision_of(DecisionKind::Reduction);
    decision.grant = None;
    match fee_decision_pdf(&decision, LetterCopy::Payer) {
        Err(error @ LetterError::MissingPlaceholder { .. }) => {
            let message = error.to_string();
            assert!(message.contains("{{antrag_vom}}"), "{message}");
            assert!(message.contains("reduction.toml"), "{message}");
            assert!(message.contains("`grant`"), "{message}");
        }
        other => panic!(
            "expected a missing placeholder, got {:?}",
            other.map(|_| ())
        ),
    }
    // Tagespflege needs the carer's address.
    let mut decision = decision_of(DecisionKind::Tagespflege);
    decision.children[0].facility_address = None;
    let error = fee_decision_pdf(&decision, LetterCopy::Payer).unwrap_err();
    assert!(
        error.to_string().contains("{{einrichtung_anschrift}}"),
        "{error}"
    );
    // A fee decision asks how it is paid.
    let mut decision = decision_of(DecisionKind::SingleChild);
    decision.payment = Payment::None;
    let error = fee_decision_pdf(&decision, LetterCopy::Payer).unwrap_err();
    assert!(error.to_string().contains("{{zahlung}}"), "{error}");
}

#[test]
fn bad_amounts_and_months_are_refused() {
    let mut decision = decision_of(DecisionKind::SingleChild);
    decision.children[0].months[1].amount = euros("-1.00");
    assert!(fee_decision_pdf(&decision, LetterCopy::Payer)
        .unwrap_err()
        .to_string()
        .contains("negative"));
    let mut decision = decision_of(DecisionKind::SingleChild);
    decision.children[0].months[1].amount = euros("1.005");
    assert!(fee_decision_pdf(&decision, LetterCopy::Payer)
        .unwrap_err()
        .to_string()
        .contains("two decimals"));
    let mut decision = decision_of(DecisionKind::SingleChild);
    decision.children[0].months.swap(0, 1);
    assert!(fee_decision_pdf(&decision, LetterCopy::Payer)
        .unwrap_err()
        .to_string()
        .contains("not ascending"));
}

#[test]
fn data_is_printed_as_text_in_decisions_too() {
    let mut decision = decision_of(DecisionKind::SingleChild);
    decision.family_name = r#"#panic("x") *fett* $x$ {{iban}}"#.into();
    decision.children[0].name = "]#include \"/main.typ\"".into();
    let text = text(&pdf(&decision, LetterCopy::Payer));
    assert_contains(&text, r#"#panic("x") *fett* $x$ {{iban}}"#);
    assert_contains(&text, "]#include \"/main.typ\"");
}

#[test]
fn the_difference_lists_changed_months_with_old_new_and_why() {
    let new = decision_of(DecisionKind::SingleChild);
    let mut in_force = new.clone();
    // In force: 8 h until October; from November the same 9 h.
    for month in &mut in_force.children[0].months[..3] {
        *month = month_fee(&month.month.to_string(), "168.32", "8");
    }
    // The new decision ends Lotta's care after December, and adds Emil from January.
    let mut new = new;
    new.children[0].months.pop();
    let mut emil = emil();
    emil.months
        .retain(|m| m.month == YearMonth::parse("2027-01").unwrap());
    new.children.push(emil);

    let changes = difference(&in_force, &new);
    let summary: Vec<(String, String, Option<Decimal>, Option<Decimal>)> = changes
        .iter()
        .map(|c| (c.child.clone(), c.month.to_string(), c.old, c.new))
        .collect();
    let some = |s: &str| Some(euros(s));
    assert_eq!(
        summary,
        vec![
            (
                "Lotta Weiß".into(),
                "2026-08".into(),
                some("168.32"),
                some("189.36")
            ),
            (
                "Lotta Weiß".into(),
                "2026-09".into(),
                some("168.32"),
                some("189.36")
            ),
            (
                "Lotta Weiß".into(),
                "2026-10".into(),
                some("168.32"),
                some("189.36")
            ),
            ("Lotta Weiß".into(), "2027-01".into(), some("189.36"), None),
            ("Emil Weiß".into(), "2027-01".into(), None, some("79.28")),
        ]
    );
    let august = &changes[0];
    assert!(august.amount_changed());
    let fields: Vec<InputField> = august.inputs.iter().map(|i| i.field).collect();
    assert_eq!(fields, vec![InputField::Hours, InputField::Explanation]);
    assert_eq!(
        normalise(&august.inputs[0].to_string()),
        "Betreuungszeit: 8 h → 9 h"
    );
    // The line of the same paragraph is one rule read twice: old → new.
    assert_eq!(
        normalise(&august.inputs[1].to_string()),
        "Berechnung: 189,36 € × 8 h / 9 h = 168.32 € (§ 11 Abs. 1 Satzung) → 189,36 € × 9 h / 9 h = 189.36 € (§ 11 Abs. 1 Satzung)"
    );
    assert_eq!(changes[3].inputs[0].field, InputField::Covered);
    assert!(difference(&new, &new).is_empty());
}

#[test]
fn a_reworded_line_with_the_same_amount_is_no_change_and_a_rule_that_now_applies_is_new() {
    let in_force = decision_of(DecisionKind::SingleChild);
    // The decision in force was issued when the engine wrote its lines in English.
    let mut english = in_force.clone();
    for month in &mut english.children[0].months {
        month.explanation[1].text = "countable child 1: 100 %".into();
    }
    assert!(difference(&english, &in_force).is_empty());
    // A rule that now applies (same amount): listed as new, the reworded line still not.
    let mut new = in_force.clone();
    let august = &mut new.children[0].months[0];
    august.explanation.push(ExplanationLine {
        text: "Alleinerziehend: 10 Prozentpunkte weniger, Anteil 90 %".into(),
        paragraph: "§ 10 Abs. 4 Satzung".into(),
    });
    let changes = difference(&english, &new);
    assert_eq!(changes.len(), 1);
    assert_eq!(changes[0].inputs.len(), 1);
    assert_eq!(
        normalise(&changes[0].inputs[0].to_string()),
        "Berechnung neu: Alleinerziehend: 10 Prozentpunkte weniger, Anteil 90 % (§ 10 Abs. 4 Satzung)"
    );
}

#[test]
fn the_sample_decision_reads_and_renders_both_copies() {
    // The JSON form of a `Decision` (serde), as the node may store or pass it.
    let decision: Decision =
        serde_json::from_str(include_str!("../../templates/decision.sample.json"))
            .expect("the sample is a Decision");
    assert_eq!(decision.kind, DecisionKind::Siblings);
    for copy in decision.copies() {
        let text = text(&pdf(&decision, copy));
        assert_contains(&text, "ab August 2026");
        assert_contains(&text, "268,64 €");
        // The fee engine's lines, as it writes them, in the Erläuterung.
        assert_contains(
            &text,
            "Anteil für das 2. Zählkind: 60 % von 132,13 € = 79,28 € (§ 10 Abs. 5 Satzung)",
        );
    }
}

#[test]
fn a_provisional_grant_says_so_in_its_title_and_asks_for_the_proofs() {
    let mut decision = decision_of(DecisionKind::Reduction);
    let final_text = text(&pdf(&decision, LetterCopy::Payer));
    assert!(!final_text.contains("vorläufig"), "{final_text}");
    decision
        .grant
        .as_mut()
        .expect("a reduction has a grant")
        .provisional = true;
    let text = text(&pdf(&decision, LetterCopy::Payer));
    assert_contains(
        &text,
        "Vorläufiger Bescheid über die Ermäßigung des Elternbeitrages",
    );
    assert_contains(
        &text,
        "Dieser Bescheid ergeht vorläufig. Er beruht auf Ihrer Selbstauskunft über Ihr Einkommen vom 03.07.2026.",
    );
    assert_contains(&text, "Nach deren Prüfung ergeht ein endgültiger Bescheid");
}
