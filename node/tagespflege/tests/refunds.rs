//! `kitanetz-tagespflege-refund-case/1` end to end through [`case_output`], the CLI's whole
//! behaviour: annex K's worked example, the fixtures in `tests/fixtures/tagespflege/`, every rule
//! branch, the rounding edges and the refusals.

use kitanetz_tagespflege::{case_output, EXIT_INVALID, EXIT_OK};
use rust_decimal::Decimal;
use serde_json::{json, Value};
use std::path::PathBuf;
use std::str::FromStr;

fn decided(case: &Value) -> Value {
    let out = case_output(&case.to_string());
    assert_eq!(out.exit_code, EXIT_OK, "should be decided: {}", out.stderr);
    assert!(out.stderr.is_empty());
    serde_json::from_str(&out.stdout).expect("stdout is JSON")
}

fn refused_text(text: &str) -> String {
    let out = case_output(text);
    assert_eq!(out.exit_code, EXIT_INVALID, "should be refused: {text}");
    assert_eq!(out.exit_code, 2, "the format prescribes exit 2");
    assert!(out.stdout.is_empty(), "nothing on stdout when refused");
    out.stderr
}

fn assert_refused(case: &Value, field: &str) -> String {
    let message = refused_text(&case.to_string());
    assert!(
        message.contains(&format!(" {field}: ")),
        "message should name {field}: {message}"
    );
    message
}

fn health_year(year: i32, minimum_base: &str, proven: &str) -> Value {
    json!({ "year": year, "minimum_base": minimum_base, "health_rate": "14.3",
            "care_rate": "1.95", "care_rate_childless": "2.2", "proven_contribution": proven })
}

fn health_case(entitlement: &str, payment: &str, years: Value) -> Value {
    json!({ "format": "kitanetz-tagespflege-refund-case/1", "kind": "health",
            "entitlement_from": entitlement, "payment_from": payment,
            "health": { "childless": false, "years": years } })
}

/// The annex's 2009/2010 case.
fn annex_k() -> Value {
    health_case(
        "2009-11",
        "2010-09",
        json!([
            health_year(2009, "840.00", "136.50"),
            health_year(2010, "851.67", "138.40")
        ]),
    )
}

fn pension_case(places: u32, years: Value) -> Value {
    json!({ "format": "kitanetz-tagespflege-refund-case/1", "kind": "pension",
            "entitlement_from": "2011-02", "payment_from": "2011-05",
            "pension": { "approved_places": places, "years": years } })
}

fn pension_year(income: &str, contributions: Value) -> Value {
    json!({ "year": 2011, "monthly_taxable_income": income, "contributions": contributions })
}

fn statutory(monthly: &str) -> Value {
    json!({ "kind": "statutory", "monthly": monthly })
}

fn private(monthly: &str, until_age_60: bool) -> Value {
    json!({ "kind": "private", "monthly": monthly, "until_age_60": until_age_60 })
}

fn fixtures() -> PathBuf {
    std::path::PathBuf::from(
        std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_else(|| env!("CARGO_MANIFEST_DIR").into()),
    )
    .join("../../tests/fixtures/tagespflege")
}

/// Every field of `want` (except `_comment`) is in `got` with the same value, decimal strings
/// compared by value (the format says so); extra fields in `got` are allowed.
fn assert_contains(got: &Value, want: &Value, at: &str) {
    match (got, want) {
        (Value::Object(g), Value::Object(w)) => {
            for (key, wv) in w.iter().filter(|(k, _)| *k != "_comment") {
                let gv = g
                    .get(key)
                    .unwrap_or_else(|| panic!("{at}.{key} missing in {got}"));
                assert_contains(gv, wv, &format!("{at}.{key}"));
            }
        }
        (Value::Array(g), Value::Array(w)) => {
            assert_eq!(g.len(), w.len(), "{at}: length of {got}");
            for (i, (gv, wv)) in g.iter().zip(w).enumerate() {
                assert_contains(gv, wv, &format!("{at}[{i}]"));
            }
        }
        (Value::String(g), Value::String(w)) => {
            match (Decimal::from_str(g), Decimal::from_str(w)) {
                (Ok(g), Ok(w)) => assert_eq!(g, w, "{at}"),
                _ => assert_eq!(g, w, "{at}"),
            }
        }
        _ => assert_eq!(got, want, "{at}"),
    }
}

