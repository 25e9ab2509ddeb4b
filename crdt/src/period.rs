//! The one date-range type. Periods are inclusive of both ends; an open end means "until further
//! notice". Period-valued facts (approved places, contract lines) are kept as timelines and split
//! at every date of change.

use crate::scalar::Date;
use autosurgeon::{Hydrate, Reconcile};
use chrono::Days;
use serde::{Deserialize, Serialize};
use std::fmt;

/// A date range `start..=end`; `end == None` is open-ended.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    Reconcile,
    Hydrate,
)]
pub struct Period {
    start: Date,
    end: Option<Date>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PeriodError {
    #[error("the period ends ({end}) before it starts ({start})")]
    EndBeforeStart { start: Date, end: Date },
}

impl Period {
    /// A period from `start` to `end` inclusive; refuses an end before the start.
    pub fn new(start: Date, end: Option<Date>) -> Result<Period, PeriodError> {
        match end {
            Some(end) if end < start => Err(PeriodError::EndBeforeStart { start, end }),
            _ => Ok(Period { start, end }),
        }
    }

    pub fn from(start: Date) -> Period {
        Period { start, end: None }
    }

    pub fn start(&self) -> Date {
        self.start
    }

    pub fn end(&self) -> Option<Date> {
        self.end
    }

    /// Re-checks the invariant after hydration from a document another node wrote.
    pub fn is_well_formed(&self) -> bool {
        self.end.is_none_or(|e| e >= self.start)
    }

    pub fn contains(&self, day: Date) -> bool {
        day >= self.start && self.end.is_none_or(|e| day <= e)
    }

    pub fn overlaps(&self, other: &Period) -> bool {
        let starts_before_other_ends = other.end.is_none_or(|e| self.start <= e);
        let other_starts_before_self_ends = self.end.is_none_or(|e| other.start <= e);
        starts_before_other_ends && other_starts_before_self_ends
    }

    /// Whether `other` lies completely inside `self`.
    pub fn covers(&self, other: &Period) -> bool {
        other.start >= self.start
            && match (self.end, other.end) {
                (None, _) => true,
                (Some(_), None) => false,
                (Some(a), Some(b)) => b <= a,
            }
    }

    /// Whether `other` starts the day after `self` ends (so the two can be merged).
    pub fn is_adjacent_before(&self, other: &Period) -> bool {
        self.end.and_then(|e| e.0.checked_add_days(Days::new(1))) == Some(other.start.0)
    }

    /// The intersection of two periods, if any.
    pub fn intersection(&self, other: &Period) -> Option<Period> {
        if !self.overlaps(other) {
            return None;
        }
        let start = self.start.max(other.start);
        let end = match (self.end, other.end) {
            (None, e) | (e, None) => e,
            (Some(a), Some(b)) => Some(a.min(b)),
        };
        Some(Period { start, end })
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

/// Merges overlapping and adjacent periods into the fewest covering periods, sorted.
pub fn merge_periods(mut periods: Vec<Period>) -> Vec<Period> {
    periods.sort();
    let mut out: Vec<Period> = Vec::with_capacity(periods.len());
    for p in periods {
        if let Some(last) = out.last_mut() {
            if last.overlaps(&p) || last.is_adjacent_before(&p) {
                last.end = match (last.end, p.end) {
                    (None, _) | (_, None) => None,
                    (Some(a), Some(b)) => Some(a.max(b)),
                };
                continue;
            }
        }
        out.push(p);
    }
    out
}

/// A value that changes on given dates: `(valid_from, value)` pairs. The value on a day is the
/// one with the latest `valid_from` not after that day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Reconcile, Hydrate, Default)]
pub struct Timeline<T: Reconcile + Hydrate> {
    pub changes: Vec<Change<T>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Reconcile, Hydrate)]
pub struct Change<T: Reconcile + Hydrate> {
    pub valid_from: Date,
    pub value: T,
}

impl<T: Reconcile + Hydrate + Clone> Timeline<T> {
    pub fn new(valid_from: Date, value: T) -> Self {
        Timeline {
            changes: vec![Change { valid_from, value }],
        }
    }

