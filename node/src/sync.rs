//! The node side of document sync: the sync core's [`DocRepo`] over the node's SQLite store.
//! Transports (libp2p between machines, in-process channels in tests and the demo) feed the
//! [`kitanetz_sync::SyncCore`] that owns this repo.

use crate::storage::{AuditEntry, StoreError};
use crate::Node;
use automerge::AutoCommit;
use kitanetz_crdt::meta::DocMeta;
use kitanetz_crdt::DocId;
use kitanetz_sync::{ChangeSignature, DocRepo, RepoError, WriterId};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

/// Documents of a node as the sync core sees them. Loaded documents are cached in memory while
/// the core works on them; every change the core makes goes through [`DocRepo::put`] into the
/// store (one transaction with its projection rows and audit entry).
pub struct StoreRepo {
    node: Arc<Node>,
    cache: BTreeMap<DocId, AutoCommit>,
    /// The peer whose message is being handled, for the audit log (set by the sync core
    /// through [`DocRepo::receiving_from`], on every transport).
    current_peer: String,
}

impl StoreRepo {
    pub fn new(node: Arc<Node>) -> StoreRepo {
        StoreRepo {
            node,
            cache: BTreeMap::new(),
            current_peer: String::new(),
        }
    }

    /// Forgets cached copies (after local edits made outside the sync core).
    pub fn invalidate(&mut self, doc: &DocId) {
        self.cache.remove(doc);
    }
}

fn repo_err(e: StoreError) -> RepoError {
    RepoError(Box::new(e))
}

impl DocRepo for StoreRepo {
    fn list(&self) -> Vec<(DocId, DocMeta)> {
        self.node.store().doc_metas().unwrap_or_else(|e| {
            tracing::error!(error = %e, "cannot list documents for sync");
            Vec::new()
        })
    }

    fn meta(&self, doc: &DocId) -> Option<DocMeta> {
        self.node.store().doc_meta(doc).ok().flatten()
    }

    fn doc_mut(&mut self, doc: &DocId) -> Result<Option<&mut AutoCommit>, RepoError> {
        if !self.cache.contains_key(doc) {
            match self.node.store().load_doc(doc) {
                Ok(d) => {
                    self.cache.insert(doc.clone(), d.into_automerge());
                }
                Err(StoreError::NotFound(_)) => return Ok(None),
                Err(e) => return Err(repo_err(e)),
            }
        }
        Ok(self.cache.get_mut(doc))
    }

    fn put(&mut self, doc: &DocId, meta: DocMeta, mut am: AutoCommit) -> Result<(), RepoError> {
        let at = self.node.clock.now_millis();
        self.node
            .store()
            .put_synced(doc, &meta, &mut am, at, &self.current_peer)
            .map_err(repo_err)?;
        // A Kita's reservation, release or "no" moves applications on at the city.
        if meta.kind == kitanetz_crdt::meta::DocKind::SeatLedger && self.node.portal.is_some() {
            for facility in &meta.facilities {
                self.node.placement_wake.ledger_arrived(facility.clone());
            }
        }
        // What arrived may change this Kita's ledger (a wish that closed, a transfer concluded
        // elsewhere): the ledger is written here, so the cached copy is stale.
        if let Some(facility) = self.node.config.facility.clone() {
            let now = self.node.now();
            match crate::seats::follow_arrival(&mut self.node.store(), &facility, &meta, doc, now) {
                Ok(true) => {
                    self.cache.remove(&crate::seats::ledger_doc_id(&facility));
                }
                Ok(false) => {}
                Err(e) => tracing::error!(error = %e, doc = %doc.0, "updating the seat ledger"),
            }
        }
        self.cache.insert(doc.clone(), am);
        Ok(())
    }

    fn is_tombstoned(&self, doc: &DocId) -> bool {
        self.node.store().is_erased(doc).unwrap_or(true)
    }

    fn erase(&mut self, doc: &DocId, meta: DocMeta) -> Result<(), RepoError> {
        let entry = AuditEntry {
            at: self.node.clock.now_millis(),
            actor: format!("node:{}", self.current_peer),
            action: "document.erase",
            target: Some(doc.0.clone()),
            subjects: vec![],
            valid_from: None,
        };
        self.cache.remove(doc);
        self.node
            .store()
            .erase_doc(doc, &meta, &entry)
            .map_err(repo_err)
    }

