//! The checks of seed 002 over a parsed case. Each record either yields its export row or its
//! errors; the export exists only when no record has an error.

use super::export::{CheckedExport, Export, ExportChild, ExportGroup, ExportStaff, ExportWorkArea};
use super::{
    Activity, CareForm, CareFormKind, Child, Facility, GroupAttendance, KdwCase, Sex, StaffMember,
    FACILITY_EXTRA_FIELDS, NUMERIC_EXTRA_FIELD,
};
use crate::ids::GroupId;
use crate::numbers::{round_half_up, OnePlace};
use chrono::Datelike;
use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;
use serde::{Serialize, Serializer};
use std::collections::{BTreeMap, BTreeSet};

/// What is wrong; the `code` of an error.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum ErrorCode {
    FacilityStateNotBw,
    FacilityFieldMissing,
    FacilityFieldNotNumeric,
    CareFormIncomplete,
    ChildWithoutCareForm,
    ChildWithoutGroup,
    ChildMainGroupAmbiguous,
    HortChildWithoutSchool,
    MiddayBreakForSchoolChild,
    SexUnspecifiedBefore2017,
    StaffHoursMissing,
    MpsMissing,
    MpsAboveLimit,
    NachqualifikationMissing,
    LeitungAufgrundMissing,
    WorkAreaHoursMismatch,
    ErsteAnsprechpersonMissing,
}

impl ErrorCode {
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::FacilityStateNotBw => "facility_state_not_bw",
            ErrorCode::FacilityFieldMissing => "facility_field_missing",
            ErrorCode::FacilityFieldNotNumeric => "facility_field_not_numeric",
            ErrorCode::CareFormIncomplete => "care_form_incomplete",
            ErrorCode::ChildWithoutCareForm => "child_without_care_form",
            ErrorCode::ChildWithoutGroup => "child_without_group",
            ErrorCode::ChildMainGroupAmbiguous => "child_main_group_ambiguous",
            ErrorCode::HortChildWithoutSchool => "hort_child_without_school",
            ErrorCode::MiddayBreakForSchoolChild => "midday_break_for_school_child",
            ErrorCode::SexUnspecifiedBefore2017 => "sex_unspecified_before_2017",
            ErrorCode::StaffHoursMissing => "staff_hours_missing",
            ErrorCode::MpsMissing => "mps_missing",
            ErrorCode::MpsAboveLimit => "mps_above_limit",
            ErrorCode::NachqualifikationMissing => "nachqualifikation_missing",
            ErrorCode::LeitungAufgrundMissing => "leitung_aufgrund_missing",
            ErrorCode::WorkAreaHoursMismatch => "work_area_hours_mismatch",
            ErrorCode::ErsteAnsprechpersonMissing => "erste_ansprechperson_missing",
        }
    }

    /// What to correct, and where in the source application (seed 002).
    fn message(self) -> &'static str {
        match self {
            ErrorCode::FacilityStateNotBw => {
                "Bundesland must be Baden-Württemberg (Mandant/Layer Grunddaten, L29)"
            }
            ErrorCode::FacilityFieldMissing => {
                "this Zusatzfeld of the Mandant must be filled (Layer Zusatzfeld, L31)"
            }
            ErrorCode::FacilityFieldNotNumeric => {
                "StaLA-Einrichtungsnummer is of Datentyp Zahl: digits only (L25-26)"
            }
            ErrorCode::CareFormIncomplete => {
                "the Betreuungsform needs weekly hours and days per week (Standard/Betreuungsform, L48)"
            }
            ErrorCode::ChildWithoutCareForm => {
                "every child needs a known Betreuungsform (Kind/Layer Grunddaten, L48)"
            }
            ErrorCode::ChildWithoutGroup => {
                "every child must be assigned to a known Betreuungsgruppe (L45)"
            }
            ErrorCode::ChildMainGroupAmbiguous => {
                "several groups: the weekly hours in each must name one main group (L45)"
            }
            ErrorCode::HortChildWithoutSchool => {
                "a child with a Hort care form needs a school and Klassenstufe (L50-54)"
            }
            ErrorCode::MiddayBreakForSchoolChild => {
                "Unterbrechung über Mittag is only for children without school (L61)"
            }
            ErrorCode::SexUnspecifiedBefore2017 => {
                "Geschlecht 7 (ohne Angabe) exists only from Berichtsjahr 2017 (L38)"
            }
            ErrorCode::StaffHoursMissing => {
                "weekly hours and working days are required (Layer Arbeitszeit, L84)"
            }
            ErrorCode::MpsMissing => {
                "training key 5015/5021/5023 or PIA needs the MPS-Anrechnung (L78, L86)"
            }
            ErrorCode::MpsAboveLimit => "MPS-Anrechnung above the limit: 5021 max. 20 %, 5023 max. 40 % (L78)",
            ErrorCode::NachqualifikationMissing => {
                "training key 5400-5499 needs the Nachqualifikation (L79)"
            }
            ErrorCode::LeitungAufgrundMissing => {
                "päd. Fachkraft/berechtigt zur Gruppenleitung needs \"Leitung aufgrund von\" (L82)"
            }
            ErrorCode::WorkAreaHoursMismatch => {
                "the hours of the 1st and 2nd work area must add up to the weekly hours (L83)"
            }
            ErrorCode::ErsteAnsprechpersonMissing => {
                "facility with more than one lead: ErsteAnsprechperson must be Ja or Nein (L87)"
            }
        }
    }
}

