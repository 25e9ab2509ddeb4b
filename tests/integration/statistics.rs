//! `kitanetz statistics kdw --case FILE --check` and `kitanetz statistics landeszuschuss --case
//! FILE` on the case files in `tests/fixtures/{kdw,landeszuschuss}/`: each `NAME.case.json` is
//! run through the real binary and must give the exit code, stdout and stderr of
//! `NAME.expected.json` (`{ "exit_code", "stdout": result or null, "stderr_contains"? }`).

use kitanetz_tests::{assert_missing_case_refused, fixture_cases, run_kitanetz};
use serde_json::Value;

fn run_fixtures(kind: &str, extra: &[&str]) {
    for c in fixture_cases(kind, 4) {
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
fn a_missing_case_file_is_an_invalid_case() {
    assert_missing_case_refused(&["statistics", "landeszuschuss"]);
    assert_missing_case_refused(&["statistics", "kdw"]);
}
