//! Date arithmetic and the age rules that tie a care type to a birth date.
//!
//! They are public because tests and benchmarks that consume a generated world need the same
//! rules to check it; the generator uses exactly these functions, so a check written with them
//! cannot drift from the data.
//!
//! The rules are the defaults of RULES.md §1/§3, simplified to whole dates:
//! * Krippe until the 3rd birthday; the contract switches to Kindergarten on the first month
//!   start on or after it (changes take effect from a month start).
//! * School entry on 1 August of the year in which the child is 6 by 30 June.
//! * Hort for the four school years (grades 1–4) after school entry.

use chrono::{Datelike, Months, NaiveDate};
use kitanetz_crdt::kinds::CareType;

/// The first day of the month of `day`.
pub fn month_start(day: NaiveDate) -> NaiveDate {
    day.with_day(1).expect("every month has a first day")
}

/// The first month start on or after `day`.
pub fn month_start_on_or_after(day: NaiveDate) -> NaiveDate {
    if day.day() == 1 {
        day
    } else {
        add_months(month_start(day), 1)
    }
}

/// `day` plus `n` calendar months (clamped to the month's last day, e.g. 31 Jan + 1 = 28/29 Feb).
pub fn add_months(day: NaiveDate, n: u32) -> NaiveDate {
    day.checked_add_months(Months::new(n))
        .expect("dates stay far inside chrono's range")
}

/// `day` minus `n` calendar months.
pub fn sub_months(day: NaiveDate, n: u32) -> NaiveDate {
    day.checked_sub_months(Months::new(n))
        .expect("dates stay far inside chrono's range")
}

/// Completed years of life on `day` (0 before the first birthday).
pub fn age_years(birth: NaiveDate, day: NaiveDate) -> u32 {
    age_months(birth, day) / 12
}

/// Completed months of life on `day`.
pub fn age_months(birth: NaiveDate, day: NaiveDate) -> u32 {
    if day < birth {
        return 0;
    }
    let mut months = (day.year() - birth.year()) * 12 + day.month() as i32 - birth.month() as i32;
    // A month is completed on the same day-of-month; for a birth on the 31st the month
    // is completed on the last day of a shorter month.
    if add_months(birth, months as u32) > day {
        months -= 1;
    }
    months.max(0) as u32
}

/// The day the contract switches from Krippe to Kindergarten.
pub fn kindergarten_from(birth: NaiveDate) -> NaiveDate {
    month_start_on_or_after(add_months(birth, 36))
}

/// The day of school entry (1 August of the year the child is 6 by 30 June).
pub fn school_entry(birth: NaiveDate) -> NaiveDate {
    let late = (birth.month(), birth.day()) > (6, 30);
    let year = birth.year() + 6 + i32::from(late);
    NaiveDate::from_ymd_opt(year, 8, 1).expect("1 August exists")
}

/// The first day after the fourth school year, when the Hort ends.
pub fn after_school_until(birth: NaiveDate) -> NaiveDate {
    add_months(school_entry(birth), 48)
}

/// The care type a child of this birth date is in on `day`, or `None` before birth and after
/// the fourth school year.
pub fn care_type_on(birth: NaiveDate, day: NaiveDate) -> Option<CareType> {
    if day < birth {
        None
    } else if day < kindergarten_from(birth) {
        Some(CareType::Nursery)
    } else if day < school_entry(birth) {
        Some(CareType::Kindergarten)
    } else if day < after_school_until(birth) {
        Some(CareType::AfterSchool)
    } else {
        None
    }
}

/// The completed-years band the generator keeps children of each care type in on the
/// reference day (Krippe 1–2, Kindergarten 3–6, Hort 6–10): children outside it are never
/// drawn, so consumers can rely on it together with [`care_type_on`].
pub fn age_band(care_type: CareType) -> std::ops::RangeInclusive<u32> {
    match care_type {
        CareType::Nursery => 1..=2,
        CareType::Kindergarten => 3..=6,
        CareType::AfterSchool | CareType::SupportedAfterSchool => 6..=10,
        CareType::Remedial => 1..=6,
    }
}

/// Whether a child born on `birth` is, on `day`, in `care_type` by [`care_type_on`] and inside
/// its [`age_band`].
pub fn consistent(birth: NaiveDate, day: NaiveDate, care_type: CareType) -> bool {
    care_type_on(birth, day) == Some(care_type)
        && age_band(care_type).contains(&age_years(birth, day))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn ages_count_completed_months() {
        assert_eq!(age_months(d(2020, 1, 31), d(2020, 2, 29)), 1);
        assert_eq!(age_months(d(2020, 3, 15), d(2020, 4, 14)), 0);
        assert_eq!(age_years(d(2020, 3, 15), d(2023, 3, 15)), 3);
        assert_eq!(age_years(d(2020, 3, 15), d(2023, 3, 14)), 2);
    }

    #[test]
    fn school_entry_cuts_at_30_june() {
        assert_eq!(school_entry(d(2020, 6, 30)), d(2026, 8, 1));
        assert_eq!(school_entry(d(2020, 7, 1)), d(2027, 8, 1));
    }

    #[test]
    fn krippe_switch_on_the_month_start_after_the_third_birthday() {
        assert_eq!(kindergarten_from(d(2022, 5, 1)), d(2025, 5, 1));
        assert_eq!(kindergarten_from(d(2022, 5, 2)), d(2025, 6, 1));
        assert_eq!(
            care_type_on(d(2022, 5, 2), d(2025, 5, 31)),
            Some(CareType::Nursery)
        );
    }
}
