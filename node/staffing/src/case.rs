//! The case format `kitanetz-staff-need-case/1` (`shared/formats/staff-need-case.md`): rows of
//! children by care type and daily hours, optional key overrides, manual additions (Zusatz).
//!
//! Parsing checks everything the computation relies on and names the offending field the way
//! the case writes it (`children[2].key`), so that the computation cannot meet bad input.
//! Extra fields are allowed (the format says so).

use crate::rules::{CareType, StaffKey};
use rust_decimal::Decimal;
use serde_json::{Map, Value};
use std::str::FromStr;

/// The case format this crate reads.
pub const CASE_FORMAT: &str = "kitanetz-staff-need-case/1";

pub use kitanetz_case::CaseError;

/// A checked case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StaffNeedCase {
    pub children: Vec<ChildrenRow>,
    pub additional: Vec<Addition>,
}

/// `count` children of one care type with the same contracted daily hours.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChildrenRow {
    /// Where the row sits in the case (`children[3]`), for messages about it.
    pub field: String,
    pub care_type: CareType,
    /// Contracted daily hours, > 0 and ≤ 24; `None` only where the care type needs none.
    pub hours: Option<Decimal>,
    pub count: u32,
    /// Overrides the rules' key for this row (Lastenheft 3.7.2.7).
    pub key: Option<StaffKey>,
}

/// A manual Zusatz value (Lastenheft 3.7.2.6.1, seed 004 L2354–2356).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Addition {
    pub care_type: Option<CareType>,
    /// Full-time equivalents (VbE), ≥ 0.
    pub vbe: Decimal,
}

/// Reads and checks a case.
pub fn parse_case(text: &str) -> Result<StaffNeedCase, CaseError> {
    let root: Value = serde_json::from_str(text)
        .map_err(|e| CaseError::new("", format!("the case is not valid JSON: {e}")))?;
    let root = object(&root, "")?;
    match root.get("format") {
        Some(Value::String(f)) if f == CASE_FORMAT => {}
        Some(Value::String(f)) => {
            return Err(CaseError::new(
                "format",
                format!("{f:?} is not {CASE_FORMAT:?}"),
            ))
        }
        Some(_) => return Err(CaseError::new("format", "must be a string")),
        None => {
            return Err(CaseError::new(
                "format",
                format!("is required: \"{CASE_FORMAT}\""),
            ))
        }
    }
    let children = match root.get("children") {
        None | Some(Value::Null) => {
            return Err(CaseError::new(
                "children",
                "is required (a list of rows, possibly empty)",
            ))
        }
        Some(Value::Array(rows)) => rows
            .iter()
            .enumerate()
            .map(|(i, row)| children_row(row, format!("children[{i}]")))
            .collect::<Result<Vec<_>, _>>()?,
        Some(_) => return Err(CaseError::new("children", "must be a list of rows")),
    };
    let additional = match root.get("additional") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(rows)) => rows
            .iter()
            .enumerate()
            .map(|(i, row)| addition(row, format!("additional[{i}]")))
            .collect::<Result<Vec<_>, _>>()?,
        Some(_) => return Err(CaseError::new("additional", "must be a list")),
    };
    Ok(StaffNeedCase {
        children,
        additional,
    })
}

fn object<'a>(value: &'a Value, field: &str) -> Result<&'a Map<String, Value>, CaseError> {
    value
        .as_object()
        .ok_or_else(|| CaseError::new(field, "must be an object"))
}

/// The value under `key`; absent and `null` are the same.
fn get<'a>(map: &'a Map<String, Value>, key: &str) -> Option<&'a Value> {
    map.get(key).filter(|v| !v.is_null())
}

fn care_type(map: &Map<String, Value>, field: &str) -> Result<Option<CareType>, CaseError> {
    match get(map, "care_type") {
        None => Ok(None),
        Some(Value::String(name)) => CareType::parse(name).map(Some).ok_or_else(|| {
            CaseError::new(
                field,
                format!("{name:?} is not a care type; known: {}", CareType::names()),
            )
        }),
        Some(_) => Err(CaseError::new(field, "must be a string")),
    }
}

