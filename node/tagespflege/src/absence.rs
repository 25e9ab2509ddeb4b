//! The childminder's absences and the continued payment (TPP agreement § 6, seed 004
//! L30166–30182; Lastenheft 3.5.6.2 "Urlaubs- und Fortbildungstage", L1785–1786):
//!
//! - Vacation: "Für 26 Tage pro Jahr wird Aufwendungsersatzfortzahlung für Urlaub gewährt. Wird
//!   die Tätigkeit … nicht ganzjährig ausgeübt erfolgt eine anteilige Gewährung" (L30166). A
//!   change not announced before it is taken stops the continued payment (L30167–30169).
//! - Sickness: "Bis maximal zehn Tage pro Kalenderjahr wird der Aufwendungsersatz bei
//!   nachgewiesener Krankheit der Kindertagespflegeperson bzw. der eigenen Kinder unter 12 Jahren
//!   … weiter gezahlt" (L30176–30179).
//! - Approved training: 5 days a year (L30181, § 7 L30187–30188), 5 more with the curriculum of
//!   the Saxon education plan (L30209–30211).
//! - "Sonstige Ausfallzeiten … haben die Einstellung der Zahlung des Aufwendungsersatzes zur
//!   Folge" (L30180–30181); the child's absences do not count (L30033, L30182).
//!
//! Days are care days: Monday to Friday (the agreement's "täglich von Montag bis Freitag",
//! L30064) within the childminder's activity, public holidays excepted (given by the node; this
//! crate keeps no calendar). Allowance days are used in date order, so the 26th vacation day is
//! paid and the 27th is not. The seed does not say how "anteilig" is counted: we take full
//! calendar months of activity, `26 × months ÷ 12` rounded half up to whole days (as § 5 BUrlG
//! counts vacation). Sick and training days are not prorated (the seed says "pro
//! Kalenderjahr"/"im Jahr" without a share).

use crate::explain::{in_force, Explanation, Rule};
use crate::month::Month;
use crate::period::Period;
use chrono::{Datelike, NaiveDate, Weekday};
use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// What kind of absence, with the condition the continued payment depends on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum AbsenceKind {
    /// Announced before it is taken (planned by 28 February, changes in writing, L30167–30169).
    Vacation { announced: bool },
    /// Proven by a sick note (own illness or own child under 12, L30176–30179).
    Sick { proven: bool },
    /// Training approved by the city (L30181).
    Training { approved: bool },
    /// Any other absence: never paid (L30180–30181).
    Other,
}

/// An absence of the childminder over a closed period.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Absence {
    pub kind: AbsenceKind,
    pub period: Period,
}

/// One version of the absence rules.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AbsenceRules {
    pub id: String,
    pub valid_from: NaiveDate,
    /// Vacation days a year with continued payment (26, L30166).
    pub vacation_days: u32,
    /// Sick days a calendar year with continued payment (10, L30176).
    pub sick_days: u32,
    /// Approved training days a year (5, L30181, L30187).
    pub training_days: u32,
    /// More training days with the education-plan curriculum (5, L30211).
    pub curriculum_training_days: u32,
}

impl AbsenceRules {
    pub fn tpp_agreement() -> AbsenceRules {
        AbsenceRules {
            id: "dresden-tpp-agreement".into(),
            valid_from: NaiveDate::from_ymd_opt(2000, 1, 1).expect("valid date"),
            vacation_days: 26,
            sick_days: 10,
            training_days: 5,
            curriculum_training_days: 5,
        }
    }
}

/// An allowance with continued payment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Allowance {
    Vacation,
    Sick,
    Training,
}

/// The days of an allowance for the year.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AllowanceDays {
    pub allowance: Allowance,
    pub days: u32,
    /// Days used (paid) in the year.
    pub used: u32,
    pub explanation: Explanation,
}

/// A range of care days of one absence, all paid or all unpaid, within one month.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AbsenceLine {
    pub kind: AbsenceKind,
    /// From the first to the last care day of the range.
    pub period: Period,
    pub care_days: u32,
    pub paid: bool,
    pub explanation: Explanation,
}

