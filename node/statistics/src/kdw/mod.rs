//! The Kita-Data-Webhouse pre-export check (Baden-Württemberg), case format `kitanetz-kdw-case/1`
//! (`shared/formats/kdw-case.md`).
//!
//! Seed 002 (`shared/seeds/002_ef5c20c33301dc43.txt`) describes the yearly youth-welfare
//! statistic (§§ 98 ff SGB VIII) handed to the Statistisches Landesamt through the
//! Kita-Data-Webhouse: facility, groups, children and, as a Mandant option, staff. "Bevor die
//! Übergabedatei erzeugt wird, findet eine Prüfung der Daten statt" (L100): [`check`] runs every
//! check of the seed and, when nothing is wrong, returns the [`Export`] rows the StaLa XML file
//! is made of (`Ausgabeart Stala im XML-Format`, L97), as a [`CheckedExport`] that only the check
//! can make. [`to_xml`] writes that file (format `kitanetz-kdw-stala/1`, documented in
//! `node/statistics/KDW_XML.md`); it takes nothing but a [`CheckedExport`], so a file with errors
//! cannot be written. `L…` are lines of seed 002 unless another seed is named.

mod case;
mod check;
mod export;
mod xml;

pub use case::parse_case;
pub use check::{check, CheckError, ErrorCode};
pub use export::{CheckedExport, Export, ExportChild, ExportGroup, ExportStaff, ExportWorkArea};
pub use xml::{to_xml, XmlRefused, EXTRA_FIELD_ELEMENTS, XML_FORMAT};

use crate::ids::{CareFormId, ChildId, GroupId, StaffId};
use crate::period::Period;
use crate::CliOutput;
use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::Serialize;

/// The case format this module reads.
pub const CASE_FORMAT: &str = "kitanetz-kdw-case/1";
/// The result format it writes.
pub const RESULT_FORMAT: &str = "kitanetz-kdw-result/1";

/// Exit code of a case with errors.
pub const EXIT_ERRORS: u8 = 1;

/// One facility's statistic on the Stichdatum.
#[derive(Debug, Clone, PartialEq)]
pub struct KdwCase {
    /// The Stichdatum, 1 March by default in the UI (L94–95).
    pub reference_date: NaiveDate,
    /// Mandant option "Angaben der Mitarbeiter weitergeben", default no (L74, L90).
    pub export_staff: bool,
    pub facility: Facility,
    pub care_forms: Vec<CareForm>,
    pub groups: Vec<Group>,
    pub children: Vec<Child>,
    pub staff: Vec<StaffMember>,
}

/// The Mandant's master data and its Zusatzfelder (L18–31).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Facility {
    pub name: Option<String>,
    /// Bundesland (L29).
    pub state: Option<String>,
    /// Checkbox "Einrichtung mit mehr als einer Einrichtungsleitung" (L87).
    pub more_than_one_lead: bool,
    /// The eight Zusatzfelder of the Mandant (L21, L25) that are not empty, as given.
    pub extra_fields: std::collections::BTreeMap<&'static str, serde_json::Value>,
}

/// The Mandant's Zusatzfelder that must all be filled (L31), by their case keys.
pub const FACILITY_EXTRA_FIELDS: [&str; 8] = [
    "einrichtungsnummer",
    "interaktionsentwicklung",
    "konzeptionsentwicklung",
    "leitungszeit_umgesetzt",
    "stala_einrichtungsnummer",
    "teamentwicklung",
    "ueberzaehlige_gruppen",
    "woechentliche_oeffnungszeit",
];

/// The Zusatzfeld of "Datentyp Zahl" (L25–26).
pub const NUMERIC_EXTRA_FIELD: &str = "stala_einrichtungsnummer";

/// Art der Betreuungsform.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CareFormKind {
    Krippe,
    Kindergarten,
    Hort,
    Other,
}

/// A Betreuungsform: it carries the weekly hours and days per week of its children (L48).
#[derive(Debug, Clone, PartialEq)]
pub struct CareForm {
    pub id: CareFormId,
    pub name: Option<String>,
    pub kind: Option<CareFormKind>,
    pub weekly_hours: Option<Decimal>,
    pub days_per_week: Option<u32>,
}

/// A Betreuungsgruppe; name, status and maximum size are handed over as they are (L34).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Group {
    pub id: GroupId,
    pub name: Option<String>,
    pub status: Option<String>,
    pub max_size: Option<u32>,
}

/// Geschlecht with the federal statistic's codes (L38).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sex {
    Male,
    Female,
    /// "7 = Ohne Angabe (nach § 22 Absatz 3 Personenstandsgesetz)", from Berichtsjahr 2017.
    Unspecified,
}

impl Sex {
    pub fn code(self) -> &'static str {
        match self {
            Sex::Male => "1",
            Sex::Female => "2",
            Sex::Unspecified => "7",
        }
    }
}

