//! Kitanetz parent-fee engine (Elternbeiträge): pure rules, no I/O.
//!
//! A **statute** (Satzung) is dated data ([`statute`]): fee groups with their operating-cost
//! share or published fee, base hours and priced tiers; sibling shares; the switch age options;
//! Mehrbetreuung flats; the values of the waiver form. Dresden 2011 ships embedded; a city adds
//! its own as JSON.
//!
//! A **case** ([`case`], format `kitanetz-fee-case/1`) gives a family's children, their care and
//! its changes, and the months to compute. The engine reads every period-valued input at every
//! month (the split at every date of change), computes each child's fee step by step
//! ([`month_fees`]) and, with an application, the income-based reduction along the annex C form
//! ([`income_reduction`]). Every amount carries its [`Explanation`]: rule, inputs, statute version
//! and paragraph. Money is `rust_decimal`, rounded half up to the cent where it is produced.
//!
//! Sources: seed 004 (E-KITA Lastenheft Dresden) annex B §§ 4, 5, 9, 10, 11, 13; annex C;
//! Lastenheft 3.10; `shared/formats/fee-case.md`.

pub mod care;
pub mod case;
pub mod explain;
pub mod income_reduction;
pub mod money;
pub mod month;
pub mod month_fees;
pub mod result;
pub mod sgb8;
pub mod statute;
pub mod timeline;

pub use case::{parse_case, Case, CaseError};
pub use explain::{Explanation, Rule};
pub use money::Money;
pub use month::Month;
pub use result::{error_json, FeeResult};
pub use statute::{Statute, StatuteBook};

/// The case format this engine reads.
pub const CASE_FORMAT: &str = "kitanetz-fee-case/1";
/// The result format it writes.
pub const RESULT_FORMAT: &str = "kitanetz-fee-result/1";

/// Reads a case (JSON text) and computes it under the statute it names.
pub fn compute_case(case_json: &str, book: &StatuteBook) -> Result<FeeResult, CaseError> {
    let case = parse_case(case_json, book)?;
    let statute = book
        .get(&case.statute_id)
        .ok_or_else(|| CaseError::new("statute", "unknown statute"))?;
    month_fees::compute(&case, statute)
}

/// What `kitanetz fees compute` prints for a case: the result or the refusal, both as
/// `kitanetz-fee-result/1` JSON.
#[derive(Debug, Clone, PartialEq)]
pub struct CaseOutput {
    pub json: serde_json::Value,
    /// `false` when the case was refused (the CLI exits 1).
    pub ok: bool,
}

/// Computes a case under the shipped statutes.
pub fn case_output(case_json: &str) -> CaseOutput {
    match compute_case(case_json, &StatuteBook::builtin()) {
        Ok(result) => CaseOutput {
            json: result.to_json(),
            ok: true,
        },
        Err(error) => CaseOutput {
            json: error_json(&error),
            ok: false,
        },
    }
}
