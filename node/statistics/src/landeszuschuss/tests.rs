//! The count against the format's worked example and each rule's branches. `L…` are lines of
//! seed 004.

use super::*;
use proptest::prelude::*;
use serde_json::{json, Value};

fn case(contracts: Value) -> Value {
    json!({ "format": CASE_FORMAT, "reference_date": "2011-04-01", "contracts": contracts })
}

fn contract(id: &str, care_type: &str, birth: &str, hours: &str) -> Value {
    json!({ "id": id, "facility": "K01", "care_type": care_type, "birth_date": birth,
            "daily_hours": hours, "start": "2010-08-01", "end": null,
            "eingliederungshilfe": false })
}

fn run(case: &Value) -> Value {
    let out = case_output(&case.to_string());
    assert_eq!(out.exit_code, 0, "stderr: {}", out.stderr);
    assert!(out.stderr.is_empty());
    serde_json::from_str(&out.stdout).expect("stdout is JSON")
}

/// Runs an invalid case: exit 2, nothing on stdout, the message names `field`.
fn refused(case: &Value, field: &str) -> String {
    let out = case_output(&case.to_string());
    assert_eq!(out.exit_code, 2, "{case}");
    assert!(out.stdout.is_empty());
    assert!(
        out.stderr.contains(field),
        "{:?} does not name {field}",
        out.stderr
    );
    out.stderr
}

/// The worked example of landeszuschuss-case.md: K1, K2 Krippe 9 h (K1 with
/// Eingliederungshilfe), K3 Krippe 4.5 h, T1 Tagespflege 10 h, c9 in force but shorter than two
/// months. 22.5 h ÷ 9 = 2.50; 1 Eingliederungshilfe; 9 h ÷ 9 = 1.00 (10 h capped, L4948);
/// 4.50 × 1875 = 8437.50.
#[test]
fn the_formats_worked_example() {
    let mut k1 = contract("K1", "krippe", "2009-06-15", "9");
    k1["eingliederungshilfe"] = json!(true);
    let mut t1 = contract("T1", "tagespflege", "2010-01-20", "10");
    t1["facility"] = json!("TPP Müller");
    let mut c9 = contract("c9", "kindergarten", "2007-05-05", "6");
    c9["start"] = json!("2011-03-15");
    c9["end"] = json!("2011-04-30");
    let got = run(&case(json!([
        k1,
        contract("K2", "krippe", "2009-09-01", "9"),
        contract("K3", "krippe", "2010-02-01", "4.5"),
        t1,
        c9
    ])));
    let want = json!({ "format": "kitanetz-landeszuschuss-result/1", "reference_date": "2011-04-01",
      "groups": {
        "krippe": { "tiers": [ { "hours": "9.00", "children": 2, "care_hours": "18.00" },
                               { "hours": "4.50", "children": 1, "care_hours": "4.50" } ],
                    "children": 3, "care_hours": "22.50", "eingliederungshilfe": 1 },
        "kindergarten": { "tiers": [], "children": 0, "care_hours": "0.00", "eingliederungshilfe": 0 },
        "hort": { "tiers": [], "children": 0, "care_hours": "0.00", "eingliederungshilfe": 0 },
        "tagespflege": { "tiers": [ { "hours": "9.00", "children": 1, "care_hours": "9.00" } ],
                         "children": 1, "care_hours": "9.00" } },
      "facility_care_hours": "22.50", "facility_children_9h": "2.50", "eingliederungshilfe_children": 1,
      "tagespflege_care_hours": "9.00", "tagespflege_children_9h": "1.00",
      "total_children": "4.50", "rate_per_child": "1875.00", "subsidy": "8437.50",
      "excluded": [ { "id": "c9", "reason": "term_under_two_months" } ] });
    assert_eq!(got, want);
}

#[test]
fn an_empty_count_still_lists_all_four_groups() {
    let got = run(&case(json!([])));
    for group in ["krippe", "kindergarten", "hort", "tagespflege"] {
        assert_eq!(got["groups"][group]["tiers"], json!([]), "{group}");
        assert_eq!(got["groups"][group]["children"], json!(0));
        assert_eq!(got["groups"][group]["care_hours"], json!("0.00"));
    }
    assert!(got["groups"]["tagespflege"]
        .get("eingliederungshilfe")
        .is_none());
    assert_eq!(got["subsidy"], json!("0.00"));
}

