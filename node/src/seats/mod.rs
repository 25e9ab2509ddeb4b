//! A Kita's seats: the wishes for the Kita (its own wish of each application, under its own
//! handle: care type, start, age in months, flags; see [`crate::applications::wishes`]) and its
//! seat ledger, where the Kita lead reserves and releases seats by handle. The ledger belongs to
//! the Kita; the city sees it for placement and conflicts and alone knows which application a
//! handle belongs to.

pub mod contract;
pub mod http;

use crate::action::{at_this_kita, ActionError};
use crate::applications::wishes::wish_doc_id;
use crate::auth::{Action, Principal};
use crate::clock::Now;
use crate::storage::{AuditEntry, Store, StoreError};
use kitanetz_crdt::ids::{doc_id_for, ApplicationId, FacilityId, WishHandle};
use kitanetz_crdt::kinds::{
    ApplicantShare, ApplicationWish, CareType, DeclineReason, SeatLedger, SeatMonth,
    SeatReservation, SeatStatus, WishDecline, WishStatus,
};
use kitanetz_crdt::scalar::{Date, Dec};
use kitanetz_crdt::validate::Validator;
use kitanetz_crdt::DocId;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

pub fn ledger_doc_id(facility: &FacilityId) -> DocId {
    doc_id_for("seats", &facility.0)
}

pub fn application_doc_id(application: &ApplicationId) -> DocId {
    doc_id_for("application", &application.0)
}

/// Every seat ledger this node holds, read from the projection tables (`p_seat_months`,
/// `p_seat_holds`) instead of decoding each document: the city's conflict list reads all of
/// them on every view (337 ledgers at Dresden scale). Months and reservations keep the
/// documents' order.
pub fn ledgers(store: &Store) -> Result<Vec<SeatLedger>, StoreError> {
    let corrupt = |what: &str, value: &str| {
        StoreError::Corrupt(format!("projection p_seat_*: {what} {value:?}"))
    };
    let mut ledgers: Vec<SeatLedger> = Vec::new();
    // Where each (facility, care type, month) row went, to attach its holds.
    let mut index: HashMap<(String, String, String), (usize, usize)> = HashMap::new();
    let mut months = store.conn().prepare_cached(
        "SELECT facility, care_type, month, places, occupied FROM p_seat_months ORDER BY facility, rowid",
    )?;
    let mut rows = months.query([])?;
    while let Some(r) = rows.next()? {
        let key: (String, String, String) = (r.get(0)?, r.get(1)?, r.get(2)?);
        let month = SeatMonth {
            care_type: CareType::parse(&key.1).ok_or_else(|| corrupt("care type", &key.1))?,
            month: key.2.parse().map_err(|_| corrupt("month", &key.2))?,
            places: r.get(3)?,
            occupied: r.get(4)?,
            reservations: vec![],
            leaving: vec![],
        };
        if ledgers.last().is_none_or(|l| l.facility.0 != key.0) {
            ledgers.push(SeatLedger {
                facility: FacilityId(key.0.clone()),
                months: vec![],
                declines: vec![],
            });
        }
        let li = ledgers.len() - 1;
        index.insert(key, (li, ledgers[li].months.len()));
        ledgers[li].months.push(month);
    }
    let mut holds = store.conn().prepare_cached(
        "SELECT facility, care_type, month, wish, status, decided_on FROM p_seat_holds ORDER BY rowid",
    )?;
    let mut rows = holds.query([])?;
    while let Some(r) = rows.next()? {
        let key: (String, String, String) = (r.get(0)?, r.get(1)?, r.get(2)?);
        let (status, decided_on): (String, String) = (r.get(4)?, r.get(5)?);
        let (li, mi) = *index
            .get(&key)
            .ok_or_else(|| corrupt("hold without its month", &key.2))?;
        ledgers[li].months[mi].reservations.push(SeatReservation {
            wish: WishHandle(r.get(3)?),
            status: SeatStatus::parse(&status).ok_or_else(|| corrupt("status", &status))?,
            decided_on: decided_on
                .parse()
                .map_err(|_| corrupt("date", &decided_on))?,
        });
    }
    let mut declines = store.conn().prepare_cached(
        "SELECT facility, wish, reason, decided_on FROM p_seat_declines ORDER BY rowid",
    )?;
    let mut rows = declines.query([])?;
    while let Some(r) = rows.next()? {
        let (facility, reason, decided_on): (String, String, String) =
            (r.get(0)?, r.get(2)?, r.get(3)?);
        let li = match ledgers.iter().position(|l| l.facility.0 == facility) {
            Some(i) => i,
            None => {
                // A ledger without months: its declines still count.
                ledgers.push(SeatLedger {
                    facility: FacilityId(facility),
                    months: vec![],
                    declines: vec![],
                });
                ledgers.len() - 1
            }
        };
        ledgers[li].declines.push(WishDecline {
            wish: WishHandle(r.get(1)?),
            reason: DeclineReason::parse(&reason).ok_or_else(|| corrupt("reason", &reason))?,
            decided_on: decided_on
                .parse()
                .map_err(|_| corrupt("date", &decided_on))?,
        });
    }
    Ok(ledgers)
}

