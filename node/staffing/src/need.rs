//! The staff need of one case (annex F "Ermittlung Personalbedarf", seed 004 L8188–8593).
//!
//! Per row: RZÄ = count × conversion factor, educator need = RZÄ × staff ÷ children of the key
//! (per-child types: count × staff ÷ children). Per section: the leadership share. Total =
//! Σ need + Σ leadership + Σ additions. Every figure is kept exact ([`Ratio`]) and rounded half
//! up to three decimals only where it is reported.

use crate::case::{CaseError, ChildrenRow, StaffNeedCase};
use crate::ratio::{Overflow, Ratio};
use crate::rules::{CareType, Conversion, Leadership, Section, StaffKey, StaffingRules};
use rust_decimal::Decimal;
use serde_json::{json, Value};

/// The result format this crate writes.
pub const RESULT_FORMAT: &str = "kitanetz-staff-need-result/1";

/// Reported VbE and RZÄ have three decimals, as in annex F.
const REPORTED_DECIMALS: u32 = 3;

/// The exact staff need of a case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StaffNeed {
    /// The rules' version ([`StaffingRules::id`]).
    pub rules: &'static str,
    /// One per care type with children, in annex F's order.
    pub lines: Vec<CareTypeNeed>,
    /// Every section, in [`Section::ALL`] order, also when empty.
    pub sections: Vec<SectionNeed>,
    pub additional_vbe: Ratio,
}

/// All rows of one care type, summed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CareTypeNeed {
    pub care_type: CareType,
    pub children: u64,
    /// `None` for per-child care types (no RZÄ in annex F).
    pub rzae: Option<Ratio>,
    pub educator_vbe: Ratio,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SectionNeed {
    pub section: Section,
    pub children: u64,
    pub educator_vbe: Ratio,
    pub leadership_vbe: Ratio,
}

impl StaffNeed {
    pub fn children(&self) -> u64 {
        self.sections.iter().map(|s| s.children).sum()
    }

    pub fn educator_vbe(&self) -> Result<Ratio, Overflow> {
        Ratio::checked_sum(self.sections.iter().map(|s| s.educator_vbe))
    }

    pub fn leadership_vbe(&self) -> Result<Ratio, Overflow> {
        Ratio::checked_sum(self.sections.iter().map(|s| s.leadership_vbe))
    }

    /// Σ need + Σ leadership + Σ additions, from the exact parts (annex F's 31.001, not the
    /// 31.002 of its rounded parts).
    pub fn total_vbe(&self) -> Result<Ratio, Overflow> {
        self.educator_vbe()?
            .checked_add(self.leadership_vbe()?)?
            .checked_add(self.additional_vbe)
    }

    /// The result document (`kitanetz-staff-need-result/1`).
    pub fn to_json(&self) -> Result<Value, Overflow> {
        let lines = self
            .lines
            .iter()
            .map(|line| {
                Ok(json!({
                    "care_type": line.care_type.name(),
                    "children": line.children,
                    "rzae": line.rzae.map(shown).transpose()?,
                    "educator_vbe": shown(line.educator_vbe)?,
                }))
            })
            .collect::<Result<Vec<Value>, Overflow>>()?;
        let mut sections = serde_json::Map::new();
        for section in &self.sections {
            sections.insert(
                section.section.name().to_owned(),
                json!({
                    "children": section.children,
                    "educator_vbe": shown(section.educator_vbe)?,
                    "leadership_vbe": shown(section.leadership_vbe)?,
                }),
            );
        }
        Ok(json!({
            "format": RESULT_FORMAT,
            "rules": self.rules,
            "lines": lines,
            "sections": sections,
            "children": self.children(),
            "educator_vbe": shown(self.educator_vbe()?)?,
            "leadership_vbe": shown(self.leadership_vbe()?)?,
            "additional_vbe": shown(self.additional_vbe)?,
            "total_vbe": shown(self.total_vbe()?)?,
        }))
    }
}

/// A reported value: rounded half up to three decimals from the exact value.
pub(crate) fn shown(value: Ratio) -> Result<String, Overflow> {
    value.round_half_up(REPORTED_DECIMALS).map(shown_decimal)
}

/// Always three decimals (`"2.000"`, `"0.000"`), as annex F prints them.
fn shown_decimal(value: Decimal) -> String {
    let mut value = value;
    value.rescale(REPORTED_DECIMALS);
    value.to_string()
}

