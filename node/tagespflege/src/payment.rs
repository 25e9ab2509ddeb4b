//! The monthly running payment (laufende Geldleistung, § 23 Abs. 2 Nr. 1–2 SGB VIII) to a
//! childminder: "Die laufenden Geldleistungen werden als pauschalierter Betrag monatlich
//! gezahlt. Die Höhe richtet sich nach der Anzahl der betreuten Kinder und den
//! Betreuungszeitstufen je Betreuungsvertrag" (TPP agreement § 6, seed 004 L30137–30140), paid
//! by the 10th for the running month (L30183–30184), under a valid permit (L29687–29688).
//!
//! The amounts are the city's table per care tier ([`AmountTable`], versioned by `valid_from`).
//! **The seed gives no amounts**: [`AmountTable::example`] is an example, marked so in every
//! explanation, to be replaced by the municipal table (JSON via [`AmountTable::from_json`]). The
//! tiers are the Satzung's care times, 4½, 6, 7, 8 and 9 hours, in single cases 10 and 11
//! (L5229–5231); a contract's daily hours take the smallest tier that covers them.
//!
//! **Part months**: the seed says nothing for the running payment, so a month is paid by
//! calendar days: `monthly × days cared for ÷ days of the month`, rounded half up to the cent
//! per line. (The parent fee's full month with a half-fee exception, Satzung § 10 L5354–5356, is
//! the parents' side and not carried over.) The same rule gives the substitute childminder's
//! payment "anteilig … je Kind und als Gesamtsumme" (L1833–1834): pass the substitute periods as
//! care lines.
//!
//! **Absence**: days the childminder is absent without continued payment ([`crate::absence`])
//! reduce the month's payment by `subtotal × unpaid care days ÷ care days of the month`; the
//! seed says only that the payment is stopped for them (L30168–30169, L30180–30181), the share
//! by care days is our reading. The child's absences do not reduce it (L30033, L30182).

use crate::absence::MonthAbsence;
use crate::capacity::ChildRef;
use crate::explain::{in_force, Explanation, Rule};
use crate::money::Money;
use crate::month::Month;
use crate::period::Period;
use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

/// The monthly amount for care up to `up_to_hours` a day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TierAmount {
    pub up_to_hours: Decimal,
    pub monthly: Money,
}

/// One version of the city's amount table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AmountTable {
    pub id: String,
    pub valid_from: NaiveDate,
    /// Where the amounts come from (the council decision, the Richtlinie Kindertagespflege).
    pub source: String,
    /// An example, not a municipal decision: said in every explanation.
    #[serde(default)]
    pub example: bool,
    /// Ascending by hours.
    pub tiers: Vec<TierAmount>,
}

/// Source of the rule that the amount depends on the care tier per contract.
pub const PAYMENT_SOURCE: &str = "seed 004 L30137–30140, L29684–29692";
/// Source of the part-month rule (none in the seed).
pub const PRO_RATA_SOURCE: &str =
    "by calendar days: the seed gives no part-month rule for the running payment (L30137–30140)";
/// The version named by the rules that are not table data (the agreement's wording).
pub const RULE_VERSION: &str = "dresden-tpp-agreement";
/// Source of the absence deduction.
pub const DEDUCTION_SOURCE: &str =
    "seed 004 L30168–30169, L30180–30181; the share by care days is our reading";

impl AmountTable {
    /// **An example table, not Dresden's**: the seed names the tiers (L5229–5231) but no
    /// amounts. Use it for demos and tests only.
    pub fn example() -> AmountTable {
        let tier = |hours: &str, euros: &str| TierAmount {
            up_to_hours: hours.parse().expect("decimal"),
            monthly: Money::round(euros.parse().expect("decimal")),
        };
        AmountTable {
            id: "example-2025".into(),
            valid_from: NaiveDate::from_ymd_opt(2025, 1, 1).expect("valid date"),
            source: "EXAMPLE amounts, not a municipal table; tiers from seed 004 L5229–5231".into(),
            example: true,
            tiers: vec![
                tier("4.5", "330.00"),
                tier("6", "440.00"),
                tier("7", "510.00"),
                tier("8", "585.00"),
                tier("9", "660.00"),
                tier("10", "730.00"),
                tier("11", "800.00"),
            ],
        }
    }