/// A child with its contract ("lfd. Vertrag", L42–43).
#[derive(Debug, Clone, PartialEq)]
pub struct Child {
    pub id: ChildId,
    pub sex: Sex,
    pub birth_date: NaiveDate,
    /// From the start of the status "lfd. Vertrag" to its end, inclusive.
    pub contract: Period,
    pub care_form: Option<CareFormId>,
    /// The groups attended, in the case's order.
    pub groups: Vec<GroupAttendance>,
    /// Klassenstufe as given; `None` = no school.
    pub school_grade: Option<serde_json::Value>,
    pub features: Features,
}

/// One group a child attends; the weekly hours decide the main group among several (L45).
#[derive(Debug, Clone, PartialEq)]
pub struct GroupAttendance {
    pub group: Option<GroupId>,
    pub weekly_hours: Option<Decimal>,
}

/// The Standard-Merkmale of a child (L56–72); absent is false.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct Features {
    pub weekend_care: bool,
    pub midday_break: bool,
    pub lunch: bool,
    pub foreign_origin: bool,
    pub non_german_language: bool,
    pub integration_physical: bool,
    pub integration_mental: bool,
    pub integration_emotional: bool,
    pub educational_help: bool,
}

/// Tätigkeit of a staff member (L81–82).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Activity {
    Einrichtungsleitung,
    /// "päd. Fachkraft/berechtigt zur Gruppenleitung".
    Gruppenleitung,
    Other,
}

/// A staff member (L73–88).
#[derive(Debug, Clone, PartialEq)]
pub struct StaffMember {
    pub id: StaffId,
    pub sex: Sex,
    pub birth_date: NaiveDate,
    pub activity: Option<Activity>,
    /// "Mitarbeiter/in im hauswirtschaftlichen/technischen Bereich" (L80, L84).
    pub domestic_technical: bool,
    /// Höchster Berufsausbildungsabschluss: four digits.
    pub training_key: Option<String>,
    /// Praxisintegrierte Ausbildung (L86).
    pub pia: bool,
    /// Percent (L78).
    pub mps_anrechnung: Option<Decimal>,
    pub nachqualifikation: Option<String>,
    pub leitung_aufgrund_von: Option<String>,
    pub erste_ansprechperson: Option<String>,
    pub weekly_hours: Option<Decimal>,
    pub working_days: Option<u32>,
    /// At most two (L85).
    pub work_areas: Vec<WorkArea>,
}

/// One Arbeitsbereich with its share of the weekly hours (L83).
#[derive(Debug, Clone, PartialEq)]
pub struct WorkArea {
    pub area: Option<String>,
    pub weekly_hours: Option<Decimal>,
}

/// The check's answer: `kitanetz-kdw-result/1`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct KdwResult {
    pub format: &'static str,
    pub valid: bool,
    /// Sorted by record, code, field.
    pub errors: Vec<CheckError>,
    /// Only when valid.
    pub export: Option<CheckedExport>,
}

impl KdwResult {
    pub fn of(case: &KdwCase) -> KdwResult {
        match check(case) {
            Ok(export) => KdwResult {
                format: RESULT_FORMAT,
                valid: true,
                errors: Vec::new(),
                export: Some(export),
            },
            Err(errors) => KdwResult {
                format: RESULT_FORMAT,
                valid: false,
                errors,
                export: None,
            },
        }
    }
}

/// `kitanetz statistics kdw --case FILE.json --check`: the result on stdout, exit 0 when valid
/// and 1 with errors; an invalid case gives a message on stderr and exit 2. Without `check` it
/// says to choose the check or the XML file ([`xml_output`]) and exits 2.
pub fn case_output(case_text: &str, check: bool) -> CliOutput {
    if !check {
        return CliOutput::refused(
            "choose --check (the pre-export check) or --xml (the StaLa hand-over file)",
        );
    }
    match parse_case(case_text) {
        Ok(case) => {
            let result = KdwResult::of(&case);
            let code = if result.valid { 0 } else { EXIT_ERRORS };
            CliOutput::json(&result, code)
        }
        Err(error) => CliOutput::invalid(error),
    }
}

/// `kitanetz statistics kdw --case FILE.json --xml`: the StaLa hand-over file on stdout and exit
/// 0 when the case passes every check. With errors nothing is written but the check's result
/// (`kitanetz-kdw-result/1`, the same as `--check`) and exit 1, so the list to work through is
/// at hand; a value XML cannot carry is named on stderr, exit 1; an invalid case exits 2. No
/// timestamp: the same case gives the same file.
pub fn xml_output(case_text: &str) -> CliOutput {
    let case = match parse_case(case_text) {
        Ok(case) => case,
        Err(error) => return CliOutput::invalid(error),
    };
    let result = KdwResult::of(&case);
    let Some(checked) = &result.export else {
        return CliOutput::json(&result, EXIT_ERRORS);
    };
    match to_xml(checked, None) {
        Ok(xml) => CliOutput {
            stdout: xml,
            stderr: String::new(),
            exit_code: 0,
        },
        Err(refused) => CliOutput {
            stdout: String::new(),
            stderr: refused.iter().map(|r| format!("{r}\n")).collect(),
            exit_code: EXIT_ERRORS,
        },
    }
}

#[cfg(test)]
mod tests;
