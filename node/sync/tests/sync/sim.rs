//! In-process network of sync cores: FIFO message queues per run, partition and heal, restart.
//! Deterministic: no threads, no clock, no randomness.

use kitanetz_crdt::policy::Membership;
use kitanetz_crdt::{DocId, DocMeta, Document, StoredDoc};
use kitanetz_sync::fixtures::toy_pki::Root;
use kitanetz_sync::{MemRepo, Msg, Outgoing, SyncCore, MAX_MESSAGE};
use std::collections::{BTreeMap, BTreeSet, VecDeque};

use crate::fixtures::{today, TS};

pub struct SimNet {
    pub cores: BTreeMap<String, SyncCore<MemRepo>>,
    pub members: BTreeMap<String, Membership>,
    links: BTreeSet<(String, String)>,
    down: BTreeSet<String>,
    /// Links cut one by one ([`SimNet::cut`]): not reconnected until healed.
    cut: BTreeSet<(String, String)>,
    queue: VecDeque<(String, String, Vec<u8>)>,
    /// Refusals reported by the cores: (receiver, sender, error).
    pub errors: Vec<(String, String, String)>,
    /// Bytes sent per (from, to).
    pub bytes: BTreeMap<(String, String), usize>,
    /// Every document id each node received a Sync message about.
    pub seen: BTreeMap<String, BTreeSet<DocId>>,
    /// Every document id a Sync message was about, per (from, to).
    pub seen_on_link: BTreeMap<(String, String), BTreeSet<DocId>>,
    /// Messages delivered so far.
    pub delivered: usize,
    /// Bytes of automerge changes (or whole documents) delivered, framing excluded.
    pub change_bytes: usize,
    /// Print every delivered message (debugging).
    pub trace: bool,
    /// With a root, every core signs its changes and relays ([`SimNet::signed`]).
    pub root: Option<Root>,
    /// The links that may exist ([`SimNet::star`]); `None`: every pair (a full mesh).
    allowed: Option<BTreeSet<(String, String)>>,
}

fn pair(a: &str, b: &str) -> (String, String) {
    if a < b {
        (a.to_string(), b.to_string())
    } else {
        (b.to_string(), a.to_string())
    }
}

impl SimNet {
    pub fn new(nodes: &[(String, Membership)]) -> SimNet {
        let mut net = SimNet {
            cores: BTreeMap::new(),
            members: BTreeMap::new(),
            links: BTreeSet::new(),
            down: BTreeSet::new(),
            cut: BTreeSet::new(),
            queue: VecDeque::new(),
            errors: Vec::new(),
            bytes: BTreeMap::new(),
            seen: BTreeMap::new(),
            seen_on_link: BTreeMap::new(),
            delivered: 0,
            trace: false,
            change_bytes: 0,
            root: None,
            allowed: None,
        };
        for (name, m) in nodes {
            net.cores
                .insert(name.clone(), SyncCore::new(m.clone(), name, MemRepo::new()));
            net.members.insert(name.clone(), m.clone());
        }
        net
    }

    /// A network whose cores sign their changes with toy node keys certified by one root, and
    /// relay.
    pub fn signed(nodes: &[(String, Membership)]) -> SimNet {
        let mut net = SimNet::new(nodes);
        net.root = Some(Root::new("city"));
        for name in net.names() {
            net.renew_core(&name, MemRepo::new());
        }
        net
    }

    /// Limits the network to the links of a star per Träger: the city to every Träger, each
    /// Träger to its Kitas (no Kita to the city, no Kita to a Kita).
    pub fn star(mut self) -> SimNet {
        let mut allowed = BTreeSet::new();
        for (name, m) in &self.members {
            if let (kitanetz_crdt::policy::NodeRole::Kita, Some(p)) = (m.role, &m.provider) {
                let office = self
                    .members
                    .iter()
                    .find(|(_, t)| {
                        t.role == kitanetz_crdt::policy::NodeRole::Traeger
                            && t.provider.as_ref() == Some(p)
                    })
                    .map(|(n, _)| n.clone())
                    .expect("a Träger per Kita");
                allowed.insert(pair(name, &office));
            }
            if m.role == kitanetz_crdt::policy::NodeRole::Traeger {
                allowed.insert(pair(name, "city"));
            }
        }
        self.allowed = Some(allowed);
        self
    }

    /// Whether two nodes may be linked at all.
    pub fn linkable(&self, a: &str, b: &str) -> bool {
        self.allowed
            .as_ref()
            .is_none_or(|allowed| allowed.contains(&pair(a, b)))
    }

    /// (Re)creates a node's core over `repo`, with signing if the network signs.
    fn renew_core(&mut self, node: &str, repo: MemRepo) {
        let m = self.members[node].clone();
        let mut core = SyncCore::new(m.clone(), node, repo);
        if let Some(root) = &self.root {
            core = core.with_signing(root.signing(node, &m));
        }
        self.cores.insert(node.to_string(), core);
    }

