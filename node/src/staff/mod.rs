//! The Träger's staff (Betreuungspersonal, Lastenheft 3.7.2) and the staffing ratio
//! (Personalschlüssel, SächsKitaG § 12, annex F): the need (Soll) from the children under
//! contract against the staff assigned (Ist), month by month with the year's averages and the
//! months ahead as a forecast (3.7.2.6).
//!
//! Staff are kept centrally by the Träger's admin on the Träger's node ("zentral … verwaltet",
//! 3.7.2.1), one `staff-member` document per person (personal data, erasable whole); it reaches
//! the Kitas the person works at, so a Kita lead sees her Kita's balance offline too.
//!
//! The children of a month are those under contract on its first day. Their staffing group
//! follows § 12 (2) S. 3: on a Krippe or Kindergarten place under three completed years the
//! Krippe key, from three the Kindergarten key; Hort places the Hort key; an integration need the
//! integration key. A heilpädagogischer place counts with annex F's key 1 : 4.5; a Förderhort
//! place with the Hort integration key (the GTB categories are not recorded on contracts).

pub mod http;
pub mod statistics;

use crate::action::ActionError;
use crate::auth::{authorize, Action, Principal};
use crate::clock::Now;
use crate::storage::{AuditEntry, Store, StoreError};
use chrono::NaiveDate;
use kitanetz_crdt::doc::StoredDoc;
use kitanetz_crdt::ids::{
    doc_id_for, provider_org, FacilityId, ProviderId, StaffAbsenceId, StaffAssignmentId, StaffId,
};
use kitanetz_crdt::kinds::staff::{Qualification, ABSENCE_REASONS, QUALIFICATIONS};
use kitanetz_crdt::kinds::{StaffAbsence, StaffAssignment, StaffMember, StaffRole};
use kitanetz_crdt::meta::{DocKind, DocMeta};
use kitanetz_crdt::period::Period;
use kitanetz_crdt::policy::NodeRole;
use kitanetz_crdt::scalar::{Date, Dec};
use kitanetz_crdt::validate::Validator;
use kitanetz_crdt::DocId;
use kitanetz_occupancy as occ;
use kitanetz_staffing as st;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

pub fn staff_doc_id(id: &StaffId) -> DocId {
    doc_id_for("staff", &id.0)
}

/// Checks `who` keeps the Träger's staff, on the Träger's node; the Träger.
fn authorize_manage(store: &Store, who: &Principal) -> Result<ProviderId, ActionError> {
    let membership = store.membership();
    authorize(
        who,
        Action::ManageStaff {
            provider: membership.provider.as_ref(),
        },
    )?;
    match (membership.role, membership.provider.clone()) {
        (NodeRole::Traeger, Some(provider)) => Ok(provider),
        _ => Err(ActionError::NotFound(
            "Personal wird auf dem Knoten des Trägers verwaltet / staff are kept on the Träger's node"
                .into(),
        )),
    }
}

/// One person as the list shows them.
#[derive(Debug, Clone, Serialize)]
pub struct StaffRow {
    pub id: String,
    pub name: String,
    pub birth_date: Option<Date>,
    pub qualification: String,
    pub counts_towards_key: bool,
    /// "Kita Sonnenschein: Fachkraft, 30 h/Woche, 01.08.2026–" per assignment.
    pub assignments: Vec<String>,
    /// Assignments without an end, or ending later than today: (id, text), for "end".
    pub open_assignments: Vec<(String, String)>,
    pub absences: Vec<String>,
    /// The Kita-Data-Webhouse data entered, in words ("" when none).
    pub statistics: String,
}

fn german(d: Date) -> String {
    d.0.format("%d.%m.%Y").to_string()
}

fn period_text(p: &Period) -> String {
    format!(
        "{}–{}",
        german(p.start()),
        p.end().map(german).unwrap_or_default()
    )
}

fn role_label(role: StaffRole) -> &'static str {
    match role {
        StaffRole::Educator => "Betreuung",
        StaffRole::Leadership => "Leitung",
    }
}

