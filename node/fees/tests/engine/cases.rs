//! Worked examples of the sources and month-by-month cases with changes. Line numbers `L…` are
//! of seed 004 (`shared/seeds/004_081961f81841d5b5.txt`); the expected figures are worked out
//! by hand in the comments from the statute's rules and annex C's values.

use crate::support::{case, child, compute, fee, line, with_children};
use serde_json::{json, Value};

fn rank(result: &Value, month: &str, id: &str) -> Value {
    line(result, month, id)["countable_rank"].clone()
}

fn month_keys(result: &Value) -> Vec<String> {
    result["months"]
        .as_object()
        .unwrap()
        .keys()
        .cloned()
        .collect()
}

/// § 10 (5) (L5373-5377): 1st Zählkind 100 %, 2nd 60 %, from the 3rd none; in age order.
#[test]
fn third_zaehlkind_pays_nothing() {
    let c = with_children(
        case(),
        vec![
            child("youngest", "2011-01-10", "krippe", "9"),
            child("oldest", "2005-04-01", "hort", "6"),
            child("middle", "2008-02-01", "kindergarten", "9"),
        ],
    );
    let r = compute(&c);
    assert_eq!(fee(&r, "2012-03", "oldest"), json!("78.89"));
    assert_eq!(rank(&r, "2012-03", "oldest"), json!(1));
    // 132.13 × 60 % = 79.278 → 79.28 (annex C L6132/6182).
    assert_eq!(fee(&r, "2012-03", "middle"), json!("79.28"));
    assert_eq!(rank(&r, "2012-03", "middle"), json!(2));
    assert_eq!(fee(&r, "2012-03", "youngest"), json!("0.00"));
    assert_eq!(
        line(&r, "2012-03", "youngest")["statute_fee"],
        json!("0.00")
    );
    assert_eq!(rank(&r, "2012-03", "youngest"), json!(3));
    assert_eq!(r["months"]["2012-03"]["total"], json!("158.17"));
    assert_eq!(r["months"]["2012-03"]["waiver_outcome"], Value::Null);
    assert_eq!(r["waiver_form"], Value::Null);

    // The other direction of "Altersreihenfolge": the youngest is the 1st Zählkind.
    let mut c = c;
    c["rules"]["age_order"] = json!("youngest_first");
    let r = compute(&c);
    assert_eq!(fee(&r, "2012-03", "youngest"), json!("189.36"));
    assert_eq!(fee(&r, "2012-03", "middle"), json!("79.28"));
    assert_eq!(fee(&r, "2012-03", "oldest"), json!("0.00"));
}

/// Lastenheft 3.10.1.1 "Wechselmodell" (L2629-2634): the older child stays the 1st Zählkind,
/// the new younger one gets the sibling reduction.
#[test]
fn wechselmodell_counts_the_older_child_first() {
    let c = with_children(
        case(),
        vec![
            child("new", "2011-09-01", "krippe", "8"),
            child("shared", "2008-06-01", "kindergarten", "8"),
        ],
    );
    let r = compute(&c);
    assert_eq!(rank(&r, "2012-03", "shared"), json!(1));
    assert_eq!(fee(&r, "2012-03", "shared"), json!("117.45"));
    // Annex C L6109/6159: 2.Kind KK 8 h = 100,99.
    assert_eq!(fee(&r, "2012-03", "new"), json!("100.99"));
}

/// Equal birth dates (twins) rank in the case's order.
#[test]
fn twins_rank_in_list_order() {
    let c = with_children(
        case(),
        vec![
            child("second", "2010-06-01", "krippe", "9"),
            child("first", "2010-06-01", "krippe", "9"),
        ],
    );
    let r = compute(&c);
    assert_eq!(rank(&r, "2012-03", "second"), json!(1));
    assert_eq!(rank(&r, "2012-03", "first"), json!(2));
}

