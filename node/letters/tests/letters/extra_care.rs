//! The Mehrbetreuungsbescheid: every day with its times, tiers, rule and amount, the total in
//! German notation, free days with their reason, the fee decisions' Rechtsbehelfsbelehrung,
//! refusals, determinism, tags.

use std::str::FromStr;

use chrono::NaiveTime;
use kitanetz_letters::decision::{
    Authority, AuthorityAccount, BankAccount, Clerk, ExplanationLine, Guardian, Payment, YearMonth,
    LEGAL_BASIS_DRESDEN_2011,
};
use kitanetz_letters::{
    extra_care_decision_copy_pdf, extra_care_decision_pdf, extra_care_decision_pdf_with,
    DecisionTemplate, ExtraCareDay, ExtraCareDecision, LetterCopy, LetterError, Pkn, TemplateBook,
};
use rust_decimal::Decimal;

use super::*;

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn time(text: &str) -> NaiveTime {
    NaiveTime::parse_from_str(text, "%H:%M").unwrap()
}

fn euros(text: &str) -> Decimal {
    Decimal::from_str(text).unwrap()
}

fn line(text: &str, paragraph: &str) -> ExplanationLine {
    ExplanationLine {
        text: text.into(),
        paragraph: paragraph.into(),
    }
}

fn entry(d: u32, from: &str, until: &str, tiers: u32, amount: &str) -> ExtraCareDay {
    ExtraCareDay {
        day: day(2026, 9, d),
        from: time(from),
        until: time(until),
        tiers_exceeded: tiers,
        after_closing: false,
        school_free_day: false,
        amount: euros(amount),
        explanation: vec![line(
            &format!("{tiers} Stufe(n) × 5,00 €"),
            "§ 5 Abs. 1 Satzung",
        )],
    }
}

/// Emil, a Hort child, in September 2026: one tier early, two late, a free school-free day,
/// and a pick-up after closing time.
fn september() -> ExtraCareDecision {
    let mut school_free = entry(25, "07:00", "16:30", 2, "0.00");
    school_free.school_free_day = true;
    school_free.explanation = vec![line(
        "2 Stufen an einem unterrichtsfreien Tag: für Hortkinder kein Beitrag",
        "§ 5 Abs. 3 Satzung",
    )];
    let mut late = entry(29, "17:15", "18:20", 1, "30.00");
    late.after_closing = true;
    late.explanation.push(line(
        "nicht innerhalb der Öffnungszeit abgeholt: 25,00 €",
        "§ 5 Abs. 2 Satzung",
    ));
    ExtraCareDecision {
        id: "extra-care-decision/12345602/2026-09/1".into(),
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
            creditor_id: None,
        },
        clerk: Some(Clerk {
            name: "Frau Beispiel".into(),
            room: None,
            phone: "0351 488-5199".into(),
            email: "beitragsstelle@dresden.example".into(),
        }),
        reference: "55.2.4".into(),
        date: day(2026, 10, 15),
        pkn: Pkn::parse("12345602").unwrap(),
        family_name: "Weiß".into(),
        addressee: Guardian {
            name: "Frau Anna Weiß".into(),
            street: "Königsbrücker Straße 12".into(),
            postcode_town: "01099 Dresden".into(),
        },
        other_guardian: Some(Guardian {
            name: "Herrn Jonas Weiß".into(),
            street: "Bautzner Straße 40".into(),
            postcode_town: "01099 Dresden".into(),
        }),
        child_name: "Emil Weiß".into(),
        facility_name: "Hort an der 30. Grundschule".into(),
        month: YearMonth::new(2026, 9).unwrap(),
        entries: vec![
            entry(2, "06:00", "07:00", 1, "5.00"),
            entry(14, "15:30", "17:00", 2, "10.00"),
            school_free,
            late,
        ],
        payment: Payment::DirectDebit(BankAccount {
            holder: "Anna Weiß".into(),
            iban: "DE89 3704 0044 0532 0130 00".into(),
            bic: None,
            bank: "Commerzbank Dresden".into(),
            mandate_reference: None,
        }),
        due_on: day(2026, 11, 15),
        legal_basis: LEGAL_BASIS_DRESDEN_2011.map(String::from).to_vec(),
    }
}