/// The staff `who` sees here: the Träger's admin all of the Träger's, a Kita lead those
/// assigned to her Kita (3.7.2.4: "das der Einrichtung zugeordnete Betreuungspersonal"), by name.
pub fn list(store: &Store, who: &Principal, today: Date) -> Result<Vec<StaffRow>, ActionError> {
    let visible = crate::occupancy::visible_facilities(store, who)?;
    let names = crate::facilities::names(store)?;
    let text = |a: &StaffAssignment| {
        format!(
            "{}: {}, {} h/Woche, {}",
            names
                .get(&a.facility.0)
                .cloned()
                .unwrap_or(a.facility.0.clone()),
            role_label(a.role),
            a.weekly_hours.0.normalize(),
            period_text(&a.period)
        )
    };
    let mut rows: Vec<StaffRow> = store
        .values_of_kind::<StaffMember>()?
        .into_iter()
        .filter(|m| m.facilities().iter().any(|f| visible.contains(f)))
        .map(|m| StaffRow {
            id: m.id.0.clone(),
            name: format!("{}, {}", m.family_name, m.given_name),
            birth_date: m.birth_date,
            qualification: Qualification::of(&m.qualification)
                .map_or(m.qualification.clone(), |q| q.label.to_string()),
            counts_towards_key: m.counts_towards_key(),
            assignments: m.assignments.iter().map(text).collect(),
            open_assignments: m
                .assignments
                .iter()
                .filter(|a| a.period.end().is_none_or(|e| e > today))
                .map(|a| (a.id.0.clone(), text(a)))
                .collect(),
            absences: m
                .absences
                .iter()
                .map(|a| {
                    let label = ABSENCE_REASONS
                        .iter()
                        .find(|(c, _)| *c == a.reason)
                        .map_or(a.reason.as_str(), |(_, l)| l);
                    format!("{label}: {}", period_text(&a.period))
                })
                .collect(),
            statistics: statistics::summary(&m.statistics),
        })
        .collect();
    rows.sort_by(|a, b| (&a.name, &a.id).cmp(&(&b.name, &b.id)));
    Ok(rows)
}

/// A person and their first assignment, as typed.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct StaffInput {
    pub given_name: String,
    pub family_name: String,
    /// YYYY-MM-DD, optional.
    pub birth_date: String,
    /// A code of `QUALIFICATIONS`.
    pub qualification: String,
    #[serde(flatten)]
    pub assignment: AssignmentInput,
}

/// An assignment as typed: the Kita, the role, from (to), weekly hours.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct AssignmentInput {
    pub facility: String,
    /// `educator` or `leadership`.
    pub role: String,
    pub from: String,
    pub until: String,
    pub weekly_hours: String,
}

impl AssignmentInput {
    fn parse(
        &self,
        v: &mut Validator,
        facilities: &[FacilityId],
    ) -> Option<(FacilityId, StaffRole, Period, Decimal)> {
        let facility = facilities
            .iter()
            .find(|f| f.0 == self.facility.trim())
            .cloned();
        v.check(
            facility.is_some(),
            "facility",
            "eine Kita des Trägers wählen / choose a Kita of the Träger",
        );
        let role = StaffRole::parse(self.role.trim());
        v.check(
            role.is_some(),
            "role",
            "Betreuung oder Leitung wählen / choose educator or leadership",
        );
        let from = v.date("from", &self.from);
        let until = if self.until.trim().is_empty() {
            None
        } else {
            v.date("until", &self.until)
        };
        let period = from.and_then(|f| {
            let p = Period::new(f, until).ok();
            v.check(p.is_some(), "until", "Ende vor Beginn / end before start");
            p
        });
        let hours = self
            .weekly_hours
            .trim()
            .replace(',', ".")
            .parse::<Decimal>()
            .ok();
        v.check(
            hours.is_some(),
            "weekly_hours",
            "Wochenstunden als Zahl, z. B. 30 oder 32,5 / weekly hours as a number",
        );
        Some((facility?, role?, period?, hours?))
    }
}

fn provider_facilities(
    store: &Store,
    provider: &ProviderId,
) -> Result<Vec<FacilityId>, StoreError> {
    Ok(crate::facilities::of_provider(store, provider)?
        .into_iter()
        .map(|(id, _)| FacilityId(id))
        .collect())
}

