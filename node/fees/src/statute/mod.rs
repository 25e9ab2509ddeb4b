//! Statutes (Satzungen) as dated data. A statute has versions, each valid for a span of months
//! (new operating costs apply from the 1st of a month, § 10 (4)); a computation looks up, for
//! every month, the version in force then. Dresden 2011 ships embedded (`dresden-2011.json`); a
//! city adds its own statute as another JSON document of the same shape, without code.

use crate::care::{CareType, FeeGroup};
use crate::explain::{Explanation, Rule};
use crate::money::{german_decimal, Hours, Money};
use crate::month::Month;
use rust_decimal::Decimal;
use serde::Deserialize;
use std::collections::BTreeMap;

const DRESDEN_2011: &str = include_str!("dresden-2011.json");

/// The statutes a computation can name.
#[derive(Debug, Clone)]
pub struct StatuteBook {
    statutes: Vec<Statute>,
}

impl StatuteBook {
    /// The statutes shipped with Kitanetz (Dresden 2011).
    pub fn builtin() -> StatuteBook {
        let dresden = Statute::from_json(DRESDEN_2011)
            // Checked by the tests; a broken embedded file is a build defect, not an input error.
            .unwrap_or_else(|e| panic!("embedded statute dresden-2011.json: {e}"));
        StatuteBook {
            statutes: vec![dresden],
        }
    }

    /// Adds (or replaces, by id) a statute.
    pub fn add(&mut self, statute: Statute) {
        self.statutes.retain(|s| s.id != statute.id);
        self.statutes.push(statute);
    }

    pub fn get(&self, id: &str) -> Option<&Statute> {
        self.statutes.iter().find(|s| s.id == id)
    }

    pub fn ids(&self) -> impl Iterator<Item = &str> {
        self.statutes.iter().map(|s| s.id.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StatuteError {
    #[error("the statute is not valid JSON of the statute shape: {0}")]
    Shape(String),
    #[error("statute {statute}: {problem}")]
    Invalid { statute: String, problem: String },
}

/// A municipal statute (Satzung) with its dated versions.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Statute {
    /// The name cases use, e.g. `dresden-2011`.
    pub id: String,
    pub title: String,
    /// Where the values come from.
    pub source: String,
    /// Ascending, not overlapping.
    pub versions: Vec<StatuteVersion>,
}

impl Statute {
    /// Reads and checks a statute document.
    pub fn from_json(json: &str) -> Result<Statute, StatuteError> {
        let statute: Statute =
            serde_json::from_str(json).map_err(|e| StatuteError::Shape(e.to_string()))?;
        statute.check()?;
        Ok(statute)
    }

    /// The version in force in `month`.
    pub fn version_at(&self, month: Month) -> Option<&StatuteVersion> {
        self.versions.iter().find(|v| v.is_valid_in(month))
    }

    /// The first month any version is in force.
    pub fn first_month(&self) -> Option<Month> {
        self.versions.first().map(|v| v.valid_from)
    }

    fn check(&self) -> Result<(), StatuteError> {
        let invalid = |problem: String| StatuteError::Invalid {
            statute: self.id.clone(),
            problem,
        };
        if self.versions.is_empty() {
            return Err(invalid("has no version".into()));
        }
        for pair in self.versions.windows(2) {
            let ends_before_next = pair[0].valid_until.is_some_and(|u| u < pair[1].valid_from);
            if !ends_before_next {
                return Err(invalid(format!(
                    "version {} must end before version {} starts (versions ascending, not overlapping)",
                    pair[0].version, pair[1].version
                )));
            }
        }
        for v in &self.versions {
            v.check()
                .map_err(|p| invalid(format!("{}: {p}", v.version)))?;
        }
        Ok(())
    }
}

/// The values of a statute for a span of months.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StatuteVersion {
    /// Named in every explanation, e.g. `dresden-2011/2011-09`.
    pub version: String,
    pub valid_from: Month,
    /// Last month in force; `None`: until further notice.
    pub valid_until: Option<Month>,
    /// The published basis (operating costs of which year, where published).
    pub basis: String,
    pub fee_groups: BTreeMap<FeeGroup, FeeGroupRates>,
    pub care_types: BTreeMap<CareType, FeeGroupOfCareType>,
    /// The values a case may choose for `kindergarten_fee_from_completed_months`.
    pub kindergarten_fee_from_completed_months: Vec<i64>,
    pub sibling_shares_percent: SiblingShares,
    /// Half fee when care starts on or after / ends on or before this day (§ 10 (1)).
    pub half_fee_day: u32,
    pub extra_care: ExtraCareRates,
    pub waiver: WaiverParameters,
    /// Rule key → paragraph, for the explanations; one entry per [`Rule`].
    pub paragraphs: BTreeMap<String, String>,
}

impl StatuteVersion {
    pub fn is_valid_in(&self, month: Month) -> bool {
        self.valid_from <= month && self.valid_until.is_none_or(|u| month <= u)
    }

