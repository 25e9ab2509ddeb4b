//! Kindertagespflege at the office that keeps the register (Lastenheft 3.5.6, the city's
//! Kindertagespflege team or a BVS-KTP node): the childminders with their permits and proofs
//! watched ahead of time, the children placed with them (reservation, agreement, substitute
//! care) checked against the permit's places, their absences with continued payment, and the
//! monthly running payment.
//!
//! The rules are `kitanetz-tagespflege`'s (pure, versioned, each figure explained); this module
//! reads the documents, asks the rules and records what the office decides. What a childminder
//! is publicly (name, district, places, the permit's period) stays in her
//! `childminder-profile`; the office's file on her is a `childminder-case`, each child a
//! `childminder-placement`. Both are personal and stay on this node.
//!
//! **The amount table is an example.** The seed names the care tiers but no amounts
//! (`AmountTable::example`, flagged on every explanation); a city loads its own table before
//! the payments mean money.

pub mod http;

use crate::action::ActionError;
use crate::auth::{authorize, Action, Principal};
use crate::clock::Now;
use crate::storage::{AuditEntry, Store, StoreError};
use chrono::{Datelike, NaiveDate};
use kitanetz_crdt::doc::StoredDoc;
use kitanetz_crdt::ids::{
    doc_id_for, ApplicationId, CaseEntryId, ChildminderId, ChildminderPlacementId, OrgId,
};
use kitanetz_crdt::kinds::childminder_case::{
    label_of, ABSENCE_KINDS, PLACEMENT_KINDS, PROOF_KINDS,
};
use kitanetz_crdt::kinds::{
    Applicant, Application, ApplicationEvent, CaseAbsence, CasePermit, CaseProof, ChildminderCase,
    ChildminderPlacement, ChildminderProfile,
};
use kitanetz_crdt::meta::{DocKind, DocMeta};
use kitanetz_crdt::period::Period;
use kitanetz_crdt::policy::NodeRole;
use kitanetz_crdt::scalar::{Date, Dec};
use kitanetz_crdt::validate::Validator;
use kitanetz_crdt::DocId;
use kitanetz_tagespflege as tp;
use kitanetz_tagespflege::register::{Subject, Watch};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

pub fn case_doc_id(id: &ChildminderId) -> DocId {
    doc_id_for("childminder-case", &id.0)
}

pub fn placement_doc_id(id: &ChildminderPlacementId) -> DocId {
    doc_id_for("childminder-placement", &id.0)
}

fn profile_doc_id(id: &ChildminderId) -> DocId {
    doc_id_for("childminder", &id.0)
}

/// The register lives on the city node (its Kindertagespflege team) or a BVS-KTP node.
fn keeps_register(store: &Store) -> Result<(), ActionError> {
    match store.membership().role {
        NodeRole::City | NodeRole::Tagespflege => Ok(()),
        _ => Err(ActionError::NotFound(
            "Die Kindertagespflege wird bei der Stadt oder einer BVS-KTP geführt / \
             childminding is kept by the city or a BVS-KTP office"
                .into(),
        )),
    }
}

fn authorize_view(store: &Store, who: &Principal) -> Result<(), ActionError> {
    authorize(who, Action::ViewChildminders)?;
    keeps_register(store)
}

/// The organisation that owns what this office records.
fn authorize_manage(store: &Store, who: &Principal) -> Result<OrgId, ActionError> {
    authorize(who, Action::ManageChildminders)?;
    keeps_register(store)?;
    Ok(store.membership().organisation.clone())
}

/// The versions of the rules in force here. They are the sources' numbers (permit 5 years,
/// renewal 6 months ahead, 5 places, 26 vacation and 10 sick days) and the example amount
/// table; a city's own versions would be read from its settings.
pub struct Rules {
    pub register: Vec<tp::RegisterRules>,
    pub capacity: Vec<tp::CapacityRules>,
    pub absence: Vec<tp::AbsenceRules>,
    pub amounts: Vec<tp::AmountTable>,
}

impl Rules {
    /// The shipped rules, with the city's amount table from `section` when it names one.
    pub fn load(
        data_dir: &std::path::Path,
        section: Option<&crate::config::TagespflegeSection>,
    ) -> Result<Rules, String> {
        let mut rules = Rules::shipped();
        if let Some(path) = section.and_then(|s| s.amount_table.as_ref()) {
            let path = data_dir.join(path);
            let text =
                std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
            let tables = tp::AmountTable::from_json(&text)
                .map_err(|e| format!("{}: {e}", path.display()))?;
            if tables.is_empty() {
                return Err(format!("{}: no table in the file", path.display()));
            }
            rules.amounts = tables;
        }
        Ok(rules)
    }

    pub fn shipped() -> Rules {
        Rules {
            register: vec![tp::RegisterRules::lastenheft()],
            capacity: vec![tp::CapacityRules::lastenheft()],
            absence: vec![tp::AbsenceRules::tpp_agreement()],
            amounts: vec![tp::AmountTable::example()],
        }
    }
}

fn german(d: NaiveDate) -> String {
    d.format("%d.%m.%Y").to_string()
}

fn tp_period(p: &Period) -> tp::Period {
    tp::Period::new(p.start().0, p.end().map(|d| d.0)).expect("a stored period is well formed")
}

fn period_text(p: &tp::Period) -> String {
    match p.end() {
        Some(end) if end == p.start() => german(end),
        Some(end) => format!("{}–{}", german(p.start()), german(end)),
        None => format!("ab {}", german(p.start())),
    }
}

fn proof_kind(code: &str) -> tp::ProofKind {
    match code {
        "first_aid" => tp::ProofKind::FirstAid,
        "health_certificate" => tp::ProofKind::HealthCertificate,
        "police_certificate" => tp::ProofKind::PoliceCertificate,
        "training_hours" => tp::ProofKind::TrainingHours,
        other => tp::ProofKind::Other(other.to_string()),
    }
}

fn proof_code(kind: &tp::ProofKind) -> &str {
    match kind {
        tp::ProofKind::FirstAid => "first_aid",
        tp::ProofKind::HealthCertificate => "health_certificate",
        tp::ProofKind::PoliceCertificate => "police_certificate",
        tp::ProofKind::TrainingHours => "training_hours",
        tp::ProofKind::Other(name) => name,
    }
}

fn subject_label(subject: &Subject) -> &'static str {
    match subject {
        Subject::Permit => "Pflegeerlaubnis",
        Subject::Proof(kind) => label_of(&PROOF_KINDS, proof_code(kind)),
    }
}

fn state_label(state: tp::WatchState) -> &'static str {
    match state {
        tp::WatchState::Expired => "abgelaufen",
        tp::WatchState::Missing => "fehlt",
        tp::WatchState::RenewalDue => "Erneuerung fällig",
        tp::WatchState::NotYetValid => "noch nicht gültig",
        tp::WatchState::Valid => "gültig",
    }
}

/// The register's view of one childminder's file.
fn record_of(id: &ChildminderId, case: Option<&ChildminderCase>) -> tp::ChildminderRecord {
    tp::ChildminderRecord {
        id: tp::ChildminderId(id.0.clone()),
        permits: case
            .map(|c| {
                c.permits
                    .iter()
                    .map(|p| tp::Permit {
                        start: p.start.0,
                        end: p.end.map(|d| d.0),
                        places: p.places,
                    })
                    .collect()
            })
            .unwrap_or_default(),
        proofs: case
            .map(|c| {
                c.proofs
                    .iter()
                    .map(|p| tp::Proof {
                        kind: proof_kind(&p.kind),
                        issued_on: p.issued_on.0,
                        valid_until: p.valid_until.map(|d| d.0),
                    })
                    .collect()
            })
            .unwrap_or_default(),
    }
}

