//! Part 2, `bootstrap`: a fresh Träger node brought up to date with a Kita of 200 children and
//! three years of history, versus copying the Kita's SQLite file.

use kitanetz_crdt::policy::{may_hold, Membership};
use kitanetz_crdt::StoredDoc;
use kitanetz_sync::fixtures::today;
use kitanetz_sync::DocRepo;
use std::time::{Duration, Instant};
use sync_scenarios::kita::{build_kita, KitaData};
use sync_scenarios::net::Net;
use sync_scenarios::report::{kib, ms, Row};
use sync_scenarios::scenario::{kita, millis, traeger};

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

pub fn run(rows: &mut Vec<Row>) -> anyhow::Result<bool> {
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
