//! One test or more per rule branch of `kitaplaner-case.md` §2 (R1–R10) and §4.

use crate::support::*;
use serde_json::{json, Value};

fn none() -> Vec<Value> {
    Vec::new()
}

// ---- R1 eligible lines -------------------------------------------------------------------

/// "Ungültige bzw. stornierte Zeilen werden somit nicht übergeben" (seed 001 line 15): a cancelled
/// line starts no row, cuts no row and adds no hours.
#[test]
fn r1_a_cancelled_line_is_ignored_completely() {
    let mut cancelled = line("L2", "E1", "2022-09-01", Some("2022-09-30"));
    cancelled["cancelled"] = json!(true);
    let case = with_lines(
        world(),
        vec![line("L1", "GT8", "2022-08-01", None), cancelled],
    );
    assert_eq!(
        shape(&run(&case)),
        vec![r("KP-1", "2022-08-01", "8", 6, 1, 1)]
    );
}

/// "Nur wenn dieses Feld = Ja gesetzt ist" (seed 001 line 37): an unflagged service, even one
/// with hours, neither adds hours nor cuts.
#[test]
fn r1_an_unflagged_service_is_ignored_completely() {
    let case = with_lines(
        world(),
        vec![
            line("L1", "GT8", "2022-08-01", None),
            line("L2", "SPORT5", "2022-09-01", Some("2022-09-30")),
            line("L3", "MEAL", "2022-10-01", None),
        ],
    );
    assert_eq!(
        shape(&run(&case)),
        vec![r("KP-1", "2022-08-01", "8", 6, 1, 1)]
    );
}

/// An ineligible line bridges no gap: the gap is still reported.
#[test]
fn r1_ineligible_lines_bridge_no_gap() {
    let mut cancelled = line("L3", "GT8", "2022-12-01", Some("2022-12-31"));
    cancelled["cancelled"] = json!(true);
    let case = with_lines(
        world(),
        vec![
            line("L1", "GT8", "2022-08-01", Some("2022-10-31")),
            line("L2", "SPORT5", "2022-11-01", Some("2022-11-30")),
            cancelled,
            line("L4", "GT8", "2023-01-01", None),
        ],
    );
    let out = run(&case);
    assert!(rows(&out).is_empty());
    assert_eq!(errors(&out), &vec![gap("KP-1", "2022-11-01", "2022-12-31")]);
}

/// "Datensätze werden erst erzeugt, sofern es abrechnungsrelevante Vertragsdaten … gibt" (seed 001
/// line 13): only cancelled or unflagged lines give nothing.
#[test]
fn r2_a_contract_without_eligible_lines_gives_nothing() {
    let mut cancelled = line("L1", "GT8", "2022-08-01", None);
    cancelled["cancelled"] = json!(true);
    for lines in [
        none(),
        vec![cancelled, line("L2", "MEAL", "2022-08-01", None)],
    ] {
        let out = run(&with_lines(world(), lines));
        assert!(rows(&out).is_empty());
        assert!(errors(&out).is_empty());
    }
}

// ---- R2 contract -------------------------------------------------------------------------

/// Heads with the same KIND_ID_EXTERN form one contract: one index series, and a line of one
/// head closes the other head's gap.
#[test]
fn r2_heads_sharing_a_kind_id_form_one_contract() {
    let mut case = with_lines(
        world(),
        vec![line("L1", "GT8", "2022-08-01", Some("2023-07-31"))],
    );
    case["contracts"].as_array_mut().unwrap().push(
        json!({"id": "BV-2", "kind_id_extern": "KP-1", "lines": [
            line("L2", "HT4", "2023-08-01", None)
        ]}),
    );
    assert_eq!(
        shape(&run(&case)),
        vec![
            r("KP-1", "2022-08-01", "8", 6, 1, 2),
            r("KP-1", "2023-08-01", "4", 2, 2, 2),
        ]
    );
}

