//! A member of a Träger's pedagogical staff (Betreuungspersonal, Lastenheft 3.7.2.3–3.7.2.4,
//! seed 004 L2294–2332; data list 3.14.1.6, L3440–3448): names, qualification, and where and
//! how many hours a week the person works. Personal data of one person: one document per
//! person, owned by the employing Träger, held by its office and the Kitas the person works at
//! (the Lastenheft: visible to that Träger only, L2290, L3447), erased whole.
//!
//! One person may work at several Kitas ("mobile Aushilfskräfte", L2297–2300), with the hours
//! recorded per Kita so that the actual staffing (Ist) can be computed per Kita. Hours change
//! with a date (L2325–2327): each assignment has a period, a change is a new assignment from
//! a date. The staffing rules (`kitanetz-staffing`) turn weekly hours into full-time
//! equivalents (VbE) with their own reference hours: the sources give none, so it is a setting
//! of the rules, never a constant here.

use crate::ids::{FacilityId, ProviderId, StaffAbsenceId, StaffAssignmentId, StaffId};
use crate::kinds::family::Sex;
use crate::period::Period;
use crate::scalar::{Date, Dec};
use crate::validate::{ValidationError, Validator};
use autosurgeon::{Hydrate, Reconcile};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// One qualification a staff member can have: its code (stored), German label, and whether a
/// person with it counts towards the Personalschlüssel.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Qualification {
    pub code: &'static str,
    pub label: &'static str,
    /// SächsKitaG § 12 (1) and (2) count "pädagogische Fachkräfte" (seed 004 L4785–4795); the
    /// "weitere geeignete Mitarbeiter" of § 12 (1) S. 2 support them and do not count.
    pub counts_towards_key: bool,
}

/// The qualifications, in the order forms list them. Persisted format: the codes.
pub const QUALIFICATIONS: [Qualification; 5] = [
    Qualification {
        code: "fachkraft",
        label: "Pädagogische Fachkraft (staatlich anerkannte Erzieherin/Erzieher, \
                Kindheitspädagogin, Sozialpädagogin)",
        counts_towards_key: true,
    },
    Qualification {
        code: "fachkraft-leitung",
        label: "Pädagogische Fachkraft mit Leitungsqualifikation",
        counts_towards_key: true,
    },
    Qualification {
        code: "heilpaedagogische-fachkraft",
        label: "Heilpädagogische Fachkraft (Heilpädagogin, Heilerziehungspflegerin)",
        counts_towards_key: true,
    },
    // Not a Fachkraft yet: annex F's Ist sheet lists Praktikanten (PMA) and mentoring apart
    // from the counted staff (seed 004 L9700–9760). A Land that counts trainees in part would
    // need a share here, not a yes/no.
    Qualification {
        code: "in-ausbildung",
        label: "Fachkraft in Ausbildung / Praktikantin, Praktikant",
        counts_towards_key: false,
    },
    Qualification {
        code: "hilfskraft",
        label: "Hilfskraft / sonstige Mitarbeiterin, sonstiger Mitarbeiter",
        counts_towards_key: false,
    },
];

impl Qualification {
    pub fn of(code: &str) -> Option<Qualification> {
        QUALIFICATIONS.into_iter().find(|q| q.code == code)
    }
}

/// What a person does at a Kita: § 12 (2) keys educators (Nr. 1–3) and leadership (Nr. 4)
/// separately, so their hours are recorded apart (a leader freed for 30 of 39 hours works 9 in
/// the groups; the KJH statistic's example, seed 004 L33444–33449).
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    Reconcile,
    Hydrate,
)]
pub enum StaffRole {
    /// Work with the children (Gruppenleitung, Zweitkraft, gruppenübergreifend).
    Educator,
    /// Leitung of the Kita (also the deputy's hours freed for leading).
    Leadership,
}

impl StaffRole {
    pub const ALL: [StaffRole; 2] = [StaffRole::Educator, StaffRole::Leadership];

