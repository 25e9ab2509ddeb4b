//! The childminder register (Lastenheft 3.5.6.2–3.5.6.3): the permit to care (Pflegeerlaubnis,
//! § 43 SGB VIII) and the proofs a childminder presents, watched with follow-up dates
//! (Wiedervorlage).
//!
//! "Die Zulassung als Kindertagespflegeperson ist auf 5 Jahre begrenzt und muss anschließend
//! erneuert werden. Dieser Termin soll durch eine Wiedervorlagefunktion (mit 6 Monaten Vorlauf)
//! im System überwacht werden. Eine Liste aller anstehenden Erlaubniserneuerungen soll im System
//! vorhanden sein" (seed 004 L1800–1804). The EB Kita "überwacht die regelmäßige Durchführung von
//! Qualifikationen, Vorlage von Nachweisen (Erste-Hilfe-Kurs, Gesundheitszeugnis,
//! Führungszeugnis, usw.) und den Ablauf der Zulassung" (L1780–1782, L1785–1788).
//!
//! Every watched item goes through the same [`WatchState`]s, each beginning on a known day:
//! valid from its start, renewal due from `lead` months before the first day it no longer
//! holds, expired from that day. [`watch_list`] gives the states on `today` (a parameter, never
//! the clock) with the date each state began and the next change; [`permit_renewals`] is the
//! planning list of permits that run out in a window.

use crate::explain::{in_force, Explanation, Rule};
use crate::period::{add_months, Period};
use chrono::{Days, NaiveDate};
use serde::{Deserialize, Serialize};
use std::fmt;

/// The node's id of a childminder (Tagespflegeperson), carried through unchanged.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct ChildminderId(pub String);

impl fmt::Display for ChildminderId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A kind of proof the childminder presents. The three the Lastenheft names, the yearly
/// training hours of the TPP agreement, and any other kind as data.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProofKind {
    /// Erste-Hilfe-Kurs (for infants and small children, L30215–30219).
    FirstAid,
    /// Gesundheitszeugnis (L1781).
    HealthCertificate,
    /// Führungszeugnis, erweitert (L1781).
    PoliceCertificate,
    /// At least 20 hours of training a year (TPP agreement § 7, L30189).
    TrainingHours,
    /// Any other proof the city follows up, by its name.
    Other(String),
}

impl fmt::Display for ProofKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ProofKind::FirstAid => f.write_str("Erste-Hilfe-Kurs"),
            ProofKind::HealthCertificate => f.write_str("Gesundheitszeugnis"),
            ProofKind::PoliceCertificate => f.write_str("Erweitertes Führungszeugnis"),
            ProofKind::TrainingHours => f.write_str("jährliche Fortbildungsstunden"),
            ProofKind::Other(name) => f.write_str(name),
        }
    }
}

/// How long a proof of one kind holds and how early it is followed up.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProofRule {
    pub kind: ProofKind,
    /// Months the proof holds from its date; `None`: until further notice (only an explicit
    /// `valid_until` on the proof ends it).
    pub validity_months: Option<u32>,
    /// Months before the proof runs out from which it is due again.
    pub lead_months: u32,
    /// Needed for the permit: a childminder without one is listed as [`WatchState::Missing`].
    pub required: bool,
    /// Where the numbers come from.
    pub source: String,
}

/// One version of the register rules, in force from `valid_from`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegisterRules {
    pub id: String,
    pub valid_from: NaiveDate,
    /// A permit without its own end runs this many months (5 years, L1800).
    pub permit_validity_months: u32,
    /// Renewal watched this many months ahead (L1801–1802).
    pub permit_renewal_lead_months: u32,
    pub proofs: Vec<ProofRule>,
}

/// Source of the permit numbers.
pub const PERMIT_SOURCE: &str = "seed 004 L1800–1804 (Lastenheft 3.5.6.3)";

impl RegisterRules {
    /// The Lastenheft's numbers. First aid and training come from the TPP agreement; the seed
    /// gives no period for the health and police certificates nor a lead time for proofs, so
    /// those are marked assumptions, to be set by the city.
    pub fn lastenheft() -> RegisterRules {
        let assumption =
            "assumption, not in the seed: renewed with the permit every 5 years, 3 months ahead";
        RegisterRules {
            id: "dresden-lastenheft-4.11".into(),
            valid_from: NaiveDate::from_ymd_opt(2000, 1, 1).expect("valid date"),
            permit_validity_months: 60,
            permit_renewal_lead_months: 6,
            proofs: vec![
                ProofRule {
                    kind: ProofKind::FirstAid,
                    validity_months: Some(60),
                    lead_months: 3,
                    required: true,
                    source: "seed 004 L30215–30219 (refresh at the latest after five years); \
                             lead 3 months: assumption"
                        .into(),
                },
                ProofRule {
                    kind: ProofKind::HealthCertificate,
                    validity_months: Some(60),
                    lead_months: 3,
                    required: true,
                    source: format!("seed 004 L1781 names it; {assumption}"),
                },
                ProofRule {
                    kind: ProofKind::PoliceCertificate,
                    validity_months: Some(60),
                    lead_months: 3,
                    required: true,
                    source: format!("seed 004 L1781 names it; {assumption}"),
                },
                ProofRule {
                    kind: ProofKind::TrainingHours,
                    validity_months: Some(12),
                    lead_months: 1,
                    required: false,
                    source: "seed 004 L30189 (at least 20 hours a year); lead 1 month: \
                             assumption"
                        .into(),
                },
            ],
        }
    }