    pub fn rates(&self, group: FeeGroup) -> &FeeGroupRates {
        // `check` made sure every fee group is present.
        &self.fee_groups[&group]
    }

    /// The fee groups a care type can be priced as (two for `kita`).
    pub fn fee_groups_of(&self, care_type: CareType) -> Vec<FeeGroup> {
        match self.care_types[&care_type] {
            FeeGroupOfCareType::FeeGroup(g) => vec![g],
            FeeGroupOfCareType::ByAge {
                until_switch,
                from_switch,
            } => vec![until_switch, from_switch],
        }
    }

    /// Whether `hours` is a priced tier for every fee group the care type can fall in.
    pub fn offers(&self, care_type: CareType, hours: Hours) -> bool {
        self.fee_groups_of(care_type)
            .into_iter()
            .all(|g| self.rates(g).tiers.contains(&hours))
    }

    /// The share in percent of the first child's fee for Zählkind `rank` (1-based); the last
    /// entry of the table holds for every further rank.
    pub fn sibling_share(&self, rank: usize, single_parent: bool) -> Decimal {
        let table = if single_parent {
            &self.sibling_shares_percent.single_parent
        } else {
            &self.sibling_shares_percent.two_parents
        };
        let index = rank.saturating_sub(1).min(table.len() - 1);
        table[index]
    }

    pub fn paragraph(&self, rule: Rule) -> &str {
        self.paragraphs.get(rule.key()).map_or("", |p| p.as_str())
    }

    /// An explanation of `rule` under this version.
    pub fn explain(&self, rule: Rule, detail: impl Into<String>) -> Explanation {
        Explanation {
            rule,
            statute_version: self.version.clone(),
            paragraph: self.paragraph(rule).to_owned(),
            detail: detail.into(),
        }
    }

    fn check(&self) -> Result<(), String> {
        if self.valid_until.is_some_and(|u| u < self.valid_from) {
            return Err("valid_until is before valid_from".into());
        }
        for group in FeeGroup::ALL {
            let rates = self
                .fee_groups
                .get(&group)
                .ok_or_else(|| format!("fee group {} is missing", group.wire_name()))?;
            rates
                .check()
                .map_err(|p| format!("fee group {}: {p}", group.wire_name()))?;
        }
        for (_, care_type) in CareType::WIRE_NAMES {
            if !self.care_types.contains_key(&care_type) {
                return Err(format!("care type {care_type} has no fee group"));
            }
        }
        let shares = &self.sibling_shares_percent;
        if shares.two_parents.is_empty() || shares.single_parent.is_empty() {
            return Err("sibling_shares_percent needs at least one share per table".into());
        }
        if !(1..=28).contains(&self.half_fee_day) {
            return Err("half_fee_day must be a day 1..28".into());
        }
        let w = &self.waiver;
        if w.housing_cost_cap_by_household_size.is_empty() || w.child_benefit_by_children.is_empty()
        {
            return Err("waiver tables must not be empty".into());
        }
        for rule in Rule::ALL {
            if !self.paragraphs.contains_key(rule.key()) {
                return Err(format!("paragraphs has no entry for {}", rule.key()));
            }
        }
        if let Some(unknown) = self
            .paragraphs
            .keys()
            .find(|k| !Rule::ALL.iter().any(|r| r.key() == k.as_str()))
        {
            return Err(format!("paragraphs names an unknown rule {unknown}"));
        }
        Ok(())
    }
}

/// How a fee group is priced (§ 11 (1)).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FeeGroupRates {
    /// German name for explanations ("Krippe").
    pub name: String,
    /// The parents' share of the operating cost (Krippe 23 %, Kindergarten and Hort 30 %,
    /// Förderhort 25 % in Dresden).
    pub cost_share_percent: Decimal,
    /// Operating cost per place and month at the base hours, when the statute's data give it;
    /// the fee at base hours is then `round(cost × share)`.
    pub operating_cost: Option<Money>,
    /// The published first-child fee at the base hours, when the sources give the fee and not
    /// the cost (Dresden 2011: annex C gives fees; the Amtsblatt's costs are not in the sources).
    pub fee_at_base_hours: Option<Money>,
    /// Care time the base fee is for (9 h; Hort 6 h).
    pub base_hours: Hours,
    /// Offered care tiers that have a price.
    pub tiers: Vec<Hours>,
}

