//! samod benchmark (not a test; run on demand, prints figures): the issue asked us to choose
//! between the Rust automerge-repo (`samod`) over libp2p streams and a sync loop of our own "by
//! measuring both". `tools/bench`'s `sync-bench` measures our `kitanetz-sync` core; this binary
//! runs samod on the same two scenarios:
//!
//! 1. `wire`: a Träger office and a Kita with 9 documents, bootstrapped, then one-field changes
//!    (the first one right after the bootstrap, then warm ones): bytes on the wire one way and
//!    both ways versus the size of the automerge change, and whether the whole document is resent.
//! 2. `bootstrap`: a fresh Träger repo brought up to date with a Kita of 200 children and three
//!    years of history (the generator of `sync-bench`, copied): messages, bytes, wall time.
//!    Then a reconnect without any change, because samod keeps no sync state across connections.
//!
//! Two `samod::Repo`s (tokio, in-memory storage) are connected in one process by a [`Dialer`]
//! whose transport is a pair of in-memory channels that count every encoded samod message (CBOR,
//! framing of a real transport excluded, as in `sync-bench`). The share policy is our visibility
//! and write policy (`may_hold`, `may_write`), as far as samod's `(DocumentId, PeerId)` policy
//! interface allows (see [`Policy`]).
//!
//! Not a default member of the workspace: samod is compiled only to measure it.
//! `cargo run --release -p kitanetz-samod-bench [-- --only wire|bootstrap]`

use automerge::sync as am_sync;
use automerge::{ActorId, AutoCommit, Automerge, ChangeHash};
use chrono::{Datelike, Months, NaiveDate};
use futures::channel::mpsc;
use futures::{SinkExt, StreamExt};
use kitanetz_crdt::ids::{
    doc_id_for, facility_org, provider_org, ChildId, ContractId, ContractLineId, FacilityId,
    FamilyId, GuardianId, ProviderId,
};
use kitanetz_crdt::kinds::{Address, CareContract, Child, Family, Group, Guardian, Sex};
use kitanetz_crdt::policy::{may_hold, may_write, Membership, NodeRole};
use kitanetz_crdt::scalar::{Date, Dec};
use kitanetz_crdt::{DocId, DocKind, DocMeta, Document, StoredDoc};
use kitanetz_sync::{fixtures, DocRepo, MemRepo, Msg, Outgoing, SyncCore};
use rust_decimal::Decimal;
use samod::{
    BackoffConfig, DialError, Dialer, DialerHandle, DocHandle, DocumentId, PeerId, Repo,
    ShareConfig, SharePolicy, Transport,
};
use std::collections::{BTreeMap, BTreeSet, HashMap, VecDeque};
use std::convert::Infallible;
use std::process::ExitCode;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// The reference day of every scenario (matches the sync fixtures and `sync-bench`).
fn today() -> Date {
    fixtures::today()
}

/// Unix milliseconds at midnight of a day: the timestamps of history commits.
fn millis(day: Date) -> i64 {
    day.0
        .and_hms_opt(0, 0, 0)
        .expect("midnight")
        .and_utc()
        .timestamp_millis()
}

// ------------------------------------------------------------------------------------------
// Counting in-memory transport
// ------------------------------------------------------------------------------------------

/// Traffic in one direction.
#[derive(Debug, Default, Clone, Copy)]
struct Tally {
    messages: usize,
    bytes: usize,
    /// Bytes of automerge changes (or whole saved documents) inside sync messages.
    change_bytes: usize,
}

impl std::ops::Sub for Tally {
    type Output = Tally;
    fn sub(self, o: Tally) -> Tally {
        Tally {
            messages: self.messages - o.messages,
            bytes: self.bytes - o.bytes,
            change_bytes: self.change_bytes - o.change_bytes,
        }
    }
}

#[derive(Debug, Default)]
struct CounterState {
    tally: Tally,
    last: Option<Instant>,
    /// Every `documentId` that went this way (as encoded).
    doc_ids: BTreeSet<Vec<u8>>,
}

/// Counts the messages one side hands to its sink.
#[derive(Debug, Default, Clone)]
struct Counter(Arc<Mutex<CounterState>>);

impl Counter {
    fn count(&self, msg: &[u8]) {
        let fields = read_fields(msg);
        let changes = fields
            .data
            .as_ref()
            .filter(|_| matches!(fields.kind.as_deref(), Some("sync" | "request")))
            .and_then(|data| am_sync::Message::decode(data).ok())
            .map_or(0, |m| m.changes.iter().map(|c| c.len()).sum());
        let mut s = self.0.lock().expect("counter");
        s.doc_ids.extend(fields.doc_id);
        s.tally.messages += 1;
        s.tally.bytes += msg.len();
        s.tally.change_bytes += changes;
        s.last = Some(Instant::now());
    }
    fn tally(&self) -> Tally {
        self.0.lock().expect("counter").tally
    }
    fn last(&self) -> Option<Instant> {
        self.0.lock().expect("counter").last
    }
    fn carried(&self, doc: &DocumentId) -> bool {
        let s = self.0.lock().expect("counter");
        s.doc_ids.contains(doc.as_bytes()) || s.doc_ids.contains(doc.to_string().as_bytes())
    }
}

/// The fields of a samod message we look at (a CBOR map with `type`, `senderId`, `targetId`,
/// `documentId`, `data`, ...).
#[derive(Default)]
struct Fields {
    kind: Option<String>,
    doc_id: Option<Vec<u8>>,
    data: Option<Vec<u8>>,
}

