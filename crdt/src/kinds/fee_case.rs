//! A family's fee case (Beitragsfall, Lastenheft 3.10): what the Beitragsstelle of the family's
//! Träger knows about the fee beyond the family and its contracts — who pays and how, the
//! fee-relevant status of a child (foster or home child, heilpädagogischer Platz), and every
//! decision (Bescheid) issued, as issued. Personal data of one family: one document per family,
//! owned by the Träger, held by its office only (not its Kitas), erased with the family.
//!
//! A decision is stored whole, as the letter data it was printed from (`content`, JSON of
//! `kitanetz_letters::decision::Decision`): an issued decision never changes, so a copy can be
//! printed again years later exactly as sent, and the monthly billing reads the decided amounts
//! from it. Revocation (Widerspruch, Lastenheft 3.10.8) and dispatch are dated marks on it.

use crate::ids::{ChildId, FacilityId, FamilyId, GuardianId};
use crate::scalar::{Date, Dec};
use crate::validate::{ValidationError, Validator};
use autosurgeon::{Hydrate, Reconcile};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Reconcile, Hydrate)]
pub struct FeeCase {
    pub family: FamilyId,
    /// The guardian liable to pay (Satzung § 10 (3): jointly liable, one is billed).
    pub payer: Option<GuardianId>,
    /// The SEPA mandate; `None`: the payer transfers (Selbstzahler).
    pub mandate: Option<DebitMandate>,
    /// A child's fee status from a date; a child without one is `regular`.
    pub statuses: Vec<ChildFeeStatus>,
    /// Every decision issued, in the order issued.
    pub decisions: Vec<IssuedDecision>,
    /// Amounts the clerk set by hand for a child and months, with the reason; the computed
    /// amount stays visible beside them (Lastenheft 3.10: manual correction).
    #[autosurgeon(missing = "Vec::new")]
    #[serde(default)]
    pub overrides: Vec<FeeOverride>,
    /// Mehrbetreuungsbescheide issued (Lastenheft 3.10.6): a child's reported extra care of a
    /// month, decided once; the watch list shows the month as processed.
    #[autosurgeon(missing = "Vec::new")]
    #[serde(default)]
    pub extra_care_decisions: Vec<ExtraCareDecided>,
    /// Applications for an income-based reduction or waiver (§ 90 (3), (4) SGB VIII, § 13
    /// Satzung, annex C form), as entered, and what was decided on them. A granted one lowers
    /// the fee of the months of its grant (at most twelve, Lastenheft 3.10.3).
    #[autosurgeon(missing = "Vec::new")]
    #[serde(default)]
    pub reductions: Vec<ReductionApplication>,
}

/// An application for an income-based reduction or waiver, as the Beitragsstelle entered it from
/// the annex C form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Reconcile, Hydrate)]
pub struct ReductionApplication {
    /// `<family number>-E<n>`.
    #[key]
    pub number: String,
    /// The day the application was received (annex J `«AntragsDatum»`).
    pub applied_on: Date,
    /// The 1st of the first month applied for.
    pub from: Date,
    /// The 1st of the last month applied for.
    pub until: Date,
    /// The form as entered (JSON of the node's `ReductionInput`: household, incomes with the
    /// self-employed sheet, deductions with the Riester sheet, rent, special burdens). Kept as
    /// entered so the form can be shown and computed again exactly.
    pub input: String,
    pub entered_by: String,
    pub entered_on: Date,
    /// Granted or refused; `None`: not decided yet.
    pub decided: Option<ReductionDecided>,
    /// The parents' online self-assessment it was taken over from (the `income-declaration`
    /// document's id); `None`: entered from a paper form.
    #[autosurgeon(missing = "Default::default")]
    #[serde(default)]
    pub declaration: Option<String>,
    /// The declaration's [`revision`](crate::kinds::IncomeDeclaration::revision) taken over:
    /// a later one brings corrections or new proofs.
    #[autosurgeon(missing = "Default::default")]
    #[serde(default)]
    pub declaration_revision: u32,
}

