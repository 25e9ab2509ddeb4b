//! The monthly billing (Soll-Stellung, Lastenheft 3.10.9) of a Träger's Beitragsstelle: the
//! decided amounts of every family against everything charged before, the positions stored in
//! the node's billing book with one audit entry, and the run's files — the flat file for the
//! finance system and the SEPA direct-debit file (pain.008).

use super::decisions::Decided;
use super::queries::{self, RunRow};
use super::{authorize_here, family_ids, load_family, FeeAction};
use crate::action::ActionError;
use crate::auth::Principal;
use crate::clock::Now;
use crate::config::FeesSection;
use crate::storage::{AuditEntry, Store, StoreError};
use chrono::NaiveDateTime;
use kitanetz_billing::sepa_export::{direct_debits, Collection, DirectDebitRun, Mandate};
use kitanetz_billing::{soll_stellung, Charge, DecidedAmount, FamilyNumber, Pkn, Position};
use kitanetz_crdt::scalar::Date;
use kitanetz_fees::{Money, Month};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RunInput {
    /// The month billed (`YYYY-MM`): normally the month after the run.
    pub month: String,
}

/// What a run did.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RunSummary {
    pub run: RunRow,
    /// Families whose decisions could not be read into the run (named, never dropped silently).
    pub skipped: Vec<String>,
}

/// The first month this node bills (`[fees] billed_since`), else the statute's first.
pub fn billed_since(fees: &FeesSection) -> Month {
    Month::parse(fees.billed_since.trim()).unwrap_or_else(super::compute::statute_start)
}

/// Runs the Soll-Stellung for `input.month`: every decided amount up to that month against the
/// billing book. Running it again for the same month adds only what changed since.
pub fn run(
    store: &mut Store,
    who: &Principal,
    input: &RunInput,
    fees_config: &FeesSection,
    now: Now,
) -> Result<RunSummary, ActionError> {
    authorize_here(store, who, FeeAction::Bill)?;
    let month = Month::parse(input.month.trim()).ok_or_else(|| {
        let mut v = kitanetz_crdt::validate::Validator::new();
        v.fail("month", "Monat als JJJJ-MM / month as YYYY-MM");
        ActionError::Invalid(v.finish().expect_err("one failure"))
    })?;
    let since = billed_since(fees_config);
    let mut decided = Vec::new();
    let mut skipped = Vec::new();
    for family in family_ids(store)? {
        let fees = load_family(store, &family)?;
        let decided_here = match Decided::of(&fees.fee_case) {
            Ok(d) => d,
            Err(e) => {
                skipped.push(format!("{}: {e}", family.0));
                continue;
            }
        };
        let Some(first) = decided_here.first_month() else {
            continue;
        };
        for (pkn, m, amount, explanation) in decided_here.amounts(first, month) {
            match Pkn::parse(pkn.as_str()) {
                Ok(pkn) => decided.push(DecidedAmount {
                    pkn,
                    month: m,
                    charge: Charge::Fee,
                    amount: Money::round(amount),
                    explanation,
                }),
                Err(e) => skipped.push(format!("{}: {e}", family.0)),
            }
        }
    }
    let stored = stored_positions(store, None)?;
    let charged: Vec<_> = stored.iter().map(Position::charged).collect();
    let outcome = soll_stellung(month, since, &decided, &charged)
        .map_err(|refused| ActionError::Conflict(refused.to_string()))?;
    let total = outcome.total().to_string();
    let rows: Vec<(String, String, String)> = outcome
        .positions
        .iter()
        .map(|p| {
            (
                p.id.clone(),
                p.pkn.to_string(),
                serde_json::to_string(p).expect("a position serialises"),
            )
        })
        .collect();
    let actor = who.audit_name();
    let month_text = month.to_string();
    let run_id = store.write(|conn| -> Result<i64, StoreError> {
        let id = queries::insert_run(conn, &month_text, now.millis, &actor, &total, &rows)?;
        crate::storage::audit_in(
            conn,
            &AuditEntry {
                at: now.millis,
                actor: actor.clone(),
                action: "fees.billing.run",
                target: Some(format!("billing-run-{id}")),
                subjects: vec![],
                valid_from: Some(format!("{month_text}-01")),
            },
        )?;
        Ok(id)
    })?;
    let run = queries::run(store, run_id)?.expect("just stored");
    Ok(RunSummary { run, skipped })
}

