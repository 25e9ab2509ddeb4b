//! Invariants over generated families (proptest; a failing case is printed and shrunk, its seed
//! kept under `proptest-regressions/`).

use proptest::prelude::*;
use rust_decimal::Decimal;
use serde_json::{json, Value};
use std::str::FromStr;

const DAY_TIERS: [&str; 6] = ["4.5", "6", "7", "8", "9", "10"];
const HORT_TIERS: [&str; 5] = ["5", "6", "7", "8", "9"];
const CARE_TYPES: [&str; 6] = [
    "krippe",
    "kindergarten",
    "kita",
    "tagespflege",
    "hort",
    "foerderhort",
];

fn tiers_of(care_type: &str) -> &'static [&'static str] {
    if care_type.ends_with("hort") {
        &HORT_TIERS
    } else {
        &DAY_TIERS
    }
}

fn date() -> impl Strategy<Value = String> {
    (2003..2013i32, 1..13u32, 1..29u32).prop_map(|(y, m, d)| format!("{y:04}-{m:02}-{d:02}"))
}

fn month_2012() -> impl Strategy<Value = u32> {
    1..13u32
}

fn child(id: usize) -> impl Strategy<Value = Value> {
    (
        date(),
        0..CARE_TYPES.len(),
        0..6usize,
        prop_oneof![6 => Just("regular"), 1 => Just("outside_city"), 1 => Just("foster"), 1 => Just("curative")],
        proptest::option::of((month_2012(), 1..29u32)),
        proptest::option::of((month_2012(), 1..29u32)),
        any::<bool>(),
        proptest::option::of((month_2012(), 0..6usize)),
        proptest::collection::vec((month_2012(), 0..4u32, any::<bool>(), any::<bool>()), 0..3),
    )
        .prop_map(
            move |(birth, type_index, tier, status, from, until, half, change, extra)| {
                let care_type = CARE_TYPES[type_index];
                let tiers = tiers_of(care_type);
                let mut c = json!({
                    "id": format!("c{id}"), "birth_date": birth, "care_type": care_type,
                    "daily_hours": tiers[tier % tiers.len()], "status": status,
                    "half_fee_exception": half
                });
                let (from, until) = match (from, until) {
                    (Some(a), Some(b)) if b < a => (Some(b), Some(a)),
                    other => other,
                };
                if let Some((m, d)) = from {
                    c["care_from"] = json!(format!("2012-{m:02}-{d:02}"));
                }
                if let Some((m, d)) = until {
                    c["care_until"] = json!(format!("2012-{m:02}-{d:02}"));
                }
                if let Some((m, t)) = change {
                    c["changes"] =
                        json!([{"from": format!("2012-{m:02}"), "daily_hours": tiers[t % tiers.len()]}]);
                }
                let records: Vec<Value> = extra
                    .into_iter()
                    .map(|(m, tiers, after_closing, school_free_day)| {
                        json!({"date": format!("2012-{m:02}-10"), "tiers": tiers.max(1),
                               "after_closing": after_closing, "school_free_day": school_free_day})
                    })
                    .collect();
                c["extra_care"] = Value::Array(records);
                c
            },
        )
}

fn cents() -> impl Strategy<Value = String> {
    (0..400_000i64).prop_map(|c| format!("{}.{:02}", c / 100, c % 100))
}

fn waiver() -> impl Strategy<Value = Value> {
    (
        (cents(), cents(), 0..5u32, cents()),
        (0..4u32, 1..8u32, cents(), cents()),
        (0..101u32, any::<bool>(), any::<bool>()),
        (0..6usize, 0..5usize),
    )
        .prop_map(
            |((mother, father, kids, other), (supplements, persons, housing, burden), (share, rank_order, difference), (day, hort))| {
                let mut w = json!({
                    "income": {"mother_net": mother, "father_net": father, "other": [other]},
                    "deductions": {"work_equipment": "flat", "travel": {"car_km": 20}},
                    "limit": {"family_supplements": supplements, "household_size": persons,
                              "housing_cost": housing},
                    "special_burdens": [burden],
                    "reasonable_share_percent": share.to_string(),
                    "allocation": if rank_order { "rank_order" } else { "proportional" },
                    "regular_care_hours": {
                        "krippe": DAY_TIERS[day], "kindergarten": DAY_TIERS[day],
                        "tagespflege": DAY_TIERS[day], "hort": HORT_TIERS[hort],
                        "foerderhort": HORT_TIERS[hort]
                    },
                    "above_regular_time": if difference { "fee_difference" } else { "flat_per_tier" }
                });
                if kids > 0 {
                    w["income"]["child_benefit"] = json!({"children": kids});
                }
                w
            },
        )
}