/// A wish as the Kita's list shows it, with the Kita's hold on it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WishAtKita {
    /// What this Kita calls the application (unlinkable across Kitas).
    pub handle: WishHandle,
    pub care_type: CareType,
    pub desired_start: Date,
    pub age_months_at_start: u32,
    pub daily_hours: Dec,
    pub integration_need: bool,
    pub sibling_here: bool,
    pub transfer: bool,
    /// Siblings applying together with this child, by their handles here.
    pub together_here: Vec<WishHandle>,
    pub status: WishStatus,
    /// The month and status of this Kita's hold on it, if any.
    pub hold: Option<(Date, SeatStatus)>,
    /// The day it was presented for review.
    pub requested_on: Option<Date>,
    pub denomination: String,
    /// This Kita's "no", with the reason and the day.
    pub declined: Option<(DeclineReason, Date)>,
    /// The Kita's own follow-up (Wiedervorlage, Lastenheft 3.6.6): the day by which a wish under
    /// review or a reserved seat should have come to a contract or been released.
    pub follow_up_on: Option<Date>,
    /// The follow-up day has passed.
    pub overdue: bool,
    /// The parents' name, phone and e-mail, from the applicant share the city issued when this
    /// Kita reserved the seat (only with the parents' consent to forwarding).
    pub contact: Option<String>,
}

/// Days of the Kita's follow-up on a wish under review or a reservation (Lastenheft 3.6.6:
/// "Wiedervorlage mit 14 Tagen Frist"). The city alerts the ZVS after its own configured days.
pub const FOLLOW_UP_DAYS: u64 = 14;

/// What the seats page shows.
#[derive(Debug, Clone, Serialize)]
pub struct SeatsView {
    pub ledger: SeatLedger,
    /// In the order of the Kita's lists (Lastenheft 3.2.4): siblings first, then the desired
    /// start, then the birth date (the older child first), then the handle.
    pub wishes: Vec<WishAtKita>,
    /// Children of this Kita another Kita reserved a seat for (a Wechselantrag): who leaves,
    /// from when, how far (`crate::applications::transfer_notices`).
    pub transfers: Vec<crate::applications::transfer_notices::NoticeRow>,
}

impl SeatsView {
    /// The wishes presented for review, and those the Kita took from its waitlist.
    pub fn to_review(&self) -> Vec<&WishAtKita> {
        self.wishes
            .iter()
            .filter(|w| w.status == WishStatus::Requested)
            .collect()
    }

    /// The proposals of a coordinated placement round: to confirm (reserve) or decline, and
    /// those confirmed that wait for the parents' answer.
    pub fn proposals(&self) -> Vec<&WishAtKita> {
        self.wishes
            .iter()
            .filter(|w| matches!(w.status, WishStatus::Proposed | WishStatus::Offered))
            .collect()
    }

    /// The internal waitlist (Lastenheft 3.6.4).
    pub fn waitlist(&self) -> Vec<&WishAtKita> {
        self.wishes
            .iter()
            .filter(|w| w.status == WishStatus::Waiting)
            .collect()
    }

    /// Wishes no longer open: declined here, withdrawn, placed, inactive.
    pub fn closed(&self) -> Vec<&WishAtKita> {
        self.wishes.iter().filter(|w| !w.status.open()).collect()
    }
}

