//! The JSON API bodies as fuzz targets (issue #13 item 9), shared by the in-process test
//! (`tests/integration/api_fuzz.rs`, a seeded short run in `cargo test`) and the cargo-fuzz
//! target `api_bodies` (`fuzz/api`, coverage-guided, `tools/fuzz api_bodies`): the routes that
//! take JSON, each with a logged-in caller and valid bodies to start from, and the mutations
//! (a leaf replaced by an awkward value, keys dropped or added, deep nesting, byte damage).

use crate::{first_user, Network};
use axum::body::Body;
use axum::http::Request;
use kitanetz_crdt::policy::NodeRole;
use kitanetz_node::demo::DEMO_PASSWORD;
use kitanetz_node::Node;
use serde_json::{json, Value};
use std::sync::Arc;
use tower::ServiceExt;

/// splitmix64.
pub struct Rng(pub u64);

impl Rng {
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n.max(1) as u64) as usize
    }
}

/// Values that have broken parsers before: edges of dates and numbers, odd text, wrong types.
fn awkward(rng: &mut Rng) -> Value {
    let strings = [
        "",
        " ",
        "0000-01-01",
        "0001-01-01",
        "9999-12-31",
        "10000-01-01",
        "+262143-12-31",
        "-262144-01-01",
        "262143-12",
        "2027-02-30",
        "2027-13-01",
        "2027-00",
        "2027-03",
        "9999-12",
        "0000-01",
        "2027-03-01T00:00:00Z",
        "7,5",
        "7.5",
        "-7.5",
        "1e309",
        "NaN",
        "inf",
        "18446744073709551616",
        "-9223372036854775809",
        "0x10",
        "kindergarten",
        "nursery",
        "direct-debit",
        "f:",
        "f:x",
        "ß\u{0}\u{feff}\u{202e}",
        "<script>alert(1)</script>",
        "'; DROP TABLE documents; --",
        "\u{1F600}\u{1F600}",
        "ä",
    ];
    match rng.below(10) {
        0 => json!(1e308),
        1 => json!(-1),
        2 => json!(u64::MAX),
        3 => json!(i64::MIN),
        4 => json!(0.000_000_1),
        5 => Value::Null,
        6 => json!([]),
        7 => json!({}),
        8 => Value::String("x".repeat(1 + rng.below(100_000))),
        _ => Value::String(strings[rng.below(strings.len())].to_string()),
    }
}

/// A random leaf or member of `v` (by walking down), replaced by `with`.
fn replace_leaf(v: &mut Value, rng: &mut Rng, with: Value) {
    match v {
        Value::Object(map) if !map.is_empty() && rng.below(4) != 0 => {
            let key = map.keys().nth(rng.below(map.len())).cloned().unwrap();
            replace_leaf(map.get_mut(&key).unwrap(), rng, with);
        }
        Value::Array(items) if !items.is_empty() && rng.below(4) != 0 => {
            let i = rng.below(items.len());
            replace_leaf(&mut items[i], rng, with);
        }
        _ => *v = with,
    }
}

fn mutate_json(v: &mut Value, rng: &mut Rng) {
    match rng.below(8) {
        0 => {
            if let Value::Object(map) = v {
                if !map.is_empty() {
                    let key = map.keys().nth(rng.below(map.len())).cloned().unwrap();
                    map.remove(&key);
                }
            }
        }
        1 => {
            if let Value::Object(map) = v {
                map.insert(format!("extra{}", rng.below(3)), awkward(rng));
            }
        }
        2 => {
            let mut deep = json!(1);
            for _ in 0..(1 + rng.below(300)) {
                deep = json!([deep]);
            }
            replace_leaf(v, rng, deep);
        }
        _ => {
            let with = awkward(rng);
            replace_leaf(v, rng, with);
        }
    }
}

