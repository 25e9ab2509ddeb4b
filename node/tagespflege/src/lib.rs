//! Kitanetz Kindertagespflege refunds (annex K of the E-KITA Lastenheft, seed 004): pure rules,
//! no I/O.
//!
//! A childminder (Tagespflegeperson, TPP) gets half of her proven health and care insurance
//! contributions (§ 23 Abs. 2 Nr. 4 SGB VIII) and of her pension contributions (Nr. 3, capped per
//! approved place), and her accident insurance (BGW) contribution in full. Annex K holds the
//! decisions (pension L29365–29494, health and care with a worked example L29545–29640, BGW
//! L30309–30323) and the TPP agreement § 6 (L30137–30165).
//!
//! A case (`kitanetz-tagespflege-refund-case/1`, `shared/formats/tagespflege-refund-case.md`)
//! is one Festsetzungsbescheid: [`parse_case`] checks it, [`decide`] decides it, and
//! [`case_output`] does both for the CLI (`kitanetz tagespflege refund --case FILE`). Money is
//! `rust_decimal`, rounded half up to the cent where an amount is produced ([`Money`]).

pub mod absence;
pub mod capacity;
pub mod case;
pub mod explain;
pub mod money;
pub mod month;
pub mod payment;
pub mod period;
pub mod refund;
pub mod register;
pub mod rules;

pub use case::{parse_case, CaseError, RefundCase, CASE_FORMAT};
pub use money::Money;
pub use month::Month;
pub use refund::{decide, Decision, RESULT_FORMAT};
pub use rules::RefundRules;

pub use kitanetz_case::{CaseOutput, EXIT_INVALID, EXIT_OK};

/// The output for a case that cannot be computed (also for an unreadable file).
pub fn invalid_case(error: &CaseError) -> CaseOutput {
    CaseOutput::refused("invalid tagespflege refund case", error)
}

/// Reads, checks and decides a case under annex K's parameters.
pub fn decide_case(case_json: &str) -> Result<serde_json::Value, CaseError> {
    let case = parse_case(case_json, &RefundRules::annex_k())?;
    Ok(decide(&case).to_json())
}

/// The CLI's whole behaviour for a case text: the result on stdout and exit 0 (a rejected
/// pension application is a decision, so exit 0 too), or the refusal on stderr and exit 2.
pub fn case_output(case_json: &str) -> CaseOutput {
    match decide_case(case_json) {
        Ok(result) => CaseOutput::computed(&result),
        Err(error) => invalid_case(&error),
    }
}