impl Serialize for ErrorCode {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

/// One error of the check: the record (`facility`, `care_form:<id>`, `child:<id>`,
/// `staff:<id>`), the code and, for the facility's Zusatzfelder, the field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CheckError {
    pub code: ErrorCode,
    pub record: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// What to correct, in words.
    pub message: String,
}

impl CheckError {
    fn new(code: ErrorCode, record: String, field: Option<&str>) -> CheckError {
        let message = match field {
            Some(field) => format!("{record}.{field}: {}", code.message()),
            None => format!("{record}: {}", code.message()),
        };
        CheckError {
            code,
            record,
            field: field.map(str::to_owned),
            message,
        }
    }

    /// The order of the result: record, code, field, as plain strings.
    fn sort_key(&self) -> (&str, &str, &str) {
        (
            &self.record,
            self.code.as_str(),
            self.field.as_deref().unwrap_or(""),
        )
    }
}

/// "Das Bundesland muss auf Baden-Württemberg stehen" (L29).
const BADEN_WUERTTEMBERG: &str = "Baden-Württemberg";
/// From this Berichtsjahr the statistic knows "7 = Ohne Angabe" (L38).
const SEX_UNSPECIFIED_FROM_YEAR: i32 = 2017;

/// Runs every check on the children with a running contract on the Stichdatum and, with
/// `export_staff`, on every staff member. `Ok` holds the export; `Err` the errors, one per
/// (record, code, field), sorted. Only this makes a [`CheckedExport`].
pub fn check(case: &KdwCase) -> Result<CheckedExport, Vec<CheckError>> {
    let mut errors = check_facility(&case.facility);
    let care_forms: BTreeMap<&str, &CareForm> = case
        .care_forms
        .iter()
        .map(|f| (f.id.0.as_str(), f))
        .collect();
    let groups: BTreeSet<&str> = case.groups.iter().map(|g| g.id.0.as_str()).collect();
    let berichtsjahr = case.reference_date.year();

    // "Es sind alle Kinder zu berücksichtigen, die am Stichtag ein Betreuungsverhältnis in der
    // Einrichtung haben" (seed 004 annex L, L33232).
    let mut children = Vec::new();
    for child in case
        .children
        .iter()
        .filter(|c| c.contract.contains(case.reference_date))
    {
        match check_child(child, &care_forms, &groups, berichtsjahr) {
            Ok(row) => children.push(row),
            Err(child_errors) => errors.extend(child_errors),
        }
    }

    let mut staff = Vec::new();
    if case.export_staff {
        for member in &case.staff {
            match check_staff(member, &case.facility, berichtsjahr) {
                Ok(row) => staff.push(row),
                Err(staff_errors) => errors.extend(staff_errors),
            }
        }
    }

    if !errors.is_empty() {
        errors.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
        errors.dedup_by(|a, b| a.sort_key() == b.sort_key());
        return Err(errors);
    }
    let mut groups: Vec<ExportGroup> = case.groups.iter().map(ExportGroup::of).collect();
    groups.sort_by(|a, b| a.id.cmp(&b.id));
    children.sort_by(|a, b| a.id.cmp(&b.id));
    staff.sort_by(|a, b| a.id.cmp(&b.id));
    Ok(CheckedExport::checked(Export {
        reference_date: case.reference_date,
        facility: case
            .facility
            .extra_fields
            .iter()
            .map(|(key, value)| (key.to_string(), value.clone()))
            .collect(),
        groups,
        children,
        staff: case.export_staff.then_some(staff),
    }))
}

