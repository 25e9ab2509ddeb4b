//! The case files of `tests/fixtures/{kdw,landeszuschuss}/` and of this crate's `tests/kjh/`
//! through the crate's entry points: each `NAME.case.json` must give the exit code, stdout and
//! stderr of `NAME.expected.json` (`{ "exit_code", "stdout": result or null,
//! "stderr_contains"? }`). The node's integration tests run the kdw and landeszuschuss files
//! through the `kitanetz statistics` binary. The StaLa XML of the format's example is compared
//! with `tests/golden/`.

use kitanetz_statistics::{kdw, kjh, landeszuschuss, CliOutput};
use serde_json::Value;
use std::path::{Path, PathBuf};

fn fixture_dir(kind: &str) -> PathBuf {
    std::path::PathBuf::from(
        std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_else(|| env!("CARGO_MANIFEST_DIR").into()),
    )
    .join("../../tests/fixtures")
    .join(kind)
}

/// Every case of the workspace's fixture directory `kind`; at least `min` of them.
fn check_fixtures(kind: &str, min: usize, run: fn(&str) -> CliOutput) {
    check_fixture_dir(&fixture_dir(kind), min, run);
}

/// Every case of `dir`; at least `min` of them.
fn check_fixture_dir(dir: &Path, min: usize, run: fn(&str) -> CliOutput) {
    let mut cases: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| entry.expect("directory entry").path())
        .filter(|p| p.to_string_lossy().ends_with(".case.json"))
        .collect();
    cases.sort();
    assert!(cases.len() >= min, "fixtures missing in {}", dir.display());
    for case in cases {
        let name = case.to_string_lossy().replace(".case.json", "");
        let expected: Value = serde_json::from_str(
            &std::fs::read_to_string(format!("{name}.expected.json")).expect("expected file"),
        )
        .expect("expected JSON");
        let out = run(&std::fs::read_to_string(&case).expect("case file"));
        assert_eq!(
            u64::from(out.exit_code),
            expected["exit_code"].as_u64().expect("exit_code"),
            "{name}: exit code; stderr {}",
            out.stderr
        );
        match &expected["stdout"] {
            Value::Null => assert!(out.stdout.is_empty(), "{name}: stdout {}", out.stdout),
            want => {
                let got: Value = serde_json::from_str(&out.stdout).expect("stdout is JSON");
                assert_eq!(&got, want, "{name}: stdout");
            }
        }
        match expected["stderr_contains"].as_str() {
            Some(text) => assert!(out.stderr.contains(text), "{name}: stderr {}", out.stderr),
            None => assert!(out.stderr.is_empty(), "{name}: stderr {}", out.stderr),
        }
    }
}

#[test]
fn kdw_fixtures() {
    check_fixtures("kdw", 5, |text| kdw::case_output(text, true));
}

#[test]
fn landeszuschuss_fixtures() {
    check_fixtures("landeszuschuss", 4, landeszuschuss::case_output);
}

/// `tests/kjh/`: annex L's worked examples as cases, and refused cases naming their field.
#[test]
fn kjh_fixtures() {
    let dir = std::path::PathBuf::from(
        std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_else(|| env!("CARGO_MANIFEST_DIR").into()),
    )
    .join("tests/kjh");
    check_fixture_dir(&dir, 8, kjh::case_output);
}

/// The StaLa hand-over file of kdw-case.md's example, byte for byte (`KDW_XML.md`).
#[test]
fn kdw_xml_of_the_formats_example_matches_the_golden_file() {
    let case = std::fs::read_to_string(fixture_dir("kdw").join("doc-example.case.json"))
        .expect("case file");
    let out = kdw::xml_output(&case);
    assert_eq!(out.exit_code, 0, "{}", out.stderr);
    let golden = std::path::PathBuf::from(
        std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_else(|| env!("CARGO_MANIFEST_DIR").into()),
    )
    .join("tests/golden/kdw-doc-example.xml");
    if std::env::var_os("KITANETZ_BLESS").is_some() {
        std::fs::write(&golden, &out.stdout).expect("golden file written");
    }
    let want = std::fs::read_to_string(&golden).expect("golden file");
    assert_eq!(
        out.stdout, want,
        "rerun with KITANETZ_BLESS=1 after a deliberate change"
    );
}
