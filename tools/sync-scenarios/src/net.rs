//! `kitanetz-sync` cores wired in one process by explicit links, with deterministic FIFO
//! delivery of encoded [`Msg`]s (as the sync core's simulator does): the byte counts are what a
//! transport would carry, minus its own framing (Noise, Yamux).

use automerge::sync as am_sync;
use automerge::{AutoCommit, ChangeHash};
use kitanetz_crdt::policy::Membership;
use kitanetz_crdt::{DocId, DocMeta, Document};
use kitanetz_sync::fixtures::toy_pki::Root;
use kitanetz_sync::{DocRepo, MemRepo, Msg, Outgoing, SyncCore, MAX_MESSAGE};
use std::collections::{BTreeMap, BTreeSet, VecDeque};

use crate::scenario::{created, edit_doc, NewDoc};

/// Traffic counters. Counted when a message is delivered: messages lost to a partition never
/// reached the other side and are not part of what convergence cost.
#[derive(Debug, Default, Clone, Copy)]
pub struct Traffic {
    pub messages: usize,
    pub bytes: usize,
    /// Bytes of automerge changes (or whole saved documents) inside the messages.
    pub change_bytes: usize,
}

impl std::ops::Add for Traffic {
    type Output = Traffic;
    fn add(self, o: Traffic) -> Traffic {
        Traffic {
            messages: self.messages + o.messages,
            bytes: self.bytes + o.bytes,
            change_bytes: self.change_bytes + o.change_bytes,
        }
    }
}

impl std::ops::AddAssign for Traffic {
    fn add_assign(&mut self, o: Traffic) {
        *self = *self + o;
    }
}

impl std::ops::Sub for Traffic {
    type Output = Traffic;
    fn sub(self, o: Traffic) -> Traffic {
        Traffic {
            messages: self.messages - o.messages,
            bytes: self.bytes - o.bytes,
            change_bytes: self.change_bytes - o.change_bytes,
        }
    }
}

/// Sync cores wired by explicit links (not a full mesh: a Kita talks to its Träger and the
/// city, as in production). Deterministic FIFO delivery; no threads, no clock in the cores.
pub struct Net {
    pub cores: BTreeMap<String, SyncCore<MemRepo>>,
    members: BTreeMap<String, Membership>,
    /// Planned topology: the links a node re-opens when it comes back.
    topology: BTreeMap<String, BTreeSet<String>>,
    up: BTreeSet<(String, String)>,
    down: BTreeSet<String>,
    queue: VecDeque<(String, String, Vec<u8>)>,
    pub total: Traffic,
    /// Traffic per (from, to).
    per_link: BTreeMap<(String, String), Traffic>,
    /// Links that run through a relay (a Kita's link to the city through its Träger office),
    /// with the relaying node: their messages cross two hops.
    relayed: BTreeMap<(String, String), String>,
    /// Refusals reported by the cores: "receiver <- sender: error".
    pub errors: Vec<String>,
}

fn pair(a: &str, b: &str) -> (String, String) {
    if a < b {
        (a.to_string(), b.to_string())
    } else {
        (b.to_string(), a.to_string())
    }
}

impl Net {
    pub fn new(nodes: &[(String, Membership)]) -> Net {
        let mut net = Net {
            cores: BTreeMap::new(),
            members: BTreeMap::new(),
            topology: BTreeMap::new(),
            up: BTreeSet::new(),
            down: BTreeSet::new(),
            queue: VecDeque::new(),
            total: Traffic::default(),
            per_link: BTreeMap::new(),
            relayed: BTreeMap::new(),
            errors: Vec::new(),
        };
        for (name, m) in nodes {
            net.cores
                .insert(name.clone(), SyncCore::new(m.clone(), name, MemRepo::new()));
            net.members.insert(name.clone(), m.clone());
            net.topology.insert(name.clone(), BTreeSet::new());
        }
        net
    }

    /// Makes every core sign its changes with a toy node key certified by `root`, and relay
    /// (before any document is created).
    pub fn sign_with(&mut self, root: &Root) {
        let names: Vec<String> = self.cores.keys().cloned().collect();
        for name in names {
            let core = self.cores.remove(&name).expect("node");
            let m = self.members[&name].clone();
            let signing = root.signing(&name, &m);
            let core = SyncCore::new(m, &name, core.into_repo()).with_signing(signing);
            self.cores.insert(name, core);
        }
    }

    pub fn repo_mut(&mut self, node: &str) -> &mut MemRepo {
        self.cores.get_mut(node).expect("node").repo_mut()
    }

    pub fn link_traffic(&self, from: &str, to: &str) -> Traffic {
        self.per_link
            .get(&(from.to_string(), to.to_string()))
            .copied()
            .unwrap_or_default()
    }

    fn send(&mut self, from: &str, outs: Vec<Outgoing>) {
        for o in outs {
            let bytes = o.msg.encode();
            assert!(bytes.len() <= MAX_MESSAGE, "message over the cap");
            self.queue.push_back((from.to_string(), o.to, bytes));
        }
    }

    /// Adds a link to the topology and opens it (if both ends are up).
    pub fn link(&mut self, a: &str, b: &str) {
        self.topology.get_mut(a).expect("a").insert(b.to_string());
        self.topology.get_mut(b).expect("b").insert(a.to_string());
        self.open(a, b);
    }

    /// Adds a link between `a` and `b` that runs through `via`'s relay: the session is
    /// `a`'s and `b`'s end to end, every message crosses `a`–`via` and `via`–`b`.
    pub fn link_via(&mut self, a: &str, b: &str, via: &str) {
        self.relayed.insert(pair(a, b), via.to_string());
        self.link(a, b);
    }

