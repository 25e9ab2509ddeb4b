//! KJH Teil III.1 (annex L of seed 004) per Kita, from the node's own documents: the mapping of
//! the Kita's profile, licence, groups, contracts, families and staff to the input of
//! [`kitanetz_statistics::kjh::count`], and the figures the page and API show.
//!
//! What the node does not hold, and what the mapping does about it:
//! - Träger: Art (A) is read from the Träger's kind and category (municipal: 1.1 Jugendamt,
//!   the city being the örtlicher Träger; free: the welfare association named in the category);
//!   the Rechtsform (B) of a free Träger is not held at all: a problem row, blank on the sheet.
//! - Care contracts hold daily hours, not days per week: five days are assumed
//!   ([`ASSUMED_DAYS_PER_WEEK`]), weekly hours = daily hours × 5. Weekend care, the midday break,
//!   lunch, the parents' origin and the family language are not held: reported "no".
//! - A child's integration need is held, the kind of disability and whether a Bescheid exists
//!   are not: a problem row per counted child, no box ticked.
//! - "Besucht die Schule": a child on a Hort place.
//! - Staff: the sex as entered with the staff's statistics data (for the Kita-Data-Webhouse);
//!   not entered: a problem row per person, blank; a missing birth date likewise.
//!   The employment is read from the assignments at the Kita, on an employment basis. Schlüssel
//!   B is read from the coarse qualification (see [`training_key`]); the work area from the
//!   role: Leitung 4, an educator named as a group's lead educator Gruppenleitung of that group,
//!   every other educator 9 (gruppenübergreifend: the node does not say in which group a
//!   Zweitkraft works).

use super::kita_data::{contract_for, KitaData, Problem, ASSUMED_DAYS_PER_WEEK};
use chrono::{Datelike, NaiveDate};
use kitanetz_crdt::kinds::facility::CareType;
use kitanetz_crdt::kinds::family::Sex as NodeSex;
use kitanetz_crdt::kinds::{ProviderKind, StaffRole as NodeStaffRole};
use kitanetz_crdt::scalar::Date;
use kitanetz_statistics::ids::{ChildId, GroupId, StaffId};
use kitanetz_statistics::kjh::{
    self, Absence, AbsenceKind, CareContract, Child, ClockTime, EmploymentBasis, Facility, Group,
    KjhInput, KjhReport, Position, Rechtsform, Sex, Span, StaffMember, StaffRole, TimeAnswer,
    TraegerArt, TrainingKey, WeekHours, WorkArea, WorkAreaHours,
};
use kitanetz_statistics::numbers::OnePlace;
use kitanetz_statistics::period::Period;
use rust_decimal::Decimal;
use serde::Serialize;
use std::collections::BTreeSet;