    pub fn as_str(self) -> &'static str {
        match self {
            StaffRole::Educator => "educator",
            StaffRole::Leadership => "leadership",
        }
    }

    pub fn parse(s: &str) -> Option<StaffRole> {
        StaffRole::ALL.into_iter().find(|r| r.as_str() == s)
    }
}

/// The most weekly hours one assignment may have: the Arbeitszeitgesetz allows 48 on average
/// (§ 3 ArbZG); more is a typing error (e.g. monthly hours).
pub const MAX_WEEKLY_HOURS: u32 = 48;

/// Hours at one Kita in one role during a period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Reconcile, Hydrate)]
pub struct StaffAssignment {
    #[key]
    pub id: StaffAssignmentId,
    pub facility: FacilityId,
    pub role: StaffRole,
    pub period: Period,
    /// Contracted weekly hours at this Kita in this role, more than 0, at most
    /// [`MAX_WEEKLY_HOURS`], two decimals at most. Hours, not a VbE share: the KJH statistic
    /// asks for hours (L33432–33435) and a contract states hours; a share typed into a form is
    /// converted with the reference hours of the day it is entered.
    pub weekly_hours: Dec,
}

/// A time in which the person does not work although employed (Lastenheft 3.7.2.4, L2328–2331:
/// long-term illness, maternity protection; annex F's Ist sheet deducts LZK, EZ and BV).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Reconcile, Hydrate)]
pub struct StaffAbsence {
    #[key]
    pub id: StaffAbsenceId,
    pub period: Period,
    /// One of [`ABSENCE_REASONS`].
    pub reason: String,
}

/// The coded reasons of an absence: (code, German label). Persisted format: the codes.
pub const ABSENCE_REASONS: [(&str, &str); 4] = [
    ("long-term-illness", "Langzeiterkrankung (LZK)"),
    (
        "maternity-protection",
        "Mutterschutz / Beschäftigungsverbot (BV)",
    ),
    ("parental-leave", "Elternzeit (EZ)"),
    ("other", "Sonstige Freistellung"),
];

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Reconcile, Hydrate)]
pub struct StaffMember {
    pub id: StaffId,
    /// The employing Träger: its office owns the document (`provider_org`) and only its nodes
    /// hold it.
    pub provider: ProviderId,
    pub given_name: String,
    pub family_name: String,
    /// Optional (the Lastenheft lists it, L2313; the KJH statistic needs year and month).
    pub birth_date: Option<Date>,
    /// One of [`QUALIFICATIONS`] (its code).
    pub qualification: String,
    pub assignments: Vec<StaffAssignment>,
    pub absences: Vec<StaffAbsence>,
    /// What the Kita-Data-Webhouse asks of the person and nothing else here needs (seed 002
    /// L73–88). Absent from documents written before it was added: they load with nothing
    /// entered.
    #[autosurgeon(missing = "Default::default")]
    #[serde(default)]
    pub statistics: StaffStatistics,
}

/// The Tätigkeit the Kita-Data-Webhouse asks (L81–82): (code, German label). Persisted format:
/// the codes, as the case format `kitanetz-kdw-case/1` spells them.
pub const KDW_ACTIVITIES: [(&str, &str); 3] = [
    ("einrichtungsleitung", "Einrichtungsleitung"),
    (
        "gruppenleitung",
        "Päd. Fachkraft / berechtigt zur Gruppenleitung",
    ),
    ("other", "Sonstige Tätigkeit"),
];

/// The Arbeitsbereiche (Schlüssel A of the KJH statistic, seed 004 L31416–31445) an educator's
/// hours may be reported in: (code, German label). Leadership hours are always 4
/// (Einrichtungsleitung). Persisted format: the codes.
pub const KDW_EDUCATOR_AREAS: [(&str, &str); 5] = [
    ("1", "Gruppenleitung"),
    ("2", "Zweit- bzw. Ergänzungskraft"),
    ("3", "Förderung von Kindern (Eingliederungshilfe)"),
    ("5", "Verwaltung"),
    ("9", "Gruppenübergreifend tätig"),
];