/// Adds a person to the Träger's staff with a first assignment. The same person twice (name
/// and birth date) is refused (3.7.2.3: "Die Doppel-Erfassung … soll geprüft und verhindert
/// werden").
pub fn create(
    store: &mut Store,
    who: &Principal,
    input: &StaffInput,
    now: Now,
) -> Result<StaffMember, ActionError> {
    let provider = authorize_manage(store, who)?;
    let facilities = provider_facilities(store, &provider)?;
    let mut v = Validator::new();
    let birth_date = if input.birth_date.trim().is_empty() {
        None
    } else {
        v.date("birth_date", &input.birth_date)
    };
    let parsed = input.assignment.parse(&mut v, &facilities);
    let (given, family) = (input.given_name.trim(), input.family_name.trim());
    let twice = store.values_of_kind::<StaffMember>()?.into_iter().any(|m| {
        m.provider == provider
            && m.given_name.trim().eq_ignore_ascii_case(given)
            && m.family_name.trim().eq_ignore_ascii_case(family)
            && m.birth_date == birth_date
    });
    v.check(
        !twice,
        "family_name",
        "Diese Person ist schon erfasst / this person is recorded already",
    );
    v.finish()?;
    let (facility, role, period, hours) = parsed.expect("checked");
    let mut ids = crate::contracts::os_ids();
    let member = StaffMember {
        id: StaffId::generate(&mut ids),
        provider: provider.clone(),
        given_name: given.to_string(),
        family_name: family.to_string(),
        birth_date,
        qualification: input.qualification.trim().to_string(),
        assignments: vec![StaffAssignment {
            id: StaffAssignmentId::generate(&mut ids),
            facility,
            role,
            period,
            weekly_hours: Dec(hours),
        }],
        absences: vec![],
        statistics: Default::default(),
    };
    member.validate()?;
    let meta = DocMeta {
        kind: DocKind::StaffMember,
        schema: DocKind::StaffMember.schema_version(),
        owner: provider_org(&provider),
        provider: Some(provider),
        facilities: member.facilities(),
        origin_node: store.node_name().to_string(),
        created_on: now.today,
    };
    let mut doc = StoredDoc::create(
        staff_doc_id(&member.id),
        meta,
        &member,
        store.actor(),
        now.today,
        now.millis,
    )
    .map_err(StoreError::from)?;
    store.save_doc(
        &mut doc,
        &AuditEntry {
            at: now.millis,
            actor: who.audit_name(),
            action: "staff.create",
            target: Some(member.id.0.clone()),
            subjects: vec![member.id.0.clone()],
            valid_from: None,
        },
    )?;
    Ok(member)
}

/// The person `id` of the Träger, for a change.
fn load(
    store: &Store,
    provider: &ProviderId,
    id: &str,
) -> Result<(StoredDoc, StaffMember), ActionError> {
    let id: StaffId = id
        .parse()
        .map_err(|_| ActionError::NotFound(id.to_string()))?;
    match store.find::<StaffMember>(&staff_doc_id(&id))? {
        Some((doc, m)) if &m.provider == provider => Ok((doc, m)),
        _ => {
            let mut v = Validator::new();
            v.fail("staff", "unbekannte Person / unknown person");
            Err(ActionError::Invalid(v.finish().expect_err("one failure")))
        }
    }
}

/// Saves a changed person; the document follows the person's Kitas.
fn save(
    store: &mut Store,
    who: &Principal,
    mut doc: StoredDoc,
    member: &StaffMember,
    action: &'static str,
    now: Now,
) -> Result<(), ActionError> {
    member.validate()?;
    doc.update(member, now.today, now.millis, action)
        .map_err(StoreError::from)?;
    if doc.meta.facilities != member.facilities() {
        let mut meta = doc.meta.clone();
        meta.facilities = member.facilities();
        doc.set_scope(meta, now.millis).map_err(StoreError::from)?;
    }
    store.save_doc(
        &mut doc,
        &AuditEntry {
            at: now.millis,
            actor: who.audit_name(),
            action,
            target: Some(member.id.0.clone()),
            subjects: vec![member.id.0.clone()],
            valid_from: None,
        },
    )?;
    Ok(())
}

/// A further assignment (another Kita, more hours from a date: "mobile Aushilfskräfte",
/// 3.7.2.3; changes of working time with a date, 3.7.2.4).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct NewAssignment {
    pub staff: String,
    #[serde(flatten)]
    pub assignment: AssignmentInput,
}

