//! Sync benchmark (not a test; run on demand, prints figures) for issue 3, item 7:
//!
//! 1. `wire`: bytes on the wire for a one-field change between a Träger office and a Kita, right
//!    after the bootstrap sync and after a warm sync, versus the size of the automerge change;
//!    plus the same through plain automerge sync, to show the whole-document resend the core
//!    suppresses.
//! 2. `bootstrap`: a fresh Träger node brought up to date with a Kita of 200 children and three
//!    years of history, versus copying the Kita's SQLite file.
//! 3. `partition`: N nodes in one process (city, Träger, Kitas), 10 % of the Kitas cut off while
//!    both sides edit, then healed: time and traffic to converge, heads checked everywhere.
//!
//! Everything runs over [`SyncCore`]s in one process with encoded [`Msg`]s in FIFO queues (as
//! the sync core's simulator does), so the byte counts are what a transport would carry, minus
//! its own framing (Noise, Yamux).
//!
//! `cargo run --release -p kitanetz-bench --bin sync-bench [-- --only wire|bootstrap|partition] [--nodes N]`

use automerge::sync::{self as am_sync, SyncDoc};
use automerge::{ActorId, AutoCommit, ChangeHash};
use chrono::{Datelike, Months, NaiveDate};
use kitanetz_crdt::ids::{
    city_org, doc_id_for, facility_org, provider_org, ChildId, ContractId, ContractLineId,
    FacilityId, FamilyId, GuardianId, ProviderId,
};
use kitanetz_crdt::kinds::{
    Address, CareContract, Child, FacilityLicence, Family, Group, Guardian, ProviderProfile, Sex,
};
use kitanetz_crdt::policy::{may_hold, Membership, NodeRole};
use kitanetz_crdt::scalar::{Date, Dec};
use kitanetz_crdt::{DocId, DocKind, DocMeta, Document, StoredDoc};
use kitanetz_sync::fixtures;
use kitanetz_sync::{DocRepo, MemRepo, Msg, Outgoing, SyncCore, MAX_MESSAGE};
use rust_decimal::Decimal;
use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::process::ExitCode;
use std::time::{Duration, Instant};

/// The reference day of every scenario (a Monday; matches the sync fixtures).
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
// In-process network
// ------------------------------------------------------------------------------------------

