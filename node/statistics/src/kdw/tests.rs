//! The check against the format's example and every check's branches. `L…` are lines of seed
//! 002.

use super::*;
use serde_json::{json, Value};

/// The case of kdw-case.md.
pub(super) fn case() -> Value {
    json!({ "format": CASE_FORMAT, "reference_date": "2024-03-01", "export_staff": true,
      "facility": { "name": "Kita Sternschnuppe", "state": "Baden-Württemberg", "more_than_one_lead": false,
        "extra_fields": { "einrichtungsnummer": "E-204", "interaktionsentwicklung": "ja",
          "konzeptionsentwicklung": "nein", "leitungszeit_umgesetzt": "ja",
          "stala_einrichtungsnummer": "0831150117", "teamentwicklung": "ja",
          "ueberzaehlige_gruppen": "0", "woechentliche_oeffnungszeit": "47.5" } },
      "care_forms": [ { "id": "TZ305", "name": "Teilzeit", "kind": "kindergarten",
                        "weekly_hours": "30.5", "days_per_week": 5 } ],
      "groups": [ { "id": "G5", "name": "Igel", "status": "aktiv", "max_size": 22 } ],
      "children": [ child("C1") ],
      "staff": [ lead("P1") ] })
}

pub(super) fn child(id: &str) -> Value {
    json!({ "id": id, "sex": "female", "birth_date": "2020-02-10",
      "contract_from": "2022-08-15", "contract_until": null, "care_form": "TZ305",
      "groups": [ { "group": "G5", "weekly_hours": "30.5" } ], "school_grade": null,
      "features": { "lunch": true, "weekend_care": false } })
}

fn lead(id: &str) -> Value {
    json!({ "id": id, "sex": "male", "birth_date": "1978-11-03",
      "activity": "einrichtungsleitung", "domestic_technical": false, "training_key": "5010",
      "pia": false, "mps_anrechnung": null, "nachqualifikation": null, "leitung_aufgrund_von": null,
      "erste_ansprechperson": null, "weekly_hours": "38.5", "working_days": 5,
      "work_areas": [ { "area": "4", "weekly_hours": "30" }, { "area": "9", "weekly_hours": "8.5" } ] })
}

fn run(case: &Value) -> (u8, Value) {
    let out = case_output(&case.to_string(), true);
    assert!(out.stderr.is_empty(), "{}", out.stderr);
    (
        out.exit_code,
        serde_json::from_str(&out.stdout).expect("stdout is JSON"),
    )
}

/// The errors as `(record, code, field)`; asserts exit 1 and no export.
fn errors(case: &Value) -> Vec<(String, String, Option<String>)> {
    let (code, result) = run(case);
    assert_eq!(code, 1, "{result}");
    assert_eq!(result["valid"], json!(false));
    assert_eq!(result["export"], Value::Null);
    result["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            assert!(e["message"].as_str().is_some_and(|m| !m.is_empty()));
            (
                e["record"].as_str().unwrap().to_owned(),
                e["code"].as_str().unwrap().to_owned(),
                e.get("field").map(|f| f.as_str().unwrap().to_owned()),
            )
        })
        .collect()
}

fn err(record: &str, code: &str) -> (String, String, Option<String>) {
    (record.to_owned(), code.to_owned(), None)
}

/// Asserts a valid case and returns its export.
fn export(case: &Value) -> Value {
    let (code, result) = run(case);
    assert_eq!(code, 0, "{result}");
    assert_eq!(result["valid"], json!(true));
    assert_eq!(result["errors"], json!([]));
    result["export"].clone()
}

fn refused(case: &Value, field: &str) {
    let out = case_output(&case.to_string(), true);
    assert_eq!(out.exit_code, 2, "{case}");
    assert!(out.stdout.is_empty());
    assert!(
        out.stderr.contains(field),
        "{:?} does not name {field}",
        out.stderr
    );
}