/// The form or JSON body of a "no" to a wish.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct DeclineInput {
    /// The Kita's handle of the wish.
    pub wish: String,
    /// A [`DeclineReason`] code.
    pub reason: String,
}

/// The form or JSON body of a reservation.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct ReserveInput {
    /// The Kita's handle of the wish.
    pub wish: String,
    /// First day of the month from which the seat is reserved (YYYY-MM-DD).
    pub month: String,
}

/// The form or JSON body of a release.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct ReleaseInput {
    /// The Kita's handle of the wish.
    pub wish: String,
}

/// The wishes for `facility` that this node holds, with the ledger's holds.
pub fn wishes_at(
    store: &Store,
    facility: &FacilityId,
    ledger: &SeatLedger,
    today: Date,
) -> Result<Vec<WishAtKita>, StoreError> {
    let mut list: Vec<WishAtKita> = store
        .values_of_kind::<ApplicationWish>()?
        .into_iter()
        .filter(|w| &w.facility == facility)
        .map(|w| {
            let hold = ledger
                .hold_of(&w.handle)
                .map(|(month, r)| (month.month, r.status, r.decided_on));
            // From the later of the review and the reservation; none once a contract is signed.
            let follow_up_on = match (w.status, hold) {
                (_, Some((_, SeatStatus::Taken, _))) => None,
                (WishStatus::Requested | WishStatus::Waiting, Some((_, _, reserved))) => {
                    Some(reserved.max(w.requested_on.unwrap_or(reserved)))
                }
                (WishStatus::Requested | WishStatus::Proposed, None) => w.requested_on,
                _ => None,
            }
            .map(|from| Date(from.0 + chrono::Days::new(FOLLOW_UP_DAYS)));
            (w, hold, follow_up_on)
        })
        .map(|(w, hold, follow_up_on)| {
            let declined = ledger.declined(&w.handle).map(|d| (d.reason, d.decided_on));
            (w, hold, follow_up_on, declined)
        })
        .map(|(w, hold, follow_up_on, declined)| WishAtKita {
            // The Kita's own "no" closes the wish here at once; the city's status follows
            // when the ledger reached it.
            status: match declined {
                Some(_) if w.status.open() => WishStatus::Declined,
                _ => w.status,
            },
            declined,
            overdue: declined.is_none() && follow_up_on.is_some_and(|due| due < today),
            follow_up_on: follow_up_on.filter(|_| declined.is_none()),
            requested_on: w.requested_on,
            denomination: w.denomination,
            hold: hold.map(|(month, status, _)| (month, status)),
            care_type: w.care_type,
            desired_start: w.desired_start,
            age_months_at_start: w.age_months_at_start,
            daily_hours: w.daily_hours,
            integration_need: w.integration_need,
            sibling_here: w.sibling_here,
            transfer: w.transfer,
            together_here: w.together_here,
            handle: w.handle,
            contact: None,
        })
        .collect();
    let shares = crate::applications::shares::held(store)?;
    for wish in list.iter_mut().filter(|w| shares.contains_key(&w.handle)) {
        if let Some((_, share)) = store.find::<ApplicantShare>(&shares[&wish.handle])? {
            wish.contact = Some(
                [
                    format!(
                        "{} {} ({} {})",
                        share.guardian_given_name,
                        share.guardian_family_name,
                        share.child_given_name,
                        share.child_family_name
                    ),
                    share.phone,
                    share.email,
                ]
                .into_iter()
                .filter(|s| !s.trim().is_empty())
                .collect::<Vec<_>>()
                .join(", "),
            );
        }
    }
    list.sort_by(|a, b| {
        let order = |w: &WishAtKita| {
            (
                !w.sibling_here,
                w.desired_start,
                std::cmp::Reverse(w.age_months_at_start),
                w.handle.clone(),
            )
        };
        order(a).cmp(&order(b))
    });
    Ok(list)
}