#[test]
fn annex_k_health_decision_gives_exactly_its_figures() {
    let result = decided(&annex_k());
    // Seed 004 L29565–29571: 68,25 € for 2009, 69,20 € for 2010, 690,10 € for 01.11.2009 to
    // 31.08.2010, 69,20 € from September 2010.
    assert_eq!(result["format"], "kitanetz-tagespflege-refund-result/1");
    assert_eq!(result["decision"], "granted");
    assert_eq!(result["years"][0]["appropriate_contribution"], "136.50");
    assert_eq!(result["years"][0]["monthly_refund"], "68.25");
    assert_eq!(result["years"][1]["contribution_base"], "851.67");
    assert_eq!(result["years"][1]["appropriate_contribution"], "138.40");
    assert_eq!(result["years"][1]["monthly_refund"], "69.20");
    assert_eq!(
        result["back_payment"],
        json!({ "from": "2009-11", "to": "2010-08", "months": 10, "amount": "690.10" })
    );
    assert_eq!(
        result["running"],
        json!({ "from": "2010-09", "monthly": "69.20" })
    );
}

#[test]
fn every_fixture_gives_its_expected_output() {
    let mut cases: Vec<PathBuf> = std::fs::read_dir(fixtures())
        .expect("tests/fixtures/tagespflege")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.to_string_lossy().ends_with(".case.json"))
        .collect();
    cases.sort();
    assert!(cases.len() >= 6, "fixtures missing: {cases:?}");
    for case in cases {
        let name = case.to_string_lossy().replace(".case.json", "");
        let expected: Value = serde_json::from_str(
            &std::fs::read_to_string(format!("{name}.expected.json")).expect("expected file"),
        )
        .expect("expected JSON");
        let out = case_output(&std::fs::read_to_string(&case).unwrap());
        match expected.get("error_field") {
            Some(field) => {
                assert_eq!(
                    Some(u64::from(out.exit_code)),
                    expected["exit_code"].as_u64()
                );
                assert!(out.stdout.is_empty(), "{name}");
                let field = field.as_str().unwrap();
                assert!(
                    out.stderr.contains(&format!(" {field}: ")),
                    "{name}: stderr should name {field}: {}",
                    out.stderr
                );
            }
            None => {
                assert_eq!(out.exit_code, 0, "{name}: {}", out.stderr);
                let got: Value = serde_json::from_str(&out.stdout).unwrap();
                assert_contains(&got, &expected, &name);
            }
        }
    }
}

// --- Rule 1: health and care insurance ---

#[test]
fn the_contribution_is_rounded_before_it_is_halved() {
    // 851.67 × 16.5 % = 140.525… → 140.53 → 70.265 → 70.27 (halving first would give 70.26).
    let mut case = health_case(
        "2010-01",
        "2010-01",
        json!([health_year(2010, "851.67", "200.00")]),
    );
    case["health"]["childless"] = json!(true);
    let year = &decided(&case)["years"][0];
    assert_eq!(year["appropriate_contribution"], "140.53");
    assert_eq!(year["recognised_contribution"], "140.53");
    assert_eq!(year["monthly_refund"], "70.27");
}

#[test]
fn a_higher_income_from_childminding_is_the_base() {
    let mut year = health_year(2010, "851.67", "300.00");
    year["income"] = json!("1200.00");
    let result = decided(&health_case("2010-01", "2010-01", json!([year])));
    // 1200.00 × 16.25 % = 195.00, half 97.50.
    assert_eq!(result["years"][0]["contribution_base"], "1200.00");
    assert_eq!(result["years"][0]["appropriate_contribution"], "195.00");
    assert_eq!(result["years"][0]["monthly_refund"], "97.50");
}

#[test]
fn an_income_not_above_the_minimum_base_leaves_the_minimum_base() {
    for income in ["500.00", "851.67"] {
        let mut year = health_year(2010, "851.67", "300.00");
        year["income"] = json!(income);
        let result = decided(&health_case("2010-01", "2010-01", json!([year])));
        assert_eq!(
            result["years"][0]["contribution_base"], "851.67",
            "{income}"
        );
        assert_eq!(result["years"][0]["appropriate_contribution"], "138.40");
    }
}

#[test]
fn only_the_proven_contribution_is_recognised_when_it_is_lower() {
    let result = decided(&health_case(
        "2010-01",
        "2010-01",
        json!([health_year(2010, "851.67", "120.01")]),
    ));
    assert_eq!(result["years"][0]["appropriate_contribution"], "138.40");
    assert_eq!(result["years"][0]["recognised_contribution"], "120.01");
    // 60.005 → 60.01: half up at the cent.
    assert_eq!(result["years"][0]["monthly_refund"], "60.01");
}