    /// Reads versions of the table from JSON (an array of tables) and checks each.
    pub fn from_json(text: &str) -> Result<Vec<AmountTable>, PaymentError> {
        let tables: Vec<AmountTable> =
            serde_json::from_str(text).map_err(|e| PaymentError::InvalidTable(e.to_string()))?;
        for t in &tables {
            t.check()?;
        }
        Ok(tables)
    }

    /// Tiers ascending by hours, hours positive, amounts not negative.
    pub fn check(&self) -> Result<(), PaymentError> {
        let bad = |why: String| Err(PaymentError::InvalidTable(format!("{}: {why}", self.id)));
        if self.tiers.is_empty() {
            return bad("the table has no tiers".into());
        }
        for pair in self.tiers.windows(2) {
            if pair[0].up_to_hours >= pair[1].up_to_hours {
                return bad(format!(
                    "tiers must ascend by hours ({} then {})",
                    pair[0].up_to_hours, pair[1].up_to_hours
                ));
            }
        }
        if let Some(t) = self
            .tiers
            .iter()
            .find(|t| t.up_to_hours <= Decimal::ZERO || t.monthly < Money::ZERO)
        {
            return bad(format!(
                "tier {} h: hours must be positive and the amount not negative",
                t.up_to_hours
            ));
        }
        Ok(())
    }

    /// The smallest tier that covers `hours` a day.
    pub fn tier(&self, hours: Decimal) -> Option<&TierAmount> {
        self.tiers.iter().find(|t| hours <= t.up_to_hours)
    }

    fn source_note(&self) -> String {
        if self.example {
            format!("{} (EXAMPLE table, not a municipal decision)", self.source)
        } else {
            self.source.clone()
        }
    }
}

/// A child's care as contracted: the daily hours over a period (a change of hours is a new line).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CareLine {
    pub child: ChildRef,
    pub period: Period,
    pub daily_hours: Decimal,
}

/// One paid range of a child's care in the month.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaymentLine {
    pub child: ChildRef,
    pub period: Period,
    pub daily_hours: Decimal,
    pub tier_hours: Decimal,
    pub table: String,
    pub amount: Money,
    pub explanation: Vec<Explanation>,
}

/// The reduction for unpaid absence days.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Deduction {
    pub amount: Money,
    pub explanation: Explanation,
}

/// The month's running payment to one childminder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MonthlyPayment {
    pub month: Month,
    /// By child, then date.
    pub lines: Vec<PaymentLine>,
    pub subtotal: Money,
    pub deduction: Option<Deduction>,
    pub total: Money,
    /// Care not paid because no permit was in force.
    pub unpaid_without_permit: Vec<(ChildRef, Period, Explanation)>,
}

/// Input the payment cannot be computed from.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PaymentError {
    #[error("no amount table is in force on {0}; add a version valid from that day or earlier")]
    NoTable(NaiveDate),
    #[error(
        "child {child}: {hours} hours a day is above the table's highest tier ({max} h) in {table}"
    )]
    HoursOverTable {
        child: ChildRef,
        hours: Decimal,
        max: Decimal,
        table: String,
    },
    #[error("child {child}: daily hours must be positive, not {hours}")]
    Hours { child: ChildRef, hours: Decimal },
    #[error("invalid amount table: {0}")]
    InvalidTable(String),
}

/// Joins overlapping or back-to-back periods.
fn merge(periods: &[Period]) -> Vec<Period> {
    let mut sorted = periods.to_vec();
    sorted.sort();
    let mut runs: Vec<Period> = Vec::new();
    for p in sorted {
        if let Some(last) = runs.last_mut() {
            let touches = last.end().is_none() || last.day_after().is_some_and(|a| p.start() <= a);
            if touches {
                let end = match (last.end(), p.end()) {
                    (None, _) | (_, None) => None,
                    (Some(a), Some(b)) => Some(a.max(b)),
                };
                *last = Period::new(last.start(), end).expect("ordered");
                continue;
            }
        }
        runs.push(p);
    }
    runs
}

