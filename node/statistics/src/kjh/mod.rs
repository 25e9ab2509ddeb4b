//! The federal statistic of children and staff in day-care facilities, Statistik der Kinder- und
//! Jugendhilfe Teil III.1 (§§ 98–103 SGB VIII), one facility on the Stichtag 1 March.
//!
//! Annex L of seed 004 (`shared/seeds/004_081961f81841d5b5.txt`, L30367–33651) is the 2012
//! questionnaire (sections A–H, L30367–32887) and its Erläuterungen (L32889–33651). [`count`]
//! applies the Erläuterungen's inclusion rules to plain input structs and returns the form's
//! records: the facility sheet (A–F), one line per child (G), one per person of the
//! pedagogical and administrative staff (H 1) and of the domestic and technical staff (H 2),
//! with every child or person left out and every value the rules changed named in words.
//! Whether the facility is in the statistic's scope at all is reported, not decided: the
//! statistical offices decide that (L32906–32924). [`parse_case`] reads the case format
//! `kitanetz-kjh-case/1` and [`case_output`] prints `kitanetz-kjh-result/1` (both documented in
//! `node/statistics/KJH_CASE.md`). `L…` are lines of seed 004.
//!
//! Hours are `rust_decimal`, clock times whole minutes; no floats.

mod case;
mod count;
mod opening;
mod report;

pub use case::{parse_case, refusal};
pub use count::{count, effective_reference_date, WITHOUT_FIXED_GROUPS};
pub use opening::{closing_answer, opening_answer, TimeAnswer};
pub use report::{
    ChildRecord, DomesticStaffRecord, Exclusion, ExclusionReason, FacilityRecord, KjhError,
    KjhReport, Note, ScopeFinding, StaffRecord, WorkAreaRecord,
};

use crate::ids::{ChildId, GroupId, StaffId};
use crate::period::Period;
use crate::CliOutput;
use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Serialize, Serializer};
use std::fmt;

pub use crate::kdw::Sex;

/// The case format this module reads (`node/statistics/KJH_CASE.md`).
pub const CASE_FORMAT: &str = "kitanetz-kjh-case/1";
/// The result format it writes.
pub const RESULT_FORMAT: &str = "kitanetz-kjh-result/1";

/// `kitanetz statistics kjh --case FILE.json`: the form on stdout and exit 0, or on stderr one
/// line per refusal, each naming its field, and exit 2 for a case that is invalid or that the
/// count cannot work with.
pub fn case_output(case_text: &str) -> CliOutput {
    let input = match parse_case(case_text) {
        Ok(input) => input,
        Err(error) => return CliOutput::invalid(error),
    };
    match count(&input) {
        Ok(report) => CliOutput::json(
            &ResultDocument {
                format: RESULT_FORMAT,
                report: &report,
            },
            0,
        ),
        Err(errors) => CliOutput::invalid_each(errors.iter().map(|e| refusal(&input, e))),
    }
}

/// `kitanetz-kjh-result/1`: the report under its format name.
#[derive(Serialize)]
struct ResultDocument<'a> {
    format: &'static str,
    #[serde(flatten)]
    report: &'a KjhReport,
}

/// Everything the count needs for one facility.
#[derive(Debug, Clone, PartialEq)]
pub struct KjhInput {
    /// The Stichtag, 1 March ("Stichtag: 1. März 2012", L30383; "zum Stichtag 1. März", L30610).
    /// Moved back when the facility is closed on it (L30410–30412, [`Facility::closures`]).
    pub reference_date: NaiveDate,
    pub facility: Facility,
    /// The facility's groups; empty or ignored without a fixed group structure.
    pub groups: Vec<Group>,
    pub children: Vec<Child>,
    pub staff: Vec<StaffMember>,
}

/// The facility sheet's input (A–F, L30437–30909).
#[derive(Debug, Clone, PartialEq)]
pub struct Facility {
    /// A "Art des Trägers" (L30437–30566).
    pub traeger_art: TraegerArt,
    /// B "Rechtsform des Trägers" (L30679–30801).
    pub rechtsform: Rechtsform,
    /// D "Genehmigte Plätze gemäß Betriebserlaubnis", not the occupied ones (L30820–30823,
    /// L33213–33215).
    pub approved_places: u32,
    /// Of those, the places meant for children of the operator's employees (C question 3,
    /// L33205–33207).
    pub places_for_employees_children: u32,
    /// Organised by parents themselves under § 5 SGB VIII (C question 4, L33208–33211).
    pub parent_initiative: bool,
    /// `false`: "Einrichtung ohne feste Gruppenstruktur" (E 2, L30839–30840, L33221–33223).
    pub fixed_groups: bool,
    /// Opening hours of the facility; groups may have their own ([`Group::opening_hours`]).
    pub opening_hours: WeekHours,
    /// Temporary closures (not the ordinary weekly closing days), each inclusive.
    pub closures: Vec<Period>,
}

