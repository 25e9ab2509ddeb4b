//! Calendar months and day spans for the monthly balance: the Lastenheft asks for the Soll and
//! Ist "jeweils monatsweise" and their yearly course (3.7.2.6.1–3.7.2.6.4, seed 004 L2348–2376).

use chrono::{Datelike, Days, NaiveDate};
use std::fmt;

/// One calendar month, e.g. 2026-06.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Month {
    first_day: NaiveDate,
}

impl Month {
    /// `None` unless `month` is 1 to 12 and the year is one chrono can represent.
    pub fn new(year: i32, month: u32) -> Option<Month> {
        NaiveDate::from_ymd_opt(year, month, 1).map(|first_day| Month { first_day })
    }

    /// The month `day` lies in.
    pub fn of(day: NaiveDate) -> Month {
        Month {
            first_day: day.with_day(1).expect("every month has a first day"),
        }
    }

    pub fn year(self) -> i32 {
        self.first_day.year()
    }

    pub fn number(self) -> u32 {
        self.first_day.month()
    }

    pub fn first_day(self) -> NaiveDate {
        self.first_day
    }

    pub fn last_day(self) -> NaiveDate {
        self.next()
            .map(|n| n.first_day - Days::new(1))
            // December of chrono's last year: the 31st.
            .unwrap_or_else(|| self.first_day.with_day(31).expect("December has 31 days"))
    }

    /// The number of calendar days (28 to 31).
    pub fn days(self) -> u32 {
        self.last_day().day()
    }

    /// The following month; `None` after chrono's last year.
    pub fn next(self) -> Option<Month> {
        self.first_day
            .checked_add_months(chrono::Months::new(1))
            .map(Month::of)
    }

    /// Every day of the month, in order.
    pub fn days_iter(self) -> impl Iterator<Item = NaiveDate> {
        self.first_day.iter_days().take(self.days() as usize)
    }

    /// `self` to `last` inclusive, in order; empty when `last` is before `self`.
    pub fn through(self, last: Month) -> impl Iterator<Item = Month> {
        std::iter::successors(Some(self), |m| m.next()).take_while(move |m| *m <= last)
    }
}

impl fmt::Display for Month {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.year(), self.number())
    }
}

/// Days `start` to `end` inclusive; `end == None` is open-ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct DaySpan {
    pub start: NaiveDate,
    pub end: Option<NaiveDate>,
}

impl DaySpan {
    pub fn contains(self, day: NaiveDate) -> bool {
        self.start <= day && self.end.is_none_or(|e| day <= e)
    }

    pub fn is_well_formed(self) -> bool {
        self.end.is_none_or(|e| e >= self.start)
    }

    /// Whether any day of `month` lies in the span.
    pub fn touches(self, month: Month) -> bool {
        self.start <= month.last_day() && self.end.is_none_or(|e| e >= month.first_day())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(y: i32, n: u32) -> Month {
        Month::new(y, n).unwrap()
    }

    #[test]
    fn months_know_their_days() {
        assert_eq!(m(2026, 2).days(), 28);
        assert_eq!(m(2028, 2).days(), 29);
        assert_eq!(m(2026, 6).days(), 30);
        assert_eq!(m(2026, 12).days(), 31);
        assert_eq!(m(2026, 12).next(), Some(m(2027, 1)));
        assert_eq!(m(2026, 6).days_iter().count(), 30);
        assert_eq!(m(2026, 6).to_string(), "2026-06");
        assert_eq!(Month::new(2026, 13), None);
        let year: Vec<Month> = m(2026, 1).through(m(2026, 12)).collect();
        assert_eq!(year.len(), 12);
        assert_eq!(m(2026, 2).through(m(2026, 1)).count(), 0);
    }

    #[test]
    fn spans_touch_the_months_they_share_a_day_with() {
        let day = |y, n, d| NaiveDate::from_ymd_opt(y, n, d).unwrap();
        let span = DaySpan {
            start: day(2026, 6, 30),
            end: Some(day(2026, 7, 1)),
        };
        assert!(span.touches(m(2026, 6)) && span.touches(m(2026, 7)));
        assert!(!span.touches(m(2026, 5)) && !span.touches(m(2026, 8)));
        assert!(DaySpan {
            start: day(2026, 6, 30),
            end: None
        }
        .touches(m(2030, 1)));
        assert!(!DaySpan {
            start: day(2026, 6, 30),
            end: Some(day(2026, 6, 29))
        }
        .is_well_formed());
    }
}
