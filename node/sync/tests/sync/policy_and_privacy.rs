//! Refusals: changes from peers that may not write, privacy of personal and applicant data,
//! erasure.

use crate::converged_net;
use crate::fixtures::*;
use automerge::sync::Message;
use automerge::ReadDoc;
use kitanetz_crdt::kinds::{FacilityProfile, ProviderProfile};
use kitanetz_crdt::policy::may_hold;
use kitanetz_crdt::{DocKind, Visibility};
use kitanetz_sync::{DocRepo, Msg};

/// A change made on `node`'s copy of `doc`, as a raw sync message carrying it.
fn forged_sync(net: &mut crate::sim::SimNet, node: &str, doc: &kitanetz_crdt::DocId) -> Msg {
    let am = net.repo_mut(node).doc_mut(doc).unwrap().expect("held");
    let mut copy = am.clone();
    let before = copy.get_heads();
    {
        use automerge::transaction::Transactable;
        let value = match copy.get(automerge::ROOT, "value").unwrap() {
            Some((_, obj)) => obj,
            None => panic!("no value"),
        };
        copy.put(&value, "name", "Gekapert").unwrap();
        copy.commit();
    }
    let change = copy.save_after(&before);
    let msg = Message {
        heads: copy.get_heads(),
        need: vec![],
        have: vec![],
        changes: vec![change].into(),
        flags: None,
        version: automerge::sync::MessageVersion::V1,
    };
    Msg::Sync {
        doc: doc.clone(),
        meta: None,
        more: false,
        data: msg.encode(),
    }
}

#[test]
fn changes_from_a_peer_that_may_not_write_are_refused() {
    let (mut net, _) = converged_net();
    let doc = id("provider-1");
    let before = net.repo_mut("traeger-1").heads(&doc).unwrap();
    // The city holds the Träger's public profile but may not write it.
    let forged = forged_sync(&mut net, "city", &doc);
    net.deliver("city", "traeger-1", forged);
    assert_eq!(net.errors.len(), 1, "{:?}", net.errors);
    assert!(
        net.errors[0].2.contains("may not write"),
        "{:?}",
        net.errors
    );
    assert_eq!(net.repo_mut("traeger-1").heads(&doc).unwrap(), before);
    assert_eq!(
        net.value::<ProviderProfile>("traeger-1", &doc).name,
        "Träger 1"
    );

    // Another Kita of the same Träger may not write kita-a's facility profile either.
    let doc = id("profile-a");
    let forged = forged_sync(&mut net, "kita-b", &doc);
    net.deliver("kita-b", "kita-a", forged);
    assert_eq!(net.errors.len(), 2, "{:?}", net.errors);
    assert_eq!(net.value::<FacilityProfile>("kita-a", &doc).name, "Kita a");

    // An honest non-writer's local edit never leaves it: the writer's read-only flag stops it.
    net.errors.clear();
    net.edit::<ProviderProfile>("city", &id("provider-1"), |p| p.name = "Anders".into());
    net.run_until_quiet();
    assert!(net.errors.is_empty(), "{:?}", net.errors);
    assert_eq!(
        net.value::<ProviderProfile>("traeger-1", &id("provider-1"))
            .name,
        "Träger 1"
    );
    assert_eq!(
        net.value::<ProviderProfile>("kita-c", &id("provider-1"))
            .name,
        "Träger 1"
    );
}

#[test]
fn an_unknown_document_is_refused_unless_this_node_may_hold_it_from_a_writer() {
    let (mut net, _) = converged_net();
    // kita-c (Träger 2) offers a forged personal document of Träger 1.
    let m = meta(
        DocKind::CareContract,
        kitanetz_crdt::ids::provider_org(&prov(1)),
        Some(prov(1)),
        vec![fac("a")],
        "kita-c",
    );
    let msg = Msg::Sync {
        doc: id("forged"),
        meta: Some(m),
        more: false,
        data: Message {
            heads: vec![],
            need: vec![],
            have: vec![],
            changes: Vec::<Vec<u8>>::new().into(),
            flags: None,
            version: automerge::sync::MessageVersion::V1,
        }
        .encode(),
    };
    net.deliver("kita-c", "traeger-1", msg.clone());
    net.deliver("kita-c", "city", msg);
    assert_eq!(net.errors.len(), 2, "{:?}", net.errors);
    assert!(net.errors[0].2.contains("not shared"), "{:?}", net.errors);
    assert!(
        net.errors[1].2.contains("may not be held"),
        "{:?}",
        net.errors
    );
    assert!(!net.repo("traeger-1").ids().contains(&id("forged")));
}

