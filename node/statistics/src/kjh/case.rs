//! Reads a `kitanetz-kjh-case/1` case (`node/statistics/KJH_CASE.md`). Strict: an unknown
//! field, a wrong type or a value outside its range refuses the case, naming the field's path
//! (`children[2].birth_date`). What depends on the Stichtag (which contract runs, who is
//! counted) is left to [`count`](super::count); [`refusal`] names the field behind each of its
//! errors.

use super::{
    effective_reference_date, Absence, AbsenceKind, CareContract, Child, ClockTime, Disability,
    EmploymentBasis, Facility, Group, IntegrationAid, KjhError, KjhInput, ParentFigure, ParentRole,
    Position, Rechtsform, Sex, Span, StaffMember, StaffRole, TraegerArt, TrainingKey, WeekHours,
    WorkArea, WorkAreaHours, CASE_FORMAT,
};
use crate::ids::{ChildId, GroupId, StaffId};
use crate::reader::{case_root, parse_json, Obj, Path};
use crate::CaseError;
use chrono::{Datelike, NaiveDate};

const SEXES: &[(&str, Sex)] = &[
    ("male", Sex::Male),
    ("female", Sex::Female),
    ("unspecified", Sex::Unspecified),
];

const PARENT_ROLES: &[(&str, ParentRole)] = &[
    ("mother", ParentRole::Mother),
    ("father", ParentRole::Father),
    ("partner_of_parent", ParentRole::PartnerOfParent),
];

const DISABILITIES: &[(&str, Disability)] = &[
    ("physical", Disability::Physical),
    ("mental", Disability::Mental),
    ("emotional", Disability::Emotional),
];

const BASES: &[(&str, EmploymentBasis)] = &[
    ("employment", EmploymentBasis::Employment),
    ("marginal", EmploymentBasis::Marginal),
    ("one_euro_job", EmploymentBasis::OneEuroJob),
    ("volunteer", EmploymentBasis::Volunteer),
];

const ABSENCE_KINDS: &[(&str, AbsenceKind)] = &[
    ("parental_leave", AbsenceKind::ParentalLeave),
    (
        "partial_retirement_release",
        AbsenceKind::PartialRetirementRelease,
    ),
    ("long_term_illness", AbsenceKind::LongTermIllness),
];

/// The keys of `opening_hours`, Monday first as in [`WeekHours::days`].
const WEEKDAY_KEYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

/// Parses and checks the case text.
pub fn parse_case(text: &str) -> Result<KjhInput, CaseError> {
    let json = parse_json(text)?;
    let root = case_root(&json, CASE_FORMAT)?;
    root.only_fields(&[
        "format",
        "reference_date",
        "facility",
        "groups",
        "children",
        "staff",
    ])?;
    let reference_date = root.required_date("reference_date")?;
    // The form asks for 1 March (L30383, L30610); a closure moves it back, which the count
    // decides (L30410–30412), so the case always names 1 March.
    if (reference_date.month(), reference_date.day()) != (3, 1) {
        return Err(root.path.key("reference_date").error(format!(
            "is {reference_date}; the Stichtag of Teil III.1 is 1 March (L30383, L30610)"
        )));
    }
    let facility = match root.object("facility")? {
        Some(facility) => parse_facility(&facility)?,
        None => return Err(root.path.key("facility").error("is required")),
    };
    Ok(KjhInput {
        reference_date,
        facility,
        groups: root.records("groups", parse_group, |g| &g.id.0)?,
        children: root.records(
            "children",
            |obj| parse_child(obj, reference_date),
            |c| &c.id.0,
        )?,
        staff: root.records("staff", |obj| parse_staff(obj, reference_date), |s| &s.id.0)?,
    })
}

/// The case field behind an error of the count: the child's running contract or the person's
/// work area where the error is about one, else the record.
pub fn refusal(input: &KjhInput, error: &KjhError) -> CaseError {
    let field = match error {
        KjhError::NoGroups => Path::root().key("groups"),
        KjhError::NoOpenMonthEnd { .. } => Path::root().key("facility").key("closures"),
        KjhError::UnknownGroup { record, .. } | KjhError::GroupMissing { record } => {
            group_field(input, record)
        }
        KjhError::OverlappingContracts { record, .. } => {
            record_path(input, record).key("contracts")
        }
        KjhError::InvalidValue { record, .. } => record_path(input, record),
        KjhError::NoWorkArea { record } | KjhError::WorkAreaHoursMismatch { record, .. } => {
            record_path(input, record)
                .key("pedagogical")
                .key("work_areas")
        }
        KjhError::NoHours { record } => record_path(input, record).key("weekly_hours"),
    };
    field.error(error.to_string())
}

