//! The configurable numbers and dates of the occupancy rules, with the statute defaults.
//!
//! RULES.md: "Never hard-code a number that a municipality's statute (Satzung) sets." Every
//! age and cut-off date that decides a move is here; [`Rules::saxony`] is the shipped version.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// A day of the year (month and day), valid in every year: 29 February is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "(u32, u32)", into = "(u32, u32)")]
pub struct MonthDay {
    month: u32,
    day: u32,
}

/// A month and day that do not name a day in every year.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{month}/{day} is not a day of every year; give a month 1–12 and a day that month always has (not 29 February)")]
pub struct NotADayOfEveryYear {
    pub month: u32,
    pub day: u32,
}

impl MonthDay {
    pub fn new(month: u32, day: u32) -> Result<MonthDay, NotADayOfEveryYear> {
        // 2023 is a common year: a day it has, every year has.
        match NaiveDate::from_ymd_opt(2023, month, day) {
            Some(_) => Ok(MonthDay { month, day }),
            None => Err(NotADayOfEveryYear { month, day }),
        }
    }

    pub fn month(self) -> u32 {
        self.month
    }

    pub fn day(self) -> u32 {
        self.day
    }

    /// This day in `year`. `None` only beyond chrono's calendar.
    pub fn in_year(self, year: i32) -> Option<NaiveDate> {
        NaiveDate::from_ymd_opt(year, self.month, self.day)
    }
}

impl TryFrom<(u32, u32)> for MonthDay {
    type Error = NotADayOfEveryYear;
    fn try_from((month, day): (u32, u32)) -> Result<Self, Self::Error> {
        MonthDay::new(month, day)
    }
}

impl From<MonthDay> for (u32, u32) {
    fn from(md: MonthDay) -> (u32, u32) {
        (md.month, md.day)
    }
}

/// The rules' parameters. Ages are completed months or years as [`crate::age`] counts them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rules {
    /// A Krippe child may switch to Kindergarten once it has completed this many months
    /// (Lastenheft 3.6.16 "den 34. … Lebensmonat vollendet"; SächsKitaG § 1 (3) admits children
    /// to Kindergarten "ab dem 34. Lebensmonat", Satzung § 11 (1) charges the Kindergarten fee
    /// "mit Vollendung des 34. Lebensmonats"). Default 34; Dresden's practice of 2 years
    /// 9 months is 33 (RULES.md §4).
    pub earliest_switch_months: u32,
    /// A Krippe place ends, and the child counts as a Kindergarten child, once it has completed
    /// this many months: on its 3rd birthday (SächsKitaG § 1 (2) "bis zur Vollendung des dritten
    /// Lebensjahres"; Satzung § 9 (5): the Krippe contract ends "spätestens mit Vollendung des
    /// dritten Lebensjahres", without notice). Default 36. Occupancy and forecast apply the
    /// switch on this date unless the contract already records it (Lastenheft 3.6.10:
    /// "Automatisch sollen Wechsel … mit eingehen").
    pub latest_switch_months: u32,
    /// School age in completed years (SächsSchulG § 27 (1)). Default 6.
    pub school_age_years: u32,
    /// A child who has completed [`Rules::school_age_years`] by this day must go to school with
    /// the school year starting that year (Lastenheft 3.6.17 "zum 30.06."). Default 30 June.
    pub compulsory_cutoff: MonthDay,
    /// A child who completes the school age by this day may go to school that year on its
    /// parents' request (Lastenheft 3.6.17 "bzw. bis zum 30.09"; SächsSchulG § 27 (1) S. 2).
    /// Default 30 September.
    pub on_request_cutoff: MonthDay,
    /// First day of the school year: a school entrant's Kindergarten place is free from this
    /// day, its last Kindergarten day is the day before (Satzung § 9 (5): the Kindergarten
    /// contract ends "mit Beginn der Schulpflicht"; SächsKitaG § 15 (3) makes 1 August the start
    /// of the last Kindergarten year before it). Default 1 August.
    pub school_year_start: MonthDay,
    /// Notice period of the parents in months, "zum Ende des übernächsten Monats" (Satzung
    /// § 9 (7), Lastenheft 3.6.15): notice given by the 1st of a month ends the contract at the
    /// end of the next month, later in the month at the end of the month after that. A shorter
    /// period may be agreed, so a shorter exit is a warning, not an error. Default 2.
    pub notice_months: u32,
    /// Length of the forecast in months from the reference date (Lastenheft 3.6.10, 3.12.1.2
    /// "bis zu einem Jahr"). Default 12.
    pub forecast_months: u32,
}