/// "Nur bei Kombination aus gefüllter KITA_ID_EXTERN und KIND_ID_EXTERN" (seed 001 line 11):
/// `null`, `""` and blanks give no rows and no error, a gap included.
#[test]
fn r2_an_unfilled_kind_id_gives_no_rows_and_no_error() {
    for kind in [Value::Null, json!(""), json!("   ")] {
        let mut case = with_lines(
            world(),
            vec![
                line("L1", "GT8", "2022-08-01", Some("2022-08-31")),
                line("L2", "GT8", "2022-10-01", None),
            ],
        );
        case["contracts"][0]["kind_id_extern"] = kind.clone();
        let out = run(&case);
        assert!(rows(&out).is_empty(), "{kind}");
        assert!(errors(&out).is_empty(), "{kind}");
    }
    let mut case = with_lines(world(), vec![line("L1", "GT8", "2022-08-01", None)]);
    case["contracts"][0]
        .as_object_mut()
        .unwrap()
        .remove("kind_id_extern");
    assert!(rows(&run(&case)).is_empty());
}

/// A new application gets a new KIND_ID_EXTERN (seed 001 line 59): two ids never form a gap
/// with each other; each is its own contract with its own index.
#[test]
fn r2_two_kind_ids_never_form_a_gap() {
    let mut case = with_lines(
        world(),
        vec![line("L1", "HT4", "2021-08-01", Some("2023-07-31"))],
    );
    case["contracts"].as_array_mut().unwrap().push(
        json!({"id": "BV-2", "kind_id_extern": "KP-2-ELEMENTAR", "lines": [
            line("L2", "GT8", "2023-09-01", None)
        ]}),
    );
    let out = run(&case);
    assert!(errors(&out).is_empty());
    assert_eq!(
        shape(&out),
        vec![
            r("KP-1", "2021-08-01", "4", 2, 1, 1),
            r("KP-2-ELEMENTAR", "2023-09-01", "8", 6, 1, 1),
        ]
    );
}

// ---- R3 rows -----------------------------------------------------------------------------

/// Overlapping lines cut the timeline at each start and the day after each end (seed 001 line
/// 39, "sich überschneidenden … Leistungen").
#[test]
fn r3_overlapping_lines_cut_rows() {
    let case = with_lines(
        world(),
        vec![
            line("L1", "GT8", "2021-08-01", None),
            line("L2", "E1", "2022-01-01", Some("2022-06-30")),
        ],
    );
    assert_eq!(
        shape(&run(&case)),
        vec![
            r("KP-1", "2021-08-01", "8", 6, 1, 3),
            r("KP-1", "2022-01-01", "9", 7, 2, 3),
            r("KP-1", "2022-07-01", "8", 6, 3, 3),
        ]
    );
}

/// Adjacent lines with equal hours stay two rows: neighbours are never merged.
#[test]
fn r3_adjacent_periods_are_never_merged() {
    let case = with_lines(
        world(),
        vec![
            line("L1", "GT8", "2021-08-01", Some("2021-12-31")),
            line("L2", "GT8", "2022-01-01", Some("2022-07-31")),
            // Same id (6) through 7.5 h, different hours: still a row of its own.
            line_with_override("L3", "GT8", "2022-08-01", None, "7.5"),
        ],
    );
    assert_eq!(
        shape(&run(&case)),
        vec![
            r("KP-1", "2021-08-01", "8", 6, 1, 3),
            r("KP-1", "2022-01-01", "8", 6, 2, 3),
            r("KP-1", "2022-08-01", "7.5", 6, 3, 3),
        ]
    );
}

/// Lines with the same period give one row with their sum; a one-day line gives a one-day row.
#[test]
fn r3_identical_periods_sum_and_one_day_lines_cut_twice() {
    let case = with_lines(
        world(),
        vec![
            line("L1", "HT4", "2022-08-01", Some("2022-12-31")),
            line("L2", "E1", "2022-08-01", Some("2022-12-31")),
            line("L3", "E0.5", "2022-10-10", Some("2022-10-10")),
        ],
    );
    assert_eq!(
        shape(&run(&case)),
        vec![
            r("KP-1", "2022-08-01", "5", 3, 1, 3),
            r("KP-1", "2022-10-10", "5.5", 4, 2, 3),
            r("KP-1", "2022-10-11", "5", 3, 3, 3),
        ]
    );
}

