//! Änderungsmeldungen (Lastenheft 3.7.3): the Kitas keep contracts and families up to date
//! (hours, care type, notice, a move, a new phone number), and the Beitragsstelle of their Träger
//! needs a list of what changed, to act on it (a new fee decision, a new mandate) and then mark
//! it done; filtered by the field that changed.
//!
//! Nothing extra is written at the Kita: the Träger's node holds every contract and family of
//! its Kitas with their full automerge history, so a change report is the difference between a
//! document now and as it was when the Beitragsstelle last marked it done (or as it was
//! created). The differences are cached per document (`change_reports`) and computed again only
//! for documents whose heads moved; what was marked done stays listed with who and when
//! (`change_reports_done`). Both go with the family when it is erased.

pub mod diff;
pub mod http;

use crate::action::ActionError;
use crate::auth::{authorize, Action, Principal};
use crate::clock::Now;
use crate::storage::{AuditEntry, Store, StoreError};
use diff::{contract_changes, family_changes, Change, Field};
use kitanetz_crdt::kinds::contract::CareContract;
use kitanetz_crdt::kinds::family::Family;
use kitanetz_crdt::policy::NodeRole;
use kitanetz_crdt::{DocId, DocKind};
use rusqlite::{params, OptionalExtension};
use serde::{Deserialize, Serialize};

/// One document with changes not yet marked done.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub doc_id: String,
    /// `contract` or `family`.
    pub kind: String,
    pub family: String,
    /// The contract's Kita (its name), if a contract.
    pub facility: Option<String>,
    /// Whom it is about: the child of the contract, the children of the family.
    pub subject: String,
    pub changes: Vec<Change>,
    /// When this node last received a change of the document (Unix ms).
    pub changed_at: i64,
    /// The heads the changes were computed at: marking done names them, so a change that
    /// arrives in between is not marked done unseen.
    pub heads: String,
}

/// A report marked done.
#[derive(Debug, Clone, Serialize)]
pub struct Done {
    pub doc_id: String,
    pub facility: Option<String>,
    pub subject: String,
    pub changes: Vec<Change>,
    pub done_at: i64,
    pub done_by: String,
}

/// Checks `who` may see (or, with `process`, mark done) the change reports of this Träger node.
fn scope(store: &Store, who: &Principal, process: bool) -> Result<String, ActionError> {
    let membership = store.membership();
    let provider = membership.provider.as_ref();
    authorize(
        who,
        if process {
            Action::ProcessChangeReports { provider }
        } else {
            Action::ViewChangeReports { provider }
        },
    )?;
    match (membership.role, provider) {
        (NodeRole::Traeger, Some(p)) => Ok(p.0.clone()),
        _ => Err(ActionError::NotFound(
            "Änderungsmeldungen gibt es auf dem Knoten des Trägers / change reports live on the Träger's node"
                .into(),
        )),
    }
}

