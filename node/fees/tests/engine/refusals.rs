//! Bad cases are refused with the path of the offending field (fee-case.md "Error").

use crate::support::{case, child, compute, refused_field, with_children};
use serde_json::{json, Value};

fn one_child() -> Value {
    with_children(case(), vec![child("a", "2010-01-01", "krippe", "9")])
}

fn refused(mutate: impl FnOnce(&mut Value)) -> String {
    let mut c = one_child();
    compute(&c); // the unchanged case is fine
    mutate(&mut c);
    refused_field(&c)
}

#[test]
fn format_statute_and_months() {
    assert_eq!(
        refused(|c| c["format"] = json!("kitanetz-fee-case/2")),
        "format"
    );
    assert_eq!(refused(|c| c["statute"] = json!("leipzig-2011")), "statute");
    assert_eq!(refused(|c| c["month"] = json!("2011-08")), "month");
    assert_eq!(refused(|c| c["month"] = json!("2012-13")), "month");
    assert_eq!(
        refused(|c| c["months"] = json!(["2012-01"])),
        "months",
        "two of month/months/period"
    );
    assert_eq!(
        refused(|c| {
            c.as_object_mut().unwrap().remove("month");
        }),
        "month"
    );
    let months = |c: &mut Value, m: Value| {
        c.as_object_mut().unwrap().remove("month");
        c["months"] = m;
    };
    assert_eq!(
        refused(|c| months(c, json!(["2011-09", "2011-08"]))),
        "months[1]"
    );
    assert_eq!(
        refused(|c| months(c, json!(["2012-01", "2012-01"]))),
        "months[1]"
    );
    assert_eq!(
        refused(|c| months(c, json!(["2011-07", "2011-09"]))),
        "months[0]"
    );
    let period = |c: &mut Value, p: Value| {
        c.as_object_mut().unwrap().remove("month");
        c["period"] = p;
    };
    assert_eq!(
        refused(|c| period(c, json!({"from": "2012-05", "to": "2012-04"}))),
        "period.to"
    );
    assert_eq!(
        refused(|c| period(c, json!({"from": "2011-08", "to": "2012-04"}))),
        "period.from"
    );
    assert_eq!(
        refused(|c| period(c, json!({"from": "2012-01", "to": "2012-04", "until": "x"}))),
        "period.until"
    );
    assert_eq!(refused(|c| c["family"] = Value::Null), "family");
    assert_eq!(
        refused(|c| c["family"]["changes"] = json!([{"from": "2012-01", "single": true}])),
        "family.changes[0].single"
    );
}

#[test]
fn children() {
    assert_eq!(
        refused(|c| c["children"][0]["care_type"] = json!("hort_plus")),
        "children[0].care_type"
    );
    assert_eq!(
        refused(|c| c["children"][0]["status"] = json!("guest")),
        "children[0].status"
    );
    assert_eq!(
        refused(|c| c["children"][0]["daily_hours"] = json!("11")),
        "children[0].daily_hours"
    );
    assert_eq!(
        refused(|c| c["children"][0]["daily_hours"] = json!("5")),
        "children[0].daily_hours"
    );
    assert_eq!(
        refused(|c| c["children"][0]["daily_hours"] = json!(9)),
        "children[0].daily_hours"
    );
    assert_eq!(
        refused(|c| c["children"][0]["birth_date"] = json!("2010-02-30")),
        "children[0].birth_date"
    );
    assert_eq!(
        refused(|c| {
            c["children"][0]["care_type"] = json!("hort");
            c["children"][0]["daily_hours"] = json!("10");
        }),
        "children[0].daily_hours",
        "Hort 10 h: § 4 offers it, no source prices it"
    );
    assert_eq!(
        refused(|c| {
            c["children"][0]["care_from"] = json!("2012-03-10");
            c["children"][0]["care_until"] = json!("2012-03-09");
        }),
        "children[0].care_until"
    );
    assert_eq!(
        refused(|c| {
            let twin = c["children"][0].clone();
            c["children"].as_array_mut().unwrap().push(twin);
        }),
        "children[1].id"
    );
    assert_eq!(
        refused(|c| {
            c["children"][0]
                .as_object_mut()
                .unwrap()
                .remove("care_type");
        }),
        "children[0].care_type"
    );
}

