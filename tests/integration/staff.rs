//! `kitanetz staff need --case FILE.json` on the case files in `tests/fixtures/staff/`: each
//! `NAME.case.json` is run through the real binary. A computed case is compared with
//! `NAME.expected.json` (every field given there; extra output fields allowed, as
//! staff-need-case.md says); a refused one (`{"exit_code": 2, "error_field": …}`) must exit 2
//! with nothing on stdout and name the field on stderr.

use kitanetz_tests::kitanetz_bin;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/staff")
}

/// Runs the CLI on a case file: exit code, stdout, stderr.
fn need(case: &Path) -> (i32, String, String) {
    let out = Command::new(kitanetz_bin())
        .args(["staff", "need", "--case"])
        .arg(case)
        .output()
        .expect("run kitanetz");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Every field of `want` but `_comment` is in `got` with the same value.
fn assert_contains(got: &Value, want: &Value, at: &str) {
    match (got, want) {
        (Value::Object(g), Value::Object(w)) => {
            for (key, wv) in w.iter().filter(|(k, _)| *k != "_comment") {
                let gv = g
                    .get(key)
                    .unwrap_or_else(|| panic!("{at}.{key} missing in {got}"));
                assert_contains(gv, wv, &format!("{at}.{key}"));
            }
        }
        (Value::Array(g), Value::Array(w)) => {
            assert_eq!(g.len(), w.len(), "{at}: length of {got}");
            for (i, (gv, wv)) in g.iter().zip(w).enumerate() {
                assert_contains(gv, wv, &format!("{at}[{i}]"));
            }
        }
        _ => assert_eq!(got, want, "{at}"),
    }
}

#[test]
fn staff_need_cases_through_the_cli() {
    let mut cases: Vec<PathBuf> = std::fs::read_dir(fixtures())
        .expect("fixtures/staff")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.to_string_lossy().ends_with(".case.json"))
        .collect();
    cases.sort();
    assert!(cases.len() >= 4, "fixtures missing: {cases:?}");
    for case in cases {
        let name = case.to_string_lossy().replace(".case.json", "");
        let expected: Value = serde_json::from_str(
            &std::fs::read_to_string(format!("{name}.expected.json")).expect("expected file"),
        )
        .expect("expected JSON");
        let (code, stdout, stderr) = need(&case);
        match expected["error_field"].as_str() {
            Some(field) => {
                assert_eq!(code, 2, "{name}: exit code of an invalid case");
                assert!(stdout.is_empty(), "{name}: stdout {stdout}");
                assert!(
                    stderr.contains(&format!(" {field}: ")),
                    "{name}: stderr should name {field}: {stderr}"
                );
            }
            None => {
                assert_eq!(code, 0, "{name}: exit code, stderr {stderr}");
                let got: Value = serde_json::from_str(&stdout).expect("stdout is JSON");
                assert_contains(&got, &expected, &name);
            }
        }
    }
}

#[test]
fn a_missing_staff_case_file_is_refused_with_exit_2() {
    let (code, stdout, stderr) = need(&fixtures().join("no-such.case.json"));
    assert_eq!(code, 2);
    assert!(stdout.is_empty());
    assert!(stderr.contains("no-such"), "{stderr}");
}