    fn tombstones(&self) -> Vec<(DocId, DocMeta)> {
        self.node.store().tombstone_metas().unwrap_or_default()
    }

    fn receiving_from(&mut self, peer: &str) {
        peer.clone_into(&mut self.current_peer);
    }

    fn sync_state(&self, peer: &str, doc: &DocId) -> Option<Vec<u8>> {
        self.node.store().sync_state(peer, doc).ok().flatten()
    }

    fn save_sync_state(
        &mut self,
        peer: &str,
        doc: &DocId,
        state: Vec<u8>,
    ) -> Result<(), RepoError> {
        self.node
            .store()
            .save_sync_state(peer, doc, &state)
            .map_err(repo_err)
    }

    fn signatures(&self, doc: &DocId, hashes: &[automerge::ChangeHash]) -> Vec<ChangeSignature> {
        // Unreadable signatures are not sent: the peer refuses those changes from a relay and
        // gets them from a writer (or at the next attempt).
        self.node
            .store()
            .change_signatures(doc, hashes)
            .unwrap_or_else(|e| {
                tracing::error!(error = %e, doc = %doc, "cannot read change signatures");
                Vec::new()
            })
    }

    fn save_signatures(&mut self, doc: &DocId, sigs: &[ChangeSignature]) -> Result<(), RepoError> {
        self.node
            .store()
            .save_change_signatures(doc, sigs)
            .map_err(repo_err)
    }

    fn writer_credential(&self, writer: &WriterId) -> Option<Vec<u8>> {
        self.node
            .store()
            .writer_credential(writer)
            .unwrap_or_else(|e| {
                tracing::error!(error = %e, %writer, "cannot read a writer's certificate");
                None
            })
    }

    fn save_writer(&mut self, writer: &WriterId, credential: &[u8]) -> Result<(), RepoError> {
        self.node
            .store()
            .save_writer(writer, credential)
            .map_err(repo_err)
    }
}

/// In-process transport: several nodes of one process (the demo, tests) connected by message
/// queues. Every message goes through the wire encoding, as it would between machines. Links
/// can be cut (a node goes offline) and restored.
pub struct LocalNet {
    cores: BTreeMap<String, kitanetz_sync::SyncCore<StoreRepo>>,
    members: BTreeMap<String, kitanetz_crdt::policy::Membership>,
    links: std::collections::BTreeSet<(String, String)>,
    offline: std::collections::BTreeSet<String>,
    queue: std::collections::VecDeque<(String, String, Vec<u8>)>,
    /// Refusals reported by the cores: (receiver, sender, error).
    pub refusals: Vec<(String, String, String)>,
    /// Bytes delivered so far.
    pub bytes: usize,
    /// When each node last received a message from each peer (clock millis).
    pub last_contact: BTreeMap<(String, String), i64>,
}

fn link(a: &str, b: &str) -> (String, String) {
    if a < b {
        (a.to_string(), b.to_string())
    } else {
        (b.to_string(), a.to_string())
    }
}

impl LocalNet {
    pub fn new(nodes: &[Arc<Node>]) -> LocalNet {
        let mut net = LocalNet {
            cores: BTreeMap::new(),
            members: BTreeMap::new(),
            links: Default::default(),
            offline: Default::default(),
            queue: Default::default(),
            refusals: Vec::new(),
            bytes: 0,
            last_contact: BTreeMap::new(),
        };
        for node in nodes {
            let name = node.config.name.clone();
            let membership = node.config.membership();
            net.cores.insert(
                name.clone(),
                kitanetz_sync::SyncCore::new(
                    membership.clone(),
                    name.clone(),
                    StoreRepo::new(node.clone()),
                ),
            );
            net.members.insert(name, membership);
        }
        net
    }

    pub fn names(&self) -> Vec<String> {
        self.cores.keys().cloned().collect()
    }

    fn send(&mut self, from: &str, out: Vec<kitanetz_sync::Outgoing>) {
        for o in out {
            if self.links.contains(&link(from, &o.to)) {
                self.queue
                    .push_back((from.to_string(), o.to, o.msg.encode()));
            }
        }
    }

