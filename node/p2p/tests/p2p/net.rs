//! Real nodes on 127.0.0.1 with port 0: a root key, certificates, key files in a temp dir, and
//! helpers to wait for a condition (polled every 50 ms, at most 20 s; never a bare sleep).

use crate::fixtures::{create_value, members, today, TS};
use kitanetz_crdt::policy::{may_hold, Membership};
use kitanetz_crdt::{DocId, DocMeta, Document, StoredDoc};
use kitanetz_p2p::{
    generate_root, issue_certificate, load_or_create_identity, P2pConfig, P2pHandle, P2pNode,
    RevocationSink, RootKey, SharedCore, SignedCertificate, SignedRevocationList,
};
use kitanetz_sync::{DocRepo, MemRepo, SyncCore};
use libp2p::Multiaddr;
use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Fixed "now" for certificate checks: certificates are valid from `NOW - 1 day` for a year.
pub const NOW: u64 = 1_790_000_000;

pub struct TestNode {
    pub name: String,
    pub membership: Membership,
    pub core: SharedCore<MemRepo>,
    pub handle: Option<P2pHandle>,
    pub key_path: PathBuf,
    pub certificate: SignedCertificate,
    pub addr: Multiaddr,
    pub peers: Vec<Multiaddr>,
    /// The revocation list the node starts with.
    pub revocations: Option<SignedRevocationList>,
    /// Where the node saves a newer revocation list.
    pub revocations_file: PathBuf,
    /// Told of every newer list the node puts in force.
    pub on_revocations: Option<RevocationSink>,
}

pub struct TestNet {
    pub root: RootKey,
    pub dir: tempfile::TempDir,
    pub nodes: BTreeMap<String, TestNode>,
}

pub fn membership(name: &str) -> Membership {
    members()
        .into_iter()
        .find(|(n, _)| n == name)
        .map(|(_, m)| m)
        .expect("known node")
}