/// `children[i]` or `staff[i]` for a record `child:<id>` or `staff:<id>` of the count.
fn record_path(input: &KjhInput, record: &str) -> Path {
    let child = record
        .strip_prefix("child:")
        .and_then(|id| input.children.iter().position(|c| c.id.0 == id));
    let staff = record
        .strip_prefix("staff:")
        .and_then(|id| input.staff.iter().position(|s| s.id.0 == id));
    match (child, staff) {
        (Some(i), _) => Path::root().key("children").index(i),
        (_, Some(i)) => Path::root().key("staff").index(i),
        // Every record the count names is one of the case's; the whole case otherwise.
        (None, None) => Path::root(),
    }
}

/// The `group` of the child's contract running on the Stichtag, or of the first work area that
/// names a group (Schlüssel A 1 or 2) with none or an unknown one.
fn group_field(input: &KjhInput, record: &str) -> Path {
    let path = record_path(input, record);
    let date = effective_reference_date(input.reference_date, &input.facility)
        .unwrap_or(input.reference_date);
    let is_known = |group: &Option<GroupId>| {
        group
            .as_ref()
            .is_some_and(|g| input.groups.iter().any(|known| &known.id == g))
    };
    if let Some(id) = record.strip_prefix("child:") {
        let running = input
            .children
            .iter()
            .find(|c| c.id.0 == id)
            .and_then(|c| c.contracts.iter().position(|k| k.term.contains(date)));
        if let Some(j) = running {
            return path.key("contracts").index(j).key("group");
        }
    }
    if let Some(id) = record.strip_prefix("staff:") {
        let areas = input
            .staff
            .iter()
            .find(|s| s.id.0 == id)
            .and_then(|s| match &s.role {
                StaffRole::Pedagogical { work_areas, .. } => Some(work_areas),
                StaffRole::DomesticTechnical { .. } => None,
            });
        let unnamed = areas.and_then(|areas| {
            areas
                .iter()
                .position(|a| a.area.names_group() && !is_known(&a.group))
        });
        if let Some(k) = unnamed {
            return path
                .key("pedagogical")
                .key("work_areas")
                .index(k)
                .key("group");
        }
    }
    path
}

/// The choices of a form key (`"08"`), from the enum's own codes.
fn coded<T: Copy>(all: &[T], code: fn(T) -> &'static str) -> Vec<(&'static str, T)> {
    all.iter().map(|value| (code(*value), *value)).collect()
}

fn parse_facility(obj: &Obj) -> Result<Facility, CaseError> {
    obj.only_fields(&[
        "traeger_art",
        "rechtsform",
        "approved_places",
        "places_for_employees_children",
        "parent_initiative",
        "fixed_groups",
        "opening_hours",
        "closures",
    ])?;
    let traeger_art =
        obj.required_choice("traeger_art", &coded(TraegerArt::ALL, TraegerArt::code))?;
    let rechtsform =
        obj.required_choice("rechtsform", &coded(Rechtsform::ALL, Rechtsform::code))?;
    let approved_places = match obj.whole("approved_places")? {
        Some((places, _)) => places,
        None => {
            return Err(obj
                .path
                .key("approved_places")
                .error("is required (a whole number ≥ 0)"))
        }
    };
    // "davon" places of the approved ones (C question 3, L33205–33207).
    let places_for_employees_children = match obj.whole("places_for_employees_children")? {
        None => 0,
        Some((places, path)) if places > approved_places => {
            return Err(path.error(format!(
                "is {places}, more than the {approved_places} approved_places"
            )))
        }
        Some((places, _)) => places,
    };
    let opening_hours = match obj.object("opening_hours")? {
        Some(hours) => parse_week_hours(&hours)?,
        None => {
            return Err(obj
                .path
                .key("opening_hours")
                .error("is required (the facility's weekly opening hours)"))
        }
    };
    let closures = obj
        .list("closures")?
        .into_iter()
        .map(|(value, path)| {
            let closure = Obj::new(value, path)?;
            closure.only_fields(&["start", "end"])?;
            closure.period("start", "end")
        })
        .collect::<Result<_, _>>()?;
    Ok(Facility {
        traeger_art,
        rechtsform,
        approved_places,
        places_for_employees_children,
        parent_initiative: obj.bool_or("parent_initiative", false)?,
        fixed_groups: obj.required_bool("fixed_groups")?,
        opening_hours,
        closures,
    })
}