/// The count's input and what the mapping could not take from the node.
#[derive(Debug, Clone)]
pub struct Mapped {
    pub input: KjhInput,
    /// Values the statistic needs that the node does not hold, by record.
    pub missing: Vec<Problem>,
    /// Values derived rather than held, in words, once per Kita.
    pub assumed: Vec<String>,
    /// (record, field) whose input value only stands in for a missing one: shown blank.
    pub blank: BTreeSet<(String, &'static str)>,
}

const SEX: &str = "sex";
const BIRTH: &str = "birth_date";
const TRAEGER_ART: &str = "traeger_art";
const RECHTSFORM: &str = "rechtsform";

/// Maps one Kita's documents to the count's input for the Stichtag `reference_date`.
pub fn kjh_input(data: &KitaData, reference_date: NaiveDate) -> Mapped {
    let mut m = Mapped {
        input: KjhInput {
            reference_date,
            facility: facility_placeholder(),
            groups: Vec::new(),
            children: Vec::new(),
            staff: Vec::new(),
        },
        missing: Vec::new(),
        assumed: vec![
            format!(
                "Betreuungstage je Woche: nicht erfasst, {ASSUMED_DAYS_PER_WEEK} angenommen; Wochenstunden = Tagesstunden × {ASSUMED_DAYS_PER_WEEK} / care days a week are not held: {ASSUMED_DAYS_PER_WEEK} assumed, weekly hours = daily hours × {ASSUMED_DAYS_PER_WEEK}"
            ),
            "Wochenendbetreuung, Unterbrechung über Mittag, Mittagessen, ausländische Herkunft eines Elternteils, nicht-deutsche Familiensprache: nicht erfasst, als „nein“ gemeldet / weekend care, midday break, lunch, a parent's foreign origin and the family language are not held: reported as no".into(),
            "Personal: Arbeitsverhältnis aus den Zuordnungen zur Kita; Stellung im Beruf Angestellte/r (in Ausbildung: Praktikant/in); Schlüssel B aus der Qualifikation (Fachkraft 04, heilpädagogische Fachkraft 05, in Ausbildung 34, Hilfskraft 35); Arbeitsbereich Leitung 4, Gruppenleitung nach der Gruppe, sonst 9 / staff: employment from the assignments; position employee (trainees: intern); Schlüssel B from the qualification; work area from the role".into(),
        ],
        blank: BTreeSet::new(),
    };
    m.input.facility = facility(data, reference_date, &mut m);
    m.input.groups = data
        .groups
        .iter()
        .map(|g| Group {
            id: GroupId(g.id.0.clone()),
            opening_hours: None,
        })
        .collect();
    if data.groups.is_empty() {
        m.assumed.push(
            "Keine Gruppen erfasst: Einrichtung ohne feste Gruppenstruktur (99) / no groups recorded: reported without a fixed group structure".into(),
        );
    }
    for (child, contracts) in &data.children {
        let mapped = self::child(data, child, contracts, reference_date, &mut m);
        m.input.children.push(mapped);
    }
    for member in &data.staff {
        if let Some(mapped) = staff_member(data, member, reference_date, &mut m) {
            m.input.staff.push(mapped);
        }
    }
    m
}

/// Stands in until the facility's fields are read.
fn facility_placeholder() -> Facility {
    Facility {
        traeger_art: TraegerArt::SonstigeJuristischePerson,
        rechtsform: Rechtsform::GemeinnuetzigerVerein,
        approved_places: 0,
        places_for_employees_children: 0,
        parent_initiative: false,
        fixed_groups: false,
        opening_hours: WeekHours::default(),
        closures: Vec::new(),
    }
}

fn facility(data: &KitaData, date: NaiveDate, m: &mut Mapped) -> Facility {
    let mut f = facility_placeholder();
    let category = data
        .provider
        .as_ref()
        .map(|p| p.category.to_lowercase())
        .unwrap_or_default();
    match data.provider.as_ref().map(|p| p.kind) {
        Some(ProviderKind::Municipal) => {
            // The city keeping Kitanetz is the örtlicher Träger der Jugendhilfe; its Kitas are
            // run by the city itself, a Gebietskörperschaft (an Eigenbetrieb would be 07).
            f.traeger_art = TraegerArt::Jugendamt;
            f.rechtsform = Rechtsform::AndereJuristischePersonOeffentlichesRecht;
            m.assumed.push("Kommunaler Träger: Art 1.1 Jugendamt, Rechtsform 10 (Gebietskörperschaft; ein Eigenbetrieb wäre 07) / municipal Träger: Jugendamt, a body of public law".into());
        }
        Some(ProviderKind::Free) => {
            match free_traeger_art(&category) {
                Some(art) => f.traeger_art = art,
                None => {
                    m.missing.push(Problem::new(
                        data,
                        "facility",
                        "Art des Trägers (A) / kind of Träger",
                        format!("aus der Kategorie {category:?} des Trägers nicht ablesbar; im Trägerprofil den Verband nennen / not readable from the Träger's category"),
                    ));
                    m.blank.insert(("facility".into(), TRAEGER_ART));
                }
            }
            m.missing.push(Problem::new(
                data,
                "facility",
                "Rechtsform des Trägers (B) / legal form",
                "nicht erfasst; auf dem Bogen von Hand eintragen / not held: enter it on the form by hand",
            ));
            m.blank.insert(("facility".into(), RECHTSFORM));
        }
        None => {
            m.missing.push(Problem::new(
                data,
                "facility",
                "Träger (A, B)",
                "Trägerprofil fehlt auf diesem Knoten / the Träger's profile is not on this node",
            ));
            m.blank.insert(("facility".into(), TRAEGER_ART));
            m.blank.insert(("facility".into(), RECHTSFORM));
        }
    }
    f.parent_initiative = category.contains("elterninitiative");
    f.fixed_groups = !data.groups.is_empty();
    let opening = data.profile.as_ref().and_then(|p| p.opening_minutes());
    match opening.and_then(|(open, close)| {
        Span::new(
            ClockTime::new(open / 60, open % 60)?,
            ClockTime::new(close / 60, close % 60)?,
        )
    }) {
        // The profile states a regular weekday's times: Monday to Friday.
        Some(span) => f.opening_hours = WeekHours::weekdays(&[span]),
        None => m.missing.push(Problem::new(
            data,
            "facility",
            "Öffnungszeiten (C) / opening hours",
            "Öffnet/Schließt im Kita-Profil eintragen / enter opens and closes in the Kita's profile",
        )),
    }
    let day = Date(date);
    match &data.licence {
        Some(licence) => {
            f.approved_places = licence
                .care_types
                .iter()
                .filter_map(|c| licence.places_on(c.care_type, day))
                .sum();
            // Belegrechte are places an employer holds for its employees' children (C 3).
            f.places_for_employees_children = licence
                .reserved_seats
                .iter()
                .filter(|r| r.period.contains(day))
                .map(|r| r.places)
                .sum::<u32>()
                .min(f.approved_places);
            f.closures = licence
                .closures
                .iter()
                .filter_map(|c| Period::new(c.period.start().0, c.period.end().map(|e| e.0)))
                .collect();
        }
        None => m.missing.push(Problem::new(
            data,
            "facility",
            "Genehmigte Plätze (D) / approved places",
            "die Betriebserlaubnis der Stadt fehlt auf diesem Knoten / the city's licence is not on this node",
        )),
    }
    f
}

/// The welfare association a free Träger's category names (A 2.1–2.9, 3.2).
fn free_traeger_art(category: &str) -> Option<TraegerArt> {
    let has = |words: &[&str]| words.iter().any(|w| category.contains(w));
    Some(if has(&["awo", "arbeiterwohlfahrt"]) {
        TraegerArt::Arbeiterwohlfahrt
    } else if has(&["paritä", "paritae", "dpwv"]) {
        TraegerArt::Paritaetischer
    } else if has(&["drk", "rotes kreuz"]) {
        TraegerArt::RotesKreuz
    } else if has(&["diakonie", "evangel"]) {
        TraegerArt::Diakonie
    } else if has(&["caritas", "kathol"]) {
        TraegerArt::Caritas
    } else if has(&["jüdisch", "juedisch"]) {
        TraegerArt::JuedischeWohlfahrt
    } else if has(&["elterninitiative", "verein"]) {
        TraegerArt::SonstigeJuristischePerson
    } else if has(&["privat", "gewerb"]) {
        TraegerArt::PrivatGewerblich
    } else {
        return None;
    })
}

/// The federal statistic knows 1, 2 and 7 (seed 002 L38); "divers" is one of the entries
/// § 22 (3) PStG allows, reported as 7.
pub fn sex(s: NodeSex) -> Sex {
    match s {
        NodeSex::Female => Sex::Female,
        NodeSex::Male => Sex::Male,
        NodeSex::Diverse | NodeSex::Unspecified => Sex::Unspecified,
    }
}

fn child(
    data: &KitaData,
    child: &kitanetz_crdt::kinds::Child,
    contracts: &[kitanetz_crdt::kinds::CareContract],
    date: NaiveDate,
    m: &mut Mapped,
) -> Child {
    let day = Date(date);
    // Group.members is the truth for membership, not the line's `group`.
    let group = data
        .groups
        .iter()
        .find(|g| g.members.contains(&child.id))
        .map(|g| GroupId(g.id.0.clone()));
    let running = contract_for(contracts, date).filter(|k| k.period.contains(day));
    let running_line = running.and_then(|k| k.line_on(day));
    let in_school = running_line.as_ref().is_some_and(|l| {
        matches!(
            l.care_type,
            CareType::AfterSchool | CareType::SupportedAfterSchool
        )
    });
    let remedial = running_line
        .as_ref()
        .is_some_and(|l| l.care_type == CareType::Remedial);
    if running.is_some() && (child.integration_need || remedial) {
        m.missing.push(Problem::new(
            data,
            &format!("child:{}", child.id.0),
            "Eingliederungshilfe (G) / integration aid",
            "Art der Behinderung und Bescheid/Gutachten nicht erfasst; kein Feld angekreuzt / kind of disability and decision not held: no box ticked",
        ));
    }
    let contracts = contracts
        .iter()
        .filter_map(|k| {
            let term = Period::new(k.period.start().0, k.period.end().map(|e| e.0))?;
            let line = k
                .line_on(day)
                .or_else(|| k.effective_lines().into_iter().next());
            let daily = line.map_or(Decimal::ZERO, |l| l.daily_hours.0);
            Some(CareContract {
                term,
                group: if k.period.contains(day) {
                    group.clone()
                } else {
                    None
                },
                weekly_hours: daily * Decimal::from(ASSUMED_DAYS_PER_WEEK),
                days_per_week: ASSUMED_DAYS_PER_WEEK,
                weekend_care: false,
                midday_break: false,
                lunch_days_per_week: 0,
            })
        })
        .collect();
    Child {
        id: ChildId(child.id.0.clone()),
        sex: sex(child.sex),
        birth_date: child.birth_date.0,
        contracts,
        in_school,
        parents: Vec::new(),
        non_german_family_language: false,
        integration_aid: Vec::new(),
    }
}

/// Schlüssel B from the node's qualification, which is coarser: a "pädagogische Fachkraft" may
/// be an Erzieherin (04), a Kindheitspädagogin (36/37) or a Sozialpädagogin (01); the most
/// common, 04, is reported. Heilpädagogische Fachkraft 05 (Heilerziehungspfleger would be 07),
/// in Ausbildung 34, Hilfskraft 35.
pub fn training_key(qualification: &str) -> TrainingKey {
    let key = match qualification {
        "heilpaedagogische-fachkraft" => 5,
        "in-ausbildung" => 34,
        "hilfskraft" => 35,
        _ => 4,
    };
    TrainingKey::new(key).expect("a key of Schlüssel B")
}

fn staff_member(
    data: &KitaData,
    member: &kitanetz_crdt::kinds::StaffMember,
    date: NaiveDate,
    m: &mut Mapped,
) -> Option<StaffMember> {
    let day = Date(date);
    let here: Vec<_> = member
        .assignments_on(day)
        .filter(|a| a.facility == data.facility)
        .collect();
    // Not working at the Kita on the Stichtag: not in its statistic at all.
    if here.is_empty() {
        return None;
    }
    let record = format!("staff:{}", member.id.0);
    let start = here.iter().map(|a| a.period.start().0).min()?;
    // Open while any assignment on the Stichtag is open.
    let ends: Option<Vec<NaiveDate>> = here.iter().map(|a| a.period.end().map(|e| e.0)).collect();
    let end = ends.and_then(|e| e.into_iter().max());
    // The sex as entered for the Webhouse (the staff's statistics data); blank until then.
    let mut gaps = Vec::new();
    let staff_sex = member.statistics.sex.map(sex);
    if staff_sex.is_none() {
        gaps.push("Geschlecht / sex");
        m.blank.insert((record.clone(), SEX));
    }
    let birth_date = member.birth_date.map(|b| b.0).unwrap_or_else(|| {
        gaps.push("Geburtsdatum / birth date");
        m.blank.insert((record.clone(), BIRTH));
        date
    });
    if !gaps.is_empty() {
        m.missing.push(Problem::new(
            data,
            &record,
            &gaps.join(", "),
            "nicht erfasst: auf dem Bogen (H 1) von Hand eintragen / not held: enter on the form by hand",
        ));
    }
    let name = [
        format!("{} {}", member.given_name, member.family_name),
        format!("{}, {}", member.family_name, member.given_name),
    ]
    .map(|n| n.to_lowercase());
    let led_group = data
        .groups
        .iter()
        .find(|g| name.contains(&g.lead_educator.trim().to_lowercase()))
        .map(|g| GroupId(g.id.0.clone()));
    let work_areas = here
        .iter()
        .map(|a| match a.role {
            NodeStaffRole::Leadership => WorkAreaHours {
                area: WorkArea::Einrichtungsleitung,
                weekly_hours: a.weekly_hours.0,
                group: None,
            },
            NodeStaffRole::Educator => WorkAreaHours {
                area: if led_group.is_some() {
                    WorkArea::Gruppenleitung
                } else {
                    WorkArea::Gruppenuebergreifend
                },
                weekly_hours: a.weekly_hours.0,
                group: led_group.clone(),
            },
        })
        .collect();
    Some(StaffMember {
        id: StaffId(member.id.0.clone()),
        sex: staff_sex.unwrap_or(Sex::Unspecified),
        birth_date,
        contract: Period::new(start, end)?,
        basis: EmploymentBasis::Employment,
        absences: member
            .absences
            .iter()
            .filter_map(|a| {
                // Mutterschutz and other leave are not among the annex's exclusions (L33396).
                let kind = match a.reason.as_str() {
                    "parental-leave" => AbsenceKind::ParentalLeave,
                    "long-term-illness" => AbsenceKind::LongTermIllness,
                    _ => return None,
                };
                Some(Absence {
                    kind,
                    period: Period::new(a.period.start().0, a.period.end().map(|e| e.0))?,
                })
            })
            .collect(),
        weekly_hours: Some(here.iter().map(|a| a.weekly_hours.0).sum()),
        actual_weekly_hours: None,
        role: StaffRole::Pedagogical {
            position: if member.qualification == "in-ausbildung" {
                Position::Intern
            } else {
                Position::Employee
            },
            training_key: training_key(&member.qualification),
            work_areas,
        },
    })
}

/// Sections A–F as the page shows them; `None`: not held by the node.
#[derive(Debug, Clone, Serialize)]
pub struct Sheet {
    pub traeger_art: Option<TraegerArt>,
    pub rechtsform: Option<Rechtsform>,
    pub opens_early: TimeAnswer,
    pub closes_late: TimeAnswer,
    pub mainly_employees_children: bool,
    pub parent_initiative: bool,
    pub approved_places: u32,
    pub groups: u32,
    pub without_fixed_groups: bool,
    pub children: u32,
}

/// The children of one group number (G).
#[derive(Debug, Clone, Serialize)]
pub struct GroupFigure {
    pub number: u32,
    pub name: String,
    pub children: u32,
    pub under_three: u32,
    pub in_school: u32,
    /// Contracted weekly hours of its children, summed.
    pub weekly_hours: u32,
}

/// One person of H 1; `sex` and birth `None` where the node does not hold them.
#[derive(Debug, Clone, Serialize)]
pub struct StaffLine {
    pub id: String,
    pub line: u32,
    pub name: String,
    pub sex: Option<&'static str>,
    pub birth_month: Option<u32>,
    pub birth_year: Option<i32>,
    pub position: Position,
    pub training_key: TrainingKey,
    /// (Schlüssel A, group number, hours).
    pub work_areas: Vec<(WorkArea, Option<u32>, OnePlace)>,
}

/// The figures of one Kita.
#[derive(Debug, Clone, Serialize)]
pub struct KjhFigures {
    pub reference_date: NaiveDate,
    pub sheet: Sheet,
    pub groups: Vec<GroupFigure>,
    /// G: one line per child, as the form has them (no names: the form carries none).
    pub children: Vec<kjh::ChildRecord>,
    pub staff: Vec<StaffLine>,
    /// H 1 hours summed.
    pub staff_hours: OnePlace,
    pub domestic_staff: Vec<kjh::DomesticStaffRecord>,
    /// Who was left out and why, the values the rules changed, the scope criteria not met.
    pub exclusions: Vec<Problem>,
    pub notes: Vec<Problem>,
    pub scope: Vec<Problem>,
}

/// The statistic of one Kita: the figures when the count ran, else its errors.
#[derive(Debug, Clone, Serialize)]
pub struct KjhKita {
    pub facility: String,
    pub facility_name: String,
    pub figures: Option<KjhFigures>,
    /// The count's refusals: nothing is counted until they are fixed.
    pub errors: Vec<Problem>,
    pub missing: Vec<Problem>,
    pub assumed: Vec<String>,
}

/// The record a count message is about: the text before the first ": ".
fn problem_of(data: &KitaData, record: &str, message: &str) -> Problem {
    let text = message
        .strip_prefix(&format!("{record}: "))
        .unwrap_or(message);
    Problem::new(data, record, "", text)
}

/// Counts one Kita.
pub fn kjh_kita(data: &KitaData, reference_date: NaiveDate) -> KjhKita {
    let mapped = kjh_input(data, reference_date);
    let mut out = KjhKita {
        facility: data.facility.0.clone(),
        facility_name: data.name(),
        figures: None,
        errors: Vec::new(),
        missing: mapped.missing.clone(),
        assumed: mapped.assumed.clone(),
    };
    match kjh::count(&mapped.input) {
        Ok(report) => out.figures = Some(figures(data, &mapped, report)),
        Err(errors) => {
            out.errors = errors
                .iter()
                .map(|e| {
                    let record = match e {
                        kjh::KjhError::UnknownGroup { record, .. }
                        | kjh::KjhError::GroupMissing { record }
                        | kjh::KjhError::OverlappingContracts { record, .. }
                        | kjh::KjhError::InvalidValue { record, .. }
                        | kjh::KjhError::NoWorkArea { record }
                        | kjh::KjhError::WorkAreaHoursMismatch { record, .. }
                        | kjh::KjhError::NoHours { record } => record.clone(),
                        kjh::KjhError::NoGroups | kjh::KjhError::NoOpenMonthEnd { .. } => {
                            "facility".into()
                        }
                    };
                    let field = match e {
                        kjh::KjhError::UnknownGroup { .. } | kjh::KjhError::GroupMissing { .. } => {
                            "Gruppe / group"
                        }
                        kjh::KjhError::OverlappingContracts { .. } => {
                            "Betreuungsvertrag / care contract"
                        }
                        kjh::KjhError::NoWorkArea { .. }
                        | kjh::KjhError::WorkAreaHoursMismatch { .. } => {
                            "Arbeitsbereich / work area"
                        }
                        kjh::KjhError::NoHours { .. } => "Wochenstunden / weekly hours",
                        kjh::KjhError::NoOpenMonthEnd { .. } => "Schließzeiten / closures",
                        _ => "",
                    };
                    Problem {
                        field: field.into(),
                        ..problem_of(data, &record, &e.to_string())
                    }
                })
                .collect();
        }
    }
    out
}

fn figures(data: &KitaData, mapped: &Mapped, report: KjhReport) -> KjhFigures {
    let blank =
        |record: &str, field: &'static str| mapped.blank.contains(&(record.to_owned(), field));
    let f = &report.facility;
    let sheet = Sheet {
        traeger_art: (!blank("facility", TRAEGER_ART)).then_some(f.traeger_art),
        rechtsform: (!blank("facility", RECHTSFORM)).then_some(f.rechtsform),
        opens_early: f.opens_early,
        closes_late: f.closes_late,
        mainly_employees_children: f.mainly_employees_children,
        parent_initiative: f.parent_initiative,
        approved_places: f.approved_places,
        groups: f.groups,
        without_fixed_groups: f.without_fixed_groups,
        children: f.children,
    };
    // Group numbers follow the sorted group ids (as the count numbers them).
    let mut ids: Vec<&kitanetz_crdt::kinds::Group> = data.groups.iter().collect();
    ids.sort_by(|a, b| a.id.0.cmp(&b.id.0));
    let date = report.reference_date;
    let under_three = |c: &kjh::ChildRecord| {
        data.children
            .iter()
            .find(|(k, _)| k.id.0 == c.id.0)
            .is_some_and(|(k, _)| date < k.birth_date.0 + chrono::Months::new(36))
    };
    let mut numbers: Vec<u32> = report.children.iter().map(|c| c.group_number).collect();
    numbers.sort();
    numbers.dedup();
    let groups = numbers
        .into_iter()
        .map(|number| {
            let of: Vec<&kjh::ChildRecord> = report
                .children
                .iter()
                .filter(|c| c.group_number == number)
                .collect();
            GroupFigure {
                number,
                name: usize::try_from(number)
                    .ok()
                    .and_then(|n| n.checked_sub(1))
                    .and_then(|i| ids.get(i))
                    .filter(|_| number != kjh::WITHOUT_FIXED_GROUPS)
                    .map_or_else(|| data.name(), |g| g.name.clone()),
                children: u32::try_from(of.len()).unwrap_or(u32::MAX),
                under_three: u32::try_from(of.iter().filter(|c| under_three(c)).count())
                    .unwrap_or(u32::MAX),
                in_school: u32::try_from(of.iter().filter(|c| c.in_school).count())
                    .unwrap_or(u32::MAX),
                weekly_hours: of.iter().map(|c| c.weekly_hours).sum(),
            }
        })
        .collect();
    let staff: Vec<StaffLine> = report
        .staff
        .iter()
        .map(|s| {
            let record = format!("staff:{}", s.id);
            let born = !blank(&record, BIRTH);
            StaffLine {
                id: s.id.0.clone(),
                line: s.line,
                name: data.record_name(&record),
                sex: (!blank(&record, SEX)).then_some(s.sex),
                birth_month: born.then_some(s.birth_month),
                birth_year: born.then_some(s.birth_year),
                position: s.position,
                training_key: s.training_key,
                work_areas: s
                    .work_areas
                    .iter()
                    .map(|a| (a.area, a.group_number, a.weekly_hours))
                    .collect(),
            }
        })
        .collect();
    let staff_hours = OnePlace(
        report
            .staff
            .iter()
            .flat_map(|s| s.work_areas.iter().map(|a| a.weekly_hours.0))
            .sum(),
    );
    let named = |record: &str, message: &str| problem_of(data, record, message);
    KjhFigures {
        reference_date: date,
        sheet,
        groups,
        staff,
        staff_hours,
        exclusions: report
            .exclusions
            .iter()
            .map(|e| {
                let reason = e
                    .message
                    .split_once(" not counted: ")
                    .map_or(e.message.as_str(), |(_, r)| r);
                named(&e.record, &format!("nicht gezählt / not counted: {reason}"))
            })
            .collect(),
        notes: report
            .notes
            .iter()
            .map(|n| named(&n.record, &n.message))
            .collect(),
        scope: report
            .scope
            .iter()
            .map(|s| named(&s.record, &s.message))
            .collect(),
        children: report.children,
        domestic_staff: report.domestic_staff,
    }
}

/// The Stichtag of `year`: 1 March ("Stichtag: 1. März", annex L L30383).
pub fn reference_date(year: i32) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(year, 3, 1).filter(|d| (1900..=2100).contains(&d.year()))
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use serde_json::{json, Value};