/// The billing runs, newest first.
pub fn runs(store: &Store, who: &Principal) -> Result<Vec<RunRow>, ActionError> {
    authorize_here(store, who, FeeAction::View)?;
    Ok(queries::runs(store)?)
}

fn stored_positions(store: &Store, run: Option<i64>) -> Result<Vec<Position>, StoreError> {
    queries::positions(store, run)?
        .iter()
        .map(|data| {
            serde_json::from_str(data)
                .map_err(|e| StoreError::Corrupt(format!("billing position: {e}")))
        })
        .collect()
}

/// A run and its positions.
pub fn positions_of(
    store: &Store,
    who: &Principal,
    run: i64,
) -> Result<(RunRow, Vec<Position>), ActionError> {
    authorize_here(store, who, FeeAction::View)?;
    let row = queries::run(store, run)?.ok_or_else(|| ActionError::NotFound(run.to_string()))?;
    Ok((row, stored_positions(store, Some(run))?))
}

/// The finance system's flat file of a run (`node/billing/FINANCE_FILE.md`).
pub fn finance_file(store: &Store, who: &Principal, run: i64) -> Result<String, ActionError> {
    let (_, positions) = positions_of(store, who, run)?;
    Ok(kitanetz_billing::finance_export::finance_file(&positions).text)
}

/// The direct debits of a run: the pain.008 file (none when nobody can be collected), who is in
/// it and who is not, and why.
pub fn direct_debit_file(
    store: &Store,
    who: &Principal,
    run: i64,
    fees_config: &FeesSection,
    node_name: &str,
    created_at: NaiveDateTime,
    today: Date,
) -> Result<DirectDebitRun, ActionError> {
    let (row, positions) = positions_of(store, who, run)?;
    let creditor = fees_config.creditor.as_ref().ok_or_else(|| {
        ActionError::Conflict(
            "Kein Gläubiger in node.toml [fees.creditor]: ohne ihn keine Lastschriftdatei / no creditor configured: no direct-debit file"
                .into(),
        )
    })?;
    let creditor = kitanetz_sepa::Creditor {
        name: creditor.name.clone(),
        iban: kitanetz_sepa::Iban::parse(&creditor.iban)
            .map_err(|e| ActionError::Conflict(format!("[fees.creditor] iban: {e}")))?,
        bic: match creditor.bic.trim() {
            "" => None,
            bic => Some(
                kitanetz_sepa::Bic::parse(bic)
                    .map_err(|e| ActionError::Conflict(format!("[fees.creditor] bic: {e}")))?,
            ),
        },
        creditor_id: kitanetz_sepa::CreditorId::parse(&creditor.creditor_id)
            .map_err(|e| ActionError::Conflict(format!("[fees.creditor] creditor_id: {e}")))?,
    };
    let mut mandates = Vec::new();
    for family in family_ids(store)? {
        let fees = load_family(store, &family)?;
        let (Some(m), Ok(payer)) = (
            &fees.fee_case.mandate,
            FamilyNumber::parse(&fees.family.family_number),
        ) else {
            continue;
        };
        mandates.push(Mandate {
            payer,
            reference: m.reference.clone(),
            signed_on: m.signed_on.0,
            iban: m.iban.clone(),
            bic: (!m.bic.is_empty()).then(|| m.bic.clone()),
            debtor_name: m.holder.clone(),
        });
    }
    // Due in the current month (Satzung § 12 (1)): collected on the 15th of the billed month,
    // or two days from now when that has passed.
    let billed = Month::parse(&row.billing_month)
        .ok_or_else(|| StoreError::Corrupt(format!("billing month {:?}", row.billing_month)))?;
    let fifteenth = Date::ymd(billed.year(), billed.month(), 15);
    let earliest = Date(today.0 + chrono::Days::new(2));
    let collection = Collection {
        message_id: format!("KN-{node_name}-{run}"),
        created_at,
        collection_date: fifteenth.max(earliest).0,
        creditor,
    };
    direct_debits(&positions, &mandates, &collection)
        .map_err(|refused| ActionError::Conflict(refused.to_string()))
}
