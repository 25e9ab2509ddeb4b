//! The subject key file (`subject-keys.db` in the data directory): one random secret per
//! sealed document ([`super::sealing`]). It is its own SQLite database, never a table of
//! `node.db`, so that a copy of `node.db` (a backup, a stolen disk image of the database
//! alone) holds sealed chunks but not the secrets that open them, and erasing a document's
//! secret here shreds every such copy.
//!
//! `PRAGMA secure_delete` overwrites a deleted secret's bytes. The file runs in WAL mode with
//! `synchronous=FULL`: one fsync per commit that makes a secret (measured on the build machine:
//! a new family saved alone took 3.4 ms more than unsealed; with a rollback journal 16 ms).
//! Earlier WAL frames still hold a deleted secret's page, so every erasure ends with a
//! `wal_checkpoint(TRUNCATE)`: the overwritten page reaches the main file and the WAL is cut to
//! nothing. What the file system or an SSD keeps of overwritten or truncated blocks is beyond
//! an application's reach: full-disk encryption covers that.

use super::sealing::{self, Secret, SECRET_LEN};
use super::StoreError;
use kitanetz_crdt::meta::DocKind;
use kitanetz_crdt::DocId;
use rusqlite::{params, Connection, OpenFlags, OptionalExtension};
use std::borrow::Cow;
use std::path::Path;

/// The key file's name in the data directory.
pub const SUBJECT_KEYS_FILE: &str = "subject-keys.db";

/// Schema of the key file (its `user_version`). Persisted format.
const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS key_file (
    -- Random, fixed at creation: node.db records which key file its sealed chunks need.
    id TEXT NOT NULL,
    -- Secrets issued so far (never goes back, also when secrets are deleted): a backup of
    -- node.db names the count at its time, and a key file that issued fewer is older than
    -- the backup (it would take documents created in between for erased).
    issued INTEGER NOT NULL
) STRICT;
CREATE TABLE IF NOT EXISTS subject_keys (
    doc_id TEXT PRIMARY KEY,
    -- The value of key_file.issued when this secret was made.
    seq INTEGER NOT NULL,
    secret BLOB NOT NULL
) STRICT;
";
const SCHEMA_VERSION: i64 = 1;

/// Which key file, and how far it got: enough to tell at restore whether a key file fits a
/// backup of `node.db`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct KeyFileStamp {
    pub id: String,
    pub issued: i64,
}

/// The open key file.
pub struct SubjectKeys {
    conn: Connection,
    id: String,
}

impl SubjectKeys {
    /// Opens the key file at `path`, creating it (owner-only) if it does not exist.
    pub fn open(path: &Path) -> Result<SubjectKeys, StoreError> {
        let conn = Connection::open(path)?;
        restrict_to_owner(path)?;
        conn.pragma_update(None, "secure_delete", "ON")?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        // A secret lost in a power cut loses its document for good: wait for the disk.
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        let version: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
        if version > SCHEMA_VERSION {
            return Err(StoreError::SubjectKeys(format!(
                "{} has schema version {version}, this binary knows {SCHEMA_VERSION}: use a newer Kitanetz",
                path.display()
            )));
        }
        if version < SCHEMA_VERSION {
            conn.execute_batch(SCHEMA)?;
            conn.pragma_update(None, "user_version", SCHEMA_VERSION)?;
        }
        let existing: Option<String> = conn
            .query_row("SELECT id FROM key_file", [], |r| r.get(0))
            .optional()?;
        let id = match existing {
            Some(id) => id,
            None => {
                let id = hex::encode(random::<16>());
                conn.execute("INSERT INTO key_file (id, issued) VALUES (?1, 0)", [&id])?;
                id
            }
        };
        Ok(SubjectKeys { conn, id })
    }

    pub fn id(&self) -> &str {
        &self.id
    }

    pub fn stamp(&self) -> Result<KeyFileStamp, StoreError> {
        Ok(KeyFileStamp {
            id: self.id.clone(),
            issued: self
                .conn
                .query_row("SELECT issued FROM key_file", [], |r| r.get(0))?,
        })
    }

