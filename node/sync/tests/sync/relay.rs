//! Relaying through the Träger office (issue #13 item 8): a star per Träger — the city to each
//! Träger, each Träger to its Kitas, no Kita to the city — with signed changes. What both ends
//! and the office may hold converges; forged and unsigned changes relayed by the office are
//! refused.

use crate::fixtures::*;
use crate::sim::SimNet;
use automerge::sync::Message;
use automerge::ChangeHash;
use kitanetz_crdt::kinds::{CareContract, FacilityLicence, FacilityProfile};
use kitanetz_crdt::policy::{may_hold, may_write, Membership};
use kitanetz_crdt::scalar::Date;
use kitanetz_crdt::{DocId, DocMeta};
use kitanetz_sync::fixtures::toy_pki::Root;
use kitanetz_sync::sign::{change_payload, erasure_payload};
use kitanetz_sync::{ChangeSigner, DocRepo, Msg, SignedErasure, WireSignature};
use std::collections::{BTreeMap, BTreeSet};

/// The documents each node can get in the network's topology: those it may hold and that reach
/// it from their creator over links whose every node may hold them too (no opaque forwarding).
pub fn reachable(
    net: &SimNet,
    all: &BTreeMap<DocId, DocMeta>,
) -> BTreeMap<String, BTreeSet<DocId>> {
    let names = net.names();
    let mut out: BTreeMap<String, BTreeSet<DocId>> =
        names.iter().map(|n| (n.clone(), BTreeSet::new())).collect();
    for (doc, meta) in all {
        let mut seen = BTreeSet::from([meta.origin_node.clone()]);
        let mut todo = vec![meta.origin_node.clone()];
        while let Some(n) = todo.pop() {
            for m in &names {
                if !seen.contains(m) && net.linkable(&n, m) && may_hold(&net.members[m], meta) {
                    seen.insert(m.clone());
                    todo.push(m.clone());
                }
            }
        }
        for n in seen {
            out.get_mut(&n).expect("node").insert(doc.clone());
        }
    }
    out
}

/// The star network, every document created at its owner, connected and quiet.
pub fn star_net() -> (SimNet, BTreeMap<DocId, DocMeta>) {
    let mut net = SimNet::signed(&members()).star();
    let all = populate(&mut net);
    net.connect_all();
    net.run_until_quiet();
    assert!(net.errors.is_empty(), "refusals: {:?}", net.errors);
    (net, all)
}

/// The star, and each Kita's link to the city through its office's relay (libp2p circuit relay
/// in the node): the placement documents the office may not hold (seat ledgers, wishes) travel
/// on the relayed link, so every node gets all the policy allows; besides them only the two
/// ends' own documents do, as both leave to the office what it passes on for other writers.
#[test]
fn a_relayed_link_carries_the_placement_documents_and_the_two_ends_own() {
    let mut net = SimNet::signed(&members()).star();
    let all = populate(&mut net);
    net.connect_all();
    let offices: Vec<(String, String)> = net
        .names()
        .into_iter()
        .filter(|k| k.starts_with("kita-"))
        .map(|k| {
            let office = net
                .names()
                .into_iter()
                .find(|o| net.linkable(&k, o) && o.starts_with("traeger-"))
                .expect("its office");
            (k, office)
        })
        .collect();
    for (kita, office) in &offices {
        net.connect_relayed(kita, "city", office);
    }
    net.run_until_quiet();
    assert!(net.errors.is_empty(), "refusals: {:?}", net.errors);
    for name in net.names() {
        let member = &net.members[&name];
        let allowed: BTreeSet<DocId> = all
            .iter()
            .filter(|(_, m)| may_hold(member, m))
            .map(|(d, _)| d.clone())
            .collect();
        assert_eq!(net.repo(&name).ids(), allowed, "documents at {name}");
    }
    net.assert_converged();
    let mut placement = 0;
    for (kita, office) in &offices {
        for (from, to) in [(kita.as_str(), "city"), ("city", kita.as_str())] {
            let on_link = net
                .seen_on_link
                .get(&(from.to_string(), to.to_string()))
                .cloned()
                .unwrap_or_default();
            for doc in &on_link {
                let meta = &all[doc];
                assert!(
                    !may_hold(&net.members[office], meta)
                        || may_write(&net.members[kita], meta)
                        || may_write(&net.members["city"], meta),
                    "{from} -> {to} synced {doc}, which {office} relays for its writer"
                );
            }
            placement += on_link.len();
        }
    }
    assert!(
        placement > 0,
        "the ledgers and wishes went on the relayed links"
    );
}