fn children_row(value: &Value, field: String) -> Result<ChildrenRow, CaseError> {
    let map = object(value, &field)?;
    let care_type_field = format!("{field}.care_type");
    let care_type = care_type(map, &care_type_field)?.ok_or_else(|| {
        CaseError::new(
            &care_type_field,
            format!("is required; one of {}", CareType::names()),
        )
    })?;
    let count = match get(map, "count") {
        None => 1,
        Some(v) => whole_number(v).ok_or_else(|| {
            CaseError::new(
                format!("{field}.count"),
                "must be a whole number ≥ 0 (the number of children in the row)",
            )
        })?,
    };
    let hours_field = format!("{field}.hours");
    let per_child = matches!(
        care_type,
        CareType::GtbKoe | CareType::GtbHg | CareType::Heilpaedagogisch
    );
    // Per-child care types ignore the hours (the format says so), so their hours are not read.
    let hours = if per_child {
        None
    } else {
        let value = get(map, "hours").ok_or_else(|| {
            CaseError::new(
                &hours_field,
                format!("is required for {care_type}: the contracted daily hours, e.g. \"4.5\""),
            )
        })?;
        let hours = decimal(value).ok_or_else(|| {
            CaseError::new(
                &hours_field,
                "must be a decimal number of hours written as a string, e.g. \"4.5\"",
            )
        })?;
        if hours <= Decimal::ZERO {
            return Err(CaseError::new(&hours_field, "must be more than 0 hours"));
        }
        if hours > Decimal::from(24) {
            return Err(CaseError::new(
                &hours_field,
                format!("{hours} daily hours: a day has 24"),
            ));
        }
        Some(hours)
    };
    let key = match get(map, "key") {
        None => None,
        Some(Value::String(text)) => Some(parse_key(text).ok_or_else(|| {
            CaseError::new(
                format!("{field}.key"),
                format!(
                    "{text:?} is not a staff key \"STAFF:CHILDREN\" with two positive \
                     decimals, e.g. \"1:4.5\""
                ),
            )
        })?),
        Some(_) => {
            return Err(CaseError::new(
                format!("{field}.key"),
                "must be a string \"STAFF:CHILDREN\", e.g. \"1:4.5\"",
            ))
        }
    };
    if care_type == CareType::Heilpaedagogisch && key.is_none() {
        return Err(CaseError::new(
            format!("{field}.key"),
            "is required for heilpaedagogisch: the group's key, e.g. \"1:4.5\" \
             (annex F: 1:4.5, 1:3.76, 1:4.35)",
        ));
    }
    Ok(ChildrenRow {
        field,
        care_type,
        hours,
        count,
        key,
    })
}

fn addition(value: &Value, field: String) -> Result<Addition, CaseError> {
    let map = object(value, &field)?;
    let care_type = care_type(map, &format!("{field}.care_type"))?;
    let vbe_field = format!("{field}.vbe");
    let vbe = get(map, "vbe")
        .ok_or_else(|| {
            CaseError::new(
                &vbe_field,
                "is required: full-time equivalents, e.g. \"0.750\"",
            )
        })
        .and_then(|v| {
            decimal(v).ok_or_else(|| {
                CaseError::new(
                    &vbe_field,
                    "must be a decimal number written as a string, e.g. \"0.750\"",
                )
            })
        })?;
    if vbe < Decimal::ZERO {
        return Err(CaseError::new(&vbe_field, "must not be negative"));
    }
    Ok(Addition { care_type, vbe })
}

/// A whole number ≥ 0 that fits `u32` (JSON `3`, or `3.0` as some writers produce).
fn whole_number(value: &Value) -> Option<u32> {
    if let Some(n) = value.as_u64() {
        return u32::try_from(n).ok();
    }
    let f = value.as_f64()?;
    (f >= 0.0 && f.fract() == 0.0 && f <= f64::from(u32::MAX)).then_some(f as u32)
}

/// A decimal written as a string (`"4.5"`, `"-1"`), or a JSON number (its shortest form).
pub(crate) fn decimal(value: &Value) -> Option<Decimal> {
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

/// `"STAFF:CHILDREN"`, e.g. `"1:4.5"` or `"0.9:20"`; spaces around the parts are allowed.
fn parse_key(text: &str) -> Option<StaffKey> {
    let (staff, children) = text.split_once(':')?;
    StaffKey::new(
        plain_decimal(staff.trim())?,
        plain_decimal(children.trim())?,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    #[test]
    fn decimals_are_plain_strings_or_json_numbers() {
        assert_eq!(decimal(&Value::from("4.5")), Some(d("4.5")));
        assert_eq!(decimal(&serde_json::json!(4.5)), Some(d("4.5")));
        assert_eq!(decimal(&serde_json::json!(9)), Some(d("9")));
        for bad in ["", "4,5", "4.", ".5", "1e2", " 4", "4_5", "+4", "--1"] {
            assert_eq!(decimal(&Value::from(bad)), None, "{bad:?}");
        }
        assert_eq!(decimal(&Value::Bool(true)), None);
    }

    #[test]
    fn keys_are_two_positive_decimals() {
        assert_eq!(
            parse_key("1:4.5"),
            StaffKey::new(d("1"), d("4.5")),
            "the annex's HP key"
        );
        assert_eq!(parse_key(" 0.9 : 20 "), StaffKey::new(d("0.9"), d("20")));
        for bad in ["1:0", "0:6", "1", "1:6:2", "1/6", "a:6", "1:-6", ":6", "1:"] {
            assert_eq!(parse_key(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn whole_numbers_only_for_counts() {
        assert_eq!(whole_number(&serde_json::json!(3)), Some(3));
        assert_eq!(whole_number(&serde_json::json!(3.0)), Some(3));
        assert_eq!(whole_number(&serde_json::json!(3.5)), None);
        assert_eq!(whole_number(&serde_json::json!(-1)), None);
        assert_eq!(whole_number(&serde_json::json!("3")), None);
    }
}
