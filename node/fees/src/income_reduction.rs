//! The income-based reduction or waiver (§ 13; § 90 (3), (4) SGB VIII with §§ 82–85, 87 SGB XII):
//! the annex C form "Feststellung der zumutbaren Belastung" line by line, and line 7, which
//! shares the reasonable burden among the children of a month.

use crate::case::{
    AboveRegularTime, Allocation, ChildBenefit, FlatOrAmount, Pension, PensionMinimum, Travel,
    WaiverCase,
};
use crate::explain::{Explanation, Rule};
use crate::money::{german_decimal, Money};
use crate::statute::StatuteVersion;
use rust_decimal::Decimal;

/// One line of the form with how it was obtained.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FormLine {
    pub amount: Money,
    pub explanation: Explanation,
}

/// The form's lines 1–6, monthly euros.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WaiverForm {
    /// 1.1 Gesamteinkommen.
    pub total_income: FormLine,
    /// 1.2.2 (1), capped at the minimum own contribution.
    pub pension_mother: FormLine,
    /// 1.2.2 (2), capped at the minimum own contribution.
    pub pension_father: FormLine,
    /// Summe abzusetzende Beträge.
    pub deductions_total: FormLine,
    /// Bereinigtes Einkommen (may be negative).
    pub adjusted_income: FormLine,
    /// 2 a) Grundbetrag.
    pub basic_amount: FormLine,
    /// 2 b) Familienzuschläge.
    pub family_supplements: FormLine,
    /// 2 c) Kosten der Unterkunft, capped by household size.
    pub housing_cost: FormLine,
    /// Einkommensgrenze = 2 a + 2 b + 2 c.
    pub income_limit: FormLine,
    /// 3 Einkommen über der Einkommensgrenze.
    pub income_above_limit: FormLine,
    /// 4 Besondere Belastungen.
    pub special_burdens: FormLine,
    /// 5 Einkommen über der Einkommensgrenze nach Abzug der besonderen Belastung.
    pub income_above_limit_after_burdens: FormLine,
    /// 6 zumutbare Belastung.
    pub reasonable_burden: FormLine,
}

