//! Kindertagespflege (Lastenheft 3.5.6, seed 004 L1740–1840): what the BVS-KTP office keeps of
//! a childminder beyond her public listing, and the children placed with her.
//!
//! Two kinds, each personal data of one subject so that each can be erased whole:
//! - [`ChildminderCase`]: the childminder's permits to care (§ 43 SGB VIII, five years),
//!   the proofs she presented (first aid, health and police certificates, training hours) and
//!   her absences (vacation, sickness, training: continued payment up to the allowances).
//!   One document per childminder, next to her public [`ChildminderProfile`].
//! - [`ChildminderPlacement`]: one child at one childminder's: a reservation while the parents
//!   decide (L1701–1704), the care agreement (Tagespflegevereinbarung), or substitute care for a
//!   child of another childminder (L1825–1834), with the daily hours that set the care tier of
//!   the running payment.
//!
//! Both are owned by the office that keeps the register (the city's Kindertagespflege team or a
//! BVS-KTP node) and never leave it: `personal` documents without a Träger reach no other node.
//!
//! [`ChildminderProfile`]: crate::kinds::ChildminderProfile

use crate::ids::{ApplicationId, CaseEntryId, ChildminderId, ChildminderPlacementId};
use crate::kinds::childminder::MAX_CHILDMINDER_PLACES;
use crate::kinds::daily_hours;
use crate::period::Period;
use crate::scalar::{Date, Dec};
use crate::validate::{ValidationError, Validator};
use autosurgeon::{Hydrate, Reconcile};
use serde::{Deserialize, Serialize};

/// The proofs the office follows up: (code, German label). Persisted format: the codes. The
/// codes are those of `kitanetz_tagespflege::ProofKind`.
pub const PROOF_KINDS: [(&str, &str); 4] = [
    ("first_aid", "Erste-Hilfe-Kurs (Säuglinge und Kleinkinder)"),
    ("health_certificate", "Gesundheitszeugnis"),
    ("police_certificate", "Erweitertes Führungszeugnis"),
    ("training_hours", "Fortbildung (20 Stunden im Jahr)"),
];

/// The kinds of a childminder's absence: (code, German label). Persisted format: the codes.
pub const ABSENCE_KINDS: [(&str, &str); 4] = [
    ("vacation", "Urlaub"),
    (
        "sick",
        "Krankheit (eigene oder des eigenen Kindes unter 12)",
    ),
    ("training", "Fortbildung"),
    ("other", "Sonstige Abwesenheit (ohne Weiterzahlung)"),
];

/// Why a child is at the childminder's: (code, German label). Persisted format: the codes.
pub const PLACEMENT_KINDS: [(&str, &str); 3] = [
    ("reservation", "Reservierung (Eltern entscheiden noch)"),
    ("agreement", "Betreuungsvereinbarung"),
    ("substitute", "Ersatzbetreuung"),
];

/// A permit to care as decided: from `start`, to `end` if the decision names one (else the
/// rules' five years), for `places` children at the same time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Reconcile, Hydrate)]
pub struct CasePermit {
    #[key]
    pub id: CaseEntryId,
    pub start: Date,
    pub end: Option<Date>,
    pub places: u32,
    pub recorded_on: Date,
}

/// A proof as presented: the day it was issued and a last valid day if the document names one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Reconcile, Hydrate)]
pub struct CaseProof {
    #[key]
    pub id: CaseEntryId,
    /// One of [`PROOF_KINDS`].
    pub kind: String,
    pub issued_on: Date,
    pub valid_until: Option<Date>,
    pub recorded_on: Date,
}

/// An absence of the childminder over closed days.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Reconcile, Hydrate)]
pub struct CaseAbsence {
    #[key]
    pub id: CaseEntryId,
    /// One of [`ABSENCE_KINDS`].
    pub kind: String,
    /// The condition the continued payment depends on: vacation announced in time, sickness
    /// proven by a certificate, training approved by the city (never for `other`).
    pub condition_met: bool,
    pub period: Period,
    pub recorded_on: Date,
}

