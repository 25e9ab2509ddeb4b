//! A real deployment in miniature: the city and one Kita, each a `kitanetz serve` process with a
//! `[p2p]` section pointing at the other and a certificate from `kitanetz cert`. A change made
//! through the Kita's HTTP API arrives at the city; a revocation list placed in the city's data
//! directory cuts the Kita off; both stop cleanly on SIGINT.
//!
//! Runs the node binary: `KITANETZ_BIN`, or `kitanetz` next to this test's target directory
//! (`cargo test` at the workspace root builds it).

use kitanetz_crdt::policy::NodeRole;
use kitanetz_node::demo::DEMO_PASSWORD;
use kitanetz_tests::{kitanetz_bin, Network};
use serde_json::{json, Value};
use std::io::{BufRead, BufReader, Lines};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdout, Command, Stdio};
use std::time::{Duration, Instant};

pub(crate) const DEADLINE: Duration = Duration::from_secs(15);

/// Runs `kitanetz ARGS`, which must succeed; returns its output.
pub(crate) fn kitanetz(args: &[&str]) -> String {
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

pub(crate) fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port()
}

/// A running `kitanetz serve`; killed if the test fails before it stops it.
pub(crate) struct Served {
    pub(crate) child: Child,
    /// Kept open: the node may still print, and a closed pipe would make that fail.
    _stdout: Lines<BufReader<ChildStdout>>,
    pub(crate) http: String,
    pub(crate) peer_id: String,
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub(crate) fn serve(dir: &Path) -> Served {
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
pub(crate) fn stop(mut served: Served) {
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

pub(crate) struct Api {
    pub(crate) http: reqwest::Client,
    pub(crate) base: String,
    pub(crate) token: String,
}

impl Api {
    pub(crate) async fn login(base: &str, user: &str) -> Api {
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

    pub(crate) async fn get(&self, path: &str) -> Value {
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
pub(crate) async fn eventually<F: std::future::Future<Output = bool>>(
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

pub(crate) use kitanetz_tests::first_user;

/// Creates the city's root key; returns its path and the `root_public_key` line for node.toml.
pub(crate) fn city_root(net: &Network) -> (PathBuf, String) {
    let root_key = net.dir.path().join("city-root.key");
    let out = kitanetz(&["cert", "root", "--out", root_key.to_str().unwrap()]);
    let line = out
        .lines()
        .find(|l| l.starts_with("root_public_key = "))
        .unwrap_or_else(|| panic!("no public key in {out:?}"))
        .to_string();
    (root_key, line)
}

/// Appends a `[p2p]` section to the node.toml in `dir`: listen on `port`, dial `peers`.
pub(crate) fn add_p2p(dir: &Path, port: u16, peers: &[u16], root_line: &str) {
    let toml = dir.join("node.toml");
    let peers: Vec<String> = peers
        .iter()
        .map(|p| format!("\"/ip4/127.0.0.1/tcp/{p}\""))
        .collect();
    let mut config = std::fs::read_to_string(&toml).unwrap();
    config.push_str(&format!(
        "\n[p2p]\nlisten = \"/ip4/127.0.0.1/tcp/{port}\"\npeers = [{}]\n{root_line}\n",
        peers.join(", ")
    ));
    std::fs::write(&toml, config).unwrap();
}

/// `kitanetz cert issue` for the node in `dir`, with `extra` arguments; returns its PeerId.
pub(crate) fn issue(dir: &Path, root_key: &Path, extra: &[&str]) -> String {
    let mut args = vec![
        "cert",
        "issue",
        "--root",
        root_key.to_str().unwrap(),
        "--data-dir",
        dir.to_str().unwrap(),
    ];
    args.extend(extra);
    let issued = kitanetz(&args);
    issued
        .split_once(" as peer ")
        .and_then(|(_, rest)| rest.split(',').next())
        .unwrap_or_else(|| panic!("no PeerId in {issued:?}"))
        .to_string()
}

/// The version of the signed revocation list in `path`.
fn list_version(path: &Path) -> u64 {
    let file: Value = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
    let body: Value = serde_json::from_str(file["body"].as_str().unwrap()).unwrap();
    body["version"].as_u64().unwrap()
}

/// Waits until the node in `dir` logged that it refused `peer` as revoked.
async fn refused_as_revoked(dir: &Path, peer: &str) {
    let log = dir.join("serve.log");
    let what = format!("{} refused revoked peer {peer}", dir.display());
    eventually(&what, || {
        let text = std::fs::read_to_string(&log).unwrap_or_default();
        let refused = text.contains(&format!("{peer} is revoked"));
        async move { refused }
    })
    .await;
}

pub(crate) fn connected(status: &Value, peer: &str) -> bool {
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

    let (root_key, root_line) = city_root(&net);
    let (city_port, kita_port) = (free_port(), free_port());
    let mut peer_ids = Vec::new();
    for (name, port, other) in [
        (&city.name, city_port, kita_port),
        (&kita.name, kita_port, city_port),
    ] {
        let dir = net.node_dir(name);
        add_p2p(&dir, port, &[other], &root_line);
        peer_ids.push(issue(&dir, &root_key, &[]));
        assert!(dir.join("p2p-certificate.json").exists());
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
    // The city's audit log names the peer the change came from (over libp2p as in process).
    let city_again = net.open(&city.name);
    let actor: String = city_again
        .store()
        .conn()
        .query_row(
            "SELECT actor FROM audit_log WHERE action = 'document.sync' AND target = ?1
             ORDER BY rowid DESC LIMIT 1",
            [&kitanetz_node::facilities::profile_doc_id(&facility).0],
            |r| r.get(0),
        )
        .expect("the synced change is audited");
    assert_eq!(actor, format!("node:{}", kita.name));
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

/// The revocation list in force outlives its file. The city, started once with version 2 (which
/// revokes Kita A), is restarted after the older version 1 (which does not) was written into its
/// revocation file: it keeps version 2 in force, rewrites the file with it and refuses Kita A.
/// Kita B, new and certified with the city's list (`cert issue --revocations`), refuses Kita A at
/// first contact, before it has met any node that could pass the list on.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_revocation_list_in_force_survives_an_older_file_and_reaches_a_new_node() {
    let net = Network::seeded();
    let city = net.config(|c| c.role == NodeRole::City).clone();
    let traeger = net.config(|c| c.role == NodeRole::Traeger).clone();
    let (kita_a, kita_b) = (net.kitas()[0].clone(), net.kitas()[1].clone());
    let zvs = first_user(&net, &city.name, "zvs");
    let lead_b = first_user(&net, &kita_b.name, "kita-lead");
    let (root_key, root_line) = city_root(&net);
    let root_hex = root_line
        .trim_start_matches("root_public_key = ")
        .trim_matches('"')
        .to_string();
    let (city_dir, a_dir, b_dir) = (
        net.node_dir(&city.name),
        net.node_dir(&kita_a.name),
        net.node_dir(&kita_b.name),
    );
    let (city_port, a_port, b_port) = (free_port(), free_port(), free_port());
    add_p2p(&city_dir, city_port, &[], &root_line);
    add_p2p(&a_dir, a_port, &[city_port], &root_line);
    add_p2p(&b_dir, b_port, &[a_port], &root_line);
    issue(&city_dir, &root_key, &[]);
    let a_peer = issue(&a_dir, &root_key, &[]);
    // Version 1 revokes somebody else (the Träger, which never runs here); version 2 Kita A too.
    let traeger_peer = issue(&net.node_dir(&traeger.name), &root_key, &[]);
    let v1 = net.dir.path().join("revocations-v1.json");
    let list = city_dir.join("p2p-revocations.json");
    let root_arg = root_key.to_str().unwrap();
    kitanetz(&[
        "cert",
        "revoke",
        "--root",
        root_arg,
        "--peer",
        &traeger_peer,
        "--out",
        v1.to_str().unwrap(),
    ]);
    kitanetz(&[
        "cert",
        "revoke",
        "--root",
        root_arg,
        "--peer",
        &a_peer,
        "--previous",
        v1.to_str().unwrap(),
        "--out",
        list.to_str().unwrap(),
    ]);

    // The city starts once with version 2, which its database keeps.
    stop(serve(&city_dir));
    let kept = net
        .open(&city.name)
        .store()
        .revocation_list(&root_hex)
        .unwrap();
    assert_eq!(kept.map(|(v, _)| v), Some(2));
    // Somebody writes the older list into the city's file; the city restarts.
    std::fs::copy(&v1, &list).unwrap();
    let city_node = serve(&city_dir);
    assert_eq!(
        list_version(&list),
        2,
        "the file shows the list in force again"
    );
    let a_node = serve(&a_dir);
    refused_as_revoked(&city_dir, &a_peer).await;
    let at_city = Api::login(&city_node.http, &zvs).await;
    assert!(!connected(&at_city.get("/api/sync").await, &kita_a.name));

    // Kita B is certified with the city's list; an older one given later does not replace it.
    issue(
        &b_dir,
        &root_key,
        &["--revocations", list.to_str().unwrap()],
    );
    let b_list = b_dir.join("p2p-revocations.json");
    assert_eq!(list_version(&b_list), 2);
    let out = kitanetz(&[
        "cert",
        "issue",
        "--root",
        root_arg,
        "--data-dir",
        b_dir.to_str().unwrap(),
        "--revocations",
        v1.to_str().unwrap(),
    ]);
    assert!(out.contains("kept"), "{out}");
    assert_eq!(list_version(&b_list), 2);
    let b_node = serve(&b_dir);
    refused_as_revoked(&b_dir, &a_peer).await;
    let at_b = Api::login(&b_node.http, &lead_b).await;
    assert!(!connected(&at_b.get("/api/sync").await, &kita_a.name));

    stop(b_node);
    stop(a_node);
    stop(city_node);
}