impl WaiverForm {
    /// The lines under their result-format names, in the form's order.
    pub fn lines(&self) -> [(&'static str, &FormLine); 13] {
        [
            ("total_income", &self.total_income),
            ("pension_mother", &self.pension_mother),
            ("pension_father", &self.pension_father),
            ("deductions_total", &self.deductions_total),
            ("adjusted_income", &self.adjusted_income),
            ("basic_amount", &self.basic_amount),
            ("family_supplements", &self.family_supplements),
            ("housing_cost", &self.housing_cost),
            ("income_limit", &self.income_limit),
            ("income_above_limit", &self.income_above_limit),
            ("special_burdens", &self.special_burdens),
            (
                "income_above_limit_after_burdens",
                &self.income_above_limit_after_burdens,
            ),
            ("reasonable_burden", &self.reasonable_burden),
        ]
    }
}

/// `a + b + c`, or `none` (German, e.g. "keine") when there are no amounts.
fn list(amounts: &[Money], none: &str) -> String {
    if amounts.is_empty() {
        none.into()
    } else {
        amounts
            .iter()
            .map(|a| a.german().to_string())
            .collect::<Vec<_>>()
            .join(" + ")
    }
}

/// Fills in the form (lines 1–6) from the application, with the values of `v`.
pub fn fill_in_form(w: &WaiverCase, v: &StatuteVersion) -> WaiverForm {
    let p = &v.waiver;
    let line = |amount: Money, detail: String| FormLine {
        amount,
        explanation: v.explain(Rule::WaiverForm, detail),
    };

    let i = &w.income;
    let (child_benefit, child_benefit_text) = match i.child_benefit {
        ChildBenefit::Amount(a) => (a, a.german().to_string()),
        ChildBenefit::ForChildren(n) => {
            let a = p.child_benefit_by_children[n as usize - 1];
            (a, format!("{} (Tabellenwert für {n} Kinder)", a.german()))
        }
    };
    let other: Money = i.other.iter().sum();
    let total_income =
        i.mother_net + i.father_net + child_benefit + i.maintenance + i.housing_benefit + other;
    let total_income = line(
        total_income,
        format!(
            "1.1 Gesamteinkommen: Nettoeinkommen Elternteil 1 {} + Elternteil 2 {} + Kindergeld \
             {child_benefit_text} + Unterhalt {} + Wohngeld {} + sonstiges Einkommen ({}) = {}",
            i.mother_net.german(),
            i.father_net.german(),
            i.maintenance.german(),
            i.housing_benefit.german(),
            list(&i.other, "keines"),
            total_income.german()
        ),
    );

    let d = &w.deductions;
    let flat = |given: FlatOrAmount, flat: Money| match given {
        FlatOrAmount::Amount(a) => (a, a.german().to_string()),
        FlatOrAmount::Flat => (flat, format!("Pauschale {}", flat.german())),
    };
    let (work_equipment, work_text) = flat(d.work_equipment, p.work_equipment_flat);
    let (double_household, double_text) = flat(d.double_household, p.double_household_flat);
    let (travel, travel_text) = match &d.travel {
        Travel::Amount(a) => (*a, a.german().to_string()),
        Travel::CarKm(km) => {
            let counted = (*km).min(p.car_max_km);
            let a = p.car_per_km.times(Decimal::from(counted));
            (
                a,
                if counted < *km {
                    format!(
                        "{} ({} × {counted} km; angegeben {km} km, höchstens {} km)",
                        a.german(),
                        p.car_per_km.german(),
                        p.car_max_km
                    )
                } else {
                    format!("{} ({} × {counted} km)", a.german(), p.car_per_km.german())
                },
            )
        }
        Travel::Ticket(kind) => {
            let a = p.monthly_tickets.get(kind).copied().unwrap_or(Money::ZERO);
            (a, format!("Monatskarte {kind} {}", a.german()))
        }
    };
    let pension_mother = pension_line(
        d.pension_mother.as_ref(),
        "1.2.2 (1) Altersvorsorge Elternteil 1",
        v,
    );
    let pension_father = pension_line(
        d.pension_father.as_ref(),
        "1.2.2 (2) Altersvorsorge Elternteil 2",
        v,
    );
    let deductions_total = work_equipment
        + travel
        + double_household
        + d.other_expenses
        + pension_mother.amount
        + pension_father.amount
        + d.liability_insurance
        + d.household_insurance
        + d.accident_insurance
        + d.other_insurance;
    let deductions_total = line(
        deductions_total,
        format!(
            "Summe abzusetzende Beträge: Arbeitsmittel {work_text} + Fahrtkosten {travel_text} + \
             doppelte Haushaltskosten {double_text} + sonstige Ausgaben {} + Altersvorsorge {} + \
             {} + Versicherungen {} + {} + {} + {} = {}",
            d.other_expenses.german(),
            pension_mother.amount.german(),
            pension_father.amount.german(),
            d.liability_insurance.german(),
            d.household_insurance.german(),
            d.accident_insurance.german(),
            d.other_insurance.german(),
            deductions_total.german()
        ),
    );
    let adjusted = total_income.amount - deductions_total.amount;
    let adjusted_income = line(
        adjusted,
        format!(
            "Bereinigtes Einkommen: {} − {} = {}",
            total_income.amount.german(),
            deductions_total.amount.german(),
            adjusted.german()
        ),
    );

    let basic_amount = line(
        p.basic_amount,
        format!("2 a) Grundbetrag {}", p.basic_amount.german()),
    );
    let count = w.limit.family_supplements;
    let supplements = p.family_supplement.times(Decimal::from(count));
    let family_supplements = line(
        supplements,
        format!(
            "2 b) Familienzuschläge: {} × {count} = {}",
            p.family_supplement.german(),
            supplements.german()
        ),
    );
    let housing_cost = match w.limit.household_size {
        Some(persons) if !w.limit.housing_cost.is_zero() => {
            let cap = p.housing_cost_cap(persons);
            let counted = w.limit.housing_cost.min(cap);
            line(
                counted,
                format!(
                    "2 c) Kosten der Unterkunft {}, höchstens {} bei {persons} Personen: {}",
                    w.limit.housing_cost.german(),
                    cap.german(),
                    counted.german()
                ),
            )
        }
        _ => line(Money::ZERO, "2 c) keine Kosten der Unterkunft".into()),
    };
    let limit = basic_amount.amount + family_supplements.amount + housing_cost.amount;
    let income_limit = line(
        limit,
        format!(
            "Einkommensgrenze: {} + {} + {} = {}",
            basic_amount.amount.german(),
            family_supplements.amount.german(),
            housing_cost.amount.german(),
            limit.german()
        ),
    );
    let above = adjusted.saturating_sub(limit);
    let income_above_limit = line(
        above,
        format!(
            "3) Einkommen über der Einkommensgrenze: {} − {}, nicht unter 0,00 €: {}",
            adjusted.german(),
            limit.german(),
            above.german()
        ),
    );
    let burdens: Money = w.special_burdens.iter().sum();
    let special_burdens = line(
        burdens,
        format!(
            "4) Besondere Belastungen: {} = {}",
            list(&w.special_burdens, "keine"),
            burdens.german()
        ),
    );
    let after = above.saturating_sub(burdens);
    let income_above_limit_after_burdens = line(
        after,
        format!(
            "5) Einkommen über der Einkommensgrenze nach Abzug der besonderen Belastungen: {} − \
             {}, nicht unter 0,00 €: {}",
            above.german(),
            burdens.german(),
            after.german()
        ),
    );
    let reasonable = after.percent(w.reasonable_share_percent);
    let reasonable_burden = line(
        reasonable,
        format!(
            "6) Zumutbare Belastung: {} % von {} = {} monatlich (der Anteil ist festgelegt, die \
             Quellen nennen keinen)",
            german_decimal(w.reasonable_share_percent),
            after.german(),
            reasonable.german()
        ),
    );
    WaiverForm {
        total_income,
        pension_mother,
        pension_father,
        deductions_total,
        adjusted_income,
        basic_amount,
        family_supplements,
        housing_cost,
        income_limit,
        income_above_limit,
        special_burdens,
        income_above_limit_after_burdens,
        reasonable_burden,
    }
}

/// 1.2.2: the contribution, counted only up to the minimum own contribution (footnote 1). The
/// Riester sheet: yearly = max(Sockelbetrag, round(4 % × prior-year gross) − Grundzulage −
/// further allowances), monthly = round(yearly / 12).
fn pension_line(pension: Option<&Pension>, label: &str, v: &StatuteVersion) -> FormLine {
    let Some(pension) = pension else {
        return FormLine {
            amount: Money::ZERO,
            explanation: v.explain(Rule::WaiverForm, format!("{label}: keine")),
        };
    };
    let (minimum, how) = match &pension.minimum {
        PensionMinimum::Given(m) => (*m, String::new()),
        PensionMinimum::Sheet {
            prior_year_gross,
            further_allowances,
        } => {
            let r = &v.waiver.pension_minimum;
            let share = prior_year_gross.percent(r.gross_percent);
            let further: Money = further_allowances.iter().sum();
            let computed = share - r.basic_allowance - further;
            let yearly = computed.max(r.minimum_yearly);
            let monthly = yearly.scaled(Decimal::ONE, Decimal::from(12));
            (
                monthly,
                format!(
                    " (Riester-Blatt: {} % von {} = {} − Grundzulage {} − weitere Zulagen ({}), \
                     mindestens {}: {} jährlich, davon ein Zwölftel)",
                    german_decimal(r.gross_percent),
                    prior_year_gross.german(),
                    share.german(),
                    r.basic_allowance.german(),
                    list(further_allowances, "keine"),
                    r.minimum_yearly.german(),
                    yearly.german()
                ),
            )
        }
    };
    let counted = pension.contribution.min(minimum);
    FormLine {
        amount: counted,
        explanation: v.explain(
            Rule::WaiverForm,
            format!(
                "{label}: Beitrag {}, angerechnet bis zum Mindesteigenbeitrag von {}{how}: {}",
                pension.contribution.german(),
                minimum.german(),
                counted.german()
            ),
        ),
    }
}

/// A child's claim on the reasonable burden in a month (line 7).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Claim {
    /// The statute fee of the month.
    pub statute_fee: Money,
    /// `R`: the statute fee at the regular care time.
    pub regular_fee: Money,
    /// `E`: what is owed above the regular care time in any case.
    pub above_regular: Money,
}

