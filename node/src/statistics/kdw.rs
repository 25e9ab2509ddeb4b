//! The Kita-Data-Webhouse (Baden-Württemberg, seed 002) for one Kita, from the node's own
//! documents: the mapping to a [`KdwCase`] on the Stichdatum 1 March, the check
//! ([`kitanetz_statistics::kdw::check`]) with its errors named for a Kita lead, and the StaLa XML
//! only when the check passes and nothing the export needs is missing.
//!
//! What the node does not hold, and what the mapping does about it:
//! - The Mandant's master data: Bundesland and the eight Zusatzfelder (L21–31), which the Träger
//!   enters per Kita ([`super::kdw_master`]); the weekly opening time, when not entered, is
//!   derived (opens to closes × 5 weekdays). The check names every one still empty.
//! - Betreuungsform: none as such; one per care type and daily hours, with five days a week
//!   ([`ASSUMED_DAYS_PER_WEEK`]) and weekly hours = daily × 5.
//! - Klassenstufe: derived for a Hort child from its school entry (the recorded decision, else
//!   the statute), assuming no repeated year.
//! - Standard-Merkmale (weekend care, midday break, lunch, origin, language, educational help):
//!   not held, handed over as no; the kind of an integration aid comes from the Träger's
//!   master data: a child with Eingliederungshilfe and none entered is a problem row, and no
//!   file.
//! - Staff: handed over only with the Mandant option "Personal übergeben" on (L74, L90; per
//!   Kita in the master data, default no). Then every person with an assignment at the Kita on
//!   the Stichdatum is mapped from the staff document: the Webhouse data the Träger's admin
//!   enters per person on `/staff` (`StaffMember::statistics`: sex, Tätigkeit, training key,
//!   PIA, MPS-Anrechnung, Nachqualifikation, Leitung aufgrund von, ErsteAnsprechperson, working
//!   days, the work area of the educator hours) and the hours of the assignments on that day.
//!   Weekly hours: the sum of the person's assignments at the Kita. Work areas (Schlüssel A):
//!   leadership hours are 4 (Einrichtungsleitung); educator hours go to the area entered, else
//!   1 (Gruppenleitung) when the person is named as a group's lead educator, else 9
//!   (gruppenübergreifend) — the node cannot tell a Zweitkraft (2) from either. Tätigkeit, when
//!   not entered: Einrichtungsleitung with a leadership assignment, else päd.
//!   Fachkraft/Gruppenleitung for a qualification that counts towards the staffing key, else
//!   other. ErsteAnsprechperson, when not entered: "nein", as the source application presets
//!   it (L87). Sex, birth date and, except for domestic/technical staff (L84), the training key
//!   have no default: a person without one is a problem row naming the field, and no file.
//!   Missing working days and the check's other rules are the check's errors, named per person.

use super::kita_data::{
    contract_for, school_entry_year, school_grade, KitaData, Problem, ASSUMED_DAYS_PER_WEEK,
};
use chrono::NaiveDate;
use kitanetz_crdt::kinds::facility::CareType;
use kitanetz_crdt::kinds::StaffRole;
use kitanetz_crdt::scalar::Date;
use kitanetz_statistics::ids::{CareFormId, ChildId, GroupId, StaffId};
use kitanetz_statistics::kdw::{
    self, Activity, CareForm, CareFormKind, CheckedExport, Child, Facility, Features, Group,
    GroupAttendance, KdwCase, Sex, StaffMember, WorkArea,
};
use kitanetz_statistics::period::Period;
use rust_decimal::Decimal;
use serde::Serialize;
use std::collections::BTreeMap;

/// The Mandant's master data the Träger keeps for the statistic (Bundesland, Zusatzfelder, the
/// kind of each integration aid; see [`super::kdw_master`]).
#[derive(Debug, Clone, Default)]
pub struct KdwMaster {
    pub state: Option<String>,
    pub extra_fields: BTreeMap<&'static str, serde_json::Value>,
    pub more_than_one_lead: bool,
    /// Mandant option "Personal übergeben" (L74, L90), default no.
    pub export_staff: bool,
    /// Child id → kind of integration aid (at least one of the three).
    pub integration: BTreeMap<String, IntegrationKind>,
}

