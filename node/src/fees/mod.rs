//! The Beitragsstelle of a Träger (Lastenheft 3.10): a family's fees computed month by month from
//! its contracts with the statute engine (`kitanetz-fees`), decided by a Bescheid (PDF through
//! `kitanetz-letters`), and billed every month (`kitanetz-billing`: Soll-Stellung, finance file,
//! SEPA direct debits).
//!
//! It runs on the Träger's node, the one that holds the families and contracts of all its Kitas
//! (ARCHITECTURE.md §1: "the Träger's fee calculation"); a Kita node holds no fee cases. What the
//! Beitragsstelle adds to family and contracts — the payer and the mandate, a child's fee status,
//! the decisions as issued — is the family's `fee-case` document, owned by the Träger and held by
//! its office only. The billing book (the positions charged) is local to the node.
//!
//! Parts:
//! - [`compute`]: the fee case of a family in `kitanetz-fee-case/1` and its months computed;
//! - [`decisions`]: decisions issued and in force, as letter data and PDF;
//! - [`billing`]: the monthly Soll-Stellung and its files;
//! - [`payments`]: payments received from the finance system, and the payers in arrears;
//! - [`reduction`]: the income-based reduction or waiver (§ 90 SGB VIII, annex C form), its
//!   grants, the watch list of expiring ones and the versioned reasonable share;
//! - [`statute_versions`]: new operating costs as new versions of the node's statute;
//! - [`bulk_change`]: the bulk fee change they bring (Satzung § 10 (4)), previewed and decided
//!   for every family at once;
//! - [`overview`]: what the pages show.

pub mod billing;
pub mod bulk_change;
pub mod bulk_change_http;
pub mod compute;
pub mod decisions;
pub mod declarations;
pub mod declarations_http;
pub mod extra_care_decisions;
pub mod http;
pub mod lost_fees;
pub mod lost_fees_http;
pub mod overview;
pub mod payments;
pub mod payments_http;
mod queries;
pub mod reduction;
pub mod reduction_http;
pub mod siblings;
pub mod statute_versions;
#[cfg(test)]
pub(crate) mod testing;

use crate::action::ActionError;
use crate::auth::{authorize, Action, Principal};
use crate::clock::Now;
use crate::families::family_doc_id;
use crate::storage::{AuditEntry, Store, StoreError};
use kitanetz_crdt::doc::StoredDoc;
use kitanetz_crdt::ids::{doc_id_for, provider_org, ChildId, FamilyId, GuardianId, ProviderId};
use kitanetz_crdt::kinds::{CareContract, ChildFeeStatus, DebitMandate, Family, FeeCase};
use kitanetz_crdt::meta::{DocKind, DocMeta};
use kitanetz_crdt::policy::NodeRole;
use kitanetz_crdt::scalar::Date;
use kitanetz_crdt::validate::Validator;
use kitanetz_crdt::DocId;
use serde::{Deserialize, Serialize};

pub fn fee_case_doc_id(family: &FamilyId) -> DocId {
    doc_id_for("fee-case", &family.0)
}

/// What the Beitragsstelle may do; each is checked for the Träger whose node this is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FeeAction {
    View,
    Decide,
    Bill,
}

/// Checks `who` may do `what` for the Träger of this node, then that this is a Träger node (the
/// only one that holds every family and contract of the Träger). Returns the Träger.
pub fn authorize_here(
    store: &Store,
    who: &Principal,
    what: FeeAction,
) -> Result<ProviderId, ActionError> {
    let membership = store.membership();
    let provider = membership.provider.as_ref();
    authorize(
        who,
        match what {
            FeeAction::View => Action::ViewFees { provider },
            FeeAction::Decide => Action::DecideFees { provider },
            FeeAction::Bill => Action::RunBilling { provider },
        },
    )?;
    match (membership.role, provider) {
        (NodeRole::Traeger, Some(p)) => Ok(p.clone()),
        _ => Err(ActionError::NotFound(
            "Beiträge werden auf dem Knoten des Trägers berechnet / fees are computed on the Träger's node"
                .into(),
        )),
    }
}