/// "gesamte Historie und auch zukünftige" (seed 001 line 15): past and far-future rows are sent;
/// the output does not depend on today.
#[test]
fn r3_past_and_future_rows_are_all_sent() {
    let case = with_lines(
        world(),
        vec![
            line("L1", "GT8", "2020-01-01", Some("2020-12-31")),
            line("L2", "GT8", "2021-01-01", Some("2098-12-31")),
            line("L3", "HT4", "2099-01-01", None),
        ],
    );
    let out = run(&case);
    assert_eq!(
        shape(&out),
        vec![
            r("KP-1", "2020-01-01", "8", 6, 1, 3),
            r("KP-1", "2021-01-01", "8", 6, 2, 3),
            r("KP-1", "2099-01-01", "4", 2, 3, 3),
        ]
    );
    // No VER_VERTRAG_BIS: a regular end is not transferred.
    assert!(rows(&out)
        .iter()
        .all(|r| r.get("VER_VERTRAG_BIS").is_none()));
    assert!(rows(&out).iter().all(|r| r["VER_KUENDIGUNG"].is_null()));
}

/// A line that ends before another starts inside it, nested three deep.
#[test]
fn r3_nested_lines() {
    let case = with_lines(
        world(),
        vec![
            line("L1", "HT4", "2022-01-01", Some("2022-12-31")),
            line("L2", "E1", "2022-03-01", Some("2022-10-31")),
            line("L3", "E0.5", "2022-05-01", Some("2022-05-31")),
        ],
    );
    assert_eq!(
        shape(&run(&case)),
        vec![
            r("KP-1", "2022-01-01", "4", 2, 1, 5),
            r("KP-1", "2022-03-01", "5", 3, 2, 5),
            r("KP-1", "2022-05-01", "5.5", 4, 3, 5),
            r("KP-1", "2022-06-01", "5", 3, 4, 5),
            r("KP-1", "2022-11-01", "4", 2, 5, 5),
        ]
    );
}

// ---- R4 hours ----------------------------------------------------------------------------

/// "Abw. täglich erbrachte Stunden" replaces the service's hours, "0" included.
#[test]
fn r4_the_override_wins_even_when_zero() {
    let case = with_lines(
        world(),
        vec![
            line_with_override("L1", "GT8", "2022-08-01", Some("2022-08-31"), "0"),
            line_with_override("L2", "GT8", "2022-09-01", None, "6.5"),
            line("L3", "E1", "2022-08-01", None),
        ],
    );
    assert_eq!(
        shape(&run(&case)),
        vec![
            r("KP-1", "2022-08-01", "1", 1, 1, 2),
            r("KP-1", "2022-09-01", "7.5", 6, 2, 2),
        ]
    );
}

/// An override alone makes zero hours possible: 0 h is "bis 3h".
#[test]
fn r4_zero_hours_map_to_the_lowest_entry() {
    let case = with_lines(
        world(),
        vec![line_with_override("L1", "GT8", "2022-08-01", None, "0")],
    );
    assert_eq!(
        shape(&run(&case)),
        vec![r("KP-1", "2022-08-01", "0", 1, 1, 1)]
    );
}

/// A configured mapping in any order, with ids of its own; bounds are inclusive and equal
/// values compare by value ("4.50" = "4.5").
#[test]
fn r4_a_configured_mapping_in_any_order() {
    let mut case = with_lines(
        world(),
        vec![
            line_with_override("L1", "GT8", "2022-01-01", Some("2022-01-31"), "4.50"),
            line_with_override("L2", "GT8", "2022-02-01", Some("2022-02-28"), "4.51"),
            line_with_override("L3", "GT8", "2022-03-01", Some("2022-03-31"), "10"),
            line_with_override("L4", "GT8", "2022-04-01", None, "10.001"),
        ],
    );
    case["betreuungszeit_mapping"] = json!([
        {"max_hours": null, "id": 99},
        {"max_hours": "10.0", "id": 20},
        {"max_hours": "4.5", "id": 10}
    ]);
    let ids: Vec<i64> = shape(&run(&case)).into_iter().map(|row| row.3).collect();
    assert_eq!(ids, vec![10, 20, 20, 99]);
}

