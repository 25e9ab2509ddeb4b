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

mod bank;
mod decisions;
mod file;
mod grants;
pub mod http;
mod own;
pub mod own_http;
mod record;
mod refunds;
mod register;

pub use bank::*;
pub use decisions::*;
pub use file::*;
pub use grants::*;
pub use own::*;
pub use record::*;
pub use refunds::*;
pub use register::*;

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

/// The rules' period back as the document's (a permit's period on the listing).
fn crdt_period(p: &tp::Period) -> Period {
    Period::new(Date(p.start()), p.end().map(Date)).expect("a rules period is ordered")
}

/// The period of two typed days (`end`: `Some(None)` for open-ended), with the field error
/// when it ends before it starts; `None` when a day did not parse (its error is recorded).
fn typed_period(
    v: &mut Validator,
    start: Option<Date>,
    end: Option<Option<Date>>,
    end_field: &str,
) -> Option<Period> {
    let period = Period::new(start?, end?).ok();
    v.check(
        period.is_some(),
        end_field,
        "Ende vor Beginn / end before start",
    );
    period
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

/// The childminder's file, if one was started.
fn case_of(store: &Store, id: &ChildminderId) -> Result<Option<ChildminderCase>, StoreError> {
    Ok(store
        .find::<ChildminderCase>(&case_doc_id(id))?
        .map(|(_, c)| c))
}

/// The children placed with one childminder, from the projection (not every placement held).
fn placements_of(
    store: &Store,
    id: &ChildminderId,
) -> Result<Vec<ChildminderPlacement>, StoreError> {
    let ids: Vec<String> = {
        let mut stmt = store.conn().prepare_cached(
            "SELECT doc_id FROM p_childminder_placements WHERE childminder = ?1 ORDER BY doc_id",
        )?;
        let rows = stmt.query_map([&id.0], |r| r.get(0))?;
        rows.collect::<Result<_, _>>()?
    };
    ids.into_iter()
        .map(|doc| Ok(store.get::<ChildminderPlacement>(&DocId(doc))?.1))
        .collect()
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