/// What was decided on an application.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Reconcile, Hydrate)]
pub struct ReductionDecided {
    pub granted: bool,
    pub on: Date,
    /// Who decided (the audit name of the clerk).
    pub by: String,
    /// Why it was refused (or a note on the grant).
    pub reason: String,
    /// The node's reduction setting the grant was computed with (so a later change of the
    /// setting does not change a grant): its first day, the reasonable share in percent, the
    /// allocation among the children and what is owed above the regular care time.
    pub setting_from: Option<Date>,
    pub reasonable_share_percent: Option<Dec>,
    pub allocation: String,
    pub above_regular_time: String,
    /// The number of the fee decision issued with it.
    pub decision: Option<String>,
    /// The grant was withdrawn (e.g. its decision revoked after an objection): it rules no
    /// month from the next 1st on.
    pub withdrawn_on: Option<Date>,
    /// A refused application's Ablehnungsbescheid as issued: the letter data it was printed
    /// from (JSON of `kitanetz_letters::decision::ReductionRefusal`).
    #[autosurgeon(missing = "Default::default")]
    #[serde(default)]
    pub refusal: Option<String>,
    /// Decided provisionally on the parents' own figures (OZG: "vorläufiger Bescheid"): the
    /// final decision follows once the proofs are checked.
    #[autosurgeon(missing = "Default::default")]
    #[serde(default)]
    pub provisional: bool,
}

impl ReductionApplication {
    /// Granted and not withdrawn: its months get the reduction.
    pub fn in_force(&self) -> Option<&ReductionDecided> {
        self.decided
            .as_ref()
            .filter(|d| d.granted && d.withdrawn_on.is_none())
    }
}

/// A Mehrbetreuungsbescheid as issued.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Reconcile, Hydrate)]
pub struct ExtraCareDecided {
    /// `<family number>-MB-<n>`.
    #[key]
    pub number: String,
    pub child: ChildId,
    pub facility: FacilityId,
    /// The 1st of the month decided.
    pub month: Date,
    pub issued_on: Date,
    /// Who issued it (the audit name of the clerk).
    pub issued_by: String,
    /// Euros, the month's total.
    pub total: Dec,
    /// The letter data it was printed from (JSON).
    pub content: String,
}

/// A child's fee set by hand from a month, until a month or open-ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Reconcile, Hydrate)]
pub struct FeeOverride {
    pub child: ChildId,
    /// The 1st of the first month.
    pub from: Date,
    /// The 1st of the last month; `None`: until removed.
    pub until: Option<Date>,
    /// Euros per month, at most two decimals, not negative.
    pub amount: Dec,
    pub reason: String,
    /// Who set it (the audit name of the clerk) and when.
    pub set_by: String,
    pub set_on: Date,
}

/// A direct-debit mandate (Lastschriftmandat) as signed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Reconcile, Hydrate)]
pub struct DebitMandate {
    pub holder: String,
    /// Stored without spaces, upper case; its checksum is checked before it is stored.
    pub iban: String,
    /// Empty when not given (IBAN-only SEPA).
    pub bic: String,
    pub bank: String,
    pub reference: String,
    pub signed_on: Date,
}

/// The fee-relevant status of a child from a date (the 1st of a month).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Reconcile, Hydrate)]
pub struct ChildFeeStatus {
    pub child: ChildId,
    pub from: Date,
    /// `regular`, `foster` (§ 33 SGB VIII), `home` (§§ 34, 42 SGB VIII) or `curative`
    /// (heilpädagogischer Platz): the names of the fee engine's case format.
    pub status: String,
}

/// The statuses a child can have, as the fee engine names them.
pub const FEE_STATUSES: [&str; 4] = ["regular", "foster", "home", "curative"];

/// One decision as issued.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Reconcile, Hydrate)]
pub struct IssuedDecision {
    /// `<family number>-<n>`: the n-th decision of the family.
    #[key]
    pub number: String,
    pub issued_on: Date,
    /// Who issued it (the audit name of the clerk).
    pub issued_by: String,
    /// The first day it rules on; it replaces every earlier decision from then on.
    pub effective_from: Date,
    /// The letter data it was printed from (JSON).
    pub content: String,
    /// Revoked (e.g. after a successful objection): it no longer rules from its first day.
    pub revoked_on: Option<Date>,
    /// Posted to the parents.
    pub dispatched_on: Option<Date>,
}

