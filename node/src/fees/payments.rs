//! Payments received and arrears (Lastenheft 3.10.10): the Beitragsstelle uploads the finance
//! system's file of payments received (`node/billing/PAYMENTS_FILE.md`), and the payers more
//! than two months behind are marked on a work list and on their fee case — "so ist dies im
//! System kenntlich zu machen"; the Träger then checks whether to terminate the contract.
//!
//! What was charged comes from the billing book (the positions of the Soll-Stellung runs, by
//! the month they are for), what was paid from the uploaded payments; the rule is
//! `kitanetz_billing::arrears`. Nothing here is stored per family: the flag is computed whenever
//! it is shown, so a new upload or run changes it at once.

use super::queries::{self, ImportRow, NewPayment};
use super::{authorize_here, family_ids, FeeAction};
use crate::action::ActionError;
use crate::auth::Principal;
use crate::clock::Now;
use crate::storage::{AuditEntry, Store, StoreError};
use kitanetz_billing::arrears::{arrears, ArrearsRule, OpenItem};
use kitanetz_billing::payments_import;
use kitanetz_billing::{FamilyNumber, Position};
use kitanetz_crdt::ids::FamilyId;
use kitanetz_crdt::kinds::Family;
use kitanetz_crdt::scalar::Date;
use kitanetz_crdt::validate::FieldError;
use kitanetz_crdt::ValidationError;
use kitanetz_fees::{Money, Month};
use serde::Serialize;
use std::collections::HashMap;

/// The statute's threshold (Lastenheft 3.10.10: "mehr als 2 Monate").
pub const RULE: ArrearsRule = ArrearsRule::DRESDEN;

/// Stores the payments of a finance-system file: all of them or, when any row is wrong, none,
/// with every problem named by line and column. Payments already stored (the same file again,
/// or an overlapping export) are not stored twice. One audit entry in the same transaction.
pub fn import(
    store: &mut Store,
    who: &Principal,
    file_name: &str,
    bytes: &[u8],
    now: Now,
) -> Result<ImportRow, ActionError> {
    authorize_here(store, who, FeeAction::Bill)?;
    let file = payments_import::parse(bytes).map_err(|errors| {
        ActionError::Invalid(ValidationError {
            errors: errors
                .iter()
                .map(|e| FieldError {
                    field: format!("line {}: {}", e.line, e.column),
                    message: e.to_string(),
                })
                .collect(),
        })
    })?;
    let rows: Vec<NewPayment<'_>> = file
        .payments
        .iter()
        .map(|p| NewPayment {
            key: &p.key,
            payer: p.payer.to_string(),
            month: p.month.to_string(),
            amount: p.amount.to_string(),
            booked_on: p.booked_on.to_string(),
            reference: &p.reference,
        })
        .collect();
    let actor = who.audit_name();
    let file_name = file_name.trim();
    let total = file.total.to_string();
    let id = store.write(|conn| -> Result<i64, StoreError> {
        let id = queries::insert_import(conn, now.millis, &actor, file_name, &total, &rows)?;
        crate::storage::audit_in(
            conn,
            &AuditEntry {
                at: now.millis,
                actor: actor.clone(),
                action: "fees.payments.import",
                target: Some(format!("payment-import-{id}")),
                subjects: vec![],
                valid_from: None,
            },
        )?;
        Ok(id)
    })?;
    Ok(queries::import(store, id)?.expect("just stored"))
}

/// One month in arrears and what is still open of it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OpenMonth {
    /// `YYYY-MM`.
    pub month: String,
    pub open: Money,
}

/// Where a payer account stands on the day asked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PayerArrears {
    /// More months in arrears than the statute tolerates: check whether to terminate.
    pub flagged: bool,
    /// The overdue months with something open, oldest first (after credits and overpayments
    /// settled the oldest months first).
    pub months: Vec<OpenMonth>,
    pub open_total: Money,
}

/// A payer on the work list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ArrearsRow {
    pub family_number: String,
    /// The family's fee case, when this node holds the family.
    pub family: Option<FamilyId>,
    /// The payer's name (empty when the family is not held here).
    pub payer: String,
    #[serde(flatten)]
    pub arrears: PayerArrears,
}

/// The work list: every payer with an overdue month open, the flagged ones first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ArrearsList {
    /// The day the list is computed for.
    pub as_of: String,
    /// Flagged when more months than this are in arrears.
    pub months_more_than: usize,
    pub rows: Vec<ArrearsRow>,
    /// The uploads of payments, newest first.
    pub imports: Vec<ImportRow>,
}

