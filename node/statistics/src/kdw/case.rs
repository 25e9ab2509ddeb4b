//! Reads a `kitanetz-kdw-case/1` case. Only what no check can report makes a case invalid:
//! malformed JSON, a wrong type, a missing id, sex, birth date or contract start, a duplicate id.
//! Checked fields may be empty; the check reports them.

use super::{
    Activity, CareForm, CareFormKind, Child, Facility, Features, Group, GroupAttendance, KdwCase,
    Sex, StaffMember, WorkArea, CASE_FORMAT, FACILITY_EXTRA_FIELDS,
};
use crate::ids::{CareFormId, ChildId, GroupId, StaffId};
use crate::reader::{case_root, parse_json, Obj, Path};
use crate::CaseError;
use rust_decimal::Decimal;
use serde_json::Value;

const SEXES: &[(&str, Sex)] = &[
    ("male", Sex::Male),
    ("female", Sex::Female),
    ("unspecified", Sex::Unspecified),
];

const CARE_FORM_KINDS: &[(&str, CareFormKind)] = &[
    ("krippe", CareFormKind::Krippe),
    ("kindergarten", CareFormKind::Kindergarten),
    ("hort", CareFormKind::Hort),
    ("other", CareFormKind::Other),
];

const ACTIVITIES: &[(&str, Activity)] = &[
    ("einrichtungsleitung", Activity::Einrichtungsleitung),
    ("gruppenleitung", Activity::Gruppenleitung),
    ("other", Activity::Other),
];

/// "Hat ein Mitarbeiter mehr als zwei Arbeitsbereiche müssen diese händisch im KitaDataWebhouse
/// erfasst werden" (L85): the export carries two at most.
const MAX_WORK_AREAS: usize = 2;

/// Parses the case text; extra fields are allowed.
pub fn parse_case(text: &str) -> Result<KdwCase, CaseError> {
    let json = parse_json(text)?;
    let root = case_root(&json, CASE_FORMAT)?;
    Ok(KdwCase {
        reference_date: root.required_date("reference_date")?,
        export_staff: root.bool_or("export_staff", false)?,
        facility: match root.object("facility")? {
            Some(facility) => parse_facility(&facility)?,
            None => Facility::default(),
        },
        care_forms: root.records("care_forms", parse_care_form, |f| &f.id.0)?,
        groups: root.records("groups", parse_group, |g| &g.id.0)?,
        children: root.records("children", parse_child, |c| &c.id.0)?,
        staff: root.records("staff", parse_staff, |s| &s.id.0)?,
    })
}

fn parse_facility(obj: &Obj) -> Result<Facility, CaseError> {
    let mut extra_fields = std::collections::BTreeMap::new();
    if let Some(fields) = obj.object("extra_fields")? {
        for key in FACILITY_EXTRA_FIELDS {
            if let Some((value, path)) = fields.get(key) {
                if !matches!(value, Value::String(_) | Value::Number(_) | Value::Bool(_)) {
                    return Err(path.error("must be a string"));
                }
                extra_fields.insert(key, value.clone());
            }
        }
    }
    Ok(Facility {
        name: text(obj, "name")?,
        state: text(obj, "state")?,
        more_than_one_lead: obj.bool_or("more_than_one_lead", false)?,
        extra_fields,
    })
}

fn parse_care_form(obj: &Obj) -> Result<CareForm, CaseError> {
    Ok(CareForm {
        id: CareFormId::from(obj.required_str("id")?),
        name: text(obj, "name")?,
        kind: obj.choice("kind", CARE_FORM_KINDS)?,
        weekly_hours: obj.hours("weekly_hours")?,
        days_per_week: obj.days_per_week("days_per_week")?,
    })
}

fn parse_group(obj: &Obj) -> Result<Group, CaseError> {
    Ok(Group {
        id: GroupId::from(obj.required_str("id")?),
        name: text(obj, "name")?,
        status: text(obj, "status")?,
        max_size: obj.whole("max_size")?.map(|(n, _)| n),
    })
}