/// The kind of a child's integration aid (seed 002 L66–70): körperlich, geistig, seelisch.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct IntegrationKind {
    pub physical: bool,
    pub mental: bool,
    pub emotional: bool,
}

impl IntegrationKind {
    pub fn any(&self) -> bool {
        self.physical || self.mental || self.emotional
    }
}

/// The case and what the mapping could not take from the node.
#[derive(Debug, Clone)]
pub struct MappedCase {
    pub case: KdwCase,
    pub missing: Vec<Problem>,
    pub assumed: Vec<String>,
}

fn care_form_kind(care_type: CareType) -> CareFormKind {
    match care_type {
        CareType::Nursery => CareFormKind::Krippe,
        CareType::Kindergarten => CareFormKind::Kindergarten,
        CareType::AfterSchool | CareType::SupportedAfterSchool => CareFormKind::Hort,
        CareType::Remedial => CareFormKind::Other,
    }
}

/// Maps one Kita to the case of the Stichdatum `reference_date`.
pub fn kdw_case(data: &KitaData, master: &KdwMaster, reference_date: NaiveDate) -> MappedCase {
    let day = Date(reference_date);
    let mut missing = Vec::new();
    let assumed = vec![
        format!("Betreuungsform je Betreuungsart und Tagesstunden, {ASSUMED_DAYS_PER_WEEK} Tage je Woche / a care form per care type and daily hours, {ASSUMED_DAYS_PER_WEEK} days a week"),
        "Klassenstufe der Hortkinder aus dem Schuleintritt abgeleitet (ohne Wiederholung) / Hort children's grade derived from school entry".into(),
        "Wochenendbetreuung, Mittagsunterbrechung, Mittagessen, Herkunft, Familiensprache, Hilfe zur Erziehung: nicht erfasst, als „nein“ übergeben / not held, handed over as no".into(),
    ];
    let mut assumed = assumed;
    assumed.push(if master.export_staff {
        "Personal: Wochenstunden aus den Zuordnungen am Stichtag; Arbeitsbereich Leitung 4, Betreuung wie erfasst, sonst 1 (Gruppenleitung laut Gruppe) oder 9 (gruppenübergreifend); Tätigkeit, wenn nicht erfasst, aus Funktion und Qualifikation; Erste Ansprechperson, wenn nicht erfasst, „nein“ / staff: weekly hours from the assignments on the Stichtag; work area leadership 4, educator hours as entered, else 1 or 9; activity, when not entered, from role and qualification; first contact, when not entered, no".into()
    } else {
        "Personal wird nicht übergeben (Mandantoption, Voreinstellung nein) / staff are not handed over (the Mandant option's default)".into()
    });
    let mut extra_fields = master.extra_fields.clone();
    if let Some((open, close)) = data.profile.as_ref().and_then(|p| p.opening_minutes()) {
        // Minutes a weekday × 5, as hours with up to two places.
        let hours = Decimal::from(u32::from(close.saturating_sub(open)) * 5) / Decimal::from(60);
        extra_fields
            .entry("woechentliche_oeffnungszeit")
            .or_insert_with(|| {
                serde_json::Value::String(hours.round_dp(2).normalize().to_string())
            });
    }
    let facility = Facility {
        name: Some(data.name()),
        state: master.state.clone(),
        more_than_one_lead: master.more_than_one_lead,
        extra_fields,
    };
    let groups: Vec<Group> = data
        .groups
        .iter()
        .map(|g| Group {
            id: GroupId(g.id.0.clone()),
            name: Some(g.name.clone()),
            status: None,
            max_size: Some(g.size),
        })
        .collect();
    let mut care_forms: BTreeMap<String, CareForm> = BTreeMap::new();
    let mut children = Vec::new();
    for (child, contracts) in &data.children {
        let Some(contract) = contract_for(contracts, reference_date) else {
            continue;
        };
        let Some(term) = Period::new(
            contract.period.start().0,
            contract.period.end().map(|e| e.0),
        ) else {
            continue;
        };
        let line = contract
            .line_on(day)
            .or_else(|| contract.effective_lines().into_iter().next());
        let care_form = line.as_ref().map(|l| {
            let daily = l.daily_hours.0.normalize();
            let id = format!("{}-{daily}h", l.care_type.as_str());
            care_forms.entry(id.clone()).or_insert_with(|| CareForm {
                id: CareFormId(id.clone()),
                name: Some(format!("{} {daily} h/Tag", l.care_type.label_de())),
                kind: Some(care_form_kind(l.care_type)),
                weekly_hours: Some(daily * Decimal::from(ASSUMED_DAYS_PER_WEEK)),
                days_per_week: Some(ASSUMED_DAYS_PER_WEEK),
            });
            CareFormId(id)
        });
        let hort = line.as_ref().is_some_and(|l| {
            matches!(
                l.care_type,
                CareType::AfterSchool | CareType::SupportedAfterSchool
            )
        });
        let remedial = line
            .as_ref()
            .is_some_and(|l| l.care_type == CareType::Remedial);
        let running = contract.period.contains(day);
        let mut features = Features::default();
        if child.integration_need || remedial {
            match master.integration.get(&child.id.0).filter(|k| k.any()) {
                Some(kind) => {
                    features.integration_physical = kind.physical;
                    features.integration_mental = kind.mental;
                    features.integration_emotional = kind.emotional;
                }
                None if running => missing.push(Problem::new(
                    data,
                    &format!("child:{}", child.id.0),
                    "Eingliederungshilfe / integration aid",
                    "Art der Behinderung (körperlich, geistig, seelisch) nicht erfasst: unter Stammdaten KDW eintragen / kind of disability not entered: enter it under KDW master data",
                )),
                None => {}
            }
        }
        // Group.members is the truth for membership, not the line's `group`.
        let attended = data
            .groups
            .iter()
            .filter(|g| g.members.contains(&child.id))
            .map(|g| GroupAttendance {
                group: Some(GroupId(g.id.0.clone())),
                weekly_hours: None,
            })
            .collect();
        let school_grade = hort
            .then(|| school_grade(school_entry_year(child, contracts), reference_date))
            .flatten()
            .map(serde_json::Value::from);
        children.push(Child {
            id: ChildId(child.id.0.clone()),
            sex: super::kjh::sex(child.sex),
            birth_date: child.birth_date.0,
            contract: term,
            care_form,
            groups: attended,
            school_grade,
            features,
        });
    }
    let staff = if master.export_staff {
        data.staff
            .iter()
            .filter_map(|m| staff_member(data, m, reference_date, &mut missing))
            .collect()
    } else {
        Vec::new()
    };
    MappedCase {
        case: KdwCase {
            reference_date,
            export_staff: master.export_staff,
            facility,
            care_forms: care_forms.into_values().collect(),
            groups,
            children,
            staff,
        },
        missing,
        assumed,
    }
}