/// The staff data of the Kita-Data-Webhouse (Baden-Württemberg, seed 002 L73–88): what the
/// Webhouse asks per person that the staffing ratio does not need. Every field may be empty
/// (not entered); the statistic's check names what is missing. Text fields hold `""` when not
/// entered.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, Reconcile, Hydrate)]
#[serde(default)]
pub struct StaffStatistics {
    /// Geschlecht (L76); `Diverse` is reported as 7 like `Unspecified` (L38).
    #[autosurgeon(missing = "Option::default")]
    pub sex: Option<Sex>,
    /// One of [`KDW_ACTIVITIES`] or `""`.
    #[autosurgeon(missing = "String::new")]
    pub activity: String,
    /// "Mitarbeiter/in im hauswirtschaftlichen/technischen Bereich" (L80, L84).
    #[autosurgeon(missing = "Default::default")]
    pub domestic_technical: bool,
    /// Höchster Berufsausbildungsabschluss, the Land's key of four digits (L78–79), or `""`.
    #[autosurgeon(missing = "String::new")]
    pub training_key: String,
    /// Praxisintegrierte Ausbildung (L86).
    #[autosurgeon(missing = "Default::default")]
    pub pia: bool,
    /// MPS-Anrechnung in percent, the number only (L78).
    #[autosurgeon(missing = "Option::default")]
    pub mps_anrechnung: Option<Dec>,
    /// Zusätzlicher fachspezifischer Abschluss / Nachqualifikation (L79, L89).
    #[autosurgeon(missing = "String::new")]
    pub nachqualifikation: String,
    /// "Leitung aufgrund von" (L82).
    #[autosurgeon(missing = "String::new")]
    pub leitung_aufgrund_von: String,
    /// Zusatzfeld ErsteAnsprechperson: `ja`, `nein` or `""` (L87).
    #[autosurgeon(missing = "String::new")]
    pub erste_ansprechperson: String,
    /// Arbeitstage a week (Layer Arbeitszeit, L84).
    #[autosurgeon(missing = "Option::default")]
    pub working_days: Option<u32>,
    /// The Arbeitsbereich of the hours in the educator role, one of [`KDW_EDUCATOR_AREAS`] or
    /// `""` (then derived by the statistic).
    #[autosurgeon(missing = "String::new")]
    pub educator_area: String,
}

impl StaffStatistics {
    fn validate(&self, v: &mut Validator) {
        let f = |name: &str| format!("statistics.{name}");
        v.check(
            self.activity.is_empty() || KDW_ACTIVITIES.iter().any(|(c, _)| *c == self.activity),
            f("activity"),
            format!(
                "unbekannte Tätigkeit / unknown activity; one of {}",
                KDW_ACTIVITIES.map(|(c, _)| c).join(", ")
            ),
        );
        v.check(
            self.training_key.is_empty()
                || (self.training_key.len() == 4
                    && self.training_key.bytes().all(|b| b.is_ascii_digit())),
            f("training_key"),
            "Schlüssel aus vier Ziffern, z. B. 5010 / a key of four digits, e.g. 5010",
        );
        v.check(
            self.mps_anrechnung.is_none_or(|p| {
                p.0 >= Decimal::ZERO && p.0 <= Decimal::ONE_HUNDRED && p.0.normalize().scale() <= 2
            }),
            f("mps_anrechnung"),
            "Prozent von 0 bis 100, nur die Zahl / percent from 0 to 100, the number only",
        );
        v.check(
            ["", "ja", "nein"].contains(&self.erste_ansprechperson.as_str()),
            f("erste_ansprechperson"),
            "„ja“ oder „nein“ / yes or no",
        );
        v.check(
            self.working_days.is_none_or(|d| (1..=7).contains(&d)),
            f("working_days"),
            "Arbeitstage je Woche von 1 bis 7 / working days a week from 1 to 7",
        );
        v.check(
            self.educator_area.is_empty()
                || KDW_EDUCATOR_AREAS
                    .iter()
                    .any(|(c, _)| *c == self.educator_area),
            f("educator_area"),
            format!(
                "unbekannter Arbeitsbereich / unknown work area; one of {}",
                KDW_EDUCATOR_AREAS.map(|(c, _)| c).join(", ")
            ),
        );
        v.optional_text(&f("nachqualifikation"), &self.nachqualifikation, 100);
        v.optional_text(&f("leitung_aufgrund_von"), &self.leitung_aufgrund_von, 100);
    }
}

