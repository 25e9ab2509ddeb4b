//! A real deployment in miniature: the city and one Kita, each a `kitanetz serve` process with a
//! `[p2p]` section pointing at the other and a certificate from `kitanetz cert`. A change made
//! through the Kita's HTTP API arrives at the city; a revocation list placed in the city's data
//! directory cuts the Kita off; both stop cleanly on SIGINT.
//!
//! Runs the node binary: `KITANETZ_BIN`, or `kitanetz` next to this test's target directory
//! (`cargo test` at the workspace root builds it).

use kitanetz_crdt::policy::NodeRole;
use kitanetz_node::demo::DEMO_PASSWORD;
use kitanetz_tests::Network;
use serde_json::{json, Value};
use std::io::{BufRead, BufReader, Lines};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdout, Command, Stdio};
use std::time::{Duration, Instant};

const DEADLINE: Duration = Duration::from_secs(15);

fn kitanetz_bin() -> PathBuf {
    if let Some(bin) = std::env::var_os("KITANETZ_BIN") {
        return bin.into();
    }
    // target/debug/deps/integration-… → target/debug/kitanetz
    let exe = std::env::current_exe().expect("test binary path");
    let bin = exe
        .parent()
        .and_then(Path::parent)
        .expect("target directory")
        .join("kitanetz");
    assert!(
        bin.exists(),
        "no node binary at {}: run `cargo build -p kitanetz-node` or set KITANETZ_BIN",
        bin.display()
    );
    bin
}

/// Runs `kitanetz ARGS`, which must succeed; returns its output.
fn kitanetz(args: &[&str]) -> String {
    let out = Command::new(kitanetz_bin())
        .args(args)
        .output()
        .expect("run kitanetz");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "kitanetz {args:?} failed: {stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port()
}

/// A running `kitanetz serve`; killed if the test fails before it stops it.
struct Served {
    child: Child,
    /// Kept open: the node may still print, and a closed pipe would make that fail.
    _stdout: Lines<BufReader<ChildStdout>>,
    http: String,
    peer_id: String,
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn serve(dir: &Path) -> Served {
    let stderr = std::fs::File::create(dir.join("serve.log")).expect("log file");
    let mut child = Command::new(kitanetz_bin())
        .args(["serve", "--listen", "127.0.0.1:0", "--data-dir"])
        .arg(dir)
        .stdout(Stdio::piped())
        .stderr(stderr)
        .spawn()
        .expect("start kitanetz serve");
    let mut lines = BufReader::new(child.stdout.take().expect("stdout")).lines();
    let mut next = || {
        lines.next().and_then(Result::ok).unwrap_or_else(|| {
            let log = std::fs::read_to_string(dir.join("serve.log")).unwrap_or_default();
            panic!("kitanetz serve {} stopped: {log}", dir.display())
        })
    };
    let http_line = next();
    let http = http_line
        .split_once("listening on ")
        .and_then(|(_, rest)| rest.split_whitespace().next())
        .unwrap_or_else(|| panic!("no HTTP address in {http_line:?}"))
        .trim_end_matches('/')
        .to_string();
    let p2p_line = next();
    let peer_id = p2p_line
        .split_once(" as peer ")
        .map(|(_, id)| id.trim().to_string())
        .unwrap_or_else(|| panic!("no PeerId in {p2p_line:?}"));
    Served {
        child,
        _stdout: lines,
        http,
        peer_id,
    }
}

/// Sends SIGINT (what Ctrl-C sends) and waits for a clean exit.
fn stop(mut served: Served) {
    let pid = served.child.id().to_string();
    let sent = Command::new("kill").args(["-INT", &pid]).status();
    assert!(sent.is_ok_and(|s| s.success()), "kill -INT {pid}");
    let started = Instant::now();
    loop {
        if let Some(status) = served.child.try_wait().expect("wait") {
            assert!(status.success(), "serve exited with {status}");
            return;
        }
        assert!(started.elapsed() < DEADLINE, "serve did not stop on SIGINT");
        std::thread::sleep(Duration::from_millis(50));
    }
}

struct Api {
    http: reqwest::Client,
    base: String,
    token: String,
}

impl Api {
    async fn login(base: &str, user: &str) -> Api {
        let http = reqwest::Client::new();
        let res: Value = http
            .post(format!("{base}/api/login"))
            .json(&json!({"username": user, "password": DEMO_PASSWORD}))
            .send()
            .await
            .expect("login")
            .json()
            .await
            .expect("login answer");
        let token = res["token"]
            .as_str()
            .unwrap_or_else(|| panic!("no token for {user}: {res}"))
            .to_string();
        Api {
            http,
            base: base.to_string(),
            token,
        }
    }

