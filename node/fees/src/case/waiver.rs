//! The waiver block of a case: an application for an income-based reduction or waiver (§ 13,
//! § 90 SGB VIII) with the lines of the annex C form "Feststellung der zumutbaren Belastung".

use super::parse::{choose_str, not_before_statute};
use super::reader::{decimal, money, Obj};
use super::{Attendance, CaseError, Child, Family};
use crate::care::{CareType, FeeGroup, Status};
use crate::money::{Hours, Money};
use crate::month::{Month, MonthSpan};
use crate::statute::{Statute, StatuteVersion};
use rust_decimal::Decimal;
use serde_json::Value;
use std::collections::BTreeMap;

#[derive(Debug, Clone)]
pub struct WaiverCase {
    /// Months the grant covers; `None`: every month of the case.
    pub grant_period: Option<MonthSpan>,
    /// The statute version whose form values (728 €, caps, flats) apply: the one in force in
    /// the first month of the grant.
    pub form_version: String,
    pub income: Income,
    pub deductions: Deductions,
    pub limit: IncomeLimit,
    /// Line 4: besondere Belastungen (§ 87 SGB XII).
    pub special_burdens: Vec<Money>,
    /// Line 6: the share of the income above the limit the family can reasonably bear.
    pub reasonable_share_percent: Decimal,
    pub allocation: Allocation,
    /// Regular care time (§ 13 (3)) by care type; `kita` children use the `krippe` and
    /// `kindergarten` entries by their fee group of the month.
    pub regular_care_hours: BTreeMap<CareType, Hours>,
    pub above_regular_time: AboveRegularTime,
}

impl WaiverCase {
    pub fn grants(&self, month: Month) -> bool {
        self.grant_period.is_none_or(|p| p.contains(month))
    }
}

/// 1.1 Gesamteinkommen.
#[derive(Debug, Clone, Default)]
pub struct Income {
    pub mother_net: Money,
    pub father_net: Money,
    pub child_benefit: ChildBenefit,
    pub maintenance: Money,
    pub housing_benefit: Money,
    pub other: Vec<Money>,
}

/// 1.1 c) Kindergeld: an amount, or the configured amount for a number of children.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChildBenefit {
    Amount(Money),
    ForChildren(u32),
}

impl Default for ChildBenefit {
    fn default() -> ChildBenefit {
        ChildBenefit::Amount(Money::ZERO)
    }
}

/// 1.2 abzusetzende Beträge.
#[derive(Debug, Clone, Default)]
pub struct Deductions {
    pub work_equipment: FlatOrAmount,
    pub travel: Travel,
    pub double_household: FlatOrAmount,
    pub other_expenses: Money,
    pub pension_mother: Option<Pension>,
    pub pension_father: Option<Pension>,
    pub liability_insurance: Money,
    pub household_insurance: Money,
    pub accident_insurance: Money,
    pub other_insurance: Money,
}

/// An amount, or the configured flat amount.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FlatOrAmount {
    Amount(Money),
    Flat,
}

impl Default for FlatOrAmount {
    fn default() -> FlatOrAmount {
        FlatOrAmount::Amount(Money::ZERO)
    }
}

/// 1.2.1 b) Fahrtkosten.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Travel {
    Amount(Money),
    /// One-way kilometres by car, whole km.
    CarKm(u32),
    /// A monthly ticket of the configured kinds (A1, B, C, D).
    Ticket(String),
}

impl Default for Travel {
    fn default() -> Travel {
        Travel::Amount(Money::ZERO)
    }
}

/// 1.2.2 geförderte Altersvorsorgebeiträge of one parent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pension {
    pub contribution: Money,
    pub minimum: PensionMinimum,
}

/// The minimum own contribution (§ 86 EStG) the contribution is capped at (footnote 1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PensionMinimum {
    Given(Money),
    /// Computed by the Riester sheet from the prior year's gross income; the further allowances
    /// (child allowances, bonuses) are amounts because the sheet prints none.
    Sheet {
        prior_year_gross: Money,
        further_allowances: Vec<Money>,
    },
}

/// 2 b, c of the form.
#[derive(Debug, Clone, Default)]
pub struct IncomeLimit {
    pub family_supplements: u32,
    pub household_size: Option<u32>,
    pub housing_cost: Money,
}

/// How the reasonable burden is shared among the children (line 7 gives no rule).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Allocation {
    /// Rank 1 bears up to its regular fee, then rank 2, …
    RankOrder,
    /// Each child bears its part of the burden in proportion to its regular fee.
    Proportional,
}

