//! Lost-fee reports (entgangene Elternbeiträge, Beitragsausfall): how much of the statute's fee
//! parents did not pay because of a reduction, and who claims it from whom.
//!
//! # Reading of the sources
//! - **Free Träger, monthly.** A free Träger charges the parents the reduced fee the city
//!   decided, but is owed the full parent share, so it claims the difference from the city
//!   "je Einrichtung ... je Kalendermonat" (Lastenheft 3.10.4, L2786–2824, esp. L2795–2800);
//!   the city checks the claim with the same report (L2815–2817). One report per Träger and
//!   month, with the children, a subtotal per facility, and per month.
//! - **Other towns, quarterly.** For children cared for in the city but living in another
//!   municipality the lost fee is determined per quarter and billed to that municipality's
//!   Jugendamt (3.10.3.2, L2782–2785; 3.10.12.2, L3024–3049), together with the municipal
//!   share (Kommunalanteil, L3035), which is shown beside it, not added to it. "Die Beträge für
//!   das 4. Quartal werden jedoch vorausschauend zusammen mit dem 3. Quartal ermittelt"
//!   (L3045–3046): the Q3 report covers July to December, October to December **estimated**
//!   from the decisions known when it is made; the Q4 report covers October to December again
//!   and bills only the difference to what was estimated. Every report takes what was reported
//!   before per party and month and shows the difference, which is how late corrections of
//!   earlier months ("Nachberechnung sowie rückwirkende Änderungen", L3046–3049) are billed:
//!   run the report of that period again.
//! - **What counts as lost.** Every reduction of the four kinds of the monthly overview
//!   (3.10.12.1, L3011–3021): siblings, single parent, income-based reduction or waiver, and
//!   foster/residential-home children. SächsKitaG § 15 (6) (L4903–4908) makes the local youth
//!   welfare office refund the Träger the sibling and single-parent reductions and take over
//!   the income-based part, so all of them are owed. The percentage is of the unreduced fee
//!   (what the parents would have paid without any reduction), rounded half up to two decimals.
//! - **Children of the city cared for elsewhere** (3.10.3.1, L2760–2773): the other town's Träger
//!   claims from the city; the claim is checked against the same lines ([`LostFeeParty::OtherTown`]
//!   is then the claimant — the report is the same, only the direction of payment differs,
//!   which the node records).

use crate::pkn::Pkn;
use crate::soll::month_de;
use kitanetz_fees::{Money, Month};
use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The reductions of the monthly overview (3.10.12.1, L3016–3019), each shown on its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Reduction {
    /// Geschwisterermäßigung (Satzung § 10 (5)).
    Sibling,
    /// Alleinerziehenden-Ermäßigung (§ 10 (6)).
    SingleParent,
    /// Finanzielle Erlässe / Ermäßigungen (§ 13, § 90 SGB VIII).
    IncomeBased,
    /// Heim- und Pflegekinder pay nothing (3.10.1.3).
    FosterOrResidentialHome,
}

impl Reduction {
    pub const ALL: [Reduction; 4] = [
        Reduction::Sibling,
        Reduction::SingleParent,
        Reduction::IncomeBased,
        Reduction::FosterOrResidentialHome,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Reduction::Sibling => "Geschwisterermäßigung",
            Reduction::SingleParent => "Alleinerziehenden-Ermäßigung",
            Reduction::IncomeBased => "Finanzielle Erlässe / Ermäßigungen",
            Reduction::FosterOrResidentialHome => "Heim- und Pflegekinder",
        }
    }
}

/// Who settles a child's lost fee with the city.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind", content = "name")]
pub enum LostFeeParty {
    /// The free Träger of the facility claims it from the city: monthly.
    FreeTraeger(String),
    /// The child's municipality of residence (another town) is billed for it: quarterly.
    OtherTown(String),
    /// The city's own facilities: only in the overview, nobody to settle with.
    OwnFacility,
}