fn read_fields(msg: &[u8]) -> Fields {
    fn read(msg: &[u8]) -> Option<Fields> {
        let mut d = minicbor::Decoder::new(msg);
        let n = d.map().ok()??;
        let mut f = Fields::default();
        for _ in 0..n {
            match d.str().ok()? {
                "type" => f.kind = Some(d.str().ok()?.to_string()),
                "data" => f.data = Some(d.bytes().ok()?.to_vec()),
                "documentId" => {
                    f.doc_id = Some(match d.probe().str() {
                        Ok(_) => d.str().ok()?.as_bytes().to_vec(),
                        Err(_) => d.bytes().ok()?.to_vec(),
                    })
                }
                _ => d.skip().ok()?,
            }
        }
        Some(f)
    }
    read(msg).unwrap_or_default()
}

/// Both directions of a link between a dialing and an accepting repo.
#[derive(Clone, Default)]
struct Link {
    /// Dialer -> acceptor.
    out: Counter,
    /// Acceptor -> dialer.
    back: Counter,
}

impl Link {
    fn total(&self) -> Tally {
        let (a, b) = (self.out.tally(), self.back.tally());
        Tally {
            messages: a.messages + b.messages,
            bytes: a.bytes + b.bytes,
            change_bytes: a.change_bytes + b.change_bytes,
        }
    }

    fn last(&self) -> Option<Instant> {
        self.out.last().max(self.back.last())
    }

    /// Waits until no message has moved for `idle` (or `limit` has passed).
    async fn quiet(&self, idle: Duration, limit: Duration) -> bool {
        let start = Instant::now();
        let mut seen = self.total().messages;
        let mut since = Instant::now();
        while start.elapsed() < limit {
            tokio::time::sleep(Duration::from_millis(10)).await;
            let now = self.total().messages;
            if now != seen {
                seen = now;
                since = Instant::now();
            } else if since.elapsed() >= idle {
                return true;
            }
        }
        false
    }
}

/// Connects to an acceptor through two in-memory channels, counting what each side sends. The
/// transport is bound to the expected peer id, as an authenticated transport would be (a libp2p
/// stream after the Noise handshake and the certificate check).
struct CountingDialer {
    acceptor: samod::AcceptorHandle,
    link: Link,
    /// Peer id of each end, as the certificate would prove it.
    dialer_id: PeerId,
    acceptor_id: PeerId,
}

impl Dialer for CountingDialer {
    type Error = Infallible;

    fn url(&self) -> samod::Url {
        samod::Url::parse("kitanetz-bench://link").expect("url")
    }

    fn connect(
        &self,
    ) -> futures::future::BoxFuture<'static, Result<Transport, DialError<Self::Error>>> {
        let acceptor = self.acceptor.clone();
        let (out, back) = (self.link.out.clone(), self.link.back.clone());
        let (dialer_id, acceptor_id) = (self.dialer_id.clone(), self.acceptor_id.clone());
        Box::pin(async move {
            let (to_acceptor, from_dialer) = mpsc::unbounded::<Vec<u8>>();
            let (to_dialer, from_acceptor) = mpsc::unbounded::<Vec<u8>>();
            let acceptor_sink = to_dialer.with(move |m: Vec<u8>| {
                back.count(&m);
                futures::future::ready(Ok::<_, mpsc::SendError>(m))
            });
            acceptor
                .accept(
                    Transport::new(from_dialer.map(Ok::<_, Infallible>), acceptor_sink)
                        .with_expected_peer_id(dialer_id),
                )
                .map_err(|e| DialError::transient(std::io::Error::other(e.to_string())))?;
            let dialer_sink = to_acceptor.with(move |m: Vec<u8>| {
                out.count(&m);
                futures::future::ready(Ok::<_, mpsc::SendError>(m))
            });
            Ok(
                Transport::new(from_acceptor.map(Ok::<_, Infallible>), dialer_sink)
                    .with_expected_peer_id(acceptor_id),
            )
        })
    }
}

// ------------------------------------------------------------------------------------------
// Share policy: our visibility and write policy through samod's interface
// ------------------------------------------------------------------------------------------

/// `may_hold`/`may_write` as a samod [`SharePolicy`]. samod asks per (document id, peer id) and
/// knows nothing else about a document, so the node keeps a map from samod's random document ids
/// to our metadata. A document that is not in the map is one a peer is offering us: its metadata
/// sits inside the document, which samod has not received yet, so `may_hold(self, meta)` cannot
/// be checked before taking it in. Deny by default would refuse every document a peer offers;
/// this policy lets an admitted peer push it (the gap is reported in the results).
#[derive(Clone)]
struct Policy {
    docs: Arc<Mutex<HashMap<DocumentId, DocMeta>>>,
    peers: Arc<BTreeMap<String, Membership>>,
}

impl Policy {
    fn new(peers: &[(String, Membership)]) -> Policy {
        Policy {
            docs: Arc::default(),
            peers: Arc::new(peers.iter().cloned().collect()),
        }
    }

    fn decide(&self, doc: &DocumentId, peer: &PeerId) -> ShareConfig {
        let Some(member) = self.peers.get(peer.as_str()) else {
            return ShareConfig::none();
        };
        match self.docs.lock().expect("policy").get(doc) {
            Some(meta) if !may_hold(member, meta) => ShareConfig::none(),
            Some(meta) if may_write(member, meta) => ShareConfig::read_write(),
            Some(_) => ShareConfig::read_only(),
            None => ShareConfig::read_write().with_announce(false),
        }
    }
}

