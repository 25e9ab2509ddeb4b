//! The node's database: automerge chunks, projections, audit log, users and sessions, and the
//! revocation list in force.
//!
//! One writer connection per node. Every write of a document appends its new chunk, replaces
//! the document's projection rows and appends the audit entry in one SQLite transaction, so an
//! acknowledged write is either wholly there after a crash or not at all.

mod audit;
mod docs;
mod erase;
pub mod projections;
mod revocations;
pub mod sealing;
mod signatures;
pub mod subject_keys;
mod synced;

pub use audit::{audit_in, audit_row, AuditEntry, AuditRow};
pub use docs::PreparedDoc;
pub use erase::ErasureReport;
pub use subject_keys::{KeyFileStamp, SubjectKeys, SUBJECT_KEYS_FILE};

use kitanetz_crdt::doc::DocError;
use kitanetz_crdt::policy::Membership;
use kitanetz_crdt::DocId;
use rusqlite::Connection;
use std::path::Path;

/// Numbered migrations, applied in order; never edited once shipped.
const MIGRATIONS: &[&str] = &[
    include_str!("migrations/0001_initial.sql"),
    include_str!("migrations/0002_revocations.sql"),
    include_str!("migrations/0003_seat_holds.sql"),
    include_str!("migrations/0004_drop_seat_reserved.sql"),
    include_str!("migrations/0005_local_changes.sql"),
    include_str!("migrations/0006_guardian_accounts.sql"),
    include_str!("migrations/0007_intake.sql"),
    include_str!("migrations/0008_letters_out.sql"),
    include_str!("migrations/0009_wish_handles.sql"),
    include_str!("migrations/0010_sequential_procedure.sql"),
    include_str!("migrations/0011_applicant_shares.sql"),
    include_str!("migrations/0012_billing.sql"),
    include_str!("migrations/0013_session_kinds.sql"),
    include_str!("migrations/0014_extra_care.sql"),
    include_str!("migrations/0015_follow_ups.sql"),
    include_str!("migrations/0016_payments.sql"),
    include_str!("migrations/0017_change_signatures.sql"),
    include_str!("migrations/0018_childminding_requests.sql"),
    include_str!("migrations/0019_childminder_placements.sql"),
    include_str!("migrations/0020_kitaplaner.sql"),
    include_str!("migrations/0021_rounds.sql"),
    include_str!("migrations/0022_fee_reduction_settings.sql"),
    include_str!("migrations/0023_wish_status.sql"),
    include_str!("migrations/0024_kdw_master.sql"),
    include_str!("migrations/0025_applicant_facts.sql"),
    include_str!("migrations/0026_round_cancel.sql"),
    include_str!("migrations/0027_fee_statute_versions.sql"),
    include_str!("migrations/0028_fee_proofs.sql"),
    include_str!("migrations/0029_childminder_users.sql"),
    include_str!("migrations/0030_letters_notice.sql"),
    include_str!("migrations/0031_user_password_change.sql"),
    include_str!("migrations/0032_change_reports.sql"),
    include_str!("migrations/0033_kdw_export_staff.sql"),
    include_str!("migrations/0034_kitaplaner_imports.sql"),
    include_str!("migrations/0035_fee_statute_versions_replaced.sql"),
    include_str!("migrations/0036_lost_fee_reports.sql"),
    include_str!("migrations/0037_sealed_chunks.sql"),
    include_str!("migrations/0038_placement_catalogues.sql"),
];

/// Migrations that add a projection table: a database older than this is rebuilt from its
/// documents after migrating, so that the new table holds the rows of existing documents.
const LAST_PROJECTION_CHANGE: usize = 25;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error(transparent)]
    Doc(#[from] DocError),
    #[error("document {0} not found on this node")]
    NotFound(DocId),
    #[error("document {0} was erased on this node and is not taken back")]
    Erased(DocId),
    #[error("this node may not hold document {0} ({1})")]
    NotAllowed(DocId, String),
    #[error("the database has schema version {found}, this binary knows up to {supported}: use a newer Kitanetz")]
    DatabaseTooNew { found: usize, supported: usize },
    #[error("stored data is unreadable: {0}")]
    Corrupt(String),
    #[error("subject key file: {0}")]
    SubjectKeys(String),
    #[error("document {0} is sealed and its key is gone (erased)")]
    KeyGone(DocId),
    #[error(transparent)]
    Unsealing(#[from] sealing::OpenError),
}

/// How hard a commit waits for the disk.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Durability {
    /// `synchronous=FULL`: office and city nodes (an acknowledged write survives power loss).
    Full,
    /// `synchronous=NORMAL` with WAL: survives a process crash; used for bulk loads and tests.
    Normal,
}

