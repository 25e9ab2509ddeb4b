//! Sync between the nodes' real SQLite stores over the in-process transport: convergence,
//! offline work with concurrent edits, data minimisation.

use kitanetz_crdt::kinds::{CareType, PaymentMode};
use kitanetz_crdt::policy::{may_hold, NodeRole};
use kitanetz_crdt::DocId;
use kitanetz_node::auth::{Caller, Principal, Role};
use kitanetz_node::clock::Now;
use kitanetz_node::contracts::{change, contract_doc_id, ContractChange, LineCommand};
use kitanetz_node::sync::LocalNet;
use kitanetz_node::Node;
use kitanetz_tests::{first_child_and_contract, Network};
use std::collections::BTreeMap;
use std::sync::Arc;

fn caller(role: Role, node: &Node) -> Principal {
    Principal::Staff(Caller {
        user_id: 1,
        username: format!("{}-user", node.config.name),
        display_name: "Test".into(),
        role,
        organisation: node.config.organisation.clone(),
        provider: node.config.provider.clone(),
        facility: node.config.facility.clone(),
        childminder: None,
    })
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

/// Changes `contract` on `node` as `role`, from `from` on: Kindergarten, `hours` a day.
fn change_contract(
    node: &Node,
    role: Role,
    contract: &str,
    from: &str,
    hours: &str,
    at: i64,
) -> Result<kitanetz_crdt::kinds::CareContract, kitanetz_node::action::ActionError> {
    let input = ContractChange {
        valid_from: from.parse().unwrap(),
        line: LineCommand {
            care_type: CareType::Kindergarten,
            daily_hours: hours.parse().unwrap(),
            payment_mode: PaymentMode::DirectDebit,
        },
    };
    change(
        &mut node.store(),
        &caller(role, node),
        &contract.parse().unwrap(),
        &input,
        Now {
            today: node.clock.today(),
            millis: at,
        },
    )
}

/// The Kita (offline) and its Träger office change the same contract from different months.
/// Returns the contract's document id.
fn edit_on_both_sides(kita: &Node, traeger: &Node, contract: &str, at: i64) -> DocId {
    change_contract(kita, Role::KitaLead, contract, "2027-02-01", "6", at).unwrap();
    change_contract(
        traeger,
        Role::TraegerAdmin,
        contract,
        "2027-05-01",
        "8",
        at + 1,
    )
    .unwrap();
    contract_doc_id(&contract.parse().unwrap())
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
    let nodes: Vec<Arc<Node>> = net.open_all();
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
        assert_eq!(rows as usize, merged.effective_lines().len());
        // Read as changes from a date, both hold: the Kita's until the Träger's starts.
        let read: Vec<String> = merged
            .effective_lines()
            .iter()
            .map(|l| l.valid.to_string())
            .collect();
        assert!(
            read.iter()
                .any(|p| p.starts_with("2027-02-01") && p.contains("2027-04-30")),
            "{read:?}"
        );
    }
    // The merged contract can be changed again (before, its overlapping lines refused it).
    change_contract(&kita, Role::KitaLead, &contract, "2027-08-01", "7", 20)
        .expect("a merged contract takes the next change");
}

#[test]
fn two_changes_of_one_contract_from_the_same_day_become_a_task_for_the_kita() {
    let net = Network::seeded();
    let nodes: Vec<Arc<Node>> = net.open_all();
    let (kita, traeger) = kita_and_its_traeger(&nodes);
    let mut local = LocalNet::new(&nodes);
    local.connect_all();
    local.run_until_quiet(0);
    local.go_offline(&kita.config.name);
    let facility = kita.config.facility.clone().unwrap();
    let (_, contract) = first_child_and_contract(&kita, &facility);
    let change_from_may = |node: &Node, role: Role, hours: &str, at: i64| {
        change_contract(node, role, &contract, "2027-05-01", hours, at).unwrap();
    };
    change_from_may(&kita, Role::KitaLead, "6", 10);
    change_from_may(&traeger, Role::TraegerAdmin, "8", 11);
    let doc = contract_doc_id(&contract.parse().unwrap());
    local.local_change(&kita.config.name, &doc);
    local.local_change(&traeger.config.name, &doc);
    local.come_online(&kita.config.name);
    local.run_until_quiet(12);
    assert_converged(&nodes);

    let tasks = |n: &Node| {
        kitanetz_node::conflicts::held_conflicts(&n.store(), Some(&facility))
            .unwrap()
            .contracts
    };
    let found = tasks(&kita);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].days[0].to_string(), "2027-05-01");
    // The lead enters the change from that day again: it replaces both, the task is done.
    change_from_may(&kita, Role::KitaLead, "7", 13);
    local.local_change(&kita.config.name, &doc);
    local.run_until_quiet(14);
    assert!(tasks(&kita).is_empty());
    assert!(tasks(&traeger).is_empty());
    assert_converged(&nodes);
}