    fn period(start: &str, end: Option<&str>) -> Value {
        json!({ "start": start, "end": end })
    }

    fn contract(
        id: &str,
        child: &str,
        care_type: &str,
        hours: &str,
        from: &str,
        to: Option<&str>,
    ) -> Value {
        json!({
            "id": id, "family": "fam-1", "child": child, "facility": "fac-1",
            "period": period(from, to),
            "lines": [{ "id": format!("{id}-l1"), "valid": period(from, to), "care_type": care_type,
                        "daily_hours": hours, "group": null, "payment_mode": "DirectDebit",
                        "reserved_seat": false }],
            "notice_given_on": null,
        })
    }

    fn child(id: &str, sex: &str, birth: &str, integration: bool) -> Value {
        json!({ "id": id, "given_name": format!("Kind {id}"), "family_name": "Muster",
                "birth_date": birth, "sex": sex, "integration_need": integration,
                "facility": "fac-1" })
    }

    fn assignment(id: &str, role: &str, hours: &str, from: &str, to: Option<&str>) -> Value {
        json!({ "id": id, "facility": "fac-1", "role": role, "period": period(from, to),
                "weekly_hours": hours })
    }

    fn person(
        id: &str,
        given: &str,
        family: &str,
        birth: Option<&str>,
        qualification: &str,
        assignments: Vec<Value>,
        absences: Vec<Value>,
    ) -> Value {
        json!({ "id": id, "provider": "prov-1", "given_name": given, "family_name": family,
                "birth_date": birth, "qualification": qualification,
                "assignments": assignments, "absences": absences })
    }