fn check_facility(facility: &Facility) -> Vec<CheckError> {
    let record = || "facility".to_owned();
    let mut errors = Vec::new();
    let in_baden_wuerttemberg = facility
        .state
        .as_deref()
        .is_some_and(|state| composed_umlauts(state.trim()) == BADEN_WUERTTEMBERG);
    if !in_baden_wuerttemberg {
        errors.push(CheckError::new(
            ErrorCode::FacilityStateNotBw,
            record(),
            None,
        ));
    }
    for key in FACILITY_EXTRA_FIELDS {
        if !facility.extra_fields.contains_key(key) {
            errors.push(CheckError::new(
                ErrorCode::FacilityFieldMissing,
                record(),
                Some(key),
            ));
        }
    }
    if let Some(number) = facility.extra_fields.get(NUMERIC_EXTRA_FIELD) {
        let digits = match number {
            serde_json::Value::String(text) => text.trim().to_owned(),
            other => other.to_string(),
        };
        if !digits.bytes().all(|b| b.is_ascii_digit()) {
            errors.push(CheckError::new(
                ErrorCode::FacilityFieldNotNumeric,
                record(),
                Some(NUMERIC_EXTRA_FIELD),
            ));
        }
    }
    errors
}

/// "Baden-Wu\u{308}rttemberg" (u + combining diaeresis, as some systems store it) is the same
/// name; only the umlauts of the one name compared need composing.
fn composed_umlauts(text: &str) -> String {
    text.replace("u\u{308}", "ü")
}

