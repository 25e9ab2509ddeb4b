//! A node's libp2p links (ARCHITECTURE.md, "Sync between machines"): the sync core over the
//! node's store, the transport task of `kitanetz-p2p`, a watcher that offers documents changed
//! by users to the peers, the city's revocation file, and the status for the sync page.
//! `kitanetz serve` runs one for its node (from node.toml's `[p2p]`); the demo runs one per node.

use crate::config::P2pSection;
use crate::sync::{ChangeWatcher, PeerStatus, StoreRepo, SyncStatus, SyncStatusSource};
use crate::Node;
use anyhow::Context;
use kitanetz_p2p::{
    load_or_create_identity, node_signing, Keypair, Multiaddr, P2pConfig, P2pHandle, P2pNode,
    PeerId, RevocationOutcome, RevocationSink, RevokedPeers, RootPublicKey, SharedCore,
    SignedCertificate, SignedRevocationList,
};
use kitanetz_sync::SyncCore;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

/// What a node needs to join the network.
pub struct LinkSettings {
    pub identity: Keypair,
    pub root: RootPublicKey,
    pub certificate: SignedCertificate,
    pub listen: Multiaddr,
    /// Dialled at start and redialled with backoff.
    pub peers: Vec<Multiaddr>,
    /// The city's revocation list: read at start and on every tick, written by the transport
    /// when a newer list arrives from a peer.
    pub revocations_file: Option<PathBuf>,
}

impl LinkSettings {
    /// The settings of node.toml's `[p2p]` section, with the files it names (the identity key
    /// is created if missing). `Ok(None)`: the node has no `[p2p]` section and runs alone.
    pub fn from_config(node: &Node) -> anyhow::Result<Option<LinkSettings>> {
        let Some(p2p) = &node.config.p2p else {
            return Ok(None);
        };
        let dir = &node.data_dir;
        let identity = load_or_create_identity(&dir.join(&p2p.identity_key))?;
        let root = root_public_key(p2p, dir)?;
        let cert_path = dir.join(&p2p.certificate);
        anyhow::ensure!(
            cert_path.exists(),
            "{}: no certificate yet; issue one on the city's administration machine with \
             `kitanetz cert issue --root CITY-ROOT.key --data-dir {}`",
            cert_path.display(),
            dir.display()
        );
        let certificate = SignedCertificate::load(&cert_path)?;
        let listen = p2p
            .listen
            .parse()
            .with_context(|| format!("p2p.listen: {}", p2p.listen))?;
        let peers = p2p
            .peers
            .iter()
            .map(|p| p.parse().with_context(|| format!("p2p.peers: {p}")))
            .collect::<anyhow::Result<_>>()?;
        Ok(Some(LinkSettings {
            identity,
            root,
            certificate,
            listen,
            peers,
            revocations_file: Some(dir.join(&p2p.revocations)),
        }))
    }
}

/// Renew a certificate this many days before it expires.
pub const CERTIFICATE_WARNING_DAYS: u64 = 30;

impl LinkSettings {
    /// What is wrong with the node's own certificate at `now` (Unix seconds), if anything: not
    /// signed by the configured root, issued to another key, expired, or expiring within
    /// [`CERTIFICATE_WARNING_DAYS`]. Peers refuse a bad certificate, so the operator should
    /// hear it at start, not from a silent sync page; the node still serves its own data.
    pub fn certificate_warning(&self, now: u64) -> Option<String> {
        let own = self.identity.public().to_peer_id();
        match kitanetz_p2p::verify_certificate(
            &self.certificate,
            &self.root,
            &own,
            now,
            &BTreeSet::new(),
        ) {
            Err(e) => Some(format!(
                "peers will refuse this node's certificate ({e}); issue a new one with \
                 `kitanetz cert issue`"
            )),
            Ok(c) if c.expires_on.saturating_sub(now) < CERTIFICATE_WARNING_DAYS * 86_400 => {
                Some(format!(
                    "this node's certificate expires in {} days; renew it with `kitanetz cert issue`",
                    c.expires_on.saturating_sub(now) / 86_400
                ))
            }
            Ok(_) => None,
        }
    }
}

