//! The partition scenario (sync-bench part 3, `relay-bench`): N nodes in one process (city,
//! Träger, Kitas), 10 % of the Kitas cut off while both sides edit, then healed: time and
//! traffic to converge, heads checked everywhere.
//!
//! Two topologies: today's links (every Kita to the city and its Träger office; the core takes
//! changes only from writers, so every holder needs a writer as a peer), and a star per Träger
//! (Kitas only to their office, offices to the city), which converges only with signed,
//! relayed changes (issue #13 item 8).

use crate::net::{Net, Traffic};
use crate::report::{kib, ms, Row};
use crate::scenario::{
    city, contract, family, kita, kita_meta, provider_profile_meta, set_daily_hours, set_notice,
    traeger,
};
use kitanetz_crdt::ids::{doc_id_for, FacilityId, ProviderId};
use kitanetz_crdt::kinds::{CareContract, FacilityLicence, ProviderProfile};
use kitanetz_crdt::policy::may_hold;
use kitanetz_crdt::scalar::Date;
use kitanetz_crdt::{DocId, DocKind, Document, StoredDoc};
use kitanetz_sync::fixtures::toy_pki::Root;
use kitanetz_sync::fixtures::{self, today};
use rust_decimal::Decimal;
use std::time::{Duration, Instant};

/// Contracts (and families) per Kita in the partition scenario.
const CONTRACTS_PER_KITA: usize = 2;

/// Which links the network has.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Topology {
    /// Every Kita to the city and to its Träger office, every office to the city.
    Mesh,
    /// Every Kita to its office only, every office to the city.
    Star,
    /// As [`Topology::Star`], and every Kita to the city through its office's relay (circuit
    /// relay: the Kita–city session end to end, its bytes cross both hops).
    StarRelayed,
}

/// What one run measured.
#[derive(Debug, Clone)]
pub struct Outcome {
    pub ok: bool,
    pub bootstrap: Traffic,
    pub bootstrap_wall: Duration,
    pub heal: Traffic,
    pub heal_wall: Duration,
    /// Copies of documents held twice or more.
    pub copies: usize,
    /// Copies a node may hold but does not have (none in the mesh; in the star the placement
    /// documents the office may not hold).
    pub missing: usize,
    pub diverged: usize,
}

