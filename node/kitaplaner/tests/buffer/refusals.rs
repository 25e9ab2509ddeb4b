//! §6 and the format: a case that breaks them exits 2 with a message naming the field.

use crate::support::*;
use serde_json::{json, Value};

fn base() -> Value {
    with_lines(world(), vec![line("L1", "GT8", "2021-08-01", None)])
}

/// Applies `change` to `base()` and expects a refusal whose message names `field`.
fn refused_at(field: &str, change: impl FnOnce(&mut Value)) {
    let mut case = base();
    change(&mut case);
    let message = refused(&case);
    assert!(
        message.contains(field),
        "expected the message to name {field:?}: {message}"
    );
}

#[test]
fn not_json_or_not_the_format() {
    let out = kitanetz_kitaplaner::case_output("{ nope");
    assert_eq!(out.exit_code, 2);
    assert!(out.stderr.contains("not valid JSON"));
    refused_at("format", |c| {
        c["format"] = json!("kitanetz-kitaplaner-case/2")
    });
    refused_at("format", |c| {
        c.as_object_mut().unwrap().remove("format");
    });
}

#[test]
fn dates_must_be_valid_and_ordered() {
    refused_at("contracts[0].lines[0].from", |c| {
        c["contracts"][0]["lines"][0]["from"] = json!("2021-02-30")
    });
    refused_at("contracts[0].lines[0].from", |c| {
        c["contracts"][0]["lines"][0]["from"] = json!("1.8.2021")
    });
    refused_at("contracts[0].lines[0].to", |c| {
        c["contracts"][0]["lines"][0]["to"] = json!("2021-07-31")
    });
    refused_at("org_assignments[0].to", |c| {
        c["org_assignments"][0]["to"] = json!("2019-12-31")
    });
    refused_at("child.birth_date", |c| {
        c["child"]["birth_date"] = json!("2020-13-01")
    });
}

#[test]
fn ids_must_be_unique() {
    refused_at("services[1].id", |c| c["services"][1]["id"] = json!("GT8"));
    refused_at("facilities[1].id", |c| {
        c["facilities"][1]["id"] = json!("F1")
    });
    refused_at("contacts[1].id", |c| c["contacts"][1]["id"] = json!("P-1"));
    refused_at("contracts[1].id", |c| {
        c["contracts"]
            .as_array_mut()
            .unwrap()
            .push(json!({"id": "BV-1", "kind_id_extern": "KP-9", "lines": []}))
    });
    // Line ids are unique over all heads.
    refused_at("contracts[1].lines[0].id", |c| {
        c["contracts"].as_array_mut().unwrap().push(
            json!({"id": "BV-2", "kind_id_extern": "KP-9", "lines": [
                line("L1", "HT4", "2022-01-01", None)
            ]}),
        )
    });
    refused_at("org_assignments[1].id", |c| {
        c["org_assignments"]
            .as_array_mut()
            .unwrap()
            .push(json!({"id": "OA1", "facility": "F2", "from": "2010-01-01", "to": "2010-12-31"}))
    });
}

#[test]
fn references_must_resolve() {
    refused_at("contracts[0].lines[0].service", |c| {
        c["contracts"][0]["lines"][0]["service"] = json!("NOPE")
    });
    refused_at("org_assignments[0].facility", |c| {
        c["org_assignments"][0]["facility"] = json!("F9")
    });
    refused_at("contact_assignment.main_contact_2", |c| {
        c["contact_assignment"]["main_contact_2"] = json!("P-9")
    });
}

#[test]
fn filled_external_ids_have_no_surrounding_whitespace() {
    refused_at("contracts[0].kind_id_extern", |c| {
        c["contracts"][0]["kind_id_extern"] = json!("KP-1 ")
    });
    refused_at("facilities[0].kita_id_extern", |c| {
        c["facilities"][0]["kita_id_extern"] = json!(" 0100123")
    });
}

#[test]
fn org_assignments_must_not_overlap() {
    refused_at("org_assignments[1]", |c| {
        c["org_assignments"] = json!([
            {"id": "OA1", "facility": "F1", "from": "2020-01-01", "to": "2022-07-31"},
            {"id": "OA2", "facility": "F2", "from": "2022-07-31", "to": null}
        ])
    });
}

