//! The criteria catalogue the city publishes for its rounds (PLACEMENT.md, "Priorities": a
//! versioned catalogue per city with optional local criteria of a Träger or a Kita; migration
//! 0038). The ZVS tries a catalogue on the what-if page first and publishes it from there with
//! the reason (e.g. the council's decision); the next round and every what-if compare against
//! the newest version. A round keeps the id and version it ran under in its protocol. Before
//! the first publication the Lastenheft's default applies (sibling in this Kita, desired start,
//! birth date).
//!
//! Local criteria read facts of the child that the city holds pseudonymously: the flags
//! [`child_flags`] names. A Träger's criteria apply at all its Kitas, a Kita's at that Kita, each
//! only below the city's criteria (they break the ties the city's leave).

use crate::action::ActionError;
use crate::auth::{authorize, Action, Principal};
use crate::clock::Now;
use crate::storage::{audit_in, AuditEntry, Store, StoreError};
use kitanetz_crdt::validate::Validator;
use kitanetz_placement::catalogue::{Catalogue, Scope};
use rusqlite::{params, OptionalExtension};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

/// A published version.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Published {
    pub version: u32,
    pub catalogue: Catalogue,
    pub reason: String,
    pub published_by: String,
    pub published_at: i64,
}

/// The catalogue in force: the newest published, or the Lastenheft's default for `city`.
pub fn in_force(store: &Store, city: &str) -> Result<Catalogue, StoreError> {
    Ok(versions(store)?
        .into_iter()
        .next()
        .map_or_else(|| Catalogue::lastenheft_default(city), |p| p.catalogue))
}

/// Every published version, newest first.
pub fn versions(store: &Store) -> Result<Vec<Published>, StoreError> {
    let mut stmt = store.conn().prepare_cached(
        "SELECT version, catalogue, reason, published_by, published_at
         FROM placement_catalogues ORDER BY version DESC",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok((
            r.get::<_, u32>(0)?,
            r.get::<_, String>(1)?,
            r.get(2)?,
            r.get(3)?,
            r.get(4)?,
        ))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (version, json, reason, published_by, published_at) = row?;
        let catalogue = serde_json::from_str(&json).map_err(|e| {
            StoreError::Corrupt(format!("placement catalogue version {version}: {e}"))
        })?;
        out.push(Published {
            version,
            catalogue,
            reason,
            published_by,
            published_at,
        });
    }
    Ok(out)
}

/// The child's flags local criteria can name (`{"kind": "flag", "flag": …}`), in lower case:
/// its denomination as the parents gave it, `denomination:<name>` (a confessional Träger may
/// prefer children of its denomination; the wished Kita sees the denomination anyway), and its
/// home district from the city's street directory, `district:<name>` (a Kita may prefer
/// children of its quarter; the round's statistics carry the district already).
pub fn child_flags(denomination: &str, district: Option<&str>) -> BTreeSet<String> {
    let flag = |name: &str, value: &str| {
        let value = value.trim().to_lowercase();
        (!value.is_empty()).then(|| format!("{name}:{value}"))
    };
    [
        flag("denomination", denomination),
        district.and_then(|d| flag("district", d)),
    ]
    .into_iter()
    .flatten()
    .collect()
}

/// Reads a catalogue typed as JSON into `field`'s errors: it must read, and no criterion may
/// depend on the rank a parent gave a Kita.
pub fn read(text: &str, field: &str, v: &mut Validator) -> Option<Catalogue> {
    match serde_json::from_str::<Catalogue>(text) {
        Ok(c) => match c.validate() {
            Ok(()) => Some(c),
            Err(e) => {
                v.check(false, field, e.to_string());
                None
            }
        },
        Err(e) => {
            v.check(
                false,
                field,
                format!("Katalog nicht lesbar / the catalogue does not read: {e}"),
            );
            None
        }
    }
}

/// The publication form: the catalogue as JSON and why it changes.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct PublishInput {
    pub catalogue: String,
    pub reason: String,
}

/// Publishes a new version of the city's catalogue: it must read, its local criteria must name
/// Träger and Kitas the city knows, and it must differ from the one in force. Its version is the
/// next number and its city `city`, whatever the text says. The audit entry is written in the
/// same transaction.
pub fn publish(
    store: &mut Store,
    who: &Principal,
    input: &PublishInput,
    city: &str,
    now: Now,
) -> Result<Published, ActionError> {
    authorize(who, Action::PublishCriteriaCatalogue)?;
    let mut v = Validator::new();
    let catalogue = read(&input.catalogue, "catalogue", &mut v);
    v.check(
        !input.reason.trim().is_empty(),
        "reason",
        "Bitte den Grund angeben (etwa den Ratsbeschluss) / please give the reason",
    );
    if let Some(c) = &catalogue {
        for scope in c.local.iter().map(|l| &l.scope) {
            let (table, id, what) = match scope {
                Scope::Traeger(t) => ("p_providers", t.as_str(), "Träger"),
                Scope::Facility(f) => ("p_facilities", f.as_str(), "Kita"),
            };
            v.check(
                known_id(store, table, id)?,
                "catalogue",
                format!("unbekannt / unknown {what}: {id}"),
            );
        }
    }
    v.finish()?;
    let mut catalogue = catalogue.expect("checked");
    let current = in_force(store, city)?;
    let version = versions(store)?.first().map_or(1, |p| p.version + 1);
    catalogue.city = city.to_string();
    catalogue.version = current.version;
    if catalogue == current {
        return Err(ActionError::Conflict(
            "Der Katalog gleicht dem geltenden / the catalogue is the one in force".into(),
        ));
    }
    catalogue.version = version;
    let json = serde_json::to_string(&catalogue).expect("json");
    let reason = input.reason.trim().to_string();
    let by = who.audit_name();
    store.write(|tx| -> Result<(), StoreError> {
        tx.execute(
            "INSERT INTO placement_catalogues (version, catalogue, reason, published_by, published_at)
             VALUES (?1, ?2, ?3, ?4, ?5)",
            params![version, json, reason, by, now.millis],
        )?;
        audit_in(
            tx,
            &AuditEntry {
                at: now.millis,
                actor: by.clone(),
                action: "rounds.catalogue.publish",
                target: Some(format!("catalogue-{}-v{version}", catalogue.id)),
                subjects: vec![],
                valid_from: Some(now.today.to_string()),
            },
        )
    })?;
    Ok(Published {
        version,
        catalogue,
        reason,
        published_by: by,
        published_at: now.millis,
    })
}

fn known_id(store: &Store, table: &str, id: &str) -> Result<bool, StoreError> {
    Ok(store
        .conn()
        .query_row(
            &format!("SELECT 1 FROM {table} WHERE id = ?1"),
            [id],
            |_| Ok(()),
        )
        .optional()?
        .is_some())
}