impl StaffMember {
    pub fn validate(&self) -> Result<(), ValidationError> {
        let mut v = Validator::new();
        v.text("given_name", &self.given_name, 100);
        v.text("family_name", &self.family_name, 100);
        if let Some(birth) = self.birth_date {
            v.plausible_date("birth_date", birth);
        }
        let qualification = Qualification::of(&self.qualification);
        v.check(
            qualification.is_some(),
            "qualification",
            format!(
                "unbekannte Qualifikation / unknown qualification; one of {}",
                QUALIFICATIONS.map(|q| q.code).join(", ")
            ),
        );
        unique(
            &mut v,
            "assignments",
            self.assignments.iter().map(|a| &a.id),
        );
        for (i, a) in self.assignments.iter().enumerate() {
            let field = format!("assignments[{i}]");
            period(&mut v, &format!("{field}.period"), &a.period);
            weekly_hours(&mut v, &format!("{field}.weekly_hours"), a.weekly_hours);
            // § 12 (2) Nr. 4: leading a Kita is a Fachkraft's task.
            v.check(
                a.role != StaffRole::Leadership || qualification.is_none_or(|q| q.counts_towards_key),
                format!("{field}.role"),
                "Leitung nur durch eine pädagogische Fachkraft / only a pedagogical professional leads a Kita",
            );
            // Two assignments in one role at one Kita on the same day would count the person
            // twice: a change of hours is a new assignment after the old one ends.
            if let Some(j) = self.assignments[..i].iter().position(|o| {
                o.facility == a.facility && o.role == a.role && o.period.overlaps(&a.period)
            }) {
                v.fail(
                    format!("{field}.period"),
                    format!(
                        "überschneidet sich mit Zuordnung {} (gleiche Kita und Funktion) / \
                         overlaps assignment {} (same Kita and role)",
                        j + 1,
                        j + 1
                    ),
                );
            }
        }
        self.statistics.validate(&mut v);
        unique(&mut v, "absences", self.absences.iter().map(|a| &a.id));
        for (i, a) in self.absences.iter().enumerate() {
            let field = format!("absences[{i}]");
            period(&mut v, &format!("{field}.period"), &a.period);
            v.check(
                ABSENCE_REASONS.iter().any(|(code, _)| *code == a.reason),
                format!("{field}.reason"),
                format!(
                    "unbekannter Grund / unknown reason; one of {}",
                    ABSENCE_REASONS.map(|(code, _)| code).join(", ")
                ),
            );
        }
        v.finish()
    }

    /// Whether the person's qualification counts towards the Personalschlüssel; an unknown
    /// code (refused by validation) does not.
    pub fn counts_towards_key(&self) -> bool {
        Qualification::of(&self.qualification).is_some_and(|q| q.counts_towards_key)
    }

    /// Every Kita the person works or worked at: they scope who may hold the document. Past
    /// assignments stay in scope, because a Kita recomputes the Ist of past months (Lastenheft
    /// 3.7.2.4, L2324–2325: changes to past months enter the yearly averages).
    pub fn facilities(&self) -> Vec<FacilityId> {
        let mut f: Vec<FacilityId> = self
            .assignments
            .iter()
            .map(|a| a.facility.clone())
            .collect();
        f.sort();
        f.dedup();
        f
    }

    /// The assignments in force on `day`.
    pub fn assignments_on(&self, day: Date) -> impl Iterator<Item = &StaffAssignment> {
        self.assignments
            .iter()
            .filter(move |a| a.period.contains(day))
    }
}

fn unique<'a, T: Ord + 'a>(v: &mut Validator, field: &str, ids: impl Iterator<Item = &'a T>) {
    let mut ids: Vec<&T> = ids.collect();
    let all = ids.len();
    ids.sort_unstable();
    ids.dedup();
    v.check(
        ids.len() == all,
        field,
        "Eintrag doppelt / entry listed twice",
    );
}

