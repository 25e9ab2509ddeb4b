//! The wish documents: what each wished Kita receives of an application. The city keeps the
//! application (every wish, handle and the status per wish) to itself and writes, for every
//! wished Kita, one [`ApplicationWish`] scoped to that Kita alone, under that Kita's handle. The
//! Kita learns the facts it decides on (care type, start, hours, age, priority flags) and never
//! the application id, the rank, or which other Kitas were wished.
//!
//! Every write of an application goes through `wish_docs` in the same transaction, so the
//! Kitas' view never drifts from the city's: a wish enters a Kita's list when the application
//! is in placement (its scope) and the sequential procedure reached the Kita
//! ([`super::sequential`]), and a withdrawal, a placement elsewhere or a wish the parents
//! took back reaches the Kita as a status, never as a silent disappearance.

use crate::clock::Now;
use crate::storage::{Store, StoreError};
use kitanetz_crdt::doc::{DocError, Step, StoredDoc};
use kitanetz_crdt::ids::{city_org, doc_id_for, FacilityId, WishHandle};
use kitanetz_crdt::kinds::{Applicant, Application, ApplicationWish, WishStatus, WishedFacility};
use kitanetz_crdt::meta::{DocKind, DocMeta};
use kitanetz_crdt::DocId;

pub fn wish_doc_id(handle: &WishHandle) -> DocId {
    doc_id_for("wish", &handle.0)
}

/// How the siblings of a group are known to a call of [`wish_docs`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Siblings {
    /// The applications passed are the whole group of children applying together: the wishes'
    /// `together_here` is computed from them.
    Given,
    /// Only some applications are passed (a withdrawal, a ZVS decision): each wish keeps the
    /// siblings it knows.
    Unchanged,
}

/// The status a Kita sees for `wish` of `application`.
fn status_at_kita(application: &Application, wish: &WishedFacility) -> WishStatus {
    use super::sequential::status;
    match application.status.as_str() {
        "active" => match wish.status.as_str() {
            status::PLACED_ELSEWHERE => WishStatus::PlacedElsewhere,
            status::REQUEST => WishStatus::Requested,
            status::PROPOSED => WishStatus::Proposed,
            status::OFFERED => WishStatus::Offered,
            // The parents declined the round's offer (or let it lapse): closed here, so the
            // Kita's node releases the seat it held for it.
            status::REFUSED => WishStatus::Withdrawn,
            status::DECLINED => WishStatus::Declined,
            _ => WishStatus::Waiting,
        },
        "withdrawn" => WishStatus::Withdrawn,
        "placed" if wish.status == "placed" => WishStatus::Placed,
        "placed" => WishStatus::PlacedElsewhere,
        _ => WishStatus::Inactive,
    }
}

/// The handles at `facility` of the siblings in `group` who apply together with `application`.
pub(crate) fn together_at<'a>(
    application: &Application,
    facility: &FacilityId,
    group: impl IntoIterator<Item = &'a Application>,
) -> Vec<WishHandle> {
    if application.together.is_empty() {
        return Vec::new();
    }
    group
        .into_iter()
        .filter(|other| other.together == application.together && other.id != application.id)
        .filter_map(|other| {
            other
                .wishes
                .iter()
                .find(|w| &w.facility == facility)
                .map(|w| w.handle.clone())
        })
        .collect()
}

/// The wish document's value for `wish` of `application`; `denomination` from the applicant
/// half (empty when not given).
pub(crate) fn wish_of(
    application: &Application,
    wish: &WishedFacility,
    together_here: Vec<WishHandle>,
    denomination: &str,
) -> ApplicationWish {
    let status = status_at_kita(application, wish);
    ApplicationWish {
        requested_on: match status {
            WishStatus::Requested | WishStatus::Proposed | WishStatus::Offered => wish.since,
            _ => None,
        },
        denomination: denomination.to_string(),
        handle: wish.handle.clone(),
        facility: wish.facility.clone(),
        care_type: application.care_type,
        desired_start: application.desired_start,
        daily_hours: application.daily_hours,
        age_months_at_start: application.age_months_at_start,
        sibling_here: application.sibling_in_facility.contains(&wish.facility),
        integration_need: application.integration_need,
        transfer: application.transfer,
        together_here,
        status,
    }
}