pub fn add_assignment(
    store: &mut Store,
    who: &Principal,
    input: &NewAssignment,
    now: Now,
) -> Result<StaffMember, ActionError> {
    let provider = authorize_manage(store, who)?;
    let facilities = provider_facilities(store, &provider)?;
    let (doc, mut member) = load(store, &provider, input.staff.trim())?;
    let mut v = Validator::new();
    let parsed = input.assignment.parse(&mut v, &facilities);
    v.finish()?;
    let (facility, role, period, hours) = parsed.expect("checked");
    member.assignments.push(StaffAssignment {
        id: StaffAssignmentId::generate(&mut crate::contracts::os_ids()),
        facility,
        role,
        period,
        weekly_hours: Dec(hours),
    });
    save(store, who, doc, &member, "staff.assign", now)?;
    Ok(member)
}

/// The end of an assignment: the person leaves the Kita (or the role) after `until`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct EndAssignment {
    pub staff: String,
    pub assignment: String,
    /// YYYY-MM-DD: the last day worked there.
    pub until: String,
}

pub fn end_assignment(
    store: &mut Store,
    who: &Principal,
    input: &EndAssignment,
    now: Now,
) -> Result<StaffMember, ActionError> {
    let provider = authorize_manage(store, who)?;
    let (doc, mut member) = load(store, &provider, input.staff.trim())?;
    let mut v = Validator::new();
    let until = v.date("until", &input.until);
    let found = member
        .assignments
        .iter_mut()
        .find(|a| a.id.0 == input.assignment.trim());
    match (found, until) {
        (None, _) => v.fail("assignment", "unbekannter Einsatz / unknown assignment"),
        (Some(a), Some(until)) => {
            let earlier = a.period.end().is_none_or(|e| until <= e);
            v.check(
                until >= a.period.start() && earlier,
                "until",
                format!(
                    "Ende im Einsatz {} / end within the assignment",
                    period_text(&a.period)
                ),
            );
            if until >= a.period.start() && earlier {
                a.period = Period::new(a.period.start(), Some(until)).expect("checked");
            }
        }
        (Some(_), None) => {}
    }
    v.finish()?;
    save(store, who, doc, &member, "staff.end", now)?;
    Ok(member)
}

/// A correction of a person's own data (a misspelt name, a birth date, a qualification
/// gained) and the data the Kita-Data-Webhouse asks ([`statistics::StatisticsInput`]): empty
/// fields keep what is recorded.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct PersonCorrection {
    pub staff: String,
    pub given_name: String,
    pub family_name: String,
    /// YYYY-MM-DD
    pub birth_date: String,
    /// A code of `QUALIFICATIONS`.
    pub qualification: String,
    #[serde(flatten)]
    pub statistics: statistics::StatisticsInput,
}

/// Corrects a person's names, birth date or qualification in place (the assignments and times
/// off stay). A qualification counts for the staffing ratio from the day it is recorded as the
/// document keeps one qualification per person: a change is audited with its day.
pub fn correct_person(
    store: &mut Store,
    who: &Principal,
    input: &PersonCorrection,
    now: Now,
) -> Result<StaffMember, ActionError> {
    let provider = authorize_manage(store, who)?;
    let (doc, mut member) = load(store, &provider, input.staff.trim())?;
    let mut v = Validator::new();
    let keep_or = |new: &str, old: &str| match new.trim() {
        "" => old.to_string(),
        new => new.to_string(),
    };
    member.given_name = keep_or(&input.given_name, &member.given_name);
    member.family_name = keep_or(&input.family_name, &member.family_name);
    member.qualification = keep_or(&input.qualification, &member.qualification);
    if !input.birth_date.trim().is_empty() {
        member.birth_date = v.date("birth_date", &input.birth_date);
    }
    input.statistics.apply(&mut v, &mut member.statistics);
    v.finish()?;
    member.validate()?;
    save(store, who, doc, &member, "staff.correct", now)?;
    Ok(member)
}

/// A time off work that counts nothing (long-term illness, maternity protection, parental
/// leave; 3.7.2.4).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct NewAbsence {
    pub staff: String,
    pub from: String,
    pub until: String,
    /// A code of `ABSENCE_REASONS`.
    pub reason: String,
}

pub fn add_absence(
    store: &mut Store,
    who: &Principal,
    input: &NewAbsence,
    now: Now,
) -> Result<StaffMember, ActionError> {
    let provider = authorize_manage(store, who)?;
    let (doc, mut member) = load(store, &provider, input.staff.trim())?;
    let mut v = Validator::new();
    let from = v.date("from", &input.from);
    let until = if input.until.trim().is_empty() {
        None
    } else {
        v.date("until", &input.until)
    };
    let period = from.and_then(|f| {
        let p = Period::new(f, until).ok();
        v.check(p.is_some(), "until", "Ende vor Beginn / end before start");
        p
    });
    v.finish()?;
    member.absences.push(StaffAbsence {
        id: StaffAbsenceId::generate(&mut crate::contracts::os_ids()),
        period: period.expect("checked"),
        reason: input.reason.trim().to_string(),
    });
    save(store, who, doc, &member, "staff.absence", now)?;
    Ok(member)
}

