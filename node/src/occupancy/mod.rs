//! Occupancy (Belegung) of a Kita on a reference date and its one-year forecast (Lastenheft
//! 3.6.10, 3.6.15–3.6.19, 3.8), computed by `kitanetz-occupancy` from what the node holds: the
//! licence (approved places, closures), the care contracts with the children's birth dates, and
//! the seats reserved in the Kita's ledger. A Kita node shows its own Kita; the Träger's node
//! every Kita of the Träger and their sum.

pub mod http;

use crate::action::ActionError;
use crate::auth::{authorize, Action, Principal};
use crate::storage::{Store, StoreError};
use chrono::NaiveDate;
use kitanetz_crdt::ids::{FacilityId, FamilyId};
use kitanetz_crdt::kinds::{
    CareContract, CareType, FacilityLicence, Family, SchoolEntryRule, SeatLedger, SeatStatus,
};
use kitanetz_crdt::policy::NodeRole;
use kitanetz_occupancy as occ;
use std::collections::BTreeMap;

fn care_type(c: CareType) -> occ::CareType {
    match c {
        CareType::Nursery => occ::CareType::Nursery,
        CareType::Kindergarten => occ::CareType::Kindergarten,
        CareType::AfterSchool => occ::CareType::AfterSchool,
        CareType::Remedial => occ::CareType::Remedial,
        CareType::SupportedAfterSchool => occ::CareType::SupportedAfterSchool,
    }
}

/// The school entry the Kita lead recorded on the contract, as the occupancy rules read it.
pub fn school_entry(contract: &CareContract) -> occ::SchoolEntry {
    match &contract.school_entry {
        None => occ::SchoolEntry::Statutory,
        Some(mark) => match mark.rule {
            SchoolEntryRule::OnRequest => occ::SchoolEntry::OnRequest,
            SchoolEntryRule::Deferred => occ::SchoolEntry::Deferred {
                school_year: i32::try_from(mark.school_year).unwrap_or(i32::MAX),
            },
        },
    }
}

/// The Kitas whose occupancy `who` may see on this node: the Kita of a Kita node (its lead, its
/// Träger's admin), every Kita of the Träger on the Träger's node (its admin).
pub fn visible_facilities(store: &Store, who: &Principal) -> Result<Vec<FacilityId>, ActionError> {
    let membership = store.membership();
    let provider = membership.provider.clone();
    match (membership.role, &membership.facility, &provider) {
        (NodeRole::Kita, Some(facility), Some(provider)) => {
            authorize(who, Action::ViewOccupancy { facility: Some(facility), provider })?;
            Ok(vec![facility.clone()])
        }
        (NodeRole::Traeger, _, Some(provider)) => {
            authorize(who, Action::ViewOccupancy { facility: None, provider })?;
            let mut stmt = store
                .conn()
                .prepare_cached("SELECT id FROM p_facilities WHERE provider = ?1 ORDER BY name")?;
            let rows = stmt.query_map([&provider.0], |r| r.get::<_, String>(0).map(FacilityId))?;
            Ok(rows.collect::<Result<_, _>>().map_err(StoreError::from)?)
        }
        _ => Err(ActionError::NotFound(
            "Belegung: auf dem Knoten einer Kita oder ihres Trägers / occupancy: on a Kita's or its Träger's node"
                .into(),
        )),
    }
}

