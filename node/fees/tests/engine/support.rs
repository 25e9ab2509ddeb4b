//! Small case builders with fixed dates and defaults that a test overrides where it matters.

use serde_json::{json, Value};

/// A resident two-parent family, one month (March 2012), no children yet.
pub fn case() -> Value {
    json!({
        "format": "kitanetz-fee-case/1",
        "statute": "dresden-2011",
        "month": "2012-03",
        "family": { "single_parent": false, "residence_in_city": true },
        "rules": {
            "age_order": "oldest_first",
            "kindergarten_fee_from_completed_months": 36,
            "non_resident_sibling_reduction": true
        },
        "children": []
    })
}

pub fn child(id: &str, birth_date: &str, care_type: &str, hours: &str) -> Value {
    json!({
        "id": id, "birth_date": birth_date, "care_type": care_type, "daily_hours": hours,
        "status": "regular"
    })
}

pub fn with_children(mut case: Value, children: Vec<Value>) -> Value {
    case["children"] = Value::Array(children);
    case
}

/// Computes a case that must succeed; returns the result JSON.
pub fn compute(case: &Value) -> Value {
    let out = kitanetz_fees::case_output(&case.to_string());
    assert!(out.ok, "case refused: {}", out.json);
    out.json
}

/// Computes a case that must be refused; returns the offending field.
pub fn refused_field(case: &Value) -> String {
    let out = kitanetz_fees::case_output(&case.to_string());
    assert!(!out.ok, "case accepted: {}", out.json);
    assert_eq!(out.json["format"], "kitanetz-fee-result/1");
    let message = out.json["error"]["message"].as_str().unwrap_or("");
    assert!(!message.is_empty(), "no message: {}", out.json);
    out.json["error"]["field"]
        .as_str()
        .expect("field")
        .to_owned()
}

/// A child's line of a month.
pub fn line<'a>(result: &'a Value, month: &str, id: &str) -> &'a Value {
    let line = &result["months"][month]["children"][id];
    assert!(line.is_object(), "no {id} in {month}: {result}");
    line
}

pub fn fee(result: &Value, month: &str, id: &str) -> Value {
    line(result, month, id)["fee"].clone()
}

/// Money as the result writes it, compared to a source's German figure ("210,4" = 210.40 €).
pub fn euros(german: &str) -> String {
    let (whole, cents) = german.split_once(',').unwrap_or((german, ""));
    format!("{whole}.{cents:0<2}")
}