pub struct Store {
    conn: Connection,
    /// The automerge actor of this node (persisted in `node_meta`).
    actor: Vec<u8>,
    membership: Membership,
    node_name: String,
    /// The subject key file, when the node has one (ARCHITECTURE.md §Erasure).
    keys: Option<SubjectKeys>,
    /// Whether new chunks of personal documents are sealed (`[storage] encrypt_personal`).
    seal_personal: bool,
}

/// How a store keeps personal documents at rest.
#[derive(Debug, Clone)]
pub struct AtRest {
    /// The subject key file (`subject-keys.db` beside `node.db`); opened when it exists or
    /// when `seal_personal` is on (then created).
    pub keys_file: std::path::PathBuf,
    /// Seal new chunks of personal documents with their document's key.
    pub seal_personal: bool,
    /// Now (Unix milliseconds, from the node's clock): the audit time of erasures finished
    /// while opening.
    pub opened_at: i64,
}

impl Store {
    /// Opens (or creates) the database at `path` and brings its schema up to date.
    pub fn open(
        path: &Path,
        durability: Durability,
        node_name: &str,
        membership: Membership,
    ) -> Result<Store, StoreError> {
        let mut conn = Connection::open(path)?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(
            None,
            "synchronous",
            match durability {
                Durability::Full => "FULL",
                Durability::Normal => "NORMAL",
            },
        )?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        // 32 MiB of page cache instead of SQLite's 2 MiB: a placement round writes some 15,000
        // documents with their projection rows in one transaction, and with the default cache
        // SQLite spills dirty pages to the WAL in the middle of it.
        conn.pragma_update(None, "cache_size", -32 * 1024)?;
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        // rusqlite keeps 16 prepared statements by default; one document write alone runs more
        // (the documents row, its chunks, the projection tables), so a smaller cache would
        // re-parse the same SQL for every document of a bulk write.
        conn.set_prepared_statement_cache_capacity(256);
        let found = migrate(&mut conn)?;
        let actor = ensure_actor(&conn, node_name)?;
        let mut store = Store {
            conn,
            actor,
            membership,
            node_name: node_name.to_string(),
            keys: None,
            seal_personal: false,
        };
        if (1..LAST_PROJECTION_CHANGE).contains(&found) {
            store.rebuild_projections()?;
        }
        Ok(store)
    }