#[test]
fn a_kita_linked_only_to_its_traeger_converges_with_the_city() {
    let (mut net, all) = star_net();
    let reach = reachable(&net, &all);
    for name in net.names() {
        assert_eq!(net.repo(&name).ids(), reach[&name], "documents at {name}");
    }
    // The licences (the city writes them) reached every Kita through its office, which may not
    // write them: relayed with the city's signature.
    for k in ["a", "b", "c", "d"] {
        for l in ["a", "c"] {
            assert!(net
                .repo(&format!("kita-{k}"))
                .ids()
                .contains(&id(&format!("licence-{l}"))));
        }
    }
    net.assert_converged();

    // Kita a is cut off while the city changes its licence and the Kita its profile.
    net.partition("kita-a");
    net.edit::<FacilityLicence>("city", &id("licence-a"), |l| {
        l.operating_licence_date = Some(Date::ymd(2020, 3, 1));
    });
    net.edit::<FacilityProfile>("kita-a", &id("profile-a"), |p| {
        p.concept = "Waldkita".into();
    });
    net.edit::<CareContract>("traeger-1", &id("contract-a"), |c| {
        c.notice_given_on = Some(today());
    });
    net.run_until_quiet();
    net.heal("kita-a");
    net.run_until_quiet();
    assert!(net.errors.is_empty(), "refusals: {:?}", net.errors);
    net.assert_converged();
    for node in net.names() {
        let l: FacilityLicence = net.value(&node, &id("licence-a"));
        assert_eq!(
            l.operating_licence_date,
            Some(Date::ymd(2020, 3, 1)),
            "at {node}"
        );
        // The Kita's edit reached the city through its office and kita-c through two offices
        // (traeger-2 may not write profile-a: the Kita's signature carried it).
        let p: FacilityProfile = net.value(&node, &id("profile-a"));
        assert_eq!(p.concept, "Waldkita", "at {node}");
    }
    let c: CareContract = net.value("kita-a", &id("contract-a"));
    assert_eq!(c.notice_given_on, Some(today()));
}

#[test]
fn without_signing_a_star_does_not_converge() {
    // Today's rule: changes only from writers, so the office cannot pass the licence on.
    let mut net = SimNet::new(&members()).star();
    populate(&mut net);
    net.connect_all();
    net.run_until_quiet();
    assert!(!net.repo("kita-a").ids().contains(&id("licence-a")));
}

/// A change to `doc` made on `node`'s copy, as a sync message, with its hash.
fn forged_change(net: &mut SimNet, node: &str, doc: &DocId) -> (Msg, ChangeHash) {
    let am = net.repo_mut(node).doc_mut(doc).unwrap().expect("held");
    let mut copy = am.clone();
    let before = copy.get_heads();
    {
        use automerge::transaction::Transactable;
        use automerge::ReadDoc;
        let value = match copy.get(automerge::ROOT, "value").unwrap() {
            Some((_, obj)) => obj,
            None => panic!("no value"),
        };
        copy.put(&value, "operating_licence_date", "2031-01-01")
            .unwrap();
        copy.commit();
    }
    let hash = copy.get_changes_meta(&before)[0].hash;
    let change = copy.save_after(&before);
    let msg = Message {
        heads: copy.get_heads(),
        need: vec![],
        have: vec![],
        changes: vec![change].into(),
        flags: None,
        version: automerge::sync::MessageVersion::V1,
    };
    let sync = Msg::Sync {
        doc: doc.clone(),
        meta: None,
        more: false,
        data: msg.encode(),
    };
    (sync, hash)
}

/// Makes (credential, signature) for a forged change's hash; no credential: unsigned.
type Forge = dyn Fn(&ChangeHash) -> (Vec<u8>, Vec<u8>);

fn member(net: &SimNet, node: &str) -> Membership {
    net.members[node].clone()
}