fn family() -> impl Strategy<Value = Value> {
    (
        proptest::collection::vec(any::<u8>(), 1..5),
        any::<bool>(),
        proptest::option::of(month_2012()),
        any::<bool>(),
        prop_oneof![Just(33), Just(34), Just(36)],
        proptest::option::of(waiver()),
    )
        .prop_flat_map(|(sizes, single, change, oldest_first, switch, waiver)| {
            let children: Vec<_> = (0..sizes.len()).map(child).collect();
            (children, Just((single, change, oldest_first, switch, waiver)))
        })
        .prop_map(|(children, (single, change, oldest_first, switch, waiver))| {
            let mut c = json!({
                "format": "kitanetz-fee-case/1", "statute": "dresden-2011",
                "period": {"from": "2012-01", "to": "2012-12"},
                "family": {"single_parent": single, "residence_in_city": true},
                "rules": {"age_order": if oldest_first { "oldest_first" } else { "youngest_first" },
                          "kindergarten_fee_from_completed_months": switch},
                "children": children
            });
            if let Some(m) = change {
                c["family"]["changes"] = json!([{"from": format!("2012-{m:02}"), "single_parent": !single}]);
            }
            if let Some(w) = waiver {
                c["waiver"] = w;
            }
            c
        })
}

fn compute(case: &Value) -> Value {
    let out = kitanetz_fees::case_output(&case.to_string());
    assert!(out.ok, "refused {case}: {}", out.json);
    out.json
}

fn amount(v: &Value) -> Decimal {
    v.as_str()
        .map_or(Decimal::ZERO, |s| Decimal::from_str(s).unwrap())
}

fn months(result: &Value) -> &serde_json::Map<String, Value> {
    result["months"].as_object().unwrap()
}

/// (month, child) → fee.
fn fees(result: &Value) -> Vec<(String, String, Decimal)> {
    months(result)
        .iter()
        .flat_map(|(m, month)| {
            month["children"]
                .as_object()
                .unwrap()
                .iter()
                .map(move |(id, line)| (m.clone(), id.clone(), amount(&line["fee"])))
        })
        .collect()
}