/// Rule 1, in force: `start ≤ date ≤ end`, both ends inclusive.
#[test]
fn in_force_on_the_stichtag_with_inclusive_ends() {
    let with_term = |id: &str, start: &str, end: Option<&str>| {
        let mut c = contract(id, "hort", "2003-01-01", "6");
        c["start"] = json!(start);
        c["end"] = json!(end);
        c
    };
    let got = run(&case(json!([
        with_term("starts-on-the-day", "2011-04-01", None),
        with_term("ends-on-the-day", "2011-01-01", Some("2011-04-01")),
        with_term("starts-the-day-after", "2011-04-02", None),
        with_term("ended-the-day-before", "2010-01-01", Some("2011-03-31")),
        // Short and not in force: not in force is checked first.
        with_term("short-and-past", "2011-03-01", Some("2011-03-20")),
    ])));
    assert_eq!(got["groups"]["hort"]["children"], json!(2));
    assert_eq!(
        got["excluded"],
        json!([
            { "id": "ended-the-day-before", "reason": "not_in_force" },
            { "id": "short-and-past", "reason": "not_in_force" },
            { "id": "starts-the-day-after", "reason": "not_in_force" },
        ])
    );
}

/// Rule 1, term: at least two months, `end ≥ start + 2 months − 1 day` (L4981–4982), the
/// month clamped to its last day.
#[test]
fn a_term_of_two_months_ends_the_day_before_the_same_date() {
    let with_term = |id: &str, start: &str, end: &str| {
        let mut c = contract(id, "hort", "2003-01-01", "6");
        c["start"] = json!(start);
        c["end"] = json!(end);
        c
    };
    let got = run(&case(json!([
        with_term("exactly-two-months", "2011-02-15", "2011-04-14"),
        with_term("a-day-short", "2011-02-15", "2011-04-13"),
        // In force on 1 Apr: 31 Jan + 2 months − 1 day = 30 Mar ≤ 1 Apr.
        with_term("from-31-jan", "2011-01-31", "2011-04-01"),
        with_term("long", "2010-01-01", "2011-12-31"),
    ])));
    assert_eq!(got["groups"]["hort"]["children"], json!(3));
    assert_eq!(
        got["excluded"],
        json!([{ "id": "a-day-short", "reason": "term_under_two_months" }])
    );
    // Month-end clamping: 31 Dec + 2 months = 28 Feb 2011, so the term must reach 27 Feb …
    // which is before the Stichtag; the clamped case is checked through `Period` directly.
    let period = |s: &str, e: &str| {
        crate::period::Period::new(s.parse().unwrap(), Some(e.parse().unwrap())).unwrap()
    };
    assert!(period("2010-12-31", "2011-02-27").lasts_at_least_months(2));
    assert!(!period("2010-12-31", "2011-02-26").lasts_at_least_months(2));
}

/// Rule 2: by completed months on the Stichtag, the contract deciding from 33 to 35.
#[test]
fn krippe_and_kindergarten_go_by_age_and_the_contract_decides_the_overlap() {
    let got = run(&case(json!([
        // 32 completed months (2008-07-02 + 33 months = 2011-04-02 > Stichtag): a).
        contract("kiga-32", "kindergarten", "2008-07-02", "9"),
        // 33 completed months: the contract decides.
        contract("kiga-33", "kindergarten", "2008-07-01", "8"),
        contract("krippe-35", "krippe", "2008-04-02", "7"),
        // 36 completed months, 3rd birthday on the Stichtag: b).
        contract("krippe-36", "krippe", "2008-04-01", "6"),
    ])));
    let tier_hours = |group: &str| -> Vec<Value> {
        got["groups"][group]["tiers"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["hours"].clone())
            .collect()
    };
    assert_eq!(tier_hours("krippe"), vec![json!("9.00"), json!("7.00")]);
    assert_eq!(
        tier_hours("kindergarten"),
        vec![json!("8.00"), json!("6.00")]
    );
}

#[test]
fn form_row_of_hort_and_tagespflege_ignores_the_age() {
    let input = parse_case(
        &case(json!([
            contract("h", "hort", "2010-01-01", "5"),
            contract("t", "tagespflege", "2003-01-01", "5"),
        ]))
        .to_string(),
    )
    .unwrap();
    let date = input.reference_date;
    assert_eq!(form_row(&input.contracts[0], date), FormRow::Hort);
    assert_eq!(form_row(&input.contracts[1], date), FormRow::Tagespflege);
}

/// Rule 3: hours above 9 are ignored (L4948–4949); 10 h and 11 h join the 9 h tier.
#[test]
fn hours_above_nine_are_ignored() {
    let got = run(&case(json!([
        contract("a", "kindergarten", "2006-01-01", "11"),
        contract("b", "kindergarten", "2006-01-01", "10"),
        contract("c", "kindergarten", "2006-01-01", "9.0"),
        contract("d", "kindergarten", "2006-01-01", "8.99"),
    ])));
    assert_eq!(
        got["groups"]["kindergarten"]["tiers"],
        json!([
            { "hours": "9.00", "children": 3, "care_hours": "27.00" },
            { "hours": "8.99", "children": 1, "care_hours": "8.99" },
        ])
    );
    assert_eq!(got["facility_care_hours"], json!("35.99"));
    // 35.99 ÷ 9 = 3.998… → 4.00.
    assert_eq!(got["facility_children_9h"], json!("4.00"));
}

