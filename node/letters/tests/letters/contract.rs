//! The care contract: parties, terms, one section per copy, data as text.

use super::*;
use kitanetz_letters::CONTRACT;

fn contract_data() -> Value {
    serde_json::from_str(include_str!("../../templates/contract.sample.json"))
        .expect("the sample is JSON")
}

fn render_contract(data: &Value) -> Rendered {
    render(&CONTRACT, data, &meta()).unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn the_contract_names_the_parties_and_terms_in_every_copy() {
    let letter = render_contract(&contract_data());
    assert!(
        letter.warnings.0.is_empty(),
        "warnings: {}",
        letter.warnings
    );
    let text = text(&letter.pdf);
    for needle in [
        "Betreuungsvertrag Nr. ctr-7f3a",
        "Eigenbetrieb Kindertageseinrichtungen Musterstadt",
        "Kita Elbwiesenkinder",
        "Jonas Berg, Wilsdruffer Straße 1, 01067 Musterstadt",
        "Paul Berg, geboren am 01.10.2025",
        "01.03.2027",
        "unbefristet",
        "Krippe",
        "7,5 Stunden",
        "Lastschrift",
        "Ausfertigung für die Personensorgeberechtigten",
    ] {
        assert_contains(&text, needle);
    }
    assert_eq!(parse(&letter.pdf).get_pages().len(), 3, "one page per copy");
    assert_eq!(text.matches("Betreuungsvertrag Nr.").count(), 3);
}

#[test]
fn an_end_date_and_data_that_looks_like_markup_are_printed_as_written() {
    let mut data = contract_data();
    data["end"] = "31.07.2030".into();
    data["child"]["name"] = "#panic(\"x\") *Paul*".into();
    data["copies"] = serde_json::json!(["Ausfertigung für die Kita"]);
    let text = text(&render_contract(&data).pdf);
    assert_contains(&text, "31.07.2030");
    assert_contains(&text, "#panic(\"x\") *Paul*");
    assert!(!text.contains("unbefristet"));
}

#[test]
fn a_contract_without_guardians_is_refused() {
    let mut data = contract_data();
    data["guardians"] = serde_json::json!([]);
    assert!(render(&CONTRACT, &data, &meta()).is_err());
}