/// What parents pay for care beyond the regular care time (§ 13 (3) leaves it open).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AboveRegularTime {
    /// The statute fee's difference to the fee at the regular time.
    FeeDifference,
    /// The Mehrbetreuung flat per offered tier above the regular time.
    FlatPerTier,
}

const WAIVER_FIELDS: [&str; 9] = [
    "grant_period",
    "income",
    "deductions",
    "limit",
    "special_burdens",
    "reasonable_share_percent",
    "allocation",
    "regular_care_hours",
    "above_regular_time",
];

pub(super) fn parse_waiver(
    root: &Obj,
    statute: &Statute,
    versions: &[&StatuteVersion],
    months: &[Month],
    family: &Family,
    children: &[Child],
) -> Result<Option<WaiverCase>, CaseError> {
    let Some(waiver) = root.object("waiver")? else {
        return Ok(None);
    };
    if !family.residence_in_city {
        return Err(waiver.path.error(
            "families living outside the city get no income-based reduction here (Lastenheft \
             3.10.3.2: they apply at their own Jugendamt); remove the waiver block",
        ));
    }
    waiver.deny_unknown(&WAIVER_FIELDS)?;

    let grant_period = match waiver.object("grant_period")? {
        None => None,
        Some(grant) => Some(parse_grant_period(&grant, statute)?),
    };
    let first = grant_period.map_or(months[0], |g| g.first());
    let form = statute.version_at(first).ok_or_else(|| {
        waiver.path.key("grant_period").key("from").error(format!(
            "no version of statute {} is in force in {first}",
            statute.id
        ))
    })?;
    if let Some(grant) = grant_period {
        let max = form.waiver.max_grant_months;
        if grant.len() > max {
            return Err(waiver.path.key("grant_period").error(format!(
                "a grant lasts at most {max} months (Lastenheft 3.10.3); this one has {}",
                grant.len()
            )));
        }
    }

    let income = match waiver.object("income")? {
        None => Income::default(),
        Some(income) => parse_income(&income, form)?,
    };
    let deductions = match waiver.object("deductions")? {
        None => Deductions::default(),
        Some(deductions) => parse_deductions(&deductions, form)?,
    };
    let limit = match waiver.object("limit")? {
        None => IncomeLimit::default(),
        Some(limit) => parse_limit(&limit)?,
    };
    let special_burdens = waiver.money_list("special_burdens")?;

    let (value, path) = waiver.require("reasonable_share_percent").map_err(|e| {
        CaseError::new(
            &e.field,
            "is required: no source gives the reasonable share of the income above the limit; \
             give a percentage 0..100 as a string",
        )
    })?;
    let reasonable_share_percent = decimal(value, &path)?;
    if reasonable_share_percent > Decimal::ONE_HUNDRED {
        return Err(path.error("must be a percentage from 0 to 100"));
    }
    let (value, path) = waiver.require("allocation").map_err(|e| {
        CaseError::new(
            &e.field,
            "is required: line 7 of the form splits the burden among the children but gives no \
             rule; give rank_order or proportional",
        )
    })?;
    let allocation = choose_str(
        value,
        &path,
        &[
            ("rank_order", Allocation::RankOrder),
            ("proportional", Allocation::Proportional),
        ],
    )?;
    let regular_care_hours = parse_regular_care_hours(&waiver, versions, children)?;
    let (value, path) = waiver.require("above_regular_time").map_err(|e| {
        CaseError::new(
            &e.field,
            "is required: § 13 (3) leaves open what is owed above the regular care time; give \
             fee_difference or flat_per_tier",
        )
    })?;
    let above_regular_time = choose_str(
        value,
        &path,
        &[
            ("fee_difference", AboveRegularTime::FeeDifference),
            ("flat_per_tier", AboveRegularTime::FlatPerTier),
        ],
    )?;

    Ok(Some(WaiverCase {
        grant_period,
        form_version: form.version.clone(),
        income,
        deductions,
        limit,
        special_burdens,
        reasonable_share_percent,
        allocation,
        regular_care_hours,
        above_regular_time,
    }))
}

fn parse_grant_period(grant: &Obj, statute: &Statute) -> Result<MonthSpan, CaseError> {
    grant.deny_unknown(&["from", "to"])?;
    let (from, from_path) = grant
        .month("from")?
        .ok_or_else(|| grant.path.key("from").error("is required"))?;
    not_before_statute(from, &from_path, statute)?;
    let (to, to_path) = grant
        .month("to")?
        .ok_or_else(|| grant.path.key("to").error("is required"))?;
    MonthSpan::new(from, to).ok_or_else(|| to_path.error(format!("{to} is before from ({from})")))
}

