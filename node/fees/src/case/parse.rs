//! Reading a case: every check of `fee-case.md`, each refusal naming its field.

use super::reader::{choose, decimal, Obj, Path};
use super::waiver::parse_waiver;
use super::{
    AgeOrder, Attendance, Care, Case, CaseError, CaseRules, Child, ChildId, ExtraCare, Family,
};
use crate::care::{CareType, Status};
use crate::money::Hours;
use crate::month::{Month, MonthSpan};
use crate::statute::{Statute, StatuteBook, StatuteVersion};
use crate::timeline::Timeline;
use crate::CASE_FORMAT;
use serde_json::Value;
use std::collections::HashSet;

/// A case spans at most this many months (100 years): a guard against a typo such as `9012`
/// producing a result of many megabytes, far beyond any real case.
const MAX_CASE_MONTHS: i64 = 1200;

const AGE_ORDERS: [(&str, AgeOrder); 2] = [
    ("oldest_first", AgeOrder::OldestFirst),
    ("youngest_first", AgeOrder::YoungestFirst),
];

/// Reads a case and checks it against the statute it names.
pub fn parse_case(text: &str, book: &StatuteBook) -> Result<Case, CaseError> {
    let value: Value = serde_json::from_str(text)
        .map_err(|e| CaseError::new("", format!("the case is not valid JSON: {e}")))?;
    let root = Obj::new(&value, Path::root())?;

    let (format, path) = required_str(&root, "format")?;
    if format != CASE_FORMAT {
        return Err(path.error(format!("{format:?} is not {CASE_FORMAT:?}")));
    }
    let (statute_id, path) = required_str(&root, "statute")?;
    let statute = book.get(statute_id).ok_or_else(|| {
        let known: Vec<&str> = book.ids().collect();
        path.error(format!(
            "{statute_id:?} is not a known statute; known: {}",
            known.join(", ")
        ))
    })?;

    let months = parse_months(&root, statute)?;
    let versions = versions_in(statute, &months);
    let family = parse_family(&root, statute)?;
    let children = parse_children(&root, statute, &versions)?;
    let rules = parse_rules(&root, &versions, &family, &children)?;
    let waiver = parse_waiver(&root, statute, &versions, &months, &family, &children)?;
    Ok(Case {
        statute_id: statute.id.clone(),
        months,
        family,
        rules,
        children,
        waiver,
    })
}

pub(super) fn required_str<'a>(obj: &Obj<'a>, key: &str) -> Result<(&'a str, Path), CaseError> {
    obj.str(key)?
        .ok_or_else(|| obj.path.key(key).error("is required"))
}

/// A month the statute has something to say about (inputs that only set things from a month).
pub(super) fn not_before_statute(
    month: Month,
    path: &Path,
    statute: &Statute,
) -> Result<Month, CaseError> {
    match statute.first_month() {
        Some(first) if month < first => Err(path.error(format!(
            "{month} is before statute {} is in force ({first})",
            statute.id
        ))),
        _ => Ok(month),
    }
}

/// A month to compute: some version of the statute must be in force in it.
fn computable(month: Month, path: &Path, statute: &Statute) -> Result<Month, CaseError> {
    not_before_statute(month, path, statute)?;
    match statute.version_at(month) {
        Some(_) => Ok(month),
        None => Err(path.error(format!(
            "no version of statute {} is in force in {month}",
            statute.id
        ))),
    }
}

/// The versions in force in the case's months, in order, each once.
fn versions_in<'s>(statute: &'s Statute, months: &[Month]) -> Vec<&'s StatuteVersion> {
    let mut versions: Vec<&StatuteVersion> = Vec::new();
    for &m in months {
        if let Some(v) = statute.version_at(m) {
            if !versions.iter().any(|seen| std::ptr::eq(*seen, v)) {
                versions.push(v);
            }
        }
    }
    versions
}