pub fn view(
    store: &Store,
    who: &Principal,
    facility: Option<&FacilityId>,
    today: Date,
) -> Result<SeatsView, ActionError> {
    let facility = at_this_kita(who, Action::ViewSeats { facility }, facility)?;
    let (_, ledger) = store.get::<SeatLedger>(&ledger_doc_id(&facility))?;
    let wishes = wishes_at(store, &facility, &ledger, today)?;
    let transfers = crate::applications::transfer_notices::held_notices(store)?
        .into_iter()
        .filter(|n| n.facility == facility)
        .collect();
    Ok(SeatsView {
        ledger,
        wishes,
        transfers,
    })
}

/// The wish `input` names, if it is a wish for this Kita. Field errors otherwise.
fn wish_here(
    store: &Store,
    facility: &FacilityId,
    input: &str,
    v: &mut Validator,
) -> Result<Option<ApplicationWish>, StoreError> {
    let Ok(handle) = input.trim().parse::<WishHandle>() else {
        v.fail("wish", "Vormerkung wählen / choose a wish");
        return Ok(None);
    };
    let found = store
        .find::<ApplicationWish>(&wish_doc_id(&handle))?
        .map(|(_, w)| w)
        .filter(|w| &w.facility == facility);
    if found.is_none() {
        v.fail(
            "wish",
            "keine Vormerkung für diese Kita / no wish for this Kita",
        );
    }
    Ok(found)
}

/// [`wish_here`], and still open: a seat can be given to it or it can be declined.
fn open_wish_here(
    store: &Store,
    facility: &FacilityId,
    input: &str,
    v: &mut Validator,
) -> Result<Option<ApplicationWish>, StoreError> {
    let wish = wish_here(store, facility, input, v)?;
    if let Some(w) = &wish {
        v.check(
            w.status.open(),
            "wish",
            "Die Vormerkung ist nicht mehr offen (zurückgezogen oder vermittelt) / the wish is no longer open",
        );
    }
    Ok(wish)
}

fn save_ledger(
    store: &mut Store,
    who: &Principal,
    facility: &FacilityId,
    wish: &WishHandle,
    action: &'static str,
    now: Now,
    change: impl FnOnce(&mut SeatLedger) -> Result<(), kitanetz_crdt::ValidationError>,
) -> Result<SeatLedger, ActionError> {
    let id = ledger_doc_id(facility);
    let (mut doc, mut ledger) = store.get::<SeatLedger>(&id)?;
    ledger.settle_merged();
    change(&mut ledger)?;
    doc.update(&ledger, now.today, now.millis, action)?;
    store.save_doc(
        &mut doc,
        &AuditEntry {
            at: now.millis,
            actor: who.audit_name(),
            action,
            target: Some(id.0.clone()),
            subjects: vec![wish.0.clone()],
            valid_from: None,
        },
    )?;
    Ok(ledger)
}

/// Reserves a seat of the wish's care type from `input.month` (the Kita lead decides).
pub fn reserve(
    store: &mut Store,
    who: &Principal,
    facility: Option<&FacilityId>,
    input: &ReserveInput,
    now: Now,
) -> Result<SeatLedger, ActionError> {
    let facility = at_this_kita(who, Action::ManageSeats { facility }, facility)?;
    let mut v = Validator::new();
    let wish = open_wish_here(store, &facility, &input.wish, &mut v)?;
    let month = input.month.trim().parse::<Date>().ok();
    v.check(month.is_some(), "month", "Monat wählen / choose a month");
    v.finish()?;
    let (wish, month) = (wish.expect("checked"), month.expect("checked"));
    save_ledger(
        store,
        who,
        &facility,
        &wish.handle,
        "seat.reserve",
        now,
        |l| l.reserve(&wish.handle, wish.care_type, month, now.today),
    )
}

/// The Kita lead says no to a wish with a coded reason (Lastenheft 3.6.5): a seat reserved for
/// it is released, and the city moves the application on to the next wish.
pub fn decline(
    store: &mut Store,
    who: &Principal,
    facility: Option<&FacilityId>,
    input: &DeclineInput,
    now: Now,
) -> Result<SeatLedger, ActionError> {
    let facility = at_this_kita(who, Action::ManageSeats { facility }, facility)?;
    let mut v = Validator::new();
    let wish = open_wish_here(store, &facility, &input.wish, &mut v)?;
    let reason = DeclineReason::parse(input.reason.trim());
    v.check(reason.is_some(), "reason", "Grund wählen / choose a reason");
    v.finish()?;
    let (handle, reason) = (wish.expect("checked").handle, reason.expect("checked"));
    save_ledger(store, who, &facility, &handle, "seat.decline", now, |l| {
        l.decline(&handle, reason, now.today)
    })
}