#[test]
fn the_formats_example_is_valid_and_exported() {
    let (code, result) = run(&case());
    assert_eq!(code, 0);
    assert_eq!(
        result,
        json!({ "format": "kitanetz-kdw-result/1", "valid": true, "errors": [], "export": {
          "reference_date": "2024-03-01",
          "facility": { "einrichtungsnummer": "E-204", "interaktionsentwicklung": "ja",
            "konzeptionsentwicklung": "nein", "leitungszeit_umgesetzt": "ja",
            "stala_einrichtungsnummer": "0831150117", "teamentwicklung": "ja",
            "ueberzaehlige_gruppen": "0", "woechentliche_oeffnungszeit": "47.5" },
          "groups": [ { "id": "G5", "name": "Igel", "status": "aktiv", "max_size": 22 } ],
          "children": [ { "id": "C1", "sex": "2", "birth_month": 2, "birth_year": 2020,
              "in_facility_since_month": 8, "in_facility_since_year": 2022, "group": "G5",
              "weekly_hours": 31, "days_per_week": 5, "school_grade": null, "weekend_care": false,
              "midday_break": false, "lunch": true, "foreign_origin": false, "non_german_language": false,
              "integration_physical": false, "integration_mental": false, "integration_emotional": false,
              "educational_help": false } ],
          "staff": [ { "id": "P1", "sex": "1", "birth_month": 11, "birth_year": 1978,
              "domestic_technical": false, "training_key": "5010", "mps_anrechnung": null,
              "weekly_hours": "38.5", "working_days": 5,
              "work_areas": [ { "area": "4", "weekly_hours": "30.0" }, { "area": "9", "weekly_hours": "8.5" } ] } ] } })
    );
}

#[test]
fn the_state_must_be_baden_wuerttemberg() {
    let mut c = case();
    c["facility"]["state"] = json!("Sachsen");
    assert_eq!(errors(&c), vec![err("facility", "facility_state_not_bw")]);
    c["facility"]["state"] = Value::Null;
    assert_eq!(errors(&c), vec![err("facility", "facility_state_not_bw")]);
    // The same name with a decomposed ü and surrounding blanks.
    c["facility"]["state"] = json!(" Baden-Wu\u{308}rttemberg ");
    export(&c);
}

#[test]
fn every_extra_field_must_be_filled_and_the_stala_number_numeric() {
    let mut c = case();
    c["facility"]["extra_fields"]["teamentwicklung"] = json!("   ");
    c["facility"]["extra_fields"]
        .as_object_mut()
        .unwrap()
        .remove("einrichtungsnummer");
    c["facility"]["extra_fields"]["stala_einrichtungsnummer"] = json!("08311-50117");
    let field = |code: &str, field: &str| {
        (
            "facility".to_owned(),
            code.to_owned(),
            Some(field.to_owned()),
        )
    };
    assert_eq!(
        errors(&c),
        vec![
            field("facility_field_missing", "einrichtungsnummer"),
            field("facility_field_missing", "teamentwicklung"),
            field("facility_field_not_numeric", "stala_einrichtungsnummer"),
        ]
    );
    // A number is numeric; an empty number field is missing, not also non-numeric.
    c = case();
    c["facility"]["extra_fields"]["stala_einrichtungsnummer"] = json!(831150117);
    c["facility"]["extra_fields"]["ueberzaehlige_gruppen"] = json!(0);
    assert_eq!(export(&c)["facility"]["ueberzaehlige_gruppen"], json!(0));
    c["facility"]["extra_fields"]["stala_einrichtungsnummer"] = json!("");
    assert_eq!(
        errors(&c),
        vec![field("facility_field_missing", "stala_einrichtungsnummer")]
    );
    // No facility at all: the state and all eight fields.
    c = case();
    c.as_object_mut().unwrap().remove("facility");
    let all = errors(&c);
    assert_eq!(all.len(), 9);
    assert_eq!(all[8], err("facility", "facility_state_not_bw"));
}

#[test]
fn a_care_form_needs_hours_and_days_once_however_many_children_use_it() {
    let mut c = case();
    c["children"] = json!([child("C1"), child("C2")]);
    c["care_forms"][0]["weekly_hours"] = json!(" ");
    assert_eq!(
        errors(&c),
        vec![err("care_form:TZ305", "care_form_incomplete")]
    );
    c["care_forms"][0]["weekly_hours"] = json!("30.5");
    c["care_forms"][0]
        .as_object_mut()
        .unwrap()
        .remove("days_per_week");
    assert_eq!(
        errors(&c),
        vec![err("care_form:TZ305", "care_form_incomplete")]
    );
    // An incomplete form no exported child uses is not checked.
    let mut c = case();
    c["care_forms"]
        .as_array_mut()
        .unwrap()
        .push(json!({ "id": "UNUSED", "kind": "hort" }));
    export(&c);
}