/// Brings the cache up to date: every contract and family of the Träger whose heads moved since
/// its changes were last computed is compared again with its done (or first) version.
fn refresh(store: &mut Store, provider: &str) -> Result<(), ActionError> {
    let moved: Vec<(String, String, String, i64, Option<String>)> = {
        let mut stmt = store.conn().prepare_cached(
            "SELECT d.doc_id, d.kind, d.heads, d.updated_at, r.done_heads
             FROM documents d LEFT JOIN change_reports r ON r.doc_id = d.doc_id
             WHERE d.kind IN (?1, ?2) AND d.provider = ?3
               AND (r.doc_id IS NULL OR r.checked_heads != d.heads)",
        )?;
        let rows = stmt.query_map(
            params![
                DocKind::CareContract.as_str(),
                DocKind::Family.as_str(),
                provider
            ],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
        )?;
        rows.collect::<Result<_, _>>().map_err(StoreError::from)?
    };
    if moved.is_empty() {
        return Ok(());
    }
    let mut computed = Vec::with_capacity(moved.len());
    for (doc_id, kind, heads, changed_at, done_heads) in moved {
        let mut doc = store.load_doc(&DocId(doc_id.clone()))?;
        let done: Option<Vec<String>> = done_heads
            .as_deref()
            .map(serde_json::from_str)
            .transpose()
            .map_err(|e| StoreError::Corrupt(format!("change_reports.done_heads: {e}")))?;
        let (family, facility, subject, changes, kind) = if kind == DocKind::CareContract.as_str() {
            let now: CareContract = doc.value()?;
            let then: CareContract = doc.value_as_of(done.as_deref())?;
            let subject = child_name(store, &now.child.0)?;
            (
                now.family.0.clone(),
                Some(now.facility.0.clone()),
                subject,
                contract_changes(&then, &now),
                "contract",
            )
        } else {
            let now: Family = doc.value()?;
            let then: Family = doc.value_as_of(done.as_deref())?;
            let subject = now
                .children
                .iter()
                .map(|c| format!("{} {}", c.given_name, c.family_name))
                .collect::<Vec<_>>()
                .join(", ");
            // The Kita of its children (the first one's, for a family in two Kitas).
            let facility = now
                .children
                .iter()
                .find_map(|c| c.facility.as_ref().map(|f| f.0.clone()));
            (
                now.id.0.clone(),
                facility,
                subject,
                family_changes(&then, &now),
                "family",
            )
        };
        computed.push((
            doc_id, family, kind, facility, subject, done_heads, heads, changes, changed_at,
        ));
    }
    store.write(|tx| -> Result<(), ActionError> {
        let mut upsert = tx.prepare_cached(
            "INSERT INTO change_reports (doc_id, family, kind, facility, subject, done_heads, checked_heads, changes, changed_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
             ON CONFLICT (doc_id) DO UPDATE SET family = ?2, facility = ?4, subject = ?5,
                 checked_heads = ?7, changes = ?8, changed_at = ?9",
        )?;
        for (doc_id, family, kind, facility, subject, done_heads, heads, changes, changed_at) in
            &computed
        {
            upsert.execute(params![
                doc_id,
                family,
                kind,
                facility,
                subject,
                done_heads,
                heads,
                serde_json::to_string(changes).expect("changes serialise"),
                changed_at
            ])?;
        }
        Ok(())
    })
}

fn child_name(store: &Store, child: &str) -> Result<String, StoreError> {
    Ok(store
        .conn()
        .prepare_cached("SELECT given_name || ' ' || family_name FROM p_children WHERE id = ?1")?
        .query_row([child], |r| r.get(0))
        .optional()?
        .unwrap_or_else(|| child.to_string()))
}

fn facility_name(store: &Store, facility: Option<String>) -> Result<Option<String>, StoreError> {
    let Some(id) = facility else {
        return Ok(None);
    };
    Ok(Some(
        store
            .conn()
            .prepare_cached("SELECT name FROM p_facilities WHERE id = ?1")?
            .query_row([&id], |r| r.get(0))
            .optional()?
            .unwrap_or(id),
    ))
}

fn parse_changes(json: &str) -> Result<Vec<Change>, StoreError> {
    serde_json::from_str(json).map_err(|e| StoreError::Corrupt(format!("change_reports: {e}")))
}

/// The open change reports, newest first; with `field` only those touching it (and of each
/// only the changes of that field).
pub fn open_reports(
    store: &mut Store,
    who: &Principal,
    field: Option<Field>,
) -> Result<Vec<Report>, ActionError> {
    let provider = scope(store, who, false)?;
    refresh(store, &provider)?;
    let rows: Vec<Report> = {
        let mut stmt = store.conn().prepare_cached(
            "SELECT doc_id, kind, family, facility, subject, changes, changed_at, checked_heads
             FROM change_reports WHERE changes != '[]' ORDER BY changed_at DESC, doc_id",
        )?;
        let rows = stmt.query_map([], |r| {
            let changes: String = r.get(5)?;
            Ok(Report {
                doc_id: r.get(0)?,
                kind: r.get(1)?,
                family: r.get(2)?,
                // The Kita's id for now, its name below.
                facility: r.get(3)?,
                subject: r.get(4)?,
                changes: serde_json::from_str(&changes).map_err(|e| {
                    rusqlite::Error::FromSqlConversionFailure(
                        5,
                        rusqlite::types::Type::Text,
                        e.into(),
                    )
                })?,
                changed_at: r.get(6)?,
                heads: r.get(7)?,
            })
        })?;
        rows.collect::<Result<_, _>>().map_err(StoreError::from)?
    };
    let mut out = Vec::new();
    for mut report in rows {
        if let Some(f) = field {
            report.changes.retain(|c| c.field == f);
            if report.changes.is_empty() {
                continue;
            }
        }
        report.facility = facility_name(store, report.facility.take())?;
        out.push(report);
    }
    Ok(out)
}