    /// The secret of `doc`, `None` when it has none (never sealed, or erased).
    pub fn secret(&self, doc: &DocId) -> Result<Option<Secret>, StoreError> {
        let found: Option<Vec<u8>> = self
            .conn
            .prepare_cached("SELECT secret FROM subject_keys WHERE doc_id = ?1")?
            .query_row([&doc.0], |r| r.get(0))
            .optional()?;
        found
            .map(|bytes| {
                Secret::try_from(bytes.as_slice()).map_err(|_| {
                    StoreError::SubjectKeys(format!(
                        "the secret of {doc} is not {SECRET_LEN} bytes"
                    ))
                })
            })
            .transpose()
    }
}

/// The stamp of the key file at `path` without changing it; `None` when there is no file.
pub fn stamp_of(path: &Path) -> Result<Option<KeyFileStamp>, StoreError> {
    if !path.is_file() {
        return Ok(None);
    }
    let conn = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY)?;
    conn.busy_timeout(std::time::Duration::from_secs(10))?;
    Ok(conn
        .query_row("SELECT id, issued FROM key_file", [], |r| {
            Ok(KeyFileStamp {
                id: r.get(0)?,
                issued: r.get(1)?,
            })
        })
        .optional()?)
}

/// Copies the key file at `from` to `to` (replacing it: the previous copy is renamed over only
/// when the new one is complete) with SQLite's online backup API, consistent while the node
/// writes; owner-only. Returns the copy's stamp.
pub fn back_up_key_file(from: &Path, to: &Path) -> Result<KeyFileStamp, StoreError> {
    let source = Connection::open_with_flags(from, OpenFlags::SQLITE_OPEN_READ_ONLY)?;
    source.busy_timeout(std::time::Duration::from_secs(10))?;
    let partial = to.with_extension("partial");
    let _ = std::fs::remove_file(&partial);
    source.backup(
        rusqlite::MAIN_DB,
        &partial,
        None::<fn(rusqlite::backup::Progress)>,
    )?;
    drop(source);
    restrict_to_owner(&partial)?;
    {
        // One self-contained file (no -wal or -shm beside it), as a copy should be.
        let copy = Connection::open(&partial)?;
        copy.pragma_update(None, "journal_mode", "DELETE")?;
    }
    let stamp = stamp_of(&partial)?.ok_or_else(|| {
        StoreError::SubjectKeys(format!("{} is no subject key file", from.display()))
    })?;
    std::fs::rename(&partial, to)
        .map_err(|e| StoreError::SubjectKeys(format!("{}: {e}", to.display())))?;
    Ok(stamp)
}

/// The key side of one write to `node.db`: the key file's own transaction, committed just
/// *before* `node.db`'s. So a new secret is on disk before any chunk sealed with it (a crash in
/// between leaves a secret without chunks: harmless), and an erased document's secret is gone
/// before its chunks are (a crash in between leaves chunks without a secret: unreadable, and
/// [`super::Store`] finishes their erasure when it is opened next).
pub(super) struct AtRestWrite<'k> {
    keys: Option<KeyWrites<'k>>,
    seal_new: bool,
}

struct KeyWrites<'k> {
    keys: &'k SubjectKeys,
    tx: rusqlite::Transaction<'k>,
    /// The key file's count of issued secrets after this write made new ones.
    issued: std::cell::Cell<Option<i64>>,
    /// Whether this write deleted a secret (then the WAL is checkpointed after the commit).
    forgot: std::cell::Cell<bool>,
}

/// `node_meta` keys: which key file `node.db`'s sealed chunks need, and how many secrets it
/// had issued when `node.db` last used a new one (a key file that issued fewer is older than
/// `node.db`, and would make its newer documents look erased).
pub(super) const META_KEY_FILE: &str = "subject_keys";
pub(super) const META_ISSUED: &str = "subject_keys_issued";

