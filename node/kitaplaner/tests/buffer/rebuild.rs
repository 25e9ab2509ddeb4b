//! R11: a change in one of the seed's six tables (001 line 9) deletes and rebuilds the child's
//! rows; `rebuild` only appears with `previous`.

use crate::support::*;
use serde_json::{json, Value};

/// The six tables of a case, as `previous` holds them.
pub fn state_of(case: &Value) -> Value {
    json!({
        "child": case["child"], "contacts": case["contacts"],
        "contact_assignment": case["contact_assignment"],
        "org_assignments": case["org_assignments"], "contracts": case["contracts"],
        "facilities": case["facilities"]
    })
}

fn base() -> Value {
    with_lines(
        world(),
        vec![
            line("L1", "GT8", "2021-08-01", None),
            line("L2", "E1", "2022-01-01", Some("2022-06-30")),
        ],
    )
}

/// The case `base()` after `change`, with `base()` as its previous state.
fn changed(change: impl FnOnce(&mut Value)) -> Value {
    let previous = state_of(&base());
    let mut case = base();
    change(&mut case);
    case["previous"] = previous;
    run(&case)
}

#[test]
fn without_previous_there_is_no_rebuild() {
    let out = run(&base());
    assert!(out.get("rebuild").is_none());
    let mut case = base();
    case["previous"] = Value::Null;
    assert!(run(&case).get("rebuild").is_none());
}

#[test]
fn an_unchanged_state_needs_no_rebuild() {
    let out = changed(|_| {});
    assert_eq!(
        out["rebuild"],
        json!({"required": false, "changed": [], "deleted": []})
    );
}

/// Lists are compared by id, whatever their order; a missing optional field equals its default.
#[test]
fn order_and_defaults_are_no_change() {
    let out = changed(|case| {
        case["contacts"].as_array_mut().unwrap().reverse();
        case["facilities"].as_array_mut().unwrap().reverse();
        case["contracts"][0]["lines"]
            .as_array_mut()
            .unwrap()
            .reverse();
        let first_line = &mut case["contracts"][0]["lines"][0];
        first_line["cancelled"] = json!(false);
        first_line["daily_hours_override"] = Value::Null;
        case["org_assignments"][0]["early_discharge"] = json!(false);
        case["about"] = json!("edited by hand");
    });
    assert_eq!(out["rebuild"]["required"], json!(false));
}

/// An edit of a case.
type Change = fn(&mut Value);

/// Each table on its own triggers the rebuild and is named in the seed's words.
#[test]
fn each_of_the_six_tables_triggers() {
    let cases: [(&str, Change); 6] = [
        ("Betreuter", |c| {
            c["child"]["address"]["city"] = json!("Flensburg")
        }),
        ("Kontakt", |c| {
            c["contacts"][1]["first_name"] = json!("Lasse")
        }),
        ("Betreuten Kontaktzuordnung", |c| {
            c["contact_assignment"]["main_contact_2"] = Value::Null
        }),
        ("Betreuungsvereinbarungszeile", |c| {
            c["contracts"][0]["lines"][1]["cancelled"] = json!(true)
        }),
        ("Betreuten Org.-Zuordnung", |c| {
            c["org_assignments"][0]["from"] = json!("2019-01-01")
        }),
        // A facility the child does not attend is still part of the table.
        ("Einrichtung", |c| {
            c["facilities"][3]["name"] = json!("Seniorenheim")
        }),
    ];
    for (table, change) in cases {
        let out = changed(change);
        assert_eq!(out["rebuild"]["required"], json!(true), "{table}");
        assert_eq!(out["rebuild"]["changed"], json!([table]), "{table}");
        assert_eq!(
            out["rebuild"]["deleted"],
            run(&base())["rows"],
            "{table}: the previous rows are deleted"
        );
    }
}

/// Several changes are listed in the seed's order, not the case's.
#[test]
fn changed_lists_tables_in_the_seeds_order() {
    let out = changed(|c| {
        c["facilities"][0]["kita_id_extern"] = json!("0100999");
        c["child"]["last_name"] = json!("Jensen-Hansen");
        c["contacts"].as_array_mut().unwrap().pop();
        c["contact_assignment"]["main_contact_2"] = Value::Null;
    });
    assert_eq!(
        out["rebuild"]["changed"],
        json!([
            "Betreuter",
            "Kontakt",
            "Betreuten Kontaktzuordnung",
            "Einrichtung"
        ])
    );
}

/// `deleted` holds the rows of the previous state (by the same rules), not the current ones.
#[test]
fn deleted_rows_come_from_the_previous_state() {
    let out = changed(|c| {
        c["contracts"][0]["lines"] = json!([line("L1", "HT4", "2021-08-01", None)]);
    });
    assert_eq!(out["rebuild"]["deleted"], run(&base())["rows"]);
    assert_eq!(shape(&out), vec![r("KP-1", "2021-08-01", "4", 2, 1, 1)]);
}

/// A previous state that gave no rows (a gap then) deletes nothing even though a rebuild is
/// required; the new rows are written.
#[test]
fn a_previous_gap_deletes_nothing() {
    let mut previous_case = with_lines(
        world(),
        vec![
            line("L1", "GT8", "2021-08-01", Some("2021-12-31")),
            line("L2", "GT8", "2022-02-01", None),
        ],
    );
    let mut case = previous_case.clone();
    case["contracts"][0]["lines"]
        .as_array_mut()
        .unwrap()
        .push(line("L3", "GT8", "2022-01-01", Some("2022-01-31")));
    previous_case["about"] = json!("the gap state");
    case["previous"] = state_of(&previous_case);
    let out = run(&case);
    assert_eq!(out["rebuild"]["required"], json!(true));
    assert_eq!(out["rebuild"]["deleted"], json!([]));
    assert_eq!(rows(&out).len(), 3);
    assert!(errors(&out).is_empty());
}

/// Hours are compared by value: "8" and "8.0" are the same override.
#[test]
fn hours_compare_by_value() {
    let out = changed(|c| {
        c["contracts"][0]["lines"][0]["daily_hours_override"] = json!("8.0");
    });
    assert_eq!(
        out["rebuild"]["changed"],
        json!(["Betreuungsvereinbarungszeile"])
    );
    let previous = {
        let mut p = base();
        p["contracts"][0]["lines"][0]["daily_hours_override"] = json!("8");
        state_of(&p)
    };
    let mut case = base();
    case["contracts"][0]["lines"][0]["daily_hours_override"] = json!("8.00");
    case["previous"] = previous;
    assert_eq!(run(&case)["rebuild"]["required"], json!(false));
}