impl SharePolicy for Policy {
    fn share(
        &self,
        doc: DocumentId,
        peer: PeerId,
    ) -> impl futures::Stream<Item = ShareConfig> + Send + 'static {
        futures::stream::iter([self.decide(&doc, &peer)])
    }
}

/// One node: a samod repo, its policy and the handles of its documents by our ids.
struct Node {
    name: String,
    repo: Repo,
    policy: Policy,
    handles: BTreeMap<DocId, DocHandle>,
}

impl Node {
    async fn new(name: &str, everyone: &[(String, Membership)]) -> Node {
        let policy = Policy::new(everyone);
        let repo = Repo::build_tokio()
            .with_peer_id(PeerId::from(name))
            .with_share_policy(policy.clone())
            .load()
            .await;
        Node {
            name: name.to_string(),
            repo,
            policy,
            handles: BTreeMap::new(),
        }
    }

    /// Puts one of our documents (saved bytes, history included) into the repo.
    async fn create(&mut self, id: &DocId, meta: &DocMeta, am: &mut AutoCommit) -> DocumentId {
        let doc = Automerge::load(&am.save()).expect("loads");
        let handle = self.repo.create(doc).await.expect("repo running");
        let sid = handle.document_id().clone();
        self.policy
            .docs
            .lock()
            .expect("policy")
            .insert(sid.clone(), meta.clone());
        self.handles.insert(id.clone(), handle);
        sid
    }

    /// Edits a document through the typed API as one commit made by this node. Returns the
    /// size of the automerge change.
    async fn edit<T: Document>(
        &self,
        id: &DocId,
        ts: i64,
        f: impl FnOnce(&mut T) + Send + 'static,
    ) -> usize {
        let handle = self.handles[id].clone();
        let (id, actor) = (id.clone(), ActorId::from(self.name.as_bytes()));
        handle
            .with_document_async(move |doc| {
                let mut am = AutoCommit::load(&doc.save())
                    .expect("loads")
                    .with_actor(actor);
                let mut sd = StoredDoc::from_automerge(id.clone(), am.clone()).expect("readable");
                let before = sd.heads();
                let mut value: T = sd.value().expect("kind");
                f(&mut value);
                sd.update(&value, today(), ts, "edit")
                    .unwrap_or_else(|e| panic!("{id}: {e}"));
                am = sd.into_automerge();
                let changes = am.get_changes(&before);
                let size = changes.iter().map(|c| c.raw_bytes().len()).sum();
                doc.apply_changes(changes).expect("applies");
                size
            })
            .await
            .expect("repo running")
    }

    /// Connects to `other` (this node dials, `other` accepts).
    async fn connect(&self, other: &Node, link: &Link) -> DialerHandle<Infallible> {
        let acceptor = other
            .repo
            .make_acceptor(samod::Url::parse(&format!("kitanetz-bench://{}", other.name)).unwrap())
            .expect("acceptor");
        let dialer = CountingDialer {
            acceptor,
            link: link.clone(),
            dialer_id: PeerId::from(self.name.as_str()),
            acceptor_id: PeerId::from(other.name.as_str()),
        };
        let handle = self
            .repo
            .dial(BackoffConfig::default(), Arc::new(dialer))
            .expect("dial");
        handle.established().await.expect("handshake");
        handle
    }
}

async fn heads(handle: &DocHandle) -> Vec<ChangeHash> {
    handle
        .with_document_async(|d| {
            let mut h = d.get_heads();
            h.sort();
            h
        })
        .await
        .expect("repo running")
}

/// Documents of `from` that `to` lacks or holds with other heads. Looks documents up with
/// `find`, which asks peers for a missing one: call it only once the measured part is over.
async fn diverged(from: &Node, to: &Node, except: &[DocId]) -> usize {
    let mut bad = 0;
    for (id, handle) in &from.handles {
        if except.contains(id) {
            continue;
        }
        let theirs = match to.repo.find(handle.document_id().clone()).await {
            Ok(Some(h)) => Some(heads(&h).await),
            _ => None,
        };
        if theirs.as_ref() != Some(&heads(handle).await) {
            bad += 1;
        }
    }
    bad
}

// ------------------------------------------------------------------------------------------
// Scenario helpers (the shapes of sync-bench)
// ------------------------------------------------------------------------------------------

fn meta(
    kind: DocKind,
    owner: kitanetz_crdt::OrgId,
    provider: Option<ProviderId>,
    facilities: Vec<FacilityId>,
    origin: &str,
) -> DocMeta {
    DocMeta {
        kind,
        schema: kind.schema_version(),
        owner,
        provider,
        facilities,
        origin_node: origin.to_string(),
        created_on: today(),
    }
}

fn traeger(name: &str, p: &ProviderId) -> (String, Membership) {
    (
        name.to_string(),
        Membership {
            role: NodeRole::Traeger,
            organisation: provider_org(p),
            provider: Some(p.clone()),
            facility: None,
        },
    )
}

fn kita(name: &str, p: &ProviderId, f: &FacilityId) -> (String, Membership) {
    (
        name.to_string(),
        Membership {
            role: NodeRole::Kita,
            organisation: facility_org(f),
            provider: Some(p.clone()),
            facility: Some(f.clone()),
        },
    )
}

fn created<T: Document>(id: &DocId, meta: &DocMeta, value: &T, node: &str, ts: i64) -> AutoCommit {
    StoredDoc::create(
        id.clone(),
        meta.clone(),
        value,
        node.as_bytes(),
        today(),
        ts,
    )
    .unwrap_or_else(|e| panic!("{id}: {e}"))
    .into_automerge()
}

