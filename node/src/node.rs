//! A running node: configuration, the one store connection, the clock.

use crate::clock::Clock;
use crate::config::{NodeConfig, DATABASE_FILE};
use crate::storage::{Durability, Store};
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
}

impl Node {
    /// Opens the node in `data_dir` (which holds `node.toml` and `node.db`).
    pub fn open(data_dir: &Path, clock: Arc<dyn Clock>) -> anyhow::Result<Arc<Node>> {
        let config = NodeConfig::load(data_dir)?;
        let store = open_store(data_dir, &config)?;
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
        Ok(Arc::new(Node {
            portal,
            config,
            data_dir: data_dir.to_path_buf(),
            clock,
            store: Mutex::new(store),
            sync_status: std::sync::OnceLock::new(),
        }))
    }

    /// Connects the node's sync status page to the running sync.
    pub fn set_sync_status(&self, source: Arc<dyn crate::sync::SyncStatusSource>) {
        let _ = self.sync_status.set(source);
    }

    /// The sync status, or `None` when this node does not sync.
    pub fn sync_status(&self) -> Option<crate::sync::SyncStatus> {
        self.sync_status.get().map(|s| s.status(&self.config.name))
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
pub fn open_store(data_dir: &Path, config: &NodeConfig) -> anyhow::Result<Store> {
    let durability = match config.role {
        NodeRole::City | NodeRole::Traeger | NodeRole::Kita | NodeRole::Tagespflege => {
            Durability::Full
        }
    };
    Ok(Store::open(
        &data_dir.join(DATABASE_FILE),
        durability,
        &config.name,
        config.membership(),
    )?)
}