/// Shares the burden `b` among the claims (given in rank order): each share is at most the
/// claim's regular fee.
pub fn share_burden(burden: Money, claims: &[Claim], allocation: Allocation) -> Vec<Money> {
    match allocation {
        Allocation::RankOrder => {
            let mut left = burden;
            claims
                .iter()
                .map(|c| {
                    let share = left.min(c.regular_fee);
                    left = left - share;
                    share
                })
                .collect()
        }
        Allocation::Proportional => {
            let total: Money = claims.iter().map(|c| c.regular_fee).sum();
            claims
                .iter()
                .map(|c| {
                    if total.is_zero() {
                        Money::ZERO
                    } else {
                        burden
                            .scaled(c.regular_fee.amount(), total.amount())
                            .min(c.regular_fee)
                    }
                })
                .collect()
        }
    }
}

/// The fee with the reduction: the share of the burden plus what is owed above the regular
/// time, never more than the statute fee (§ 13 (1): at most up to the statute's rates).
pub fn reduced_fee(claim: &Claim, share: Money) -> Money {
    claim.statute_fee.min(share + claim.above_regular)
}

/// `E` by the case's rule.
pub fn above_regular(
    rule: AboveRegularTime,
    statute_fee: Money,
    regular_fee: Money,
    tiers_above: usize,
    per_tier: Money,
) -> Money {
    match rule {
        AboveRegularTime::FeeDifference => statute_fee.saturating_sub(regular_fee),
        AboveRegularTime::FlatPerTier => per_tier.times(Decimal::from(tiers_above)),
    }
}