/// Exactly one of `month`, `months` (ascending) or `period` (inclusive).
fn parse_months(root: &Obj, statute: &Statute) -> Result<Vec<Month>, CaseError> {
    let given: Vec<&str> = ["month", "months", "period"]
        .into_iter()
        .filter(|k| root.has(k))
        .collect();
    let choice = match given.as_slice() {
        [one] => *one,
        [] => {
            return Err(root
                .path
                .key("month")
                .error("is required: give exactly one of month, months, period"))
        }
        [_, second, ..] => {
            return Err(root
                .path
                .key(second)
                .error("give exactly one of month, months, period"))
        }
    };
    match choice {
        "month" => {
            let (m, path) = root.month("month")?.expect("present");
            Ok(vec![computable(m, &path, statute)?])
        }
        "months" => {
            let items = root.list("months")?;
            if items.is_empty() {
                return Err(root
                    .path
                    .key("months")
                    .error("must list at least one month"));
            }
            let mut months: Vec<Month> = Vec::with_capacity(items.len());
            for (value, path) in items {
                let m = computable(super::reader::month(value, &path)?, &path, statute)?;
                if months.last().is_some_and(|last| *last >= m) {
                    return Err(path.error("months must be ascending, without repeats"));
                }
                months.push(m);
            }
            Ok(months)
        }
        _ => {
            let period = root.object("period")?.expect("present");
            period.deny_unknown(&["from", "to"])?;
            let (from, from_path) = period
                .month("from")?
                .ok_or_else(|| period.path.key("from").error("is required"))?;
            let (to, to_path) = period
                .month("to")?
                .ok_or_else(|| period.path.key("to").error("is required"))?;
            let span = MonthSpan::new(from, to)
                .ok_or_else(|| to_path.error(format!("{to} is before from ({from})")))?;
            if span.len() > MAX_CASE_MONTHS {
                return Err(to_path.error(format!("a case spans at most {MAX_CASE_MONTHS} months")));
            }
            computable(from, &from_path, statute)?;
            span.months()
                .map(|m| computable(m, &period.path, statute))
                .collect()
        }
    }
}

fn parse_family(root: &Obj, statute: &Statute) -> Result<Family, CaseError> {
    let family = root
        .object("family")?
        .ok_or_else(|| root.path.key("family").error("is required"))?;
    let single_parent = family
        .bool("single_parent")?
        .ok_or_else(|| family.path.key("single_parent").error("is required"))?;
    let residence_in_city = family
        .bool("residence_in_city")?
        .ok_or_else(|| family.path.key("residence_in_city").error("is required"))?;
    let mut timeline = Timeline::new(single_parent);
    let mut previous: Option<Month> = None;
    for (value, path) in family.list("changes")? {
        let change = Obj::new(value, path)?;
        change.deny_unknown(&["from", "single_parent"])?;
        let from = change_month(&change, previous, statute)?;
        let single = change
            .bool("single_parent")?
            .ok_or_else(|| change.path.key("single_parent").error("is required"))?;
        timeline.change(from, single);
        previous = Some(from);
    }
    Ok(Family {
        single_parent: timeline,
        residence_in_city,
    })
}

/// The `from` of a change: a month, not before the statute, not before the previous change.
fn change_month(
    change: &Obj,
    previous: Option<Month>,
    statute: &Statute,
) -> Result<Month, CaseError> {
    let (from, path) = change
        .month("from")?
        .ok_or_else(|| change.path.key("from").error("is required"))?;
    not_before_statute(from, &path, statute)?;
    if previous.is_some_and(|p| from < p) {
        return Err(path.error("changes must be in ascending order of from"));
    }
    Ok(from)
}

/// A child's terms as given so far, each with where it was last set (0: the child, j + 1:
/// change j), so that an incompatibility is blamed on the field that caused it.
struct Terms<'a> {
    status: Status,
    care_type: Option<(CareType, Path, usize)>,
    daily_hours: Option<(&'a Value, Path, usize)>,
}

