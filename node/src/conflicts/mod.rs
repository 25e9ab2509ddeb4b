//! Conflict records for invariants that merging cannot enforce. Nothing is resolved silently:
//! each conflict has a deterministic default (what stands until a person decides) and a task
//! for a person.
//!
//! - **Double place** (one place per child): each Kita owns its seat ledger, so two Kitas
//!   working offline can both reserve a place for the same application. Both ledgers merge
//!   fine; the collision only shows at the city, which owns the rule. Task: the ZVS decides
//!   which Kita keeps the application ([`decide`], a city-owned [`ConflictDecision`] that
//!   reaches the Kitas it names); the others release their reservation ([`crate::seats::release`]).
//! - **Contract changed twice from one day**: the Kita and its Träger office each changed a
//!   contract from the same day while offline. Changes from different days both hold (see
//!   `CareContract::effective_lines`); two from one day cannot. Default: the line with the larger
//!   id is read. Task: the Kita lead enters the change from that day again, which replaces both.
//! - **One child, two months**: two devices of one Kita reserved the same application for
//!   different months offline. Task: the Kita lead releases (all months) and reserves again.
//! - **Overbooked month** (capacity): two devices of one Kita give the last seat while offline;
//!   the merged ledger holds more than it has. Task: the Kita lead releases reservations until
//!   it fits; by default the contracts and the earlier decisions keep their seats.

pub mod http;

use crate::action::ActionError;
use crate::auth::{authorize, Action, Principal};
use crate::clock::Now;
use crate::storage::{AuditEntry, Store, StoreError};
use kitanetz_crdt::doc::StoredDoc;
use kitanetz_crdt::ids::{city_org, doc_id_for, ApplicationId, ChildId, ContractId, FacilityId};
use kitanetz_crdt::kinds::seats::Overbooking;
use kitanetz_crdt::kinds::{Application, CareContract, ConflictDecision, SeatLedger, SeatStatus};
use kitanetz_crdt::meta::{DocKind, DocMeta};
use kitanetz_crdt::scalar::Date;
use kitanetz_crdt::ValidationError;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// One Kita's hold on an application.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Hold {
    pub facility: FacilityId,
    pub month: Date,
    pub status: SeatStatus,
    pub decided_on: Date,
}

/// An application held by more than one Kita.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DoublePlace {
    pub application: ApplicationId,
    pub holds: Vec<Hold>,
    /// The ZVS's latest decision on it, while Kitas still have to release.
    pub decision: Option<ConflictDecision>,
    /// The hold that stands until a person decides: a signed contract (taken) before a
    /// reservation, then the earlier decision, then the smaller facility id.
    pub default_keeper: FacilityId,
}

fn precedence(h: &Hold) -> (u8, Date, &FacilityId) {
    (h.status.rank(), h.decided_on, &h.facility)
}

/// Finds applications reserved or taken in more than one Kita. Pure: same ledgers, same result.
pub fn double_places(ledgers: &[SeatLedger]) -> Vec<DoublePlace> {
    let mut holds: BTreeMap<ApplicationId, Vec<Hold>> = BTreeMap::new();
    for ledger in ledgers {
        for month in &ledger.months {
            for r in month.reservations.iter().filter(|r| r.status.holds()) {
                holds.entry(r.application.clone()).or_default().push(Hold {
                    facility: ledger.facility.clone(),
                    month: month.month,
                    status: r.status,
                    decided_on: r.decided_on,
                });
            }
        }
    }
    holds
        .into_iter()
        .filter_map(|(application, mut holds)| {
            holds.sort_by(|a, b| precedence(a).cmp(&precedence(b)));
            // One entry per Kita (its best hold), also when it holds several months.
            let mut seen = std::collections::BTreeSet::new();
            holds.retain(|h| seen.insert(h.facility.clone()));
            (holds.len() > 1).then(|| DoublePlace {
                default_keeper: holds[0].facility.clone(),
                decision: None,
                application,
                holds,
            })
        })
        .collect()
}

/// A month of one Kita's ledger with more holds than seats.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OverbookedMonth {
    pub facility: FacilityId,
    pub overbooking: Overbooking,
}

/// One Kita holding seats in several months for one application (two devices, offline).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HeldTwice {
    pub facility: FacilityId,
    pub application: ApplicationId,
    pub months: Vec<Date>,
}

/// A Kita's task from a ZVS decision: release its hold on an application another Kita keeps.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReleaseTask {
    pub application: ApplicationId,
    /// What this Kita calls the application.
    pub handle: String,
    pub month: Date,
    pub decision: ConflictDecision,
}

/// A contract with two changes from the same day (from two nodes, offline).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ContractCollision {
    pub contract: ContractId,
    pub child: ChildId,
    pub days: Vec<Date>,
}