#[test]
fn changes_blame_the_field_they_set() {
    assert_eq!(
        refused(|c| c["children"][0]["changes"] = json!([{"from": "2012-02", "daily_hours": "5"}])),
        "children[0].changes[0].daily_hours"
    );
    // Krippe 9 h → Hort: 9 h is a Hort tier; → Hort with 10 h: the hours are blamed first.
    assert_eq!(
        refused(|c| c["children"][0]["changes"] =
            json!([{"from": "2012-02", "care_type": "hort", "daily_hours": "10"}])),
        "children[0].changes[0].daily_hours"
    );
    assert_eq!(
        refused(|c| {
            c["children"][0]["daily_hours"] = json!("10");
            c["children"][0]["changes"] = json!([{"from": "2012-02", "care_type": "hort"}]);
        }),
        "children[0].changes[0].care_type"
    );
    assert_eq!(
        refused(|c| c["children"][0]["changes"] = json!([{"from": "2012-02", "hours": "8"}])),
        "children[0].changes[0].hours"
    );
    assert_eq!(
        refused(|c| c["children"][0]["changes"] = json!([
            {"from": "2012-05", "daily_hours": "8"}, {"from": "2012-02", "daily_hours": "7"}
        ])),
        "children[0].changes[1].from"
    );
    assert_eq!(
        refused(|c| c["children"][0]["changes"] = json!([{"from": "2012-02"}])),
        "children[0].changes[0]"
    );
    // An outside child's hours are not checked, until a change makes it a regular place here.
    let away = json!({"id": "b", "birth_date": "2008-01-01", "status": "outside_city",
                      "care_type": "kindergarten", "daily_hours": "12"});
    let mut c = with_children(case(), vec![away.clone()]);
    compute(&c);
    c["children"][0]["changes"] = json!([{"from": "2012-02", "status": "regular"}]);
    assert_eq!(refused_field(&c), "children[0].daily_hours");
}

#[test]
fn extra_care_records() {
    let record = |c: &mut Value, r: Value| c["children"][0]["extra_care"] = json!([r]);
    assert_eq!(
        refused(|c| record(c, json!({"date": "2012-03-01", "tiers": 0}))),
        "children[0].extra_care[0].tiers"
    );
    assert_eq!(
        refused(|c| record(c, json!({"date": "2012-03-01"}))),
        "children[0].extra_care[0].tiers"
    );
    assert_eq!(
        refused(|c| record(c, json!({"date": "2012-03-01", "tier": 1}))),
        "children[0].extra_care[0].tier"
    );
    assert_eq!(
        refused(|c| record(c, json!({"tiers": 1}))),
        "children[0].extra_care[0].date"
    );
}

#[test]
fn parameters_the_sources_leave_open_are_never_defaulted() {
    let two = with_children(
        case(),
        vec![
            child("a", "2010-01-01", "krippe", "9"),
            json!({"id": "b", "birth_date": "2008-01-01", "status": "outside_city"}),
        ],
    );
    let mut c = two.clone();
    c["rules"].as_object_mut().unwrap().remove("age_order");
    assert_eq!(refused_field(&c), "rules.age_order");
    c.as_object_mut().unwrap().remove("rules");
    assert_eq!(refused_field(&c), "rules.age_order");

    // Counted "initially or by a change": b becomes regular later.
    let mut c = with_children(
        case(),
        vec![
            child("a", "2010-01-01", "krippe", "9"),
            child("b", "2008-01-01", "kindergarten", "9"),
        ],
    );
    c["children"][1]["status"] = json!("foster");
    c["children"][1]["changes"] = json!([{"from": "2013-01", "status": "regular"}]);
    c["rules"].as_object_mut().unwrap().remove("age_order");
    assert_eq!(refused_field(&c), "rules.age_order");

    let mut c = with_children(case(), vec![child("a", "2010-01-01", "kita", "9")]);
    c["rules"]
        .as_object_mut()
        .unwrap()
        .remove("kindergarten_fee_from_completed_months");
    assert_eq!(
        refused_field(&c),
        "rules.kindergarten_fee_from_completed_months"
    );
    c["rules"]["kindergarten_fee_from_completed_months"] = json!(35);
    assert_eq!(
        refused_field(&c),
        "rules.kindergarten_fee_from_completed_months"
    );

    let mut c = one_child();
    c["family"]["residence_in_city"] = json!(false);
    c["rules"]
        .as_object_mut()
        .unwrap()
        .remove("non_resident_sibling_reduction");
    assert_eq!(refused_field(&c), "rules.non_resident_sibling_reduction");
}

