//! Fixtures for the integration tests: seeded nodes with a fixed clock, users of every role,
//! and small helpers to call the router in-process.

pub mod api_fuzz;

use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use kitanetz_crdt::ids::{city_org, facility_org, provider_org, FacilityId, OrgId, ProviderId};
use kitanetz_node::auth::{create_session, create_user, NewUser, Role};
use kitanetz_node::clock::{Clock, FixedClock};
use kitanetz_node::config::NodeConfig;
use kitanetz_node::Node;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use tower::ServiceExt;

/// The fixed day every fixture lives on.
pub fn fixture_day() -> chrono::NaiveDate {
    chrono::NaiveDate::from_ymd_opt(2026, 11, 2).expect("date")
}

pub const PASSWORD: &str = "correct horse battery";

/// A seeded demo network on disk (not running), with a fixed clock.
pub struct Network {
    pub dir: tempfile::TempDir,
    pub clock: FixedClock,
    pub configs: Vec<NodeConfig>,
    pub world: kitanetz_datagen::World,
}

impl Network {
    pub fn seeded() -> Network {
        let dir = tempfile::tempdir().expect("temp dir");
        let clock = FixedClock::at(fixture_day());
        let world = kitanetz_datagen::generate(
            kitanetz_node::demo::DEMO_SEED,
            &kitanetz_datagen::Scale::demo(),
            clock.today(),
        );
        let configs = kitanetz_node::demo::plan_network(&world, 0);
        kitanetz_node::demo::seed_network(dir.path(), &configs, &world, &clock).expect("seed");
        Network {
            dir,
            clock,
            configs,
            world,
        }
    }

