//! What the Beitragsstelle's pages show: every family's fee this month against its decision, and
//! one family's fee case with its computed months, each beside the amount decided.

use super::compute::{self, by_month, ChildMonth};
use super::decisions::{pkn_of, Decided};
use super::{authorize_here, family_ids, load_family, FamilyFees, FeeAction};
use crate::action::ActionError;
use crate::auth::Principal;
use crate::storage::Store;
use kitanetz_crdt::ids::FamilyId;
use kitanetz_crdt::scalar::Date;
use kitanetz_fees::{Money, Month};
use rust_decimal::Decimal;
use serde::Serialize;

/// Where a family's fees stand.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum FeeState {
    /// Computed, never decided.
    NoDecision,
    /// A computed month from now on differs from the decision in force.
    NeedsDecision,
    /// The decision in force says what the statute computes.
    UpToDate,
    /// The engine refused the case (e.g. care hours without a fee tier).
    Problem,
}

impl FeeState {
    pub fn as_str(self) -> &'static str {
        match self {
            FeeState::NoDecision => "no-decision",
            FeeState::NeedsDecision => "needs-decision",
            FeeState::UpToDate => "up-to-date",
            FeeState::Problem => "problem",
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct FamilyRow {
    pub family: FamilyId,
    pub family_number: String,
    pub payer: String,
    pub children: String,
    /// This month's total by the statute; `None` when nothing is computed this month.
    pub computed: Option<Money>,
    /// This month's total under the decision in force.
    pub decided: Option<Money>,
    pub state: FeeState,
}

fn month_total(rows: Option<&Vec<ChildMonth>>) -> Option<Money> {
    rows.map(|rows| rows.iter().filter_map(|r| r.fee).sum())
}

type Months = std::collections::BTreeMap<Month, Vec<ChildMonth>>;

/// The amount decided for the child of `row` in `month`.
fn decided_for(
    fees: &FamilyFees,
    decided: &Decided<'_>,
    row: &ChildMonth,
    month: Month,
) -> Option<Decimal> {
    decided.amount_for(pkn_of(fees, &row.child)?, month)
}

/// Whether a computed month from `from` on is not decided as computed.
fn differs_from(fees: &FamilyFees, decided: &Decided<'_>, months: &Months, from: Month) -> bool {
    months.range(from..).any(|(month, rows)| {
        rows.iter().any(|r| {
            let decided = decided_for(fees, decided, r, *month);
            let computed = r.fee.map(Money::amount);
            match (computed, decided) {
                (Some(c), Some(d)) => c != d,
                (Some(c), None) => !c.is_zero(),
                (None, _) => false,
            }
        })
    })
}

pub(super) fn payer_name(fees: &FamilyFees) -> String {
    fees.fee_case
        .payer
        .as_ref()
        .and_then(|p| fees.family.guardians.iter().find(|g| &g.id == p))
        .or(fees.family.guardians.first())
        .map(|g| format!("{} {}", g.given_name, g.family_name))
        .unwrap_or_default()
}

fn state_of(
    fees: &FamilyFees,
    computed: &compute::Computed,
    decided: &Decided<'_>,
    months: &Months,
    today: Date,
) -> FeeState {
    if computed.result.is_err() {
        return FeeState::Problem;
    }
    if decided.first_month().is_none() {
        return FeeState::NoDecision;
    }
    if differs_from(fees, decided, months, Month::of(today.0)) {
        FeeState::NeedsDecision
    } else {
        FeeState::UpToDate
    }
}

/// Every family of the Träger with a contract, by family number.
pub fn overview(
    store: &Store,
    who: &Principal,
    today: Date,
) -> Result<Vec<FamilyRow>, ActionError> {
    authorize_here(store, who, FeeAction::View)?;
    let this_month = Month::of(today.0);
    let mut rows = Vec::new();
    for id in family_ids(store)? {
        let fees = load_family(store, &id)?;
        let Some(computed) = compute::compute(&fees, today) else {
            continue;
        };
        let months = by_month(&computed);
        let in_force = Decided::of(&fees.fee_case)?;
        let decided = in_force.in_force(this_month).map(|_| {
            months
                .get(&this_month)
                .into_iter()
                .flatten()
                .filter_map(|r| decided_for(&fees, &in_force, r, this_month))
                .map(Money::round)
                .sum()
        });
        rows.push(FamilyRow {
            family: id,
            family_number: fees.family.family_number.clone(),
            payer: payer_name(&fees),
            children: fees
                .family
                .children
                .iter()
                .map(|c| c.given_name.as_str())
                .collect::<Vec<_>>()
                .join(", "),
            computed: month_total(months.get(&this_month)),
            decided,
            state: state_of(&fees, &computed, &in_force, &months, today),
        });
    }
    rows.sort_by(|a, b| a.family_number.cmp(&b.family_number));
    Ok(rows)
}

/// One child's month on the family page.
#[derive(Debug, Clone, Serialize)]
pub struct ChildMonthRow {
    pub child_name: String,
    pub facility: String,
    /// Owed: computed, or set by hand.
    pub fee: Option<Money>,
    /// The computed fee when one set by hand replaces it.
    pub computed_fee: Option<Money>,
    pub manual: Option<String>,
    pub statute_fee: Option<Money>,
    pub countable_rank: Option<usize>,
    pub decided: Option<Decimal>,
    pub differs: bool,
    pub explanation: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct MonthRow {
    /// `YYYY-MM`.
    pub month: String,
    pub children: Vec<ChildMonthRow>,
    pub total: Money,
}

#[derive(Debug, Clone, Serialize)]
pub struct DecisionRow {
    pub number: String,
    pub issued_on: String,
    pub effective_from: String,
    pub kind: String,
    pub revoked_on: Option<String>,
    /// For a revoked decision: the decision that rules its first month again (the billing
    /// reads the decisions in force, so the one before comes back until a new one is issued);
    /// `None` when no decision does.
    pub ruled_again_by: Option<String>,
    pub dispatched_on: Option<String>,
    /// A second copy goes to the other guardian (different address).
    pub two_copies: bool,
}

/// A fee set by hand, as the page lists it.
#[derive(Debug, Clone, Serialize)]
pub struct OverrideRow {
    /// Its position in the fee case (to remove it).
    pub index: usize,
    pub child_name: String,
    pub from: String,
    pub until: Option<String>,
    pub amount: String,
    pub reason: String,
    pub set_by: String,
    pub set_on: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct GuardianOption {
    pub id: String,
    pub name: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct ChildOption {
    pub id: String,
    pub name: String,
    /// Its statuses as "from: status".
    pub statuses: Vec<String>,
}

/// One family's fee case as the page shows it.
#[derive(Debug, Clone, Serialize)]
pub struct FamilyView {
    pub family: FamilyId,
    pub family_number: String,
    pub guardians: Vec<GuardianOption>,
    pub payer: String,
    pub children: Vec<ChildOption>,
    pub mandate: Option<kitanetz_crdt::kinds::DebitMandate>,
    pub state: Option<FeeState>,
    /// Why the engine refused the case.
    pub problem: Option<String>,
    /// School entries the Kita recorded on the family's contracts (Lastenheft 3.6.17: "Die
    /// Kennzeichnung als Schulrücksteller soll … als Änderung in der Arbeitsliste der
    /// Beitragsstelle erscheinen"): a Schulrücksteller keeps the place and pays on.
    pub school_notes: Vec<String>,
    pub months: Vec<MonthRow>,
    pub decisions: Vec<DecisionRow>,
    pub overrides: Vec<OverrideRow>,
    /// The month a new decision starts by default (`YYYY-MM`).
    pub default_from: String,
    /// The months a decision may start in.
    pub from_choices: Vec<String>,
    /// Overdue months not paid (Lastenheft 3.10.10), flagged beyond the statute's threshold;
    /// `None` when nothing overdue is open.
    pub arrears: Option<super::payments::PayerArrears>,
    /// The case as `kitanetz-fee-case/1`.
    #[serde(skip)]
    pub case_json: Option<String>,
}

pub fn family_view(
    store: &Store,
    who: &Principal,
    id: &FamilyId,
    today: Date,
) -> Result<FamilyView, ActionError> {
    authorize_here(store, who, FeeAction::View)?;
    let fees = load_family(store, id)?;
    let names = crate::facilities::names(store)?;
    let computed = compute::compute(&fees, today);
    let child_name = |c: &kitanetz_crdt::ids::ChildId| {
        fees.family
            .child(c)
            .map(|c| format!("{} {}", c.given_name, c.family_name))
            .unwrap_or_else(|| c.0.clone())
    };
    let in_force = Decided::of(&fees.fee_case)?;
    let school_notes = fees
        .contracts
        .iter()
        .filter_map(|c| {
            let mark = c.school_entry.as_ref()?;
            Some(format!(
                "{}: {}, Einschulung {} (erfasst am {})",
                child_name(&c.child),
                mark.rule.label_de(),
                mark.school_year,
                mark.recorded_on.0.format("%d.%m.%Y")
            ))
        })
        .collect();
    let mut months = Vec::new();
    let mut state = None;
    if let Some(computed) = &computed {
        let by_month = by_month(computed);
        state = Some(state_of(&fees, computed, &in_force, &by_month, today));
        for (month, rows) in by_month {
            let children: Vec<ChildMonthRow> = rows
                .iter()
                .map(|r| {
                    let decided = decided_for(&fees, &in_force, r, month);
                    // Marked only where a decision rules (earlier months were never decided).
                    let differs = match (r.fee.map(Money::amount), decided) {
                        (Some(c), Some(d)) => c != d,
                        (Some(c), None) => !c.is_zero() && in_force.in_force(month).is_some(),
                        (None, _) => false,
                    };
                    ChildMonthRow {
                        child_name: child_name(&r.child),
                        facility: names
                            .get(&r.facility.0)
                            .cloned()
                            .unwrap_or_else(|| r.facility.0.clone()),
                        fee: r.fee,
                        computed_fee: r.computed_fee,
                        manual: r.manual.clone(),
                        statute_fee: r.statute_fee,
                        countable_rank: r.countable_rank,
                        decided,
                        differs,
                        explanation: r.explanation.clone(),
                    }
                })
                .collect();
            let total = rows.iter().filter_map(|r| r.fee).sum();
            months.push(MonthRow {
                month: month.to_string(),
                children,
                total,
            });
        }
    }
    let this_month = Month::of(today.0);
    let from_choices: Vec<String> = months.iter().map(|m| m.month.clone()).collect();
    let default_from = from_choices
        .iter()
        .find(|m| Month::parse(m).is_some_and(|m| m >= this_month))
        .or(from_choices.last())
        .cloned()
        .unwrap_or_default();
    // Which decision in force rules a month: the last issued from that month or earlier.
    let ruling = |month: Date| {
        fees.fee_case
            .decisions
            .iter()
            .rfind(|d| d.revoked_on.is_none() && d.effective_from <= month)
            .map(|d| d.number.clone())
    };
    let decisions = fees
        .fee_case
        .decisions
        .iter()
        .rev()
        .map(|d| {
            let content: Option<kitanetz_letters::decision::Decision> =
                serde_json::from_str(&d.content).ok();
            DecisionRow {
                number: d.number.clone(),
                issued_on: d.issued_on.to_string(),
                effective_from: d.effective_from.to_string(),
                kind: content
                    .as_ref()
                    .map(|c| c.kind.name().to_string())
                    .unwrap_or_default(),
                revoked_on: d.revoked_on.map(|d| d.to_string()),
                ruled_again_by: d.revoked_on.and_then(|_| ruling(d.effective_from)),
                dispatched_on: d.dispatched_on.map(|d| d.to_string()),
                two_copies: content.is_some_and(|c| c.copies().len() > 1),
            }
        })
        .collect();
    let overrides = fees
        .fee_case
        .overrides
        .iter()
        .enumerate()
        .map(|(index, o)| OverrideRow {
            index,
            child_name: child_name(&o.child),
            from: o.from.to_string()[..7].to_string(),
            until: o.until.map(|u| u.to_string()[..7].to_string()),
            amount: format!("{:.2}", o.amount.0),
            reason: o.reason.clone(),
            set_by: o.set_by.clone(),
            set_on: o.set_on.to_string(),
        })
        .collect();
    Ok(FamilyView {
        family: id.clone(),
        overrides,
        family_number: fees.family.family_number.clone(),
        guardians: fees
            .family
            .guardians
            .iter()
            .map(|g| GuardianOption {
                id: g.id.0.clone(),
                name: format!("{} {}", g.given_name, g.family_name),
            })
            .collect(),
        payer: fees
            .fee_case
            .payer
            .as_ref()
            .map(|p| p.0.clone())
            .unwrap_or_default(),
        children: fees
            .family
            .children
            .iter()
            .map(|c| ChildOption {
                id: c.id.0.clone(),
                name: format!("{} {}", c.given_name, c.family_name),
                statuses: fees
                    .fee_case
                    .statuses
                    .iter()
                    .filter(|s| s.child == c.id)
                    .map(|s| format!("{}: {}", s.from, s.status))
                    .collect(),
            })
            .collect(),
        mandate: fees.fee_case.mandate.clone(),
        state,
        problem: computed.as_ref().and_then(|c| c.result.clone().err()),
        school_notes,
        months,
        decisions,
        default_from,
        from_choices,
        arrears: super::payments::of_payer(store, &fees.family.family_number, today)?,
        case_json: computed
            .as_ref()
            .map(|c| serde_json::to_string_pretty(&c.case).expect("json")),
    })
}
