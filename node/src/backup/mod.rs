//! Backup and restore of a node's data directory (`kitanetz backup`, `kitanetz restore`).
//!
//! A backup is a directory: the database copied with SQLite's online backup API (consistent
//! while the node keeps running and writing), every other file of the data directory (the
//! node's configuration, its libp2p identity key and certificates) byte for byte, and a
//! manifest `backup.json` with each file's SHA-256. Restoring checks the manifest, refuses a
//! directory that already holds a node, checks the database's integrity and schema, and then
//! forgets what the backup knew about its peers' sync state and every login session, and gives
//! the node a new automerge actor: the restored node catches up with its peers from scratch
//! (documents are CRDTs, so what changed after the backup flows back in), and nobody is logged
//! in by a session from the past.
//!
//! Personal data (ARCHITECTURE.md §Erasure): on a node with `[storage] encrypt_personal`, the
//! chunks of personal documents in `node.db` are sealed with a key per document that lives in
//! the subject key file `subject-keys.db`. The backup folder never holds that file; the key
//! file is backed up on its own, by default to *one* file beside the backup folders
//! (`kitanetz-<node>-subject-keys.db`, [`key_backup_name`]), which every backup replaces, or to
//! `--keys FILE`. Erasing a family deletes its keys, so the family's documents in every backup
//! taken before are unreadable as soon as no key backup from before the erasure is left:
//! keep only the newest key backup. The projection tables (names in plain text, rebuilt from
//! the chunks) are emptied in the copy, and restoring rebuilds them from the chunks it can
//! open: documents whose key is gone are treated as erased (dropped, tombstoned).
//!
//! The UI's *Datensicherung* page (`http`) takes the same backup into a new folder of the
//! node's backup folder ([`back_up_node`]); the desktop app's first-start assistant restores
//! one of them into a new data directory.

pub mod http;

use crate::action::ActionError;
use crate::auth::{authorize, Action, Principal};
use crate::config::{NodeConfig, DATABASE_FILE};
use crate::storage::subject_keys::{back_up_key_file, stamp_of};
use crate::storage::{AuditEntry, KeyFileStamp, SUBJECT_KEYS_FILE};
use anyhow::{bail, ensure, Context};
use rusqlite::{Connection, OpenFlags};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

/// The manifest's file name inside a backup directory.
pub const MANIFEST_FILE: &str = "backup.json";
const FORMAT: &str = "kitanetz-backup/1";

/// What a backup holds.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Manifest {
    pub format: String,
    /// The node's name (from its node.toml).
    pub node: String,
    /// When the backup was taken (UTC, RFC 3339).
    pub created_at: String,
    /// The database's schema version (migrations applied).
    pub schema_version: i64,
    pub files: Vec<ManifestFile>,
    /// The node's subject key file when the backup was taken (after the database was copied):
    /// a key file restored with the backup must be this one and have issued at least as many
    /// keys. None for a node without one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub keys: Option<KeyFileStamp>,
}

/// The file name of a node's key backup beside its backup folders: one per node, replaced by
/// every backup, so that no older key backup un-shreds a family erased since.
pub fn key_backup_name(node: &str) -> String {
    format!("kitanetz-{node}-subject-keys.db")
}

/// One file of a backup, relative to the data directory.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ManifestFile {
    pub path: String,
    pub bytes: u64,
    pub sha256: String,
}