/// The reports marked done, newest first (the last `limit`).
pub fn done_reports(
    store: &Store,
    who: &Principal,
    limit: usize,
) -> Result<Vec<Done>, ActionError> {
    scope(store, who, false)?;
    let rows: Vec<(String, Option<String>, String, String, i64, String)> = {
        let mut stmt = store.conn().prepare_cached(
            "SELECT doc_id, facility, subject, changes, done_at, done_by FROM change_reports_done
             ORDER BY seq DESC LIMIT ?1",
        )?;
        let rows = stmt.query_map([limit as i64], |r| {
            Ok((
                r.get(0)?,
                r.get(1)?,
                r.get(2)?,
                r.get(3)?,
                r.get(4)?,
                r.get(5)?,
            ))
        })?;
        rows.collect::<Result<_, _>>().map_err(StoreError::from)?
    };
    rows.into_iter()
        .map(|(doc_id, facility, subject, changes, done_at, done_by)| {
            Ok(Done {
                doc_id,
                facility: facility_name(store, facility)?,
                subject,
                changes: parse_changes(&changes)?,
                done_at,
                done_by,
            })
        })
        .collect()
}

/// Marking reports done: each names the document and the heads its listed changes were
/// computed at.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct DoneInput {
    pub reports: Vec<DoneReport>,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct DoneReport {
    pub doc_id: String,
    pub heads: String,
}

/// Marks reports done, all or none: a report that changed again since it was listed (or is
/// not open) refuses the whole action with what to do. Audited per report.
pub fn mark_done(
    store: &mut Store,
    who: &Principal,
    input: &DoneInput,
    now: Now,
) -> Result<usize, ActionError> {
    let provider = scope(store, who, true)?;
    if input.reports.is_empty() {
        return Err(ActionError::Conflict(
            "Keine Änderungsmeldung gewählt / no change report chosen".into(),
        ));
    }
    // A change that arrived since the list was shown moves the heads: compare with the present.
    refresh(store, &provider)?;
    let actor = who.audit_name();
    store.write(|tx| -> Result<usize, ActionError> {
        for report in &input.reports {
            let row: Option<(String, Option<String>, String, String, String)> = tx
                .prepare_cached(
                    "SELECT family, facility, subject, changes, checked_heads FROM change_reports
                     WHERE doc_id = ?1 AND changes != '[]'",
                )?
                .query_row([&report.doc_id], |r| {
                    Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
                })
                .optional()?;
            let Some((family, facility, subject, changes, heads)) = row else {
                return Err(ActionError::NotFound(format!(
                    "Änderungsmeldung / change report {}",
                    report.doc_id
                )));
            };
            if heads != report.heads {
                return Err(ActionError::Conflict(format!(
                    "Für {subject} ist inzwischen eine weitere Änderung eingegangen: bitte die Liste neu laden und prüfen / changed again since listed"
                )));
            }
            tx.execute(
                "INSERT INTO change_reports_done (doc_id, family, facility, subject, changes, done_at, done_by)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                params![report.doc_id, family, facility, subject, changes, now.millis, actor],
            )?;
            tx.execute(
                "UPDATE change_reports SET done_heads = checked_heads, changes = '[]' WHERE doc_id = ?1",
                [&report.doc_id],
            )?;
            crate::storage::audit_in(
                tx,
                &AuditEntry {
                    at: now.millis,
                    actor: actor.clone(),
                    action: "changes.done",
                    target: Some(report.doc_id.clone()),
                    subjects: vec![family],
                    valid_from: None,
                },
            )?;
        }
        Ok(input.reports.len())
    })
}
