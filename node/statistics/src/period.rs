//! A contract's term: first day, last day inclusive or open.

use chrono::{Months, NaiveDate};

/// From `start` to `end` inclusive (`None` = open); `start ≤ end` holds by construction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    start: NaiveDate,
    end: Option<NaiveDate>,
}

impl Period {
    /// `None` when `end` is before `start`.
    pub fn new(start: NaiveDate, end: Option<NaiveDate>) -> Option<Period> {
        match end {
            Some(end) if end < start => None,
            _ => Some(Period { start, end }),
        }
    }

    pub fn start(self) -> NaiveDate {
        self.start
    }

    pub fn end(self) -> Option<NaiveDate> {
        self.end
    }

    pub fn contains(self, date: NaiveDate) -> bool {
        self.start <= date && self.end.is_none_or(|end| date <= end)
    }

    /// The term lasts at least `months` months: open, or `end ≥ start + months − 1 day`
    /// (`start` 15 Jan, 2 months: at least to 14 Mar).
    pub fn lasts_at_least_months(self, months: u32) -> bool {
        self.end
            .is_none_or(|end| end >= add_months(self.start, months) - chrono::Days::new(1))
    }
}

/// `date + n` months, keeping the day of the month, clamped to the month's last day
/// (31 Jan + 1 month = 28/29 Feb).
pub fn add_months(date: NaiveDate, months: u32) -> NaiveDate {
    date.checked_add_months(Months::new(months))
        .expect("case dates are far from the end of chrono's range")
}

/// Completed months of life on `date`: the largest `n` with `birth + n months ≤ date`;
/// `None` when `birth` is after `date`.
pub fn completed_months(birth: NaiveDate, date: NaiveDate) -> Option<u32> {
    use chrono::Datelike;
    if birth > date {
        return None;
    }
    let diff = u32::try_from(
        (date.year() - birth.year()) * 12 + date.month() as i32 - birth.month() as i32,
    )
    .expect("birth is not after date");
    // `birth + diff months` lies in `date`'s month; when it is after `date`, one month less
    // (then `diff ≥ 1`, since in the birth month itself it is `birth ≤ date`).
    Some(if add_months(birth, diff) <= date {
        diff
    } else {
        diff - 1
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn completed_months_counts_whole_months_with_clamping() {
        let m = |b, on| completed_months(d(b), d(on));
        assert_eq!(m("2009-06-15", "2011-04-01"), Some(21));
        assert_eq!(m("2008-04-01", "2011-04-01"), Some(36));
        assert_eq!(m("2008-04-02", "2011-04-01"), Some(35));
        // 31 Jan + 1 month is clamped to 28 Feb: one completed month on 28 Feb.
        assert_eq!(m("2011-01-31", "2011-02-28"), Some(1));
        assert_eq!(m("2011-01-31", "2011-02-27"), Some(0));
        // Leap day: the 3rd birthday in a common year is 28 Feb.
        assert_eq!(m("2008-02-29", "2011-02-28"), Some(36));
        assert_eq!(m("2008-02-29", "2011-02-27"), Some(35));
        assert_eq!(m("2011-04-01", "2011-04-01"), Some(0));
        assert_eq!(m("2011-04-02", "2011-04-01"), None);
    }

    #[test]
    fn two_month_term_ends_the_day_before_the_same_day_two_months_on() {
        let p = |s, e| Period::new(d(s), Some(d(e))).unwrap();
        assert!(p("2011-01-15", "2011-03-14").lasts_at_least_months(2));
        assert!(!p("2011-01-15", "2011-03-13").lasts_at_least_months(2));
        // 31 Dec + 2 months = 28 Feb (clamped), minus a day: 27 Feb is enough.
        assert!(p("2010-12-31", "2011-02-27").lasts_at_least_months(2));
        assert!(!p("2010-12-31", "2011-02-26").lasts_at_least_months(2));
        assert!(Period::new(d("2011-01-15"), None)
            .unwrap()
            .lasts_at_least_months(2));
        assert!(Period::new(d("2011-01-15"), Some(d("2011-01-14"))).is_none());
    }
}
