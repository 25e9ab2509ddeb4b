//! Arrears: which payers are more than two months behind with their fees.
//!
//! # Sources
//! - Lastenheft 3.10.10 (L2966–2982): "Wurde bei den PSB Beitragsrückstände von mehr als 2
//!   Monaten festgestellt, so findet eine Prüfung auf Kündigung des Betreuungsvertrages statt."
//!   and "Sollte der Zahlungspflichtige mehr als 2 Monate im Rückstand mit den Elternbeiträgen
//!   sein, so ist dies im System kenntlich zu machen." — the payments come from SAP, the work
//!   list is Kitanetz's.
//! - Satzung § 12 (1) (L5419): "Der Elternbeitrag ist im laufenden Monat fällig." A month's
//!   charge is therefore overdue once its month has ended.
//! - Satzung § 9 (8) (L5340–5344) gives the Träger a right to terminate at "zwei
//!   Monatsbeiträge" in arrears; the decision letters say the same (L28285). That is the
//!   threshold for *terminating*; the Lastenheft's flag is "mehr als 2 Monate", which this module
//!   implements. The number is a parameter ([`ArrearsRule`]), because it is the statute's.
//!
//! # The definition
//! On a day `as_of`, for one payer (family number):
//! 1. every month's open amount is charged − paid (from the finance system, per month);
//! 2. overpaid months (open < 0) and what is paid ahead are set off against the **oldest**
//!    open months first (BGB § 366 (2): without a determination, the older debt is paid first);
//! 3. a month is **in arrears** when it is before the month of `as_of` (overdue by § 12 (1)) and
//!    something of it is still open after step 2 — any amount, also a part;
//! 4. the payer is flagged when more than [`ArrearsRule::months_more_than`] months are in
//!    arrears (Dresden: more than 2, i.e. from the third overdue month on).

use crate::amount::signed;
use crate::pkn::FamilyNumber;
use chrono::NaiveDate;
use kitanetz_fees::{Money, Month};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// One payer's account for one month, as the finance system reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct OpenItem {
    pub payer: FamilyNumber,
    pub month: Month,
    /// Σ charged for the month (regular charges, credits and back-charges).
    #[serde(with = "signed")]
    pub charged: Money,
    /// Σ paid for the month.
    #[serde(with = "signed")]
    pub paid: Money,
}

/// The threshold of the flag; a statute's number, so a parameter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ArrearsRule {
    /// Flag when more months than this are in arrears.
    pub months_more_than: usize,
}

impl ArrearsRule {
    /// Lastenheft 3.10.10 (L2966, L2972): "mehr als 2 Monate".
    pub const DRESDEN: ArrearsRule = ArrearsRule {
        months_more_than: 2,
    };
}

impl Default for ArrearsRule {
    fn default() -> ArrearsRule {
        ArrearsRule::DRESDEN
    }
}

/// A flagged payer, for the work list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Arrears {
    pub payer: FamilyNumber,
    /// The months in arrears with what is still open of each, oldest first.
    pub months: Vec<(Month, Money)>,
    /// Σ of `months`.
    pub overdue_total: Money,
}

impl Arrears {
    pub fn oldest_month(&self) -> Month {
        self.months[0].0
    }
}

