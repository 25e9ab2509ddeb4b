//! The state and statistics interfaces computed where the data is (issue 12 item 5): on the
//! Träger's node, from the contracts of its Kitas.
//!
//! - [`landeszuschuss`]: the Saxon state subsidy (SächsKitaG § 18, annex D): children on 1 April
//!   in 9-hour equivalents per Kita (the internal count sheet) and for the Träger, through
//!   `kitanetz-statistics`, the same rules `kitanetz statistics landeszuschuss` applies to a
//!   case file.
//! - [`kjh`]: the federal statistic KJH Teil III.1 (annex L) per Kita on 1 March, from the
//!   Kita's profile, licence, groups, contracts, families and staff.
//! - [`kdw`]: the Kita-Data-Webhouse check of one Kita on 1 March, and its StaLa XML once the
//!   check passes; [`kdw_master`]: the master data the Träger enters for it.

pub mod http;
pub mod kdw;
pub mod kdw_master;
pub mod kita_data;
pub mod kjh;

use crate::action::ActionError;
use crate::auth::{authorize, Action, Principal};
use crate::fees::{family_ids, load_family};
use crate::storage::Store;
use chrono::NaiveDate;
use kitanetz_crdt::kinds::CareType;
use kitanetz_crdt::policy::NodeRole;
use kitanetz_crdt::scalar::Date;
use kitanetz_statistics::landeszuschuss::{
    self as lz, Contract, CountInput, LandeszuschussResult, DEFAULT_RATE_PER_CHILD,
};
use serde::Serialize;
use std::collections::BTreeMap;

/// Checks `who` may read the Träger's statistics, then that this is the Träger's node.
fn authorize_here(store: &Store, who: &Principal) -> Result<(), ActionError> {
    let membership = store.membership();
    authorize(
        who,
        Action::ViewStatistics {
            provider: membership.provider.as_ref(),
        },
    )?;
    if membership.role != NodeRole::Traeger {
        return Err(ActionError::NotFound(
            "Statistiken werden auf dem Knoten des Trägers erstellt / statistics are made on the Träger's node"
                .into(),
        ));
    }
    Ok(())
}

/// `year` as the Stichtag 1 March of KJH III.1 and the Kita-Data-Webhouse.
fn first_of_march(year: i32) -> Result<NaiveDate, ActionError> {
    kjh::reference_date(year).ok_or_else(|| {
        let mut v = kitanetz_crdt::validate::Validator::new();
        v.fail("year", "kein Jahr / not a year");
        ActionError::Invalid(v.finish().expect_err("one failure"))
    })
}

/// KJH Teil III.1 of `year` (Stichtag 1 March) for every Kita of the Träger.
pub fn kjh_statistic(
    store: &Store,
    who: &Principal,
    year: i32,
) -> Result<Vec<kjh::KjhKita>, ActionError> {
    authorize_here(store, who)?;
    let date = first_of_march(year)?;
    Ok(kita_data::load_all(store)?
        .iter()
        .map(|kita| kjh::kjh_kita(kita, date))
        .collect())
}

/// The Kitas of the Träger, (id, name), for the choice of one.
pub fn kitas(store: &Store, who: &Principal) -> Result<Vec<(String, String)>, ActionError> {
    authorize_here(store, who)?;
    match store.membership().provider.clone() {
        Some(provider) => Ok(crate::facilities::of_provider(store, &provider)?),
        None => Ok(Vec::new()),
    }
}

/// The Kita-Data-Webhouse check of one Kita of the Träger (`facility` empty: its first by
/// name) on 1 March of `year`.
pub fn kdw_statistic(
    store: &Store,
    who: &Principal,
    year: i32,
    facility: &str,
) -> Result<kdw::KdwKita, ActionError> {
    authorize_here(store, who)?;
    let date = first_of_march(year)?;
    let kitas = kita_data::load_all(store)?;
    let facility = facility.trim();
    let kita = if facility.is_empty() {
        kitas.first()
    } else {
        kitas.iter().find(|k| k.facility.0 == facility)
    }
    .ok_or_else(|| ActionError::NotFound(facility.to_owned()))?;
    // The Mandant's master data the Träger entered (see `kdw_master`).
    let master = kdw_master::master_of(store, &kita.facility.0)?;
    Ok(kdw::kdw_kita(kita, &master, date))
}

/// The StaLa XML of one Kita, only when its check passed and nothing is missing; otherwise a
/// conflict that points to the list of errors.
pub fn kdw_xml(
    store: &Store,
    who: &Principal,
    year: i32,
    facility: &str,
) -> Result<(kdw::KdwKita, String), ActionError> {
    let kita = kdw_statistic(store, who, year, facility)?;
    let refused = || {
        ActionError::Conflict(format!(
            "Die Prüfung meldet {} Fehler und {} fehlende Angaben: erst beheben (/statistics/kdw) / the check reports {} errors and {} missing values: fix them first",
            kita.errors.len(),
            kita.missing.len(),
            kita.errors.len(),
            kita.missing.len()
        ))
    };
    let Some(export) = kita.export.as_ref().filter(|_| kita.ready) else {
        return Err(refused());
    };
    let xml = kitanetz_statistics::kdw::to_xml(export, None).map_err(|refusals| {
        ActionError::Conflict(
            refusals
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("; "),
        )
    })?;
    Ok((kita, xml))
}