impl FeeCase {
    pub fn validate(&self) -> Result<(), ValidationError> {
        let mut v = Validator::new();
        if let Some(m) = &self.mandate {
            v.text("mandate.holder", &m.holder, 70);
            v.check(
                (15..=34).contains(&m.iban.len())
                    && m.iban
                        .bytes()
                        .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit()),
                "mandate.iban",
                "IBAN: 15 bis 34 Buchstaben und Ziffern / 15 to 34 letters and digits",
            );
            v.check(
                m.bic.is_empty() || matches!(m.bic.len(), 8 | 11),
                "mandate.bic",
                "BIC: 8 oder 11 Zeichen / 8 or 11 characters",
            );
            v.optional_text("mandate.bank", &m.bank, 70);
            v.text("mandate.reference", &m.reference, 35);
            v.plausible_date("mandate.signed_on", m.signed_on);
        }
        for (i, s) in self.statuses.iter().enumerate() {
            v.check(
                FEE_STATUSES.contains(&s.status.as_str()),
                format!("statuses[{i}].status"),
                "unbekannter Status / unknown status",
            );
            v.plausible_date(&format!("statuses[{i}].from"), s.from);
        }
        for (i, o) in self.overrides.iter().enumerate() {
            v.check(
                !o.amount.0.is_sign_negative() && o.amount.0.normalize().scale() <= 2,
                format!("overrides[{i}].amount"),
                "Betrag ab 0 mit höchstens zwei Nachkommastellen / an amount from 0 with at most two decimals",
            );
            v.text(&format!("overrides[{i}].reason"), &o.reason, 500);
            v.plausible_date(&format!("overrides[{i}].from"), o.from);
            v.check(
                o.until.is_none_or(|u| u >= o.from),
                format!("overrides[{i}].until"),
                "Ende vor Beginn / end before start",
            );
        }
        for (i, r) in self.reductions.iter().enumerate() {
            v.check(
                r.until >= r.from,
                format!("reductions[{i}].until"),
                "Ende vor Beginn / end before start",
            );
            v.plausible_date(&format!("reductions[{i}].applied_on"), r.applied_on);
            v.check(
                self.reductions[..i].iter().all(|o| o.number != r.number),
                format!("reductions[{i}].number"),
                "doppelte Antragsnummer / duplicate application number",
            );
            if let Some(p) = r.decided.as_ref().and_then(|d| d.reasonable_share_percent) {
                v.check(
                    !p.0.is_sign_negative() && p.0 <= rust_decimal::Decimal::ONE_HUNDRED,
                    format!("reductions[{i}].decided.reasonable_share_percent"),
                    "0 bis 100 / 0 to 100",
                );
            }
        }
        for (i, d) in self.decisions.iter().enumerate() {
            v.check(
                !d.content.is_empty(),
                format!("decisions[{i}].content"),
                "leerer Bescheid / empty decision",
            );
            v.check(
                self.decisions[..i].iter().all(|o| o.number != d.number),
                format!("decisions[{i}].number"),
                "doppelte Bescheidnummer / duplicate decision number",
            );
        }
        v.finish()
    }

    /// The amount set by hand for `child` in the month starting `first_day`, if any (the last
    /// one entered wins).
    pub fn override_in(&self, child: &ChildId, first_day: Date) -> Option<&FeeOverride> {
        override_in(&self.overrides, child, first_day)
    }

    /// The status of `child` on `day`.
    pub fn status_on(&self, child: &ChildId, day: Date) -> &str {
        self.statuses
            .iter()
            .filter(|s| &s.child == child && s.from <= day)
            .max_by_key(|s| s.from)
            .map_or("regular", |s| s.status.as_str())
    }
}

/// The override of `child` in the month starting `first_day` among `overrides` (the last one
/// entered wins).
pub fn override_in<'a>(
    overrides: &'a [FeeOverride],
    child: &ChildId,
    first_day: Date,
) -> Option<&'a FeeOverride> {
    overrides.iter().rev().find(|o| {
        &o.child == child && o.from <= first_day && o.until.is_none_or(|u| first_day <= u)
    })
}