/// Everything the fee of one family depends on, as this node holds it.
#[derive(Debug, Clone)]
pub struct FamilyFees {
    pub family: Family,
    /// The family's contracts, by start.
    pub contracts: Vec<CareContract>,
    /// The Beitragsstelle's own facts; a fresh one when none was written yet.
    pub fee_case: FeeCase,
    /// The extra care the Kitas reported for the family's children (Mehrbetreuung, § 5).
    pub extra_care: Vec<crate::extra_care::queries::ReportedDay>,
    /// The family's counting children at other Träger, as the city answered
    /// ([`siblings`]): Zählkinder without a fee here.
    pub others: Vec<kitanetz_crdt::kinds::OtherChild>,
    /// The statutes the fees are computed under: the shipped ones with the versions this node
    /// added from newly published operating costs ([`statute_versions`]).
    pub statutes: std::sync::Arc<kitanetz_fees::StatuteBook>,
}

/// Loads a family with its contracts and fee case (after [`authorize_here`]).
pub fn load_family(store: &Store, id: &FamilyId) -> Result<FamilyFees, ActionError> {
    let (_, family) = store
        .find::<Family>(&family_doc_id(id))?
        .ok_or_else(|| ActionError::NotFound(id.0.clone()))?;
    let mut contracts = Vec::new();
    for contract in queries::contract_ids_of_family(store, id)? {
        contracts.push(
            store
                .get::<CareContract>(&crate::contracts::contract_doc_id(&contract))?
                .1,
        );
    }
    contracts.sort_by(|a, b| (a.period.start(), &a.id).cmp(&(b.period.start(), &b.id)));
    let fee_case = match store.find::<FeeCase>(&fee_case_doc_id(id))? {
        Some((_, c)) => c,
        None => empty_fee_case(&family),
    };
    let children: Vec<_> = family.children.iter().map(|c| c.id.clone()).collect();
    let extra_care = crate::extra_care::queries::reported_days_of(store, &children)?;
    let others = match &store.membership().provider {
        Some(provider) => siblings::others_of(store, provider, &family.family_key)?,
        None => vec![],
    };
    let statutes = statute_versions::book(store)?;
    Ok(FamilyFees {
        family,
        contracts,
        fee_case,
        extra_care,
        others,
        statutes,
    })
}

fn empty_fee_case(family: &Family) -> FeeCase {
    FeeCase {
        family: family.id.clone(),
        payer: family.guardians.first().map(|g| g.id.clone()),
        mandate: None,
        statuses: vec![],
        decisions: vec![],
        overrides: vec![],
        extra_care_decisions: vec![],
        reductions: vec![],
    }
}

/// The families this node holds, by family number.
pub fn family_ids(store: &Store) -> Result<Vec<FamilyId>, StoreError> {
    queries::family_ids(store)
}

/// A change of a fee case as its audit entry names it.
pub(crate) struct Change<'a> {
    pub who: &'a Principal,
    pub action: &'static str,
    pub subjects: Vec<String>,
    pub valid_from: Option<String>,
}

/// Checks `fee_case` and saves it (creating the document on first write) with one audit entry.
pub(crate) fn save_fee_case(
    store: &mut Store,
    provider: &ProviderId,
    fee_case: &FeeCase,
    change: Change<'_>,
    now: Now,
) -> Result<(), ActionError> {
    let id = fee_case_doc_id(&fee_case.family);
    let audit = AuditEntry {
        at: now.millis,
        actor: change.who.audit_name(),
        action: change.action,
        target: Some(id.0.clone()),
        subjects: change.subjects,
        valid_from: change.valid_from,
    };
    let mut doc = fee_case_doc(store, provider, fee_case, audit.action, now)?;
    store.save_doc(&mut doc, &audit)?;
    Ok(())
}

/// Checks `fee_case` and gives its document changed (or created on first write), not yet saved:
/// for an action that saves many in one transaction.
pub(crate) fn fee_case_doc(
    store: &Store,
    provider: &ProviderId,
    fee_case: &FeeCase,
    action: &'static str,
    now: Now,
) -> Result<StoredDoc, ActionError> {
    fee_case.validate()?;
    let id = fee_case_doc_id(&fee_case.family);
    Ok(match store.find::<FeeCase>(&id)? {
        Some((mut doc, _)) => {
            doc.update(fee_case, now.today, now.millis, action)
                .map_err(StoreError::from)?;
            doc
        }
        None => {
            let meta = DocMeta {
                kind: DocKind::FeeCase,
                schema: DocKind::FeeCase.schema_version(),
                owner: provider_org(provider),
                provider: Some(provider.clone()),
                // No Kita: the fee case stays in the Träger's office.
                facilities: vec![],
                origin_node: store.node_name().to_string(),
                created_on: now.today,
            };
            StoredDoc::create(id, meta, fee_case, store.actor(), now.today, now.millis)
                .map_err(StoreError::from)?
        }
    })
}

