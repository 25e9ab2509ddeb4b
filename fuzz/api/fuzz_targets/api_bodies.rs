//! The JSON API bodies, coverage-guided (issue #13 item 9): every input is one request to one
//! of the routes that take JSON (`kitanetz_tests::api_fuzz::targets`: the parents' application,
//! a round, the profile, contracts, seats, groups), through the node's own router on a seeded
//! city and Kita. Nothing may panic and no answer may be a 500.
//!
//! Input: the first byte picks the route; if the second is even, the rest is the body as it
//! is; otherwise the rest seeds the structured mutations of a valid body (awkward leaves, keys
//! dropped or added, deep nesting, byte damage), so that libFuzzer starts from requests the
//! handlers get past parsing.

#![no_main]

use kitanetz_tests::api_fuzz::{body, send, targets, Rng, Target};
use kitanetz_tests::Network;
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

struct World {
    runtime: tokio::runtime::Runtime,
    targets: Vec<(Target, axum::Router)>,
    _net: Network,
}

fn world() -> &'static World {
    static WORLD: OnceLock<World> = OnceLock::new();
    WORLD.get_or_init(|| {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .expect("a runtime");
        let net = Network::seeded();
        let targets = runtime.block_on(targets(&net));
        let targets = targets
            .into_iter()
            .map(|t| {
                let router = kitanetz_node::http::router(t.node.clone());
                (t, router)
            })
            .collect();
        World {
            runtime,
            targets,
            _net: net,
        }
    })
}

fuzz_target!(|data: &[u8]| {
    let world = world();
    let [pick, mode, rest @ ..] = data else {
        return;
    };
    let (target, router) = &world.targets[*pick as usize % world.targets.len()];
    let bytes = if mode % 2 == 0 {
        rest.to_vec()
    } else {
        let mut seed = [0u8; 8];
        for (i, b) in rest.iter().enumerate() {
            seed[i % 8] ^= b.rotate_left(i as u32 / 8);
        }
        body(&target.seeds, &mut Rng(u64::from_le_bytes(seed)))
    };
    let (status, answer) = world.runtime.block_on(send(target, router, bytes.clone()));
    assert!(
        status < 500,
        "{} {} with {} answered {status}: {}",
        target.method,
        target.path,
        String::from_utf8_lossy(&bytes)
            .chars()
            .take(300)
            .collect::<String>(),
        answer.chars().take(300).collect::<String>()
    );
});