/// The wish documents to save with `applications` (each with the scope of its application
/// document: the Kitas it has reached): created at the first write, brought up to date after.
/// `retired` are earlier versions of applications whose wishes were replaced (the parents changed
/// their wishes: new handles everywhere); their wishes that are gone become withdrawn. Only
/// documents that changed are returned.
pub(crate) fn wish_docs(
    store: &Store,
    applications: &[(&Application, &[FacilityId])],
    siblings: Siblings,
    retired: &[&Application],
    now: Now,
) -> Result<Vec<StoredDoc>, StoreError> {
    let mut docs = Vec::new();
    for (application, scope) in applications {
        let denomination = store
            .find::<Applicant>(&doc_id_for("applicant", &application.id.0))?
            .map(|(_, a)| a.child_denomination)
            .unwrap_or_default();
        for wish in &application.wishes {
            let together_here = match siblings {
                Siblings::Given => together_at(
                    application,
                    &wish.facility,
                    applications.iter().map(|(a, _)| *a),
                ),
                Siblings::Unchanged => store
                    .find::<ApplicationWish>(&wish_doc_id(&wish.handle))?
                    .map(|(_, known)| known.together_here)
                    .unwrap_or_default(),
            };
            let value = wish_of(application, wish, together_here, &denomination);
            // A Kita receives the wish once the application is in placement (its scope) and
            // the sequential procedure has reached this Kita.
            let reached = if scope.contains(&wish.facility) && super::sequential::reached(wish) {
                vec![wish.facility.clone()]
            } else {
                vec![]
            };
            if let Some(doc) = upsert(store, &value, reached, now)? {
                docs.push(doc);
            }
        }
    }
    for old in retired {
        let current: Vec<&WishHandle> = applications
            .iter()
            .filter(|(a, _)| a.id == old.id)
            .flat_map(|(a, _)| a.wishes.iter().map(|w| &w.handle))
            .collect();
        for wish in old.wishes.iter().filter(|w| !current.contains(&&w.handle)) {
            let Some((mut doc, mut value)) =
                store.find::<ApplicationWish>(&wish_doc_id(&wish.handle))?
            else {
                continue;
            };
            if value.status != WishStatus::Withdrawn {
                value.status = WishStatus::Withdrawn;
                doc.update(&value, now.today, now.millis, "wish taken back")?;
                docs.push(doc);
            }
        }
    }
    Ok(docs)
}

/// The ids of the wish documents of `application`'s wishes at `facilities` only (the others
/// did not change), in the order [`changed_wish_docs_found`] expects them. A placement round
/// changes one or two wishes of thousands of applications: this spares it the other wishes.
pub(crate) fn wish_doc_ids(application: &Application, facilities: &[FacilityId]) -> Vec<DocId> {
    application
        .wishes
        .iter()
        .filter(|w| facilities.contains(&w.facility))
        .map(|w| wish_doc_id(&w.handle))
        .collect()
}

/// What creating a wish document takes from the store (so that the documents can be worked on
/// away from it, on several threads).
pub(crate) struct Creator {
    actor: Vec<u8>,
    node_name: String,
}

impl Creator {
    pub(crate) fn of(store: &Store) -> Creator {
        Creator {
            actor: store.actor().to_vec(),
            node_name: store.node_name().to_string(),
        }
    }
}

/// The changed wish documents of `application`'s wishes at `facilities`, with the documents
/// already read (`found`, in the order of [`wish_doc_ids`]); `denomination` from the applicant
/// half the caller has read.
pub(crate) fn changed_wish_docs_found(
    creator: &Creator,
    application: &Application,
    scope: &[FacilityId],
    facilities: &[FacilityId],
    found: Vec<Option<(StoredDoc, ApplicationWish)>>,
    denomination: &str,
    now: Now,
) -> Result<Vec<StoredDoc>, StoreError> {
    let mut docs = Vec::new();
    for (wish, found) in application
        .wishes
        .iter()
        .filter(|w| facilities.contains(&w.facility))
        .zip(found)
    {
        let together_here = found
            .as_ref()
            .map(|(_, known)| known.together_here.clone())
            .unwrap_or_default();
        let value = wish_of(application, wish, together_here, denomination);
        let reached = if scope.contains(&wish.facility) && super::sequential::reached(wish) {
            vec![wish.facility.clone()]
        } else {
            vec![]
        };
        if let Some(doc) = upsert_found(creator, found, &value, reached, now)? {
            docs.push(doc);
        }
    }
    Ok(docs)
}

