//! The Kita lead's two lists: children due to switch from Krippe to Kindergarten (Lastenheft
//! 3.6.16) and the expected school entrants of a school year (3.6.17).

use crate::input::{CareType, Child, ChildPseudonym, FacilityBook, PlaceKind};
use crate::occupancy::OccupancyError;
use crate::projection::{
    project, school_entry, switch_window, SchoolEntryDate, SchoolEntryRule, SwitchWindow,
};
use crate::rules::Rules;
use chrono::NaiveDate;
use serde::Serialize;

/// Where a Krippe child stands in its switch window on the list's day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum SwitchStatus {
    /// Between the earliest and the latest switch date: may switch.
    May,
    /// Past the latest switch date and still on a Krippe line: counted as a Kindergarten child
    /// (or as gone, without Kindergarten in the facility); record the switch.
    Overdue,
}

/// A child on the Krippe → Kindergarten list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SwitchCandidate {
    pub child: ChildPseudonym,
    pub birth_date: NaiveDate,
    pub completed_months: u32,
    /// The Krippe place the contract line names.
    pub kind: PlaceKind,
    pub window: SwitchWindow,
    pub status: SwitchStatus,
}

/// Children on a Krippe contract line on `on` who have completed at least
/// [`Rules::earliest_switch_months`] (Lastenheft 3.6.16: "alle Kinder …, die zum Stichtag den
/// 34. bis max. 36. Lebensmonat vollendet haben", with the earliest and latest switch date).
/// Children past the latest date whose line still says Krippe are listed as overdue. Sorted
/// by latest switch date.
pub fn switch_list(
    book: &FacilityBook,
    on: NaiveDate,
    rules: &Rules,
) -> Result<Vec<SwitchCandidate>, OccupancyError> {
    rules.validate()?;
    let mut out: Vec<SwitchCandidate> = Vec::new();
    for contract in &book.contracts {
        let child = &contract.child;
        if out.iter().any(|c| c.child == child.pseudonym) {
            continue;
        }
        let Some(line) = contract
            .lines
            .iter()
            .filter(|l| l.valid_from <= on)
            .max_by_key(|l| l.valid_from)
            .or_else(|| contract.lines.iter().min_by_key(|l| l.valid_from))
        else {
            continue;
        };
        let in_force = contract.start <= on && contract.end.last_day().is_none_or(|e| on <= e);
        if !in_force || line.kind.care_type != CareType::Nursery {
            continue;
        }
        let completed_months = crate::age::completed_months_on(child.birth_date, on);
        let Some(window) = switch_window(child.birth_date, rules) else {
            continue;
        };
        if on < window.earliest {
            continue;
        }
        out.push(SwitchCandidate {
            child: child.pseudonym.clone(),
            birth_date: child.birth_date,
            completed_months,
            kind: line.kind,
            window,
            status: if on < window.latest {
                SwitchStatus::May
            } else {
                SwitchStatus::Overdue
            },
        });
    }
    out.sort_by(|a, b| (a.window.latest, &a.child).cmp(&(b.window.latest, &b.child)));
    Ok(out)
}

/// A child expected to go to school.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SchoolEntrant {
    pub child: ChildPseudonym,
    pub birth_date: NaiveDate,
    pub entry: SchoolEntryDate,
}

/// A child who would go to school with `school_year` if the parents asked (completes the
/// school age after the compulsory and by the on-request cut-off), or who was deferred from it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SchoolYearCase {
    pub child: ChildPseudonym,
    pub birth_date: NaiveDate,
    /// When the child actually leaves under its recorded school entry.
    pub entry: SchoolEntryDate,
}

/// The school list of a school year (Lastenheft 3.6.17).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SchoolList {
    /// The first day of the school year.
    pub first_school_day: NaiveDate,
    /// Children whose Kindergarten place ends with this school year, by birth date: compulsory
    /// entrants, entrants on request, and Schulrücksteller of earlier years now due.
    pub entrants: Vec<SchoolEntrant>,
    /// Children who may enter on request but have not asked (they stay unless they do).
    pub may_enter_on_request: Vec<SchoolYearCase>,
    /// Schulrücksteller: would have entered this year, keep their place (and pay) until later.
    pub deferred: Vec<SchoolYearCase>,
}

/// The expected school entrants among the children with a Kindergarten place in `book` on the
/// day before the school year `school_year` starts.
pub fn school_list(
    book: &FacilityBook,
    school_year: i32,
    rules: &Rules,
) -> Result<SchoolList, OccupancyError> {
    rules.validate()?;
    let first_school_day = rules
        .school_year_start
        .in_year(school_year)
        .ok_or(OccupancyError::YearOutOfRange(school_year))?;
    let day_before = first_school_day.pred_opt().unwrap_or(first_school_day);
    let mut list = SchoolList {
        first_school_day,
        entrants: Vec::new(),
        may_enter_on_request: Vec::new(),
        deferred: Vec::new(),
    };
    let mut seen: Vec<&ChildPseudonym> = Vec::new();
    for contract in &book.contracts {
        let child: &Child = &contract.child;
        let stay = project(contract, book, rules);
        let in_kindergarten = stay
            .segment_on(day_before)
            .is_some_and(|s| s.kind.care_type == CareType::Kindergarten);
        if !in_kindergarten || seen.contains(&&child.pseudonym) {
            continue;
        }
        seen.push(&child.pseudonym);
        let Some(entry) = school_entry(child, rules) else {
            continue;
        };
        if entry.first_school_day == first_school_day {
            list.entrants.push(SchoolEntrant {
                child: child.pseudonym.clone(),
                birth_date: child.birth_date,
                entry,
            });
            continue;
        }
        let case = SchoolYearCase {
            child: child.pseudonym.clone(),
            birth_date: child.birth_date,
            entry,
        };
        match entry.rule {
            SchoolEntryRule::Deferred { statutory_year } if statutory_year <= school_year => {
                list.deferred.push(case)
            }
            _ => {
                let asked = Child {
                    school_entry: crate::input::SchoolEntry::OnRequest,
                    ..child.clone()
                };
                if school_entry(&asked, rules)
                    .is_some_and(|e| e.first_school_day == first_school_day)
                {
                    list.may_enter_on_request.push(case);
                }
            }
        }
    }
    for l in [&mut list.may_enter_on_request, &mut list.deferred] {
        l.sort_by(|a, b| (a.birth_date, &a.child).cmp(&(b.birth_date, &b.child)));
    }
    list.entrants
        .sort_by(|a, b| (a.birth_date, &a.child).cmp(&(b.birth_date, &b.child)));
    Ok(list)
}