/// The payers flagged on `as_of` (see the module documentation), ordered by family number.
pub fn arrears(items: &[OpenItem], as_of: NaiveDate, rule: ArrearsRule) -> Vec<Arrears> {
    let current = Month::of(as_of);
    let mut by_payer: BTreeMap<FamilyNumber, BTreeMap<Month, Money>> = BTreeMap::new();
    for item in items {
        let open = by_payer
            .entry(item.payer)
            .or_default()
            .entry(item.month)
            .or_default();
        *open = *open + item.charged - item.paid;
    }
    let mut flagged = Vec::new();
    for (payer, months) in by_payer {
        let mut credit: Money = months.values().filter(|o| **o < Money::ZERO).sum();
        let mut in_arrears = Vec::new();
        for (&month, &open) in months.iter().filter(|(_, o)| **o > Money::ZERO) {
            // `credit` is ≤ 0: what is overpaid somewhere pays the oldest open month first.
            let settled = open.min(Money::ZERO - credit);
            credit = credit + settled;
            let still_open = open - settled;
            if month < current && still_open > Money::ZERO {
                in_arrears.push((month, still_open));
            }
        }
        if in_arrears.len() > rule.months_more_than {
            flagged.push(Arrears {
                payer,
                overdue_total: in_arrears.iter().map(|(_, open)| *open).sum(),
                months: in_arrears,
            });
        }
    }
    flagged
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{cents, m};

    fn item(payer: &str, month: &str, charged: i64, paid: i64) -> OpenItem {
        OpenItem {
            payer: FamilyNumber::parse(payer).unwrap(),
            month: m(month),
            charged: cents(charged),
            paid: cents(paid),
        }
    }

    fn day(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    #[test]
    fn three_unpaid_overdue_months_are_flagged_two_are_not() {
        let items = [
            item("123456", "2025-01", 18936, 0),
            item("123456", "2025-02", 18936, 0),
            item("123456", "2025-03", 18936, 0),
            item("654321", "2025-02", 18936, 0),
            item("654321", "2025-03", 18936, 0),
        ];
        // On 15 April January–March are overdue (§ 12 (1): due in their own month).
        let flagged = arrears(&items, day("2025-04-15"), ArrearsRule::DRESDEN);
        assert_eq!(flagged.len(), 1);
        assert_eq!(flagged[0].payer.to_string(), "123456");
        assert_eq!(flagged[0].oldest_month(), m("2025-01"));
        assert_eq!(flagged[0].overdue_total, cents(3 * 18936));
        // On 31 March, March is not overdue yet: two months only.
        assert!(arrears(&items, day("2025-03-31"), ArrearsRule::DRESDEN).is_empty());
    }

    #[test]
    fn the_current_month_does_not_count() {
        let items = [
            item("123456", "2025-02", 18936, 0),
            item("123456", "2025-03", 18936, 0),
            item("123456", "2025-04", 18936, 0),
        ];
        assert!(arrears(&items, day("2025-04-30"), ArrearsRule::DRESDEN).is_empty());
        assert_eq!(
            arrears(&items, day("2025-05-01"), ArrearsRule::DRESDEN).len(),
            1
        );
    }

    #[test]
    fn part_payments_leave_the_month_in_arrears() {
        let items = [
            item("123456", "2025-01", 18936, 18000),
            item("123456", "2025-02", 18936, 18000),
            item("123456", "2025-03", 18936, 18000),
        ];
        let flagged = arrears(&items, day("2025-04-01"), ArrearsRule::DRESDEN);
        assert_eq!(flagged[0].overdue_total, cents(3 * 936));
    }

    #[test]
    fn overpayments_settle_the_oldest_month_first() {
        let items = [
            item("123456", "2025-01", 18936, 0),
            item("123456", "2025-02", 18936, 0),
            item("123456", "2025-03", 18936, 0),
            // Paid for January late, booked on April, plus a credit from a retroactive waiver.
            item("123456", "2025-04", 0, 18936),
            item("123456", "2024-12", -5000, 0),
        ];
        let flagged = arrears(&items, day("2025-04-20"), ArrearsRule::DRESDEN);
        assert!(flagged.is_empty(), "January settled: two months left");
        let stricter = ArrearsRule {
            months_more_than: 1,
        };
        let flagged = arrears(&items, day("2025-04-20"), stricter);
        assert_eq!(
            flagged[0].months,
            [
                (m("2025-02"), cents(18936 - 5000)),
                (m("2025-03"), cents(18936))
            ]
        );
    }

    #[test]
    fn several_items_of_one_month_add_up() {
        let items = [
            item("123456", "2025-01", 18936, 18936),
            item("123456", "2025-01", 1321, 0), // a back-charge, unpaid
            item("123456", "2025-02", 18936, 0),
            item("123456", "2025-03", 18936, 0),
        ];
        let flagged = arrears(&items, day("2025-04-02"), ArrearsRule::DRESDEN);
        assert_eq!(flagged[0].months[0], (m("2025-01"), cents(1321)));
    }
}