/// The codes and labels a form offers.
pub fn qualification_options() -> Vec<(&'static str, &'static str)> {
    QUALIFICATIONS.iter().map(|q| (q.code, q.label)).collect()
}

/// One month of the balance as the page shows it (VbE rounded half up to 3 decimals).
#[derive(Debug, Clone, Serialize)]
pub struct MonthRow {
    pub month: String,
    pub forecast: bool,
    pub children: u64,
    pub soll_educator: Decimal,
    pub soll_leadership: Decimal,
    pub soll_total: Decimal,
    pub ist_total: Decimal,
    /// Ist − Soll: below zero a need (Personalbedarf), above an excess (Überhang).
    pub difference: Decimal,
    /// Who counted, with their VbE.
    pub staff: Vec<(String, Decimal)>,
}

/// The balance of one Kita and year.
#[derive(Debug, Clone, Serialize)]
pub struct StaffingView {
    pub facility: String,
    pub facility_name: String,
    pub year: i32,
    pub months: Vec<MonthRow>,
    pub average_soll: Decimal,
    pub average_ist: Decimal,
    pub average_difference: Decimal,
    pub months_short: usize,
    pub forecast_months: u32,
}

/// The staffing group of a child on a place of `care_type` on `day` (§ 12 (2) S. 3).
fn staffing_group(
    care_type: occ::CareType,
    integration: bool,
    birth_date: NaiveDate,
    day: NaiveDate,
) -> (st::CareType, Option<st::StaffKey>) {
    let under_three = day < birth_date + chrono::Months::new(36);
    match (care_type, integration) {
        (occ::CareType::Nursery | occ::CareType::Kindergarten, false) if under_three => {
            (st::CareType::Krippe, None)
        }
        (occ::CareType::Nursery | occ::CareType::Kindergarten, true) if under_three => {
            (st::CareType::KrippeIntegration, None)
        }
        (occ::CareType::Nursery | occ::CareType::Kindergarten, false) => {
            (st::CareType::Kindergarten, None)
        }
        (occ::CareType::Nursery | occ::CareType::Kindergarten, true) => {
            (st::CareType::KindergartenIntegration, None)
        }
        (occ::CareType::AfterSchool, false) => (st::CareType::Hort, None),
        (occ::CareType::AfterSchool, true) | (occ::CareType::SupportedAfterSchool, _) => {
            (st::CareType::HortIntegration, None)
        }
        (occ::CareType::Remedial, _) => (
            st::CareType::Heilpaedagogisch,
            st::StaffKey::new(Decimal::ONE, Decimal::new(45, 1)),
        ),
    }
}

/// The children under contract at the Kita on `day`, as the need computation counts them.
fn need_case(book: &occ::FacilityBook, day: NaiveDate) -> st::StaffNeedCase {
    // (staffing group, hours) → (group, its key, children)
    type Rows = BTreeMap<(String, Option<Decimal>), (st::CareType, Option<st::StaffKey>, u32)>;
    let mut rows = Rows::new();
    for contract in &book.contracts {
        let last = match contract.end {
            occ::ContractEnd::Open => None,
            occ::ContractEnd::Fixed { last_day } | occ::ContractEnd::Notice { last_day, .. } => {
                Some(last_day)
            }
        };
        if contract.start > day || last.is_some_and(|l| l < day) {
            continue;
        }
        let Some(line) = contract
            .lines
            .iter()
            .filter(|l| l.valid_from <= day)
            .max_by_key(|l| l.valid_from)
        else {
            continue;
        };
        let (care_type, key) = staffing_group(
            line.kind.care_type,
            line.kind.integration,
            contract.child.birth_date,
            day,
        );
        let hours =
            (!matches!(care_type, st::CareType::Heilpaedagogisch)).then_some(line.daily_hours);
        rows.entry((care_type.name().to_string(), hours))
            .or_insert((care_type, key, 0))
            .2 += 1;
    }
    st::StaffNeedCase {
        children: rows
            .into_iter()
            .enumerate()
            .map(
                |(i, ((_, hours), (care_type, key, count)))| st::ChildrenRow {
                    field: format!("children[{i}]"),
                    care_type,
                    hours,
                    count,
                    key,
                },
            )
            .collect(),
        additional: vec![],
    }
}

