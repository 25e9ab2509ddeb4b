//! The monthly Soll-Stellung: what each payer is charged, and the corrections of earlier months.
//!
//! # The rule (Lastenheft 3.10.9, L2953–2963; 3.10.3, L2734–2736; 3.10.5, L2846–2850)
//! On the last day of a month the run charges the decided fees of the **following** month (the
//! *billing month*). Whatever changed after an earlier run — also for past months, e.g. a
//! waiver granted retroactively or a single-parent reduction that turns out unjustified — is
//! reported as a **credit** (Gutschrift) or a **back-charge** (Nachforderung) for that month.
//! Mehrbetreuung is reported by the 10th of the next month (3.10.6, L2859–2863) and charged
//! by the first run after the report, for the month it was incurred in.
//!
//! The run compares, for every child (PKN), month up to and including the billing month, and
//! kind of charge ([`Charge`]): the amount decided now against the sum of everything charged
//! for it before. A difference becomes one [`Position`]:
//!
//! | charged before | month | difference | position |
//! |---|---|---|---|
//! | nothing (no position at all) | the billing month (fee) or any month (Mehrbetreuung) | > 0 | [`PositionKind::Regular`] |
//! | anything, or a fee of a month before the billing month | any | > 0 | [`PositionKind::BackCharge`] |
//! | anything | any | < 0 | [`PositionKind::Credit`] |
//!
//! A fee of a month before the billing month that was never charged (a decision issued late)
//! is a back-charge, not a regular charge: that month's run is over, so SAP gets it as a
//! correction (L2957–2960).
//!
//! **Absent means zero.** A child-month that was charged but has no decision any more (the
//! decision revoked, 3.10.8 L2945–2951, or the care ended before that month) is credited in
//! full. So the node passes, for every child it passes charged amounts for, every decision it
//! holds for those months — not a window of recent months only.
//!
//! Months after the billing month are neither charged nor compared: they are billed by their
//! own run. Months before `billed_since` — the first month Kitanetz bills; before it the old
//! system did — are not compared either, so that the first run does not back-charge the whole
//! history when the old system's charges were not taken over.
//!
//! # Idempotence
//! Passing a run's positions as charged amounts to the same run again gives no position: every
//! difference the first run found is then charged. The sum of a run's positions is always
//! Σ decided − Σ charged over the months up to the billing month (tested by a property test).

use crate::amount::{euro, signed};
use crate::pkn::{FamilyNumber, Pkn};
use kitanetz_fees::explain::Rule;
use kitanetz_fees::{FeeResult, Money, Month};
use serde::{Deserialize, Serialize};
use std::collections::hash_map::Entry;
use std::collections::HashMap;
use std::fmt;
use std::hash::{BuildHasherDefault, Hasher};

/// What an amount is charged for; each is billed and corrected on its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Charge {
    /// The parent fee (Elternbeitrag) of the month, after every reduction.
    Fee,
    /// Mehrbetreuung of the month (3.10.6): no reductions apply to it.
    ExtraCare,
}

impl Charge {
    /// The code in the finance file (persisted: keep stable).
    pub fn code(self) -> &'static str {
        match self {
            Charge::Fee => "EB",
            Charge::ExtraCare => "MB",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Charge::Fee => "Elternbeitrag",
            Charge::ExtraCare => "Mehrbetreuung",
        }
    }
}

/// Why a position exists.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PositionKind {
    /// The first charge of a child-month (Soll).
    Regular,
    /// Less is owed than was charged (Gutschrift); the amount is negative.
    Credit,
    /// More is owed than was charged (Nachforderung).
    BackCharge,
}

impl PositionKind {
    /// The record type in the finance file (persisted: keep stable).
    pub fn code(self) -> &'static str {
        match self {
            PositionKind::Regular => "SOLL",
            PositionKind::Credit => "GUTSCHRIFT",
            PositionKind::BackCharge => "NACHFORDERUNG",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            PositionKind::Regular => "Soll",
            PositionKind::Credit => "Gutschrift",
            PositionKind::BackCharge => "Nachforderung",
        }
    }
}

