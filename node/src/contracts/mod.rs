//! Care contracts with time-valid lines: entering a contract and changing it from a date.

pub mod http;
pub mod notice;

use crate::action::ActionError;
use crate::auth::{authorize, Action, Principal};
use crate::clock::Now;
use crate::facilities::provider_of;
use crate::families::child_facility;
use crate::storage::{AuditEntry, Store, StoreError};
use kitanetz_crdt::doc::StoredDoc;
use kitanetz_crdt::ids::{
    doc_id_for, provider_org, ChildId, ContractId, ContractLineId, FacilityId, FamilyId, IdGen,
    ProviderId, RandomIdGen,
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

/// One contract line as the domain takes it (the form parses its strings into this; the JSON
/// API takes it as it is, with the hours as a number).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LineCommand {
    #[serde(with = "crate::input::care_type")]
    pub care_type: CareType,
    #[serde(with = "crate::input::decimal")]
    pub daily_hours: Dec,
    #[serde(with = "crate::input::payment_mode")]
    pub payment_mode: PaymentMode,
}

/// A new contract: from `start` (a month's first day), open-ended or until `end`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewContract {
    pub start: Date,
    #[serde(default)]
    pub end: Option<Date>,
    #[serde(flatten)]
    pub line: LineCommand,
}

/// A change of a contract from a date.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ContractChange {
    pub valid_from: Date,
    #[serde(flatten)]
    pub line: LineCommand,
}

impl LineCommand {
    fn check(&self, v: &mut Validator) {
        kitanetz_crdt::kinds::daily_hours(v, "daily_hours", self.daily_hours);
    }

    fn into_line(self, ids: &mut dyn IdGen) -> ContractLine {
        ContractLine {
            id: ContractLineId::generate(ids),
            valid: Period::from(Date::ymd(2000, 1, 1)),
            care_type: self.care_type,
            daily_hours: self.daily_hours,
            group: None,
            payment_mode: self.payment_mode,
            reserved_seat: false,
        }
    }
}

/// Ids from the operating system's randomness.
pub(crate) fn os_ids() -> RandomIdGen<impl FnMut() -> u128> {
    RandomIdGen(|| {
        let mut b = [0u8; 16];
        rand_core::RngCore::fill_bytes(&mut rand_core::OsRng, &mut b);
        u128::from_le_bytes(b)
    })
}

/// Checks that `who` may enter contracts for `child`'s Kita; returns the child's family, Kita
/// and Träger. Reads only the scope (projection rows), nothing personal.
pub fn authorize_for_child(
    store: &Store,
    who: &Principal,
    child: &ChildId,
) -> Result<(FamilyId, FacilityId, ProviderId), ActionError> {
    let (family, facility) = child_facility(store, child)?;
    let provider = provider_of(store, &facility)?;
    authorize(
        who,
        Action::EditContracts {
            facility: &facility,
            provider: &provider,
        },
    )?;
    Ok((family, facility, provider))
}

/// How far ahead a contract may start (Lastenheft 3.6.7: contracts are concluded about four
/// months before the start; years ahead are a typing error).
pub const MAX_YEARS_AHEAD: u32 = 3;

/// A contract of `child` this node holds whose period overlaps `period` (a child has one care
/// contract at a time; a change of care is a change of that contract from a date).
fn overlapping_contract(
    store: &Store,
    child: &ChildId,
    period: &Period,
) -> Result<Option<ContractId>, StoreError> {
    let mut stmt = store
        .conn()
        .prepare_cached("SELECT id, start, end FROM p_contracts WHERE child = ?1")?;
    let rows = stmt.query_map([&child.0], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, Option<String>>(2)?,
        ))
    })?;
    for row in rows {
        let (id, start, end) = row?;
        let corrupt = |v: &str| StoreError::Corrupt(format!("p_contracts: date {v:?}"));
        let start: Date = start.parse().map_err(|_| corrupt(&start))?;
        let end: Option<Date> = match end {
            Some(e) => Some(e.parse().map_err(|_| corrupt(&e))?),
            None => None,
        };
        let existing = Period::new(start, end).map_err(|_| corrupt(&start.to_string()))?;
        if existing.overlaps(period) {
            return Ok(Some(ContractId(id)));
        }
    }
    Ok(None)
}