/// Hours never go through floats: 0.1 + 0.2 + 8.7 is exactly 9, not above.
#[test]
fn r4_sums_are_exact_decimals() {
    let case = with_lines(
        world(),
        vec![
            line_with_override("L1", "E1", "2022-08-01", None, "0.1"),
            line_with_override("L2", "E1", "2022-08-01", None, "0.2"),
            line_with_override("L3", "GT8", "2022-08-01", None, "8.7"),
        ],
    );
    assert_eq!(
        shape(&run(&case)),
        vec![r("KP-1", "2022-08-01", "9", 7, 1, 1)]
    );
}

// ---- R5 facility -------------------------------------------------------------------------

fn two_assignments(mut case: Value, second_facility: &str) -> Value {
    case["org_assignments"] = json!([
        {"id": "OA1", "facility": "F1", "from": "2020-01-01", "to": "2022-12-31"},
        {"id": "OA2", "facility": second_facility, "from": "2023-01-01", "to": null}
    ]);
    case
}

/// "Die KiTa ID wird anhand der Betreuten Org.-Zuordnung ermittelt" (seed 001 line 57), on the
/// row's first day; an org-assignment boundary does not cut a row.
#[test]
fn r5_kita_id_from_the_assignment_on_the_rows_first_day() {
    let case = two_assignments(
        with_lines(world(), vec![line("L1", "GT8", "2022-08-01", None)]),
        "F2",
    );
    let out = run(&case);
    assert_eq!(rows(&out).len(), 1);
    assert_eq!(rows(&out)[0]["KITA_ID_EXTERN"], json!("0100123"));

    let case = two_assignments(
        with_lines(
            world(),
            vec![
                line("L1", "GT8", "2022-08-01", Some("2022-12-31")),
                line("L2", "GT8", "2023-01-01", None),
            ],
        ),
        "F2",
    );
    let kita_ids: Vec<Value> = rows(&run(&case))
        .iter()
        .map(|r| r["KITA_ID_EXTERN"].clone())
        .collect();
    assert_eq!(kita_ids, vec![json!("0100123"), json!("0100456")]);
}

/// "Einrichtungen ohne Kita Planer Zugriff" and "nur für konfigurierbare Bereiche" (seed 001 line
/// 11): no rows and no error, even for a contract with a gap.
#[test]
fn r5_a_facility_without_kita_id_or_outside_the_areas_exports_nothing() {
    for (facility, kita_id) in [
        ("F-NOID", Value::Null),
        ("F-NOID", json!("")),
        ("F-NOID", json!("  ")),
        ("F-ALT", json!("0900001")),
    ] {
        let mut case = with_lines(
            world(),
            vec![
                line("L1", "GT8", "2022-08-01", Some("2022-08-31")),
                line("L2", "GT8", "2022-10-01", None),
            ],
        );
        case["org_assignments"][0]["facility"] = json!(facility);
        case["facilities"][2]["kita_id_extern"] = kita_id.clone();
        let out = run(&case);
        assert!(rows(&out).is_empty(), "{facility} {kita_id}");
        assert!(errors(&out).is_empty(), "{facility} {kita_id}");
    }
}

/// The area decides only through `configured_areas`: configuring the Altenhilfe area exports
/// its facility.
#[test]
fn r5_configured_areas_decide() {
    let mut case = with_lines(world(), vec![line("L1", "GT8", "2022-08-01", None)]);
    case["org_assignments"][0]["facility"] = json!("F-ALT");
    case["configured_areas"] = json!(["kita", "altenhilfe"]);
    assert_eq!(rows(&run(&case))[0]["KITA_ID_EXTERN"], json!("0900001"));
    case["configured_areas"] = json!([]);
    assert!(rows(&run(&case)).is_empty());
}

