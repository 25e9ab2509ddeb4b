//! Sync between the nodes' real SQLite stores over the in-process transport: convergence,
//! offline work with concurrent edits, data minimisation.

use kitanetz_crdt::policy::{may_hold, NodeRole};
use kitanetz_crdt::DocId;
use kitanetz_node::auth::{Caller, Role};
use kitanetz_node::contracts::{change, contract_doc_id, ChangeInput, LineInput};
use kitanetz_node::sync::LocalNet;
use kitanetz_node::Node;
use kitanetz_tests::{first_child_and_contract, Network};
use std::collections::BTreeMap;
use std::sync::Arc;

fn caller(role: Role, node: &Node) -> Caller {
    Caller {
        user_id: 1,
        username: format!("{}-user", node.config.name),
        display_name: "Test".into(),
        role,
        organisation: node.config.organisation.clone(),
        provider: node.config.provider.clone(),
        facility: node.config.facility.clone(),
    }
}

/// Heads of every document on every node: doc id → (node → heads).
fn heads(nodes: &[Arc<Node>]) -> BTreeMap<String, BTreeMap<String, Vec<String>>> {
    let mut out: BTreeMap<String, BTreeMap<String, Vec<String>>> = BTreeMap::new();
    for n in nodes {
        for row in n.store().doc_rows().unwrap() {
            out.entry(row.doc_id)
                .or_default()
                .insert(n.config.name.clone(), row.heads);
        }
    }
    out
}

fn assert_converged(nodes: &[Arc<Node>]) {
    for (doc, per_node) in heads(nodes) {
        let first = per_node.values().next().unwrap();
        assert!(
            per_node.values().all(|h| h == first),
            "{doc} differs between nodes: {per_node:?}"
        );
    }
    for n in nodes {
        let store = n.store();
        for (id, meta) in store.doc_metas().unwrap() {
            assert!(
                may_hold(store.membership(), &meta),
                "{} holds {id} ({})",
                n.config.name,
                meta.visibility()
            );
        }
    }
}

/// The first Kita node and the office of its Träger.
fn kita_and_its_traeger(nodes: &[Arc<Node>]) -> (Arc<Node>, Arc<Node>) {
    let kita = nodes
        .iter()
        .find(|n| n.config.role == NodeRole::Kita)
        .expect("a Kita")
        .clone();
    let traeger = nodes
        .iter()
        .find(|n| n.config.role == NodeRole::Traeger && n.config.provider == kita.config.provider)
        .expect("its Träger")
        .clone();
    (kita, traeger)
}

/// The Kita (offline) and its Träger office change the same contract from different months.
/// Returns the contract's document id.
fn edit_on_both_sides(kita: &Node, traeger: &Node, contract: &str, at: i64) -> DocId {
    let contract_id = contract.parse().unwrap();
    let line = |hours: &str| LineInput {
        care_type: "kindergarten".into(),
        daily_hours: hours.into(),
        payment_mode: "direct-debit".into(),
    };
    for (node, role, from, hours, ts) in [
        (kita, Role::KitaLead, "2027-02-01", "6", at),
        (traeger, Role::TraegerAdmin, "2027-05-01", "8", at + 1),
    ] {
        let input = ChangeInput {
            valid_from: from.into(),
            line: line(hours),
        };
        change(
            &mut node.store(),
            &caller(role, node),
            &contract_id,
            &input,
            node.clock.today(),
            ts,
        )
        .unwrap();
    }
    contract_doc_id(&contract_id)
}

/// Both sides' changes are in `node`'s copy of the contract.
fn assert_both_edits(node: &Node, doc: &DocId) -> kitanetz_crdt::kinds::CareContract {
    let (_, merged) = node
        .store()
        .get::<kitanetz_crdt::kinds::CareContract>(doc)
        .unwrap();
    let starts: Vec<String> = merged
        .lines
        .iter()
        .map(|l| l.valid.start().to_string())
        .collect();
    assert!(
        starts.contains(&"2027-02-01".to_string()) && starts.contains(&"2027-05-01".to_string()),
        "{}: both edits kept: {starts:?}",
        node.config.name
    );
    merged
}