/// Rule 4: each of 4.1 d and 4.3 is rounded on its own, then added; half up.
#[test]
fn each_line_is_rounded_before_the_total() {
    let got = run(&case(json!([
        contract("k", "hort", "2003-01-01", "5"),
        contract("t", "tagespflege", "2010-01-01", "5"),
    ])));
    // 5 ÷ 9 = 0.5555… → 0.56 (half up, not truncated); total 0.56 + 0.56 = 1.12, where the
    // unrounded 10 ÷ 9 would give 1.11.
    assert_eq!(got["facility_children_9h"], json!("0.56"));
    assert_eq!(got["tagespflege_children_9h"], json!("0.56"));
    assert_eq!(got["total_children"], json!("1.12"));
    assert_eq!(got["subsidy"], json!("2100.00"));
}

/// 4.2 counts facility contracts with Eingliederungshilfe, by row; never Tagespflege (§ 18
/// Abs. 2 "in einer Einrichtung", L4952), never an excluded contract.
#[test]
fn eingliederungshilfe_counts_only_in_facilities() {
    let with_egh = |mut c: Value| {
        c["eingliederungshilfe"] = json!(true);
        c
    };
    let mut past = with_egh(contract("past", "kindergarten", "2006-01-01", "9"));
    past["end"] = json!("2011-03-31");
    let got = run(&case(json!([
        with_egh(contract("k", "krippe", "2010-01-01", "9")),
        with_egh(contract("h1", "hort", "2003-01-01", "6")),
        with_egh(contract("h2", "hort", "2003-01-01", "6")),
        with_egh(contract("t", "tagespflege", "2010-01-01", "9")),
        past,
    ])));
    assert_eq!(got["groups"]["krippe"]["eingliederungshilfe"], json!(1));
    assert_eq!(
        got["groups"]["kindergarten"]["eingliederungshilfe"],
        json!(0)
    );
    assert_eq!(got["groups"]["hort"]["eingliederungshilfe"], json!(2));
    assert_eq!(got["eingliederungshilfe_children"], json!(3));
    // 21 h ÷ 9 = 2.33; + 3; + 1.00 = 6.33 × 1875 = 11868.75.
    assert_eq!(got["total_children"], json!("6.33"));
    assert_eq!(got["subsidy"], json!("11868.75"));
}

#[test]
fn the_rate_is_a_setting_and_the_subsidy_is_rounded_half_up_to_the_cent() {
    let mut c = case(json!([contract("t", "tagespflege", "2010-01-01", "0.09")]));
    // 0.09 ÷ 9 = 0.01 children × 0.5 € = 0.005 € → 0.01 €.
    c["rate_per_child"] = json!("0.5");
    let got = run(&c);
    assert_eq!(got["total_children"], json!("0.01"));
    assert_eq!(got["rate_per_child"], json!("0.50"));
    assert_eq!(got["subsidy"], json!("0.01"));
    c["rate_per_child"] = json!(2000);
    assert_eq!(run(&c)["subsidy"], json!("20.00"));
}

#[test]
fn numbers_are_accepted_for_decimals_and_extra_fields_are_allowed() {
    let mut k = contract("k", "krippe", "2010-01-01", "x");
    k["daily_hours"] = json!(4.5);
    k["note"] = json!("extra");
    let mut c = case(json!([k]));
    c["comment"] = json!({ "any": "thing" });
    assert_eq!(run(&c)["groups"]["krippe"]["care_hours"], json!("4.50"));
}

#[test]
fn hort_and_tagespflege_need_no_birth_date() {
    let mut h = contract("h", "hort", "x", "6");
    h.as_object_mut().unwrap().remove("birth_date");
    let mut t = contract("t", "tagespflege", "x", "6");
    t["birth_date"] = Value::Null;
    assert_eq!(run(&case(json!([h, t])))["total_children"], json!("1.34"));
}