/// One person with an assignment at the Kita on `reference_date`, as the Webhouse wants them;
/// `None` for a person not working there that day. What has no default is a row in `missing`.
fn staff_member(
    data: &KitaData,
    member: &kitanetz_crdt::kinds::StaffMember,
    reference_date: NaiveDate,
    missing: &mut Vec<Problem>,
) -> Option<StaffMember> {
    let here: Vec<_> = member
        .assignments_on(Date(reference_date))
        .filter(|a| a.facility == data.facility)
        .collect();
    if here.is_empty() {
        return None;
    }
    let stats = &member.statistics;
    let record = format!("staff:{}", member.id.0);
    let mut gaps = Vec::new();
    if stats.sex.is_none() {
        gaps.push("Geschlecht / sex");
    }
    if member.birth_date.is_none() {
        gaps.push("Geburtsdatum / birth date");
    }
    if stats.training_key.is_empty() && !stats.domestic_technical {
        gaps.push("Höchster Berufsausbildungsabschluss (Schlüssel) / training key");
    }
    if !gaps.is_empty() {
        missing.push(Problem::new(
            data,
            &record,
            &gaps.join(", "),
            "nicht erfasst: auf der Seite Personal unter „Angaben zur Person korrigieren“ eintragen / not entered: enter it on the staff page under “correct a person's data”",
        ));
    }
    let leads = here.iter().any(|a| a.role == StaffRole::Leadership);
    let activity = match stats.activity.as_str() {
        "einrichtungsleitung" => Activity::Einrichtungsleitung,
        "gruppenleitung" => Activity::Gruppenleitung,
        "other" => Activity::Other,
        _ if leads => Activity::Einrichtungsleitung,
        _ if member.counts_towards_key() => Activity::Gruppenleitung,
        _ => Activity::Other,
    };
    let educator_area = if stats.educator_area.is_empty() {
        let name = [
            format!("{} {}", member.given_name, member.family_name),
            format!("{}, {}", member.family_name, member.given_name),
        ]
        .map(|n| n.to_lowercase());
        let leads_group = data
            .groups
            .iter()
            .any(|g| name.contains(&g.lead_educator.trim().to_lowercase()));
        if leads_group { "1" } else { "9" }.to_owned()
    } else {
        stats.educator_area.clone()
    };
    // Schlüssel A → hours, in key order (at most two: 4 and the educator area).
    let mut areas: BTreeMap<String, Decimal> = BTreeMap::new();
    for a in &here {
        let area = match a.role {
            StaffRole::Leadership => "4".to_owned(),
            StaffRole::Educator => educator_area.clone(),
        };
        *areas.entry(area).or_default() += a.weekly_hours.0;
    }
    let text = |t: &str| Some(t.trim().to_owned()).filter(|t| !t.is_empty());
    Some(StaffMember {
        id: StaffId(member.id.0.clone()),
        sex: stats.sex.map_or(Sex::Unspecified, super::kjh::sex),
        birth_date: member.birth_date.map_or(reference_date, |b| b.0),
        activity: Some(activity),
        domestic_technical: stats.domestic_technical,
        training_key: text(&stats.training_key),
        pia: stats.pia,
        mps_anrechnung: stats.mps_anrechnung.map(|p| p.0),
        nachqualifikation: text(&stats.nachqualifikation),
        leitung_aufgrund_von: text(&stats.leitung_aufgrund_von),
        erste_ansprechperson: text(&stats.erste_ansprechperson).or(Some("nein".into())),
        weekly_hours: Some(here.iter().map(|a| a.weekly_hours.0).sum()),
        working_days: stats.working_days,
        work_areas: if stats.domestic_technical {
            Vec::new()
        } else {
            areas
                .into_iter()
                .map(|(area, hours)| WorkArea {
                    area: Some(area),
                    weekly_hours: Some(hours),
                })
                .collect()
        },
    })
}

