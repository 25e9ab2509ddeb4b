//! Kitanetz Kindertagespflege (Lastenheft 3.5 and annex K of the E-KITA Lastenheft, seed 004):
//! pure rules, no I/O and no clock — `today` is always a parameter.
//!
//! - [`register`]: the childminder's permit (§ 43 SGB VIII, 5 years, renewal watched 6 months
//!   ahead) and proofs (first aid, health and police certificates, yearly training, others as
//!   data), each with the [`register::WatchState`]s valid → renewal due → expired and the day
//!   each begins; the watch list and the list of coming permit renewals.
//! - [`capacity`]: at most the permit's places (≤ 5) at the same time, reservations and
//!   substitute care counted; every over-capacity range with the children named; the check that
//!   refuses a placement.
//! - [`absence`]: the year's ledger of vacation (26 days), sick (10) and training (5) days with
//!   continued payment, the rest unpaid, and each month's care and absence days.
//! - [`payment`]: the monthly running payment per child and care tier from a versioned amount
//!   table, part months by calendar days, unpaid absence deducted.
//! - [`grants`]: equipment (100 € per new place), replacement (100 € per place and year) and
//!   training (50 % up to 100 € a year; the curricula) grants.
//! - The insurance refunds ([`refund`], [`case`]): a childminder (Tagespflegeperson, TPP) gets
//!   half of her proven health and care insurance contributions (§ 23 Abs. 2 Nr. 4 SGB VIII) and
//!   of her pension contributions (Nr. 3, capped per approved place), and her accident insurance
//!   (BGW) contribution in full. Annex K holds the decisions (pension L29365–29494, health and
//!   care with a worked example L29545–29640, BGW L30309–30323) and the TPP agreement § 6
//!   (L30137–30165).
//!
//! Every computed amount, state and count carries [`explain::Explanation`]s: the rule's message
//! key, the version of the rules or table, the seed lines (or "assumption" where the seed is
//! silent) and the arithmetic. Rules are versioned data with a `valid_from`; the shipped
//! defaults are the seed's numbers.
//!
//! A refund case (`kitanetz-tagespflege-refund-case/1`, `shared/formats/tagespflege-refund-case.md`)
//! is one Festsetzungsbescheid: [`parse_case`] checks it, [`decide`] decides it, and
//! [`case_output`] does both for the CLI (`kitanetz tagespflege refund --case FILE`). Money is
//! `rust_decimal`, rounded half up to the cent where an amount is produced ([`Money`]).

pub mod absence;
pub mod capacity;
pub mod case;
pub mod explain;
pub mod grants;
pub mod holidays;
pub mod money;
pub mod month;
pub mod payment;
pub mod payout_file;
pub mod period;
pub mod refund;
pub mod register;
pub mod rules;

pub use case::{parse_case, CaseError, RefundCase, CASE_FORMAT};
pub use money::Money;
pub use month::Month;
pub use refund::{decide, Decision, RESULT_FORMAT};
pub use rules::RefundRules;

pub use absence::{ledger, Absence, AbsenceKind, AbsenceLedger, AbsenceRules, AbsenceYear};
pub use capacity::{
    check_placement, overloads, timeline, CapacityRules, ChildRef, Occupant, OccupantKind,
    PermitPlaces, PlacementCheck,
};
pub use explain::Explanation;
pub use grants::{equipment_grant, replacement_grant, training_grant, GrantRules, Training};
pub use payment::{monthly_payment, AmountTable, CareLine, MonthlyPayment};
pub use period::Period;
pub use register::{
    permit_renewals, watch_list, ChildminderId, ChildminderRecord, Permit, Proof, ProofKind,
    RegisterRules, WatchState,
};

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