#[test]
fn invalid_cases_name_the_field() {
    refused(&json!("text"), "must be an object");
    let out = case_output("{ not json");
    assert_eq!(out.exit_code, 2);
    assert!(out.stderr.contains("not valid JSON"));

    let ok = case(json!([contract("a", "krippe", "2010-01-01", "9")]));
    let with = |path: &[&str], value: Value| {
        let mut c = ok.clone();
        let mut target = &mut c;
        for key in &path[..path.len() - 1] {
            target = match key.parse::<usize>() {
                Ok(i) => &mut target[i],
                Err(_) => &mut target[*key],
            };
        }
        target[path[path.len() - 1]] = value;
        c
    };
    refused(&with(&["format"], json!("kitanetz-fee-case/1")), "format");
    refused(&with(&["format"], Value::Null), "format");
    refused(
        &with(&["reference_date"], json!("01.04.2011")),
        "reference_date",
    );
    refused(&with(&["reference_date"], Value::Null), "reference_date");
    refused(&with(&["rate_per_child"], json!("-1")), "rate_per_child");
    refused(
        &with(&["rate_per_child"], json!("1.875,00")),
        "rate_per_child",
    );
    refused(&with(&["contracts"], Value::Null), "contracts");
    refused(&with(&["contracts"], json!({})), "contracts");
    let field = |key: &'static str, value: Value| (with(&["contracts", "0", key], value), key);
    for (c, key) in [
        field("id", Value::Null),
        field("id", json!(7)),
        field("care_type", json!("kita")),
        field("care_type", Value::Null),
        field("birth_date", Value::Null),
        field("daily_hours", json!("0")),
        field("daily_hours", json!("-2")),
        field("daily_hours", Value::Null),
        field("daily_hours", json!("4,5")),
        field("start", Value::Null),
        field("end", json!("2010-07-31")),
        field("eingliederungshilfe", json!("ja")),
    ] {
        let message = refused(&c, &format!("contracts[0].{key}"));
        assert!(message.starts_with("invalid case: "), "{message}");
    }
    let twice = case(json!([
        contract("a", "krippe", "2010-01-01", "9"),
        contract("a", "hort", "2003-01-01", "6"),
    ]));
    refused(&twice, "contracts[1].id");
    assert!(refused(&twice, "contracts[1].id").contains("used twice"));
}

fn arbitrary_contract() -> impl Strategy<Value = Value> {
    (
        0usize..4,
        0u32..80,
        1u32..1300,
        prop::option::of(0u32..600),
        0u32..1300,
        any::<bool>(),
    )
        .prop_map(|(care, age_days, hundredths, end_after, start_before, egh)| {
            let date = |days_before: i64| {
                (chrono::NaiveDate::from_ymd_opt(2011, 4, 1).unwrap()
                    - chrono::TimeDelta::days(days_before))
                .to_string()
            };
            let start = i64::from(start_before) - 100;
            let care_type = ["krippe", "kindergarten", "hort", "tagespflege"][care];
            json!({
                "id": "",
                "care_type": care_type,
                "birth_date": date(i64::from(age_days) * 20),
                "daily_hours": (rust_decimal::Decimal::new(i64::from(hundredths), 2)).to_string(),
                "start": date(start),
                "end": end_after.map(|after| date(start - i64::from(after))),
                "eingliederungshilfe": egh,
            })
        })
}

proptest! {
    /// Whatever the contracts: each is counted in exactly one row or excluded; the lines add
    /// up as the form adds them; the subsidy is the total times the rate.
    #[test]
    fn the_form_adds_up(contracts in prop::collection::vec(arbitrary_contract(), 0..25)) {
        let contracts: Vec<Value> = contracts
            .into_iter()
            .enumerate()
            .map(|(i, mut c)| { c["id"] = json!(format!("c{i:02}")); c })
            .collect();
        let n = contracts.len();
        let got = run(&case(Value::Array(contracts)));
        let dec = |v: &Value| v.as_str().unwrap().parse::<Decimal>().unwrap();
        let mut children = 0;
        let mut facility_hours = Decimal::ZERO;
        for group in ["krippe", "kindergarten", "hort", "tagespflege"] {
            let g = &got["groups"][group];
            let tiers = g["tiers"].as_array().unwrap();
            let tier_children: u64 = tiers.iter().map(|t| t["children"].as_u64().unwrap()).sum();
            prop_assert_eq!(tier_children, g["children"].as_u64().unwrap());
            let tier_hours: Decimal = tiers.iter().map(|t| dec(&t["care_hours"])).sum();
            prop_assert_eq!(tier_hours, dec(&g["care_hours"]));
            for pair in tiers.windows(2) {
                prop_assert!(dec(&pair[0]["hours"]) > dec(&pair[1]["hours"]));
            }
            for t in tiers {
                prop_assert!(dec(&t["hours"]) <= Decimal::from(9));
            }
            children += g["children"].as_u64().unwrap();
            if group != "tagespflege" {
                facility_hours += dec(&g["care_hours"]);
            }
        }
        prop_assert_eq!(children as usize + got["excluded"].as_array().unwrap().len(), n);
        prop_assert_eq!(facility_hours, dec(&got["facility_care_hours"]));
        let total = dec(&got["facility_children_9h"])
            + Decimal::from(got["eingliederungshilfe_children"].as_u64().unwrap())
            + dec(&got["tagespflege_children_9h"]);
        prop_assert_eq!(total, dec(&got["total_children"]));
        prop_assert_eq!(total * Decimal::from(1875), dec(&got["subsidy"]));
    }
}