/// § 10 (5) last sentence, § 10 (7), § 13 (4): foster, home and remedial children pay nothing and
/// are no Zählkinder, so a younger regular sibling is the 1st Zählkind.
#[test]
fn exempt_children_neither_pay_nor_count() {
    for status in ["foster", "home", "curative"] {
        let mut exempt = child("exempt", "2006-01-01", "hort", "6");
        exempt["status"] = json!(status);
        let c = with_children(
            case(),
            vec![exempt, child("a", "2010-01-01", "krippe", "9")],
        );
        let r = compute(&c);
        assert_eq!(fee(&r, "2012-03", "exempt"), json!("0.00"), "{status}");
        assert_eq!(line(&r, "2012-03", "exempt")["statute_fee"], json!("0.00"));
        assert_eq!(rank(&r, "2012-03", "exempt"), Value::Null);
        assert_eq!(rank(&r, "2012-03", "a"), json!(1));
        assert_eq!(fee(&r, "2012-03", "a"), json!("189.36"));
    }
}

/// Lastenheft 3.10.1.1 (L2610-2617): a sibling cared for outside the city counts as Zählkind;
/// it has no fee here.
#[test]
fn outside_city_sibling_counts_without_a_fee() {
    let c = with_children(
        case(),
        vec![
            json!({"id": "away", "birth_date": "2008-01-01", "status": "outside_city"}),
            child("a", "2010-01-01", "krippe", "9"),
        ],
    );
    let r = compute(&c);
    assert_eq!(fee(&r, "2012-03", "away"), Value::Null);
    assert_eq!(line(&r, "2012-03", "away")["statute_fee"], Value::Null);
    assert_eq!(rank(&r, "2012-03", "away"), json!(1));
    assert_eq!(fee(&r, "2012-03", "a"), json!("113.62"));
    assert_eq!(r["months"]["2012-03"]["total"], json!("113.62"));
}

/// § 10 (5) staggers residents only; the case decides whether a non-resident family gets the
/// sibling reduction (Lastenheft 3.10.3.2 says yes).
#[test]
fn non_resident_families() {
    let mut c = with_children(
        case(),
        vec![
            child("a", "2008-01-01", "kindergarten", "9"),
            child("b", "2010-01-01", "krippe", "9"),
        ],
    );
    c["family"]["residence_in_city"] = json!(false);
    c["rules"]["non_resident_sibling_reduction"] = json!(false);
    let r = compute(&c);
    assert_eq!(rank(&r, "2012-03", "a"), Value::Null);
    assert_eq!(fee(&r, "2012-03", "b"), json!("189.36"));
    c["family"]["single_parent"] = json!(true);
    // 90 % for every child: 132.13 × 0.9 = 118.917 → 118.92 (annex C L6138/6188).
    let r = compute(&c);
    assert_eq!(fee(&r, "2012-03", "a"), json!("118.92"));
    assert_eq!(fee(&r, "2012-03", "b"), json!("170.42"));

    c["rules"]["non_resident_sibling_reduction"] = json!(true);
    let r = compute(&c);
    assert_eq!(rank(&r, "2012-03", "b"), json!(2));
    assert_eq!(fee(&r, "2012-03", "b"), json!("94.68"));
}

/// § 11 (1), § 10 (1): a `kita` child pays the Krippe fee until the switch age, counted in
/// completed months at the 1st of the month; born 20 May 2009 it completes 36 months at the
/// end of 19 May 2012, so June is its first Kindergarten month under the main rule.
#[test]
fn kita_switches_by_completed_months() {
    let mut c = with_children(case(), vec![child("a", "2009-05-20", "kita", "9")]);
    c.as_object_mut().unwrap().remove("month");
    c["period"] = json!({"from": "2012-02", "to": "2012-06"});
    let fees_with = |switch: i64| {
        let mut c = c.clone();
        c["rules"]["kindergarten_fee_from_completed_months"] = json!(switch);
        let r = compute(&c);
        ["2012-02", "2012-03", "2012-04", "2012-05", "2012-06"]
            .map(|m| fee(&r, m, "a").as_str().unwrap().to_owned())
    };
    // Completed months at the 1st: Feb 32, Mar 33, Apr 34, May 35, Jun 36.
    assert_eq!(
        fees_with(36),
        ["189.36", "189.36", "189.36", "189.36", "132.13"]
    );
    assert_eq!(
        fees_with(34),
        ["189.36", "189.36", "132.13", "132.13", "132.13"]
    );
    assert_eq!(
        fees_with(33),
        ["189.36", "132.13", "132.13", "132.13", "132.13"]
    );
}

