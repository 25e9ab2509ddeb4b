//! The node's clock. Rules never read time themselves; the node passes `today`/`now` in, and
//! tests use a [`FixedClock`] they advance by hand.
//!
//! Calendar days and times people read are those of the city: Europe/Berlin, summer time
//! included. (A fixed UTC+1 was a day off between midnight and 1 am in summer, and fees and
//! deadlines are by day.)

use chrono::{DateTime, NaiveDate, NaiveDateTime, TimeZone, Utc};
use chrono_tz::Europe::Berlin;
use kitanetz_crdt::scalar::Date;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;

/// The local date and time in the city at an instant.
pub fn city_time(now: DateTime<Utc>) -> NaiveDateTime {
    now.with_timezone(&Berlin).naive_local()
}

/// The calendar day in the city at an instant.
pub fn city_day(now: DateTime<Utc>) -> Date {
    Date(city_time(now).date())
}

/// The instant at which a local time in the city falls (the earlier one in the autumn hour that
/// happens twice; a time inside the spring gap moves forward by the gap's hour, 02:30 → 03:30).
pub fn city_instant(local: NaiveDateTime) -> DateTime<Utc> {
    match Berlin.from_local_datetime(&local) {
        chrono::LocalResult::Single(t) | chrono::LocalResult::Ambiguous(t, _) => {
            t.with_timezone(&Utc)
        }
        chrono::LocalResult::None => city_instant(local + chrono::Duration::hours(1)),
    }
}

/// A timestamp for people: `2026-11-22 14:05` in the city's time.
pub fn format_millis(ms: i64) -> String {
    DateTime::from_timestamp_millis(ms)
        .map(|t| city_time(t).format("%Y-%m-%d %H:%M").to_string())
        .unwrap_or_default()
}

pub trait Clock: Send + Sync {
    fn now(&self) -> DateTime<Utc>;

    fn now_millis(&self) -> i64 {
        self.now().timestamp_millis()
    }

    /// The calendar day in the city (Europe/Berlin).
    fn today(&self) -> Date {
        city_day(self.now())
    }
}

/// The moment a user action happens: its calendar day (valid-from checks, `decided_on`) and its
/// timestamp (automerge change, audit entry). Read once per action so both agree.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Now {
    pub today: Date,
    pub millis: i64,
}

impl Now {
    pub fn of(clock: &dyn Clock) -> Now {
        let now = clock.now();
        Now {
            today: city_day(now),
            millis: now.timestamp_millis(),
        }
    }
}

#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// A clock that stands still until a test moves it.
#[derive(Debug, Clone)]
pub struct FixedClock(Arc<AtomicI64>);

impl FixedClock {
    /// 09:00 in the city on `day`.
    pub fn at(day: NaiveDate) -> FixedClock {
        FixedClock::at_local(day.and_hms_opt(9, 0, 0).expect("valid time"))
    }

    /// A local time in the city.
    pub fn at_local(local: NaiveDateTime) -> FixedClock {
        FixedClock(Arc::new(AtomicI64::new(
            city_instant(local).timestamp_millis(),
        )))
    }

    pub fn advance(&self, by: chrono::Duration) {
        self.0.fetch_add(by.num_milliseconds(), Ordering::SeqCst);
    }
}

impl Clock for FixedClock {
    fn now(&self) -> DateTime<Utc> {
        DateTime::from_timestamp_millis(self.0.load(Ordering::SeqCst)).expect("in range")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    #[test]
    fn the_city_day_follows_summer_time() {
        // 30 June, 22:30 UTC is 00:30 on 1 July in Dresden (UTC+2): a fixed UTC+1 said 30 June.
        assert_eq!(city_day(utc("2026-06-30T22:30:00Z")), Date::ymd(2026, 7, 1));
        // In winter the day changes at 23:00 UTC.
        assert_eq!(
            city_day(utc("2026-12-31T22:30:00Z")),
            Date::ymd(2026, 12, 31)
        );
        assert_eq!(city_day(utc("2026-12-31T23:00:00Z")), Date::ymd(2027, 1, 1));
    }

    #[test]
    fn timestamps_for_people_are_in_city_time() {
        let summer = utc("2026-07-01T12:00:00Z").timestamp_millis();
        let winter = utc("2026-12-01T12:00:00Z").timestamp_millis();
        assert_eq!(format_millis(summer), "2026-07-01 14:00");
        assert_eq!(format_millis(winter), "2026-12-01 13:00");
    }

    #[test]
    fn a_fixed_clock_stands_at_nine_in_the_city() {
        let c = FixedClock::at(NaiveDate::from_ymd_opt(2026, 7, 1).unwrap());
        assert_eq!(c.now(), utc("2026-07-01T07:00:00Z"));
        assert_eq!(c.today(), Date::ymd(2026, 7, 1));
        // The spring gap (02:00–03:00 on 29 March 2026) moves to the first valid instant.
        let gap = NaiveDate::from_ymd_opt(2026, 3, 29)
            .unwrap()
            .and_hms_opt(2, 30, 0)
            .unwrap();
        assert_eq!(city_instant(gap), utc("2026-03-29T01:30:00Z"));
    }
}
