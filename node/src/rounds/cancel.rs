//! The ZVS cancels a round (a wrong window, a start by mistake). What no Kita has answered yet
//! is withdrawn: the wish goes onto that Kita's waitlist (the Kita saw the child and may take it
//! from there, as from any waitlist), the Kita's wish document says so, and the children the
//! round no longer holds return to the sequential procedure, which goes on with their wishes
//! not reached yet. What a Kita confirmed stands — the seat is reserved and the offer is with the
//! parents (or accepted), so those children stay with their round. The round, its protocol and
//! the reason stay on record.

use super::queries;
use crate::action::ActionError;
use crate::applications::sequential::{self, status};
use crate::applications::wishes;
use crate::auth::{authorize, Action, Principal};
use crate::clock::Now;
use crate::storage::{AuditEntry, Store};
use kitanetz_crdt::doc::StoredDoc;
use kitanetz_crdt::ids::{ApplicationId, FacilityId};
use kitanetz_crdt::kinds::{Application, ApplicationWish};
use kitanetz_crdt::validate::Validator;
use kitanetz_crdt::DocId;
use serde::{Deserialize, Serialize};

/// The cancellation as typed.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct CancelInput {
    pub reason: String,
}

/// What a cancellation did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Cancelled {
    /// Proposals withdrawn from their Kitas.
    pub withdrawn: u32,
    /// Offers that stand (confirmed by the Kita).
    pub kept: u32,
    /// Children back with the sequential procedure.
    pub released: u32,
}

/// Cancels round `id` (the ZVS), with a reason for the record.
pub fn cancel(
    store: &mut Store,
    who: &Principal,
    id: i64,
    input: &CancelInput,
    now: Now,
) -> Result<Cancelled, ActionError> {
    authorize(who, Action::CancelPlacementRound)?;
    let reason = input.reason.trim();
    let mut v = Validator::new();
    v.check(
        !reason.is_empty(),
        "reason",
        "Bitte den Grund angeben / give the reason",
    );
    v.text("reason", reason, 500);
    v.finish()?;
    let round = queries::round(store, id)?
        .ok_or_else(|| ActionError::NotFound(format!("Vergaberunde / round {id}")))?;
    if round.cancelled.is_some() {
        return Err(ActionError::Conflict(format!(
            "Runde {id} ist bereits abgebrochen / round {id} is already cancelled"
        )));
    }
    let waiting = queries::waiting_proposals(store, id)?;
    let kept = queries::kept_offers(store, id)?;
    let ids: Vec<ApplicationId> = waiting.iter().map(|(a, _)| a.clone()).collect();
    let denominations = queries::denominations(store, &ids)?;
    let doc_ids: Vec<DocId> = ids.iter().map(crate::seats::application_doc_id).collect();
    let mut changed: Vec<StoredDoc> = Vec::new();
    for (found, (application_id, facility)) in store
        .find_many::<Application>(&doc_ids)?
        .into_iter()
        .zip(&waiting)
    {
        let Some((mut doc, mut application)) = found else {
            continue;
        };
        let mut moved: Vec<FacilityId> = Vec::new();
        for w in application.wishes.iter_mut() {
            if &w.facility == facility && w.status == status::PROPOSED {
                w.status = status::WAITLIST.into();
                w.since = Some(now.today);
                moved.push(w.facility.clone());
            }
        }
        if moved.is_empty() {
            continue;
        }
        doc.update(
            &application,
            now.today,
            now.millis,
            "placement round cancelled",
        )?;
        let found = wishes::wish_doc_ids(&application, &moved)
            .iter()
            .map(|id| store.find::<ApplicationWish>(id))
            .collect::<Result<Vec<_>, _>>()?;
        let scope = doc.meta.facilities.clone();
        changed.extend(wishes::changed_wish_docs_found(
            &wishes::Creator::of(store),
            &application,
            &scope,
            &moved,
            found,
            denominations
                .get(application_id)
                .map(String::as_str)
                .unwrap_or(""),
            now,
        )?);
        changed.push(doc);
    }
    let withdrawn = changed
        .iter()
        .filter(|d| d.kind() == kitanetz_crdt::meta::DocKind::Application)
        .count() as u32;
    let released = round.children.saturating_sub(kept.len() as u32);
    let entry = AuditEntry {
        at: now.millis,
        actor: who.audit_name(),
        action: "round.cancel",
        target: Some(format!("round-{id}")),
        subjects: ids.iter().map(|a| a.0.clone()).collect(),
        valid_from: Some(now.today.to_string()),
    };
    let by = who.audit_name();
    let mut refs: Vec<&mut StoredDoc> = changed.iter_mut().collect();
    store.save_docs_with(&mut refs, &entry, |tx| {
        queries::mark_cancelled(tx, id, now.today, &by, reason, &kept)?;
        Ok(())
    })?;
    // The released children are the sequential procedure's again: run it for them now rather
    // than at the next hourly run.
    let released_ids = queries::released_children(store, id)?;
    sequential::advance_after_write(store, &released_ids, now);
    Ok(Cancelled {
        withdrawn,
        kept: kept.len() as u32,
        released,
    })
}