/// A month's care days and the absence days among them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MonthAbsence {
    pub month: Month,
    /// Care days of the month within the activity (Monday–Friday, no public holiday).
    pub care_days: u32,
    pub paid_days: u32,
    pub unpaid_days: u32,
}

/// The year's ledger.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AbsenceLedger {
    pub year: i32,
    pub allowances: Vec<AllowanceDays>,
    /// In date order.
    pub lines: Vec<AbsenceLine>,
    /// Every month with care days, in order.
    pub months: Vec<MonthAbsence>,
}

impl AbsenceLedger {
    /// The month's absence days (zero absences when the month has no absence).
    pub fn month(&self, month: Month) -> Option<&MonthAbsence> {
        self.months.iter().find(|m| m.month == month)
    }
}

/// Input the ledger cannot use.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AbsenceError {
    #[error("no absence rules are in force on {0}; add a version valid from that day or earlier")]
    NoRules(NaiveDate),
    #[error("the absence from {0} has no end; give its last day")]
    OpenEnded(NaiveDate),
    #[error("two absences both claim {0}; correct one of them")]
    Overlap(NaiveDate),
    #[error("{0} is not a year the calendar can hold")]
    Year(i32),
}

/// The year's situation of one childminder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AbsenceYear<'a> {
    pub year: i32,
    /// When she works as a childminder (permit and agreement); may be part of the year.
    pub activity: &'a [Period],
    pub absences: &'a [Absence],
    /// Public holidays (no care days).
    pub holidays: &'a BTreeSet<NaiveDate>,
    /// Takes part in the curriculum of the Saxon education plan this year (5 more training
    /// days, L30209–30211).
    pub curriculum: bool,
}

/// A care day: Monday to Friday, no public holiday, within the activity.
pub fn is_care_day(day: NaiveDate, activity: &[Period], holidays: &BTreeSet<NaiveDate>) -> bool {
    !matches!(day.weekday(), Weekday::Sat | Weekday::Sun)
        && !holidays.contains(&day)
        && activity.iter().any(|p| p.contains(day))
}

/// Full calendar months of the year within the activity.
fn full_months(year: i32, activity: &[Period]) -> u32 {
    (1..=12)
        .filter(|&m| {
            let month = Month::new(year, m).expect("valid month").period();
            month
                .each_day()
                .all(|day| activity.iter().any(|p| p.contains(day)))
        })
        .count() as u32
}