    /// Connects every pair of online nodes that is not connected yet.
    pub fn connect_all(&mut self) {
        let names = self.names();
        for a in &names {
            for b in &names {
                if a >= b
                    || self.offline.contains(a)
                    || self.offline.contains(b)
                    || !self.links.insert(link(a, b))
                {
                    continue;
                }
                let out = self
                    .cores
                    .get_mut(a)
                    .expect("node")
                    .on_connect(b, self.members[b].clone());
                self.send(a, out);
                let out = self
                    .cores
                    .get_mut(b)
                    .expect("node")
                    .on_connect(a, self.members[a].clone());
                self.send(b, out);
            }
        }
    }

    /// Cuts every link of a node (it keeps working on its own data).
    pub fn go_offline(&mut self, name: &str) {
        self.offline.insert(name.to_string());
        let cut: Vec<(String, String)> = self
            .links
            .iter()
            .filter(|(a, b)| a == name || b == name)
            .cloned()
            .collect();
        for (a, b) in cut {
            self.links.remove(&(a.clone(), b.clone()));
            self.cores.get_mut(&a).expect("node").on_disconnect(&b);
            self.cores.get_mut(&b).expect("node").on_disconnect(&a);
        }
        self.queue
            .retain(|(from, to, _)| from != name && to != name);
    }

    /// Brings a node back and reconnects it.
    pub fn come_online(&mut self, name: &str) {
        self.offline.remove(name);
        self.connect_all();
    }

    pub fn is_online(&self, name: &str) -> bool {
        !self.offline.contains(name)
    }

    /// Peers a node is connected to now.
    pub fn peers_of(&self, name: &str) -> Vec<String> {
        self.links
            .iter()
            .filter_map(|(a, b)| {
                if a == name {
                    Some(b.clone())
                } else if b == name {
                    Some(a.clone())
                } else {
                    None
                }
            })
            .collect()
    }

    /// Tells a node's sync core that a document changed locally (after a user action).
    pub fn local_change(&mut self, name: &str, doc: &DocId) {
        let core = self.cores.get_mut(name).expect("node");
        core.repo_mut().invalidate(doc);
        let out = core.on_local_change(doc);
        self.send(name, out);
    }

    /// Delivers messages until none are left; returns how many were delivered.
    pub fn run_until_quiet(&mut self, now_millis: i64) -> usize {
        let mut n = 0;
        while let Some((from, to, bytes)) = self.queue.pop_front() {
            n += 1;
            self.bytes += bytes.len();
            let msg = match kitanetz_sync::Msg::decode(&bytes) {
                Ok(m) => m,
                Err(e) => {
                    self.refusals.push((to, from, e.to_string()));
                    continue;
                }
            };
            let core = self.cores.get_mut(&to).expect("node");
            match core.on_message(&from, msg) {
                Ok(out) => {
                    self.last_contact
                        .insert((to.clone(), from.clone()), now_millis);
                    self.send(&to, out);
                }
                Err(e) => self.refusals.push((to, from, e.to_string())),
            }
        }
        n
    }
}

/// One peer as the sync status page shows it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct PeerStatus {
    pub name: String,
    pub connected: bool,
    /// When a message from this peer was last applied (clock millis).
    pub last_sync: Option<i64>,
}

/// The sync state of one node.
#[derive(Debug, Clone, serde::Serialize)]
pub struct SyncStatus {
    pub transport: &'static str,
    pub online: bool,
    pub peers: Vec<PeerStatus>,
    /// Documents changed here that the peers have not been offered yet.
    pub pending_documents: usize,
}

/// Whatever runs a node's sync tells the node's UI how it is going.
pub trait SyncStatusSource: Send + Sync {
    /// The full status (the sync page). May read the store: never call it while holding the
    /// store lock.
    fn status(&self, node: &str) -> SyncStatus;
    /// Whether the node reaches no peer now (the offline banner on every page). Must not touch
    /// the store: pages ask it while a handler may hold the store lock.
    fn reaches_no_peer(&self, node: &str) -> bool;
}

/// Finds the documents a node's users changed since the driver last looked: user actions commit
/// to the store without knowing about sync, and the store numbers them (`local_seq`); documents
/// that arrived from peers are not among them.
#[derive(Default)]
pub struct ChangeWatcher {
    /// Per node the last local change already handed to sync.
    seen: BTreeMap<String, i64>,
}

impl ChangeWatcher {
    fn since(&self, node: &Node) -> Option<(Vec<DocId>, i64)> {
        let after = *self.seen.get(&node.config.name)?;
        node.store().local_changes_since(after).ok()
    }