/// The work list on `today`.
pub fn list(store: &Store, who: &Principal, today: Date) -> Result<ArrearsList, ActionError> {
    authorize_here(store, who, FeeAction::View)?;
    let positions = parse_positions(queries::positions(store, None)?)?;
    let payments = queries::payments(store, None)?;
    let by_payer = open_by_payer(&positions, &payments, today)?;
    let families = families_by_number(store)?;
    let mut rows = Vec::new();
    for (payer, arrears) in by_payer {
        let family_number = payer.to_string();
        let (family, name) = match families.get(&family_number) {
            Some(id) => {
                let fees = super::load_family(store, id)?;
                (Some(id.clone()), super::overview::payer_name(&fees))
            }
            None => (None, String::new()),
        };
        rows.push(ArrearsRow {
            family_number,
            family,
            payer: name,
            arrears,
        });
    }
    rows.sort_by(|a, b| {
        let oldest = |r: &ArrearsRow| r.arrears.months.first().map(|m| m.month.clone());
        (!a.arrears.flagged, oldest(a), &a.family_number).cmp(&(
            !b.arrears.flagged,
            oldest(b),
            &b.family_number,
        ))
    });
    Ok(ArrearsList {
        as_of: today.to_string(),
        months_more_than: RULE.months_more_than,
        rows,
        imports: queries::imports(store)?,
    })
}

/// One payer account on `today` (for its fee case, which has authorised the caller); `None`
/// when no overdue month is open.
pub fn of_payer(
    store: &Store,
    family_number: &str,
    today: Date,
) -> Result<Option<PayerArrears>, StoreError> {
    let Ok(payer) = FamilyNumber::parse(family_number) else {
        return Ok(None); // no PKN, so never billed
    };
    let positions = parse_positions(queries::positions_of_payer(store, family_number)?)?;
    let payments = queries::payments(store, Some(family_number))?;
    Ok(open_by_payer(&positions, &payments, today)?.remove(&payer))
}

fn parse_positions(rows: Vec<String>) -> Result<Vec<Position>, StoreError> {
    rows.iter()
        .map(|data| {
            serde_json::from_str(data)
                .map_err(|e| StoreError::Corrupt(format!("billing position: {e}")))
        })
        .collect()
}

/// Every payer with an overdue month open on `today`, with the flag of [`RULE`]: the same
/// computation for the list and the fee case.
fn open_by_payer(
    positions: &[Position],
    payments: &[queries::PaymentRow],
    today: Date,
) -> Result<HashMap<FamilyNumber, PayerArrears>, StoreError> {
    let mut items: Vec<OpenItem> = positions
        .iter()
        .map(|p| OpenItem {
            payer: p.payer(),
            month: p.month,
            charged: p.amount,
            paid: Money::ZERO,
        })
        .collect();
    for p in payments {
        let corrupt = || StoreError::Corrupt(format!("payment {} {}", p.payer, p.month));
        items.push(OpenItem {
            payer: FamilyNumber::parse(&p.payer).map_err(|_| corrupt())?,
            month: Month::parse(&p.month).ok_or_else(corrupt)?,
            charged: Money::ZERO,
            paid: kitanetz_billing::amount::parse_signed(&p.amount).ok_or_else(corrupt)?,
        });
    }
    // Every payer with one overdue month or more; the statute's flag on top.
    let any = ArrearsRule {
        months_more_than: 0,
    };
    Ok(arrears(&items, today.0, any)
        .into_iter()
        .map(|a| {
            let arrears = PayerArrears {
                flagged: a.months.len() > RULE.months_more_than,
                months: a
                    .months
                    .iter()
                    .map(|(month, open)| OpenMonth {
                        month: month.to_string(),
                        open: *open,
                    })
                    .collect(),
                open_total: a.overdue_total,
            };
            (a.payer, arrears)
        })
        .collect())
}

/// The families this node holds, by family number.
fn families_by_number(store: &Store) -> Result<HashMap<String, FamilyId>, ActionError> {
    let mut by_number = HashMap::new();
    for id in family_ids(store)? {
        if let Some((_, family)) = store.find::<Family>(&crate::families::family_doc_id(&id))? {
            by_number.insert(family.family_number, id);
        }
    }
    Ok(by_number)
}
