//! The applications' SQL: facility names and childminding offices for the form, the keyed
//! child hashes of the one-active-application rule, which account submitted what.

use crate::storage::{Store, StoreError};
use kitanetz_crdt::ids::{ApplicationId, FacilityId, WishHandle};
use rusqlite::{params, Connection, OptionalExtension};
use std::collections::BTreeMap;

pub(crate) fn facility_names(store: &Store) -> Result<BTreeMap<FacilityId, String>, StoreError> {
    let mut stmt = store
        .conn()
        .prepare_cached("SELECT id, name FROM p_facilities")?;
    let rows = stmt.query_map([], |r| Ok((FacilityId(r.get(0)?), r.get(1)?)))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Every Kita's name and postcode (for the alternatives the ZVS can offer from the pool).
pub(crate) fn facility_places(
    store: &Store,
) -> Result<BTreeMap<FacilityId, (String, String)>, StoreError> {
    let mut stmt = store
        .conn()
        .prepare_cached("SELECT id, name, postcode FROM p_facilities")?;
    let rows = stmt.query_map([], |r| Ok((FacilityId(r.get(0)?), (r.get(1)?, r.get(2)?))))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// The node's secret for the child keys, created on first use. It never leaves the node:
/// without it a key cannot be tested against a guessed child.
pub(super) fn child_key_secret(store: &Store) -> Result<Vec<u8>, StoreError> {
    node_secret(store, "child-key-secret")
}

/// The city's secret for the family keys of the fee facts (see `kitanetz_crdt::kinds::fee_facts`),
/// created on first use; it never leaves the node.
pub(super) fn family_key_secret(store: &Store) -> Result<Vec<u8>, StoreError> {
    node_secret(store, "family-key-secret")
}

/// The family key of an application's contact guardian (as its applicant shares carry it).
pub(crate) fn family_key_of(
    store: &Store,
    applicant: &kitanetz_crdt::kinds::Applicant,
) -> Result<String, StoreError> {
    Ok(family_key(
        &family_key_secret(store)?,
        &applicant.guardian_family_name,
        &applicant.guardian_given_name,
        &applicant.address.postcode,
        &applicant.address.street,
    ))
}

/// A 32-byte secret of this node under `name` in `node_meta`, created on first use.
fn node_secret(store: &Store, name: &str) -> Result<Vec<u8>, StoreError> {
    let read = || {
        store
            .conn()
            .query_row("SELECT value FROM node_meta WHERE key = ?1", [name], |r| {
                r.get::<_, String>(0)
            })
            .optional()
    };
    let stored = match read()? {
        Some(s) => s,
        None => {
            let mut fresh = [0u8; 32];
            rand_core::RngCore::fill_bytes(&mut rand_core::OsRng, &mut fresh);
            store.conn().execute(
                "INSERT OR IGNORE INTO node_meta (key, value) VALUES (?1, ?2)",
                [name, &hex::encode(fresh)],
            )?;
            read()?.expect("just written")
        }
    };
    hex::decode(stored).map_err(|e| StoreError::Corrupt(format!("{name}: {e}")))
}

/// The family key of the fee facts: HMAC-SHA256 under the city's secret of the applying
/// guardian's normalised family name, given name, postcode and street (case, spaces,
/// punctuation, "ß"/"ss" and "Straße"/"Str." do not matter). Two applications of one guardian
/// at one address give the same key.
pub(crate) fn family_key(
    secret: &[u8],
    guardian_family_name: &str,
    guardian_given_name: &str,
    postcode: &str,
    street: &str,
) -> String {
    fn norm(text: &str) -> String {
        text.to_lowercase()
            .replace('ß', "ss")
            .chars()
            .filter(|c| c.is_alphanumeric())
            .collect::<String>()
            .replace("strasse", "str")
    }
    let identity = format!(
        "kitanetz/family/1\0{}\0{}\0{}\0{}",
        norm(guardian_family_name),
        norm(guardian_given_name),
        norm(postcode),
        norm(street)
    );
    child_key(secret, &identity)
}

/// HMAC-SHA256 of a child's normalised identity under the node's secret.
pub(super) fn child_key(secret: &[u8], identity: &str) -> String {
    let key = ring::hmac::Key::new(ring::hmac::HMAC_SHA256, secret);
    hex::encode(ring::hmac::sign(&key, identity.as_bytes()).as_ref())
}

/// The active application of the child a key names, if any.
pub(super) fn active_application_of(
    store: &Store,
    key: &str,
) -> Result<Option<ApplicationId>, StoreError> {
    Ok(store
        .conn()
        .query_row(
            "SELECT k.application FROM application_keys k
             JOIN p_applications a ON a.id = k.application
             WHERE k.child_key = ?1 AND a.status = 'active' LIMIT 1",
            [key],
            |r| r.get::<_, String>(0),
        )
        .optional()?
        .map(ApplicationId))
}

pub(super) fn account_of(store: &Store, id: &ApplicationId) -> Result<Option<i64>, StoreError> {
    Ok(store
        .conn()
        .query_row(
            "SELECT account FROM portal_applications WHERE application = ?1",
            [&id.0],
            |r| r.get(0),
        )
        .optional()?)
}

/// Records a new application's child key and the account that submitted it (none when the
/// ZVS entered it).
pub(super) fn remember(
    tx: &Connection,
    key: &str,
    id: &ApplicationId,
    account: Option<i64>,
    now: i64,
) -> Result<(), StoreError> {
    tx.execute(
        "INSERT INTO application_keys (child_key, application, created_at) VALUES (?1, ?2, ?3)",
        params![key, id.0, now],
    )?;
    if let Some(account) = account {
        tx.execute(
            "INSERT INTO portal_applications (application, account, created_at) VALUES (?1, ?2, ?3)",
            params![id.0, account, now],
        )?;
    }
    Ok(())
}

/// The applications an account submitted or was invited to as second guardian, newest first.
pub(super) fn applications_of(
    store: &Store,
    account: i64,
) -> Result<Vec<ApplicationId>, StoreError> {
    let mut stmt = store.conn().prepare_cached(
        "SELECT application, created_at FROM portal_applications WHERE account = ?1
         UNION SELECT application, added_at FROM application_guardians WHERE account = ?1
         ORDER BY 2 DESC, 1",
    )?;
    let rows = stmt.query_map([account], |r| r.get::<_, String>(0).map(ApplicationId))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// The applications the account submitted itself (the contact parent's), newest first.
pub(super) fn submitted_by(store: &Store, account: i64) -> Result<Vec<ApplicationId>, StoreError> {
    let mut stmt = store.conn().prepare_cached(
        "SELECT application FROM portal_applications WHERE account = ?1 ORDER BY created_at DESC, application",
    )?;
    let rows = stmt.query_map([account], |r| r.get::<_, String>(0).map(ApplicationId))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Approved places of a care type at a facility on `day` (the change in force then; 0 when it
/// offers none), from the licence's projection rows.
pub(super) fn places_on(
    store: &Store,
    facility: &FacilityId,
    care_type: kitanetz_crdt::kinds::CareType,
    day: kitanetz_crdt::scalar::Date,
) -> Result<i64, StoreError> {
    Ok(store
        .conn()
        .prepare_cached(
            "SELECT places FROM p_facility_places
             WHERE facility = ?1 AND care_type = ?2 AND valid_from <= ?3
             ORDER BY valid_from DESC LIMIT 1",
        )?
        .query_row(
            params![facility.0, care_type.as_str(), day.to_string()],
            |r| r.get(0),
        )
        .optional()?
        .unwrap_or(0))
}

/// Whether a Kita holds a seat for the application (reserved or taken under contract): from
/// then on the parents can no longer change it (Lastenheft 3.3.4).
pub(super) fn seat_held(store: &Store, id: &ApplicationId) -> Result<bool, StoreError> {
    Ok(store
        .conn()
        .prepare_cached(
            "SELECT 1 FROM p_application_wishes w JOIN p_seat_holds h ON h.wish = w.handle
             WHERE w.application = ?1 AND h.status IN ('reserved', 'taken') LIMIT 1",
        )?
        .query_row([&id.0], |_| Ok(()))
        .optional()?
        .is_some())
}

/// The file names of the proofs uploaded for an application, oldest first.
pub(super) fn document_names_of(
    store: &Store,
    id: &ApplicationId,
) -> Result<Vec<String>, StoreError> {
    let mut stmt = store.conn().prepare_cached(
        "SELECT filename FROM application_documents WHERE application = ?1 ORDER BY id",
    )?;
    let rows = stmt.query_map([&id.0], |r| r.get(0))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Which application each wish handle belongs to (the city's projection of its applications;
/// empty on a Kita, which never holds an application).
pub(crate) fn wish_owners(
    store: &Store,
) -> Result<std::collections::HashMap<WishHandle, ApplicationId>, StoreError> {
    let mut stmt = store
        .conn()
        .prepare_cached("SELECT handle, application FROM p_application_wishes")?;
    let rows = stmt.query_map([], |r| {
        Ok((WishHandle(r.get(0)?), ApplicationId(r.get(1)?)))
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// The active applications a run of the sequential procedure looks at.
pub(crate) fn active_applications(
    store: &Store,
    which: super::sequential::Which<'_>,
) -> Result<Vec<ApplicationId>, StoreError> {
    use super::sequential::Which;
    let conn = store.conn();
    let ids: Vec<ApplicationId> = match which {
        Which::All => {
            let mut stmt = conn.prepare_cached(
                "SELECT id FROM p_applications WHERE status = 'active' ORDER BY id",
            )?;
            let rows = stmt.query_map([], |r| Ok(ApplicationId(r.get(0)?)))?;
            rows.collect::<Result<_, _>>()?
        }
        Which::WishingAt(facilities) => {
            let mut stmt = conn.prepare_cached(
                "SELECT DISTINCT a.id FROM p_application_wishes w JOIN p_applications a ON a.id = w.application
                 WHERE w.facility = ?1 AND a.status = 'active' ORDER BY a.id",
            )?;
            let mut ids = Vec::new();
            for f in facilities {
                let rows = stmt.query_map([&f.0], |r| Ok(ApplicationId(r.get(0)?)))?;
                for id in rows {
                    ids.push(id?);
                }
            }
            ids.sort();
            ids.dedup();
            ids
        }
        Which::These(ids) => ids.to_vec(),
    };
    Ok(ids)
}

/// The applications of the children applying together under `together`.
pub(crate) fn together_with(
    store: &Store,
    together: &str,
) -> Result<Vec<ApplicationId>, StoreError> {
    let mut stmt = store
        .conn()
        .prepare_cached("SELECT id FROM p_applications WHERE together = ?1 ORDER BY id")?;
    let rows = stmt.query_map([together], |r| Ok(ApplicationId(r.get(0)?)))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// The child of this node with that name and birth date (a Kita matching a transfer notice to
/// its own children), if exactly one.
pub(crate) fn child_named(
    store: &Store,
    given_name: &str,
    family_name: &str,
    birth_date: kitanetz_crdt::scalar::Date,
) -> Result<Option<String>, StoreError> {
    let mut stmt = store.conn().prepare_cached(
        "SELECT id FROM p_children WHERE given_name = ?1 AND family_name = ?2 AND birth_date = ?3 LIMIT 2",
    )?;
    let ids: Vec<String> = stmt
        .query_map(
            rusqlite::params![given_name, family_name, birth_date.to_string()],
            |r| r.get(0),
        )?
        .collect::<Result<_, _>>()?;
    Ok(match ids.as_slice() {
        [one] => Some(one.clone()),
        _ => None,
    })
}

#[cfg(test)]
mod tests {
    use super::family_key;

    #[test]
    fn one_guardian_at_one_address_gives_one_family_key_and_only_with_the_secret() {
        let secret = [7u8; 32];
        let key = family_key(&secret, "Müller", "Anna", "01067", "Hauptstraße 5");
        assert_eq!(key.len(), 64);
        assert!(key.bytes().all(|b| b.is_ascii_hexdigit()));
        // Case, spaces, punctuation and the spelling of "Straße" do not matter.
        assert_eq!(
            key,
            family_key(&secret, " müller ", "ANNA", "01067", "Hauptstr. 5")
        );
        assert_eq!(
            key,
            family_key(&secret, "Müller", "Anna", "01067", "Hauptstrasse 5")
        );
        // Another guardian, another address, another secret: another key.
        assert_ne!(
            key,
            family_key(&secret, "Müller", "Anne", "01067", "Hauptstraße 5")
        );
        assert_ne!(
            key,
            family_key(&secret, "Müller", "Anna", "01067", "Hauptstraße 7")
        );
        assert_ne!(
            key,
            family_key(&[8u8; 32], "Müller", "Anna", "01067", "Hauptstraße 5")
        );
    }
}