    /// Records `value` from `valid_from` on; a change on the same date replaces the earlier one.
    pub fn set_from(&mut self, valid_from: Date, value: T) {
        self.changes.retain(|c| c.valid_from != valid_from);
        self.changes.push(Change { valid_from, value });
        self.changes.sort_by_key(|c| c.valid_from);
    }

    /// The value in force on `day`. Looks at every change rather than trusting the stored
    /// order: changes inserted concurrently on two devices merge in any order.
    pub fn at(&self, day: Date) -> Option<&T> {
        self.changes
            .iter()
            .filter(|c| c.valid_from <= day)
            .max_by_key(|c| c.valid_from)
            .map(|c| &c.value)
    }

    /// The periods during which each value holds, split at every date of change.
    pub fn periods(&self) -> Vec<(Period, &T)> {
        let mut sorted: Vec<&Change<T>> = self.changes.iter().collect();
        sorted.sort_by_key(|c| c.valid_from);
        sorted
            .iter()
            .enumerate()
            .map(|(i, c)| {
                let end = sorted
                    .get(i + 1)
                    .and_then(|n| n.valid_from.0.checked_sub_days(Days::new(1)))
                    .map(Date);
                (
                    Period {
                        start: c.valid_from,
                        end,
                    },
                    &c.value,
                )
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn d(y: i32, m: u32, day: u32) -> Date {
        Date::ymd(y, m, day)
    }

    #[test]
    fn refuses_end_before_start() {
        assert!(Period::new(d(2027, 2, 1), Some(d(2027, 1, 31))).is_err());
        assert!(Period::new(d(2027, 2, 1), Some(d(2027, 2, 1))).is_ok());
    }

    #[test]
    fn merges_adjacent_and_overlapping() {
        let a = Period::new(d(2027, 1, 1), Some(d(2027, 1, 31))).unwrap();
        let b = Period::new(d(2027, 2, 1), Some(d(2027, 2, 28))).unwrap();
        let c = Period::new(d(2027, 4, 1), None).unwrap();
        let merged = merge_periods(vec![c, b, a]);
        assert_eq!(
            merged,
            vec![Period::new(d(2027, 1, 1), Some(d(2027, 2, 28))).unwrap(), c]
        );
    }

    #[test]
    fn timeline_splits_at_changes() {
        let mut t = Timeline::new(d(2020, 1, 1), 12u32);
        t.set_from(d(2027, 8, 1), 15);
        assert_eq!(t.at(d(2027, 7, 31)), Some(&12));
        assert_eq!(t.at(d(2027, 8, 1)), Some(&15));
        assert_eq!(t.at(d(2019, 12, 31)), None);
        let p = t.periods();
        assert_eq!(p[0].0.end(), Some(d(2027, 7, 31)));
        assert_eq!(p[1].0.end(), None);
        // Merged out of order (two devices inserting at once): still the latest change before.
        t.changes.reverse();
        assert_eq!(t.at(d(2027, 9, 1)), Some(&15));
        assert_eq!(t.at(d(2027, 7, 31)), Some(&12));
    }

    proptest! {
        #[test]
        fn overlap_is_symmetric_and_matches_intersection(a in 0u64..400, la in 0u64..100, b in 0u64..400, lb in 0u64..100, open in any::<bool>()) {
            let base = d(2026, 1, 1).0;
            let p = Period::new(Date(base + Days::new(a)), Some(Date(base + Days::new(a + la)))).unwrap();
            let q = Period::new(Date(base + Days::new(b)), if open { None } else { Some(Date(base + Days::new(b + lb))) }).unwrap();
            prop_assert_eq!(p.overlaps(&q), q.overlaps(&p));
            prop_assert_eq!(p.overlaps(&q), p.intersection(&q).is_some());
            let merged = merge_periods(vec![p, q]);
            for day in 0..600u64 {
                let day = Date(base + Days::new(day));
                let inside = p.contains(day) || q.contains(day);
                prop_assert_eq!(inside, merged.iter().any(|m| m.contains(day)));
            }
        }
    }
}