/// The outcome of a month, as the form's line 8 names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WaiverOutcome {
    /// Erlass: the family bears nothing of the regular fees.
    Waiver,
    /// Ermäßigung: the family bears part of them.
    Reduction,
    /// The family bears them in full.
    None,
}

impl WaiverOutcome {
    pub fn of(shares: &[Money], claims: &[Claim]) -> WaiverOutcome {
        let regular: Money = claims.iter().map(|c| c.regular_fee).sum();
        let shared: Money = shares.iter().sum();
        if regular > Money::ZERO && shared.is_zero() {
            WaiverOutcome::Waiver
        } else if shared < regular {
            WaiverOutcome::Reduction
        } else {
            WaiverOutcome::None
        }
    }

    /// The German name, as the form's line 8 and the decisions write it.
    pub fn german_name(self) -> &'static str {
        match self {
            WaiverOutcome::Waiver => "Erlass",
            WaiverOutcome::Reduction => "Ermäßigung",
            WaiverOutcome::None => "keine Ermäßigung",
        }
    }

    pub fn wire_name(self) -> &'static str {
        match self {
            WaiverOutcome::Waiver => "waiver",
            WaiverOutcome::Reduction => "reduction",
            WaiverOutcome::None => "none",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn eur(cents: i64) -> Money {
        Money::from_cents(cents)
    }

    fn claim(statute: i64, regular: i64) -> Claim {
        Claim {
            statute_fee: eur(statute),
            regular_fee: eur(regular),
            above_regular: eur(statute - regular),
        }
    }

    #[test]
    fn rank_order_fills_rank_one_first() {
        let claims = [claim(18936, 18936), claim(11362, 11362)];
        let shares = share_burden(eur(20000), &claims, Allocation::RankOrder);
        assert_eq!(shares, [eur(18936), eur(1064)]);
        assert_eq!(reduced_fee(&claims[1], shares[1]), eur(1064));
        assert_eq!(
            WaiverOutcome::of(&shares, &claims),
            WaiverOutcome::Reduction
        );
    }

    #[test]
    fn proportional_shares_round_each_and_never_exceed_the_regular_fee() {
        let claims = [claim(18936, 18936), claim(11362, 11362)];
        // 100 × 189.36 / 302.98 = 62.4991… → 62.50; 100 × 113.62 / 302.98 = 37.5008… → 37.50
        let shares = share_burden(eur(10000), &claims, Allocation::Proportional);
        assert_eq!(shares, [eur(6250), eur(3750)]);
        let shares = share_burden(eur(99999), &claims, Allocation::Proportional);
        assert_eq!(shares, [eur(18936), eur(11362)]);
        assert_eq!(WaiverOutcome::of(&shares, &claims), WaiverOutcome::None);
    }

    #[test]
    fn no_burden_is_a_waiver_and_no_regular_fee_is_none() {
        let claims = [claim(18936, 18936)];
        let shares = share_burden(Money::ZERO, &claims, Allocation::RankOrder);
        assert_eq!(WaiverOutcome::of(&shares, &claims), WaiverOutcome::Waiver);
        let free = [claim(0, 0)];
        let shares = share_burden(Money::ZERO, &free, Allocation::Proportional);
        assert_eq!(WaiverOutcome::of(&shares, &free), WaiverOutcome::None);
    }
}