/// Creates the wish document or brings it to `value` and `reached`; `None` when nothing changed.
/// A Kita that a wish has reached keeps it (a later, narrower scope would leave a stale copy
/// there that sync refuses to update), so the scope only ever widens.
fn upsert(
    store: &Store,
    value: &ApplicationWish,
    reached: Vec<FacilityId>,
    now: Now,
) -> Result<Option<StoredDoc>, StoreError> {
    let found = store.find::<ApplicationWish>(&wish_doc_id(&value.handle))?;
    upsert_found(&Creator::of(store), found, value, reached, now)
}

/// [`upsert`] with the document already read (`None`: there is none yet).
fn upsert_found(
    creator: &Creator,
    found: Option<(StoredDoc, ApplicationWish)>,
    value: &ApplicationWish,
    reached: Vec<FacilityId>,
    now: Now,
) -> Result<Option<StoredDoc>, StoreError> {
    let id = wish_doc_id(&value.handle);
    match found {
        Some((mut doc, known)) => {
            let mut changed = false;
            if &known != value {
                changed |= write_wish(&mut doc, &known, value, now)?;
            }
            if doc.meta.facilities.is_empty() && !reached.is_empty() {
                let mut meta = doc.meta.clone();
                meta.facilities = reached;
                changed |= doc.set_scope(meta, now.millis)?;
            }
            Ok(changed.then_some(doc))
        }
        None => Ok(Some(StoredDoc::create(
            id,
            DocMeta {
                kind: DocKind::ApplicationWish,
                schema: DocKind::ApplicationWish.schema_version(),
                owner: city_org(),
                provider: None,
                facilities: reached,
                origin_node: creator.node_name.clone(),
                created_on: now.today,
            },
            value,
            &creator.actor,
            now.today,
            now.millis,
        )?)),
    }
}

/// Brings a wish document from `known` to `value`. Mostly a wish changes only where it stands
/// (a round's proposal, the waitlist, a Kita's answer): then only the status and the review day
/// are written, where they sit, instead of reconciling the whole wish (a round writes thousands).
fn write_wish(
    doc: &mut StoredDoc,
    known: &ApplicationWish,
    value: &ApplicationWish,
    now: Now,
) -> Result<bool, DocError> {
    let standing_only = ApplicationWish {
        status: known.status,
        requested_on: known.requested_on,
        ..value.clone()
    } == *known;
    if !standing_only {
        return doc.update(value, now.today, now.millis, "wish updated");
    }
    doc.update_parts(value, now.today, now.millis, "wish updated", |parts| {
        // In the order of the fields, as reconciling the whole wish writes them.
        parts.reconcile(&[Step::Field("status")], &value.status)?;
        parts.reconcile(&[Step::Field("requested_on")], &value.requested_on)
    })
}

/// Which application each wish handle belongs to: only the city can tell.
pub fn owners(
    store: &Store,
) -> Result<std::collections::HashMap<WishHandle, kitanetz_crdt::ids::ApplicationId>, StoreError> {
    super::queries::wish_owners(store)
}

/// What the ZVS learns from a Kita's handle: the application it belongs to (a Kita lead calls
/// about "Vormerkung 3f2a…" and the case worker finds the family).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct WishLookup {
    pub handle: WishHandle,
    pub facility: FacilityId,
    pub application: kitanetz_crdt::ids::ApplicationId,
    pub status: WishStatus,
}

/// Finds the application of a Kita's handle (the ZVS only; unknown handles are not found).
pub fn lookup(
    store: &Store,
    who: &crate::auth::Principal,
    handle: &str,
) -> Result<WishLookup, crate::action::ActionError> {
    crate::auth::authorize(who, crate::auth::Action::ViewIntake)?;
    let not_found = || crate::action::ActionError::NotFound(format!("Vormerkung {handle}"));
    let handle: WishHandle = handle.trim().parse().map_err(|_| not_found())?;
    let (_, wish) = store
        .find::<ApplicationWish>(&wish_doc_id(&handle))?
        .ok_or_else(not_found)?;
    let application = super::queries::wish_owners(store)?
        .remove(&handle)
        .ok_or_else(not_found)?;
    Ok(WishLookup {
        handle,
        facility: wish.facility,
        application,
        status: wish.status,
    })
}