/// Computes the need of a checked case under `rules`.
pub fn compute(case: &StaffNeedCase, rules: &StaffingRules) -> Result<StaffNeed, CaseError> {
    let too_fine = |_: Overflow| {
        CaseError::new(
            "children",
            "the hours and keys have too many decimals to be computed exactly",
        )
    };
    let mut lines: Vec<CareTypeNeed> = Vec::new();
    for care_type in CareType::ALL {
        let rule = rules.care_type(care_type);
        let mut line = CareTypeNeed {
            care_type,
            children: 0,
            rzae: match rule.conversion {
                Conversion::PerChild { .. } => None,
                _ => Some(Ratio::ZERO),
            },
            educator_vbe: Ratio::ZERO,
        };
        for row in case.children.iter().filter(|r| r.care_type == care_type) {
            let row_need = row_need(row, &rule.conversion)?;
            line.children += u64::from(row.count);
            if let (Some(sum), Some(rzae)) = (line.rzae, row_need.rzae) {
                line.rzae = Some(sum.checked_add(rzae).map_err(too_fine)?);
            }
            line.educator_vbe = line
                .educator_vbe
                .checked_add(row_need.educator_vbe)
                .map_err(too_fine)?;
        }
        if line.children > 0 {
            lines.push(line);
        }
    }
    let sections = Section::ALL
        .into_iter()
        .map(|section| {
            let in_section = || {
                lines
                    .iter()
                    .filter(move |l| rules.care_type(l.care_type).section == section)
            };
            let children: u64 = in_section().map(|l| l.children).sum();
            let educator_vbe =
                Ratio::checked_sum(in_section().map(|l| l.educator_vbe)).map_err(too_fine)?;
            let leadership_vbe = match rules.leadership(section) {
                Leadership::ShareOfNeed(share) => {
                    educator_vbe.checked_mul(Ratio::from_decimal(share))
                }
                Leadership::PerChild(key) => per_child(children, key),
            }
            .map_err(too_fine)?;
            Ok(SectionNeed {
                section,
                children,
                educator_vbe,
                leadership_vbe,
            })
        })
        .collect::<Result<Vec<_>, CaseError>>()?;
    let additional_vbe =
        Ratio::checked_sum(case.additional.iter().map(|a| Ratio::from_decimal(a.vbe)))
            .map_err(|_| CaseError::new("additional", "the additions are too large"))?;
    let need = StaffNeed {
        rules: rules.id,
        lines,
        sections,
        additional_vbe,
    };
    // The totals are checked here so that writing the result cannot fail afterwards.
    need.to_json().map_err(too_fine)?;
    Ok(need)
}

struct RowNeed {
    rzae: Option<Ratio>,
    educator_vbe: Ratio,
}

/// One row's RZÄ and educator need, with the case's key where it gives one.
fn row_need(row: &ChildrenRow, conversion: &Conversion) -> Result<RowNeed, CaseError> {
    let too_fine = |_: Overflow| {
        CaseError::new(
            &row.field,
            "the hours and key have too many decimals to be computed exactly",
        )
    };
    let hours = || {
        row.hours
            .expect("the case requires hours for every care type converted by hours")
    };
    let (factor, default_key) = match *conversion {
        Conversion::DailyHours { base_hours, key } => (
            Some(
                Ratio::from_decimal(hours())
                    .checked_div(Ratio::from_decimal(base_hours))
                    .map_err(too_fine)?,
            ),
            Some(key),
        ),
        Conversion::SchoolDayCare {
            short_hours,
            short_key,
            long_from,
            long_until,
            base_hours,
            long_key,
        } => {
            let hours = hours();
            if hours == short_hours {
                (Some(Ratio::ONE), Some(short_key))
            } else if long_from <= hours && hours <= long_until {
                (
                    Some(
                        Ratio::from_decimal(hours)
                            .checked_div(Ratio::from_decimal(base_hours))
                            .map_err(too_fine)?,
                    ),
                    Some(long_key),
                )
            } else {
                return Err(CaseError::new(
                    format!("{}.hours", row.field),
                    format!(
                        "{hours} hours is not offered for {}: {} hours or {} to {} hours \
                         (annex F)",
                        row.care_type,
                        short_hours.normalize(),
                        long_from.normalize(),
                        long_until.normalize()
                    ),
                ));
            }
        }
        Conversion::PerChild { key } => (None, key),
    };
    let key = row.key.or(default_key).ok_or_else(|| {
        CaseError::new(
            format!("{}.key", row.field),
            format!("is required for {}", row.care_type),
        )
    })?;
    let count = Ratio::integer(i64::from(row.count));
    Ok(match factor {
        Some(factor) => {
            let rzae = count.checked_mul(factor).map_err(too_fine)?;
            RowNeed {
                rzae: Some(rzae),
                educator_vbe: rzae
                    .checked_mul(key.staff_per_child().map_err(too_fine)?)
                    .map_err(too_fine)?,
            }
        }
        None => RowNeed {
            rzae: None,
            educator_vbe: per_child(u64::from(row.count), key).map_err(too_fine)?,
        },
    })
}

/// `children × staff ÷ children of the key`.
fn per_child(children: u64, key: StaffKey) -> Result<Ratio, Overflow> {
    let children = i64::try_from(children).map_err(|_| Overflow)?;
    Ratio::integer(children).checked_mul(key.staff_per_child()?)
}
