//! samod benchmark (not a test; run on demand, prints figures): the issue asked us to choose
//! between the Rust automerge-repo (`samod`) over libp2p streams and a sync loop of our own "by
//! measuring both". `tools/bench`'s `sync-bench` measures our `kitanetz-sync` core; this binary
//! runs samod on the same two scenarios (shared with it through the library
//! [`sync_scenarios`] in tools/sync-scenarios):
//!
//! 1. `wire`: a Träger office and a Kita with 9 documents, bootstrapped, then one-field changes
//!    (the first one right after the bootstrap, then warm ones): bytes on the wire one way and
//!    both ways versus the size of the automerge change, and whether the whole document is resent.
//! 2. `bootstrap`: a fresh Träger repo brought up to date with a Kita of 200 children and three
//!    years of history (the generator `sync-bench` uses): messages, bytes, wall time. Then a
//!    reconnect without any change, because samod keeps no sync state across connections.
//!
//! Two `samod::Repo`s (tokio, in-memory storage) are connected in one process by a
//! [`samod::Dialer`] whose transport is a pair of in-memory channels that count every encoded
//! samod message (CBOR, framing of a real transport excluded, as in `sync-bench`). The share
//! policy is our visibility and write policy (`may_hold`, `may_write`), as far as samod's
//! `(DocumentId, PeerId)` policy interface allows (see [`policy::Policy`]).
//!
//! Not a default member of the workspace: samod is compiled only to measure it.
//! `cargo run --release -p kitanetz-samod-bench [-- --only wire|bootstrap]`

mod bootstrap;
mod node;
mod policy;
mod transport;
mod wire;

use std::process::ExitCode;
use sync_scenarios::report::{finish, option};

fn main() -> anyhow::Result<ExitCode> {
    let only = option("--only");
    let run = |part: &str| only.as_deref().is_none_or(|o| o == part);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let mut rows = Vec::new();
    let mut ok = true;
    rt.block_on(async {
        if run("wire") {
            ok &= wire::run(&mut rows).await;
        }
        if run("bootstrap") {
            ok &= bootstrap::run(&mut rows).await;
        }
    });
    Ok(finish(&rows, ok))
}