fn occupant(p: &ChildminderPlacement) -> tp::Occupant {
    tp::Occupant {
        child: tp::ChildRef(p.id.0.clone()),
        kind: match (p.kind.as_str(), &p.substitute_for) {
            ("reservation", _) => tp::OccupantKind::Reservation,
            (_, Some(regular)) => tp::OccupantKind::Substitute {
                regular: tp::ChildminderId(regular.0.clone()),
            },
            _ => tp::OccupantKind::Contract,
        },
        period: tp_period(&p.period),
    }
}

/// A line of the watch list as people read it.
#[derive(Debug, Clone, Serialize)]
pub struct WatchLine {
    pub childminder: String,
    pub name: String,
    pub subject: &'static str,
    pub state: &'static str,
    /// Something to do: expired, missing or renewal due.
    pub due: bool,
    pub since: Option<String>,
    /// "Erneuerung fällig ab 01.03.2027" – the next change.
    pub next: Option<String>,
    pub valid_until: Option<String>,
    pub explanation: Vec<String>,
}

fn watch_line(w: &Watch, names: &BTreeMap<String, String>) -> WatchLine {
    WatchLine {
        childminder: w.childminder.0.clone(),
        name: names
            .get(&w.childminder.0)
            .cloned()
            .unwrap_or_else(|| w.childminder.0.clone()),
        subject: subject_label(&w.subject),
        state: state_label(w.state),
        due: matches!(
            w.state,
            tp::WatchState::Expired | tp::WatchState::Missing | tp::WatchState::RenewalDue
        ),
        since: w.since.map(german),
        next: w
            .next
            .map(|p| format!("{} ab {}", state_label(p.state), german(p.from))),
        valid_until: w.valid_until.map(german),
        explanation: w.explanation.iter().map(|e| e.to_string()).collect(),
    }
}

/// Everything the office holds, read once per request.
struct Holdings {
    profiles: Vec<ChildminderProfile>,
    cases: BTreeMap<String, ChildminderCase>,
    placements: Vec<ChildminderPlacement>,
}

impl Holdings {
    fn read(store: &Store) -> Result<Holdings, StoreError> {
        let mut profiles = store.values_of_kind::<ChildminderProfile>()?;
        profiles.sort_by(|a, b| (&a.name, &a.id).cmp(&(&b.name, &b.id)));
        let cases = store
            .values_of_kind::<ChildminderCase>()?
            .into_iter()
            .map(|c| (c.childminder.0.clone(), c))
            .collect();
        Ok(Holdings {
            profiles,
            cases,
            placements: store.values_of_kind::<ChildminderPlacement>()?,
        })
    }

    fn names(&self) -> BTreeMap<String, String> {
        self.profiles
            .iter()
            .map(|p| (p.id.0.clone(), p.name.clone()))
            .collect()
    }

    fn records(&self) -> Vec<tp::ChildminderRecord> {
        self.profiles
            .iter()
            .map(|p| record_of(&p.id, self.cases.get(&p.id.0)))
            .collect()
    }

    fn placements_of<'a>(
        &'a self,
        id: &'a ChildminderId,
    ) -> impl Iterator<Item = &'a ChildminderPlacement> + 'a {
        self.placements.iter().filter(move |p| &p.childminder == id)
    }
}

fn rules_error(e: impl std::fmt::Display) -> ActionError {
    ActionError::Conflict(format!(
        "Die Regeln der Kindertagespflege lassen sich nicht anwenden / the rules cannot be applied: {e}"
    ))
}

/// One childminder in the register list.
#[derive(Debug, Clone, Serialize)]
pub struct RegisterRow {
    pub id: String,
    pub name: String,
    pub district: String,
    /// Places of the permit in force today (0 without one).
    pub places: u32,
    pub permit_until: Option<String>,
    /// Children present today (agreements, reservations, substitute care).
    pub children_today: u32,
    pub free_today: u32,
    /// The most urgent state of the permit and proofs ("abgelaufen", "fehlt", …).
    pub attention: Option<&'static str>,
}

/// The register: every childminder, the watch list (what needs doing first) and the coming
/// permit renewals (3.5.6.3: "Eine Liste aller anstehenden Erlaubniserneuerungen").
#[derive(Debug, Clone, Serialize)]
pub struct RegisterView {
    pub rows: Vec<RegisterRow>,
    pub due: Vec<WatchLine>,
    pub renewals: Vec<WatchLine>,
    pub renewal_window_months: u32,
}

pub fn register(
    store: &Store,
    who: &Principal,
    rules: &Rules,
    today: Date,
    renewal_window_months: u32,
) -> Result<RegisterView, ActionError> {
    authorize_view(store, who)?;
    let held = Holdings::read(store)?;
    let names = held.names();
    let records = held.records();
    let day = today.0;
    let watch = tp::watch_list(&records, day, &rules.register).map_err(rules_error)?;
    let mut rows = Vec::new();
    for (profile, record) in held.profiles.iter().zip(&records) {
        let permits = tp::register::permit_places(record, &rules.register).map_err(rules_error)?;
        let places = permits
            .iter()
            .filter(|p| p.period.contains(day))
            .map(|p| p.places)
            .max()
            .unwrap_or(0);
        let coverage =
            tp::register::permit_coverage(record, &rules.register).map_err(rules_error)?;
        let permit_until = coverage
            .iter()
            .find(|p| p.contains(day) || p.start() > day)
            .and_then(|p| p.end())
            .map(german);
        let children_today = held
            .placements_of(&profile.id)
            .filter(|p| p.period.contains(today))
            .count() as u32;
        let attention = watch
            .iter()
            .filter(|w| w.childminder.0 == profile.id.0)
            .map(|w| w.state)
            .min()
            .filter(|s| *s != tp::WatchState::Valid && *s != tp::WatchState::NotYetValid)
            .map(state_label);
        rows.push(RegisterRow {
            id: profile.id.0.clone(),
            name: profile.name.clone(),
            district: profile.district.clone(),
            places,
            permit_until,
            children_today,
            free_today: places.saturating_sub(children_today),
            attention: if record.permits.is_empty() {
                Some("keine Pflegeerlaubnis erfasst")
            } else {
                attention
            },
        });
    }
    let due = watch
        .iter()
        .map(|w| watch_line(w, &names))
        .filter(|w| w.due)
        .collect();
    let window = tp::Period::closed(
        day,
        tp::period::add_months(day, renewal_window_months as i32),
    )
    .expect("a window ends after it starts");
    let renewals = tp::permit_renewals(&records, day, &window, &rules.register)
        .map_err(rules_error)?
        .iter()
        .map(|w| watch_line(w, &names))
        .collect();
    Ok(RegisterView {
        rows,
        due,
        renewals,
        renewal_window_months,
    })
}

/// A child with the childminder, as the file lists it.
#[derive(Debug, Clone, Serialize)]
pub struct PlacementRow {
    pub id: String,
    pub child: String,
    pub birth_date: String,
    pub kind: &'static str,
    pub is_reservation: bool,
    pub substitute_for: Option<String>,
    pub period: String,
    pub daily_hours: String,
    /// Not ended by today: it can be ended (or, as a reservation, concluded).
    pub open: bool,
}