/// The root public key of a `[p2p]` section: inline hex or from a file (paths relative to the
/// data directory).
pub fn root_public_key(p2p: &P2pSection, data_dir: &Path) -> anyhow::Result<RootPublicKey> {
    match (&p2p.root_public_key, &p2p.root_public_key_file) {
        (Some(hex), None) => RootPublicKey::from_hex(hex).context("p2p.root_public_key"),
        (None, Some(file)) => {
            let path = data_dir.join(file);
            let text = std::fs::read_to_string(&path)
                .with_context(|| format!("p2p.root_public_key_file: {}", path.display()))?;
            RootPublicKey::from_hex(&text)
                .with_context(|| format!("p2p.root_public_key_file: {}", path.display()))
        }
        _ => anyhow::bail!("p2p: give either root_public_key or root_public_key_file"),
    }
}

/// One node's links to its peers; can go offline and come back (the demo does that).
pub struct NodeLinks {
    node: Arc<Node>,
    core: SharedCore<StoreRepo>,
    settings: LinkSettings,
    handle: tokio::sync::Mutex<Option<P2pHandle>>,
    /// The transport's peers as of the last tick, for the (synchronous) status page; `None`
    /// while offline.
    connected: Mutex<Option<Vec<kitanetz_p2p::PeerStatus>>>,
    /// Peers the status page lists, connected or not: those named at start and every peer
    /// admitted since.
    known: Mutex<BTreeSet<String>>,
    watcher: Mutex<ChangeWatcher>,
    /// The revocation file's bytes as last read: a change means a list to apply.
    revocations_seen: Mutex<Option<Vec<u8>>>,
    /// The peers revoked by the list in force, for the sync core's check of relayed changes
    /// (the transport keeps its own set for admission).
    revoked: RevokedPeers,
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl NodeLinks {
    /// Links for `node`, not started yet. `expected_peers` are listed on the status page before
    /// they connect.
    pub fn new(
        node: Arc<Node>,
        settings: LinkSettings,
        expected_peers: impl IntoIterator<Item = String>,
    ) -> Arc<NodeLinks> {
        // Signing on: the node signs the changes its users make and relays the documents it
        // holds, so that a Kita linked only to its Träger office still converges with the city
        // (ARCHITECTURE.md, "Relaying through the Träger office").
        let revoked = RevokedPeers::default();
        let actor = automerge::ActorId::from(node.store().actor());
        let signing = node_signing(
            settings.identity.clone(),
            &settings.certificate,
            actor,
            settings.root,
            revoked.clone(),
        );
        let core = Arc::new(Mutex::new(
            SyncCore::new(
                node.config.membership(),
                node.config.name.clone(),
                StoreRepo::new(node.clone()),
            )
            .with_signing(signing),
        ));
        let mut watcher = ChangeWatcher::default();
        watcher.record(&node);
        Arc::new(NodeLinks {
            node,
            core,
            settings,
            handle: Default::default(),
            connected: Default::default(),
            known: Mutex::new(expected_peers.into_iter().collect()),
            watcher: Mutex::new(watcher),
            revocations_seen: Default::default(),
            revoked,
        })
    }

    /// Runs a node's links as `kitanetz serve` and the desktop app do: online at once (the
    /// configured peers are redialled with backoff while unreachable), connected to the node's
    /// sync page, and offering the users' changes every `tick`. Needs a tokio runtime.
    pub async fn start(
        node: Arc<Node>,
        settings: LinkSettings,
        tick: std::time::Duration,
    ) -> anyhow::Result<Arc<NodeLinks>> {
        let links = NodeLinks::new(node.clone(), settings, []);
        links.go_online(&[]).await?;
        node.set_sync_status(links.clone());
        let ticking = links.clone();
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(tick).await;
                ticking.tick().await;
            }
        });
        Ok(links)
    }

    pub fn node(&self) -> &Arc<Node> {
        &self.node
    }

    pub fn peer_id(&self) -> PeerId {
        self.settings.identity.public().to_peer_id()
    }

    /// See [`LinkSettings::certificate_warning`].
    pub fn certificate_warning(&self, now: u64) -> Option<String> {
        self.settings.certificate_warning(now)
    }

    /// Starts the transport (unless it runs): listens, dials the configured peers and
    /// `extra_peers`, with the revocation list of `NodeLinks::revocations_at_start` in force.
    /// A revocation file that does not verify stops the start: the node would otherwise talk
    /// to peers the city may have revoked.
    pub async fn go_online(&self, extra_peers: &[Multiaddr]) -> anyhow::Result<()> {
        let mut handle = self.handle.lock().await;
        if handle.is_some() {
            return Ok(());
        }
        let s = &self.settings;
        let revocations = self.revocations_at_start()?;
        let mut config = P2pConfig::new(
            s.identity.clone(),
            s.root,
            s.certificate.clone(),
            s.listen.clone(),
        );
        config.peers = s.peers.iter().chain(extra_peers).cloned().collect();
        config.revocations = revocations;
        config.revocations_file = s.revocations_file.clone();
        config.on_revocations = Some(self.revocation_keeper());
        let started = P2pNode::spawn(config, self.core.clone())
            .await
            .with_context(|| format!("node {}: libp2p links", self.node.config.name))?;
        // The first tick reads the file again: the list in force (a no-op), or one the
        // operator wrote meanwhile.
        *lock(&self.revocations_seen) = None;
        *lock(&self.connected) = Some(started.connected_peers());
        *handle = Some(started);
        Ok(())
    }

    /// The revocation list to start with: the higher version of the list kept in the database
    /// and the one in the revocation file, both verified against the root (the database's at
    /// equal versions). The database keeps the list in force, and a file that is older or
    /// missing is rewritten with it, so that the operator sees what holds: an older list in the
    /// file, or none, never lifts a revocation after a restart.
    fn revocations_at_start(&self) -> anyhow::Result<Option<SignedRevocationList>> {
        let s = &self.settings;
        let root = s.root.to_string();
        let kept = self.node.store().revocation_list(&root)?;
        let kept = kept.and_then(|(_, json)| {
            let verified = SignedRevocationList::from_json(json.as_bytes())
                .and_then(|signed| signed.verify(&s.root).map(|list| (signed, list)));
            // Only this node writes the row, after verifying the list: a damaged database.
            verified
                .map_err(|e| tracing::error!(error = %e, "revocation list in the database ignored"))
                .ok()
        });
        let in_file = match &s.revocations_file {
            Some(path) if path.exists() => {
                let what = || format!("revocation list {}", path.display());
                let bytes = std::fs::read(path).with_context(what)?;
                let signed = SignedRevocationList::from_json(&bytes).with_context(what)?;
                // Checked here too, to name the file in the error.
                let list = signed.verify(&s.root).with_context(what)?;
                Some((signed, list))
            }
            _ => None,
        };
        let file_version = in_file.as_ref().map(|(_, l)| l.version);
        let file_signed = in_file.as_ref().map(|(f, _)| f.clone());
        let mut in_force = match (kept, in_file) {
            (Some(k), Some(f)) => Some(if f.1.version > k.1.version { f } else { k }),
            (k, f) => k.or(f),
        };
        let Some((signed, list)) = &in_force else {
            return Ok(None);
        };
        match &s.revocations_file {
            Some(path) if file_signed.as_ref() != Some(signed) => {
                tracing::warn!(
                    path = %path.display(),
                    in_file = ?file_version,
                    in_force = list.version,
                    "the revocation file does not hold the list in force: rewritten with it"
                );
                match signed.save_unless_superseded(path, &s.root, list.version) {
                    // The operator wrote a newer list just now: it holds.
                    Ok(Some(newer)) => in_force = Some(newer),
                    Ok(None) => {}
                    // In force either way, and kept in the database.
                    Err(e) => tracing::error!(error = %e, "cannot rewrite the revocation file"),
                }
            }
            _ => {}
        }
        let (signed, list) = in_force.expect("a list is in force");
        self.set_revoked(&list);
        self.node
            .store()
            .keep_revocation_list(&root, list.version, &signed.to_json())?;
        Ok(Some(signed))
    }

    fn set_revoked(&self, list: &kitanetz_p2p::RevocationList) {
        *self.revoked.write().unwrap_or_else(|p| p.into_inner()) =
            list.revoked.iter().cloned().collect();
    }

    /// Keeps every list the transport puts in force in the database (see
    /// [`NodeLinks::revocations_at_start`]) and in force for relayed changes.
    fn revocation_keeper(&self) -> RevocationSink {
        let node = self.node.clone();
        let root = self.settings.root.to_string();
        let revoked = self.revoked.clone();
        Arc::new(move |signed, list| {
            *revoked.write().unwrap_or_else(|p| p.into_inner()) =
                list.revoked.iter().cloned().collect();
            let kept = node
                .store()
                .keep_revocation_list(&root, list.version, &signed.to_json());
            if let Err(e) = kept {
                // In force until the node stops, and in the revocation file.
                tracing::error!(error = %e, "cannot keep the revocation list in the database");
            }
        })
    }

    /// Closes every link; the node keeps working on its own data.
    pub async fn go_offline(&self) {
        let handle = self.handle.lock().await.take();
        *lock(&self.connected) = None;
        if let Some(h) = handle {
            h.shutdown().await;
        }
    }

    pub async fn is_online(&self) -> bool {
        self.handle.lock().await.is_some()
    }

    /// Where the transport listens (empty while offline).
    pub async fn listen_addrs(&self) -> Vec<Multiaddr> {
        self.handle
            .lock()
            .await
            .as_ref()
            .map(|h| h.listen_addrs().to_vec())
            .unwrap_or_default()
    }

    /// Offers the documents changed since the last tick to the peers, applies a changed
    /// revocation file and refreshes the status. Does nothing while offline: the sync session
    /// at the next connect covers offline changes.
    pub async fn tick(&self) {
        let handle = self.handle.lock().await;
        let Some(handle) = handle.as_ref() else {
            return;
        };
        let changed = lock(&self.watcher).take_changed(&self.node);
        for doc in changed {
            // The user's write went past the core's cache of the document.
            lock(&self.core).repo_mut().invalidate(&doc);
            let _ = handle.local_change(&doc);
        }
        self.pick_up_revocations(handle).await;
        let peers = handle.connected_peers();
        lock(&self.known).extend(peers.iter().map(|p| p.name.clone()));
        *lock(&self.connected) = Some(peers);
    }

    /// Applies the revocation file if it changed since it was last read: how an operator hands
    /// a running node a new list (`kitanetz cert revoke --out` into the data directory). The
    /// transport rewrites the file with lists from peers; reading those back is a no-op. A list
    /// that is not newer than the one in force is ignored with a warning: the operator who put
    /// it there expects it to apply.
    async fn pick_up_revocations(&self, handle: &P2pHandle) {
        let Some(path) = &self.settings.revocations_file else {
            return;
        };
        // An unreadable or deleted file has nothing to apply (and lifts no revocation).
        let bytes = std::fs::read(path).ok();
        {
            let mut seen = lock(&self.revocations_seen);
            if *seen == bytes {
                return;
            }
            seen.clone_from(&bytes);
        }
        let Some(bytes) = bytes else {
            return;
        };
        let outcome = match SignedRevocationList::from_json(&bytes) {
            Ok(list) => handle
                .offer_revocations(&list)
                .await
                .map_err(|e| e.to_string()),
            Err(e) => Err(e.to_string()),
        };
        match outcome {
            Ok(outcome) => log_revocation_outcome(path, outcome),
            Err(e) => tracing::warn!(path = %path.display(), error = %e, "revocation list refused"),
        }
    }
}

