//! Calendar months (`YYYY-MM`): the refunds are fixed per calendar year and paid per month.

use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Month {
    year: i32,
    /// 1–12.
    month: u32,
}

impl Month {
    /// `None` unless `1 ≤ month ≤ 12` and the year has four digits.
    pub fn new(year: i32, month: u32) -> Option<Month> {
        ((1000..=9999).contains(&year) && (1..=12).contains(&month))
            .then_some(Month { year, month })
    }

    /// `"YYYY-MM"` exactly.
    pub fn parse(text: &str) -> Option<Month> {
        let (year, month) = text.split_once('-')?;
        let digits = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_digit());
        if !digits(year, 4) || !digits(month, 2) {
            return None;
        }
        Month::new(year.parse().ok()?, month.parse().ok()?)
    }

    pub fn year(self) -> i32 {
        self.year
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

    pub fn previous(self) -> Month {
        if self.month == 1 {
            Month {
                year: self.year - 1,
                month: 12,
            }
        } else {
            Month {
                year: self.year,
                month: self.month - 1,
            }
        }
    }

    /// The month `day` lies in.
    pub fn of(day: chrono::NaiveDate) -> Month {
        use chrono::Datelike;
        Month {
            year: day.year(),
            month: day.month(),
        }
    }

    /// 1–12.
    pub fn number(self) -> u32 {
        self.month
    }

    /// First to last day of the month.
    pub fn period(self) -> crate::period::Period {
        let first = chrono::NaiveDate::from_ymd_opt(self.year, self.month, 1).expect("valid month");
        crate::period::Period::month_of(first)
    }

    /// The months from `self` to `until`, both included; empty when `until` is earlier.
    pub fn through(self, until: Month) -> impl Iterator<Item = Month> {
        std::iter::successors(Some(self), |m| Some(m.next())).take_while(move |m| *m <= until)
    }
}

impl fmt::Display for Month {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn months_parse_strictly_and_print_back() {
        assert_eq!(Month::parse("2009-11").unwrap().to_string(), "2009-11");
        for bad in [
            "2009-13",
            "2009-00",
            "2009-1",
            "09-11",
            "2009/11",
            "2009-11-01",
            "",
        ] {
            assert_eq!(Month::parse(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn months_step_over_the_year_end() {
        let november = Month::parse("2009-11").unwrap();
        let months: Vec<String> = november
            .through(Month::parse("2010-02").unwrap())
            .map(|m| m.to_string())
            .collect();
        assert_eq!(months, ["2009-11", "2009-12", "2010-01", "2010-02"]);
        assert_eq!(
            Month::parse("2010-01").unwrap().previous().to_string(),
            "2009-12"
        );
        assert_eq!(november.through(november.previous()).count(), 0);
    }
}