/// A range with more children than places.
#[derive(Debug, Clone, Serialize)]
pub struct CapacityLine {
    pub period: String,
    pub children: Vec<String>,
    pub places: u32,
}

/// One allowance of the year: vacation, sick or training days and how many are used.
#[derive(Debug, Clone, Serialize)]
pub struct AllowanceLine {
    pub label: &'static str,
    pub days: u32,
    pub used: u32,
    pub explanation: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct AbsenceRow {
    pub kind: &'static str,
    pub period: String,
    pub care_days: u32,
    pub paid: bool,
    pub explanation: String,
}

/// One line of the running payment.
#[derive(Debug, Clone, Serialize)]
pub struct PaymentRow {
    pub child: String,
    pub period: String,
    pub daily_hours: String,
    pub tier_hours: String,
    pub amount: String,
    pub explanation: Vec<String>,
}

/// The running payment of one month.
#[derive(Debug, Clone, Serialize)]
pub struct PaymentView {
    pub month: String,
    pub lines: Vec<PaymentRow>,
    pub subtotal: String,
    pub deduction: Option<(String, String)>,
    pub total: String,
    /// Care without a permit in force: not paid, with the reason.
    pub unpaid: Vec<String>,
    /// The amount table is an example, not a municipal decision.
    pub example_table: bool,
}

/// A childminder's file: profile, permits and proofs with their states, the children, the
/// capacity conflicts, the year's absences and a month's payment.
#[derive(Debug, Clone, Serialize)]
pub struct ChildminderView {
    pub profile: ChildminderProfile,
    pub watch: Vec<WatchLine>,
    pub permits: Vec<String>,
    pub placements: Vec<PlacementRow>,
    pub over_capacity: Vec<CapacityLine>,
    pub year: i32,
    pub allowances: Vec<AllowanceLine>,
    pub absences: Vec<AbsenceRow>,
    pub payment: PaymentView,
}

fn load_profile(store: &Store, id: &str) -> Result<ChildminderProfile, ActionError> {
    let unknown = || ActionError::NotFound(format!("Tagespflegeperson {id}"));
    let id: ChildminderId = id.trim().parse().map_err(|_| unknown())?;
    store
        .find::<ChildminderProfile>(&profile_doc_id(&id))?
        .map(|(_, p)| p)
        .ok_or_else(unknown)
}

fn child_names(placements: &[&ChildminderPlacement]) -> BTreeMap<String, String> {
    placements
        .iter()
        .map(|p| {
            (
                p.id.0.clone(),
                format!("{} {}", p.child_given_name, p.child_family_name),
            )
        })
        .collect()
}

/// The file of childminder `id` with the payment of `month`.
pub fn childminder(
    store: &Store,
    who: &Principal,
    rules: &Rules,
    id: &str,
    month: tp::Month,
    today: Date,
) -> Result<ChildminderView, ActionError> {
    authorize_view(store, who)?;
    let profile = load_profile(store, id)?;
    let held = Holdings::read(store)?;
    let case = held.cases.get(&profile.id.0);
    let record = record_of(&profile.id, case);
    let names = held.names();
    let watch = tp::register::watch(&record, today.0, &rules.register)
        .map_err(rules_error)?
        .iter()
        .map(|w| watch_line(w, &names))
        .collect();
    let permits = record
        .permits
        .iter()
        .map(|p| {
            tp::register::permit_period(&record.id, p, &rules.register)
                .map(|(period, _)| format!("{}: {} Plätze", period_text(&period), p.places))
        })
        .collect::<Result<Vec<_>, _>>()
        .map_err(rules_error)?;
    let mine: Vec<&ChildminderPlacement> = held.placements_of(&profile.id).collect();
    let child = child_names(&mine);
    let name_of = |r: &tp::ChildRef| child.get(&r.0).cloned().unwrap_or_else(|| r.0.clone());
    let mut placements: Vec<PlacementRow> = mine
        .iter()
        .map(|p| PlacementRow {
            id: p.id.0.clone(),
            child: format!("{}, {}", p.child_family_name, p.child_given_name),
            birth_date: german(p.birth_date.0),
            kind: p.label(),
            is_reservation: p.kind == "reservation",
            substitute_for: p
                .substitute_for
                .as_ref()
                .map(|r| names.get(&r.0).cloned().unwrap_or_else(|| r.0.clone())),
            period: period_text(&tp_period(&p.period)),
            daily_hours: p.daily_hours.0.normalize().to_string(),
            open: p.period.end().is_none_or(|e| e >= today),
        })
        .collect();
    placements.sort_by(|a, b| (!a.open, &a.child).cmp(&(!b.open, &b.child)));
    let permit_places =
        tp::register::permit_places(&record, &rules.register).map_err(rules_error)?;
    let occupants: Vec<tp::Occupant> = mine.iter().map(|p| occupant(p)).collect();
    let over_capacity = tp::timeline(&permit_places, &occupants, &rules.capacity)
        .map_err(rules_error)?
        .into_iter()
        // Only more children than places: care beyond the permit's end is the renewal's matter
        // (the watch list) and unpaid until then (the payment says so).
        .filter(|s| s.is_over())
        .map(|s| CapacityLine {
            period: period_text(&s.period),
            children: s.present.iter().map(|o| name_of(&o.child)).collect(),
            places: s.capacity.unwrap_or(0),
        })
        .collect();
    let year = month.year();
    let ledger = absence_ledger(&record, case, year, rules)?;
    let allowances = ledger
        .allowances
        .iter()
        .map(|a| AllowanceLine {
            label: match a.allowance {
                tp::absence::Allowance::Vacation => "Urlaub",
                tp::absence::Allowance::Sick => "Krankheit",
                tp::absence::Allowance::Training => "Fortbildung",
            },
            days: a.days,
            used: a.used,
            explanation: a.explanation.to_string(),
        })
        .collect();
    let absences = ledger
        .lines
        .iter()
        .map(|l| AbsenceRow {
            kind: match l.kind {
                tp::AbsenceKind::Vacation { .. } => "Urlaub",
                tp::AbsenceKind::Sick { .. } => "Krankheit",
                tp::AbsenceKind::Training { .. } => "Fortbildung",
                tp::AbsenceKind::Other => "Sonstige",
            },
            period: period_text(&l.period),
            care_days: l.care_days,
            paid: l.paid,
            explanation: l.explanation.to_string(),
        })
        .collect();
    let payment = payment_of(&record, &mine, month, ledger.month(month), rules, &name_of)?;
    Ok(ChildminderView {
        profile,
        watch,
        permits,
        placements,
        over_capacity,
        year,
        allowances,
        absences,
        payment,
    })
}

fn absence_ledger(
    record: &tp::ChildminderRecord,
    case: Option<&ChildminderCase>,
    year: i32,
    rules: &Rules,
) -> Result<tp::AbsenceLedger, ActionError> {
    let activity = tp::register::permit_coverage(record, &rules.register).map_err(rules_error)?;
    let absences: Vec<tp::Absence> = case
        .map(|c| c.absences.iter().map(absence_of).collect())
        .unwrap_or_default();
    let holidays = tp::holidays::saxony(year);
    tp::ledger(
        &tp::AbsenceYear {
            year,
            activity: &activity,
            absences: &absences,
            holidays: &holidays,
            curriculum: false,
        },
        &rules.absence,
    )
    .map_err(rules_error)
}

fn absence_of(a: &CaseAbsence) -> tp::Absence {
    let met = a.condition_met;
    tp::Absence {
        kind: match a.kind.as_str() {
            "vacation" => tp::AbsenceKind::Vacation { announced: met },
            "sick" => tp::AbsenceKind::Sick { proven: met },
            "training" => tp::AbsenceKind::Training { approved: met },
            _ => tp::AbsenceKind::Other,
        },
        period: tp_period(&a.period),
    }
}

/// The running payment of `month` for the placements that are paid: agreements and substitute
/// care (a reservation is not care yet).
fn payment_of(
    record: &tp::ChildminderRecord,
    placements: &[&ChildminderPlacement],
    month: tp::Month,
    absence: Option<&tp::absence::MonthAbsence>,
    rules: &Rules,
    name_of: &dyn Fn(&tp::ChildRef) -> String,
) -> Result<PaymentView, ActionError> {
    let cares: Vec<tp::CareLine> = placements
        .iter()
        .filter(|p| p.kind != "reservation")
        .map(|p| tp::CareLine {
            child: tp::ChildRef(p.id.0.clone()),
            period: tp_period(&p.period),
            daily_hours: p.daily_hours.0,
        })
        .collect();
    let permits = tp::register::permit_coverage(record, &rules.register).map_err(rules_error)?;
    let paid = tp::monthly_payment(month, &cares, &permits, &rules.amounts, absence)
        .map_err(rules_error)?;
    let example_table =
        tp::explain::in_force(&rules.amounts, |t| t.valid_from, month.period().start())
            .is_some_and(|t| t.example);
    Ok(PaymentView {
        month: format!("{:02}/{}", month.number(), month.year()),
        lines: paid
            .lines
            .iter()
            .map(|l| PaymentRow {
                child: name_of(&l.child),
                period: period_text(&l.period),
                daily_hours: l.daily_hours.normalize().to_string(),
                tier_hours: l.tier_hours.normalize().to_string(),
                amount: l.amount.to_string(),
                explanation: l.explanation.iter().map(|e| e.to_string()).collect(),
            })
            .collect(),
        subtotal: paid.subtotal.to_string(),
        deduction: paid
            .deduction
            .as_ref()
            .map(|d| (d.amount.to_string(), d.explanation.to_string())),
        total: paid.total.to_string(),
        unpaid: paid
            .unpaid_without_permit
            .iter()
            .map(|(child, period, why)| {
                format!("{}: {} ({why})", name_of(child), period_text(period))
            })
            .collect(),
        example_table,
    })
}

/// One line of the month's payment list: a childminder and her total.
#[derive(Debug, Clone, Serialize)]
pub struct PaymentListRow {
    pub id: String,
    pub name: String,
    pub children: usize,
    pub subtotal: String,
    pub deduction: String,
    pub total: String,
}

/// The running payments of every childminder for `month`, with the sum.
#[derive(Debug, Clone, Serialize)]
pub struct PaymentList {
    pub month: String,
    pub rows: Vec<PaymentListRow>,
    pub total: String,
    pub example_table: bool,
}

pub fn payments(
    store: &Store,
    who: &Principal,
    rules: &Rules,
    month: tp::Month,
) -> Result<PaymentList, ActionError> {
    authorize_view(store, who)?;
    let held = Holdings::read(store)?;
    let mut rows = Vec::new();
    let mut sum = tp::Money::ZERO;
    let mut example_table = false;
    for profile in &held.profiles {
        let case = held.cases.get(&profile.id.0);
        let record = record_of(&profile.id, case);
        let mine: Vec<&ChildminderPlacement> = held.placements_of(&profile.id).collect();
        let ledger = absence_ledger(&record, case, month.year(), rules)?;
        let name_of = |r: &tp::ChildRef| r.0.clone();
        let view = payment_of(&record, &mine, month, ledger.month(month), rules, &name_of)?;
        example_table |= view.example_table;
        if view.lines.is_empty() {
            continue;
        }
        let total: Decimal = view.total.parse().expect("a printed amount");
        sum = sum + tp::Money::round(total);
        let mut children: Vec<&str> = view.lines.iter().map(|l| l.child.as_str()).collect();
        children.sort();
        children.dedup();
        rows.push(PaymentListRow {
            id: profile.id.0.clone(),
            name: profile.name.clone(),
            children: children.len(),
            subtotal: view.subtotal,
            deduction: view.deduction.map(|(a, _)| a).unwrap_or_default(),
            total: view.total,
        });
    }
    Ok(PaymentList {
        month: format!("{:02}/{}", month.number(), month.year()),
        rows,
        total: sum.to_string(),
        example_table,
    })
}

// ---- Recording -------------------------------------------------------------------------------

/// A new permit (first permit or renewal) as typed.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct PermitInput {
    pub childminder: String,
    /// YYYY-MM-DD
    pub start: String,
    /// YYYY-MM-DD; empty: the rules' five years.
    pub end: String,
    pub places: String,
}

