//! `kitanetz-staff-need-case/1` end to end through [`case_output`], the CLI's whole behaviour:
//! annex F's worked example, the fixtures in `tests/fixtures/staff/`, every rule branch, the
//! rounding edges and every refusal.

use kitanetz_staffing::{case_output, CaseOutput, EXIT_INVALID, EXIT_OK};
use proptest::prelude::*;
use serde_json::{json, Value};
use std::path::{Path, PathBuf};

/// Runs a case that must compute; returns the result JSON.
fn computed(case: &Value) -> Value {
    let out = case_output(&case.to_string());
    assert_eq!(
        out.exit_code, EXIT_OK,
        "case should compute, stderr: {}",
        out.stderr
    );
    assert!(out.stderr.is_empty());
    assert!(out.stdout.ends_with('\n'));
    serde_json::from_str(&out.stdout).expect("stdout is JSON")
}

/// Runs a case that must be refused; returns the message.
fn refused_text(text: &str) -> String {
    let out = case_output(text);
    assert_eq!(out.exit_code, EXIT_INVALID, "should be refused: {text}");
    assert_eq!(out.exit_code, 2, "the format prescribes exit 2");
    assert!(out.stdout.is_empty(), "nothing on stdout when refused");
    assert!(out.stderr.ends_with('\n'));
    out.stderr
}

/// Refused, and the message names `field`.
fn assert_refused(case: &Value, field: &str) -> String {
    let message = refused_text(&case.to_string());
    assert!(
        message.contains(&format!(" {field}: ")),
        "message should name {field}: {message}"
    );
    message
}

fn case(children: Value) -> Value {
    json!({ "format": "kitanetz-staff-need-case/1", "children": children })
}

/// The one line of `care_type`.
fn line<'a>(result: &'a Value, care_type: &str) -> &'a Value {
    result["lines"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["care_type"] == care_type)
        .unwrap_or_else(|| panic!("no line {care_type} in {result}"))
}

/// `(rzae, educator_vbe)` of the only line of a one-row case.
fn single_row(row: Value) -> (Value, Value) {
    let result = computed(&case(json!([row])));
    let lines = result["lines"].as_array().unwrap();
    assert_eq!(lines.len(), 1, "{result}");
    (lines[0]["rzae"].clone(), lines[0]["educator_vbe"].clone())
}

fn fixtures() -> PathBuf {
    std::path::PathBuf::from(
        std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_else(|| env!("CARGO_MANIFEST_DIR").into()),
    )
    .join("../../tests/fixtures/staff")
}

fn read_json(path: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).expect("fixture")).expect("fixture JSON")
}

/// Every field of `want` (except `_comment`) is in `got` with the same value; extra fields in
/// `got` are allowed (the format allows them).
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
        _ => assert_eq!(got, want, "{at}"),
    }
}

#[test]
fn annex_f_worked_example_gives_exactly_the_annex_figures() {
    let case = std::fs::read_to_string(fixtures().join("annex-f.case.json")).unwrap();
    let out: CaseOutput = case_output(&case);
    assert_eq!(out.exit_code, 0, "{}", out.stderr);
    let got: Value = serde_json::from_str(&out.stdout).unwrap();
    // Seed 004 L8552–8593, figure by figure.
    assert_eq!(got["format"], "kitanetz-staff-need-result/1");
    for (care_type, children, rzae, need) in [
        ("krippe", 55, json!("50.222"), "8.370"),
        ("krippe_integration", 3, json!("2.778"), "0.926"),
        ("kindergarten", 119, json!("113.500"), "8.731"),
        ("kindergarten_integration", 6, json!("5.778"), "1.444"),
        ("hort", 48, json!("45.833"), "2.063"),
        ("hort_integration", 4, json!("3.500"), "0.350"),
        ("gtb_lb", 12, json!("12.000"), "0.653"),
        ("gtb_koe", 10, Value::Null, "1.778"),
        ("gtb_hg", 5, Value::Null, "0.500"),
        ("heilpaedagogisch", 12, Value::Null, "2.792"),
    ] {
        let l = line(&got, care_type);
        assert_eq!(l["children"], children, "{care_type} children");
        assert_eq!(l["rzae"], rzae, "{care_type} RZÄ");
        assert_eq!(l["educator_vbe"], need, "{care_type} need");
    }
    let sections = &got["sections"];
    assert_eq!(
        sections["regular"],
        json!({ "children": 247, "educator_vbe": "22.537", "leadership_vbe": "2.254" })
    );
    assert_eq!(
        sections["gtb_ksv"],
        json!({ "children": 15, "educator_vbe": "2.278", "leadership_vbe": "0.150" })
    );
    assert_eq!(
        sections["heilpaedagogisch"],
        json!({ "children": 12, "educator_vbe": "2.792", "leadership_vbe": "0.240" })
    );
    assert_eq!(got["children"], 274);
    assert_eq!(got["educator_vbe"], "27.608");
    assert_eq!(got["leadership_vbe"], "2.644");
    assert_eq!(got["additional_vbe"], "0.750");
    // 27.608 + 2.644 + 0.750 would be 31.002; the exact sum is 31.0013…
    assert_eq!(got["total_vbe"], "31.001");
}