/// Enters a new contract for a child of the caller's Kita. The document belongs to the Träger.
pub fn create(
    store: &mut Store,
    who: &Principal,
    child: &ChildId,
    input: &NewContract,
    now: Now,
) -> Result<CareContract, ActionError> {
    let Now {
        today,
        millis: now_millis,
    } = now;
    let (family, facility, provider) = authorize_for_child(store, who, child)?;
    let mut ids = os_ids();
    let mut v = Validator::new();
    input.line.check(&mut v);
    v.plausible_date("start", input.start);
    if let Some(end) = input.end {
        v.plausible_date("end", end);
    }
    v.check(
        input.start.0 <= today.0 + chrono::Months::new(12 * MAX_YEARS_AHEAD),
        "start",
        format!(
            "Vertragsbeginn höchstens {MAX_YEARS_AHEAD} Jahre im Voraus / a contract starts at most {MAX_YEARS_AHEAD} years ahead"
        ),
    );
    {
        use chrono::Datelike;
        v.check(
            input.start.0.day() == 1,
            "start",
            "Verträge beginnen am Monatsersten / contracts start on the first of a month",
        );
    }
    let period = match Period::new(input.start, input.end) {
        Ok(p) => Some(p),
        Err(err) => {
            v.fail("end", err.to_string());
            None
        }
    };
    if let Some(period) = &period {
        if let Some(other) = overlapping_contract(store, child, period)? {
            v.fail(
                "start",
                format!(
                    "Das Kind hat in dieser Zeit schon den Vertrag {other}: bitte diesen ändern oder beenden / the child already has contract {other} in this period: change or end it"
                ),
            );
        }
    }
    v.finish()?;
    let period = period.expect("checked");
    let mut line = input.line.clone().into_line(&mut ids);
    line.valid = period;
    let contract = CareContract {
        id: ContractId::generate(&mut ids),
        family,
        child: child.clone(),
        facility: facility.clone(),
        period,
        lines: vec![line],
        notice_given_on: None,
        notice_reason: None,
        school_entry: None,
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
            actor: who.audit_name(),
            action: "contract.create",
            target,
            subjects: vec![child.0.clone()],
            valid_from: Some(period.start().to_string()),
        },
    )?;
    Ok(contract)
}

/// Loads a contract after checking `who` may do what `action` names for its Kita. The scope
/// comes from the projection, so nothing of the contract is read before the check.
fn load_checked(
    store: &Store,
    who: &Principal,
    id: &ContractId,
    action: impl for<'a> FnOnce(&'a FacilityId, &'a ProviderId) -> Action<'a>,
) -> Result<(StoredDoc, CareContract), ActionError> {
    let facility: FacilityId = store
        .conn()
        .query_row(
            "SELECT facility FROM p_contracts WHERE id = ?1",
            [&id.0],
            |r| r.get::<_, String>(0),
        )
        .map(FacilityId)
        .map_err(|e| match e {
            rusqlite::Error::QueryReturnedNoRows => ActionError::NotFound(id.0.clone()),
            other => other.into(),
        })?;
    let provider = provider_of(store, &facility)?;
    authorize(who, action(&facility, &provider))?;
    Ok(store.get::<CareContract>(&contract_doc_id(id))?)
}

/// One contract, for those who may see the Kita's contracts.
pub fn get(store: &Store, who: &Principal, id: &ContractId) -> Result<CareContract, ActionError> {
    Ok(
        load_checked(store, who, id, |facility, provider| Action::ViewContracts {
            facility,
            provider,
        })?
        .1,
    )
}

/// Loads a contract for a change, after checking `who` may edit that Kita's contracts.
pub fn load_for_edit(
    store: &Store,
    who: &Principal,
    id: &ContractId,
) -> Result<(StoredDoc, CareContract), ActionError> {
    load_checked(store, who, id, |facility, provider| Action::EditContracts {
        facility,
        provider,
    })
}

/// Changes a contract from a date: the line in force ends the day before, a new line starts.
pub fn change(
    store: &mut Store,
    who: &Principal,
    id: &ContractId,
    input: &ContractChange,
    now: Now,
) -> Result<CareContract, ActionError> {
    let Now {
        today,
        millis: now_millis,
    } = now;
    let (mut doc, mut contract) = load_for_edit(store, who, id)?;
    let mut ids = os_ids();
    let mut v = Validator::new();
    let valid_from = input.valid_from;
    v.plausible_date("valid_from", valid_from);
    v.check(
        contract.period.contains(valid_from),
        "valid_from",
        format!(
            "Datum außerhalb der Vertragslaufzeit {} / date outside the contract period",
            contract.period
        ),
    );
    input.line.check(&mut v);
    v.finish()?;
    contract.change_from(valid_from, input.line.clone().into_line(&mut ids))?;
    doc.update(&contract, today, now_millis, "contract changed")
        .map_err(StoreError::from)?;
    let target = Some(doc.id.0.clone());
    store.save_doc(
        &mut doc,
        &AuditEntry {
            at: now_millis,
            actor: who.audit_name(),
            action: "contract.change",
            target,
            subjects: vec![contract.child.0.clone()],
            valid_from: Some(valid_from.to_string()),
        },
    )?;
    Ok(contract)
}