fn mutate_bytes(bytes: &mut Vec<u8>, rng: &mut Rng) {
    for _ in 0..(1 + rng.below(4)) {
        let at = rng.below(bytes.len() + 1);
        match rng.below(5) {
            0 if at < bytes.len() => bytes[at] ^= 1 << rng.below(8),
            1 => bytes.insert(at, [0xff, 0xc3, b'"', b'\\', b'{', b'0'][rng.below(6)]),
            2 => bytes.truncate(at),
            3 if at < bytes.len() => {
                bytes.remove(at);
            }
            _ => bytes.insert(at, rng.next_u64() as u8),
        }
    }
}

/// One body: a seed, changed as JSON, and sometimes as bytes.
pub fn body(seeds: &[Value], rng: &mut Rng) -> Vec<u8> {
    let mut v = seeds[rng.below(seeds.len())].clone();
    for _ in 0..rng.below(4) {
        mutate_json(&mut v, rng);
    }
    let mut bytes = serde_json::to_vec(&v).unwrap();
    if rng.below(3) == 0 {
        mutate_bytes(&mut bytes, rng);
    }
    bytes
}

/// A route that takes JSON, its caller and valid bodies to start from.
pub struct Target {
    pub node: Arc<Node>,
    pub token: String,
    pub method: &'static str,
    pub path: String,
    pub seeds: Vec<Value>,
}

/// Sends `bytes` as the JSON body of `t` through `router` (the node's): status and answer.
pub async fn send(t: &Target, router: &axum::Router, bytes: Vec<u8>) -> (u16, String) {
    let req = Request::builder()
        .method(t.method)
        .uri(&t.path)
        .header("authorization", format!("Bearer {}", t.token))
        .header("content-type", "application/json")
        .body(Body::from(bytes))
        .unwrap();
    let res = router.clone().oneshot(req).await.expect("infallible");
    let status = res.status().as_u16();
    let bytes = axum::body::to_bytes(res.into_body(), 16 << 20)
        .await
        .expect("body");
    (status, String::from_utf8_lossy(&bytes).into_owned())
}

async fn login(node: &Arc<Node>, user: &str) -> String {
    let (_, body) = crate::call(
        &kitanetz_node::http::router(node.clone()),
        "POST".parse().unwrap(),
        "/api/login",
        None,
        Some((
            "application/json",
            json!({"username": user, "password": DEMO_PASSWORD}).to_string(),
        )),
    )
    .await;
    let v: Value = serde_json::from_str(&body).unwrap();
    v["token"].as_str().expect("a token").to_string()
}

/// A parent's token on the city's portal (registered and confirmed).
async fn parent(city: &Arc<Node>) -> String {
    let router = kitanetz_node::http::router(city.clone());
    let account = json!({"email": "fuzz@example.org", "display_name": "Fuzz", "password": "ein langes Passwort", "password_repeat": "ein langes Passwort"});
    let (status, _) = crate::call(
        &router,
        "POST".parse().unwrap(),
        "/api/portal/accounts",
        None,
        Some(("application/json", account.to_string())),
    )
    .await;
    assert_eq!(status.as_u16(), 202);
    let path = crate::verification_path(city, "fuzz@example.org");
    crate::call(&router, "GET".parse().unwrap(), &path, None, None).await;
    let login = json!({"email": "fuzz@example.org", "password": "ein langes Passwort"});
    let (_, body) = crate::call(
        &router,
        "POST".parse().unwrap(),
        "/api/portal/login",
        None,
        Some(("application/json", login.to_string())),
    )
    .await;
    let v: Value = serde_json::from_str(&body).unwrap();
    v["token"].as_str().expect("a parent's token").to_string()
}

/// The empty value of an input type as JSON: every field name, no valid value.
fn empty<T: Default + serde::Serialize>() -> Value {
    serde_json::to_value(T::default()).unwrap()
}