/// Every conflict this node can see, with the tasks for its people.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Conflicts {
    /// Seen by the city (it holds every ledger).
    pub double_places: Vec<DoublePlace>,
    /// Seen by the Kita that owns the ledger and by the city.
    pub overbooked: Vec<OverbookedMonth>,
    /// Seen by a Kita that a ZVS decision asks to release.
    pub release_tasks: Vec<ReleaseTask>,
    /// Seen by the Kita whose contract it is.
    pub contracts: Vec<ContractCollision>,
    /// Seen by the Kita that owns the ledger and by the city.
    pub held_twice: Vec<HeldTwice>,
}

impl Conflicts {
    pub fn is_empty(&self) -> bool {
        self.double_places.is_empty()
            && self.overbooked.is_empty()
            && self.release_tasks.is_empty()
            && self.contracts.is_empty()
            && self.held_twice.is_empty()
    }
}

/// The latest decision per application (a re-decision is a later one).
fn latest_decisions(
    store: &Store,
) -> Result<BTreeMap<ApplicationId, ConflictDecision>, StoreError> {
    let mut latest: BTreeMap<ApplicationId, ConflictDecision> = BTreeMap::new();
    for d in store.values_of_kind::<ConflictDecision>()? {
        match latest.get(&d.application) {
            Some(known) if (known.decided_on, known.decided_at) > (d.decided_on, d.decided_at) => {}
            _ => {
                latest.insert(d.application.clone(), d);
            }
        }
    }
    Ok(latest)
}

/// The conflicts among the documents this node holds. `facility` is the Kita this node serves
/// (its release tasks), if any.
pub fn list(
    store: &Store,
    who: &Principal,
    facility: Option<&FacilityId>,
) -> Result<Conflicts, ActionError> {
    authorize(who, Action::ViewConflicts { facility })?;
    Ok(held_conflicts(store, facility)?)
}

/// The conflicts this node holds, without asking who wants to know: for the node's own checks
/// (tests, the demo smoke) and for [`list`] after its check.
pub fn held_conflicts(
    store: &Store,
    facility: Option<&FacilityId>,
) -> Result<Conflicts, StoreError> {
    let ledgers = crate::seats::ledgers(store)?;
    let decisions = latest_decisions(store)?;
    let mut double = double_places(&ledgers);
    for d in &mut double {
        // A decision counts for the holds it saw; a hold taken after it needs a new one.
        d.decision = decisions
            .get(&d.application)
            .filter(|decision| d.holds.iter().all(|h| decision.covers(h.decided_on)))
            .cloned();
    }
    let overbooked = ledgers
        .iter()
        .flat_map(|l| {
            l.overbooked()
                .into_iter()
                .map(|overbooking| OverbookedMonth {
                    facility: l.facility.clone(),
                    overbooking,
                })
        })
        .collect();
    let held_twice = ledgers
        .iter()
        .flat_map(|l| {
            l.held_in_several_months()
                .into_iter()
                .map(|(application, months)| HeldTwice {
                    facility: l.facility.clone(),
                    application,
                    months,
                })
        })
        .collect();
    let mut release_tasks = Vec::new();
    let mut contracts = Vec::new();
    if let Some(facility) = facility {
        for c in store.values_of_kind::<CareContract>()? {
            let days = c.same_day_changes();
            if &c.facility == facility && !days.is_empty() {
                contracts.push(ContractCollision {
                    contract: c.id,
                    child: c.child,
                    days,
                });
            }
        }
        if let Some(own) = ledgers.iter().find(|l| &l.facility == facility) {
            let handles: BTreeMap<ApplicationId, String> = store
                .values_of_kind::<Application>()?
                .into_iter()
                .filter_map(|a| {
                    let w = a.wishes.into_iter().find(|w| &w.facility == facility)?;
                    Some((a.id, w.handle))
                })
                .collect();
            for decision in decisions.into_values() {
                if !decision.release.contains(facility) {
                    continue;
                }
                // A hold taken after the decision (the place was given again) is not its task.
                if let Some((month, _)) = own
                    .hold_of(&decision.application)
                    .filter(|(_, hold)| decision.covers(hold.decided_on))
                {
                    release_tasks.push(ReleaseTask {
                        handle: handles
                            .get(&decision.application)
                            .cloned()
                            .unwrap_or_default(),
                        application: decision.application.clone(),
                        month: month.month,
                        decision,
                    });
                }
            }
        }
    }
    Ok(Conflicts {
        double_places: double,
        overbooked,
        release_tasks,
        contracts,
        held_twice,
    })
}

/// The ZVS's decision on a double place (form or JSON body).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct DecideInput {
    pub application: String,
    /// The Kita that keeps the application.
    pub keeper: String,
    pub note: String,
}