fn kib(bytes: usize) -> String {
    if bytes >= 10 * 1024 * 1024 {
        format!("{:.1} MiB", bytes as f64 / (1024.0 * 1024.0))
    } else if bytes >= 10 * 1024 {
        format!("{:.1} KiB", bytes as f64 / 1024.0)
    } else {
        format!("{bytes} B")
    }
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}

/// One line of the final table.
struct Row {
    part: &'static str,
    what: String,
    figure: String,
}

/// How long the link must be silent before a step counts as finished.
const IDLE: Duration = Duration::from_millis(300);
/// Longest wait for a step.
const LIMIT: Duration = Duration::from_secs(120);

// ------------------------------------------------------------------------------------------
// 1. wire
// ------------------------------------------------------------------------------------------

/// A small family of the fixture Kita (as in sync-bench).
fn family(k: &str, n: usize, f: &FacilityId) -> Family {
    let address = Address {
        street: "Dr.-Külz-Ring 19".into(),
        postcode: "01067".into(),
        city: "Dresden".into(),
        lat: None,
        lon: None,
    };
    Family {
        id: FamilyId(format!("fam-{k}-{n}")),
        family_number: format!("{:06}", 100_000 + n),
        guardians: vec![Guardian {
            id: GuardianId(format!("grd-{k}-{n}")),
            given_name: "Anna".into(),
            family_name: "Müller".into(),
            address,
            main_residence_in_city: true,
            phone: "0351 000000".into(),
            email: String::new(),
            single_parent: false,
        }],
        children: vec![Child {
            id: ChildId(format!("child-{k}-{n}")),
            given_name: "Mia".into(),
            family_name: "Müller".into(),
            birth_date: Date::ymd(2022, 5, 1),
            sex: Sex::Female,
            integration_need: false,
            facility: Some(f.clone()),
        }],
    }
}

/// A contract of the fixture Kita, renamed so that a Kita can have several (as in sync-bench).
fn contract(k: &str, n: usize) -> CareContract {
    let mut c = fixtures::contract(k);
    c.id = ContractId(format!("ctr-{k}-{n}"));
    c.family = FamilyId(format!("fam-{k}-{n}"));
    c.child = ChildId(format!("child-{k}-{n}"));
    c.lines[0].id = ContractLineId(format!("line-{k}-{n}"));
    c
}

/// Figures of one measured change.
struct ChangeCost {
    change: usize,
    one_way: usize,
    both_ways: usize,
    messages: usize,
    carried: usize,
}

impl ChangeCost {
    fn resend(&self) -> bool {
        self.carried > self.change
    }

    fn line(&self) -> String {
        format!(
            "change {} B; wire {} B one way ({:.2}x), {} B both ways ({:.2}x) in {} messages; \
             carried {} B of changes{}",
            self.change,
            self.one_way,
            self.one_way as f64 / self.change as f64,
            self.both_ways,
            self.both_ways as f64 / self.change as f64,
            self.messages,
            self.carried,
            if self.resend() {
                " -> WHOLE-DOCUMENT RESEND"
            } else {
                " (no resend)"
            }
        )
    }
}

/// Runs one edit and waits for the link to fall silent. `forward` is the counter of the
/// direction from the editing node to its peer.
async fn measure<F>(link: &Link, forward: &Counter, edit: F) -> ChangeCost
where
    F: std::future::Future<Output = usize>,
{
    let (f0, t0) = (forward.tally(), link.total());
    let change = edit.await;
    link.quiet(IDLE, LIMIT).await;
    let (f, t) = (forward.tally() - f0, link.total() - t0);
    ChangeCost {
        change,
        one_way: f.bytes,
        both_ways: t.bytes,
        messages: t.messages,
        carried: t.change_bytes,
    }
}

