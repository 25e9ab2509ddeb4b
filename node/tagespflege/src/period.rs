//! The date range, shaped like `kitanetz_crdt::Period` and `kitanetz_occupancy::Period`
//! (inclusive end, open end = "until further notice", `start <= end` enforced at construction)
//! so that the node maps one onto the other field by field. Kept here rather than imported:
//! `kitanetz-crdt` pulls automerge, and a rules crate should not depend on another domain's
//! crate for a date type.

use chrono::{Datelike, Days, NaiveDate};
use serde::{Deserialize, Deserializer, Serialize};
use std::fmt;

/// A date range `start..=end`; `end == None` is open-ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Period {
    start: NaiveDate,
    end: Option<NaiveDate>,
}

/// A period whose end lies before its start.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the period ends ({end}) before it starts ({start}); give an end on or after the start")]
pub struct EndBeforeStart {
    pub start: NaiveDate,
    pub end: NaiveDate,
}

impl Period {
    /// A period from `start` to `end` inclusive; refuses an end before the start.
    pub fn new(start: NaiveDate, end: Option<NaiveDate>) -> Result<Period, EndBeforeStart> {
        match end {
            Some(end) if end < start => Err(EndBeforeStart { start, end }),
            _ => Ok(Period { start, end }),
        }
    }

    /// An open-ended period from `start` on.
    pub fn from(start: NaiveDate) -> Period {
        Period { start, end: None }
    }

    /// `start..=end`, both given.
    pub fn closed(start: NaiveDate, end: NaiveDate) -> Result<Period, EndBeforeStart> {
        Period::new(start, Some(end))
    }

    /// The single day `day..=day`.
    pub fn day(day: NaiveDate) -> Period {
        Period {
            start: day,
            end: Some(day),
        }
    }

    /// The calendar month that contains `day`, first to last day.
    pub fn month_of(day: NaiveDate) -> Period {
        let first = day.with_day(1).expect("day 1 exists");
        let last = last_day_of_month(first);
        Period {
            start: first,
            end: Some(last),
        }
    }

    /// The calendar year `year`, 1 January to 31 December; `None` outside chrono's range.
    pub fn year(year: i32) -> Option<Period> {
        Some(Period {
            start: NaiveDate::from_ymd_opt(year, 1, 1)?,
            end: Some(NaiveDate::from_ymd_opt(year, 12, 31)?),
        })
    }

    pub fn start(&self) -> NaiveDate {
        self.start
    }

    pub fn end(&self) -> Option<NaiveDate> {
        self.end
    }

    pub fn contains(&self, day: NaiveDate) -> bool {
        day >= self.start && self.end.is_none_or(|e| day <= e)
    }

    pub fn overlaps(&self, other: &Period) -> bool {
        other.end.is_none_or(|e| self.start <= e) && self.end.is_none_or(|e| other.start <= e)
    }

    /// The intersection of two periods, if any.
    pub fn intersection(&self, other: &Period) -> Option<Period> {
        if !self.overlaps(other) {
            return None;
        }
        let end = match (self.end, other.end) {
            (None, e) | (e, None) => e,
            (Some(a), Some(b)) => Some(a.min(b)),
        };
        Some(Period {
            start: self.start.max(other.start),
            end,
        })
    }

    /// The first day after the period (`None` when open-ended).
    pub fn day_after(&self) -> Option<NaiveDate> {
        self.end.and_then(|e| e.checked_add_days(Days::new(1)))
    }

    /// The number of days of a closed period; `None` when open-ended.
    pub fn days(&self) -> Option<u32> {
        self.end
            .map(|e| u32::try_from((e - self.start).num_days() + 1).expect("end >= start"))
    }

    /// Every day of a closed period, in order (nothing for an open-ended one).
    pub fn each_day(self) -> impl Iterator<Item = NaiveDate> {
        let end = self.end;
        std::iter::successors(end.map(|_| self.start), |d| d.succ_opt())
            .take_while(move |d| end.is_some_and(|e| *d <= e))
    }
}

/// The last day of the month `first` lies in.
pub fn last_day_of_month(day: NaiveDate) -> NaiveDate {
    let (y, m) = (day.year(), day.month());
    let next = if m == 12 {
        NaiveDate::from_ymd_opt(y + 1, 1, 1)
    } else {
        NaiveDate::from_ymd_opt(y, m + 1, 1)
    };
    next.and_then(|n| n.pred_opt())
        .expect("a month has a last day")
}

/// Adds whole calendar months; a day that does not exist in the target month becomes its
/// last day (31 August + 6 months = 28/29 February), as § 188 Abs. 3 BGB counts.
pub fn add_months(day: NaiveDate, months: i32) -> NaiveDate {
    let index = day.year() * 12 + day.month0() as i32 + months;
    let (year, month0) = (index.div_euclid(12), index.rem_euclid(12) as u32);
    let first = NaiveDate::from_ymd_opt(year, month0 + 1, 1).expect("month in range");
    let last = last_day_of_month(first);
    first.with_day(day.day()).unwrap_or(last)
}

impl<'de> Deserialize<'de> for Period {
    /// Checks `start <= end`, so that a period read from JSON holds the invariant too.
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Period, D::Error> {
        #[derive(Deserialize)]
        struct Raw {
            start: NaiveDate,
            end: Option<NaiveDate>,
        }
        let raw = Raw::deserialize(d)?;
        Period::new(raw.start, raw.end).map_err(serde::de::Error::custom)
    }
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.end {
            Some(end) => write!(f, "{} – {}", self.start, end),
            None => write!(f, "ab {}", self.start),
        }
    }
}

#[cfg(test)]
pub(crate) fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_an_end_before_the_start_also_from_json() {
        assert!(Period::closed(d(2027, 2, 1), d(2027, 1, 31)).is_err());
        assert!(Period::closed(d(2027, 2, 1), d(2027, 2, 1)).is_ok());
        let json = r#"{"start":"2027-02-01","end":"2027-01-31"}"#;
        assert!(serde_json::from_str::<Period>(json).is_err());
        let json = r#"{"start":"2027-02-01","end":null}"#;
        assert_eq!(
            serde_json::from_str::<Period>(json).unwrap(),
            Period::from(d(2027, 2, 1))
        );
    }

    #[test]
    fn months_are_added_as_the_civil_code_counts() {
        assert_eq!(add_months(d(2025, 3, 1), -6), d(2024, 9, 1));
        assert_eq!(add_months(d(2024, 8, 31), 6), d(2025, 2, 28));
        assert_eq!(add_months(d(2023, 8, 31), 6), d(2024, 2, 29));
        assert_eq!(add_months(d(2020, 3, 1), 60), d(2025, 3, 1));
        assert_eq!(add_months(d(2025, 1, 15), -1), d(2024, 12, 15));
    }

    #[test]
    fn months_days_and_intersections() {
        let feb = Period::month_of(d(2024, 2, 17));
        assert_eq!(feb, Period::closed(d(2024, 2, 1), d(2024, 2, 29)).unwrap());
        assert_eq!(feb.days(), Some(29));
        assert_eq!(feb.each_day().count(), 29);
        assert_eq!(Period::from(d(2024, 2, 1)).each_day().count(), 0);
        let open = Period::from(d(2024, 2, 15));
        assert_eq!(
            feb.intersection(&open),
            Some(Period::closed(d(2024, 2, 15), d(2024, 2, 29)).unwrap())
        );
        assert_eq!(feb.day_after(), Some(d(2024, 3, 1)));
        assert!(!feb.overlaps(&Period::from(d(2024, 3, 1))));
    }
}
