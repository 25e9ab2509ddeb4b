//! Part 1, `wire`: what a one-field change costs on the wire between a Träger office and a Kita
//! through samod, and whether our policy holds through samod's interface.

use kitanetz_crdt::kinds::{CareContract, Family, Group};
use kitanetz_crdt::DocKind;
use kitanetz_sync::fixtures::{self, today};
use std::collections::BTreeMap;
use std::time::{Duration, Instant};
use sync_scenarios::report::{kib, ms, yes_no, ChangeCost, Row};
use sync_scenarios::scenario::{
    kita_meta, new_doc, set_daily_hours, set_notice, set_phone, wire_docs, wire_nodes, KITA, OFFICE,
};

use crate::node::{diverged, heads, Node};
use crate::transport::{Counter, Link, IDLE, LIMIT};

/// Runs one edit and waits for the link to fall silent. `forward` is the counter of the
/// direction from the editing node to its peer.
async fn measure<F>(link: &Link, forward: &Counter, edit: F) -> ChangeCost
where
    F: std::future::Future<Output = usize>,
{
    let (f0, t0) = (forward.traffic(), link.total());
    let change = edit.await;
    link.quiet(IDLE, LIMIT).await;
    let (f, t) = (forward.traffic() - f0, link.total() - t0);
    ChangeCost {
        change,
        one_way: f.bytes,
        both_ways: t.bytes,
        messages: t.messages,
        carried: t.change_bytes,
    }
}

pub async fn run(rows: &mut Vec<Row>) -> bool {
    println!("== wire: one-field change between a Träger office and a Kita (samod)");
    let everyone = wire_nodes();
    let mut t = Node::new(OFFICE, &everyone).await;
    let mut k = Node::new(KITA, &everyone).await;
    let ts = fixtures::TS * 1000;
    let mut metas = BTreeMap::new();
    for mut doc in wire_docs(ts) {
        let node = if doc.node == OFFICE { &mut t } else { &mut k };
        node.create(&doc.id, &doc.meta, &mut doc.doc).await;
        metas.insert(doc.id, doc.meta);
    }

    // A document the office may not hold (a group of another Träger's Kita, held here only to
    // test the policy): it must never reach the office, not even its id.
    let (p2, f2) = (fixtures::prov(2), fixtures::fac("b"));
    let m = kita_meta(DocKind::Group, &p2, &f2, "kita-b");
    let mut hidden = new_doc("kita-b", "group-b", m, &fixtures::group("b"), ts);
    let hidden_sid = k.create(&hidden.id, &hidden.meta, &mut hidden.doc).await;
    let hidden = hidden.id;

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
    for name in ["group-a", "family-a-0", "family-a-1", "family-a-2"] {
        let id = fixtures::id(name);
        let sid = k.handles[&id].document_id().clone();
        let h = t.repo.find(sid.clone()).await.ok().flatten().expect("held");
        let meta = metas[&id].clone();
        t.policy.docs.lock().expect("policy").insert(sid, meta);
        t.handles.insert(id, h);
    }

    let c0 = fixtures::id("contract-a-0");
    let c1 = fixtures::id("contract-a-1");
    let day = today();
    let first = measure(&link, &link.out, k.edit(&c0, ts + 1, set_notice(day))).await;
    let warm = measure(
        &link,
        &link.out,
        k.edit::<CareContract>(&c0, ts + 2, set_daily_hours(7)),
    )
    .await;
    let warm_other = measure(&link, &link.out, k.edit(&c1, ts + 3, set_notice(day))).await;
    // The office edits a guardian's phone: one scalar string field in a map.
    let office = measure(
        &link,
        &link.back,
        t.edit::<Family>(
            &fixtures::id("family-a-2"),
            ts + 4,
            set_phone("0351 1234567"),
        ),
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
            first.ratio(),
            yes_no(first.resend())
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
                c.ratio(),
                yes_no(c.resend())
            ),
        });
    }
    rows.push(Row {
        part: "policy",
        what: "change from a peer that may not write: refused".into(),
        figure: yes_no(write_refused).into(),
    });
    rows.push(Row {
        part: "policy",
        what: "id of a document the peer may not hold sent to it".into(),
        figure: yes_no(id_leaked).into(),
    });
    bad == 0 && write_refused && !id_leaked
}
