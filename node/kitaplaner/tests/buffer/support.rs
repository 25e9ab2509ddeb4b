//! Small case builders with fixed dates; a test changes only what matters to it.

use serde_json::{json, Value};

/// The format doc's §1 example, verbatim: Mia Petersen, one Ganztag line from 2021-08-01.
pub fn doc_example() -> Value {
    json!({ "format": "kitanetz-kitaplaner-case/1",
      "configured_areas": ["kita"],
      "betreuungszeit_mapping": [{"max_hours": "3", "id": 1}, {"max_hours": "4", "id": 2}, {"max_hours": "5", "id": 3},
        {"max_hours": "6", "id": 4}, {"max_hours": "7", "id": 5}, {"max_hours": "8", "id": 6}, {"max_hours": "9", "id": 7},
        {"max_hours": null, "id": 8}],
      "services":   [{"id": "S-GT8", "name": "Ganztag", "transfer_to_kitaplaner": true, "daily_hours": "8"}],
      "facilities": [{"id": "F1", "name": "Kita Hafenkinder", "area": "kita", "kita_id_extern": "0100123"}],
      "child": {"last_name": "Petersen", "first_name": "Mia", "birth_date": "2019-03-14",
                "address": {"street": "Holstenstraße", "house_number": "12", "postal_code": "24103", "city": "Kiel"}},
      "contacts": [{"id": "P-1", "last_name": "Petersen", "first_name": "Anna", "address": {"street": "…", "house_number": "…", "postal_code": "…", "city": "…"}}],
      "contact_assignment": {"main_contact_1": "P-1", "main_contact_2": null},
      "org_assignments": [{"id": "OA1", "facility": "F1", "from": "2021-08-01", "to": null, "early_discharge": false}],
      "contracts": [{"id": "BV-1", "kind_id_extern": "KP-4711", "lines": [
          {"id": "L1", "service": "S-GT8", "from": "2021-08-01", "to": null, "cancelled": false, "daily_hours_override": null}]}],
      "previous": null })
}

/// A case with more services and a second facility, no mapping (the seed's default), one head
/// `BV-1`/`KP-1` without lines, and one org assignment at F1 from 2020-01-01 on.
pub fn world() -> Value {
    json!({ "format": "kitanetz-kitaplaner-case/1",
      "configured_areas": ["kita"],
      "services": [
        {"id": "GT8", "name": "Ganztag 8 h", "transfer_to_kitaplaner": true, "daily_hours": "8"},
        {"id": "HT4", "name": "Halbtag 4 h", "transfer_to_kitaplaner": true, "daily_hours": "4"},
        {"id": "E1", "name": "Früh 1 h", "transfer_to_kitaplaner": true, "daily_hours": "1"},
        {"id": "E0.5", "name": "Spät 0,5 h", "transfer_to_kitaplaner": true, "daily_hours": "0.5"},
        {"id": "MEAL", "name": "Mittagessen", "transfer_to_kitaplaner": false, "daily_hours": null},
        {"id": "SPORT5", "name": "Sport (not flagged)", "transfer_to_kitaplaner": false, "daily_hours": "5"}
      ],
      "facilities": [
        {"id": "F1", "name": "Kita Hafenkinder", "area": "kita", "kita_id_extern": "0100123"},
        {"id": "F2", "name": "Kita Förde", "area": "kita", "kita_id_extern": "0100456"},
        {"id": "F-NOID", "name": "Kita ohne Planer", "area": "kita", "kita_id_extern": null},
        {"id": "F-ALT", "name": "Altenhilfe", "area": "altenhilfe", "kita_id_extern": "0900001"}
      ],
      "child": {"last_name": "Jensen", "first_name": "Ole", "birth_date": "2020-05-02",
                "address": {"street": "Dorfstraße", "house_number": "3a", "postal_code": "24837", "city": "Schleswig"}},
      "contacts": [
        {"id": "P-1", "last_name": "Jensen", "first_name": "Frauke",
         "address": {"street": "Dorfstraße", "house_number": "3a", "postal_code": "24837", "city": "Schleswig"}},
        {"id": "P-2", "last_name": "Hansen", "first_name": "Lars",
         "address": {"street": null, "house_number": null, "postal_code": "24103", "city": "Kiel"}}
      ],
      "contact_assignment": {"main_contact_1": "P-1", "main_contact_2": "P-2"},
      "org_assignments": [{"id": "OA1", "facility": "F1", "from": "2020-01-01", "to": null}],
      "contracts": [{"id": "BV-1", "kind_id_extern": "KP-1", "lines": []}] })
}