/// The books of `facilities` as the occupancy rules read them.
pub fn books(
    store: &Store,
    facilities: &[FacilityId],
) -> Result<Vec<occ::FacilityBook>, ActionError> {
    let mut families: BTreeMap<FamilyId, Option<Family>> = BTreeMap::new();
    let mut out = Vec::new();
    for facility in facilities {
        let licence = store
            .find::<FacilityLicence>(&crate::facilities::licence_doc_id(facility))?
            .map(|(_, l)| l);
        let approved = licence
            .iter()
            .flat_map(|l| &l.care_types)
            .map(|ct| occ::ApprovedPlaces {
                kind: occ::PlaceKind::regular(care_type(ct.care_type)),
                changes: ct
                    .places
                    .changes
                    .iter()
                    .map(|c| occ::PlacesFrom {
                        valid_from: c.valid_from.0,
                        places: c.value,
                    })
                    .collect(),
            })
            .collect();
        let closures = licence
            .iter()
            .flat_map(|l| &l.closures)
            .filter(|c| !c.permanent)
            .filter_map(|c| {
                let period =
                    occ::Period::new(c.period.start().0, c.period.end().map(|d| d.0)).ok()?;
                Some(occ::Closure {
                    period,
                    substitute: if c.substitute_location.trim().is_empty() {
                        occ::Substitute::None
                    } else {
                        occ::Substitute::Location {
                            name: c.substitute_location.clone(),
                        }
                    },
                    reason: c.reason.clone(),
                })
            })
            .collect();
        let mut contracts = Vec::new();
        let ids: Vec<String> = {
            let mut stmt = store
                .conn()
                .prepare_cached("SELECT id FROM p_contracts WHERE facility = ?1 ORDER BY id")?;
            let rows = stmt.query_map([&facility.0], |r| r.get::<_, String>(0))?;
            rows.collect::<Result<_, _>>().map_err(StoreError::from)?
        };
        for id in ids {
            let Some((_, contract)) = store.find::<CareContract>(
                &crate::contracts::contract_doc_id(&kitanetz_crdt::ids::ContractId(id)),
            )?
            else {
                continue;
            };
            let family = match families.get(&contract.family) {
                Some(f) => f.clone(),
                None => {
                    let f = store
                        .find::<Family>(&crate::families::family_doc_id(&contract.family))?
                        .map(|(_, f)| f);
                    families.insert(contract.family.clone(), f.clone());
                    f
                }
            };
            let Some(child) = family.as_ref().and_then(|f| f.child(&contract.child)) else {
                continue;
            };
            let end = match (contract.period.end(), contract.notice_given_on) {
                (None, _) => occ::ContractEnd::Open,
                (Some(last), Some(received)) => occ::ContractEnd::Notice {
                    received_on: received.0,
                    last_day: last.0,
                },
                (Some(last), None) => occ::ContractEnd::Fixed { last_day: last.0 },
            };
            contracts.push(occ::Contract {
                child: occ::Child {
                    pseudonym: occ::ChildPseudonym(contract.child.0.clone()),
                    birth_date: child.birth_date.0,
                    school_entry: school_entry(&contract),
                },
                start: contract.period.start().0,
                end,
                lines: contract
                    .effective_lines()
                    .iter()
                    .map(|l| occ::ContractLine {
                        valid_from: l.valid.start().0,
                        kind: occ::PlaceKind {
                            care_type: care_type(l.care_type),
                            integration: child.integration_need,
                        },
                        daily_hours: l.daily_hours.0,
                        employer_seat: l.reserved_seat,
                    })
                    .collect(),
            });
        }
        let reservations = match store.find::<SeatLedger>(&crate::seats::ledger_doc_id(facility))? {
            None => vec![],
            Some((_, ledger)) => reservations_of(&ledger),
        };
        out.push(occ::FacilityBook {
            facility: occ::FacilityId(facility.0.clone()),
            approved,
            closures,
            contracts,
            reservations,
        });
    }
    Ok(out)
}

/// Seats reserved (not yet contracts) per wish, over the months the ledger holds them.
fn reservations_of(ledger: &SeatLedger) -> Vec<occ::Reservation> {
    let mut held: BTreeMap<(String, CareType), (NaiveDate, NaiveDate)> = BTreeMap::new();
    for month in &ledger.months {
        for hold in month.holds() {
            if hold.status != SeatStatus::Reserved {
                continue;
            }
            let first = month.month.0;
            let last = first + chrono::Months::new(1) - chrono::Days::new(1);
            held.entry((hold.wish.0.clone(), month.care_type))
                .and_modify(|(from, to)| {
                    *from = (*from).min(first);
                    *to = (*to).max(last);
                })
                .or_insert((first, last));
        }
    }
    held.into_iter()
        .filter_map(|((wish, care), (from, to))| {
            Some(occ::Reservation {
                wish: occ::WishHandle(wish),
                kind: occ::PlaceKind::regular(care_type(care)),
                period: occ::Period::new(from, Some(to)).ok()?,
            })
        })
        .collect()
}