/// An amount as decided for one child, month and charge: the fee engine's result (see
/// [`decided_from_fee_result`]) or a manual decision. Never negative; whole cents (every
/// `Money` is).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DecidedAmount {
    pub pkn: Pkn,
    pub month: Month,
    pub charge: Charge,
    pub amount: Money,
    /// Why this amount: the fee engine's explanations or the clerk's reason; goes into the
    /// explanation of a position.
    pub explanation: String,
}

/// An amount charged before for one child, month and charge: a stored [`Position`]
/// ([`Position::charged`]) or an amount taken over from the old system. Negative for a credit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChargedAmount {
    pub pkn: Pkn,
    pub month: Month,
    pub charge: Charge,
    #[serde(with = "signed")]
    pub amount: Money,
}

/// One line of a Soll-Stellung: persisted by the node and sent to the finance system. Keep the
/// field names stable.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Position {
    /// `<billing month>-<PKN>-<month>-<charge>-<n>`, e.g. `202503-12345601-202501-EB-2`, where
    /// `n` is 1 + the number of amounts charged before for the child-month: unique as long as
    /// the node keeps every position.
    pub id: String,
    /// The run that made it (the month it is billed in).
    pub billing_month: Month,
    pub pkn: Pkn,
    /// The month the amount is for (Leistungsmonat).
    pub month: Month,
    pub charge: Charge,
    pub kind: PositionKind,
    /// What the payer owes by this position; negative for a credit.
    #[serde(with = "signed")]
    pub amount: Money,
    /// Σ charged for the child-month before this position.
    #[serde(with = "signed")]
    pub previously_charged: Money,
    /// Decided now (0 when no decision remains).
    pub decided: Money,
    /// Which month, which child, old and new amount, and why — in German, for the clerk, the
    /// finance file and the parents.
    pub explanation: String,
}

impl Position {
    /// The payer account.
    pub fn payer(&self) -> FamilyNumber {
        self.pkn.family()
    }

    /// This position as an amount charged, for the next run.
    pub fn charged(&self) -> ChargedAmount {
        ChargedAmount {
            pkn: self.pkn,
            month: self.month,
            charge: self.charge,
            amount: self.amount,
        }
    }
}

/// The positions of one run, ordered by PKN (so by payer), month and charge.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SollOutcome {
    pub billing_month: Option<Month>,
    pub positions: Vec<Position>,
}

impl SollOutcome {
    /// Σ of all positions: what the run adds to the payers' accounts.
    pub fn total(&self) -> Money {
        self.positions.iter().map(|p| p.amount).sum()
    }

    /// Σ of the positions of one kind.
    pub fn total_of(&self, kind: PositionKind) -> Money {
        self.positions
            .iter()
            .filter(|p| p.kind == kind)
            .map(|p| p.amount)
            .sum()
    }
}

/// Why a run was refused; every problem is listed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "Die Soll-Stellung wurde nicht durchgeführt / the Soll-Stellung was not run:\n{}",
    .problems.iter().map(|p| format!("- {p}")).collect::<Vec<_>>().join("\n")
)]
pub struct SollRefused {
    pub problems: Vec<SollProblem>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SollProblem {
    #[error(
        "PKN {pkn}, {month}, {charge}: zwei Festsetzungen für denselben Monat; nur die \
         geltende übergeben / two decisions for the same month; pass only the one in force"
    )]
    DuplicateDecision {
        pkn: Pkn,
        month: Month,
        charge: Charge,
    },
    #[error(
        "PKN {pkn}, {month}, {charge}: festgesetzter Betrag {amount} € ist negativ; eine \
         Festsetzung ist 0 € oder mehr / decided amount {amount} € is negative; a decision is \
         0 € or more"
    )]
    NegativeDecision {
        pkn: Pkn,
        month: Month,
        charge: Charge,
        amount: Money,
    },
}

type Key = (Pkn, Month, Charge);

/// A multiply-rotate hasher (the FxHash of rustc) for the run's maps. The keys are our own
/// numbers, not input an attacker chooses, so the default SipHash's protection against
/// collision flooding buys nothing, and it was most of the run's time at Dresden scale
/// (`examples/soll_bench.rs`).
#[derive(Default)]
struct KeyHasher(u64);

