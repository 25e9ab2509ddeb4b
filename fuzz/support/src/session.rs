//! A Kita, its Träger, the city, another Träger and that Träger's Kita, syncing in one process
//! over `kitanetz_sync` cores. The `sync_wire` target feeds hostile messages to a fresh
//! `traeger-1` ([`receiver`]) as if they came from the other four ([`SENDERS`]); the seeds are
//! what `traeger-1` really received in a session ([`recorded_session`]).

use automerge::ChangeHash;
use kitanetz_crdt::ids::{city_org, facility_org, provider_org};
use kitanetz_crdt::policy::{may_hold, may_write, Membership};
use kitanetz_crdt::{DocId, DocKind, DocMeta, Document, StoredDoc};
use kitanetz_sync::fixtures::{self, fac, prov, today, TS};
use kitanetz_sync::{DocRepo, MemRepo, Msg, SyncCore};
use std::collections::{BTreeMap, VecDeque};

/// The node under attack.
pub const RECEIVER: &str = "traeger-1";
/// The peers it is connected to: its own Kita (writes its contracts and its facility profile),
/// the city, another Träger and that Träger's Kita (may write nothing `traeger-1` holds).
pub const SENDERS: [&str; 4] = ["kita-a", "city", "traeger-2", "kita-c"];

fn membership(node: &str) -> Membership {
    fixtures::members()
        .into_iter()
        .find(|(name, _)| name == node)
        .map(|(_, m)| m)
        .expect("node of the fixture network")
}

/// A document of the session: where it is created, its id and metadata, and how to create it.
struct SessionDoc {
    origin: &'static str,
    id: DocId,
    meta: DocMeta,
    create: fn(&DocId, &DocMeta, &str) -> automerge::AutoCommit,
}

fn created<T: Document>(
    id: &DocId,
    meta: &DocMeta,
    origin: &str,
    value: &T,
) -> automerge::AutoCommit {
    let mut doc = StoredDoc::create(
        id.clone(),
        meta.clone(),
        value,
        origin.as_bytes(),
        today(),
        TS,
    )
    .expect("fixture documents are valid");
    doc.automerge_mut().clone()
}

fn session_docs() -> Vec<SessionDoc> {
    let traeger = |p: u32| provider_org(&prov(p));
    let meta = |kind, owner, provider, facilities: &[&str], origin: &str| {
        fixtures::meta(
            kind,
            owner,
            provider,
            facilities.iter().map(|f| fac(f)).collect(),
            origin,
        )
    };
    vec![
        SessionDoc {
            origin: "traeger-1",
            id: fixtures::id("provider-1"),
            meta: meta(
                DocKind::ProviderProfile,
                traeger(1),
                Some(prov(1)),
                &[],
                "traeger-1",
            ),
            create: |id, m, o| created(id, m, o, &fixtures::provider_profile(1)),
        },
        SessionDoc {
            origin: "traeger-1",
            id: fixtures::id("profile-a"),
            meta: meta(
                DocKind::FacilityProfile,
                traeger(1),
                Some(prov(1)),
                &["a"],
                "traeger-1",
            ),
            create: |id, m, o| created(id, m, o, &fixtures::facility_profile("a", 1)),
        },
        SessionDoc {
            origin: "kita-a",
            id: fixtures::id("group-a"),
            meta: meta(
                DocKind::Group,
                facility_org(&fac("a")),
                Some(prov(1)),
                &["a"],
                "kita-a",
            ),
            create: |id, m, o| created(id, m, o, &fixtures::group("a")),
        },
        SessionDoc {
            origin: "kita-a",
            id: fixtures::id("seats-a"),
            meta: meta(
                DocKind::SeatLedger,
                facility_org(&fac("a")),
                Some(prov(1)),
                &["a"],
                "kita-a",
            ),
            create: |id, m, o| created(id, m, o, &fixtures::ledger("a")),
        },
        SessionDoc {
            origin: "kita-a",
            id: fixtures::id("contract-a"),
            meta: meta(
                DocKind::CareContract,
                traeger(1),
                Some(prov(1)),
                &["a"],
                "kita-a",
            ),
            create: |id, m, o| created(id, m, o, &fixtures::contract("a")),
        },
        SessionDoc {
            origin: "city",
            id: fixtures::id("licence-a"),
            meta: meta(
                DocKind::FacilityLicence,
                city_org(),
                Some(prov(1)),
                &["a"],
                "city",
            ),
            create: |id, m, o| created(id, m, o, &fixtures::licence("a", 1)),
        },
        SessionDoc {
            origin: "city",
            id: fixtures::id("application-1"),
            meta: meta(DocKind::Application, city_org(), None, &["a", "c"], "city"),
            create: |id, m, o| created(id, m, o, &fixtures::application()),
        },
        SessionDoc {
            origin: "traeger-2",
            id: fixtures::id("provider-2"),
            meta: meta(
                DocKind::ProviderProfile,
                traeger(2),
                Some(prov(2)),
                &[],
                "traeger-2",
            ),
            create: |id, m, o| created(id, m, o, &fixtures::provider_profile(2)),
        },
        SessionDoc {
            origin: "kita-c",
            id: fixtures::id("contract-c"),
            meta: meta(
                DocKind::CareContract,
                traeger(2),
                Some(prov(2)),
                &["c"],
                "kita-c",
            ),
            create: |id, m, o| created(id, m, o, &fixtures::contract("c")),
        },
    ]
}

/// The documents created at `node`, in a fresh repo. Deterministic: the same bytes every run.
pub fn repo_of(node: &str) -> MemRepo {
    let mut repo = MemRepo::new();
    for d in session_docs().into_iter().filter(|d| d.origin == node) {
        let am = (d.create)(&d.id, &d.meta, node);
        repo.put(&d.id, d.meta, am).expect("memory repo");
    }
    repo
}

