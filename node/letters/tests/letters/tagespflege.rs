//! The Kindertagespflege office's refund and grant Bescheide: the samples render without
//! warnings and print the amounts, explanations and the Rechtsbehelfsbelehrung.

use super::*;
use kitanetz_letters::{GRANT_DECISION, REFUND_DECISION};

fn sample(json: &str) -> Value {
    serde_json::from_str(json).expect("the sample is JSON")
}

#[test]
fn the_refund_decision_lists_each_year_the_back_payment_and_the_running_amount() {
    let data = sample(include_str!("../../templates/refund_decision.sample.json"));
    let letter = render(&REFUND_DECISION, &data, &meta()).unwrap_or_else(|e| panic!("{e}"));
    assert!(letter.warnings.0.is_empty(), "{}", letter.warnings);
    let text = text(&letter.pdf);
    for needle in [
        "Erstattungsbescheid Kindertagespflege",
        "Aktenzeichen: cm-7/e-12",
        "68,25 EUR",
        "69,20 EUR",
        "davon die Hälfte: 69,20 €",
        "690,10 € für 10 Monate (11/2009–08/2010)",
        "69,20 € monatlich ab 09/2010",
        "höchstens 40 Euro je genehmigtem Platz",
        "Rechtsbehelfsbelehrung",
    ] {
        assert_contains(&text, needle);
    }
}

#[test]
fn a_rejected_refund_gives_its_reason_and_no_amounts() {
    let mut data = sample(include_str!("../../templates/refund_decision.sample.json"));
    data["kind"] = "Alterssicherung".into();
    data["granted"] = false.into();
    data["reason"] = "Rentenversicherungspflicht ohne gesetzliche Beiträge".into();
    let text = text(&render(&REFUND_DECISION, &data, &meta()).unwrap().pdf);
    assert_contains(&text, "lehnen wir ab");
    assert_contains(
        &text,
        "Rentenversicherungspflicht ohne gesetzliche Beiträge",
    );
    assert!(!text.contains("690,10"));
}

#[test]
fn the_grant_decision_names_purpose_amount_and_conditions() {
    let data = sample(include_str!("../../templates/grant_decision.sample.json"));
    let letter = render(&GRANT_DECISION, &data, &meta()).unwrap_or_else(|e| panic!("{e}"));
    assert!(letter.warnings.0.is_empty(), "{}", letter.warnings);
    let text = text(&letter.pdf);
    for needle in [
        "Zuschussbescheid Kindertagespflege",
        "Ausstattung neuer Plätze",
        "200,00 EUR",
        "11/2026",
        "2 neue Plätze × 100,00 €",
        "Auflagen",
        "Belege sind aufzubewahren",
        "Vereinbarung zur Kindertagespflege",
        "Rechtsbehelfsbelehrung",
    ] {
        assert_contains(&text, needle);
    }
}
