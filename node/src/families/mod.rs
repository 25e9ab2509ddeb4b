//! Families, children and guardians as a Kita or Träger office sees them (personal data: every
//! read is audited).

pub mod admit;
pub mod contact;
pub mod http;

use crate::action::ActionError;
use crate::auth::{authorize, Action, Principal};
use crate::facilities::provider_of;
use crate::storage::{AuditEntry, Store, StoreError};
use kitanetz_crdt::ids::{doc_id_for, ChildId, FacilityId, FamilyId};
use kitanetz_crdt::kinds::{CareContract, Child, Family, Guardian};
use kitanetz_crdt::DocId;
use rusqlite::params;
use serde::Serialize;

pub fn family_doc_id(id: &FamilyId) -> DocId {
    doc_id_for("family", &id.0)
}

#[derive(Debug, Clone, Serialize)]
pub struct ChildRow {
    pub id: String,
    pub given_name: String,
    pub family_name: String,
    pub birth_date: String,
    pub facility: String,
    pub facility_name: String,
    pub contracts: i64,
}

/// The Kitas whose children the caller may see: every Kita of the caller's Träger that
/// [`Action::ViewChildren`] allows (a Kita lead: her own; a Träger admin: all of the Träger's).
pub fn visible_facilities(store: &Store, who: &Principal) -> Result<Vec<FacilityId>, ActionError> {
    authorize(who, Action::ListChildren)?;
    let Some(provider) = who.staff().and_then(|c| c.provider.clone()) else {
        return Ok(vec![]);
    };
    Ok(crate::facilities::of_provider(store, &provider)?
        .into_iter()
        .map(|(id, _)| FacilityId(id))
        .filter(|facility| {
            authorize(
                who,
                Action::ViewChildren {
                    facility,
                    provider: &provider,
                },
            )
            .is_ok()
        })
        .collect())
}

/// Children of one Kita, after checking the caller may see them. The read is audited.
pub fn children_of(
    store: &mut Store,
    who: &Principal,
    facility: &FacilityId,
    now_millis: i64,
) -> Result<Vec<ChildRow>, ActionError> {
    let provider = provider_of(store, facility)?;
    authorize(
        who,
        Action::ViewChildren {
            facility,
            provider: &provider,
        },
    )?;
    let rows: Vec<ChildRow> = {
        let mut stmt = store.conn().prepare_cached(
            "SELECT c.id, c.given_name, c.family_name, c.birth_date, c.facility, COALESCE(f.name, ''),
                    (SELECT COUNT(*) FROM p_contracts k WHERE k.child = c.id)
             FROM p_children c LEFT JOIN p_facilities f ON f.id = c.facility
             WHERE c.facility = ?1 ORDER BY c.family_name, c.given_name, c.id",
        )?;
        let mapped = stmt.query_map(params![facility.0], |r| {
            Ok(ChildRow {
                id: r.get(0)?,
                given_name: r.get(1)?,
                family_name: r.get(2)?,
                birth_date: r.get(3)?,
                facility: r.get(4)?,
                facility_name: r.get(5)?,
                contracts: r.get(6)?,
            })
        })?;
        mapped.collect::<Result<_, _>>().map_err(StoreError::from)?
    };
    store.audit(&AuditEntry {
        at: now_millis,
        actor: who.audit_name(),
        action: "children.list.read",
        target: Some(facility.0.clone()),
        subjects: rows.iter().map(|r| r.id.clone()).collect(),
        valid_from: None,
    })?;
    Ok(rows)
}

#[derive(Debug, Clone, Serialize)]
pub struct ChildDetail {
    pub family_id: String,
    pub family_number: String,
    pub child: Child,
    pub facility_name: String,
    pub guardians: Vec<Guardian>,
    pub contracts: Vec<CareContract>,
}

/// Where a child is cared for, from the projection.
pub fn child_facility(
    store: &Store,
    child: &ChildId,
) -> Result<(FamilyId, FacilityId), StoreError> {
    store
        .conn()
        .query_row(
            "SELECT family, facility FROM p_children WHERE id = ?1",
            [&child.0],
            |r| Ok((FamilyId(r.get(0)?), r.get::<_, Option<String>>(1)?)),
        )
        .map_err(|e| match e {
            rusqlite::Error::QueryReturnedNoRows => StoreError::NotFound(DocId(child.0.clone())),
            other => other.into(),
        })
        .and_then(|(fam, fac)| {
            fac.map(|f| (fam, FacilityId(f)))
                .ok_or_else(|| StoreError::NotFound(DocId(child.0.clone())))
        })
}

/// One child with guardians and contracts, after checking the caller may see it. Audited.
pub fn child_detail(
    store: &mut Store,
    who: &Principal,
    child: &ChildId,
    now_millis: i64,
) -> Result<ChildDetail, ActionError> {
    let (family_id, facility) = child_facility(store, child)?;
    let provider = provider_of(store, &facility)?;
    authorize(
        who,
        Action::ViewChildren {
            facility: &facility,
            provider: &provider,
        },
    )?;
    let (_, family) = store.get::<Family>(&family_doc_id(&family_id))?;
    let c = family
        .child(child)
        .cloned()
        .ok_or_else(|| StoreError::NotFound(DocId(child.0.clone())))?;
    let contract_docs: Vec<String> = {
        let mut stmt = store
            .conn()
            .prepare_cached("SELECT doc_id FROM p_contracts WHERE child = ?1 ORDER BY start")?;
        let rows = stmt.query_map([&child.0], |r| r.get(0))?;
        rows.collect::<Result<_, _>>().map_err(StoreError::from)?
    };
    let mut contracts = Vec::new();
    for d in contract_docs {
        contracts.push(store.get::<CareContract>(&DocId(d))?.1);
    }
    let facility_name = store
        .conn()
        .query_row(
            "SELECT name FROM p_facilities WHERE id = ?1",
            [&facility.0],
            |r| r.get(0),
        )
        .unwrap_or_default();
    store.audit(&AuditEntry {
        at: now_millis,
        actor: who.audit_name(),
        action: "child.read",
        target: Some(child.0.clone()),
        subjects: std::iter::once(child.0.clone())
            .chain(family.guardians.iter().map(|g| g.id.0.clone()))
            .collect(),
        valid_from: None,
    })?;
    Ok(ChildDetail {
        family_id: family.id.0.clone(),
        family_number: family.family_number.clone(),
        child: c,
        facility_name,
        guardians: family.guardians,
        contracts,
    })
}