/// A fresh `traeger-1` holding only its own documents, connected to every sender.
pub fn receiver() -> SyncCore<MemRepo> {
    thread_local! {
        static TEMPLATE: MemRepo = repo_of(RECEIVER);
    }
    let repo = TEMPLATE.with(MemRepo::clone);
    let mut core = SyncCore::new(membership(RECEIVER), RECEIVER, repo);
    for peer in SENDERS {
        let _ = core.on_connect(peer, membership(peer));
    }
    core
}

/// Documents of the receiver that no sender may write, with their heads at the start: no
/// message may change them.
pub fn unwritable_by_senders(core: &mut SyncCore<MemRepo>) -> Vec<(DocId, Vec<ChangeHash>)> {
    let senders: Vec<Membership> = SENDERS.iter().map(|s| membership(s)).collect();
    let ids: Vec<(DocId, DocMeta)> = core.repo().list();
    ids.into_iter()
        .filter(|(_, meta)| senders.iter().all(|s| !may_write(s, meta)))
        .map(|(id, _)| {
            let heads = core.repo_mut().heads(&id).expect("listed");
            (id, heads)
        })
        .collect()
}

/// What must hold after any sequence of messages, however hostile:
/// - the node holds (and ever held) only documents its membership may hold;
/// - the metadata it keeps for a document is the one the document itself carries;
/// - documents no sender may write are unchanged.
pub fn check_receiver(core: &mut SyncCore<MemRepo>, unwritable: &[(DocId, Vec<ChangeHash>)]) {
    let me = core.membership().clone();
    for (id, meta) in core.repo().ever_held() {
        assert!(
            may_hold(&me, meta),
            "{RECEIVER} took in {id}, which it may not hold: {meta:?}"
        );
    }
    for (id, meta) in core.repo().list() {
        assert!(may_hold(&me, &meta), "{RECEIVER} holds {id}: {meta:?}");
        let am = core.repo().get(&id).expect("listed").clone();
        let stored = StoredDoc::from_automerge(id.clone(), am).expect("a held document reads");
        assert_eq!(
            stored.meta, meta,
            "{id}: metadata in the repo differs from the document's"
        );
    }
    for (id, before) in unwritable {
        assert_eq!(
            core.repo_mut().heads(id).as_ref(),
            Some(before),
            "{id} changed although no sender may write it"
        );
    }
}

/// Every node of the session, synced in one process; records what `traeger-1` receives.
pub struct Session {
    pub cores: BTreeMap<&'static str, SyncCore<MemRepo>>,
    queue: VecDeque<(&'static str, &'static str, Vec<u8>)>,
    /// Every message delivered to [`RECEIVER`]: (sender, encoded message).
    pub to_receiver: Vec<(&'static str, Vec<u8>)>,
}

impl Session {
    fn node(name: &str) -> &'static str {
        std::iter::once(RECEIVER)
            .chain(SENDERS)
            .find(|n| *n == name)
            .expect("node of the session")
    }

    fn send(&mut self, from: &'static str, out: Vec<kitanetz_sync::Outgoing>) {
        for o in out {
            self.queue
                .push_back((from, Self::node(&o.to), o.msg.encode()));
        }
    }

    /// Delivers until nothing is left to say.
    pub fn run_until_quiet(&mut self) {
        while let Some((from, to, bytes)) = self.queue.pop_front() {
            if to == RECEIVER {
                self.to_receiver.push((from, bytes.clone()));
            }
            let msg = Msg::decode(&bytes).expect("cores send well-formed messages");
            if let Ok(out) = self.cores.get_mut(to).expect("node").on_message(from, msg) {
                self.send(to, out);
            }
        }
    }

    /// Edits a document at a node as the node's user would and announces the change.
    pub fn edit<T: Document>(&mut self, node: &'static str, id: &DocId, f: impl FnOnce(&mut T)) {
        let core = self.cores.get_mut(node).expect("node");
        let am = core
            .repo_mut()
            .doc_mut(id)
            .expect("memory")
            .expect("held")
            .clone();
        let mut doc = StoredDoc::from_automerge(id.clone(), am).expect("readable");
        let mut value: T = doc.value().expect("kind");
        f(&mut value);
        doc.update(&value, today(), TS + 1, "edit")
            .expect("valid edit");
        let meta = doc.meta.clone();
        core.repo_mut()
            .put(id, meta, doc.automerge_mut().clone())
            .expect("memory repo");
        let out = core.on_local_change(id);
        self.send(node, out);
    }

    /// Erases a document at a writer and tells its peers.
    pub fn erase(&mut self, node: &'static str, id: &DocId) {
        let out = self
            .cores
            .get_mut(node)
            .expect("node")
            .erase(id)
            .expect("writer erases");
        self.send(node, out);
    }
}

/// Every node with its own documents, connected in a full mesh, run until quiet.
pub fn recorded_session() -> Session {
    let mut session = Session {
        cores: BTreeMap::new(),
        queue: VecDeque::new(),
        to_receiver: Vec::new(),
    };
    let nodes: Vec<&'static str> = std::iter::once(RECEIVER).chain(SENDERS).collect();
    for node in &nodes {
        session
            .cores
            .insert(node, SyncCore::new(membership(node), *node, repo_of(node)));
    }
    for (i, a) in nodes.iter().enumerate() {
        for b in &nodes[i + 1..] {
            let out = session
                .cores
                .get_mut(a)
                .expect("a")
                .on_connect(b, membership(b));
            session.send(a, out);
            let out = session
                .cores
                .get_mut(b)
                .expect("b")
                .on_connect(a, membership(a));
            session.send(b, out);
        }
    }
    session.run_until_quiet();
    session
}