/// How the family pays, as the clerk enters it: `mandate` absent = Selbstzahler (transfer).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct PaymentInput {
    pub payer: String,
    #[serde(default)]
    pub mandate: Option<MandateInput>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct MandateInput {
    pub holder: String,
    pub iban: String,
    #[serde(default)]
    pub bic: String,
    #[serde(default)]
    pub bank: String,
    pub reference: String,
    /// `YYYY-MM-DD`.
    pub signed_on: String,
}

/// Sets who pays and how (Lastenheft 3.10.1: the payer and the bank data of the mandate).
pub fn set_payment(
    store: &mut Store,
    who: &Principal,
    family: &FamilyId,
    input: &PaymentInput,
    now: Now,
) -> Result<FeeCase, ActionError> {
    let provider = authorize_here(store, who, FeeAction::Decide)?;
    let mut fees = load_family(store, family)?;
    let mut v = Validator::new();
    let payer = GuardianId(input.payer.clone());
    v.check(
        fees.family.guardians.iter().any(|g| g.id == payer),
        "payer",
        "kein Personensorgeberechtigter der Familie / not a guardian of the family",
    );
    let mandate = match &input.mandate {
        None => None,
        Some(m) => {
            let iban: String = m
                .iban
                .chars()
                .filter(|c| !c.is_whitespace())
                .collect::<String>()
                .to_uppercase();
            if let Err(e) = kitanetz_sepa::Iban::parse(&iban) {
                v.fail("iban", format!("IBAN: {e}"));
            }
            let bic = m.bic.trim().to_uppercase();
            if !bic.is_empty() {
                if let Err(e) = kitanetz_sepa::Bic::parse(&bic) {
                    v.fail("bic", format!("BIC: {e}"));
                }
            }
            v.text("holder", &m.holder, 70);
            v.text("reference", &m.reference, 35);
            let signed_on = v.date("signed_on", &m.signed_on);
            if let Some(d) = signed_on {
                v.check(
                    d <= now.today,
                    "signed_on",
                    "Unterschrift in der Zukunft / signed in the future",
                );
            }
            signed_on.map(|signed_on| DebitMandate {
                holder: m.holder.trim().to_string(),
                iban,
                bic,
                bank: m.bank.trim().to_string(),
                reference: m.reference.trim().to_string(),
                signed_on,
            })
        }
    };
    v.finish()?;
    fees.fee_case.payer = Some(payer);
    fees.fee_case.mandate = mandate;
    save_fee_case(
        store,
        &provider,
        &fees.fee_case,
        Change {
            who,
            action: "fees.payment",
            subjects: vec![family.0.clone()],
            valid_from: None,
        },
        now,
    )?;
    Ok(fees.fee_case)
}

/// A child's fee status from a month (foster or home child, heilpädagogischer Platz).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct StatusInput {
    pub child: String,
    /// `YYYY-MM`: the status holds from the 1st of this month.
    pub from: String,
    pub status: String,
}

pub fn set_status(
    store: &mut Store,
    who: &Principal,
    family: &FamilyId,
    input: &StatusInput,
    now: Now,
) -> Result<FeeCase, ActionError> {
    let provider = authorize_here(store, who, FeeAction::Decide)?;
    let mut fees = load_family(store, family)?;
    let mut v = Validator::new();
    let child = child_of(&mut v, &fees, &input.child);
    v.check(
        kitanetz_crdt::kinds::fee_case::FEE_STATUSES.contains(&input.status.as_str()),
        "status",
        "unbekannter Status / unknown status",
    );
    let from = first_day_of(&mut v, "from", &input.from);
    v.finish()?;
    let from = from.expect("checked");
    fees.fee_case
        .statuses
        .retain(|s| !(s.child == child && s.from == from));
    fees.fee_case.statuses.push(ChildFeeStatus {
        child: child.clone(),
        from,
        status: input.status.clone(),
    });
    fees.fee_case
        .statuses
        .sort_by(|a, b| (&a.child, a.from).cmp(&(&b.child, b.from)));
    save_fee_case(
        store,
        &provider,
        &fees.fee_case,
        Change {
            who,
            action: "fees.status",
            subjects: vec![child.0.clone()],
            valid_from: Some(from.to_string()),
        },
        now,
    )?;
    Ok(fees.fee_case)
}