/// The parts of `period` not covered by `runs` (merged, ascending).
fn uncovered(period: Period, runs: &[Period]) -> Vec<Period> {
    let mut gaps = Vec::new();
    let mut from = Some(period.start());
    for r in runs {
        let Some(start) = from else { break };
        let Some(part) = Period::new(start, period.end()).ok() else {
            break;
        };
        if let Some(hit) = part.intersection(r) {
            if hit.start() > start {
                gaps.push(Period::closed(start, hit.start().pred_opt().expect("range")).unwrap());
            }
            from = hit.day_after();
        }
    }
    if let Some(start) = from {
        if let Ok(rest) = Period::new(start, period.end()) {
            gaps.push(rest);
        }
    }
    gaps
}

/// The running payment of `month` for the care lines of one childminder (or of a substitute
/// childminder for the substitute periods), with `permits` the periods her permits cover and
/// `absence` her month from the absence ledger.
pub fn monthly_payment(
    month: Month,
    cares: &[CareLine],
    permits: &[Period],
    tables: &[AmountTable],
    absence: Option<&MonthAbsence>,
) -> Result<MonthlyPayment, PaymentError> {
    let month_period = month.period();
    let month_days = month_period.days().expect("a month is closed");
    let permit_runs = merge(permits);
    let mut lines = Vec::new();
    let mut unpaid_without_permit = Vec::new();
    for care in cares {
        if care.daily_hours <= Decimal::ZERO {
            return Err(PaymentError::Hours {
                child: care.child.clone(),
                hours: care.daily_hours,
            });
        }
        let Some(in_month) = care.period.intersection(&month_period) else {
            continue;
        };
        for gap in uncovered(in_month, &permit_runs) {
            unpaid_without_permit.push((
                care.child.clone(),
                gap,
                Explanation::new(
                    Rule::PermitRequired,
                    RULE_VERSION,
                    "seed 004 L29687–29688",
                    format!(
                        "{}: keine Pflegeerlaubnis in Kraft ({gap}): keine Geldleistung",
                        care.child
                    ),
                ),
            ));
        }
        for run in &permit_runs {
            let Some(piece) = in_month.intersection(run) else {
                continue;
            };
            // Split where a new table version begins.
            let mut cuts: BTreeSet<NaiveDate> = tables
                .iter()
                .map(|t| t.valid_from)
                .filter(|d| piece.contains(*d))
                .collect();
            cuts.insert(piece.start());
            let cuts: Vec<NaiveDate> = cuts.into_iter().collect();
            for (i, &start) in cuts.iter().enumerate() {
                let end = match cuts.get(i + 1) {
                    Some(next) => next.pred_opt().expect("range"),
                    None => piece.end().expect("within a month"),
                };
                let part = Period::closed(start, end).expect("cuts ascend");
                lines.push(line(care, part, month_days, tables)?);
            }
        }
    }
    lines.sort_by(|a, b| (&a.child, a.period).cmp(&(&b.child, b.period)));
    let subtotal: Money = lines.iter().map(|l| l.amount).sum();
    let deduction = absence
        .filter(|a| a.unpaid_days > 0 && a.care_days > 0)
        .map(|a| {
            let amount = Money::round(
                subtotal.amount() * Decimal::from(a.unpaid_days) / Decimal::from(a.care_days),
            );
            Deduction {
                amount,
                explanation: Explanation::new(
                    Rule::AbsenceDeduction,
                    RULE_VERSION,
                    DEDUCTION_SOURCE,
                    format!(
                        "{} × {} nicht bezahlte Ausfalltage ÷ {} Betreuungstage im Monat {month} = {}",
                        subtotal.german(),
                        a.unpaid_days,
                        a.care_days,
                        amount.german()
                    ),
                ),
            }
        });
    let total = subtotal - deduction.as_ref().map_or(Money::ZERO, |d| d.amount);
    Ok(MonthlyPayment {
        month,
        lines,
        subtotal,
        deduction,
        total,
        unpaid_without_permit,
    })
}

