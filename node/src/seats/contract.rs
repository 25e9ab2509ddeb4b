//! Concluding the contract for a reserved seat (Lastenheft 3.6.7): the Kita lead checks and
//! completes the parents' data (from the applicant share the city issued with the reservation,
//! or typed in when the parents gave no forwarding consent), and one action creates the
//! family and the contract documents of the Kita's Träger and marks the seat taken in the
//! Kita's ledger. The ledger travels to the city, which then places the child: every other
//! Kita's wish becomes "placed elsewhere" and the application leaves placement
//! ([`crate::applications::sequential::advance`]).

use super::{ledger_doc_id, open_wish_here};
use crate::action::{at_this_kita, ActionError};
use crate::applications::{parse_sex, sex_value, shares};
use crate::auth::{authorize, Action, Principal};
use crate::clock::Now;
use crate::contracts::{contract_doc_id, os_ids};
use crate::facilities::provider_of;
use crate::families::family_doc_id;
use crate::storage::{AuditEntry, Store, StoreError};
use kitanetz_crdt::doc::StoredDoc;
use kitanetz_crdt::ids::{
    provider_org, ChildId, ContractId, ContractLineId, FacilityId, FamilyId, GuardianId,
};
use kitanetz_crdt::kinds::{
    Address, ApplicationWish, CareContract, Child, ContractLine, Family, Guardian, PaymentMode,
    SeatLedger, SeatStatus,
};
use kitanetz_crdt::meta::{DocKind, DocMeta};
use kitanetz_crdt::period::Period;
use kitanetz_crdt::scalar::Date;
use kitanetz_crdt::validate::Validator;
use serde::{Deserialize, Serialize};

/// The contract form (and JSON body): the wish, the child and the contact guardian as the Kita
/// lead checked them, and the contract's hours and payment. Strings, so that bad input comes
/// back with a message next to its field.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct ConcludeInput {
    /// The Kita's handle of the wish.
    pub wish: String,
    pub child_given_name: String,
    pub child_family_name: String,
    /// YYYY-MM-DD
    pub child_birth_date: String,
    /// "female", "male", "diverse", "unspecified"
    pub child_sex: String,
    pub guardian_given_name: String,
    pub guardian_family_name: String,
    pub street: String,
    pub postcode: String,
    pub city: String,
    pub phone: String,
    pub email: String,
    /// "on"/"true" when the guardian brings the child up alone (a fee rule).
    pub single_parent: String,
    /// Daily hours, e.g. "7,5" (the wish's hours are the default).
    pub daily_hours: String,
    /// "self-payer" or "direct-debit".
    pub payment_mode: String,
}

impl ConcludeInput {
    /// The form as the Kita lead first sees it: the wish's contract facts and, if the city
    /// issued one, the parents' data from the share.
    pub fn prefilled(
        wish: &ApplicationWish,
        share: Option<&kitanetz_crdt::kinds::ApplicantShare>,
    ) -> Self {
        let mut input = ConcludeInput {
            wish: wish.handle.0.clone(),
            daily_hours: wish.daily_hours.0.normalize().to_string().replace('.', ","),
            payment_mode: PaymentMode::DirectDebit.as_str().into(),
            child_sex: "unspecified".into(),
            ..ConcludeInput::default()
        };
        if let Some(s) = share {
            input.child_given_name = s.child_given_name.clone();
            input.child_family_name = s.child_family_name.clone();
            input.child_birth_date = s.child_birth_date.to_string();
            input.child_sex = sex_value(s.child_sex).into();
            input.guardian_given_name = s.guardian_given_name.clone();
            input.guardian_family_name = s.guardian_family_name.clone();
            input.street = s.address.street.clone();
            input.postcode = s.address.postcode.clone();
            input.city = s.address.city.clone();
            input.phone = s.phone.clone();
            input.email = s.email.clone();
        }
        input
    }
}

/// What the Kita lead sees before concluding: the wish, its reserved month and the form.
#[derive(Debug, Clone, Serialize)]
pub struct ContractDraft {
    pub wish: ApplicationWish,
    /// The month the seat is reserved from: the contract's start.
    pub start: Date,
    /// Whether the city issued the parents' data (the parents consented to forwarding).
    pub shared: bool,
    pub input: ConcludeInput,
}

/// A concluded contract: the new family and contract.
#[derive(Debug, Clone, Serialize)]
pub struct Concluded {
    pub family: FamilyId,
    pub child: ChildId,
    pub contract: ContractId,
}

/// The reserved month of `wish` in `ledger`, if the Kita holds a reservation for it.
fn reserved_month(ledger: &SeatLedger, wish: &ApplicationWish) -> Option<Date> {
    ledger
        .hold_of(&wish.handle)
        .filter(|(_, hold)| hold.status == SeatStatus::Reserved)
        .map(|(month, _)| month.month)
}