    pub fn node_dir(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    pub fn config(&self, pred: impl Fn(&NodeConfig) -> bool) -> &NodeConfig {
        self.configs.iter().find(|c| pred(c)).expect("node in plan")
    }

    pub fn open(&self, name: &str) -> Arc<Node> {
        Node::open(&self.node_dir(name), Arc::new(self.clock.clone())).expect("open node")
    }

    /// Every node of the plan, opened, in plan order.
    pub fn open_all(&self) -> Vec<Arc<Node>> {
        self.configs.iter().map(|c| self.open(&c.name)).collect()
    }

    /// The Kita nodes, in plan order.
    pub fn kitas(&self) -> Vec<&NodeConfig> {
        self.configs
            .iter()
            .filter(|c| c.role == kitanetz_crdt::policy::NodeRole::Kita)
            .collect()
    }
}

/// The city among the nodes of a network.
pub fn city_of(nodes: &[Arc<Node>]) -> Arc<Node> {
    nodes
        .iter()
        .find(|n| n.config.role == kitanetz_crdt::policy::NodeRole::City)
        .expect("a city node")
        .clone()
}

/// A user of a role, scoped as a real one would be.
pub struct Login {
    pub label: String,
    pub role: Role,
    pub token: String,
    /// The session's CSRF token, for form posts with the token as the session cookie.
    pub csrf: String,
}

/// Creates a user on `node` and returns a bearer token for it.
pub fn add_user(
    node: &Node,
    username: &str,
    role: Role,
    organisation: OrgId,
    provider: Option<ProviderId>,
    facility: Option<FacilityId>,
) -> Login {
    let mut store = node.store();
    let id = create_user(
        &mut store,
        &NewUser {
            username,
            display_name: username,
            password: PASSWORD,
            role,
            organisation,
            provider,
            facility,
        },
    )
    .expect("create user");
    let tokens = create_session(&mut store, id, node.clock.now_millis()).expect("session");
    Login {
        label: username.to_string(),
        role,
        token: tokens.token,
        csrf: tokens.csrf,
    }
}

/// A staff member of `provider`'s office (a Träger admin or its fee office) on `node`.
pub fn add_traeger_user(node: &Node, username: &str, role: Role, provider: &ProviderId) -> Login {
    add_user(
        node,
        username,
        role,
        provider_org(provider),
        Some(provider.clone()),
        None,
    )
}

/// Links a childminder login to her record in the register (what the office's
/// `POST /api/tagespflege/accounts` does for a new login).
pub fn link_childminder(node: &Node, login: Login, childminder: &str) -> Login {
    node.store()
        .conn()
        .execute(
            "UPDATE users SET childminder = ?1 WHERE username = ?2",
            [childminder, login.label.as_str()],
        )
        .expect("link the childminder");
    login
}

/// Users of every role on a Kita node: own-scope ones and foreign-scope ones.
pub fn every_role(
    node: &Node,
    own_provider: &ProviderId,
    own_facility: &FacilityId,
    other_provider: &ProviderId,
    other_facility: &FacilityId,
) -> Vec<(Login, bool)> {
    // (login, whether it is scoped to this Kita)
    vec![
        (
            add_user(node, "m-admin", Role::SystemAdmin, city_org(), None, None),
            false,
        ),
        (
            add_user(node, "m-zvs", Role::Zvs, city_org(), None, None),
            false,
        ),
        (
            add_user(node, "m-fee", Role::FeeOffice, city_org(), None, None),
            false,
        ),
        (
            add_user(node, "m-bvs", Role::BvsKtp, city_org(), None, None),
            false,
        ),
        // The Beitragsstelle of this Kita's Träger (works on the Träger's node).
        (
            add_user(
                node,
                "m-fee-traeger",
                Role::FeeOffice,
                provider_org(own_provider),
                Some(own_provider.clone()),
                None,
            ),
            false,
        ),
        (
            link_childminder(
                node,
                add_user(
                    node,
                    "m-tpp",
                    Role::Childminder,
                    OrgId("org-tpp-1".into()),
                    None,
                    None,
                ),
                "tpp-m-tpp",
            ),
            false,
        ),
        (
            add_user(
                node,
                "m-traeger",
                Role::TraegerAdmin,
                provider_org(own_provider),
                Some(own_provider.clone()),
                None,
            ),
            true,
        ),
        (
            add_user(
                node,
                "m-traeger-other",
                Role::TraegerAdmin,
                provider_org(other_provider),
                Some(other_provider.clone()),
                None,
            ),
            false,
        ),
        (
            add_user(
                node,
                "m-lead",
                Role::KitaLead,
                facility_org(own_facility),
                Some(own_provider.clone()),
                Some(own_facility.clone()),
            ),
            true,
        ),
        (
            add_user(
                node,
                "m-lead-other",
                Role::KitaLead,
                facility_org(other_facility),
                Some(own_provider.clone()),
                Some(other_facility.clone()),
            ),
            false,
        ),
    ]
}

/// Calls the router in-process.
pub async fn call(
    router: &axum::Router,
    method: Method,
    path: &str,
    token: Option<&str>,
    body: Option<(&str, String)>,
) -> (StatusCode, String) {
    let mut req = Request::builder().method(method).uri(path);
    if let Some(t) = token {
        req = req.header("authorization", format!("Bearer {t}"));
    }
    let req = match body {
        Some((content_type, b)) => req.header("content-type", content_type).body(Body::from(b)),
        None => req.body(Body::empty()),
    }
    .expect("request");
    let res = router.clone().oneshot(req).await.expect("infallible");
    let status = res.status();
    let bytes = axum::body::to_bytes(res.into_body(), 16 << 20)
        .await
        .expect("body");
    (status, String::from_utf8_lossy(&bytes).into_owned())
}

/// `GET path` as the holder of `token`: the status and the body's bytes (for downloads).
pub async fn get_bytes(router: &axum::Router, path: &str, token: &str) -> (StatusCode, Vec<u8>) {
    let req = Request::builder()
        .method(Method::GET)
        .uri(path)
        .header("authorization", format!("Bearer {token}"))
        .body(Body::empty())
        .expect("request");
    let res = router.clone().oneshot(req).await.expect("infallible");
    let status = res.status();
    let bytes = axum::body::to_bytes(res.into_body(), 16 << 20)
        .await
        .expect("body");
    (status, bytes.to_vec())
}

/// An Excel download opened: its sheet names (from `xl/workbook.xml`) and the text of its
/// shared strings and first sheet, where the header cells are. Panics unless it is an xlsx zip.
pub fn open_xlsx(bytes: &[u8]) -> (Vec<String>, String) {
    use std::io::Read;
    assert!(bytes.starts_with(b"PK\x03\x04"), "an xlsx is a zip");
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("a zip");
    let mut part = |name: &str| {
        let mut text = String::new();
        if let Ok(mut f) = zip.by_name(name) {
            f.read_to_string(&mut text).expect("UTF-8 XML");
        }
        text
    };
    let workbook = part("xl/workbook.xml");
    assert!(!workbook.is_empty(), "xl/workbook.xml in the zip");
    let sheets = workbook
        .split("<sheet ")
        .skip(1)
        .filter_map(|s| s.split("name=\"").nth(1)?.split('"').next())
        .map(|s| s.replace("&amp;", "&"))
        .collect();
    let text = part("xl/sharedStrings.xml") + &part("xl/worksheets/sheet1.xml");
    (sheets, text)
}

/// Calls the JSON API of `node` in-process as the holder of `token`: the status and the answer
/// as JSON (an answer that is not JSON as a JSON string).
pub async fn api(
    node: &Arc<Node>,
    token: &str,
    method: &str,
    path: &str,
    body: Option<serde_json::Value>,
) -> (u16, serde_json::Value) {
    let router = kitanetz_node::http::router(node.clone());
    let (status, text) = call(
        &router,
        method.parse().expect("an HTTP method"),
        path,
        Some(token),
        body.map(|b| ("application/json", b.to_string())),
    )
    .await;
    (
        status.as_u16(),
        serde_json::from_str(&text).unwrap_or(serde_json::Value::String(text)),
    )
}

/// Every node of a seeded network, opened, with the first Kita's node and its Träger's node.
pub struct KitaAndTraeger {
    pub nodes: Vec<Arc<Node>>,
    pub kita: Arc<Node>,
    pub traeger: Arc<Node>,
    pub facility: FacilityId,
    pub provider: ProviderId,
}

impl KitaAndTraeger {
    pub fn open(net: &Network) -> KitaAndTraeger {
        let nodes: Vec<Arc<Node>> = net.configs.iter().map(|c| net.open(&c.name)).collect();
        let kita = nodes
            .iter()
            .find(|n| n.config.role == kitanetz_crdt::policy::NodeRole::Kita)
            .expect("a Kita node")
            .clone();
        let traeger = nodes
            .iter()
            .find(|n| {
                n.config.role == kitanetz_crdt::policy::NodeRole::Traeger
                    && n.config.provider == kita.config.provider
            })
            .expect("the Kita's Träger node")
            .clone();
        let facility = kita.config.facility.clone().expect("the Kita's facility");
        let provider = kita.config.provider.clone().expect("the Kita's Träger");
        KitaAndTraeger {
            nodes,
            kita,
            traeger,
            facility,
            provider,
        }
    }

