//! The node's clock. Rules never read time themselves; the node passes `today`/`now` in, and
//! tests use a [`FixedClock`] they advance by hand.

use chrono::{DateTime, NaiveDate, Utc};
use kitanetz_crdt::scalar::Date;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;

fn city_day(now: DateTime<Utc>) -> Date {
    Date((now + chrono::Duration::hours(1)).date_naive())
}

pub trait Clock: Send + Sync {
    fn now(&self) -> DateTime<Utc>;

    fn now_millis(&self) -> i64 {
        self.now().timestamp_millis()
    }

    /// The calendar day in the city's time zone. Germany is UTC+1/+2; using UTC+1 keeps the
    /// day right for all office hours without a time-zone database.
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
    pub fn at(day: NaiveDate) -> FixedClock {
        let t = day
            .and_hms_opt(9, 0, 0)
            .expect("valid time")
            .and_utc()
            .timestamp_millis();
        FixedClock(Arc::new(AtomicI64::new(t)))
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