    /// [`Store::open`] with the subject key file of `at_rest`: sealed chunks are opened with
    /// it, and with `seal_personal` new chunks of personal documents are sealed. Refuses a key
    /// file that is missing or not the one `node.db`'s sealed chunks were written with. Then
    /// finishes the erasure of every sealed document whose key is gone
    /// ([`Store::finish_shredded_erasures`]).
    pub fn open_at_rest(
        path: &Path,
        durability: Durability,
        node_name: &str,
        membership: Membership,
        at_rest: &AtRest,
    ) -> Result<Store, StoreError> {
        let mut store = Store::open(path, durability, node_name, membership)?;
        let keys = if at_rest.seal_personal || at_rest.keys_file.is_file() {
            Some(SubjectKeys::open(&at_rest.keys_file)?)
        } else {
            None
        };
        let meta = |key: &str| -> Result<Option<String>, StoreError> {
            use rusqlite::OptionalExtension;
            Ok(store
                .conn
                .query_row("SELECT value FROM node_meta WHERE key = ?1", [key], |r| {
                    r.get(0)
                })
                .optional()?)
        };
        let recorded = meta(subject_keys::META_KEY_FILE)?;
        let used: i64 = meta(subject_keys::META_ISSUED)?
            .map(|n| n.parse())
            .transpose()
            .map_err(|e| StoreError::Corrupt(format!("node_meta.subject_keys_issued: {e}")))?
            .unwrap_or(0);
        match (&keys, recorded) {
            (None, None) => {}
            (None, Some(_)) => {
                return Err(StoreError::SubjectKeys(format!(
                    "{} is missing, and node.db holds personal documents sealed with its keys: \
                     put the node's key file back (or the newest key backup, `kitanetz restore --keys`)",
                    at_rest.keys_file.display()
                )))
            }
            (Some(keys), Some(recorded)) if recorded != keys.id() => {
                return Err(StoreError::SubjectKeys(format!(
                    "{} is the key file {}, but node.db's sealed documents need the key file {recorded}",
                    at_rest.keys_file.display(),
                    keys.id()
                )))
            }
            (Some(keys), Some(_)) => {
                let issued = keys.stamp()?.issued;
                if issued < used {
                    return Err(StoreError::SubjectKeys(format!(
                        "{} is older than node.db (it issued {issued} keys, node.db used key {used}): \
                         put back the node's current key file",
                        at_rest.keys_file.display()
                    )));
                }
            }
            (Some(keys), None) => {
                store.conn.execute(
                    "INSERT INTO node_meta (key, value) VALUES (?1, ?2)",
                    [subject_keys::META_KEY_FILE, keys.id()],
                )?;
            }
        }
        store.keys = keys;
        store.seal_personal = at_rest.seal_personal;
        store.finish_shredded_erasures(at_rest.opened_at)?;
        Ok(store)
    }

    /// The subject key file's stamp, when the store has one.
    pub fn key_file_stamp(&self) -> Result<Option<KeyFileStamp>, StoreError> {
        self.keys.as_ref().map(|k| k.stamp()).transpose()
    }

    /// Read access for queries (projections, users, audit).
    pub fn conn(&self) -> &Connection {
        &self.conn
    }

    /// Runs `f` in one SQLite transaction: everything it writes (rows, audit entry, outbox
    /// mail) is committed together or not at all.
    pub fn write<T, E: From<StoreError>>(
        &mut self,
        f: impl FnOnce(&Connection) -> Result<T, E>,
    ) -> Result<T, E> {
        let tx = self.conn.transaction().map_err(StoreError::from)?;
        let out = f(&tx)?;
        tx.commit().map_err(StoreError::from)?;
        Ok(out)
    }

    pub fn actor(&self) -> &[u8] {
        &self.actor
    }

    pub fn membership(&self) -> &Membership {
        &self.membership
    }

    pub fn node_name(&self) -> &str {
        &self.node_name
    }
}

/// Brings the schema up to date; returns the version the database had (0: new).
fn migrate(conn: &mut Connection) -> Result<usize, StoreError> {
    let version: usize =
        conn.pragma_query_value(None, "user_version", |r| r.get::<_, i64>(0))? as usize;
    if version > MIGRATIONS.len() {
        return Err(StoreError::DatabaseTooNew {
            found: version,
            supported: MIGRATIONS.len(),
        });
    }
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(version) {
        let tx = conn.transaction()?;
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", (i + 1) as i64)?;
        tx.commit()?;
    }
    Ok(version)
}

/// The actor id is fixed per node database: changes made here are attributable to this node.
fn ensure_actor(conn: &Connection, node_name: &str) -> Result<Vec<u8>, StoreError> {
    use rusqlite::OptionalExtension;
    let existing: Option<String> = conn
        .query_row("SELECT value FROM node_meta WHERE key = 'actor'", [], |r| {
            r.get(0)
        })
        .optional()?;
    if let Some(hex_actor) = existing {
        return hex::decode(hex_actor).map_err(|e| StoreError::Corrupt(format!("actor id: {e}")));
    }
    let mut bytes = [0u8; 16];
    rand_core::RngCore::fill_bytes(&mut rand_core::OsRng, &mut bytes);
    // Prefix with a digest of the node name so dumps show which node wrote a change.
    let name_digest = <sha2::Sha256 as sha2::Digest>::digest(node_name.as_bytes());
    bytes[..4].copy_from_slice(&name_digest[..4]);
    conn.execute(
        "INSERT INTO node_meta (key, value) VALUES ('actor', ?1)",
        [hex::encode(bytes)],
    )?;
    Ok(bytes.to_vec())
}

