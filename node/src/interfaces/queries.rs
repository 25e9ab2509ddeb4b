//! What the interfaces read: the Kitas' profiles, their contracts (the contract projection
//! names them) and the families of the children under contract.

use super::Scope;
use crate::storage::{Store, StoreError};
use kitanetz_crdt::ids::{ContractId, FacilityId};
use kitanetz_crdt::kinds::{CareContract, FacilityProfile, Family};
use rusqlite::Connection;
use std::collections::BTreeMap;

/// The ids of the contracts of `facility`, from the contract projection.
pub fn contract_ids(conn: &Connection, facility: &str) -> rusqlite::Result<Vec<String>> {
    let mut stmt =
        conn.prepare_cached("SELECT id FROM p_contracts WHERE facility = ?1 ORDER BY id")?;
    let rows = stmt.query_map([facility], |r| r.get(0))?;
    rows.collect()
}

/// The node's data on the Kitas of a scope.
#[derive(Debug, Clone, Default)]
pub struct Holdings {
    /// The Kitas' profiles, in the scope's order (a Kita without a profile is left out).
    pub kitas: Vec<FacilityProfile>,
    /// Every contract of those Kitas, past and future, by Kita and id.
    pub contracts: Vec<CareContract>,
    /// The families of the children under contract, by family id.
    pub families: BTreeMap<String, Family>,
}

impl Holdings {
    pub fn kita(&self, facility: &FacilityId) -> Option<&FacilityProfile> {
        self.kitas.iter().find(|k| k.id == *facility)
    }
}

/// Reads the profiles, contracts and families of `scope`'s Kitas.
pub fn holdings(store: &Store, scope: &Scope) -> Result<Holdings, StoreError> {
    let mut out = Holdings::default();
    for facility in &scope.facilities {
        if let Some((_, profile)) =
            store.find::<FacilityProfile>(&crate::facilities::profile_doc_id(facility))?
        {
            out.kitas.push(profile);
        }
        for id in contract_ids(store.conn(), &facility.0)? {
            let Some((_, contract)) =
                store.find::<CareContract>(&crate::contracts::contract_doc_id(&ContractId(id)))?
            else {
                continue;
            };
            if !out.families.contains_key(&contract.family.0) {
                if let Some((_, family)) =
                    store.find::<Family>(&crate::families::family_doc_id(&contract.family))?
                {
                    out.families.insert(family.id.0.clone(), family);
                }
            }
            out.contracts.push(contract);
        }
    }
    Ok(out)
}

/// One recorded export, as the page lists it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ExportRun {
    pub at: i64,
    pub actor: String,
    pub action: String,
    /// The Kitas (ids, space-separated).
    pub target: String,
    /// The reference date.
    pub on: String,
}

/// The last `limit` interface exports recorded on this node, newest first.
pub fn recent_exports(conn: &Connection, limit: usize) -> rusqlite::Result<Vec<ExportRun>> {
    let mut stmt = conn.prepare_cached(
        "SELECT at, actor, action, COALESCE(target, ''), COALESCE(valid_from, '') FROM audit_log
         WHERE action LIKE 'interfaces.%' ORDER BY seq DESC LIMIT ?1",
    )?;
    let rows = stmt.query_map([limit as i64], |r| {
        Ok(ExportRun {
            at: r.get(0)?,
            actor: r.get(1)?,
            action: r.get(2)?,
            target: r.get(3)?,
            on: r.get(4)?,
        })
    })?;
    rows.collect()
}
