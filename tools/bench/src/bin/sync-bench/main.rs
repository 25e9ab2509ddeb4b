//! Sync benchmark (not a test; run on demand, prints figures) for issue 3, item 7:
//!
//! 1. `wire`: bytes on the wire for a one-field change between a Träger office and a Kita, right
//!    after the bootstrap sync and after a warm sync, versus the size of the automerge change;
//!    plus the same through plain automerge sync, to show the whole-document resend the core
//!    suppresses.
//! 2. `bootstrap`: a fresh Träger node brought up to date with a Kita of 200 children and three
//!    years of history, versus copying the Kita's SQLite file.
//! 3. `partition`: N nodes in one process (city, Träger, Kitas), 10 % of the Kitas cut off while
//!    both sides edit, then healed: time and traffic to converge, heads checked everywhere.
//!
//! Everything runs over [`SyncCore`](kitanetz_sync::SyncCore)s in one process with encoded
//! messages in FIFO queues ([`sync_scenarios::net::Net`]), so the byte counts are what a
//! transport would carry, minus its own framing (Noise, Yamux). The scenarios are shared with
//! `samod-bench` (tools/samod-bench), which runs the first two on samod.
//!
//! `cargo run --release -p kitanetz-bench --bin sync-bench [-- --only wire|bootstrap|partition] [--nodes N]`

mod bootstrap;
mod partition;
mod wire;

use std::process::ExitCode;
use sync_scenarios::report::{finish, option};

fn main() -> anyhow::Result<ExitCode> {
    let only = option("--only");
    let nodes: usize = option("--nodes").map_or(Ok(400), |n| n.parse())?;
    let run = |part: &str| only.as_deref().is_none_or(|o| o == part);
    let mut rows = Vec::new();
    let mut ok = true;
    if run("wire") {
        ok &= wire::run(&mut rows);
    }
    if run("bootstrap") {
        ok &= bootstrap::run(&mut rows)?;
    }
    if run("partition") {
        ok &= partition::run(nodes, &mut rows);
    }
    Ok(finish(&rows, ok))
}
