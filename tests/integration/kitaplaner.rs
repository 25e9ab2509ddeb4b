//! `kitanetz kitaplaner export-buffer --case FILE.json` on the case files in
//! `tests/fixtures/kitaplaner/`: each `NAME.case.json` is run through the real binary; a computed
//! case must print `NAME.expected.json` (without its `_comment`) and exit 0, a refused one must
//! exit 2 with the expected text on stderr and nothing on stdout. The crate's own test
//! (`node/kitaplaner/tests/buffer/fixtures.rs`) compares the same files field by field.

use kitanetz_tests::kitanetz_bin;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/kitaplaner")
}

fn export_buffer(case: &Path) -> Output {
    Command::new(kitanetz_bin())
        .args(["kitaplaner", "export-buffer", "--case"])
        .arg(case)
        .output()
        .expect("run kitanetz")
}

#[test]
fn kitaplaner_cases_through_the_cli() {
    let mut cases: Vec<PathBuf> = std::fs::read_dir(fixtures())
        .expect("fixtures/kitaplaner")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.to_string_lossy().ends_with(".case.json"))
        .collect();
    cases.sort();
    assert!(cases.len() >= 5, "fixtures missing: {cases:?}");
    for case in cases {
        let name = case
            .file_name()
            .unwrap()
            .to_string_lossy()
            .replace(".case.json", "");
        let mut expected: Value = serde_json::from_str(
            &std::fs::read_to_string(fixtures().join(format!("{name}.expected.json")))
                .expect("expected file"),
        )
        .expect("expected JSON");
        expected.as_object_mut().unwrap().remove("_comment");
        let out = export_buffer(&case);
        let stderr = String::from_utf8_lossy(&out.stderr);
        if let Some(code) = expected.get("exit_code") {
            assert_eq!(
                out.status.code(),
                Some(code.as_i64().unwrap() as i32),
                "{name}"
            );
            assert!(out.stdout.is_empty(), "{name}: stdout of a refused case");
            let needle = expected["stderr_contains"].as_str().unwrap();
            assert!(
                stderr.contains(needle),
                "{name}: {stderr:?} lacks {needle:?}"
            );
        } else {
            assert_eq!(out.status.code(), Some(0), "{name}: {stderr}");
            let got: Value = serde_json::from_slice(&out.stdout).expect("stdout is JSON");
            assert_eq!(got, expected, "{name}");
        }
    }
}

#[test]
fn a_missing_case_file_exits_2() {
    let out = export_buffer(&fixtures().join("no-such.case.json"));
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    assert!(String::from_utf8_lossy(&out.stderr).contains("no-such"));
}