/// A group (Betreuungsgruppe) of a facility with a fixed group structure.
#[derive(Debug, Clone, PartialEq)]
pub struct Group {
    pub id: GroupId,
    /// When the group keeps other hours than the facility (L33194–33197); `None` = the
    /// facility's.
    pub opening_hours: Option<WeekHours>,
}

/// A child of the facility with its care contracts.
#[derive(Debug, Clone, PartialEq)]
pub struct Child {
    pub id: ChildId,
    pub sex: Sex,
    pub birth_date: NaiveDate,
    /// The child's contracts with this facility; the one running on the Stichtag counts.
    pub contracts: Vec<CareContract>,
    /// "Besucht das Kind bereits die Schule" (L33333–33335).
    pub in_school: bool,
    /// Mother, father and partners of a parent, for the foreign-origin question (L33336–33340).
    pub parents: Vec<ParentFigure>,
    /// The family mainly speaks a language other than German (L33351).
    pub non_german_family_language: bool,
    /// Integration aid (Eingliederungshilfe) received in the facility (L33352–33386).
    pub integration_aid: Vec<IntegrationAid>,
}

/// A care contract (Betreuungsvertrag) of a child.
#[derive(Debug, Clone, PartialEq)]
pub struct CareContract {
    pub term: Period,
    /// The group the child is cared for in; `None` only without a fixed group structure.
    pub group: Option<GroupId>,
    /// "vertraglich vereinbarte Stundenumfang pro Woche" (L33307–33308), ≥ 0.
    pub weekly_hours: Decimal,
    /// "Zahl der Tage pro Woche, an denen die Betreuung stattfindet" (L33308–33309), 0–7.
    pub days_per_week: u32,
    /// Care also on Saturday and/or Sunday, as contracted (L33309–33311).
    pub weekend_care: bool,
    /// Cared for mornings and afternoons, away over midday, by contract or because the facility
    /// closes then (L33311–33316).
    pub midday_break: bool,
    /// Days per week with a lunch the facility offers or organises; brought food does not count
    /// (L33328–33330).
    pub lunch_days_per_week: u32,
}

/// Who a parent figure is for the child.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParentRole {
    Mother,
    Father,
    /// A new partner of the parent the child lives with (L33339–33340).
    PartnerOfParent,
}

/// One parent figure: where they come from, not their citizenship (L33337).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ParentFigure {
    pub role: ParentRole,
    pub lives_with_child: bool,
    /// Came to Germany from abroad ("aus dem Ausland stammen", L33336–33337), whatever the
    /// citizenship now.
    pub from_abroad: bool,
}

/// The reason for integration aid (L33352–33370).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Disability {
    Physical,
    Mental,
    /// Drohende oder seelische Behinderung, also a developmental delay (L33363–33370).
    Emotional,
}

/// Integration aid for one reason.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IntegrationAid {
    pub disability: Disability,
    /// An official decision (Bescheid) or expert opinion (Gutachten) is there (L33376,
    /// L33383–33386); the facility's own assessment is not enough.
    pub official_decision: bool,
}

/// A person working in the facility.
#[derive(Debug, Clone, PartialEq)]
pub struct StaffMember {
    pub id: StaffId,
    pub sex: Sex,
    pub birth_date: NaiveDate,
    /// The employment (Arbeitsverhältnis) or other contract, inclusive.
    pub contract: Period,
    pub basis: EmploymentBasis,
    /// Parental leave, release phase of partial retirement, long-term illness.
    pub absences: Vec<Absence>,
    /// Contracted weekly hours in this facility (L33430); `None` for a fee contract that names
    /// none.
    pub weekly_hours: Option<Decimal>,
    /// Hours actually worked, weekly average: used when the contract names none (L33467–33469).
    pub actual_weekly_hours: Option<Decimal>,
    pub role: StaffRole,
}