/// Runs the scenario with `nodes` nodes; `signed`: the cores sign their changes and relay.
pub fn run(nodes: usize, topology: Topology, signed: bool, rows: &mut Vec<Row>) -> Outcome {
    let traeger_count = (nodes / 10).max(1);
    let kita_count = nodes.saturating_sub(1 + traeger_count).max(1);
    let label = format!(
        "{}{}",
        match topology {
            Topology::Mesh => "mesh",
            Topology::Star => "star",
            Topology::StarRelayed => "star+relay",
        },
        if signed { ", signed" } else { ", unsigned" }
    );
    println!(
        "== partition ({label}): {} nodes (1 city, {traeger_count} Träger, {kita_count} Kitas)",
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
    if signed {
        net.sign_with(&Root::new("city"));
    }
    let ts = fixtures::TS * 1000;

    // Documents, each created at its writer.
    for p in 0..traeger_count {
        let mut v: ProviderProfile = fixtures::provider_profile(0);
        v.id = prov(p);
        v.name = format!("Träger {p}");
        let m = provider_profile_meta(&prov(p), &tname(p));
        net.create(&tname(p), &doc_id_for("provider", &prov(p).0), m, &v, ts);
    }
    for k in 0..kita_count {
        let (p, f, key) = (prov(kprov(k)), fac(k), k.to_string());
        let (office, here) = (tname(kprov(k)), kname(k));
        let mut profile = fixtures::facility_profile(&key, 0);
        profile.provider = p.clone();
        let mut licence = fixtures::licence(&key, 0);
        licence.provider = p.clone();
        let mut docs = KitaDocs {
            net: &mut net,
            provider: p,
            facility: f.clone(),
            ts,
        };
        let at_facility = |name: &str| doc_id_for(name, &f.0);
        docs.create(
            &office,
            at_facility("profile"),
            DocKind::FacilityProfile,
            &profile,
        );
        docs.create(
            "city",
            at_facility("licence"),
            DocKind::FacilityLicence,
            &licence,
        );
        docs.create(
            &here,
            at_facility("group"),
            DocKind::Group,
            &fixtures::group(&key),
        );
        docs.create(
            &here,
            at_facility("seats"),
            DocKind::SeatLedger,
            &fixtures::ledger(&key),
        );
        for n in 0..CONTRACTS_PER_KITA {
            let numbered = format!("{key}-{n}");
            docs.create(
                &here,
                doc_id_for("family", &numbered),
                DocKind::Family,
                &family(&key, n, &f),
            );
            docs.create(
                &here,
                doc_id_for("contract", &numbered),
                DocKind::CareContract,
                &contract(&key, n),
            );
        }
    }
    // Links. Mesh: every holder to a writer (without signatures the core takes changes only
    // from writers). Star: the Kitas reach the city through their office.
    for p in 0..traeger_count {
        net.link("city", &tname(p));
    }
    for k in 0..kita_count {
        match topology {
            Topology::Mesh => net.link(&kname(k), "city"),
            Topology::StarRelayed => net.link_via(&kname(k), "city", &tname(kprov(k))),
            Topology::Star => {}
        }
        net.link(&kname(k), &tname(kprov(k)));
    }
    let setup = t0.elapsed();
    let t = Instant::now();
    net.run_until_quiet();
    let boot_wall = t.elapsed();
    let boot = net.total;
    let (shared, copies) = net.shared_docs();
    let missing = missing_copies(&net, &members);
    println!(
        "bootstrap to quiet: {} messages, {} ({} of changes), wall {} (set-up {}); {shared} documents held twice or more, {copies} copies; {missing} copies missing where the policy allows them",
        boot.messages,
        kib(boot.bytes),
        kib(boot.change_bytes),
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
        net.edit::<CareContract>(&tname(kprov(k)), &c, ts + 11, set_daily_hours(7));
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
        what: format!("{label}: {nodes} nodes, bootstrap: messages / wire / wall"),
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
            "{label}: heal {} Kitas: messages / wire / wall to converge",
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
        what: format!("{label}: documents held twice+, copies missing, diverged after heal"),
        figure: format!(
            "{shared} ({copies} copies), {missing} missing, {} diverged",
            diverged.len()
        ),
    });
    let ok = diverged.is_empty() && lost == 0 && net.errors.is_empty();
    Outcome {
        ok,
        bootstrap: boot,
        bootstrap_wall: boot_wall,
        heal,
        heal_wall,
        copies,
        missing,
        diverged: diverged.len(),
    }
}

/// Copies of documents a node may hold but does not (counted over every document held
/// somewhere).
fn missing_copies(net: &Net, members: &[(String, kitanetz_crdt::policy::Membership)]) -> usize {
    let mut metas = std::collections::BTreeMap::new();
    for core in net.cores.values() {
        for (id, meta) in kitanetz_sync::DocRepo::list(core.repo()) {
            metas.entry(id).or_insert(meta);
        }
    }
    let mut missing = 0;
    for (name, m) in members {
        let held = net.cores[name].repo().ids();
        missing += metas
            .iter()
            .filter(|(id, meta)| may_hold(m, meta) && !held.contains(*id))
            .count();
    }
    missing
}

/// The documents of one Kita, created each at its writer with the metadata of the Kita.
struct KitaDocs<'a> {
    net: &'a mut Net,
    provider: ProviderId,
    facility: FacilityId,
    ts: i64,
}

impl KitaDocs<'_> {
    fn create<T: Document>(&mut self, writer: &str, id: DocId, kind: DocKind, value: &T) {
        let meta = kita_meta(kind, &self.provider, &self.facility, writer);
        self.net.create(writer, &id, meta, value, self.ts);
    }
}
