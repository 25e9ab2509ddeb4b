//! The ZVS's watch of the sequential procedure (Lastenheft 3.2.1, 3.6.5): wishes a Kita has had
//! for review longer than the configured days without a contract or a "no" (the ZVS gets a
//! hint), and the central pool of applications whose every wish was checked in vain.

use super::sequential::{self, status, Ledgers};
use crate::action::ActionError;
use crate::auth::{authorize, Action, Principal};
use crate::storage::Store;
use kitanetz_crdt::ids::{doc_id_for, FacilityId};
use kitanetz_crdt::kinds::{Applicant, Application, CareType, SeatStatus};
use kitanetz_crdt::scalar::Date;
use serde::Serialize;
use std::collections::BTreeMap;

/// A wish under review past the follow-up days.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OverdueReview {
    pub application: String,
    pub child: String,
    pub facility: FacilityId,
    pub facility_name: String,
    /// The day the Kita received it for review.
    pub since: Date,
    pub days: i64,
    /// The Kita reserved a seat (but no contract yet).
    pub reserved: bool,
}

/// An application in the central pool.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct InPool {
    pub application: String,
    pub child: String,
    pub desired_start: Date,
    pub care_type: CareType,
    /// The wishes in the parents' order: (Kita, status at the city).
    pub wishes: Vec<(String, String)>,
    /// Kitas the parents did not wish with a free seat of the care type at the start (within
    /// the grace period), those in the family's postcode first: what the ZVS can offer them
    /// instead (Lastenheft 3.2.1: "Zentraler Pool … alternative Angebote").
    pub alternatives: Vec<Alternative>,
}

/// A Kita the ZVS can offer a family from the pool.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Alternative {
    pub facility: FacilityId,
    pub name: String,
    pub postcode: String,
    /// The first month with a free seat.
    pub free_from: Date,
}

/// How many alternatives the pool lists per application.
const ALTERNATIVES: usize = 5;

/// The Kitas `application` did not wish with a free seat of its care type from its start
/// through the grace period, nearest first (the family's postcode, then the name).
fn alternatives(
    application: &Application,
    postcode: &str,
    ledgers: &Ledgers,
    places: &BTreeMap<FacilityId, (String, String)>,
    grace_months: u32,
) -> Vec<Alternative> {
    let mut found: Vec<Alternative> = ledgers
        .all()
        .filter(|l| application.wishes.iter().all(|w| w.facility != l.facility))
        .filter_map(|l| {
            let free_from = sequential::first_free_month(
                l,
                application.care_type,
                application.desired_start,
                grace_months,
                1,
            )?;
            let (name, postcode) = places.get(&l.facility).cloned()?;
            Some(Alternative {
                facility: l.facility.clone(),
                name,
                postcode,
                free_from,
            })
        })
        .collect();
    found.sort_by(|a, b| {
        (a.postcode != postcode, a.free_from, &a.name).cmp(&(
            b.postcode != postcode,
            b.free_from,
            &b.name,
        ))
    });
    found.truncate(ALTERNATIVES);
    found
}

/// An inactive application (rejected at intake, or its follow-up passed): the ZVS may
/// reactivate it (Lastenheft 3.6.7).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Inactive {
    pub application: String,
    pub child: String,
    pub desired_start: Date,
    pub care_type: CareType,
    /// The last entry of the application's history: when and why it went inactive.
    pub since: Option<Date>,
    pub why: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct PlacementWatch {
    pub followup_days: u32,
    pub grace_months: u32,
    pub overdue: Vec<OverdueReview>,
    pub pool: Vec<InPool>,
    pub inactive: Vec<Inactive>,
    /// Wishes of active applications in placement by status.
    pub by_status: BTreeMap<String, usize>,
}

/// What the ZVS watches on `today`.
pub fn watch(store: &Store, who: &Principal, today: Date) -> Result<PlacementWatch, ActionError> {
    authorize(who, Action::ViewIntake)?;
    let settings = crate::intake::settings_on(store, today)?;
    let ledgers = Ledgers::load(store)?;
    let names = super::queries::facility_names(store)?;
    let places = super::queries::facility_places(store)?;
    let name = |f: &FacilityId| names.get(f).cloned().unwrap_or_else(|| f.0.clone());
    let mut out = PlacementWatch {
        followup_days: settings.followup_days,
        grace_months: settings.grace_months,
        overdue: vec![],
        pool: vec![],
        inactive: vec![],
        by_status: BTreeMap::new(),
    };
    for application in store.values_of_kind::<Application>()? {
        if application.status != "active" && application.status != "inactive" {
            continue;
        }
        let Some((_, applicant)) =
            store.find::<Applicant>(&doc_id_for("applicant", &application.id.0))?
        else {
            continue;
        };
        let child = format!(
            "{} {}",
            applicant.child_given_name, applicant.child_family_name
        );
        if application.status == "inactive" {
            let last = applicant.history.last();
            out.inactive.push(Inactive {
                application: application.id.0.clone(),
                child,
                desired_start: application.desired_start,
                care_type: application.care_type,
                since: last.map(|e| e.on),
                why: last.map(|e| e.what.clone()).unwrap_or_default(),
            });
            continue;
        }
        for wish in &application.wishes {
            *out.by_status.entry(wish.status.clone()).or_default() += 1;
            let (status::REQUEST, Some(since)) = (wish.status.as_str(), wish.since) else {
                continue;
            };
            let hold = ledgers
                .of(&wish.facility)
                .and_then(|l| l.hold_of(&wish.handle))
                .map(|(_, r)| r.status);
            let days = (today.0 - since.0).num_days();
            if hold != Some(SeatStatus::Taken) && days > i64::from(settings.followup_days) {
                out.overdue.push(OverdueReview {
                    application: application.id.0.clone(),
                    child: child.clone(),
                    facility: wish.facility.clone(),
                    facility_name: name(&wish.facility),
                    since,
                    days,
                    reserved: hold == Some(SeatStatus::Reserved),
                });
            }
        }
        if sequential::in_central_pool(&application) {
            let wishes = applicant
                .ranked_wishes
                .iter()
                .filter_map(|f| {
                    application
                        .wishes
                        .iter()
                        .find(|w| &w.facility == f)
                        .map(|w| (name(f), w.status.clone()))
                })
                .collect();
            out.pool.push(InPool {
                application: application.id.0.clone(),
                child,
                desired_start: application.desired_start,
                care_type: application.care_type,
                wishes,
                alternatives: alternatives(
                    &application,
                    &applicant.address.postcode,
                    &ledgers,
                    &places,
                    settings.grace_months,
                ),
            });
        }
    }
    out.overdue
        .sort_by(|a, b| (b.days, &a.application).cmp(&(a.days, &b.application)));
    out.pool
        .sort_by(|a, b| (a.desired_start, &a.application).cmp(&(b.desired_start, &b.application)));
    out.inactive
        .sort_by(|a, b| (b.since, &a.application).cmp(&(a.since, &b.application)));
    Ok(out)
}