/// On what basis a person works in the facility (L33389–33397, L33464–33467).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EmploymentBasis {
    /// An employment, also fixed-term, a job-creation measure (ABM) or a temporary-agency worker
    /// (L33389–33393).
    Employment,
    /// Marginal employment, e.g. a fee contract (Honorarvertrag), a 400-euro job (L33464–33467,
    /// L33516–33517). Counted when the contract runs at least three months in a row, on both
    /// sheets (the rule stands under H 1, L33464; H 2 names 400-euro staff without repeating
    /// it, L33516–33517).
    Marginal,
    /// § 16 Abs. 3 SGB II, "1-Euro-Job" (L33394–33395).
    OneEuroJob,
    /// Ehrenamtlich (L33396).
    Volunteer,
}

/// A kind of absence that keeps a person out of the statistic (L33396–33397).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AbsenceKind {
    ParentalLeave,
    /// Freistellungsphase der Altersteilzeit.
    PartialRetirementRelease,
    LongTermIllness,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Absence {
    pub kind: AbsenceKind,
    pub period: Period,
}

/// Which sheet a person goes on.
#[derive(Debug, Clone, PartialEq)]
pub enum StaffRole {
    /// H 1: pedagogical and administrative staff (L33404–33411).
    Pedagogical {
        position: Position,
        training_key: TrainingKey,
        /// At least one (L33413–33415).
        work_areas: Vec<WorkAreaHours>,
    },
    /// H 2: domestic and technical staff, e.g. caretaker, kitchen, cleaning (L33512–33521).
    DomesticTechnical {
        /// Staff of an outside firm is not reported (L33518–33519).
        external_firm: bool,
    },
}

/// Hours in one work area; the group for Gruppenleitung and Zweitkraft (L33420–33423).
#[derive(Debug, Clone, PartialEq)]
pub struct WorkAreaHours {
    pub area: WorkArea,
    pub weekly_hours: Decimal,
    pub group: Option<GroupId>,
}

/// Schlüssel B: höchster Berufsausbildungsabschluss, 01–37 (L31449–31629).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct TrainingKey(u8);

impl TrainingKey {
    /// The keys of the form: 01 to 37.
    pub fn new(key: u8) -> Option<TrainingKey> {
        (1..=37).contains(&key).then_some(TrainingKey(key))
    }

    pub fn value(self) -> u8 {
        self.0
    }
}

impl fmt::Display for TrainingKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:02}", self.0)
    }
}

impl Serialize for TrainingKey {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

/// A time of day in whole minutes since midnight, `00:00`–`24:00`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ClockTime(u16);

impl ClockTime {
    pub const MIDNIGHT_END: ClockTime = ClockTime(24 * 60);

    pub fn new(hours: u16, minutes: u16) -> Option<ClockTime> {
        let time = hours.checked_mul(60)?.checked_add(minutes)?;
        (minutes < 60 && time <= 24 * 60).then_some(ClockTime(time))
    }

    /// `"07:30"`.
    pub fn parse(text: &str) -> Option<ClockTime> {
        let (h, m) = text.split_once(':')?;
        if h.len() != 2 || m.len() != 2 {
            return None;
        }
        ClockTime::new(h.parse().ok()?, m.parse().ok()?)
    }

    pub fn minutes(self) -> u16 {
        self.0
    }
}

impl fmt::Display for ClockTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:02}:{:02}", self.0 / 60, self.0 % 60)
    }
}

impl Serialize for ClockTime {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

/// An opening span of one day, `from < to`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Span {
    from: ClockTime,
    to: ClockTime,
}

impl Span {
    /// `None` unless `from < to`.
    pub fn new(from: ClockTime, to: ClockTime) -> Option<Span> {
        (from < to).then_some(Span { from, to })
    }

    pub fn from(self) -> ClockTime {
        self.from
    }

    pub fn to(self) -> ClockTime {
        self.to
    }
}

/// Opening spans per day of the week, Monday first; a midday closure is two spans.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct WeekHours {
    pub days: [Vec<Span>; 7],
}

impl WeekHours {
    /// The same spans Monday to Friday.
    pub fn weekdays(spans: &[Span]) -> WeekHours {
        let mut hours = WeekHours::default();
        hours.days[..5].iter_mut().for_each(|d| *d = spans.to_vec());
        hours
    }
}

macro_rules! coded_enum {
    ($(#[$doc:meta])* $name:ident { $($(#[$vdoc:meta])* $variant:ident = $code:literal,)* }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum $name { $($(#[$vdoc])* $variant,)* }

        impl $name {
            /// Every key, in the form's order.
            pub const ALL: &'static [$name] = &[$($name::$variant,)*];

            /// The key written on the form.
            pub fn code(self) -> &'static str {
                match self { $($name::$variant => $code,)* }
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.code())
            }
        }
    };
}