/// Builds the year's ledger.
pub fn ledger(input: &AbsenceYear, book: &[AbsenceRules]) -> Result<AbsenceLedger, AbsenceError> {
    let year = Period::year(input.year).ok_or(AbsenceError::Year(input.year))?;
    let rules = in_force(book, |r| r.valid_from, year.start())
        .ok_or(AbsenceError::NoRules(year.start()))?;
    const SOURCE_VACATION: &str = "seed 004 L30166–30169";
    const SOURCE_SICK: &str = "seed 004 L30176–30179";
    const SOURCE_TRAINING: &str = "seed 004 L30180–30181, L30187–30188, L30209–30211";
    const SOURCE_OTHER: &str = "seed 004 L30180–30182";

    // Allowances.
    let months = full_months(input.year, input.activity);
    let vacation = (Decimal::from(rules.vacation_days) * Decimal::from(months) / Decimal::from(12))
        .round_dp_with_strategy(0, RoundingStrategy::MidpointAwayFromZero);
    let vacation_days = u32::try_from(vacation.mantissa()).expect("small non-negative");
    let vacation_detail = if months == 12 {
        format!(
            "{} Urlaubstage für das ganze Jahr {}",
            vacation_days, input.year
        )
    } else {
        format!(
            "{} Tage × {months} volle Monate der Tätigkeit ÷ 12 = {} → {vacation_days} \
             Urlaubstage (anteilig; auf ganze Tage kaufmännisch gerundet: unsere Lesart, die \
             Quelle sagt nur „anteilig“)",
            rules.vacation_days,
            crate::money::german_decimal(
                (Decimal::from(rules.vacation_days) * Decimal::from(months) / Decimal::from(12))
                    .round_dp(2)
            ),
        )
    };
    let training_days = rules.training_days
        + if input.curriculum {
            rules.curriculum_training_days
        } else {
            0
        };
    let mut allowances = vec![
        AllowanceDays {
            allowance: Allowance::Vacation,
            days: vacation_days,
            used: 0,
            explanation: Explanation::new(
                Rule::VacationAllowance,
                &rules.id,
                SOURCE_VACATION,
                vacation_detail,
            ),
        },
        AllowanceDays {
            allowance: Allowance::Sick,
            days: rules.sick_days,
            used: 0,
            explanation: Explanation::new(
                Rule::SickAllowance,
                &rules.id,
                SOURCE_SICK,
                format!(
                    "{} nachgewiesene Krankheitstage im Jahr {}",
                    rules.sick_days, input.year
                ),
            ),
        },
        AllowanceDays {
            allowance: Allowance::Training,
            days: training_days,
            used: 0,
            explanation: Explanation::new(
                Rule::TrainingAllowance,
                &rules.id,
                SOURCE_TRAINING,
                if input.curriculum {
                    format!(
                        "{} + {} genehmigte Fortbildungstage (Curriculum Bildungsplan) im Jahr {}",
                        rules.training_days, rules.curriculum_training_days, input.year
                    )
                } else {
                    format!(
                        "{} genehmigte Fortbildungstage im Jahr {}",
                        rules.training_days, input.year
                    )
                },
            ),
        },
    ];

    // Each care day of an absence, in date order.
    let mut days: BTreeMap<NaiveDate, AbsenceKind> = BTreeMap::new();
    for absence in input.absences {
        if absence.period.end().is_none() {
            return Err(AbsenceError::OpenEnded(absence.period.start()));
        }
        let Some(within) = absence.period.intersection(&year) else {
            continue;
        };
        for day in within.each_day() {
            if is_care_day(day, input.activity, input.holidays)
                && days.insert(day, absence.kind).is_some()
            {
                return Err(AbsenceError::Overlap(day));
            }
        }
    }

    // Decide each day; collect lines of the same absence kind, payment and month.
    let mut lines: Vec<AbsenceLine> = Vec::new();
    let mut last_day: Option<NaiveDate> = None;
    for (&day, &kind) in &days {
        let allowance = match kind {
            AbsenceKind::Vacation { announced: true } => Some(0),
            AbsenceKind::Sick { proven: true } => Some(1),
            AbsenceKind::Training { approved: true } => Some(2),
            _ => None,
        };
        let (paid, explanation) = match allowance {
            Some(i) => {
                let a = &mut allowances[i];
                let paid = a.used < a.days;
                if paid {
                    a.used += 1;
                }
                let (rule, source, what) = match a.allowance {
                    Allowance::Vacation => {
                        (Rule::VacationAllowance, SOURCE_VACATION, "Urlaubstage")
                    }
                    Allowance::Sick => (Rule::SickAllowance, SOURCE_SICK, "Krankheitstage"),
                    Allowance::Training => {
                        (Rule::TrainingAllowance, SOURCE_TRAINING, "Fortbildungstage")
                    }
                };
                let detail = if paid {
                    format!(
                        "{what} innerhalb der {} des Jahres {}: bezahlt",
                        a.days, input.year
                    )
                } else {
                    format!(
                        "{what} über die {} des Jahres {} hinaus: keine Zahlung",
                        a.days, input.year
                    )
                };
                (paid, Explanation::new(rule, &rules.id, source, detail))
            }
            None => {
                let detail = match kind {
                    AbsenceKind::Vacation { .. } => {
                        "Urlaub nicht vor Antritt angekündigt: keine Zahlung"
                    }
                    AbsenceKind::Sick { .. } => {
                        "Krankheit nicht durch ärztliche Bescheinigung nachgewiesen: keine Zahlung"
                    }
                    AbsenceKind::Training { .. } => "Fortbildung nicht genehmigt: keine Zahlung",
                    AbsenceKind::Other => "sonstige Abwesenheit: keine Zahlung",
                };
                let source = match kind {
                    AbsenceKind::Vacation { .. } => SOURCE_VACATION,
                    AbsenceKind::Sick { .. } => SOURCE_SICK,
                    _ => SOURCE_OTHER,
                };
                (
                    false,
                    Explanation::new(Rule::UnpaidAbsence, &rules.id, source, detail),
                )
            }
        };
        // Join with the previous line when only non-care days lie between (a weekend, a
        // holiday), never over a day worked.
        let joins = lines.last().is_some_and(|l| {
            l.kind == kind
                && l.paid == paid
                && l.explanation == explanation
                && Month::of(l.period.start()) == Month::of(day)
                && last_day.is_some_and(|prev| {
                    Period::closed(prev, day)
                        .expect("ascending")
                        .each_day()
                        .filter(|d| *d != prev && *d != day)
                        .all(|d| !is_care_day(d, input.activity, input.holidays))
                })
        });
        if joins {
            let line = lines.last_mut().expect("joins");
            line.period = Period::closed(line.period.start(), day).expect("ascending");
            line.care_days += 1;
        } else {
            lines.push(AbsenceLine {
                kind,
                period: Period::day(day),
                care_days: 1,
                paid,
                explanation,
            });
        }
        last_day = Some(day);
    }

    // The months.
    let mut months = Vec::new();
    for m in 1..=12 {
        let month = Month::new(input.year, m).expect("valid month");
        let care_days = month
            .period()
            .each_day()
            .filter(|d| is_care_day(*d, input.activity, input.holidays))
            .count() as u32;
        if care_days == 0 {
            continue;
        }
        let of_month = lines
            .iter()
            .filter(|l| Month::of(l.period.start()) == month);
        let (paid_days, unpaid_days) = of_month.fold((0, 0), |(p, u), l| {
            if l.paid {
                (p + l.care_days, u)
            } else {
                (p, u + l.care_days)
            }
        });
        months.push(MonthAbsence {
            month,
            care_days,
            paid_days,
            unpaid_days,
        });
    }
    Ok(AbsenceLedger {
        year: input.year,
        allowances,
        lines,
        months,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::period::d;

    fn book() -> Vec<AbsenceRules> {
        vec![AbsenceRules::tpp_agreement()]
    }

    fn vacation(start: NaiveDate, end: NaiveDate) -> Absence {
        Absence {
            kind: AbsenceKind::Vacation { announced: true },
            period: Period::closed(start, end).unwrap(),
        }
    }

    fn whole_year() -> Vec<Period> {
        vec![Period::from(d(2020, 1, 1))]
    }

    #[test]
    fn the_26th_vacation_day_is_paid_and_the_27th_is_not() {
        // 2025: five weeks (25 care days) in July/August, then a week in October.
        let absences = [
            vacation(d(2025, 7, 14), d(2025, 8, 15)),
            vacation(d(2025, 10, 6), d(2025, 10, 10)),
        ];
        let holidays = BTreeSet::new();
        let activity = whole_year();
        let ledger = ledger(
            &AbsenceYear {
                year: 2025,
                activity: &activity,
                absences: &absences,
                holidays: &holidays,
                curriculum: false,
            },
            &book(),
        )
        .unwrap();
        let shape: Vec<(String, u32, bool)> = ledger
            .lines
            .iter()
            .map(|l| (l.period.to_string(), l.care_days, l.paid))
            .collect();
        assert_eq!(
            shape,
            [
                ("2025-07-14 – 2025-07-31".to_string(), 14, true),
                ("2025-08-01 – 2025-08-15".to_string(), 11, true),
                // The 26th day is Monday 6 October; the 27th, Tuesday, is not paid.
                ("2025-10-06 – 2025-10-06".to_string(), 1, true),
                ("2025-10-07 – 2025-10-10".to_string(), 4, false),
            ]
        );
        assert_eq!(ledger.allowances[0].days, 26);
        assert_eq!(ledger.allowances[0].used, 26);
        assert!(ledger.lines[3].explanation.detail.contains("über die 26"));
        let october = ledger.month(Month::new(2025, 10).unwrap()).unwrap();
        assert_eq!(
            (october.care_days, october.paid_days, october.unpaid_days),
            (23, 1, 4)
        );
    }

    #[test]
    fn ten_sick_days_are_paid_and_unproven_or_other_days_never() {
        let absences = [
            Absence {
                kind: AbsenceKind::Sick { proven: true },
                period: Period::closed(d(2025, 2, 3), d(2025, 2, 16)).unwrap(),
            },
            Absence {
                kind: AbsenceKind::Sick { proven: false },
                period: Period::closed(d(2025, 3, 3), d(2025, 3, 3)).unwrap(),
            },
            Absence {
                kind: AbsenceKind::Sick { proven: true },
                period: Period::closed(d(2025, 3, 4), d(2025, 3, 4)).unwrap(),
            },
            Absence {
                kind: AbsenceKind::Other,
                period: Period::closed(d(2025, 3, 5), d(2025, 3, 5)).unwrap(),
            },
            Absence {
                kind: AbsenceKind::Vacation { announced: false },
                period: Period::closed(d(2025, 3, 6), d(2025, 3, 6)).unwrap(),
            },
        ];
        let holidays = BTreeSet::new();
        let activity = whole_year();
        let ledger = ledger(
            &AbsenceYear {
                year: 2025,
                activity: &activity,
                absences: &absences,
                holidays: &holidays,
                curriculum: false,
            },
            &book(),
        )
        .unwrap();
        // 3–14 February are 10 care days: all paid; the 11th proven sick day (4 March) not.
        let feb = ledger.month(Month::new(2025, 2).unwrap()).unwrap();
        assert_eq!((feb.paid_days, feb.unpaid_days), (10, 0));
        let march = ledger.month(Month::new(2025, 3).unwrap()).unwrap();
        assert_eq!((march.paid_days, march.unpaid_days), (0, 4));
        let details: Vec<&str> = ledger.lines[1..]
            .iter()
            .map(|l| l.explanation.detail.as_str())
            .collect();
        assert_eq!(
            details,
            [
                "Krankheit nicht durch ärztliche Bescheinigung nachgewiesen: keine Zahlung",
                "Krankheitstage über die 10 des Jahres 2025 hinaus: keine Zahlung",
                "sonstige Abwesenheit: keine Zahlung",
                "Urlaub nicht vor Antritt angekündigt: keine Zahlung",
            ]
        );
        assert_eq!(
            ledger.allowances[0].used, 0,
            "unannounced vacation uses no allowance"
        );
    }

    #[test]
    fn part_year_vacation_is_prorated_by_full_months() {
        // Starts 15 March 2025: April–December are 9 full months: 26 × 9 / 12 = 19.5 → 20.
        let activity = vec![Period::from(d(2025, 3, 15))];
        let holidays = BTreeSet::new();
        let input = AbsenceYear {
            year: 2025,
            activity: &activity,
            absences: &[],
            holidays: &holidays,
            curriculum: true,
        };
        let ledger = ledger(&input, &book()).unwrap();
        assert_eq!(ledger.allowances[0].days, 20);
        assert!(ledger.allowances[0]
            .explanation
            .detail
            .contains("26 Tage × 9 volle Monate der Tätigkeit ÷ 12 = 19,5 → 20"));
        assert_eq!(ledger.allowances[1].days, 10);
        assert_eq!(ledger.allowances[2].days, 10, "5 + 5 with the curriculum");
        // March has care days only from the 17th (Monday): 11 of them.
        assert_eq!(ledger.months[0].month, Month::new(2025, 3).unwrap());
        assert_eq!(ledger.months[0].care_days, 11);
    }

    #[test]
    fn holidays_and_weekends_are_no_absence_days_and_overlaps_are_refused() {
        let holidays: BTreeSet<NaiveDate> = [d(2025, 12, 25), d(2025, 12, 26)].into();
        let activity = whole_year();
        let absences = [vacation(d(2025, 12, 22), d(2026, 1, 2))];
        let input = AbsenceYear {
            year: 2025,
            activity: &activity,
            absences: &absences,
            holidays: &holidays,
            curriculum: false,
        };
        let ledger = ledger(&input, &book()).unwrap();
        // 22–31 Dec: Mon 22, Tue 23, Wed 24, (25, 26 holidays), Mon 29, Tue 30, Wed 31.
        assert_eq!(ledger.lines.len(), 1);
        assert_eq!(ledger.lines[0].care_days, 6);
        assert_eq!(ledger.allowances[0].used, 6);
        // A day worked between two absences keeps them apart.
        let split = [
            vacation(d(2025, 6, 2), d(2025, 6, 3)),
            vacation(d(2025, 6, 5), d(2025, 6, 5)),
        ];
        let apart = super::ledger(
            &AbsenceYear {
                absences: &split,
                ..input.clone()
            },
            &book(),
        )
        .unwrap();
        assert_eq!(apart.lines.len(), 2);
        let overlapping = [
            vacation(d(2025, 6, 2), d(2025, 6, 6)),
            Absence {
                kind: AbsenceKind::Sick { proven: true },
                period: Period::closed(d(2025, 6, 6), d(2025, 6, 6)).unwrap(),
            },
        ];
        let input = AbsenceYear {
            absences: &overlapping,
            ..input
        };
        assert_eq!(
            super::ledger(&input, &book()),
            Err(AbsenceError::Overlap(d(2025, 6, 6)))
        );
    }

    proptest::proptest! {
        /// Paid days never exceed an allowance; every absent care day is paid or unpaid once;
        /// the months add up to the lines.
        #[test]
        fn the_ledger_adds_up(
            raw in proptest::collection::vec((0u32..365, 0u32..20, 0u8..7), 0..12),
        ) {
            let mut absences = Vec::new();
            let mut taken = BTreeSet::new();
            for (start, len, kind) in raw {
                let start = d(2025, 1, 1) + chrono::Days::new(start.into());
                let end = start + chrono::Days::new(len.into());
                let period = Period::closed(start, end).unwrap();
                if period.each_day().any(|x| taken.contains(&x)) {
                    continue;
                }
                taken.extend(period.each_day());
                let kind = match kind {
                    0 | 1 => AbsenceKind::Vacation { announced: true },
                    2 => AbsenceKind::Vacation { announced: false },
                    3 => AbsenceKind::Sick { proven: true },
                    4 => AbsenceKind::Sick { proven: false },
                    5 => AbsenceKind::Training { approved: true },
                    _ => AbsenceKind::Other,
                };
                absences.push(Absence { kind, period });
            }
            let holidays = BTreeSet::new();
            let activity = whole_year();
            let ledger = ledger(
                &AbsenceYear { year: 2025, activity: &activity, absences: &absences, holidays: &holidays, curriculum: false },
                &book(),
            ).unwrap();
            for a in &ledger.allowances {
                proptest::prop_assert!(a.used <= a.days);
            }
            let care_days_absent = taken
                .iter()
                .filter(|x| x.year() == 2025 && is_care_day(**x, &activity, &holidays))
                .count() as u32;
            let in_lines: u32 = ledger.lines.iter().map(|l| l.care_days).sum();
            proptest::prop_assert_eq!(in_lines, care_days_absent);
            let in_months: u32 = ledger.months.iter().map(|m| m.paid_days + m.unpaid_days).sum();
            proptest::prop_assert_eq!(in_months, care_days_absent);
            let paid: u32 = ledger.lines.iter().filter(|l| l.paid).map(|l| l.care_days).sum();
            let used: u32 = ledger.allowances.iter().map(|a| a.used).sum();
            proptest::prop_assert_eq!(paid, used);
            for l in &ledger.lines {
                proptest::prop_assert_eq!(Month::of(l.period.start()), Month::of(l.period.end().unwrap()));
            }
        }
    }
}