/// An excluded contract leaves the child's other contracts alone.
#[test]
fn r5_excludes_per_contract() {
    let mut case = with_lines(
        world(),
        vec![line("L1", "HT4", "2021-08-01", Some("2022-12-31"))],
    );
    case["contracts"].as_array_mut().unwrap().push(
        json!({"id": "BV-2", "kind_id_extern": "KP-2", "lines": [
            line("L2", "GT8", "2023-01-01", None)
        ]}),
    );
    let case = two_assignments(case, "F-NOID");
    assert_eq!(
        shape(&run(&case)),
        vec![r("KP-1", "2021-08-01", "4", 2, 1, 1)]
    );
}

// ---- R6 care gap -------------------------------------------------------------------------

/// One error per maximal uncovered run, none of the contract's rows, other contracts unaffected;
/// errors sorted by `gap_from`, then KIND_ID_EXTERN (§4).
#[test]
fn r6_gaps_refuse_only_their_contract() {
    let mut case = with_lines(
        world(),
        vec![
            line("L1", "GT8", "2021-08-01", Some("2021-08-31")),
            line("L2", "GT8", "2021-09-02", Some("2021-12-31")),
            line("L3", "HT4", "2022-03-01", None),
        ],
    );
    case["contracts"].as_array_mut().unwrap().extend([
        json!({"id": "BV-2", "kind_id_extern": "KP-0", "lines": [
            line("L4", "E1", "2021-01-01", Some("2021-06-30")),
            line("L5", "E1", "2021-09-02", Some("2021-09-30"))
        ]}),
        json!({"id": "BV-3", "kind_id_extern": "KP-3", "lines": [
            line("L6", "HT4", "2021-05-01", Some("2021-05-31")),
            line("L7", "E1", "2021-05-15", None)
        ]}),
    ]);
    let out = run(&case);
    assert_eq!(
        errors(&out),
        &vec![
            gap("KP-0", "2021-07-01", "2021-09-01"),
            gap("KP-1", "2021-09-01", "2021-09-01"),
            gap("KP-1", "2022-01-01", "2022-02-28"),
        ]
    );
    assert_eq!(
        shape(&out),
        vec![
            r("KP-3", "2021-05-01", "4", 2, 1, 3),
            r("KP-3", "2021-05-15", "5", 3, 2, 3),
            r("KP-3", "2021-06-01", "1", 1, 3, 3),
        ]
    );
}

/// Lines that touch (end on the day before the next starts) leave no gap.
#[test]
fn r6_adjacent_lines_leave_no_gap() {
    let case = with_lines(
        world(),
        vec![
            line("L1", "GT8", "2024-02-01", Some("2024-02-29")),
            line("L2", "GT8", "2024-03-01", None),
        ],
    );
    let out = run(&case);
    assert!(errors(&out).is_empty());
    assert_eq!(rows(&out).len(), 2);
}

// ---- R7 index, §4 order ------------------------------------------------------------------

/// Contracts go by their first VER_VERTRAG_AB, ties by KIND_ID_EXTERN in byte order ("KP-B" <
/// "KP-a"), whatever the order of heads and lines in the case.
#[test]
fn r7_order_of_contracts_and_rows() {
    let mut case = world();
    case["contracts"] = json!([
        {"id": "BV-1", "kind_id_extern": "KP-a", "lines": [line("L1", "GT8", "2022-08-01", None)]},
        {"id": "BV-2", "kind_id_extern": "KP-Z", "lines": [
            line("L3", "E1", "2022-09-01", None), line("L2", "HT4", "2021-08-01", None)
        ]},
        {"id": "BV-3", "kind_id_extern": "KP-B", "lines": [line("L4", "HT4", "2022-08-01", None)]}
    ]);
    assert_eq!(
        shape(&run(&case)),
        vec![
            r("KP-Z", "2021-08-01", "4", 2, 1, 2),
            r("KP-Z", "2022-09-01", "5", 3, 2, 2),
            r("KP-B", "2022-08-01", "4", 2, 1, 1),
            r("KP-a", "2022-08-01", "8", 6, 1, 1),
        ]
    );
}