/// Releases this Kita's reservation for a wish.
pub fn release(
    store: &mut Store,
    who: &Principal,
    facility: Option<&FacilityId>,
    input: &ReleaseInput,
    now: Now,
) -> Result<SeatLedger, ActionError> {
    let facility = at_this_kita(who, Action::ManageSeats { facility }, facility)?;
    let mut v = Validator::new();
    let wish = wish_here(store, &facility, &input.wish, &mut v)?;
    v.finish()?;
    let handle = wish.expect("checked").handle;
    save_ledger(store, who, &facility, &handle, "seat.release", now, |l| {
        l.release(&handle, now.today)
    })
}

/// What this Kita's node does to its ledger when a document arrives by sync: a wish that
/// closed frees the seat reserved for it ([`release_for_closed_wish`]), a transfer concluded
/// elsewhere frees the leaving child's seat ([`follow_transfer_notice`]). Returns whether the
/// ledger changed.
pub fn follow_arrival(
    store: &mut Store,
    facility: &FacilityId,
    meta: &kitanetz_crdt::meta::DocMeta,
    doc: &DocId,
    now: Now,
) -> Result<bool, StoreError> {
    use kitanetz_crdt::meta::DocKind;
    match meta.kind {
        DocKind::ApplicationWish => release_for_closed_wish(store, facility, doc, now),
        DocKind::TransferNotice => follow_transfer_notice(store, facility, doc, now),
        _ => Ok(false),
    }
}

/// A wish that closed at the city (the parents withdrew, the child was placed elsewhere, the
/// ZVS set the application inactive) while this Kita still holds a reserved seat for it: the
/// node releases the seat for the Kita when the wish's new status arrives (Lastenheft 3.6.7:
/// "withdrawal releases a reserved place and tells the Kita"). The closed list shows the status;
/// the audit log says the system released it. Returns whether a seat was released. A taken seat
/// (a contract) is never touched: the contract is ended instead.
pub fn release_for_closed_wish(
    store: &mut Store,
    facility: &FacilityId,
    wish_doc: &DocId,
    now: Now,
) -> Result<bool, StoreError> {
    let Some((_, wish)) = store.find::<ApplicationWish>(wish_doc)? else {
        return Ok(false);
    };
    let handle = &wish.handle;
    if wish.status.open() || &wish.facility != facility {
        return Ok(false);
    }
    let id = ledger_doc_id(facility);
    let Some((mut doc, mut ledger)) = store.find::<SeatLedger>(&id)? else {
        return Ok(false);
    };
    let reserved = ledger
        .hold_of(handle)
        .is_some_and(|(_, hold)| hold.status == SeatStatus::Reserved);
    if !reserved || ledger.release(handle, now.today).is_err() {
        return Ok(false);
    }
    let actor = format!("system:wish-{}", wish.status.as_str());
    save_for_the_kita(
        store,
        &mut doc,
        &ledger,
        &actor,
        "seat.release",
        &handle.0,
        now,
    )?;
    Ok(true)
}