/// Decides which Kita keeps an application that several hold. Writes (or updates) the
/// city-owned decision document, which sync brings to every Kita it names.
pub fn decide(
    store: &mut Store,
    who: &Principal,
    input: &DecideInput,
    now: Now,
) -> Result<ConflictDecision, ActionError> {
    let Now {
        today,
        millis: now_millis,
    } = now;
    authorize(who, Action::DecideConflicts)?;
    let ledgers = crate::seats::ledgers(store)?;
    let conflict = input
        .application
        .trim()
        .parse::<ApplicationId>()
        .ok()
        .and_then(|id| {
            double_places(&ledgers)
                .into_iter()
                .find(|c| c.application == id)
        });
    let Some(conflict) = conflict else {
        return Err(ValidationError::field(
            "application",
            "für diesen Antrag besteht kein Konflikt / no conflict for this application",
        )
        .into());
    };
    let keeper = conflict
        .holds
        .iter()
        .map(|h| &h.facility)
        .find(|f| f.0 == input.keeper.trim())
        .cloned();
    let Some(keeper) = keeper else {
        return Err(ValidationError::field(
            "keeper",
            "eine der beteiligten Kitas wählen / choose one of the Kitas involved",
        )
        .into());
    };
    let mut release: Vec<FacilityId> = conflict
        .holds
        .iter()
        .map(|h| h.facility.clone())
        .filter(|f| f != &keeper)
        .collect();
    release.sort();
    release.dedup();
    let decision = ConflictDecision {
        application: conflict.application.clone(),
        keeper,
        release,
        decided_on: today,
        decided_at: now_millis,
        decided_by: who.staff().map(|c| c.username.clone()).unwrap_or_default(),
        note: input.note.trim().to_string(),
    };
    // One document per application and set of Kitas: a re-decision among the same Kitas
    // updates it; a conflict that grew to another Kita gets a document that Kita can hold.
    let facilities = decision.facilities();
    let names: Vec<&str> = facilities.iter().map(|f| f.0.as_str()).collect();
    let id = doc_id_for(
        "conflict-decision",
        &format!("{}-{}", decision.application.0, names.join("-")),
    );
    let mut doc = match store.load_doc(&id) {
        Ok(mut doc) => {
            doc.update(&decision, today, now_millis, "conflict decided again")?;
            doc
        }
        Err(StoreError::NotFound(_)) => StoredDoc::create(
            id.clone(),
            DocMeta {
                kind: DocKind::ConflictDecision,
                schema: DocKind::ConflictDecision.schema_version(),
                owner: city_org(),
                provider: None,
                facilities,
                origin_node: store.node_name().to_string(),
                created_on: today,
            },
            &decision,
            store.actor(),
            today,
            now_millis,
        )?,
        Err(e) => return Err(e.into()),
    };
    store.save_doc(
        &mut doc,
        &AuditEntry {
            at: now_millis,
            actor: who.audit_name(),
            action: "conflict.decide",
            target: Some(id.0.clone()),
            subjects: vec![decision.application.0.clone()],
            valid_from: None,
        },
    )?;
    Ok(decision)
}

#[cfg(test)]
mod tests {
    use super::*;
    use kitanetz_crdt::kinds::{CareType, SeatMonth, SeatReservation};

    fn ledger(facility: &str, holds: &[(&str, SeatStatus, u32)]) -> SeatLedger {
        SeatLedger {
            facility: FacilityId(facility.into()),
            months: vec![SeatMonth {
                care_type: CareType::Kindergarten,
                month: Date::ymd(2027, 8, 1),
                places: 10,
                occupied: 2,
                reservations: holds
                    .iter()
                    .map(|(app, status, day)| SeatReservation {
                        application: ApplicationId((*app).into()),
                        status: *status,
                        decided_on: Date::ymd(2027, 3, *day),
                    })
                    .collect(),
            }],
        }
    }

    #[test]
    fn one_hold_per_application_is_no_conflict() {
        let ls = [
            ledger("fac-a", &[("app-1", SeatStatus::Reserved, 3)]),
            ledger("fac-b", &[("app-2", SeatStatus::Reserved, 2)]),
        ];
        assert!(double_places(&ls).is_empty());
    }

    #[test]
    fn taken_beats_reserved_then_the_earlier_decision() {
        let ls = [
            ledger(
                "fac-a",
                &[
                    ("app-1", SeatStatus::Reserved, 1),
                    ("app-2", SeatStatus::Reserved, 5),
                ],
            ),
            ledger(
                "fac-b",
                &[
                    ("app-1", SeatStatus::Taken, 9),
                    ("app-2", SeatStatus::Reserved, 4),
                ],
            ),
            ledger("fac-c", &[("app-2", SeatStatus::Free, 1)]),
        ];
        let c = double_places(&ls);
        assert_eq!(c.len(), 2);
        assert_eq!(c[0].application.0, "app-1");
        assert_eq!(c[0].default_keeper.0, "fac-b", "a signed contract stands");
        assert_eq!(
            c[1].default_keeper.0, "fac-b",
            "the earlier reservation stands"
        );
        assert_eq!(c[1].holds.len(), 2, "a freed seat is no hold");
        // Order of the ledgers does not matter.
        let mut reversed = ls.to_vec();
        reversed.reverse();
        assert_eq!(double_places(&reversed), c);
    }
}