/// The insurance refunds that can be decided (annex K): (code, German label). Persisted format.
pub const REFUND_KINDS: [(&str, &str); 3] = [
    ("health", "Kranken- und Pflegeversicherung (hälftig)"),
    ("pension", "Alterssicherung (hälftig, bis 40 € je Platz)"),
    ("accident", "Unfallversicherung (BGW)"),
];

/// The most characters a refund's case may have (a few years of a case file).
pub const MAX_REFUND_CASE: usize = 20_000;

/// A decided insurance refund (a Festsetzungsbescheid of annex K): the case as decided, in the
/// documented case format `kitanetz-tagespflege-refund-case/1`, so the decision can be shown,
/// re-computed and checked with the CLI at any time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Reconcile, Hydrate)]
pub struct CaseRefund {
    #[key]
    pub id: CaseEntryId,
    /// One of [`REFUND_KINDS`].
    pub kind: String,
    /// The case JSON.
    pub case: String,
    pub decided_on: Date,
}

/// The one-off grants (TPP agreement §§ 7–8): (code, German label). Persisted format.
pub const GRANT_KINDS: [(&str, &str); 5] = [
    ("equipment", "Ausstattung neuer Plätze (100 € je Platz)"),
    (
        "replacement",
        "Ersatzbeschaffung (bis 100 € je Platz und Jahr)",
    ),
    ("training", "Fortbildung (50 %, bis 100 € im Jahr)"),
    ("dji_curriculum", "DJI-Curriculum (50 %, bis 350 €)"),
    (
        "education_plan_curriculum",
        "Curriculum Sächsischer Bildungsplan (80 %)",
    ),
];

/// A granted one-off amount as decided: what was asked, what was granted, and why. Stored as
/// decided, because a grant depends on what was granted before it in the year.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Reconcile, Hydrate)]
pub struct CaseGrant {
    #[key]
    pub id: CaseEntryId,
    /// One of [`GRANT_KINDS`].
    pub kind: String,
    /// New places (equipment) or the places the yearly amount counts (replacement); 0 else.
    pub places: u32,
    /// The amount asked for (replacement) or the costs (training); 0 for equipment.
    pub requested: Dec,
    pub granted: Dec,
    pub explanation: String,
    pub decided_on: Date,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Reconcile, Hydrate)]
pub struct ChildminderCase {
    pub childminder: ChildminderId,
    pub permits: Vec<CasePermit>,
    pub proofs: Vec<CaseProof>,
    pub absences: Vec<CaseAbsence>,
    #[autosurgeon(missing = "Vec::new")]
    #[serde(default)]
    pub refunds: Vec<CaseRefund>,
    #[autosurgeon(missing = "Vec::new")]
    #[serde(default)]
    pub grants: Vec<CaseGrant>,
    /// Her account for the payments, compact and upper case (`DE89370400440532013000`), checked
    /// by its checksum where it is entered; empty: none recorded. Personal data: it lives in this
    /// document of hers, never in the public listing.
    #[autosurgeon(missing = "String::new")]
    #[serde(default)]
    pub iban: String,
}