/// A fee set by hand: for `child` from a month, until a month or open-ended.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct OverrideInput {
    pub child: String,
    /// `YYYY-MM`.
    pub from: String,
    /// `YYYY-MM`; empty: until removed.
    #[serde(default)]
    pub until: String,
    /// Euros, e.g. `"80.00"` or `"80,00"`.
    pub amount: String,
    pub reason: String,
}

/// The child `id` of the family, or a field error.
fn child_of(v: &mut Validator, fees: &FamilyFees, id: &str) -> ChildId {
    let child = ChildId(id.to_string());
    v.check(
        fees.family.child(&child).is_some(),
        "child",
        "kein Kind der Familie / not a child of the family",
    );
    child
}

/// The 1st of the month `YYYY-MM`, or a field error.
fn first_day_of(v: &mut Validator, field: &str, month: &str) -> Option<Date> {
    let day = kitanetz_fees::Month::parse(month.trim())
        .and_then(|m| format!("{m}-01").parse::<Date>().ok());
    v.check(day.is_some(), field, "Monat als JJJJ-MM / month as YYYY-MM");
    day
}

/// Sets a child's fee by hand; the computed fee stays visible beside it and a new decision is
/// needed for it to be billed.
pub fn set_override(
    store: &mut Store,
    who: &Principal,
    family: &FamilyId,
    input: &OverrideInput,
    now: Now,
) -> Result<FeeCase, ActionError> {
    let provider = authorize_here(store, who, FeeAction::Decide)?;
    let mut fees = load_family(store, family)?;
    let mut v = Validator::new();
    let child = child_of(&mut v, &fees, &input.child);
    let from = first_day_of(&mut v, "from", &input.from);
    let until = if input.until.trim().is_empty() {
        None
    } else {
        first_day_of(&mut v, "until", &input.until)
    };
    if let (Some(f), Some(u)) = (from, until) {
        v.check(u >= f, "until", "Ende vor Beginn / end before start");
    }
    let amount = rust_decimal::Decimal::from_str_exact(&input.amount.trim().replace(',', ".")).ok();
    v.check(
        amount.is_some_and(|a| !a.is_sign_negative() && a.normalize().scale() <= 2),
        "amount",
        "Betrag in Euro ab 0, höchstens zwei Nachkommastellen / euros from 0, at most two decimals",
    );
    v.text("reason", &input.reason, 500);
    v.finish()?;
    fees.fee_case
        .overrides
        .push(kitanetz_crdt::kinds::FeeOverride {
            child: child.clone(),
            from: from.expect("checked"),
            until,
            amount: kitanetz_crdt::scalar::Dec(amount.expect("checked")),
            reason: input.reason.trim().to_string(),
            set_by: who.audit_name(),
            set_on: now.today,
        });
    save_fee_case(
        store,
        &provider,
        &fees.fee_case,
        Change {
            who,
            action: "fees.override",
            subjects: vec![child.0.clone()],
            valid_from: from.map(|d| d.to_string()),
        },
        now,
    )?;
    Ok(fees.fee_case)
}

/// Which override to remove: its position in the fee case's list.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RemoveOverrideInput {
    pub index: usize,
}

/// Removes a fee set by hand: the computed fee applies again (after a new decision).
pub fn remove_override(
    store: &mut Store,
    who: &Principal,
    family: &FamilyId,
    input: &RemoveOverrideInput,
    now: Now,
) -> Result<FeeCase, ActionError> {
    let provider = authorize_here(store, who, FeeAction::Decide)?;
    let mut fees = load_family(store, family)?;
    if input.index >= fees.fee_case.overrides.len() {
        return Err(ActionError::NotFound(format!("override {}", input.index)));
    }
    let removed = fees.fee_case.overrides.remove(input.index);
    save_fee_case(
        store,
        &provider,
        &fees.fee_case,
        Change {
            who,
            action: "fees.override.remove",
            subjects: vec![removed.child.0.clone()],
            valid_from: Some(removed.from.to_string()),
        },
        now,
    )?;
    Ok(fees.fee_case)
}