/// A finding in words (German, as the Kita lead reads it).
pub fn finding_text(finding: &occ::Finding) -> String {
    use occ::Finding as F;
    match finding {
        F::FlexibleUse { kind, children, on_places_of } => format!(
            "{children} {kind} auf Plätzen anderer Art ({}) – flexible Nutzung der Gesamtkapazität",
            on_places_of
                .iter()
                .map(|k| format!("{} {}", k.places, k.kind))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        F::OverTotalCapacity { occupied, capacity } => {
            format!("Überbelegung: {occupied} Kinder bei {capacity} genehmigten Plätzen")
        }
        F::SubstituteCareOverbooking { guests, occupied, capacity } => format!(
            "Ersatzbetreuung: {guests} Gastkinder, {occupied} Kinder bei {capacity} Plätzen"
        ),
        F::ReservationsBeyondCapacity { reserved, free_before_reservations } => format!(
            "{reserved} Reservierungen, aber nur {free_before_reservations} freie Plätze"
        ),
        F::ChildCountedOnce { child, contracts } => {
            format!("Kind {child}: {contracts} Verträge am Tag, einmal gezählt")
        }
        F::ChildInSeveralFacilities { child, facilities } => format!(
            "Kind {child}: Plätze in {} Einrichtungen",
            facilities.len()
        ),
        F::YoungChildOnKindergartenPlace { child, completed_months, earliest_switch } => format!(
            "Kind {child} ({completed_months} Monate) auf einem Kindergartenplatz; Wechsel frühestens {earliest_switch}"
        ),
        F::ShortNotice { child, last_day, earliest_last_day, .. } => format!(
            "Kind {child}: Austritt {last_day} vor Ablauf der Kündigungsfrist ({earliest_last_day})"
        ),
        F::ContractWithoutPlace { child } => format!("Kind {child}: Vertrag ohne Platz"),
    }
}

/// One row of figures: a kind of place, or the total.
#[derive(Debug, Clone, serde::Serialize)]
pub struct FiguresRow {
    pub kind: String,
    pub capacity: u32,
    pub occupied: u32,
    pub employer_seats: u32,
    pub reserved: u32,
    pub guests: u32,
    pub free: u32,
    pub over: u32,
}

fn row(kind: String, f: &occ::Figures) -> FiguresRow {
    FiguresRow {
        kind,
        capacity: f.capacity,
        occupied: f.occupied,
        employer_seats: f.employer_seats,
        reserved: f.reserved,
        guests: f.guests,
        free: f.free,
        over: f.over,
    }
}

/// One Kita on the reference date.
#[derive(Debug, Clone, serde::Serialize)]
pub struct FacilityView {
    pub facility: String,
    pub name: String,
    pub kinds: Vec<FiguresRow>,
    pub total: FiguresRow,
    /// (error?, text) in words.
    pub findings: Vec<(bool, String)>,
    pub closure: Option<String>,
}

/// One month of the forecast: the figures on its first day and the places free all month.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ForecastRow {
    /// `YYYY-MM`.
    pub month: String,
    pub occupied: u32,
    pub reserved: u32,
    pub capacity: u32,
    /// Per kind: places free on every day of the month.
    pub least_free: Vec<(String, u32)>,
    /// Children switching, entering school or leaving in the month.
    pub movements: usize,
}

/// A child of the Kita lead's lists.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ListChild {
    pub name: String,
    pub birth_date: NaiveDate,
    /// Krippe → Kindergarten: may switch from, must have switched by; school: first school day.
    pub from: NaiveDate,
    pub until: Option<NaiveDate>,
    /// Past the latest switch date (record the switch).
    pub overdue: bool,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct OccupancyView {
    pub on: NaiveDate,
    pub facilities: Vec<FacilityView>,
    /// On a Kita node: children on Krippe lines between 34 and 36 completed months on `on`
    /// (Lastenheft 3.6.16).
    pub switch: Vec<ListChild>,
    /// On a Kita node: the school entrants of the next school year (3.6.17).
    pub school: Vec<ListChild>,
    /// The sum over the Kitas (on the Träger's node).
    pub total: Option<FiguresRow>,
    pub forecast: Vec<ForecastRow>,
}