/// The count of one Kita, or of the whole Träger (`facility: None`).
#[derive(Debug, Clone, Serialize)]
pub struct SubsidyCount {
    pub facility: Option<String>,
    pub facility_name: String,
    pub result: LandeszuschussResult,
}

/// The Landeszuschuss of `year` (Stichtag 1 April): one count per Kita and one for the Träger.
pub fn landeszuschuss(
    store: &Store,
    who: &Principal,
    year: i32,
) -> Result<Vec<SubsidyCount>, ActionError> {
    authorize_here(store, who)?;
    let reference_date = NaiveDate::from_ymd_opt(year, 4, 1).ok_or_else(|| {
        let mut v = kitanetz_crdt::validate::Validator::new();
        v.fail("year", "kein Jahr / not a year");
        ActionError::Invalid(v.finish().expect_err("one failure"))
    })?;
    let mut v = kitanetz_crdt::validate::Validator::new();
    v.plausible_date("year", Date(reference_date));
    v.finish()?;
    let names = crate::facilities::names(store)?;
    let mut contracts: Vec<(String, Contract)> = Vec::new();
    for family in family_ids(store)? {
        let fees = load_family(store, &family)?;
        for contract in &fees.contracts {
            let Some(child) = fees.family.child(&contract.child) else {
                continue;
            };
            // The care on the Stichtag (a contract not running then is excluded by the count).
            let line = contract
                .line_on(Date(reference_date))
                .or_else(|| contract.effective_lines().into_iter().next());
            let Some(line) = line else { continue };
            let (care_type, remedial) = match line.care_type {
                CareType::Nursery => (lz::CareType::Krippe, false),
                CareType::Kindergarten => (lz::CareType::Kindergarten, false),
                CareType::AfterSchool | CareType::SupportedAfterSchool => {
                    (lz::CareType::Hort, false)
                }
                // A heilpädagogischer place: its row by age, counted for Eingliederungshilfe.
                CareType::Remedial => (lz::CareType::Kindergarten, true),
            };
            let Some(term) = kitanetz_statistics::period::Period::new(
                contract.period.start().0,
                contract.period.end().map(|d| d.0),
            ) else {
                continue;
            };
            contracts.push((
                contract.facility.0.clone(),
                Contract {
                    id: kitanetz_statistics::ids::ContractId(contract.id.0.clone()),
                    facility: names.get(&contract.facility.0).cloned(),
                    care_type,
                    birth_date: Some(child.birth_date.0),
                    daily_hours: line.daily_hours.0,
                    term,
                    eingliederungshilfe: remedial || child.integration_need,
                },
            ));
        }
    }
    // One pass to group the contracts by Kita (a filter per Kita would walk every contract once
    // for each Kita: 0.65 s at 1,600 Kitas in tools/domain-bench, against 6 ms for the count).
    let mut by_facility: BTreeMap<&String, Vec<Contract>> = BTreeMap::new();
    for (facility, contract) in &contracts {
        by_facility
            .entry(facility)
            .or_default()
            .push(contract.clone());
    }
    let mut out: Vec<SubsidyCount> = by_facility
        .into_iter()
        .map(|(f, own)| SubsidyCount {
            facility: Some(f.clone()),
            facility_name: names.get(f).cloned().unwrap_or_else(|| f.clone()),
            result: count(reference_date, own),
        })
        .collect();
    out.push(SubsidyCount {
        facility: None,
        facility_name: provider_name(store)?,
        result: count(
            reference_date,
            contracts.into_iter().map(|(_, c)| c).collect(),
        ),
    });
    Ok(out)
}

/// The name of the Träger whose node this is.
fn provider_name(store: &Store) -> Result<String, ActionError> {
    use rusqlite::OptionalExtension;
    let Some(provider) = store.membership().provider.clone() else {
        return Ok(String::new());
    };
    let name: Option<String> = store
        .conn()
        .query_row(
            "SELECT name FROM p_providers WHERE id = ?1",
            [&provider.0],
            |r| r.get(0),
        )
        .optional()?;
    Ok(name.unwrap_or(provider.0))
}

fn count(reference_date: NaiveDate, contracts: Vec<Contract>) -> LandeszuschussResult {
    lz::count(&CountInput {
        reference_date,
        rate_per_child: DEFAULT_RATE_PER_CHILD,
        contracts,
    })
}
