//! `kitanetz tagespflege refund --case FILE.json` on the case files in
//! `tests/fixtures/tagespflege/`, in the same convention as `staff.rs`: a computed case is
//! compared with `NAME.expected.json` (every field given there), a refused one
//! (`{"exit_code": 2, "error_field": …}`) must exit 2 and name the field on stderr.

use kitanetz_tests::assert_missing_case_refused;

#[test]
fn tagespflege_refund_cases_through_the_cli() {
    super::staff::run_field_error_cases("tagespflege", &["tagespflege", "refund"], 6);
}

#[test]
fn a_missing_tagespflege_case_file_is_refused_with_exit_2() {
    assert_missing_case_refused(&["tagespflege", "refund"]);
}