/// `{ "mon": ["07:00-12:00", "14:00-17:00"], … }`; a day not named is closed.
fn parse_week_hours(obj: &Obj) -> Result<WeekHours, CaseError> {
    obj.only_fields(&WEEKDAY_KEYS)?;
    let mut hours = WeekHours::default();
    for (day, key) in hours.days.iter_mut().zip(WEEKDAY_KEYS) {
        *day = obj
            .list(key)?
            .into_iter()
            .map(|(value, path)| {
                value.as_str().and_then(parse_span).ok_or_else(|| {
                    path.error("must be opening hours \"HH:MM-HH:MM\", from before to")
                })
            })
            .collect::<Result<_, _>>()?;
    }
    Ok(hours)
}

/// `"07:00-12:00"`.
fn parse_span(text: &str) -> Option<Span> {
    let (from, to) = text.split_once('-')?;
    Span::new(ClockTime::parse(from)?, ClockTime::parse(to)?)
}

fn parse_group(obj: &Obj) -> Result<Group, CaseError> {
    obj.only_fields(&["id", "opening_hours"])?;
    Ok(Group {
        id: GroupId::from(obj.required_str("id")?),
        opening_hours: obj
            .object("opening_hours")?
            .map(|hours| parse_week_hours(&hours))
            .transpose()?,
    })
}

/// A birth date on or before the Stichtag.
fn birth_date(obj: &Obj, reference_date: NaiveDate) -> Result<NaiveDate, CaseError> {
    let birth_date = obj.required_date("birth_date")?;
    if birth_date > reference_date {
        return Err(obj.path.key("birth_date").error(format!(
            "is {birth_date}, after the reference_date {reference_date}"
        )));
    }
    Ok(birth_date)
}

fn parse_child(obj: &Obj, reference_date: NaiveDate) -> Result<Child, CaseError> {
    obj.only_fields(&[
        "id",
        "sex",
        "birth_date",
        "in_school",
        "non_german_family_language",
        "parents",
        "integration_aid",
        "contracts",
    ])?;
    let id = ChildId::from(obj.required_str("id")?);
    let sex = obj.required_choice("sex", SEXES)?;
    let birth_date = birth_date(obj, reference_date)?;
    let contracts = items(obj, "contracts", parse_contract)?;
    let parents = items(obj, "parents", |parent| {
        parent.only_fields(&["role", "lives_with_child", "from_abroad"])?;
        Ok(ParentFigure {
            role: parent.required_choice("role", PARENT_ROLES)?,
            lives_with_child: parent.required_bool("lives_with_child")?,
            from_abroad: parent.required_bool("from_abroad")?,
        })
    })?;
    let integration_aid = items(obj, "integration_aid", |aid| {
        aid.only_fields(&["disability", "official_decision"])?;
        Ok(IntegrationAid {
            disability: aid.required_choice("disability", DISABILITIES)?,
            official_decision: aid.required_bool("official_decision")?,
        })
    })?;
    Ok(Child {
        id,
        sex,
        birth_date,
        contracts,
        in_school: obj.bool_or("in_school", false)?,
        parents,
        non_german_family_language: obj.bool_or("non_german_family_language", false)?,
        integration_aid,
    })
}

/// The objects of the list under `key`, each read by `parse`.
fn items<T>(
    obj: &Obj,
    key: &str,
    parse: impl Fn(&Obj) -> Result<T, CaseError>,
) -> Result<Vec<T>, CaseError> {
    obj.list(key)?
        .into_iter()
        .map(|(value, path)| parse(&Obj::new(value, path)?))
        .collect()
}