/// § 10 (1): liable for the whole month of first attendance and of the contract's end; half the
/// fee only in a flagged exception (start on/after the 15th, end by the 15th).
#[test]
fn care_months_and_the_half_fee_exception() {
    let mut a = child("a", "2010-01-01", "krippe", "9");
    a["care_from"] = json!("2012-03-15");
    a["care_until"] = json!("2012-05-15");
    let mut c = with_children(case(), vec![a]);
    c.as_object_mut().unwrap().remove("month");
    c["months"] = json!(["2012-02", "2012-03", "2012-04", "2012-05", "2012-06"]);
    let r = compute(&c);
    assert_eq!(
        month_keys(&r),
        ["2012-02", "2012-03", "2012-04", "2012-05", "2012-06"]
    );
    // Not in care in February and June: absent, and the month's total is 0.00.
    assert!(r["months"]["2012-02"]["children"]
        .as_object()
        .unwrap()
        .is_empty());
    assert_eq!(r["months"]["2012-06"]["total"], json!("0.00"));
    for m in ["2012-03", "2012-04", "2012-05"] {
        assert_eq!(fee(&r, m, "a"), json!("189.36"), "{m}: no flag, full fee");
    }

    c["children"][0]["half_fee_exception"] = json!(true);
    let r = compute(&c);
    assert_eq!(fee(&r, "2012-03", "a"), json!("94.68"));
    assert_eq!(line(&r, "2012-03", "a")["statute_fee"], json!("94.68"));
    assert_eq!(fee(&r, "2012-04", "a"), json!("189.36"));
    assert_eq!(fee(&r, "2012-05", "a"), json!("94.68"));

    // Starting on the 14th or ending on the 16th is no half month; half of an odd cent rounds up.
    c["children"][0]["care_from"] = json!("2012-03-14");
    c["children"][0]["care_until"] = json!("2012-05-16");
    c["children"][0]["care_type"] = json!("kindergarten");
    c["children"][0]["daily_hours"] = json!("4.5");
    let r = compute(&c);
    assert_eq!(fee(&r, "2012-03", "a"), json!("66.07"));
    assert_eq!(fee(&r, "2012-05", "a"), json!("66.07"));
    c["children"][0]["care_from"] = json!("2012-03-31");
    let r = compute(&c);
    // 66.07 / 2 = 33.035 → 33.04.
    assert_eq!(fee(&r, "2012-03", "a"), json!("33.04"));
}

/// § 9 (3), § 10 (2): changes act from the 1st of their month; several entries of one month act
/// together (care type and hours together make a valid Hort place).
#[test]
fn changes_split_the_months() {
    let mut big = child("big", "2006-03-01", "kindergarten", "9");
    big["changes"] = json!([
        {"from": "2012-08", "care_type": "hort"},
        {"from": "2012-08", "daily_hours": "6"},
        {"from": "2012-10", "daily_hours": "5"}
    ]);
    let mut small = child("small", "2011-01-01", "krippe", "9");
    small["changes"] = json!([{"from": "2012-09", "daily_hours": "7"}]);
    let mut c = with_children(case(), vec![big, small]);
    c.as_object_mut().unwrap().remove("month");
    c["period"] = json!({"from": "2012-07", "to": "2012-10"});
    c["family"]["changes"] = json!([{"from": "2012-10", "single_parent": true}]);
    let r = compute(&c);
    let fees = |id: &str| -> Vec<String> {
        month_keys(&r)
            .iter()
            .map(|m| fee(&r, m, id).as_str().unwrap().to_owned())
            .collect()
    };
    // big: KG 9 h; Hort 6 h; Hort 6 h; Hort 5 h at 90 % (single parent): 65.74 × 0.9 = 59.166.
    assert_eq!(fees("big"), ["132.13", "78.89", "78.89", "59.17"]);
    // small (2nd): 113.62; 113.62; KK 7 h 147.28 × 60 % = 88.368 → 88.37; × 50 % = 73.64.
    assert_eq!(fees("small"), ["113.62", "113.62", "88.37", "73.64"]);
}