fn pdf(decision: &ExtraCareDecision) -> Vec<u8> {
    let letter = extra_care_decision_pdf(decision).unwrap_or_else(|e| panic!("{e}"));
    assert!(
        letter.warnings.0.is_empty(),
        "warnings: {}",
        letter.warnings
    );
    letter.pdf
}

#[test]
fn every_day_and_the_total_are_shown_in_german_notation() {
    let decision = september();
    assert_eq!(decision.total(), euros("45.00"));
    let text = text(&pdf(&decision));
    for needle in [
        "Bescheid über Mehrbetreuungsbeiträge für September 2026",
        "Frau Anna Weiß",
        "Königsbrücker Straße 12",
        "12345602",
        "55.2.4",
        "15.10.2026",
        "Sehr geehrte Familie Weiß,",
        "Emil Weiß",
        "Hort an der 30. Grundschule",
        // Each day with weekday, times, tiers, after closing, amount.
        "Mi. 02.09.2026 06:00–07:00 1 nein 1 Stufe(n) × 5,00 € (§ 5 Abs. 1 Satzung) 5,00 €",
        "Mo. 14.09.2026 15:30–17:00 2 nein",
        "10,00 €",
        "Di. 29.09.2026 17:15–18:20 1 ja",
        "nicht innerhalb der Öffnungszeit abgeholt: 25,00 € (§ 5 Abs. 2 Satzung) 30,00 €",
        // The sum, computed from the days.
        "Summe September 2026 45,00 €",
        // How and when it is paid; the IBAN masked.
        "Der Betrag von 45,00 € wird am 15.11.2026 von Ihrem Konto DE89 •••• •••• •••• ••30 00 bei der Commerzbank Dresden abgebucht.",
        // The statute in force (the fee decisions' name of it) and § 5.
        "nach der Satzung der Landeshauptstadt Dresden zur Förderung von Kindern",
        "Begründung",
        "§ 5 Abs. 2 der Satzung: Für Kinder, die innerhalb der festgelegten Öffnungszeit",
        "§ 12 Abs. 6 der Satzung",
    ] {
        assert_contains(&text, needle);
    }
}

#[test]
fn the_other_guardian_at_another_address_gets_a_copy_without_the_payers_account() {
    let decision = september();
    assert_eq!(
        decision.copies(),
        [LetterCopy::Payer, LetterCopy::OtherGuardian]
    );
    let letter = extra_care_decision_copy_pdf(&decision, LetterCopy::OtherGuardian)
        .unwrap_or_else(|e| panic!("{e}"));
    let text = text(&letter.pdf);
    for needle in [
        "Herrn Jonas Weiß",
        "Bautzner Straße 40",
        "Der Betrag von 45,00 € wird am 15.11.2026 vom Konto des Zahlungspflichtigen (Frau Anna Weiß) abgebucht.",
    ] {
        assert_contains(&text, needle);
    }
    assert!(
        !text.contains("DE89"),
        "no IBAN on the other guardian's copy"
    );
    // At the same address one letter reaches both: no second copy.
    let mut same = september();
    same.other_guardian.as_mut().unwrap().street = "Königsbrücker  straße 12".into();
    assert_eq!(same.copies(), [LetterCopy::Payer]);
    let mut none = september();
    none.other_guardian = None;
    assert!(extra_care_decision_copy_pdf(&none, LetterCopy::OtherGuardian).is_err());
}

#[test]
fn a_free_school_free_day_is_shown_with_its_reason() {
    let text = text(&pdf(&september()));
    assert_contains(
        &text,
        "Fr. 25.09.2026 07:00–16:30 2 nein unterrichtsfreier Tag 2 Stufen an einem unterrichtsfreien Tag: für Hortkinder kein Beitrag (§ 5 Abs. 3 Satzung) 0,00 €",
    );
}