/// The old Kita's side of a transfer (Lastenheft 3.4.3): when the city's notice says the new
/// contract is concluded, the node counts the leaving child's seat free from the first month
/// that begins on or after its first day at the new Kita, in the care type of its contract
/// here (`SeatMonth::leaving`), so that the city can place another child on it; a notice that
/// turns back (the transfer is off) takes that back. Nothing happens for a child the notice
/// does not match among this Kita's children (the lead sees the notice unmatched on the seats
/// page). The contract itself is ended by the lead, with the parents' notice. Returns whether
/// the ledger changed.
pub fn follow_transfer_notice(
    store: &mut Store,
    facility: &FacilityId,
    notice_doc: &DocId,
    now: Now,
) -> Result<bool, StoreError> {
    use kitanetz_crdt::kinds::{transfer_state, TransferNotice};
    let Some((_, notice)) = store.find::<TransferNotice>(notice_doc)? else {
        return Ok(false);
    };
    if &notice.facility != facility {
        return Ok(false);
    }
    let leaving = if notice.state == transfer_state::PLACED {
        let last_day = Date(notice.new_start.0 - chrono::Days::new(1));
        let child = crate::applications::queries::child_named(
            store,
            &notice.child_given_name,
            &notice.child_family_name,
            notice.child_birth_date,
        )?;
        let care_type = match child {
            Some(child) => crate::extra_care::queries::child_on(
                store,
                facility,
                &kitanetz_crdt::ids::ChildId(child),
                last_day,
            )?
            .and_then(|c| CareType::parse(&c)),
            None => None,
        };
        let Some(care_type) = care_type else {
            return Ok(false);
        };
        Some((care_type, notice.new_start))
    } else {
        None
    };
    let id = ledger_doc_id(facility);
    let Some((mut doc, mut ledger)) = store.find::<SeatLedger>(&id)? else {
        return Ok(false);
    };
    if !ledger.record_leaving(&notice_doc.0, leaving) {
        return Ok(false);
    }
    let actor = format!("system:transfer-{}", notice.state);
    save_for_the_kita(
        store,
        &mut doc,
        &ledger,
        &actor,
        "seat.leaving",
        &notice_doc.0,
        now,
    )?;
    Ok(true)
}