#[test]
fn an_erased_family_does_not_come_back_through_sync() {
    let net = Network::seeded();
    let nodes: Vec<Arc<Node>> = net.open_all();
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
            let mut doc = store.load_doc(&id).unwrap();
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
    let nodes: Vec<Arc<Node>> = net.open_all();
    let sync = kitanetz_node::demo::P2pSync::start(net.dir.path(), &nodes, None)
        .await
        .unwrap();
    assert!(
        sync.settle(std::time::Duration::from_secs(30)).await,
        "seeded network in sync"
    );

    // A new contract at the Kita reaches its Träger office and nobody else.
    let (kita, traeger) = kita_and_its_traeger(&nodes);
    let (_, contract) = first_child_and_contract(&kita, kita.config.facility.as_ref().unwrap());
    // A child whose contracts have all ended gets a new one from the month after (a child has
    // one contract at a time).
    let (child, after): (String, String) = kita
        .store()
        .conn()
        .query_row(
            "SELECT child, date(MAX(end), '+1 month', 'start of month') FROM p_contracts
             GROUP BY child HAVING SUM(end IS NULL) = 0 ORDER BY child LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .expect("a child whose contract ended");
    let input = kitanetz_node::contracts::NewContract {
        start: after.parse().unwrap(),
        end: None,
        line: LineCommand {
            care_type: CareType::Kindergarten,
            daily_hours: "7".parse().unwrap(),
            payment_mode: PaymentMode::SelfPayer,
        },
    };
    let created = kitanetz_node::contracts::create(
        &mut kita.store(),
        &caller(Role::KitaLead, &kita),
        &child.parse().unwrap(),
        &input,
        kita.now(),
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
    sync.come_online(&kita.config.name).await.unwrap();
    assert!(
        sync.settle(std::time::Duration::from_secs(30)).await,
        "converges after the heal"
    );
    assert_converged(&nodes);
    assert_both_edits(&traeger, &doc);
    assert_both_edits(&kita, &doc);
    assert_private(&nodes);
}

/// An application that two Kitas with nodes both can reserve (it names both, and both have a
/// free seat of its care type in some month), with that month and the Kita's handle per Kita.
fn application_for_two_kitas(
    city: &Node,
    kitas: &[Arc<Node>],
) -> (String, [(Arc<Node>, String, String); 2]) {
    use kitanetz_crdt::kinds::{Application, SeatLedger};
    let ledger = |k: &Node| {
        k.store()
            .get::<SeatLedger>(&kitanetz_node::seats::ledger_doc_id(
                k.config.facility.as_ref().unwrap(),
            ))
            .unwrap()
            .1
    };
    let free_month = |l: &SeatLedger, a: &Application| {
        l.months
            .iter()
            .find(|m| m.care_type == a.care_type && m.free() > 0)
            .map(|m| m.month.to_string())
    };
    let applications = city.store().values_of_kind::<Application>().unwrap();
    for a in &applications {
        let candidates: Vec<(Arc<Node>, String, String)> = kitas
            .iter()
            .filter_map(|k| {
                let facility = k.config.facility.as_ref().unwrap();
                let wish = a.wishes.iter().find(|w| &w.facility == facility)?;
                free_month(&ledger(k), a).map(|m| (k.clone(), m, wish.handle.to_string()))
            })
            .collect();
        if let [x, y, ..] = candidates.as_slice() {
            return (a.id.0.clone(), [x.clone(), y.clone()]);
        }
    }
    panic!("no application names two Kitas with nodes and free seats");
}

fn login(node: &Node, role: Role) -> String {
    login_as(node, role, "")
}

/// A new user of `role` on `node` (`who` tells several apart) and a session for it.
fn login_as(node: &Node, role: Role, who: &str) -> String {
    use kitanetz_crdt::ids::{city_org, facility_org};
    let c = &node.config;
    let org = match role {
        Role::Zvs => city_org(),
        _ => facility_org(c.facility.as_ref().unwrap()),
    };
    kitanetz_tests::add_user(
        node,
        &format!("{}-{}{who}", c.name, role.as_str()),
        role,
        org,
        c.provider.clone(),
        c.facility.clone(),
    )
    .token
}

async fn api(
    node: &Arc<Node>,
    token: &str,
    method: &str,
    path: &str,
    body: Option<String>,
) -> (axum::http::StatusCode, serde_json::Value) {
    let router = kitanetz_node::http::router(node.clone());
    let (status, text) = kitanetz_tests::call(
        &router,
        method.parse().unwrap(),
        path,
        Some(token),
        body.map(|b| ("application/json", b)),
    )
    .await;
    (status, serde_json::from_str(&text).unwrap_or_default())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_place_given_twice_offline_is_decided_by_the_zvs_and_released_by_the_kita() {
    let net = Network::seeded();
    let nodes: Vec<Arc<Node>> = net.open_all();
    let city = kitanetz_tests::city_of(&nodes);
    let kitas: Vec<Arc<Node>> = nodes
        .iter()
        .filter(|n| n.config.role == NodeRole::Kita)
        .cloned()
        .collect();
    let (application, [(kita_a, month_a, handle_a), (kita_b, month_b, handle_b)]) =
        application_for_two_kitas(&city, &kitas);
    // Each Kita knows the child only by its own handle: no application, no other Kita's handle.
    for (kita, own, other) in [
        (&kita_a, &handle_a, &handle_b),
        (&kita_b, &handle_b, &handle_a),
    ] {
        let store = kita.store();
        assert!(store
            .values_of_kind::<kitanetz_crdt::kinds::Application>()
            .unwrap()
            .is_empty());
        let wishes = store
            .values_of_kind::<kitanetz_crdt::kinds::ApplicationWish>()
            .unwrap();
        assert!(wishes.iter().any(|w| w.handle.as_str() == own));
        assert!(!wishes.iter().any(|w| w.handle.as_str() == other));
        let text = serde_json::to_string(&wishes).unwrap();
        assert!(
            !text.contains(&application),
            "no application id at the Kita"
        );
    }
    let zvs = login(&city, Role::Zvs);
    let (lead_a, lead_b) = (
        login(&kita_a, Role::KitaLead),
        login(&kita_b, Role::KitaLead),
    );
    let sync = kitanetz_node::sync::LocalSync::start(nodes.clone());
    let conflicts = |n: &Arc<Node>| {
        kitanetz_node::conflicts::held_conflicts(&n.store(), n.config.facility.as_ref()).unwrap()
    };
    assert!(conflicts(&city).is_empty());
    // The ZVS finds the application behind a Kita's handle (a Kita lead calls about it).
    let (status, found) = api(&city, &zvs, "GET", &format!("/api/wishes/{handle_a}"), None).await;
    assert_eq!(status, 200, "{found}");
    assert_eq!(found["application"], application.as_str());
    assert_eq!(
        found["facility"],
        kita_a.config.facility.as_ref().unwrap().0.as_str()
    );
    let (status, _) = api(&city, &zvs, "GET", "/api/wishes/0000ffff", None).await;
    assert_eq!(status, 404, "an unknown handle");
    let (status, _) = api(
        &kita_a,
        &lead_a,
        "GET",
        &format!("/api/wishes/{handle_a}"),
        None,
    )
    .await;
    assert_eq!(status, 403, "a Kita lead cannot look a handle up");

    // Both Kitas are cut off and each lead reserves a seat for the same application.
    sync.go_offline(&kita_a.config.name);
    sync.go_offline(&kita_b.config.name);
    let reserve = |kita: &Arc<Node>, token: &str, month: &str, handle: &str| {
        let body = format!(r#"{{"wish":"{handle}","month":"{month}"}}"#);
        let (kita, token) = (kita.clone(), token.to_string());
        async move { api(&kita, &token, "POST", "/api/seats/reservations", Some(body)).await }
    };
    let (status, body) = reserve(&kita_b, &lead_b, &month_b, &handle_b).await;
    assert_eq!(status, 200, "{body}");
    let (status, body) = reserve(&kita_a, &lead_a, &month_a, &handle_a).await;
    assert_eq!(status, 200, "{body}");
    let (status, body) = reserve(&kita_a, &lead_a, &month_a, &handle_b).await;
    assert_eq!(status, 422, "another Kita's handle is unknown here: {body}");
    let (status, body) = reserve(&kita_a, &lead_a, &month_a, &handle_a).await;
    assert_eq!(status, 422, "a Kita holds an application once: {body}");
    sync.settle();
    assert!(conflicts(&city).is_empty(), "the city cannot know yet");
    sync.come_online(&kita_a.config.name);
    sync.come_online(&kita_b.config.name);
    sync.settle();

    let (status, listed) = api(&city, &zvs, "GET", "/api/conflicts", None).await;
    assert_eq!(status, 200);
    let double = listed["double_places"].as_array().unwrap();
    assert_eq!(double.len(), 1, "{listed}");
    assert_eq!(double[0]["application"], application.as_str());
    assert_eq!(
        double[0]["holds"].as_array().unwrap().len(),
        2,
        "nothing dropped"
    );
    let default_keeper = double[0]["default_keeper"].as_str().unwrap().to_string();
    // Both reservations were decided on the same day: the smaller facility id stands.
    let mut facilities = [
        kita_a.config.facility.clone().unwrap().0,
        kita_b.config.facility.clone().unwrap().0,
    ];
    facilities.sort();
    assert_eq!(default_keeper, facilities[0]);
    assert!(
        conflicts(&kita_a).release_tasks.is_empty(),
        "no decision yet"
    );

    // The ZVS decides for the other Kita than the default; the decision reaches both Kitas.
    let keeper = facilities[1].clone();
    let (status, body) = api(
        &city,
        &zvs,
        "POST",
        "/api/conflicts/decisions",
        Some(format!(
            r#"{{"application":"{application}","keeper":"{keeper}","note":"Geschwisterkind"}}"#
        )),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let (status, body) = api(
        &city,
        &zvs,
        "POST",
        "/api/conflicts/decisions",
        Some(format!(
            r#"{{"application":"{application}","keeper":"fac-elsewhere"}}"#
        )),
    )
    .await;
    assert_eq!(status, 422, "only a Kita involved can keep it: {body}");
    sync.settle();
    let (loser, loser_token, loser_handle, winner, winner_handle) =
        if kita_a.config.facility.as_ref().unwrap().0 == keeper {
            (&kita_b, &lead_b, &handle_b, &kita_a, &handle_a)
        } else {
            (&kita_a, &lead_a, &handle_a, &kita_b, &handle_b)
        };
    let tasks = conflicts(loser).release_tasks;
    assert_eq!(tasks.len(), 1, "the Kita that lost gets a task: {tasks:?}");
    assert_eq!(tasks[0].note, "Geschwisterkind");
    assert_eq!(tasks[0].handle.as_str(), loser_handle.as_str());
    let decisions = loser
        .store()
        .values_of_kind::<kitanetz_crdt::kinds::ConflictDecision>()
        .unwrap();
    assert_eq!(decisions.len(), 1, "only its own decision reaches a Kita");
    assert!(!serde_json::to_string(&decisions).unwrap().contains(&keeper));
    assert!(conflicts(winner).release_tasks.is_empty());
    let (_, page) = kitanetz_tests::call(
        &kitanetz_node::http::router(loser.clone()),
        axum::http::Method::GET,
        "/conflicts",
        Some(loser_token),
        None,
    )
    .await;
    assert!(
        page.contains("release-tasks"),
        "the task is shown to the Kita lead"
    );
    assert!(
        !conflicts(&city).double_places.is_empty(),
        "still a conflict until the Kita releases"
    );

    // The lead releases; the conflict is gone everywhere, the keeper still holds its seat.
    let (status, body) = api(
        loser,
        loser_token,
        "POST",
        "/api/seats/releases",
        Some(format!(r#"{{"wish":"{loser_handle}"}}"#)),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    sync.settle();
    for n in [&city, &kita_a, &kita_b] {
        assert!(
            conflicts(n).is_empty(),
            "{}: {:?}",
            n.config.name,
            conflicts(n)
        );
    }
    let ledger = winner
        .store()
        .get::<kitanetz_crdt::kinds::SeatLedger>(&kitanetz_node::seats::ledger_doc_id(
            winner.config.facility.as_ref().unwrap(),
        ))
        .unwrap()
        .1;
    assert!(ledger.hold_of(&winner_handle.parse().unwrap()).is_some());

    // Days later the keeper gives the place up and the other Kita reserves again: the old
    // decision does not tell it to release the child's only place.
    net.clock.advance(chrono::Duration::days(3));
    let (winner_token, loser_token) = (
        login_as(winner, Role::KitaLead, "-later"),
        login_as(loser, Role::KitaLead, "-later"),
    );
    let (status, body) = api(
        winner,
        &winner_token,
        "POST",
        "/api/seats/releases",
        Some(format!(r#"{{"wish":"{winner_handle}"}}"#)),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let loser_month = if std::ptr::eq(loser, &kita_a) {
        &month_a
    } else {
        &month_b
    };
    let (status, body) = reserve(loser, &loser_token, loser_month, loser_handle).await;
    assert_eq!(status, 200, "{body}");
    sync.settle();
    for n in [&city, &kita_a, &kita_b] {
        assert!(
            conflicts(n).is_empty(),
            "{}: {:?}",
            n.config.name,
            conflicts(n)
        );
    }
    assert_converged(&nodes);
    assert_private(&nodes);
}

#[test]
fn only_what_a_nodes_users_change_is_announced_as_its_change() {
    let net = Network::seeded();
    let nodes: Vec<Arc<Node>> = net.open_all();
    let (kita, traeger) = kita_and_its_traeger(&nodes);
    let mut local = LocalNet::new(&nodes);
    local.connect_all();
    local.run_until_quiet(0);
    let mut watcher = kitanetz_node::sync::ChangeWatcher::default();
    watcher.record(&kita);
    watcher.record(&traeger);
    assert!(
        watcher.take_changed(&kita).is_empty(),
        "seeded data is no change"
    );

    let (_, contract) = first_child_and_contract(&kita, kita.config.facility.as_ref().unwrap());
    change_contract(&kita, Role::KitaLead, &contract, "2027-02-01", "6", 10).unwrap();
    let doc = contract_doc_id(&contract.parse().unwrap());
    assert_eq!(
        watcher.changed(&kita),
        std::slice::from_ref(&doc),
        "pending until taken"
    );
    assert_eq!(watcher.take_changed(&kita), std::slice::from_ref(&doc));
    assert!(watcher.take_changed(&kita).is_empty(), "taken once");

    // The Träger office receives the change: new heads there, but not its own change.
    local.local_change(&kita.config.name, &doc);
    local.run_until_quiet(11);
    assert_converged(&nodes);
    assert!(watcher.take_changed(&traeger).is_empty());
}

#[test]
fn a_kita_restored_from_its_backup_catches_up_with_its_traeger() {
    let net = Network::seeded();
    let nodes: Vec<Arc<Node>> = net.open_all();
    let (kita, traeger) = kita_and_its_traeger(&nodes);
    let mut local = LocalNet::new(&nodes);
    local.connect_all();
    local.run_until_quiet(0);
    assert_converged(&nodes);
    let kita_dir = net.node_dir(&kita.config.name);
    let elsewhere = tempfile::tempdir().unwrap();
    let backup_dir = elsewhere.path().join("backup");

    // Online: the node is open while the backup is taken.
    let manifest = kitanetz_node::backup::backup(&kita_dir, &backup_dir, None, chrono::Utc::now())
        .expect("backup");
    assert_eq!(manifest.node, kita.config.name);
    let files: Vec<&str> = manifest.files.iter().map(|f| f.path.as_str()).collect();
    assert!(
        files.contains(&"node.db") && files.contains(&"node.toml"),
        "{files:?}"
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(backup_dir.join("node.db"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600, "the copy is as private as the node");
    }
    // A backup never lands on something that is there.
    assert!(
        kitanetz_node::backup::backup(&kita_dir, &backup_dir, None, chrono::Utc::now()).is_err()
    );

    // After the backup the Kita changes a contract; the change reaches its Träger.
    let (_, contract) = first_child_and_contract(&kita, kita.config.facility.as_ref().unwrap());
    change_contract(&kita, Role::KitaLead, &contract, "2027-02-01", "6", 10).unwrap();
    let doc = contract_doc_id(&contract.parse().unwrap());
    local.local_change(&kita.config.name, &doc);
    local.run_until_quiet(12);
    let has_change = |node: &Node| {
        let (_, c) = node
            .store()
            .get::<kitanetz_crdt::kinds::CareContract>(&doc)
            .unwrap();
        c.lines
            .iter()
            .any(|l| l.valid.start().to_string() == "2027-02-01")
    };
    assert!(has_change(&traeger));

    // The Kita's disk is lost. A changed backup file is refused and nothing is written.
    drop(local);
    let restored_dir = elsewhere.path().join("restored");
    let toml = backup_dir.join("node.toml");
    let original = std::fs::read(&toml).unwrap();
    std::fs::write(&toml, [original.as_slice(), b"\n# changed\n"].concat()).unwrap();
    let refused = kitanetz_node::backup::restore(&backup_dir, &restored_dir, None).unwrap_err();
    assert!(refused.to_string().contains("node.toml"), "{refused}");
    assert!(!restored_dir.join("node.db").exists());
    std::fs::write(&toml, original).unwrap();
    // Not over an existing node either.
    assert!(kitanetz_node::backup::restore(&backup_dir, &kita_dir, None).is_err());

    let restored =
        kitanetz_node::backup::restore(&backup_dir, &restored_dir, None).expect("restore");
    assert!(restored.documents > 0);
    let back = Node::open(&restored_dir, Arc::new(net.clock.clone())).unwrap();
    assert!(!has_change(&back), "the backup is from before the change");
    let sessions: i64 = back
        .store()
        .conn()
        .query_row("SELECT COUNT(*) FROM sessions", [], |r| r.get(0))
        .unwrap();
    assert_eq!(sessions, 0, "nobody is logged in by an old session");

    // Before it reconnects, the restored Kita already works (a new automerge actor keeps its
    // changes apart from the lost node's). Back in the network it gets its own later change
    // from the Träger, and its new change travels the other way.
    change_contract(&back, Role::KitaLead, &contract, "2027-06-01", "7", 30).unwrap();
    let network: Vec<Arc<Node>> = nodes
        .iter()
        .map(|n| {
            if n.config.name == kita.config.name {
                back.clone()
            } else {
                n.clone()
            }
        })
        .collect();
    let mut local = LocalNet::new(&network);
    local.connect_all();
    local.local_change(&kita.config.name, &doc);
    local.run_until_quiet(32);
    assert!(local.refusals.is_empty(), "{:?}", local.refusals);
    assert_converged(&network);
    for node in [&back, &traeger] {
        assert!(
            has_change(node),
            "{}: the change made after the backup",
            node.config.name
        );
        let (_, c) = node
            .store()
            .get::<kitanetz_crdt::kinds::CareContract>(&doc)
            .unwrap();
        assert!(
            c.lines
                .iter()
                .any(|l| l.valid.start().to_string() == "2027-06-01"),
            "{}: the restored node's change",
            node.config.name
        );
    }
}

/// Hardening finding (issue 13 item 6): a contract from the year 1 or 10000 was accepted, and a
/// second contract for a child already in care. Each is refused with the field named; nothing
/// is written.
#[test]
fn implausible_dates_and_a_second_contract_at_the_same_time_are_refused() {
    let net = Network::seeded();
    let kita = net.open(&net.kitas()[0].name);
    let (child, contract) = first_child_and_contract(&kita, kita.config.facility.as_ref().unwrap());
    let child = child.parse().unwrap();
    let lead = caller(Role::KitaLead, &kita);
    let line = LineCommand {
        care_type: CareType::Kindergarten,
        daily_hours: "7".parse().unwrap(),
        payment_mode: PaymentMode::SelfPayer,
    };
    let contracts = || {
        kita.store()
            .values_of_kind::<kitanetz_crdt::kinds::CareContract>()
            .unwrap()
            .len()
    };
    let before = contracts();
    let refused_field = |start: &str, end: Option<&str>| {
        let input = kitanetz_node::contracts::NewContract {
            start: start.parse().unwrap(),
            end: end.map(|e| e.parse().unwrap()),
            line: line.clone(),
        };
        match kitanetz_node::contracts::create(&mut kita.store(), &lead, &child, &input, kita.now())
        {
            Err(kitanetz_node::action::ActionError::Invalid(e)) => {
                e.errors.iter().map(|f| f.field.clone()).collect::<Vec<_>>()
            }
            other => panic!("{start}: expected a field error, got {other:?}"),
        }
    };
    assert!(refused_field("0001-01-01", None).contains(&"start".to_string()));
    assert!(refused_field("2027-01-01", Some("9999-12-31")).contains(&"end".to_string()));
    assert!(
        refused_field("2040-01-01", None).contains(&"start".to_string()),
        "years ahead"
    );
    assert!(
        refused_field("2027-01-01", None).contains(&"start".to_string()),
        "the child has a contract then"
    );
    assert_eq!(contracts(), before, "nothing written");
    // A change from the year 10000 is refused too.
    let changed = change(
        &mut kita.store(),
        &lead,
        &contract.parse().unwrap(),
        &ContractChange {
            valid_from: kitanetz_crdt::scalar::Date::ymd(10000, 1, 1),
            line,
        },
        kita.now(),
    );
    assert!(changed.is_err());
}

/// Waits (ticking the demo's links) until `done` holds; false after `limit`.
async fn ticks_until(
    sync: &kitanetz_node::demo::P2pSync,
    limit: std::time::Duration,
    mut done: impl FnMut() -> bool,
) -> bool {
    let started = std::time::Instant::now();
    while started.elapsed() < limit {
        sync.tick().await;
        if done() {
            return true;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    false
}

/// Every document `of` holds that `desk` may hold is in `desk` with the same heads — but those
/// of organisations whose node `desk` has no link with (`linked`): the demo seed wrote them, so
/// they carry no writer's signature and no other node may pass them on. (A real document is
/// created at its writer's node and signed when first offered, so it is relayed.)
fn holds_what(desk: &Node, of: &Node, linked: &[&Arc<Node>]) -> bool {
    let with_node: Vec<_> = linked
        .iter()
        .map(|n| n.config.organisation.clone())
        .collect();
    let theirs: BTreeMap<String, Vec<String>> = of
        .store()
        .doc_rows()
        .unwrap()
        .into_iter()
        .map(|r| (r.doc_id, r.heads))
        .collect();
    let metas = of.store().doc_metas().unwrap();
    let mine: BTreeMap<String, Vec<String>> = desk
        .store()
        .doc_rows()
        .unwrap()
        .into_iter()
        .map(|r| (r.doc_id, r.heads))
        .collect();
    let membership = desk.config.membership();
    metas
        .iter()
        .filter(|(_, meta)| may_hold(&membership, meta) && with_node.contains(&meta.owner))
        .all(|(id, _)| mine.get(&id.0) == theirs.get(&id.0))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_kita_enrolled_from_a_file_syncs_both_ways_and_catches_up_after_working_offline() {
    use kitanetz_node::enrolment::{enrol, Enrolment, FirstAccount};
    use kitanetz_node::links::{LinkSettings, NodeLinks};
    let wait = std::time::Duration::from_secs(30);
    let net = Network::seeded();
    let nodes: Vec<Arc<Node>> = net.open_all();
    let sync = kitanetz_node::demo::P2pSync::start(net.dir.path(), &nodes, None)
        .await
        .unwrap();
    assert!(sync.settle(wait).await, "seeded network in sync");

    // The city's side: an enrolment file for a desktop node of the first Träger's first Kita.
    let (file, kita_name) = sync.write_desktop_enrolment(net.dir.path()).await.unwrap();
    let kita = nodes
        .iter()
        .find(|n| n.config.name == kita_name)
        .unwrap()
        .clone();
    let traeger = nodes
        .iter()
        .find(|n| n.config.role == NodeRole::Traeger && n.config.provider == kita.config.provider)
        .unwrap()
        .clone();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&file).unwrap().permissions().mode();
        assert_eq!(
            mode & 0o077,
            0,
            "the enrolment file holds a key: owner-only"
        );
    }

    // The Kita's side: enrol a fresh directory, as the desktop's assistant does.
    let desk_dir = net.dir.path().join("desktop");
    let enrolment = Enrolment::parse(&std::fs::read(&file).unwrap()).unwrap();
    let lead = FirstAccount {
        username: "leitung".into(),
        display_name: "Anna Leitung".into(),
        password: kitanetz_tests::PASSWORD.into(),
        password_repeat: kitanetz_tests::PASSWORD.into(),
    };
    let wall_clock = chrono::Utc::now().timestamp_millis();
    let config = enrol(&desk_dir, &enrolment, &lead, wall_clock).unwrap();
    assert_eq!(config.facility, kita.config.facility);
    assert_eq!(config.name, format!("{kita_name}-desktop"));
    let desk = Node::open(&desk_dir, Arc::new(net.clock.clone())).unwrap();
    assert_eq!(
        desk.store().doc_rows().unwrap().len(),
        0,
        "nothing seeded: the Kita's data comes from its peers"
    );
    // The desktop dials its office, the Kita's server node and the city through the office.
    let city = kitanetz_tests::city_of(&nodes);
    let linked = [&kita, &traeger, &city];
    let settings = LinkSettings::from_config(&desk).unwrap().expect("[p2p]");
    assert_eq!(settings.peers.len(), 3, "{:?}", settings.peers);
    assert!(
        settings.peers[1].to_string().contains("/p2p-circuit/"),
        "the city through the office's relay: {}",
        settings.peers[1]
    );
    let links = NodeLinks::start(
        desk.clone(),
        settings,
        std::time::Duration::from_millis(200),
    )
    .await
    .unwrap();
    let synced = ticks_until(&sync, wait, || {
        holds_what(&desk, &kita, &linked) && holds_what(&desk, &traeger, &linked)
    })
    .await;
    let held = desk.store().doc_rows().unwrap().len();
    let at_kita = kita.store().doc_rows().unwrap().len();

    assert!(
        synced,
        "the desktop holds everything its Kita may hold, from its peers: {held} documents, {at_kita} at the Kita; status {:?}",
        desk.sync_status()
    );
    assert!(!desk.cut_off(), "online: no banner");

    // A change at the Träger office reaches the desktop.
    let (_, contract) = first_child_and_contract(&desk, desk.config.facility.as_ref().unwrap());
    change_contract(
        &traeger,
        Role::TraegerAdmin,
        &contract,
        "2027-05-01",
        "8",
        10,
    )
    .unwrap();
    let doc = contract_doc_id(&contract.parse().unwrap());
    assert!(
        ticks_until(&sync, wait, || holds_what(&desk, &traeger, &linked)).await,
        "the Träger's change arrived"
    );
    let (_, at_desk) = desk
        .store()
        .get::<kitanetz_crdt::kinds::CareContract>(&doc)
        .unwrap();
    assert!(at_desk
        .lines
        .iter()
        .any(|l| l.valid.start().to_string() == "2027-05-01"));

    // Offline: the desktop works on (the banner shows what waits) and catches up afterwards.
    links.go_offline().await;
    assert!(desk.cut_off(), "offline: the banner shows");
    change_contract(&desk, Role::KitaLead, &contract, "2027-02-01", "6", 20).unwrap();
    links.go_online(&[]).await.unwrap();
    assert!(
        ticks_until(&sync, wait, || {
            holds_what(&traeger, &desk, &linked)
                && holds_what(&kita, &desk, &linked)
                && holds_what(&desk, &traeger, &linked)
        })
        .await,
        "the offline change reached the Träger office and the Kita's other node"
    );
    assert_both_edits(&traeger, &doc);
    assert_both_edits(&desk, &doc);
    let mut all = nodes.clone();
    all.push(desk.clone());
    assert_private(&all);
    links.go_offline().await;
}

/// Ticks the given links until `done` holds; false after `limit`.
async fn links_tick_until(
    links: &[Arc<kitanetz_node::links::NodeLinks>],
    limit: std::time::Duration,
    mut done: impl FnMut() -> bool,
) -> bool {
    let started = std::time::Instant::now();
    while started.elapsed() < limit {
        for l in links {
            l.tick().await;
        }
        if done() {
            return true;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    false
}

fn doc_heads(node: &Node, doc: &DocId) -> Vec<String> {
    node.store()
        .doc_rows()
        .unwrap()
        .into_iter()
        .find(|r| r.doc_id == doc.0)
        .map(|r| r.heads)
        .unwrap_or_default()
}

fn connected_to(links: &kitanetz_node::links::NodeLinks) -> Vec<String> {
    use kitanetz_node::sync::SyncStatusSource;
    links
        .status("")
        .peers
        .into_iter()
        .filter(|p| p.connected)
        .map(|p| p.name)
        .collect()
}

/// The city, the first Kita's Träger office and that Kita of a seeded network.
fn city_office_and_kita(net: &Network) -> (Arc<Node>, Arc<Node>, Arc<Node>) {
    let all: Vec<Arc<Node>> = net.open_all();
    let city = kitanetz_tests::city_of(&all);
    let (kita, traeger) = kita_and_its_traeger(&all);
    (city, traeger, kita)
}

/// Links for `nodes` on loopback, with keys and certificates as the city's administration
/// machine issues them (no peers yet: `go_online` names them).
fn certified_links(
    net: &Network,
    nodes: &[Arc<Node>],
) -> Vec<Arc<kitanetz_node::links::NodeLinks>> {
    use kitanetz_node::links::{LinkSettings, NodeLinks};
    use kitanetz_p2p::{generate_root, issue_certificate, Keypair};
    let root = generate_root(&net.dir.path().join("star-root.key")).unwrap();
    let now = chrono::Utc::now().timestamp() as u64;
    nodes
        .iter()
        .map(|n| {
            let identity = Keypair::generate_ed25519();
            let certificate = issue_certificate(
                &root,
                &identity.public().to_peer_id(),
                &n.config.name,
                n.config.membership(),
                now - 60,
                now + 86_400,
            );
            let settings = LinkSettings {
                identity,
                root: root.public_key(),
                certificate,
                listen: "/ip4/127.0.0.1/tcp/0".parse().unwrap(),
                peers: Vec::new(),
                revocations_file: None,
            };
            NodeLinks::new(n.clone(), settings, [])
        })
        .collect()
}

/// Issue 13 item 8: the Kita reaches only its Träger office, the office only the city. Changes
/// are signed by their writer's node key and verified at every hop, so the office passes on the
/// city's licence (which it may not write) and the city takes the Kita's changes from the office,
/// while a change the office makes to the city's licence itself is refused everywhere.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_kita_linked_only_to_its_traeger_converges_with_the_city_through_the_office() {
    use kitanetz_crdt::kinds::{FacilityLicence, FacilityProfile};
    use kitanetz_crdt::policy::may_write;
    use kitanetz_node::facilities::{
        change_places, licence_doc_id, profile_doc_id, update_profile, PlacesInput, ProfileInput,
    };
    let wait = std::time::Duration::from_secs(30);
    let net = Network::seeded();
    let (city, traeger, kita) = city_office_and_kita(&net);
    let facility = kita.config.facility.clone().unwrap();
    let nodes = vec![city.clone(), traeger.clone(), kita.clone()];

    let links = certified_links(&net, &nodes);
    let [city_links, office_links, kita_links] = [&links[0], &links[1], &links[2]];
    // A star: the office dials the city, the Kita dials only its office.
    city_links.go_online(&[]).await.unwrap();
    office_links
        .go_online(&city_links.listen_addrs().await)
        .await
        .unwrap();
    kita_links
        .go_online(&office_links.listen_addrs().await)
        .await
        .unwrap();
    assert!(
        links_tick_until(&links, wait, || {
            connected_to(kita_links) == [traeger.config.name.clone()]
                && connected_to(office_links).len() == 2
        })
        .await,
        "the star is up: Kita {:?}, office {:?}",
        connected_to(kita_links),
        connected_to(office_links)
    );

    // The city changes the Kita's approved places: the licence reaches the Kita through the
    // office, with the city's signature, which the office keeps to pass it on.
    let licence = licence_doc_id(&facility);
    let (_, before) = city.store().get::<FacilityLicence>(&licence).unwrap();
    let care_type = before.care_types[0].care_type;
    let places = before
        .places_on(care_type, city.now().today)
        .unwrap_or(0)
        .saturating_add(7);
    let input = PlacesInput {
        care_type: care_type.as_str().into(),
        places: places.to_string(),
        valid_from: city.now().today.to_string(),
    };
    change_places(
        &mut city.store(),
        &caller(Role::Zvs, &city),
        &facility,
        &input,
        city.now(),
    )
    .unwrap();
    assert_ne!(doc_heads(&kita, &licence), doc_heads(&city, &licence));
    assert!(
        links_tick_until(&links, wait, || doc_heads(&kita, &licence)
            == doc_heads(&city, &licence))
        .await,
        "the city's licence reached the Kita through the office"
    );
    let (mut at_kita, licence_at_kita) = kita.store().get::<FacilityLicence>(&licence).unwrap();
    assert_eq!(
        licence_at_kita.places_on(care_type, kita.now().today),
        Some(places)
    );
    let heads = at_kita.heads();
    for n in [&traeger, &kita] {
        let sigs = n.store().change_signatures(&licence, &heads).unwrap();
        assert_eq!(
            sigs.len(),
            heads.len(),
            "{} keeps the city's signature",
            n.config.name
        );
        assert_eq!(
            sigs[0].writer.0,
            city_links.peer_id().to_string(),
            "signed by the city's node key"
        );
    }

    // The Kita edits its public profile: it reaches the city through the office.
    let profile = profile_doc_id(&facility);
    let (_, p) = kita.store().get::<FacilityProfile>(&profile).unwrap();
    let mut edit = ProfileInput::from_profile(&p);
    edit.phone = "0351 4711-0".into();
    assert!(update_profile(
        &mut kita.store(),
        &caller(Role::KitaLead, &kita),
        &facility,
        &edit,
        kita.now(),
    )
    .unwrap());
    assert!(
        links_tick_until(&links, wait, || doc_heads(&city, &profile)
            == doc_heads(&kita, &profile))
        .await,
        "the Kita's profile reached the city through the office"
    );
    let (_, at_city) = city.store().get::<FacilityProfile>(&profile).unwrap();
    assert_eq!(at_city.phone, "0351 4711-0");
    assert_converged(&nodes);
    assert_private(&nodes);
    assert_eq!(
        connected_to(kita_links),
        std::slice::from_ref(&traeger.config.name),
        "the Kita never linked to the city"
    );

    // The office does not gain write rights by relaying: a change it makes to the city's
    // licence itself carries no writer's signature and is refused by the city and the Kita.
    let meta = traeger.store().doc_meta(&licence).unwrap().unwrap();
    assert!(!may_write(&traeger.config.membership(), &meta));
    let city_heads = doc_heads(&city, &licence);
    {
        let mut store = traeger.store();
        let (mut doc, mut forged) = store.get::<FacilityLicence>(&licence).unwrap();
        forged.care_types[0]
            .places
            .set_from(traeger.now().today, 999);
        doc.update(&forged, traeger.now().today, traeger.now().millis, "forged")
            .unwrap();
        store
            .save_doc(
                &mut doc,
                &kitanetz_node::storage::AuditEntry {
                    at: traeger.now().millis,
                    actor: "test:forger".into(),
                    action: "test.forge",
                    target: None,
                    subjects: vec![],
                    valid_from: None,
                },
            )
            .unwrap();
    }
    assert_ne!(doc_heads(&traeger, &licence), city_heads);
    // Give the forged change time to travel (it is offered at the next tick).
    links_tick_until(&links, std::time::Duration::from_secs(3), || false).await;
    assert_eq!(
        doc_heads(&city, &licence),
        city_heads,
        "the city refused it"
    );
    assert_eq!(
        doc_heads(&kita, &licence),
        city_heads,
        "the Kita refused it"
    );
    let (_, at_kita) = kita.store().get::<FacilityLicence>(&licence).unwrap();
    assert_eq!(at_kita.places_on(care_type, kita.now().today), Some(places));
    assert_private(&nodes);
    for l in &links {
        l.go_offline().await;
    }
}

/// Issue 13 item 8, the placement traffic: a Kita behind a firewall knows only its Träger
/// office's address and links to the city through the office's relay (libp2p circuit relay v2:
/// Noise end to end between the Kita's and the city's node keys, the office sees sizes and
/// times). What the office may not hold travels that way: the Kita's seat ledger to the city,
/// the city's wish status and applicant share to the Kita. Nothing reaches the office that it
/// may not hold.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_kita_behind_a_firewall_places_with_the_city_through_its_offices_relay() {
    use kitanetz_crdt::kinds::{Application, ApplicationWish, SeatLedger};
    use kitanetz_node::applications::sequential::{advance_in_store, Which};
    use kitanetz_p2p::Protocol;
    let wait = std::time::Duration::from_secs(30);
    let net = Network::seeded();
    let (city, traeger, kita) = city_office_and_kita(&net);
    let facility = kita.config.facility.clone().unwrap();
    let nodes = vec![city.clone(), traeger.clone(), kita.clone()];
    let links = certified_links(&net, &nodes);
    let [city_links, office_links, kita_links] = [&links[0], &links[1], &links[2]];
    city_links.go_online(&[]).await.unwrap();
    let office_addrs = {
        office_links
            .go_online(&city_links.listen_addrs().await)
            .await
            .unwrap();
        office_links.listen_addrs().await
    };
    // The Kita's peers: its office, and the city through the office's relay.
    let through_office = office_addrs[0]
        .clone()
        .with(Protocol::P2p(office_links.peer_id()))
        .with(Protocol::P2pCircuit)
        .with(Protocol::P2p(city_links.peer_id()));
    let mut kita_peers = office_addrs.clone();
    kita_peers.push(through_office);
    kita_links.go_online(&kita_peers).await.unwrap();
    let mut expected = vec![city.config.name.clone(), traeger.config.name.clone()];
    expected.sort();
    assert!(
        links_tick_until(&links, wait, || {
            let mut linked = connected_to(kita_links);
            linked.sort();
            linked == expected
        })
        .await,
        "the Kita links to its office and, through it, to the city: {:?}",
        connected_to(kita_links)
    );

    // The Kita lead reserves a seat for a wish it holds, in a month with a free seat.
    let ledger_id = kitanetz_node::seats::ledger_doc_id(&facility);
    let ledger = kita.store().get::<SeatLedger>(&ledger_id).unwrap().1;
    let applications = city.store().values_of_kind::<Application>().unwrap();
    let (application, handle, month) = applications
        .iter()
        .filter(|a| a.wishes.first().is_some_and(|w| w.facility == facility))
        .find_map(|a| {
            let month = ledger
                .months
                .iter()
                .find(|m| m.care_type == a.care_type && m.free() > 0)?;
            Some((
                a.id.clone(),
                a.wishes[0].handle.to_string(),
                month.month.to_string(),
            ))
        })
        .expect("an application wishing this Kita first, with a free seat");
    let lead = login(&kita, Role::KitaLead);
    let body = format!(r#"{{"wish":"{handle}","month":"{month}"}}"#);
    let (status, answer) = api(&kita, &lead, "POST", "/api/seats/reservations", Some(body)).await;
    assert_eq!(status, 200, "{answer}");
    assert!(
        links_tick_until(&links, wait, || doc_heads(&city, &ledger_id)
            == doc_heads(&kita, &ledger_id))
        .await,
        "the Kita's seat ledger reached the city"
    );
    assert!(
        doc_heads(&traeger, &ledger_id).is_empty(),
        "the office never held the ledger"
    );

    // The city takes the reservation in: the wish's status (and the parents' contact data,
    // where they consented to forwarding) go to the Kita.
    let before: BTreeMap<String, Vec<String>> = heads(std::slice::from_ref(&city))
        .into_iter()
        .map(|(doc, per_node)| (doc, per_node.into_values().next().unwrap()))
        .collect();
    advance_in_store(&mut city.store(), Which::All, city.now()).unwrap();
    let for_the_kita_only: Vec<DocId> = heads(std::slice::from_ref(&city))
        .into_iter()
        .filter(|(doc, per_node)| before.get(doc) != per_node.values().next())
        .map(|(doc, _)| DocId(doc))
        .filter(|doc| {
            let meta = city.store().doc_meta(doc).unwrap().unwrap();
            may_hold(&kita.config.membership(), &meta)
                && !may_hold(&traeger.config.membership(), &meta)
        })
        .collect();
    assert!(
        !for_the_kita_only.is_empty(),
        "the city wrote something for the Kita alone (application {application:?})"
    );
    assert!(
        links_tick_until(&links, wait, || for_the_kita_only
            .iter()
            .all(|doc| doc_heads(&kita, doc) == doc_heads(&city, doc)))
        .await,
        "the city's placement documents reached the Kita: {for_the_kita_only:?}"
    );
    let wishes = kita.store().values_of_kind::<ApplicationWish>().unwrap();
    assert!(wishes.iter().any(|w| w.handle.to_string() == handle));
    assert!(links_tick_until(&links, wait, || heads_agree(&nodes)).await);
    assert_converged(&nodes);
    assert_private(&nodes);
    for l in &links {
        l.go_offline().await;
    }
}

/// Every document held by two of `nodes` has the same heads on both.
fn heads_agree(nodes: &[Arc<Node>]) -> bool {
    heads(nodes).values().all(|per_node| {
        let first = per_node.values().next();
        per_node.values().all(|h| Some(h) == first)
    })
}
