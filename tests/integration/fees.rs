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