impl Terms<'_> {
    /// The place these terms describe, checked against the statute's tiers.
    fn attendance(
        &self,
        child: &Path,
        versions: &[&StatuteVersion],
    ) -> Result<Attendance, CaseError> {
        let status = self.status;
        if status == Status::OutsideCity {
            // Hours of another municipality's place are not ours to check.
            return Ok(Attendance::OutsideCity {
                care_type: self.care_type.as_ref().map(|(c, _, _)| *c),
            });
        }
        let needed = |key: &str| {
            child.key(key).error(format!(
                "is required for status {} (only outside_city may leave it out)",
                status.wire_name()
            ))
        };
        let (care_type, type_path, type_set) =
            self.care_type.as_ref().ok_or_else(|| needed("care_type"))?;
        let (hours_value, hours_path, hours_set) = self
            .daily_hours
            .as_ref()
            .ok_or_else(|| needed("daily_hours"))?;
        let hours = Hours::from_decimal(decimal(hours_value, hours_path)?);
        if let Some(v) = versions.iter().find(|v| !v.offers(*care_type, hours)) {
            let blamed = if hours_set >= type_set {
                hours_path
            } else {
                type_path
            };
            let tiers: Vec<String> = v
                .fee_groups_of(*care_type)
                .into_iter()
                .flat_map(|g| v.rates(g).tiers.iter().map(|t| t.to_string()))
                .collect::<std::collections::BTreeSet<_>>()
                .into_iter()
                .collect();
            return Err(blamed.error(format!(
                "{hours} is not a care tier of {care_type} with a price in {}; priced tiers: {}",
                v.version,
                tiers.join(", ")
            )));
        }
        Ok(Attendance::InCity {
            status,
            care: Care {
                care_type: *care_type,
                daily_hours: hours,
            },
        })
    }
}

fn parse_children(
    root: &Obj,
    statute: &Statute,
    versions: &[&StatuteVersion],
) -> Result<Vec<Child>, CaseError> {
    let Some((value, path)) = root.get("children") else {
        return Err(root.path.key("children").error("is required"));
    };
    if !value.is_array() {
        return Err(path.error("must be a list"));
    }
    let mut ids = HashSet::new();
    let mut children = Vec::new();
    for (value, path) in root.list("children")? {
        let child = Obj::new(value, path)?;
        let (id, id_path) = required_str(&child, "id")?;
        if id.is_empty() {
            return Err(id_path.error("must not be empty"));
        }
        if !ids.insert(id) {
            return Err(id_path.error(format!(
                "{id:?} is used by an earlier child; ids must be unique"
            )));
        }
        let birth_date = child
            .date("birth_date")?
            .ok_or_else(|| child.path.key("birth_date").error("is required"))?;
        let (status, _) = child
            .choice("status", &Status::WIRE_NAMES)?
            .ok_or_else(|| child.path.key("status").error("is required"))?;
        let care_from = child.date("care_from")?;
        let care_until = child.date("care_until")?;
        if let (Some(from), Some(until)) = (care_from, care_until) {
            if until < from {
                return Err(child
                    .path
                    .key("care_until")
                    .error(format!("{until} is before care_from ({from})")));
            }
        }
        let half_fee_exception = child.bool("half_fee_exception")?.unwrap_or(false);

        let mut terms = Terms {
            status,
            care_type: child
                .choice("care_type", &CareType::WIRE_NAMES)?
                .map(|(c, p)| (c, p, 0)),
            daily_hours: child.get("daily_hours").map(|(v, p)| (v, p, 0)),
        };
        let mut attendance = Timeline::new(terms.attendance(&child.path, versions)?);
        let changes = child.list("changes")?;
        let mut previous: Option<Month> = None;
        for (j, (value, path)) in changes.iter().enumerate() {
            let change = Obj::new(value, Path::clone(path))?;
            change.deny_unknown(&["from", "care_type", "daily_hours", "status"])?;
            let from = change_month(&change, previous, statute)?;
            let set_by = j + 1;
            let mut sets_something = false;
            if let Some((c, p)) = change.choice("care_type", &CareType::WIRE_NAMES)? {
                terms.care_type = Some((c, p, set_by));
                sets_something = true;
            }
            if let Some((v, p)) = change.get("daily_hours") {
                terms.daily_hours = Some((v, p, set_by));
                sets_something = true;
            }
            if let Some((s, _)) = change.choice("status", &Status::WIRE_NAMES)? {
                terms.status = s;
                sets_something = true;
            }
            if !sets_something {
                return Err(change
                    .path
                    .error("sets nothing; give care_type, daily_hours and/or status"));
            }
            // Changes of one month act together; the month's terms are checked once all of
            // them are applied.
            let last_of_month = changes
                .get(j + 1)
                .and_then(|(next, _)| next.get("from"))
                .and_then(Value::as_str)
                .and_then(Month::parse)
                != Some(from);
            if last_of_month {
                attendance.change(from, terms.attendance(&child.path, versions)?);
            }
            previous = Some(from);
        }
        let extra_care = child
            .list("extra_care")?
            .into_iter()
            .map(|(value, path)| parse_extra_care(value, path))
            .collect::<Result<Vec<_>, _>>()?;
        children.push(Child {
            id: ChildId(id.to_owned()),
            birth_date,
            care_from,
            care_until,
            half_fee_exception,
            attendance,
            extra_care,
        });
    }
    Ok(children)
}

