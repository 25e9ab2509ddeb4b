//! The case format `kitanetz-tagespflege-refund-case/1`
//! (`shared/formats/tagespflege-refund-case.md`): one Festsetzungsbescheid of annex K.
//!
//! Parsing checks everything the computation relies on (types, ranges, the years the schedule
//! needs) and names the offending field as the case writes it (`health.years[1].health_rate`).
//! Extra fields are allowed (the format says so).

use crate::money::Money;
use crate::month::Month;
use crate::rules::RefundRules;
use rust_decimal::Decimal;
use serde_json::{Map, Value};
use std::collections::BTreeSet;
use std::str::FromStr;

/// The case format this crate reads.
pub const CASE_FORMAT: &str = "kitanetz-tagespflege-refund-case/1";

pub use kitanetz_case::CaseError;

/// A checked case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RefundCase {
    Health {
        schedule: Schedule,
        health: HealthCase,
    },
    Pension {
        schedule: Schedule,
        pension: PensionCase,
    },
    Accident(AccidentCase),
}

/// When the claim began and from when it is paid with the running payments (annex K: "Der
/// Anspruch … besteht seit …", "Ab dem Monat …", seed 004 L29478–29482, L29551–29556).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Schedule {
    pub entitlement_from: Month,
    pub payment_from: Month,
}

impl Schedule {
    /// The first month paid with the running payments: `max(entitlement_from, payment_from)`.
    pub fn running_from(self) -> Month {
        self.entitlement_from.max(self.payment_from)
    }
}

/// Health and care insurance (§ 23 Abs. 2 Nr. 4 SGB VIII; L29545–29640, L30157–30161).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HealthCase {
    /// Care insurance at the childless rate (annex K: 2,2 % instead of 1,95 %).
    pub childless: bool,
    /// Ascending by year, one per year.
    pub years: Vec<HealthYear>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HealthYear {
    pub year: i32,
    /// The Mindestbemessungsgrundlage (2009: 840,00 €, 2010: 851,67 €).
    pub minimum_base: Money,
    /// Monthly income from the childminding, where known.
    pub income: Option<Money>,
    /// Percent.
    pub health_rate: Decimal,
    /// Percent; the one that applies (`care_rate`, or `care_rate_childless` when childless).
    pub care_rate: Decimal,
    pub proven_contribution: Money,
    /// Total monthly income and the Geringfügigkeitsgrenze: both given and the income below the
    /// limit means contribution-free family insurance (L30159–30161).
    pub total_income: Option<Money>,
    pub minor_income_threshold: Option<Money>,
}

