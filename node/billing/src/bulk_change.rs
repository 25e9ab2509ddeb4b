//! A bulk fee change from newly published operating costs (Betriebskosten): when it may take
//! effect, and which child-months it changes.
//!
//! # The rule
//! Satzung § 10 (4) (L5371–5372): "Die Elternbeiträge werden gemeinsam mit der Bekanntmachung
//! der jährlichen Betriebskosten nach § 14 Abs. 2 SächsKitaG im Dresdner Amtsblatt
//! veröffentlicht und treten am Ersten des Folgemonats, frühestens jedoch am 1. September des
//! laufenden Jahres in Kraft." Lastenheft 3.10.13 (L3056–3059): the operating costs are
//! published each summer for the past year and are the basis of the fees "in der Regel ab dem
//! 1. September".
//!
//! So new fees take effect on the **1st of a month**, no earlier than the 1st of the month after
//! the publication and no earlier than 1 September of the year of publication:
//! [`statutory_effective_date`] = max(1st of the following month, 1 September). A later 1st of a
//! month is accepted (the statute sets the earliest day; a council may decide a later start),
//! an earlier day or a day other than the 1st is refused with the reason and the earliest
//! possible date. The month of 1 September is the statute's, so it is a parameter
//! ([`EffectiveDateRule`]).
//!
//! The change is decided for all families at once (bulk decisions, RULES.md § 4): the node
//! recomputes every affected fee under the new statute version and passes the recomputation
//! as a function; [`bulk_fee_change`] lists every child-month whose fee changes, old and new.
//! The new amounts, as decisions, go into the next Soll-Stellung, which charges them — and
//! credits or back-charges months already charged.

use crate::pkn::{FamilyNumber, Pkn};
use crate::soll::{month_de, Charge, DecidedAmount};
use chrono::{Datelike, NaiveDate};
use kitanetz_fees::{Money, Month};

/// The earliest month in the year of publication from which new fees may apply.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EffectiveDateRule {
    /// 1–12; the day is always the 1st.
    pub earliest_month_of_year: u32,
}

impl EffectiveDateRule {
    /// Satzung § 10 (4): "frühestens jedoch am 1. September des laufenden Jahres".
    pub const DRESDEN: EffectiveDateRule = EffectiveDateRule {
        earliest_month_of_year: 9,
    };
}

impl Default for EffectiveDateRule {
    fn default() -> EffectiveDateRule {
        EffectiveDateRule::DRESDEN
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EffectiveDateError {
    #[error(
        "Neue Elternbeiträge gelten ab dem Ersten eines Monats, nicht ab dem {0}; frühestens ab \
         {1} (Satzung § 10 (4)) / new fees apply from the 1st of a month, not from {0}; at the \
         earliest from {1}"
    )]
    NotFirstOfMonth(NaiveDate, NaiveDate),
    #[error(
        "Bekanntgemacht am {published_on}: die neuen Beiträge gelten frühestens ab dem Ersten des \
         Folgemonats, {earliest}, nicht ab {requested} (Satzung § 10 (4)) / published on \
         {published_on}: the new fees apply from the 1st of the following month, {earliest}, at \
         the earliest, not from {requested}"
    )]
    BeforeFollowingMonth {
        published_on: NaiveDate,
        requested: NaiveDate,
        earliest: NaiveDate,
    },
    #[error(
        "Neue Beiträge gelten frühestens ab dem {earliest} des Jahres der Bekanntmachung, nicht ab \
         {requested} (Satzung § 10 (4)) / new fees apply from {earliest} of the year of \
         publication at the earliest, not from {requested}"
    )]
    BeforeEarliestMonthOfYear {
        requested: NaiveDate,
        earliest: NaiveDate,
    },
}

fn first_of(month: Month) -> NaiveDate {
    NaiveDate::from_ymd_opt(month.year(), month.month(), 1).expect("the 1st of a valid month")
}