    async fn get(&self, path: &str) -> Value {
        self.http
            .get(format!("{}{path}", self.base))
            .bearer_auth(&self.token)
            .send()
            .await
            .expect("GET")
            .json()
            .await
            .expect("JSON")
    }
}

/// Polls `check` every 100 ms until it holds; panics after [`DEADLINE`].
async fn eventually<F: std::future::Future<Output = bool>>(
    what: &str,
    mut check: impl FnMut() -> F,
) {
    let started = Instant::now();
    while !check().await {
        assert!(
            started.elapsed() < DEADLINE,
            "timed out waiting for: {what}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

fn first_user(net: &Network, node: &str, role: &str) -> String {
    net.open(node)
        .store()
        .conn()
        .query_row(
            "SELECT username FROM users WHERE role = ?1 ORDER BY id LIMIT 1",
            [role],
            |r| r.get(0),
        )
        .expect("a demo user")
}

fn connected(status: &Value, peer: &str) -> bool {
    status["peers"].as_array().is_some_and(|ps| {
        ps.iter()
            .any(|p| p["name"] == peer && p["connected"] == true)
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_served_nodes_sync_a_change_over_libp2p() {
    let started = Instant::now();
    let net = Network::seeded();
    let kita = net.kitas()[0].clone();
    let city = net.config(|c| c.role == NodeRole::City).clone();
    let facility = kita.facility.clone().expect("a Kita has a facility");
    let lead = first_user(&net, &kita.name, "kita-lead");
    let zvs = first_user(&net, &city.name, "zvs");

    let root_key = net.dir.path().join("city-root.key");
    let root_out = kitanetz(&["cert", "root", "--out", root_key.to_str().unwrap()]);
    let root_line = root_out
        .lines()
        .find(|l| l.starts_with("root_public_key = "))
        .unwrap_or_else(|| panic!("no public key in {root_out:?}"));
    let (city_port, kita_port) = (free_port(), free_port());
    let mut peer_ids = Vec::new();
    for (name, port, other) in [
        (&city.name, city_port, kita_port),
        (&kita.name, kita_port, city_port),
    ] {
        let dir = net.node_dir(name);
        let toml = dir.join("node.toml");
        let mut config = std::fs::read_to_string(&toml).unwrap();
        config.push_str(&format!(
            "\n[p2p]\nlisten = \"/ip4/127.0.0.1/tcp/{port}\"\npeers = [\"/ip4/127.0.0.1/tcp/{other}\"]\n{root_line}\n"
        ));
        std::fs::write(&toml, config).unwrap();
        let issued = kitanetz(&[
            "cert",
            "issue",
            "--root",
            root_key.to_str().unwrap(),
            "--data-dir",
            dir.to_str().unwrap(),
        ]);
        let peer_id = issued
            .split_once(" as peer ")
            .and_then(|(_, rest)| rest.split(',').next())
            .unwrap_or_else(|| panic!("no PeerId in {issued:?}"))
            .to_string();
        assert!(dir.join("p2p-certificate.json").exists());
        peer_ids.push(peer_id);
    }
    let prepared = started.elapsed();

    let city_node = serve(&net.node_dir(&city.name));
    let kita_node = serve(&net.node_dir(&kita.name));
    assert_eq!(
        [city_node.peer_id.clone(), kita_node.peer_id.clone()],
        [peer_ids[0].clone(), peer_ids[1].clone()],
        "serve runs with the certified identity"
    );
    let at_city = Api::login(&city_node.http, &zvs).await;
    let at_kita = Api::login(&kita_node.http, &lead).await;
    eventually("city and Kita see each other", || async {
        connected(&at_city.get("/api/sync").await, &kita.name)
            && connected(&at_kita.get("/api/sync").await, &city.name)
    })
    .await;
    let linked = started.elapsed();

    // The Kita lead changes her facility's opening hours (the profile is held by both).
    let path = format!("/api/facilities/{facility}");
    let profile = at_kita.get(&path).await["profile"].clone();
    let hours = "6:30–17:15 (served over libp2p)";
    assert_ne!(
        at_city.get(&path).await["profile"]["opening_hours"],
        json!(hours)
    );
    let input = json!({
        "name": profile["name"], "street": profile["address"]["street"],
        "postcode": profile["address"]["postcode"], "city": profile["address"]["city"],
        "district": profile["district"], "cost_centre": profile["cost_centre"],
        "opening_hours": hours, "concept": profile["concept"], "email": profile["email"],
        "phone": profile["phone"], "lead_name": profile["lead_name"],
    });
    let res = at_kita
        .http
        .put(format!("{}{path}/profile", at_kita.base))
        .bearer_auth(&at_kita.token)
        .json(&input)
        .send()
        .await
        .expect("PUT profile");
    assert!(res.status().is_success(), "profile saved: {}", res.status());
    eventually("the new opening hours arrived at the city", || async {
        at_city.get(&path).await["profile"]["opening_hours"] == json!(hours)
    })
    .await;
    let synced = started.elapsed();

    // The city revokes the Kita: the list placed as the city's revocation file is picked up by
    // the running node, which cuts the Kita off.
    let list = net.node_dir(&city.name).join("p2p-revocations.json");
    let revoke = |previous: Option<&Path>| {
        let mut args = vec!["cert", "revoke", "--root", root_key.to_str().unwrap()];
        args.extend([
            "--peer",
            kita_node.peer_id.as_str(),
            "--out",
            list.to_str().unwrap(),
        ]);
        if let Some(p) = previous {
            args.extend(["--previous", p.to_str().unwrap()]);
        }
        Command::new(kitanetz_bin())
            .args(&args)
            .output()
            .expect("run kitanetz")
    };
    let first = revoke(None);
    assert!(first.status.success(), "{first:?}");
    // Without --previous an existing list is not replaced (it would lose its revocations).
    let again = revoke(None);
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("--previous"));
    eventually(
        "the city applied its revocation file and dropped the Kita",
        || async {
            let status = at_city.get("/api/sync").await;
            status["online"] == true && !connected(&status, &kita.name)
        },
    )
    .await;
    eventually("the Kita lost its link", || async {
        !connected(&at_kita.get("/api/sync").await, &city.name)
    })
    .await;
    let revoked = started.elapsed();

    stop(kita_node);
    stop(city_node);
    println!(
        "seeded and certified in {:.1} s, linked after {:.1} s, change at the city after {:.1} s, \
         Kita revoked after {:.1} s, stopped after {:.1} s",
        prepared.as_secs_f64(),
        linked.as_secs_f64(),
        synced.as_secs_f64(),
        revoked.as_secs_f64(),
        started.elapsed().as_secs_f64()
    );
}