/// A proof as typed.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct ProofInput {
    pub childminder: String,
    /// One of `PROOF_KINDS`.
    pub kind: String,
    pub issued_on: String,
    /// Empty: the rules' validity.
    pub valid_until: String,
}

/// An absence as typed.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct AbsenceInput {
    pub childminder: String,
    /// One of `ABSENCE_KINDS`.
    pub kind: String,
    pub from: String,
    pub until: String,
    /// Announced in time / proven / approved: the condition of continued payment.
    pub condition_met: bool,
}

/// A child placed with the childminder, as typed.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct PlacementInput {
    pub childminder: String,
    pub child_given_name: String,
    pub child_family_name: String,
    pub birth_date: String,
    /// One of `PLACEMENT_KINDS`.
    pub kind: String,
    /// For substitute care: the regular childminder's id.
    pub substitute_for: String,
    pub start: String,
    /// Empty: open-ended.
    pub end: String,
    pub daily_hours: String,
}

/// A placement to conclude (reservation → agreement) or end.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct PlacementChange {
    pub placement: String,
    /// For an end: the last day of care, YYYY-MM-DD.
    pub until: String,
}

fn audit(who: &Principal, action: &'static str, target: &str, now: Now) -> AuditEntry {
    AuditEntry {
        at: now.millis,
        actor: who.audit_name(),
        action,
        target: Some(target.to_string()),
        subjects: vec![target.to_string()],
        valid_from: None,
    }
}

fn meta(kind: DocKind, owner: OrgId, store: &Store, now: Now) -> DocMeta {
    DocMeta {
        kind,
        schema: kind.schema_version(),
        owner,
        provider: None,
        facilities: vec![],
        origin_node: store.node_name().to_string(),
        created_on: now.today,
    }
}

