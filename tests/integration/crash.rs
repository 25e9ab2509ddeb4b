//! kill -9 during acknowledged writes with sync running (issue #13 item 9).
//!
//! The city and one Kita run as `kitanetz serve` processes linked over libp2p (as in
//! `serve_p2p`). The Kita lead changes her facility's opening hours over the JSON API again and
//! again, each write a new value (`crash-write <i>`); every 200 answer is an acknowledged write.
//! At a seeded point, while the next write is in flight, the Kita gets SIGKILL. Then:
//!
//! - the dead node's database passes SQLite's integrity check and `kitanetz dump` reads every
//!   document (0 corrupt), and the profile's automerge history holds every acknowledged value
//!   (0 lost);
//! - the Kita restarts on the same data directory, the writes go on until `N` were acknowledged,
//!   the city receives the last one, and after both stopped their dumps agree
//!   (`kitanetz check-dumps`: identical heads for every document both hold); both copies of the
//!   profile hold every acknowledged write.
//!
//! `N` is 300 here (a few seconds). The long run prints its figures:
//!
//! ```text
//! KITANETZ_CRASH_WRITES=10000 cargo test -p kitanetz-tests --test integration -- \
//!     crash:: --nocapture
//! ```
//!
//! `KITANETZ_CRASH_SEED` picks another kill point (default 13).

use crate::serve_p2p::{
    add_p2p, city_root, connected, eventually, first_user, free_port, issue, kitanetz, serve, stop,
    Api,
};
use kitanetz_crdt::policy::NodeRole;
use kitanetz_tests::{kitanetz_bin, Network};
use serde_json::{json, Value};
use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

/// The prefix of every written value; the number follows.
const PREFIX: &str = "crash-write ";

fn env_number(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .map(|v| {
            v.parse()
                .unwrap_or_else(|_| panic!("{name}={v:?} is not a number"))
        })
        .unwrap_or(default)
}

/// splitmix64: a seeded kill point without a dependency.
struct Seeded(u64);

impl Seeded {
    fn below(&mut self, n: u64) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        (z ^ (z >> 31)) % n.max(1)
    }
}

/// The numbers of every `crash-write <i>` value in the history of the facility profile held in
/// `dir`, and the profile's opening hours now. Also checks SQLite's integrity (panics if not ok).
fn written(dir: &Path, facility: &kitanetz_crdt::ids::FacilityId) -> (BTreeSet<u64>, String) {
    let clock = std::sync::Arc::new(kitanetz_node::clock::FixedClock::at(
        kitanetz_tests::fixture_day(),
    ));
    let node = kitanetz_node::Node::open(dir, clock).expect("the database opens");
    let store = node.store();
    let check: String = store
        .conn()
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .expect("integrity check runs");
    assert_eq!(check, "ok", "SQLite integrity check of {}", dir.display());
    let mut doc = store
        .load_doc(&kitanetz_node::facilities::profile_doc_id(facility))
        .expect("the profile loads");
    let now = doc
        .any_value()
        .ok()
        .and_then(|v| serde_json::to_value(v).ok())
        .map(|v| v.to_string())
        .unwrap_or_default();
    let mut seen = BTreeSet::new();
    for change in doc.automerge_mut().get_changes(&[]) {
        for op in change.decode().operations {
            if let automerge::legacy::OpType::Put(automerge::ScalarValue::Str(s)) = op.action {
                if let Some(i) = s.strip_prefix(PREFIX).and_then(|n| n.parse().ok()) {
                    seen.insert(i);
                }
            }
        }
    }
    (seen, now)
}

/// The acknowledged writes missing from `seen`.
fn lost(acked: &[u64], seen: &BTreeSet<u64>) -> Vec<u64> {
    acked
        .iter()
        .copied()
        .filter(|i| !seen.contains(i))
        .collect()
}

/// `kitanetz dump` of the node in `dir` into `out` (must succeed: every document reads).
fn dump(dir: &Path, out: &Path) {
    let text = kitanetz(&["dump", "--data-dir", dir.to_str().unwrap()]);
    std::fs::write(out, text).expect("write dump");
}

/// The profile input of the facility with `hours` as its opening hours.
fn profile_input(profile: &Value, hours: &str) -> Value {
    json!({
        "name": profile["name"], "street": profile["address"]["street"],
        "postcode": profile["address"]["postcode"], "city": profile["address"]["city"],
        "district": profile["district"], "cost_centre": profile["cost_centre"],
        "opening_hours": hours, "concept": profile["concept"], "email": profile["email"],
        "phone": profile["phone"], "lead_name": profile["lead_name"],
    })
}