#[test]
fn a_child_needs_a_known_care_form() {
    let mut c = case();
    c["children"] = json!([child("C1"), child("C2")]);
    c["children"][0]["care_form"] = Value::Null;
    c["children"][1]["care_form"] = json!("VZ");
    assert_eq!(
        errors(&c),
        vec![
            err("child:C1", "child_without_care_form"),
            err("child:C2", "child_without_care_form")
        ]
    );
}

#[test]
fn a_child_needs_a_known_group_and_gets_at_most_one_group_error() {
    let mut c = case();
    c["children"] = json!([child("C1"), child("C2"), child("C3")]);
    c["children"][0]["groups"] = json!([]);
    // Unknown and tied at once: one error only.
    c["children"][1]["groups"] = json!([{ "group": "G9", "weekly_hours": "10" },
                                         { "group": "G5", "weekly_hours": "10" }]);
    c["children"][2].as_object_mut().unwrap().remove("groups");
    assert_eq!(
        errors(&c),
        vec![
            err("child:C1", "child_without_group"),
            err("child:C2", "child_without_group"),
            err("child:C3", "child_without_group"),
        ]
    );
}

#[test]
fn among_several_groups_the_one_with_most_hours_is_the_main_group() {
    let mut c = case();
    c["groups"] = json!([{ "id": "G5", "name": "Igel" }, { "id": "G1", "name": "Bären" }]);
    c["children"][0]["groups"] = json!([{ "group": "G5", "weekly_hours": "10" },
                                         { "group": "G1", "weekly_hours": "20.5" }]);
    let e = export(&c);
    assert_eq!(e["children"][0]["group"], json!("G1"));
    // With the full contracted hours of the care form (L45), not the group's share.
    assert_eq!(e["children"][0]["weekly_hours"], json!(31));
    // Groups are exported sorted by id, missing values as null.
    assert_eq!(
        e["groups"][0],
        json!({ "id": "G1", "name": "Bären", "status": null, "max_size": null })
    );

    c["children"][0]["groups"][1]["weekly_hours"] = json!("10.0");
    assert_eq!(
        errors(&c),
        vec![err("child:C1", "child_main_group_ambiguous")]
    );
    c["children"][0]["groups"][1]["weekly_hours"] = Value::Null;
    assert_eq!(
        errors(&c),
        vec![err("child:C1", "child_main_group_ambiguous")]
    );
    // One group needs no hours; a group id alone is accepted.
    c["children"][0]["groups"] = json!(["G5"]);
    assert_eq!(export(&c)["children"][0]["group"], json!("G5"));
}

#[test]
fn hort_children_need_a_school_and_school_children_no_midday_break() {
    let mut c = case();
    c["care_forms"][0]["kind"] = json!("hort");
    assert_eq!(
        errors(&c),
        vec![err("child:C1", "hort_child_without_school")]
    );
    c["children"][0]["school_grade"] = json!(" ");
    assert_eq!(
        errors(&c),
        vec![err("child:C1", "hort_child_without_school")]
    );
    c["children"][0]["school_grade"] = json!(2);
    assert_eq!(export(&c)["children"][0]["school_grade"], json!(2));
    c["children"][0]["features"]["midday_break"] = json!(true);
    assert_eq!(
        errors(&c),
        vec![err("child:C1", "midday_break_for_school_child")]
    );
    // Without school the midday break is fine.
    let mut c = case();
    c["children"][0]["features"]["midday_break"] = json!(true);
    assert_eq!(export(&c)["children"][0]["midday_break"], json!(true));
}

#[test]
fn sex_seven_exists_from_berichtsjahr_2017() {
    let mut c = case();
    c["reference_date"] = json!("2016-03-01");
    c["children"][0]["contract_from"] = json!("2015-08-15");
    c["children"][0]["sex"] = json!("unspecified");
    c["staff"][0]["sex"] = json!("unspecified");
    assert_eq!(
        errors(&c),
        vec![
            err("child:C1", "sex_unspecified_before_2017"),
            err("staff:P1", "sex_unspecified_before_2017")
        ]
    );
    c["reference_date"] = json!("2017-03-01");
    let e = export(&c);
    assert_eq!(e["children"][0]["sex"], json!("7"));
    assert_eq!(e["staff"][0]["sex"], json!("7"));
}

