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
//! - Staff are not handed over: the Mandant option's default (L74). Kitanetz holds neither the
//!   staff's sex nor the four-digit training key the Webhouse wants.

use super::kita_data::{
    contract_for, school_entry_year, school_grade, KitaData, Problem, ASSUMED_DAYS_PER_WEEK,
};
use chrono::NaiveDate;
use kitanetz_crdt::kinds::facility::CareType;
use kitanetz_crdt::scalar::Date;
use kitanetz_statistics::ids::{CareFormId, ChildId, GroupId};
use kitanetz_statistics::kdw::{
    self, CareForm, CareFormKind, CheckedExport, Child, Facility, Features, Group, GroupAttendance,
    KdwCase,
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
        "Personal wird nicht übergeben (Mandantoption, Voreinstellung nein) / staff are not handed over (the Mandant option's default)".into(),
    ];
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
    MappedCase {
        case: KdwCase {
            reference_date,
            export_staff: false,
            facility,
            care_forms: care_forms.into_values().collect(),
            groups,
            children,
            staff: Vec::new(),
        },
        missing,
        assumed,
    }
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
        _ => "Personal / staff",
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
