//! Kitanetz staff need (Soll-Personalbedarf): pure rules, no I/O.
//!
//! SächsKitaG § 12 Abs. 2 sets the keys (Krippe 1 : 6, Kindergarten 1 : 13 on nine hours, Hort
//! 0,9 : 20 on six hours, one leader per ten educators; seed 004 L4785–4801). Annex F of the
//! E-KITA Lastenheft (L8188–8593) turns them into a sheet: children per care type and daily
//! hours, converted to full-time child equivalents (RZÄ), times the key, plus the leadership
//! share of each section and manual additions. The Lastenheft asks for the values to be
//! configurable (3.7.2.6.1 and 3.7.2.7, L2348–2395): [`StaffingRules`] holds them,
//! [`StaffingRules::annex_f`] is the shipped version.
//!
//! A case (`kitanetz-staff-need-case/1`, `shared/formats/staff-need-case.md`) is read by
//! [`parse_case`], computed exactly by [`compute`] and written as
//! `kitanetz-staff-need-result/1`. [`case_output`] does all three for the CLI
//! (`kitanetz staff need --case FILE`).
//!
//! [`balance()`] sets the need of each month against the staff assigned to a Kita (Soll/Ist,
//! Lastenheft 3.7.2.6), under the rules of a [`RuleBook`] valid on each month's first day.

pub mod balance;
pub mod case;
pub mod month;
pub mod need;
pub mod ratio;
pub mod rules;

pub use balance::{
    balance, Balance, BalanceError, BalanceInput, CountedStaff, MonthBalance, StaffAssignment,
    StaffRole, Vbe, YearBalance,
};
pub use case::{parse_case, Addition, CaseError, ChildrenRow, StaffNeedCase, CASE_FORMAT};
pub use month::{DaySpan, Month};
pub use need::{compute, CareTypeNeed, SectionNeed, StaffNeed, RESULT_FORMAT};
pub use ratio::{Overflow, Ratio};
pub use rules::{
    CareType, Conversion, Leadership, RuleBook, RuleBookError, Section, StaffKey, StaffingRules,
};

pub use kitanetz_case::{CaseOutput, EXIT_INVALID, EXIT_OK};

/// The output for a case that cannot be computed (also for an unreadable file).
pub fn invalid_case(error: &CaseError) -> CaseOutput {
    CaseOutput::refused("invalid staff need case", error)
}

/// Reads, checks and computes a case under the annex F rules.
pub fn compute_case(case_json: &str) -> Result<serde_json::Value, CaseError> {
    let case = parse_case(case_json)?;
    let need = compute(&case, &StaffingRules::annex_f())?;
    Ok(need
        .to_json()
        .expect("compute checked that the result can be written"))
}

/// The CLI's whole behaviour for a case text: the result on stdout and exit 0, or the refusal
/// on stderr and exit 2.
pub fn case_output(case_json: &str) -> CaseOutput {
    match compute_case(case_json) {
        Ok(result) => CaseOutput::computed(&result),
        Err(error) => invalid_case(&error),
    }
}