#[test]
fn a_total_income_below_the_minor_income_limit_means_family_insurance() {
    let mut below = health_year(2010, "851.67", "138.40");
    below["total_income"] = json!("399.99");
    below["minor_income_threshold"] = json!("400.00");
    let result = decided(&health_case("2010-01", "2010-03", json!([below])));
    let year = &result["years"][0];
    assert_eq!(year["status"], "family_insured");
    assert_eq!(year["recognised_contribution"], "0.00");
    assert_eq!(year["monthly_refund"], "0.00");
    assert_eq!(result["back_payment"]["months"], 2);
    assert_eq!(result["back_payment"]["amount"], "0.00");
    assert_eq!(result["running"]["monthly"], "0.00");

    // At the limit, or with only one of the two amounts, the contribution counts.
    let mut at = health_year(2010, "851.67", "138.40");
    at["total_income"] = json!("400.00");
    at["minor_income_threshold"] = json!("400.00");
    let mut only_total = health_year(2010, "851.67", "138.40");
    only_total["total_income"] = json!("100.00");
    for year in [at, only_total] {
        let result = decided(&health_case("2010-01", "2010-01", json!([year])));
        assert_eq!(result["years"][0]["status"], "granted");
        assert_eq!(result["years"][0]["monthly_refund"], "69.20");
    }
}

// --- Rule 2: pension ---

#[test]
fn the_pension_refund_is_half_the_recognised_contributions_up_to_the_cap() {
    // 2 places × 40.00 = 80.00 cap; no obligation with fewer than 3 places.
    let result = decided(&pension_case(
        2,
        json!([pension_year("1500.00", json!([private("100.01", true)]))]),
    ));
    let year = &result["years"][0];
    assert_eq!(year["statutory_obligation"], false);
    assert_eq!(year["recognised_contribution"], "100.01");
    assert_eq!(year["cap"], "80.00");
    // 50.005 → 50.01, below the cap.
    assert_eq!(year["monthly_refund"], "50.01");
    // Five places: 200.00 (L29444–29447).
    let result = decided(&pension_case(
        5,
        json!([pension_year("1500.00", json!([statutory("450.00")]))]),
    ));
    assert_eq!(result["years"][0]["cap"], "200.00");
    assert_eq!(result["years"][0]["monthly_refund"], "200.00");
}

#[test]
fn private_provision_counts_only_until_age_60() {
    let result = decided(&pension_case(
        4,
        json!([pension_year(
            "1000.00",
            json!([
                statutory("199.00"),
                private("30.00", false),
                { "kind": "private", "monthly": "25.00" },
                private("11.00", true)
            ])
        )]),
    ));
    assert_eq!(result["years"][0]["recognised_contribution"], "210.00");
    assert_eq!(result["years"][0]["monthly_refund"], "105.00");
}

#[test]
fn statutory_obligation_needs_income_above_the_threshold_and_enough_places() {
    let obligation = |places: u32, income: &str| {
        decided(&pension_case(
            places,
            json!([pension_year(income, json!([statutory("50.00")]))]),
        ))["years"][0]["statutory_obligation"]
            .clone()
    };
    assert_eq!(obligation(3, "400.01"), true);
    assert_eq!(obligation(3, "400.00"), false, "übersteigt: above, not at");
    assert_eq!(obligation(2, "5000.00"), false, "fewer than 3 places");
}

#[test]
fn a_missing_statutory_contribution_under_obligation_rejects_the_whole_application() {
    let rejected = json!({ "format": "kitanetz-tagespflege-refund-result/1", "kind": "pension",
        "decision": "rejected", "reason": "statutory_pension_contributions_missing",
        "years": [], "back_payment": null, "running": null });
    // No statutory line at all, or one of 0.00.
    for contributions in [json!([private("80.00", true)]), json!([statutory("0.00")])] {
        let result = decided(&pension_case(
            3,
            json!([pension_year("900.00", contributions)]),
        ));
        assert_eq!(result, rejected);
    }
    // In any year, not only the running one.
    let mut case = pension_case(3, json!([]));
    case["entitlement_from"] = json!("2010-06");
    case["pension"]["years"] = json!([
        { "year": 2010, "monthly_taxable_income": "900.00", "contributions": [] },
        pension_year("900.00", json!([statutory("180.00")]))
    ]);
    assert_eq!(decided(&case), rejected);
    // Without the obligation, private provision alone is refunded.
    let result = decided(&pension_case(
        3,
        json!([pension_year("400.00", json!([private("80.00", true)]))]),
    ));
    assert_eq!(result["decision"], "granted");
    assert_eq!(result["years"][0]["monthly_refund"], "40.00");
}