coded_enum! {
    /// A "Art des Trägers der Einrichtung", one answer (L30437–30566; the codes are read off the
    /// form's layout).
    TraegerArt {
        /// 1.1 Jugendamt (örtlicher Träger).
        Jugendamt = "01",
        /// 1.2 Landesjugendamt (überörtlicher Träger).
        Landesjugendamt = "02",
        /// 1.3 Oberste Landesjugendbehörde (Ministerium).
        ObersteLandesjugendbehoerde = "03",
        /// 1.4 Gemeinde oder Gemeindeverband ohne eigenes Jugendamt.
        GemeindeOhneJugendamt = "04",
        /// 2.1 Arbeiterwohlfahrt.
        Arbeiterwohlfahrt = "05",
        /// 2.2 Deutscher Paritätischer Wohlfahrtsverband.
        Paritaetischer = "06",
        /// 2.3 Deutsches Rotes Kreuz.
        RotesKreuz = "07",
        /// 2.4 Diakonisches Werk or other EKD bodies.
        Diakonie = "08",
        /// 2.5 Deutscher Caritasverband or other catholic bodies.
        Caritas = "09",
        /// 2.6 Zentralwohlfahrtsstelle der Juden in Deutschland or a Jewish community.
        JuedischeWohlfahrt = "10",
        /// 2.7 Other religious communities under public law.
        SonstigeReligionsgemeinschaft = "11",
        /// 2.8 Jugendgruppe, Jugendverband, Jugendring (recognised under § 75 SGB VIII, L32930).
        Jugendverband = "12",
        /// 2.9 Other legal person or association, e.g. a parent initiative in no association
        /// (L32932–32935).
        SonstigeJuristischePerson = "13",
        /// 3.1 Wirtschaftsunternehmen: part of a company (L32948–32950).
        Betriebsteil = "14",
        /// 3.2 Wirtschaftsunternehmen: privat-gewerblich (L32958–32960).
        PrivatGewerblich = "15",
    }
}

coded_enum! {
    /// B "Rechtsform des Trägers", one answer (L30679–30801, Erläuterungen L32986–33283).
    Rechtsform {
        NatuerlichePerson = "01",
        GemeinnuetzigerVerein = "02",
        NichtGemeinnuetzigerVerein = "03",
        /// Also a gGmbH in formation (L33013–33014, L33157–33160).
        GemeinnuetzigeGmbh = "04",
        Genossenschaft = "05",
        /// Private, public and church foundations (L33258–33259).
        Stiftung = "06",
        /// Eigenbetrieb einer Gebietskörperschaft (L33260–33261).
        Eigenbetrieb = "07",
        /// E.g. GbR, OHG, KG.
        AnderePersonengesellschaft = "08",
        /// E.g. AG, GmbH.
        AndereJuristischePersonPrivatrecht = "09",
        /// E.g. Gebietskörperschaft, Zweckverband, Kirchengemeinde.
        AndereJuristischePersonOeffentlichesRecht = "10",
        AuslaendischeRechtsform = "11",
    }
}

coded_enum! {
    /// "Stellung im Beruf", one answer per person (L31635–31822, "Je Person nur eine Angabe"
    /// L31738); numbered in the form's column order.
    Position {
        /// Angestellte/-r, Arbeiter/-in, Beamter/Beamtin.
        Employee = "1",
        /// Ordens- oder Mutterhausangehörige/-r.
        ReligiousOrder = "2",
        /// Praktikant/-in.
        Intern = "3",
        /// Freiwilliges soziales Jahr / Bundesfreiwilligendienst.
        VoluntaryService = "4",
        /// Sonstige.
        Other = "5",
    }
}

coded_enum! {
    /// Schlüssel A: Arbeitsbereich (L31418–31447).
    WorkArea {
        Gruppenleitung = "1",
        /// Zweit- bzw. Ergänzungskraft, also Hilfskräfte (L33424–33427).
        Zweitkraft = "2",
        /// Förderung von Kindern nach SGB VIII/XII (Eingliederungshilfe).
        Foerderung = "3",
        /// Also when only partly released for the role (L33428–33429).
        Einrichtungsleitung = "4",
        Verwaltung = "5",
        Gruppenuebergreifend = "9",
    }
}

impl WorkArea {
    /// "tätig in Gruppe Nr. (nur wenn Schlüssel A „1“ oder „2“ ist)" (L31802–31805,
    /// L33420–33423).
    pub fn names_group(self) -> bool {
        matches!(self, WorkArea::Gruppenleitung | WorkArea::Zweitkraft)
    }
}

#[cfg(test)]
mod tests;