    fn from<T: serde::de::DeserializeOwned>(v: Value) -> T {
        serde_json::from_value(v).expect("a document")
    }

    /// A Diakonie Kita open 7–17 with 20 Kindergarten and 10 Krippe places, groups A (c1, c2)
    /// and B (c3), a child whose contract ended (c4), and four persons.
    pub(crate) fn kita() -> KitaData {
        let address = json!({ "street": "Weg 1", "postcode": "01067", "city": "Dresden",
                              "lat": null, "lon": null });
        let group = |id: &str, name: &str, lead: &str, members: &[&str]| {
            from(json!({ "id": id, "facility": "fac-1", "name": name,
                         "care_type": "Kindergarten", "size": 20, "lead_educator": lead,
                         "members": members }))
        };
        let kid = |c: Value, ks: Vec<Value>| (from(c), ks.into_iter().map(from).collect());
        KitaData {
            facility: kitanetz_crdt::ids::FacilityId("fac-1".into()),
            profile: Some(from(json!({
                "id": "fac-1", "provider": "prov-1", "name": "Kita Sonne", "address": address,
                "district": "Altstadt", "cost_centre": "", "opening_hours": "", "concept": "",
                "email": "", "phone": "", "lead_name": "", "opens": "07:00", "closes": "17:00",
            }))),
            licence: Some(from(json!({
                "id": "fac-1", "provider": "prov-1", "operating_licence_date": null,
                "care_types": [
                    { "care_type": "Kindergarten", "places": { "changes": [{ "valid_from": "2020-01-01", "value": 20 }] } },
                    { "care_type": "Nursery", "places": { "changes": [{ "valid_from": "2020-01-01", "value": 10 }] } },
                ],
                "reserved_seats": [], "closures": [],
            }))),
            provider: Some(from(json!({
                "id": "prov-1", "name": "Diakonie Dresden", "kind": "Free", "category": "Diakonie",
                "address": address, "email": "", "phone": "",
            }))),
            groups: vec![
                group("g-a", "Igel", "Erika Muster", &["c1", "c2"]),
                group("g-b", "Hort", "", &["c3"]),
            ],
            children: vec![
                kid(
                    child("c1", "Female", "2021-05-10", false),
                    vec![contract(
                        "k1",
                        "c1",
                        "Kindergarten",
                        "7",
                        "2024-08-01",
                        None,
                    )],
                ),
                kid(
                    child("c2", "Male", "2024-01-15", false),
                    vec![contract("k2", "c2", "Nursery", "9", "2025-01-01", None)],
                ),
                kid(
                    child("c3", "Diverse", "2018-02-01", true),
                    vec![contract("k3", "c3", "AfterSchool", "5", "2025-08-01", None)],
                ),
                kid(
                    child("c4", "Female", "2020-02-01", false),
                    vec![contract(
                        "k4",
                        "c4",
                        "Kindergarten",
                        "8",
                        "2023-01-01",
                        Some("2025-12-31"),
                    )],
                ),
            ],
            staff: vec![
                from({
                    let mut erika = person(
                        "s1",
                        "Erika",
                        "Muster",
                        Some("1985-04-02"),
                        "fachkraft",
                        vec![assignment("a1", "Educator", "30", "2024-01-01", None)],
                        vec![],
                    );
                    // Her sex entered with the staff's statistics data.
                    erika["statistics"] = json!({ "sex": "Female" });
                    erika
                }),
                from(person(
                    "s2",
                    "Lena",
                    "Leit",
                    None,
                    "fachkraft-leitung",
                    vec![
                        assignment("a2", "Leadership", "20", "2024-01-01", None),
                        assignment("a3", "Educator", "19.5", "2025-09-01", Some("2026-07-31")),
                    ],
                    vec![],
                )),
                from(person(
                    "s3",
                    "Paul",
                    "Fort",
                    Some("1990-01-01"),
                    "fachkraft",
                    vec![assignment(
                        "a4",
                        "Educator",
                        "40",
                        "2020-01-01",
                        Some("2025-12-31"),
                    )],
                    vec![],
                )),
                from(person(
                    "s4",
                    "Mia",
                    "Eltern",
                    Some("1992-06-30"),
                    "hilfskraft",
                    vec![assignment("a5", "Educator", "25", "2024-01-01", None)],
                    vec![
                        json!({ "id": "x1", "period": period("2026-01-01", Some("2026-12-31")), "reason": "parental-leave" }),
                    ],
                )),
            ],
        }
    }

