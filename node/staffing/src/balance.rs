//! The staffing balance of one Kita: need (Soll) against actual staff (Ist), month by month,
//! with the yearly average and the months short (Lastenheft 3.7.2.6.1–3.7.2.6.5, seed 004
//! L2348–2380: "monatsweise", "Personalüberhang bzw. Personalbedarf", "Jahresverlauf" with the
//! mean of the year, "Vorausschau").
//!
//! - **Soll** of a month is [`compute`] on that month's case (children rows and Zusatz), under
//!   the rules in force on the month's first day.
//! - **Ist** of a month is the full-time equivalents (VbE) of the staff assigned to the Kita:
//!   weekly hours ÷ the rules' full-time weekly hours, for persons whose qualification counts
//!   (§ 12: pädagogische Fachkräfte). A person who starts, leaves or is absent (long-term
//!   illness, maternity protection, parental leave: Lastenheft 3.7.2.4, L2328–2331) during the
//!   month counts pro rata by **calendar days**: the month's figure is then the average staffing
//!   over the month, and the year's figure the average of its months. Working days would need a
//!   holiday calendar per Land and would make the same contract count differently in months
//!   that begin on another weekday; a month is the unit the sheets of annex F report.
//! - A month whose first day is after `today` is a **forecast**: its children rows and staff
//!   are what is planned (placed children, known exits, signed contracts, L2378–2380). The
//!   month `today` lies in is not: its rows are those in force.
//!
//! Every figure is exact ([`Ratio`]); reported values are rounded half up to three decimals,
//! as the need is. Each month lists the persons counted with their VbE, so that the Ist can be
//! checked by hand like the Soll.

use crate::case::{CaseError, StaffNeedCase};
use crate::month::{DaySpan, Month};
use crate::need::{compute, shown, StaffNeed};
use crate::ratio::{Overflow, Ratio};
use crate::rules::RuleBook;
use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::fmt;

/// What a person does at a Kita: § 12 (2) Nr. 1–3 key the educators, Nr. 4 the leadership.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum StaffRole {
    Educator,
    Leadership,
}

impl StaffRole {
    pub fn name(self) -> &'static str {
        match self {
            StaffRole::Educator => "educator",
            StaffRole::Leadership => "leadership",
        }
    }
}

/// One person's hours at one Kita in one role during a period, as the balance reads it (the
/// node derives it from the staff member's document). `P` and `F` are the caller's person and
/// facility ids.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StaffAssignment<P, F> {
    pub person: P,
    pub facility: F,
    pub role: StaffRole,
    /// Whether the person's qualification counts towards the Personalschlüssel.
    pub counts_towards_key: bool,
    pub period: DaySpan,
    /// Contracted weekly hours in this assignment, > 0.
    pub weekly_hours: Decimal,
    /// The person's absences (at every Kita): their days count nothing.
    pub absences: Vec<DaySpan>,
}

/// Everything the balance of one Kita over a range of months is computed from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BalanceInput<P, F> {
    pub facility: F,
    pub first_month: Month,
    pub last_month: Month,
    /// Each month's children rows and Zusatz (the need's input); every month of the range must
    /// have one, empty if the Kita has no children then.
    pub cases: BTreeMap<Month, StaffNeedCase>,
    /// Assignments at any Kita: those at `facility` are counted.
    pub staff: Vec<StaffAssignment<P, F>>,
    /// The day the balance is made: months beginning after it are a forecast.
    pub today: NaiveDate,
}

/// Full-time equivalents by role.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Vbe {
    pub educator: Ratio,
    pub leadership: Ratio,
    /// Educator + leadership, and for the Soll the Zusatz values as well (they belong to no
    /// role), so the Soll's total may exceed the sum of its two parts.
    pub total: Ratio,
}

impl Vbe {
    fn minus(self, other: Vbe) -> Result<Vbe, Overflow> {
        Ok(Vbe {
            educator: self.educator.checked_sub(other.educator)?,
            leadership: self.leadership.checked_sub(other.leadership)?,
            total: self.total.checked_sub(other.total)?,
        })
    }

    fn to_json(self) -> Result<Value, Overflow> {
        Ok(json!({
            "educator_vbe": shown(self.educator)?,
            "leadership_vbe": shown(self.leadership)?,
            "total_vbe": shown(self.total)?,
        }))
    }
}

/// How one assignment counts in one month: the line that explains its share of the Ist.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CountedStaff<P> {
    pub person: P,
    pub role: StaffRole,
    pub counts_towards_key: bool,
    pub period: DaySpan,
    pub weekly_hours: Decimal,
    /// Days of the month inside the period on which the person is not absent.
    pub days_counted: u32,
    pub days_in_month: u32,
    /// weekly hours ÷ full-time weekly hours × days counted ÷ days in the month; zero for a
    /// person whose qualification does not count.
    pub vbe: Ratio,
}