impl ChildminderCase {
    pub fn validate(&self) -> Result<(), ValidationError> {
        let mut v = Validator::new();
        unique(&mut v, "permits", self.permits.iter().map(|p| &p.id));
        for (i, p) in self.permits.iter().enumerate() {
            let field = format!("permits[{i}]");
            v.plausible_date(&format!("{field}.start"), p.start);
            if let Some(end) = p.end {
                v.plausible_date(&format!("{field}.end"), end);
                v.check(
                    end >= p.start,
                    format!("{field}.end"),
                    "Ende vor Beginn / end before start",
                );
            }
            v.check(
                (1..=MAX_CHILDMINDER_PLACES).contains(&p.places),
                format!("{field}.places"),
                "1 bis 5 Plätze / 1 to 5 places",
            );
        }
        unique(&mut v, "proofs", self.proofs.iter().map(|p| &p.id));
        for (i, p) in self.proofs.iter().enumerate() {
            let field = format!("proofs[{i}]");
            known(&mut v, &format!("{field}.kind"), &p.kind, &PROOF_KINDS);
            v.plausible_date(&format!("{field}.issued_on"), p.issued_on);
            if let Some(until) = p.valid_until {
                v.check(
                    until >= p.issued_on,
                    format!("{field}.valid_until"),
                    "gültig bis vor dem Ausstellungstag / valid until before the day of issue",
                );
            }
        }
        unique(&mut v, "absences", self.absences.iter().map(|a| &a.id));
        for (i, a) in self.absences.iter().enumerate() {
            let field = format!("absences[{i}]");
            known(&mut v, &format!("{field}.kind"), &a.kind, &ABSENCE_KINDS);
            v.plausible_date(&format!("{field}.period"), a.period.start());
            v.check(
                a.period.end().is_some() && a.period.is_well_formed(),
                format!("{field}.period"),
                "Abwesenheit mit Beginn und Ende / an absence has a first and a last day",
            );
            if let Some(j) = self.absences[..i]
                .iter()
                .position(|o| o.period.overlaps(&a.period))
            {
                v.fail(
                    format!("{field}.period"),
                    format!(
                        "überschneidet sich mit Abwesenheit {} / overlaps absence {}",
                        j + 1,
                        j + 1
                    ),
                );
            }
        }
        unique(&mut v, "refunds", self.refunds.iter().map(|r| &r.id));
        for (i, r) in self.refunds.iter().enumerate() {
            let field = format!("refunds[{i}]");
            known(&mut v, &format!("{field}.kind"), &r.kind, &REFUND_KINDS);
            v.check(
                !r.case.trim().is_empty() && r.case.len() <= MAX_REFUND_CASE,
                format!("{field}.case"),
                "der Fall fehlt oder ist zu lang / the case is missing or too long",
            );
        }
        v.check(
            self.iban.is_empty()
                || ((15..=34).contains(&self.iban.len())
                    && self
                        .iban
                        .chars()
                        .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())),
            "iban",
            "IBAN: 15 bis 34 Großbuchstaben und Ziffern / 15 to 34 capital letters and digits",
        );
        unique(&mut v, "grants", self.grants.iter().map(|g| &g.id));
        for (i, g) in self.grants.iter().enumerate() {
            let field = format!("grants[{i}]");
            known(&mut v, &format!("{field}.kind"), &g.kind, &GRANT_KINDS);
            v.check(
                g.granted.0 >= rust_decimal::Decimal::ZERO
                    && g.requested.0 >= rust_decimal::Decimal::ZERO,
                format!("{field}.granted"),
                "kein negativer Betrag / no negative amount",
            );
            v.optional_text(&format!("{field}.explanation"), &g.explanation, 2_000);
        }
        v.finish()
    }
}

/// One child at one childminder's.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Reconcile, Hydrate)]
pub struct ChildminderPlacement {
    pub id: ChildminderPlacementId,
    pub childminder: ChildminderId,
    pub child_given_name: String,
    pub child_family_name: String,
    pub birth_date: Date,
    /// One of [`PLACEMENT_KINDS`].
    pub kind: String,
    /// For substitute care: the childminder who cares for the child otherwise.
    pub substitute_for: Option<ChildminderId>,
    pub period: Period,
    /// Contracted daily hours: they select the care tier of the running payment.
    pub daily_hours: Dec,
    pub recorded_on: Date,
    /// The parents' application with a Kindertagespflege wish this place answers, when the
    /// office placed from it: concluding the agreement places the application.
    #[autosurgeon(missing = "Option::default")]
    #[serde(default)]
    pub application: Option<ApplicationId>,
}