#[test]
fn the_case_may_set_the_pension_parameters() {
    let mut case = pension_case(
        2,
        json!([pension_year("300.00", json!([statutory("150.00")]))]),
    );
    case["pension"]["cap_per_place"] = json!("30.00");
    case["pension"]["obligation_income_threshold"] = json!(250);
    case["pension"]["obligation_min_places"] = json!(2);
    let year = &decided(&case)["years"][0];
    assert_eq!(year["cap"], "60.00");
    assert_eq!(year["monthly_refund"], "60.00");
    assert_eq!(year["statutory_obligation"], true);
}

// --- Rule 3: back-payment and running amount ---

#[test]
fn the_back_payment_takes_each_month_at_its_years_refund() {
    let result = decided(&annex_k());
    // 2 × 68.25 (Nov, Dec 2009) + 8 × 69.20 (Jan–Aug 2010).
    assert_eq!(result["back_payment"]["amount"], "690.10");
    assert_eq!(result["back_payment"]["months"], 10);
}

#[test]
fn payment_from_before_the_entitlement_means_no_back_payment() {
    let result = decided(&health_case(
        "2010-05",
        "2010-02",
        json!([health_year(2010, "851.67", "138.40")]),
    ));
    assert_eq!(
        result["back_payment"],
        json!({ "from": null, "to": null, "months": 0, "amount": "0.00" })
    );
    assert_eq!(
        result["running"],
        json!({ "from": "2010-05", "monthly": "69.20" })
    );
}

#[test]
fn years_are_listed_ascending_and_further_years_are_kept() {
    let result = decided(&health_case(
        "2010-01",
        "2010-01",
        json!([
            health_year(2011, "875.00", "150.00"),
            health_year(2010, "851.67", "138.40")
        ]),
    ));
    let years: Vec<i64> = result["years"]
        .as_array()
        .unwrap()
        .iter()
        .map(|y| y["year"].as_i64().unwrap())
        .collect();
    assert_eq!(years, [2010, 2011]);
    assert_eq!(result["running"]["monthly"], "69.20");
}

#[test]
fn amounts_may_be_json_numbers() {
    let case = health_case(
        "2010-01",
        "2010-01",
        json!([{ "year": 2010, "minimum_base": 851.67, "health_rate": 14.3, "care_rate": 1.95,
                 "proven_contribution": 138.4 }]),
    );
    assert_eq!(decided(&case)["years"][0]["monthly_refund"], "69.20");
}

// --- Rule 4: accident insurance ---

#[test]
fn accident_insurance_is_refunded_in_full_up_to_the_statutory_minimum() {
    let accident = |fields: Value| {
        decided(
            &json!({ "format": "kitanetz-tagespflege-refund-case/1", "kind": "accident",
                          "accident": fields }),
        )
    };
    let below = accident(json!({ "year": 2011, "assessed_contribution": "88.20",
                                 "statutory_minimum": "97.43" }));
    assert_eq!(
        below,
        json!({ "format": "kitanetz-tagespflege-refund-result/1", "kind": "accident",
                "decision": "granted", "year": 2011, "refund": "88.20" })
    );
    let above = accident(json!({ "year": 2011, "assessed_contribution": "120.00",
                                 "statutory_minimum": "97.43" }));
    assert_eq!(above["refund"], "97.43");
    let no_minimum = accident(json!({ "year": 2012, "assessed_contribution": "120.00" }));
    assert_eq!(no_minimum["refund"], "120.00");
}

// --- Refusals ---

#[test]
fn the_case_must_be_json_of_this_format_and_a_known_kind() {
    assert!(refused_text("nope").contains("not valid JSON"));
    assert!(refused_text("[1]").contains("must be an object"));
    let mut case = annex_k();
    case["format"] = json!("kitanetz-fee-case/1");
    assert_refused(&case, "format");
    case.as_object_mut().unwrap().remove("format");
    assert_refused(&case, "format");
    let mut case = annex_k();
    case["kind"] = json!("care");
    assert_refused(&case, "kind");
    case.as_object_mut().unwrap().remove("kind");
    assert_refused(&case, "kind");
    let mut case = annex_k();
    case.as_object_mut().unwrap().remove("health");
    assert_refused(&case, "health");
}

#[test]
fn months_are_required_as_yyyy_mm() {
    for (key, bad) in [
        ("entitlement_from", json!("11/2009")),
        ("entitlement_from", json!("2009-13")),
        ("payment_from", json!("2010-9")),
        ("payment_from", json!(201009)),
    ] {
        let mut case = annex_k();
        case[key] = bad;
        assert_refused(&case, key);
    }
    let mut case = annex_k();
    case.as_object_mut().unwrap().remove("payment_from");
    assert_refused(&case, "payment_from");
}