/// § 5 (1)-(3), Lastenheft 3.10.6: 5 € per extra tier, 25 € after closing, no tier charge for a
/// Hort child on a school-free day, no reduction of any kind, only in the record's month.
#[test]
fn extra_care_is_charged_on_top() {
    let mut a = child("a", "2010-01-01", "krippe", "9");
    a["extra_care"] = json!([
        {"date": "2012-03-05", "tiers": 1},
        {"date": "2012-03-06", "tiers": 2, "after_closing": true},
        {"date": "2012-04-02", "tiers": 3}
    ]);
    let mut hort = child("hort", "2005-01-01", "hort", "6");
    hort["extra_care"] = json!([
        {"date": "2012-03-09", "tiers": 2, "school_free_day": true},
        {"date": "2012-03-12", "after_closing": true, "school_free_day": true},
        {"date": "2012-03-13", "tiers": 1}
    ]);
    let mut foster = child("foster", "2009-01-01", "kindergarten", "9");
    foster["status"] = json!("foster");
    foster["extra_care"] = json!([{"date": "2012-03-01", "tiers": 1}]);
    let c = with_children(case(), vec![a, hort, foster]);
    let r = compute(&c);
    assert_eq!(line(&r, "2012-03", "a")["extra_care"], json!("40.00"));
    assert_eq!(line(&r, "2012-03", "hort")["extra_care"], json!("30.00"));
    assert_eq!(line(&r, "2012-03", "foster")["extra_care"], json!("5.00"));
    // a is the 2nd Zählkind: 113.62; hort 78.89; foster 0.00; extra 75.00.
    assert_eq!(r["months"]["2012-03"]["total"], json!("267.51"));
    let explanation = line(&r, "2012-03", "hort")["explanation"]
        .as_array()
        .unwrap();
    assert!(explanation
        .iter()
        .any(|e| e.as_str().unwrap().contains("unterrichtsfreien Tag")));
}

fn waiver_family() -> Value {
    // a: kita 9 h, born 2009-05-20: 33 completed months in March 2012 → Krippe 189.36 € (rank 1).
    // b: Krippe 10 h: 210.40 € × 60 % = 126.24 € (rank 2).
    let mut c = with_children(
        case(),
        vec![
            child("a", "2009-05-20", "kita", "9"),
            child("b", "2011-02-10", "krippe", "10"),
        ],
    );
    c["waiver"] = json!({
        "income": {
            "mother_net": "1500.00", "father_net": "900.00",
            "child_benefit": {"children": 2}, "other": ["35.50"]
        },
        "deductions": {
            "work_equipment": "flat",
            "travel": {"car_km": 12},
            "pension_mother": {"contribution": "40.00", "minimum_own_contribution": "25.00"},
            "pension_father": {"contribution": "50.00", "minimum_sheet":
                {"prior_year_gross": "20000.00", "further_allowances": ["185.00"]}},
            "liability_insurance": "4.50"
        },
        "limit": {"family_supplements": 3, "household_size": 4, "housing_cost": "600.00"},
        "special_burdens": ["120.00"],
        "reasonable_share_percent": "50",
        "allocation": "rank_order",
        "regular_care_hours": {"krippe": "9", "kindergarten": "9"},
        "above_regular_time": "fee_difference"
    });
    c
}