#[test]
fn only_children_with_a_running_contract_on_the_stichdatum_are_checked_and_exported() {
    let mut c = case();
    let mut gone = child("GONE");
    gone["contract_until"] = json!("2024-02-29");
    gone["care_form"] = Value::Null;
    let mut future = child("FUTURE");
    future["contract_from"] = json!("2024-03-02");
    future["groups"] = json!([]);
    let mut last_day = child("LAST");
    last_day["contract_until"] = json!("2024-03-01");
    let mut first_day = child("FIRST");
    first_day["contract_from"] = json!("2024-03-01");
    c["children"] = json!([gone, future, last_day, first_day, child("C1")]);
    let ids: Vec<Value> = export(&c)["children"]
        .as_array()
        .unwrap()
        .iter()
        .map(|ch| ch["id"].clone())
        .collect();
    assert_eq!(ids, vec![json!("C1"), json!("FIRST"), json!("LAST")]);
}

/// L48: "36,5 Stunden … KAUFMÄNNISCH gerundet … 37 Stunden".
#[test]
fn weekly_hours_are_whole_hours_rounded_half_up() {
    let mut c = case();
    for (given, whole) in [
        ("36.5", 37),
        ("36.49", 36),
        ("40", 40),
        ("0.5", 1),
        ("999999999999.5", 1_000_000_000_000_u64),
    ] {
        c["care_forms"][0]["weekly_hours"] = json!(given);
        assert_eq!(
            export(&c)["children"][0]["weekly_hours"],
            json!(whole),
            "{given}"
        );
    }
    c["care_forms"][0]["days_per_week"] = json!(4);
    assert_eq!(export(&c)["children"][0]["days_per_week"], json!(4));
}

#[test]
fn staff_is_checked_and_exported_only_with_the_mandant_option() {
    let mut c = case();
    c["staff"][0]["weekly_hours"] = Value::Null;
    c["export_staff"] = json!(false);
    assert_eq!(export(&c)["staff"], Value::Null);
    c.as_object_mut().unwrap().remove("export_staff");
    assert_eq!(export(&c)["staff"], Value::Null);
    c["export_staff"] = json!(true);
    assert_eq!(errors(&c), vec![err("staff:P1", "staff_hours_missing")]);
    c["staff"][0]["weekly_hours"] = json!("38.5");
    c["staff"][0]["working_days"] = json!("");
    assert_eq!(errors(&c), vec![err("staff:P1", "staff_hours_missing")]);
}

#[test]
fn mps_anrechnung_is_required_for_some_keys_and_pia_and_limited_for_two() {
    let mut c = case();
    let staff = |key: &str, pia: bool, mps: Value| {
        let mut s = lead(&format!("{key}-{pia}-{mps}"));
        s["training_key"] = json!(key);
        s["pia"] = json!(pia);
        s["mps_anrechnung"] = mps;
        s
    };
    c["staff"] = json!([
        staff("5015", false, Value::Null),
        staff("5021", false, Value::Null),
        staff("5023", false, json!(" ")),
        staff("5010", true, Value::Null),
        staff("5021", false, json!("20.5")),
        staff("5023", false, json!(41)),
    ]);
    assert_eq!(
        errors(&c),
        vec![
            err("staff:5010-true-null", "mps_missing"),
            err("staff:5015-false-null", "mps_missing"),
            err("staff:5021-false-\"20.5\"", "mps_above_limit"),
            err("staff:5021-false-null", "mps_missing"),
            err("staff:5023-false-\" \"", "mps_missing"),
            err("staff:5023-false-41", "mps_above_limit"),
        ]
    );
    // At the limits, 0 %, and 5015 without a limit.
    c["staff"] = json!([
        staff("5021", false, json!("20")),
        staff("5023", false, json!("40.0")),
        staff("5021", false, json!("0")),
        staff("5015", false, json!("100")),
        staff("5010", true, json!("15")),
    ]);
    let e = export(&c);
    assert_eq!(e["staff"][0]["mps_anrechnung"], json!("15"));
}

#[test]
fn nachqualifikation_for_keys_5400_to_5499() {
    let mut c = case();
    let staff = |key: &str| {
        let mut s = lead(key);
        s["training_key"] = json!(key);
        s
    };
    c["staff"] = json!([staff("5399"), staff("5400"), staff("5499"), staff("5500")]);
    assert_eq!(
        errors(&c),
        vec![
            err("staff:5400", "nachqualifikation_missing"),
            err("staff:5499", "nachqualifikation_missing")
        ]
    );
    c["staff"][1]["nachqualifikation"] = json!("Fachkraft-Nachqualifizierung 2019");
    c["staff"][2]["nachqualifikation"] = json!("ja");
    export(&c);
}

