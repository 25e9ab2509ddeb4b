//! Reads and checks a `kitanetz-landeszuschuss-case/1` case; every refusal names its field.

use super::{CareType, Contract, CountInput, CASE_FORMAT, DEFAULT_RATE_PER_CHILD};
use crate::ids::ContractId;
use crate::reader::{case_root, check_unique, parse_json, Obj};
use crate::CaseError;
use rust_decimal::Decimal;
use std::collections::BTreeSet;

const CARE_TYPES: &[(&str, CareType)] = &[
    ("krippe", CareType::Krippe),
    ("kindergarten", CareType::Kindergarten),
    ("hort", CareType::Hort),
    ("tagespflege", CareType::Tagespflege),
];

/// Parses the case text; extra fields are allowed.
pub fn parse_case(text: &str) -> Result<CountInput, CaseError> {
    let json = parse_json(text)?;
    let root = case_root(&json, CASE_FORMAT)?;
    let reference_date = root.required_date("reference_date")?;
    let rate_per_child = match root.decimal("rate_per_child")? {
        None => DEFAULT_RATE_PER_CHILD,
        Some((rate, path)) if rate < Decimal::ZERO => {
            return Err(path.error("must not be negative"))
        }
        Some((rate, _)) => rate,
    };
    if root.get("contracts").is_none() {
        return Err(root
            .path
            .key("contracts")
            .error("is required (a list, may be empty)"));
    }
    let mut seen = BTreeSet::new();
    let mut contracts = Vec::new();
    for (value, path) in root.list("contracts")? {
        let obj = Obj::new(value, path)?;
        let contract = parse_contract(&obj)?;
        check_unique(&mut seen, &contract.id.0, &obj.path)?;
        contracts.push(contract);
    }
    Ok(CountInput {
        reference_date,
        rate_per_child,
        contracts,
    })
}

fn parse_contract(obj: &Obj) -> Result<Contract, CaseError> {
    let id = ContractId::from(obj.required_str("id")?);
    let care_type = obj.required_choice("care_type", CARE_TYPES)?;
    let birth_date = obj.date("birth_date")?;
    if birth_date.is_none() && matches!(care_type, CareType::Krippe | CareType::Kindergarten) {
        return Err(obj
            .path
            .key("birth_date")
            .error("is required for krippe and kindergarten (the form row depends on the age)"));
    }
    let daily_hours = match obj.decimal("daily_hours")? {
        None => return Err(obj.path.key("daily_hours").error("is required")),
        Some((hours, path)) if hours <= Decimal::ZERO => {
            return Err(path.error("must be more than 0"))
        }
        Some((hours, _)) => hours,
    };
    let term = obj.period("start", "end")?;
    // `facility` is informational: any text, or nothing.
    let facility = obj.text("facility")?.map(|(text, _)| text);
    Ok(Contract {
        id,
        facility,
        care_type,
        birth_date,
        daily_hours,
        term,
        eingliederungshilfe: obj.bool_or("eingliederungshilfe", false)?,
    })
}