/// Soll and Ist of one month.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MonthBalance<P> {
    pub month: Month,
    pub forecast: bool,
    /// The rules in force on the month's first day ([`crate::StaffingRules::id`]).
    pub rules: &'static str,
    pub full_time_weekly_hours: Decimal,
    /// The need with its lines and sections: the explanation of the Soll.
    pub need: StaffNeed,
    /// Every assignment at the Kita touching the month, sorted by person: the explanation of
    /// the Ist.
    pub staff: Vec<CountedStaff<P>>,
    pub soll: Vbe,
    pub ist: Vbe,
    /// Ist − Soll: positive is a surplus (Personalüberhang), negative a shortage
    /// (Personalbedarf).
    pub difference: Vbe,
}

impl<P> MonthBalance<P> {
    /// Whether the Kita has fewer full-time equivalents than it needs.
    pub fn is_short(&self) -> bool {
        self.difference.total.is_negative()
    }
}

/// The months of one calendar year inside the range (Lastenheft 3.7.2.6.4: the course over the
/// year and its mean).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct YearBalance {
    pub year: i32,
    /// How many months of the year the range holds; the averages are over these.
    pub months: u32,
    pub forecast_months: u32,
    pub average_soll: Ratio,
    pub average_ist: Ratio,
    /// Average Ist − average Soll (equal to the average of the monthly differences).
    pub average_difference: Ratio,
    pub months_short: Vec<Month>,
}

/// The balance of one Kita over a range of months.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Balance<P> {
    pub months: Vec<MonthBalance<P>>,
    pub years: Vec<YearBalance>,
}