// ---- R8 Kündigung, R10 status ------------------------------------------------------------

fn statuses(out: &Value) -> Vec<(String, Value)> {
    rows(out)
        .iter()
        .map(|r| {
            (
                r["STATUS"].as_str().unwrap().to_owned(),
                r["VER_KUENDIGUNG"].clone(),
            )
        })
        .collect()
}

/// "Ein Kündigungsdatum kann und darf nur in der letzten Zeile übermittelt werden" (seed 001
/// line 45): after an early discharge, the last row holds the discharge date.
#[test]
fn r8_early_discharge_on_the_last_row_only() {
    let mut case = with_lines(
        world(),
        vec![
            line("L1", "GT8", "2021-08-01", Some("2022-07-31")),
            line("L2", "HT4", "2022-08-01", Some("2023-07-31")),
        ],
    );
    case["org_assignments"] = json!([{"id": "OA1", "facility": "F1", "from": "2021-08-01", "to": "2023-03-15", "early_discharge": true}]);
    assert_eq!(
        statuses(&run(&case)),
        vec![
            ("NEUVERTRAG".to_owned(), Value::Null),
            ("KÜNDIGUNG".to_owned(), json!("2023-03-15")),
        ]
    );
}

/// A single-row contract after an early discharge: the one row is the last.
#[test]
fn r8_a_single_row_can_carry_the_notice() {
    let mut case = with_lines(world(), vec![line("L1", "GT8", "2022-08-01", None)]);
    case["org_assignments"] = json!([{"id": "OA1", "facility": "F1", "from": "2022-08-01", "to": "2022-10-14", "early_discharge": true}]);
    assert_eq!(
        statuses(&run(&case)),
        vec![("KÜNDIGUNG".to_owned(), json!("2022-10-14"))]
    );
}

/// A regular end (no early discharge) is never transferred.
#[test]
fn r8_a_regular_end_is_not_a_notice() {
    let mut case = with_lines(
        world(),
        vec![line("L1", "GT8", "2022-08-01", Some("2023-07-31"))],
    );
    case["org_assignments"] = json!([{"id": "OA1", "facility": "F1", "from": "2022-08-01", "to": "2023-07-31", "early_discharge": false}]);
    assert_eq!(
        statuses(&run(&case)),
        vec![("NEUVERTRAG".to_owned(), Value::Null)]
    );
}

/// Only the assignment governing the last row counts: an early discharge from an earlier
/// facility, governing only earlier rows, sets nothing.
#[test]
fn r8_only_the_assignment_governing_the_last_row_counts() {
    let mut case = with_lines(
        world(),
        vec![
            line("L1", "GT8", "2021-08-01", Some("2022-07-31")),
            line("L2", "GT8", "2022-08-01", None),
        ],
    );
    case["org_assignments"] = json!([
        {"id": "OA1", "facility": "F1", "from": "2021-08-01", "to": "2022-07-31", "early_discharge": true},
        {"id": "OA2", "facility": "F2", "from": "2022-08-01", "to": null}
    ]);
    assert_eq!(
        statuses(&run(&case)),
        vec![
            ("NEUVERTRAG".to_owned(), Value::Null),
            ("VERTRAGSÄNDERUNG".to_owned(), Value::Null),
        ]
    );
}

/// R10's recommendation: NEUVERTRAG, then VERTRAGSÄNDERUNG.
#[test]
fn r10_status_by_index() {
    let case = with_lines(
        world(),
        vec![
            line("L1", "GT8", "2021-08-01", None),
            line("L2", "E1", "2022-01-01", Some("2022-06-30")),
        ],
    );
    let got: Vec<String> = statuses(&run(&case)).into_iter().map(|s| s.0).collect();
    assert_eq!(got, ["NEUVERTRAG", "VERTRAGSÄNDERUNG", "VERTRAGSÄNDERUNG"]);
}

// ---- R9 master data ----------------------------------------------------------------------