#[test]
fn every_year_to_the_running_month_needs_a_row_once() {
    let message = assert_refused(
        &health_case(
            "2009-11",
            "2010-09",
            json!([health_year(2010, "851.67", "138.40")]),
        ),
        "health.years",
    );
    assert!(message.contains("2009 is missing"), "{message}");
    // A late payment_from moves the running month into the next year.
    assert_refused(
        &health_case(
            "2010-11",
            "2011-02",
            json!([health_year(2010, "851.67", "138.40")]),
        ),
        "health.years",
    );
    assert_refused(
        &health_case(
            "2010-01",
            "2010-01",
            json!([
                health_year(2010, "851.67", "138.40"),
                health_year(2010, "851.67", "138.40")
            ]),
        ),
        "health.years[1].year",
    );
    let mut case = annex_k();
    case["health"].as_object_mut().unwrap().remove("years");
    assert_refused(&case, "health.years");
    let mut case = annex_k();
    case["health"]["years"][0]["year"] = json!("2009");
    assert_refused(&case, "health.years[0].year");
}

#[test]
fn amounts_finer_than_a_cent_are_rounded_half_up_not_refused() {
    let mut finer = annex_k();
    finer["health"]["years"][1]["minimum_base"] = json!("851.665");
    let mut cents = annex_k();
    cents["health"]["years"][1]["minimum_base"] = json!("851.67");
    assert_eq!(decided(&finer), decided(&cents), "851.665 is 851.67");
}

#[test]
fn health_amounts_and_rates_are_checked() {
    for (key, bad) in [
        ("minimum_base", json!("-840.00")),
        ("minimum_base", json!("840,00")),
        ("proven_contribution", Value::Null),
        ("health_rate", json!("101")),
        ("health_rate", json!("14,3")),
        ("care_rate", Value::Null),
        ("income", json!(true)),
    ] {
        let mut case = annex_k();
        case["health"]["years"][1][key] = bad;
        assert_refused(&case, &format!("health.years[1].{key}"));
    }
    // Childless: the childless care rate is the one required.
    let mut case = annex_k();
    case["health"]["childless"] = json!(true);
    case["health"]["years"][0]
        .as_object_mut()
        .unwrap()
        .remove("care_rate_childless");
    assert_refused(&case, "health.years[0].care_rate_childless");
    let mut case = annex_k();
    case["health"]["childless"] = json!("no");
    assert_refused(&case, "health.childless");
}

#[test]
fn pension_places_and_contributions_are_checked() {
    let year = || json!([pension_year("1500.00", json!([statutory("298.50")]))]);
    for places in [0, 6] {
        assert_refused(&pension_case(places, year()), "pension.approved_places");
    }
    let mut case = pension_case(4, year());
    case["pension"]
        .as_object_mut()
        .unwrap()
        .remove("approved_places");
    assert_refused(&case, "pension.approved_places");
    let mut case = pension_case(4, year());
    case["pension"]["years"][0]["contributions"][0]["kind"] = json!("riester");
    assert_refused(&case, "pension.years[0].contributions[0].kind");
    let mut case = pension_case(4, year());
    case["pension"]["years"][0]["contributions"][0]
        .as_object_mut()
        .unwrap()
        .remove("monthly");
    assert_refused(&case, "pension.years[0].contributions[0].monthly");
    let mut case = pension_case(4, year());
    case["pension"]["years"][0]["contributions"][0]["until_age_60"] = json!("yes");
    assert_refused(&case, "pension.years[0].contributions[0].until_age_60");
    let mut case = pension_case(4, year());
    case["pension"]["years"][0]
        .as_object_mut()
        .unwrap()
        .remove("monthly_taxable_income");
    assert_refused(&case, "pension.years[0].monthly_taxable_income");
    let mut case = pension_case(4, year());
    case["pension"]["cap_per_place"] = json!("forty");
    assert_refused(&case, "pension.cap_per_place");
}

#[test]
fn accident_amounts_are_checked() {
    let accident = |fields: Value| {
        json!({ "format": "kitanetz-tagespflege-refund-case/1", "kind": "accident",
                "accident": fields })
    };
    assert_refused(
        &accident(json!({ "year": 2011 })),
        "accident.assessed_contribution",
    );
    assert_refused(
        &accident(json!({ "assessed_contribution": "88.20" })),
        "accident.year",
    );
    assert_refused(
        &accident(json!({ "year": 2011, "assessed_contribution": "88.20",
                          "statutory_minimum": "-1" })),
        "accident.statutory_minimum",
    );
}
