//! The one-year forecast (Belegungsvorschau, Lastenheft 3.6.10, 3.12.1.2): month by month the
//! figures, the places free on every day of the month, and which child moves when and why.

use crate::findings::{Finding, KindCount};
use crate::input::{FacilityBook, FacilityId, PlaceKind};
use crate::occupancy::{ClosureOnDate, Figures, KindFigures, OccupancyError, Prepared};
use crate::period::Period;
use crate::projection::Movement;
use crate::rules::Rules;
use chrono::{Datelike, Months, NaiveDate};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

/// The fewest free places of a kind on any day of a month, and the first day with that number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct LeastFree {
    pub kind: PlaceKind,
    pub free: u32,
    pub on: NaiveDate,
}

/// One month of a forecast.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ForecastMonth {
    pub year: i32,
    pub month: u32,
    /// The days of the month inside the forecast.
    pub period: Period,
    /// The day the figures are for: the 1st, or the reference date in its own month.
    pub on: NaiveDate,
    pub places: Vec<KindFigures>,
    pub total: Figures,
    /// Per kind the places free on every day of the month (the month split at every date of
    /// change): a place is free for the month only if it is free each day.
    pub least_free: Vec<LeastFree>,
    /// The moves in the month after the reference date, by day.
    pub movements: Vec<Movement>,
    pub closure: Option<ClosureOnDate>,
    /// Findings on `on`.
    pub findings: Vec<Finding>,
}

/// A facility's forecast.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Forecast {
    pub facility: FacilityId,
    pub reference_date: NaiveDate,
    /// From the reference date for [`Rules::forecast_months`] months.
    pub period: Period,
    pub months: Vec<ForecastMonth>,
}

impl Forecast {
    /// Every move in the forecast, by day.
    pub fn movements(&self) -> impl Iterator<Item = &Movement> {
        self.months.iter().flat_map(|m| &m.movements)
    }
}

/// A calendar month of a forecast: year, month and its days inside the forecast's window.
pub(crate) type WindowMonth = (i32, u32, Period);

/// The forecast's window and its months.
pub(crate) fn months_of(reference: NaiveDate, rules: &Rules) -> Option<(Period, Vec<WindowMonth>)> {
    let last = reference
        .checked_add_months(Months::new(rules.forecast_months))?
        .pred_opt()?;
    let window = Period::closed(reference, last).ok()?;
    let mut months = Vec::new();
    let mut first = reference;
    while first <= last {
        let next_first = first.with_day(1)?.checked_add_months(Months::new(1))?;
        let end = next_first.pred_opt()?.min(last);
        months.push((
            first.year(),
            first.month(),
            Period::closed(first, end).ok()?,
        ));
        first = next_first;
    }
    Some((window, months))
}

impl Prepared<'_> {
    pub(crate) fn forecast(&self, i: usize, reference: NaiveDate) -> Forecast {
        let book = &self.books[i];
        let (window, months) = months_of(reference, self.rules)
            .unwrap_or_else(|| (Period::from(reference), Vec::new()));
        // Every day on which something in this facility (or a facility sending guests) changes.
        let mut change_days: BTreeSet<NaiveDate> = book.change_days().collect();
        change_days.extend(self.stays[i].iter().flat_map(|s| s.change_days()));
        for &j in &self.sending[i] {
            let sender = &self.books[j];
            change_days.extend(
                sender
                    .closures
                    .iter()
                    .flat_map(|c| [Some(c.period.start()), c.period.day_after()])
                    .flatten(),
            );
            change_days.extend(self.stays[j].iter().flat_map(|s| s.change_days()));
        }
        // Sorted by day and child.
        let movements: Vec<&Movement> = self.movements[i]
            .iter()
            .filter(|m| m.on > reference && window.contains(m.on))
            .collect();

        let months = months
            .into_iter()
            .map(|(year, month, period)| {
                let on = period.start();
                let full = self.occupancy_on(i, on);
                let mut least: BTreeMap<PlaceKind, (u32, NaiveDate)> = full
                    .places
                    .iter()
                    .map(|r| (r.kind, (r.figures.free, on)))
                    .collect();
                for &day in change_days.range(on..).skip_while(|d| **d == on) {
                    if !period.contains(day) {
                        break;
                    }
                    let (rows, _, _) = self.figures_on(i, day);
                    for row in rows {
                        let entry = least.entry(row.kind).or_insert((row.figures.free, day));
                        if row.figures.free < entry.0 {
                            *entry = (row.figures.free, day);
                        }
                    }
                }
                ForecastMonth {
                    year,
                    month,
                    period,
                    on,
                    least_free: least
                        .into_iter()
                        .map(|(kind, (free, on))| LeastFree { kind, free, on })
                        .collect(),
                    movements: movements
                        .iter()
                        .filter(|m| period.contains(m.on))
                        .map(|m| (*m).clone())
                        .collect(),
                    places: full.places,
                    total: full.total,
                    closure: full.closure,
                    findings: full.findings,
                }
            })
            .collect();
        Forecast {
            facility: book.facility.clone(),
            reference_date: reference,
            period: window,
            months,
        }
    }
}

/// The forecast of `facility` from `reference_date` for [`Rules::forecast_months`] months
/// (Lastenheft 3.6.10, 3.12.1.2).
pub fn forecast(
    books: &[FacilityBook],
    facility: &FacilityId,
    reference_date: NaiveDate,
    rules: &Rules,
) -> Result<Forecast, OccupancyError> {
    let (prepared, i) = Prepared::for_facility(books, rules, facility)?;
    Ok(prepared.forecast(i, reference_date))
}

/// Sums least-free figures of several facilities per kind: the places of that kind free on
/// every day of the month in each facility, added up.
pub(crate) fn sum_least_free<'a>(parts: impl Iterator<Item = &'a LeastFree>) -> Vec<KindCount> {
    let mut sums: BTreeMap<PlaceKind, u32> = BTreeMap::new();
    for p in parts {
        *sums.entry(p.kind).or_default() += p.free;
    }
    sums.into_iter()
        .map(|(kind, places)| KindCount { kind, places })
        .collect()
}