/// The care contract as a printable letter (Lastenheft 3.6.7.1: three copies, for the Kita,
/// the Träger's office and the parents), for those who may see the Kita's contracts. Shows the
/// contract as it reads from its start (its first line); later changes are annexes.
pub fn contract_letter(
    store: &Store,
    who: &Principal,
    id: &ContractId,
    today: Date,
) -> Result<crate::letters::Letter, ActionError> {
    use crate::applications::german_date;
    use kitanetz_crdt::kinds::{Address, FacilityProfile, Family, ProviderProfile};
    let contract = get(store, who, id)?;
    let (_, family) = store.get::<Family>(&crate::families::family_doc_id(&contract.family))?;
    let (_, facility) =
        store.get::<FacilityProfile>(&crate::facilities::profile_doc_id(&contract.facility))?;
    let (_, provider) =
        store.get::<ProviderProfile>(&doc_id_for("provider", &facility.provider.0))?;
    let party = |name: &str, a: &Address| {
        serde_json::json!({
            "name": name,
            "street": a.street,
            "postcode_town": format!("{} {}", a.postcode, a.city),
        })
    };
    let child = family
        .child(&contract.child)
        .ok_or_else(|| ActionError::NotFound(contract.child.0.clone()))?;
    let first = contract
        .lines
        .iter()
        .min_by_key(|l| l.valid.start())
        .ok_or_else(|| ActionError::NotFound(id.0.clone()))?;
    let data = serde_json::json!({
        "provider": party(&provider.name, &provider.address),
        "facility": party(&facility.name, &facility.address),
        "guardians": family
            .guardians
            .iter()
            .map(|g| party(&format!("{} {}", g.given_name, g.family_name), &g.address))
            .collect::<Vec<_>>(),
        "child": {
            "name": format!("{} {}", child.given_name, child.family_name),
            "birth_date": german_date(child.birth_date),
        },
        "contract_ref": contract.id.0,
        "start": german_date(contract.period.start()),
        "end": contract.period.end().map(german_date).unwrap_or_default(),
        "care_type": first.care_type.label_de(),
        "daily_hours": first.daily_hours.0.normalize().to_string().replace('.', ","),
        "payment_mode": match first.payment_mode {
            PaymentMode::DirectDebit => "Lastschrift",
            PaymentMode::SelfPayer => "Selbstzahler",
        },
        "date": german_date(today),
        "copies": [
            "Ausfertigung für die Kita",
            "Ausfertigung für den Träger",
            "Ausfertigung für die Personensorgeberechtigten",
        ],
    });
    Ok(crate::letters::Letter {
        data,
        title: format!("Betreuungsvertrag {}", contract.id.0),
        author: provider.name,
        id: format!("contract/{}", contract.id.0),
        date: today,
    })
}

/// The exit certificate (Austrittsbescheinigung, Lastenheft 3.6.17 and 3.10.7.1) of a contract
/// that ended with a coded reason: the child, the Kita and its Träger, the care from the first
/// to the last day with its care types, the reason in words. `signer`: the Kita's lead as the
/// facility profile names her, else the caller.
pub fn exit_certificate(
    store: &Store,
    contract: &CareContract,
    signer: &str,
    today: Date,
) -> Result<kitanetz_letters::ExitCertificate, ActionError> {
    use kitanetz_crdt::kinds::contract::NOTICE_REASONS;
    use kitanetz_crdt::kinds::{FacilityProfile, Family, ProviderProfile};
    let not_ended = || {
        ActionError::Conflict(format!(
            "Vertrag {} ist nicht beendet / has not ended",
            contract.id.0
        ))
    };
    let (Some(end), Some(reason)) = (contract.period.end(), contract.notice_reason.as_deref())
    else {
        return Err(not_ended());
    };
    let (_, family) = store.get::<Family>(&crate::families::family_doc_id(&contract.family))?;
    let (_, facility) =
        store.get::<FacilityProfile>(&crate::facilities::profile_doc_id(&contract.facility))?;
    let (_, provider) =
        store.get::<ProviderProfile>(&doc_id_for("provider", &facility.provider.0))?;
    let child = family
        .child(&contract.child)
        .ok_or_else(|| ActionError::NotFound(contract.child.0.clone()))?;
    let mut care_types: Vec<String> = Vec::new();
    for line in contract.effective_lines() {
        let label = line.care_type.label_de().to_string();
        if care_types.last() != Some(&label) {
            care_types.push(label);
        }
    }
    let lead = facility.lead_name.trim();
    Ok(kitanetz_letters::ExitCertificate {
        child_given_name: child.given_name.clone(),
        child_family_name: child.family_name.clone(),
        birth_date: child.birth_date.0,
        facility_name: facility.name.clone(),
        facility_address: vec![
            facility.address.street.clone(),
            format!("{} {}", facility.address.postcode, facility.address.city),
        ],
        provider_name: provider.name.clone(),
        care_from: contract.period.start().0,
        care_until: end.0,
        care_types,
        reason: NOTICE_REASONS
            .iter()
            .find(|(code, _)| *code == reason)
            .map_or(reason, |(_, label)| label)
            .to_string(),
        place: facility.address.city.clone(),
        issued_on: today.0,
        signer: if lead.is_empty() { signer } else { lead }.to_string(),
    })
}