/// The annex C form (L5626-5812) line by line, and line 7 for two children.
#[test]
fn waiver_form_line_by_line() {
    let r = compute(&waiver_family());
    let form = &r["waiver_form"];
    let expected = [
        // 1500.00 + 900.00 + 368.00 (Kindergeld for 2, L6029/6052) + 35.50
        ("total_income", "2803.50"),
        // min(40.00, 25.00)
        ("pension_mother", "25.00"),
        // Riester sheet: 4 % × 20000.00 = 800.00 − 154.00 − 185.00 = 461.00 a year (> 60.00);
        // 461 / 12 = 38.416… → 38.42; min(50.00, 38.42)
        ("pension_father", "38.42"),
        // 5.20 (flat, L6035/6058) + 5.20 × 12 km = 62.40 + 25.00 + 38.42 + 4.50
        ("deductions_total", "135.52"),
        ("adjusted_income", "2667.98"),
        ("basic_amount", "728.00"),
        // 255 × 3
        ("family_supplements", "765.00"),
        // min(600.00, cap for 4 persons 556.00, L6046/6069)
        ("housing_cost", "556.00"),
        ("income_limit", "2049.00"),
        ("income_above_limit", "618.98"),
        ("special_burdens", "120.00"),
        ("income_above_limit_after_burdens", "498.98"),
        // 50 % of 498.98
        ("reasonable_burden", "249.49"),
    ];
    for (name, amount) in expected {
        assert_eq!(form[name], json!(amount), "{name}");
    }
    assert_eq!(form.as_object().unwrap().len(), 13);

    // Line 7, rank order: a bears up to R = 189.36, b the remaining 60.13 of 249.49.
    // b: R at 9 h = 113.62, E = 126.24 − 113.62 = 12.62 → 60.13 + 12.62 = 72.75.
    assert_eq!(fee(&r, "2012-03", "a"), json!("189.36"));
    assert_eq!(fee(&r, "2012-03", "b"), json!("72.75"));
    assert_eq!(line(&r, "2012-03", "b")["statute_fee"], json!("126.24"));
    assert_eq!(r["months"]["2012-03"]["waiver_outcome"], json!("reduction"));
    assert_eq!(r["months"]["2012-03"]["total"], json!("262.11"));
}

#[test]
fn waiver_allocation_and_above_regular_time() {
    let mut c = waiver_family();
    c["waiver"]["allocation"] = json!("proportional");
    let r = compute(&c);
    // 249.49 × 189.36 / 302.98 = 155.929… → 155.93; × 113.62 / 302.98 = 93.560… → 93.56.
    assert_eq!(fee(&r, "2012-03", "a"), json!("155.93"));
    // 93.56 + 12.62
    assert_eq!(fee(&r, "2012-03", "b"), json!("106.18"));

    c["waiver"]["allocation"] = json!("rank_order");
    c["waiver"]["above_regular_time"] = json!("flat_per_tier");
    let r = compute(&c);
    // One offered tier (10 h) above the regular 9 h: 5.00 €; 60.13 + 5.00.
    assert_eq!(fee(&r, "2012-03", "b"), json!("65.13"));

    // Income below the limit: the burden is 0, both regular fees are waived; b still owes E.
    c["waiver"]["income"]["mother_net"] = json!("0");
    let r = compute(&c);
    assert_eq!(r["waiver_form"]["reasonable_burden"], json!("0.00"));
    assert_eq!(fee(&r, "2012-03", "a"), json!("0.00"));
    assert_eq!(fee(&r, "2012-03", "b"), json!("5.00"));
    assert_eq!(r["months"]["2012-03"]["waiver_outcome"], json!("waiver"));

    // A burden above both regular fees: the family bears them in full ("none"). Above the
    // regular time b still owes the flat 5.00 € rather than the fee difference 12.62 €:
    // min(126.24, 113.62 + 5.00) = 118.62.
    c["waiver"]["income"]["mother_net"] = json!("9000");
    let r = compute(&c);
    assert_eq!(fee(&r, "2012-03", "a"), json!("189.36"));
    assert_eq!(fee(&r, "2012-03", "b"), json!("118.62"));
    assert_eq!(r["months"]["2012-03"]["waiver_outcome"], json!("none"));
    c["waiver"]["above_regular_time"] = json!("fee_difference");
    assert_eq!(fee(&compute(&c), "2012-03", "b"), json!("126.24"));
}