/// Logs what became of the list in the revocation file at `path`.
fn log_revocation_outcome(path: &Path, outcome: RevocationOutcome) {
    let path = path.display();
    match outcome {
        RevocationOutcome::Applied { version } => {
            tracing::info!(%path, version, "revocation list applied")
        }
        // The list in force: written by the transport, or saved again by the operator.
        RevocationOutcome::NotNewer { same: true, .. } => {
            tracing::debug!(%path, "revocation list already in force")
        }
        RevocationOutcome::NotNewer {
            version, in_force, ..
        } => tracing::warn!(%path, "{}", not_newer_warning(version, in_force)),
    }
}

/// Why a list from the operator's file (not the one in force) was ignored.
fn not_newer_warning(version: u32, in_force: u32) -> String {
    let fix = format!(
        "to apply it, issue it again with a version above {in_force} (`kitanetz cert revoke \
         --previous` on a list of version {in_force} or later)"
    );
    if version == in_force {
        format!(
            "revocation list version {version} ignored: a different list with the same \
             version {in_force} is in force; {fix}"
        )
    } else {
        format!(
            "revocation list version {version} ignored: version {in_force} is in force, \
             and only a higher version replaces it; {fix}"
        )
    }
}

impl SyncStatusSource for NodeLinks {
    fn reaches_no_peer(&self, _node: &str) -> bool {
        lock(&self.connected).as_ref().is_none_or(|c| c.is_empty())
    }