/// Changes the childminder's file with `change` and saves it (created at this node on the first
/// entry), together with `profile` when the change touches her public listing.
fn change_case(
    store: &mut Store,
    who: &Principal,
    owner: OrgId,
    childminder: &ChildminderId,
    action: &'static str,
    now: Now,
    change: impl FnOnce(&mut ChildminderCase, &mut Validator),
) -> Result<ChildminderCase, ActionError> {
    let id = case_doc_id(childminder);
    let (doc, mut case) = match store.find::<ChildminderCase>(&id)? {
        Some((doc, case)) => (Some(doc), case),
        None => (
            None,
            ChildminderCase {
                childminder: childminder.clone(),
                permits: vec![],
                proofs: vec![],
                absences: vec![],
            },
        ),
    };
    let mut v = Validator::new();
    change(&mut case, &mut v);
    v.finish()?;
    case.validate()?;
    let mut doc = match doc {
        Some(mut doc) => {
            doc.update(&case, now.today, now.millis, action)
                .map_err(StoreError::from)?;
            doc
        }
        None => StoredDoc::create(
            id,
            meta(DocKind::ChildminderCase, owner, store, now),
            &case,
            store.actor(),
            now.today,
            now.millis,
        )
        .map_err(StoreError::from)?,
    };
    store.save_doc(&mut doc, &audit(who, action, &childminder.0, now))?;
    Ok(case)
}

fn new_entry_id() -> CaseEntryId {
    CaseEntryId::generate(&mut crate::contracts::os_ids())
}

fn optional_date(v: &mut Validator, field: &str, value: &str) -> Option<Option<Date>> {
    if value.trim().is_empty() {
        Some(None)
    } else {
        v.date(field, value).map(Some)
    }
}

/// A new childminder as the office registers her: the listing's data and her first permit.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct NewChildminder {
    pub name: String,
    pub street: String,
    pub postcode: String,
    pub city: String,
    pub district: String,
    pub phone: String,
    pub email: String,
    #[serde(flatten)]
    pub permit: PermitInput,
}

/// Registers a childminder: her listing (public, not shown in the parents' search until she
/// asks for it) and her file with the first permit, in one transaction. The same name at the
/// same street is refused (a second registration, not a second person).
pub fn register_childminder(
    store: &mut Store,
    who: &Principal,
    input: &NewChildminder,
    now: Now,
) -> Result<ChildminderProfile, ActionError> {
    let owner = authorize_manage(store, who)?;
    let rules = Rules::shipped();
    let mut v = Validator::new();
    let permit = parse_permit(&mut v, &input.permit);
    let (name, street) = (input.name.trim(), input.street.trim());
    let twice = store
        .values_of_kind::<ChildminderProfile>()?
        .iter()
        .any(|p| {
            p.name.trim().eq_ignore_ascii_case(name)
                && p.address.street.trim().eq_ignore_ascii_case(street)
        });
    v.check(
        !twice,
        "name",
        "Diese Tagespflegeperson ist schon erfasst / this childminder is registered already",
    );
    v.finish()?;
    let (start, end, places) = permit.expect("checked");
    let (period, _) = tp::register::permit_period(
        &tp::ChildminderId(String::new()),
        &tp::Permit {
            start: start.0,
            end: end.map(|d| d.0),
            places,
        },
        &rules.register,
    )
    .map_err(rules_error)?;
    let mut ids = crate::contracts::os_ids();
    let id = ChildminderId::generate(&mut ids);
    let profile = ChildminderProfile {
        id: id.clone(),
        agency: owner.clone(),
        name: name.to_string(),
        address: kitanetz_crdt::kinds::Address {
            street: street.to_string(),
            postcode: input.postcode.trim().to_string(),
            city: input.city.trim().to_string(),
            lat: None,
            lon: None,
        },
        district: input.district.trim().to_string(),
        places,
        permit: Period::new(Date(period.start()), period.end().map(Date))
            .expect("a permit period is ordered"),
        email: input.email.trim().to_string(),
        phone: input.phone.trim().to_string(),
        listed_online: false,
        age_from_months: 0,
        age_to_months: 36,
        opens: String::new(),
        closes: String::new(),
        concept_tags: vec![],
        profile_text: String::new(),
        website: String::new(),
    };
    profile.validate()?;
    let case = ChildminderCase {
        childminder: id.clone(),
        permits: vec![CasePermit {
            id: CaseEntryId::generate(&mut ids),
            start,
            end,
            places,
            recorded_on: now.today,
        }],
        proofs: vec![],
        absences: vec![],
    };
    case.validate()?;
    let mut listing = StoredDoc::create(
        profile_doc_id(&id),
        meta(DocKind::ChildminderProfile, owner.clone(), store, now),
        &profile,
        store.actor(),
        now.today,
        now.millis,
    )
    .map_err(StoreError::from)?;
    let mut file = StoredDoc::create(
        case_doc_id(&id),
        meta(DocKind::ChildminderCase, owner, store, now),
        &case,
        store.actor(),
        now.today,
        now.millis,
    )
    .map_err(StoreError::from)?;
    store.save_docs(
        &mut [&mut listing, &mut file],
        &audit(who, "childminder.register", &id.0, now),
    )?;
    Ok(profile)
}

/// The permit's start, end (if the decision names one) and places.
fn parse_permit(v: &mut Validator, input: &PermitInput) -> Option<(Date, Option<Date>, u32)> {
    let start = v.date("start", &input.start);
    let end = optional_date(v, "end", &input.end);
    let places = input.places.trim().parse::<u32>().ok();
    v.check(
        places.is_some_and(|p| (1..=5).contains(&p)),
        "places",
        "1 bis 5 Plätze / 1 to 5 places",
    );
    if let (Some(start), Some(Some(end))) = (start, end) {
        v.check(end >= start, "end", "Ende vor Beginn / end before start");
    }
    Some((start?, end?, places?))
}

/// Records a permit (the first, or a renewal). The public listing follows: her places and the
/// permit's period are those of the newest permit.
pub fn record_permit(
    store: &mut Store,
    who: &Principal,
    input: &PermitInput,
    now: Now,
) -> Result<ChildminderCase, ActionError> {
    let owner = authorize_manage(store, who)?;
    let profile = load_profile(store, &input.childminder)?;
    let rules = Rules::shipped();
    let mut v = Validator::new();
    let parsed = parse_permit(&mut v, input);
    v.finish()?;
    let (start, end, places) = parsed.expect("checked");
    let permit = CasePermit {
        id: new_entry_id(),
        start,
        end,
        places,
        recorded_on: now.today,
    };
    let case = change_case(
        store,
        who,
        owner.clone(),
        &profile.id,
        "childminder.permit",
        now,
        |case, _| case.permits.push(permit.clone()),
    )?;
    // The listing shows the newest permit, when this office owns it.
    let (period, _) = tp::register::permit_period(
        &tp::ChildminderId(profile.id.0.clone()),
        &tp::Permit {
            start: permit.start.0,
            end: permit.end.map(|d| d.0),
            places: permit.places,
        },
        &rules.register,
    )
    .map_err(rules_error)?;
    if let Some((mut doc, mut listing)) =
        store.find::<ChildminderProfile>(&profile_doc_id(&profile.id))?
    {
        let newest = case.permits.iter().map(|p| p.start).max() == Some(permit.start);
        if doc.meta.owner == owner && newest {
            listing.places = permit.places;
            listing.permit = Period::new(Date(period.start()), period.end().map(Date))
                .expect("a permit period is ordered");
            listing.validate()?;
            doc.update(&listing, now.today, now.millis, "childminder.permit")
                .map_err(StoreError::from)?;
            store.save_doc(
                &mut doc,
                &audit(who, "childminder.profile", &profile.id.0, now),
            )?;
        }
    }
    Ok(case)
}