/// The draft of the contract for a reserved wish (the Kita lead only).
pub fn draft(
    store: &Store,
    who: &Principal,
    facility: Option<&FacilityId>,
    wish: &str,
) -> Result<ContractDraft, ActionError> {
    let facility = at_this_kita(who, Action::ManageSeats { facility }, facility)?;
    let mut v = Validator::new();
    let found = open_wish_here(store, &facility, wish, &mut v)?;
    v.finish()?;
    let wish = found.expect("checked");
    let (_, ledger) = store.get::<SeatLedger>(&ledger_doc_id(&facility))?;
    let start = reserved_month(&ledger, &wish).ok_or_else(|| {
        ActionError::Conflict(
            "Erst einen Platz reservieren, dann den Vertrag schließen / reserve a seat before concluding the contract"
                .into(),
        )
    })?;
    let share = shares::of_wish(store, &wish.handle)?;
    Ok(ContractDraft {
        input: ConcludeInput::prefilled(&wish, share.as_ref()),
        shared: share.is_some(),
        start,
        wish,
    })
}

/// A six-digit family number (the family part of the PKN) not used by a family this node
/// holds. The Beitragsstelle may renumber when it opens the fee case.
fn new_family_number(store: &Store) -> Result<String, StoreError> {
    let used: std::collections::BTreeSet<String> = store
        .values_of_kind::<Family>()?
        .into_iter()
        .map(|f| f.family_number)
        .collect();
    loop {
        let n = 100_000 + rand_core::RngCore::next_u32(&mut rand_core::OsRng) % 900_000;
        let number = format!("{n:06}");
        if !used.contains(&number) {
            return Ok(number);
        }
    }
}

/// Concludes the contract for a reserved wish: creates the family and the contract (documents
/// of the Kita's Träger) and marks the seat taken, in one transaction and one audit entry.
pub fn conclude(
    store: &mut Store,
    who: &Principal,
    facility: Option<&FacilityId>,
    input: &ConcludeInput,
    now: Now,
) -> Result<Concluded, ActionError> {
    let facility = at_this_kita(who, Action::ManageSeats { facility }, facility)?;
    let provider = provider_of(store, &facility)?;
    authorize(
        who,
        Action::EditContracts {
            facility: &facility,
            provider: &provider,
        },
    )?;
    let mut v = Validator::new();
    let wish = open_wish_here(store, &facility, &input.wish, &mut v)?;
    let ledger_id = ledger_doc_id(&facility);
    let (mut ledger_doc, mut ledger) = store.get::<SeatLedger>(&ledger_id)?;
    ledger.settle_merged();
    let start = wish.as_ref().and_then(|w| reserved_month(&ledger, w));
    if wish.is_some() {
        v.check(
            start.is_some(),
            "wish",
            "erst einen Platz reservieren / reserve a seat first",
        );
    }
    let person = check_person(&mut v, input, now.today);
    v.finish()?;
    let (wish, start) = (wish.expect("checked"), start.expect("checked"));
    let new = NewPlace {
        facility: &facility,
        provider: &provider,
        start,
        care_type: wish.care_type,
        integration_need: wish.integration_need,
        employer_seat: false,
        // The city's family key came with the share (none without forwarding consent).
        family_key: shares::of_wish(store, &wish.handle)?
            .map(|s| s.family_key)
            .unwrap_or_default(),
    };
    let (concluded, mut family_doc, mut contract_doc) =
        family_and_contract(store, input, &person.expect("checked"), &new, now)?;
    ledger.take(&wish.handle, now.today)?;
    ledger_doc.update(&ledger, now.today, now.millis, "seat.conclude")?;
    let target = Some(contract_doc.id.0.clone());
    store.save_docs(
        &mut [&mut family_doc, &mut contract_doc, &mut ledger_doc],
        &AuditEntry {
            at: now.millis,
            actor: who.audit_name(),
            action: "seat.conclude",
            target,
            subjects: vec![concluded.child.0.clone(), wish.handle.0.clone()],
            valid_from: Some(start.to_string()),
        },
    )?;
    Ok(concluded)
}

/// The checked values of the person fields of [`ConcludeInput`].
pub(crate) struct CheckedPerson {
    birth_date: Date,
    sex: kitanetz_crdt::kinds::Sex,
    daily_hours: kitanetz_crdt::scalar::Dec,
    payment_mode: PaymentMode,
}

impl CheckedPerson {
    pub(crate) fn birth_date(&self) -> Date {
        self.birth_date
    }
}

