//! Fuzzing the JSON API bodies (issue #13 item 9) through the node's own router, in process:
//! every body goes the whole way a client's does (axum's `Json` extractor, the handler's
//! parsing and validation, the store). Bodies are mutations of a valid request and of each input
//! type's empty value: a leaf replaced by an awkward value (dates in year 0 and 262143, huge and
//! negative numbers, long and odd strings, wrong types), keys dropped or added, deep nesting,
//! and byte damage (flipped, inserted, cut, invalid UTF-8). Nothing may panic and no answer may
//! be a 500: bad input is the client's error (4xx).
//!
//! The same targets and mutations run coverage-guided as the cargo-fuzz target `api_bodies`
//! (`fuzz/api`, `tools/fuzz api_bodies`): a project of its own, because it builds the whole
//! node crate (57k lines, typst for the letters) in release with coverage flags, which the
//! short fuzz run of every CI would pay for; CI runs this seeded test instead. The mutations
//! here are seeded, so a failure repeats; the default run takes a few seconds in `cargo test`.
//! The long run, with a figure per route:
//!
//! ```text
//! KITANETZ_API_FUZZ_SECONDS=60 cargo test -p kitanetz-tests --test integration -- \
//!     api_fuzz:: --nocapture
//! ```
//!
//! `KITANETZ_API_FUZZ_SEED` picks other mutations (default 9).

use kitanetz_tests::api_fuzz::{body, send, targets, Rng};
use kitanetz_tests::Network;
use std::time::{Duration, Instant};

/// Requests per route in the default run.
const DEFAULT_CASES: u64 = 120;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn api_bodies_never_panic_nor_answer_500() {
    let seconds: Option<u64> = std::env::var("KITANETZ_API_FUZZ_SECONDS")
        .ok()
        .map(|s| s.parse().expect("seconds"));
    let seed: u64 = std::env::var("KITANETZ_API_FUZZ_SEED")
        .ok()
        .map_or(9, |s| s.parse().expect("a seed"));

    let net = Network::seeded();
    let targets = targets(&net).await;
    let mut rng = Rng(seed);
    let mut failures = Vec::new();
    for t in &targets {
        let router = kitanetz_node::http::router(t.node.clone());
        let started = Instant::now();
        let (mut runs, mut refused) = (0u64, 0u64);
        loop {
            let done = match seconds {
                Some(s) => started.elapsed() >= Duration::from_secs(s),
                None => runs >= DEFAULT_CASES,
            };
            if done {
                break;
            }
            let bytes = body(&t.seeds, &mut rng);
            let (status, answer) = send(t, &router, bytes.clone()).await;
            runs += 1;
            if (400..500).contains(&status) {
                refused += 1;
            }
            if status >= 500 && failures.len() < 20 {
                failures.push(format!(
                    "{} {} with {} answered {status}: {}",
                    t.method,
                    t.path,
                    String::from_utf8_lossy(&bytes)
                        .chars()
                        .take(300)
                        .collect::<String>(),
                    answer.chars().take(300).collect::<String>()
                ));
            }
        }
        println!(
            "{:<6} {:<45} runs {runs:>7}  {:>6.0} req/s  refused {refused}",
            t.method,
            t.path.chars().take(45).collect::<String>(),
            runs as f64 / started.elapsed().as_secs_f64()
        );
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
