//! `kitanetz statistics kdw --case FILE --check` and `kitanetz statistics landeszuschuss --case
//! FILE` on the case files in `tests/fixtures/{kdw,landeszuschuss}/`: each `NAME.case.json` is
//! run through the real binary and must give the exit code, stdout and stderr of
//! `NAME.expected.json` (`{ "exit_code", "stdout": result or null, "stderr_contains"? }`).
//! `kitanetz statistics kjh` runs the case files of its crate (`node/statistics/tests/kjh/`).

use kitanetz_tests::{assert_missing_case_refused, fixture_cases, run_kitanetz};
use serde_json::Value;

fn run_fixtures(kind: &str, extra: &[&str]) {
    run_fixtures_in(kind, kind, extra)
}

/// `folder` is relative to `tests/fixtures/`.
fn run_fixtures_in(kind: &str, folder: &str, extra: &[&str]) {
    for c in fixture_cases(folder, 4) {
        let name = &c.name;
        let mut args: Vec<std::ffi::OsString> = vec![
            "statistics".into(),
            kind.into(),
            "--case".into(),
            c.case.clone().into(),
        ];
        args.extend(extra.iter().map(Into::into));
        let run = run_kitanetz(args);
        assert_eq!(
            Some(i64::from(run.code)),
            c.expected["exit_code"].as_i64(),
            "{name}: exit code; stderr {}",
            run.stderr
        );
        match &c.expected["stdout"] {
            Value::Null => assert!(run.stdout.is_empty(), "{name}: stdout {}", run.stdout),
            want => {
                let got: Value = serde_json::from_str(&run.stdout).expect("stdout is JSON");
                assert_eq!(&got, want, "{name}: stdout");
            }
        }
        if let Some(text) = c.expected["stderr_contains"].as_str() {
            assert!(run.stderr.contains(text), "{name}: stderr {}", run.stderr);
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
fn kjh_cases_through_the_cli() {
    run_fixtures_in("kjh", "../../node/statistics/tests/kjh", &[]);
}

#[test]
fn a_missing_case_file_is_an_invalid_case() {
    assert_missing_case_refused(&["statistics", "kjh"]);
    assert_missing_case_refused(&["statistics", "landeszuschuss"]);
    assert_missing_case_refused(&["statistics", "kdw"]);
}

/// `--xml` writes the StaLa hand-over file of a case that passes the check (the same bytes as
/// the crate's golden file), and for a case with errors prints the check's result instead.
#[test]
fn kdw_xml_is_written_only_for_a_checked_case() {
    let dir = std::path::PathBuf::from(
        std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_else(|| env!("CARGO_MANIFEST_DIR").into()),
    )
    .join("fixtures/kdw");
    let run = |case: &str| {
        run_kitanetz([
            "statistics".into(),
            "kdw".into(),
            "--case".into(),
            std::ffi::OsString::from(dir.join(case)),
            "--xml".into(),
        ])
    };
    let ok = run("doc-example.case.json");
    assert_eq!(ok.code, 0, "{}", ok.stderr);
    let golden = include_str!("../../node/statistics/tests/golden/kdw-doc-example.xml");
    assert_eq!(ok.stdout.trim_end(), golden.trim_end());
    let refused = run("child-errors.case.json");
    assert_eq!(refused.code, 1);
    assert!(!refused.stdout.contains("<Uebergabedatei"));
    assert!(
        refused.stdout.contains("kitanetz-kdw-result/1"),
        "{}",
        refused.stdout
    );
}
