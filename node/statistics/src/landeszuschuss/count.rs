//! The rules of the count and its result (`kitanetz-landeszuschuss-result/1`).

use super::{CareType, Contract, CountInput, RESULT_FORMAT};
use crate::ids::ContractId;
use crate::numbers::{round_half_up, TwoPlaces};
use crate::period::completed_months;
use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::Serialize;
use std::collections::BTreeMap;

/// "berechnet auf eine tägliche neunstündige Betreuungszeit" (§ 18 Abs. 1 S. 2, L4947).
const NINE_HOURS: Decimal = Decimal::from_parts(9, 0, 0, false, 0);

/// Why a contract is not counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Exclusion {
    /// Not in force on the Stichtag ("am 1. April des Jahres wirksamen", L4981).
    NotInForce,
    /// In force, but with a term under two months ("mit einer Laufzeit von mindestens zwei
    /// Monaten", L4982).
    TermUnderTwoMonths,
}

/// Whether a contract counts on the Stichtag; in force is checked first (§ 18 Abs. 5 S. 3,
/// L4980–4982).
pub fn exclusion(contract: &Contract, reference_date: NaiveDate) -> Option<Exclusion> {
    if !contract.term.contains(reference_date) {
        Some(Exclusion::NotInForce)
    } else if !contract.term.lasts_at_least_months(2) {
        Some(Exclusion::TermUnderTwoMonths)
    } else {
        None
    }
}

/// The row of the state form a counted contract goes to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum FormRow {
    /// 4.1 a) "Krippen / kombinierte Einrichtungen (Personalschlüssel Krippe)", L6528.
    Krippe,
    /// 4.1 b) "Kindergärten / kombinierte Einrichtungen", L6564.
    Kindergarten,
    /// 4.1 c) "Horte / kombinierte Einrichtungen", L6600.
    Hort,
    /// 4.3 "in Tagespflege aufgenommene Kinder", L6658.
    Tagespflege,
}

/// Completed months from which a child can no longer be in row a): the 34th month of life has
/// begun (form b) "ab 34. Lebensmonat", L6565).
const KINDERGARTEN_FROM_MONTHS: u32 = 33;
/// Completed months from which a child can no longer be in row b): the 3rd birthday (form a)
/// "bis zur Vollendung des 3. Lebensjahres", L6529).
const KRIPPE_UNTIL_MONTHS: u32 = 36;

/// The form row of a contract on the Stichtag. Krippe and Kindergarten go by age: under 33
/// completed months a), from 36 b), in the overlap of the two rows' age ranges the contract's
/// care type decides. A child not yet born on the Stichtag has no completed months: a).
pub fn form_row(contract: &Contract, reference_date: NaiveDate) -> FormRow {
    let by_contract = match contract.care_type {
        CareType::Hort => return FormRow::Hort,
        CareType::Tagespflege => return FormRow::Tagespflege,
        CareType::Krippe => FormRow::Krippe,
        CareType::Kindergarten => FormRow::Kindergarten,
    };
    let months = contract
        .birth_date
        .and_then(|birth| completed_months(birth, reference_date));
    match months {
        None => FormRow::Krippe,
        Some(m) if m < KINDERGARTEN_FROM_MONTHS => FormRow::Krippe,
        Some(m) if m >= KRIPPE_UNTIL_MONTHS => FormRow::Kindergarten,
        Some(_) => by_contract,
    }
}

/// Hours counted per day: "Betreuungszeiten, die über neun Stunden pro Tag hinausgehen, bleiben
/// unberücksichtigt" (L4948–4949); the form's tier "9,0 h und darüber" (L6530).
pub fn capped_daily_hours(daily_hours: Decimal) -> Decimal {
    daily_hours.min(NINE_HOURS)
}

/// Care hours ÷ 9, rounded half up to two places ("Angabe auf zwei Kommastellen gerundet",
/// L6640; the form names no direction).
pub fn to_nine_hour_children(care_hours: Decimal) -> Decimal {
    round_half_up(care_hours / NINE_HOURS, 2)
}

/// Children of one tier: the same counted hours.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Tier {
    pub hours: TwoPlaces,
    pub children: u32,
    /// `hours × children`.
    pub care_hours: TwoPlaces,
}

/// A facility row of 4.1 with its 4.2 count.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FacilityGroup {
    /// Only tiers with children, by hours descending.
    pub tiers: Vec<Tier>,
    pub children: u32,
    pub care_hours: TwoPlaces,
    /// Children of this row with Eingliederungshilfe (4.2, L6650–6652).
    pub eingliederungshilfe: u32,
}

