//! The result of a case, format `kitanetz-fee-result/1` (persisted by whoever stores it: keep
//! the names stable).

use crate::care::FeeGroup;
use crate::case::{CaseError, ChildId};
use crate::explain::Explanation;
use crate::income_reduction::{WaiverForm, WaiverOutcome};
use crate::money::Money;
use crate::month::Month;
use crate::RESULT_FORMAT;
use serde_json::{json, Map, Value};

/// Every month of a case and the waiver form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeeResult {
    /// One per case month, ascending.
    pub months: Vec<MonthFees>,
    /// `None` without a waiver block.
    pub waiver_form: Option<WaiverForm>,
}

/// The fees of one month.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MonthFees {
    pub month: Month,
    /// Exactly the children in care this month, in case order.
    pub children: Vec<ChildFee>,
    /// Σ fee (an outside child's `None` counts 0) + Σ extra care.
    pub total: Money,
    /// `None`: no waiver block, or the month is outside the grant period.
    pub waiver_outcome: Option<WaiverOutcome>,
}

/// One child's fee in one month.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChildFee {
    pub child: ChildId,
    /// The parent fee owed, without extra care; `None` for a child cared for outside the city.
    pub fee: Option<Money>,
    /// Zählkind rank; `None` when the child does not count or the family is not staggered.
    pub countable_rank: Option<usize>,
    /// The fee before the income-based reduction.
    pub statute_fee: Option<Money>,
    /// Mehrbetreuung of the month.
    pub extra_care: Money,
    /// The fee group the month was priced with (a `kita` child's by its age): what the decision
    /// prints as the care. `None` when nothing was priced (outside the city, exempt statuses).
    /// Not part of the result format.
    pub group: Option<FeeGroup>,
    /// What the statute's reductions took off the month (`None` outside the city and on a
    /// remedial place, which is not a reduced fee). Not part of the result format.
    pub reductions: Option<Reductions>,
    pub explanation: Vec<Explanation>,
}

/// What a child's month would cost without any reduction and what each reduction took off it,
/// for the lost-fee reports (entgangene Elternbeiträge, Lastenheft 3.10.4, 3.10.12): the
/// unreduced fee less all four is the fee owed (without Mehrbetreuung).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Reductions {
    /// The first child's fee for the care time, before rank, single parent and income (halved
    /// with the month when § 10 (1) halves it).
    pub unreduced: Money,
    /// The Zählkind rank's share (§ 10 (5)).
    pub sibling: Money,
    /// The single parent's lower share (§ 10 (6)).
    pub single_parent: Money,
    /// The income-based reduction or waiver (§ 13, § 90 SGB VIII).
    pub income_based: Money,
    /// A foster or residential-home child pays nothing (§ 13 (4)): the whole unreduced fee.
    pub foster_or_home: Money,
}

impl FeeResult {
    pub fn month(&self, month: Month) -> Option<&MonthFees> {
        self.months.iter().find(|m| m.month == month)
    }

    /// The result as `kitanetz-fee-result/1` JSON.
    pub fn to_json(&self) -> Value {
        let money = |m: Option<Money>| m.map_or(Value::Null, |m| Value::String(m.to_string()));
        let mut months = Map::new();
        for m in &self.months {
            let mut children = Map::new();
            for c in &m.children {
                let explanation: Vec<String> =
                    c.explanation.iter().map(ToString::to_string).collect();
                children.insert(
                    c.child.0.clone(),
                    json!({
                        "fee": money(c.fee),
                        "countable_rank": c.countable_rank,
                        "statute_fee": money(c.statute_fee),
                        "extra_care": c.extra_care.to_string(),
                        "explanation": explanation,
                    }),
                );
            }
            months.insert(
                m.month.to_string(),
                json!({
                    "children": children,
                    "total": m.total.to_string(),
                    "waiver_outcome": m.waiver_outcome.map(WaiverOutcome::wire_name),
                }),
            );
        }
        let (form, form_explanation) = match &self.waiver_form {
            None => (Value::Null, Value::Null),
            Some(form) => {
                let mut amounts = Map::new();
                let mut texts = Map::new();
                for (name, line) in form.lines() {
                    amounts.insert(name.into(), line.amount.to_string().into());
                    texts.insert(name.into(), line.explanation.to_string().into());
                }
                (Value::Object(amounts), Value::Object(texts))
            }
        };
        json!({
            "format": RESULT_FORMAT,
            "months": months,
            "waiver_form": form,
            // Not part of the compared result; kept beside the form so that its 13 lines stay
            // plain amounts.
            "waiver_form_explanation": form_explanation,
        })
    }
}

/// A refusal as `kitanetz-fee-result/1` JSON.
pub fn error_json(error: &CaseError) -> Value {
    json!({
        "format": RESULT_FORMAT,
        "error": { "field": error.field, "message": error.message },
    })
}
