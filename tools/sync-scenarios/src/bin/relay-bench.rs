//! Relaying through the Träger office, measured (issue #13 item 8): the partition scenario of
//! N nodes (default 400) over today's links without signatures, over the same links with signed
//! changes, and over a star per Träger (Kitas linked only to their office) with signed, relayed
//! changes, and that star with every Kita's link to the city through its office's relay (the
//! placement documents the office may not hold; bytes counted on both hops). Prints bytes,
//! messages and wall time of the bootstrap and of healing the partition.
//!
//! `cargo run --release -p kitanetz-sync-scenarios --bin relay-bench [-- --nodes N]`

use std::process::ExitCode;
use sync_scenarios::partition::{self, Topology};
use sync_scenarios::report::{finish, kib, ms, option};

fn main() -> ExitCode {
    let nodes: usize = match option("--nodes").map(|n| n.parse()) {
        None => 400,
        Some(Ok(n)) => n,
        Some(Err(e)) => {
            eprintln!("--nodes: {e}");
            return ExitCode::FAILURE;
        }
    };
    let mut rows = Vec::new();
    let runs = [
        ("mesh, unsigned (today)", Topology::Mesh, false),
        ("mesh, signed", Topology::Mesh, true),
        ("star, signed", Topology::Star, true),
        ("star + relay, signed", Topology::StarRelayed, true),
    ];
    let mut ok = true;
    let mut table = Vec::new();
    for (label, topology, signed) in runs {
        let o = partition::run(nodes, topology, signed, &mut rows);
        ok &= o.ok;
        table.push((label, o));
    }
    println!();
    println!(
        "{:<24} {:>26} {:>26} {:>8} {:>8}",
        "", "bootstrap: wire / wall", "heal: wire / wall", "copies", "missing"
    );
    for (label, o) in &table {
        println!(
            "{:<24} {:>26} {:>26} {:>8} {:>8}",
            label,
            format!("{} / {}", kib(o.bootstrap.bytes), ms(o.bootstrap_wall)),
            format!("{} / {}", kib(o.heal.bytes), ms(o.heal_wall)),
            o.copies,
            o.missing
        );
    }
    finish(&rows, ok)
}