pub fn record_proof(
    store: &mut Store,
    who: &Principal,
    input: &ProofInput,
    now: Now,
) -> Result<ChildminderCase, ActionError> {
    let owner = authorize_manage(store, who)?;
    let profile = load_profile(store, &input.childminder)?;
    let mut v = Validator::new();
    v.check(
        PROOF_KINDS.iter().any(|(c, _)| *c == input.kind.trim()),
        "kind",
        "einen Nachweis wählen / choose a proof",
    );
    let issued_on = v.date("issued_on", &input.issued_on);
    let valid_until = optional_date(&mut v, "valid_until", &input.valid_until);
    if let Some(issued) = issued_on {
        v.check(
            issued <= now.today,
            "issued_on",
            "Ausstellungstag in der Zukunft / issued in the future",
        );
    }
    v.finish()?;
    let proof = CaseProof {
        id: new_entry_id(),
        kind: input.kind.trim().to_string(),
        issued_on: issued_on.expect("checked"),
        valid_until: valid_until.expect("checked"),
        recorded_on: now.today,
    };
    change_case(
        store,
        who,
        owner,
        &profile.id,
        "childminder.proof",
        now,
        |case, _| case.proofs.push(proof),
    )
}

pub fn record_absence(
    store: &mut Store,
    who: &Principal,
    input: &AbsenceInput,
    now: Now,
) -> Result<ChildminderCase, ActionError> {
    let owner = authorize_manage(store, who)?;
    let profile = load_profile(store, &input.childminder)?;
    let mut v = Validator::new();
    let kind = input.kind.trim();
    v.check(
        ABSENCE_KINDS.iter().any(|(c, _)| *c == kind),
        "kind",
        "eine Art der Abwesenheit wählen / choose a kind of absence",
    );
    let from = v.date("from", &input.from);
    let until = v.date("until", &input.until);
    let period = match (from, until) {
        (Some(from), Some(until)) => {
            let p = Period::new(from, Some(until)).ok();
            v.check(p.is_some(), "until", "Ende vor Beginn / end before start");
            p
        }
        _ => None,
    };
    v.finish()?;
    let period = period.expect("checked");
    let absence = CaseAbsence {
        id: new_entry_id(),
        kind: kind.to_string(),
        condition_met: input.condition_met && kind != "other",
        period,
        recorded_on: now.today,
    };
    change_case(
        store,
        who,
        owner,
        &profile.id,
        "childminder.absence",
        now,
        |case, v| {
            let overlap = case.absences.iter().any(|a| a.period.overlaps(&period));
            v.check(
                !overlap,
                "from",
                "Es ist schon eine Abwesenheit in diesem Zeitraum erfasst / an absence is recorded in this period already",
            );
            case.absences.push(absence);
        },
    )
}

/// Places a child with the childminder after the capacity check: refused when, on any day of
/// the placement, more children than the permit's places would be there (reservations and
/// substitute care count, Lastenheft 3.5.6.2), or when no permit is in force on its first day.
pub fn place_child(
    store: &mut Store,
    who: &Principal,
    input: &PlacementInput,
    now: Now,
) -> Result<ChildminderPlacement, ActionError> {
    let owner = authorize_manage(store, who)?;
    let profile = load_profile(store, &input.childminder)?;
    let mut v = Validator::new();
    let kind = input.kind.trim();
    v.check(
        PLACEMENT_KINDS.iter().any(|(c, _)| *c == kind),
        "kind",
        "Reservierung, Vereinbarung oder Ersatzbetreuung wählen / choose reservation, agreement or substitute care",
    );
    let substitute_for = if kind == "substitute" {
        let regular = load_profile(store, &input.substitute_for).ok();
        v.check(
            regular
                .as_ref()
                .is_some_and(|r| r.id != profile.id),
            "substitute_for",
            "die Tagespflegeperson wählen, die das Kind sonst betreut / choose the regular childminder",
        );
        regular.map(|r| r.id)
    } else {
        None
    };
    let birth_date = v.date("birth_date", &input.birth_date);
    let start = v.date("start", &input.start);
    let end = optional_date(&mut v, "end", &input.end);
    let hours = input
        .daily_hours
        .trim()
        .replace(',', ".")
        .parse::<Decimal>()
        .ok();
    v.check(
        hours.is_some(),
        "daily_hours",
        "Stunden am Tag als Zahl, z. B. 7,5 / daily hours as a number",
    );
    let period = match (start, end) {
        (Some(start), Some(end)) => {
            let p = Period::new(start, end).ok();
            v.check(p.is_some(), "end", "Ende vor Beginn / end before start");
            p
        }
        _ => None,
    };
    v.finish()?;
    let placement = ChildminderPlacement {
        id: ChildminderPlacementId::generate(&mut crate::contracts::os_ids()),
        childminder: profile.id.clone(),
        child_given_name: input.child_given_name.trim().to_string(),
        child_family_name: input.child_family_name.trim().to_string(),
        birth_date: birth_date.expect("checked"),
        kind: kind.to_string(),
        substitute_for,
        period: period.expect("checked"),
        daily_hours: Dec(hours.expect("checked")),
        recorded_on: now.today,
        application: None,
    };
    store_placement(store, who, owner, placement, vec![], now)
}

/// Checks `placement` against the childminder's places and permits and stores it, with
/// `also` (documents the same action changes) in one transaction.
fn store_placement(
    store: &mut Store,
    who: &Principal,
    owner: OrgId,
    placement: ChildminderPlacement,
    mut also: Vec<StoredDoc>,
    now: Now,
) -> Result<ChildminderPlacement, ActionError> {
    placement.validate()?;
    let rules = Rules::shipped();
    let case = store
        .find::<ChildminderCase>(&case_doc_id(&placement.childminder))?
        .map(|(_, c)| c);
    let record = record_of(&placement.childminder, case.as_ref());
    let permits = tp::register::permit_places(&record, &rules.register).map_err(rules_error)?;
    let others: Vec<ChildminderPlacement> = store
        .values_of_kind::<ChildminderPlacement>()?
        .into_iter()
        .filter(|p| p.childminder == placement.childminder)
        .collect();
    let existing: Vec<tp::Occupant> = others.iter().map(occupant).collect();
    let check = tp::check_placement(&permits, &existing, &occupant(&placement), &rules.capacity)
        .map_err(rules_error)?;
    if check.is_refused() {
        let refs: Vec<&ChildminderPlacement> = others.iter().collect();
        let names = child_names(&refs);
        let mut v = Validator::new();
        if check.starts_without_permit() {
            v.fail(
                "start",
                "Am ersten Tag ist keine Pflegeerlaubnis in Kraft / no permit is in force on the first day",
            );
        }
        for s in &check.conflicts {
            let present: Vec<String> = s
                .present
                .iter()
                .filter(|o| o.child.0 != placement.id.0)
                .map(|o| names.get(&o.child.0).cloned().unwrap_or(o.child.0.clone()))
                .collect();
            v.fail(
                "start",
                format!(
                    "{}: schon {} Kinder bei {} Plätzen ({}) / already {} children for {} places",
                    period_text(&s.period),
                    present.len(),
                    s.capacity.unwrap_or(0),
                    present.join(", "),
                    present.len(),
                    s.capacity.unwrap_or(0),
                ),
            );
        }
        return Err(v.finish().expect_err("refused").into());
    }
    let mut doc = StoredDoc::create(
        placement_doc_id(&placement.id),
        meta(DocKind::ChildminderPlacement, owner, store, now),
        &placement,
        store.actor(),
        now.today,
        now.millis,
    )
    .map_err(StoreError::from)?;
    let action = match placement.kind.as_str() {
        "reservation" => "childminder.reserve",
        "substitute" => "childminder.substitute",
        _ => "childminder.place",
    };
    let mut all: Vec<&mut StoredDoc> = vec![&mut doc];
    all.extend(also.iter_mut());
    store.save_docs(&mut all, &audit(who, action, &placement.id.0, now))?;
    Ok(placement)
}