impl Hasher for KeyHasher {
    fn write(&mut self, bytes: &[u8]) {
        for byte in bytes {
            self.add(u64::from(*byte));
        }
    }

    fn write_u8(&mut self, n: u8) {
        self.add(u64::from(n));
    }

    fn write_u32(&mut self, n: u32) {
        self.add(u64::from(n));
    }

    fn write_i32(&mut self, n: i32) {
        self.add(n as u64);
    }

    fn write_u64(&mut self, n: u64) {
        self.add(n);
    }

    fn write_usize(&mut self, n: usize) {
        self.add(n as u64);
    }

    fn write_isize(&mut self, n: isize) {
        self.add(n as u64);
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

impl KeyHasher {
    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
}

type KeyMap<V> = HashMap<Key, V, BuildHasherDefault<KeyHasher>>;

/// What was charged for a child-month: the sum and how many amounts.
#[derive(Clone, Copy, Default)]
struct Charged {
    sum: Money,
    count: u32,
}

/// The Soll-Stellung for `billing_month` (see the module documentation). `decided` holds the
/// fees and Mehrbetreuung as decided now; `charged` everything charged before. Only months from
/// `billed_since` to `billing_month` are charged and compared.
pub fn soll_stellung(
    billing_month: Month,
    billed_since: Month,
    decided: &[DecidedAmount],
    charged: &[ChargedAmount],
) -> Result<SollOutcome, SollRefused> {
    let mut problems = Vec::new();
    let mut decided_by_key: KeyMap<&DecidedAmount> =
        KeyMap::with_capacity_and_hasher(decided.len(), Default::default());
    for decision in decided {
        let key = (decision.pkn, decision.month, decision.charge);
        if decision.amount < Money::ZERO {
            problems.push(SollProblem::NegativeDecision {
                pkn: decision.pkn,
                month: decision.month,
                charge: decision.charge,
                amount: decision.amount,
            });
        }
        match decided_by_key.entry(key) {
            Entry::Vacant(slot) => {
                slot.insert(decision);
            }
            Entry::Occupied(_) => problems.push(SollProblem::DuplicateDecision {
                pkn: decision.pkn,
                month: decision.month,
                charge: decision.charge,
            }),
        }
    }
    if !problems.is_empty() {
        return Err(SollRefused { problems });
    }

    let mut charged_by_key: KeyMap<Charged> =
        KeyMap::with_capacity_and_hasher(charged.len(), Default::default());
    let billed = |month: Month| billed_since <= month && month <= billing_month;
    for amount in charged.iter().filter(|c| billed(c.month)) {
        let entry = charged_by_key
            .entry((amount.pkn, amount.month, amount.charge))
            .or_default();
        entry.sum = entry.sum + amount.amount;
        entry.count += 1;
    }

    let mut positions = Vec::new();
    for (key, decision) in &decided_by_key {
        if !billed(key.1) {
            continue;
        }
        let before = charged_by_key.get(key).copied().unwrap_or_default();
        if let Some(position) = position_for(billing_month, *key, Some(decision), before) {
            positions.push(position);
        }
    }
    for (key, before) in &charged_by_key {
        if !decided_by_key.contains_key(key) {
            if let Some(position) = position_for(billing_month, *key, None, *before) {
                positions.push(position);
            }
        }
    }
    positions.sort_by_key(|p| (p.pkn, p.month, p.charge));
    Ok(SollOutcome {
        billing_month: Some(billing_month),
        positions,
    })
}

/// The position for one child-month, or `None` when the decided amount is charged already.
fn position_for(
    billing_month: Month,
    (pkn, month, charge): Key,
    decision: Option<&DecidedAmount>,
    before: Charged,
) -> Option<Position> {
    let decided = decision.map_or(Money::ZERO, |d| d.amount);
    let amount = decided - before.sum;
    if amount.is_zero() {
        return None;
    }
    let first_charge_of_its_run =
        before.count == 0 && (charge == Charge::ExtraCare || month == billing_month);
    let kind = if amount < Money::ZERO {
        PositionKind::Credit
    } else if first_charge_of_its_run {
        PositionKind::Regular
    } else {
        PositionKind::BackCharge
    };
    let why = match decision {
        Some(d) if d.explanation.is_empty() => "Festsetzung ohne Begründung".to_owned(),
        Some(d) => d.explanation.clone(),
        None => format!(
            "für {} ist kein Betrag mehr festgesetzt (Bescheid aufgehoben oder zurückgenommen, \
             oder die Betreuung endete vorher; Lastenheft 3.10.8)",
            month_de(month)
        ),
    };
    let explanation = match kind {
        PositionKind::Regular => format!(
            "{} {}, Kind PKN {pkn}: {} (Soll-Stellung für {}). Festsetzung: {why}",
            charge.label(),
            month_de(month),
            euro(amount),
            month_de(billing_month),
        ),
        PositionKind::Credit | PositionKind::BackCharge => format!(
            "{} {} {}, Kind PKN {pkn}: bisher berechnet {}, jetzt festgesetzt {}, Differenz {}. \
             Grund: {why}",
            kind.label(),
            charge.label(),
            month_de(month),
            euro(before.sum),
            euro(decided),
            euro(amount),
        ),
    };
    Some(Position {
        id: format!(
            "{}-{pkn}-{}-{}-{}",
            month_digits(billing_month),
            month_digits(month),
            charge.code(),
            before.count + 1
        ),
        billing_month,
        pkn,
        month,
        charge,
        kind,
        amount,
        previously_charged: before.sum,
        decided,
        explanation,
    })
}

/// `03/2025`, as German letters and statements write a month.
pub fn month_de(month: Month) -> String {
    format!("{:02}/{}", month.month(), month.year())
}

/// `202503`, for ids.
fn month_digits(month: Month) -> String {
    format!("{}{:02}", month.year(), month.month())
}

/// A child of a fee result that has no PKN.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "Kind {0:?} des Beitragsfalls hat keine PKN; vor der Soll-Stellung eine PKN vergeben \
     (Lastenheft 3.10.1.7) / child {0:?} of the fee case has no PKN; assign one before billing"
)]
pub struct ChildWithoutPkn(pub String);