/// Traffic counters. Counted when a message is delivered: messages lost to a partition never
/// reached the other side and are not part of what convergence cost.
#[derive(Debug, Default, Clone, Copy)]
struct Traffic {
    messages: usize,
    bytes: usize,
    /// Bytes of automerge changes (or whole saved documents) inside the messages.
    change_bytes: usize,
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
struct Net {
    cores: BTreeMap<String, SyncCore<MemRepo>>,
    members: BTreeMap<String, Membership>,
    /// Planned topology: the links a node re-opens when it comes back.
    topology: BTreeMap<String, BTreeSet<String>>,
    up: BTreeSet<(String, String)>,
    down: BTreeSet<String>,
    queue: VecDeque<(String, String, Vec<u8>)>,
    total: Traffic,
    /// Traffic per (from, to).
    per_link: BTreeMap<(String, String), Traffic>,
    /// Refusals reported by the cores: "receiver <- sender: error".
    errors: Vec<String>,
}

fn pair(a: &str, b: &str) -> (String, String) {
    if a < b {
        (a.to_string(), b.to_string())
    } else {
        (b.to_string(), a.to_string())
    }
}

impl Net {
    fn new(nodes: &[(String, Membership)]) -> Net {
        let mut net = Net {
            cores: BTreeMap::new(),
            members: BTreeMap::new(),
            topology: BTreeMap::new(),
            up: BTreeSet::new(),
            down: BTreeSet::new(),
            queue: VecDeque::new(),
            total: Traffic::default(),
            per_link: BTreeMap::new(),
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

    fn repo_mut(&mut self, node: &str) -> &mut MemRepo {
        self.cores.get_mut(node).expect("node").repo_mut()
    }

    fn link_traffic(&self, from: &str, to: &str) -> Traffic {
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
    fn link(&mut self, a: &str, b: &str) {
        self.topology.get_mut(a).expect("a").insert(b.to_string());
        self.topology.get_mut(b).expect("b").insert(a.to_string());
        self.open(a, b);
    }

    fn open(&mut self, a: &str, b: &str) {
        if self.down.contains(a) || self.down.contains(b) || !self.up.insert(pair(a, b)) {
            return;
        }
        let (ma, mb) = (self.members[a].clone(), self.members[b].clone());
        let out = self.cores.get_mut(a).expect("a").on_connect(b, mb);
        self.send(a, out);
        let out = self.cores.get_mut(b).expect("b").on_connect(a, ma);
        self.send(b, out);
    }

    /// Cuts a node off; messages in flight to or from it are lost.
    fn partition(&mut self, node: &str) {
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

    fn heal(&mut self, node: &str) {
        self.down.remove(node);
        let peers: Vec<String> = self.topology[node].iter().cloned().collect();
        for other in peers {
            self.open(node, &other);
        }
    }

    /// Delivers messages until none are left.
    fn run_until_quiet(&mut self) {
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
            self.total = add(self.total, t);
            let e = self.per_link.entry((from.clone(), to.clone())).or_default();
            *e = add(*e, t);
            match self.cores.get_mut(&to).expect("to").on_message(&from, msg) {
                Ok(out) => self.send(&to, out),
                Err(e) => self.errors.push(format!("{to} <- {from}: {e}")),
            }
        }
    }

    /// Creates a document at a node and announces it.
    fn create<T: Document>(&mut self, node: &str, id: &DocId, meta: DocMeta, value: &T, ts: i64) {
        let mut sd = StoredDoc::create(
            id.clone(),
            meta.clone(),
            value,
            node.as_bytes(),
            today(),
            ts,
        )
        .unwrap_or_else(|e| panic!("{id}: {e}"));
        let am = sd.automerge_mut().clone();
        let core = self.cores.get_mut(node).expect("node");
        core.repo_mut().put(id, meta, am).expect("put");
        let out = core.on_local_change(id);
        self.send(node, out);
    }

    /// Edits a document at a node through the typed API and announces the change.
    /// Returns the size of the automerge change in bytes (as it travels in a sync message).
    fn edit<T: Document>(
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
    fn diverged(&mut self) -> Vec<(DocId, usize)> {
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
    fn shared_docs(&self) -> (usize, usize) {
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

fn add(a: Traffic, b: Traffic) -> Traffic {
    Traffic {
        messages: a.messages + b.messages,
        bytes: a.bytes + b.bytes,
        change_bytes: a.change_bytes + b.change_bytes,
    }
}

/// Applies a typed edit as one automerge commit. Returns the new metadata, the document and the
/// size of the change.
fn edit_doc<T: Document>(
    id: &DocId,
    am: AutoCommit,
    ts: i64,
    f: impl FnOnce(&mut T),
) -> (DocMeta, AutoCommit, usize) {
    let mut sd = StoredDoc::from_automerge(id.clone(), am).expect("readable");
    let before = sd.heads();
    let mut value: T = sd.value().expect("kind");
    f(&mut value);
    sd.update(&value, today(), ts, "edit")
        .unwrap_or_else(|e| panic!("{id}: {e}"));
    let meta = sd.meta.clone();
    let mut am = sd.into_automerge();
    let size = am
        .get_changes(&before)
        .iter()
        .map(|c| c.raw_bytes().len())
        .sum();
    (meta, am, size)
}

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

fn city() -> (String, Membership) {
    (
        "city".to_string(),
        Membership {
            role: NodeRole::City,
            organisation: city_org(),
            provider: None,
            facility: None,
        },
    )
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

// ------------------------------------------------------------------------------------------
// 1. wire
// ------------------------------------------------------------------------------------------

/// A small family of the fixture Kita (the fixtures have none).
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

/// A contract of the fixture Kita, renamed so that a Kita can have several.
fn contract(k: &str, n: usize) -> CareContract {
    let mut c = fixtures::contract(k);
    c.id = ContractId(format!("ctr-{k}-{n}"));
    c.family = FamilyId(format!("fam-{k}-{n}"));
    c.child = ChildId(format!("child-{k}-{n}"));
    c.lines[0].id = ContractLineId(format!("line-{k}-{n}"));
    c
}

fn set_notice(day: Date) -> impl FnOnce(&mut CareContract) {
    move |c| c.notice_given_on = Some(day)
}

/// Figures of one measured change.
struct ChangeCost {
    change: usize,
    /// Bytes from the editing node to its peer (framing included).
    one_way: usize,
    /// Bytes both ways (the peer's acknowledgement included).
    both_ways: usize,
    messages: usize,
    /// Bytes of changes or whole documents carried, framing excluded.
    carried: usize,
}

impl ChangeCost {
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
            if self.carried > self.change {
                " -> WHOLE-DOCUMENT RESEND"
            } else {
                " (no resend)"
            }
        )
    }
}

fn measure(
    net: &mut Net,
    from: &str,
    to: &str,
    edit: impl FnOnce(&mut Net) -> usize,
) -> ChangeCost {
    let (a, b, t) = (
        net.link_traffic(from, to),
        net.link_traffic(to, from),
        net.total,
    );
    let change = edit(net);
    net.run_until_quiet();
    let (a2, b2) = (net.link_traffic(from, to), net.link_traffic(to, from));
    let d = net.total - t;
    ChangeCost {
        change,
        one_way: (a2 - a).bytes,
        both_ways: (a2 - a).bytes + (b2 - b).bytes,
        messages: d.messages,
        carried: d.change_bytes,
    }
}

/// Runs plain automerge sync between two documents until both are quiet, with default
/// capabilities (automerge 0.12 may answer with the whole document as a v2 message).
/// Returns (bytes a -> b, bytes b -> a, bytes of changes a -> b).
fn raw_sync(
    a: &mut AutoCommit,
    b: &mut AutoCommit,
    sa: &mut am_sync::State,
    sb: &mut am_sync::State,
) -> (usize, usize, usize) {
    let (mut ab, mut ba, mut changes) = (0, 0, 0);
    for _ in 0..100 {
        let ma = a.sync().generate_sync_message(sa);
        let mb = b.sync().generate_sync_message(sb);
        if ma.is_none() && mb.is_none() {
            return (ab, ba, changes);
        }
        if let Some(m) = ma {
            changes += m.changes.iter().map(|c| c.len()).sum::<usize>();
            let bytes = m.encode();
            ab += bytes.len();
            b.sync()
                .receive_sync_message(sb, am_sync::Message::decode(&bytes).expect("msg"))
                .expect("apply");
        }
        if let Some(m) = mb {
            let bytes = m.encode();
            ba += bytes.len();
            a.sync()
                .receive_sync_message(sa, am_sync::Message::decode(&bytes).expect("msg"))
                .expect("apply");
        }
    }
    panic!("plain automerge sync did not settle");
}

fn wire(rows: &mut Vec<Row>) -> bool {
    println!("== wire: one-field change between a Träger office and a Kita");
    let p = fixtures::prov(1);
    let f = fixtures::fac("a");
    let (t, k) = ("traeger-1", "kita-a");
    let mut net = Net::new(&[traeger(t, &p), kita(k, &p, &f)]);
    let ts = fixtures::TS * 1000;
    net.create(
        t,
        &fixtures::id("provider-1"),
        meta(
            DocKind::ProviderProfile,
            provider_org(&p),
            Some(p.clone()),
            vec![],
            t,
        ),
        &fixtures::provider_profile(1),
        ts,
    );
    net.create(
        t,
        &fixtures::id("profile-a"),
        meta(
            DocKind::FacilityProfile,
            provider_org(&p),
            Some(p.clone()),
            vec![f.clone()],
            t,
        ),
        &fixtures::facility_profile("a", 1),
        ts,
    );
    net.create(
        k,
        &fixtures::id("group-a"),
        meta(
            DocKind::Group,
            facility_org(&f),
            Some(p.clone()),
            vec![f.clone()],
            k,
        ),
        &fixtures::group("a"),
        ts,
    );
    for n in 0..3 {
        let fm = meta(
            DocKind::Family,
            provider_org(&p),
            Some(p.clone()),
            vec![f.clone()],
            k,
        );
        net.create(
            k,
            &fixtures::id(&format!("family-a-{n}")),
            fm,
            &family("a", n, &f),
            ts,
        );
        let cm = meta(
            DocKind::CareContract,
            provider_org(&p),
            Some(p.clone()),
            vec![f.clone()],
            k,
        );
        net.create(
            k,
            &fixtures::id(&format!("contract-a-{n}")),
            cm,
            &contract("a", n),
            ts,
        );
    }
    net.link(t, k);
    net.run_until_quiet();
    let boot = net.total;
    println!(
        "bootstrap of {} documents: {} messages, {}",
        net.cores[k].repo().ids().len(),
        boot.messages,
        kib(boot.bytes)
    );

    let c0 = fixtures::id("contract-a-0");
    let c1 = fixtures::id("contract-a-1");
    let day = today();
    // The first change after the bootstrap: the Kita records notice on a contract.
    let first = measure(&mut net, k, t, |net| {
        net.edit(k, &c0, ts + 1, set_notice(day))
    });
    // Warm: the same document again, and a document synced but never edited since.
    let warm = measure(&mut net, k, t, |net| {
        net.edit::<CareContract>(k, &c0, ts + 2, |c| {
            c.lines[0].daily_hours = Dec(Decimal::new(7, 0))
        })
    });
    let warm_other = measure(&mut net, k, t, |net| {
        net.edit(k, &c1, ts + 3, set_notice(day))
    });
    // The office edits a guardian's phone (the other direction).
    let office = measure(&mut net, t, k, |net| {
        net.edit::<Family>(t, &fixtures::id("family-a-2"), ts + 4, |fam| {
            fam.guardians[0].phone = "0351 1234567".into()
        })
    });
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

    // The same first change through plain automerge sync, to show what the core avoids.
    let doc = fixtures::id("contract-a-2");
    let mut a = net.cores[k].repo().get(&doc).expect("held").clone();
    let mut b = AutoCommit::new().with_actor(ActorId::from(b"office".as_slice()));
    let (mut sa, mut sb) = (am_sync::State::new(), am_sync::State::new());
    raw_sync(&mut a, &mut b, &mut sa, &mut sb);
    let (_, a2, change) = edit_doc(&doc, a, ts + 5, set_notice(day));
    a = a2;
    let (ab, ba, carried) = raw_sync(&mut a, &mut b, &mut sa, &mut sb);
    let saved = a.save().len();
    let raw_resend = carried > change;
    println!(
        "plain automerge 0.12, first change after bootstrap: change {change} B; wire {ab} B one way, \
         {} B both ways; carried {carried} B (saved document {saved} B) -> {}",
        ab + ba,
        if raw_resend {
            "whole-document resend: YES"
        } else {
            "whole-document resend: no"
        }
    );

    let ok = net.errors.is_empty() && net.diverged().is_empty();
    if !ok {
        println!("ERRORS: {:?}", net.errors);
    }
    let ratio = |c: &ChangeCost| format!("{:.2}x", c.one_way as f64 / c.change as f64);
    rows.push(Row {
        part: "wire",
        what: "first change after bootstrap: change / wire one way".into(),
        figure: format!(
            "{} B / {} B = {} (resend: {})",
            first.change,
            first.one_way,
            ratio(&first),
            if first.carried > first.change {
                "yes"
            } else {
                "no"
            }
        ),
    });
    rows.push(Row {
        part: "wire",
        what: "warm change: change / wire one way / both ways".into(),
        figure: format!(
            "{} B / {} B / {} B = {}",
            warm.change,
            warm.one_way,
            warm.both_ways,
            ratio(&warm)
        ),
    });
    rows.push(Row {
        part: "wire",
        what: "plain automerge, first change after bootstrap".into(),
        figure: format!(
            "change {change} B, wire {ab} B, resend: {}",
            if raw_resend { "yes" } else { "no" }
        ),
    });
    ok
}

// ------------------------------------------------------------------------------------------
// 2. bootstrap
// ------------------------------------------------------------------------------------------

/// A Kita's documents as the Kita holds them, with history.
struct KitaData {
    provider: ProviderId,
    facility: FacilityId,
    children: usize,
    docs: Vec<(DocId, DocMeta, AutoCommit)>,
    commits: usize,
}

/// Builds one Kita of `children` children with `months` months of history from the demo city:
/// the demo's Kitas have 60–80 children each, so the children of the other Kitas move into the
/// first one (their families and contracts re-pointed; contract lines lose their old group).
/// History: per month `per_month` contract changes (`CareContract::change_from`), half as many
/// guardian phone edits, and one group move, each its own commit with increasing timestamps.
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

    // Families in world order until there are enough children in care.
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

    // History. Deterministic round-robin over the documents (no randomness needed: the point is
    // many small commits spread over many documents, as a Kita's office produces them).
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
            // Contract change from the first of the month; skip contracts not running then.
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
                    let Some(mut line) = c.line_on(month) else {
                        return false;
                    };
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
        // One group move a month: a child from one group to the next group.
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

/// Writes the Kita's documents into a real node database (chunks, projections, audit) and
/// returns (file size in bytes after a WAL checkpoint, time to copy the file).
fn sqlite_copy(data: &KitaData, membership: &Membership) -> anyhow::Result<(u64, Duration)> {
    use kitanetz_node::storage::{AuditEntry, Durability, Store};
    let dir = std::env::temp_dir().join(format!("kitanetz-sync-bench-{}", std::process::id()));
    if dir.exists() {
        std::fs::remove_dir_all(&dir)?;
    }
    std::fs::create_dir_all(&dir)?;
    let path = dir.join("kita.sqlite");
    {
        let mut store = Store::open(&path, Durability::Normal, "kita", membership.clone())?;
        let mut docs: Vec<StoredDoc> = data
            .docs
            .iter()
            .map(|(id, _, am)| {
                let mut sd = StoredDoc::from_automerge(id.clone(), am.clone()).expect("readable");
                sd.mark_unsaved();
                sd
            })
            .collect();
        let mut refs: Vec<&mut StoredDoc> = docs.iter_mut().collect();
        let entry = AuditEntry {
            at: millis(today()),
            actor: "system".into(),
            action: "bench.seed",
            target: None,
            subjects: vec![],
            valid_from: None,
        };
        store.save_docs(&mut refs, &entry)?;
        store
            .conn()
            .execute_batch("PRAGMA wal_checkpoint(TRUNCATE);")?;
    }
    let size = std::fs::metadata(&path)?.len();
    let t = Instant::now();
    std::fs::copy(&path, dir.join("copy.sqlite"))?;
    let copy = t.elapsed();
    std::fs::remove_dir_all(&dir)?;
    Ok((size, copy))
}

fn bootstrap(rows: &mut Vec<Row>) -> anyhow::Result<bool> {
    println!("== bootstrap: fresh Träger node from a Kita of 200 children, three years of history");
    let t = Instant::now();
    let data = build_kita(200, 36, 10);
    println!(
        "built the Kita in {}: {} children, {} documents, {} commits",
        ms(t.elapsed()),
        data.children,
        data.docs.len(),
        data.commits
    );
    let (kname, kmember) = kita("kita", &data.provider, &data.facility);
    let (tname, tmember) = traeger("traeger", &data.provider);
    let saved: usize = data
        .docs
        .iter()
        .map(|(_, _, am)| am.clone().save().len())
        .sum();
    let (file, copy) = sqlite_copy(&data, &kmember)?;

    let mut net = Net::new(&[
        (kname.clone(), kmember.clone()),
        (tname.clone(), tmember.clone()),
    ]);
    for (id, m, am) in &data.docs {
        assert!(may_hold(&tmember, m), "{id} is not for the Träger");
        net.repo_mut(&kname)
            .put(id, m.clone(), am.clone())
            .expect("put");
    }
    let t = Instant::now();
    net.link(&kname, &tname);
    net.run_until_quiet();
    let wall = t.elapsed();
    let held = net.cores[&tname].repo().ids().len();
    let diverged = net.diverged();
    let ok = net.errors.is_empty() && diverged.is_empty() && held == data.docs.len();
    let tr = net.total;
    let down = net.link_traffic(&kname, &tname);
    println!(
        "sync: {} messages, {} on the wire ({} Kita -> Träger, {} back), {} of it documents/changes, \
         wall {}; Träger holds {held}/{} documents, heads {}",
        tr.messages,
        kib(tr.bytes),
        kib(down.bytes),
        kib(tr.bytes - down.bytes),
        kib(tr.change_bytes),
        ms(wall),
        data.docs.len(),
        if diverged.is_empty() { "identical" } else { "DIFFER" }
    );
    println!(
        "Kita data: saved automerge documents {} (sum of save()); node SQLite file {} \
         (chunks + projections + audit, WAL checkpointed), copied in {}",
        kib(saved),
        kib(file as usize),
        ms(copy)
    );
    if !net.errors.is_empty() {
        println!("ERRORS: {:?}", &net.errors[..net.errors.len().min(5)]);
    }
    rows.push(Row {
        part: "bootstrap",
        what: format!(
            "{} children, {} docs, {} commits: messages / wire / wall",
            data.children,
            data.docs.len(),
            data.commits
        ),
        figure: format!("{} / {} / {}", tr.messages, kib(tr.bytes), ms(wall)),
    });
    rows.push(Row {
        part: "bootstrap",
        what: "vs saved docs / SQLite file (copy time)".into(),
        figure: format!(
            "{} / {} ({}); wire = {:.2}x saved, {:.2}x file",
            kib(saved),
            kib(file as usize),
            ms(copy),
            tr.bytes as f64 / saved as f64,
            tr.bytes as f64 / file as f64
        ),
    });
    Ok(ok)
}

// ------------------------------------------------------------------------------------------
// 3. partition
// ------------------------------------------------------------------------------------------

/// Contracts (and families) per Kita in the partition scenario.
const CONTRACTS_PER_KITA: usize = 2;

fn partition(nodes: usize, rows: &mut Vec<Row>) -> bool {
    let traeger_count = (nodes / 10).max(1);
    let kita_count = nodes.saturating_sub(1 + traeger_count).max(1);
    println!(
        "== partition: {} nodes (1 city, {traeger_count} Träger, {kita_count} Kitas)",
        1 + traeger_count + kita_count
    );
    let tname = |p: usize| format!("traeger-{p}");
    let kname = |k: usize| format!("kita-{k}");
    let prov = |p: usize| ProviderId(format!("prov-{p}"));
    let fac = |k: usize| FacilityId(format!("fac-{k}"));
    let kprov = |k: usize| k % traeger_count;

    let mut members = vec![city()];
    for p in 0..traeger_count {
        members.push(traeger(&tname(p), &prov(p)));
    }
    for k in 0..kita_count {
        members.push(kita(&kname(k), &prov(kprov(k)), &fac(k)));
    }
    let t0 = Instant::now();
    let mut net = Net::new(&members);
    let ts = fixtures::TS * 1000;

    // Documents, each created at its writer.
    for p in 0..traeger_count {
        let mut v: ProviderProfile = fixtures::provider_profile(0);
        v.id = prov(p);
        v.name = format!("Träger {p}");
        let m = meta(
            DocKind::ProviderProfile,
            provider_org(&prov(p)),
            Some(prov(p)),
            vec![],
            &tname(p),
        );
        net.create(&tname(p), &doc_id_for("provider", &prov(p).0), m, &v, ts);
    }
    for k in 0..kita_count {
        let (p, f, key) = (prov(kprov(k)), fac(k), k.to_string());
        let here = vec![f.clone()];
        let mut profile = fixtures::facility_profile(&key, 0);
        profile.provider = p.clone();
        let m = meta(
            DocKind::FacilityProfile,
            provider_org(&p),
            Some(p.clone()),
            here.clone(),
            &tname(kprov(k)),
        );
        net.create(
            &tname(kprov(k)),
            &doc_id_for("profile", &f.0),
            m,
            &profile,
            ts,
        );
        let mut licence = fixtures::licence(&key, 0);
        licence.provider = p.clone();
        let m = meta(
            DocKind::FacilityLicence,
            city_org(),
            Some(p.clone()),
            here.clone(),
            "city",
        );
        net.create("city", &doc_id_for("licence", &f.0), m, &licence, ts);
        let m = meta(
            DocKind::Group,
            facility_org(&f),
            Some(p.clone()),
            here.clone(),
            &kname(k),
        );
        net.create(
            &kname(k),
            &doc_id_for("group", &f.0),
            m,
            &fixtures::group(&key),
            ts,
        );
        let m = meta(
            DocKind::SeatLedger,
            facility_org(&f),
            Some(p.clone()),
            here.clone(),
            &kname(k),
        );
        net.create(
            &kname(k),
            &doc_id_for("seats", &f.0),
            m,
            &fixtures::ledger(&key),
            ts,
        );
        for n in 0..CONTRACTS_PER_KITA {
            let m = meta(
                DocKind::Family,
                provider_org(&p),
                Some(p.clone()),
                here.clone(),
                &kname(k),
            );
            net.create(
                &kname(k),
                &doc_id_for("family", &format!("{key}-{n}")),
                m,
                &family(&key, n, &f),
                ts,
            );
            let m = meta(
                DocKind::CareContract,
                provider_org(&p),
                Some(p.clone()),
                here.clone(),
                &kname(k),
            );
            net.create(
                &kname(k),
                &doc_id_for("contract", &format!("{key}-{n}")),
                m,
                &contract(&key, n),
                ts,
            );
        }
    }
    // Links: every holder to a writer (the core takes changes only from writers).
    for p in 0..traeger_count {
        net.link("city", &tname(p));
    }
    for k in 0..kita_count {
        net.link(&kname(k), "city");
        net.link(&kname(k), &tname(kprov(k)));
    }
    let setup = t0.elapsed();
    let t = Instant::now();
    net.run_until_quiet();
    let boot_wall = t.elapsed();
    let boot = net.total;
    let (shared, copies) = net.shared_docs();
    println!(
        "bootstrap to quiet: {} messages, {}, wall {} (set-up {}); {shared} documents held twice or more, {copies} copies",
        boot.messages,
        kib(boot.bytes),
        ms(boot_wall),
        ms(setup)
    );

    // Partition every tenth Kita; both sides edit.
    let cut: Vec<usize> = (0..kita_count).step_by(10).collect();
    for &k in &cut {
        net.partition(&kname(k));
    }
    let before = net.total;
    let t = Instant::now();
    let day = today();
    for &k in &cut {
        let c = doc_id_for("contract", &format!("{k}-0"));
        // The Kita records notice; its Träger changes the hours of the same contract.
        net.edit(&kname(k), &c, ts + 10, set_notice(day));
        net.edit::<CareContract>(&tname(kprov(k)), &c, ts + 11, |c| {
            c.lines[0].daily_hours = Dec(Decimal::new(7, 0))
        });
        // The city changes the licence of the cut-off Kita.
        net.edit::<FacilityLicence>("city", &doc_id_for("licence", &fac(k).0), ts + 12, |l| {
            l.operating_licence_date = Some(Date::ymd(2020, 3, 1))
        });
    }
    net.run_until_quiet();
    let during = net.total - before;
    let during_wall = t.elapsed();
    println!(
        "{} Kitas cut off; edits on the connected side: {} messages, {}, wall {}",
        cut.len(),
        during.messages,
        kib(during.bytes),
        ms(during_wall)
    );
    let before = net.total;
    let t = Instant::now();
    for &k in &cut {
        net.heal(&kname(k));
    }
    net.run_until_quiet();
    let heal_wall = t.elapsed();
    let heal = net.total - before;
    let diverged = net.diverged();
    // Both edits of every contradicting pair must have survived the merge.
    let mut lost = 0;
    for &k in &cut {
        let c = doc_id_for("contract", &format!("{k}-0"));
        for node in [kname(k), tname(kprov(k))] {
            let am = net.cores[&node].repo().get(&c).expect("held").clone();
            let v: CareContract = StoredDoc::from_automerge(c.clone(), am)
                .expect("readable")
                .value()
                .expect("contract");
            if v.notice_given_on != Some(day) || v.lines[0].daily_hours.0 != Decimal::new(7, 0) {
                lost += 1;
            }
        }
    }
    println!(
        "heal to quiet: {} messages, {}, {} of changes, wall {}; diverged documents: {}; lost edits: {lost}; refusals: {}",
        heal.messages,
        kib(heal.bytes),
        kib(heal.change_bytes),
        ms(heal_wall),
        diverged.len(),
        net.errors.len()
    );
    for (d, n) in diverged.iter().take(5) {
        println!("  DIVERGED {d} ({n} holders)");
    }
    for e in net.errors.iter().take(5) {
        println!("  REFUSED {e}");
    }
    rows.push(Row {
        part: "partition",
        what: format!("{nodes} nodes, bootstrap: messages / wire / wall"),
        figure: format!(
            "{} / {} / {}",
            boot.messages,
            kib(boot.bytes),
            ms(boot_wall)
        ),
    });
    rows.push(Row {
        part: "partition",
        what: format!(
            "heal {} Kitas: messages / wire / wall to converge",
            cut.len()
        ),
        figure: format!(
            "{} / {} / {}",
            heal.messages,
            kib(heal.bytes),
            ms(heal_wall)
        ),
    });
    rows.push(Row {
        part: "partition",
        what: "documents held twice+, diverged after heal".into(),
        figure: format!("{shared} ({copies} copies), {} diverged", diverged.len()),
    });
    diverged.is_empty() && lost == 0 && net.errors.is_empty()
}

// ------------------------------------------------------------------------------------------

fn main() -> anyhow::Result<ExitCode> {
    let args: Vec<String> = std::env::args().collect();
    let arg = |name: &str| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
            .cloned()
    };
    let only = arg("--only");
    let nodes: usize = arg("--nodes").map_or(Ok(400), |n| n.parse())?;
    let run = |part: &str| only.as_deref().is_none_or(|o| o == part);
    let mut rows = Vec::new();
    let mut ok = true;
    if run("wire") {
        ok &= wire(&mut rows);
    }
    if run("bootstrap") {
        ok &= bootstrap(&mut rows)?;
    }
    if run("partition") {
        ok &= partition(nodes, &mut rows);
    }
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