/// The occupancy on `on` of the Kitas `who` may see here, with the year's forecast.
pub fn view(store: &Store, who: &Principal, on: NaiveDate) -> Result<OccupancyView, ActionError> {
    let facilities = visible_facilities(store, who)?;
    let names = crate::facilities::names(store)?;
    let books = books(store, &facilities)?;
    let rules = occ::Rules::default();
    let wrong =
        |e: occ::OccupancyError| ActionError::Conflict(format!("Belegung / occupancy: {e}"));
    let provider = occ::provider_occupancy(&books, on, &rules).map_err(wrong)?;
    let facility_views = provider
        .facilities
        .iter()
        .map(|f| FacilityView {
            facility: f.facility.0.clone(),
            name: names
                .get(&f.facility.0)
                .cloned()
                .unwrap_or_else(|| f.facility.0.clone()),
            kinds: f
                .places
                .iter()
                .map(|k| row(k.kind.to_string(), &k.figures))
                .collect(),
            total: row("Gesamt".into(), &f.total),
            findings: f
                .findings
                .iter()
                .map(|x| (x.level() == occ::Level::Error, finding_text(x)))
                .collect(),
            closure: f.closure.as_ref().map(|c| {
                format!(
                    "geschlossen {} – {}: {}",
                    c.period.start(),
                    c.period.end().map_or(String::new(), |d| d.to_string()),
                    c.reason
                )
            }),
        })
        .collect();
    let forecast = occ::provider_forecast(&books, on, &rules).map_err(wrong)?;
    let movements_in = |year: i32, month: u32| {
        forecast
            .facilities
            .iter()
            .flat_map(|f| &f.months)
            .filter(|m| m.year == year && m.month == month)
            .map(|m| m.movements.len())
            .sum()
    };
    let forecast_rows = forecast
        .months
        .iter()
        .map(|m| ForecastRow {
            month: format!("{}-{:02}", m.year, m.month),
            occupied: m.total.occupied,
            reserved: m.total.reserved,
            capacity: m.total.capacity,
            least_free: m
                .least_free
                .iter()
                .map(|k| (k.kind.to_string(), k.places))
                .collect(),
            movements: movements_in(m.year, m.month),
        })
        .collect();
    let (switch, school) = match books.as_slice() {
        [book] => lists(store, book, on, &rules)?,
        _ => (vec![], vec![]),
    };
    Ok(OccupancyView {
        on,
        total: (facilities.len() > 1).then(|| row("Gesamt".into(), &provider.total)),
        facilities: facility_views,
        forecast: forecast_rows,
        switch,
        school,
    })
}

/// The Kita lead's switch and school lists, with the children's names.
fn lists(
    store: &Store,
    book: &occ::FacilityBook,
    on: NaiveDate,
    rules: &occ::Rules,
) -> Result<(Vec<ListChild>, Vec<ListChild>), ActionError> {
    use chrono::Datelike;
    let wrong =
        |e: occ::OccupancyError| ActionError::Conflict(format!("Belegung / occupancy: {e}"));
    let name = |pseudonym: &occ::ChildPseudonym| -> Result<String, StoreError> {
        let (family, _) = crate::families::child_facility(
            store,
            &kitanetz_crdt::ids::ChildId(pseudonym.0.clone()),
        )?;
        Ok(store
            .find::<Family>(&crate::families::family_doc_id(&family))?
            .and_then(|(_, f)| {
                f.child(&kitanetz_crdt::ids::ChildId(pseudonym.0.clone()))
                    .map(|c| format!("{} {}", c.given_name, c.family_name))
            })
            .unwrap_or_else(|| pseudonym.0.clone()))
    };
    let mut switch = Vec::new();
    for c in occ::switch_list(book, on, rules).map_err(wrong)? {
        switch.push(ListChild {
            name: name(&c.child)?,
            birth_date: c.birth_date,
            from: c.window.earliest,
            until: Some(c.window.latest),
            overdue: c.status == occ::SwitchStatus::Overdue,
        });
    }
    // The school year that starts next after `on`.
    let start = rules.school_year_start;
    let year = if (on.month(), on.day()) < (start.month(), start.day()) {
        on.year()
    } else {
        on.year() + 1
    };
    let mut school = Vec::new();
    let list = occ::school_list(book, year, rules).map_err(wrong)?;
    for e in &list.entrants {
        school.push(ListChild {
            name: name(&e.child)?,
            birth_date: e.birth_date,
            from: e.entry.first_school_day,
            until: None,
            overdue: false,
        });
    }
    Ok((switch, school))
}