/// fee-case.md step 4: the half fee comes after the reduction, on the statute fee and the fee.
#[test]
fn half_fee_after_the_reduction() {
    let mut c = waiver_family();
    c["children"][1]["care_from"] = json!("2012-03-20");
    c["children"][1]["half_fee_exception"] = json!(true);
    let r = compute(&c);
    // 126.24 / 2 = 63.12; 72.75 / 2 = 36.375 → 36.38; a is untouched.
    assert_eq!(line(&r, "2012-03", "b")["statute_fee"], json!("63.12"));
    assert_eq!(fee(&r, "2012-03", "b"), json!("36.38"));
    assert_eq!(fee(&r, "2012-03", "a"), json!("189.36"));
}

/// The grant covers only its months (§ 13 (1): from the month of application, limited).
#[test]
fn grant_period_limits_the_reduction() {
    let mut c = waiver_family();
    c.as_object_mut().unwrap().remove("month");
    c["period"] = json!({"from": "2012-02", "to": "2012-04"});
    c["waiver"]["grant_period"] = json!({"from": "2012-03", "to": "2012-03"});
    let r = compute(&c);
    assert_eq!(r["months"]["2012-02"]["waiver_outcome"], Value::Null);
    assert_eq!(fee(&r, "2012-02", "b"), json!("126.24"));
    assert_eq!(fee(&r, "2012-03", "b"), json!("72.75"));
    assert_eq!(r["months"]["2012-04"]["waiver_outcome"], Value::Null);
}

/// The annex C form as printed (L5626-5812): every line empty gives total income 0,00 €, the
/// income limit 728,00 € (L5762) and the result "Erlass des Elternbeitrages" (L5810-5812).
#[test]
fn the_empty_form_is_a_waiver() {
    let mut c = with_children(case(), vec![child("a", "2010-01-01", "krippe", "9")]);
    c["waiver"] = json!({
        "reasonable_share_percent": "100",
        "allocation": "rank_order",
        "regular_care_hours": {"krippe": "9"},
        "above_regular_time": "fee_difference"
    });
    let r = compute(&c);
    let form = &r["waiver_form"];
    assert_eq!(form["total_income"], json!("0.00"));
    assert_eq!(form["deductions_total"], json!("0.00"));
    assert_eq!(form["adjusted_income"], json!("0.00"));
    assert_eq!(form["income_limit"], json!("728.00"));
    assert_eq!(form["income_above_limit"], json!("0.00"));
    assert_eq!(r["months"]["2012-03"]["waiver_outcome"], json!("waiver"));
    assert_eq!(fee(&r, "2012-03", "a"), json!("0.00"));
    assert_eq!(line(&r, "2012-03", "a")["statute_fee"], json!("189.36"));
}

/// The Riester sheet as printed (L5960-6008): no income gives the Sockelbetrag, 60,00 € a year,
/// 5,00 € a month (L6007-6008; "Sockelbetrag 5", L6034/6057).
#[test]
fn the_empty_riester_sheet_gives_the_sockelbetrag() {
    let mut c = waiver_family();
    c["waiver"]["deductions"] = json!({
        "pension_mother": {"contribution": "30.00", "minimum_sheet": {"prior_year_gross": "0"}}
    });
    let r = compute(&c);
    assert_eq!(r["waiver_form"]["pension_mother"], json!("5.00"));
    assert_eq!(r["waiver_form"]["deductions_total"], json!("5.00"));
}