#[test]
fn gruppenleitung_needs_leitung_aufgrund_von() {
    let mut c = case();
    c["staff"][0]["activity"] = json!("gruppenleitung");
    assert_eq!(
        errors(&c),
        vec![err("staff:P1", "leitung_aufgrund_missing")]
    );
    c["staff"][0]["leitung_aufgrund_von"] = json!("Ausbildung");
    export(&c);
    c["staff"][0]["activity"] = json!("other");
    c["staff"][0]["leitung_aufgrund_von"] = Value::Null;
    export(&c);
}

#[test]
fn work_area_hours_must_add_up_exactly() {
    let mut c = case();
    c["staff"][0]["work_areas"][1]["weekly_hours"] = json!("8.4");
    assert_eq!(
        errors(&c),
        vec![err("staff:P1", "work_area_hours_mismatch")]
    );
    c["staff"][0]["work_areas"] = json!([]);
    assert_eq!(
        errors(&c),
        vec![err("staff:P1", "work_area_hours_mismatch")]
    );
    // One area with all hours, written differently: equal by value.
    c["staff"][0]["work_areas"] = json!([{ "area": "4", "weekly_hours": 38.50 }]);
    c["staff"][0]["weekly_hours"] = json!("38.25");
    assert_eq!(
        errors(&c),
        vec![err("staff:P1", "work_area_hours_mismatch")]
    );
    c["staff"][0]["work_areas"][0]["weekly_hours"] = json!("38.250");
    let e = export(&c);
    // One decimal, half up (seed 004 L33431–33433).
    assert_eq!(e["staff"][0]["weekly_hours"], json!("38.3"));
    assert_eq!(
        e["staff"][0]["work_areas"][0]["weekly_hours"],
        json!("38.3")
    );
}

#[test]
fn domestic_staff_need_only_hours_and_days() {
    let mut c = case();
    c["staff"][0] = json!({ "id": "H1", "sex": "female", "birth_date": "1970-01-01",
        "domestic_technical": true, "activity": "gruppenleitung", "training_key": "5021",
        "pia": true, "weekly_hours": "20", "working_days": 4,
        "work_areas": [ { "area": "9", "weekly_hours": "5" } ] });
    let e = export(&c);
    assert_eq!(e["staff"][0]["work_areas"], json!([]));
    assert_eq!(e["staff"][0]["domestic_technical"], json!(true));
    assert_eq!(e["staff"][0]["weekly_hours"], json!("20.0"));
    c["staff"][0]["working_days"] = Value::Null;
    assert_eq!(errors(&c), vec![err("staff:H1", "staff_hours_missing")]);
}

#[test]
fn erste_ansprechperson_with_more_than_one_lead() {
    let mut c = case();
    let mut group_lead = lead("P2");
    group_lead["activity"] = json!("gruppenleitung");
    group_lead["leitung_aufgrund_von"] = json!("Ausbildung");
    c["staff"] = json!([lead("P1"), group_lead]);
    export(&c);
    c["facility"]["more_than_one_lead"] = json!(true);
    assert_eq!(
        errors(&c),
        vec![err("staff:P1", "erste_ansprechperson_missing")]
    );
    c["staff"][0]["erste_ansprechperson"] = json!("vielleicht");
    assert_eq!(
        errors(&c),
        vec![err("staff:P1", "erste_ansprechperson_missing")]
    );
    for answer in ["Ja", "NEIN", " nein "] {
        c["staff"][0]["erste_ansprechperson"] = json!(answer);
        export(&c);
    }
}

#[test]
fn errors_are_sorted_by_record_code_field_and_each_given_once() {
    let mut c = case();
    c["facility"]["state"] = json!("Bayern");
    c["facility"]["extra_fields"]["woechentliche_oeffnungszeit"] = Value::Null;
    c["facility"]["extra_fields"]["einrichtungsnummer"] = Value::Null;
    c["reference_date"] = json!("2016-03-01");
    let mut c10 = child("C10");
    c10["care_form"] = json!("nope");
    c10["sex"] = json!("unspecified");
    let mut c2 = child("C2");
    c2["features"]["midday_break"] = json!(true);
    c2["school_grade"] = json!("1");
    c["children"] = json!([c2, c10]);
    for ch in c["children"].as_array_mut().unwrap() {
        ch["contract_from"] = json!("2015-08-15");
    }
    c["staff"][0]["weekly_hours"] = json!("40");
    c["staff"][0]["activity"] = json!("gruppenleitung");
    let field = |f: &str| Some(f.to_owned());
    assert_eq!(
        errors(&c),
        vec![
            err("child:C10", "child_without_care_form"),
            err("child:C10", "sex_unspecified_before_2017"),
            err("child:C2", "midday_break_for_school_child"),
            (
                "facility".into(),
                "facility_field_missing".into(),
                field("einrichtungsnummer")
            ),
            (
                "facility".into(),
                "facility_field_missing".into(),
                field("woechentliche_oeffnungszeit")
            ),
            err("facility", "facility_state_not_bw"),
            err("staff:P1", "leitung_aufgrund_missing"),
            err("staff:P1", "work_area_hours_mismatch"),
        ]
    );
}