/// The decisions of a fee result ([`kitanetz_fees::compute_case`]): per month and child the fee
/// (also 0 €, so that a waived month credits what was charged, with the reason), and the
/// Mehrbetreuung when there is any. A child cared for outside the city (fee `None`) is billed by
/// the other town, not here. `pkn_of` maps the case's child ids to PKNs.
pub fn decided_from_fee_result(
    result: &FeeResult,
    pkn_of: impl Fn(&str) -> Option<Pkn>,
) -> Result<Vec<DecidedAmount>, ChildWithoutPkn> {
    let is_extra_care = |rule: Rule| {
        matches!(
            rule,
            Rule::ExtraCareTier | Rule::ExtraCareSchoolFreeDay | Rule::ExtraCareAfterClosing
        )
    };
    let explain = |child: &kitanetz_fees::result::ChildFee, extra: bool| {
        child
            .explanation
            .iter()
            .filter(|e| is_extra_care(e.rule) == extra)
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join("; ")
    };
    let mut decided = Vec::new();
    for month in &result.months {
        for child in &month.children {
            let pkn =
                pkn_of(&child.child.0).ok_or_else(|| ChildWithoutPkn(child.child.0.clone()))?;
            if let Some(fee) = child.fee {
                decided.push(DecidedAmount {
                    pkn,
                    month: month.month,
                    charge: Charge::Fee,
                    amount: fee,
                    explanation: explain(child, false),
                });
            }
            if !child.extra_care.is_zero() {
                decided.push(DecidedAmount {
                    pkn,
                    month: month.month,
                    charge: Charge::ExtraCare,
                    amount: child.extra_care,
                    explanation: explain(child, true),
                });
            }
        }
    }
    Ok(decided)
}

impl fmt::Display for Charge {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

#[cfg(test)]
mod tests;