    /// A Träger node of another provider.
    pub fn other_traeger(&self) -> Arc<Node> {
        self.nodes
            .iter()
            .find(|n| {
                n.config.role == kitanetz_crdt::policy::NodeRole::Traeger
                    && n.config.provider != self.kita.config.provider
            })
            .expect("another Träger")
            .clone()
    }

    /// A bearer token of a new lead of the Kita, on the Kita's node.
    pub fn lead(&self, username: &str) -> String {
        add_user(
            &self.kita,
            username,
            Role::KitaLead,
            facility_org(&self.facility),
            Some(self.provider.clone()),
            Some(self.facility.clone()),
        )
        .token
    }
}

/// A child of the Kita `node` serves whose contract runs through `day` (`YYYY-MM-DD`), and its
/// family.
pub fn child_in_care_on(node: &Node, day: &str) -> (String, String) {
    node.store()
        .conn()
        .query_row(
            "SELECT k.child, k.family FROM p_contracts k
             WHERE k.facility = ?1 AND k.start <= ?2 AND (k.end IS NULL OR k.end >= ?2)
             ORDER BY k.start, k.child LIMIT 1",
            [&node.config.facility.as_ref().expect("a Kita node").0, day],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .expect("a child under contract on the day")
}

/// The first child of a Kita (from its projection) and that child's first contract.
pub fn first_child_and_contract(node: &Node, facility: &FacilityId) -> (String, String) {
    let store = node.store();
    store
        .conn()
        .query_row(
            "SELECT c.id, k.id FROM p_children c JOIN p_contracts k ON k.child = c.id WHERE c.facility = ?1 ORDER BY c.id LIMIT 1",
            [&facility.0],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .expect("a child with a contract")
}

/// The node binary the CLI tests run: `KITANETZ_BIN`, or `kitanetz` next to the test's target
/// directory (`cargo test` at the workspace root builds it).
pub fn kitanetz_bin() -> PathBuf {
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

/// One run of the `kitanetz` binary.
pub struct CliRun {
    /// The exit code (-1 when killed by a signal).
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

/// Runs `kitanetz ARGS…` and collects what it printed.
pub fn run_kitanetz<I, S>(args: I) -> CliRun
where
    I: IntoIterator<Item = S>,
    S: AsRef<std::ffi::OsStr>,
{
    let out = std::process::Command::new(kitanetz_bin())
        .args(args)
        .output()
        .expect("run kitanetz");
    CliRun {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// The folder of a kind of case file: `tests/fixtures/<kind>`.
pub fn fixtures_dir(kind: &str) -> PathBuf {
    std::path::PathBuf::from(
        std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_else(|| env!("CARGO_MANIFEST_DIR").into()),
    )
    .join("fixtures")
    .join(kind)
}

/// One case of a fixture folder: `NAME.case.json` with its `NAME.expected.json`.
pub struct FixtureCase {
    pub name: String,
    pub case: PathBuf,
    /// The expected file, without its `_comment`.
    pub expected: serde_json::Value,
}

/// Every case of `tests/fixtures/<kind>`, sorted by name; at least `at_least` of them (so that
/// a lost folder cannot pass as "no case failed").
pub fn fixture_cases(kind: &str, at_least: usize) -> Vec<FixtureCase> {
    let dir = fixtures_dir(kind);
    let mut cases: Vec<FixtureCase> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.expect("entry").path())
        .filter_map(|case| {
            let name = case
                .file_name()?
                .to_str()?
                .strip_suffix(".case.json")?
                .to_string();
            let expected_path = dir.join(format!("{name}.expected.json"));
            let text = std::fs::read_to_string(&expected_path)
                .unwrap_or_else(|e| panic!("{}: {e}", expected_path.display()));
            let mut expected: serde_json::Value = serde_json::from_str(&text)
                .unwrap_or_else(|e| panic!("{}: {e}", expected_path.display()));
            if let Some(o) = expected.as_object_mut() {
                o.remove("_comment");
            }
            Some(FixtureCase {
                name,
                case,
                expected,
            })
        })
        .collect();
    cases.sort_by(|a, b| a.name.cmp(&b.name));
    assert!(
        cases.len() >= at_least,
        "{}: {} cases, expected at least {at_least}",
        dir.display(),
        cases.len()
    );
    cases
}

/// Every field of `want` (but `_comment`) is in `got` with the same value; arrays have the
/// same length. Extra fields of `got` are allowed.
pub fn assert_json_contains(got: &serde_json::Value, want: &serde_json::Value, at: &str) {
    use serde_json::Value;
    match (got, want) {
        (Value::Object(g), Value::Object(w)) => {
            for (key, wv) in w.iter().filter(|(k, _)| *k != "_comment") {
                let gv = g
                    .get(key)
                    .unwrap_or_else(|| panic!("{at}.{key} missing in {got}"));
                assert_json_contains(gv, wv, &format!("{at}.{key}"));
            }
        }
        (Value::Array(g), Value::Array(w)) => {
            assert_eq!(g.len(), w.len(), "{at}: length of {got}");
            for (i, (gv, wv)) in g.iter().zip(w).enumerate() {
                assert_json_contains(gv, wv, &format!("{at}[{i}]"));
            }
        }
        _ => assert_eq!(got, want, "{at}"),
    }
}

/// A case file that does not exist: exit 2, nothing on stdout, the path on stderr (the
/// contract of every `--case` command but `fees compute`, which answers in JSON).
pub fn assert_missing_case_refused(command: &[&str]) {
    let missing = fixtures_dir("none").join("no-such.case.json");
    let mut args: Vec<std::ffi::OsString> = command.iter().map(Into::into).collect();
    args.push("--case".into());
    args.push(missing.into());
    let run = run_kitanetz(args);
    assert_eq!(run.code, 2, "{command:?}: {}", run.stderr);
    assert!(run.stdout.is_empty(), "{command:?}: {}", run.stdout);
    assert!(
        run.stderr.contains("no-such"),
        "{command:?}: {}",
        run.stderr
    );
}

/// The first demo user of `role` on the network's node `node` (seeded users share the demo
/// password).
pub fn first_user(net: &Network, node: &str, role: &str) -> String {
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

/// The path of the verification link the city mailed to `email` (registration on the portal).
pub fn verification_path(city: &Node, email: &str) -> String {
    let mail: String = city
        .store()
        .conn()
        .query_row(
            "SELECT body FROM outbox WHERE recipient = ?1",
            [email],
            |r| r.get(0),
        )
        .expect("a verification mail");
    let link = mail
        .split_whitespace()
        .find(|w| w.contains("/portal/verify?token="))
        .expect("a verification link");
    link[link.find("/portal/verify").expect("the path")..].to_string()
}