impl<'k> AtRestWrite<'k> {
    /// Starts the key side of a write; `keys` is the node's key file, if it has one.
    pub(super) fn begin(
        keys: Option<&'k SubjectKeys>,
        seal_new: bool,
    ) -> Result<AtRestWrite<'k>, StoreError> {
        let keys = match keys {
            Some(keys) => Some(KeyWrites {
                tx: keys.conn.unchecked_transaction()?,
                keys,
                issued: Default::default(),
                forgot: Default::default(),
            }),
            None => None,
        };
        Ok(AtRestWrite { keys, seal_new })
    }

    /// The bytes to store for a chunk of `doc` at `seq`, and whether they are sealed: sealed
    /// for a kind [`sealing::seals`] when this node seals, plain otherwise.
    pub(super) fn chunk_for_disk<'b>(
        &self,
        kind: DocKind,
        doc: &DocId,
        seq: i64,
        bytes: &'b [u8],
    ) -> Result<(bool, Cow<'b, [u8]>), StoreError> {
        match &self.keys {
            Some(keys) if self.seal_new && sealing::seals(kind) => {
                let secret = keys.secret_or_new(doc)?;
                Ok((true, Cow::Owned(sealing::seal(&secret, doc, seq, bytes))))
            }
            _ => Ok((false, Cow::Borrowed(bytes))),
        }
    }

    /// Deletes the secret of an erased document (nothing when it has none).
    pub(super) fn forget(&self, doc: &DocId) -> Result<(), StoreError> {
        if let Some(keys) = &self.keys {
            let deleted = keys
                .tx
                .prepare_cached("DELETE FROM subject_keys WHERE doc_id = ?1")?
                .execute([&doc.0])?;
            if deleted > 0 {
                keys.forgot.set(true);
            }
        }
        Ok(())
    }

    /// Records in `node_tx` how far the key file got, then commits the key side; call right
    /// before committing `node_tx`.
    pub(super) fn commit(self, node_tx: &Connection) -> Result<(), StoreError> {
        if let Some(keys) = self.keys {
            if let Some(issued) = keys.issued.get() {
                node_tx
                    .prepare_cached(
                        "INSERT INTO node_meta (key, value) VALUES (?1, ?2)
                         ON CONFLICT (key) DO UPDATE SET value = ?2",
                    )?
                    .execute(params![META_ISSUED, issued.to_string()])?;
            }
            keys.tx.commit()?;
            if keys.forgot.get() {
                // The deleted secrets' pages as they were still lie in earlier WAL frames:
                // copy the overwritten pages into the main file and cut the WAL to nothing. A
                // reader that keeps the checkpoint from finishing (a backup copying the file)
                // only delays it to the next erasure or automatic checkpoint; the erasure
                // itself stands.
                keys.keys
                    .conn
                    .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
            }
        }
        Ok(())
    }
}

impl KeyWrites<'_> {
    fn secret_or_new(&self, doc: &DocId) -> Result<Secret, StoreError> {
        if let Some(secret) = self.keys.secret(doc)? {
            return Ok(secret);
        }
        let secret: Secret = random();
        let seq: i64 = self
            .tx
            .prepare_cached("UPDATE key_file SET issued = issued + 1 RETURNING issued")?
            .query_row([], |r| r.get(0))?;
        self.tx
            .prepare_cached("INSERT INTO subject_keys (doc_id, seq, secret) VALUES (?1, ?2, ?3)")?
            .execute(params![doc.0, seq, &secret[..]])?;
        self.issued.set(Some(seq));
        Ok(secret)
    }
}

/// Opens a stored chunk of `doc`: sealed ones with the document's secret, plain ones as they
/// are. A sealed chunk without a secret is [`StoreError::KeyGone`].
pub(super) fn open_chunk<'b>(
    keys: Option<&SubjectKeys>,
    doc: &DocId,
    seq: i64,
    sealed: bool,
    bytes: &'b [u8],
) -> Result<Cow<'b, [u8]>, StoreError> {
    if !sealed {
        return Ok(Cow::Borrowed(bytes));
    }
    let secret = match keys {
        Some(keys) => keys.secret(doc)?,
        None => None,
    }
    .ok_or_else(|| StoreError::KeyGone(doc.clone()))?;
    Ok(Cow::Owned(sealing::open(&secret, doc, seq, bytes)?))
}

fn random<const N: usize>() -> [u8; N] {
    let mut bytes = [0u8; N];
    rand_core::RngCore::fill_bytes(&mut rand_core::OsRng, &mut bytes);
    bytes
}

fn restrict_to_owner(path: &Path) -> Result<(), StoreError> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))
            .map_err(|e| StoreError::SubjectKeys(format!("{}: {e}", path.display())))?;
    }
    let _ = path;
    Ok(())
}