impl ChildminderPlacement {
    pub fn validate(&self) -> Result<(), ValidationError> {
        let mut v = Validator::new();
        v.text("child_given_name", &self.child_given_name, 100);
        v.text("child_family_name", &self.child_family_name, 100);
        v.plausible_date("birth_date", self.birth_date);
        known(&mut v, "kind", &self.kind, &PLACEMENT_KINDS);
        v.check(
            (self.kind == "substitute") == self.substitute_for.is_some(),
            "substitute_for",
            "Ersatzbetreuung nennt die Tagespflegeperson, die das Kind sonst betreut / \
             substitute care names the regular childminder",
        );
        v.check(
            self.substitute_for.as_ref() != Some(&self.childminder),
            "substitute_for",
            "Ersatzbetreuung bei einer anderen Tagespflegeperson / substitute care is with another childminder",
        );
        v.plausible_date("start", self.period.start());
        v.check(
            self.period.is_well_formed(),
            "end",
            "Ende vor Beginn / end before start",
        );
        v.check(
            self.period.start() >= self.birth_date,
            "start",
            "Beginn vor der Geburt / start before birth",
        );
        daily_hours(&mut v, "daily_hours", self.daily_hours);
        v.finish()
    }

    pub fn label(&self) -> &'static str {
        label_of(&PLACEMENT_KINDS, &self.kind)
    }
}

/// The German label of a code in one of the lists above; the code itself if unknown.
pub fn label_of(list: &[(&'static str, &'static str)], code: &str) -> &'static str {
    list.iter()
        .find(|(c, _)| *c == code)
        .map_or("unbekannt", |(_, label)| label)
}

fn known(v: &mut Validator, field: &str, code: &str, list: &[(&str, &str)]) {
    v.check(
        list.iter().any(|(c, _)| *c == code),
        field,
        format!(
            "unbekannter Wert / unknown value; one of {}",
            list.iter().map(|(c, _)| *c).collect::<Vec<_>>().join(", ")
        ),
    );
}

