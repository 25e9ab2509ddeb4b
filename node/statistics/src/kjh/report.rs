//! The records of the form and the words for what was left out or changed: the count's answer.

use super::opening::TimeAnswer;
use super::{Position, Rechtsform, TraegerArt, TrainingKey, WorkArea};
use crate::ids::{ChildId, StaffId};
use crate::numbers::OnePlace;
use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::Serialize;

/// The form for one facility on the Stichtag, with what was left out and why.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct KjhReport {
    /// The Stichtag used: the one asked for, or the last month end before it on which the
    /// facility was open (L30410–30412).
    pub reference_date: NaiveDate,
    pub facility: FacilityRecord,
    /// G, by group number, then id; `line` counts on (L33294–33304).
    pub children: Vec<ChildRecord>,
    /// H 1, by id.
    pub staff: Vec<StaffRecord>,
    /// H 2, by id.
    pub domestic_staff: Vec<DomesticStaffRecord>,
    /// Children and persons not counted, in input order: children first.
    pub exclusions: Vec<Exclusion>,
    /// Values the rules set otherwise than the input says, in input order.
    pub notes: Vec<Note>,
    /// Criteria of the survey's scope the facility does not meet (L32906–32924); the statistical
    /// office decides, so the form is filled all the same.
    pub scope: Vec<ScopeFinding>,
}

/// Sections A–F.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FacilityRecord {
    pub traeger_art: TraegerArt,
    pub rechtsform: Rechtsform,
    /// C 1: opens at 7:30 or earlier on most weekdays, and when.
    pub opens_early: TimeAnswer,
    /// C 2: closes at 16:30 or later on most weekdays, and when.
    pub closes_late: TimeAnswer,
    /// C 3: most places are for employees' children (L33205–33207).
    pub mainly_employees_children: bool,
    /// C 4: parent initiative (L33208–33211).
    pub parent_initiative: bool,
    /// D: approved places.
    pub approved_places: u32,
    /// E 1: groups; 1 without a fixed group structure (L33221–33223).
    pub groups: u32,
    /// E 2.
    pub without_fixed_groups: bool,
    /// F 1: children counted; may exceed the places ("Wechselgruppen", L33289–33292).
    pub children: u32,
}

/// One line of G (L30924–31150).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ChildRecord {
    pub id: ChildId,
    /// 1, 2, … in the order of the group ids, or 99.
    pub group_number: u32,
    /// Lfd. Nr.
    pub line: u32,
    pub birth_month: u32,
    pub birth_year: i32,
    /// 1 male, 2 female, 7 ohne Angabe (seed 002 L38).
    pub sex: &'static str,
    /// Contracted hours per week in whole hours, rounded half up (two-digit field 29–30; seed
    /// 002 L48).
    pub weekly_hours: u32,
    pub days_per_week: u32,
    pub weekend_care: bool,
    pub midday_break: bool,
    pub lunch: bool,
    pub in_school: bool,
    pub foreign_origin: bool,
    pub non_german_language: bool,
    pub integration_physical: bool,
    pub integration_mental: bool,
    pub integration_emotional: bool,
}

/// One line of H 1 (L31807–31880).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StaffRecord {
    pub id: StaffId,
    pub line: u32,
    pub sex: &'static str,
    pub birth_month: u32,
    pub birth_year: i32,
    pub position: Position,
    pub training_key: TrainingKey,
    /// First and, if any, second work area, most hours first.
    pub work_areas: Vec<WorkAreaRecord>,
}

/// A work area with its hours ("Beschäftigungsumfang", L33431–33440).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WorkAreaRecord {
    pub area: WorkArea,
    /// Only for Schlüssel A 1 and 2 (L33420–33423).
    pub group_number: Option<u32>,
    /// One decimal, half up (L33432–33433).
    pub weekly_hours: OnePlace,
}

/// One line of H 2 (L32681–32751): sex and contracted weekly hours.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DomesticStaffRecord {
    pub id: StaffId,
    pub line: u32,
    pub sex: &'static str,
    pub weekly_hours: OnePlace,
}

