//! `kitanetz staff need --case FILE.json` on the case files in `tests/fixtures/staff/`: each
//! `NAME.case.json` is run through the real binary. A computed case is compared with
//! `NAME.expected.json` (every field given there; extra output fields allowed, as
//! staff-need-case.md says); a refused one (`{"exit_code": 2, "error_field": …}`) must exit 2
//! with nothing on stdout and name the field on stderr.

use kitanetz_tests::{
    assert_json_contains, assert_missing_case_refused, fixture_cases, run_kitanetz,
};

/// The cases of `kind`, run as `kitanetz COMMAND --case FILE`, in the staff/Tagespflege
/// convention (`error_field` for a refused case). Shared with `tagespflege.rs`.
pub(crate) fn run_field_error_cases(kind: &str, command: &[&str], at_least: usize) {
    for c in fixture_cases(kind, at_least) {
        let name = &c.name;
        let mut args: Vec<std::ffi::OsString> = command.iter().map(Into::into).collect();
        args.push("--case".into());
        args.push(c.case.clone().into());
        let run = run_kitanetz(args);
        match c.expected["error_field"].as_str() {
            Some(field) => {
                assert_eq!(run.code, 2, "{name}: exit code of an invalid case");
                assert!(run.stdout.is_empty(), "{name}: stdout {}", run.stdout);
                assert!(
                    run.stderr.contains(&format!(" {field}: ")),
                    "{name}: stderr should name {field}: {}",
                    run.stderr
                );
            }
            None => {
                assert_eq!(run.code, 0, "{name}: exit code, stderr {}", run.stderr);
                let got: serde_json::Value =
                    serde_json::from_str(&run.stdout).expect("stdout is JSON");
                assert_json_contains(&got, &c.expected, name);
            }
        }
    }
}

#[test]
fn staff_need_cases_through_the_cli() {
    run_field_error_cases("staff", &["staff", "need"], 4);
}

#[test]
fn a_missing_staff_case_file_is_refused_with_exit_2() {
    assert_missing_case_refused(&["staff", "need"]);
}
