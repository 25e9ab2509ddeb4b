//! Applicant shares (Lastenheft 3.6.5–3.6.7; ARCHITECTURE.md "applicant share"): the parents'
//! contact data reaches a wished Kita only when that Kita reserves a seat for the wish, and only
//! when the parents consented to forwarding. The city issues one [`ApplicantShare`] per reserved
//! wish, scoped to that Kita alone, and erases it again when the reservation ends (released,
//! declined, withdrawn, placed elsewhere) or the contract is concluded (from then on the family
//! document of the Kita's Träger holds the data). Erasing drops the document whole on every
//! node that holds it: automerge keeps history, so the share never outlives its purpose.
//!
//! `reconcile` reads what it is given and decides; the procedure run
//! ([`super::sequential::advance_in_store`]) and the withdrawal save what it returns in the
//! transaction of the application's write.

use super::sequential::Ledgers;
use crate::clock::Now;
use crate::storage::{Store, StoreError};
use kitanetz_crdt::doc::StoredDoc;
use kitanetz_crdt::ids::{city_org, doc_id_for, WishHandle};
use kitanetz_crdt::kinds::{Applicant, ApplicantShare, Application, SeatStatus};
use kitanetz_crdt::meta::{DocKind, DocMeta};
use kitanetz_crdt::DocId;
use rusqlite::OptionalExtension;
use std::collections::HashMap;

/// The share of a wish. The reservation day is part of the id: a share erased when a
/// reservation ended is never taken in again (its tombstone), so a later reservation of the
/// same wish gets a new one.
pub fn share_doc_id(handle: &WishHandle, reserved_on: kitanetz_crdt::scalar::Date) -> DocId {
    doc_id_for(
        "applicant-share",
        &format!("{}-{}", handle.0, reserved_on.0.format("%Y%m%d")),
    )
}

/// The share this node holds for `handle` (the city: the one it issued; a Kita: the one it
/// received), from the projection.
pub fn held_for(store: &Store, handle: &WishHandle) -> Result<Option<DocId>, StoreError> {
    Ok(store
        .conn()
        .prepare_cached("SELECT doc_id FROM p_applicant_shares WHERE handle = ?1")?
        .query_row([&handle.0], |r| r.get::<_, String>(0))
        .optional()?
        .map(DocId))
}

/// The share a Kita holds for one of its wishes, if the city issued one.
pub fn of_wish(store: &Store, handle: &WishHandle) -> Result<Option<ApplicantShare>, StoreError> {
    match held_for(store, handle)? {
        Some(id) => Ok(store.find::<ApplicantShare>(&id)?.map(|(_, s)| s)),
        None => Ok(None),
    }
}

/// Every share this node holds, by wish handle (one small table: shares exist only for
/// reserved wishes).
pub(crate) fn held(store: &Store) -> Result<HashMap<WishHandle, DocId>, StoreError> {
    let mut stmt = store
        .conn()
        .prepare_cached("SELECT handle, doc_id FROM p_applicant_shares")?;
    let rows = stmt.query_map([], |r| {
        Ok((WishHandle(r.get(0)?), DocId(r.get::<_, String>(1)?)))
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// What the city must write for the shares of one application.
#[derive(Debug, Default)]
pub(crate) struct ShareChanges {
    pub issue: Vec<StoredDoc>,
    pub erase: Vec<DocId>,
}

impl ShareChanges {
    pub fn is_empty(&self) -> bool {
        self.issue.is_empty() && self.erase.is_empty()
    }
}

/// Brings the shares of `application` in line with the Kitas' ledgers: a share for every wish
/// whose Kita holds a reserved seat for it while the application is active and the parents
/// consented to forwarding; none for any other wish.
pub(crate) fn reconcile(
    store: &Store,
    application: &Application,
    applicant: &Applicant,
    ledgers: &Ledgers,
    held: &HashMap<WishHandle, DocId>,
    now: Now,
) -> Result<ShareChanges, StoreError> {
    let mut changes = ShareChanges::default();
    let mut family_key = None;
    let forwarding =
        application.status == "active" && applicant.consents.forwarding_to_free_providers;
    for wish in &application.wishes {
        let reserved_on = ledgers
            .of(&wish.facility)
            .and_then(|l| l.hold_of(&wish.handle))
            .filter(|(_, hold)| hold.status == SeatStatus::Reserved)
            .map(|(_, hold)| hold.decided_on);
        let held = held.get(&wish.handle);
        // A round's offer: the Kita holds the seat, and gets the parents' data only once they
        // accept it (the wish is then a reservation like any other).
        let offer_open = matches!(
            wish.status.as_str(),
            super::sequential::status::PROPOSED | super::sequential::status::OFFERED
        );
        let wanted = reserved_on
            .filter(|_| forwarding && !offer_open)
            .map(|on| share_doc_id(&wish.handle, on));
        if let Some(held) = held {
            if Some(held) != wanted.as_ref() {
                changes.erase.push(held.clone());
            }
        }
        let Some(wanted) = wanted else { continue };
        if held == Some(&wanted) || store.is_erased(&wanted)? {
            continue;
        }
        let share = ApplicantShare {
            handle: wish.handle.clone(),
            facility: wish.facility.clone(),
            child_given_name: applicant.child_given_name.clone(),
            child_family_name: applicant.child_family_name.clone(),
            child_birth_date: applicant.child_birth_date,
            child_sex: applicant.child_sex,
            guardian_given_name: applicant.guardian_given_name.clone(),
            guardian_family_name: applicant.guardian_family_name.clone(),
            address: applicant.address.clone(),
            phone: applicant.phone.clone(),
            email: applicant.email.clone(),
            issued_on: now.today,
            family_key: match &family_key {
                Some(k) => String::clone(k),
                None => {
                    let secret = super::queries::family_key_secret(store)?;
                    let k = super::queries::family_key(
                        &secret,
                        &applicant.guardian_family_name,
                        &applicant.guardian_given_name,
                        &applicant.address.postcode,
                        &applicant.address.street,
                    );
                    family_key.insert(k).clone()
                }
            },
        };
        changes.issue.push(StoredDoc::create(
            wanted,
            DocMeta {
                kind: DocKind::ApplicantShare,
                schema: DocKind::ApplicantShare.schema_version(),
                owner: city_org(),
                provider: None,
                facilities: vec![wish.facility.clone()],
                origin_node: store.node_name().to_string(),
                created_on: now.today,
            },
            &share,
            store.actor(),
            now.today,
            now.millis,
        )?);
    }
    Ok(changes)
}