async fn wire(rows: &mut Vec<Row>) -> bool {
    println!("== wire: one-field change between a Träger office and a Kita (samod)");
    let p = fixtures::prov(1);
    let f = fixtures::fac("a");
    let everyone = [traeger("traeger-1", &p), kita("kita-a", &p, &f)];
    let mut t = Node::new("traeger-1", &everyone).await;
    let mut k = Node::new("kita-a", &everyone).await;
    let ts = fixtures::TS * 1000;
    let pm = |kind, fs: Vec<FacilityId>, origin: &str| {
        meta(kind, provider_org(&p), Some(p.clone()), fs, origin)
    };

    let id = fixtures::id("provider-1");
    let m = pm(DocKind::ProviderProfile, vec![], "traeger-1");
    let v = fixtures::provider_profile(1);
    t.create(&id, &m, &mut created(&id, &m, &v, "traeger-1", ts))
        .await;
    let id = fixtures::id("profile-a");
    let m = pm(DocKind::FacilityProfile, vec![f.clone()], "traeger-1");
    let v = fixtures::facility_profile("a", 1);
    t.create(&id, &m, &mut created(&id, &m, &v, "traeger-1", ts))
        .await;
    let id = fixtures::id("group-a");
    let m = meta(
        DocKind::Group,
        facility_org(&f),
        Some(p.clone()),
        vec![f.clone()],
        "kita-a",
    );
    let v = fixtures::group("a");
    k.create(&id, &m, &mut created(&id, &m, &v, "kita-a", ts))
        .await;
    for n in 0..3 {
        let id = fixtures::id(&format!("family-a-{n}"));
        let m = pm(DocKind::Family, vec![f.clone()], "kita-a");
        let v = family("a", n, &f);
        k.create(&id, &m, &mut created(&id, &m, &v, "kita-a", ts))
            .await;
        let id = fixtures::id(&format!("contract-a-{n}"));
        let m = pm(DocKind::CareContract, vec![f.clone()], "kita-a");
        let v = contract("a", n);
        k.create(&id, &m, &mut created(&id, &m, &v, "kita-a", ts))
            .await;
    }

    // A document the office may not hold (a group of another Träger's Kita, held here only to
    // test the policy): it must never reach the office, not even its id.
    let (p2, f2) = (fixtures::prov(2), fixtures::fac("b"));
    let hidden = fixtures::id("group-b");
    let m = meta(
        DocKind::Group,
        facility_org(&f2),
        Some(p2.clone()),
        vec![f2.clone()],
        "kita-b",
    );
    let v = fixtures::group("b");
    let hidden_sid = k
        .create(&hidden, &m, &mut created(&hidden, &m, &v, "kita-b", ts))
        .await;

    // The Kita dials the office; `out` is Kita -> office.
    let link = Link::default();
    let started = Instant::now();
    let _dialer = k.connect(&t, &link).await;
    link.quiet(IDLE, LIMIT).await;
    let boot = link.total();
    let boot_wall = link.last().map_or(Duration::ZERO, |l| l - started);
    println!(
        "bootstrap of 9 documents (7 Kita -> office, 2 office -> Kita): {} messages, {}, {} of changes, wall {}",
        boot.messages,
        kib(boot.bytes),
        kib(boot.change_bytes),
        ms(boot_wall)
    );
    // The office learns the metadata of what it received (a node reads it from the document).
    for (id, m) in [
        ("group-a", DocKind::Group),
        ("family-a-0", DocKind::Family),
        ("family-a-1", DocKind::Family),
        ("family-a-2", DocKind::Family),
    ] {
        let id = fixtures::id(id);
        let sid = k.handles[&id].document_id().clone();
        let h = t.repo.find(sid.clone()).await.ok().flatten().expect("held");
        let meta = if m == DocKind::Group {
            meta(
                m,
                facility_org(&f),
                Some(p.clone()),
                vec![f.clone()],
                "kita-a",
            )
        } else {
            pm(m, vec![f.clone()], "kita-a")
        };
        t.policy.docs.lock().expect("policy").insert(sid, meta);
        t.handles.insert(id, h);
    }

    let c0 = fixtures::id("contract-a-0");
    let c1 = fixtures::id("contract-a-1");
    let day = today();
    let first = measure(
        &link,
        &link.out,
        k.edit::<CareContract>(&c0, ts + 1, move |c| c.notice_given_on = Some(day)),
    )
    .await;
    let warm = measure(
        &link,
        &link.out,
        k.edit::<CareContract>(&c0, ts + 2, |c| {
            c.lines[0].daily_hours = Dec(Decimal::new(7, 0))
        }),
    )
    .await;
    let warm_other = measure(
        &link,
        &link.out,
        k.edit::<CareContract>(&c1, ts + 3, move |c| c.notice_given_on = Some(day)),
    )
    .await;
    // The office edits a guardian's phone: one scalar string field in a map.
    let office = measure(
        &link,
        &link.back,
        t.edit::<Family>(&fixtures::id("family-a-2"), ts + 4, |fam| {
            fam.guardians[0].phone = "0351 1234567".into()
        }),
    )
    .await;
    println!(
        "first change after bootstrap (Kita -> office): {}",
        first.line()
    );
    println!(
        "warm, same document (Kita -> office):          {}",
        warm.line()
    );
    println!(
        "warm, other document (Kita -> office):         {}",
        warm_other.line()
    );
    println!(
        "warm, office edits a family (office -> Kita):  {}",
        office.line()
    );
    // The office may hold the Kita's group but not write it: its edit must be ignored.
    let group = fixtures::id("group-a");
    let kita_group = heads(&k.handles[&group]).await;
    let refused = measure(
        &link,
        &link.back,
        t.edit::<Group>(&group, ts + 5, |g| g.name = "Marienkäfer".into()),
    )
    .await;
    let write_refused = heads(&k.handles[&group]).await == kita_group;
    let id_leaked = link.out.carried(&hidden_sid) || link.back.carried(&hidden_sid);
    println!(
        "office edits the Kita's group (may hold, may not write): {} B in {} messages; \
         refused by the Kita: {write_refused}",
        refused.both_ways, refused.messages
    );
    println!("document the office may not hold: id sent to the office: {id_leaked}");
    let except = [group.clone(), hidden.clone()];
    let bad = diverged(&k, &t, &except).await + diverged(&t, &k, &except).await;
    println!("documents with differing heads after the changes: {bad}");

    let ratio = |c: &ChangeCost| format!("{:.2}x", c.one_way as f64 / c.change as f64);
    let yes = |b: bool| if b { "yes" } else { "no" };
    rows.push(Row {
        part: "wire",
        what: "bootstrap of 9 documents: messages / wire".into(),
        figure: format!("{} / {}", boot.messages, kib(boot.bytes)),
    });
    rows.push(Row {
        part: "wire",
        what: "first change after bootstrap: change / wire one way".into(),
        figure: format!(
            "{} B / {} B = {} (resend: {})",
            first.change,
            first.one_way,
            ratio(&first),
            yes(first.resend())
        ),
    });
    for (what, c) in [
        ("warm change, same doc: change / one way / both ways", &warm),
        (
            "warm change, other doc: change / one way / both ways",
            &warm_other,
        ),
        (
            "warm, office edits phone: change / one way / both ways",
            &office,
        ),
    ] {
        rows.push(Row {
            part: "wire",
            what: what.into(),
            figure: format!(
                "{} B / {} B / {} B = {} (resend: {})",
                c.change,
                c.one_way,
                c.both_ways,
                ratio(c),
                yes(c.resend())
            ),
        });
    }
    rows.push(Row {
        part: "policy",
        what: "change from a peer that may not write: refused".into(),
        figure: yes(write_refused).into(),
    });
    rows.push(Row {
        part: "policy",
        what: "id of a document the peer may not hold sent to it".into(),
        figure: yes(id_leaked).into(),
    });
    bad == 0 && write_refused && !id_leaked
}