/// Why a balance cannot be computed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BalanceError {
    #[error("the range ends with {last} before it begins with {first}")]
    Range { first: Month, last: Month },
    #[error(
        "no staffing rules are in force on {0}: add a version of the rules valid from that \
         day or earlier"
    )]
    NoRules(NaiveDate),
    #[error("no children rows for {0}: give each month's case, empty if there are no children")]
    MissingMonth(Month),
    #[error("{month}: {source}")]
    Case { month: Month, source: CaseError },
    #[error("staff[{index}]: {problem}")]
    Assignment { index: usize, problem: &'static str },
    #[error(transparent)]
    Overflow(#[from] Overflow),
}

/// The balance of `input.facility` from `input.first_month` to `input.last_month`.
pub fn balance<P: Clone + Ord, F: PartialEq>(
    input: &BalanceInput<P, F>,
    rules: &RuleBook,
) -> Result<Balance<P>, BalanceError> {
    if input.last_month < input.first_month {
        return Err(BalanceError::Range {
            first: input.first_month,
            last: input.last_month,
        });
    }
    for (index, a) in input.staff.iter().enumerate() {
        let problem = if !a.period.is_well_formed() {
            Some("the period ends before it begins")
        } else if !a.absences.iter().all(|s| s.is_well_formed()) {
            Some("an absence ends before it begins")
        } else if a.weekly_hours <= Decimal::ZERO {
            Some("the weekly hours must be more than 0")
        } else {
            None
        };
        if let Some(problem) = problem {
            return Err(BalanceError::Assignment { index, problem });
        }
    }
    let here: Vec<&StaffAssignment<P, F>> = input
        .staff
        .iter()
        .filter(|a| a.facility == input.facility)
        .collect();
    let months = input
        .first_month
        .through(input.last_month)
        .map(|month| month_balance(month, input, &here, rules))
        .collect::<Result<Vec<_>, _>>()?;
    let years = years(&months)?;
    Ok(Balance { months, years })
}

fn month_balance<P: Clone + Ord, F>(
    month: Month,
    input: &BalanceInput<P, F>,
    here: &[&StaffAssignment<P, F>],
    rules: &RuleBook,
) -> Result<MonthBalance<P>, BalanceError> {
    let first_day = month.first_day();
    let rules = rules
        .on(first_day)
        .ok_or(BalanceError::NoRules(first_day))?;
    let case = input
        .cases
        .get(&month)
        .ok_or(BalanceError::MissingMonth(month))?;
    let need = compute(case, rules).map_err(|source| BalanceError::Case { month, source })?;
    let soll = Vbe {
        educator: need.educator_vbe()?,
        leadership: need.leadership_vbe()?,
        total: need.total_vbe()?,
    };
    let full_time = Ratio::from_decimal(rules.full_time_weekly_hours);
    let mut staff = here
        .iter()
        .filter(|a| a.period.touches(month))
        .map(|a| counted(a, month, full_time))
        .collect::<Result<Vec<_>, Overflow>>()?;
    // Every field in the key, so that the list (and the whole balance) is the same whatever
    // order the assignments came in.
    staff.sort_by(|x, y| {
        (
            &x.person,
            x.role,
            x.period,
            x.weekly_hours,
            x.counts_towards_key,
            x.days_counted,
        )
            .cmp(&(
                &y.person,
                y.role,
                y.period,
                y.weekly_hours,
                y.counts_towards_key,
                y.days_counted,
            ))
    });
    let of_role = |role| Ratio::checked_sum(staff.iter().filter(|s| s.role == role).map(|s| s.vbe));
    let educator = of_role(StaffRole::Educator)?;
    let leadership = of_role(StaffRole::Leadership)?;
    let ist = Vbe {
        educator,
        leadership,
        total: educator.checked_add(leadership)?,
    };
    let difference = ist.minus(soll)?;
    Ok(MonthBalance {
        month,
        forecast: first_day > input.today,
        rules: rules.id,
        full_time_weekly_hours: rules.full_time_weekly_hours,
        need,
        staff,
        soll,
        ist,
        difference,
    })
}

fn counted<P: Clone, F>(
    a: &StaffAssignment<P, F>,
    month: Month,
    full_time: Ratio,
) -> Result<CountedStaff<P>, Overflow> {
    let days_counted = month
        .days_iter()
        .filter(|day| a.period.contains(*day) && !a.absences.iter().any(|s| s.contains(*day)))
        .count() as u32;
    let days_in_month = month.days();
    let vbe = if a.counts_towards_key {
        Ratio::from_decimal(a.weekly_hours)
            .checked_div(full_time)?
            .checked_mul(Ratio::new(days_counted.into(), days_in_month.into()).ok_or(Overflow)?)?
    } else {
        Ratio::ZERO
    };
    Ok(CountedStaff {
        person: a.person.clone(),
        role: a.role,
        counts_towards_key: a.counts_towards_key,
        period: a.period,
        weekly_hours: a.weekly_hours,
        days_counted,
        days_in_month,
        vbe,
    })
}

fn years<P>(months: &[MonthBalance<P>]) -> Result<Vec<YearBalance>, Overflow> {
    let mut by_year: BTreeMap<i32, Vec<&MonthBalance<P>>> = BTreeMap::new();
    for m in months {
        by_year.entry(m.month.year()).or_default().push(m);
    }
    by_year
        .into_iter()
        .map(|(year, months)| {
            let count = Ratio::integer(months.len() as i64);
            let average_soll =
                Ratio::checked_sum(months.iter().map(|m| m.soll.total))?.checked_div(count)?;
            let average_ist =
                Ratio::checked_sum(months.iter().map(|m| m.ist.total))?.checked_div(count)?;
            Ok(YearBalance {
                year,
                months: months.len() as u32,
                forecast_months: months.iter().filter(|m| m.forecast).count() as u32,
                average_soll,
                average_ist,
                average_difference: average_ist.checked_sub(average_soll)?,
                months_short: months
                    .iter()
                    .filter(|m| m.is_short())
                    .map(|m| m.month)
                    .collect(),
            })
        })
        .collect()
}

impl<P: fmt::Display> Balance<P> {
    /// The balance for pages and exports: every VbE with three decimals, each month with its
    /// need (as `kitanetz-staff-need-result/1`) and the persons counted.
    pub fn to_json(&self) -> Result<Value, Overflow> {
        let months = self
            .months
            .iter()
            .map(|m| {
                let staff = m
                    .staff
                    .iter()
                    .map(|s| {
                        Ok(json!({
                            "person": s.person.to_string(),
                            "role": s.role.name(),
                            "counts_towards_key": s.counts_towards_key,
                            "from": s.period.start.to_string(),
                            "until": s.period.end.map(|e| e.to_string()),
                            "weekly_hours": s.weekly_hours.normalize().to_string(),
                            "days_counted": s.days_counted,
                            "days_in_month": s.days_in_month,
                            "vbe": shown(s.vbe)?,
                        }))
                    })
                    .collect::<Result<Vec<Value>, Overflow>>()?;
                Ok(json!({
                    "month": m.month.to_string(),
                    "forecast": m.forecast,
                    "rules": m.rules,
                    "full_time_weekly_hours": m.full_time_weekly_hours.normalize().to_string(),
                    "soll": m.soll.to_json()?,
                    "ist": m.ist.to_json()?,
                    "difference": m.difference.to_json()?,
                    "short": m.is_short(),
                    "need": m.need.to_json()?,
                    "staff": staff,
                }))
            })
            .collect::<Result<Vec<Value>, Overflow>>()?;
        let years = self
            .years
            .iter()
            .map(|y| {
                Ok(json!({
                    "year": y.year,
                    "months": y.months,
                    "forecast_months": y.forecast_months,
                    "average_soll_vbe": shown(y.average_soll)?,
                    "average_ist_vbe": shown(y.average_ist)?,
                    "average_difference_vbe": shown(y.average_difference)?,
                    "months_short": y.months_short.iter().map(Month::to_string).collect::<Vec<_>>(),
                }))
            })
            .collect::<Result<Vec<Value>, Overflow>>()?;
        Ok(json!({ "months": months, "years": years }))
    }
}

#[cfg(test)]
mod tests;
