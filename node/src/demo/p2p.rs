//! The demo network over real libp2p links on loopback: a root key for the city, a key and a
//! membership certificate per node, a full mesh of certificate-checked Noise links, and a
//! watcher that offers every locally changed document to the peers.

use crate::sync::{ChangeWatcher, PeerStatus, StoreRepo, SyncStatus, SyncStatusSource};
use crate::Node;
use kitanetz_p2p::{
    generate_root, issue_certificate, load_or_create_identity, Keypair, Multiaddr, P2pConfig,
    P2pHandle, P2pNode, RootKey, SharedCore, SignedCertificate,
};
use kitanetz_sync::SyncCore;
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::{Arc, Mutex};

/// Validity of demo certificates.
const CERT_DAYS: u64 = 365;

struct Member {
    node: Arc<Node>,
    core: SharedCore<StoreRepo>,
    identity: Keypair,
    certificate: SignedCertificate,
    listen: Multiaddr,
}

/// The running libp2p side of the demo network.
pub struct P2pSync {
    members: BTreeMap<String, Member>,
    handles: tokio::sync::Mutex<BTreeMap<String, P2pHandle>>,
    /// Snapshot of the handles' peer lists for the (synchronous) status page.
    peers: Mutex<BTreeMap<String, Vec<kitanetz_p2p::PeerStatus>>>,
    watcher: Mutex<ChangeWatcher>,
}

fn unix_now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

impl P2pSync {
    /// Issues keys and certificates (kept in `dir`) and starts every node's links.
    pub async fn start(dir: &Path, nodes: &[Arc<Node>]) -> anyhow::Result<Arc<P2pSync>> {
        let root_path = dir.join("city-root.key");
        let root = if root_path.exists() {
            RootKey::load(&root_path)?
        } else {
            generate_root(&root_path)?
        };
        let now = unix_now();
        let mut members = BTreeMap::new();
        for n in nodes {
            let identity =
                load_or_create_identity(&dir.join(&n.config.name).join("p2p-identity.key"))?;
            let certificate = issue_certificate(
                &root,
                &identity.public().to_peer_id(),
                &n.config.name,
                n.config.membership(),
                now,
                now + CERT_DAYS * 86_400,
            );
            let core: SharedCore<StoreRepo> = Arc::new(Mutex::new(SyncCore::new(
                n.config.membership(),
                n.config.name.clone(),
                StoreRepo::new(n.clone()),
            )));
            members.insert(
                n.config.name.clone(),
                Member {
                    node: n.clone(),
                    core,
                    identity,
                    certificate,
                    listen: "/ip4/127.0.0.1/tcp/0".parse()?,
                },
            );
        }
        let sync = Arc::new(P2pSync {
            members,
            handles: Default::default(),
            peers: Default::default(),
            watcher: Default::default(),
        });
        let names: Vec<String> = sync.members.keys().cloned().collect();
        for name in &names {
            sync.spawn(name, &root.public_key()).await?;
        }
        {
            let mut w = sync.watcher.lock().unwrap_or_else(|p| p.into_inner());
            for m in sync.members.values() {
                w.record(&m.node);
            }
        }
        Ok(sync)
    }

    async fn spawn(&self, name: &str, root: &kitanetz_p2p::RootPublicKey) -> anyhow::Result<()> {
        let m = &self.members[name];
        let mut handles = self.handles.lock().await;
        let mut config = P2pConfig::new(
            m.identity.clone(),
            *root,
            m.certificate.clone(),
            m.listen.clone(),
        );
        // Full mesh: dial every node that is already up (they dial nobody back; one link each).
        config.peers = handles
            .values()
            .flat_map(|h| h.listen_addrs().to_vec())
            .collect();
        let handle = P2pNode::spawn(config, m.core.clone()).await?;
        handles.insert(name.to_string(), handle);
        Ok(())
    }

    /// Offers every document changed since the last look to the peers; refreshes the status.
    pub async fn tick(&self) {
        let handles = self.handles.lock().await;
        let mut watcher = self.watcher.lock().unwrap_or_else(|p| p.into_inner());
        let mut peers = self.peers.lock().unwrap_or_else(|p| p.into_inner());
        for (name, m) in &self.members {
            let Some(handle) = handles.get(name) else {
                continue;
            };
            for doc in watcher.changed(&m.node) {
                m.core
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .repo_mut()
                    .invalidate(&doc);
                let _ = handle.local_change(&doc);
            }
            watcher.record(&m.node);
            peers.insert(name.clone(), handle.connected_peers());
        }
    }

    pub async fn go_offline(&self, name: &str) {
        let handle = self.handles.lock().await.remove(name);
        self.peers
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(name);
        if let Some(h) = handle {
            h.shutdown().await;
        }
    }

    /// Restarts a node's links (new listen port); it dials every other node.
    pub async fn come_online(
        &self,
        name: &str,
        root: &kitanetz_p2p::RootPublicKey,
    ) -> anyhow::Result<()> {
        self.spawn(name, root).await
    }

    /// Ticks until every document held by two online nodes has the same heads (at most `limit`).
    pub async fn settle(&self, limit: std::time::Duration) -> bool {
        let started = std::time::Instant::now();
        while started.elapsed() < limit {
            self.tick().await;
            if self.converged().await {
                return true;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        false
    }

    /// Every document is held, with the same heads, by every online node that may hold it.
    async fn converged(&self) -> bool {
        let online: Vec<String> = self.handles.lock().await.keys().cloned().collect();
        let mut docs: BTreeMap<String, (kitanetz_crdt::DocMeta, BTreeMap<String, Vec<String>>)> =
            BTreeMap::new();
        for name in &online {
            let store = self.members[name].node.store();
            let heads: BTreeMap<String, Vec<String>> = store
                .doc_rows()
                .unwrap_or_default()
                .into_iter()
                .map(|r| (r.doc_id, r.heads))
                .collect();
            for (id, meta) in store.doc_metas().unwrap_or_default() {
                let h = heads.get(&id.0).cloned().unwrap_or_default();
                docs.entry(id.0)
                    .or_insert_with(|| (meta, BTreeMap::new()))
                    .1
                    .insert(name.clone(), h);
            }
        }
        docs.values().all(|(meta, held)| {
            let first = held.values().next();
            online.iter().all(|name| {
                let may = kitanetz_crdt::policy::may_hold(
                    &self.members[name].node.config.membership(),
                    meta,
                );
                !may || held.get(name) == first
            })
        })
    }

    pub fn root_public_key(dir: &Path) -> anyhow::Result<kitanetz_p2p::RootPublicKey> {
        Ok(RootKey::load(&dir.join("city-root.key"))?.public_key())
    }
}

impl SyncStatusSource for P2pSync {
    fn status(&self, node: &str) -> SyncStatus {
        let peers_now = self
            .peers
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(node)
            .cloned();
        let online = peers_now.is_some();
        let connected = peers_now.unwrap_or_default();
        let pending = self.members.get(node).map_or(0, |m| {
            self.watcher
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .changed(&m.node)
                .len()
        });
        let peers = self
            .members
            .keys()
            .filter(|p| p.as_str() != node)
            .map(|p| {
                let c = connected.iter().find(|c| &c.name == p);
                PeerStatus {
                    name: p.clone(),
                    connected: c.is_some(),
                    last_sync: c.and_then(|c| c.last_sync).map(|s| s as i64 * 1000),
                }
            })
            .collect();
        SyncStatus {
            transport: "libp2p",
            online,
            peers,
            pending_documents: pending,
        }
    }
}