#[test]
fn an_early_discharge_needs_its_date() {
    refused_at("org_assignments[0].to", |c| {
        c["org_assignments"][0]["early_discharge"] = json!(true)
    });
}

#[test]
fn hours_are_non_negative_decimal_strings() {
    refused_at("services[0].daily_hours", |c| {
        c["services"][0]["daily_hours"] = json!(8)
    });
    refused_at("services[0].daily_hours", |c| {
        c["services"][0]["daily_hours"] = json!("-1")
    });
    refused_at("contracts[0].lines[0].daily_hours_override", |c| {
        c["contracts"][0]["lines"][0]["daily_hours_override"] = json!(4.5)
    });
    refused_at("services[0].daily_hours", |c| {
        c["services"][0]["daily_hours"] = Value::Null
    });
}

#[test]
fn the_mapping_needs_one_open_entry_and_integer_ids() {
    refused_at("betreuungszeit_mapping", |c| {
        c["betreuungszeit_mapping"] = json!([{"max_hours": "9", "id": 1}])
    });
    refused_at("betreuungszeit_mapping", |c| {
        c["betreuungszeit_mapping"] =
            json!([{"max_hours": null, "id": 1}, {"max_hours": null, "id": 2}])
    });
    refused_at("betreuungszeit_mapping[0].id", |c| {
        c["betreuungszeit_mapping"] = json!([{"max_hours": null, "id": "6"}])
    });
    refused_at("betreuungszeit_mapping[0].id", |c| {
        c["betreuungszeit_mapping"] = json!([{"max_hours": null, "id": 6.0}])
    });
    refused_at("betreuungszeit_mapping[0].max_hours", |c| {
        c["betreuungszeit_mapping"] =
            json!([{"max_hours": 3, "id": 1}, {"max_hours": null, "id": 2}])
    });
}

/// §6: every row of a contract with a filled id and eligible lines starts inside an org
/// assignment, even when the contract would not export.
#[test]
fn every_row_starts_inside_an_org_assignment() {
    let message = {
        let mut case = base();
        case["org_assignments"][0]["from"] = json!("2021-08-02");
        refused(&case)
    };
    assert!(
        message.contains("2021-08-01") && message.contains("KP-1"),
        "{message}"
    );
    refused_at("org_assignments", |c| {
        c["org_assignments"][0]["facility"] = json!("F-NOID");
        c["org_assignments"][0]["from"] = json!("2021-08-02");
    });
}

/// §6: exportability is never mixed within a contract.
#[test]
fn exportability_is_not_mixed_within_a_contract() {
    let mut case = with_lines(
        world(),
        vec![
            line("L1", "GT8", "2021-08-01", Some("2022-12-31")),
            line("L2", "GT8", "2023-01-01", None),
        ],
    );
    case["org_assignments"] = json!([
        {"id": "OA1", "facility": "F1", "from": "2020-01-01", "to": "2022-12-31"},
        {"id": "OA2", "facility": "F-NOID", "from": "2023-01-01", "to": null}
    ]);
    let message = refused(&case);
    assert!(
        message.contains("F-NOID") && message.contains("F1"),
        "{message}"
    );
}

/// §6: `previous` holds all six parts and the same heads.
#[test]
fn previous_must_be_complete_with_the_same_heads() {
    for part in [
        "child",
        "contacts",
        "contact_assignment",
        "org_assignments",
        "contracts",
        "facilities",
    ] {
        refused_at(&format!("previous.{part}"), |c| {
            let mut previous = crate::rebuild::state_of(c);
            previous.as_object_mut().unwrap().remove(part);
            c["previous"] = previous;
        });
    }
    refused_at("previous.contracts", |c| {
        let mut previous = crate::rebuild::state_of(c);
        previous["contracts"][0]["kind_id_extern"] = json!("KP-OLD");
        c["previous"] = previous;
    });
    refused_at("previous.contracts", |c| {
        let mut previous = crate::rebuild::state_of(c);
        previous["contracts"]
            .as_array_mut()
            .unwrap()
            .push(json!({"id": "BV-0", "kind_id_extern": null, "lines": []}));
        c["previous"] = previous;
    });
    refused_at("previous.contracts[0].lines[0].service", |c| {
        let mut previous = crate::rebuild::state_of(c);
        previous["contracts"][0]["lines"][0]["service"] = json!("GONE");
        c["previous"] = previous;
    });
}