#[test]
fn every_fixture_gives_its_expected_output() {
    let mut cases: Vec<PathBuf> = std::fs::read_dir(fixtures())
        .expect("tests/fixtures/staff")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.to_string_lossy().ends_with(".case.json"))
        .collect();
    cases.sort();
    assert!(cases.len() >= 4, "fixtures missing: {cases:?}");
    for case in cases {
        let name = case.to_string_lossy().replace(".case.json", "");
        let expected = read_json(Path::new(&format!("{name}.expected.json")));
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

#[test]
fn krippe_and_kindergarten_count_hours_over_nine_with_1_6_and_1_13() {
    // § 12 Abs. 2 Nr. 1–2 on a nine-hour base: 9 h is one RZÄ.
    assert_eq!(
        single_row(json!({ "care_type": "krippe", "hours": "9", "count": 6 })),
        (json!("6.000"), json!("1.000"))
    );
    assert_eq!(
        single_row(json!({ "care_type": "kindergarten", "hours": "9", "count": 13 })),
        (json!("13.000"), json!("1.000"))
    );
    // 4.5 h → 1:2 (annex F L8263).
    assert_eq!(
        single_row(json!({ "care_type": "kindergarten", "hours": "4.5", "count": 26 })),
        (json!("13.000"), json!("1.000"))
    );
    // Hours above nine count (10 h → 10:9, 11 h → 11:9), unlike the Landeszuschuss.
    assert_eq!(
        single_row(json!({ "care_type": "krippe", "hours": "11", "count": 9 })),
        (json!("11.000"), json!("1.833"))
    );
}

#[test]
fn integration_keys_are_1_3_1_4_and_1_10() {
    assert_eq!(
        single_row(json!({ "care_type": "krippe_integration", "hours": "9", "count": 3 })),
        (json!("3.000"), json!("1.000"))
    );
    assert_eq!(
        single_row(json!({ "care_type": "kindergarten_integration", "hours": "9", "count": 4 })),
        (json!("4.000"), json!("1.000"))
    );
    assert_eq!(
        single_row(json!({ "care_type": "hort_integration", "hours": "6", "count": 10 })),
        (json!("10.000"), json!("1.000"))
    );
}

#[test]
fn hort_counts_hours_over_six_with_0_9_to_20() {
    assert_eq!(
        single_row(json!({ "care_type": "hort", "hours": "6", "count": 20 })),
        (json!("20.000"), json!("0.900"))
    );
    // 11 h → 11:6 (annex F L8429).
    assert_eq!(
        single_row(json!({ "care_type": "hort", "hours": "11", "count": 6 })),
        (json!("11.000"), json!("0.495"))
    );
}

#[test]
fn gtb_lb_counts_five_hours_as_one_with_0_8_and_longer_days_over_six_with_0_9() {
    assert_eq!(
        single_row(json!({ "care_type": "gtb_lb", "hours": "5", "count": 15 })),
        (json!("15.000"), json!("0.800"))
    );
    assert_eq!(
        single_row(json!({ "care_type": "gtb_lb", "hours": "6", "count": 15 })),
        (json!("15.000"), json!("0.900"))
    );
    assert_eq!(
        single_row(json!({ "care_type": "gtb_lb", "hours": "11", "count": 6 })),
        (json!("11.000"), json!("0.660"))
    );
    // Between 6 and 11 any hours count by the same rule.
    assert_eq!(
        single_row(json!({ "care_type": "gtb_lb", "hours": "7.5", "count": 4 })),
        (json!("5.000"), json!("0.300"))
    );
    for hours in ["4", "5.5", "11.5", "12"] {
        let message = assert_refused(
            &case(json!([{ "care_type": "gtb_lb", "hours": hours }])),
            "children[0].hours",
        );
        assert!(message.contains("5 hours or 6 to 11 hours"), "{message}");
    }
}

#[test]
fn gtb_ksv_and_heilpaedagogisch_count_children_and_ignore_hours() {
    assert_eq!(
        single_row(json!({ "care_type": "gtb_koe", "count": 9 })),
        (Value::Null, json!("1.600"))
    );
    assert_eq!(
        single_row(json!({ "care_type": "gtb_koe", "hours": "11", "count": 9 })),
        (Value::Null, json!("1.600")),
        "hours ignored"
    );
    assert_eq!(
        single_row(json!({ "care_type": "gtb_hg", "hours": "4", "count": 10 })),
        (Value::Null, json!("1.000"))
    );
    assert_eq!(
        single_row(json!({ "care_type": "heilpaedagogisch", "key": "1:3.76", "count": 2 })),
        (Value::Null, json!("0.532"))
    );
}

#[test]
fn a_key_in_the_case_overrides_the_default_of_its_row_only() {
    let result = computed(&case(json!([
        { "care_type": "krippe", "hours": "9", "count": 5, "key": "1:5" },
        { "care_type": "krippe", "hours": "9", "count": 6 },
        { "care_type": "gtb_lb", "hours": "5", "count": 10, "key": "1:10" },
        { "care_type": "gtb_hg", "count": 4, "key": "1:4" }
    ])));
    assert_eq!(line(&result, "krippe")["educator_vbe"], "2.000");
    assert_eq!(line(&result, "krippe")["children"], 11);
    assert_eq!(line(&result, "gtb_lb")["educator_vbe"], "1.000");
    assert_eq!(line(&result, "gtb_hg")["educator_vbe"], "1.000");
}

#[test]
fn leadership_is_a_tenth_of_the_regular_need_without_steps() {
    // 3 RZÄ Krippe = 0.5 educators → 0.05 leadership, not 0 ("für je zehn" read proportionally).
    let result = computed(&case(json!([
        { "care_type": "krippe", "hours": "9", "count": 3 }
    ])));
    assert_eq!(result["sections"]["regular"]["educator_vbe"], "0.500");
    assert_eq!(result["sections"]["regular"]["leadership_vbe"], "0.050");
    assert_eq!(result["total_vbe"], "0.550");
}

#[test]
fn leadership_is_per_child_in_gtb_ksv_and_heilpaedagogisch() {
    let result = computed(&case(json!([
        { "care_type": "gtb_koe", "count": 3 },
        { "care_type": "gtb_hg", "count": 2 },
        { "care_type": "heilpaedagogisch", "key": "1:5", "count": 5 }
    ])));
    // 1 : 100 and 1 : 50 per child (annex F L8552, L8577), not a share of the need.
    assert_eq!(result["sections"]["gtb_ksv"]["children"], 5);
    assert_eq!(result["sections"]["gtb_ksv"]["leadership_vbe"], "0.050");
    assert_eq!(
        result["sections"]["heilpaedagogisch"]["educator_vbe"],
        "1.000"
    );
    assert_eq!(
        result["sections"]["heilpaedagogisch"]["leadership_vbe"],
        "0.100"
    );
    assert_eq!(result["sections"]["regular"]["children"], 0);
}

#[test]
fn lines_follow_the_table_order_and_sum_the_rows_of_a_type() {
    let result = computed(&case(json!([
        { "care_type": "heilpaedagogisch", "key": "1:4.5", "count": 1 },
        { "care_type": "hort", "hours": "6" },
        { "care_type": "krippe", "hours": "9", "count": 0 },
        { "care_type": "hort", "hours": "6", "count": 2 },
        { "care_type": "kindergarten", "hours": "9", "count": 2 }
    ])));
    let order: Vec<&str> = result["lines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["care_type"].as_str().unwrap())
        .collect();
    // Krippe has no children (count 0): no line.
    assert_eq!(order, ["kindergarten", "hort", "heilpaedagogisch"]);
    assert_eq!(line(&result, "hort")["children"], 3, "count defaults to 1");
    assert_eq!(line(&result, "hort")["rzae"], "3.000");
    assert_eq!(result["children"], 6);
}

#[test]
fn an_empty_case_reports_every_section_with_zeros() {
    let result = computed(&case(json!([])));
    assert_eq!(result["lines"], json!([]));
    for section in ["regular", "gtb_ksv", "heilpaedagogisch"] {
        assert_eq!(
            result["sections"][section],
            json!({ "children": 0, "educator_vbe": "0.000", "leadership_vbe": "0.000" })
        );
    }
    assert_eq!(result["total_vbe"], "0.000");
    assert_eq!(result["additional_vbe"], "0.000");
}

#[test]
fn additions_are_summed_with_or_without_a_care_type() {
    let mut c = case(json!([]));
    c["additional"] = json!([
        { "care_type": "krippe", "vbe": "0.5" },
        { "vbe": 0.25 },
        { "care_type": "hort", "vbe": "0.0005" }
    ]);
    let result = computed(&c);
    // 0.7505 → 0.751: half up at the third decimal.
    assert_eq!(result["additional_vbe"], "0.751");
    assert_eq!(result["total_vbe"], "0.751");
}

#[test]
fn reported_values_round_half_up_from_the_exact_value() {
    // 5/6 RZÄ × 0.9 ÷ 20 = 0.0375 exactly → 0.038 (a decimal computation gives 0.03749…).
    assert_eq!(
        single_row(json!({ "care_type": "hort", "hours": "5" })),
        (json!("0.833"), json!("0.038"))
    );
    // Three Krippe children of 1 h: each 1/54 = 0.0185…; the sum 3/54 = 0.0556 is rounded once.
    let result = computed(&case(json!([
        { "care_type": "krippe", "hours": "1" },
        { "care_type": "krippe", "hours": "1" },
        { "care_type": "krippe", "hours": "1" }
    ])));
    assert_eq!(line(&result, "krippe")["educator_vbe"], "0.056");
    // 3/54 + 3/540 = 0.0611… total, where the rounded parts give 0.056 + 0.006 = 0.062.
    assert_eq!(result["sections"]["regular"]["leadership_vbe"], "0.006");
    assert_eq!(result["total_vbe"], "0.061");
}

#[test]
fn json_numbers_are_accepted_for_hours() {
    assert_eq!(
        single_row(json!({ "care_type": "krippe", "hours": 4.5, "count": 2 })),
        (json!("1.000"), json!("0.167"))
    );
}

#[test]
fn extra_fields_are_allowed() {
    let mut c = case(json!([{ "care_type": "krippe", "hours": "9", "group": "Bären" }]));
    c["facility"] = json!("Kita Sonnenschein");
    c["month"] = json!("2011-12");
    assert_eq!(computed(&c)["children"], 1);
}

#[test]
fn the_case_must_be_a_json_object_of_this_format() {
    assert!(refused_text("{ not json").contains("not valid JSON"));
    assert!(refused_text("[]").contains("must be an object"));
    assert_refused(&json!({ "children": [] }), "format");
    let message = assert_refused(
        &json!({ "format": "kitanetz-fee-case/1", "children": [] }),
        "format",
    );
    assert!(message.contains("kitanetz-staff-need-case/1"), "{message}");
    assert_refused(&json!({ "format": 1, "children": [] }), "format");
    assert_refused(
        &json!({ "format": "kitanetz-staff-need-case/1" }),
        "children",
    );
    assert_refused(
        &json!({ "format": "kitanetz-staff-need-case/1", "children": {} }),
        "children",
    );
    assert_refused(&case(json!(["krippe"])), "children[0]");
}

#[test]
fn care_types_are_required_and_known() {
    assert_refused(&case(json!([{ "hours": "9" }])), "children[0].care_type");
    let message = assert_refused(
        &case(json!([{ "care_type": "Krippe", "hours": "9" }])),
        "children[0].care_type",
    );
    assert!(message.contains("krippe, krippe_integration"), "{message}");
    assert_refused(
        &case(json!([{ "care_type": 1, "hours": "9" }])),
        "children[0].care_type",
    );
}

#[test]
fn hours_are_required_positive_decimals_for_types_converted_by_hours() {
    assert_refused(
        &case(json!([{ "care_type": "krippe" }])),
        "children[0].hours",
    );
    assert_refused(
        &case(json!([{ "care_type": "gtb_lb", "count": 2 }])),
        "children[0].hours",
    );
    for bad in [
        json!("0"),
        json!("-1"),
        json!("4,5"),
        json!("25"),
        json!(true),
        json!(""),
    ] {
        assert_refused(
            &case(json!([
                { "care_type": "krippe", "hours": "9" },
                { "care_type": "hort", "hours": bad }
            ])),
            "children[1].hours",
        );
    }
}

#[test]
fn counts_are_whole_numbers_not_below_zero() {
    for bad in [json!(-1), json!(1.5), json!("2")] {
        assert_refused(
            &case(json!([{ "care_type": "krippe", "hours": "9", "count": bad }])),
            "children[0].count",
        );
    }
}

#[test]
fn keys_are_staff_colon_children_and_required_for_heilpaedagogisch() {
    for bad in [
        json!("1:0"),
        json!("abc"),
        json!("1/6"),
        json!(6),
        json!("0:6"),
    ] {
        assert_refused(
            &case(json!([{ "care_type": "krippe", "hours": "9", "key": bad }])),
            "children[0].key",
        );
    }
    let message = assert_refused(
        &case(json!([{ "care_type": "heilpaedagogisch", "count": 5 }])),
        "children[0].key",
    );
    assert!(message.contains("heilpaedagogisch"), "{message}");
}

#[test]
fn additions_need_a_non_negative_vbe_and_a_known_care_type() {
    let with = |additional: Value| {
        let mut c = case(json!([]));
        c["additional"] = additional;
        c
    };
    assert_refused(
        &with(json!([{ "care_type": "krippe" }])),
        "additional[0].vbe",
    );
    assert_refused(&with(json!([{ "vbe": "-0.5" }])), "additional[0].vbe");
    assert_refused(&with(json!([{ "vbe": "0,5" }])), "additional[0].vbe");
    assert_refused(
        &with(json!([{ "vbe": "0.5" }, { "care_type": "kita", "vbe": "0.5" }])),
        "additional[1].care_type",
    );
    assert_refused(&with(json!({ "vbe": "0.5" })), "additional");
}

#[test]
fn inputs_too_fine_for_exact_arithmetic_are_refused_not_wrapped() {
    let keys: Vec<Value> = [
        "1:4.000000000000000000000000001",
        "1:3.999999999999999999999999999",
        "1:4.000000000000000000000000003",
        "1:3.999999999999999999999999997",
    ]
    .iter()
    .map(|key| json!({ "care_type": "heilpaedagogisch", "key": key, "count": 1 }))
    .collect();
    let message = refused_text(&case(Value::Array(keys)).to_string());
    assert!(message.contains("too many decimals"), "{message}");
}

proptest! {
    /// Krippe rows in tenths of an hour, against an independent integer oracle: need =
    /// Σ count × tenths ÷ (10 × 9 × 6), rounded half up once.
    #[test]
    fn krippe_need_matches_an_integer_oracle(
        rows in proptest::collection::vec((1u32..=120, 0u32..50), 1..8)
    ) {
        let children: Vec<Value> = rows
            .iter()
            .map(|(tenths, count)| json!({
                "care_type": "krippe",
                "hours": format!("{}.{}", tenths / 10, tenths % 10),
                "count": count,
            }))
            .collect();
        let result = computed(&case(Value::Array(children)));
        let numerator: i128 = rows.iter().map(|(t, c)| i128::from(*t) * i128::from(*c)).sum();
        let denominator = 540i128;
        // round half up to thousandths: floor((2000·n + d) / 2d)
        let thousandths = (2000 * numerator + denominator) / (2 * denominator);
        let expected = format!("{}.{:03}", thousandths / 1000, thousandths % 1000);
        prop_assert_eq!(result["sections"]["regular"]["educator_vbe"].as_str().unwrap(), expected.as_str());
        let total = (2000 * numerator * 11 + denominator * 10) / (2 * denominator * 10);
        let expected_total = format!("{}.{:03}", total / 1000, total % 1000);
        prop_assert_eq!(result["total_vbe"].as_str().unwrap(), expected_total.as_str());
    }
}