/// The day the statute puts the new fees into force: the later of the 1st of the month after
/// `published_on` and the 1st of the rule's month in the year of publication.
pub fn statutory_effective_date(published_on: NaiveDate, rule: EffectiveDateRule) -> NaiveDate {
    let following = first_of(Month::of(published_on).next());
    let earliest_in_year = NaiveDate::from_ymd_opt(
        published_on.year(),
        rule.earliest_month_of_year.clamp(1, 12),
        1,
    )
    .expect("the 1st of a month");
    following.max(earliest_in_year)
}

/// Checks a requested start of new fees (see the module documentation).
pub fn check_effective_date(
    published_on: NaiveDate,
    requested: NaiveDate,
    rule: EffectiveDateRule,
) -> Result<(), EffectiveDateError> {
    let earliest = statutory_effective_date(published_on, rule);
    if requested.day() != 1 {
        return Err(EffectiveDateError::NotFirstOfMonth(requested, earliest));
    }
    let following = first_of(Month::of(published_on).next());
    if requested < following {
        return Err(EffectiveDateError::BeforeFollowingMonth {
            published_on,
            requested,
            earliest,
        });
    }
    if requested < earliest {
        return Err(EffectiveDateError::BeforeEarliestMonthOfYear {
            requested,
            earliest,
        });
    }
    Ok(())
}

/// One child-month whose fee changes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeeChange {
    pub pkn: Pkn,
    pub month: Month,
    pub old: Money,
    pub new: Money,
}

impl FeeChange {
    pub fn payer(&self) -> FamilyNumber {
        self.pkn.family()
    }

    /// The new fee as a decision for the Soll-Stellung.
    pub fn decided(&self, why: &str) -> DecidedAmount {
        DecidedAmount {
            pkn: self.pkn,
            month: self.month,
            charge: Charge::Fee,
            amount: self.new,
            explanation: format!(
                "Beitragsänderung ab {} wegen neuer Betriebskosten: bisher {}, neu {}; {why}",
                month_de(self.month),
                crate::amount::euro(self.old),
                crate::amount::euro(self.new),
            ),
        }
    }
}

/// The child-months a bulk change touches.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BulkFeeChange {
    pub effective_from: Month,
    /// Ordered by PKN (so by payer) and month.
    pub changes: Vec<FeeChange>,
    /// Fees from the effective month on that stay as they are.
    pub unchanged: usize,
}