    fn proof_rule(&self, kind: &ProofKind) -> Option<&ProofRule> {
        self.proofs.iter().find(|r| &r.kind == kind)
    }
}

/// A permit to care as decided: from `start`, to its own `end` if the decision names one (annex
/// K's Förderbescheid: "vom 01.09.2011 bis 30.04.2013", L29689), else for the rules' five years.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Permit {
    pub start: NaiveDate,
    pub end: Option<NaiveDate>,
    /// Children at the same time the permit allows (at most 5, L1744).
    pub places: u32,
}

/// A proof as presented: its date, and a last valid day where the document names one (that
/// overrides the rules' validity).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Proof {
    pub kind: ProofKind,
    pub issued_on: NaiveDate,
    pub valid_until: Option<NaiveDate>,
}

/// What the register knows of one childminder.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChildminderRecord {
    pub id: ChildminderId,
    pub permits: Vec<Permit>,
    pub proofs: Vec<Proof>,
}

/// The state of a watched item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum WatchState {
    /// Runs out; nothing holds any more. Listed first.
    Expired,
    /// A required proof was never presented.
    Missing,
    /// Within the lead time: a renewal or a new proof is due.
    RenewalDue,
    /// Starts later (a permit decided ahead).
    NotYetValid,
    Valid,
}

/// What is watched.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Subject {
    Permit,
    Proof(ProofKind),
}

/// A state and the day it begins.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Phase {
    pub state: WatchState,
    pub from: NaiveDate,
}

/// One line of the watch list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Watch {
    pub childminder: ChildminderId,
    pub subject: Subject,
    /// The state on `today`.
    pub state: WatchState,
    /// The day the current state began (`None` for a missing proof).
    pub since: Option<NaiveDate>,
    /// The next change after `today`, if any.
    pub next: Option<Phase>,
    /// Every phase in order: valid, renewal due, expired (not-yet-valid before a start).
    pub phases: Vec<Phase>,
    /// The last day the permit (the run of back-to-back permits) or proof holds.
    pub valid_until: Option<NaiveDate>,
    pub explanation: Vec<Explanation>,
}

/// A register that cannot be judged.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RegisterError {
    #[error("no register rules are in force on {0}; add a version valid from that day or earlier")]
    NoRules(NaiveDate),
    #[error("the permit of {childminder} from {start} ends before it starts ({end})")]
    PermitEndsBeforeStart {
        childminder: ChildminderId,
        start: NaiveDate,
        end: NaiveDate,
    },
}

/// The rules in force on `day`.
pub fn rules_on(book: &[RegisterRules], day: NaiveDate) -> Result<&RegisterRules, RegisterError> {
    in_force(book, |r| r.valid_from, day).ok_or(RegisterError::NoRules(day))
}

/// The permit's period: its own end, or `validity` months from the start (the last day is the
/// day before the same date `validity` months later).
pub fn permit_period(
    childminder: &ChildminderId,
    permit: &Permit,
    book: &[RegisterRules],
) -> Result<(Period, Explanation), RegisterError> {
    let rules = rules_on(book, permit.start)?;
    let (end, detail) = match permit.end {
        Some(end) => (
            end,
            format!(
                "Pflegeerlaubnis {} – {} wie erteilt (eigenes Ende)",
                de(permit.start),
                de(end)
            ),
        ),
        None => {
            let end = day_before(add_months(
                permit.start,
                rules.permit_validity_months as i32,
            ));
            (
                end,
                format!(
                    "Pflegeerlaubnis ab {} für {} Monate: gültig bis {}",
                    de(permit.start),
                    rules.permit_validity_months,
                    de(end)
                ),
            )
        }
    };
    let period =
        Period::closed(permit.start, end).map_err(|e| RegisterError::PermitEndsBeforeStart {
            childminder: childminder.clone(),
            start: e.start,
            end: e.end,
        })?;
    Ok((
        period,
        Explanation::new(Rule::PermitValidity, &rules.id, PERMIT_SOURCE, detail),
    ))
}

