//! Part 2, `bootstrap`: a fresh Träger repo brought up to date with the Kita of 200 children and
//! three years of history, then a reconnect with nothing changed; our core on the same data for
//! comparison.

use kitanetz_crdt::policy::{may_hold, Membership};
use kitanetz_sync::DocRepo;
use std::time::{Duration, Instant};
use sync_scenarios::kita::{build_kita, KitaData};
use sync_scenarios::net::{Net, Traffic};
use sync_scenarios::report::{kib, ms, Row};
use sync_scenarios::scenario::{kita, traeger};

use crate::node::{diverged, Node};
use crate::transport::{Link, IDLE, LIMIT};

/// Our core: bootstrap, then disconnect and reconnect with nothing changed (sync states are
/// persisted in the repo). Returns ((bootstrap, wall), (reconnect, wall), refusals).
fn core_reconnect(
    data: &KitaData,
    everyone: &[(String, Membership)],
) -> ((Traffic, Duration), (Traffic, Duration), usize) {
    let mut net = Net::new(everyone);
    let (k, t) = (everyone[0].0.as_str(), everyone[1].0.as_str());
    for (id, m, am) in &data.docs {
        net.repo_mut(k).put(id, m.clone(), am.clone()).expect("put");
    }
    let start = Instant::now();
    net.link(k, t);
    net.run_until_quiet();
    let boot = (net.total, start.elapsed());
    // The Kita goes away and comes back: the link closes and opens again.
    net.partition(k);
    let before = net.total;
    let start = Instant::now();
    net.heal(k);
    net.run_until_quiet();
    let again = (net.total - before, start.elapsed());
    (boot, again, net.errors.len())
}

pub async fn run(rows: &mut Vec<Row>) -> bool {
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
    let down = link.out.traffic();
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