fn load_placement(
    store: &Store,
    id: &str,
) -> Result<(StoredDoc, ChildminderPlacement), ActionError> {
    let unknown = || {
        let mut v = Validator::new();
        v.fail("placement", "unbekannte Betreuung / unknown placement");
        ActionError::Invalid(v.finish().expect_err("one failure"))
    };
    let id: ChildminderPlacementId = id.trim().parse().map_err(|_| unknown())?;
    store
        .find::<ChildminderPlacement>(&placement_doc_id(&id))?
        .ok_or_else(unknown)
}

fn save_placement(
    store: &mut Store,
    who: &Principal,
    mut doc: StoredDoc,
    placement: &ChildminderPlacement,
    action: &'static str,
    now: Now,
) -> Result<(), ActionError> {
    placement.validate()?;
    doc.update(placement, now.today, now.millis, action)
        .map_err(StoreError::from)?;
    store.save_doc(&mut doc, &audit(who, action, &placement.id.0, now))?;
    Ok(())
}

/// An application with a Kindertagespflege wish, as the office's request list shows it
/// (Lastenheft 3.5.6.1: the district's BVS-KTP places the child).
#[derive(Debug, Clone, Serialize)]
pub struct RequestRow {
    pub application: String,
    pub child: String,
    pub birth_date: String,
    pub desired_start: String,
    pub daily_hours: String,
    pub district: String,
    /// The childminder the parents named, if any: (id, name).
    pub wished_childminder: Option<(String, String)>,
    pub note: String,
    /// "2. von 3 Wünschen".
    pub rank: String,
    /// A place reserved or agreed for it already: the childminder's name.
    pub placed_with: Option<String>,
}

/// The active applications with a Kindertagespflege wish that this office places: every
/// district on the city node, its own on a BVS-KTP node. By desired start.
pub fn requests(store: &Store, who: &Principal) -> Result<Vec<RequestRow>, ActionError> {
    authorize_view(store, who)?;
    let membership = store.membership();
    let names: BTreeMap<String, String> = store
        .values_of_kind::<ChildminderProfile>()?
        .into_iter()
        .map(|p| (p.id.0, p.name))
        .collect();
    let placed: BTreeMap<String, String> = store
        .values_of_kind::<ChildminderPlacement>()?
        .into_iter()
        .filter_map(|p| {
            let name = names
                .get(&p.childminder.0)
                .cloned()
                .unwrap_or(p.childminder.0);
            p.application.map(|a| (a.0, name))
        })
        .collect();
    let mut rows = Vec::new();
    for applicant in store.values_of_kind::<Applicant>()? {
        let Some(wish) = &applicant.childminding else {
            continue;
        };
        if membership.role == NodeRole::Tagespflege && wish.agency != membership.organisation {
            continue;
        }
        let Some((_, application)) =
            store.find::<Application>(&crate::seats::application_doc_id(&applicant.application))?
        else {
            continue;
        };
        if application.status != "active" {
            continue;
        }
        rows.push((
            application.desired_start,
            RequestRow {
                application: application.id.0.clone(),
                child: format!(
                    "{}, {}",
                    applicant.child_family_name, applicant.child_given_name
                ),
                birth_date: german(applicant.child_birth_date.0),
                desired_start: german(application.desired_start.0),
                daily_hours: application.daily_hours.0.normalize().to_string(),
                district: wish.district.clone(),
                wished_childminder: wish.childminder.as_ref().map(|c| {
                    (
                        c.0.clone(),
                        names.get(&c.0).cloned().unwrap_or_else(|| c.0.clone()),
                    )
                }),
                note: wish.note.clone(),
                rank: format!("{}. von {}", wish.rank, application.wishes.len() + 1),
                placed_with: placed.get(&application.id.0).cloned(),
            },
        ));
    }
    rows.sort_by(|a, b| (a.0, &a.1.child).cmp(&(b.0, &b.1.child)));
    Ok(rows.into_iter().map(|(_, r)| r).collect())
}

/// A reservation for an application: with which childminder, from when (empty: the desired
/// start).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct ReserveForApplication {
    pub application: String,
    pub childminder: String,
    pub start: String,
}

/// Reserves a place with a childminder for an application's child: the names and birth date
/// from the parents' application, its daily hours, checked against her places like any
/// placement. The parents see it in their application's history.
pub fn reserve_for_application(
    store: &mut Store,
    who: &Principal,
    input: &ReserveForApplication,
    now: Now,
) -> Result<ChildminderPlacement, ActionError> {
    let owner = authorize_manage(store, who)?;
    let unknown = |field: &str, message: &str| {
        let mut v = Validator::new();
        v.fail(field, message);
        ActionError::Invalid(v.finish().expect_err("one failure"))
    };
    let application_id: ApplicationId = input
        .application
        .trim()
        .parse()
        .map_err(|_| unknown("application", "unbekannter Antrag / unknown application"))?;
    let found = store
        .find::<Application>(&crate::seats::application_doc_id(&application_id))?
        .zip(store.find::<Applicant>(&doc_id_for("applicant", &application_id.0))?);
    let Some(((_, application), (mut applicant_doc, mut applicant))) = found else {
        return Err(unknown(
            "application",
            "unbekannter Antrag / unknown application",
        ));
    };
    if applicant.childminding.is_none() || application.status != "active" {
        return Err(ActionError::Conflict(
            "Der Antrag wünscht keine Kindertagespflege oder ist nicht mehr aktiv / \
             the application has no active childminding wish"
                .into(),
        ));
    }
    let taken = store
        .values_of_kind::<ChildminderPlacement>()?
        .iter()
        .any(|p| p.application.as_ref() == Some(&application_id));
    if taken {
        return Err(ActionError::Conflict(
            "Für diesen Antrag ist schon ein Platz reserviert / a place is reserved for this application already"
                .into(),
        ));
    }
    let profile = load_profile(store, &input.childminder).map_err(|_| {
        unknown(
            "childminder",
            "eine Tagespflegeperson wählen / choose a childminder",
        )
    })?;
    let mut v = Validator::new();
    let start = if input.start.trim().is_empty() {
        Some(application.desired_start.max(now.today))
    } else {
        v.date("start", &input.start)
    };
    v.finish()?;
    let placement = ChildminderPlacement {
        id: ChildminderPlacementId::generate(&mut crate::contracts::os_ids()),
        childminder: profile.id.clone(),
        child_given_name: applicant.child_given_name.clone(),
        child_family_name: applicant.child_family_name.clone(),
        birth_date: applicant.child_birth_date,
        kind: "reservation".into(),
        substitute_for: None,
        period: Period::from(start.expect("checked")),
        daily_hours: application.daily_hours,
        recorded_on: now.today,
        application: Some(application_id),
    };
    applicant.history.push(ApplicationEvent {
        on: now.today,
        by: "Kindertagespflege".into(),
        what: format!(
            "Platz in der Kindertagespflege bei {} ab {} reserviert",
            profile.name,
            german(placement.period.start().0)
        ),
    });
    applicant_doc
        .update(&applicant, now.today, now.millis, "childminder.reserve")
        .map_err(StoreError::from)?;
    store_placement(store, who, owner, placement, vec![applicant_doc], now)
}