fn check_child(
    child: &Child,
    care_forms: &BTreeMap<&str, &CareForm>,
    groups: &BTreeSet<&str>,
    berichtsjahr: i32,
) -> Result<ExportChild, Vec<CheckError>> {
    let record = format!("child:{}", child.id);
    let mut errors = Vec::new();

    // "Jedes Kind benötigt eine Betreuungsform" (L48); the form carries hours and days.
    let care_form = child
        .care_form
        .as_ref()
        .and_then(|id| care_forms.get(id.0.as_str()).copied());
    let hours_and_days = match care_form {
        None => {
            errors.push(CheckError::new(
                ErrorCode::ChildWithoutCareForm,
                record.clone(),
                None,
            ));
            None
        }
        Some(form) => {
            let complete = form.weekly_hours.zip(form.days_per_week);
            if complete.is_none() {
                // On the care form's record: once however many children use it.
                let form_record = format!("care_form:{}", form.id);
                errors.push(CheckError::new(
                    ErrorCode::CareFormIncomplete,
                    form_record,
                    None,
                ));
            }
            complete
        }
    };
    let mut error = |code: ErrorCode| errors.push(CheckError::new(code, record.clone(), None));

    let main_group = match main_group(&child.groups, groups) {
        Ok(group) => Some(group),
        Err(code) => {
            error(code);
            None
        }
    };
    let in_school = child.school_grade.is_some();
    // "Schule | Kinder mit einer Betreuungsform mit der Art Hort" (L50-51).
    if care_form.is_some_and(|f| f.kind == Some(CareFormKind::Hort)) && !in_school {
        error(ErrorCode::HortChildWithoutSchool);
    }
    // "Betreuung mit Unterbrechung über Mittag/ohne Schulkinder" (L61).
    if child.features.midday_break && in_school {
        error(ErrorCode::MiddayBreakForSchoolChild);
    }
    if child.sex == Sex::Unspecified && berichtsjahr < SEX_UNSPECIFIED_FROM_YEAR {
        error(ErrorCode::SexUnspecifiedBefore2017);
    }

    match (hours_and_days, main_group) {
        (Some((weekly_hours, days_per_week)), Some(group)) if errors.is_empty() => {
            Ok(ExportChild {
                id: child.id.clone(),
                sex: child.sex.code(),
                birth_month: child.birth_date.month(),
                birth_year: child.birth_date.year(),
                in_facility_since_month: child.contract.start().month(),
                in_facility_since_year: child.contract.start().year(),
                group,
                // "OHNE Nachkommastelle … KAUFMÄNNISCH gerundet … 36,5 → 37" (L48).
                weekly_hours: round_half_up(weekly_hours, 0)
                    .to_u64()
                    .expect("parsed hours are ≥ 0 with at most 12 integer digits"),
                days_per_week,
                school_grade: child.school_grade.clone(),
                features: child.features,
            })
        }
        _ => Err(errors),
    }
}

/// The group where the child is "schwerpunktmäßig betreut" (L45): the only one, or among
/// several the one with the most weekly hours. Several groups need the hours of each.
fn main_group(attended: &[GroupAttendance], known: &BTreeSet<&str>) -> Result<GroupId, ErrorCode> {
    let is_known = |a: &GroupAttendance| {
        a.group
            .as_ref()
            .is_some_and(|g| known.contains(g.0.as_str()))
    };
    if attended.is_empty() || !attended.iter().all(is_known) {
        return Err(ErrorCode::ChildWithoutGroup);
    }
    let distinct: BTreeSet<&GroupId> = attended.iter().filter_map(|a| a.group.as_ref()).collect();
    if let [only] = distinct.into_iter().collect::<Vec<_>>()[..] {
        return Ok(only.clone());
    }
    let hours: Option<Vec<(Decimal, &GroupId)>> = attended
        .iter()
        .map(|a| Some((a.weekly_hours?, a.group.as_ref()?)))
        .collect();
    let hours = hours.ok_or(ErrorCode::ChildMainGroupAmbiguous)?;
    let most = hours.iter().map(|(h, _)| *h).max().expect("several groups");
    let with_most: BTreeSet<&GroupId> = hours
        .iter()
        .filter(|(h, _)| *h == most)
        .map(|(_, g)| *g)
        .collect();
    match with_most.into_iter().collect::<Vec<_>>()[..] {
        [main] => Ok(main.clone()),
        _ => Err(ErrorCode::ChildMainGroupAmbiguous),
    }
}

/// Keys that need the MPS-Anrechnung (L78).
const MPS_KEYS: [u32; 3] = [5015, 5021, 5023];
/// "5021 max. 20%, 5023 max. 40%, 0% ist erlaubt" (L78).
const MPS_LIMITS: [(u32, u32); 2] = [(5021, 20), (5023, 40)];
/// "Ausbildungsschlüssel zwischen 5400 und 5499" (L79), both included.
const NACHQUALIFIKATION_KEYS: std::ops::RangeInclusive<u32> = 5400..=5499;