/// Konfiguration Erlassberechnung (L6028-6071): the configured lookups.
#[test]
fn configured_lookups_of_the_form() {
    let mut c = waiver_family();
    for (children, expected) in [(1, "184.00"), (2, "368.00"), (3, "558.00"), (4, "773.00")] {
        c["waiver"]["income"] = json!({"child_benefit": {"children": children}});
        let r = compute(&c);
        assert_eq!(r["waiver_form"]["total_income"], json!(expected));
    }
    for (travel, expected) in [
        (json!({"ticket": "A1"}), "42.50"),
        (json!({"ticket": "B"}), "62.50"),
        (json!({"ticket": "C"}), "94.00"),
        (json!({"ticket": "D"}), "121.00"),
        // At most 40 km count: 5.20 × 40.
        (json!({"car_km": 55}), "208.00"),
        (json!("17.30"), "17.30"),
    ] {
        c["waiver"]["deductions"] = json!({"travel": travel});
        let r = compute(&c);
        assert_eq!(
            r["waiver_form"]["deductions_total"],
            json!(expected),
            "{travel}"
        );
    }
    c["waiver"]["deductions"] = json!({"double_household": "flat"});
    assert_eq!(
        compute(&c)["waiver_form"]["deductions_total"],
        json!("130.00")
    );
    for (persons, cap) in [
        (1, "330.00"),
        (2, "402.00"),
        (3, "479.00"),
        (5, "638.00"),
        (7, "792.00"),
    ] {
        c["waiver"]["limit"] = json!({"household_size": persons, "housing_cost": "2000"});
        let r = compute(&c);
        assert_eq!(
            r["waiver_form"]["housing_cost"],
            json!(cap),
            "{persons} persons"
        );
    }
}

/// Every line of the result carries explanations naming the rule, the statute version and the
/// paragraph.
#[test]
fn explanations_name_rule_version_and_paragraph() {
    let r = compute(&waiver_family());
    let explanation = line(&r, "2012-03", "b")["explanation"].as_array().unwrap();
    let texts: Vec<&str> = explanation.iter().map(|e| e.as_str().unwrap()).collect();
    for needle in [
        "fee.first_child",
        "fee.sibling_rank",
        "fee.income_reduction",
        "dresden-2011/2011-09",
        "§ 10 (5)",
        "210,40 €",
    ] {
        assert!(
            texts.iter().any(|t| t.contains(needle)),
            "{needle} in {texts:?}"
        );
    }
    let a: Vec<&str> = line(&r, "2012-03", "a")["explanation"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e.as_str().unwrap())
        .collect();
    assert!(
        a.iter().any(|t| t.contains("33 vollendete Lebensmonate")),
        "{a:?}"
    );
    assert!(r["waiver_form_explanation"]["pension_father"]
        .as_str()
        .unwrap()
        .contains("461,00 € jährlich"));
}