    /// Documents changed locally and not handed to sync yet (none before [`Self::record`]).
    pub fn changed(&self, node: &Node) -> Vec<DocId> {
        self.since(node).map(|(docs, _)| docs).unwrap_or_default()
    }

    /// The documents changed locally since the last look, and marks them handed to sync.
    pub fn take_changed(&mut self, node: &Node) -> Vec<DocId> {
        match self.since(node) {
            Some((docs, last)) => {
                self.seen.insert(node.config.name.clone(), last);
                docs
            }
            None => {
                self.record(node);
                Vec::new()
            }
        }
    }

    /// Takes everything changed so far as handed to sync (the start: the first sync session
    /// covers it).
    pub fn record(&mut self, node: &Node) {
        let last = node
            .store()
            .local_changes_since(0)
            .map_or(0, |(_, last)| last);
        self.seen.insert(node.config.name.clone(), last);
    }
}

fn lock_set(m: &std::sync::Mutex<BTreeSet<String>>) -> std::sync::MutexGuard<'_, BTreeSet<String>> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// Drives a [`LocalNet`] for nodes that are also serving HTTP: finds documents changed by user
/// actions since the last tick and syncs them.
pub struct LocalSync {
    pub net: std::sync::Mutex<LocalNet>,
    nodes: Vec<Arc<Node>>,
    /// Per node the local changes already handed to sync.
    watcher: std::sync::Mutex<ChangeWatcher>,
    /// The nodes taken offline, for the offline banner: read without the network's lock,
    /// which a tick holds while it writes to the nodes' stores.
    offline: std::sync::Mutex<BTreeSet<String>>,
}

impl LocalSync {
    pub fn start(nodes: Vec<Arc<Node>>) -> Arc<LocalSync> {
        let mut net = LocalNet::new(&nodes);
        net.connect_all();
        let sync = Arc::new(LocalSync {
            net: std::sync::Mutex::new(net),
            nodes,
            watcher: Default::default(),
            offline: Default::default(),
        });
        sync.tick();
        sync
    }

    /// Announces local changes and delivers messages until the network is quiet. Returns the
    /// number of messages delivered.
    pub fn tick(&self) -> usize {
        let mut net = self.net.lock().unwrap_or_else(|p| p.into_inner());
        let mut watcher = self.watcher.lock().unwrap_or_else(|p| p.into_inner());
        for node in &self.nodes {
            if net.is_online(&node.config.name) {
                for id in watcher.take_changed(node) {
                    net.local_change(&node.config.name, &id);
                }
            }
        }
        let now_millis = self.nodes.first().map_or(0, |n| n.clock.now_millis());
        net.run_until_quiet(now_millis)
    }

    pub fn go_offline(&self, name: &str) {
        lock_set(&self.offline).insert(name.to_string());
        self.net
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .go_offline(name);
    }

    /// Reconnects a node: connecting syncs every shared document, offline changes included.
    pub fn come_online(&self, name: &str) {
        self.net
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .come_online(name);
        lock_set(&self.offline).remove(name);
    }

    /// Ticks until a tick delivers nothing (bounded).
    pub fn settle(&self) -> usize {
        let mut total = 0;
        for _ in 0..20 {
            let n = self.tick();
            total += n;
            if n == 0 {
                break;
            }
        }
        total
    }
}

impl SyncStatusSource for LocalSync {
    fn reaches_no_peer(&self, node: &str) -> bool {
        lock_set(&self.offline).contains(node)
    }

    fn status(&self, node: &str) -> SyncStatus {
        let pending = {
            let watcher = self.watcher.lock().unwrap_or_else(|p| p.into_inner());
            self.nodes
                .iter()
                .find(|n| n.config.name == node)
                .map_or(0, |n| watcher.changed(n).len())
        };
        let net = self.net.lock().unwrap_or_else(|p| p.into_inner());
        let connected = net.peers_of(node);
        let peers = net
            .names()
            .into_iter()
            .filter(|p| p != node)
            .map(|p| PeerStatus {
                connected: connected.contains(&p),
                last_sync: net
                    .last_contact
                    .get(&(node.to_string(), p.clone()))
                    .copied(),
                name: p,
            })
            .collect();
        SyncStatus {
            transport: "in-process",
            online: net.is_online(node),
            peers,
            pending_documents: pending,
        }
    }
}
