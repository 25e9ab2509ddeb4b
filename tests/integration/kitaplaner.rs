//! `kitanetz kitaplaner export-buffer --case FILE.json` on the case files in
//! `tests/fixtures/kitaplaner/`: each `NAME.case.json` is run through the real binary; a computed
//! case must print `NAME.expected.json` (without its `_comment`) and exit 0, a refused one must
//! exit 2 with the expected text on stderr and nothing on stdout. The crate's own test
//! (`node/kitaplaner/tests/buffer/fixtures.rs`) compares the same files field by field.

use kitanetz_tests::{assert_missing_case_refused, fixture_cases, run_kitanetz};
use serde_json::Value;

#[test]
fn kitaplaner_cases_through_the_cli() {
    for c in fixture_cases("kitaplaner", 5) {
        let name = &c.name;
        let run = run_kitanetz([
            "kitaplaner".as_ref(),
            "export-buffer".as_ref(),
            "--case".as_ref(),
            c.case.as_os_str(),
        ]);
        if let Some(code) = c.expected.get("exit_code") {
            assert_eq!(Some(i64::from(run.code)), code.as_i64(), "{name}");
            assert!(run.stdout.is_empty(), "{name}: stdout of a refused case");
            let needle = c.expected["stderr_contains"].as_str().unwrap();
            assert!(
                run.stderr.contains(needle),
                "{name}: {:?} lacks {needle:?}",
                run.stderr
            );
        } else {
            assert_eq!(run.code, 0, "{name}: {}", run.stderr);
            let got: Value = serde_json::from_str(&run.stdout).expect("stdout is JSON");
            assert_eq!(got, c.expected, "{name}");
        }
    }
}

#[test]
fn a_missing_case_file_exits_2() {
    assert_missing_case_refused(&["kitaplaner", "export-buffer"]);
}