/// Why a child or person is not counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ExclusionReason {
    /// "alle Kinder …, die am Stichtag ein Betreuungsverhältnis in der Einrichtung haben"
    /// (L33232).
    NoContractOnReferenceDate,
    /// "alle Personen, die … am Stichtag in einem gültigen Arbeitsverhältnis tätig sind"
    /// (L33389–33390).
    NotEmployedOnReferenceDate,
    /// "1-Euro-Jobs … werden nicht zur Statistik gemeldet" (L33394–33395).
    OneEuroJob,
    /// "Personen, die ehrenamtlich in der Einrichtung tätig sind" (L33396–33397).
    Volunteer,
    /// "Personen in Elternzeit" (L33397).
    ParentalLeave,
    /// "in der Freistellungsphase der Altersteilzeit" (L33397).
    PartialRetirementRelease,
    /// "Langzeitkranke" (L33397).
    LongTermIllness,
    /// Marginal employment not "zusammenhängend mindestens 3 Monate im Jahr" (L33464–33467).
    MarginalUnderThreeMonths,
    /// "Personal externer Firmen ist hier nicht anzugeben" (L33518–33519).
    ExternalFirm,
}

impl ExclusionReason {
    pub(super) fn explain(self, date: NaiveDate) -> String {
        match self {
            ExclusionReason::NoContractOnReferenceDate => {
                format!("no care contract running on the Stichtag {date} (L33232)")
            }
            ExclusionReason::NotEmployedOnReferenceDate => {
                format!("no valid employment on the Stichtag {date} (L33389-33390)")
            }
            ExclusionReason::OneEuroJob => {
                "works on a § 16 Abs. 3 SGB II job (1-Euro-Job), not reported (L33394-33395)"
                    .to_owned()
            }
            ExclusionReason::Volunteer => "volunteer, not reported (L33396-33397)".to_owned(),
            ExclusionReason::ParentalLeave => {
                format!("on parental leave on {date}; a replacement is reported instead (L33396-33401)")
            }
            ExclusionReason::PartialRetirementRelease => format!(
                "in the release phase of partial retirement on {date}; a replacement is reported instead (L33396-33401)"
            ),
            ExclusionReason::LongTermIllness => {
                format!("long-term ill on {date}; a replacement is reported instead (L33396-33401)")
            }
            ExclusionReason::MarginalUnderThreeMonths => {
                "marginal employment of less than 3 months in a row (L33464-33467)".to_owned()
            }
            ExclusionReason::ExternalFirm => {
                "domestic/technical staff of an outside firm (L33518-33519)".to_owned()
            }
        }
    }
}

/// A child or person left out: "child C7 not counted: …".
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Exclusion {
    /// `child:<id>` or `staff:<id>`.
    pub record: String,
    pub reason: ExclusionReason,
    pub message: String,
}

/// A value set by a rule rather than taken as given, in words.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Note {
    pub record: String,
    pub message: String,
}

/// A criterion of "Abgrenzung des Erhebungsbereichs" (L32906–32924) not met.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ScopeFinding {
    pub record: String,
    pub message: String,
}

/// Input the count cannot work with; nothing is counted. Each names the record and what to fix.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum KjhError {
    #[error("{record}: group {group} is not a group of the facility")]
    UnknownGroup { record: String, group: String },
    #[error(
        "{record}: the facility has fixed groups; name the group (L33294-33298, L33420-33423)"
    )]
    GroupMissing { record: String },
    #[error("facility: fixed group structure but no groups; add them or mark it without fixed groups (L33221-33223)")]
    NoGroups,
    #[error("{record}: several care contracts run on the Stichtag {date}; one contract per day")]
    OverlappingContracts { record: String, date: NaiveDate },
    #[error("{record}: {what}")]
    InvalidValue { record: String, what: String },
    #[error("{record}: at least one work area is required (L33413-33415)")]
    NoWorkArea { record: String },
    #[error("{record}: the work areas' hours ({areas}) must add up to the contracted weekly hours ({total}) (L33435-33437)")]
    WorkAreaHoursMismatch {
        record: String,
        areas: Decimal,
        total: Decimal,
    },
    #[error("{record}: no contracted weekly hours and no actual weekly average (L33467-33469)")]
    NoHours { record: String },
    #[error("facility: closed on every month end of the {months} months before {date}; no Stichtag (L30410-30412)")]
    NoOpenMonthEnd { date: NaiveDate, months: u32 },
}
