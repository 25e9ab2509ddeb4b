//! Real-socket tests of the libp2p transport on 127.0.0.1 (STYLE.md 13: one test binary).

mod fixtures;
mod net;
mod revocation;

use fixtures::*;
use kitanetz_crdt::kinds::{CareContract, FacilityLicence, FacilityProfile, Group};
use kitanetz_crdt::scalar::Date;
use kitanetz_p2p::{
    generate_root, issue_certificate, issue_revocations, load_or_create_identity, P2pConfig,
    P2pNode,
};
use kitanetz_sync::{MemRepo, SyncCore, MAX_MESSAGE};
use net::*;
use std::sync::{Arc, Mutex};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn city_traeger_and_kitas_converge_over_tcp() {
    let (net, docs) = TestNet::synced(&["a", "b"]).await;
    // What the policy gives each node, spelled out for two of them.
    assert!(net.node("kita-a").ids().contains(&id("contract-a")));
    assert!(!net.node("kita-a").ids().contains(&id("contract-b")));
    assert!(!net.node("kita-a").ids().contains(&id("applicant-1")));
    assert!(net.node("city").ids().contains(&id("applicant-1")));
    assert!(!net.node("city").ids().contains(&id("contract-a")));
    for node in net.nodes.values() {
        let peers = node.handle().connected_peers();
        assert_eq!(peers.len(), 3, "{} sees every other node", node.name);
        assert!(peers.iter().all(|p| p.last_sync.is_some()));
    }
    // A change after the bootstrap travels too.
    net.node("city")
        .edit::<FacilityLicence>(&id("licence-b"), |l| {
            l.operating_licence_date = Some(Date::ymd(2020, 3, 1));
        });
    wait_until("the licence change reached kita-b", || {
        net.node("kita-b")
            .value::<FacilityLicence>(&id("licence-b"))
            .is_some_and(|l| l.operating_licence_date.is_some())
    })
    .await;
    net.wait_converged(&docs).await;
    for node in net.nodes.into_values() {
        node.handle.unwrap().shutdown().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_peer_certified_by_another_root_is_refused_and_receives_nothing() {
    let (mut net, docs) = TestNet::synced(&["a", "b"]).await;
    // A node whose certificate another root signed: it trusts that root, our nodes do not.
    let other_root = generate_root(&net.dir.path().join("other-root.pk8")).unwrap();
    let identity = load_or_create_identity(&net.dir.path().join("impostor.key")).unwrap();
    let impostor_id = identity.public().to_peer_id();
    let m = membership("kita-a");
    let cert = issue_certificate(&other_root, &impostor_id, "kita-x", m.clone(), 0, u64::MAX);
    let core = Arc::new(Mutex::new(SyncCore::new(m, "kita-x", MemRepo::new())));
    let mut config = P2pConfig::new(
        identity,
        other_root.public_key(),
        cert,
        "/ip4/127.0.0.1/tcp/0".parse().unwrap(),
    );
    config.peers = net.nodes.values().map(|n| n.addr.clone()).collect();
    config.clock = Arc::new(|| NOW);
    let impostor = P2pNode::spawn(config, core.clone()).await.unwrap();
    // Whichever side reads the other's certificate first refuses the link: our node blocks
    // the impostor, or the impostor (which trusts the other root) blocks our node first.
    wait_until("every link with the impostor is refused", || {
        let refused_by_impostor = impostor.blocked_peers();
        net.nodes.values().all(|n| {
            n.handle().blocked_peers().contains(&impostor_id)
                || refused_by_impostor.contains(&n.handle().peer_id())
        })
    })
    .await;
    let ours = net
        .nodes
        .values()
        .filter(|n| n.handle().blocked_peers().contains(&impostor_id))
        .count();
    println!("{ours} of 4 nodes refused the impostor before it refused them");
    // A change made now is not sent to it either.
    net.node("city")
        .edit::<FacilityLicence>(&id("licence-a"), |l| {
            l.operating_licence_date = Some(Date::ymd(2020, 3, 1));
        });
    net.wait_converged(&docs).await;
    assert!(
        core.lock().unwrap().repo().ids().is_empty(),
        "impostor got data"
    );
    assert!(core.lock().unwrap().repo().ever_held().is_empty());
    assert!(impostor.connected_peers().is_empty());
    for node in net.nodes.values_mut() {
        assert!(!node.connected().contains("kita-x"));
        node.shutdown().await;
    }
    impostor.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_revoked_peer_is_cut_off_at_once() {
    let (mut net, docs) = TestNet::synced(&["a", "b"]).await;
    let revoked = net.node("kita-b").handle().peer_id();
    let list = issue_revocations(&net.root, 1, &[revoked], NOW);
    let before_licence = net.node("kita-b").heads(&id("licence-b"));
    let before_contract = net.node("kita-b").heads(&id("contract-b"));
    for name in ["city", "traeger-1", "kita-a"] {
        let applied = net
            .node(name)
            .handle()
            .apply_revocations(&list)
            .await
            .unwrap();
        // The city passes the list on: the others may have it from the city already.
        assert!(applied || name != "city", "the city applies the list");
        assert_eq!(net.node(name).handle().revocation_version(), 1);
        // Cut off when the call returns, not some time later.
        assert!(!net.node(name).connected().contains("kita-b"), "at {name}");
        assert!(net.node(name).handle().blocked_peers().contains(&revoked));
    }
    // An old list cannot lift the revocation.
    let old = issue_revocations(&net.root, 1, &[], NOW);
    assert!(!net
        .node("city")
        .handle()
        .apply_revocations(&old)
        .await
        .unwrap());
    // Changes kita-b may hold, made after the revocation.
    net.node("traeger-1")
        .edit::<CareContract>(&id("contract-b"), |c| {
            c.notice_given_on = Some(Date::ymd(2026, 11, 2));
        });
    net.node("city")
        .edit::<FacilityLicence>(&id("licence-b"), |l| {
            l.operating_licence_date = Some(Date::ymd(2020, 3, 1));
        });
    wait_until("kita-a has the new licence", || {
        net.node("kita-a").heads(&id("licence-b")) == net.node("city").heads(&id("licence-b"))
    })
    .await;
    wait_until("kita-b has lost every link", || {
        net.node("kita-b").connected().is_empty()
    })
    .await;
    assert_eq!(net.node("kita-b").heads(&id("licence-b")), before_licence);
    assert_eq!(net.node("kita-b").heads(&id("contract-b")), before_contract);
    let rest: Vec<_> = docs.clone();
    let kita_b = net.nodes.remove("kita-b").unwrap();
    net.wait_converged(&rest).await;
    for mut node in net.nodes.into_values().chain([kita_b]) {
        node.shutdown().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_offline_kita_and_the_city_both_change_data_and_heal_after_a_restart() {
    let (mut net, docs) = TestNet::synced(&["a"]).await;

    net.node_mut("kita-a").shutdown().await;
    wait_until("city and Träger notice", || {
        !net.node("city").connected().contains("kita-a")
            && !net.node("traeger-1").connected().contains("kita-a")
    })
    .await;
    // The Kita works offline; the city and the Träger work meanwhile.
    let kita = net.node("kita-a");
    kita.edit::<Group>(&id("group-a"), |g| g.size = 18);
    kita.edit::<CareContract>(&id("contract-a"), |c| {
        c.notice_given_on = Some(Date::ymd(2026, 11, 2));
    });
    net.node("traeger-1")
        .edit::<CareContract>(&id("contract-a"), |c| {
            c.lines[0].daily_hours = kitanetz_crdt::scalar::Dec(rust_decimal::Decimal::new(7, 0));
        });
    net.node("city")
        .edit::<FacilityLicence>(&id("licence-a"), |l| {
            l.operating_licence_date = Some(Date::ymd(2020, 3, 1));
        });
    assert!(!net.converged(&docs));

    // Restart: a new core over the same repo, a new transport with the same key file.
    net.node("kita-a").restart_core();
    let root = &net.root;
    let kita = net.nodes.get_mut("kita-a").unwrap();
    kita.addr = "/ip4/127.0.0.1/tcp/0".parse().unwrap();
    kita.spawn(root).await;
    net.wait_converged(&docs).await;
    for node in ["kita-a", "traeger-1"] {
        let c: CareContract = net.node(node).value(&id("contract-a")).unwrap();
        assert_eq!(c.notice_given_on, Some(Date::ymd(2026, 11, 2)), "at {node}");
        assert_eq!(c.lines[0].daily_hours.0, rust_decimal::Decimal::new(7, 0));
    }
    let g: Group = net.node("traeger-1").value(&id("group-a")).unwrap();
    assert_eq!(g.size, 18);
    let l: FacilityLicence = net.node("kita-a").value(&id("licence-a")).unwrap();
    assert_eq!(l.operating_licence_date, Some(Date::ymd(2020, 3, 1)));
    net.shutdown_all().await;
}

/// Deterministic text that deflate cannot shrink much, so the changes stay over 1 MiB on the
/// wire. Seeded; the seed is printed for a failing run.
fn noise(seed: &mut u64, len: usize) -> String {
    const CHARS: &[u8] =
        b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 .,;:-_+*#";
    (0..len)
        .map(|_| {
            *seed ^= *seed << 13;
            *seed ^= *seed >> 7;
            *seed ^= *seed << 17;
            CHARS[(*seed % CHARS.len() as u64) as usize] as char
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn more_than_a_mebibyte_of_changes_syncs_in_fragments() {
    let (mut net, docs) = TestNet::synced(&["a"]).await;
    net.node_mut("kita-a").shutdown().await;

    // 400 edits of the Kita's concept text at the Träger while the Kita is offline: the Kita
    // then needs all of them in one automerge sync message.
    let seed = 0x5eed_1234_u64;
    println!("noise seed {seed:#x}");
    let mut s = seed;
    let doc = id("profile-a");
    let traeger = net.node("traeger-1");
    let before = traeger.heads(&doc).unwrap();
    let am = traeger
        .core
        .lock()
        .unwrap()
        .repo()
        .get(&doc)
        .unwrap()
        .clone();
    let mut sd = kitanetz_crdt::StoredDoc::from_automerge(doc.clone(), am).unwrap();
    for i in 0..400 {
        let mut p: FacilityProfile = sd.value().unwrap();
        p.concept = noise(&mut s, 4000);
        assert!(sd.update(&p, today(), TS + i, "concept").unwrap());
    }
    let change_bytes = sd.automerge_mut().save_after(&before).len();
    assert!(
        change_bytes > MAX_MESSAGE,
        "only {change_bytes} bytes of changes"
    );
    traeger.put(&doc, sd);

    net.node("kita-a").restart_core();
    let root = &net.root;
    let kita = net.nodes.get_mut("kita-a").unwrap();
    kita.addr = "/ip4/127.0.0.1/tcp/0".parse().unwrap();
    kita.spawn(root).await;
    net.wait_converged(&docs).await;
    let p: FacilityProfile = net.node("kita-a").value(&doc).unwrap();
    assert_eq!(p.concept.len(), 4000);
    net.shutdown_all().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nodes_redial_a_restarted_city_and_heal() {
    let (mut net, docs) = TestNet::synced(&["a"]).await;

    // The city goes down; the others keep their static address for it and redial with backoff.
    net.node_mut("city").shutdown().await;
    wait_until("Träger and Kita notice", || {
        !net.node("traeger-1").connected().contains("city")
            && !net.node("kita-a").connected().contains("city")
    })
    .await;
    net.node("city")
        .edit::<FacilityLicence>(&id("licence-a"), |l| {
            l.operating_licence_date = Some(Date::ymd(2020, 3, 1));
        });
    net.node("traeger-1")
        .edit::<FacilityProfile>(&id("profile-a"), |p| {
            p.concept = "Waldkita".into();
        });
    net.node("city").restart_core();
    let root = &net.root;
    // Same address: the city's port is in the others' configuration.
    net.nodes.get_mut("city").unwrap().spawn(root).await;
    net.wait_converged(&docs).await;
    let p: FacilityProfile = net.node("city").value(&id("profile-a")).unwrap();
    assert_eq!(p.concept, "Waldkita");
    net.shutdown_all().await;
}