/// The explanations reach parents in their Bescheid unchanged: every rule speaks German and
/// writes amounts the German way (`1.234,56 €`), while the result's amounts stay `"1234.56"`.
#[test]
fn explanations_are_german_for_every_rule() {
    // Every rule of the month: liability, fee group, switch age, first child, rank, single
    // parent (from April), outside the city, exempt, half fee, extra care, the reduction.
    let mut kita = child("a", "2009-05-20", "kita", "9");
    kita["care_until"] = json!("2012-04-10");
    kita["half_fee_exception"] = json!(true);
    kita["extra_care"] = json!([{"date": "2012-03-05", "tiers": 1, "after_closing": true}]);
    let mut hort = child("h", "2005-01-01", "hort", "6");
    hort["extra_care"] = json!([{"date": "2012-03-09", "tiers": 2, "school_free_day": true}]);
    let mut away = child("away", "2012-01-01", "krippe", "9");
    away["status"] = json!("outside_city");
    let mut foster = child("foster", "2008-01-01", "kindergarten", "9");
    foster["status"] = json!("foster");
    let mut c = waiver_family();
    c["children"] = json!([
        kita,
        child("b", "2011-02-10", "krippe", "10"),
        hort,
        away,
        foster
    ]);
    c.as_object_mut().unwrap().remove("month");
    c["months"] = json!(["2012-03", "2012-04"]);
    c["family"]["changes"] = json!([{"from": "2012-04", "single_parent": true}]);
    c["waiver"]["regular_care_hours"]["hort"] = json!("5");
    let resident = compute(&c);
    // h (2005), a (2009), b (2011), away (2012): b is the 3rd Zählkind and pays nothing.
    assert_eq!(line(&resident, "2012-03", "b")["statute_fee"], "0.00");

    // A family outside the city without the sibling reduction.
    let mut c = with_children(case(), vec![child("n", "2011-02-10", "tagespflege", "9")]);
    c["family"]["residence_in_city"] = json!(false);
    c["rules"]["non_resident_sibling_reduction"] = json!(false);
    let non_resident = compute(&c);

    let mut texts: Vec<String> = Vec::new();
    for r in [&resident, &non_resident] {
        for month in r["months"].as_object().unwrap().values() {
            for child in month["children"].as_object().unwrap().values() {
                for e in child["explanation"].as_array().unwrap() {
                    texts.push(e.as_str().unwrap().to_owned());
                }
            }
        }
    }
    for e in resident["waiver_form_explanation"]
        .as_object()
        .unwrap()
        .values()
    {
        texts.push(e.as_str().unwrap().to_owned());
    }
    let keys = [
        "fee.liability",
        "fee.group",
        "fee.switch_age",
        "fee.first_child",
        "fee.sibling_rank",
        "fee.single_parent",
        "fee.non_resident",
        "fee.exempt",
        "fee.outside_city",
        "fee.income_reduction",
        "fee.half",
        "extra_care.tier",
        "extra_care.school_free_day",
        "extra_care.after_closing",
        "waiver.form",
    ];
    for key in keys {
        assert!(
            texts.iter().any(|t| t.contains(&format!("[{key};"))),
            "no {key} in {texts:#?}"
        );
    }
    let english = [
        " fee", "fee ", " of ", "none", " care ", "child", "income", " month", "flat", " per ",
        "share", "parent", "rank", "status", "born", " at ", "case", "total", "limit",
    ];
    for text in &texts {
        // The machine-readable tail `[rule; version paragraph]` stays as it is.
        let detail = text.rsplit_once(" [").map_or(text.as_str(), |(d, _)| d);
        for word in english {
            assert!(!detail.contains(word), "{word:?} in {detail:?}");
        }
        // No amount in the result's notation: `12.34 €`.
        assert!(
            !detail
                .split_whitespace()
                .zip(detail.split_whitespace().skip(1))
                .any(|(a, b)| b == "€" && a.contains('.') && !a.contains(',')),
            "an amount with a decimal point in {detail:?}"
        );
    }
    let all = texts.join("\n");
    for needle in [
        "Pflegekind: kein Elternbeitrag, kein Zählkind",
        "Alleinerziehend, Anteil für das 1. Zählkind: 90 % (bei zwei Elternteilen 100 %)",
        "Familie mit Wohnsitz außerhalb der Stadt, ohne Geschwisterermäßigung",
        "Betreuungsart Kindertagespflege: Beitrag nach dem Satz für Krippe",
        "Halber Beitrag (begründeter Ausnahmefall; Betreuungsende am 10.04.2012)",
        "05.03.2012: Abholung nach der Schließzeit: 25,00 €",
        "1.1 Gesamteinkommen: Nettoeinkommen Elternteil 1 1.500,00 €",
        "Einkommensabhängig: keine Ermäßigung; Beitrag bei der Regelbetreuungszeit 9 h (R)",
    ] {
        assert!(all.contains(needle), "{needle:?} in {all}");
    }
}
