//! Part 1, `wire`: what a one-field change costs on the wire between a Träger office and a Kita,
//! through our core and through plain automerge sync.

use automerge::sync::{self as am_sync, SyncDoc};
use automerge::{ActorId, AutoCommit};
use kitanetz_crdt::kinds::{CareContract, Family};
use kitanetz_sync::fixtures::{self, today};
use sync_scenarios::net::Net;
use sync_scenarios::report::{kib, yes_no, ChangeCost, Row};
use sync_scenarios::scenario::{
    edit_doc, set_daily_hours, set_notice, set_phone, wire_docs, wire_nodes, KITA, OFFICE,
};

/// Runs one edit (which returns the size of its change) and delivers until the network is quiet.
/// `from` is the editing node, `to` its peer.
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

pub fn run(rows: &mut Vec<Row>) -> bool {
    println!("== wire: one-field change between a Träger office and a Kita");
    let (t, k) = (OFFICE, KITA);
    let mut net = Net::new(&wire_nodes());
    let ts = fixtures::TS * 1000;
    for doc in wire_docs(ts) {
        net.add(doc);
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
        net.edit::<CareContract>(k, &c0, ts + 2, set_daily_hours(7))
    });
    let warm_other = measure(&mut net, k, t, |net| {
        net.edit(k, &c1, ts + 3, set_notice(day))
    });
    // The office edits a guardian's phone (the other direction).
    let office = measure(&mut net, t, k, |net| {
        net.edit::<Family>(
            t,
            &fixtures::id("family-a-2"),
            ts + 4,
            set_phone("0351 1234567"),
        )
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
    rows.push(Row {
        part: "wire",
        what: "warm change: change / wire one way / both ways".into(),
        figure: format!(
            "{} B / {} B / {} B = {}",
            warm.change,
            warm.one_way,
            warm.both_ways,
            warm.ratio()
        ),
    });
    rows.push(Row {
        part: "wire",
        what: "plain automerge, first change after bootstrap".into(),
        figure: format!(
            "change {change} B, wire {ab} B, resend: {}",
            yes_no(raw_resend)
        ),
    });
    ok
}