/// Checks the child, guardian, hours and payment fields of a contract form; the field errors go
/// to `v`.
pub(crate) fn check_person(
    v: &mut Validator,
    input: &ConcludeInput,
    today: Date,
) -> Option<CheckedPerson> {
    for (field, value) in [
        ("child_given_name", &input.child_given_name),
        ("child_family_name", &input.child_family_name),
        ("guardian_given_name", &input.guardian_given_name),
        ("guardian_family_name", &input.guardian_family_name),
        ("street", &input.street),
        ("city", &input.city),
    ] {
        v.text(field, value, 100);
    }
    v.check(
        input.postcode.trim().len() == 5
            && input.postcode.trim().bytes().all(|b| b.is_ascii_digit()),
        "postcode",
        "fünfstellige Postleitzahl / five-digit postcode",
    );
    let birth_date = v.date("child_birth_date", &input.child_birth_date);
    if let Some(born) = birth_date {
        v.check(
            born <= today && born.0 >= today.0 - chrono::Days::new(365 * 15),
            "child_birth_date",
            "Geburtsdatum unplausibel / implausible birth date",
        );
    }
    let sex = parse_sex(&input.child_sex);
    v.check(
        sex.is_some(),
        "child_sex",
        "Geschlecht wählen / choose the sex",
    );
    let hours = input.daily_hours.trim().replace(',', ".").parse().ok();
    v.check(
        hours.is_some(),
        "daily_hours",
        "Stundenzahl, z. B. 7,5 / a number of hours, e.g. 7.5",
    );
    if let Some(h) = hours {
        kitanetz_crdt::kinds::daily_hours(v, "daily_hours", h);
    }
    let payment_mode = PaymentMode::parse(input.payment_mode.trim());
    v.check(
        payment_mode.is_some(),
        "payment_mode",
        "Zahlungsweise wählen / choose a payment mode",
    );
    Some(CheckedPerson {
        birth_date: birth_date?,
        sex: sex?,
        daily_hours: hours?,
        payment_mode: payment_mode?,
    })
}

/// Where and how a new child is placed.
pub(crate) struct NewPlace<'a> {
    pub facility: &'a FacilityId,
    pub provider: &'a kitanetz_crdt::ids::ProviderId,
    pub start: Date,
    pub care_type: kitanetz_crdt::kinds::CareType,
    pub integration_need: bool,
    /// The place is one an employer holds (Belegrecht).
    pub employer_seat: bool,
    /// The city's family key for the fee facts (`kitanetz_crdt::kinds::fee_facts`); empty when
    /// none came with an applicant share.
    pub family_key: String,
}

/// The family and the open-ended contract of a new child, as documents of the Kita's Träger
/// created on this node (not yet saved). The documents check themselves (names, address,
/// e-mail, birth date): a field error for the form rather than a half-written family.
pub(crate) fn family_and_contract(
    store: &Store,
    input: &ConcludeInput,
    person: &CheckedPerson,
    place: &NewPlace<'_>,
    now: Now,
) -> Result<(Concluded, StoredDoc, StoredDoc), ActionError> {
    let mut ids = os_ids();
    let child = Child {
        id: ChildId::generate(&mut ids),
        given_name: input.child_given_name.trim().to_string(),
        family_name: input.child_family_name.trim().to_string(),
        birth_date: person.birth_date,
        sex: person.sex,
        integration_need: place.integration_need,
        facility: Some(place.facility.clone()),
    };
    let family = Family {
        id: FamilyId::generate(&mut ids),
        family_number: new_family_number(store)?,
        guardians: vec![Guardian {
            id: GuardianId::generate(&mut ids),
            given_name: input.guardian_given_name.trim().to_string(),
            family_name: input.guardian_family_name.trim().to_string(),
            address: Address {
                street: input.street.trim().to_string(),
                postcode: input.postcode.trim().to_string(),
                city: input.city.trim().to_string(),
                lat: None,
                lon: None,
            },
            main_residence_in_city: true,
            phone: input.phone.trim().to_string(),
            email: input.email.trim().to_string(),
            single_parent: crate::input::checked(&input.single_parent),
        }],
        children: vec![child.clone()],
        family_key: place.family_key.clone(),
    };
    let period = Period::from(place.start);
    let contract = CareContract {
        id: ContractId::generate(&mut ids),
        family: family.id.clone(),
        child: child.id.clone(),
        facility: place.facility.clone(),
        period,
        lines: vec![ContractLine {
            id: ContractLineId::generate(&mut ids),
            valid: period,
            care_type: place.care_type,
            daily_hours: person.daily_hours,
            group: None,
            payment_mode: person.payment_mode,
            reserved_seat: place.employer_seat,
        }],
        notice_given_on: None,
        notice_reason: None,
        school_entry: None,
    };
    let meta = |kind: DocKind| DocMeta {
        kind,
        schema: kind.schema_version(),
        owner: provider_org(place.provider),
        provider: Some(place.provider.clone()),
        facilities: vec![place.facility.clone()],
        origin_node: store.node_name().to_string(),
        created_on: now.today,
    };
    let family_doc = StoredDoc::create(
        family_doc_id(&family.id),
        meta(DocKind::Family),
        &family,
        store.actor(),
        now.today,
        now.millis,
    )
    .map_err(StoreError::from)?;
    let contract_doc = StoredDoc::create(
        contract_doc_id(&contract.id),
        meta(DocKind::CareContract),
        &contract,
        store.actor(),
        now.today,
        now.millis,
    )
    .map_err(StoreError::from)?;
    let ids = Concluded {
        family: family.id,
        child: child.id,
        contract: contract.id,
    };
    Ok((ids, family_doc, contract_doc))
}