/// The application a concluded agreement places: placed, every Kita wish placed elsewhere
/// (each wished Kita learns it through its wish document and releases a seat it held), the
/// parents' history told. Nothing when the application is not held here; refused when it was
/// placed elsewhere or withdrawn meanwhile.
fn place_application(
    store: &Store,
    application: &ApplicationId,
    childminder: &str,
    now: Now,
) -> Result<Vec<StoredDoc>, ActionError> {
    use crate::applications::sequential::status;
    let Some((mut doc, mut app)) =
        store.find::<Application>(&crate::seats::application_doc_id(application))?
    else {
        return Ok(vec![]);
    };
    match app.status.as_str() {
        "active" => {}
        "placed" => {
            return Err(ActionError::Conflict(
                "Das Kind ist inzwischen anderswo vermittelt; die Reservierung beenden / \
                 the child was placed elsewhere meanwhile; end the reservation"
                    .into(),
            ))
        }
        "withdrawn" => {
            return Err(ActionError::Conflict(
                "Die Eltern haben den Antrag zurückgezogen; die Reservierung beenden / \
                 the parents withdrew the application; end the reservation"
                    .into(),
            ))
        }
        _ => return Ok(vec![]),
    }
    app.status = "placed".into();
    for wish in &mut app.wishes {
        wish.status = status::PLACED_ELSEWHERE.into();
        wish.since = Some(now.today);
    }
    doc.update(&app, now.today, now.millis, "childminder.agree")
        .map_err(StoreError::from)?;
    let scope = doc.meta.facilities.clone();
    let mut docs = crate::applications::wishes::wish_docs(
        store,
        &[(&app, &scope)],
        crate::applications::wishes::Siblings::Unchanged,
        &[],
        now,
    )?;
    docs.push(doc);
    if let Some((mut applicant_doc, mut applicant)) =
        store.find::<Applicant>(&doc_id_for("applicant", &application.0))?
    {
        applicant.history.push(ApplicationEvent {
            on: now.today,
            by: "Kindertagespflege".into(),
            what: format!(
                "Betreuungsvereinbarung mit {childminder}: in Kindertagespflege vermittelt"
            ),
        });
        applicant_doc
            .update(&applicant, now.today, now.millis, "childminder.agree")
            .map_err(StoreError::from)?;
        docs.push(applicant_doc);
    }
    Ok(docs)
}

/// The parents took the reserved place: the reservation becomes the care agreement
/// (Betreuungsvereinbarung, L1701–1704). It was counted against the places already.
pub fn conclude_agreement(
    store: &mut Store,
    who: &Principal,
    input: &PlacementChange,
    now: Now,
) -> Result<ChildminderPlacement, ActionError> {
    authorize_manage(store, who)?;
    let (doc, mut placement) = load_placement(store, &input.placement)?;
    if placement.kind != "reservation" {
        return Err(ActionError::Conflict(
            "Nur eine Reservierung wird zur Vereinbarung / only a reservation becomes an agreement"
                .into(),
        ));
    }
    placement.kind = "agreement".into();
    placement.validate()?;
    let also = match &placement.application {
        Some(application) => {
            let name = load_profile(store, &placement.childminder.0)
                .map_or_else(|_| placement.childminder.0.clone(), |p| p.name);
            place_application(store, application, &name, now)?
        }
        None => vec![],
    };
    let mut doc = doc;
    doc.update(&placement, now.today, now.millis, "childminder.agree")
        .map_err(StoreError::from)?;
    let mut also = also;
    let mut all: Vec<&mut StoredDoc> = vec![&mut doc];
    all.extend(also.iter_mut());
    store.save_docs(
        &mut all,
        &audit(who, "childminder.agree", &placement.id.0, now),
    )?;
    Ok(placement)
}

/// Ends a placement after `until` (the last day of care); a reservation the parents declined
/// ends the day before it would have begun.
pub fn end_placement(
    store: &mut Store,
    who: &Principal,
    input: &PlacementChange,
    now: Now,
) -> Result<ChildminderPlacement, ActionError> {
    authorize_manage(store, who)?;
    let (doc, mut placement) = load_placement(store, &input.placement)?;
    let mut v = Validator::new();
    let until = v.date("until", &input.until);
    if let Some(until) = until {
        v.check(
            until >= placement.period.start(),
            "until",
            "Ende vor Beginn der Betreuung / end before the care begins",
        );
        v.check(
            placement.period.end().is_none_or(|e| until <= e),
            "until",
            "nach dem vereinbarten Ende / after the agreed end",
        );
    }
    v.finish()?;
    placement.period =
        Period::new(placement.period.start(), until).expect("checked: until after start");
    save_placement(store, who, doc, &placement, "childminder.end", now)?;
    Ok(placement)
}

/// The months a payment list can be asked for: `YYYY-MM`.
pub fn parse_month(text: &str) -> Option<tp::Month> {
    tp::Month::parse(text.trim())
}

/// The month of `today`.
pub fn month_of(today: Date) -> tp::Month {
    tp::Month::of(today.0)
}

/// Offered in forms: (code, label).
pub fn proof_options() -> Vec<(&'static str, &'static str)> {
    PROOF_KINDS.to_vec()
}

pub fn absence_options() -> Vec<(&'static str, &'static str)> {
    ABSENCE_KINDS.to_vec()
}

pub fn placement_options() -> Vec<(&'static str, &'static str)> {
    PLACEMENT_KINDS.to_vec()
}

/// The year of `today`, for the ledger's default.
pub fn year_of(today: Date) -> i32 {
    today.0.year()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn proof_codes_round_trip_through_the_rules() {
        for (code, _) in PROOF_KINDS {
            assert_eq!(proof_code(&proof_kind(code)), code);
        }
    }

    #[test]
    fn a_reservation_and_substitute_care_occupy_places() {
        let mut p = ChildminderPlacement {
            id: ChildminderPlacementId("tpk-1".into()),
            childminder: ChildminderId("tpp-1".into()),
            child_given_name: "Ida".into(),
            child_family_name: "Lorenz".into(),
            birth_date: Date::ymd(2025, 4, 2),
            kind: "reservation".into(),
            substitute_for: None,
            period: Period::new(Date::ymd(2026, 5, 1), None).unwrap(),
            daily_hours: Dec(Decimal::from(7)),
            recorded_on: Date::ymd(2026, 4, 20),
            application: None,
        };
        assert_eq!(occupant(&p).kind, tp::OccupantKind::Reservation);
        p.kind = "substitute".into();
        p.substitute_for = Some(ChildminderId("tpp-2".into()));
        assert_eq!(
            occupant(&p).kind,
            tp::OccupantKind::Substitute {
                regular: tp::ChildminderId("tpp-2".into())
            }
        );
        p.kind = "agreement".into();
        p.substitute_for = None;
        assert_eq!(occupant(&p).kind, tp::OccupantKind::Contract);
    }
}
