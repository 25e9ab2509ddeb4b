//! Attendance of children on heilpädagogische places (Lastenheft 3.6.12, 3.9.2, annex E): the
//! Kita lead records each day whether a child was there and, if not, why (sick, vacation,
//! other). The social welfare office pays for at most a configurable number of days a year, so
//! the days present are counted per child and year. One document per Kita and month, written by
//! the Kita only (kita-only: the Kita and its Träger hold it); children by id only.
//!
//! The marks are a map keyed by day and child: two devices marking the same child on the same
//! day keep one mark (the later write), never two.

use crate::ids::{ChildId, FacilityId};
use crate::scalar::Date;
use crate::validate::{ValidationError, Validator};
use autosurgeon::{Hydrate, Reconcile};
use chrono::Datelike;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Reconcile, Hydrate)]
#[serde(rename_all = "kebab-case")]
pub enum AttendanceMark {
    Present,
    Sick,
    Vacation,
    /// Away for another reason.
    Absent,
}

impl AttendanceMark {
    pub const ALL: [AttendanceMark; 4] = [
        AttendanceMark::Present,
        AttendanceMark::Sick,
        AttendanceMark::Vacation,
        AttendanceMark::Absent,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            AttendanceMark::Present => "present",
            AttendanceMark::Sick => "sick",
            AttendanceMark::Vacation => "vacation",
            AttendanceMark::Absent => "absent",
        }
    }

    pub fn parse(s: &str) -> Option<AttendanceMark> {
        AttendanceMark::ALL.into_iter().find(|m| m.as_str() == s)
    }

    pub fn label_de(self) -> &'static str {
        match self {
            AttendanceMark::Present => "anwesend",
            AttendanceMark::Sick => "krank",
            AttendanceMark::Vacation => "Urlaub",
            AttendanceMark::Absent => "abwesend (sonstiger Grund)",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            AttendanceMark::Present => "present",
            AttendanceMark::Sick => "sick",
            AttendanceMark::Vacation => "vacation",
            AttendanceMark::Absent => "away (other reason)",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Reconcile, Hydrate)]
pub struct AttendanceMonth {
    pub facility: FacilityId,
    /// The first day of the month.
    pub month: Date,
    /// [`AttendanceMonth::key`] → the day's mark.
    pub marks: BTreeMap<String, AttendanceMark>,
}

impl AttendanceMonth {
    /// The key of a child's day: `YYYY-MM-DD/child-…`.
    pub fn key(date: Date, child: &ChildId) -> String {
        format!("{date}/{}", child.0)
    }

    /// The day and child of a key, if it is one.
    pub fn parse_key(key: &str) -> Option<(Date, ChildId)> {
        let (date, child) = key.split_once('/')?;
        let child: ChildId = child.parse().ok()?;
        Some((date.parse().ok()?, child))
    }

    /// The marks as (day, child, mark), by day and child.
    pub fn days(&self) -> impl Iterator<Item = (Date, ChildId, AttendanceMark)> + '_ {
        self.marks
            .iter()
            .filter_map(|(k, m)| Self::parse_key(k).map(|(d, c)| (d, c, *m)))
    }

    pub fn validate(&self) -> Result<(), ValidationError> {
        let mut v = Validator::new();
        v.check(
            self.month.0.day() == 1,
            "month",
            "Monat beginnt am 1. / a month starts on the 1st",
        );
        v.plausible_date("month", self.month);
        for key in self.marks.keys() {
            let ok = Self::parse_key(key).is_some_and(|(d, _)| {
                d.0.year() == self.month.0.year() && d.0.month() == self.month.0.month()
            });
            v.check(
                ok,
                "marks",
                format!("{key}: kein Tag dieses Monats / not a day of this month"),
            );
        }
        v.finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_names_the_day_and_the_child_and_only_days_of_the_month_are_valid() {
        let child = ChildId("child-a".into());
        let mut m = AttendanceMonth {
            facility: FacilityId("fac-a".into()),
            month: Date::ymd(2026, 11, 1),
            marks: BTreeMap::new(),
        };
        m.marks.insert(
            AttendanceMonth::key(Date::ymd(2026, 11, 3), &child),
            AttendanceMark::Sick,
        );
        assert!(m.validate().is_ok());
        assert_eq!(
            m.days().collect::<Vec<_>>(),
            [(Date::ymd(2026, 11, 3), child.clone(), AttendanceMark::Sick)]
        );
        m.marks.insert(
            AttendanceMonth::key(Date::ymd(2026, 12, 1), &child),
            AttendanceMark::Present,
        );
        m.marks.insert("garbage".into(), AttendanceMark::Present);
        let errors = m.validate().unwrap_err().errors;
        assert_eq!(errors.len(), 2, "{errors:?}");
    }
}