/// The periods a childminder's permits cover, back-to-back or overlapping permits joined.
pub fn permit_coverage(
    record: &ChildminderRecord,
    book: &[RegisterRules],
) -> Result<Vec<Period>, RegisterError> {
    let mut periods = record
        .permits
        .iter()
        .map(|p| permit_period(&record.id, p, book).map(|(period, _)| period))
        .collect::<Result<Vec<_>, _>>()?;
    periods.sort();
    let mut runs: Vec<Period> = Vec::new();
    for p in periods {
        if let Some(last) = runs.last_mut() {
            if last.day_after().is_some_and(|after| p.start() <= after) {
                let end = last.end().max(p.end());
                *last = Period::new(last.start(), end).expect("joined run is ordered");
                continue;
            }
        }
        runs.push(p);
    }
    Ok(runs)
}

/// Each permit's period and places, for the capacity check ([`crate::capacity`]).
pub fn permit_places(
    record: &ChildminderRecord,
    book: &[RegisterRules],
) -> Result<Vec<crate::capacity::PermitPlaces>, RegisterError> {
    record
        .permits
        .iter()
        .map(|p| {
            permit_period(&record.id, p, book).map(|(period, _)| crate::capacity::PermitPlaces {
                period,
                places: p.places,
            })
        })
        .collect()
}

fn day_before(day: NaiveDate) -> NaiveDate {
    day.pred_opt().expect("date in range")
}

fn day_after(day: NaiveDate) -> NaiveDate {
    day.checked_add_days(Days::new(1)).expect("date in range")
}

/// Valid from `start`, renewal due from `lead` months before the first day no longer valid,
/// expired from that day.
fn phases(start: NaiveDate, valid_until: Option<NaiveDate>, lead_months: u32) -> Vec<Phase> {
    let mut phases = vec![Phase {
        state: WatchState::Valid,
        from: start,
    }];
    if let Some(until) = valid_until {
        let expired = day_after(until);
        let due = add_months(expired, -(lead_months as i32)).max(start);
        phases.push(Phase {
            state: WatchState::RenewalDue,
            from: due,
        });
        phases.push(Phase {
            state: WatchState::Expired,
            from: expired,
        });
    }
    // A renewal due from the very start replaces the valid phase.
    phases.dedup_by(|later, earlier| {
        if later.from == earlier.from {
            *earlier = *later;
            true
        } else {
            false
        }
    });
    phases
}

fn state_on(phases: &[Phase], today: NaiveDate) -> (WatchState, Option<NaiveDate>, Option<Phase>) {
    match phases.iter().rposition(|p| p.from <= today) {
        Some(i) => (
            phases[i].state,
            Some(phases[i].from),
            phases.get(i + 1).copied(),
        ),
        None => (WatchState::NotYetValid, None, phases.first().copied()),
    }
}

/// The watch lines of one childminder on `today`: the permit, then each proof kind the rules or
/// the record name.
pub fn watch(
    record: &ChildminderRecord,
    today: NaiveDate,
    book: &[RegisterRules],
) -> Result<Vec<Watch>, RegisterError> {
    let mut lines = Vec::new();
    if let Some(line) = permit_watch(record, today, book)? {
        lines.push(line);
    }
    let rules = rules_on(book, today)?;
    let mut kinds: Vec<ProofKind> = rules.proofs.iter().map(|r| r.kind.clone()).collect();
    for proof in &record.proofs {
        if !kinds.contains(&proof.kind) {
            kinds.push(proof.kind.clone());
        }
    }
    for kind in kinds {
        lines.extend(proof_watch(record, &kind, today, book)?);
    }
    Ok(lines)
}

fn permit_watch(
    record: &ChildminderRecord,
    today: NaiveDate,
    book: &[RegisterRules],
) -> Result<Option<Watch>, RegisterError> {
    let runs = permit_coverage(record, book)?;
    // The run holding today, else the next one, else the last one (expired).
    let run = runs
        .iter()
        .find(|r| r.contains(today))
        .or_else(|| runs.iter().find(|r| r.start() > today))
        .or(runs.last());
    let Some(run) = run else {
        return Ok(None);
    };
    let mut explanation = Vec::new();
    let mut last_start = run.start();
    for permit in &record.permits {
        let (period, why) = permit_period(&record.id, permit, book)?;
        if run.intersection(&period).is_some() {
            explanation.push(why);
            last_start = last_start.max(permit.start);
        }
    }
    let rules = rules_on(book, last_start)?;
    let lead = rules.permit_renewal_lead_months;
    let phases = phases(run.start(), run.end(), lead);
    let (state, since, next) = state_on(&phases, today);
    let until = run.end().expect("permits are closed");
    explanation.push(Explanation::new(
        Rule::PermitRenewal,
        &rules.id,
        PERMIT_SOURCE,
        format!(
            "gültig bis {}; Erneuerung {lead} Monate vorher fällig, ab {}; abgelaufen ab {}",
            de(until),
            de(add_months(day_after(until), -(lead as i32)).max(run.start())),
            de(day_after(until))
        ),
    ));
    Ok(Some(Watch {
        childminder: record.id.clone(),
        subject: Subject::Permit,
        state,
        since,
        next,
        phases,
        valid_until: Some(until),
        explanation,
    }))
}

