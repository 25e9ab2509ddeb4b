//! Care contracts with time-valid lines: entering a contract and changing it from a date.

pub mod http;

use crate::action::ActionError;
use crate::auth::{authorize, Action, Caller};
use crate::clock::Now;
use crate::facilities::provider_of;
use crate::families::child_facility;
use crate::storage::{AuditEntry, Store, StoreError};
use kitanetz_crdt::doc::StoredDoc;
use kitanetz_crdt::ids::{
    doc_id_for, provider_org, ChildId, ContractId, ContractLineId, IdGen, RandomIdGen,
};
use kitanetz_crdt::kinds::{CareContract, CareType, ContractLine, PaymentMode};
use kitanetz_crdt::meta::{DocKind, DocMeta};
use kitanetz_crdt::period::Period;
use kitanetz_crdt::scalar::{Date, Dec};
use kitanetz_crdt::validate::Validator;
use kitanetz_crdt::DocId;
use serde::{Deserialize, Serialize};

pub fn contract_doc_id(id: &ContractId) -> DocId {
    doc_id_for("contract", &id.0)
}

/// What a person types for one contract line. Strings, so that bad input comes back to the
/// form with a message instead of a parse failure.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
// Every field defaults to empty so that a partial form reaches the handler, which
// authorises first and then reports each missing field by name.
#[serde(default)]
pub struct LineInput {
    pub care_type: String,
    pub daily_hours: String,
    pub payment_mode: String,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
// Every field defaults to empty so that a partial form reaches the handler, which
// authorises first and then reports each missing field by name.
#[serde(default)]
pub struct NewContractInput {
    pub start: String,
    #[serde(default)]
    pub end: String,
    #[serde(flatten)]
    pub line: LineInput,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
// Every field defaults to empty so that a partial form reaches the handler, which
// authorises first and then reports each missing field by name.
#[serde(default)]
pub struct ChangeInput {
    pub valid_from: String,
    #[serde(flatten)]
    pub line: LineInput,
}

fn parse_line(v: &mut Validator, input: &LineInput, ids: &mut dyn IdGen) -> Option<ContractLine> {
    let care_type = CareType::parse(input.care_type.trim());
    v.check(
        care_type.is_some(),
        "care_type",
        "Betreuungsart wählen / choose a care type",
    );
    let hours = input
        .daily_hours
        .trim()
        .replace(',', ".")
        .parse::<Dec>()
        .ok();
    match hours {
        Some(h) => kitanetz_crdt::kinds::daily_hours(v, "daily_hours", h),
        None => v.fail(
            "daily_hours",
            "Stundenzahl, z. B. 7,5 / a number of hours, e.g. 7.5",
        ),
    }
    let payment = PaymentMode::parse(input.payment_mode.trim());
    v.check(
        payment.is_some(),
        "payment_mode",
        "Zahlungsweise wählen / choose a payment mode",
    );
    Some(ContractLine {
        id: ContractLineId::generate(ids),
        valid: Period::from(Date::ymd(2000, 1, 1)),
        care_type: care_type?,
        daily_hours: hours?,
        group: None,
        payment_mode: payment?,
        reserved_seat: false,
    })
}

fn os_ids() -> RandomIdGen<impl FnMut() -> u128> {
    RandomIdGen(|| {
        let mut b = [0u8; 16];
        rand_core::RngCore::fill_bytes(&mut rand_core::OsRng, &mut b);
        u128::from_le_bytes(b)
    })
}

/// Enters a new contract for a child of the caller's Kita. The document belongs to the Träger.
pub fn create(
    store: &mut Store,
    caller: &Caller,
    child: &ChildId,
    input: &NewContractInput,
    now: Now,
) -> Result<CareContract, ActionError> {
    let Now {
        today,
        millis: now_millis,
    } = now;
    let (family, facility) = child_facility(store, child)?;
    let provider = provider_of(store, &facility)?;
    authorize(
        caller,
        Action::EditContracts {
            facility: &facility,
            provider: &provider,
        },
    )?;
    let mut ids = os_ids();
    let mut v = Validator::new();
    let start = v.date("start", &input.start);
    let end = if input.end.trim().is_empty() {
        None
    } else {
        v.date("end", &input.end)
    };
    let line = parse_line(&mut v, &input.line, &mut ids);
    if let Some(start) = start {
        use chrono::Datelike;
        v.check(
            start.0.day() == 1,
            "start",
            "Verträge beginnen am Monatsersten / contracts start on the first of a month",
        );
    }
    let period = match (start, end) {
        (Some(s), e) => match Period::new(s, e) {
            Ok(p) => Some(p),
            Err(err) => {
                v.fail("end", err.to_string());
                None
            }
        },
        _ => None,
    };
    v.finish()?;
    let (period, mut line) = (period.expect("checked"), line.expect("checked"));
    line.valid = period;
    let contract = CareContract {
        id: ContractId::generate(&mut ids),
        family,
        child: child.clone(),
        facility: facility.clone(),
        period,
        lines: vec![line],
        notice_given_on: None,
    };
    let meta = DocMeta {
        kind: DocKind::CareContract,
        schema: DocKind::CareContract.schema_version(),
        owner: provider_org(&provider),
        provider: Some(provider),
        facilities: vec![facility],
        origin_node: store.node_name().to_string(),
        created_on: today,
    };
    let mut doc = StoredDoc::create(
        contract_doc_id(&contract.id),
        meta,
        &contract,
        store.actor(),
        today,
        now_millis,
    )
    .map_err(StoreError::from)?;
    let target = Some(doc.id.0.clone());
    store.save_doc(
        &mut doc,
        &AuditEntry {
            at: now_millis,
            actor: caller.audit_name(),
            action: "contract.create",
            target,
            subjects: vec![child.0.clone()],
            valid_from: Some(period.start().to_string()),
        },
    )?;
    Ok(contract)
}

/// Loads a contract after checking the caller may edit that Kita's contracts.
pub fn load_for_edit(
    store: &Store,
    caller: &Caller,
    id: &ContractId,
) -> Result<(StoredDoc, CareContract), ActionError> {
    let (doc, contract) = store.get::<CareContract>(&contract_doc_id(id))?;
    let provider = provider_of(store, &contract.facility)?;
    authorize(
        caller,
        Action::EditContracts {
            facility: &contract.facility,
            provider: &provider,
        },
    )?;
    Ok((doc, contract))
}

/// Changes a contract from a date: the line in force ends the day before, a new line starts.
pub fn change(
    store: &mut Store,
    caller: &Caller,
    id: &ContractId,
    input: &ChangeInput,
    now: Now,
) -> Result<CareContract, ActionError> {
    let Now {
        today,
        millis: now_millis,
    } = now;
    let (mut doc, mut contract) = load_for_edit(store, caller, id)?;
    let mut ids = os_ids();
    let mut v = Validator::new();
    let valid_from = v.date("valid_from", &input.valid_from);
    if let Some(d) = valid_from {
        v.check(
            contract.period.contains(d),
            "valid_from",
            format!(
                "Datum außerhalb der Vertragslaufzeit {} / date outside the contract period",
                contract.period
            ),
        );
    }
    let line = parse_line(&mut v, &input.line, &mut ids);
    v.finish()?;
    let valid_from = valid_from.expect("checked");
    contract.change_from(valid_from, line.expect("checked"))?;
    doc.update(&contract, today, now_millis, "contract changed")
        .map_err(StoreError::from)?;
    let target = Some(doc.id.0.clone());
    store.save_doc(
        &mut doc,
        &AuditEntry {
            at: now_millis,
            actor: caller.audit_name(),
            action: "contract.change",
            target,
            subjects: vec![contract.child.0.clone()],
            valid_from: Some(valid_from.to_string()),
        },
    )?;
    Ok(contract)
}
