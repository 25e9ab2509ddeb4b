//! One-off grants to a childminder (TPP agreement §§ 7–8; Lastenheft 3.5.6.6):
//!
//! - Equipment: "Die Bezuschussung der Ausstattung der Kindertagespflegeplätze erfolgt … mit
//!   100 EUR pro neu geschaffenen Platz" (seed 004 L30227–30228).
//! - Replacement equipment: "bis zu max. 100,00 EUR pro Platz und Jahr" on application, within
//!   the budget and without legal claim (L30232–30234, L30241–30242).
//! - Training: "50 % der anfallenden Kosten … in der Regel maximal 100 EUR im laufenden
//!   Kalenderjahr" (L30191–30194; the process description: "Es wird 100 Euro pro
//!   Tagespflegeperson erstattet", L17977–17978). The DJI curriculum: 50 %, at most 350 EUR
//!   (L30200–30202); the curriculum of the Saxon education plan: 80 % (L30212–30214).
//!
//! Each amount is rounded half up to the cent and carries its explanation. What was granted
//! earlier in the year is an input: the node keeps the decisions.

use crate::explain::{in_force, Explanation, Rule};
use crate::money::Money;
use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// One version of the grant amounts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GrantRules {
    pub id: String,
    pub valid_from: NaiveDate,
    /// Per newly created place (100 €, L30227–30228).
    pub equipment_per_new_place: Money,
    /// Per place and year for replacements (100 €, L30241–30242).
    pub replacement_per_place_year: Money,
    /// Share of training costs in percent (50, L30191–30192) …
    pub training_percent: Decimal,
    /// … up to this much a calendar year (100 €, L30193).
    pub training_cap_per_year: Money,
    /// DJI curriculum: percent (50) and cap (350 €) (L30200–30202).
    pub dji_curriculum_percent: Decimal,
    pub dji_curriculum_cap: Money,
    /// Education-plan curriculum: percent (80, L30212–30214), no cap given.
    pub education_plan_curriculum_percent: Decimal,
}

impl GrantRules {
    pub fn tpp_agreement() -> GrantRules {
        let euros = |e: i64| Money::round(Decimal::from(e));
        GrantRules {
            id: "dresden-tpp-agreement".into(),
            valid_from: NaiveDate::from_ymd_opt(2000, 1, 1).expect("valid date"),
            equipment_per_new_place: euros(100),
            replacement_per_place_year: euros(100),
            training_percent: Decimal::from(50),
            training_cap_per_year: euros(100),
            dji_curriculum_percent: Decimal::from(50),
            dji_curriculum_cap: euros(350),
            education_plan_curriculum_percent: Decimal::from(80),
        }
    }
}

/// A granted amount and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grant {
    pub amount: Money,
    pub explanation: Vec<Explanation>,
}

/// Input a grant cannot be computed from.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GrantError {
    #[error("no grant rules are in force on {0}; add a version valid from that day or earlier")]
    NoRules(NaiveDate),
    #[error("{0} must not be negative")]
    Negative(&'static str),
}

fn rules_on(book: &[GrantRules], day: NaiveDate) -> Result<&GrantRules, GrantError> {
    in_force(book, |r| r.valid_from, day).ok_or(GrantError::NoRules(day))
}

fn not_negative(value: Money, what: &'static str) -> Result<(), GrantError> {
    if value < Money::ZERO {
        Err(GrantError::Negative(what))
    } else {
        Ok(())
    }
}

/// The equipment grant for `new_places` newly created places, decided on `day`.
pub fn equipment_grant(
    new_places: u32,
    day: NaiveDate,
    book: &[GrantRules],
) -> Result<Grant, GrantError> {
    let rules = rules_on(book, day)?;
    let amount = rules.equipment_per_new_place * new_places;
    Ok(Grant {
        amount,
        explanation: vec![Explanation::new(
            Rule::EquipmentGrant,
            &rules.id,
            "seed 004 L30227–30231",
            format!(
                "{new_places} neue Plätze × {} = {}",
                rules.equipment_per_new_place.german(),
                amount.german()
            ),
        )],
    })
}