fn with_waiver() -> Value {
    let mut c = one_child();
    c["waiver"] = json!({
        "income": {"father_net": "1000.00"},
        "reasonable_share_percent": "50",
        "allocation": "rank_order",
        "regular_care_hours": {"krippe": "9"},
        "above_regular_time": "fee_difference"
    });
    compute(&c);
    c
}

#[test]
fn waiver_block() {
    let refused = |mutate: &dyn Fn(&mut Value)| {
        let mut c = with_waiver();
        mutate(&mut c);
        refused_field(&c)
    };
    assert_eq!(
        refused(&|c| c["waiver"]["income"]["father_net"] = json!("-5.00")),
        "waiver.income.father_net"
    );
    assert_eq!(
        refused(&|c| c["waiver"]["income"]["father_net"] = json!("5.001")),
        "waiver.income.father_net"
    );
    assert_eq!(
        refused(&|c| c["waiver"]["income"]["father_net"] = json!(5)),
        "waiver.income.father_net"
    );
    assert_eq!(
        refused(&|c| c["waiver"]["income"]["fater_net"] = json!("5.00")),
        "waiver.income.fater_net"
    );
    assert_eq!(
        refused(&|c| c["waiver"]["income"]["other"] = json!(["1", "x"])),
        "waiver.income.other[1]"
    );
    assert_eq!(
        refused(&|c| c["waiver"]["income"]["child_benefit"] = json!({"children": 5})),
        "waiver.income.child_benefit.children"
    );
    assert_eq!(
        refused(&|c| c["waiver"]["deductions"] = json!({"travel": {"ticket": "E"}})),
        "waiver.deductions.travel.ticket"
    );
    assert_eq!(
        refused(&|c| c["waiver"]["deductions"] = json!({"travel": {"car_km": 1.5}})),
        "waiver.deductions.travel.car_km"
    );
    assert_eq!(
        refused(
            &|c| c["waiver"]["deductions"] = json!({"pension_mother": {"contribution": "10.00"}})
        ),
        "waiver.deductions.pension_mother.minimum_own_contribution"
    );
    assert_eq!(
        refused(&|c| c["waiver"]["limit"] = json!({"housing_cost": "400.00"})),
        "waiver.limit.household_size"
    );
    for key in [
        "reasonable_share_percent",
        "allocation",
        "regular_care_hours",
        "above_regular_time",
    ] {
        assert_eq!(
            refused(&|c| {
                c["waiver"].as_object_mut().unwrap().remove(key);
            }),
            format!("waiver.{key}")
        );
    }
    assert_eq!(
        refused(&|c| c["waiver"]["reasonable_share_percent"] = json!("101")),
        "waiver.reasonable_share_percent"
    );
    assert_eq!(
        refused(&|c| c["waiver"]["allocation"] = json!("equal")),
        "waiver.allocation"
    );
    assert_eq!(
        refused(&|c| c["waiver"]["regular_care_hours"] = json!({"hort": "5"})),
        "waiver.regular_care_hours.krippe"
    );
    assert_eq!(
        refused(&|c| c["waiver"]["regular_care_hours"]["krippe"] = json!("5")),
        "waiver.regular_care_hours.krippe"
    );
    assert_eq!(
        refused(&|c| c["waiver"]["regular_care_hours"]["kita"] = json!("9")),
        "waiver.regular_care_hours.kita"
    );
    // Lastenheft 3.10.3: a grant lasts at most a year.
    assert_eq!(
        refused(&|c| c["waiver"]["grant_period"] = json!({"from": "2012-03", "to": "2013-03"})),
        "waiver.grant_period"
    );
    let mut c = with_waiver();
    c["waiver"]["grant_period"] = json!({"from": "2012-03", "to": "2013-02"});
    compute(&c);
    assert_eq!(
        refused(&|c| c["waiver"]["grant_period"] = json!({"from": "2012-03", "to": "2012-02"})),
        "waiver.grant_period.to"
    );
    // Lastenheft 3.10.3.2: no income-based reduction for families outside the city.
    assert_eq!(
        refused(&|c| c["family"]["residence_in_city"] = json!(false)),
        "waiver"
    );
}

#[test]
fn not_json_at_all() {
    let out = kitanetz_fees::case_output("{ not json");
    assert!(!out.ok);
    assert_eq!(out.json["error"]["field"], json!(""));
}