impl FeeGroupRates {
    /// The first child's fee at the base hours, with how it was obtained.
    pub fn fee_at_base_hours(&self) -> (Money, String) {
        match (self.fee_at_base_hours, self.operating_cost) {
            (Some(fee), _) => (fee, format!("veröffentlichter Beitrag {}", fee.german())),
            (None, Some(cost)) => {
                let fee = cost.percent(self.cost_share_percent);
                (
                    fee,
                    format!(
                        "{} % der Betriebskosten von {} = {}",
                        german_decimal(self.cost_share_percent),
                        cost.german(),
                        fee.german()
                    ),
                )
            }
            // `check` requires exactly one of the two.
            (None, None) => (Money::ZERO, "kein Beitrag".into()),
        }
    }

    fn check(&self) -> Result<(), String> {
        if self.fee_at_base_hours.is_some() == self.operating_cost.is_some() {
            return Err("give exactly one of fee_at_base_hours and operating_cost".into());
        }
        if self.base_hours.value() <= Decimal::ZERO {
            return Err("base_hours must be positive".into());
        }
        if self.tiers.is_empty() {
            return Err("tiers must not be empty".into());
        }
        Ok(())
    }
}

/// Which fee group a care type pays.
#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum FeeGroupOfCareType {
    /// Always this group (Tagespflege → Krippe, § 11 (3)).
    FeeGroup(FeeGroup),
    /// By completed months of age at the 1st of the month (`kita`).
    ByAge {
        until_switch: FeeGroup,
        from_switch: FeeGroup,
    },
}

/// Shares in percent of the first child's fee by Zählkind rank.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SiblingShares {
    pub two_parents: Vec<Decimal>,
    pub single_parent: Vec<Decimal>,
}

/// Mehrbetreuung (§ 5).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExtraCareRates {
    pub per_tier: Money,
    pub after_closing: Money,
    /// Fee groups whose children pay no tier charge on school-free days (§ 5 (3)).
    pub no_tier_charge_on_school_free_days: Vec<FeeGroup>,
}

impl ExtraCareRates {
    /// The charge of the tiers exceeded on one day: `tiers` × the tier rate, none when the
    /// day's tier charge is waived (a Hort child on a school-free day, § 5 (3)).
    pub fn tier_charge(&self, tiers: u32, waived: bool) -> Money {
        if waived {
            Money::ZERO
        } else {
            self.per_tier.times(Decimal::from(tiers))
        }
    }

    /// What § 5 charges for one day: the tiers ([`ExtraCareRates::tier_charge`]) and the flat
    /// rate for a pick-up after closing time.
    pub fn day_charge(&self, tiers: u32, tiers_waived: bool, after_closing: bool) -> Money {
        let late = if after_closing {
            self.after_closing
        } else {
            Money::ZERO
        };
        self.tier_charge(tiers, tiers_waived) + late
    }
}

/// Values of the waiver form and its configuration sheet (annex C).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WaiverParameters {
    /// A grant lasts at most this many months (Lastenheft 3.10.3).
    pub max_grant_months: i64,
    /// 2 a) Grundbetrag.
    pub basic_amount: Money,
    /// 2 b) per Familienzuschlag.
    pub family_supplement: Money,
    /// 2 c) cap of the housing cost for 1, 2, … persons.
    pub housing_cost_cap_by_household_size: Vec<Money>,
    pub housing_cost_cap_per_further_person: Money,
    /// 1.1 c) Kindergeld for 1, 2, … children.
    pub child_benefit_by_children: Vec<Money>,
    pub work_equipment_flat: Money,
    pub car_per_km: Money,
    pub car_max_km: u32,
    pub monthly_tickets: BTreeMap<String, Money>,
    pub double_household_flat: Money,
    pub pension_minimum: PensionMinimumRates,
}

