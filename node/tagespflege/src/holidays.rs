//! The public holidays of Saxony (SächsSFG § 1), which are no care days of a childminder
//! ([`crate::absence::is_care_day`]): New Year, Good Friday, Easter Monday, 1 May, Ascension,
//! Whit Monday, German Unity Day, Reformation Day, Repentance Day (Buß- und Bettag, the
//! Wednesday before 23 November), Christmas Day and Boxing Day. A state without Reformation or
//! Repentance Day passes its own set to the ledger.

use chrono::{Datelike, Days, NaiveDate, Weekday};
use std::collections::BTreeSet;

/// Easter Sunday of `year` in the Gregorian calendar (the anonymous Gregorian algorithm of
/// Meeus/Jones/Butcher).
pub fn easter_sunday(year: i32) -> Option<NaiveDate> {
    let a = year % 19;
    let b = year / 100;
    let c = year % 100;
    let d = b / 4;
    let e = b % 4;
    let f = (b + 8) / 25;
    let g = (b - f + 1) / 3;
    let h = (19 * a + b - d - g + 15) % 30;
    let i = c / 4;
    let k = c % 4;
    let l = (32 + 2 * e + 2 * i - h - k) % 7;
    let m = (a + 11 * h + 22 * l) / 451;
    let month = (h + l - 7 * m + 114) / 31;
    let day = (h + l - 7 * m + 114) % 31 + 1;
    NaiveDate::from_ymd_opt(year, month as u32, day as u32)
}

/// The public holidays of Saxony in `year` (empty for a year chrono cannot represent).
pub fn saxony(year: i32) -> BTreeSet<NaiveDate> {
    let mut days = BTreeSet::new();
    let Some(easter) = easter_sunday(year) else {
        return days;
    };
    let fixed = [(1, 1), (5, 1), (10, 3), (10, 31), (12, 25), (12, 26)];
    days.extend(
        fixed
            .iter()
            .filter_map(|&(m, d)| NaiveDate::from_ymd_opt(year, m, d)),
    );
    let before = |n: u64| easter.checked_sub_days(Days::new(n));
    let after = |n: u64| easter.checked_add_days(Days::new(n));
    days.extend(
        [before(2), after(1), after(39), after(50)]
            .into_iter()
            .flatten(),
    );
    // Buß- und Bettag: the last Wednesday before 23 November (16–22 November).
    if let Some(mut day) = NaiveDate::from_ymd_opt(year, 11, 22) {
        while day.weekday() != Weekday::Wed {
            day = day.pred_opt().expect("in range");
        }
        days.insert(day);
    }
    days
}

/// The holidays of every year `from..=to`.
pub fn saxony_years(from: i32, to: i32) -> BTreeSet<NaiveDate> {
    (from..=to).flat_map(saxony).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn easter_matches_the_calendar() {
        assert_eq!(easter_sunday(2024), Some(d(2024, 3, 31)));
        assert_eq!(easter_sunday(2025), Some(d(2025, 4, 20)));
        assert_eq!(easter_sunday(2026), Some(d(2026, 4, 5)));
        assert_eq!(easter_sunday(2027), Some(d(2027, 3, 28)));
        assert_eq!(easter_sunday(2038), Some(d(2038, 4, 25)));
    }

    #[test]
    fn saxony_2026_has_eleven_holidays() {
        let days: Vec<NaiveDate> = saxony(2026).into_iter().collect();
        assert_eq!(
            days,
            vec![
                d(2026, 1, 1),
                d(2026, 4, 3),
                d(2026, 4, 6),
                d(2026, 5, 1),
                d(2026, 5, 14),
                d(2026, 5, 25),
                d(2026, 10, 3),
                d(2026, 10, 31),
                d(2026, 11, 18),
                d(2026, 12, 25),
                d(2026, 12, 26),
            ]
        );
    }

    #[test]
    fn repentance_day_is_a_wednesday_between_16_and_22_november() {
        for year in 2000..2100 {
            let bbt = saxony(year)
                .into_iter()
                .find(|d| d.month() == 11)
                .expect("one November holiday");
            assert_eq!(bbt.weekday(), Weekday::Wed);
            assert!((16..=22).contains(&bbt.day()), "{bbt}");
        }
    }
}
