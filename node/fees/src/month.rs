//! Calendar months and inclusive month spans.
//!
//! Fees are owed per calendar month (§ 10 (1): liable from the start of the month of first
//! attendance, the full fee for every contract month, no daily pro rata; changes of care time
//! from the 1st of a month, § 9 (3)), so the month is the unit every period-valued input is
//! split into. The node's day-based `Period` (crdt) stays the one *date* range; this crate keeps
//! its own month span because it must not depend on the document layer (automerge).

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Deserializer};
use std::fmt;

/// A calendar month, `YYYY-MM`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Month {
    // Field order gives the chronological `Ord`.
    year: i32,
    month: u32,
}

impl Month {
    pub fn new(year: i32, month: u32) -> Option<Month> {
        ((1..=12).contains(&month) && (1..=9999).contains(&year)).then_some(Month { year, month })
    }

    /// The month a day lies in.
    pub fn of(day: NaiveDate) -> Month {
        Month {
            year: day.year(),
            month: day.month(),
        }
    }

    /// Strictly `YYYY-MM`.
    pub fn parse(text: &str) -> Option<Month> {
        let b = text.as_bytes();
        if b.len() != 7 || b[4] != b'-' {
            return None;
        }
        if !b[..4].iter().chain(&b[5..]).all(u8::is_ascii_digit) {
            return None;
        }
        Month::new(text[..4].parse().ok()?, text[5..].parse().ok()?)
    }

    pub fn year(self) -> i32 {
        self.year
    }

    pub fn month(self) -> u32 {
        self.month
    }

    pub fn next(self) -> Month {
        if self.month == 12 {
            Month {
                year: self.year + 1,
                month: 1,
            }
        } else {
            Month {
                year: self.year,
                month: self.month + 1,
            }
        }
    }

    /// Months from `self` to `later` (0 for the same month; negative when `later` is earlier).
    pub fn months_until(self, later: Month) -> i64 {
        12 * (i64::from(later.year) - i64::from(self.year)) + i64::from(later.month)
            - i64::from(self.month)
    }

    /// Completed months of life of a child born on `birth` at the 1st of this month. A month of
    /// life is completed at the end of the day before the birth day's number (BGB § 187 (2),
    /// § 188 (2)), so a child born on the 1st has completed it at the 1st; the statute counts age
    /// at the start of the month (§ 10 (1), § 11 (1)).
    pub fn completed_months_of(self, birth: NaiveDate) -> i64 {
        let born = Month::of(birth);
        born.months_until(self) - i64::from(birth.day() > 1)
    }
}

impl fmt::Display for Month {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}

impl serde::Serialize for Month {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Month {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Month, D::Error> {
        let text = String::deserialize(d)?;
        Month::parse(&text)
            .ok_or_else(|| serde::de::Error::custom(format!("{text:?} is not a month YYYY-MM")))
    }
}

/// Months `first..=last`; `first <= last` holds by construction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MonthSpan {
    first: Month,
    last: Month,
}

impl MonthSpan {
    /// `None` when `last` is before `first`.
    pub fn new(first: Month, last: Month) -> Option<MonthSpan> {
        (first <= last).then_some(MonthSpan { first, last })
    }

    pub fn first(self) -> Month {
        self.first
    }

    pub fn last(self) -> Month {
        self.last
    }

    pub fn contains(self, month: Month) -> bool {
        self.first <= month && month <= self.last
    }

    /// Number of months, both ends included.
    pub fn len(self) -> i64 {
        self.first.months_until(self.last) + 1
    }

    /// Never empty; here for clippy's `len_without_is_empty`.
    pub fn is_empty(self) -> bool {
        false
    }

    pub fn months(self) -> impl Iterator<Item = Month> {
        let last = self.last;
        std::iter::successors(Some(self.first), move |m| (*m < last).then(|| m.next()))
    }
}

/// Strictly `YYYY-MM-DD`.
pub fn parse_date(text: &str) -> Option<NaiveDate> {
    let b = text.as_bytes();
    let shape = b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter()
            .enumerate()
            .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit());
    if !shape {
        return None;
    }
    NaiveDate::parse_from_str(text, "%Y-%m-%d").ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(s: &str) -> Month {
        Month::parse(s).unwrap()
    }

    fn day(s: &str) -> NaiveDate {
        parse_date(s).unwrap()
    }

    #[test]
    fn parses_strictly() {
        assert_eq!(m("2012-03").to_string(), "2012-03");
        for bad in [
            "2012-3",
            "2012-13",
            "2012-00",
            "12-03",
            "2012/03",
            "2012-03-01",
            "20x2-03",
        ] {
            assert_eq!(Month::parse(bad), None, "{bad}");
        }
        assert!(parse_date("2012-02-29").is_some());
        assert_eq!(parse_date("2011-02-29"), None);
        assert_eq!(parse_date("2012-2-01"), None);
    }

    #[test]
    fn spans_iterate_across_years() {
        let span = MonthSpan::new(m("2011-11"), m("2012-02")).unwrap();
        let months: Vec<String> = span.months().map(|x| x.to_string()).collect();
        assert_eq!(months, ["2011-11", "2011-12", "2012-01", "2012-02"]);
        assert_eq!(span.len(), 4);
        assert!(MonthSpan::new(m("2012-02"), m("2012-01")).is_none());
        assert_eq!(MonthSpan::new(m("2012-02"), m("2012-02")).unwrap().len(), 1);
    }

    #[test]
    fn completed_months_count_at_the_first_of_the_month() {
        // fee-case.md: 12·(yM−yB) + (mM−mB) − (1 if the birth day is after the 1st).
        assert_eq!(m("2012-05").completed_months_of(day("2009-05-20")), 35);
        assert_eq!(m("2012-06").completed_months_of(day("2009-05-20")), 36);
        // Born on the 1st: the third birthday's month already counts 36 at its 1st.
        assert_eq!(m("2012-06").completed_months_of(day("2009-06-01")), 36);
        assert_eq!(m("2012-05").completed_months_of(day("2009-06-01")), 35);
    }
}