fn period(v: &mut Validator, field: &str, p: &Period) {
    v.check(
        p.is_well_formed(),
        field,
        "Ende vor Beginn / end before start",
    );
    v.check(
        p.start().is_plausible() && p.end().is_none_or(|e| e.is_plausible()),
        field,
        "Datum außerhalb 1900–2100 / date outside 1900–2100",
    );
}

fn weekly_hours(v: &mut Validator, field: &str, hours: Dec) {
    let ok = hours.0 > Decimal::ZERO
        && hours.0 <= Decimal::from(MAX_WEEKLY_HOURS)
        && hours.0.normalize().scale() <= 2;
    v.check(
        ok,
        field,
        "Wochenstunden über 0 bis 48, höchstens zwei Nachkommastellen / weekly hours above 0 up to 48, at most two decimals",
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use automerge::{AutoCommit, ROOT};
    use autosurgeon::{hydrate_prop, reconcile_prop};
    use std::str::FromStr;

    fn d(y: i32, m: u32, day: u32) -> Date {
        Date::ymd(y, m, day)
    }

    fn assignment(id: &str, facility: &str, role: StaffRole, period: Period) -> StaffAssignment {
        StaffAssignment {
            id: StaffAssignmentId(id.into()),
            facility: FacilityId(facility.into()),
            role,
            period,
            weekly_hours: Dec::from_str("30").unwrap(),
        }
    }

    fn member() -> StaffMember {
        StaffMember {
            id: StaffId("staff-1".into()),
            provider: ProviderId("prov-1".into()),
            given_name: "Anna".into(),
            family_name: "Beispiel".into(),
            birth_date: Some(d(1990, 4, 12)),
            qualification: "fachkraft".into(),
            assignments: vec![
                assignment(
                    "asg-1",
                    "fac-a",
                    StaffRole::Educator,
                    Period::new(d(2026, 1, 1), Some(d(2026, 6, 30))).unwrap(),
                ),
                assignment(
                    "asg-2",
                    "fac-a",
                    StaffRole::Educator,
                    Period::from(d(2026, 7, 1)),
                ),
                assignment(
                    "asg-3",
                    "fac-b",
                    StaffRole::Educator,
                    Period::from(d(2026, 3, 1)),
                ),
            ],
            absences: vec![StaffAbsence {
                id: StaffAbsenceId("abs-1".into()),
                period: Period::new(d(2026, 9, 1), Some(d(2026, 12, 31))).unwrap(),
                reason: "parental-leave".into(),
            }],
            statistics: StaffStatistics::default(),
        }
    }

    fn fields(s: &StaffMember) -> Vec<String> {
        s.validate()
            .err()
            .map(|e| e.errors.into_iter().map(|f| f.field).collect())
            .unwrap_or_default()
    }

    #[test]
    fn a_person_at_two_kitas_with_a_change_of_hours_is_valid() {
        let s = member();
        assert_eq!(s.validate(), Ok(()));
        assert!(s.counts_towards_key());
        assert_eq!(
            s.facilities(),
            [FacilityId("fac-a".into()), FacilityId("fac-b".into())]
        );
        let on: Vec<&str> = s
            .assignments_on(d(2026, 7, 1))
            .map(|a| a.id.as_str())
            .collect();
        assert_eq!(on, ["asg-2", "asg-3"]);
    }

    #[test]
    fn names_qualification_and_hours_are_checked() {
        let mut s = member();
        s.given_name = " ".into();
        s.family_name = "".into();
        s.qualification = "erzieherin".into();
        s.assignments[0].weekly_hours = Dec(Decimal::ZERO);
        s.assignments[1].weekly_hours = Dec::from_str("49").unwrap();
        s.assignments[2].weekly_hours = Dec::from_str("19.125").unwrap();
        assert_eq!(
            fields(&s),
            [
                "given_name",
                "family_name",
                "qualification",
                "assignments[0].weekly_hours",
                "assignments[1].weekly_hours",
                "assignments[2].weekly_hours",
            ]
        );
        s = member();
        s.assignments[0].weekly_hours = Dec::from_str("48.00").unwrap();
        s.assignments[1].weekly_hours = Dec::from_str("0.25").unwrap();
        assert_eq!(s.validate(), Ok(()), "48 h and a quarter hour are allowed");
    }

    #[test]
    fn overlapping_assignments_count_twice_only_in_the_same_role_at_the_same_kita() {
        let mut s = member();
        // Leading fac-b besides working in its groups is allowed (two roles).
        s.assignments.push(assignment(
            "asg-4",
            "fac-b",
            StaffRole::Leadership,
            Period::from(d(2026, 3, 1)),
        ));
        assert_eq!(s.validate(), Ok(()));
        // The same role at the same Kita overlapping is not.
        s.assignments.push(assignment(
            "asg-5",
            "fac-a",
            StaffRole::Educator,
            Period::new(d(2026, 6, 30), Some(d(2026, 7, 1))).unwrap(),
        ));
        let err = s.validate().unwrap_err();
        assert_eq!(err.errors.len(), 1, "{err}");
        assert_eq!(err.errors[0].field, "assignments[4].period");
        assert!(
            err.errors[0].message.contains("assignment 1"),
            "{}",
            err.errors[0].message
        );
    }

    #[test]
    fn a_leader_must_be_a_professional_and_helpers_do_not_count() {
        let mut s = member();
        s.qualification = "hilfskraft".into();
        assert!(!s.counts_towards_key());
        assert_eq!(s.validate(), Ok(()), "a helper works in the groups");
        s.assignments[2].role = StaffRole::Leadership;
        assert_eq!(fields(&s), ["assignments[2].role"]);
        for q in QUALIFICATIONS {
            assert_eq!(Qualification::of(q.code), Some(q));
        }
        let counting: Vec<&str> = QUALIFICATIONS
            .iter()
            .filter(|q| q.counts_towards_key)
            .map(|q| q.code)
            .collect();
        assert_eq!(
            counting,
            [
                "fachkraft",
                "fachkraft-leitung",
                "heilpaedagogische-fachkraft"
            ]
        );
    }

    #[test]
    fn malformed_periods_duplicate_ids_and_unknown_reasons_are_refused() {
        let mut s = member();
        // A period hydrated from another node's document is not checked by `Period::new`.
        let bad: Period =
            serde_json::from_str(r#"{"start":"2026-05-01","end":"2026-04-30"}"#).unwrap();
        s.assignments[2].period = bad;
        s.assignments[1].id = s.assignments[0].id.clone();
        s.absences[0].reason = "holiday".into();
        s.absences[0].period = Period::from(d(1800, 1, 1));
        s.birth_date = Some(d(1850, 1, 1));
        assert_eq!(
            fields(&s),
            [
                "birth_date",
                "assignments",
                "assignments[2].period",
                "absences[0].period",
                "absences[0].reason",
            ]
        );
    }

    #[test]
    fn the_webhouse_data_is_checked_and_a_document_without_it_loads_with_nothing_entered() {
        let mut s = member();
        s.statistics = StaffStatistics {
            sex: Some(Sex::Female),
            activity: "gruppenleitung".into(),
            training_key: "5021".into(),
            mps_anrechnung: Some(Dec::from_str("20").unwrap()),
            leitung_aufgrund_von: "Erzieherin".into(),
            erste_ansprechperson: "nein".into(),
            working_days: Some(5),
            educator_area: "1".into(),
            ..StaffStatistics::default()
        };
        assert_eq!(s.validate(), Ok(()));
        let mut bad = s.clone();
        bad.statistics.activity = "Leitung".into();
        bad.statistics.training_key = "04".into();
        bad.statistics.mps_anrechnung = Some(Dec::from_str("120").unwrap());
        bad.statistics.erste_ansprechperson = "vielleicht".into();
        bad.statistics.working_days = Some(8);
        bad.statistics.educator_area = "4".into();
        assert_eq!(
            fields(&bad),
            [
                "statistics.activity",
                "statistics.training_key",
                "statistics.mps_anrechnung",
                "statistics.erste_ansprechperson",
                "statistics.working_days",
                "statistics.educator_area",
            ]
        );

        // Round trip, then a document as written before the field existed.
        let mut doc = AutoCommit::new();
        reconcile_prop(&mut doc, ROOT, "value", &s).unwrap();
        let back: StaffMember = hydrate_prop(&doc, ROOT, "value").unwrap();
        assert_eq!(back, s);
        use automerge::transaction::Transactable;
        use automerge::ReadDoc;
        let (_, value) = doc.get(ROOT, "value").unwrap().unwrap();
        doc.delete(&value, "statistics").unwrap();
        let old: StaffMember = hydrate_prop(&doc, ROOT, "value").unwrap();
        assert_eq!(old.statistics, StaffStatistics::default());
        assert_eq!(old.assignments, s.assignments);
        let json = serde_json::to_value(member()).unwrap();
        let mut json = json.as_object().unwrap().clone();
        json.remove("statistics");
        let old: StaffMember = serde_json::from_value(json.into()).unwrap();
        assert_eq!(old.statistics, StaffStatistics::default());
    }

    #[test]
    fn role_codes_round_trip() {
        for role in StaffRole::ALL {
            assert_eq!(StaffRole::parse(role.as_str()), Some(role));
        }
        assert_eq!(StaffRole::parse("Leitung"), None);
    }

    #[test]
    fn a_stored_staff_document_reads_back_as_its_kind() {
        use crate::doc::{KindValue, StoredDoc};
        use crate::ids::{provider_org, DocId};
        use crate::meta::{DocKind, DocMeta, Visibility};
        let s = member();
        let meta = DocMeta {
            kind: DocKind::StaffMember,
            schema: DocKind::StaffMember.schema_version(),
            owner: provider_org(&s.provider),
            provider: Some(s.provider.clone()),
            facilities: s.facilities(),
            origin_node: "traeger-1".into(),
            created_on: d(2026, 1, 2),
        };
        let id = DocId("doc-staff-staff-1".into());
        let mut doc = StoredDoc::create(id.clone(), meta, &s, b"office", d(2026, 1, 2), 1).unwrap();
        let mut loaded = StoredDoc::load(id, &doc.save(), b"kita").unwrap();
        assert_eq!(loaded.meta.visibility(), Visibility::Personal);
        assert_eq!(DocKind::StaffMember.as_str(), "staff-member");
        assert_eq!(loaded.any_value().unwrap(), KindValue::StaffMember(s));
    }

    #[test]
    fn round_trips_through_automerge_and_merges_two_kitas_edits() {
        let s = member();
        let mut doc = AutoCommit::new();
        reconcile_prop(&mut doc, ROOT, "value", &s).unwrap();
        let back: StaffMember = hydrate_prop(&doc, ROOT, "value").unwrap();
        assert_eq!(back, s);

        // Kita a ends its assignment while Kita b adds hours from a later date: both hold.
        let mut at_b = doc.fork();
        let mut a_side = s.clone();
        a_side.assignments[1].period = Period::new(d(2026, 7, 1), Some(d(2026, 12, 31))).unwrap();
        reconcile_prop(&mut doc, ROOT, "value", &a_side).unwrap();
        let mut b_side = s.clone();
        b_side.assignments[2].period = Period::new(d(2026, 3, 1), Some(d(2026, 10, 31))).unwrap();
        b_side.assignments.push(StaffAssignment {
            weekly_hours: Dec::from_str("20").unwrap(),
            ..assignment(
                "asg-9",
                "fac-b",
                StaffRole::Educator,
                Period::from(d(2026, 11, 1)),
            )
        });
        reconcile_prop(&mut at_b, ROOT, "value", &b_side).unwrap();
        doc.merge(&mut at_b).unwrap();
        let merged: StaffMember = hydrate_prop(&doc, ROOT, "value").unwrap();
        assert_eq!(merged.assignments.len(), 4);
        assert_eq!(merged.assignments[1].period, a_side.assignments[1].period);
        assert_eq!(merged.assignments[2].period, b_side.assignments[2].period);
        assert_eq!(merged.validate(), Ok(()));
    }
}