/// Rules that contradict themselves.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RulesError {
    #[error("earliest_switch_months ({earliest}) is after latest_switch_months ({latest}); the earliest switch must not come after the latest")]
    SwitchWindowReversed { earliest: u32, latest: u32 },
    #[error("on_request_cutoff must not lie before compulsory_cutoff in the year; a request widens the compulsory rule")]
    RequestBeforeCompulsory,
    #[error("compulsory_cutoff must lie before school_year_start in the year: who must go to school has to be known when the school year starts")]
    CutoffAfterSchoolStart,
    #[error("forecast_months must be 1–36, not {0}")]
    ForecastLength(u32),
}

impl Rules {
    /// The Saxon statute and Dresden's Satzung as the Lastenheft quotes them.
    pub fn saxony() -> Rules {
        Rules {
            earliest_switch_months: 34,
            latest_switch_months: 36,
            school_age_years: 6,
            compulsory_cutoff: MonthDay { month: 6, day: 30 },
            on_request_cutoff: MonthDay { month: 9, day: 30 },
            school_year_start: MonthDay { month: 8, day: 1 },
            notice_months: 2,
            forecast_months: 12,
        }
    }

    /// Checks that the parameters fit together; the node calls it when a version is stored.
    pub fn validate(&self) -> Result<(), RulesError> {
        if self.earliest_switch_months > self.latest_switch_months {
            return Err(RulesError::SwitchWindowReversed {
                earliest: self.earliest_switch_months,
                latest: self.latest_switch_months,
            });
        }
        if self.on_request_cutoff < self.compulsory_cutoff {
            return Err(RulesError::RequestBeforeCompulsory);
        }
        if self.compulsory_cutoff >= self.school_year_start {
            return Err(RulesError::CutoffAfterSchoolStart);
        }
        if !(1..=36).contains(&self.forecast_months) {
            return Err(RulesError::ForecastLength(self.forecast_months));
        }
        Ok(())
    }
}

impl Default for Rules {
    fn default() -> Rules {
        Rules::saxony()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_rules_hold_together() {
        assert_eq!(Rules::saxony().validate(), Ok(()));
    }

    #[test]
    fn contradictions_are_refused() {
        let mut r = Rules::saxony();
        r.earliest_switch_months = 37;
        assert!(matches!(
            r.validate(),
            Err(RulesError::SwitchWindowReversed { .. })
        ));
        let mut r = Rules::saxony();
        r.on_request_cutoff = MonthDay::new(5, 31).unwrap();
        assert_eq!(r.validate(), Err(RulesError::RequestBeforeCompulsory));
        let mut r = Rules::saxony();
        r.school_year_start = MonthDay::new(6, 1).unwrap();
        assert_eq!(r.validate(), Err(RulesError::CutoffAfterSchoolStart));
    }

    #[test]
    fn leap_day_is_no_day_of_every_year() {
        assert!(MonthDay::new(2, 29).is_err());
        assert!(MonthDay::new(2, 28).is_ok());
        assert!(serde_json::from_str::<MonthDay>("[2,29]").is_err());
        assert_eq!(
            serde_json::from_str::<MonthDay>("[6,30]").unwrap(),
            MonthDay::new(6, 30).unwrap()
        );
    }
}