/// Polls `cond` every 50 ms for up to 20 s; panics with `what` if it never holds.
pub async fn wait_until(what: &str, mut cond: impl FnMut() -> bool) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    loop {
        if cond() {
            return;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "timed out after 20 s waiting for: {what}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

impl TestNet {
    pub fn new() -> TestNet {
        let dir = tempfile::tempdir().expect("temp dir");
        let root = generate_root(&dir.path().join("root.pk8")).expect("root key");
        TestNet {
            root,
            dir,
            nodes: BTreeMap::new(),
        }
    }

    /// The Kitas `kitas` ("a" → kita-a), their Träger 1 and the city, full mesh, every document
    /// of the scenario created at its owner and synced everywhere it may be held.
    pub async fn synced(kitas: &[&str]) -> (TestNet, Vec<(DocId, DocMeta)>) {
        let mut net = TestNet::new();
        net.start("city").await;
        net.start("traeger-1").await;
        for k in kitas {
            net.start(&format!("kita-{k}")).await;
        }
        let docs = crate::fixtures::scenario_docs(kitas);
        net.populate(&docs);
        net.wait_converged(&docs).await;
        (net, docs)
    }

    /// Stops every node still running.
    pub async fn shutdown_all(&mut self) {
        for node in self.nodes.values_mut() {
            node.shutdown().await;
        }
    }

    /// Starts a node that dials every node started before it (a full mesh: the sync core takes
    /// changes only from writers, so every holder talks to the writers directly).
    pub async fn start(&mut self, name: &str) {
        self.start_with_revocations(name, None).await;
    }

    /// [`TestNet::start`] with a revocation list in force from the start.
    pub async fn start_with_revocations(
        &mut self,
        name: &str,
        revocations: Option<SignedRevocationList>,
    ) {
        self.start_node(name, revocations, None).await;
    }

    /// [`TestNet::start_with_revocations`], recording the version of every list the node
    /// tells its [`RevocationSink`] of (as the node application keeps them in its database).
    pub async fn start_recording(
        &mut self,
        name: &str,
        revocations: Option<SignedRevocationList>,
    ) -> Arc<Mutex<Vec<u32>>> {
        let told = Arc::new(Mutex::new(Vec::new()));
        let sink = told.clone();
        let sink: RevocationSink = Arc::new(move |_signed, list| {
            sink.lock().unwrap().push(list.version);
        });
        self.start_node(name, revocations, Some(sink)).await;
        told
    }

    async fn start_node(
        &mut self,
        name: &str,
        revocations: Option<SignedRevocationList>,
        on_revocations: Option<RevocationSink>,
    ) {
        let peers: Vec<Multiaddr> = self.nodes.values().map(|n| n.addr.clone()).collect();
        let key_path = self.dir.path().join(format!("{name}.key"));
        let identity = load_or_create_identity(&key_path).expect("identity");
        let m = membership(name);
        let certificate = issue_certificate(
            &self.root,
            &identity.public().to_peer_id(),
            name,
            m.clone(),
            NOW - 86_400,
            NOW + 365 * 86_400,
        );
        let core = Arc::new(Mutex::new(SyncCore::new(m.clone(), name, MemRepo::new())));
        let mut node = TestNode {
            name: name.into(),
            membership: m,
            core,
            handle: None,
            key_path,
            certificate,
            addr: "/ip4/127.0.0.1/tcp/0".parse().unwrap(),
            peers,
            revocations,
            revocations_file: self.dir.path().join(format!("{name}-revocations.json")),
            on_revocations,
        };
        node.spawn(&self.root).await;
        self.nodes.insert(name.into(), node);
    }

    pub fn node(&self, name: &str) -> &TestNode {
        &self.nodes[name]
    }

    pub fn node_mut(&mut self, name: &str) -> &mut TestNode {
        self.nodes.get_mut(name).expect("node")
    }

    /// Creates every document whose creator is in the network, at its creator.
    pub fn populate(&self, docs: &[(DocId, DocMeta)]) {
        for (doc, m) in docs {
            if let Some(node) = self.nodes.get(&m.origin_node) {
                node.put(doc, create_value(doc, m));
            }
        }
    }

    /// Every node holds exactly the documents of `docs` it may hold, with the same heads as
    /// every other holder.
    pub fn converged(&self, docs: &[(DocId, DocMeta)]) -> bool {
        let mut heads: BTreeMap<DocId, Vec<automerge::ChangeHash>> = BTreeMap::new();
        for node in self.nodes.values() {
            let expected: BTreeSet<DocId> = docs
                .iter()
                .filter(|(_, m)| may_hold(&node.membership, m))
                .map(|(d, _)| d.clone())
                .collect();
            let mut core = node.core.lock().unwrap();
            let repo = core.repo_mut();
            if repo.ids() != expected {
                return false;
            }
            for d in expected {
                let h = repo.heads(&d).expect("held");
                if heads.entry(d).or_insert_with(|| h.clone()) != &h {
                    return false;
                }
            }
        }
        true
    }

    pub async fn wait_converged(&self, docs: &[(DocId, DocMeta)]) {
        wait_until("every node holds what it may, with identical heads", || {
            self.converged(docs)
        })
        .await;
    }
}

impl TestNode {
    /// Starts (or restarts) the node's transport over its core.
    pub async fn spawn(&mut self, root: &RootKey) {
        let identity = load_or_create_identity(&self.key_path).expect("identity");
        let mut config = P2pConfig::new(
            identity,
            root.public_key(),
            self.certificate.clone(),
            self.addr.clone(),
        );
        config.peers = self.peers.clone();
        config.revocations = self.revocations.clone();
        config.revocations_file = Some(self.revocations_file.clone());
        config.on_revocations = self.on_revocations.clone();
        config.clock = Arc::new(|| NOW);
        let handle = P2pNode::spawn(config, self.core.clone())
            .await
            .expect("node starts");
        self.addr = handle.listen_addrs()[0].clone();
        self.handle = Some(handle);
    }

    pub fn handle(&self) -> &P2pHandle {
        self.handle.as_ref().expect("running")
    }

    /// Stores a document and tells the transport, like the node's own writes do.
    pub fn put(&self, doc: &DocId, mut sd: StoredDoc) {
        let meta = sd.meta.clone();
        let am = sd.automerge_mut().clone();
        self.core
            .lock()
            .unwrap()
            .repo_mut()
            .put(doc, meta, am)
            .expect("put");
        if let Some(h) = &self.handle {
            h.local_change(doc).expect("running");
        }
    }

    /// Edits a document through the typed API (works offline too).
    pub fn edit<T: Document>(&self, doc: &DocId, f: impl FnOnce(&mut T)) {
        let am = {
            let mut core = self.core.lock().unwrap();
            core.repo_mut().doc_mut(doc).unwrap().expect("held").clone()
        };
        let mut sd = StoredDoc::from_automerge(doc.clone(), am).expect("readable");
        let mut value: T = sd.value().expect("kind");
        f(&mut value);
        assert!(sd.update(&value, today(), TS + 1, "edit").expect("valid"));
        self.put(doc, sd);
    }

    pub fn value<T: Document>(&self, doc: &DocId) -> Option<T> {
        let am = self.core.lock().unwrap().repo().get(doc)?.clone();
        Some(
            StoredDoc::from_automerge(doc.clone(), am)
                .expect("readable")
                .value()
                .expect("kind"),
        )
    }

    pub fn heads(&self, doc: &DocId) -> Option<Vec<automerge::ChangeHash>> {
        self.core.lock().unwrap().repo_mut().heads(doc)
    }

    pub fn ids(&self) -> BTreeSet<DocId> {
        self.core.lock().unwrap().repo().ids()
    }

    pub fn connected(&self) -> BTreeSet<String> {
        self.handle
            .as_ref()
            .map(|h| h.connected_peers().into_iter().map(|p| p.name).collect())
            .unwrap_or_default()
    }

    /// Stops the transport; the core (and its repo) stays.
    pub async fn shutdown(&mut self) {
        if let Some(h) = self.handle.take() {
            h.shutdown().await;
        }
    }

    /// Replaces the core by a new one over the same repo, as a restarted process would.
    pub fn restart_core(&self) {
        let mut core = self.core.lock().unwrap();
        let fresh = SyncCore::new(self.membership.clone(), &self.name, MemRepo::new());
        let old = std::mem::replace(&mut *core, fresh);
        *core = SyncCore::new(self.membership.clone(), &self.name, old.into_repo());
    }
}