/// One child's month: the unreduced fee and the reductions granted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LostFeeLine {
    pub party: LostFeeParty,
    pub pkn: Pkn,
    pub month: Month,
    /// The facility (Kostenstelle).
    pub facility: String,
    /// The statute's fee for the care type and time before any reduction.
    pub unreduced: Money,
    /// Each reduction at most once; amounts ≥ 0.
    pub reductions: Vec<(Reduction, Money)>,
    /// The municipal share billed to another town beside the lost fee (3.10.12.2, L3035);
    /// 0 for others.
    pub municipal_share: Money,
}

impl LostFeeLine {
    pub fn lost(&self) -> Money {
        self.reductions.iter().map(|(_, amount)| *amount).sum()
    }
}

/// What an earlier report stated for a party and month.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportedAmount {
    pub party: LostFeeParty,
    pub month: Month,
    pub lost: Money,
}

/// The figures of one month.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LostFeeMonth {
    pub month: Month,
    /// Determined ahead (Q4 in the Q3 report), to be settled again by the Q4 report.
    pub estimated: bool,
    pub children: usize,
    pub unreduced: Money,
    /// Every kind of [`Reduction::ALL`], also those at 0.
    pub by_reduction: BTreeMap<Reduction, Money>,
    pub lost: Money,
    /// `lost / unreduced × 100`, half up to two decimals; 0 without an unreduced fee.
    pub percent: Decimal,
    pub municipal_share: Money,
    pub previously_reported: Money,
    /// `lost − previously_reported`: what this report claims or bills for the month.
    pub difference: Money,
}

/// One party's report for one period.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LostFeeReport {
    pub party: LostFeeParty,
    /// E.g. `03/2025`, `Q3/2025 (Q4 geschätzt)`.
    pub period: String,
    pub months: Vec<LostFeeMonth>,
    /// Σ lost per facility over the period.
    pub by_facility: BTreeMap<String, Money>,
    /// The children's lines, by facility, month and PKN.
    pub lines: Vec<LostFeeLine>,
    pub lost: Money,
    pub municipal_share: Money,
    /// Σ of the months' differences: the amount to settle now.
    pub difference: Money,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LostFeeError {
    #[error("Quartal {0} gibt es nicht; 1 bis 4 / there is no quarter {0}; 1 to 4")]
    NoSuchQuarter(u32),
}

/// The monthly overview of 3.10.12.1 over every line of `month`, whoever settles it.
pub fn monthly_overview(lines: &[LostFeeLine], month: Month) -> LostFeeMonth {
    let of_month: Vec<&LostFeeLine> = lines.iter().filter(|l| l.month == month).collect();
    month_figures(month, false, &of_month, Money::ZERO)
}

/// One report per free Träger with lines in `month` (3.10.4).
pub fn free_traeger_reports(
    lines: &[LostFeeLine],
    month: Month,
    previously_reported: &[ReportedAmount],
) -> Vec<LostFeeReport> {
    reports(
        lines,
        &[(month, false)],
        month_de(month),
        previously_reported,
        |party| matches!(party, LostFeeParty::FreeTraeger(_)),
    )
}

/// One report per other town with lines in the quarter (3.10.3.2, 3.10.12.2); the third
/// quarter runs to December with October to December estimated.
pub fn other_town_reports(
    lines: &[LostFeeLine],
    year: i32,
    quarter: u32,
    previously_reported: &[ReportedAmount],
) -> Result<Vec<LostFeeReport>, LostFeeError> {
    if !(1..=4).contains(&quarter) {
        return Err(LostFeeError::NoSuchQuarter(quarter));
    }
    let first = Month::new(year, 3 * quarter - 2).expect("a quarter's first month");
    let estimated_ahead = if quarter == 3 { 3 } else { 0 };
    let months: Vec<(Month, bool)> = std::iter::successors(Some(first), |m| Some(m.next()))
        .take(3 + estimated_ahead)
        .enumerate()
        .map(|(index, month)| (month, index >= 3))
        .collect();
    let period = if quarter == 3 {
        format!("Q3/{year} (Q4 geschätzt)")
    } else {
        format!("Q{quarter}/{year}")
    };
    Ok(reports(
        lines,
        &months,
        period,
        previously_reported,
        |party| matches!(party, LostFeeParty::OtherTown(_)),
    ))
}