impl WaiverParameters {
    /// The cap of the housing cost for a household of `persons` (≥ 1).
    pub fn housing_cost_cap(&self, persons: u32) -> Money {
        let table = &self.housing_cost_cap_by_household_size;
        let listed = table.len();
        let persons = persons.max(1) as usize;
        if persons <= listed {
            table[persons - 1]
        } else {
            let further = Decimal::from(persons - listed);
            table[listed - 1] + self.housing_cost_cap_per_further_person.times(further)
        }
    }
}

/// The Riester sheet's minimum own contribution (§§ 84, 86 EStG as of the sheet).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PensionMinimumRates {
    /// Percent of the prior year's gross income subject to pension insurance.
    pub gross_percent: Decimal,
    /// Grundzulage (§ 84 EStG).
    pub basic_allowance: Money,
    /// Sockelbetrag per year (§ 86 (1) Satz 4 EStG).
    pub minimum_yearly: Money,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_embedded_statute_loads_and_is_complete() {
        let book = StatuteBook::builtin();
        let dresden = book.get("dresden-2011").expect("dresden-2011");
        assert_eq!(dresden.first_month(), Month::parse("2011-09"));
        assert!(dresden
            .version_at(Month::parse("2011-08").unwrap())
            .is_none());
        let v = dresden
            .version_at(Month::parse("2030-01").unwrap())
            .unwrap();
        // RULES.md §4 / § 11 (1) (L5394-5400): 23 %, 30 %, 30 %, 25 %.
        let share = |g| v.rates(g).cost_share_percent.to_string();
        assert_eq!(share(FeeGroup::Nursery), "23");
        assert_eq!(share(FeeGroup::Kindergarten), "30");
        assert_eq!(share(FeeGroup::AfterSchool), "30");
        assert_eq!(share(FeeGroup::SupportedAfterSchool), "25");
    }

    #[test]
    fn housing_caps_grow_per_further_person() {
        let book = StatuteBook::builtin();
        let v = book.get("dresden-2011").unwrap().versions[0].clone();
        // Konfiguration Erlassberechnung, L6043-6048 / L6066-6071.
        let cap = |n| v.waiver.housing_cost_cap(n).to_string();
        assert_eq!(cap(1), "330.00");
        assert_eq!(cap(5), "638.00");
        assert_eq!(cap(6), "715.00");
        assert_eq!(cap(8), "869.00");
    }

    #[test]
    fn a_city_adds_its_own_statute_as_data() {
        let mut json: serde_json::Value = serde_json::from_str(DRESDEN_2011).unwrap();
        json["id"] = "musterstadt-2024".into();
        let version = &mut json["versions"][0];
        version["valid_from"] = "2024-01".into();
        // Priced from the operating cost instead of a published fee.
        version["fee_groups"]["krippe"]["fee_at_base_hours"] = serde_json::Value::Null;
        version["fee_groups"]["krippe"]["operating_cost"] = "1000.00".into();
        let statute = Statute::from_json(&json.to_string()).unwrap();
        let v = statute
            .version_at(Month::parse("2024-01").unwrap())
            .unwrap();
        assert_eq!(
            v.rates(FeeGroup::Nursery).fee_at_base_hours().0.to_string(),
            "230.00"
        );
        let mut book = StatuteBook::builtin();
        book.add(statute);
        assert_eq!(book.ids().count(), 2);
    }

    #[test]
    fn a_broken_statute_is_refused_with_the_reason() {
        let mut json: serde_json::Value = serde_json::from_str(DRESDEN_2011).unwrap();
        json["versions"][0]["paragraphs"]
            .as_object_mut()
            .unwrap()
            .remove("fee.half");
        let err = Statute::from_json(&json.to_string()).unwrap_err();
        assert!(err.to_string().contains("fee.half"), "{err}");

        let mut json: serde_json::Value = serde_json::from_str(DRESDEN_2011).unwrap();
        json["versions"][0]["fee_groups"]["hort"]["operating_cost"] = "100.00".into();
        let err = Statute::from_json(&json.to_string()).unwrap_err();
        assert!(err.to_string().contains("exactly one"), "{err}");

        let mut json: serde_json::Value = serde_json::from_str(DRESDEN_2011).unwrap();
        let second = json["versions"][0].clone();
        json["versions"].as_array_mut().unwrap().push(second);
        let err = Statute::from_json(&json.to_string()).unwrap_err();
        assert!(err.to_string().contains("overlapping"), "{err}");
    }
}