#[test]
fn without_check_the_command_asks_for_check_or_xml() {
    let out = case_output(&case().to_string(), false);
    assert_eq!(out.exit_code, 2);
    assert!(out.stdout.is_empty());
    assert!(out.stderr.contains("--check") && out.stderr.contains("--xml"));
}

#[test]
fn invalid_cases_exit_2_naming_the_field() {
    refused(&json!([]), "must be an object");
    let out = case_output("{", true);
    assert_eq!(out.exit_code, 2);
    assert!(out.stderr.contains("not valid JSON"));
    let with = |edit: &dyn Fn(&mut Value)| {
        let mut c = case();
        edit(&mut c);
        c
    };
    refused(
        &with(&|c| c["format"] = json!("kitanetz-kdw-case/2")),
        "format",
    );
    refused(
        &with(&|c| c["reference_date"] = Value::Null),
        "reference_date",
    );
    refused(&with(&|c| c["export_staff"] = json!("ja")), "export_staff");
    refused(
        &with(&|c| c["facility"]["extra_fields"]["teamentwicklung"] = json!(["ja"])),
        "facility.extra_fields.teamentwicklung",
    );
    refused(
        &with(&|c| c["care_forms"][0]["kind"] = json!("tagespflege")),
        "care_forms[0].kind",
    );
    refused(
        &with(&|c| c["care_forms"][0]["days_per_week"] = json!(8)),
        "care_forms[0].days_per_week",
    );
    refused(
        &with(&|c| c["care_forms"][0]["weekly_hours"] = json!("30,5")),
        "care_forms[0].weekly_hours",
    );
    refused(
        &with(&|c| c["groups"][0]["id"] = Value::Null),
        "groups[0].id",
    );
    refused(
        &with(&|c| c["children"][0]["id"] = json!("")),
        "children[0].id",
    );
    refused(
        &with(&|c| c["children"][0]["sex"] = json!("divers")),
        "children[0].sex",
    );
    refused(
        &with(&|c| c["children"][0]["sex"] = Value::Null),
        "children[0].sex",
    );
    refused(
        &with(&|c| c["children"][0]["birth_date"] = Value::Null),
        "children[0].birth_date",
    );
    refused(
        &with(&|c| c["children"][0]["contract_from"] = Value::Null),
        "children[0].contract_from",
    );
    refused(
        &with(&|c| c["children"][0]["contract_until"] = json!("2022-08-14")),
        "children[0].contract_until",
    );
    refused(
        &with(&|c| c["children"][0]["features"]["lunch"] = json!("yes")),
        "children[0].features.lunch",
    );
    refused(
        &with(&|c| c["children"][0]["groups"][0]["weekly_hours"] = json!("-1")),
        "children[0].groups[0].weekly_hours",
    );
    refused(
        &with(&|c| c["children"][0]["school_grade"] = json!(true)),
        "children[0].school_grade",
    );
    refused(
        &with(&|c| c["children"] = json!([child("C1"), child("C1")])),
        "children[1].id",
    );
    refused(
        &with(&|c| c["staff"][0]["training_key"] = json!("501")),
        "staff[0].training_key",
    );
    refused(
        &with(&|c| c["staff"][0]["activity"] = json!("leitung")),
        "staff[0].activity",
    );
    refused(
        &with(&|c| c["staff"][0]["mps_anrechnung"] = json!("20%")),
        "staff[0].mps_anrechnung",
    );
    refused(
        &with(&|c| c["staff"][0]["birth_date"] = json!("03.11.1978")),
        "staff[0].birth_date",
    );
    refused(
        &with(&|c| {
            c["staff"][0]["work_areas"] = json!([{ "area": "1" }, { "area": "2" }, { "area": "3" }])
        }),
        "staff[0].work_areas",
    );
}