#[test]
fn offline_kita_and_its_traeger_edit_one_contract_and_converge() {
    let net = Network::seeded();
    let nodes: Vec<Arc<Node>> = net.configs.iter().map(|c| net.open(&c.name)).collect();
    let (kita, traeger) = kita_and_its_traeger(&nodes);
    let mut local = LocalNet::new(&nodes);
    local.connect_all();
    local.run_until_quiet(0);
    assert!(local.refusals.is_empty(), "{:?}", local.refusals);
    assert_converged(&nodes);

    // The Kita loses its connection; both it and the Träger office change the same contract.
    local.go_offline(&kita.config.name);
    let (_, contract) = first_child_and_contract(&kita, kita.config.facility.as_ref().unwrap());
    let doc = edit_on_both_sides(&kita, &traeger, &contract, 10);
    local.local_change(&kita.config.name, &doc);
    local.local_change(&traeger.config.name, &doc);
    local.run_until_quiet(12);
    let h = heads(&nodes);
    assert_ne!(
        h[&doc.0][&kita.config.name], h[&doc.0][&traeger.config.name],
        "offline: the copies differ"
    );

    local.come_online(&kita.config.name);
    local.run_until_quiet(13);
    assert!(local.refusals.is_empty(), "{:?}", local.refusals);
    assert_converged(&nodes);
    for n in [&kita, &traeger] {
        let merged = assert_both_edits(n, &doc);
        // The projection follows the merged document.
        let rows: i64 = n
            .store()
            .conn()
            .query_row(
                "SELECT COUNT(*) FROM p_contract_lines WHERE contract = ?1",
                [&contract],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(rows as usize, merged.lines.len());
    }
}

#[test]
fn an_erased_family_does_not_come_back_through_sync() {
    let net = Network::seeded();
    let nodes: Vec<Arc<Node>> = net.configs.iter().map(|c| net.open(&c.name)).collect();
    let kita = nodes
        .iter()
        .find(|n| n.config.role == NodeRole::Kita)
        .unwrap()
        .clone();
    let family: String = kita
        .store()
        .conn()
        .query_row(
            "SELECT family FROM p_children WHERE facility = ?1 ORDER BY id LIMIT 1",
            [&kita.config.facility.as_ref().unwrap().0],
            |r| r.get(0),
        )
        .unwrap();
    let entry = kitanetz_node::storage::AuditEntry {
        at: 1,
        actor: "user:test".into(),
        action: "family.erase",
        target: Some(family.clone()),
        subjects: vec![],
        valid_from: None,
    };
    let erased = kita.store().erase_family(&family, &entry).unwrap();
    let mut local = LocalNet::new(&nodes);
    local.connect_all();
    local.run_until_quiet(2);
    for doc in &erased.documents {
        assert!(
            kita.store().load_doc(&DocId(doc.clone())).is_err(),
            "{doc} came back to the Kita"
        );
    }
}

/// Decodes every stored document on every node and checks it against what the node is.
fn assert_private(nodes: &[Arc<Node>]) {
    use kitanetz_crdt::doc::KindValue;
    for n in nodes {
        let store = n.store();
        let me = store.membership().clone();
        for (id, meta) in store.doc_metas().unwrap() {
            let doc = store.load_doc(&id).unwrap();
            assert_eq!(
                doc.meta, meta,
                "{}: stored metadata of {id} matches the document",
                n.config.name
            );
            let value = doc.any_value().unwrap();
            match (&value, me.role) {
                (
                    KindValue::Family(_) | KindValue::CareContract(_) | KindValue::Group(_),
                    NodeRole::Traeger,
                ) => {
                    assert_eq!(
                        meta.provider, me.provider,
                        "{}: personal data of another Träger: {id}",
                        n.config.name
                    )
                }
                (
                    KindValue::Family(_) | KindValue::CareContract(_) | KindValue::Group(_),
                    NodeRole::Kita,
                ) => {
                    assert!(
                        meta.facilities.contains(me.facility.as_ref().unwrap()),
                        "{}: another Kita's personal data: {id}",
                        n.config.name
                    )
                }
                (KindValue::Family(_) | KindValue::CareContract(_) | KindValue::Group(_), role) => {
                    panic!("{}: {role} node holds personal data {id}", n.config.name)
                }
                (KindValue::Applicant(_), role) => assert_eq!(
                    role,
                    NodeRole::City,
                    "{}: applicant data outside the city: {id}",
                    n.config.name
                ),
                (KindValue::Application(a), NodeRole::Kita) => {
                    assert!(
                        a.wishes
                            .iter()
                            .any(|w| Some(&w.facility) == me.facility.as_ref()),
                        "{}: application {id} not naming this Kita",
                        n.config.name
                    )
                }
                (KindValue::SeatLedger(l), NodeRole::Kita) => assert_eq!(
                    Some(&l.facility),
                    me.facility.as_ref(),
                    "{}: another Kita's seats",
                    n.config.name
                ),
                _ => {}
            }
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nodes_sync_over_libp2p_on_loopback_and_keep_personal_data_apart() {
    let net = Network::seeded();
    let nodes: Vec<Arc<Node>> = net.configs.iter().map(|c| net.open(&c.name)).collect();
    let sync = kitanetz_node::demo::P2pSync::start(net.dir.path(), &nodes)
        .await
        .unwrap();
    let root = kitanetz_node::demo::P2pSync::root_public_key(net.dir.path()).unwrap();
    assert!(
        sync.settle(std::time::Duration::from_secs(30)).await,
        "seeded network in sync"
    );

    // A new contract at the Kita reaches its Träger office and nobody else.
    let (kita, traeger) = kita_and_its_traeger(&nodes);
    let (child, contract) = first_child_and_contract(&kita, kita.config.facility.as_ref().unwrap());
    let input = kitanetz_node::contracts::NewContractInput {
        start: "2027-08-01".into(),
        end: String::new(),
        line: LineInput {
            care_type: "kindergarten".into(),
            daily_hours: "7".into(),
            payment_mode: "self-payer".into(),
        },
    };
    let created = kitanetz_node::contracts::create(
        &mut kita.store(),
        &caller(Role::KitaLead, &kita),
        &child.parse().unwrap(),
        &input,
        kita.clock.today(),
        20,
    )
    .unwrap();
    let new_doc = contract_doc_id(&created.id);
    assert!(sync.settle(std::time::Duration::from_secs(30)).await);
    for n in &nodes {
        let held = n.store().load_doc(&new_doc).is_ok();
        assert_eq!(
            held,
            n.config.name == kita.config.name || n.config.name == traeger.config.name,
            "{} holds the new contract: {held}",
            n.config.name
        );
    }

    // Partition: the Kita goes offline, it and its Träger office edit the same contract.
    sync.go_offline(&kita.config.name).await;
    let doc = edit_on_both_sides(&kita, &traeger, &contract, 30);
    assert!(
        sync.settle(std::time::Duration::from_secs(30)).await,
        "the others stay in sync"
    );
    let h = heads(&nodes);
    assert_ne!(
        h[&doc.0][&kita.config.name],
        h[&doc.0][&traeger.config.name]
    );
    sync.come_online(&kita.config.name, &root).await.unwrap();
    assert!(
        sync.settle(std::time::Duration::from_secs(30)).await,
        "converges after the heal"
    );
    assert_converged(&nodes);
    assert_both_edits(&traeger, &doc);
    assert_both_edits(&kita, &doc);
    assert_private(&nodes);
}

/// Reserves a seat for `application` in a Kita's own seat ledger (as the Kita lead would).
fn reserve(kita: &Node, application: &str, day: u32) {
    use kitanetz_crdt::kinds::{SeatLedger, SeatReservation, SeatStatus};
    let facility = kita.config.facility.clone().unwrap();
    let id = kitanetz_crdt::ids::doc_id_for("seats", &facility.0);
    let mut store = kita.store();
    let (mut doc, mut ledger) = store.get::<SeatLedger>(&id).unwrap();
    let month = ledger
        .months
        .iter_mut()
        .find(|m| m.occupied + (m.reservations.len() as u32) < m.places)
        .expect("a month with a free seat");
    month.reservations.push(SeatReservation {
        application: application.parse().unwrap(),
        status: SeatStatus::Reserved,
        decided_on: kitanetz_crdt::scalar::Date::ymd(2026, 11, day),
    });
    doc.update(&ledger, kita.clock.today(), 40, "reserve")
        .unwrap();
    let entry = kitanetz_node::storage::AuditEntry {
        at: 40,
        actor: "user:lead".into(),
        action: "seat.reserve",
        target: Some(id.0.clone()),
        subjects: vec![],
        valid_from: None,
    };
    store.save_doc(&mut doc, &entry).unwrap();
}

#[test]
fn two_kitas_reserving_one_child_offline_become_a_conflict_at_the_city() {
    let net = Network::seeded();
    let nodes: Vec<Arc<Node>> = net.configs.iter().map(|c| net.open(&c.name)).collect();
    let city = nodes
        .iter()
        .find(|n| n.config.role == NodeRole::City)
        .unwrap()
        .clone();
    let kitas: Vec<Arc<Node>> = nodes
        .iter()
        .filter(|n| n.config.role == NodeRole::Kita)
        .cloned()
        .collect();
    let application: String = city
        .store()
        .conn()
        .query_row(
            "SELECT id FROM p_applications ORDER BY id LIMIT 1",
            [],
            |r| r.get(0),
        )
        .unwrap();
    let sync = kitanetz_node::sync::LocalSync::start(nodes.clone());
    assert!(kitanetz_node::conflicts::list(&city.store())
        .unwrap()
        .is_empty());

    // Both Kitas are cut off and each reserves a place for the same application.
    sync.go_offline(&kitas[0].config.name);
    sync.go_offline(&kitas[1].config.name);
    reserve(&kitas[0], &application, 5);
    reserve(&kitas[1], &application, 3);
    sync.settle();
    assert!(
        kitanetz_node::conflicts::list(&city.store())
            .unwrap()
            .is_empty(),
        "the city cannot know yet"
    );
    sync.come_online(&kitas[0].config.name);
    sync.come_online(&kitas[1].config.name);
    sync.settle();

    let conflicts = kitanetz_node::conflicts::list(&city.store()).unwrap();
    assert_eq!(conflicts.len(), 1, "{conflicts:?}");
    assert_eq!(conflicts[0].application.0, application);
    assert_eq!(
        conflicts[0].holds.len(),
        2,
        "nothing dropped: both reservations are there"
    );
    assert_eq!(
        &conflicts[0].default_keeper,
        kitas[1].config.facility.as_ref().unwrap(),
        "the earlier reservation stands by default"
    );
    // Each Kita still has its own reservation: the city decides, nobody's data was overwritten.
    for k in &kitas[..2] {
        let id = kitanetz_crdt::ids::doc_id_for("seats", &k.config.facility.as_ref().unwrap().0);
        let (_, ledger) = k
            .store()
            .get::<kitanetz_crdt::kinds::SeatLedger>(&id)
            .unwrap();
        assert!(ledger.months.iter().any(|m| m
            .reservations
            .iter()
            .any(|r| r.application.0 == application)));
    }
}
