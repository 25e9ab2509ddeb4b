//! The old Kita is told in time (Lastenheft 3.3.3, 3.4.3): a Wechselantrag names the Kita that
//! cares for the child now; when another Kita reserves a seat for it, the city writes that Kita
//! a [`TransferNotice`] (who leaves, from which day, whether the two-month notice is short), sets
//! it to "placed" when the new contract is concluded, and to "withdrawn" when the reservation
//! ends without one. The old Kita learns nothing else: not the new Kita, not the reason.
//!
//! Like `shares::reconcile`, `reconcile` only decides; the procedure run and the
//! withdrawal save what it returns in the transaction of the application's write.

use super::sequential::{status, Ledgers};
use crate::clock::Now;
use crate::storage::{Store, StoreError};
use kitanetz_crdt::doc::StoredDoc;
use kitanetz_crdt::ids::{city_org, doc_id_for, ApplicationId};
use kitanetz_crdt::kinds::{transfer_state, Applicant, Application, SeatStatus, TransferNotice};
use kitanetz_crdt::meta::{DocKind, DocMeta};
use kitanetz_crdt::scalar::Date;
use kitanetz_crdt::DocId;

/// The notice of one application: a hash over the family key (a secret of the city) and the
/// application, so the old Kita cannot link it to the application's wishes elsewhere.
pub fn notice_doc_id(family_key: &str, application: &ApplicationId) -> DocId {
    use sha2::Digest;
    let digest = sha2::Sha256::digest(format!(
        "kitanetz/transfer-notice/1\0{family_key}\0{}",
        application.0
    ));
    doc_id_for("transfer-notice", &hex::encode(&digest[..16]))
}

/// What the old Kita should know now: (state, first day at the new Kita), or `None` when there
/// is nothing to tell (no other Kita holds a seat and none did).
fn wanted(application: &Application, ledgers: &Ledgers) -> Option<(&'static str, Date)> {
    let old = application.transfer_from.as_ref()?;
    if !application.transfer {
        return None;
    }
    let seat_of = |w: &kitanetz_crdt::kinds::WishedFacility| {
        ledgers
            .of(&w.facility)
            .and_then(|l| l.hold_of(&w.handle))
            .map(|(month, hold)| (month.month, hold.status))
    };
    for w in application.wishes.iter().filter(|w| &w.facility != old) {
        if w.status == status::PLACED {
            let start = seat_of(w).map_or(application.desired_start, |(m, _)| m);
            return Some((transfer_state::PLACED, start));
        }
    }
    if application.status != "active" {
        return None;
    }
    // A round's offer the parents have not accepted yet is no reservation for them either.
    application
        .wishes
        .iter()
        .filter(|w| &w.facility != old)
        .filter(|w| !matches!(w.status.as_str(), status::PROPOSED | status::OFFERED))
        .find_map(|w| match seat_of(w) {
            Some((month, SeatStatus::Reserved | SeatStatus::Taken)) => {
                Some((transfer_state::RESERVED, month))
            }
            _ => None,
        })
}

/// The notice to write for `application`, if its state changed.
pub(crate) fn reconcile(
    store: &Store,
    application: &Application,
    applicant: &Applicant,
    ledgers: &Ledgers,
    now: Now,
) -> Result<Option<StoredDoc>, StoreError> {
    let Some(old) = application.transfer_from.clone() else {
        return Ok(None);
    };
    let key = super::queries::family_key_of(store, applicant)?;
    let id = notice_doc_id(&key, &application.id);
    let held = store.find::<TransferNotice>(&id)?;
    let (state, new_start) = match (wanted(application, ledgers), &held) {
        (Some(w), _) => w,
        // Told before, and the seat is gone: the child stays for now.
        (None, Some((_, n))) if n.state != transfer_state::WITHDRAWN => {
            (transfer_state::WITHDRAWN, n.new_start)
        }
        _ => return Ok(None),
    };
    if held
        .as_ref()
        .is_some_and(|(_, n)| n.state == state && n.new_start == new_start)
    {
        return Ok(None);
    }
    let notice = TransferNotice {
        facility: old.clone(),
        child_given_name: applicant.child_given_name.clone(),
        child_family_name: applicant.child_family_name.clone(),
        child_birth_date: applicant.child_birth_date,
        new_start,
        state: state.to_string(),
        since: now.today,
        notice_short: crate::intake::transfer_notice_short(now.today, new_start),
    };
    Ok(Some(match held {
        Some((mut doc, _)) => {
            doc.update(&notice, now.today, now.millis, "transfer notice")?;
            doc
        }
        None => {
            if store.is_erased(&id)? {
                return Ok(None);
            }
            StoredDoc::create(
                id,
                DocMeta {
                    kind: DocKind::TransferNotice,
                    schema: DocKind::TransferNotice.schema_version(),
                    owner: city_org(),
                    provider: None,
                    facilities: vec![old],
                    origin_node: store.node_name().to_string(),
                    created_on: now.today,
                },
                &notice,
                store.actor(),
                now.today,
                now.millis,
            )?
        }
    }))
}

/// A notice as the old Kita's lead reads it, with the child it names among her children.
#[derive(Debug, Clone, serde::Serialize)]
pub struct NoticeRow {
    pub facility: kitanetz_crdt::ids::FacilityId,
    pub child: String,
    pub birth_date: Date,
    pub new_start: Date,
    /// The last day here.
    pub last_day: Date,
    pub state: String,
    pub since: Date,
    pub notice_short: bool,
    /// The child of this Kita with that name and birth date, if one.
    pub child_id: Option<String>,
}

impl NoticeRow {
    /// The state in words.
    pub fn state_label(&self, en: bool) -> &'static str {
        match (self.state.as_str(), en) {
            (transfer_state::RESERVED, false) => "Platz in einer anderen Einrichtung reserviert",
            (transfer_state::RESERVED, true) => "a place reserved at another Kita",
            (transfer_state::PLACED, false) => "Vertrag in einer anderen Einrichtung geschlossen",
            (transfer_state::PLACED, true) => "contract concluded at another Kita",
            (_, false) => "Wechsel vorerst abgesagt: das Kind bleibt",
            (_, true) => "transfer off for now: the child stays",
        }
    }
}

/// The notices this Kita holds, newest first, matched to its children.
pub fn held_notices(store: &Store) -> Result<Vec<NoticeRow>, StoreError> {
    let mut rows = Vec::new();
    for n in store.values_of_kind::<TransferNotice>()? {
        let child_id = super::queries::child_named(
            store,
            &n.child_given_name,
            &n.child_family_name,
            n.child_birth_date,
        )?;
        rows.push(NoticeRow {
            facility: n.facility.clone(),
            child: format!("{} {}", n.child_given_name, n.child_family_name),
            birth_date: n.child_birth_date,
            new_start: n.new_start,
            last_day: Date(n.new_start.0 - chrono::Days::new(1)),
            state: n.state,
            since: n.since,
            notice_short: n.notice_short,
            child_id,
        });
    }
    rows.sort_by(|a, b| (b.since, &a.child).cmp(&(a.since, &b.child)));
    Ok(rows)
}