/// The routes of a seeded network's city and first Kita, with their callers and seeds.
pub async fn targets(net: &Network) -> Vec<Target> {
    let city_name = net.config(|c| c.role == NodeRole::City).name.clone();
    let kita_config = net.kitas()[0].clone();
    let facility = kita_config.facility.clone().unwrap();
    let city = net.open(&city_name);
    let kita = net.open(&kita_config.name);
    let zvs = login(&city, &first_user(net, &city_name, "zvs")).await;
    let lead = login(&kita, &first_user(net, &kita_config.name, "kita-lead")).await;
    let parent = parent(&city).await;
    let (child, contract) = crate::first_child_and_contract(&kita, &facility);

    let profile = crate::api(
        &kita,
        &lead,
        "GET",
        &format!("/api/facilities/{facility}"),
        None,
    )
    .await
    .1["profile"]
        .clone();
    let application = json!({
        "children": [{"given_name": "Finn", "family_name": "Roth", "birth_date": "2025-08-20", "sex": "male"}],
        "guardian_given_name": "Jana", "guardian_family_name": "Roth",
        "street": "Wilsdruffer Straße 1", "postcode": "01067", "city": "Dresden",
        "phone": "0351 42", "email": "fuzz@example.org",
        "desired_start": "2027-03-01", "daily_hours": 7.5,
        "wishes": [format!("f:{facility}")],
        "notify": "email",
        "consent_data_processing": true, "consent_forwarding": true, "consent_terms": true
    });
    let line =
        json!({"care_type": "kindergarten", "daily_hours": 7.5, "payment_mode": "direct-debit"});
    let mut change = line.clone();
    change["valid_from"] = json!("2026-09-01");
    let mut new_contract = line.clone();
    new_contract["start"] = json!("2026-09-01");
    new_contract["end"] = json!("");
    new_contract["child"] = json!(child);

    use kitanetz_node::{applications, contracts, groups, rounds, seats};
    let targets = vec![
        Target {
            node: city.clone(),
            token: parent.clone(),
            method: "POST",
            path: "/api/portal/applications".into(),
            seeds: vec![application, empty::<applications::ApplicationInput>()],
        },
        Target {
            node: city.clone(),
            token: zvs.clone(),
            method: "POST",
            path: "/api/rounds".into(),
            seeds: vec![
                json!({"from": "2026-09", "to": "2027-02", "offer_days": "14"}),
                empty::<rounds::RoundInput>(),
            ],
        },
        Target {
            node: kita.clone(),
            token: lead.clone(),
            method: "PUT",
            path: format!("/api/facilities/{facility}/profile"),
            seeds: vec![json!({
                "name": profile["name"], "street": profile["address"]["street"],
                "postcode": profile["address"]["postcode"], "city": profile["address"]["city"],
                "district": profile["district"], "cost_centre": profile["cost_centre"],
                "opening_hours": profile["opening_hours"], "concept": profile["concept"],
                "email": profile["email"], "phone": profile["phone"],
                "lead_name": profile["lead_name"],
            })],
        },
        Target {
            node: kita.clone(),
            token: lead.clone(),
            method: "POST",
            path: format!("/api/contracts/{contract}/changes"),
            seeds: vec![change, empty::<contracts::http::ChangeInput>()],
        },
        Target {
            node: kita.clone(),
            token: lead.clone(),
            method: "POST",
            path: "/api/contracts".into(),
            seeds: vec![new_contract, empty::<contracts::http::NewContractInput>()],
        },
        Target {
            node: kita.clone(),
            token: lead.clone(),
            method: "POST",
            path: "/api/seats/reservations".into(),
            seeds: vec![empty::<seats::ReserveInput>()],
        },
        Target {
            node: kita.clone(),
            token: lead.clone(),
            method: "POST",
            path: "/api/seats/declines".into(),
            seeds: vec![empty::<seats::DeclineInput>()],
        },
        Target {
            node: kita.clone(),
            token: lead.clone(),
            method: "POST",
            path: "/api/groups".into(),
            seeds: vec![empty::<groups::GroupInput>()],
        },
    ];
    targets
}
