//! The date range, shaped like `kitanetz_crdt::Period` (inclusive end, open end = "until further
//! notice", `start <= end` enforced at construction) so that the node maps one onto the other
//! field by field. Kept here rather than imported because `kitanetz-crdt` pulls automerge.

use chrono::{Days, NaiveDate};
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

    /// The part of the period before `day` (ending the day before), if any.
    pub(crate) fn before(&self, day: NaiveDate) -> Option<Period> {
        let last = day.pred_opt()?;
        Period::new(self.start, Some(self.end.map_or(last, |e| e.min(last)))).ok()
    }

    /// The part of the period from `day` on, if any.
    pub(crate) fn on_and_after(&self, day: NaiveDate) -> Option<Period> {
        Period::new(self.start.max(day), self.end).ok()
    }

    /// The first day after the period (`None` when open-ended).
    pub(crate) fn day_after(&self) -> Option<NaiveDate> {
        self.end.and_then(|e| e.checked_add_days(Days::new(1)))
    }
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
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

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
    fn splits_before_and_from_a_day() {
        let p = Period::closed(d(2027, 1, 1), d(2027, 3, 31)).unwrap();
        assert_eq!(
            p.before(d(2027, 2, 1)),
            Some(Period::closed(d(2027, 1, 1), d(2027, 1, 31)).unwrap())
        );
        assert_eq!(
            p.on_and_after(d(2027, 2, 1)),
            Some(Period::closed(d(2027, 2, 1), d(2027, 3, 31)).unwrap())
        );
        assert_eq!(p.before(d(2027, 1, 1)), None);
        assert_eq!(p.on_and_after(d(2027, 4, 1)), None);
        assert_eq!(p.day_after(), Some(d(2027, 4, 1)));
        assert_eq!(Period::from(d(2027, 1, 1)).day_after(), None);
    }
}
