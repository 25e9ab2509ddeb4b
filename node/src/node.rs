//! A running node: configuration, the one store connection, the clock.

use crate::clock::Clock;
use crate::config::{NodeConfig, DATABASE_FILE};
use crate::storage::{AtRest, Durability, Store, SUBJECT_KEYS_FILE};
use kitanetz_crdt::policy::NodeRole;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};

pub struct Node {
    pub config: NodeConfig,
    pub data_dir: PathBuf,
    pub clock: Arc<dyn Clock>,
    store: Mutex<Store>,
    /// The parents' portal, on a city node with a `[portal]` section.
    pub portal: Option<crate::portal::Portal>,
    /// Set by whatever runs this node's sync (none for a node that runs alone).
    sync_status: std::sync::OnceLock<Arc<dyn crate::sync::SyncStatusSource>>,
    /// Failed logins by name and source address (staff and parents).
    pub login_throttle: crate::auth::throttle::LoginThrottle,
    /// Seat ledgers that arrived by sync: the city's intake task runs the sequential
    /// procedure for their Kitas.
    pub placement_wake: crate::applications::sequential::Wake,
    /// The Kindertagespflege rules in force here (the shipped ones, or the city's amount table).
    pub tagespflege: crate::tagespflege::Rules,
    /// Where *Datensicherung* writes backups when node.toml names no `[backup] dir` (the
    /// desktop app's folder in the user's profile).
    backup_dir: std::sync::OnceLock<PathBuf>,
}

impl Node {
    /// Opens the node in `data_dir` (which holds `node.toml` and `node.db`).
    pub fn open(data_dir: &Path, clock: Arc<dyn Clock>) -> anyhow::Result<Arc<Node>> {
        let config = NodeConfig::load(data_dir)?;
        let store = open_store_at(data_dir, &config, clock.now_millis())?;
        restrict_permissions(data_dir)?;
        let portal = match &config.portal {
            Some(section) => Some(
                crate::portal::Portal::open(
                    data_dir,
                    crate::config::PortalSection {
                        public_url: match section.public_url.trim_end_matches('/') {
                            "" => format!("http://{}", config.listen),
                            url => url.to_string(),
                        },
                        ..section.clone()
                    },
                )
                .map_err(|e| anyhow::anyhow!("portal: {e}"))?,
            ),
            None => None,
        };
        let tagespflege = crate::tagespflege::Rules::load(data_dir, config.tagespflege.as_ref())
            .map_err(|e| anyhow::anyhow!("[tagespflege] amount_table: {e}"))?;
        Ok(Arc::new(Node {
            tagespflege,
            portal,
            config,
            data_dir: data_dir.to_path_buf(),
            clock,
            store: Mutex::new(store),
            sync_status: std::sync::OnceLock::new(),
            login_throttle: Default::default(),
            placement_wake: Default::default(),
            backup_dir: std::sync::OnceLock::new(),
        }))
    }

    /// Connects the node's sync status page to the running sync.
    pub fn set_sync_status(&self, source: Arc<dyn crate::sync::SyncStatusSource>) {
        let _ = self.sync_status.set(source);
    }

    /// Whether this node syncs but reaches no peer now (the offline banner); cheap, and safe
    /// to ask while holding the store lock.
    pub fn cut_off(&self) -> bool {
        self.sync_status
            .get()
            .is_some_and(|s| s.reaches_no_peer(&self.config.name))
    }

    /// The sync status, or `None` when this node does not sync. Reads the store: not while
    /// holding its lock.
    pub fn sync_status(&self) -> Option<crate::sync::SyncStatus> {
        self.sync_status.get().map(|s| s.status(&self.config.name))
    }

    /// Sets the folder for backups from the UI unless node.toml names one (the desktop app).
    pub fn set_backup_dir(&self, dir: PathBuf) {
        let _ = self.backup_dir.set(dir);
    }

    /// The folder backups from the UI go to: node.toml's `[backup] dir` (relative to the data
    /// directory's parent), else the one the app set; none on a server without the section.
    pub fn backup_dir(&self) -> Option<PathBuf> {
        match &self.config.backup {
            Some(section) if section.dir.is_absolute() => Some(section.dir.clone()),
            Some(section) => Some(
                self.data_dir
                    .parent()
                    .unwrap_or(Path::new("."))
                    .join(&section.dir),
            ),
            None => self.backup_dir.get().cloned(),
        }
    }

    /// The moment of a user action, read once from the node's clock.
    pub fn now(&self) -> crate::clock::Now {
        crate::clock::Now::of(&*self.clock)
    }

    /// The store. One writer connection per node; handlers hold the lock only for their
    /// transaction.
    pub fn store(&self) -> MutexGuard<'_, Store> {
        self.store
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// Office and city nodes wait for the disk on every commit; Kita desktops too, because the
/// desktop may lose power. All roles therefore use `synchronous=FULL`.
/// The data directory is the node's alone: 0700 for it, 0600 for the files in it (database,
/// its journal, keys, certificates, mails), whatever the umask made of them. Unix only.
pub fn restrict_permissions(data_dir: &Path) -> anyhow::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let set = |path: &Path, mode: u32| -> anyhow::Result<()> {
            std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))
                .map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))
        };
        fn walk(
            dir: &Path,
            f: &mut dyn FnMut(&Path, bool) -> anyhow::Result<()>,
        ) -> anyhow::Result<()> {
            for entry in std::fs::read_dir(dir)? {
                let entry = entry?;
                let kind = entry.file_type()?;
                if kind.is_dir() {
                    f(&entry.path(), true)?;
                    walk(&entry.path(), f)?;
                } else if kind.is_file() {
                    f(&entry.path(), false)?;
                }
            }
            Ok(())
        }
        set(data_dir, 0o700)?;
        walk(data_dir, &mut |path, is_dir| {
            set(path, if is_dir { 0o700 } else { 0o600 })
        })?;
    }
    Ok(())
}

/// Opens the node's store (from the command line: erasures finished while opening are audited
/// at the system's time).
pub fn open_store(data_dir: &Path, config: &NodeConfig) -> anyhow::Result<Store> {
    open_store_at(data_dir, config, chrono::Utc::now().timestamp_millis())
}

/// Opens the node's store with its subject key file; `now` in Unix milliseconds.
pub fn open_store_at(data_dir: &Path, config: &NodeConfig, now: i64) -> anyhow::Result<Store> {
    let durability = match config.role {
        NodeRole::City | NodeRole::Traeger | NodeRole::Kita | NodeRole::Tagespflege => {
            Durability::Full
        }
    };
    Ok(Store::open_at_rest(
        &data_dir.join(DATABASE_FILE),
        durability,
        &config.name,
        config.membership(),
        &at_rest(data_dir, config, now),
    )?)
}

/// How the node in `data_dir` keeps personal documents at rest (its key file beside node.db).
pub fn at_rest(data_dir: &Path, config: &NodeConfig, now: i64) -> AtRest {
    AtRest {
        keys_file: data_dir.join(SUBJECT_KEYS_FILE),
        seal_personal: config.encrypts_personal(),
        opened_at: now,
    }
}