/// Backs up the node in `data_dir` into `target` (which must not exist or be empty), and its
/// subject key file, if it has one, to `keys_to` (default: [`key_backup_name`] beside
/// `target`, replacing the previous key backup).
pub fn backup(
    data_dir: &Path,
    target: &Path,
    keys_to: Option<&Path>,
    now: chrono::DateTime<chrono::Utc>,
) -> anyhow::Result<Manifest> {
    let config = NodeConfig::load(data_dir)?;
    ensure!(
        !inside(target, data_dir),
        "{} lies inside the data directory {}: a backup goes elsewhere (another disk at best)",
        target.display(),
        data_dir.display()
    );
    ensure_empty(target)?;
    std::fs::create_dir_all(target)
        .with_context(|| format!("cannot create {}", target.display()))?;
    let database = data_dir.join(DATABASE_FILE);
    ensure!(
        database.is_file(),
        "{} holds no node database ({DATABASE_FILE})",
        data_dir.display()
    );
    // Read-only: a backup never changes the node it copies.
    let source = Connection::open_with_flags(
        &database,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .with_context(|| format!("cannot open {}", database.display()))?;
    // The running node may hold the write lock for a moment; wait rather than fail.
    source.busy_timeout(std::time::Duration::from_secs(10))?;
    let copy = target.join(DATABASE_FILE);
    source
        .backup(
            rusqlite::MAIN_DB,
            &copy,
            None::<fn(rusqlite::backup::Progress)>,
        )
        .context("SQLite online backup")?;
    let schema_version: i64 = source.pragma_query_value(None, "user_version", |r| r.get(0))?;
    drop(source);
    leave_out_projections(&copy)?;
    // The key file after the database: every key the copied chunks need was committed before
    // them, so the key backup holds it and its count of issued keys is at least theirs.
    let key_file = data_dir.join(SUBJECT_KEYS_FILE);
    let keys = if key_file.is_file() {
        let to = match keys_to {
            Some(path) => path.to_path_buf(),
            None => target
                .parent()
                .unwrap_or(Path::new("."))
                .join(key_backup_name(&config.name)),
        };
        ensure!(
            !inside(&to, data_dir) && !inside(&to, target),
            "{}: the key backup goes beside the backup, not into it or the data directory",
            to.display()
        );
        Some(back_up_key_file(&key_file, &to).context("backing up the subject key file")?)
    } else {
        None
    };

    let others = data_files(data_dir)?;
    for relative in &others {
        let to = target.join(relative);
        if let Some(parent) = to.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::copy(data_dir.join(relative), &to)
            .with_context(|| format!("cannot copy {}", relative.display()))?;
    }
    let mut files = Vec::new();
    for relative in std::iter::once(PathBuf::from(DATABASE_FILE)).chain(others) {
        let (bytes, sha256) = digest(&target.join(&relative))?;
        files.push(ManifestFile {
            path: relative.to_string_lossy().replace('\\', "/"),
            bytes,
            sha256,
        });
    }
    let manifest = Manifest {
        format: FORMAT.into(),
        node: config.name,
        created_at: now.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        schema_version,
        files,
        keys,
    };
    std::fs::write(
        target.join(MANIFEST_FILE),
        serde_json::to_vec_pretty(&manifest)?,
    )?;
    // The copy holds the same secrets as the node: only its owner reads it.
    crate::restrict_permissions(target)?;
    Ok(manifest)
}

/// Empties the projection tables in the copy of the database and rewrites the file
/// (`VACUUM`), so that the names they hold in plain text are not left in free pages either.
/// Restoring rebuilds them from the chunks.
fn leave_out_projections(copy: &Path) -> anyhow::Result<()> {
    let conn = Connection::open(copy)?;
    conn.pragma_update(None, "journal_mode", "DELETE")?;
    crate::storage::projections::clear_all(&conn)?;
    conn.execute_batch("VACUUM")
        .context("rewriting the copy without its projection tables")?;
    Ok(())
}

/// A backup found in a backup folder.
#[derive(Debug, Clone)]
pub struct Listed {
    /// The backup's own folder.
    pub path: PathBuf,
    pub manifest: Manifest,
    /// All its files together.
    pub bytes: u64,
}

impl Listed {
    /// The folder's name, as a person picks it.
    pub fn folder(&self) -> String {
        self.path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default()
    }

    /// When it was taken, in the city's time (`2026-11-29 21:05`).
    pub fn taken(&self) -> String {
        chrono::DateTime::parse_from_rfc3339(&self.manifest.created_at)
            .map(|t| crate::clock::format_millis(t.timestamp_millis()))
            .unwrap_or_else(|_| self.manifest.created_at.clone())
    }
}

/// The backups in `dir` (each a folder with a readable manifest), newest first; other
/// entries are passed over. A missing folder holds none.
pub fn list(dir: &Path) -> Vec<Listed> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut found: Vec<Listed> = entries
        .filter_map(Result::ok)
        .filter_map(|entry| {
            let path = entry.path();
            let manifest: Manifest =
                serde_json::from_slice(&std::fs::read(path.join(MANIFEST_FILE)).ok()?).ok()?;
            (manifest.format == FORMAT).then(|| Listed {
                bytes: manifest.files.iter().map(|f| f.bytes).sum(),
                path,
                manifest,
            })
        })
        .collect();
    found.sort_by(|a, b| {
        (&b.manifest.created_at, b.folder()).cmp(&(&a.manifest.created_at, a.folder()))
    });
    found
}