/// The replacement grant: what was applied for, at most the places' yearly amount less what
/// was granted earlier in the year. Granted only within the budget (no legal claim): the node
/// decides whether to grant at all.
pub fn replacement_grant(
    requested: Money,
    places: u32,
    granted_this_year: Money,
    day: NaiveDate,
    book: &[GrantRules],
) -> Result<Grant, GrantError> {
    not_negative(requested, "the requested amount")?;
    not_negative(granted_this_year, "the amount granted this year")?;
    let rules = rules_on(book, day)?;
    let yearly = rules.replacement_per_place_year * places;
    let room = if granted_this_year >= yearly {
        Money::ZERO
    } else {
        yearly - granted_this_year
    };
    let amount = requested.min(room);
    Ok(Grant {
        amount,
        explanation: vec![Explanation::new(
            Rule::ReplacementGrant,
            &rules.id,
            "seed 004 L30232–30245 (on application, within the budget, no legal claim)",
            format!(
                "beantragt {}, höchstens {places} Plätze × {} − {} in diesem Jahr bewilligt = {} \
                 → {}",
                requested.german(),
                rules.replacement_per_place_year.german(),
                granted_this_year.german(),
                room.german(),
                amount.german()
            ),
        )],
    })
}

/// Which training the costs are for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Training {
    /// Training needed for the work: a share up to a yearly cap.
    Regular,
    /// The DJI curriculum for childminders.
    DjiCurriculum,
    /// The curriculum of the Saxon education plan.
    EducationPlanCurriculum,
}