    pub fn names(&self) -> Vec<String> {
        self.cores.keys().cloned().collect()
    }

    pub fn repo(&self, node: &str) -> &MemRepo {
        self.cores[node].repo()
    }

    pub fn repo_mut(&mut self, node: &str) -> &mut MemRepo {
        self.cores.get_mut(node).expect("node").repo_mut()
    }

    pub fn total_bytes(&self) -> usize {
        self.bytes.values().sum()
    }

    /// Bytes both ways between two nodes.
    pub fn bytes_between(&self, a: &str, b: &str) -> usize {
        let get = |x: &str, y: &str| {
            self.bytes
                .get(&(x.to_string(), y.to_string()))
                .copied()
                .unwrap_or(0)
        };
        get(a, b) + get(b, a)
    }

    pub fn send(&mut self, from: &str, outs: Vec<Outgoing>) {
        for o in outs {
            let bytes = o.msg.encode();
            assert!(bytes.len() <= MAX_MESSAGE, "message over the cap");
            *self
                .bytes
                .entry((from.to_string(), o.to.clone()))
                .or_default() += bytes.len();
            self.queue.push_back((from.to_string(), o.to, bytes));
        }
    }

    pub fn connect(&mut self, a: &str, b: &str) {
        if a == b
            || !self.linkable(a, b)
            || self.down.contains(a)
            || self.down.contains(b)
            || self.cut.contains(&pair(a, b))
            || !self.links.insert(pair(a, b))
        {
            return;
        }
        let (ma, mb) = (self.members[a].clone(), self.members[b].clone());
        let out = self.cores.get_mut(a).expect("a").on_connect(b, mb);
        self.send(a, out);
        let out = self.cores.get_mut(b).expect("b").on_connect(a, ma);
        self.send(b, out);
    }

    /// Connects `a` and `b` through `via`'s relay (a Kita to the city through its office):
    /// outside the star's links, with [`SyncCore::on_connect_relayed`] on both ends.
    pub fn connect_relayed(&mut self, a: &str, b: &str, via: &str) {
        if !self.links.insert(pair(a, b)) {
            return;
        }
        let (ma, mb, relay) = (
            self.members[a].clone(),
            self.members[b].clone(),
            self.members[via].clone(),
        );
        let out = self
            .cores
            .get_mut(a)
            .expect("a")
            .on_connect_relayed(b, mb, relay.clone());
        self.send(a, out);
        let out = self
            .cores
            .get_mut(b)
            .expect("b")
            .on_connect_relayed(a, ma, relay);
        self.send(b, out);
    }

    /// Connects every pair of nodes that are up (a full mesh: changes are taken only from
    /// writers, so every holder talks to the writers directly).
    pub fn connect_all(&mut self) {
        let names = self.names();
        for a in &names {
            for b in &names {
                if a < b {
                    self.connect(a, b);
                }
            }
        }
    }

    fn disconnect(&mut self, a: &str, b: &str) {
        if !self.links.remove(&pair(a, b)) {
            return;
        }
        self.cores.get_mut(a).expect("a").on_disconnect(b);
        self.cores.get_mut(b).expect("b").on_disconnect(a);
        self.queue
            .retain(|(f, t, _)| !((f == a && t == b) || (f == b && t == a)));
    }

    /// Cuts a node off from everyone; messages in flight to or from it are lost.
    pub fn partition(&mut self, node: &str) {
        for other in self.names() {
            self.disconnect(node, &other);
        }
        self.down.insert(node.to_string());
    }

    pub fn heal(&mut self, node: &str) {
        self.down.remove(node);
        self.connect_all();
    }

    /// Cuts the link between two nodes; messages in flight on it are lost.
    pub fn cut(&mut self, a: &str, b: &str) {
        if a != b {
            self.cut.insert(pair(a, b));
            self.disconnect(a, b);
        }
    }

    /// Restores a link cut with [`SimNet::cut`] (if neither node is partitioned).
    pub fn heal_link(&mut self, a: &str, b: &str) {
        self.cut.remove(&pair(a, b));
        self.connect(a, b);
    }

    /// Heals every partition and every cut link.
    pub fn heal_all(&mut self) {
        self.down.clear();
        self.cut.clear();
        self.connect_all();
    }

    /// Restarts a node: the core is dropped and created again over the same repo.
    pub fn restart(&mut self, node: &str) {
        self.partition(node);
        let core = self.cores.remove(node).expect("node");
        self.renew_core(node, core.into_repo());
        self.heal(node);
    }

    /// Delivers messages until none are left. Returns the number delivered.
    pub fn run_until_quiet(&mut self) -> usize {
        self.run(usize::MAX)
    }