/// Tagespflege (4.3): no Eingliederungshilfe count, § 18 Abs. 2 pays it only "in einer
/// Einrichtung" (L4952).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TagespflegeGroup {
    pub tiers: Vec<Tier>,
    pub children: u32,
    pub care_hours: TwoPlaces,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Groups {
    pub krippe: FacilityGroup,
    pub kindergarten: FacilityGroup,
    pub hort: FacilityGroup,
    pub tagespflege: TagespflegeGroup,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Excluded {
    pub id: ContractId,
    pub reason: Exclusion,
}

/// The filled form, `kitanetz-landeszuschuss-result/1`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LandeszuschussResult {
    pub format: &'static str,
    pub reference_date: NaiveDate,
    pub groups: Groups,
    /// Σ care hours of a), b), c) (4.1 d, L6630).
    pub facility_care_hours: TwoPlaces,
    /// 4.1 d): ÷ 9, two places.
    pub facility_children_9h: TwoPlaces,
    /// 4.2.
    pub eingliederungshilfe_children: u32,
    pub tagespflege_care_hours: TwoPlaces,
    /// 4.3: ÷ 9, two places.
    pub tagespflege_children_9h: TwoPlaces,
    /// 4.4 "Gesamt" = 4.1 + 4.2 + 4.3.
    pub total_children: TwoPlaces,
    pub rate_per_child: TwoPlaces,
    /// 4.4: total × rate, half up to the cent.
    pub subsidy: TwoPlaces,
    /// Sorted by id.
    pub excluded: Vec<Excluded>,
}

/// The counted hours of one form row: children by tier.
#[derive(Default)]
struct RowCount {
    children_by_hours: BTreeMap<Decimal, u32>,
    eingliederungshilfe: u32,
}

impl RowCount {
    fn add(&mut self, contract: &Contract) {
        *self
            .children_by_hours
            .entry(capped_daily_hours(contract.daily_hours))
            .or_default() += 1;
        self.eingliederungshilfe += u32::from(contract.eingliederungshilfe);
    }

    fn children(&self) -> u32 {
        self.children_by_hours.values().sum()
    }

    fn care_hours(&self) -> Decimal {
        self.children_by_hours
            .iter()
            .map(|(hours, children)| hours * Decimal::from(*children))
            .sum()
    }

    fn tiers(&self) -> Vec<Tier> {
        self.children_by_hours
            .iter()
            .rev()
            .map(|(hours, children)| Tier {
                hours: TwoPlaces(*hours),
                children: *children,
                care_hours: TwoPlaces(hours * Decimal::from(*children)),
            })
            .collect()
    }

    fn facility_group(&self) -> FacilityGroup {
        FacilityGroup {
            tiers: self.tiers(),
            children: self.children(),
            care_hours: TwoPlaces(self.care_hours()),
            eingliederungshilfe: self.eingliederungshilfe,
        }
    }
}

/// Fills the form 4.1–4.4 from the contracts.
pub fn count(input: &CountInput) -> LandeszuschussResult {
    let mut rows: BTreeMap<FormRow, RowCount> = BTreeMap::new();
    let mut excluded = Vec::new();
    for contract in &input.contracts {
        match exclusion(contract, input.reference_date) {
            Some(reason) => excluded.push(Excluded {
                id: contract.id.clone(),
                reason,
            }),
            None => rows
                .entry(form_row(contract, input.reference_date))
                .or_default()
                .add(contract),
        }
    }
    excluded.sort_by(|a, b| a.id.cmp(&b.id));

    let mut row = |r: FormRow| rows.remove(&r).unwrap_or_default();
    let (krippe, kindergarten, hort, tagespflege) = (
        row(FormRow::Krippe),
        row(FormRow::Kindergarten),
        row(FormRow::Hort),
        row(FormRow::Tagespflege),
    );
    let facility_rows = [&krippe, &kindergarten, &hort];
    let facility_care_hours: Decimal = facility_rows.iter().map(|r| r.care_hours()).sum();
    let facility_children_9h = to_nine_hour_children(facility_care_hours);
    // § 18 Abs. 2: "für jedes Kind, für das in einer Einrichtung Eingliederungshilfe gewährt
    // wird" – Tagespflege contracts never count here.
    let eingliederungshilfe_children: u32 =
        facility_rows.iter().map(|r| r.eingliederungshilfe).sum();
    let tagespflege_care_hours = tagespflege.care_hours();
    let tagespflege_children_9h = to_nine_hour_children(tagespflege_care_hours);
    let total_children = facility_children_9h
        + Decimal::from(eingliederungshilfe_children)
        + tagespflege_children_9h;
    LandeszuschussResult {
        format: RESULT_FORMAT,
        reference_date: input.reference_date,
        groups: Groups {
            krippe: krippe.facility_group(),
            kindergarten: kindergarten.facility_group(),
            hort: hort.facility_group(),
            tagespflege: TagespflegeGroup {
                tiers: tagespflege.tiers(),
                children: tagespflege.children(),
                care_hours: TwoPlaces(tagespflege_care_hours),
            },
        },
        facility_care_hours: TwoPlaces(facility_care_hours),
        facility_children_9h: TwoPlaces(facility_children_9h),
        eingliederungshilfe_children,
        tagespflege_care_hours: TwoPlaces(tagespflege_care_hours),
        tagespflege_children_9h: TwoPlaces(tagespflege_children_9h),
        total_children: TwoPlaces(total_children),
        rate_per_child: TwoPlaces(input.rate_per_child),
        subsidy: TwoPlaces(round_half_up(total_children * input.rate_per_child, 2)),
        excluded,
    }
}