/// "in jede Zeile Namen und Adressinformationen des Betreuten, des Hauptkontakt 1 und
/// Hauptkontakt 2" (seed 001 line 47): every row, every column, nulls copied as null.
#[test]
fn r9_every_row_carries_child_and_both_main_contacts() {
    let case = with_lines(
        world(),
        vec![
            line("L1", "GT8", "2021-08-01", None),
            line("L2", "E1", "2022-01-01", Some("2022-06-30")),
        ],
    );
    let out = run(&case);
    for row in rows(&out) {
        let mut keys: Vec<&str> = row
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        keys.sort_unstable();
        let mut want = COLUMNS.to_vec();
        want.sort_unstable();
        assert_eq!(keys, want);
        assert_eq!(row["NEUANLAGE_ERLAUBT"], json!("n"));
        assert_eq!(row["EXPORT_STATUS"], json!("Eingefügt"));
        assert_eq!(row["KIND_NACHNAME"], json!("Jensen"));
        assert_eq!(row["KIND_HAUSNUMMER"], json!("3a"));
        assert_eq!(row["KIND_GEBDATUM"], json!("2020-05-02"));
        assert_eq!(row["SB1_VORNAME"], json!("Frauke"));
        assert_eq!(row["SB2_NACHNAME"], json!("Hansen"));
        assert_eq!(row["SB2_STRASSE"], Value::Null);
        assert_eq!(row["SB2_ORT"], json!("Kiel"));
    }
}

/// An empty slot 1 with a filled slot 2: SB1 all null, SB2 filled; a missing address is nulls.
#[test]
fn r9_an_empty_slot_is_all_null() {
    let mut case = with_lines(world(), vec![line("L1", "GT8", "2021-08-01", None)]);
    case["contact_assignment"] = json!({"main_contact_1": null, "main_contact_2": "P-1"});
    case["child"].as_object_mut().unwrap().remove("address");
    let out = run(&case);
    let row = &rows(&out)[0];
    for column in COLUMNS.iter().filter(|c| c.starts_with("SB1_")) {
        assert_eq!(row[*column], Value::Null, "{column}");
    }
    for column in [
        "KIND_STRASSE",
        "KIND_HAUSNUMMER",
        "KIND_POSTLEITZAHL",
        "KIND_ORT",
    ] {
        assert_eq!(row[column], Value::Null, "{column}");
    }
    assert_eq!(row["SB2_VORNAME"], json!("Frauke"));
    assert_eq!(row["SB2_POSTLEITZAHL"], json!("24837"));
}

/// A child without any contact assignment (the key absent) has both slots empty.
#[test]
fn r9_no_contact_assignment_leaves_both_slots_empty() {
    let mut case = with_lines(world(), vec![line("L1", "GT8", "2021-08-01", None)]);
    case.as_object_mut().unwrap().remove("contact_assignment");
    let out = run(&case);
    assert_eq!(rows(&out)[0]["SB1_NACHNAME"], Value::Null);
    assert_eq!(rows(&out)[0]["SB2_NACHNAME"], Value::Null);
}

/// Strings are copied unchanged (no trimming, no normalisation).
#[test]
fn r9_strings_are_copied_unchanged() {
    let mut case = with_lines(world(), vec![line("L1", "GT8", "2021-08-01", None)]);
    case["child"]["first_name"] = json!(" Ole  Malte ");
    case["child"]["address"]["street"] = json!("");
    let out = run(&case);
    assert_eq!(rows(&out)[0]["KIND_VORNAME"], json!(" Ole  Malte "));
    assert_eq!(rows(&out)[0]["KIND_STRASSE"], json!(""));
}

/// Keys the format does not list are ignored (e.g. `about` or `_comment`).
#[test]
fn unknown_keys_are_ignored() {
    let mut case = with_lines(world(), vec![line("L1", "GT8", "2021-08-01", None)]);
    let plain = run(&case);
    case["about"] = json!("free text");
    case["contracts"][0]["lines"][0]["note"] = json!({"any": 1});
    assert_eq!(run(&case), plain);
}