    fn open(&mut self, a: &str, b: &str) {
        if self.down.contains(a) || self.down.contains(b) || !self.up.insert(pair(a, b)) {
            return;
        }
        let (ma, mb) = (self.members[a].clone(), self.members[b].clone());
        let relay = self
            .relayed
            .get(&pair(a, b))
            .map(|via| self.members[via].clone());
        let connect = |core: &mut SyncCore<MemRepo>, peer: &str, m: Membership| match &relay {
            Some(r) => core.on_connect_relayed(peer, m, r.clone()),
            None => core.on_connect(peer, m),
        };
        let out = connect(self.cores.get_mut(a).expect("a"), b, mb);
        self.send(a, out);
        let out = connect(self.cores.get_mut(b).expect("b"), a, ma);
        self.send(b, out);
    }

    /// Cuts a node off; messages in flight to or from it are lost.
    pub fn partition(&mut self, node: &str) {
        let peers: Vec<String> = self.topology[node].iter().cloned().collect();
        for other in peers {
            if self.up.remove(&pair(node, &other)) {
                self.cores
                    .get_mut(node)
                    .expect("node")
                    .on_disconnect(&other);
                self.cores
                    .get_mut(&other)
                    .expect("peer")
                    .on_disconnect(node);
            }
        }
        self.queue.retain(|(f, t, _)| f != node && t != node);
        self.down.insert(node.to_string());
    }

    pub fn heal(&mut self, node: &str) {
        self.down.remove(node);
        let peers: Vec<String> = self.topology[node].iter().cloned().collect();
        for other in peers {
            self.open(node, &other);
        }
    }

    /// Delivers messages until none are left.
    pub fn run_until_quiet(&mut self) {
        while let Some((from, to, bytes)) = self.queue.pop_front() {
            let msg = Msg::decode(&bytes).expect("well-formed message");
            let mut t = Traffic {
                messages: 1,
                bytes: bytes.len(),
                change_bytes: 0,
            };
            if let Msg::Sync {
                data, more: false, ..
            } = &msg
            {
                if let Ok(m) = am_sync::Message::decode(data) {
                    t.change_bytes = m.changes.iter().map(|c| c.len()).sum();
                }
            }
            let hops = match self.relayed.get(&pair(&from, &to)) {
                Some(via) => vec![(from.clone(), via.clone()), (via.clone(), to.clone())],
                None => vec![(from.clone(), to.clone())],
            };
            for hop in hops {
                self.total += t;
                *self.per_link.entry(hop).or_default() += t;
            }
            match self.cores.get_mut(&to).expect("to").on_message(&from, msg) {
                Ok(out) => self.send(&to, out),
                Err(e) => self.errors.push(format!("{to} <- {from}: {e}")),
            }
        }
    }

    /// Creates a document at a node and announces it.
    pub fn create<T: Document>(
        &mut self,
        node: &str,
        id: &DocId,
        meta: DocMeta,
        value: &T,
        ts: i64,
    ) {
        let am = created(id, &meta, value, node, ts);
        self.put_and_announce(node, id, meta, am);
    }

    /// Puts a document its node has just created and announces it.
    pub fn add(&mut self, doc: NewDoc) {
        self.put_and_announce(doc.node, &doc.id, doc.meta, doc.doc);
    }

    fn put_and_announce(&mut self, node: &str, id: &DocId, meta: DocMeta, am: AutoCommit) {
        let core = self.cores.get_mut(node).expect("node");
        core.repo_mut().put(id, meta, am).expect("put");
        let out = core.on_local_change(id);
        self.send(node, out);
    }

    /// Edits a document at a node through the typed API and announces the change.
    /// Returns the size of the automerge change in bytes (as it travels in a sync message).
    pub fn edit<T: Document>(
        &mut self,
        node: &str,
        id: &DocId,
        ts: i64,
        f: impl FnOnce(&mut T),
    ) -> usize {
        let core = self.cores.get_mut(node).expect("node");
        let am = core
            .repo_mut()
            .doc_mut(id)
            .expect("repo")
            .expect("held")
            .clone();
        let (meta, am, size) = edit_doc(id, am, ts, f);
        core.repo_mut().put(id, meta, am).expect("put");
        let out = core.on_local_change(id);
        self.send(node, out);
        size
    }

    /// Every document held by two or more nodes with differing heads: (doc, holders).
    pub fn diverged(&mut self) -> Vec<(DocId, usize)> {
        let mut heads: BTreeMap<DocId, BTreeSet<Vec<ChangeHash>>> = BTreeMap::new();
        let mut holders: BTreeMap<DocId, usize> = BTreeMap::new();
        let names: Vec<String> = self.cores.keys().cloned().collect();
        for name in names {
            let repo = self.repo_mut(&name);
            for id in repo.ids() {
                let h = repo.heads(&id).expect("held");
                heads.entry(id.clone()).or_default().insert(h);
                *holders.entry(id).or_default() += 1;
            }
        }
        heads
            .into_iter()
            .filter(|(_, h)| h.len() > 1)
            .map(|(id, _)| {
                let n = holders[&id];
                (id, n)
            })
            .collect()
    }

    /// (documents held by two or more nodes, copies of them).
    pub fn shared_docs(&self) -> (usize, usize) {
        let mut holders: BTreeMap<DocId, usize> = BTreeMap::new();
        for core in self.cores.values() {
            for id in core.repo().ids() {
                *holders.entry(id).or_default() += 1;
            }
        }
        let shared: Vec<usize> = holders.into_values().filter(|n| *n > 1).collect();
        (shared.len(), shared.iter().sum())
    }
}
