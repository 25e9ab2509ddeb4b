//! Conflict records for invariants that merging cannot enforce. Nothing is resolved silently:
//! each conflict has a deterministic default (what stands until a person decides) and a task
//! for a person.
//!
//! - **Double place** (one place per child): each Kita owns its seat ledger, so two Kitas
//!   working offline can both reserve a place for the same application. Both ledgers merge
//!   fine; the collision only shows at the city, which owns the rule and alone knows which
//!   application each Kita's handle belongs to. Task: the ZVS decides which Kita keeps the
//!   application ([`decide`]: one city-owned [`ConflictDecision`] per held wish, each reaching
//!   only its Kita); the others release their reservation ([`crate::seats::release`]).
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
use kitanetz_crdt::ids::{
    city_org, doc_id_for, ApplicationId, ChildId, ContractId, FacilityId, WishHandle,
};
use kitanetz_crdt::kinds::seats::Overbooking;
use kitanetz_crdt::kinds::{CareContract, ConflictDecision, SeatLedger, SeatStatus};
use kitanetz_crdt::meta::{DocKind, DocMeta};
use kitanetz_crdt::scalar::Date;
use kitanetz_crdt::DocId;
use kitanetz_crdt::ValidationError;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};

/// One Kita's hold on an application (by that Kita's handle of it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Hold {
    pub facility: FacilityId,
    pub wish: WishHandle,
    pub month: Date,
    pub status: SeatStatus,
    pub decided_on: Date,
}

/// A decision of the ZVS on a double place as the city sees it (put together from the
/// decisions that went to each Kita).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Decision {
    pub application: ApplicationId,
    /// The Kita whose hold stands.
    pub keeper: FacilityId,
    /// The Kitas asked to release their hold (sorted).
    pub release: Vec<FacilityId>,
    pub decided_on: Date,
    pub decided_at: i64,
    pub decided_by: String,
    pub note: String,
}

impl Decision {
    /// Whether the decision saw a hold decided on `held_on` (see [`ConflictDecision::covers`]).
    pub fn covers(&self, held_on: Date) -> bool {
        held_on <= self.decided_on
    }
}

/// An application held by more than one Kita.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DoublePlace {
    pub application: ApplicationId,
    pub holds: Vec<Hold>,
    /// The ZVS's latest decision on it, while Kitas still have to release.
    pub decision: Option<Decision>,
    /// The hold that stands until a person decides: a signed contract (taken) before a
    /// reservation, then the earlier decision, then the smaller facility id.
    pub default_keeper: FacilityId,
}

fn precedence(h: &Hold) -> (u8, Date, &FacilityId) {
    (h.status.rank(), h.decided_on, &h.facility)
}