#[test]
fn no_node_ever_receives_personal_data_it_may_not_hold() {
    let (mut net, all) = converged_net();
    net.partition("kita-c");
    net.edit::<kitanetz_crdt::kinds::CareContract>("traeger-2", &id("contract-c"), |c| {
        c.notice_given_on = Some(today());
    });
    net.heal("kita-c");
    net.run_until_quiet();
    for name in net.names() {
        let member = net.members[&name].clone();
        let seen = net.seen.get(&name).cloned().unwrap_or_default();
        let ever: Vec<_> = net.repo(&name).ever_held().keys().cloned().collect();
        for doc in seen.iter().chain(ever.iter()) {
            let m = &all[doc];
            assert!(may_hold(&member, m), "{name} received {doc} ({})", m.kind);
            if m.visibility() == Visibility::Applicant {
                assert_eq!(name, "city");
            }
            if matches!(m.visibility(), Visibility::Personal | Visibility::KitaOnly) {
                assert_eq!(
                    member.provider, m.provider,
                    "{name} got another Träger's {doc}"
                );
            }
        }
    }
    assert!(!net.seen["kita-a"].contains(&id("applicant-1")));
    assert!(!net.seen["kita-b"].contains(&id("contract-a")));
}

#[test]
fn erasure_propagates_as_a_tombstone_and_a_later_offer_is_refused() {
    let (mut net, _) = converged_net();
    let doc = id("contract-a");
    // Kita a is offline while the Träger erases; it still holds the contract.
    net.partition("kita-a");
    let out = net.cores.get_mut("traeger-1").unwrap().erase(&doc).unwrap();
    assert!(out.is_empty(), "nobody else connected holds it");
    net.heal("kita-a");
    net.run_until_quiet();
    assert!(net.errors.is_empty(), "{:?}", net.errors);
    for node in ["traeger-1", "kita-a"] {
        assert!(
            !net.repo(node).ids().contains(&doc),
            "{node} still holds it"
        );
        assert!(
            net.repo(node).is_tombstoned(&doc),
            "{node} has no tombstone"
        );
    }
    // A stale copy offered again (e.g. from a backup) is refused.
    let stale = Msg::Sync {
        doc: doc.clone(),
        meta: Some(meta(
            DocKind::CareContract,
            kitanetz_crdt::ids::provider_org(&prov(1)),
            Some(prov(1)),
            vec![fac("a")],
            "kita-a",
        )),
        more: false,
        data: Message {
            heads: vec![],
            need: vec![],
            have: vec![],
            changes: Vec::<Vec<u8>>::new().into(),
            flags: None,
            version: automerge::sync::MessageVersion::V1,
        }
        .encode(),
    };
    net.deliver("kita-a", "traeger-1", stale.clone());
    net.run_until_quiet();
    assert!(net.errors.is_empty(), "{:?}", net.errors);
    assert!(!net.repo("traeger-1").ids().contains(&doc));
    assert!(!net.repo("kita-a").ids().contains(&doc));
    // From a node that may not write it, the offer is an error.
    net.deliver("city", "kita-a", stale);
    assert_eq!(net.errors.len(), 1, "{:?}", net.errors);
}

#[test]
fn erasure_from_a_non_writer_is_refused() {
    let (mut net, all) = converged_net();
    let doc = id("contract-a");
    net.deliver(
        "kita-b",
        "traeger-1",
        Msg::Erased {
            docs: vec![(doc.clone(), all[&doc].clone())],
        },
    );
    assert_eq!(net.errors.len(), 1, "{:?}", net.errors);
    assert!(net.repo("traeger-1").ids().contains(&doc));
}

/// Bytes that make automerge 0.12's document loader panic instead of returning an error
/// (found by the crdt_doc fuzz target).
const AUTOMERGE_LOAD_PANIC: &[u8] =
    include_bytes!("../../../../crdt/testdata/automerge-load-panic.bin");

/// A bundle chunk that makes automerge 0.12 reserve gigabytes (found by the crdt_doc fuzz
/// target), split over two change entries as automerge joins them before loading.
const AUTOMERGE_BUNDLE_BOMB: &[u8] =
    include_bytes!("../../../../crdt/testdata/automerge-load-bundle-bomb.bin");

#[test]
fn a_malformed_change_from_a_writer_is_refused_not_a_crash() {
    let (mut net, _) = converged_net();
    let doc = id("contract-a");
    let before = net.repo_mut("traeger-1").heads(&doc).unwrap();
    let (bomb_start, bomb_end) = AUTOMERGE_BUNDLE_BOMB.split_at(5);
    for (version, changes) in [
        (
            automerge::sync::MessageVersion::V1,
            vec![AUTOMERGE_LOAD_PANIC.to_vec()],
        ),
        (
            automerge::sync::MessageVersion::V2,
            vec![AUTOMERGE_LOAD_PANIC.to_vec()],
        ),
        (
            automerge::sync::MessageVersion::V1,
            vec![bomb_start.to_vec(), bomb_end.to_vec()],
        ),
    ] {
        let msg = Message {
            heads: vec![],
            need: vec![],
            have: vec![],
            changes: changes.into(),
            flags: None,
            version,
        };
        net.deliver(
            "kita-a",
            "traeger-1",
            Msg::Sync {
                doc: doc.clone(),
                meta: None,
                more: false,
                data: msg.encode(),
            },
        );
    }
    assert_eq!(net.repo_mut("traeger-1").heads(&doc).unwrap(), before);
    // Both inputs are bundle chunks, refused before automerge decodes them (the panic guard
    // behind stays for inputs nobody has found yet).
    assert_eq!(net.errors.len(), 3, "{:?}", net.errors);
    assert!(
        net.errors.iter().all(|(_, _, e)| e.contains("bundle")),
        "{:?}",
        net.errors
    );
}
