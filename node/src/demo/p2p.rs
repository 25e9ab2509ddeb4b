//! The demo network over real libp2p links on loopback: a root key for the city, a key and a
//! membership certificate per node, and a full mesh of the nodes' [`NodeLinks`] (the same links
//! `kitanetz serve` runs for one node).

use crate::links::{LinkSettings, NodeLinks};
use crate::Node;
use kitanetz_crdt::policy::NodeRole;
use kitanetz_p2p::{generate_root, issue_certificate, load_or_create_identity, RootKey};
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

/// The desktop enrolment the demo writes into its data directory (see
/// [`P2pSync::write_desktop_enrolment`]).
pub const DESKTOP_ENROLMENT_FILE: &str = "desktop-enrolment.json";

/// Validity of demo certificates.
const CERT_DAYS: u64 = 365;

/// The running libp2p side of the demo network.
pub struct P2pSync {
    members: BTreeMap<String, Arc<NodeLinks>>,
}

fn unix_now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

impl P2pSync {
    /// Issues keys and certificates (kept in `dir`), starts every node's links and connects
    /// the nodes' sync pages to them.
    ///
    /// With `base_port` node *i* listens on `base_port + i` (so that a desktop Kita enrolled
    /// into the demo finds its peers again after a restart); without, on any free port.
    pub async fn start(
        dir: &Path,
        nodes: &[Arc<Node>],
        base_port: Option<u16>,
    ) -> anyhow::Result<Arc<P2pSync>> {
        let root_path = dir.join("city-root.key");
        let root = if root_path.exists() {
            RootKey::load(&root_path)?
        } else {
            generate_root(&root_path)?
        };
        let now = unix_now();
        let names: Vec<String> = nodes.iter().map(|n| n.config.name.clone()).collect();
        let mut members = BTreeMap::new();
        for (i, n) in nodes.iter().enumerate() {
            let node_dir = dir.join(&n.config.name);
            let identity = load_or_create_identity(&node_dir.join("p2p-identity.key"))?;
            let certificate = issue_certificate(
                &root,
                &identity.public().to_peer_id(),
                &n.config.name,
                n.config.membership(),
                now,
                now + CERT_DAYS * 86_400,
            );
            let settings = LinkSettings {
                identity,
                root: root.public_key(),
                certificate,
                listen: format!(
                    "/ip4/127.0.0.1/tcp/{}",
                    base_port.map_or(0, |p| p.saturating_add(i as u16))
                )
                .parse()?,
                peers: Vec::new(),
                revocations_file: Some(node_dir.join("p2p-revocations.json")),
            };
            let others = names.iter().filter(|o| **o != n.config.name).cloned();
            let links = NodeLinks::new(n.clone(), settings, others);
            n.set_sync_status(links.clone());
            members.insert(n.config.name.clone(), links);
        }
        let sync = Arc::new(P2pSync { members });
        for name in &names {
            sync.come_online(name).await?;
        }
        Ok(sync)
    }

    /// Writes [`DESKTOP_ENROLMENT_FILE`] in `dir`: an enrolment for a second node (the desktop
    /// app) of the first Kita of the first Träger, to dial that Träger's node and, through its
    /// relay, the city.
    /// Returns the file and the Kita's node name.
    pub async fn write_desktop_enrolment(
        &self,
        dir: &Path,
    ) -> anyhow::Result<(std::path::PathBuf, String)> {
        let nodes: Vec<&Arc<NodeLinks>> = self.members.values().collect();
        let config_of = |l: &Arc<NodeLinks>| l.node().config.clone();
        let traeger = nodes
            .iter()
            .map(|l| config_of(l))
            .filter(|c| c.role == NodeRole::Traeger)
            .min_by(|a, b| a.name.cmp(&b.name))
            .ok_or_else(|| anyhow::anyhow!("the demo has no Träger node"))?;
        let kita = nodes
            .iter()
            .map(|l| config_of(l))
            .filter(|c| c.role == NodeRole::Kita && c.provider == traeger.provider)
            .min_by(|a, b| a.name.cmp(&b.name))
            .ok_or_else(|| anyhow::anyhow!("{} has no Kita node", traeger.name))?;
        // A Kita behind a firewall: it dials its Träger office and its own other node (in the
        // same building). The office passes on what it may hold itself (signed changes); the
        // placement documents it may not hold (the Kita's seat ledger, its wishes) travel on
        // the Kita's link to the city, which runs through the office's relay. What only the
        // Kita holds comes from its other node.
        let office = self
            .dial_address(&traeger.name)
            .await
            .ok_or_else(|| anyhow::anyhow!("{} is not listening", traeger.name))?;
        let city = self
            .members
            .values()
            .find(|l| l.node().config.role == NodeRole::City)
            .ok_or_else(|| anyhow::anyhow!("the demo has no city node"))?;
        let mut peers = vec![
            office.clone(),
            format!("{office}/p2p-circuit/p2p/{}", city.peer_id()),
        ];
        peers.extend(self.dial_address(&kita.name).await);
        let root = RootKey::load(&dir.join("city-root.key"))?;
        let template = crate::config::NodeConfig {
            name: format!("{}-desktop", kita.name),
            p2p: None,
            ..kita.clone()
        };
        let enrolment =
            crate::enrolment::Enrolment::issue(&root, &template, peers, unix_now(), CERT_DAYS)?;
        let path = dir.join(DESKTOP_ENROLMENT_FILE);
        // A new key each start: the file of the last start goes (a desktop enrolled with it
        // keeps its own copy of key and certificate).
        if path.exists() {
            std::fs::remove_file(&path)?;
        }
        crate::enrolment::write_new_private_file(&path, enrolment.to_json().as_bytes())?;
        Ok((path, kita.name))
    }

    /// A node's first listen address with its PeerId, as another node dials it.
    async fn dial_address(&self, name: &str) -> Option<String> {
        let links = self.members.get(name)?;
        let addr = links.listen_addrs().await.into_iter().next()?;
        Some(format!("{addr}/p2p/{}", links.peer_id()))
    }

    /// Offers every document changed since the last look to the peers; refreshes the status.
    pub async fn tick(&self) {
        for links in self.members.values() {
            links.tick().await;
        }
    }

    pub async fn go_offline(&self, name: &str) {
        if let Some(links) = self.members.get(name) {
            links.go_offline().await;
        }
    }

    /// Starts a node's links (new listen port); it dials every other node that is up (they dial
    /// nobody back: one link per pair, a full mesh).
    pub async fn come_online(&self, name: &str) -> anyhow::Result<()> {
        let links = self
            .members
            .get(name)
            .ok_or_else(|| anyhow::anyhow!("no demo node {name}"))?;
        let mut peers = Vec::new();
        for (other, l) in &self.members {
            if other != name {
                peers.extend(l.listen_addrs().await);
            }
        }
        links.go_online(&peers).await
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
        let mut online = Vec::new();
        for (name, links) in &self.members {
            if links.is_online().await {
                online.push(name.clone());
            }
        }
        let mut docs: BTreeMap<String, (kitanetz_crdt::DocMeta, BTreeMap<String, Vec<String>>)> =
            BTreeMap::new();
        for name in &online {
            let store = self.members[name].node().store();
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
                    &self.members[name].node().config.membership(),
                    meta,
                );
                !may || held.get(name) == first
            })
        })
    }
}