/// Backs up the running node into a new folder of its backup folder, named after the node and
/// the moment (`kitanetz-kita-loewenzahn-2026-11-29_21-05-09`), for *Datensicherung*. Copies
/// for seconds on a large node: call it off the async workers. The audit entry follows the
/// backup (a backup is no transaction of the store; a failed one leaves no entry and no
/// folder that claims to be complete: the manifest is written last).
pub fn back_up_node(node: &crate::Node, who: &Principal) -> Result<Listed, ActionError> {
    authorize(
        who,
        Action::BackUpNode {
            provider: node.config.provider.as_ref(),
            facility: node.config.facility.as_ref(),
        },
    )?;
    let dir = node.backup_dir().ok_or_else(|| {
        ActionError::Conflict(
            "Für diesen Knoten ist kein Ordner für Datensicherungen eingerichtet ([backup] dir in node.toml); \
             gesichert wird mit `kitanetz backup` / no backup folder is set up for this node"
                .into(),
        )
    })?;
    let now = node.clock.now();
    let stamp = crate::clock::city_time(now).format("%Y-%m-%d_%H-%M-%S");
    let base = format!("kitanetz-{}-{stamp}", node.config.name);
    let target = (1..)
        .map(|n| match n {
            1 => dir.join(&base),
            n => dir.join(format!("{base}-{n}")),
        })
        .find(|candidate| !candidate.exists())
        .expect("an unused folder name");
    std::fs::create_dir_all(&dir).map_err(|e| {
        ActionError::Conflict(format!(
            "Der Ordner {} für Datensicherungen lässt sich nicht anlegen: {e}",
            dir.display()
        ))
    })?;
    let manifest = backup(&node.data_dir, &target, None, now).map_err(|e| {
        // Half a backup must not look like one.
        let _ = std::fs::remove_dir_all(&target);
        ActionError::Conflict(format!("Die Datensicherung ist fehlgeschlagen: {e:#}"))
    })?;
    node.store().audit(&AuditEntry {
        at: now.timestamp_millis(),
        actor: who.audit_name(),
        action: "node.backup",
        target: Some(target.display().to_string()),
        subjects: vec![],
        valid_from: None,
    })?;
    Ok(Listed {
        bytes: manifest.files.iter().map(|f| f.bytes).sum(),
        path: target,
        manifest,
    })
}

/// Whether `path` is `dir` or lies inside it (as far as the file system can tell; a path that
/// does not exist yet is judged by its nearest existing ancestor).
fn inside(path: &Path, dir: &Path) -> bool {
    let Ok(dir) = dir.canonicalize() else {
        return false;
    };
    let mut probe = path.to_path_buf();
    let mut rest = Vec::new();
    while !probe.exists() {
        match (probe.file_name().map(|n| n.to_os_string()), probe.parent()) {
            (Some(name), Some(parent)) => {
                rest.push(name);
                probe = parent.to_path_buf();
            }
            _ => return false,
        }
    }
    let Ok(mut resolved) = probe.canonicalize() else {
        return false;
    };
    resolved.extend(rest.iter().rev());
    resolved.starts_with(&dir)
}