fn line(
    care: &CareLine,
    part: Period,
    month_days: u32,
    tables: &[AmountTable],
) -> Result<PaymentLine, PaymentError> {
    let table = in_force(tables, |t| t.valid_from, part.start())
        .ok_or(PaymentError::NoTable(part.start()))?;
    let tier = table
        .tier(care.daily_hours)
        .ok_or_else(|| PaymentError::HoursOverTable {
            child: care.child.clone(),
            hours: care.daily_hours,
            max: table.tiers.last().map_or(Decimal::ZERO, |t| t.up_to_hours),
            table: table.id.clone(),
        })?;
    let days = part.days().expect("closed");
    let mut explanation = vec![Explanation::new(
        Rule::RunningPayment,
        &table.id,
        &format!("{PAYMENT_SOURCE}; {}", table.source_note()),
        format!(
            "{}: {} Stunden täglich → Stufe bis {} Stunden: {} monatlich",
            care.child,
            crate::money::german_decimal(care.daily_hours),
            crate::money::german_decimal(tier.up_to_hours),
            tier.monthly.german()
        ),
    )];
    let amount = if days == month_days {
        tier.monthly
    } else {
        let amount =
            Money::round(tier.monthly.amount() * Decimal::from(days) / Decimal::from(month_days));
        explanation.push(Explanation::new(
            Rule::ProRata,
            &table.id,
            PRO_RATA_SOURCE,
            format!(
                "{} × {days} von {month_days} Kalendertagen ({part}) = {}",
                tier.monthly.german(),
                amount.german()
            ),
        ));
        amount
    };
    Ok(PaymentLine {
        child: care.child.clone(),
        period: part,
        daily_hours: care.daily_hours,
        tier_hours: tier.up_to_hours,
        table: table.id.clone(),
        amount,
        explanation,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::period::d;
    use std::str::FromStr;

    fn hours(h: &str) -> Decimal {
        Decimal::from_str(h).unwrap()
    }

    fn care(child: &str, start: NaiveDate, end: Option<NaiveDate>, h: &str) -> CareLine {
        CareLine {
            child: ChildRef(child.into()),
            period: Period::new(start, end).unwrap(),
            daily_hours: hours(h),
        }
    }

    fn permit() -> Vec<Period> {
        vec![Period::closed(d(2024, 9, 1), d(2029, 8, 31)).unwrap()]
    }

    fn jan() -> Month {
        Month::new(2025, 1).unwrap()
    }

    #[test]
    fn full_months_pay_the_tier_and_a_mid_month_start_pays_calendar_days() {
        let cares = [
            // The Förderbescheid's "7 h täglich" (L29685).
            care("K1", d(2024, 10, 1), None, "7"),
            // Starts on 15 January: 17 of 31 days.
            care("K2", d(2025, 1, 15), None, "9"),
            // 5 hours fall in the 6-hour tier.
            care("K3", d(2024, 11, 1), Some(d(2025, 1, 31)), "5"),
        ];
        let pay =
            monthly_payment(jan(), &cares, &permit(), &[AmountTable::example()], None).unwrap();
        let shape: Vec<(String, String, String)> = pay
            .lines
            .iter()
            .map(|l| {
                (
                    l.child.0.clone(),
                    l.tier_hours.to_string(),
                    l.amount.to_string(),
                )
            })
            .collect();
        assert_eq!(
            shape,
            [
                ("K1".to_string(), "7".to_string(), "510.00".to_string()),
                ("K2".to_string(), "9".to_string(), "361.94".to_string()),
                ("K3".to_string(), "6".to_string(), "440.00".to_string()),
            ]
        );
        // 660.00 × 17 / 31 = 361.935… → 361.94 (half up).
        assert_eq!(
            pay.lines[1].explanation[1].detail,
            "660,00 € × 17 von 31 Kalendertagen (2025-01-15 – 2025-01-31) = 361,94 €"
        );
        assert_eq!(pay.lines[1].explanation[1].rule, Rule::ProRata);
        assert_eq!(
            pay.lines[0].explanation.len(),
            1,
            "a full month is not prorated"
        );
        assert_eq!(pay.subtotal.to_string(), "1311.94");
        assert!(pay.lines[0].explanation[0].source.contains("EXAMPLE table"));
        assert!(pay.lines[0].explanation[0]
            .detail
            .contains("K1: 7 Stunden täglich → Stufe bis 7 Stunden: 510,00 € monatlich"));
        assert_eq!(pay.total, pay.subtotal);
        // Ending mid-month: 1–10 February 2025 = 10 of 28 days of 510.00 = 182.14.
        let ending = [care("K1", d(2024, 10, 1), Some(d(2025, 2, 10)), "7")];
        let feb = Month::new(2025, 2).unwrap();
        let pay =
            monthly_payment(feb, &ending, &permit(), &[AmountTable::example()], None).unwrap();
        assert_eq!(pay.total.to_string(), "182.14");
    }

    #[test]
    fn a_new_table_or_new_hours_mid_month_split_the_line() {
        let mut newer = AmountTable::example();
        newer.id = "example-2025-07".into();
        newer.valid_from = d(2025, 7, 16);
        newer.tiers[2].monthly = Money::round(Decimal::new(52700, 2));
        let tables = [AmountTable::example(), newer];
        let july = Month::new(2025, 7).unwrap();
        let cares = [
            care("K1", d(2025, 1, 1), Some(d(2025, 7, 20)), "7"),
            care("K1", d(2025, 7, 21), None, "8"),
        ];
        let pay = monthly_payment(july, &cares, &permit(), &tables, None).unwrap();
        let shape: Vec<(String, String, String)> = pay
            .lines
            .iter()
            .map(|l| (l.period.to_string(), l.table.clone(), l.amount.to_string()))
            .collect();
        assert_eq!(
            shape,
            [
                // 510 × 15/31 = 246.774… → 246.77
                (
                    "2025-07-01 – 2025-07-15".to_string(),
                    "example-2025".to_string(),
                    "246.77".to_string()
                ),
                // 527 × 5/31 = 85.0
                (
                    "2025-07-16 – 2025-07-20".to_string(),
                    "example-2025-07".to_string(),
                    "85.00".to_string()
                ),
                // 585 × 11/31 = 207.580… → 207.58
                (
                    "2025-07-21 – 2025-07-31".to_string(),
                    "example-2025-07".to_string(),
                    "207.58".to_string()
                ),
            ]
        );
        assert_eq!(pay.total.to_string(), "539.35");
    }

    #[test]
    fn unpaid_absence_days_reduce_the_month() {
        // October 2025 from the absence ledger: 23 care days, the 27th–30th vacation days
        // (4 days) unpaid.
        let absence = MonthAbsence {
            month: Month::new(2025, 10).unwrap(),
            care_days: 23,
            paid_days: 1,
            unpaid_days: 4,
        };
        let cares = [
            care("K1", d(2025, 1, 1), None, "7"),
            care("K2", d(2025, 1, 1), None, "9"),
        ];
        let pay = monthly_payment(
            absence.month,
            &cares,
            &permit(),
            &[AmountTable::example()],
            Some(&absence),
        )
        .unwrap();
        assert_eq!(pay.subtotal.to_string(), "1170.00");
        // 1170 × 4 / 23 = 203.478… → 203.48
        let deduction = pay.deduction.as_ref().unwrap();
        assert_eq!(deduction.amount.to_string(), "203.48");
        assert_eq!(
            deduction.explanation.detail,
            "1.170,00 € × 4 nicht bezahlte Ausfalltage ÷ 23 Betreuungstage im Monat 2025-10 = 203,48 €"
        );
        assert_eq!(pay.total.to_string(), "966.52");
        // Paid absence days change nothing.
        let paid_only = MonthAbsence {
            unpaid_days: 0,
            ..absence
        };
        let pay = monthly_payment(
            absence.month,
            &cares,
            &permit(),
            &[AmountTable::example()],
            Some(&paid_only),
        )
        .unwrap();
        assert_eq!(
            (pay.deduction, pay.total.to_string()),
            (None, "1170.00".to_string())
        );
    }

    #[test]
    fn no_permit_no_payment_and_bad_input_is_refused() {
        // The permit ends on 31 August 2029: September is not paid.
        let sept = Month::new(2029, 8).unwrap().next();
        let cares = [care("K1", d(2029, 1, 1), None, "7")];
        let pay =
            monthly_payment(sept, &cares, &permit(), &[AmountTable::example()], None).unwrap();
        assert!(pay.lines.is_empty());
        assert_eq!(pay.total, Money::ZERO);
        assert_eq!(pay.unpaid_without_permit.len(), 1);
        assert_eq!(
            pay.unpaid_without_permit[0].1,
            Period::closed(d(2029, 9, 1), d(2029, 9, 30)).unwrap()
        );
        // A permit from the 10th: 1–9 not paid, 10–30 paid (21 of 30 days).
        let late = [Period::from(d(2029, 9, 10))];
        let pay = monthly_payment(sept, &cares, &late, &[AmountTable::example()], None).unwrap();
        assert_eq!(pay.total.to_string(), "357.00");
        assert_eq!(
            pay.unpaid_without_permit[0].1,
            Period::closed(d(2029, 9, 1), d(2029, 9, 9)).unwrap()
        );
        let long = [care("K1", d(2025, 1, 1), None, "11.5")];
        assert!(matches!(
            monthly_payment(jan(), &long, &permit(), &[AmountTable::example()], None),
            Err(PaymentError::HoursOverTable { .. })
        ));
        let none = [care("K1", d(2025, 1, 1), None, "0")];
        assert!(matches!(
            monthly_payment(jan(), &none, &permit(), &[AmountTable::example()], None),
            Err(PaymentError::Hours { .. })
        ));
        let early = Month::new(2024, 12).unwrap();
        let cares = [care("K1", d(2024, 10, 1), None, "7")];
        assert_eq!(
            monthly_payment(early, &cares, &permit(), &[AmountTable::example()], None),
            Err(PaymentError::NoTable(d(2024, 12, 1)))
        );
    }

    #[test]
    fn substitute_care_is_paid_per_child_by_days() {
        // Two children in substitute care 14–25 July 2025 (12 of 31 days).
        let cares = [
            care("S1", d(2025, 7, 14), Some(d(2025, 7, 25)), "7"),
            care("S2", d(2025, 7, 14), Some(d(2025, 7, 25)), "4.5"),
        ];
        let july = Month::new(2025, 7).unwrap();
        let pay =
            monthly_payment(july, &cares, &permit(), &[AmountTable::example()], None).unwrap();
        let amounts: Vec<String> = pay.lines.iter().map(|l| l.amount.to_string()).collect();
        // 510 × 12/31 = 197.419… → 197.42; 330 × 12/31 = 127.741… → 127.74
        assert_eq!(amounts, ["197.42", "127.74"]);
        assert_eq!(pay.total.to_string(), "325.16");
    }

    #[test]
    fn tables_are_read_from_json_and_checked() {
        let json = r#"[{"id": "city-2026", "valid_from": "2026-01-01",
            "source": "Stadtratsbeschluss V1234/26",
            "tiers": [{"up_to_hours": "6", "monthly": "450.00"},
                      {"up_to_hours": "9", "monthly": "675.50"}]}]"#;
        let tables = AmountTable::from_json(json).unwrap();
        assert!(!tables[0].example);
        assert_eq!(
            tables[0].tier(hours("7")).unwrap().monthly.to_string(),
            "675.50"
        );
        let unordered = json.replace("\"6\"", "\"10\"");
        assert!(AmountTable::from_json(&unordered)
            .unwrap_err()
            .to_string()
            .contains("tiers must ascend"));
        let fraction = json.replace("450.00", "450.005");
        assert!(AmountTable::from_json(&fraction).is_err());
        let extra = json.replace("\"source\"", "\"sauce\": 1, \"source\"");
        assert!(AmountTable::from_json(&extra).is_err());
    }
}
