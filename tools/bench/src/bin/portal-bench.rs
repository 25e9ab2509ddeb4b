//! Portal load benchmark (not a test; run on demand, prints figures): the city node at Dresden
//! scale (337 facilities, 341 childminders) serves the parents' portal on loopback, and `wrk`
//! (Debian package `wrk`) measures sustained requests per second and latency percentiles of
//!
//! 1. the radius search (`/api/portal/search?address=…&radius=3`, JSON),
//! 2. the search page (`/portal?address=…&radius=3&care_type=kindergarten`, HTML with map data),
//! 3. application submits (`POST /portal/apply`: two documents, the duplicate key, the receipt
//!    mail and the audit row in one transaction, `synchronous=FULL`), each for a new child.
//!
//! `cargo run --release -p kitanetz-bench --bin portal-bench [-- --seconds 15] [--connections 32] [--scale demo|dresden]`
//!
//! Goal of issue #8: p99 ≤ 100 ms at ≥ 1,000 searches/s.

use kitanetz_crdt::kinds::CareType;
use kitanetz_crdt::policy::NodeRole;
use kitanetz_node::clock::{Clock, FixedClock};
use kitanetz_node::Node;
use std::io::Write;
use std::process::Command;
use std::sync::Arc;
use std::time::Instant;

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let arg = |name: &str| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
            .cloned()
    };
    let seconds: u32 = arg("--seconds").map_or(Ok(15), |s| s.parse())?;
    let connections: u32 = arg("--connections").map_or(Ok(32), |s| s.parse())?;
    let scale = match arg("--scale").as_deref() {
        Some("demo") => kitanetz_datagen::Scale::demo(),
        _ => kitanetz_datagen::Scale::dresden(),
    };
    if Command::new("wrk").arg("--version").output().is_err() {
        anyhow::bail!("wrk is not installed: apt-get install wrk");
    }
    let dir = std::env::temp_dir().join(format!("kitanetz-portal-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let clock = FixedClock::at(chrono::NaiveDate::from_ymd_opt(2026, 11, 2).expect("date"));

    let t = Instant::now();
    let world = kitanetz_datagen::generate(7, &scale, clock.today());
    let configs = kitanetz_node::demo::plan_network(&world, 0);
    let city = configs
        .iter()
        .find(|c| c.role == NodeRole::City)
        .expect("a city")
        .clone();
    kitanetz_node::demo::seed_network(&dir, std::slice::from_ref(&city), &world, &clock)?;
    println!(
        "city node seeded: {} facilities, {} childminders, {} applications ({:.1} s)",
        world.facilities.len(),
        world.childminders.len(),
        world.applications.len(),
        t.elapsed().as_secs_f64()
    );
    let node = Node::open(&dir.join(&city.name), Arc::new(clock.clone()))?;

    // A house in the street directory and three Kitas with Kindergarten places at the start.
    let streets = std::fs::read_to_string(dir.join(&city.name).join("streets.csv"))?;
    let row: Vec<&str> = streets
        .lines()
        .nth(1)
        .expect("a street")
        .split(';')
        .collect();
    let address = format!("{} {}", row[0], row[1]);
    let address_q: String = form_urlencoded::byte_serialize(address.as_bytes()).collect();
    let start = kitanetz_crdt::scalar::Date::ymd(2027, 8, 1);
    let kitas: Vec<String> = world
        .facilities
        .iter()
        .filter(|f| {
            f.licence.care_types.iter().any(|c| {
                c.care_type == CareType::Kindergarten && c.places.at(start).is_some_and(|&p| p > 0)
            })
        })
        .take(3)
        .map(|f| format!("f:{}", f.profile.id.0))
        .collect();

    // A parent with a session for the submits.
    let (cookie, csrf) = {
        let store = node.store();
        store.conn().execute(
            "INSERT INTO guardian_accounts (email, display_name, password_hash, verified_at, created_at) VALUES ('bench@example.org', 'Bench Parent', 'x', 1, 1)",
            [],
        )?;
        let id = store.conn().last_insert_rowid();
        let tokens =
            kitanetz_node::auth::create_guardian_session(store.conn(), id, clock.now_millis())?;
        (format!("kn_session={}", tokens.token), tokens.csrf)
    };

    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    let addr = rt.block_on(async {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let app = kitanetz_node::http::router(node.clone());
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        anyhow::Ok(addr)
    })?;
    let base = format!("http://{addr}");

    // Warm the index once (the first search builds it from the documents).
    let t = Instant::now();
    let _ = kitanetz_node::portal::search(
        &node.store(),
        node.portal.as_ref().expect("portal"),
        &kitanetz_node::auth::Principal::Visitor,
        &kitanetz_node::portal::SearchInput::default(),
        clock.today(),
    )?;
    println!(
        "search index built in {:.0} ms",
        t.elapsed().as_secs_f64() * 1000.0
    );

    let wrk = |name: &str, url: &str, script: Option<&std::path::Path>| -> anyhow::Result<()> {
        let mut cmd = Command::new("wrk");
        cmd.args([
            "-t2",
            &format!("-c{connections}"),
            &format!("-d{seconds}s"),
            "--latency",
            "--timeout",
            "5s",
        ]);
        if let Some(s) = script {
            cmd.arg("-s").arg(s);
        }
        let out = cmd.arg(url).output()?;
        let text = String::from_utf8_lossy(&out.stdout);
        let pick = |prefix: &str| {
            text.lines()
                .find(|l| l.trim_start().starts_with(prefix))
                .map(|l| l.trim().to_string())
                .unwrap_or_default()
        };
        println!(
            "{name}: {} | p50 {} | p90 {} | p99 {} | {}{}",
            pick("Requests/sec:"),
            pick("50%").trim_start_matches("50%").trim(),
            pick("90%").trim_start_matches("90%").trim(),
            pick("99%").trim_start_matches("99%").trim(),
            pick("requests in"),
            match pick("Non-2xx or 3xx responses:") {
                s if s.is_empty() => String::new(),
                s => format!(" | {s}"),
            }
        );
        Ok(())
    };

    println!("wrk: 2 threads, {connections} connections, {seconds} s per run, loopback");
    wrk(
        "radius search (JSON)",
        &format!("{base}/api/portal/search?address={address_q}&radius=3"),
        None,
    )?;
    wrk(
        "search page (HTML)",
        &format!("{base}/portal?address={address_q}&radius=3&care_type=kindergarten"),
        None,
    )?;

    // Submits: every request a new child (a different name), so each one is stored.
    let script = dir.join("apply.lua");
    let wishes: String = kitas
        .iter()
        .enumerate()
        .map(|(i, k)| format!("&wish{}={}", i + 1, k.replace(':', "%3A")))
        .collect();
    let mut f = std::fs::File::create(&script)?;
    write!(
        f,
        r#"
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.headers["Cookie"] = "{cookie}"
local threads = 0
function setup(thread)
  threads = threads + 1
  thread:set("tag", threads)
end
local n = 0
request = function()
  n = n + 1
  local body = "csrf={csrf}&child1_given_name=Kind" .. tag .. "x" .. n ..
    "&child1_family_name=Bench&child1_birth_date=2023-03-01&guardian_given_name=Bench&guardian_family_name=Parent" ..
    "&street={street}&postcode={postcode}&city=Dresden&phone=0351+1&email=bench%40example.org" ..
    "&desired_start=2027-08-01&daily_hours=7{wishes}&notify=email" ..
    "&consent_data_processing=true&consent_forwarding=true&consent_terms=true"
  return wrk.format(nil, "/portal/apply", nil, body)
end
"#,
        street = form_urlencoded::byte_serialize(address.as_bytes()).collect::<String>(),
        postcode = row[2],
    )?;
    drop(f);
    wrk("application submit (POST)", &base, Some(&script))?;
    let stored: i64 =
        node.store()
            .conn()
            .query_row("SELECT COUNT(*) FROM portal_applications", [], |r| r.get(0))?;
    println!("applications stored by the submit run: {stored}");
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}