fn parse_extra_care(value: &Value, path: Path) -> Result<ExtraCare, CaseError> {
    let record = Obj::new(value, path)?;
    record.deny_unknown(&["date", "tiers", "after_closing", "school_free_day"])?;
    let date = record
        .date("date")?
        .ok_or_else(|| record.path.key("date").error("is required"))?;
    let tiers = match record.count("tiers")? {
        Some((0, p)) => return Err(p.error("must be at least 1 (or leave it out)")),
        Some((n, _)) => n,
        None => 0,
    };
    let after_closing = record.bool("after_closing")?.unwrap_or(false);
    if tiers == 0 && !after_closing {
        return Err(record
            .path
            .key("tiers")
            .error("is required unless after_closing is true: a record charges tiers ≥ 1 and/or after_closing"));
    }
    Ok(ExtraCare {
        date,
        tiers,
        after_closing,
        school_free_day: record.bool("school_free_day")?.unwrap_or(false),
    })
}

/// The case parameters, each required exactly where the case needs it.
fn parse_rules(
    root: &Obj,
    versions: &[&StatuteVersion],
    family: &Family,
    children: &[Child],
) -> Result<CaseRules, CaseError> {
    let rules_path = root.path.key("rules");
    let rules = root.object("rules")?;
    let mut parsed = CaseRules::default();
    if let Some(rules) = &rules {
        parsed.age_order = rules.choice("age_order", &AGE_ORDERS)?.map(|(o, _)| o);
        if let Some((value, path)) = rules.get("kindergarten_fee_from_completed_months") {
            let months = value
                .as_i64()
                .ok_or_else(|| path.error("must be a whole number"))?;
            if let Some(v) = versions
                .iter()
                .find(|v| !v.kindergarten_fee_from_completed_months.contains(&months))
            {
                let allowed: Vec<String> = v
                    .kindergarten_fee_from_completed_months
                    .iter()
                    .map(i64::to_string)
                    .collect();
                return Err(path.error(format!(
                    "{months} is not a switch age of {}; allowed: {}",
                    v.version,
                    allowed.join(", ")
                )));
            }
            parsed.kindergarten_fee_from_completed_months = Some(months);
        }
        parsed.non_resident_sibling_reduction = rules.bool("non_resident_sibling_reduction")?;
    }

    let countable = children
        .iter()
        .filter(|c| c.attendance.values().any(|a| a.status().is_countable()))
        .count();
    if countable >= 2 && parsed.age_order.is_none() {
        return Err(rules_path.key("age_order").error(
            "is required: two or more children can count as Zählkinder and § 10 (5) says only \
             \"in ihrer Altersreihenfolge\"; give oldest_first or youngest_first",
        ));
    }
    let any_kita = children.iter().any(|c| {
        c.attendance
            .values()
            .any(|a| a.care_type() == Some(CareType::NurseryThenKindergarten))
    });
    if any_kita && parsed.kindergarten_fee_from_completed_months.is_none() {
        return Err(rules_path
            .key("kindergarten_fee_from_completed_months")
            .error(
                "is required: a child is in a kita; give 36 (§ 11 (1) main rule), 34 (§ 11 (1) \
             exception) or 33 (annex D/H, \"2 Jahre 9 Monate\")",
            ));
    }
    if !family.residence_in_city && parsed.non_resident_sibling_reduction.is_none() {
        return Err(rules_path.key("non_resident_sibling_reduction").error(
            "is required: the family lives outside the city; § 10 (5) staggers only residents, \
             Lastenheft 3.10.3.2 grants the sibling reduction; give true or false",
        ));
    }
    Ok(parsed)
}

/// `choose` for values that are not under a key of an object (kept here for the waiver block).
pub(super) fn choose_str<T: Copy>(
    value: &Value,
    path: &Path,
    choices: &[(&str, T)],
) -> Result<T, CaseError> {
    match value.as_str() {
        Some(s) => choose(s, path, choices),
        None => Err(path.error("must be a string")),
    }
}