// ------------------------------------------------------------------------------------------
// 2. bootstrap (generator copied from sync-bench's `build_kita`)
// ------------------------------------------------------------------------------------------

/// A Kita's documents as the Kita holds them, with history.
struct KitaData {
    provider: ProviderId,
    facility: FacilityId,
    children: usize,
    docs: Vec<(DocId, DocMeta, AutoCommit)>,
    commits: usize,
}

/// Builds one Kita of `children` children with `months` months of history from the demo city,
/// exactly as `sync-bench` does (see there for the shape of the history).
fn build_kita(children_wanted: usize, months: u32, per_month: usize) -> KitaData {
    let world = kitanetz_datagen::generate(7, &kitanetz_datagen::Scale::demo(), today());
    let set = &world.facilities[0];
    let fid = set.profile.id.clone();
    let pid = set.profile.provider.clone();
    let node = "kita";
    let start = Date(
        NaiveDate::from_ymd_opt(today().0.year(), today().0.month(), 1).expect("day")
            - Months::new(months),
    );
    let mut ts = millis(start);

    let mut families = Vec::new();
    let mut moved: BTreeSet<ChildId> = BTreeSet::new();
    for fam in &world.families {
        if moved.len() >= children_wanted {
            break;
        }
        let mut fam = fam.clone();
        for c in &mut fam.children {
            if c.facility.is_some() {
                c.facility = Some(fid.clone());
                moved.insert(c.id.clone());
            }
        }
        families.push(fam);
    }
    let mut contracts: Vec<CareContract> = world
        .contracts
        .iter()
        .filter(|c| moved.contains(&c.child))
        .cloned()
        .collect();
    for c in &mut contracts {
        if c.facility != fid {
            c.facility = fid.clone();
            for l in &mut c.lines {
                l.group = None;
            }
        }
    }

    let mut docs: Vec<(DocId, DocMeta, AutoCommit)> = Vec::new();
    let mut index: BTreeMap<DocId, usize> = BTreeMap::new();
    let mut push = |docs: &mut Vec<_>, id: DocId, m: DocMeta, am: AutoCommit| {
        index.insert(id.clone(), docs.len());
        docs.push((id, m, am));
    };
    let owner = provider_org(&pid);
    let fm = |kind| {
        meta(
            kind,
            owner.clone(),
            Some(pid.clone()),
            vec![fid.clone()],
            node,
        )
    };
    let mut commits = 0;
    let profile_id = doc_id_for("profile", &fid.0);
    let sd = StoredDoc::create(
        profile_id.clone(),
        fm(DocKind::FacilityProfile),
        &set.profile,
        node.as_bytes(),
        today(),
        ts,
    )
    .expect("profile");
    push(
        &mut docs,
        profile_id.clone(),
        sd.meta.clone(),
        sd.into_automerge(),
    );
    commits += 1;
    let mut group_ids = Vec::new();
    for g in &set.groups {
        let id = doc_id_for("group", &g.id.0);
        let m = meta(
            DocKind::Group,
            facility_org(&fid),
            Some(pid.clone()),
            vec![fid.clone()],
            node,
        );
        let sd = StoredDoc::create(id.clone(), m, g, node.as_bytes(), today(), ts).expect("group");
        push(&mut docs, id.clone(), sd.meta.clone(), sd.into_automerge());
        group_ids.push(id);
        commits += 1;
    }
    let mut family_ids = Vec::new();
    for fam in &families {
        let id = doc_id_for("family", &fam.id.0);
        let sd = StoredDoc::create(
            id.clone(),
            fm(DocKind::Family),
            fam,
            node.as_bytes(),
            today(),
            ts,
        )
        .unwrap_or_else(|e| panic!("{id}: {e}"));
        push(&mut docs, id.clone(), sd.meta.clone(), sd.into_automerge());
        family_ids.push(id);
        commits += 1;
    }
    let mut contract_ids = Vec::new();
    for c in &contracts {
        let id = doc_id_for("contract", &c.id.0);
        let sd = StoredDoc::create(
            id.clone(),
            fm(DocKind::CareContract),
            c,
            node.as_bytes(),
            today(),
            ts,
        )
        .unwrap_or_else(|e| panic!("{id}: {e}"));
        push(&mut docs, id.clone(), sd.meta.clone(), sd.into_automerge());
        contract_ids.push(id);
        commits += 1;
    }

    let mut next_contract = 0usize;
    let mut next_family = 0usize;
    let mut line_no = 0usize;
    let apply = |docs: &mut Vec<(DocId, DocMeta, AutoCommit)>,
                 i: usize,
                 f: &mut dyn FnMut(&mut StoredDoc) -> bool|
     -> bool {
        let (id, _, am) = &docs[i];
        let mut sd = StoredDoc::from_automerge(id.clone(), am.clone()).expect("readable");
        if !f(&mut sd) {
            return false;
        }
        docs[i].1 = sd.meta.clone();
        docs[i].2 = sd.into_automerge();
        true
    };
    for m in 0..months {
        let month = Date(start.0 + Months::new(m));
        for e in 0..per_month {
            ts += 3_600_000;
            for _ in 0..contract_ids.len() {
                let i = index[&contract_ids[next_contract % contract_ids.len()]];
                next_contract += 1;
                line_no += 1;
                let hours = Decimal::new(5 + (line_no % 6) as i64, 0);
                let new_id = ContractLineId(format!("line-h{line_no}"));
                let done = apply(&mut docs, i, &mut |sd| {
                    let mut c: CareContract = sd.value().expect("contract");
                    if !c.period.contains(month) {
                        return false;
                    }
                    // A clone either way (`line_on` returns a reference or a copy).
                    let Some(line) = c.line_on(month) else {
                        return false;
                    };
                    #[allow(clippy::redundant_clone)]
                    let mut line = line.clone();
                    line.id = new_id.clone();
                    line.daily_hours = Dec(hours);
                    if c.change_from(month, line).is_err() {
                        return false;
                    }
                    sd.update(&c, today(), ts, "contract.change")
                        .expect("valid")
                });
                if done {
                    commits += 1;
                    break;
                }
            }
            if e % 2 == 0 {
                ts += 3_600_000;
                let i = index[&family_ids[next_family % family_ids.len()]];
                next_family += 1;
                let phone = format!("0351 {:07}", 1_000_000 + line_no);
                if apply(&mut docs, i, &mut |sd| {
                    let mut f: Family = sd.value().expect("family");
                    f.guardians[0].phone = phone.clone();
                    sd.update(&f, today(), ts, "family.update").expect("valid")
                }) {
                    commits += 1;
                }
            }
        }
        if group_ids.len() >= 2 {
            ts += 3_600_000;
            let from = index[&group_ids[m as usize % group_ids.len()]];
            let to = index[&group_ids[(m as usize + 1) % group_ids.len()]];
            let mut child = None;
            if apply(&mut docs, from, &mut |sd| {
                let mut g: Group = sd.value().expect("group");
                child = g.members.pop();
                child.is_some() && sd.update(&g, today(), ts, "group.move").expect("valid")
            }) {
                commits += 1;
                let child = child.expect("moved");
                if apply(&mut docs, to, &mut |sd| {
                    let mut g: Group = sd.value().expect("group");
                    g.members.push(child.clone());
                    sd.update(&g, today(), ts, "group.move").expect("valid")
                }) {
                    commits += 1;
                }
            }
        }
    }
    KitaData {
        provider: pid,
        facility: fid,
        children: moved.len(),
        docs,
        commits,
    }
}

