//! Age in completed months and the age bands of Lastenheft 3.12.1.3.

use chrono::{Datelike, Months, NaiveDate};
use serde::{Deserialize, Serialize};

/// Completed months of life of a child born on `birth`, on the day `on`.
///
/// A month is completed on the day with the birth day's number, or on the last day of the month
/// when the month has no such day: born 15 March, 1 month on 15 April; born 31 January,
/// 1 month on 28 February (29 February in a leap year), 2 months on 31 March. On the 1st of a
/// month this is the fee engine's count (`kitanetz-fees`, which counts age at the 1st); the
/// portal's `completed_months` agrees except at a month's end (it waits for 1 March in the
/// 31 January case). `0` on and before the birth day (an unborn child's desired start falls in
/// the first band).
pub fn completed_months(birth: NaiveDate, on: NaiveDate) -> u32 {
    if on <= birth {
        return 0;
    }
    let months = (on.year() - birth.year()) * 12 + on.month() as i32 - birth.month() as i32;
    // `checked_add_months` clamps to the month's last day (31 Jan + 1 month = 28/29 Feb), which
    // is the rule above; `months` >= 0 because `on` is after `birth`.
    let months = months as u32;
    let anniversary = birth.checked_add_months(Months::new(months));
    match anniversary {
        Some(day) if day <= on => months,
        _ => months.saturating_sub(1),
    }
}

/// The age bands of the source ("unter 1; 1-2 Jahre, 2-2,75 Jahre, >2,75 Jahre"), bounded by
/// completed months ([`completed_months`]) so that a band never depends on the length of a year:
///
/// | band | completed months |
/// |---|---|
/// | [`AgeBand::UnderOne`] | 0–11 |
/// | [`AgeBand::OneToTwo`] | 12–23 |
/// | [`AgeBand::TwoToTwoNine`] | 24–32 (2 years to under 2 years 9 months = 2.75 years) |
/// | [`AgeBand::TwoNineAndOver`] | 33 and more |
///
/// A child of exactly 33 completed months (2 years 9 months) is in the last band: the source's
/// "2-2,75" and ">2,75" leave 2.75 itself open, and 2 years 9 months is the age at which Dresden
/// moves a child from the Krippe to the Kindergarten fee in practice (RULES.md §4), so it counts
/// with the older children. The last band holds every older child too (Kindergarten, Hort).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AgeBand {
    UnderOne,
    OneToTwo,
    TwoToTwoNine,
    TwoNineAndOver,
}

impl AgeBand {
    /// All bands, youngest first: the rows of every age table.
    pub const ALL: [AgeBand; 4] = [
        AgeBand::UnderOne,
        AgeBand::OneToTwo,
        AgeBand::TwoToTwoNine,
        AgeBand::TwoNineAndOver,
    ];

    /// The band of an age in completed months.
    pub fn of_months(months: u32) -> AgeBand {
        match months {
            0..=11 => AgeBand::UnderOne,
            12..=23 => AgeBand::OneToTwo,
            24..=32 => AgeBand::TwoToTwoNine,
            _ => AgeBand::TwoNineAndOver,
        }
    }

    /// The German label of the tables.
    pub fn label(self) -> &'static str {
        match self {
            AgeBand::UnderOne => "unter 1 Jahr",
            AgeBand::OneToTwo => "1 bis unter 2 Jahre",
            AgeBand::TwoToTwoNine => "2 bis unter 2,75 Jahre",
            AgeBand::TwoNineAndOver => "ab 2,75 Jahre",
        }
    }
}

/// The age band of a child born on `birth`, on the day `on` (see [`AgeBand`]).
pub fn age_band(birth: NaiveDate, on: NaiveDate) -> AgeBand {
    AgeBand::of_months(completed_months(birth, on))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn a_month_is_completed_on_the_birth_days_number() {
        assert_eq!(completed_months(d(2025, 3, 15), d(2025, 4, 14)), 0);
        assert_eq!(completed_months(d(2025, 3, 15), d(2025, 4, 15)), 1);
        assert_eq!(completed_months(d(2025, 3, 15), d(2026, 3, 14)), 11);
        assert_eq!(completed_months(d(2025, 3, 15), d(2026, 3, 15)), 12);
        assert_eq!(completed_months(d(2025, 3, 1), d(2026, 8, 1)), 17);
    }

    #[test]
    fn born_on_the_31st_completes_on_the_last_day_of_a_shorter_month() {
        assert_eq!(completed_months(d(2025, 1, 31), d(2025, 2, 27)), 0);
        assert_eq!(completed_months(d(2025, 1, 31), d(2025, 2, 28)), 1);
        assert_eq!(completed_months(d(2024, 1, 31), d(2024, 2, 28)), 0);
        assert_eq!(completed_months(d(2024, 1, 31), d(2024, 2, 29)), 1);
        assert_eq!(completed_months(d(2025, 1, 31), d(2025, 3, 30)), 1);
        assert_eq!(completed_months(d(2025, 1, 31), d(2025, 3, 31)), 2);
        assert_eq!(completed_months(d(2025, 1, 31), d(2025, 4, 30)), 3);
        // Born on 29 February: the birthday in a common year is 28 February.
        assert_eq!(completed_months(d(2024, 2, 29), d(2025, 2, 28)), 12);
        assert_eq!(completed_months(d(2024, 2, 29), d(2025, 2, 27)), 11);
    }

    #[test]
    fn before_and_on_the_birth_day_nothing_is_completed() {
        assert_eq!(completed_months(d(2025, 6, 10), d(2025, 6, 10)), 0);
        assert_eq!(completed_months(d(2025, 6, 10), d(2025, 1, 1)), 0);
        assert_eq!(age_band(d(2025, 6, 10), d(2025, 1, 1)), AgeBand::UnderOne);
    }

    #[test]
    fn bands_change_at_12_24_and_33_completed_months() {
        let birth = d(2022, 5, 10);
        assert_eq!(age_band(birth, d(2023, 5, 9)), AgeBand::UnderOne);
        assert_eq!(age_band(birth, d(2023, 5, 10)), AgeBand::OneToTwo);
        assert_eq!(age_band(birth, d(2024, 5, 9)), AgeBand::OneToTwo);
        assert_eq!(age_band(birth, d(2024, 5, 10)), AgeBand::TwoToTwoNine);
        assert_eq!(age_band(birth, d(2025, 2, 9)), AgeBand::TwoToTwoNine);
        // Exactly 33 completed months = 2 years 9 months.
        assert_eq!(completed_months(birth, d(2025, 2, 10)), 33);
        assert_eq!(age_band(birth, d(2025, 2, 10)), AgeBand::TwoNineAndOver);
        assert_eq!(age_band(birth, d(2031, 1, 1)), AgeBand::TwoNineAndOver);
    }
}
