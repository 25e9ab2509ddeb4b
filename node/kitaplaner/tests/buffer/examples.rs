//! Every worked example of `kitaplaner-case.md` and seed 001.

use crate::support::*;
use serde_json::{json, Value};

/// §1's case gives one row: 8 h Ganztag → "bis 8h" (6), all master data copied unchanged.
#[test]
fn the_format_docs_case_gives_one_full_row() {
    let out = run(&doc_example());
    assert_eq!(
        out,
        json!({
            "format": "kitanetz-kitaplaner-buffer/1",
            "rows": [{
                "KIND_ID_EXTERN": "KP-4711", "KITA_ID_EXTERN": "0100123", "STATUS": "NEUVERTRAG",
                "VER_VERTRAG_AB": "2021-08-01", "VER_KUENDIGUNG": null,
                "VER_AENDERUNGEN_INDEX": 1, "VER_AENDERUNGEN_GESAMT": 1,
                "BETREUUNGSZEIT_ID": 6, "BETREUUNGSSTUNDEN": "8",
                "NEUANLAGE_ERLAUBT": "n", "EXPORT_STATUS": "Eingefügt",
                "KIND_NACHNAME": "Petersen", "KIND_VORNAME": "Mia", "KIND_GEBDATUM": "2019-03-14",
                "KIND_STRASSE": "Holstenstraße", "KIND_HAUSNUMMER": "12", "KIND_POSTLEITZAHL": "24103",
                "KIND_ORT": "Kiel",
                "SB1_NACHNAME": "Petersen", "SB1_VORNAME": "Anna", "SB1_STRASSE": "…",
                "SB1_HAUSNUMMER": "…", "SB1_POSTLEITZAHL": "…", "SB1_ORT": "…",
                "SB2_NACHNAME": null, "SB2_VORNAME": null, "SB2_STRASSE": null,
                "SB2_HAUSNUMMER": null, "SB2_POSTLEITZAHL": null, "SB2_ORT": null
            }],
            "errors": []
        })
    );
}

/// §1: without `betreuungszeit_mapping` the seed's table applies, so the output is the same.
#[test]
fn the_default_mapping_is_the_seeds_table() {
    let mut case = doc_example();
    case.as_object_mut()
        .unwrap()
        .remove("betreuungszeit_mapping");
    assert_eq!(run(&case), run(&doc_example()));
    case["betreuungszeit_mapping"] = Value::Null;
    assert_eq!(run(&case), run(&doc_example()));
}

/// R4: "With the default table, 3.0→1, 9.0→7 and 9.01→8" (seed 001 lines 21–35: "bis 3h" …
/// "über 9h").
#[test]
fn r4_examples_3_0_and_9_0_and_9_01() {
    for (hours, id) in [("3.0", 1), ("9.0", 7), ("9.01", 8)] {
        let case = with_lines(
            world(),
            vec![line_with_override("L1", "GT8", "2022-08-01", None, hours)],
        );
        let out = run(&case);
        assert_eq!(rows(&out)[0]["BETREUUNGSZEIT_ID"], json!(id), "{hours} h");
        let written: rust_decimal::Decimal = rows(&out)[0]["BETREUUNGSSTUNDEN"]
            .as_str()
            .unwrap()
            .parse()
            .unwrap();
        assert_eq!(written, hours.parse().unwrap(), "{hours} h by value");
    }
}

/// The same sums reached by adding lines, as seed 001 line 37 describes ("aus mehreren
/// Leistungen … zusammen addiert").
#[test]
fn r4_examples_as_sums_of_lines() {
    let case = with_lines(
        world(),
        vec![
            line("L1", "GT8", "2022-08-01", None),
            line_with_override("L2", "E1", "2022-09-01", None, "0.01"),
            line("L3", "E1", "2022-10-01", None),
        ],
    );
    // 8 → 6; 8 + 0.01 = 8.01 → 7; 8 + 0.01 + 1 = 9.01 → 8.
    assert_eq!(
        shape(&run(&case)),
        vec![
            r("KP-1", "2022-08-01", "8", 6, 1, 3),
            r("KP-1", "2022-09-01", "8.01", 7, 2, 3),
            r("KP-1", "2022-10-01", "9.01", 8, 3, 3),
        ]
    );
}

/// §3's error example: KP-13-EL lapses in August 2023 and resumes in September.
#[test]
fn the_format_docs_care_gap_example() {
    let mut case = world();
    case["contracts"][0]["kind_id_extern"] = json!("KP-13-EL");
    let case = with_lines(
        case,
        vec![
            line("L1", "GT8", "2021-08-01", Some("2023-07-31")),
            line("L2", "GT8", "2023-09-01", None),
        ],
    );
    let out = run(&case);
    assert_eq!(rows(&out), &Vec::<Value>::new());
    assert_eq!(
        errors(&out),
        &vec![gap("KP-13-EL", "2023-08-01", "2023-08-31")]
    );
}

/// §3's rebuild example: only a contact changed → `changed: ["Kontakt"]`, the old rows deleted.
#[test]
fn the_format_docs_rebuild_example_a_contact_changed() {
    let mut case = doc_example();
    let mut previous = json!({
        "child": case["child"], "contacts": case["contacts"],
        "contact_assignment": case["contact_assignment"],
        "org_assignments": case["org_assignments"], "contracts": case["contracts"],
        "facilities": case["facilities"]
    });
    previous["contacts"][0]["last_name"] = json!("Petersen-Lund");
    case["previous"] = previous;
    let out = run(&case);
    assert_eq!(out["rebuild"]["required"], json!(true));
    assert_eq!(out["rebuild"]["changed"], json!(["Kontakt"]));
    let deleted = out["rebuild"]["deleted"].as_array().unwrap();
    assert_eq!(deleted.len(), 1);
    assert_eq!(deleted[0]["SB1_NACHNAME"], json!("Petersen-Lund"));
    assert_eq!(rows(&out)[0]["SB1_NACHNAME"], json!("Petersen"));
}

/// R11: "This holds even when the new rows are identical to the old ones, for example after
/// adding an unflagged line."
#[test]
fn r11_example_adding_an_unflagged_line_rebuilds_identical_rows() {
    let previous_case = with_lines(world(), vec![line("L1", "GT8", "2022-08-01", None)]);
    let mut case = with_lines(
        world(),
        vec![
            line("L1", "GT8", "2022-08-01", None),
            line("L2", "MEAL", "2022-08-01", None),
        ],
    );
    case["previous"] = crate::rebuild::state_of(&previous_case);
    let out = run(&case);
    assert_eq!(out["rebuild"]["required"], json!(true));
    assert_eq!(
        out["rebuild"]["changed"],
        json!(["Betreuungsvereinbarungszeile"])
    );
    assert_eq!(&out["rebuild"]["deleted"], &out["rows"]);
    assert_eq!(rows(&out).len(), 1);
}