#[test]
fn the_rechtsbehelfsbelehrung_is_the_fee_decisions() {
    let text = text(&pdf(&september()));
    for needle in [
        "Rechtsbehelfsbelehrung",
        "Gegen diesen Bescheid kann innerhalb eines Monats ab Bekanntgabe Widerspruch eingelegt werden.",
        "Der Widerspruch ist schriftlich oder zur Niederschrift bei der Landeshauptstadt Dresden einzulegen (Hauptsitz: Rathaus, Dr.-Külz-Ring 19, 01067 Dresden).",
        "Dieser Bescheid wurde maschinell erstellt und trägt daher keine Unterschrift.",
    ] {
        assert_contains(&text, needle);
    }
    for leftover in ["{{", "}}"] {
        assert!(!text.contains(leftover), "{leftover} in {text}");
    }
}

#[test]
fn a_citys_newer_wording_is_used_from_the_month_it_is_valid() {
    let newer = r#"
format = "kitanetz-decision-template/1"
kind = "single-child"
version = "city-2026"
valid_from = "2026-09-01"
statute = "Neue Elternbeitragssatzung 2026"
title = "Bescheid"
salutation = "Guten Tag Familie {{familie}},"
body = "{{tabelle}}"
remedy = "Widerspruch bei der {{behoerde}} binnen eines Monats."
closing = "Maschinell erstellt."
"#;
    let mut book = TemplateBook::builtin().clone();
    book.add(DecisionTemplate::parse("city-2026.toml", newer).unwrap())
        .unwrap();
    let letter = extra_care_decision_pdf_with(&book, &september()).unwrap();
    let text = text(&letter.pdf);
    assert_contains(&text, "Guten Tag Familie Weiß,");
    assert_contains(
        &text,
        "nach der Neue Elternbeitragssatzung 2026 für den Monat",
    );
    assert_contains(
        &text,
        "Widerspruch bei der Landeshauptstadt Dresden binnen eines Monats.",
    );

    // A wording that needs a fee decision's data cannot serve an extra-care decision.
    let mut book = TemplateBook::builtin().clone();
    let needs_fee = newer.replace("binnen eines Monats", "über {{betrag}}");
    book.add(DecisionTemplate::parse("city-2026.toml", &needs_fee).unwrap())
        .unwrap();
    let error = extra_care_decision_pdf_with(&book, &september()).unwrap_err();
    assert!(
        matches!(&error, LetterError::MissingPlaceholder { placeholder, .. } if *placeholder == "betrag"),
        "{error}"
    );
}

#[test]
fn a_transfer_names_the_authoritys_account_and_a_free_month_asks_nothing() {
    let mut decision = september();
    decision.payment = Payment::Transfer;
    let text = text(&pdf(&decision));
    assert_contains(
        &text,
        "Bitte überweisen Sie den Betrag von 45,00 € bis zum 15.11.2026 unter Angabe Ihrer PKN 12345602 auf das Konto IBAN DE69 8505 0300 3120 0012 43",
    );
    assert!(!text.contains("Commerzbank"), "{text}");

    let mut free = september();
    free.entries.retain(|e| e.school_free_day);
    free.payment = Payment::None;
    let text = super::text(&pdf(&free));
    assert_contains(&text, "Summe September 2026 0,00 €");
    assert_contains(
        &text,
        "Für den Monat September 2026 ist kein Mehrbetreuungsbeitrag zu zahlen.",
    );
}

#[test]
fn large_totals_are_grouped_and_summed_exactly() {
    let mut decision = september();
    decision.entries = (1..=30)
        .map(|d| {
            let mut e = entry(d, "17:00", "19:00", 2, "35.10");
            e.after_closing = true;
            e
        })
        .collect();
    // 30 × 35.10 is 1,053.00 exactly (in binary floating point it is not).
    assert_eq!(decision.total(), euros("1053.00"));
    let text = text(&pdf(&decision));
    assert_contains(&text, "Summe September 2026 1.053,00 €");
    assert!(parse(&pdf(&decision)).get_pages().len() >= 2);
}

