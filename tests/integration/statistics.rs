//! `kitanetz statistics kdw --case FILE --check` and `kitanetz statistics landeszuschuss --case
//! FILE` on the case files in `tests/fixtures/{kdw,landeszuschuss}/`: each `NAME.case.json` is
//! run through the real binary and must give the exit code, stdout and stderr of
//! `NAME.expected.json` (`{ "exit_code", "stdout": result or null, "stderr_contains"? }`).

use kitanetz_tests::kitanetz_bin;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;

fn fixtures(kind: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(kind)
}

fn run_fixtures(kind: &str, args: &[&str]) {
    let mut cases: Vec<PathBuf> = std::fs::read_dir(fixtures(kind))
        .expect("fixtures directory")
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
        let out = Command::new(kitanetz_bin())
            .args(["statistics", kind, "--case"])
            .arg(&case)
            .args(args)
            .output()
            .expect("run kitanetz");
        let stdout = String::from_utf8_lossy(&out.stdout);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(
            out.status.code().map(i64::from),
            expected["exit_code"].as_i64(),
            "{name}: exit code; stderr {stderr}"
        );
        match &expected["stdout"] {
            Value::Null => assert!(stdout.is_empty(), "{name}: stdout {stdout}"),
            want => {
                let got: Value = serde_json::from_str(&stdout).expect("stdout is JSON");
                assert_eq!(&got, want, "{name}: stdout");
            }
        }
        if let Some(text) = expected["stderr_contains"].as_str() {
            assert!(stderr.contains(text), "{name}: stderr {stderr}");
        }
    }
}

#[test]
fn kdw_cases_through_the_cli() {
    run_fixtures("kdw", &["--check"]);
}

#[test]
fn landeszuschuss_cases_through_the_cli() {
    run_fixtures("landeszuschuss", &[]);
}

#[test]
fn a_missing_case_file_is_an_invalid_case() {
    let out = Command::new(kitanetz_bin())
        .args(["statistics", "landeszuschuss", "--case"])
        .arg(fixtures("landeszuschuss").join("no-such.case.json"))
        .output()
        .expect("run kitanetz");
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    assert!(String::from_utf8_lossy(&out.stderr).contains("no-such"));
}