/// Pension (§ 23 Abs. 2 Nr. 3 SGB VIII; L29365–29494, L30146–30155).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PensionCase {
    /// Places of the care permit, 1 to 5.
    pub approved_places: u32,
    pub cap_per_place: Money,
    pub obligation_income_threshold: Money,
    pub obligation_min_places: u32,
    /// Ascending by year, one per year.
    pub years: Vec<PensionYear>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PensionYear {
    pub year: i32,
    pub monthly_taxable_income: Money,
    pub contributions: Vec<Contribution>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ContributionKind {
    /// Gesetzliche Rentenversicherung.
    Statutory,
    /// Private Altersvorsorge.
    Private,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Contribution {
    pub kind: ContributionKind,
    pub monthly: Money,
    /// A private contract running at least to the age of 60 (L29452–29457); only those count.
    pub until_age_60: bool,
}

/// Accident insurance (BGW; L30142–30145, L30309–30323).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AccidentCase {
    pub year: i32,
    pub assessed_contribution: Money,
    pub statutory_minimum: Option<Money>,
}

/// Reads and checks a case; `rules` gives the defaults of the pension parameters.
pub fn parse_case(text: &str, rules: &RefundRules) -> Result<RefundCase, CaseError> {
    let root: Value = serde_json::from_str(text)
        .map_err(|e| CaseError::new("", format!("the case is not valid JSON: {e}")))?;
    let root = Obj::new(&root, String::new())?;
    match root.get("format") {
        Some(Value::String(f)) if f == CASE_FORMAT => {}
        Some(Value::String(f)) => {
            return Err(root.error("format", format!("{f:?} is not {CASE_FORMAT:?}")))
        }
        Some(_) => return Err(root.error("format", "must be a string")),
        None => return Err(root.error("format", format!("is required: \"{CASE_FORMAT}\""))),
    }
    let kind = root.string("kind")?.ok_or_else(|| {
        root.error(
            "kind",
            "is required: \"health\", \"pension\" or \"accident\"",
        )
    })?;
    match kind {
        "health" => {
            let schedule = schedule(&root)?;
            let health = health(&root.require_object("health")?, schedule)?;
            Ok(RefundCase::Health { schedule, health })
        }
        "pension" => {
            let schedule = schedule(&root)?;
            let pension = pension(&root.require_object("pension")?, schedule, rules)?;
            Ok(RefundCase::Pension { schedule, pension })
        }
        "accident" => Ok(RefundCase::Accident(accident(
            &root.require_object("accident")?,
        )?)),
        other => Err(root.error(
            "kind",
            format!("{other:?} is not one of \"health\", \"pension\", \"accident\""),
        )),
    }
}

fn schedule(root: &Obj) -> Result<Schedule, CaseError> {
    let month = |key: &str| -> Result<Month, CaseError> {
        match root.get(key) {
            None => Err(root.error(key, "is required: a month \"YYYY-MM\"")),
            Some(v) => v
                .as_str()
                .and_then(Month::parse)
                .ok_or_else(|| root.error(key, "must be a month \"YYYY-MM\"")),
        }
    };
    Ok(Schedule {
        entitlement_from: month("entitlement_from")?,
        payment_from: month("payment_from")?,
    })
}

fn health(obj: &Obj, schedule: Schedule) -> Result<HealthCase, CaseError> {
    let childless = obj.bool("childless")?.unwrap_or(false);
    let years = years(obj, schedule, |row| {
        let health_rate = row.require_percent("health_rate")?;
        // Only the care rate that applies is required; the other may be given and is checked.
        let care_rate = row.percent("care_rate")?;
        let care_rate_childless = row.percent("care_rate_childless")?;
        let care_rate = if childless {
            care_rate_childless.ok_or_else(|| {
                row.error(
                    "care_rate_childless",
                    "is required when childless is true (percent, e.g. \"2.2\")",
                )
            })?
        } else {
            care_rate
                .ok_or_else(|| row.error("care_rate", "is required (percent, e.g. \"1.95\")"))?
        };
        Ok(HealthYear {
            year: row.year()?,
            minimum_base: row.require_money("minimum_base")?,
            income: row.money("income")?,
            health_rate,
            care_rate,
            proven_contribution: row.require_money("proven_contribution")?,
            total_income: row.money("total_income")?,
            minor_income_threshold: row.money("minor_income_threshold")?,
        })
    })?;
    Ok(HealthCase { childless, years })
}

fn pension(obj: &Obj, schedule: Schedule, rules: &RefundRules) -> Result<PensionCase, CaseError> {
    let approved_places = obj.whole_number("approved_places")?.ok_or_else(|| {
        obj.error(
            "approved_places",
            format!(
                "is required: the places of the care permit, 1 to {}",
                rules.max_places
            ),
        )
    })?;
    if !(1..=rules.max_places).contains(&approved_places) {
        return Err(obj.error(
            "approved_places",
            format!(
                "{approved_places} places: a Kindertagespflege has 1 to {}",
                rules.max_places
            ),
        ));
    }
    let cap_per_place = obj.money("cap_per_place")?.unwrap_or(rules.cap_per_place);
    let obligation_income_threshold = obj
        .money("obligation_income_threshold")?
        .unwrap_or(rules.obligation_income_threshold);
    let obligation_min_places = obj
        .whole_number("obligation_min_places")?
        .unwrap_or(rules.obligation_min_places);
    let years = years(obj, schedule, |row| {
        let contributions = row
            .list("contributions")?
            .into_iter()
            .map(|c| {
                let kind = match c.string("kind")? {
                    Some("statutory") => ContributionKind::Statutory,
                    Some("private") => ContributionKind::Private,
                    Some(other) => {
                        return Err(c.error(
                            "kind",
                            format!("{other:?} is not one of \"statutory\", \"private\""),
                        ))
                    }
                    None => {
                        return Err(c.error("kind", "is required: \"statutory\" or \"private\""))
                    }
                };
                Ok(Contribution {
                    kind,
                    monthly: c.require_money("monthly")?,
                    until_age_60: c.bool("until_age_60")?.unwrap_or(false),
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(PensionYear {
            year: row.year()?,
            monthly_taxable_income: row.require_money("monthly_taxable_income")?,
            contributions,
        })
    })?;
    Ok(PensionCase {
        approved_places,
        cap_per_place,
        obligation_income_threshold,
        obligation_min_places,
        years,
    })
}

fn accident(obj: &Obj) -> Result<AccidentCase, CaseError> {
    Ok(AccidentCase {
        year: obj.year()?,
        assessed_contribution: obj.require_money("assessed_contribution")?,
        statutory_minimum: obj.money("statutory_minimum")?,
    })
}

/// Something with a `year`.
trait Year {
    fn year(&self) -> i32;
}

impl Year for HealthYear {
    fn year(&self) -> i32 {
        self.year
    }
}

impl Year for PensionYear {
    fn year(&self) -> i32 {
        self.year
    }
}

/// The `years` rows, read by `row`, sorted; each year at most once, and every year from
/// `entitlement_from` to the running month present (rule 3 pays every one of those months).
fn years<T: Year>(
    obj: &Obj,
    schedule: Schedule,
    row: impl Fn(&Obj) -> Result<T, CaseError>,
) -> Result<Vec<T>, CaseError> {
    if obj.get("years").is_none() {
        return Err(obj.error("years", "is required: one row per calendar year"));
    }
    let rows = obj.list("years")?;
    let mut years = Vec::with_capacity(rows.len());
    let mut seen = BTreeSet::new();
    for r in &rows {
        let year = row(r)?;
        if !seen.insert(year.year()) {
            return Err(r.error("year", format!("{} is given twice", year.year())));
        }
        years.push(year);
    }
    years.sort_by_key(Year::year);
    let needed = schedule.entitlement_from.year()..=schedule.running_from().year();
    if let Some(missing) = needed.clone().find(|y| !seen.contains(y)) {
        return Err(obj.error(
            "years",
            format!(
                "the year {missing} is missing: every year from entitlement_from ({}) to the \
                 running month ({}) needs a row",
                schedule.entitlement_from,
                schedule.running_from()
            ),
        ));
    }
    Ok(years)
}

/// An object of the case with its path.
struct Obj<'a> {
    map: &'a Map<String, Value>,
    path: String,
}

impl<'a> Obj<'a> {
    fn new(value: &'a Value, path: String) -> Result<Obj<'a>, CaseError> {
        match value {
            Value::Object(map) => Ok(Obj { map, path }),
            _ => Err(CaseError::new(path, "must be an object")),
        }
    }

    fn field(&self, key: &str) -> String {
        if self.path.is_empty() {
            key.to_owned()
        } else {
            format!("{}.{key}", self.path)
        }
    }

    fn error(&self, key: &str, message: impl Into<String>) -> CaseError {
        CaseError::new(self.field(key), message)
    }

    /// Absent and `null` are the same.
    fn get(&self, key: &str) -> Option<&'a Value> {
        self.map.get(key).filter(|v| !v.is_null())
    }

    fn require_object(&self, key: &str) -> Result<Obj<'a>, CaseError> {
        let value = self
            .get(key)
            .ok_or_else(|| self.error(key, "is required for this kind"))?;
        Obj::new(value, self.field(key))
    }

    fn string(&self, key: &str) -> Result<Option<&'a str>, CaseError> {
        self.get(key)
            .map(|v| {
                v.as_str()
                    .ok_or_else(|| self.error(key, "must be a string"))
            })
            .transpose()
    }

    fn bool(&self, key: &str) -> Result<Option<bool>, CaseError> {
        self.get(key)
            .map(|v| {
                v.as_bool()
                    .ok_or_else(|| self.error(key, "must be true or false"))
            })
            .transpose()
    }

    fn whole_number(&self, key: &str) -> Result<Option<u32>, CaseError> {
        self.get(key)
            .map(|v| {
                v.as_u64()
                    .and_then(|n| u32::try_from(n).ok())
                    .ok_or_else(|| self.error(key, "must be a whole number ≥ 0"))
            })
            .transpose()
    }

    fn year(&self) -> Result<i32, CaseError> {
        let year = self
            .get("year")
            .ok_or_else(|| self.error("year", "is required, e.g. 2010"))?;
        year.as_i64()
            .and_then(|y| i32::try_from(y).ok())
            .filter(|y| (1000..=9999).contains(y))
            .ok_or_else(|| self.error("year", "must be a year with four digits, e.g. 2010"))
    }

    fn list(&self, key: &str) -> Result<Vec<Obj<'a>>, CaseError> {
        match self.get(key) {
            None => Ok(Vec::new()),
            Some(Value::Array(items)) => items
                .iter()
                .enumerate()
                .map(|(i, v)| Obj::new(v, format!("{}[{i}]", self.field(key))))
                .collect(),
            Some(_) => Err(self.error(key, "must be a list")),
        }
    }

    /// An amount in euros: a decimal string or a JSON number, ≥ 0, rounded half up to the cent.
    fn money(&self, key: &str) -> Result<Option<Money>, CaseError> {
        self.get(key)
            .map(|v| {
                let value = decimal(v).ok_or_else(|| {
                    self.error(key, "must be an amount in euros, e.g. \"851.67\"")
                })?;
                if value < Decimal::ZERO {
                    return Err(self.error(key, "must not be negative"));
                }
                // Amounts are money to the cent: finer input is rounded half up like every
                // amount here (the format: "rounded half up to the cent"), not refused.
                Ok(Money::round(value))
            })
            .transpose()
    }

    fn require_money(&self, key: &str) -> Result<Money, CaseError> {
        self.money(key)?
            .ok_or_else(|| self.error(key, "is required: an amount in euros, e.g. \"136.50\""))
    }

    /// A rate in percent, 0 to 100.
    fn percent(&self, key: &str) -> Result<Option<Decimal>, CaseError> {
        self.get(key)
            .map(|v| {
                decimal(v)
                    .filter(|p| (Decimal::ZERO..=Decimal::ONE_HUNDRED).contains(p))
                    .ok_or_else(|| {
                        self.error(
                            key,
                            "must be a rate in percent from 0 to 100, e.g. \"14.3\"",
                        )
                    })
            })
            .transpose()
    }

    fn require_percent(&self, key: &str) -> Result<Decimal, CaseError> {
        self.percent(key)?
            .ok_or_else(|| self.error(key, "is required: a rate in percent, e.g. \"14.3\""))
    }
}

/// A decimal written as a string (`"136.50"`), or a JSON number (its shortest form, so that
/// `138.4` is 138.40 and not the nearest binary fraction).
fn decimal(value: &Value) -> Option<Decimal> {
    match value {
        Value::String(text) => plain_decimal(text),
        Value::Number(n) => {
            let text = n.to_string();
            plain_decimal(&text).or_else(|| Decimal::from_scientific(&text).ok())
        }
        _ => None,
    }
}

/// Digits with an optional sign and decimal point: no exponent, no separators, no spaces.
fn plain_decimal(text: &str) -> Option<Decimal> {
    let unsigned = text.strip_prefix('-').unwrap_or(text);
    let (whole, fraction) = match unsigned.split_once('.') {
        Some((w, f)) => (w, Some(f)),
        None => (unsigned, None),
    };
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if !digits(whole) || fraction.is_some_and(|f| !digits(f)) {
        return None;
    }
    Decimal::from_str(text).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimals_are_plain_strings_or_json_numbers() {
        let d = |s: &str| Decimal::from_str(s).unwrap();
        assert_eq!(decimal(&Value::from("851.67")), Some(d("851.67")));
        assert_eq!(decimal(&serde_json::json!(138.4)), Some(d("138.4")));
        assert_eq!(decimal(&serde_json::json!(40)), Some(d("40")));
        for bad in ["", "851,67", "1e2", " 1", "+1", "1.", ".5"] {
            assert_eq!(decimal(&Value::from(bad)), None, "{bad:?}");
        }
    }
}
