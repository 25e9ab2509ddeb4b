//! Age in completed months and years, as German law counts it.
//!
//! The day of birth counts as a whole day (BGB § 187 (2)), so a month of life is completed at
//! the end of the day before the day whose number is the birth day's; when the month has no such
//! day, at the end of its last day (BGB § 188 (2), (3)). Hence:
//! - a child born on 1 July 2019 has completed its sixth year at the end of 30 June 2025, so it
//!   is six "by 30 June" (SächsSchulG § 27 (1); Lastenheft 3.6.17, RULES.md §3);
//! - a child born on 31 January completes its first month at the end of 28/29 February;
//! - a child born on 29 February completes its years at the end of 28 February in common years
//!   (like a child born on 1 March).
//!
//! `kitanetz-fees` (`Month::completed_months_of`) reads age the same way at the 1st of a month.

use chrono::{Datelike, Days, Months, NaiveDate};

/// The last day of the `months`-th month of life: at the end of this day a child born on `birth`
/// has completed `months` months. `None` only beyond chrono's calendar.
pub fn completion_day(birth: NaiveDate, months: u32) -> Option<NaiveDate> {
    let first_of_target = birth.with_day(1)?.checked_add_months(Months::new(months))?;
    match first_of_target.with_day(birth.day()) {
        Some(same_number) => same_number.pred_opt(),
        None => last_day_of_month(first_of_target),
    }
}

/// The first day on which the child has completed `months` months (the day after
/// [`completion_day`]): the 3rd birthday for 36 months, 1 March for a leap-day child in a
/// common year.
pub fn first_day_completed(birth: NaiveDate, months: u32) -> Option<NaiveDate> {
    completion_day(birth, months)?.checked_add_days(Days::new(1))
}

/// Months of life completed at the start of `day` (0 before and on the day of birth).
pub fn completed_months_on(birth: NaiveDate, day: NaiveDate) -> u32 {
    let months = 12 * (i64::from(day.year()) - i64::from(birth.year())) + i64::from(day.month())
        - i64::from(birth.month());
    // The month in progress is completed only from the day with the birth day's number on (or,
    // when the month is too short for it, from the 1st of the next month, which the month count
    // already reaches).
    let months = months - i64::from(day.day() < birth.day());
    u32::try_from(months.max(0)).unwrap_or(u32::MAX)
}

/// Whether the child has completed `years` years by the end of `day` (e.g. "six by 30 June").
pub fn completes_years_by(birth: NaiveDate, years: u32, day: NaiveDate) -> bool {
    completion_day(birth, years * 12).is_some_and(|c| c <= day)
}

/// The last day of the month that `day` lies in.
pub fn last_day_of_month(day: NaiveDate) -> Option<NaiveDate> {
    day.with_day(1)?
        .checked_add_months(Months::new(1))?
        .pred_opt()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn born_on_1_july_is_six_by_30_june_born_on_2_july_is_not() {
        assert!(completes_years_by(d(2019, 7, 1), 6, d(2025, 6, 30)));
        assert_eq!(completion_day(d(2019, 7, 1), 72), Some(d(2025, 6, 30)));
        assert!(!completes_years_by(d(2019, 7, 2), 6, d(2025, 6, 30)));
        assert!(completes_years_by(d(2019, 6, 30), 6, d(2025, 6, 30)));
        assert_eq!(completion_day(d(2019, 6, 30), 72), Some(d(2025, 6, 29)));
    }

    #[test]
    fn months_34_35_36_around_the_birth_day_number() {
        let birth = d(2022, 3, 15);
        assert_eq!(first_day_completed(birth, 34), Some(d(2025, 1, 15)));
        assert_eq!(completed_months_on(birth, d(2025, 1, 14)), 33);
        assert_eq!(completed_months_on(birth, d(2025, 1, 15)), 34);
        assert_eq!(completed_months_on(birth, d(2025, 2, 15)), 35);
        assert_eq!(completed_months_on(birth, d(2025, 3, 14)), 35);
        assert_eq!(completed_months_on(birth, d(2025, 3, 15)), 36);
        assert_eq!(first_day_completed(birth, 36), Some(d(2025, 3, 15)));
    }

    #[test]
    fn short_months_end_the_month_of_life_on_their_last_day() {
        let birth = d(2023, 1, 31);
        assert_eq!(completion_day(birth, 1), Some(d(2023, 2, 28)));
        assert_eq!(first_day_completed(birth, 1), Some(d(2023, 3, 1)));
        assert_eq!(completed_months_on(birth, d(2023, 2, 28)), 0);
        assert_eq!(completed_months_on(birth, d(2023, 3, 1)), 1);
        assert_eq!(completed_months_on(birth, d(2023, 4, 30)), 2);
        assert_eq!(completed_months_on(birth, d(2023, 5, 1)), 3);
    }

    #[test]
    fn leap_day_children_complete_their_years_at_the_end_of_28_february() {
        let birth = d(2020, 2, 29);
        assert_eq!(completion_day(birth, 36), Some(d(2023, 2, 28)));
        assert_eq!(first_day_completed(birth, 36), Some(d(2023, 3, 1)));
        assert_eq!(completed_months_on(birth, d(2023, 2, 28)), 35);
        assert_eq!(completed_months_on(birth, d(2023, 3, 1)), 36);
        // In a leap year the 29th exists: completed at the end of the 28th as well.
        assert_eq!(completion_day(birth, 48), Some(d(2024, 2, 28)));
        assert_eq!(first_day_completed(birth, 48), Some(d(2024, 2, 29)));
        // Born on 1 March: the same day in common years.
        assert_eq!(completion_day(d(2020, 3, 1), 36), Some(d(2023, 2, 28)));
    }

    #[test]
    fn nothing_is_completed_before_birth() {
        assert_eq!(completed_months_on(d(2024, 5, 10), d(2024, 5, 10)), 0);
        assert_eq!(completed_months_on(d(2024, 5, 10), d(2023, 1, 1)), 0);
    }

    proptest! {
        /// The counting and the completion day agree on every birth date and month count.
        #[test]
        fn completed_months_step_exactly_on_the_first_completed_day(
            offset in 0u64..3000, months in 1u32..90,
        ) {
            let birth = d(2016, 1, 1) + Days::new(offset);
            let first = first_day_completed(birth, months).unwrap();
            prop_assert_eq!(completed_months_on(birth, first), months);
            prop_assert_eq!(completed_months_on(birth, first.pred_opt().unwrap()), months - 1);
        }
    }
}