fn shown(r: st::Ratio) -> Decimal {
    r.round_half_up(3).unwrap_or_default()
}

/// The Soll/Ist balance of `facility` over the months of `year`.
pub fn staffing(
    store: &Store,
    who: &Principal,
    facility: &FacilityId,
    year: i32,
    today: Date,
) -> Result<StaffingView, ActionError> {
    let visible = crate::occupancy::visible_facilities(store, who)?;
    if !visible.contains(facility) {
        return Err(ActionError::NotFound(facility.0.clone()));
    }
    let invalid = |field: &str, message: String| {
        let mut v = Validator::new();
        v.fail(field, message);
        ActionError::Invalid(v.finish().expect_err("one failure"))
    };
    let (Some(first), Some(last)) = (st::Month::new(year, 1), st::Month::new(year, 12)) else {
        return Err(invalid("year", "kein Jahr / not a year".into()));
    };
    let books = crate::occupancy::books(store, std::slice::from_ref(facility))?;
    let book = books
        .first()
        .ok_or_else(|| ActionError::NotFound(facility.0.clone()))?;
    let cases = first
        .through(last)
        .map(|m| (m, need_case(book, m.first_day())))
        .collect();
    let members: Vec<StaffMember> = store
        .values_of_kind::<StaffMember>()?
        .into_iter()
        .filter(|m| m.assignments.iter().any(|a| &a.facility == facility))
        .collect();
    let span = |p: &Period| st::DaySpan {
        start: p.start().0,
        end: p.end().map(|d| d.0),
    };
    let mut staff = Vec::new();
    let mut names = BTreeMap::new();
    for m in &members {
        names.insert(
            m.id.0.clone(),
            format!("{} {}", m.given_name, m.family_name),
        );
        for a in m.assignments.iter().filter(|a| &a.facility == facility) {
            staff.push(st::StaffAssignment {
                person: m.id.0.clone(),
                facility: facility.0.clone(),
                role: match a.role {
                    StaffRole::Educator => st::StaffRole::Educator,
                    StaffRole::Leadership => st::StaffRole::Leadership,
                },
                counts_towards_key: m.counts_towards_key(),
                period: span(&a.period),
                weekly_hours: a.weekly_hours.0,
                absences: m.absences.iter().map(|x| span(&x.period)).collect(),
            });
        }
    }
    let input = st::BalanceInput {
        facility: facility.0.clone(),
        first_month: first,
        last_month: last,
        cases,
        staff,
        today: today.0,
    };
    let balance = st::balance(&input, &st::RuleBook::annex_f())
        .map_err(|e| invalid("year", format!("Personalschlüssel / staffing ratio: {e}")))?;
    let months = balance
        .months
        .iter()
        .map(|m| MonthRow {
            month: m.month.to_string(),
            forecast: m.forecast,
            children: m.need.lines.iter().map(|l| l.children).sum(),
            soll_educator: shown(m.soll.educator),
            soll_leadership: shown(m.soll.leadership),
            soll_total: shown(m.soll.total),
            ist_total: shown(m.ist.total),
            difference: shown(m.difference.total),
            staff: m
                .staff
                .iter()
                .filter(|s| s.counts_towards_key && s.vbe.is_positive())
                .map(|s| {
                    (
                        names.get(&s.person).cloned().unwrap_or_default(),
                        shown(s.vbe),
                    )
                })
                .collect(),
        })
        .collect();
    let year_balance = balance.years.iter().find(|y| y.year == year);
    let names_of = crate::facilities::names(store)?;
    Ok(StaffingView {
        facility: facility.0.clone(),
        facility_name: names_of.get(&facility.0).cloned().unwrap_or_default(),
        year,
        months,
        average_soll: year_balance.map_or(Decimal::ZERO, |y| shown(y.average_soll)),
        average_ist: year_balance.map_or(Decimal::ZERO, |y| shown(y.average_ist)),
        average_difference: year_balance.map_or(Decimal::ZERO, |y| shown(y.average_difference)),
        months_short: year_balance.map_or(0, |y| y.months_short.len()),
        forecast_months: year_balance.map_or(0, |y| y.forecast_months),
    })
}