fn totals(result: &Value) -> Vec<Decimal> {
    months(result)
        .values()
        .map(|m| amount(&m["total"]))
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    #[test]
    fn the_reductions_take_the_unreduced_fee_down_to_the_fee_and_none_is_negative(case in family()) {
        let book = kitanetz_fees::StatuteBook::builtin();
        let result = kitanetz_fees::compute_case(&case.to_string(), &book).unwrap();
        for month in &result.months {
            for child in &month.children {
                let Some(r) = child.reductions else {
                    continue;
                };
                let zero = kitanetz_fees::Money::ZERO;
                for part in [r.unreduced, r.sibling, r.single_parent, r.income_based, r.foster_or_home] {
                    prop_assert!(part >= zero, "{:?} in {}", r, month.month);
                }
                let rest = r.unreduced - r.sibling - r.single_parent - r.income_based - r.foster_or_home;
                prop_assert_eq!(Some(rest), child.fee, "{:?} in {}", r, month.month);
            }
        }
    }

    #[test]
    fn fees_are_never_negative_and_totals_add_up(case in family()) {
        let r = compute(&case);
        prop_assert_eq!(months(&r).len(), 12);
        for month in months(&r).values() {
            let mut sum = Decimal::ZERO;
            for line in month["children"].as_object().unwrap().values() {
                let (fee, statute, extra) =
                    (amount(&line["fee"]), amount(&line["statute_fee"]), amount(&line["extra_care"]));
                prop_assert!(fee >= Decimal::ZERO && statute >= Decimal::ZERO && extra >= Decimal::ZERO);
                prop_assert!(fee <= statute, "reduction raised a fee: {}", line);
                prop_assert!(line["explanation"].as_array().is_some_and(|e| !e.is_empty()));
                sum += fee + extra;
            }
            prop_assert_eq!(amount(&month["total"]), sum);
        }
    }

    /// The split at every date of change: a year computed at once equals its months computed
    /// one by one.
    #[test]
    fn a_period_is_the_sum_of_its_months(case in family()) {
        let whole = compute(&case);
        for (m, month) in months(&whole) {
            let mut single = case.clone();
            single.as_object_mut().unwrap().remove("period");
            single["month"] = json!(m);
            if let Some(w) = single.get_mut("waiver") {
                w["grant_period"] = json!({"from": "2012-01", "to": "2012-12"});
            }
            let alone = compute(&single);
            prop_assert_eq!(&alone["months"][m.as_str()], month);
            prop_assert_eq!(&alone["waiver_form"], &whole["waiver_form"]);
        }
    }

    /// A single parent never pays more: per child without a waiver, per family with one (the
    /// burden may then shift between the children). With the proportional split each child's
    /// share is rounded on its own, so the family's shares may sum to a cent per child above or
    /// below the burden: that much is allowed there, nothing with the rank-order split.
    ///
    /// Not with a half-fee month under a waiver: the half fee comes last (fee-case.md step 4),
    /// after the burden is shared, so a single parent's smaller regular fees can move burden
    /// onto the child whose fee is not halved (proptest found: 23.36 € against 23.10 €).
    #[test]
    fn a_single_parent_never_pays_more(case in family()) {
        let mut two = case.clone();
        two["family"]["single_parent"] = json!(false);
        two["family"].as_object_mut().unwrap().remove("changes");
        if case.get("waiver").is_some() {
            for child in two["children"].as_array_mut().unwrap() {
                child["half_fee_exception"] = json!(false);
            }
        }
        let mut single = two.clone();
        single["family"]["single_parent"] = json!(true);
        let rounding = if case["waiver"]["allocation"] == json!("proportional") {
            Decimal::new(case["children"].as_array().unwrap().len() as i64, 2)
        } else {
            Decimal::ZERO
        };
        let (two, single) = (compute(&two), compute(&single));
        for (t, s) in totals(&two).iter().zip(totals(&single)) {
            prop_assert!(s <= *t + rounding, "{} > {}", s, t);
        }
        if case.get("waiver").is_none() {
            for (t, s) in fees(&two).iter().zip(fees(&single)) {
                prop_assert!(s.2 <= t.2, "{} {}: {} > {}", s.0, s.1, s.2, t.2);
            }
        }
    }

    /// Adding a younger Zählkind never raises an older child's fee.
    #[test]
    fn a_younger_sibling_never_raises_a_fee(case in family(), tier in 0..6usize) {
        let before = compute(&case);
        let mut with = case.clone();
        with["children"].as_array_mut().unwrap().push(json!({
            "id": "newborn", "birth_date": "2013-01-01", "care_type": "krippe",
            "daily_hours": DAY_TIERS[tier], "status": "regular"
        }));
        let after = compute(&with);
        for (m, id, fee) in fees(&before) {
            let now = amount(&after["months"][m.as_str()]["children"][id.as_str()]["fee"]);
            prop_assert!(now <= fee, "{} {}: {} → {}", m, id, fee, now);
        }
    }

    /// The half-fee exception never raises a fee.
    #[test]
    fn the_half_fee_never_raises_a_fee(case in family()) {
        let mut none = case.clone();
        let mut all = case.clone();
        for (n, a) in none["children"].as_array_mut().unwrap().iter_mut()
            .zip(all["children"].as_array_mut().unwrap()) {
            n["half_fee_exception"] = json!(false);
            a["half_fee_exception"] = json!(true);
        }
        let (full, half) = (compute(&none), compute(&all));
        for (f, h) in fees(&full).iter().zip(fees(&half)) {
            prop_assert!(h.2 <= f.2);
        }
    }
}