/// What a restore did.
#[derive(Debug, Clone)]
pub struct Restored {
    pub manifest: Manifest,
    /// Documents in the restored database.
    pub documents: usize,
    /// Documents of the backup whose key was gone from the key file (erased after the
    /// backup): dropped and tombstoned.
    pub erased_since: usize,
}

/// Restores the backup in `backup_dir` into `data_dir` (which must not exist or be empty).
/// A backup of a node with a subject key file needs one: `keys` (the node's current key file,
/// or its newest key backup), by default the key backup beside `backup_dir`
/// ([`key_backup_name`]). Documents whose key it lacks were erased after the backup and stay
/// erased; the projection tables are rebuilt.
pub fn restore(
    backup_dir: &Path,
    data_dir: &Path,
    keys: Option<&Path>,
) -> anyhow::Result<Restored> {
    let manifest_path = backup_dir.join(MANIFEST_FILE);
    let manifest: Manifest =
        serde_json::from_slice(&std::fs::read(&manifest_path).with_context(|| {
            format!(
                "{} is not a backup (no {MANIFEST_FILE})",
                backup_dir.display()
            )
        })?)
        .with_context(|| format!("{} is not readable", manifest_path.display()))?;
    ensure!(
        manifest.format == FORMAT,
        "{}: format {:?}, expected {FORMAT:?}",
        manifest_path.display(),
        manifest.format
    );
    // Every file as it was written, before anything is copied.
    for file in &manifest.files {
        let relative = safe_relative(&file.path)?;
        let (bytes, sha256) = digest(&backup_dir.join(&relative))
            .with_context(|| format!("the backup lacks {}", file.path))?;
        ensure!(
            bytes == file.bytes && sha256 == file.sha256,
            "{} in the backup is damaged or changed (SHA-256 differs from the manifest); nothing was restored",
            file.path
        );
    }
    ensure!(
        manifest.files.iter().any(|f| f.path == DATABASE_FILE),
        "the backup has no {DATABASE_FILE}"
    );
    let key_source = match &manifest.keys {
        Some(stamp) => Some(fitting_key_file(backup_dir, &manifest.node, stamp, keys)?),
        None => None,
    };
    ensure_empty(data_dir)?;
    std::fs::create_dir_all(data_dir)
        .with_context(|| format!("cannot create {}", data_dir.display()))?;
    if let Some(source) = &key_source {
        back_up_key_file(source, &data_dir.join(SUBJECT_KEYS_FILE))
            .context("copying the subject key file")?;
    }
    for file in &manifest.files {
        let relative = safe_relative(&file.path)?;
        let to = data_dir.join(&relative);
        if let Some(parent) = to.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::copy(backup_dir.join(&relative), &to)?;
    }
    let held_in_backup: i64;
    {
        let conn = Connection::open(data_dir.join(DATABASE_FILE))?;
        let check: String = conn.query_row("PRAGMA integrity_check", [], |r| r.get(0))?;
        ensure!(
            check == "ok",
            "the restored database fails SQLite's integrity check: {check}"
        );
        // Peers' sync states describe what they had from the node as it was later; starting
        // over lets both sides compute what is missing. Sessions of the past end here. And
        // the node writes under a new automerge actor: the lost node may have made changes
        // after the backup under the old one, and a second change with the same actor and
        // sequence number would break every document it touched.
        conn.execute_batch(
            "DELETE FROM sync_states; DELETE FROM sessions; DELETE FROM guardian_sessions;
             DELETE FROM account_tokens; DELETE FROM node_meta WHERE key = 'actor';",
        )
        .context("resetting sync states and sessions")?;
        held_in_backup = conn.query_row("SELECT COUNT(*) FROM documents", [], |r| r.get(0))?;
    }
    crate::restrict_permissions(data_dir)?;
    // Opening the store applies newer migrations and proves the node starts.
    let config = NodeConfig::load(data_dir)?;
    ensure!(
        config.name == manifest.node,
        "the backup's node.toml names {:?}, its manifest {:?}",
        config.name,
        manifest.node
    );
    // Opening with the key file finishes the erasure of every document whose key is gone
    // (erased after the backup); the projections are rebuilt from what is left.
    let mut store = crate::open_store(data_dir, &config)?;
    store.rebuild_projections()?;
    let documents = store.doc_metas()?.len();
    Ok(Restored {
        manifest,
        documents,
        erased_since: (held_in_backup as usize).saturating_sub(documents),
    })
}