fn parse_child(obj: &Obj) -> Result<Child, CaseError> {
    let id = ChildId::from(obj.required_str("id")?);
    let sex = obj.required_choice("sex", SEXES)?;
    let birth_date = obj.required_date("birth_date")?;
    let contract = obj.period("contract_from", "contract_until")?;
    let groups = obj
        .list("groups")?
        .into_iter()
        .map(|(value, path)| parse_group_attendance(value, path))
        .collect::<Result<_, _>>()?;
    let school_grade = match obj.get("school_grade") {
        None => None,
        Some((value @ (Value::String(_) | Value::Number(_)), _)) => Some(value.clone()),
        Some((_, path)) => {
            return Err(path.error("must be a Klassenstufe (number or text) or null"))
        }
    };
    Ok(Child {
        id,
        sex,
        birth_date,
        contract,
        care_form: text(obj, "care_form")?.map(CareFormId),
        groups,
        school_grade,
        features: match obj.object("features")? {
            Some(features) => parse_features(&features)?,
            None => Features::default(),
        },
    })
}

/// `{ "group": "G5", "weekly_hours": "30.5" }`, or just the group id as a string.
fn parse_group_attendance(value: &Value, path: Path) -> Result<GroupAttendance, CaseError> {
    if let Value::String(id) = value {
        return Ok(GroupAttendance {
            group: Some(GroupId(id.clone())).filter(|g| !g.0.trim().is_empty()),
            weekly_hours: None,
        });
    }
    let obj = Obj::new(value, path)?;
    Ok(GroupAttendance {
        group: text(&obj, "group")?.map(GroupId),
        weekly_hours: obj.hours("weekly_hours")?,
    })
}

fn parse_features(obj: &Obj) -> Result<Features, CaseError> {
    Ok(Features {
        weekend_care: obj.bool_or("weekend_care", false)?,
        midday_break: obj.bool_or("midday_break", false)?,
        lunch: obj.bool_or("lunch", false)?,
        foreign_origin: obj.bool_or("foreign_origin", false)?,
        non_german_language: obj.bool_or("non_german_language", false)?,
        integration_physical: obj.bool_or("integration_physical", false)?,
        integration_mental: obj.bool_or("integration_mental", false)?,
        integration_emotional: obj.bool_or("integration_emotional", false)?,
        educational_help: obj.bool_or("educational_help", false)?,
    })
}

fn parse_staff(obj: &Obj) -> Result<StaffMember, CaseError> {
    let id = StaffId::from(obj.required_str("id")?);
    let sex = obj.required_choice("sex", SEXES)?;
    let birth_date = obj.required_date("birth_date")?;
    let training_key = match obj.text("training_key")? {
        None => None,
        Some((key, path)) => {
            let key = key.trim();
            if key.len() != 4 || !key.bytes().all(|b| b.is_ascii_digit()) {
                return Err(path.error(format!("{key:?} is not a key of four digits")));
            }
            Some(key.to_owned())
        }
    };
    let mps_anrechnung = match obj.decimal("mps_anrechnung")? {
        Some((percent, path)) if percent < Decimal::ZERO => {
            return Err(path.error("must be a percentage ≥ 0, the number only (L78)"))
        }
        other => other.map(|(percent, _)| percent),
    };
    let work_areas: Vec<WorkArea> = obj
        .list("work_areas")?
        .into_iter()
        .map(|(value, path)| {
            let area = Obj::new(value, path)?;
            Ok(WorkArea {
                area: text(&area, "area")?,
                weekly_hours: area.hours("weekly_hours")?,
            })
        })
        .collect::<Result<_, CaseError>>()?;
    if work_areas.len() > MAX_WORK_AREAS {
        return Err(obj.path.key("work_areas").error(
            "has more than two work areas: the Kita-Data-Webhouse takes two, further ones are \
             entered there by hand (seed 002 L85)",
        ));
    }
    Ok(StaffMember {
        id,
        sex,
        birth_date,
        activity: obj.choice("activity", ACTIVITIES)?,
        domestic_technical: obj.bool_or("domestic_technical", false)?,
        training_key,
        pia: obj.bool_or("pia", false)?,
        mps_anrechnung,
        nachqualifikation: text(obj, "nachqualifikation")?,
        leitung_aufgrund_von: text(obj, "leitung_aufgrund_von")?,
        erste_ansprechperson: text(obj, "erste_ansprechperson")?,
        weekly_hours: obj.hours("weekly_hours")?,
        working_days: obj.days_per_week("working_days")?,
        work_areas,
    })
}

fn text(obj: &Obj, key: &str) -> Result<Option<String>, CaseError> {
    Ok(obj.text(key)?.map(|(text, _)| text))
}