#[cfg(test)]
mod at_rest_tests;

#[cfg(test)]
pub(crate) mod test_support {
    use super::*;
    use kitanetz_crdt::ids::{FacilityId, OrgId, ProviderId};
    use kitanetz_crdt::policy::NodeRole;

    pub fn kita_membership() -> Membership {
        Membership {
            role: NodeRole::Kita,
            organisation: OrgId("org-kita-1".into()),
            provider: Some(ProviderId("prov-1".into())),
            facility: Some(FacilityId("fac-1".into())),
        }
    }

    pub fn open_temp() -> (tempfile::TempDir, Store) {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(
            &dir.path().join("node.db"),
            Durability::Normal,
            "kita-1",
            kita_membership(),
        )
        .unwrap();
        (dir, store)
    }
}

#[cfg(test)]
mod tests {
    use super::test_support::open_temp;
    use super::*;
    use kitanetz_crdt::doc::StoredDoc;
    use kitanetz_crdt::ids::{OrgId, ProviderId};
    use kitanetz_crdt::kinds::{Address, ProviderKind, ProviderProfile};
    use kitanetz_crdt::meta::{DocKind, DocMeta};
    use kitanetz_crdt::scalar::Date;

    fn entry(at: i64) -> AuditEntry {
        AuditEntry {
            at,
            actor: "user:test".into(),
            action: "provider.update",
            target: Some("doc-p".into()),
            subjects: vec![],
            valid_from: None,
        }
    }

    #[test]
    fn many_edits_are_compacted_and_load_back_identically() {
        let (_dir, mut store) = open_temp();
        let today = Date::ymd(2026, 11, 2);
        let mut profile = ProviderProfile {
            id: ProviderId("prov-1".into()),
            name: "Träger".into(),
            kind: ProviderKind::Free,
            category: "Elterninitiative".into(),
            address: Address {
                street: "Weg 1".into(),
                postcode: "01067".into(),
                city: "Dresden".into(),
                lat: None,
                lon: None,
            },
            email: String::new(),
            phone: String::new(),
        };
        let meta = DocMeta {
            kind: DocKind::ProviderProfile,
            schema: 1,
            owner: OrgId("org-kita-1".into()),
            provider: Some(ProviderId("prov-1".into())),
            facilities: vec![],
            origin_node: "kita-1".into(),
            created_on: today,
        };
        let id = kitanetz_crdt::DocId("doc-p".into());
        let mut doc =
            StoredDoc::create(id.clone(), meta, &profile, store.actor(), today, 1).unwrap();
        store.save_doc(&mut doc, &entry(1)).unwrap();
        for i in 0..40 {
            profile.phone = format!("0351 {i}");
            doc.update(&profile, today, 2 + i, "phone").unwrap();
            store.save_doc(&mut doc, &entry(2 + i)).unwrap();
        }
        let chunks: i64 = store
            .conn()
            .query_row(
                "SELECT COUNT(*) FROM chunks WHERE doc_id = 'doc-p'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert!(chunks < 32, "compacted: {chunks} chunks");
        let (mut loaded, value) = store.get::<ProviderProfile>(&id).unwrap();
        assert_eq!(value, profile);
        assert_eq!(loaded.heads(), doc.heads());
        let audited: i64 = store
            .conn()
            .query_row("SELECT COUNT(*) FROM audit_log", [], |r| r.get(0))
            .unwrap();
        assert_eq!(audited, 41);
    }

    #[test]
    fn refuses_a_database_from_a_newer_binary() {
        let (dir, store) = open_temp();
        store
            .conn()
            .pragma_update(None, "user_version", 99)
            .unwrap();
        drop(store);
        match Store::open(
            &dir.path().join("node.db"),
            Durability::Normal,
            "kita-1",
            test_support::kita_membership(),
        ) {
            Err(StoreError::DatabaseTooNew { found: 99, .. }) => {}
            Err(other) => panic!("expected DatabaseTooNew, got {other}"),
            Ok(_) => panic!("expected DatabaseTooNew, got a store"),
        }
    }
}