fn check_staff(
    member: &StaffMember,
    facility: &Facility,
    berichtsjahr: i32,
) -> Result<ExportStaff, Vec<CheckError>> {
    let record = format!("staff:{}", member.id);
    let mut errors = Vec::new();
    let mut error = |code: ErrorCode| errors.push(CheckError::new(code, record.clone(), None));

    // Asked of everyone, domestic staff included (L84).
    let (weekly_hours, working_days) = match (member.weekly_hours, member.working_days) {
        (Some(hours), Some(days)) => (Some(hours), Some(days)),
        (hours, _) => {
            error(ErrorCode::StaffHoursMissing);
            (hours, None)
        }
    };
    if member.sex == Sex::Unspecified && berichtsjahr < SEX_UNSPECIFIED_FROM_YEAR {
        error(ErrorCode::SexUnspecifiedBefore2017);
    }
    // "Für Mitarbeiter aus dem hauswirtschaftlichen/technischen Bereich müssen nur die
    // Wochenstunden und Arbeitstage erfasst werden" (L84).
    if !member.domestic_technical {
        let key: Option<u32> = member.training_key.as_deref().and_then(|k| k.parse().ok());
        let needs_mps = key.is_some_and(|k| MPS_KEYS.contains(&k)) || member.pia;
        match member.mps_anrechnung {
            None if needs_mps => error(ErrorCode::MpsMissing),
            Some(percent)
                if MPS_LIMITS.iter().any(|(limit_key, limit)| {
                    key == Some(*limit_key) && percent > Decimal::from(*limit)
                }) =>
            {
                error(ErrorCode::MpsAboveLimit)
            }
            _ => {}
        }
        if key.is_some_and(|k| NACHQUALIFIKATION_KEYS.contains(&k))
            && member.nachqualifikation.is_none()
        {
            error(ErrorCode::NachqualifikationMissing);
        }
        if member.activity == Some(Activity::Gruppenleitung)
            && member.leitung_aufgrund_von.is_none()
        {
            error(ErrorCode::LeitungAufgrundMissing);
        }
        // Exact decimals: 30 + 8.5 = 38.5; an area without hours adds nothing.
        if let Some(total) = weekly_hours {
            let areas: Decimal = member
                .work_areas
                .iter()
                .filter_map(|a| a.weekly_hours)
                .sum();
            if areas != total {
                error(ErrorCode::WorkAreaHoursMismatch);
            }
        }
        // "Ist … die Checkbox Einrichtung mit mehr als eine Einrichtungsleitung gesetzt, muss das
        // Zusatzfeld ErsteAnsprechperson mit Ja oder Nein gefüllt werden" (L87).
        let ja_or_nein = member
            .erste_ansprechperson
            .as_deref()
            .is_some_and(|answer| ["ja", "nein"].contains(&answer.trim().to_lowercase().as_str()));
        if facility.more_than_one_lead
            && member.activity == Some(Activity::Einrichtungsleitung)
            && !ja_or_nein
        {
            error(ErrorCode::ErsteAnsprechpersonMissing);
        }
    }

    match (weekly_hours, working_days) {
        (Some(weekly_hours), Some(working_days)) if errors.is_empty() => Ok(ExportStaff {
            id: member.id.clone(),
            sex: member.sex.code(),
            birth_month: member.birth_date.month(),
            birth_year: member.birth_date.year(),
            domestic_technical: member.domestic_technical,
            training_key: member.training_key.clone(),
            mps_anrechnung: member.mps_anrechnung.map(|p| p.normalize().to_string()),
            weekly_hours: OnePlace(weekly_hours),
            working_days,
            work_areas: if member.domestic_technical {
                Vec::new()
            } else {
                member
                    .work_areas
                    .iter()
                    .map(|a| ExportWorkArea {
                        area: a.area.clone(),
                        weekly_hours: OnePlace(a.weekly_hours.unwrap_or(Decimal::ZERO)),
                    })
                    .collect()
            },
        }),
        _ => Err(errors),
    }
}
