//! Extra care (Mehrbetreuung, Lastenheft 3.6.13 and 3.10.6; Satzung § 5): care beyond the
//! contracted daily hours, recorded by the Kita per day and reported to its Träger's
//! Beitragsstelle by the 10th of the next month. One document per Kita and month, written by the
//! Kita only (kita-only: the Kita and its Träger hold it). It names children by id only, never
//! by name. What the Beitragsstelle charges for it stays on the Träger's node: a second writer
//! would make it two documents.

use crate::ids::{ChildId, FacilityId};
use crate::scalar::Date;
use crate::validate::{ValidationError, Validator};
use autosurgeon::{Hydrate, Reconcile};
use chrono::Datelike;
use serde::{Deserialize, Serialize};

/// The most care tiers a day can exceed the contract by: the tiers run from 4.5 to 11 hours.
pub const MAX_EXTRA_TIERS: u32 = 6;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Reconcile, Hydrate)]
pub struct ExtraCareMonth {
    pub facility: FacilityId,
    /// The first day of the month.
    pub month: Date,
    pub entries: Vec<ExtraCareEntry>,
    /// When the Kita reported the month to the Beitragsstelle. A reported month is closed:
    /// the Beitragsstelle charges what it received.
    pub reported_on: Option<Date>,
}

/// One day of extra care of one child.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Reconcile, Hydrate)]
pub struct ExtraCareEntry {
    /// Unique within the month (`xc-…`), so that two devices' entries never merge into one.
    pub id: String,
    pub child: ChildId,
    pub date: Date,
    /// `HH:MM`, the time the extra care began and ended.
    pub from: String,
    pub to: String,
    /// How many care tiers the day went beyond the contracted hours (§ 5 (1): a flat amount
    /// per tier).
    pub extra_tiers: u32,
    /// The child was collected after the Kita's opening hours (§ 5 (2)).
    pub outside_opening_hours: bool,
    /// A Hort child on a day without school: no charge (§ 5 (3)).
    pub school_free_day: bool,
}

/// Minutes since midnight of an `HH:MM` time.
pub fn minutes_of(time: &str) -> Option<u32> {
    let (h, m) = time.split_once(':')?;
    if h.len() != 2 || m.len() != 2 {
        return None;
    }
    let (h, m): (u32, u32) = (h.parse().ok()?, m.parse().ok()?);
    (h < 24 && m < 60).then_some(h * 60 + m)
}

impl ExtraCareMonth {
    /// The first day of the month `day` lies in.
    pub fn month_of(day: Date) -> Date {
        Date::ymd(day.0.year(), day.0.month(), 1)
    }

    pub fn validate(&self) -> Result<(), ValidationError> {
        let mut v = Validator::new();
        v.check(
            self.month.0.day() == 1,
            "month",
            "Monat beginnt am 1. / a month starts on the 1st",
        );
        v.plausible_date("month", self.month);
        if let Some(reported) = self.reported_on {
            v.check(
                reported >= self.month,
                "reported_on",
                "Meldung vor Monatsbeginn / reported before the month began",
            );
        }
        let mut ids: Vec<&str> = self.entries.iter().map(|e| e.id.as_str()).collect();
        ids.sort_unstable();
        ids.dedup();
        v.check(
            ids.len() == self.entries.len(),
            "entries",
            "Eintrag doppelt / entry listed twice",
        );
        for e in &self.entries {
            e.check(&mut v, self.month);
        }
        v.finish()
    }
}

impl ExtraCareEntry {
    /// Checks one entry; field names are the form's.
    pub fn check(&self, v: &mut Validator, month: Date) {
        v.check(
            !self.id.is_empty() && self.id.len() <= 64,
            "id",
            "Eintrag ohne Kennung / entry without id",
        );
        v.check(
            ExtraCareMonth::month_of(self.date) == month,
            "date",
            "Datum liegt nicht im Monat / date outside the month",
        );
        let from = minutes_of(&self.from);
        let to = minutes_of(&self.to);
        v.check(from.is_some(), "from", "Uhrzeit HH:MM / time as HH:MM");
        v.check(to.is_some(), "to", "Uhrzeit HH:MM / time as HH:MM");
        if let (Some(from), Some(to)) = (from, to) {
            v.check(
                from < to,
                "to",
                "Ende nach Beginn / the end comes after the start",
            );
        }
        v.check(
            self.extra_tiers <= MAX_EXTRA_TIERS,
            "extra_tiers",
            "höchstens 6 Stufen / at most 6 tiers",
        );
        v.check(
            self.extra_tiers > 0 || self.outside_opening_hours,
            "extra_tiers",
            "mindestens eine Stufe oder außerhalb der Öffnungszeit / at least one tier or outside the opening hours",
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(date: Date) -> ExtraCareEntry {
        ExtraCareEntry {
            id: "xc-1".into(),
            child: ChildId("child-a".into()),
            date,
            from: "16:30".into(),
            to: "17:15".into(),
            extra_tiers: 1,
            outside_opening_hours: false,
            school_free_day: false,
        }
    }

    fn month(entries: Vec<ExtraCareEntry>) -> ExtraCareMonth {
        ExtraCareMonth {
            facility: FacilityId("fac-a".into()),
            month: Date::ymd(2026, 11, 1),
            entries,
            reported_on: None,
        }
    }

    fn fields(m: &ExtraCareMonth) -> Vec<String> {
        m.validate()
            .err()
            .map(|e| e.errors.into_iter().map(|f| f.field).collect())
            .unwrap_or_default()
    }

    #[test]
    fn a_day_inside_the_month_with_one_tier_is_valid() {
        assert!(fields(&month(vec![entry(Date::ymd(2026, 11, 30))])).is_empty());
    }

    #[test]
    fn a_day_of_another_month_an_empty_time_span_and_no_tier_are_refused() {
        let mut e = entry(Date::ymd(2026, 12, 1));
        e.to = "16:30".into();
        e.extra_tiers = 0;
        assert_eq!(fields(&month(vec![e])), ["date", "to", "extra_tiers"]);
    }

    #[test]
    fn collected_after_opening_hours_needs_no_tier_but_times_must_be_real() {
        let mut e = entry(Date::ymd(2026, 11, 3));
        e.extra_tiers = 0;
        e.outside_opening_hours = true;
        assert!(fields(&month(vec![e.clone()])).is_empty());
        e.from = "24:00".into();
        e.to = "7:5".into();
        assert_eq!(fields(&month(vec![e])), ["from", "to"]);
    }

    #[test]
    fn the_same_entry_twice_and_a_month_not_starting_on_the_first_are_refused() {
        let e = entry(Date::ymd(2026, 11, 3));
        let mut m = month(vec![e.clone(), e]);
        m.month = Date::ymd(2026, 11, 2);
        let f = fields(&m);
        assert!(
            f.contains(&"month".to_string()) && f.contains(&"entries".to_string()),
            "{f:?}"
        );
    }
}