// ------------------------------------------------------------------------------------------
// Our core on the same data (for the reconnect figure, which sync-bench does not measure)
// ------------------------------------------------------------------------------------------

/// Two `kitanetz-sync` cores with FIFO delivery of encoded messages, as in sync-bench.
struct CoreNet {
    cores: BTreeMap<String, SyncCore<MemRepo>>,
    members: BTreeMap<String, Membership>,
    queue: VecDeque<(String, String, Vec<u8>)>,
    tally: Tally,
    errors: usize,
}

impl CoreNet {
    fn new(nodes: &[(String, Membership)]) -> CoreNet {
        CoreNet {
            cores: nodes
                .iter()
                .map(|(n, m)| (n.clone(), SyncCore::new(m.clone(), n, MemRepo::new())))
                .collect(),
            members: nodes.iter().cloned().collect(),
            queue: VecDeque::new(),
            tally: Tally::default(),
            errors: 0,
        }
    }

    fn send(&mut self, from: &str, outs: Vec<Outgoing>) {
        for o in outs {
            self.queue
                .push_back((from.to_string(), o.to, o.msg.encode()));
        }
    }

    fn connect(&mut self, a: &str, b: &str) {
        let (ma, mb) = (self.members[a].clone(), self.members[b].clone());
        let out = self.cores.get_mut(a).expect("a").on_connect(b, mb);
        self.send(a, out);
        let out = self.cores.get_mut(b).expect("b").on_connect(a, ma);
        self.send(b, out);
    }

    fn disconnect(&mut self, a: &str, b: &str) {
        self.cores.get_mut(a).expect("a").on_disconnect(b);
        self.cores.get_mut(b).expect("b").on_disconnect(a);
    }

    fn run(&mut self) {
        while let Some((from, to, bytes)) = self.queue.pop_front() {
            self.tally.messages += 1;
            self.tally.bytes += bytes.len();
            let msg = Msg::decode(&bytes).expect("well-formed message");
            match self.cores.get_mut(&to).expect("to").on_message(&from, msg) {
                Ok(out) => self.send(&to, out),
                Err(_) => self.errors += 1,
            }
        }
    }
}

/// Our core: bootstrap, then disconnect and reconnect with nothing changed (sync states are
/// persisted in the repo). Returns ((bootstrap, wall), (reconnect, wall), refusals).
fn core_reconnect(
    data: &KitaData,
    everyone: &[(String, Membership)],
) -> ((Tally, Duration), (Tally, Duration), usize) {
    let mut net = CoreNet::new(everyone);
    let (k, t) = (everyone[0].0.as_str(), everyone[1].0.as_str());
    for (id, m, am) in &data.docs {
        let repo = net.cores.get_mut(k).expect("kita").repo_mut();
        repo.put(id, m.clone(), am.clone()).expect("put");
    }
    let start = Instant::now();
    net.connect(k, t);
    net.run();
    let boot = (net.tally, start.elapsed());
    net.disconnect(k, t);
    let before = net.tally;
    let start = Instant::now();
    net.connect(k, t);
    net.run();
    let again = (net.tally - before, start.elapsed());
    (boot, again, net.errors)
}

