//! The city's statistics of placement (Lastenheft 3.12.1.3 and 3.12.1.5) from the data the city
//! node holds: its applications (pseudonymous: wishes, desired start, status), the applicants'
//! birth dates and home districts, and the Kitas' seat ledgers (the month a placed child
//! started). The figures are computed by `kitanetz-reports`; by default every breakdown cell of
//! fewer than three children is hidden (the rule of 3.12: statistics on a pseudonymised basis).
//!
//! A placed child is an application with a wish the city marked "placed": its Kita, the rank of
//! that Kita among the parents' wishes, the month of the Kita's seat (the realised start; the
//! desired start when the ledger has not arrived) and the day the wish was placed (the
//! concluded day). An open demand is an application still in placement.

pub mod http;
pub mod terminations;

use crate::action::ActionError;
use crate::auth::{authorize, Action, Principal};
use crate::storage::{Store, StoreError};
use kitanetz_crdt::ids::doc_id_for;
use kitanetz_crdt::kinds::{Applicant, Application, SeatStatus};
use kitanetz_reports::{
    demand_report, placed_report, DemandReport, FacilityOwner, FacilityOwners, Filter, OpenDemand,
    PlacedContract, PlacedReport, Region,
};
use rusqlite::params;
use std::collections::BTreeMap;

/// The reports of one request.
#[derive(Debug, Clone)]
pub struct CityReports {
    pub placed: PlacedReport,
    pub demand: DemandReport,
}

/// A Kita as the reports name it.
struct FacilityFacts {
    name: String,
    district: String,
    owner: FacilityOwner,
}

fn facilities(store: &Store) -> Result<BTreeMap<String, FacilityFacts>, StoreError> {
    let mut stmt = store.conn().prepare_cached(
        "SELECT f.id, f.name, f.district, f.provider, COALESCE(p.kind, '')
         FROM p_facilities f LEFT JOIN p_providers p ON p.id = f.provider",
    )?;
    let rows = stmt.query_map(params![], |r| {
        Ok((
            r.get::<_, String>(0)?,
            FacilityFacts {
                name: r.get(1)?,
                district: r.get(2)?,
                owner: FacilityOwner {
                    provider: r.get(3)?,
                    // The projection stores the kind by its Debug name.
                    provider_is_municipal: r.get::<_, String>(4)? == "Municipal",
                },
            },
        ))
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// What the reports read of a child: from the applicant half, or from the facts that stayed.
struct ChildFacts {
    birth_date: chrono::NaiveDate,
    home: Option<String>,
    ranked_wishes: Vec<kitanetz_crdt::ids::FacilityId>,
    registered_on: chrono::NaiveDate,
}

/// The placement reports for `filter` (the ZVS, on the city node). `min_children`: hide cells of
/// fewer children (`None`: show everything).
pub fn city_reports(
    store: &Store,
    who: &Principal,
    district_of: &dyn Fn(&Applicant) -> Option<String>,
    filter: &Filter,
    min_children: Option<u64>,
) -> Result<CityReports, ActionError> {
    authorize(who, Action::ViewPlacementStatistics)?;
    let facilities = facilities(store)?;
    // Indexed by Kita: each placed application looks up one ledger.
    let ledgers: BTreeMap<_, _> = crate::seats::ledgers(store)?
        .into_iter()
        .map(|l| (l.facility.clone(), l))
        .collect();
    let mut placed = Vec::new();
    let mut demands = Vec::new();
    for app in store.values_of_kind::<Application>()? {
        // The applicant half, or what stayed of it after the placement (its personal data are
        // erased a month later, `applications::retention`).
        let found = store.find::<Applicant>(&doc_id_for("applicant", &app.id.0))?;
        let facts = match (&found, &app.settled) {
            (Some((doc, applicant)), _) => ChildFacts {
                birth_date: applicant.child_birth_date.0,
                home: district_of(applicant),
                ranked_wishes: applicant.ranked_wishes.clone(),
                registered_on: doc.meta.created_on.0,
            },
            (None, Some(settled)) => ChildFacts {
                birth_date: chrono::NaiveDate::parse_from_str(
                    &format!("{}-01", settled.birth_month),
                    "%Y-%m-%d",
                )
                .unwrap_or(app.desired_start.0),
                home: Some(settled.home_district.clone()).filter(|d| !d.is_empty()),
                ranked_wishes: settled.ranked_wishes.clone(),
                registered_on: settled.submitted_on.unwrap_or(app.desired_start).0,
            },
            (None, None) => continue,
        };
        let home = facts.home.clone();
        let region_of = |facility: &str| Region {
            ortsamt: home.clone().unwrap_or_else(|| {
                facilities
                    .get(facility)
                    .map(|f| f.district.clone())
                    .unwrap_or_default()
            }),
            stadtteil: String::new(),
        };
        let placed_wish = app.wishes.iter().find(|w| w.status == "placed");
        if let Some(w) = placed_wish {
            let Some(f) = facilities.get(&w.facility.0) else {
                continue;
            };
            let started = ledgers
                .get(&w.facility)
                .and_then(|l| l.hold_of(&w.handle))
                .filter(|(_, r)| r.status == SeatStatus::Taken)
                .map(|(m, _)| m.month);
            let start = started.unwrap_or(app.desired_start);
            let rank = facts
                .ranked_wishes
                .iter()
                .position(|f| f == &w.facility)
                .and_then(|i| u8::try_from(i + 1).ok());
            placed.push(PlacedContract {
                facility: w.facility.0.clone(),
                facility_name: f.name.clone(),
                provider: f.owner.provider.clone(),
                provider_is_municipal: f.owner.provider_is_municipal,
                region: region_of(&w.facility.0),
                birth_date: facts.birth_date,
                desired_start: Some(app.desired_start.0),
                start: start.0,
                concluded_on: w.since.unwrap_or(start).0,
                wish_rank: rank,
                daily_hours: app.daily_hours.0,
                care_type: app.care_type.as_str().to_string(),
                employer_seat: false,
            });
        } else if app.status == "active" {
            let first = facts
                .ranked_wishes
                .first()
                .map(|f| f.0.clone())
                .unwrap_or_default();
            demands.push(OpenDemand {
                region: region_of(&first),
                birth_date: facts.birth_date,
                desired_start: app.desired_start.0,
                registered_on: facts.registered_on,
                care_type: app.care_type.as_str().to_string(),
                wished_facilities: facts.ranked_wishes.iter().map(|f| f.0.clone()).collect(),
            });
        }
    }
    let owners: FacilityOwners = facilities
        .iter()
        .map(|(id, f)| (id.clone(), f.owner.clone()))
        .collect();
    let invalid = |e: kitanetz_reports::ReportError| {
        ActionError::from(kitanetz_crdt::ValidationError::field(
            "filter",
            e.to_string(),
        ))
    };
    let placed = placed_report(&placed, filter).map_err(invalid)?;
    let demand = demand_report(&demands, &owners, filter).map_err(invalid)?;
    Ok(match min_children {
        Some(k) => CityReports {
            placed: placed.suppressed(k),
            demand: demand.suppressed(k),
        },
        None => CityReports { placed, demand },
    })
}