    fn march_2026() -> NaiveDate {
        reference_date(2026).unwrap()
    }

    #[test]
    fn the_kita_sheet_children_and_staff_come_from_the_node_documents() {
        let k = kjh_kita(&kita(), march_2026());
        assert!(k.errors.is_empty(), "{:?}", k.errors);
        let f = k.figures.expect("counted");
        // A: Diakonie 2.4; B: a free Träger's legal form is not held.
        assert_eq!(f.sheet.traeger_art.map(TraegerArt::code), Some("08"));
        assert_eq!(f.sheet.rechtsform, None);
        assert_eq!(f.sheet.approved_places, 30);
        assert_eq!(f.sheet.groups, 2);
        assert_eq!(f.sheet.children, 3, "c4's contract ended before 1 March");
        assert!(f.sheet.opens_early.yes && f.sheet.closes_late.yes);
        // Group 1 (g-a): c1 7 h × 5 = 35, c2 9 h × 5 = 45 and under three; group 2: c3 at school.
        let g: Vec<(u32, u32, u32, u32, u32)> = f
            .groups
            .iter()
            .map(|g| {
                (
                    g.number,
                    g.children,
                    g.under_three,
                    g.in_school,
                    g.weekly_hours,
                )
            })
            .collect();
        assert_eq!(g, vec![(1, 2, 1, 0, 80), (2, 1, 0, 1, 25)]);
        let c3 = f.children.iter().find(|c| c.id.0 == "c3").unwrap();
        assert_eq!(
            (c3.sex, c3.in_school),
            ("7", true),
            "divers is reported as 7"
        );
        // H 1: s1 leads group 1 for 30 h; s2 leads the Kita 20 h and works 19.5 h across groups;
        // s3 left, s4 is on parental leave.
        let staff: Vec<(&str, String)> = f
            .staff
            .iter()
            .map(|s| {
                let areas: Vec<String> = s
                    .work_areas
                    .iter()
                    .map(|(a, g, h)| format!("{}/{:?}/{h}", a.code(), g))
                    .collect();
                (s.id.as_str(), areas.join(" "))
            })
            .collect();
        assert_eq!(
            staff,
            vec![
                ("s1", "1/Some(1)/30.0".to_owned()),
                ("s2", "4/None/20.0 9/None/19.5".to_owned())
            ]
        );
        assert_eq!(f.staff_hours.to_string(), "69.5");
        let s2 = &f.staff[1];
        assert_eq!((s2.sex, s2.birth_year), (None, None), "not held: blank");
        assert!(f.staff[0].sex.is_some(), "Erika's sex as entered");
        assert_eq!(f.staff[0].training_key.to_string(), "04");
        let excluded: Vec<&str> = f.exclusions.iter().map(|e| e.record.as_str()).collect();
        assert_eq!(excluded, vec!["child:c4", "staff:s4"]);
        assert_eq!(f.exclusions[0].name, "Kind c4 Muster");
        // Missing: the legal form, c3's kind of disability, s2's sex and birth (Erika's is entered).
        let missing: Vec<(&str, &str)> = k
            .missing
            .iter()
            .map(|m| (m.record.as_str(), m.field.as_str()))
            .collect();
        assert!(missing.contains(&("facility", "Rechtsform des Trägers (B) / legal form")));
        assert!(missing.iter().any(|m| m.0 == "child:c3"));
        assert!(missing.contains(&("staff:s2", "Geschlecht / sex, Geburtsdatum / birth date")));
        assert!(!missing.iter().any(|m| m.0 == "staff:s1"), "{missing:?}");
    }

    #[test]
    fn a_child_in_no_group_is_an_error_row_with_its_name() {
        let mut data = kita();
        data.groups[1].members.clear();
        let k = kjh_kita(&data, march_2026());
        assert!(k.figures.is_none());
        assert_eq!(k.errors.len(), 1, "{:?}", k.errors);
        assert_eq!(k.errors[0].record, "child:c3");
        assert_eq!(k.errors[0].name, "Kind c3 Muster");
        assert_eq!(k.errors[0].field, "Gruppe / group");
    }

    #[test]
    fn the_group_comes_from_the_group_documents_not_the_contract_line() {
        let mut data = kita();
        // The line names group B, the documents say A: A counts.
        data.children[0].1[0].lines[0].group = Some(kitanetz_crdt::ids::GroupId("g-b".into()));
        let mapped = kjh_input(&data, march_2026());
        assert_eq!(
            mapped.input.children[0].contracts[0].group,
            Some(GroupId("g-a".into()))
        );
    }
}