#[test]
fn a_month_without_extra_care_is_refused() {
    let mut decision = september();
    decision.entries.clear();
    let error = extra_care_decision_pdf(&decision).unwrap_err();
    assert!(
        matches!(&error, LetterError::NoExtraCare { child, month } if child == "Emil Weiß" && month.to_string() == "2026-09"),
        "{error}"
    );
    assert!(error.to_string().contains("September 2026"), "{error}");
}

/// A change that breaks the fixture, in a table of cases.
type Breakage = fn(&mut ExtraCareDecision);

#[test]
fn inconsistent_days_are_refused_saying_what_to_fix() {
    let cases: [(Breakage, &str); 8] = [
        (
            |d| d.entries[3].day = day(2026, 10, 1),
            "01.10.2026 is not in September 2026",
        ),
        (|d| d.entries.swap(0, 1), "not ascending"),
        (
            |d| d.entries[0].until = time("05:00"),
            "ends (05:00) before",
        ),
        (|d| d.entries[0].amount = euros("-5"), "negative"),
        (|d| d.entries[0].amount = euros("5.001"), "two decimals"),
        (|d| d.entries[0].tiers_exceeded = 0, "it is no extra care"),
        (|d| d.entries[0].explanation.clear(), "no explanation"),
        (|d| d.payment = Payment::None, "`payment` is None"),
    ];
    for (change, expected) in cases {
        let mut decision = september();
        change(&mut decision);
        let error = extra_care_decision_pdf(&decision).unwrap_err();
        assert!(
            matches!(error, LetterError::Invalid(_)),
            "{expected}: {error}"
        );
        assert!(
            error.to_string().contains(expected),
            "{expected:?} not in {error}"
        );
    }
    let mut decision = september();
    decision.legal_basis.clear();
    assert!(extra_care_decision_pdf(&decision)
        .unwrap_err()
        .to_string()
        .contains("legal_basis"));
}

#[test]
fn the_same_decision_gives_the_same_bytes() {
    let first = pdf(&september());
    let mut other = september();
    other.child_name = "Lotta Weiß".into();
    let between = pdf(&other);
    let second = pdf(&september());
    assert_ne!(first, between);
    assert!(first == second, "two renders of the same decision differ");
}

#[test]
fn the_decision_is_tagged_pdf_ua_with_title_and_language() {
    let pdf = pdf(&september());
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
    assert!(raw.contains("Bescheid über Mehrbetreuungsbeiträge für September 2026"));
}

#[test]
fn data_is_printed_as_text_never_read_as_markup() {
    let mut decision = september();
    decision.child_name = r#"#panic("x") *Emil* $x$"#.into();
    decision.family_name = "]#include \"/main.typ\" {{iban}}".into();
    decision.entries[0].explanation[0].text = "<label> @ref \\ _x_ // /*".into();
    let text = text(&pdf(&decision));
    assert_contains(&text, r#"#panic("x") *Emil* $x$"#);
    assert_contains(&text, "]#include \"/main.typ\" {{iban}}");
    assert_contains(&text, "<label> @ref \\ _x_ // /*");
}

#[test]
fn the_sample_decision_reads_and_renders() {
    // The JSON form of an `ExtraCareDecision` (serde), as the node may store or pass it.
    let decision: ExtraCareDecision = serde_json::from_str(include_str!(
        "../../templates/extra_care_decision.sample.json"
    ))
    .expect("the sample is an ExtraCareDecision");
    assert_eq!(decision.total(), euros("45.00"));
    assert_eq!(decision.entries.len(), september().entries.len());
    let text = text(&pdf(&decision));
    assert_contains(&text, "Summe September 2026 45,00 €");
}