/// Saves a ledger change the node makes for the Kita on what arrived, audited as the system's.
fn save_for_the_kita(
    store: &mut Store,
    doc: &mut kitanetz_crdt::doc::StoredDoc,
    ledger: &SeatLedger,
    actor: &str,
    action: &'static str,
    subject: &str,
    now: Now,
) -> Result<(), StoreError> {
    doc.update(ledger, now.today, now.millis, action)?;
    let target = doc.id.0.clone();
    store.save_doc(
        doc,
        &AuditEntry {
            at: now.millis,
            actor: actor.to_string(),
            action,
            target: Some(target),
            subjects: vec![subject.to_string()],
            valid_from: None,
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::storage::test_support::{kita_membership, open_temp};
    use crate::storage::Durability;
    use kitanetz_crdt::doc::StoredDoc;
    use kitanetz_crdt::ids::OrgId;
    use kitanetz_crdt::meta::{DocKind, DocMeta};

    fn ledger() -> SeatLedger {
        let hold = |wish: &str, status, day| SeatReservation {
            wish: WishHandle(wish.into()),
            status,
            decided_on: Date::ymd(2026, 11, day),
        };
        let month = |m, reservations| SeatMonth {
            care_type: CareType::Kindergarten,
            month: Date::ymd(2027, m, 1),
            places: 12,
            occupied: 9,
            reservations,
            leaving: vec![],
        };
        SeatLedger {
            facility: FacilityId("fac-1".into()),
            months: vec![
                month(
                    1,
                    vec![
                        hold("aaaaaaa2", SeatStatus::Reserved, 5),
                        hold("aaaaaaa1", SeatStatus::Free, 3),
                    ],
                ),
                month(2, vec![hold("aaaaaaa3", SeatStatus::Taken, 4)]),
                month(3, vec![]),
            ],
            declines: vec![],
        }
    }

    #[test]
    fn ledgers_from_the_projection_equal_the_documents_also_after_an_upgrade() {
        let (dir, mut store) = open_temp();
        let today = Date::ymd(2026, 11, 2);
        let meta = DocMeta {
            kind: DocKind::SeatLedger,
            schema: 1,
            owner: OrgId("org-fac-1".into()),
            provider: None,
            facilities: vec![FacilityId("fac-1".into())],
            origin_node: "kita-1".into(),
            created_on: today,
        };
        let mut doc = StoredDoc::create(
            ledger_doc_id(&FacilityId("fac-1".into())),
            meta,
            &ledger(),
            store.actor(),
            today,
            1,
        )
        .unwrap();
        let entry = AuditEntry {
            at: 1,
            actor: "user:test".into(),
            action: "seat.reserve",
            target: None,
            subjects: vec![],
            valid_from: None,
        };
        store.save_doc(&mut doc, &entry).unwrap();
        assert_eq!(ledgers(&store).unwrap(), [ledger()]);

        // A database from before the hold rows existed is rebuilt when it is opened.
        store
            .conn()
            .execute_batch(
                // Undo migrations 38 (placement catalogues), 37 (sealed chunks), 36 (lost-fee reports), 35 (replaced statute versions), 34 (Kita-Planer imports), 33 (KDW staff option), 32 (change reports), 31 (password change), 30 (notice letters), 29 (childminder users), 28 (fee proofs), 27 (statute versions), 26 (round cancel), 25 (applicant facts), 24 (KDW master data), 23 (wish status), 22 (§ 90 settings), 21 (rounds), 20 (Kita-Planer), 19, 18, 17, 16, 15, 14, 13, 12, 11, 10,
                // 9, 8, 7, 6, 5, 4 and 3: the schema of version 2.
                "DROP TABLE placement_catalogues;
                 DROP INDEX documents_sealed; ALTER TABLE documents DROP COLUMN sealed;
                 ALTER TABLE chunks DROP COLUMN sealed;
                 DROP TABLE lost_fee_reported; DROP TABLE fee_statute_versions_replaced;
                 DROP TABLE kitaplaner_imports;
                 ALTER TABLE kdw_facilities DROP COLUMN export_staff;
                 DROP TABLE change_reports_done; DROP TABLE change_reports;
                 ALTER TABLE users DROP COLUMN must_change_password;
                 ALTER TABLE letters_out DROP COLUMN body; ALTER TABLE letters_out DROP COLUMN subject;
                 ALTER TABLE users DROP COLUMN childminder;
                 DROP TABLE fee_proofs; DROP TABLE fee_statute_versions;
                 ALTER TABLE round_children DROP COLUMN released_on; ALTER TABLE rounds DROP COLUMN cancel_reason;
                 ALTER TABLE rounds DROP COLUMN cancelled_by; ALTER TABLE rounds DROP COLUMN cancelled_on;
                 DROP TABLE p_applicants; DROP TABLE kdw_integration; DROP TABLE kdw_facilities;
                 ALTER TABLE p_application_wishes DROP COLUMN since; ALTER TABLE p_application_wishes DROP COLUMN status;
                 DROP TABLE fee_reduction_settings;
                 DROP TABLE round_children; DROP TABLE rounds; DROP TABLE kitaplaner_status; DROP TABLE kitaplaner_runs;
                 DROP TABLE p_childminder_placements; DROP INDEX p_applications_childminding; ALTER TABLE p_applications DROP COLUMN childminding_agency;
                 DROP TABLE writers; DROP TABLE change_signatures; DROP TABLE payments; DROP TABLE payment_imports; DROP TABLE follow_ups; DROP TABLE p_extra_care; ALTER TABLE sessions DROP COLUMN kind;
                 DROP TABLE billing_positions; DROP TABLE billing_runs;
                 DROP TABLE p_applicant_shares; DROP INDEX tombstones_local_seq;
                 ALTER TABLE tombstones DROP COLUMN local_seq; DROP TABLE p_seat_declines; DROP INDEX p_applications_together;
                 ALTER TABLE p_applications DROP COLUMN together;
                 DROP TABLE p_application_wishes;
                 DROP TABLE letters_out;
                 DROP TABLE application_guardians; DROP TABLE application_invitations;
                 DROP TABLE application_documents; DROP TABLE intake_settings;
                 DROP TABLE kind_changes; DROP TABLE portal_applications; DROP TABLE application_keys;
                 DROP TABLE outbox; DROP TABLE account_tokens; DROP TABLE guardian_sessions;
                 DROP TABLE guardian_accounts;
                 DROP INDEX documents_local_seq;
                 ALTER TABLE documents DROP COLUMN local_seq;
                 DROP TABLE p_seat_holds;
                 ALTER TABLE p_seat_months ADD COLUMN reserved INTEGER NOT NULL DEFAULT 0;",
            )
            .unwrap();
        store.conn().pragma_update(None, "user_version", 2).unwrap();
        drop(store);
        let store = Store::open(
            &dir.path().join("node.db"),
            Durability::Normal,
            "kita-1",
            kita_membership(),
        )
        .unwrap();
        assert_eq!(ledgers(&store).unwrap(), [ledger()]);
    }
}
