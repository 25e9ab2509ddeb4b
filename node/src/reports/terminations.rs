//! Statistik der gekündigten Betreuungsverträge (Lastenheft 3.12.1.4) where the contracts are:
//! on a Kita's node for its Kita, on the Träger's node for its Kitas. A termination is a
//! contract that ended early with a coded reason ([`CareContract::notice_reason`]): a notice
//! (counted in the month the notice arrived) or a school exit, which needs no notice (Satzung
//! § 9 (5); counted in the month of its last day). The report holds no names; its breakdown by
//! region uses the Kita's district (the child's home district is known at the city only).

use crate::action::ActionError;
use crate::auth::Principal;
use crate::storage::{Store, StoreError};
use kitanetz_crdt::ids::{ContractId, FacilityId};
use kitanetz_crdt::kinds::CareContract;
use kitanetz_reports::{termination_report, Filter, Region, Termination, TerminationReport};
use rusqlite::params;

/// The terminations of the Kitas `who` sees here (`facility`: one of them), for `filter`.
pub fn terminations(
    store: &Store,
    who: &Principal,
    facility: Option<&FacilityId>,
    filter: &Filter,
) -> Result<TerminationReport, ActionError> {
    let visible = crate::occupancy::visible_facilities(store, who)?;
    let chosen: Vec<FacilityId> = match facility {
        None => visible,
        Some(f) if visible.contains(f) => vec![f.clone()],
        Some(f) => return Err(ActionError::NotFound(f.0.clone())),
    };
    let mut records = Vec::new();
    for facility in &chosen {
        records.extend(terminations_of(store, facility)?);
    }
    termination_report(&records, filter).map_err(|e| {
        ActionError::from(kitanetz_crdt::ValidationError::field(
            "filter",
            e.to_string(),
        ))
    })
}

/// The Kita's contracts that ended with a reason, as the report reads them.
fn terminations_of(store: &Store, facility: &FacilityId) -> Result<Vec<Termination>, StoreError> {
    let (name, district, provider, kind): (String, String, String, String) =
        store.conn().query_row(
            "SELECT f.name, f.district, f.provider, COALESCE(p.kind, '')
             FROM p_facilities f LEFT JOIN p_providers p ON p.id = f.provider WHERE f.id = ?1",
            [&facility.0],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )?;
    let ended: Vec<(String, String)> = {
        let mut stmt = store.conn().prepare_cached(
            "SELECT k.id, c.birth_date FROM p_contracts k JOIN p_children c ON c.id = k.child
             WHERE k.facility = ?1 AND k.end IS NOT NULL ORDER BY k.id",
        )?;
        let rows = stmt.query_map(params![facility.0], |r| Ok((r.get(0)?, r.get(1)?)))?;
        rows.collect::<Result<_, _>>()?
    };
    let mut out = Vec::new();
    for (id, birth_date) in ended {
        let Some((_, contract)) =
            store.find::<CareContract>(&crate::contracts::contract_doc_id(&ContractId(id)))?
        else {
            continue;
        };
        let (Some(reason), Some(end)) = (contract.notice_reason.clone(), contract.period.end())
        else {
            continue;
        };
        let Ok(birth_date) = birth_date.parse::<kitanetz_crdt::scalar::Date>() else {
            continue;
        };
        out.push(Termination {
            facility: facility.0.clone(),
            facility_name: name.clone(),
            provider: provider.clone(),
            // The projection stores the kind by its Debug name.
            provider_is_municipal: kind == "Municipal",
            region: Region {
                ortsamt: district.clone(),
                stadtteil: String::new(),
            },
            birth_date: birth_date.0,
            // The application's desired start stays at the city.
            desired_start: None,
            start: contract.period.start().0,
            notice_on: contract.notice_given_on.unwrap_or(end).0,
            end: end.0,
            reason,
        });
    }
    Ok(out)
}
