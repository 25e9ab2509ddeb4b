//! The decisions of annex K: the monthly refund per calendar year, the back-payment and the
//! running amount (health and pension), or the one-off accident insurance refund.

use crate::case::{
    AccidentCase, ContributionKind, HealthCase, HealthYear, PensionCase, PensionYear, RefundCase,
    Schedule,
};
use crate::money::Money;
use crate::month::Month;
use serde_json::{json, Value};

/// The result format this crate writes.
pub const RESULT_FORMAT: &str = "kitanetz-tagespflege-refund-result/1";

/// The decision on one case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    /// Health or pension: refunds per year, then the payments.
    Granted {
        kind: &'static str,
        years: Vec<YearRefund>,
        payments: Payments,
    },
    /// Pension: a year with the statutory obligation has no statutory contribution; the
    /// application is turned down as a whole (L29374–29377, L29458–29464).
    PensionRejected,
    /// Accident insurance: refunded once for the year.
    Accident { year: i32, refund: Money },
}

/// One calendar year's refund.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct YearRefund {
    pub year: i32,
    pub monthly_refund: Money,
    pub detail: YearDetail,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum YearDetail {
    Health {
        family_insured: bool,
        contribution_base: Money,
        appropriate_contribution: Money,
        recognised_contribution: Money,
    },
    Pension {
        statutory_obligation: bool,
        recognised_contribution: Money,
        cap: Money,
    },
}

/// Rule 3: the months before `payment_from` paid at once, then the running amount.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Payments {
    /// `(first, last)` month of the back-payment; `None` when there is none.
    pub back_payment_months: Option<(Month, Month)>,
    pub back_payment_month_count: u32,
    pub back_payment: Money,
    pub running_from: Month,
    pub running_monthly: Money,
}

/// Decides a checked case.
pub fn decide(case: &RefundCase) -> Decision {
    match case {
        RefundCase::Health { schedule, health } => {
            let years = health_years(health);
            let payments = payments(*schedule, &years);
            Decision::Granted {
                kind: "health",
                years,
                payments,
            }
        }
        RefundCase::Pension { schedule, pension } => match pension_years(pension) {
            Some(years) => {
                let payments = payments(*schedule, &years);
                Decision::Granted {
                    kind: "pension",
                    years,
                    payments,
                }
            }
            None => Decision::PensionRejected,
        },
        RefundCase::Accident(accident) => accident_refund(accident),
    }
}

fn health_years(case: &HealthCase) -> Vec<YearRefund> {
    case.years.iter().map(health_year).collect()
}

/// Rule 1 (L29613–29629, L30157–30161): the minimum contribution on the minimum base, or on the
/// higher income from childminding; at most what was paid; rounded, then halved and rounded.
fn health_year(year: &HealthYear) -> YearRefund {
    let contribution_base = match year.income {
        Some(income) if income > year.minimum_base => income,
        _ => year.minimum_base,
    };
    let appropriate_contribution = contribution_base.percent(year.health_rate + year.care_rate);
    // "Liegt das maximale monatliche Gesamteinkommen … unter der Geringfügigkeitsgrenze, so gilt
    // die beitragsfreie Familienversicherung" (L30159–30161): nothing to refund.
    let family_insured = matches!(
        (year.total_income, year.minor_income_threshold),
        (Some(total), Some(threshold)) if total < threshold
    );
    let recognised_contribution = if family_insured {
        Money::ZERO
    } else {
        appropriate_contribution.min(year.proven_contribution)
    };
    YearRefund {
        year: year.year,
        monthly_refund: recognised_contribution.half(),
        detail: YearDetail::Health {
            family_insured,
            contribution_base,
            appropriate_contribution,
            recognised_contribution,
        },
    }
}

/// Rule 2 (L29439–29472, L30146–30155); `None` when the application is rejected.
fn pension_years(case: &PensionCase) -> Option<Vec<YearRefund>> {
    let cap = case.cap_per_place * case.approved_places;
    case.years
        .iter()
        .map(|year| pension_year(case, year, cap))
        .collect()
}