/// The key file to restore a backup with: `given`, or the key backup beside the backup folder;
/// it must be the key file the backup's documents were sealed with, and not older than the
/// backup (a key it never issued would look like an erased document's).
fn fitting_key_file(
    backup_dir: &Path,
    node: &str,
    needed: &KeyFileStamp,
    given: Option<&Path>,
) -> anyhow::Result<PathBuf> {
    let path = match given {
        Some(path) => path.to_path_buf(),
        None => backup_dir
            .parent()
            .unwrap_or(Path::new("."))
            .join(key_backup_name(node)),
    };
    let found = stamp_of(&path)?.with_context(|| {
        format!(
            "the backup's personal documents are sealed, and {} holds no subject key file: \
             give the node's current key file or its newest key backup (--keys); nothing was restored",
            path.display()
        )
    })?;
    ensure!(
        found.id == needed.id,
        "{} is another node's key file (or a new one), not the one of this backup; nothing was restored",
        path.display()
    );
    ensure!(
        found.issued >= needed.issued,
        "{} is older than the backup (it would take the documents created in between for erased): \
         give the node's current key file or a newer key backup; nothing was restored",
        path.display()
    );
    Ok(path)
}

/// The files of a data directory other than the database and its journal and the subject key
/// file (backed up on its own), relative to it, sorted.
fn data_files(data_dir: &Path) -> anyhow::Result<Vec<PathBuf>> {
    fn walk(root: &Path, dir: &Path, out: &mut Vec<PathBuf>) -> anyhow::Result<()> {
        for entry in std::fs::read_dir(dir)? {
            let entry = entry?;
            let kind = entry.file_type()?;
            let path = entry.path();
            let relative = path.strip_prefix(root)?.to_path_buf();
            if kind.is_dir() {
                walk(root, &path, out)?;
            } else if kind.is_file() {
                let name = relative.to_string_lossy();
                let database = name == DATABASE_FILE
                    || name.starts_with(&format!("{DATABASE_FILE}-"))
                    || name == MANIFEST_FILE
                    || name.starts_with(SUBJECT_KEYS_FILE);
                if !database {
                    out.push(relative);
                }
            }
        }
        Ok(())
    }
    let mut out = Vec::new();
    walk(data_dir, data_dir, &mut out)?;
    out.sort();
    Ok(out)
}

fn digest(path: &Path) -> anyhow::Result<(u64, String)> {
    let bytes = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
    Ok((bytes.len() as u64, hex::encode(Sha256::digest(&bytes))))
}

/// A manifest path as a relative path that stays inside the directory (a manifest is input).
fn safe_relative(path: &str) -> anyhow::Result<PathBuf> {
    let relative = PathBuf::from(path);
    let inside = relative
        .components()
        .all(|c| matches!(c, std::path::Component::Normal(_)));
    if !inside || path.is_empty() {
        bail!("the manifest names a path outside the backup: {path:?}");
    }
    Ok(relative)
}

fn ensure_empty(dir: &Path) -> anyhow::Result<()> {
    if dir.exists() {
        let mut entries = std::fs::read_dir(dir)
            .with_context(|| format!("{} is not a directory", dir.display()))?;
        ensure!(
            entries.next().is_none(),
            "{} is not empty; give a new directory (nothing was overwritten)",
            dir.display()
        );
    }
    Ok(())
}