/// Finds applications reserved or taken in more than one Kita. Each Kita holds by its own
/// handle; `owners` (the city's) says which application a handle belongs to. Pure: same
/// ledgers, same result.
pub fn double_places(
    ledgers: &[SeatLedger],
    owners: &HashMap<WishHandle, ApplicationId>,
) -> Vec<DoublePlace> {
    let mut holds: BTreeMap<ApplicationId, Vec<Hold>> = BTreeMap::new();
    for ledger in ledgers {
        for month in &ledger.months {
            for r in month.reservations.iter().filter(|r| r.status.holds()) {
                let Some(application) = owners.get(&r.wish) else {
                    continue;
                };
                holds.entry(application.clone()).or_default().push(Hold {
                    facility: ledger.facility.clone(),
                    wish: r.wish.clone(),
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

/// One Kita holding seats in several months for one wish (two devices, offline).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HeldTwice {
    pub facility: FacilityId,
    pub wish: WishHandle,
    pub months: Vec<Date>,
}

/// A Kita's task from a ZVS decision: release its hold on a wish that another Kita keeps.
/// The Kita learns that, not which Kita keeps the child.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReleaseTask {
    /// What this Kita calls the application.
    pub handle: WishHandle,
    pub month: Date,
    pub decided_on: Date,
    pub decided_by: String,
    pub note: String,
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
    /// Seen by the city (it holds every ledger and knows the handles).
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

/// The latest decision per application (a re-decision is a later one), put together from the
/// per-Kita decisions: those written by one click share `decided_at`.
fn latest_decisions(
    decisions: &[ConflictDecision],
    owners: &HashMap<WishHandle, ApplicationId>,
) -> BTreeMap<ApplicationId, Decision> {
    let mut latest: BTreeMap<ApplicationId, Decision> = BTreeMap::new();
    for d in decisions {
        let Some(application) = owners.get(&d.wish) else {
            continue;
        };
        let fresh = || Decision {
            application: application.clone(),
            keeper: d.facility.clone(),
            release: vec![],
            decided_on: d.decided_on,
            decided_at: d.decided_at,
            decided_by: d.decided_by.clone(),
            note: d.note.clone(),
        };
        let entry = latest.entry(application.clone()).or_insert_with(fresh);
        match (d.decided_on, d.decided_at).cmp(&(entry.decided_on, entry.decided_at)) {
            std::cmp::Ordering::Less => continue,
            std::cmp::Ordering::Greater => *entry = fresh(),
            std::cmp::Ordering::Equal => {}
        }
        if d.keep {
            entry.keeper = d.facility.clone();
        } else if !entry.release.contains(&d.facility) {
            entry.release.push(d.facility.clone());
            entry.release.sort();
        }
    }
    latest
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
    let owners = crate::applications::wishes::owners(store)?;
    let decisions = store.values_of_kind::<ConflictDecision>()?;
    let latest = latest_decisions(&decisions, &owners);
    let mut double = double_places(&ledgers, &owners);
    for d in &mut double {
        // A decision counts for the holds it saw; a hold taken after it needs a new one.
        d.decision = latest
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
                .map(|(wish, months)| HeldTwice {
                    facility: l.facility.clone(),
                    wish,
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
            for decision in decisions
                .iter()
                .filter(|d| &d.facility == facility && !d.keep)
            {
                // A hold taken after the decision (the place was given again) is not its task.
                if let Some((month, _)) = own
                    .hold_of(&decision.wish)
                    .filter(|(_, hold)| decision.covers(hold.decided_on))
                {
                    release_tasks.push(ReleaseTask {
                        handle: decision.wish.clone(),
                        month: month.month,
                        decided_on: decision.decided_on,
                        decided_by: decision.decided_by.clone(),
                        note: decision.note.clone(),
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

fn decision_doc_id(wish: &WishHandle) -> DocId {
    doc_id_for("conflict-decision", &wish.0)
}

/// Decides which Kita keeps an application that several hold. Writes (or updates) one
/// city-owned decision per held wish, each scoped to its Kita: keep, or release.
pub fn decide(
    store: &mut Store,
    who: &Principal,
    input: &DecideInput,
    now: Now,
) -> Result<Decision, ActionError> {
    let Now {
        today,
        millis: now_millis,
    } = now;
    authorize(who, Action::DecideConflicts)?;
    let ledgers = crate::seats::ledgers(store)?;
    let owners = crate::applications::wishes::owners(store)?;
    let conflict = input
        .application
        .trim()
        .parse::<ApplicationId>()
        .ok()
        .and_then(|id| {
            double_places(&ledgers, &owners)
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
    let decided_by = who.staff().map(|c| c.username.clone()).unwrap_or_default();
    let note = input.note.trim().to_string();
    let mut docs = Vec::new();
    for hold in &conflict.holds {
        let decision = ConflictDecision {
            wish: hold.wish.clone(),
            facility: hold.facility.clone(),
            keep: hold.facility == keeper,
            decided_on: today,
            decided_at: now_millis,
            decided_by: decided_by.clone(),
            note: note.clone(),
        };
        let id = decision_doc_id(&hold.wish);
        docs.push(match store.find::<ConflictDecision>(&id)? {
            Some((mut doc, _)) => {
                doc.update(&decision, today, now_millis, "conflict decided again")?;
                doc
            }
            None => StoredDoc::create(
                id,
                DocMeta {
                    kind: DocKind::ConflictDecision,
                    schema: DocKind::ConflictDecision.schema_version(),
                    owner: city_org(),
                    provider: None,
                    facilities: vec![hold.facility.clone()],
                    origin_node: store.node_name().to_string(),
                    created_on: today,
                },
                &decision,
                store.actor(),
                today,
                now_millis,
            )?,
        });
    }
    let mut release: Vec<FacilityId> = conflict
        .holds
        .iter()
        .map(|h| h.facility.clone())
        .filter(|f| f != &keeper)
        .collect();
    release.sort();
    let mut refs: Vec<&mut StoredDoc> = docs.iter_mut().collect();
    store.save_docs(
        &mut refs,
        &AuditEntry {
            at: now_millis,
            actor: who.audit_name(),
            action: "conflict.decide",
            target: None,
            subjects: vec![conflict.application.0.clone()],
            valid_from: None,
        },
    )?;
    Ok(Decision {
        application: conflict.application,
        keeper,
        release,
        decided_on: today,
        decided_at: now_millis,
        decided_by,
        note,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use kitanetz_crdt::kinds::{CareType, SeatMonth, SeatReservation};

    /// Each Kita's own handle of an application: "app-1" at "fac-a" is "a1aaaaaa".
    fn handle(app: &str, facility: &str) -> WishHandle {
        let n = app.trim_start_matches("app-");
        let f = facility.trim_start_matches("fac-");
        WishHandle(format!("{f}{n}aaaaaa"))
    }

    /// The city's knowledge of which application each handle belongs to.
    fn owners() -> HashMap<WishHandle, ApplicationId> {
        let mut owners = HashMap::new();
        for app in ["app-1", "app-2"] {
            for facility in ["fac-a", "fac-b", "fac-c"] {
                owners.insert(handle(app, facility), ApplicationId(app.into()));
            }
        }
        owners
    }

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
                        wish: handle(app, facility),
                        status: *status,
                        decided_on: Date::ymd(2027, 3, *day),
                    })
                    .collect(),
                leaving: vec![],
            }],
            declines: vec![],
        }
    }

    #[test]
    fn one_hold_per_application_is_no_conflict() {
        let ls = [
            ledger("fac-a", &[("app-1", SeatStatus::Reserved, 3)]),
            ledger("fac-b", &[("app-2", SeatStatus::Reserved, 2)]),
        ];
        assert!(double_places(&ls, &owners()).is_empty());
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
        let c = double_places(&ls, &owners());
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
        assert_eq!(double_places(&reversed, &owners()), c);
    }
}
