//! One family's fee case, format `kitanetz-fee-case/1` (`shared/formats/fee-case.md`): the
//! months to compute, the family, the children with their care and its changes, the case
//! parameters where the sources are silent, and optionally an income-based waiver application.
//!
//! Parsing checks everything a computation relies on and names the offending field on refusal,
//! so that the computation itself cannot meet bad input.

mod parse;
mod reader;
mod waiver;

pub use parse::parse_case;
pub(crate) use waiver::regular_hours_key;
pub use waiver::{
    AboveRegularTime, Allocation, ChildBenefit, Deductions, FlatOrAmount, Income, IncomeLimit,
    Pension, PensionMinimum, Travel, WaiverCase,
};

use crate::care::{CareType, Status};
use crate::money::Hours;
use crate::month::Month;
use crate::timeline::Timeline;
use chrono::NaiveDate;
use std::fmt;

pub use kitanetz_case::CaseError;

/// A parsed and checked case.
#[derive(Debug, Clone)]
pub struct Case {
    pub statute_id: String,
    /// Ascending, without repeats, each in force under the statute.
    pub months: Vec<Month>,
    pub family: Family,
    pub rules: CaseRules,
    pub children: Vec<Child>,
    pub waiver: Option<WaiverCase>,
}

#[derive(Debug, Clone)]
pub struct Family {
    pub single_parent: Timeline<bool>,
    /// Main residence in the city (§ 10 (5)); only then staggering and the waiver apply.
    pub residence_in_city: bool,
}

/// Parameters the sources leave open; the case carries them (never defaulted).
#[derive(Debug, Clone, Default)]
pub struct CaseRules {
    /// Present whenever two or more children can count as Zählkinder.
    pub age_order: Option<AgeOrder>,
    /// Present whenever a child is in a `kita`.
    pub kindergarten_fee_from_completed_months: Option<i64>,
    /// Present whenever the family lives outside the city.
    pub non_resident_sibling_reduction: Option<bool>,
}

/// The direction of "in ihrer Altersreihenfolge" (§ 10 (5)).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AgeOrder {
    OldestFirst,
    YoungestFirst,
}

impl fmt::Display for AgeOrder {
    /// German, as the explanations name it.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            AgeOrder::OldestFirst => "ältestes Kind zuerst",
            AgeOrder::YoungestFirst => "jüngstes Kind zuerst",
        })
    }
}

/// The case's name for a child (unique within the case).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ChildId(pub String);

impl fmt::Display for ChildId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[derive(Debug, Clone)]
pub struct Child {
    pub id: ChildId,
    pub birth_date: NaiveDate,
    /// First day of attendance.
    pub care_from: Option<NaiveDate>,
    /// Last day of the contract; not before `care_from`.
    pub care_until: Option<NaiveDate>,
    /// § 10 (1) "in begründeten Ausnahmefällen": half fee in a start or end month around the 15th.
    pub half_fee_exception: bool,
    /// Care and status, changing from the 1st of a month.
    pub attendance: Timeline<Attendance>,
    pub extra_care: Vec<ExtraCare>,
}

impl Child {
    /// In care (and liable for the whole month, § 10 (1)) from the month of `care_from` to the
    /// month of `care_until`.
    pub fn in_care(&self, month: Month) -> bool {
        self.care_from.is_none_or(|d| Month::of(d) <= month)
            && self.care_until.is_none_or(|d| month <= Month::of(d))
    }
}

/// The child's place in a month.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Attendance {
    /// A place in the city's plan: status regular, foster, home or curative (remedial).
    InCity { status: Status, care: Care },
    /// A Zählkind in another municipality's plan; the care type only as far as the case says.
    OutsideCity { care_type: Option<CareType> },
}

impl Attendance {
    pub fn status(&self) -> Status {
        match self {
            Attendance::InCity { status, .. } => *status,
            Attendance::OutsideCity { .. } => Status::OutsideCity,
        }
    }

    pub fn care_type(&self) -> Option<CareType> {
        match self {
            Attendance::InCity { care, .. } => Some(care.care_type),
            Attendance::OutsideCity { care_type } => *care_type,
        }
    }
}

/// Care type and daily hours of a place; the hours are a priced tier of the care type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Care {
    pub care_type: CareType,
    pub daily_hours: Hours,
}

/// One day of Mehrbetreuung (§ 5).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExtraCare {
    pub date: NaiveDate,
    /// Care tiers beyond the contracted time (0 when only `after_closing`).
    pub tiers: u32,
    /// Not picked up within opening hours.
    pub after_closing: bool,
    /// A school-free day (free tiers for Hort children, § 5 (3)).
    pub school_free_day: bool,
}
