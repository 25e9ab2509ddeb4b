//! `kitanetz fees compute --case FILE.json` on the case files in `tests/fixtures/fees/`: each
//! `NAME.case.json` is run through the real binary and compared with `NAME.expected.json` on the
//! fields fee-case.md names as compared (explanations only as lists of strings).

use kitanetz_tests::{fixture_cases, fixtures_dir, run_kitanetz};
use serde_json::Value;
use std::path::Path;

/// Runs the CLI on a case file; returns its exit code and parsed stdout.
fn compute(case: &Path) -> (i32, Value) {
    let run = run_kitanetz([
        "fees".as_ref(),
        "compute".as_ref(),
        "--case".as_ref(),
        case.as_os_str(),
    ]);
    let json = serde_json::from_str(&run.stdout).unwrap_or_else(|e| {
        panic!(
            "{}: stdout is not JSON ({e}): {}{}",
            case.display(),
            run.stdout,
            run.stderr
        )
    });
    (run.code, json)
}

fn keys(v: &Value) -> Vec<&String> {
    let mut keys: Vec<&String> = v
        .as_object()
        .map(|o| o.keys().collect())
        .unwrap_or_default();
    keys.sort();
    keys
}

/// The compared fields of a successful result.
fn compare_result(name: &str, got: &Value, want: &Value) {
    assert_eq!(got["format"], want["format"], "{name}: format");
    assert_eq!(
        keys(&got["months"]),
        keys(&want["months"]),
        "{name}: months"
    );
    for (month, w) in want["months"].as_object().unwrap() {
        let g = &got["months"][month];
        assert_eq!(
            keys(&g["children"]),
            keys(&w["children"]),
            "{name} {month}: children"
        );
        for (id, wc) in w["children"].as_object().unwrap() {
            let gc = &g["children"][id];
            for field in ["fee", "countable_rank", "statute_fee", "extra_care"] {
                assert_eq!(gc[field], wc[field], "{name} {month} {id}: {field}");
            }
            let explanation = gc["explanation"].as_array().expect("explanation list");
            assert!(
                !explanation.is_empty()
                    && explanation
                        .iter()
                        .all(|e| e.as_str().is_some_and(|s| !s.is_empty())),
                "{name} {month} {id}: explanation must be a list of strings"
            );
        }
        for field in ["total", "waiver_outcome"] {
            assert_eq!(g[field], w[field], "{name} {month}: {field}");
        }
    }
    match want["waiver_form"].as_object() {
        None => assert_eq!(got["waiver_form"], Value::Null, "{name}: waiver_form"),
        Some(lines) => {
            assert_eq!(lines.len(), 13, "{name}: the expected form lists 13 lines");
            for (line, amount) in lines {
                assert_eq!(
                    &got["waiver_form"][line], amount,
                    "{name}: waiver_form.{line}"
                );
            }
        }
    }
}

#[test]
fn fee_cases_through_the_cli() {
    for c in fixture_cases("fees", 3) {
        let (name, case, expected) = (c.name, c.case, c.expected);
        let (code, got) = compute(&case);
        if expected.get("error").is_some() {
            assert_eq!(code, 1, "{name}: exit code of a refused case");
            assert_eq!(got["format"], expected["format"], "{name}: format");
            assert_eq!(
                got["error"]["field"], expected["error"]["field"],
                "{name}: field"
            );
            assert!(got["error"]["message"]
                .as_str()
                .is_some_and(|m| !m.is_empty()));
        } else {
            assert_eq!(code, 0, "{name}: exit code, output {got}");
            compare_result(&name, &got, &expected);
        }
    }
}

#[test]
fn a_missing_case_file_is_refused() {
    let (code, got) = compute(&fixtures_dir("fees").join("no-such.case.json"));
    assert_eq!(code, 1);
    assert_eq!(got["format"], "kitanetz-fee-result/1");
    assert!(got["error"]["message"]
        .as_str()
        .unwrap()
        .contains("no-such"));
}

/// The explanation is German, in the words of a decision, and reaches the CLI whole: Ben, a
/// `kita` child, is the family's 2nd Zählkind in August 2012 (32 completed months: Krippe fee,
/// 8 h, 60 %). Amounts as the decisions print them.
#[test]
fn a_second_zaehlkind_is_explained_in_german_through_the_cli() {
    let (code, got) = compute(&fixtures_dir("fees").join("family-year.case.json"));
    assert_eq!(code, 0, "{got}");
    let ben = &got["months"]["2012-08"]["children"]["ben"];
    assert_eq!(ben["fee"], "100.99", "the result format keeps its amounts");
    let lines: Vec<&str> = ben["explanation"]
        .as_array()
        .expect("explanation list")
        .iter()
        .map(|e| e.as_str().expect("a string"))
        .collect();
    let v = "dresden-2011/2011-09";
    let expected = [
        format!(
            "In Betreuung (erster Betreuungstag 16.07.2012, Vertrag ohne Enddatum): Beitrag für \
             jeden Monat in voller Höhe, keine tageweise Berechnung [fee.liability; {v} § 10 (1) \
             Satz 1-2]"
        ),
        format!(
            "Kita: geboren am 15.11.2009, am 01.08.2012 32 vollendete Lebensmonate; Beitrag für \
             Kindergarten ab 33 vollendeten Lebensmonaten, daher Beitrag für Krippe \
             [fee.switch_age; {v} § 11 (1) letzter Absatz, § 10 (1) Satz 4]"
        ),
        format!(
            "Beitrag für das erste Kind, Krippe: 189,36 € × 8 h / 9 h = 168,32 € \
             (bei 9 h: veröffentlichter Beitrag 189,36 €) [fee.first_child; {v} § 11 (1); \
             Anlage C Konfiguration Elternbeiträge]"
        ),
        format!(
            "2. Zählkind von 3 in diesem Monat betreuten Zählkindern (Altersreihenfolge, \
             ältestes Kind zuerst) [fee.sibling_rank; {v} § 10 (5)]"
        ),
        format!(
            "Anteil für das 2. Zählkind: 60 % von 168,32 € = 100,99 € \
             [fee.sibling_rank; {v} § 10 (5)]"
        ),
    ];
    assert_eq!(lines, expected);
    // The sibling outside the city is explained alike.
    let away = got["months"]["2012-08"]["children"]["away"]["explanation"][1]
        .as_str()
        .unwrap();
    assert!(
        away.starts_with(
            "Betreuung im Bedarfsplan einer anderen Gemeinde: hier kein Elternbeitrag; zählt \
             für die Geschwister als 3. Zählkind [fee.outside_city;"
        ),
        "{away}"
    );
}