async fn bootstrap(rows: &mut Vec<Row>) -> bool {
    println!(
        "== bootstrap: fresh Träger repo from a Kita of 200 children, three years of history (samod)"
    );
    let t0 = Instant::now();
    let mut data = build_kita(200, 36, 10);
    println!(
        "built the Kita in {}: {} children, {} documents, {} commits",
        ms(t0.elapsed()),
        data.children,
        data.docs.len(),
        data.commits
    );
    let saved: usize = data.docs.iter_mut().map(|(_, _, am)| am.save().len()).sum();
    let everyone = [
        kita("kita", &data.provider, &data.facility),
        traeger("traeger", &data.provider),
    ];
    let mut k = Node::new("kita", &everyone).await;
    let t = Node::new("traeger", &everyone).await;
    let t0 = Instant::now();
    for (id, m, am) in &mut data.docs {
        assert!(may_hold(&everyone[1].1, m), "{id} is not for the Träger");
        k.create(id, m, am).await;
    }
    println!(
        "loaded {} documents into the Kita's repo in {}",
        k.handles.len(),
        ms(t0.elapsed())
    );

    let link = Link::default();
    let started = Instant::now();
    let dialer = k.connect(&t, &link).await;
    let settled = link.quiet(Duration::from_millis(1000), LIMIT).await;
    let wall = link.last().map_or(Duration::ZERO, |l| l - started);
    let boot = link.total();
    let down = link.out.tally();
    let bad = diverged(&k, &t, &[]).await;
    let lookup = link.total() - boot;
    println!(
        "sync: {} messages, {} on the wire ({} Kita -> Träger, {} back), {} of it documents/changes, \
         wall {} (to the last message); settled: {settled}; Träger heads differ for {bad}/{} documents \
         (the check's find() needed {} more messages)",
        boot.messages,
        kib(boot.bytes),
        kib(down.bytes),
        kib(boot.bytes - down.bytes),
        kib(boot.change_bytes),
        ms(wall),
        data.docs.len(),
        lookup.messages
    );
    println!(
        "Kita data: saved automerge documents {} (sum of save())",
        kib(saved)
    );

    // Reconnect with nothing changed: samod starts every connection with fresh sync states.
    dialer.close();
    link.quiet(IDLE, LIMIT).await;
    let before = link.total();
    let started = Instant::now();
    let _dialer = k.connect(&t, &link).await;
    link.quiet(Duration::from_millis(1000), LIMIT).await;
    let again = link.total() - before;
    let again_wall = link.last().map_or(Duration::ZERO, |l| l - started);
    println!(
        "reconnect, nothing changed: {} messages, {}, wall {}",
        again.messages,
        kib(again.bytes),
        ms(again_wall)
    );

    let ((cboot, cwall), (cagain, cagain_wall), refusals) = core_reconnect(&data, &everyone);
    println!(
        "our core, same data and process: bootstrap {} messages, {}, wall {}; reconnect, nothing \
         changed: {} messages, {}, wall {}; refusals: {refusals}",
        cboot.messages,
        kib(cboot.bytes),
        ms(cwall),
        cagain.messages,
        kib(cagain.bytes),
        ms(cagain_wall)
    );

    rows.push(Row {
        part: "bootstrap",
        what: format!(
            "{} children, {} docs, {} commits: messages / wire / wall",
            data.children,
            data.docs.len(),
            data.commits
        ),
        figure: format!("{} / {} / {}", boot.messages, kib(boot.bytes), ms(wall)),
    });
    rows.push(Row {
        part: "bootstrap",
        what: "vs saved docs".into(),
        figure: format!(
            "{}; wire = {:.2}x saved",
            kib(saved),
            boot.bytes as f64 / saved as f64
        ),
    });
    rows.push(Row {
        part: "bootstrap",
        what: "reconnect, nothing changed: messages / wire / wall".into(),
        figure: format!(
            "{} / {} / {}",
            again.messages,
            kib(again.bytes),
            ms(again_wall)
        ),
    });
    rows.push(Row {
        part: "core",
        what: "our core, same data: bootstrap messages / wire / wall".into(),
        figure: format!("{} / {} / {}", cboot.messages, kib(cboot.bytes), ms(cwall)),
    });
    rows.push(Row {
        part: "core",
        what: "our core: reconnect, nothing changed: messages / wire / wall".into(),
        figure: format!(
            "{} / {} / {}",
            cagain.messages,
            kib(cagain.bytes),
            ms(cagain_wall)
        ),
    });
    settled && bad == 0 && lookup.messages == 0 && refusals == 0
}

// ------------------------------------------------------------------------------------------

fn main() -> anyhow::Result<ExitCode> {
    let args: Vec<String> = std::env::args().collect();
    let only = args
        .iter()
        .position(|a| a == "--only")
        .and_then(|i| args.get(i + 1))
        .cloned();
    let run = |part: &str| only.as_deref().is_none_or(|o| o == part);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let mut rows = Vec::new();
    let mut ok = true;
    rt.block_on(async {
        if run("wire") {
            ok &= wire(&mut rows).await;
        }
        if run("bootstrap") {
            ok &= bootstrap(&mut rows).await;
        }
    });
    println!();
    let w = rows
        .iter()
        .map(|r| r.what.chars().count())
        .max()
        .unwrap_or(0);
    for r in &rows {
        println!("{:<10} {:<w$}  {}", r.part, r.what, r.figure);
    }
    println!("{}", if ok { "OK" } else { "FAILED (see above)" });
    Ok(if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}