/// The check of one Kita: its errors named, or the export when it passed.
#[derive(Debug, Clone, Serialize)]
pub struct KdwKita {
    pub facility: String,
    pub facility_name: String,
    pub reference_date: NaiveDate,
    /// The check passed and nothing is missing: the XML can be made.
    pub ready: bool,
    pub errors: Vec<Problem>,
    pub missing: Vec<Problem>,
    pub assumed: Vec<String>,
    /// Children handed over (running contract on the Stichdatum).
    pub children: usize,
    /// Staff handed over (an assignment on the Stichdatum); 0 without the Mandant option.
    pub staff: usize,
    pub groups: usize,
    #[serde(skip)]
    pub export: Option<CheckedExport>,
}

/// A check code in words a Kita lead understands, with where to fix it in Kitanetz.
fn field_of(code: kdw::ErrorCode) -> &'static str {
    use kdw::ErrorCode as E;
    match code {
        E::FacilityStateNotBw => "Bundesland / state",
        E::FacilityFieldMissing | E::FacilityFieldNotNumeric => "Zusatzfeld / extra field",
        E::CareFormIncomplete | E::ChildWithoutCareForm => "Betreuungsform / care form",
        E::ChildWithoutGroup | E::ChildMainGroupAmbiguous => {
            "Gruppe (auf der Seite Gruppen zuordnen) / group (assign on the groups page)"
        }
        E::HortChildWithoutSchool => "Klassenstufe / school grade",
        E::MiddayBreakForSchoolChild => "Unterbrechung über Mittag / midday break",
        E::SexUnspecifiedBefore2017 => "Geschlecht / sex",
        E::StaffHoursMissing => {
            "Personal: Wochenstunden, Arbeitstage / staff: weekly hours, working days"
        }
        E::MpsMissing | E::MpsAboveLimit => "Personal: MPS-Anrechnung / staff: MPS credit",
        E::NachqualifikationMissing => "Personal: Nachqualifikation / staff: further qualification",
        E::LeitungAufgrundMissing => "Personal: Leitung aufgrund von / staff: leading by virtue of",
        E::WorkAreaHoursMismatch => "Personal: Arbeitsbereiche / staff: work areas",
        E::ErsteAnsprechpersonMissing => "Personal: Erste Ansprechperson / staff: first contact",
    }
}