fn unique<'a, T: Ord + 'a>(v: &mut Validator, field: &str, ids: impl Iterator<Item = &'a T>) {
    let mut seen: Vec<&T> = ids.collect();
    let n = seen.len();
    seen.sort();
    seen.dedup();
    v.check(
        seen.len() == n,
        field,
        "Eintrag doppelt / entry listed twice",
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use automerge::{AutoCommit, ROOT};
    use autosurgeon::{hydrate_prop, reconcile_prop};

    fn entry(n: &str) -> CaseEntryId {
        CaseEntryId(format!("ent-{n}"))
    }

    fn case() -> ChildminderCase {
        ChildminderCase {
            childminder: ChildminderId("tpp-1".into()),
            permits: vec![CasePermit {
                id: entry("1"),
                start: Date::ymd(2022, 3, 1),
                end: None,
                places: 5,
                recorded_on: Date::ymd(2022, 2, 10),
            }],
            proofs: vec![CaseProof {
                id: entry("2"),
                kind: "first_aid".into(),
                issued_on: Date::ymd(2023, 5, 4),
                valid_until: None,
                recorded_on: Date::ymd(2023, 5, 10),
            }],
            absences: vec![CaseAbsence {
                id: entry("3"),
                kind: "vacation".into(),
                condition_met: true,
                period: Period::new(Date::ymd(2026, 7, 6), Some(Date::ymd(2026, 7, 24))).unwrap(),
                recorded_on: Date::ymd(2026, 2, 20),
            }],
            refunds: vec![CaseRefund {
                id: entry("9"),
                kind: "accident".into(),
                case: r#"{"format":"kitanetz-tagespflege-refund-case/1","kind":"accident","accident":{"year":2026,"assessed_contribution":"88.20"}}"#.into(),
                decided_on: Date::ymd(2026, 3, 1),
            }],
            grants: vec![CaseGrant {
                id: entry("10"),
                kind: "equipment".into(),
                places: 2,
                requested: Dec(rust_decimal::Decimal::ZERO),
                granted: Dec("200.00".parse().unwrap()),
                explanation: "2 new places × 100.00 € = 200.00 €".into(),
                decided_on: Date::ymd(2026, 3, 1),
            }],
            iban: "DE89370400440532013000".into(),
        }
    }

    fn placement() -> ChildminderPlacement {
        ChildminderPlacement {
            id: ChildminderPlacementId("tpk-1".into()),
            childminder: ChildminderId("tpp-1".into()),
            child_given_name: "Ida".into(),
            child_family_name: "Lorenz".into(),
            birth_date: Date::ymd(2025, 4, 2),
            kind: "agreement".into(),
            substitute_for: None,
            period: Period::new(Date::ymd(2026, 5, 1), None).unwrap(),
            daily_hours: Dec("7.5".parse().unwrap()),
            recorded_on: Date::ymd(2026, 4, 20),
            application: Some(ApplicationId("app-1".into())),
        }
    }

    #[test]
    fn a_case_and_a_placement_are_valid_and_survive_automerge() {
        case().validate().unwrap();
        placement().validate().unwrap();
        let mut doc = AutoCommit::new();
        reconcile_prop(&mut doc, ROOT, "case", case()).unwrap();
        reconcile_prop(&mut doc, ROOT, "placement", placement()).unwrap();
        let back: ChildminderCase = hydrate_prop(&doc, ROOT, "case").unwrap();
        assert_eq!(back, case());
        let back: ChildminderPlacement = hydrate_prop(&doc, ROOT, "placement").unwrap();
        assert_eq!(back, placement());
    }

    fn fields(e: ValidationError) -> Vec<String> {
        e.errors.into_iter().map(|f| f.field).collect()
    }

    #[test]
    fn a_case_refuses_six_places_unknown_codes_and_overlapping_absences() {
        let mut c = case();
        c.permits[0].places = 6;
        c.proofs[0].kind = "driving_licence".into();
        let mut second = c.absences[0].clone();
        second.id = entry("4");
        second.period = Period::new(Date::ymd(2026, 7, 20), Some(Date::ymd(2026, 7, 31))).unwrap();
        c.absences.push(second);
        let mut open = c.absences[0].clone();
        open.id = entry("5");
        open.period = Period::new(Date::ymd(2026, 9, 1), None).unwrap();
        c.absences.push(open);
        // Spaces and lower case are the form's to clean up; the document holds the compact form.
        c.iban = "de89 3704 0044 0532 0130 00".into();
        assert_eq!(
            fields(c.validate().unwrap_err()),
            [
                "permits[0].places",
                "proofs[0].kind",
                "absences[1].period",
                "absences[2].period",
                "iban"
            ]
        );
    }

    #[test]
    fn substitute_care_names_another_regular_childminder() {
        let mut p = placement();
        p.kind = "substitute".into();
        assert_eq!(fields(p.validate().unwrap_err()), ["substitute_for"]);
        p.substitute_for = Some(ChildminderId("tpp-1".into()));
        assert_eq!(fields(p.validate().unwrap_err()), ["substitute_for"]);
        p.substitute_for = Some(ChildminderId("tpp-2".into()));
        p.validate().unwrap();
        let mut q = placement();
        q.substitute_for = Some(ChildminderId("tpp-2".into()));
        assert_eq!(fields(q.validate().unwrap_err()), ["substitute_for"]);
    }

    #[test]
    fn a_placement_refuses_a_start_before_birth_and_thirteen_hours() {
        let mut p = placement();
        p.period = Period::new(Date::ymd(2025, 1, 1), None).unwrap();
        p.daily_hours = Dec("13".parse().unwrap());
        assert_eq!(fields(p.validate().unwrap_err()), ["start", "daily_hours"]);
    }
}