fn pension_year(case: &PensionCase, year: &PensionYear, cap: Money) -> Option<YearRefund> {
    let statutory: Money = year
        .contributions
        .iter()
        .filter(|c| c.kind == ContributionKind::Statutory)
        .map(|c| c.monthly)
        .sum();
    let statutory_obligation = year.monthly_taxable_income > case.obligation_income_threshold
        && case.approved_places >= case.obligation_min_places;
    if statutory_obligation && statutory == Money::ZERO {
        return None;
    }
    // Private provision counts only with a term to at least age 60 (L29452–29457).
    let private: Money = year
        .contributions
        .iter()
        .filter(|c| c.kind == ContributionKind::Private && c.until_age_60)
        .map(|c| c.monthly)
        .sum();
    let recognised_contribution = statutory + private;
    Some(YearRefund {
        year: year.year,
        monthly_refund: recognised_contribution.half().min(cap),
        detail: YearDetail::Pension {
            statutory_obligation,
            recognised_contribution,
            cap,
        },
    })
}

/// Rule 4 (L30142–30145, L30317–30323): the BGW contribution in full, up to the statutory
/// minimum contribution where one is given.
fn accident_refund(case: &AccidentCase) -> Decision {
    let refund = match case.statutory_minimum {
        Some(minimum) => case.assessed_contribution.min(minimum),
        None => case.assessed_contribution,
    };
    Decision::Accident {
        year: case.year,
        refund,
    }
}

/// Rule 3 (L29551–29556, L29478–29482): each month from `entitlement_from` to the month before
/// `payment_from` at its year's refund; running from `max(entitlement_from, payment_from)`.
fn payments(schedule: Schedule, years: &[YearRefund]) -> Payments {
    let refund_in = |month: Month| {
        years
            .iter()
            .find(|y| y.year == month.year())
            .map(|y| y.monthly_refund)
            .expect("the case has a row for every year from the entitlement to the running month")
    };
    let last = schedule.payment_from.previous();
    let months: Vec<Month> = schedule.entitlement_from.through(last).collect();
    Payments {
        back_payment_months: months.first().zip(months.last()).map(|(a, b)| (*a, *b)),
        back_payment_month_count: u32::try_from(months.len()).expect("a few hundred months"),
        back_payment: months.iter().map(|m| refund_in(*m)).sum(),
        running_from: schedule.running_from(),
        running_monthly: refund_in(schedule.running_from()),
    }
}

impl Decision {
    /// The result document (`kitanetz-tagespflege-refund-result/1`).
    pub fn to_json(&self) -> Value {
        match self {
            Decision::Granted {
                kind,
                years,
                payments,
            } => json!({
                "format": RESULT_FORMAT,
                "kind": kind,
                "decision": "granted",
                "years": years.iter().map(YearRefund::to_json).collect::<Vec<_>>(),
                "back_payment": {
                    "from": payments.back_payment_months.map(|(from, _)| from.to_string()),
                    "to": payments.back_payment_months.map(|(_, to)| to.to_string()),
                    "months": payments.back_payment_month_count,
                    "amount": payments.back_payment.to_string(),
                },
                "running": {
                    "from": payments.running_from.to_string(),
                    "monthly": payments.running_monthly.to_string(),
                },
            }),
            Decision::PensionRejected => json!({
                "format": RESULT_FORMAT,
                "kind": "pension",
                "decision": "rejected",
                "reason": "statutory_pension_contributions_missing",
                "years": [],
                "back_payment": null,
                "running": null,
            }),
            Decision::Accident { year, refund } => json!({
                "format": RESULT_FORMAT,
                "kind": "accident",
                "decision": "granted",
                "year": year,
                "refund": refund.to_string(),
            }),
        }
    }
}

impl YearRefund {
    fn to_json(&self) -> Value {
        match &self.detail {
            YearDetail::Health {
                family_insured,
                contribution_base,
                appropriate_contribution,
                recognised_contribution,
            } => json!({
                "year": self.year,
                "status": if *family_insured { "family_insured" } else { "granted" },
                "contribution_base": contribution_base.to_string(),
                "appropriate_contribution": appropriate_contribution.to_string(),
                "recognised_contribution": recognised_contribution.to_string(),
                "monthly_refund": self.monthly_refund.to_string(),
            }),
            YearDetail::Pension {
                statutory_obligation,
                recognised_contribution,
                cap,
            } => json!({
                "year": self.year,
                "status": "granted",
                "statutory_obligation": statutory_obligation,
                "recognised_contribution": recognised_contribution.to_string(),
                "cap": cap.to_string(),
                "monthly_refund": self.monthly_refund.to_string(),
            }),
        }
    }
}