/// Checks one Kita.
pub fn kdw_kita(data: &KitaData, master: &KdwMaster, reference_date: NaiveDate) -> KdwKita {
    let mapped = kdw_case(data, master, reference_date);
    let running = mapped
        .case
        .children
        .iter()
        .filter(|c| c.contract.contains(reference_date))
        .count();
    let (errors, export) = match kdw::check(&mapped.case) {
        Ok(export) => (Vec::new(), Some(export)),
        Err(errors) => (
            errors
                .iter()
                .map(|e| {
                    let field = match &e.field {
                        Some(f) => format!("{} {f}", field_of(e.code)),
                        None => field_of(e.code).to_owned(),
                    };
                    let text = e
                        .message
                        .split_once(": ")
                        .map_or(e.message.as_str(), |x| x.1);
                    Problem {
                        field,
                        ..Problem::new(data, &e.record, "", text)
                    }
                })
                .collect(),
            None,
        ),
    };
    KdwKita {
        facility: data.facility.0.clone(),
        facility_name: data.name(),
        reference_date,
        ready: export.is_some() && mapped.missing.is_empty(),
        errors,
        missing: mapped.missing,
        assumed: mapped.assumed,
        children: running,
        staff: mapped.case.staff.len(),
        groups: mapped.case.groups.len(),
        export,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::statistics::kjh::tests::kita;

    fn march_2026() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 3, 1).unwrap()
    }

    fn master() -> KdwMaster {
        let fields = [
            ("einrichtungsnummer", "E-1"),
            ("interaktionsentwicklung", "ja"),
            ("konzeptionsentwicklung", "nein"),
            ("leitungszeit_umgesetzt", "ja"),
            ("stala_einrichtungsnummer", "0831150117"),
            ("teamentwicklung", "ja"),
            ("ueberzaehlige_gruppen", "0"),
        ];
        KdwMaster {
            state: Some("Baden-Württemberg".into()),
            extra_fields: fields
                .into_iter()
                .map(|(k, v)| (k, serde_json::Value::String(v.into())))
                .collect(),
            more_than_one_lead: false,
            export_staff: false,
            integration: BTreeMap::new(),
        }
    }

    #[test]
    fn without_the_mandant_data_the_check_names_the_kita_and_each_field() {
        let k = kdw_kita(&kita(), &KdwMaster::default(), march_2026());
        assert!(!k.ready);
        assert_eq!(k.children, 3, "c4's contract ended before 1 March");
        // The state and seven Zusatzfelder: the weekly opening time is derived (10 h × 5).
        assert_eq!(k.errors.len(), 8, "{:?}", k.errors);
        assert!(k.errors.iter().all(|e| e.name == "Kita Sonne"));
        assert!(k
            .errors
            .iter()
            .any(|e| e.field == "Zusatzfeld / extra field stala_einrichtungsnummer"));
        let case = kdw_case(&kita(), &KdwMaster::default(), march_2026()).case;
        assert_eq!(
            case.facility.extra_fields["woechentliche_oeffnungszeit"],
            serde_json::json!("50")
        );
    }

    #[test]
    fn a_child_in_no_group_and_a_missing_kind_of_aid_name_the_child() {
        let mut data = kita();
        data.groups[0].members.retain(|c| c.0 != "c2");
        let k = kdw_kita(&data, &master(), march_2026());
        let errors: Vec<(&str, &str)> = k
            .errors
            .iter()
            .map(|e| (e.record.as_str(), e.name.as_str()))
            .collect();
        assert_eq!(errors, vec![("child:c2", "Kind c2 Muster")]);
        assert_eq!(k.missing.len(), 1);
        assert_eq!(k.missing[0].record, "child:c3");
        assert!(!k.ready);
    }

    #[test]
    fn with_everything_held_the_xml_carries_the_children_with_derived_hours_and_grade() {
        let mut data = kita();
        data.children[2].0.integration_need = false;
        let k = kdw_kita(&data, &master(), march_2026());
        assert!(k.ready, "{:?} {:?}", k.errors, k.missing);
        let export = k.export.expect("checked").into_export();
        let c: Vec<(&str, &str, u64, Option<serde_json::Value>)> = export
            .children
            .iter()
            .map(|c| {
                (
                    c.id.0.as_str(),
                    c.group.0.as_str(),
                    c.weekly_hours,
                    c.school_grade.clone(),
                )
            })
            .collect();
        // 7 h, 9 h and 5 h a day × 5; c3 entered school in August 2024: grade 2.
        assert_eq!(
            c,
            vec![
                ("c1", "g-a", 35, None),
                ("c2", "g-a", 45, None),
                ("c3", "g-b", 25, Some(serde_json::json!(2))),
            ]
        );
    }

    /// The fixture's staff on 1 March 2026: s1 (educator 30 h, lead of Igel), s2 (leadership
    /// 20 h and educator 19.5 h, no birth date), s4 (helper 25 h); s3 left in 2025.
    fn with_staff_data(data: &mut KitaData) {
        use kitanetz_crdt::kinds::family::Sex as NodeSex;
        for m in &mut data.staff {
            let s = &mut m.statistics;
            s.working_days = Some(5);
            match m.id.0.as_str() {
                "s1" => {
                    s.sex = Some(NodeSex::Female);
                    s.training_key = "5010".into();
                    s.leitung_aufgrund_von = "Erzieherin".into();
                }
                "s2" => {
                    s.sex = Some(NodeSex::Diverse);
                    s.training_key = "5010".into();
                    m.birth_date = Some(Date::ymd(1980, 11, 3));
                }
                _ => {
                    s.sex = Some(NodeSex::Male);
                    s.domestic_technical = true;
                }
            }
        }
    }

    fn staff_master() -> KdwMaster {
        KdwMaster {
            export_staff: true,
            ..master()
        }
    }

    #[test]
    fn without_the_option_no_staff_and_with_it_each_gap_is_named_per_person() {
        let mut data = kita();
        data.children[2].0.integration_need = false;
        let k = kdw_kita(&data, &master(), march_2026());
        assert!(k.ready);
        assert_eq!(k.staff, 0);
        assert!(k.export.unwrap().into_export().staff.is_none());

        let k = kdw_kita(&data, &staff_master(), march_2026());
        assert!(!k.ready);
        assert_eq!(k.staff, 3, "s3 left before the Stichdatum");
        let missing: Vec<(&str, &str, &str)> = k
            .missing
            .iter()
            .map(|p| (p.record.as_str(), p.name.as_str(), p.field.as_str()))
            .collect();
        let key = "Höchster Berufsausbildungsabschluss (Schlüssel) / training key";
        assert_eq!(
            missing,
            [
                // Erika's sex is entered (the shared fixture); her training key is not.
                ("staff:s1", "Erika Muster", key),
                (
                    "staff:s2",
                    "Lena Leit",
                    &*format!("Geschlecht / sex, Geburtsdatum / birth date, {key}")
                ),
                (
                    "staff:s4",
                    "Mia Eltern",
                    &*format!("Geschlecht / sex, {key}")
                ),
            ]
        );
        // The working days and the check's other rules are its errors, named with the person.
        let hours = "Personal: Wochenstunden, Arbeitstage / staff: weekly hours, working days";
        let errors: Vec<(&str, &str)> = k
            .errors
            .iter()
            .map(|e| (e.name.as_str(), e.field.as_str()))
            .collect();
        assert_eq!(
            errors,
            [
                (
                    "Erika Muster",
                    "Personal: Leitung aufgrund von / staff: leading by virtue of"
                ),
                ("Erika Muster", hours),
                ("Lena Leit", hours),
                ("Mia Eltern", hours),
            ]
        );
    }

    #[test]
    fn with_the_staff_data_entered_the_export_carries_hours_and_work_areas() {
        let mut data = kita();
        data.children[2].0.integration_need = false;
        with_staff_data(&mut data);
        let k = kdw_kita(&data, &staff_master(), march_2026());
        assert!(k.ready, "{:?} {:?}", k.errors, k.missing);
        let export = k.export.clone().unwrap();
        let staff = export.clone().into_export().staff.expect("handed over");
        // (id, sex code, weekly hours, [(area, hours)])
        type Row<'a> = (String, &'a str, String, Vec<(Option<String>, String)>);
        let rows: Vec<Row> = staff
            .iter()
            .map(|s| {
                (
                    s.id.0.clone(),
                    s.sex,
                    s.weekly_hours.to_string(),
                    s.work_areas
                        .iter()
                        .map(|a| (a.area.clone(), a.weekly_hours.to_string()))
                        .collect(),
                )
            })
            .collect();
        let area = |a: &str, h: &str| (Some(a.to_owned()), h.to_owned());
        assert_eq!(
            rows,
            [
                ("s1".into(), "2", "30.0".into(), vec![area("1", "30.0")]),
                (
                    "s2".into(),
                    "7",
                    "39.5".into(),
                    vec![area("4", "20.0"), area("9", "19.5")]
                ),
                ("s4".into(), "1", "25.0".into(), vec![]),
            ]
        );
        let xml = kitanetz_statistics::kdw::to_xml(&export, None).expect("XML");
        assert_eq!(xml.matches("<Mitarbeiter ").count(), 3, "{xml}");

        // Gruppenleitung (derived from the qualification) without "Leitung aufgrund von".
        data.staff[0].statistics.leitung_aufgrund_von.clear();
        let k = kdw_kita(&data, &staff_master(), march_2026());
        let errors: Vec<(&str, &str)> = k
            .errors
            .iter()
            .map(|e| (e.name.as_str(), e.field.as_str()))
            .collect();
        assert_eq!(
            errors,
            [(
                "Erika Muster",
                "Personal: Leitung aufgrund von / staff: leading by virtue of"
            )]
        );
        assert!(!k.ready);
    }

    /// The master data the demo seeds for its first Kita, and a kind for the integration child.
    fn demo_master() -> KdwMaster {
        use crate::statistics::kdw_master::{check, demo_kind, demo_values, to_master};
        let values = check(&demo_values(0, "fac-1")).expect("valid");
        to_master(
            Some(&values),
            [("c3".to_owned(), demo_kind(1))].into_iter().collect(),
        )
    }

    /// Every element of `xml` with its text, in document order; panics unless well-formed.
    fn elements(xml: &str) -> Vec<(String, String)> {
        let mut reader = quick_xml::Reader::from_str(xml);
        reader.config_mut().check_end_names = true;
        let mut out: Vec<(String, String)> = Vec::new();
        // Indices into `out` of the elements open.
        let mut open: Vec<usize> = Vec::new();
        loop {
            match reader.read_event().expect("well-formed XML") {
                quick_xml::events::Event::Start(e) => {
                    open.push(out.len());
                    out.push((e.name().as_ref().to_owned(), String::new()));
                }
                quick_xml::events::Event::Text(t) => {
                    if let Some(&i) = open.last() {
                        out[i].1.push_str(t.xml10_content().trim());
                    }
                }
                quick_xml::events::Event::End(_) => {
                    open.pop();
                }
                quick_xml::events::Event::Eof => break,
                _ => {}
            }
        }
        let depth = open.len();
        assert_eq!(depth, 0, "every element closed");
        out
    }

    #[test]
    fn a_demo_like_kita_with_the_demo_master_data_gives_a_well_formed_stala_xml() {
        let k = kdw_kita(&kita(), &demo_master(), march_2026());
        assert!(k.ready, "{:?} {:?}", k.errors, k.missing);
        let xml = kitanetz_statistics::kdw::to_xml(k.export.as_ref().expect("checked"), None)
            .expect("nothing XML cannot carry");
        let elements = elements(&xml);
        // The texts of the leaf elements `name` (a group element of that name is a container).
        let text = |name: &str| -> Vec<&str> {
            elements
                .iter()
                .filter(|(n, t)| n == name && !t.is_empty())
                .map(|(_, t)| t.as_str())
                .collect()
        };
        assert_eq!(text("StalaEinrichtungsnummer"), ["0831150101"]);
        assert_eq!(text("Einrichtungsnummer"), ["E-001"]);
        // Not entered: from the profile's opening times, 07:00–17:00 × 5.
        assert_eq!(text("WoechentlicheOeffnungszeit"), ["50"]);
        assert_eq!(text("Betreuungsgruppe"), ["g-a", "g-a", "g-b"]);
        // c3's integration aid is the kind entered (mental); c1 and c2 have none.
        let kinds: Vec<(&str, &str, &str)> = text("EingliederungshilfeKoerperlich")
            .into_iter()
            .zip(text("EingliederungshilfeGeistig"))
            .zip(text("EingliederungshilfeSeelisch"))
            .map(|((p, m), e)| (p, m, e))
            .collect();
        assert_eq!(kinds.len(), 3);
        assert_eq!(kinds[0], kinds[1]);
        assert_eq!(kinds[0].0, kinds[0].1, "neither for c1");
        assert_eq!((kinds[2].0, kinds[2].2), (kinds[0].0, kinds[0].0));
        assert_ne!(kinds[2].1, kinds[0].1, "mental for c3");
    }

    #[test]
    fn a_missing_stala_number_is_named_with_the_kita_and_the_field_and_gives_no_xml() {
        let mut master = demo_master();
        master.extra_fields.remove("stala_einrichtungsnummer");
        let k = kdw_kita(&kita(), &master, march_2026());
        assert!(!k.ready);
        assert!(k.export.is_none(), "no export, so no XML");
        let named: Vec<(&str, &str, &str)> = k
            .errors
            .iter()
            .map(|e| (e.record.as_str(), e.name.as_str(), e.field.as_str()))
            .collect();
        assert_eq!(
            named,
            [(
                "facility",
                "Kita Sonne",
                "Zusatzfeld / extra field stala_einrichtungsnummer"
            )]
        );
        // Without the kind of c3's aid: a missing row naming the child, and no XML either.
        let mut master = demo_master();
        master.integration.clear();
        let k = kdw_kita(&kita(), &master, march_2026());
        assert!(!k.ready);
        assert_eq!(
            k.missing
                .iter()
                .map(|p| (p.record.as_str(), p.field.as_str()))
                .collect::<Vec<_>>(),
            [("child:c3", "Eingliederungshilfe / integration aid")]
        );
    }
}