#[test]
fn forged_or_unsigned_changes_relayed_by_the_office_are_refused() {
    let (mut net, _) = star_net();
    let doc = id("licence-a");
    let before = net.repo_mut("kita-a").heads(&doc).unwrap();
    let root = Root::new("city");
    let other_root = Root::new("elsewhere");
    let cases: Vec<(&str, Box<Forge>)> = vec![
        // Unsigned: the office may not write the licence.
        ("unsigned", Box::new(|_| (vec![], vec![]))),
        // Signed by the office itself, which may not write it.
        ("may not write", {
            let key = root.node_key("traeger-1", &member(&net, "traeger-1"));
            Box::new(move |h| {
                (
                    key.credential(),
                    key.sign(&change_payload(&id("licence-a"), h)),
                )
            })
        }),
        // The city's certificate, but the signature is of another document's change.
        ("bad signature", {
            let key = root.node_key("city", &member(&net, "city"));
            Box::new(move |h| {
                (
                    key.credential(),
                    key.sign(&change_payload(&id("licence-c"), h)),
                )
            })
        }),
        // A "city" certificate from a root the network does not trust.
        ("credential refused", {
            let key = other_root.node_key("city", &member(&net, "city"));
            Box::new(move |h| {
                (
                    key.credential(),
                    key.sign(&change_payload(&id("licence-a"), h)),
                )
            })
        }),
    ];
    for (i, (reason, sign)) in cases.iter().enumerate() {
        net.errors.clear();
        let (sync, hash) = forged_change(&mut net, "traeger-1", &doc);
        let (credential, signature) = sign(&hash);
        if !credential.is_empty() {
            let index = 100 + i as u16;
            net.deliver("traeger-1", "kita-a", Msg::Writer { index, credential });
            net.deliver(
                "traeger-1",
                "kita-a",
                Msg::Signatures {
                    doc: doc.clone(),
                    sigs: vec![WireSignature {
                        hash,
                        writer: index,
                        signature,
                    }],
                },
            );
        }
        net.deliver("traeger-1", "kita-a", sync);
        assert_eq!(net.errors.len(), 1, "{reason}: {:?}", net.errors);
        assert!(
            net.errors[0].2.contains(reason),
            "{reason}: {:?}",
            net.errors
        );
        assert_eq!(
            net.repo_mut("kita-a").heads(&doc).unwrap(),
            before,
            "{reason}"
        );
    }
    // The honest path still works afterwards: the city's next edit arrives through the office.
    net.errors.clear();
    net.edit::<FacilityLicence>("city", &doc, |l| {
        l.operating_licence_date = Some(Date::ymd(2021, 5, 1));
    });
    net.run_until_quiet();
    assert!(net.errors.is_empty(), "{:?}", net.errors);
    let l: FacilityLicence = net.value("kita-a", &doc);
    assert_eq!(l.operating_licence_date, Some(Date::ymd(2021, 5, 1)));
}

#[test]
fn an_erasure_signed_by_the_writer_is_relayed_and_a_forged_one_refused() {
    let (mut net, all) = star_net();
    // Forged: the office erases the city's licence on its own account.
    let doc = id("licence-c");
    let key = Root::new("city").node_key("traeger-2", &member(&net, "traeger-2"));
    net.deliver(
        "traeger-2",
        "kita-c",
        Msg::Writer {
            index: 50,
            credential: key.credential(),
        },
    );
    net.deliver(
        "traeger-2",
        "kita-c",
        Msg::SignedErased {
            docs: vec![SignedErasure {
                doc: doc.clone(),
                meta: all[&doc].clone(),
                writer: 50,
                signature: key.sign(&erasure_payload(&doc)),
            }],
        },
    );
    net.deliver(
        "traeger-2",
        "kita-c",
        Msg::Erased {
            docs: vec![(doc.clone(), all[&doc].clone())],
        },
    );
    assert_eq!(net.errors.len(), 2, "{:?}", net.errors);
    assert!(net.repo("kita-c").ids().contains(&doc));

    // The city erases it (kita-c offline): every holder drops it, through the offices.
    net.errors.clear();
    net.partition("kita-c");
    let out = net.cores.get_mut("city").unwrap().erase(&doc).unwrap();
    assert!(!out.is_empty());
    net.send("city", out);
    net.run_until_quiet();
    net.heal("kita-c");
    net.run_until_quiet();
    assert!(net.errors.is_empty(), "{:?}", net.errors);
    for node in net.names() {
        assert!(
            !net.repo(&node).ids().contains(&doc),
            "{node} still holds it"
        );
        assert!(
            net.repo(&node).is_tombstoned(&doc),
            "{node} has no tombstone"
        );
    }
}