/// Checks the date, then applies `new_fee` to every current fee decision (`Charge::Fee`) from
/// the effective month on and lists those that change. `new_fee` is the recomputation under the
/// new statute version (or a table lookup); it sees the decision in force.
pub fn bulk_fee_change(
    published_on: NaiveDate,
    effective_from: NaiveDate,
    rule: EffectiveDateRule,
    current: &[DecidedAmount],
    mut new_fee: impl FnMut(&DecidedAmount) -> Money,
) -> Result<BulkFeeChange, EffectiveDateError> {
    check_effective_date(published_on, effective_from, rule)?;
    let first_month = Month::of(effective_from);
    let mut changes = Vec::new();
    let mut unchanged = 0;
    for decision in current
        .iter()
        .filter(|d| d.charge == Charge::Fee && d.month >= first_month)
    {
        let new = new_fee(decision);
        if new == decision.amount {
            unchanged += 1;
        } else {
            changes.push(FeeChange {
                pkn: decision.pkn,
                month: decision.month,
                old: decision.amount,
                new,
            });
        }
    }
    changes.sort_by_key(|c| (c.pkn, c.month));
    Ok(BulkFeeChange {
        effective_from: first_month,
        changes,
        unchanged,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::soll::{soll_stellung, ChargedAmount, PositionKind};
    use crate::testing::{cents, decided, extra_care, m, pkn};

    fn day(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    #[test]
    fn published_in_summer_the_fees_start_on_1_september() {
        let rule = EffectiveDateRule::DRESDEN;
        assert_eq!(
            statutory_effective_date(day("2025-06-27"), rule),
            day("2025-09-01")
        );
        assert_eq!(
            statutory_effective_date(day("2025-08-31"), rule),
            day("2025-09-01")
        );
        assert_eq!(
            statutory_effective_date(day("2025-09-01"), rule),
            day("2025-10-01")
        );
        assert_eq!(
            statutory_effective_date(day("2025-12-15"), rule),
            day("2026-01-01")
        );
        assert!(check_effective_date(day("2025-06-27"), day("2025-09-01"), rule).is_ok());
        assert!(
            check_effective_date(day("2025-06-27"), day("2025-11-01"), rule).is_ok(),
            "a later 1st is the council's choice"
        );
    }

    #[test]
    fn a_start_before_1_september_or_the_following_month_or_not_on_a_1st_is_refused() {
        let rule = EffectiveDateRule::DRESDEN;
        assert_eq!(
            check_effective_date(day("2025-06-27"), day("2025-08-01"), rule),
            Err(EffectiveDateError::BeforeEarliestMonthOfYear {
                requested: day("2025-08-01"),
                earliest: day("2025-09-01"),
            })
        );
        assert_eq!(
            check_effective_date(day("2025-09-10"), day("2025-09-01"), rule),
            Err(EffectiveDateError::BeforeFollowingMonth {
                published_on: day("2025-09-10"),
                requested: day("2025-09-01"),
                earliest: day("2025-10-01"),
            })
        );
        let error = check_effective_date(day("2025-06-27"), day("2025-09-15"), rule).unwrap_err();
        assert_eq!(
            error,
            EffectiveDateError::NotFirstOfMonth(day("2025-09-15"), day("2025-09-01"))
        );
        assert!(error.to_string().contains("ab dem Ersten eines Monats"));
        // Another statute's month is data.
        let october = EffectiveDateRule {
            earliest_month_of_year: 10,
        };
        assert!(check_effective_date(day("2025-06-27"), day("2025-09-01"), october).is_err());
    }

    #[test]
    fn lists_the_changed_child_months_from_the_effective_month_on() {
        let a = pkn("12345601");
        let b = pkn("65432101");
        let current = vec![
            decided(b, "2025-09", 13213, "Kindergarten 9 h"),
            decided(a, "2025-08", 18936, "Krippe 9 h"),
            decided(a, "2025-09", 18936, "Krippe 9 h"),
            decided(a, "2025-10", 0, "Erlass"),
            extra_care(a, "2025-09", 500, "1 Stufe"),
        ];
        // New operating costs: Krippe 189.36 → 195.50; waivers stay waivers.
        let table = |d: &DecidedAmount| match d.amount {
            x if x == cents(18936) => cents(19550),
            x => x,
        };
        let change = bulk_fee_change(
            day("2025-06-27"),
            day("2025-09-01"),
            EffectiveDateRule::DRESDEN,
            &current,
            table,
        )
        .unwrap();
        assert_eq!(change.effective_from, m("2025-09"));
        assert_eq!(
            change.changes,
            [FeeChange {
                pkn: a,
                month: m("2025-09"),
                old: cents(18936),
                new: cents(19550)
            }]
        );
        assert_eq!(change.unchanged, 2, "b's September and a's waived October");
        assert_eq!(change.changes[0].payer().to_string(), "123456");

        // Decided after September was charged: the next run back-charges the difference.
        let new_decision = change.changes[0].decided("Bekanntmachung vom 27.06.2025");
        assert!(new_decision.explanation.starts_with(
            "Beitragsänderung ab 09/2025 wegen neuer Betriebskosten: bisher 189,36 €"
        ));
        let charged = [ChargedAmount {
            pkn: a,
            month: m("2025-09"),
            charge: Charge::Fee,
            amount: cents(18936),
        }];
        let run = soll_stellung(m("2025-10"), m("2020-01"), &[new_decision], &charged).unwrap();
        assert_eq!(run.positions[0].kind, PositionKind::BackCharge);
        assert_eq!(run.positions[0].amount, cents(614));
    }

    #[test]
    fn a_wrong_date_changes_nothing() {
        let current = vec![decided(pkn("12345601"), "2025-09", 18936, "Krippe")];
        let refused = bulk_fee_change(
            day("2025-06-27"),
            day("2025-07-01"),
            EffectiveDateRule::DRESDEN,
            &current,
            |_| cents(1),
        );
        assert!(matches!(
            refused,
            Err(EffectiveDateError::BeforeEarliestMonthOfYear { .. })
        ));
    }
}
