//! A guardian's address and contact data, kept current by the Kita (Lastenheft 3.7.3: the Kita
//! hears first of a move or a new phone number and maintains it; the Beitragsstelle sees it as
//! an Änderungsmeldung, `crate::changes`). Written on the Kita's node, offline too.

use super::{child_facility, family_doc_id};
use crate::action::ActionError;
use crate::auth::{authorize, Action, Principal};
use crate::clock::Now;
use crate::facilities::provider_of;
use crate::input::checked;
use crate::storage::{AuditEntry, Store, StoreError};
use kitanetz_crdt::ids::{ChildId, GuardianId};
use kitanetz_crdt::kinds::family::Guardian;
use kitanetz_crdt::kinds::Family;
use kitanetz_crdt::validate::{FieldError, ValidationError};
use serde::{Deserialize, Serialize};

/// The form: what a move or a new number changes. Checkboxes come as "on".
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct ContactInput {
    pub street: String,
    pub postcode: String,
    pub city: String,
    pub phone: String,
    pub email: String,
    /// "on"/"true": the main residence is in the city (the fee statute's residents' rate).
    pub main_residence_in_city: String,
    /// "on"/"true"
    pub single_parent: String,
}

impl ContactInput {
    /// The form filled with what the family document says now.
    pub fn of(g: &Guardian) -> ContactInput {
        let flag = |b: bool| if b { "on" } else { "" }.to_string();
        ContactInput {
            street: g.address.street.clone(),
            postcode: g.address.postcode.clone(),
            city: g.address.city.clone(),
            phone: g.phone.clone(),
            email: g.email.clone(),
            main_residence_in_city: flag(g.main_residence_in_city),
            single_parent: flag(g.single_parent),
        }
    }
}

/// Checks `who` may keep `child`'s family current (the lead of its Kita, its Träger's admin)
/// and returns the family with the guardian's position in it.
pub fn guardian_for_edit(
    store: &Store,
    who: &Principal,
    child: &ChildId,
    guardian: &GuardianId,
) -> Result<(Family, usize), ActionError> {
    let (family_id, facility) = child_facility(store, child)?;
    let provider = provider_of(store, &facility)?;
    authorize(
        who,
        Action::EditFamilyContact {
            facility: &facility,
            provider: &provider,
        },
    )?;
    let (_, family) = store.get::<Family>(&family_doc_id(&family_id))?;
    let at = family
        .guardians
        .iter()
        .position(|g| &g.id == guardian)
        .ok_or_else(|| ActionError::NotFound(guardian.0.clone()))?;
    Ok((family, at))
}

/// Writes the guardian's new address and contact data: checked as the family document checks
/// them (field errors named like the form's fields, nothing stored), audited with the day.
pub fn change_contact(
    store: &mut Store,
    who: &Principal,
    child: &ChildId,
    guardian: &GuardianId,
    input: &ContactInput,
    now: Now,
) -> Result<Family, ActionError> {
    let (mut family, at) = guardian_for_edit(store, who, child, guardian)?;
    {
        let g = &mut family.guardians[at];
        g.address.street = input.street.trim().to_string();
        g.address.postcode = input.postcode.trim().to_string();
        g.address.city = input.city.trim().to_string();
        // A new address has no known position on the map until it is looked up again.
        g.address.lat = None;
        g.address.lon = None;
        g.phone = input.phone.trim().to_string();
        g.email = input.email.trim().to_string();
        g.main_residence_in_city = checked(&input.main_residence_in_city);
        g.single_parent = checked(&input.single_parent);
    }
    let prefix = format!("guardians[{at}].");
    family.validate_on(now.today).map_err(|e| ValidationError {
        errors: e
            .errors
            .into_iter()
            .map(|f| FieldError {
                field: f
                    .field
                    .strip_prefix(&prefix)
                    .map(|rest| rest.strip_prefix("address.").unwrap_or(rest).to_string())
                    .unwrap_or(f.field),
                message: f.message,
            })
            .collect(),
    })?;
    let (mut doc, _) = store.get::<Family>(&family_doc_id(&family.id))?;
    doc.update(&family, now.today, now.millis, "guardian contact changed")
        .map_err(StoreError::from)?;
    let target = Some(doc.id.0.clone());
    store.save_doc(
        &mut doc,
        &AuditEntry {
            at: now.millis,
            actor: who.audit_name(),
            action: "family.contact.change",
            target,
            subjects: vec![guardian.0.clone(), child.0.clone()],
            valid_from: Some(now.today.to_string()),
        },
    )?;
    Ok(family)
}