fn reports(
    lines: &[LostFeeLine],
    months: &[(Month, bool)],
    period: String,
    previously_reported: &[ReportedAmount],
    settles: impl Fn(&LostFeeParty) -> bool,
) -> Vec<LostFeeReport> {
    let in_period = |month: Month| months.iter().any(|(m, _)| *m == month);
    let mut by_party: BTreeMap<&LostFeeParty, Vec<&LostFeeLine>> = BTreeMap::new();
    for line in lines
        .iter()
        .filter(|l| settles(&l.party) && in_period(l.month))
    {
        by_party.entry(&line.party).or_default().push(line);
    }
    // A party reported before but without lines now is owed back in full: it stays in.
    for reported in previously_reported
        .iter()
        .filter(|r| settles(&r.party) && in_period(r.month))
    {
        by_party.entry(&reported.party).or_default();
    }
    by_party
        .into_iter()
        .map(|(party, mut party_lines)| {
            party_lines
                .sort_by(|a, b| (&a.facility, a.month, a.pkn).cmp(&(&b.facility, b.month, b.pkn)));
            let reported = |month: Month| -> Money {
                previously_reported
                    .iter()
                    .filter(|r| &r.party == party && r.month == month)
                    .map(|r| r.lost)
                    .sum()
            };
            let month_figures: Vec<LostFeeMonth> = months
                .iter()
                .map(|&(month, estimated)| {
                    let of_month: Vec<&LostFeeLine> = party_lines
                        .iter()
                        .copied()
                        .filter(|l| l.month == month)
                        .collect();
                    month_figures(month, estimated, &of_month, reported(month))
                })
                .collect();
            let mut by_facility: BTreeMap<String, Money> = BTreeMap::new();
            for line in &party_lines {
                let subtotal = by_facility.entry(line.facility.clone()).or_default();
                *subtotal = *subtotal + line.lost();
            }
            LostFeeReport {
                party: party.clone(),
                period: period.clone(),
                lost: month_figures.iter().map(|m| m.lost).sum(),
                municipal_share: month_figures.iter().map(|m| m.municipal_share).sum(),
                difference: month_figures.iter().map(|m| m.difference).sum(),
                months: month_figures,
                by_facility,
                lines: party_lines.into_iter().cloned().collect(),
            }
        })
        .collect()
}

fn month_figures(
    month: Month,
    estimated: bool,
    lines: &[&LostFeeLine],
    previously_reported: Money,
) -> LostFeeMonth {
    let mut by_reduction: BTreeMap<Reduction, Money> =
        Reduction::ALL.iter().map(|r| (*r, Money::ZERO)).collect();
    for line in lines {
        for (reduction, amount) in &line.reductions {
            let sum = by_reduction.entry(*reduction).or_default();
            *sum = *sum + *amount;
        }
    }
    let unreduced: Money = lines.iter().map(|l| l.unreduced).sum();
    let lost: Money = by_reduction.values().sum();
    let percent = if unreduced.is_zero() {
        Decimal::ZERO
    } else {
        (lost.amount() * Decimal::ONE_HUNDRED / unreduced.amount())
            .round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero)
    };
    LostFeeMonth {
        month,
        estimated,
        children: lines.len(),
        unreduced,
        by_reduction,
        lost,
        percent,
        municipal_share: lines.iter().map(|l| l.municipal_share).sum(),
        previously_reported,
        difference: lost - previously_reported,
    }
}

#[cfg(test)]
mod tests;