    fn status(&self, _node: &str) -> SyncStatus {
        let connected = lock(&self.connected).clone();
        let online = connected.is_some();
        let connected = connected.unwrap_or_default();
        let pending = lock(&self.watcher).changed(&self.node).len();
        let peers = lock(&self.known)
            .iter()
            .map(|name| {
                let c = connected.iter().find(|c| &c.name == name);
                PeerStatus {
                    name: name.clone(),
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

#[cfg(test)]
mod tests {
    use super::*;
    use kitanetz_crdt::ids::city_org;
    use kitanetz_crdt::policy::{Membership, NodeRole};
    use kitanetz_p2p::{generate_root, issue_certificate};

    const DAY: u64 = 86_400;

    fn settings(dir: &Path, issued_to: &Keypair, own: Keypair, expires_on: u64) -> LinkSettings {
        let root = generate_root(&dir.join("root.key")).unwrap();
        let certificate = issue_certificate(
            &root,
            &issued_to.public().to_peer_id(),
            "city",
            Membership {
                role: NodeRole::City,
                organisation: city_org(),
                provider: None,
                facility: None,
            },
            0,
            expires_on,
        );
        LinkSettings {
            identity: own,
            root: root.public_key(),
            certificate,
            listen: "/ip4/127.0.0.1/tcp/0".parse().unwrap(),
            peers: vec![],
            revocations_file: None,
        }
    }

    #[test]
    fn an_ignored_list_from_the_file_names_both_versions() {
        let older = not_newer_warning(3, 5);
        assert!(older.contains("version 3 ignored") && older.contains("version 5 is in force"));
        assert!(!older.contains("different"), "{older}");
        let equal = not_newer_warning(5, 5);
        assert!(
            equal.contains("version 5 ignored") && equal.contains("a different list"),
            "{equal}"
        );
        assert!(equal.contains("above 5"), "{equal}");
    }

    #[test]
    fn the_operator_hears_of_an_expiring_or_foreign_certificate_at_start() {
        let dir = tempfile::tempdir().unwrap();
        let key = Keypair::generate_ed25519();
        let now = 1_000 * DAY;
        let fine = settings(dir.path(), &key, key.clone(), now + 200 * DAY);
        assert_eq!(fine.certificate_warning(now), None);
        let soon = fine.certificate_warning(now + 190 * DAY).unwrap();
        assert!(soon.contains("expires in 10 days"), "{soon}");
        let expired = fine.certificate_warning(now + 300 * DAY).unwrap();
        assert!(expired.contains("refuse"), "{expired}");
        let other = Keypair::generate_ed25519();
        let foreign = settings(
            tempfile::tempdir().unwrap().path(),
            &other,
            key,
            now + 200 * DAY,
        );
        assert!(foreign.certificate_warning(now).unwrap().contains("refuse"));
    }
}