fn parse_income(income: &Obj, form: &StatuteVersion) -> Result<Income, CaseError> {
    income.deny_unknown(&[
        "mother_net",
        "father_net",
        "child_benefit",
        "maintenance",
        "housing_benefit",
        "other",
    ])?;
    let child_benefit = match income.get("child_benefit") {
        None => ChildBenefit::default(),
        Some((value @ Value::Object(_), path)) => {
            let by_children = Obj::new(value, path)?;
            by_children.deny_unknown(&["children"])?;
            let (n, path) = by_children
                .count("children")?
                .ok_or_else(|| by_children.path.key("children").error("is required"))?;
            let listed = form.waiver.child_benefit_by_children.len();
            if n == 0 || n as usize > listed {
                return Err(path.error(format!(
                    "the configured Kindergeld covers 1 to {listed} children; for more, give the amount"
                )));
            }
            ChildBenefit::ForChildren(n)
        }
        Some((value, path)) => ChildBenefit::Amount(money(value, &path)?),
    };
    Ok(Income {
        mother_net: income.money_or_zero("mother_net")?,
        father_net: income.money_or_zero("father_net")?,
        child_benefit,
        maintenance: income.money_or_zero("maintenance")?,
        housing_benefit: income.money_or_zero("housing_benefit")?,
        other: income.money_list("other")?,
    })
}

fn parse_deductions(deductions: &Obj, form: &StatuteVersion) -> Result<Deductions, CaseError> {
    deductions.deny_unknown(&[
        "work_equipment",
        "travel",
        "double_household",
        "other_expenses",
        "pension_mother",
        "pension_father",
        "liability_insurance",
        "household_insurance",
        "accident_insurance",
        "other_insurance",
    ])?;
    let flat_or_amount = |key: &str| -> Result<FlatOrAmount, CaseError> {
        match deductions.get(key) {
            None => Ok(FlatOrAmount::default()),
            Some((Value::String(s), _)) if s == "flat" => Ok(FlatOrAmount::Flat),
            Some((value, path)) => money(value, &path)
                .map(FlatOrAmount::Amount)
                .map_err(|e| CaseError::new(&e.field, format!("{}, or \"flat\"", e.message))),
        }
    };
    let travel =
        match deductions.get("travel") {
            None => Travel::default(),
            Some((value @ Value::Object(_), path)) => {
                let travel = Obj::new(value, path)?;
                travel.deny_unknown(&["car_km", "ticket"])?;
                match (travel.count("car_km")?, travel.str("ticket")?) {
                    (Some((km, _)), None) => Travel::CarKm(km),
                    (None, Some((ticket, path))) => {
                        if !form.waiver.monthly_tickets.contains_key(ticket) {
                            let known: Vec<&str> = form
                                .waiver
                                .monthly_tickets
                                .keys()
                                .map(String::as_str)
                                .collect();
                            return Err(path.error(format!(
                                "{ticket:?} is not a configured monthly ticket; known: {}",
                                known.join(", ")
                            )));
                        }
                        Travel::Ticket(ticket.to_owned())
                    }
                    (Some(_), Some(_)) => {
                        return Err(travel
                            .path
                            .key("ticket")
                            .error("give either car_km or ticket, not both"))
                    }
                    (None, None) => return Err(travel.path.key("car_km").error(
                        "is required: give car_km or ticket (or the amount instead of an object)",
                    )),
                }
            }
            Some((value, path)) => Travel::Amount(money(value, &path)?),
        };
    Ok(Deductions {
        work_equipment: flat_or_amount("work_equipment")?,
        travel,
        double_household: flat_or_amount("double_household")?,
        other_expenses: deductions.money_or_zero("other_expenses")?,
        pension_mother: deductions
            .object("pension_mother")?
            .map(|p| parse_pension(&p))
            .transpose()?,
        pension_father: deductions
            .object("pension_father")?
            .map(|p| parse_pension(&p))
            .transpose()?,
        liability_insurance: deductions.money_or_zero("liability_insurance")?,
        household_insurance: deductions.money_or_zero("household_insurance")?,
        accident_insurance: deductions.money_or_zero("accident_insurance")?,
        other_insurance: deductions.money_or_zero("other_insurance")?,
    })
}