/// One write; `Some(true)` when acknowledged (200), `None` when the node did not answer.
async fn write(api: &Api, path: &str, profile: &Value, i: u64) -> Option<bool> {
    let res = api
        .http
        .put(format!("{}{path}/profile", api.base))
        .bearer_auth(&api.token)
        .json(&profile_input(profile, &format!("{PREFIX}{i}")))
        .send()
        .await
        .ok()?;
    let status = res.status();
    // An answer cut off by the kill is no acknowledgement either.
    let body = res.bytes().await.ok()?;
    assert!(
        status.is_success(),
        "write {i} refused: {status} {}",
        String::from_utf8_lossy(&body)
    );
    Some(true)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_9_during_acknowledged_writes_with_sync_running_loses_nothing() {
    let n = env_number("KITANETZ_CRASH_WRITES", 300).max(10);
    let seed = env_number("KITANETZ_CRASH_SEED", 13);
    let mut rng = Seeded(seed);
    let kill_after = n / 3 + rng.below(n / 3);
    let kill_delay = Duration::from_micros(rng.below(3000));

    let net = Network::seeded();
    let kita = net.kitas()[0].clone();
    let city = net.config(|c| c.role == NodeRole::City).clone();
    let facility = kita.facility.clone().expect("a Kita has a facility");
    let lead = first_user(&net, &kita.name, "kita-lead");
    let zvs = first_user(&net, &city.name, "zvs");
    let (root_key, root_line) = city_root(&net);
    let (city_port, kita_port) = (free_port(), free_port());
    let (city_dir, kita_dir) = (net.node_dir(&city.name), net.node_dir(&kita.name));
    add_p2p(&city_dir, city_port, &[kita_port], &root_line);
    add_p2p(&kita_dir, kita_port, &[city_port], &root_line);
    issue(&city_dir, &root_key, &[]);
    issue(&kita_dir, &root_key, &[]);

    let city_node = serve(&city_dir);
    let mut kita_node = serve(&kita_dir);
    let at_city = Api::login(&city_node.http, &zvs).await;
    let mut at_kita = Api::login(&kita_node.http, &lead).await;
    eventually("city and Kita see each other", || async {
        connected(&at_city.get("/api/sync").await, &kita.name)
            && connected(&at_kita.get("/api/sync").await, &city.name)
    })
    .await;
    let path = format!("/api/facilities/{facility}");
    let profile = at_kita.get(&path).await["profile"].clone();

    // Writes until the kill cuts one off; the kill is sent `kill_delay` after write
    // `kill_after` went out, so it lands inside a write (or between two).
    let started = Instant::now();
    let mut acked: Vec<u64> = Vec::new();
    let mut next = 0u64;
    let pid = kita_node.child.id().to_string();
    let mut killer = None;
    loop {
        if next == kill_after {
            let pid = pid.clone();
            killer = Some(tokio::spawn(async move {
                tokio::time::sleep(kill_delay).await;
                let sent = Command::new("kill").args(["-KILL", &pid]).status();
                assert!(sent.is_ok_and(|s| s.success()), "kill -KILL {pid}");
            }));
        }
        let answered = write(&at_kita, &path, &profile, next).await;
        next += 1;
        match answered {
            Some(_) => acked.push(next - 1),
            None => break,
        }
        assert!(
            next < kill_after + 10_000,
            "the node still answers after SIGKILL"
        );
    }
    killer.expect("the kill was sent").await.expect("killer");
    let status = kita_node.child.wait().expect("wait for the killed node");
    assert!(!status.success(), "the Kita was killed: {status}");
    let before_kill = acked.len();
    let write_time = started.elapsed();

    // The dead node's data: readable, and every acknowledged write in the history.
    let (seen, _) = written(&kita_dir, &facility);
    let lost_at_kill = lost(&acked, &seen);
    dump(&kita_dir, &net.dir.path().join("kita-after-kill.dump"));
    let in_flight = next - 1;
    let in_flight_kept = seen.contains(&in_flight);
    assert_eq!(
        lost_at_kill,
        Vec::<u64>::new(),
        "acknowledged writes lost by kill -9"
    );
    drop(kita_node);

    // Restart on the same directory and go on until n writes were acknowledged.
    let restarted = Instant::now();
    kita_node = serve(&kita_dir);
    at_kita = Api::login(&kita_node.http, &lead).await;
    eventually("the restarted Kita is linked again", || async {
        connected(&at_kita.get("/api/sync").await, &city.name)
    })
    .await;
    let relinked = restarted.elapsed();
    while (acked.len() as u64) < n {
        assert_eq!(
            write(&at_kita, &path, &profile, next).await,
            Some(true),
            "write {next} after the restart"
        );
        acked.push(next);
        next += 1;
    }
    let last = format!("{PREFIX}{}", next - 1);
    let written_all = Instant::now();
    eventually("the city has the last write", || async {
        at_city.get(&path).await["profile"]["opening_hours"] == json!(last)
    })
    .await;
    let converged = written_all.elapsed();
    stop(kita_node);
    stop(city_node);

    // Both copies: every acknowledged write, and the dumps agree.
    let (kita_dump, city_dump) = (
        net.dir.path().join("kita.dump"),
        net.dir.path().join("city.dump"),
    );
    dump(&kita_dir, &kita_dump);
    dump(&city_dir, &city_dump);
    let check = Command::new(kitanetz_bin())
        .arg("check-dumps")
        .args([&kita_dump, &city_dump])
        .output()
        .expect("run check-dumps");
    let report = String::from_utf8_lossy(&check.stdout);
    assert!(check.status.success(), "the dumps disagree: {report}");
    assert!(report.contains(", 0 problems"), "{report}");
    let mut lost_total = 0;
    for dir in [&kita_dir, &city_dir] {
        let (seen, now) = written(dir, &facility);
        let missing = lost(&acked, &seen);
        lost_total += missing.len();
        assert_eq!(missing, Vec::<u64>::new(), "lost at {}", dir.display());
        assert!(
            now.contains(&last),
            "{} ends with the last write",
            dir.display()
        );
    }
    let shared = report.trim().lines().last().unwrap_or_default().to_string();
    println!(
        "kill -9 after {before_kill} of {n} acknowledged writes (seed {seed}, write {in_flight} \
         in flight {} kept) in {:.1} s ({:.0} writes/s); lost {lost_total}, corrupt 0; \
         relinked {:.1} s after restart; the city had the last write {:.2} s after it; \
         check-dumps: {shared}",
        if in_flight_kept { "was" } else { "not" },
        write_time.as_secs_f64(),
        before_kill as f64 / write_time.as_secs_f64(),
        relinked.as_secs_f64(),
        converged.as_secs_f64(),
    );
}