fn parse_contract(obj: &Obj) -> Result<CareContract, CaseError> {
    obj.only_fields(&[
        "start",
        "end",
        "group",
        "weekly_hours",
        "days_per_week",
        "weekend_care",
        "midday_break",
        "lunch_days_per_week",
    ])?;
    let term = obj.period("start", "end")?;
    let weekly_hours = obj.hours("weekly_hours")?.ok_or_else(|| {
        obj.path
            .key("weekly_hours")
            .error("is required (contracted hours per week)")
    })?;
    let days_per_week = obj.days_per_week("days_per_week")?.ok_or_else(|| {
        obj.path
            .key("days_per_week")
            .error("is required (care days per week, 0 to 7)")
    })?;
    let lunch_days_per_week = match obj.days_per_week("lunch_days_per_week")? {
        None => 0,
        Some(days) if days > days_per_week => {
            return Err(obj.path.key("lunch_days_per_week").error(format!(
                "is {days}, more than the {days_per_week} days_per_week"
            )))
        }
        Some(days) => days,
    };
    Ok(CareContract {
        term,
        // Whether the group is needed and known is the count's question: only the contract
        // running on the Stichtag matters, and a past contract may name a group since closed.
        group: obj.str("group")?.map(|(id, _)| GroupId::from(id)),
        weekly_hours,
        days_per_week,
        weekend_care: obj.bool_or("weekend_care", false)?,
        midday_break: obj.bool_or("midday_break", false)?,
        lunch_days_per_week,
    })
}

fn parse_staff(obj: &Obj, reference_date: NaiveDate) -> Result<StaffMember, CaseError> {
    obj.only_fields(&[
        "id",
        "sex",
        "birth_date",
        "contract_start",
        "contract_end",
        "basis",
        "absences",
        "weekly_hours",
        "actual_weekly_hours",
        "pedagogical",
        "domestic_technical",
    ])?;
    let id = StaffId::from(obj.required_str("id")?);
    let sex = obj.required_choice("sex", SEXES)?;
    let birth_date = birth_date(obj, reference_date)?;
    let contract = obj.period("contract_start", "contract_end")?;
    let basis = obj.required_choice("basis", BASES)?;
    let absences = items(obj, "absences", |absence| {
        absence.only_fields(&["kind", "start", "end"])?;
        Ok(Absence {
            kind: absence.required_choice("kind", ABSENCE_KINDS)?,
            period: absence.period("start", "end")?,
        })
    })?;
    let weekly_hours = obj.hours("weekly_hours")?;
    let actual_weekly_hours = obj.hours("actual_weekly_hours")?;
    let role = match (
        obj.object("pedagogical")?,
        obj.object("domestic_technical")?,
    ) {
        (Some(pedagogical), None) => parse_pedagogical(&pedagogical)?,
        (None, Some(domestic)) => {
            domestic.only_fields(&["external_firm"])?;
            StaffRole::DomesticTechnical {
                external_firm: domestic.bool_or("external_firm", false)?,
            }
        }
        (Some(_), Some(_)) => {
            return Err(obj
                .path
                .key("domestic_technical")
                .error("is given with pedagogical; a person is on one sheet, H 1 or H 2"))
        }
        (None, None) => {
            return Err(obj
                .path
                .key("pedagogical")
                .error("is required, or domestic_technical (sheet H 1 or H 2)"))
        }
    };
    Ok(StaffMember {
        id,
        sex,
        birth_date,
        contract,
        basis,
        absences,
        weekly_hours,
        actual_weekly_hours,
        role,
    })
}

fn parse_pedagogical(obj: &Obj) -> Result<StaffRole, CaseError> {
    obj.only_fields(&["position", "training_key", "work_areas"])?;
    let position = obj.required_choice("position", &coded(Position::ALL, Position::code))?;
    let training_key = match obj.str("training_key")? {
        None => {
            return Err(obj
                .path
                .key("training_key")
                .error("is required: Schlüssel B, \"01\" to \"37\""))
        }
        Some((key, path)) => parse_training_key(key)
            .ok_or_else(|| path.error(format!("{key:?} is not a Schlüssel B, \"01\" to \"37\"")))?,
    };
    let work_areas = items(obj, "work_areas", |area| {
        area.only_fields(&["area", "weekly_hours", "group"])?;
        Ok(WorkAreaHours {
            area: area.required_choice("area", &coded(WorkArea::ALL, WorkArea::code))?,
            weekly_hours: area
                .hours("weekly_hours")?
                .ok_or_else(|| area.path.key("weekly_hours").error("is required"))?,
            group: area.str("group")?.map(|(id, _)| GroupId::from(id)),
        })
    })?;
    Ok(StaffRole::Pedagogical {
        position,
        training_key,
        work_areas,
    })
}

/// Two digits as the form writes them: `"04"`.
fn parse_training_key(text: &str) -> Option<TrainingKey> {
    if text.len() != 2 || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    TrainingKey::new(text.parse().ok()?)
}
