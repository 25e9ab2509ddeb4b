//! The case reader and the fields it names for the count's refusals.

use super::*;
use serde_json::{json, Value};

/// Five children in G1 and a group lead of G1, as the fixtures' base case.
fn case() -> Value {
    let child = |id: &str| {
        json!({ "id": id, "sex": "female", "birth_date": "2008-05-14",
                "contracts": [ { "start": "2011-08-01", "group": "G1", "weekly_hours": "35",
                                 "days_per_week": 5 } ] })
    };
    let children: Vec<Value> = ["C1", "C2", "C3", "C4", "C5"].map(child).into();
    json!({
        "format": "kitanetz-kjh-case/1", "reference_date": "2012-03-01",
        "facility": { "traeger_art": "08", "rechtsform": "02", "approved_places": 40,
                      "fixed_groups": true,
                      "opening_hours": { "mon": ["07:00-17:00"], "tue": ["07:00-17:00"] } },
        "groups": [ { "id": "G1" } ],
        "children": children,
        "staff": [ { "id": "P1", "sex": "female", "birth_date": "1972-07-01",
                     "contract_start": "2010-01-01", "basis": "employment", "weekly_hours": "39",
                     "pedagogical": { "position": "1", "training_key": "04",
                       "work_areas": [ { "area": "1", "weekly_hours": "39", "group": "G1" } ] } } ]
    })
}

fn refused(case: &Value) -> String {
    let out = case_output(&case.to_string());
    assert_eq!(out.exit_code, crate::EXIT_INVALID_CASE, "{}", out.stdout);
    assert!(out.stdout.is_empty());
    out.stderr
}

#[test]
fn the_base_case_reads_into_the_input_the_count_takes() {
    let input = parse_case(&case().to_string()).unwrap();
    assert_eq!(input.reference_date, d("2012-03-01"));
    assert_eq!(input.facility.traeger_art, TraegerArt::Diakonie);
    assert_eq!(
        input.facility.opening_hours.days[1],
        [span("07:00", "17:00")]
    );
    assert!(
        input.facility.opening_hours.days[2].is_empty(),
        "not named: closed"
    );
    assert_eq!(input.children[4].contracts[0].lunch_days_per_week, 0);
    assert_eq!(
        input.staff[0].role,
        StaffRole::Pedagogical {
            position: Position::Employee,
            training_key: TrainingKey::new(4).unwrap(),
            work_areas: vec![area(WorkArea::Gruppenleitung, "39", Some("G1"))],
        }
    );
    let out = case_output(&case().to_string());
    assert_eq!((out.exit_code, out.stderr.as_str()), (0, ""));
    let result: Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(result["format"], RESULT_FORMAT);
    assert_eq!(result["reference_date"], "2012-03-01");
}

#[test]
fn a_person_is_on_exactly_one_sheet() {
    let mut c = case();
    c["staff"][0].as_object_mut().unwrap().remove("pedagogical");
    assert!(refused(&c).starts_with("invalid case: staff[0].pedagogical: is required"));
    c["staff"][0]["domestic_technical"] = json!({ "external_firm": true });
    let input = parse_case(&c.to_string()).unwrap();
    assert_eq!(
        input.staff[0].role,
        StaffRole::DomesticTechnical {
            external_firm: true
        }
    );
}

#[test]
fn ids_are_unique_and_codes_are_the_forms() {
    let mut c = case();
    c["children"][3]["id"] = json!("C1");
    assert_eq!(
        refused(&c),
        "invalid case: children[3].id: \"C1\" is used twice\n"
    );
    let mut c = case();
    c["facility"]["traeger_art"] = json!("16");
    assert!(
        refused(&c).starts_with("invalid case: facility.traeger_art: \"16\" is not one of 01, 02,")
    );
    let mut c = case();
    c["staff"][0]["pedagogical"]["training_key"] = json!("4");
    assert!(refused(&c).starts_with("invalid case: staff[0].pedagogical.training_key:"));
}

#[test]
fn the_counts_refusals_name_their_fields_one_line_each() {
    let mut c = case();
    // G1 no longer exists: the running contracts and P1's group lead name an unknown group.
    c["groups"] = json!([ { "id": "G2" } ]);
    c["children"].as_array_mut().unwrap().truncate(1);
    c["staff"][0]["weekly_hours"] = Value::Null;
    c["staff"].as_array_mut().unwrap().push(json!({
        "id": "P2", "sex": "male", "birth_date": "1980-01-01", "contract_start": "2011-01-01",
        "basis": "employment", "weekly_hours": "20",
        "pedagogical": { "position": "1", "training_key": "04",
          "work_areas": [ { "area": "9", "weekly_hours": "10" },
                          { "area": "2", "weekly_hours": "10" } ] } }));
    assert_eq!(
        refused(&c),
        "invalid case: children[0].contracts[0].group: child:C1: group G1 is not a group of the facility\n\
         invalid case: staff[0].weekly_hours: staff:P1: no contracted weekly hours and no actual weekly average (L33467-33469)\n\
         invalid case: staff[1].pedagogical.work_areas[1].group: staff:P2: the facility has fixed groups; name the group (L33294-33298, L33420-33423)\n"
    );
    let mut c = case();
    c["groups"] = json!([]);
    assert!(refused(&c)
        .starts_with("invalid case: groups: facility: fixed group structure but no groups"));
}

#[test]
fn a_facility_closed_for_two_years_has_no_stichtag() {
    let mut c = case();
    c["facility"]["closures"] = json!([ { "start": "2009-01-01", "end": null } ]);
    assert!(refused(&c)
        .starts_with("invalid case: facility.closures: facility: closed on every month end"));
}