/// A day as a German text writes it.
fn de(day: NaiveDate) -> String {
    day.format("%d.%m.%Y").to_string()
}

fn proof_watch(
    record: &ChildminderRecord,
    kind: &ProofKind,
    today: NaiveDate,
    book: &[RegisterRules],
) -> Result<Option<Watch>, RegisterError> {
    // The latest proof presented up to today counts (a later-dated one counts from its date).
    let latest = record
        .proofs
        .iter()
        .filter(|p| &p.kind == kind)
        .max_by_key(|p| (p.issued_on <= today, p.issued_on));
    let Some(proof) = latest else {
        let rules = rules_on(book, today)?;
        let Some(rule) = rules.proof_rule(kind).filter(|r| r.required) else {
            return Ok(None);
        };
        return Ok(Some(Watch {
            childminder: record.id.clone(),
            subject: Subject::Proof(kind.clone()),
            state: WatchState::Missing,
            since: None,
            next: None,
            phases: Vec::new(),
            valid_until: None,
            explanation: vec![Explanation::new(
                Rule::ProofFollowUp,
                &rules.id,
                &rule.source,
                format!("{kind} nicht vorgelegt, wird aber benötigt"),
            )],
        }));
    };
    let rules = rules_on(book, proof.issued_on)?;
    let rule = rules.proof_rule(kind);
    let lead = rule.map_or(0, |r| r.lead_months);
    let (valid_until, detail) = match (proof.valid_until, rule.and_then(|r| r.validity_months)) {
        (Some(until), _) => (
            Some(until),
            format!(
                "{kind} vom {} gültig bis {} laut Dokument",
                de(proof.issued_on),
                de(until)
            ),
        ),
        (None, Some(months)) => {
            let until = day_before(add_months(proof.issued_on, months as i32));
            (
                Some(until),
                format!(
                    "{kind} vom {} gilt {months} Monate: gültig bis {}",
                    de(proof.issued_on),
                    de(until)
                ),
            )
        }
        (None, None) => (
            None,
            format!("{kind} vom {} gilt bis auf Weiteres", de(proof.issued_on)),
        ),
    };
    let valid_until = valid_until.map(|u| u.max(proof.issued_on));
    let phases = phases(proof.issued_on, valid_until, lead);
    let (state, since, next) = state_on(&phases, today);
    let source = rule.map_or("no rule for this kind: the document's own date", |r| {
        r.source.as_str()
    });
    let due = valid_until.map_or(String::new(), |u| {
        format!(
            "; erneut fällig {lead} Monate vorher, ab {}",
            de(add_months(day_after(u), -(lead as i32)).max(proof.issued_on))
        )
    });
    Ok(Some(Watch {
        childminder: record.id.clone(),
        subject: Subject::Proof(kind.clone()),
        state,
        since,
        next,
        phases,
        valid_until,
        explanation: vec![Explanation::new(
            Rule::ProofFollowUp,
            &rules.id,
            source,
            format!("{detail}{due}"),
        )],
    }))
}

/// The watch list on `today` for all childminders: what needs doing first (expired, missing,
/// renewal due), then by the day the next state begins.
pub fn watch_list(
    records: &[ChildminderRecord],
    today: NaiveDate,
    book: &[RegisterRules],
) -> Result<Vec<Watch>, RegisterError> {
    let mut lines = Vec::new();
    for record in records {
        lines.extend(watch(record, today, book)?);
    }
    lines.sort_by(|a, b| {
        (a.state, a.next.map(|p| p.from), &a.childminder, &a.subject).cmp(&(
            b.state,
            b.next.map(|p| p.from),
            &b.childminder,
            &b.subject,
        ))
    });
    Ok(lines)
}

/// The planning list of permit renewals (L1802–1804): every permit line whose run of permits
/// ends within `window`, by its last day.
pub fn permit_renewals(
    records: &[ChildminderRecord],
    today: NaiveDate,
    window: &Period,
    book: &[RegisterRules],
) -> Result<Vec<Watch>, RegisterError> {
    let mut lines = Vec::new();
    for record in records {
        if let Some(line) = permit_watch(record, today, book)? {
            if line.valid_until.is_some_and(|u| window.contains(u)) {
                lines.push(line);
            }
        }
    }
    lines.sort_by(|a, b| (a.valid_until, &a.childminder).cmp(&(b.valid_until, &b.childminder)));
    Ok(lines)
}

#[cfg(test)]
#[path = "register_tests.rs"]
mod tests;
