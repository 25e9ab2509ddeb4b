//! The date-range type of the export: inclusive days, an open end means "until further
//! notice", `start <= end` enforced at construction. [`split_at_changes`] cuts a set of periods
//! at every date of change, which is how the export buffer forms its rows (seed 001 line 39:
//! "Zeiträume aus sich überschneidenden und angrenzenden Leistungen").

use chrono::NaiveDate;
use std::collections::BTreeSet;
use std::fmt;

/// The days `start..=end`; `end == None` is open-ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Period {
    start: NaiveDate,
    end: Option<NaiveDate>,
}

/// A period whose end lies before its start.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the period ends ({end}) before it starts ({start})")]
pub struct EndBeforeStart {
    pub start: NaiveDate,
    pub end: NaiveDate,
}

impl Period {
    /// The days from `start` to `end` inclusive; refuses an end before the start.
    pub fn new(start: NaiveDate, end: Option<NaiveDate>) -> Result<Period, EndBeforeStart> {
        match end {
            Some(end) if end < start => Err(EndBeforeStart { start, end }),
            _ => Ok(Period { start, end }),
        }
    }

    /// From `start` on, open-ended.
    pub fn starting(start: NaiveDate) -> Period {
        Period { start, end: None }
    }

    pub fn start(&self) -> NaiveDate {
        self.start
    }

    /// The last day, `None` when open-ended.
    pub fn end(&self) -> Option<NaiveDate> {
        self.end
    }

    pub fn contains(&self, day: NaiveDate) -> bool {
        self.start <= day && self.end.is_none_or(|end| day <= end)
    }

    pub fn overlaps(&self, other: &Period) -> bool {
        other.end.is_none_or(|end| self.start <= end)
            && self.end.is_none_or(|end| other.start <= end)
    }

    /// The first day after the period: where it stops being in force. `None` when the period is
    /// open-ended or ends on the last representable day (then nothing follows it).
    pub fn day_after(&self) -> Option<NaiveDate> {
        self.end.and_then(|end| end.succ_opt())
    }
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.end {
            Some(end) => write!(f, "{} – {}", self.start, end),
            None => write!(f, "{} – open", self.start),
        }
    }
}

/// Cuts the timeline of `periods` at every start and at the day after every end, and returns the
/// resulting pieces in which at least one of `periods` is in force, ascending.
///
/// Pieces are never merged: two neighbours in force under the same periods stay apart only if a
/// cut lies between them, and a cut only lies where some period starts or ends. Each piece lies
/// wholly inside or wholly outside every input period, so "in force on the piece's first day"
/// means "in force on the whole piece".
pub fn split_at_changes(periods: &[Period]) -> Vec<Period> {
    let cuts: BTreeSet<NaiveDate> = periods
        .iter()
        .flat_map(|p| std::iter::once(p.start).chain(p.day_after()))
        .collect();
    let cuts: Vec<NaiveDate> = cuts.into_iter().collect();
    let mut pieces = Vec::new();
    for (i, &start) in cuts.iter().enumerate() {
        let covering: Vec<&Period> = periods.iter().filter(|p| p.contains(start)).collect();
        if covering.is_empty() {
            continue;
        }
        let end = match cuts.get(i + 1) {
            Some(next) => next.pred_opt(),
            // After the last cut only open-ended periods (or ones ending on the last
            // representable day, which have no day after) are still in force.
            None if covering.iter().any(|p| p.end.is_none()) => None,
            None => covering.iter().filter_map(|p| p.end).max(),
        };
        pieces.push(Period { start, end });
    }
    pieces
}

/// The maximal runs of days between the first and the last of `pieces` that no piece covers.
/// `pieces` must be ascending and must not overlap, as [`split_at_changes`] returns them.
pub fn uncovered_runs(pieces: &[Period]) -> Vec<Period> {
    pieces
        .windows(2)
        .filter_map(|pair| {
            let first_uncovered = pair[0].day_after()?;
            let last_uncovered = pair[1].start.pred_opt()?;
            (first_uncovered <= last_uncovered).then_some(Period {
                start: first_uncovered,
                end: Some(last_uncovered),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn p(start: &str, end: Option<&str>) -> Period {
        Period::new(d(start), end.map(d)).unwrap()
    }

    #[test]
    fn refuses_an_end_before_the_start() {
        assert!(Period::new(d("2021-08-02"), Some(d("2021-08-01"))).is_err());
        assert!(Period::new(d("2021-08-01"), Some(d("2021-08-01"))).is_ok());
    }

    #[test]
    fn cuts_overlapping_periods_at_every_change() {
        let pieces =
            split_at_changes(&[p("2021-08-01", None), p("2022-01-01", Some("2022-06-30"))]);
        assert_eq!(
            pieces,
            vec![
                p("2021-08-01", Some("2021-12-31")),
                p("2022-01-01", Some("2022-06-30")),
                p("2022-07-01", None),
            ]
        );
    }

    #[test]
    fn adjacent_periods_stay_apart_and_a_gap_is_no_piece() {
        let pieces = split_at_changes(&[
            p("2021-08-01", Some("2021-12-31")),
            p("2022-01-01", Some("2022-03-31")),
            p("2022-05-01", Some("2022-05-31")),
        ]);
        assert_eq!(pieces.len(), 3);
        assert_eq!(
            uncovered_runs(&pieces),
            vec![p("2022-04-01", Some("2022-04-30"))]
        );
    }

    #[test]
    fn a_period_ending_on_the_last_day_is_kept() {
        let pieces =
            split_at_changes(&[Period::new(d("2021-08-01"), Some(NaiveDate::MAX)).unwrap()]);
        assert_eq!(
            pieces,
            vec![Period::new(d("2021-08-01"), Some(NaiveDate::MAX)).unwrap()]
        );
    }
}