fn parse_pension(pension: &Obj) -> Result<Pension, CaseError> {
    pension.deny_unknown(&["contribution", "minimum_own_contribution", "minimum_sheet"])?;
    let contribution = pension
        .money("contribution")?
        .ok_or_else(|| pension.path.key("contribution").error("is required"))?;
    let minimum = match (
        pension.money("minimum_own_contribution")?,
        pension.object("minimum_sheet")?,
    ) {
        (Some(given), None) => PensionMinimum::Given(given),
        (None, Some(sheet)) => {
            sheet.deny_unknown(&["prior_year_gross", "further_allowances"])?;
            PensionMinimum::Sheet {
                prior_year_gross: sheet
                    .money("prior_year_gross")?
                    .ok_or_else(|| sheet.path.key("prior_year_gross").error("is required"))?,
                further_allowances: sheet.money_list("further_allowances")?,
            }
        }
        (Some(_), Some(_)) => {
            return Err(pension
                .path
                .key("minimum_sheet")
                .error("give either minimum_own_contribution or minimum_sheet, not both"))
        }
        (None, None) => {
            return Err(pension.path.key("minimum_own_contribution").error(
                "is required: give minimum_own_contribution or minimum_sheet (footnote 1: \
                 contributions count only up to the minimum own contribution, § 86 EStG)",
            ))
        }
    };
    Ok(Pension {
        contribution,
        minimum,
    })
}

fn parse_limit(limit: &Obj) -> Result<IncomeLimit, CaseError> {
    limit.deny_unknown(&["family_supplements", "household_size", "housing_cost"])?;
    let household_size = match limit.count("household_size")? {
        Some((0, path)) => return Err(path.error("must be at least 1")),
        other => other.map(|(n, _)| n),
    };
    let housing_cost = limit.money_or_zero("housing_cost")?;
    if !housing_cost.is_zero() && household_size.is_none() {
        return Err(limit
            .path
            .key("household_size")
            .error("is required when housing_cost is given: the cap depends on it"));
    }
    Ok(IncomeLimit {
        family_supplements: limit.count("family_supplements")?.map_or(0, |(n, _)| n),
        household_size,
        housing_cost,
    })
}

/// The regular care time per care type: required for every care type a `regular` child has
/// (`kita`: both `krippe` and `kindergarten`), each an offered tier.
fn parse_regular_care_hours(
    waiver: &Obj,
    versions: &[&StatuteVersion],
    children: &[Child],
) -> Result<BTreeMap<CareType, Hours>, CaseError> {
    let hours = waiver.object("regular_care_hours")?.ok_or_else(|| {
        waiver.path.key("regular_care_hours").error(
            "is required: the regular care time the reduction covers (§ 13 (3)), per care type, \
             e.g. {\"krippe\": \"9\", \"kindergarten\": \"9\", \"hort\": \"5\"}",
        )
    })?;
    // Keys name care types; a `kita` reads the entries of its two fee groups instead.
    let keys: Vec<(&str, CareType)> = CareType::WIRE_NAMES
        .into_iter()
        .filter(|(_, c)| *c != CareType::NurseryThenKindergarten)
        .collect();
    let names: Vec<&str> = keys.iter().map(|(k, _)| *k).collect();
    hours.deny_unknown(&names)?;
    let mut parsed = BTreeMap::new();
    for (key, care_type) in keys {
        if let Some((value, path)) = hours.get(key) {
            let tier = Hours::from_decimal(decimal(value, &path)?);
            if let Some(v) = versions.iter().find(|v| !v.offers(care_type, tier)) {
                return Err(path.error(format!(
                    "{tier} is not an offered tier of {key} in {}",
                    v.version
                )));
            }
            parsed.insert(care_type, tier);
        }
    }
    for child in children {
        for attendance in child.attendance.values() {
            let Attendance::InCity {
                status: Status::Regular,
                care,
            } = attendance
            else {
                continue;
            };
            for needed in regular_hours_keys(care.care_type) {
                if !parsed.contains_key(&needed) {
                    return Err(hours.path.key(needed.wire_name()).error(format!(
                        "is required: child {} has care type {}",
                        child.id, care.care_type
                    )));
                }
            }
        }
    }
    Ok(parsed)
}

/// The `regular_care_hours` entries a care type reads.
fn regular_hours_keys(care_type: CareType) -> Vec<CareType> {
    match care_type {
        CareType::NurseryThenKindergarten => vec![CareType::Nursery, CareType::Kindergarten],
        other => vec![other],
    }
}

/// The `regular_care_hours` entry for a child's care type in a month priced as `group`.
pub(crate) fn regular_hours_key(care_type: CareType, group: FeeGroup) -> CareType {
    match care_type {
        CareType::NurseryThenKindergarten => match group {
            FeeGroup::Nursery => CareType::Nursery,
            FeeGroup::Kindergarten => CareType::Kindergarten,
            FeeGroup::AfterSchool => CareType::AfterSchool,
            FeeGroup::SupportedAfterSchool => CareType::SupportedAfterSchool,
        },
        other => other,
    }
}
