//! The Saxon state subsidy count (Landeszuschuss, § 18 SächsKitaG), case format
//! `kitanetz-landeszuschuss-case/1` (`shared/formats/landeszuschuss-case.md`).
//!
//! The care contracts in force on the Stichtag (1 April) with a term of at least two months are
//! counted in 9-hour equivalents (hours above 9 ignored) by the rows of the state form: a) Krippe,
//! b) Kindergarten, c) Hort (4.1), children with Eingliederungshilfe in a facility (4.2),
//! Tagespflege (4.3); the total times the rate per child is the subsidy (4.4). `L…` are lines of
//! seed 004 (`shared/seeds/004_081961f81841d5b5.txt`): § 18 at L4942–4990, the form at
//! L6522–6720, the internal count sheet at L6373–6446, Lastenheft 3.11 at L3126–3143.

mod case;
mod count;

pub use case::parse_case;
pub use count::{
    capped_daily_hours, count, exclusion, form_row, to_nine_hour_children, Excluded, Exclusion,
    FacilityGroup, FormRow, Groups, LandeszuschussResult, TagespflegeGroup, Tier,
};

use crate::ids::ContractId;
use crate::period::Period;
use crate::CliOutput;
use chrono::NaiveDate;
use rust_decimal::Decimal;

/// The case format this module reads.
pub const CASE_FORMAT: &str = "kitanetz-landeszuschuss-case/1";
/// The result format it writes.
pub const RESULT_FORMAT: &str = "kitanetz-landeszuschuss-result/1";

/// The subsidy per 9-hour child when the case names none: "je 1 875 EUR" (§ 18 Abs. 1 S. 4,
/// L4949–4950). A versioned setting of the node, not a constant of the rules.
pub const DEFAULT_RATE_PER_CHILD: Decimal = Decimal::from_parts(1875, 0, 0, false, 0);

/// Everything the count needs: the Stichtag, the rate and the care contracts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CountInput {
    /// The Stichtag, 1 April of the year (§ 18 Abs. 1 and 5).
    pub reference_date: NaiveDate,
    /// Euros per 9-hour child, ≥ 0.
    pub rate_per_child: Decimal,
    pub contracts: Vec<Contract>,
}

/// The type of care a contract is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum CareType {
    Krippe,
    Kindergarten,
    Hort,
    Tagespflege,
}

/// One care contract (Betreuungsvertrag).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Contract {
    pub id: ContractId,
    /// Kita or Tagespflegeperson; informational.
    pub facility: Option<String>,
    pub care_type: CareType,
    /// Present for Krippe and Kindergarten (their form row depends on the age).
    pub birth_date: Option<NaiveDate>,
    /// Contracted hours per day, > 0.
    pub daily_hours: Decimal,
    /// From start to end inclusive.
    pub term: Period,
    pub eingliederungshilfe: bool,
}

/// `kitanetz statistics landeszuschuss --case FILE.json`: the result on stdout and exit 0, or a
/// message on stderr and exit 2 for an invalid case.
pub fn case_output(case_text: &str) -> CliOutput {
    match parse_case(case_text) {
        Ok(input) => CliOutput::json(&count(&input), 0),
        Err(error) => CliOutput::invalid(error),
    }
}

#[cfg(test)]
mod tests;