/// A contract line.
pub fn line(id: &str, service: &str, from: &str, to: Option<&str>) -> Value {
    json!({"id": id, "service": service, "from": from, "to": to})
}

/// `line` with an hours override.
pub fn line_with_override(
    id: &str,
    service: &str,
    from: &str,
    to: Option<&str>,
    hours: &str,
) -> Value {
    let mut l = line(id, service, from, to);
    l["daily_hours_override"] = json!(hours);
    l
}

/// `case` with the lines of head `BV-1`.
pub fn with_lines(mut case: Value, lines: Vec<Value>) -> Value {
    case["contracts"][0]["lines"] = Value::Array(lines);
    case
}

/// Runs a case that must be computed (exit 0, empty stderr); returns the output JSON.
pub fn run(case: &Value) -> Value {
    let out = kitanetz_kitaplaner::case_output(&case.to_string());
    assert_eq!(out.exit_code, 0, "refused: {}", out.stderr);
    assert!(out.stderr.is_empty());
    let json: Value = serde_json::from_str(&out.stdout).expect("stdout is JSON");
    assert_eq!(json["format"], "kitanetz-kitaplaner-buffer/1");
    json
}

/// Runs a case that must be refused (exit 2, nothing on stdout); returns stderr.
pub fn refused(case: &Value) -> String {
    let out = kitanetz_kitaplaner::case_output(&case.to_string());
    assert_eq!(out.exit_code, 2, "accepted: {}", out.stdout);
    assert!(out.stdout.is_empty());
    assert!(!out.stderr.trim().is_empty());
    out.stderr
}

pub fn rows(out: &Value) -> &Vec<Value> {
    out["rows"].as_array().expect("rows")
}

pub fn errors(out: &Value) -> &Vec<Value> {
    out["errors"].as_array().expect("errors")
}

/// Each row as `(KIND_ID_EXTERN, VER_VERTRAG_AB, BETREUUNGSSTUNDEN, BETREUUNGSZEIT_ID, index,
/// total)`, for compact assertions.
pub fn shape(out: &Value) -> Vec<(String, String, String, i64, i64, i64)> {
    rows(out)
        .iter()
        .map(|r| {
            (
                r["KIND_ID_EXTERN"].as_str().unwrap().to_owned(),
                r["VER_VERTRAG_AB"].as_str().unwrap().to_owned(),
                r["BETREUUNGSSTUNDEN"].as_str().unwrap().to_owned(),
                r["BETREUUNGSZEIT_ID"].as_i64().expect("integer id"),
                r["VER_AENDERUNGEN_INDEX"].as_i64().expect("integer index"),
                r["VER_AENDERUNGEN_GESAMT"].as_i64().expect("integer total"),
            )
        })
        .collect()
}

/// Builds an expected `shape` row.
pub fn r(
    kind: &str,
    from: &str,
    hours: &str,
    id: i64,
    index: i64,
    total: i64,
) -> (String, String, String, i64, i64, i64) {
    (
        kind.to_owned(),
        from.to_owned(),
        hours.to_owned(),
        id,
        index,
        total,
    )
}

/// A care-gap error as the output writes it.
pub fn gap(kind: &str, from: &str, to: &str) -> Value {
    json!({"error": "care_gap", "KIND_ID_EXTERN": kind, "gap_from": from, "gap_to": to})
}

pub use kitanetz_kitaplaner::COLUMNS;