    /// Delivers at most `limit` messages (the oldest first), leaving the rest in flight.
    /// Returns the number delivered.
    pub fn run(&mut self, limit: usize) -> usize {
        let mut n = 0;
        while n < limit {
            let Some((from, to, bytes)) = self.queue.pop_front() else {
                break;
            };
            n += 1;
            assert!(n < 5_000_000, "no quiescence");
            let msg = Msg::decode(&bytes).expect("well-formed message");
            if let Msg::Sync {
                data, more: false, ..
            } = &msg
            {
                if let Ok(m) = automerge::sync::Message::decode(data) {
                    self.change_bytes += m.changes.iter().map(|c| c.len()).sum::<usize>();
                }
            }
            if self.trace {
                if let Msg::Sync { doc, data, .. } = &msg {
                    let m = automerge::sync::Message::decode(data).unwrap();
                    println!(
                        "{from} -> {to} {doc}: {} bytes; heads {} need {} have {} (bloom {:?}) changes {:?}",
                        bytes.len(),
                        m.heads.len(),
                        m.need.len(),
                        m.have.len(),
                        m.have.iter().map(|h| h.bloom.to_bytes().len()).collect::<Vec<_>>(),
                        m.changes.iter().map(|c| c.len()).collect::<Vec<_>>()
                    );
                }
            }
            self.deliver(&from, &to, msg);
        }
        self.delivered += n;
        n
    }

    /// Hands one message to a node, bypassing the queue (for hostile-peer tests).
    pub fn deliver(&mut self, from: &str, to: &str, msg: Msg) {
        if let Msg::Sync { doc, .. } = &msg {
            self.seen
                .entry(to.to_string())
                .or_default()
                .insert(doc.clone());
            self.seen_on_link
                .entry((from.to_string(), to.to_string()))
                .or_default()
                .insert(doc.clone());
        }
        match self.cores.get_mut(to).expect("to").on_message(from, msg) {
            Ok(out) => self.send(to, out),
            Err(e) => self
                .errors
                .push((to.to_string(), from.to_string(), e.to_string())),
        }
    }

    /// Creates a document at a node (its only place of creation) and announces it.
    pub fn create<T: Document>(&mut self, node: &str, id: &DocId, meta: DocMeta, value: &T) {
        let mut sd = StoredDoc::create(
            id.clone(),
            meta.clone(),
            value,
            node.as_bytes(),
            today(),
            TS,
        )
        .expect("valid document");
        let am = sd.automerge_mut().clone();
        let core = self.cores.get_mut(node).expect("node");
        use kitanetz_sync::DocRepo;
        core.repo_mut().put(id, meta, am).expect("put");
        let out = core.on_local_change(id);
        self.send(node, out);
    }

    /// Edits a document at a node through the typed API and announces the change.
    /// Returns the size of the change in bytes.
    pub fn edit<T: Document>(&mut self, node: &str, id: &DocId, f: impl FnOnce(&mut T)) -> usize {
        self.try_edit(node, id, |value: &mut T| {
            f(value);
            true
        })
        .expect("valid edit that changes the document")
    }

    /// Edits a document as a user would: `f` changes the value and says whether the domain
    /// accepted the change (`false`: refused, nothing is written). A change the document's
    /// validation refuses or that changes nothing is not written either. Returns the size of
    /// the change, or `None` if nothing was written.
    pub fn try_edit<T: Document>(
        &mut self,
        node: &str,
        id: &DocId,
        f: impl FnOnce(&mut T) -> bool,
    ) -> Option<usize> {
        use kitanetz_sync::DocRepo;
        let core = self.cores.get_mut(node).expect("node");
        let am = core.repo_mut().doc_mut(id).unwrap().expect("held").clone();
        let mut sd = StoredDoc::from_automerge(id.clone(), am).expect("readable");
        let before = sd.heads();
        let mut value: T = sd.value().expect("kind");
        if !f(&mut value) || !sd.update(&value, today(), TS + 1, "edit").ok()? {
            return None;
        }
        let meta = sd.meta.clone();
        let am = sd.automerge_mut();
        let change_size = am.save_after(&before).len();
        let am = am.clone();
        core.repo_mut().put(id, meta, am).expect("put");
        let out = core.on_local_change(id);
        self.send(node, out);
        Some(change_size)
    }

    /// Reads a typed value at a node.
    pub fn value<T: Document>(&self, node: &str, id: &DocId) -> T {
        let am = self.repo(node).get(id).expect("held").clone();
        StoredDoc::from_automerge(id.clone(), am)
            .expect("readable")
            .value()
            .expect("kind")
    }

    /// Asserts every document held by two or more nodes has identical heads everywhere.
    pub fn assert_converged(&mut self) {
        let mut heads: BTreeMap<DocId, (String, Vec<automerge::ChangeHash>)> = BTreeMap::new();
        for name in self.names() {
            let repo = self.repo_mut(&name);
            for id in repo.ids() {
                let h = repo.heads(&id).expect("held");
                if let Some((first, hh)) = heads.get(&id) {
                    assert_eq!(&h, hh, "{id}: heads differ between {first} and {name}");
                } else {
                    heads.insert(id, (name.clone(), h));
                }
            }
        }
    }
}