/// The training grant for `costs`. For [`Training::Regular`], `granted_this_year` is what regular
/// training grants already paid in the calendar year; the cap is "in der Regel" — a higher
/// amount is a single-case decision of the city (L30193–30194) and not computed here.
pub fn training_grant(
    training: Training,
    costs: Money,
    granted_this_year: Money,
    day: NaiveDate,
    book: &[GrantRules],
) -> Result<Grant, GrantError> {
    not_negative(costs, "the training costs")?;
    not_negative(granted_this_year, "the amount granted this year")?;
    let rules = rules_on(book, day)?;
    let (amount, source, detail) = match training {
        Training::Regular => {
            let share = costs.percent(rules.training_percent);
            let cap = rules.training_cap_per_year;
            let room = if granted_this_year >= cap {
                Money::ZERO
            } else {
                cap - granted_this_year
            };
            let amount = share.min(room);
            (
                amount,
                "seed 004 L30191–30194, L17977–17978",
                format!(
                    "{} × {} % = {}; höchstens {} im Jahr − {} bewilligt = {} → {}",
                    costs.german(),
                    crate::money::german_decimal(rules.training_percent),
                    share.german(),
                    cap.german(),
                    granted_this_year.german(),
                    room.german(),
                    amount.german()
                ),
            )
        }
        Training::DjiCurriculum => {
            let share = costs.percent(rules.dji_curriculum_percent);
            let amount = share.min(rules.dji_curriculum_cap);
            (
                amount,
                "seed 004 L30195–30207",
                format!(
                    "DJI-Curriculum: {} × {} % = {}, höchstens {} → {}",
                    costs.german(),
                    crate::money::german_decimal(rules.dji_curriculum_percent),
                    share.german(),
                    rules.dji_curriculum_cap.german(),
                    amount.german()
                ),
            )
        }
        Training::EducationPlanCurriculum => {
            let amount = costs.percent(rules.education_plan_curriculum_percent);
            (
                amount,
                "seed 004 L30208–30214",
                format!(
                    "Curriculum Bildungsplan: {} × {} % = {}",
                    costs.german(),
                    crate::money::german_decimal(rules.education_plan_curriculum_percent),
                    amount.german()
                ),
            )
        }
    };
    Ok(Grant {
        amount,
        explanation: vec![Explanation::new(
            Rule::TrainingGrant,
            &rules.id,
            source,
            detail,
        )],
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::period::d;
    use std::str::FromStr;

    fn eur(s: &str) -> Money {
        Money::exact(Decimal::from_str(s).unwrap()).unwrap()
    }

    fn book() -> Vec<GrantRules> {
        vec![GrantRules::tpp_agreement()]
    }

    fn today() -> NaiveDate {
        d(2025, 3, 1)
    }

    #[test]
    fn equipment_is_100_per_new_place() {
        let grant = equipment_grant(3, today(), &book()).unwrap();
        assert_eq!(grant.amount.to_string(), "300.00");
        assert_eq!(
            grant.explanation[0].detail,
            "3 neue Plätze × 100,00 € = 300,00 €"
        );
        assert_eq!(
            equipment_grant(0, today(), &book()).unwrap().amount,
            Money::ZERO
        );
    }

    #[test]
    fn replacement_is_at_most_100_per_place_and_year() {
        let grant = replacement_grant(eur("450.00"), 4, eur("0"), today(), &book()).unwrap();
        assert_eq!(grant.amount.to_string(), "400.00");
        let grant = replacement_grant(eur("450.00"), 4, eur("350.00"), today(), &book()).unwrap();
        assert_eq!(grant.amount.to_string(), "50.00");
        let grant = replacement_grant(eur("80.00"), 4, eur("400.00"), today(), &book()).unwrap();
        assert_eq!(grant.amount, Money::ZERO);
        assert_eq!(
            replacement_grant(eur("-1.00"), 4, eur("0"), today(), &book()),
            Err(GrantError::Negative("the requested amount"))
        );
    }

    #[test]
    fn training_is_half_the_costs_up_to_100_a_year() {
        let grant =
            training_grant(Training::Regular, eur("120.00"), eur("0"), today(), &book()).unwrap();
        assert_eq!(grant.amount.to_string(), "60.00");
        // A second course the same year: half of 150 is 75, only 40 left under the cap.
        let grant = training_grant(
            Training::Regular,
            eur("150.00"),
            eur("60.00"),
            today(),
            &book(),
        )
        .unwrap();
        assert_eq!(grant.amount.to_string(), "40.00");
        assert_eq!(
            grant.explanation[0].detail,
            "150,00 € × 50 % = 75,00 €; höchstens 100,00 € im Jahr − 60,00 € bewilligt = 40,00 € → \
             40,00 €"
        );
        // Exactly at the cap and a cent over it.
        let at =
            training_grant(Training::Regular, eur("200.00"), eur("0"), today(), &book()).unwrap();
        assert_eq!(at.amount.to_string(), "100.00");
        let over =
            training_grant(Training::Regular, eur("200.02"), eur("0"), today(), &book()).unwrap();
        assert_eq!(over.amount.to_string(), "100.00");
        // Half a cent rounds up: 0.01 × 50 % = 0.005 → 0.01.
        let cent =
            training_grant(Training::Regular, eur("0.01"), eur("0"), today(), &book()).unwrap();
        assert_eq!(cent.amount.to_string(), "0.01");
    }

    #[test]
    fn the_curricula_have_their_own_shares() {
        let dji = training_grant(
            Training::DjiCurriculum,
            eur("900.00"),
            eur("0"),
            today(),
            &book(),
        )
        .unwrap();
        assert_eq!(dji.amount.to_string(), "350.00");
        let dji = training_grant(
            Training::DjiCurriculum,
            eur("500.00"),
            eur("0"),
            today(),
            &book(),
        )
        .unwrap();
        assert_eq!(dji.amount.to_string(), "250.00");
        let plan = training_grant(
            Training::EducationPlanCurriculum,
            eur("333.33"),
            eur("0"),
            today(),
            &book(),
        )
        .unwrap();
        // 333.33 × 80 % = 266.664 → 266.66
        assert_eq!(plan.amount.to_string(), "266.66");
        assert!(plan.explanation[0].source.contains("L30208–30214"));
    }
}
