//! Node benchmark at Dresden scale (not a test; run on demand, prints figures):
//! generate the data set, load it into one node, then time opening the node and rendering the
//! facility list.
//!
//! `cargo run --release -p kitanetz-bench --bin node-bench [-- --data-dir DIR] [--scale demo|dresden] [--applications N] [--node traeger|city] [--tagespflege] [--fees] [--round]`
//!
//! `traeger` (default): the office of the largest Träger, rendering `/facilities` and `/children`.
//! `city`: the city node (every application and applicant, every seat ledger), rendering
//! `/facilities` and the ZVS's `/conflicts` (which reads every seat ledger).
//!
//! `--tagespflege` (city node): the Kindertagespflege register (every childminder, the watch
//! list, the requests), the month's payment list (every childminder's running payment, absence
//! ledger and refunds) and one childminder's file, as the BVS-KTP renders them.
//!
//! `--fees` (Träger node): the Beitragsstelle on the same node — the fee list (every family
//! computed), a decision for every family that pays (with a SEPA mandate), then the monthly
//! Soll-Stellung through the node (loading every fee case) and the pain.008 file.

use axum::body::Body;
use axum::http::Request;
use kitanetz_crdt::policy::NodeRole;
use kitanetz_node::auth::{create_session, create_user, NewUser, Role};
use kitanetz_node::clock::{Clock, FixedClock};
use kitanetz_node::Node;
use std::sync::Arc;
use std::time::Instant;
use tower::ServiceExt;

fn peak_rss_mib() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<f64>().ok())
        })
        .map_or(0.0, |kb| kb / 1024.0)
}

fn dir_size(path: &std::path::Path) -> u64 {
    std::fs::read_dir(path).map_or(0, |rd| {
        rd.filter_map(Result::ok)
            .map(|e| e.metadata().map_or(0, |m| m.len()))
            .sum()
    })
}

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let arg = |name: &str| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
            .cloned()
    };
    let mut scale = match arg("--scale").as_deref() {
        Some("demo") => kitanetz_datagen::Scale::demo(),
        _ => kitanetz_datagen::Scale::dresden(),
    };
    if let Some(n) = arg("--applications") {
        scale.applications = n.parse()?;
    }
    let tmp = tempfile_dir(arg("--data-dir"))?;
    let clock = FixedClock::at(chrono::NaiveDate::from_ymd_opt(2026, 11, 2).expect("date"));

    let t = Instant::now();
    let world = kitanetz_datagen::generate(7, &scale, clock.today());
    let generate = t.elapsed();

    // One node: the office of the largest Träger (the municipal Eigenbetrieb), which holds every
    // public document and all personal data of its own Kitas, or the city node, which holds
    // every application, applicant and seat ledger — as they would in production.
    let city = arg("--node").as_deref() == Some("city");
    let configs = kitanetz_node::demo::plan_network(&world, 0);
    let office = configs
        .iter()
        .find(|c| {
            c.role
                == if city {
                    NodeRole::City
                } else {
                    NodeRole::Traeger
                }
        })
        .expect("a node of the role")
        .clone();
    let t = Instant::now();
    let report =
        kitanetz_node::demo::seed_network(&tmp, std::slice::from_ref(&office), &world, &clock)?;
    let load = t.elapsed();
    let node_dir = tmp.join(&office.name);

    let t = Instant::now();
    let node = Node::open(&node_dir, Arc::new(clock.clone()))?;
    let open = t.elapsed();
    let token = {
        let mut store = node.store();
        let id = create_user(
            &mut store,
            &NewUser {
                username: "bench",
                display_name: "Bench",
                password: "bench-password",
                role: if city { Role::Zvs } else { Role::TraegerAdmin },
                organisation: office.organisation.clone(),
                provider: office.provider.clone(),
                facility: None,
            },
        )?;
        create_session(&mut store, id, clock.now_millis())?.token
    };
    let router = kitanetz_node::http::router(node.clone());
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let render = |path: String| {
        let router = router.clone();
        let token = token.clone();
        rt.block_on(async move {
            let req = Request::get(path)
                .header("authorization", format!("Bearer {token}"))
                .body(Body::empty())
                .expect("request");
            let res = router.oneshot(req).await.expect("infallible");
            let status = res.status();
            let body = axum::body::to_bytes(res.into_body(), 64 << 20)
                .await
                .expect("body");
            (status, body.len())
        })
    };
    let mut list_times = Vec::new();
    let mut bytes = 0;
    for _ in 0..20 {
        let t = Instant::now();
        let (status, n) = render("/facilities".to_string());
        list_times.push(t.elapsed());
        anyhow::ensure!(status.is_success(), "facility list answered {status}");
        bytes = n;
    }
    list_times.sort();
    let t = Instant::now();
    let (status, _) = render("/facilities?q=Kita".to_string());
    let search = t.elapsed();
    anyhow::ensure!(status.is_success());
    // The role's own list: a Träger's children, the ZVS's conflicts (every seat ledger read).
    let own_page = if city { "/conflicts" } else { "/children" };
    let t = Instant::now();
    let (status, _) = render(own_page.to_string());
    let own_page_time = t.elapsed();
    anyhow::ensure!(status.is_success(), "{own_page} answered {status}");

    let docs = node.store().doc_rows()?.len();
    println!(
        "node benchmark, {} node ({} facilities, {} families, {} contracts in the data set)",
        office.name,
        world.facilities.len(),
        world.families.len(),
        world.contracts.len()
    );
    println!(
        "  generate data set          {:>8.2} s",
        generate.as_secs_f64()
    );
    println!(
        "  load into one node         {:>8.2} s  ({} documents held, {} created in all)",
        load.as_secs_f64(),
        docs,
        report.documents
    );
    println!(
        "  database size              {:>8.1} MiB",
        dir_size(&node_dir) as f64 / (1 << 20) as f64
    );
    println!(
        "  open node                  {:>8.1} ms",
        open.as_secs_f64() * 1e3
    );
    println!(
        "  render /facilities         {:>8.1} ms median, {:.1} ms max of 20 ({} KiB)",
        list_times[10].as_secs_f64() * 1e3,
        list_times[19].as_secs_f64() * 1e3,
        bytes / 1024
    );
    println!(
        "  search /facilities?q=Kita  {:>8.1} ms",
        search.as_secs_f64() * 1e3
    );
    println!(
        "  render {own_page:<19} {:>8.1} ms",
        own_page_time.as_secs_f64() * 1e3
    );
    if args.iter().any(|a| a == "--tagespflege") && city {
        let bvs = {
            let mut store = node.store();
            let id = create_user(
                &mut store,
                &NewUser {
                    username: "bench-bvs",
                    display_name: "Bench BVS",
                    password: "bench-password",
                    role: Role::BvsKtp,
                    organisation: office.organisation.clone(),
                    provider: None,
                    facility: None,
                },
            )?;
            create_session(&mut store, id, clock.now_millis())?.token
        };
        let as_bvs = |path: &str| {
            let router = router.clone();
            let token = bvs.clone();
            let path = path.to_string();
            rt.block_on(async move {
                let req = Request::get(path)
                    .header("authorization", format!("Bearer {token}"))
                    .body(Body::empty())
                    .expect("request");
                let t = Instant::now();
                let res = router.oneshot(req).await.expect("infallible");
                let status = res.status();
                let _ = axum::body::to_bytes(res.into_body(), 64 << 20).await;
                (status, t.elapsed())
            })
        };
        let first = world
            .childminders
            .first()
            .expect("childminders")
            .id
            .0
            .clone();
        println!(
            "  Kindertagespflege: {} childminders",
            world.childminders.len()
        );
        for path in [
            "/tagespflege".to_string(),
            "/tagespflege/payments?month=2026-11".to_string(),
            format!("/tagespflege/{first}?month=2026-11"),
        ] {
            let mut times = Vec::new();
            for _ in 0..5 {
                let (status, took) = as_bvs(&path);
                anyhow::ensure!(status.is_success(), "{path} answered {status}");
                times.push(took);
            }
            times.sort();
            println!(
                "  render {path:<38} {:>8.1} ms median of 5",
                times[2].as_secs_f64() * 1e3
            );
        }
    }
    if args.iter().any(|a| a == "--fees") && !city {
        fees(&node, &office, &clock)?;
    }
    if args.iter().any(|a| a == "--round") && city {
        round(&node, &clock, &render)?;
    }
    println!("  peak RSS                   {:>8.1} MiB", peak_rss_mib());
    Ok(())
}

/// A coordinated placement round over every application in placement (#9 item 8): the ZVS's
/// click to the proposals written (application and wish documents in one transaction, each wish
/// ready to sync to its Kita), then the round's page.
fn round(
    node: &Arc<Node>,
    clock: &FixedClock,
    render: &dyn Fn(String) -> (axum::http::StatusCode, usize),
) -> anyhow::Result<()> {
    use kitanetz_node::auth::{Caller, Principal};
    let zvs = Principal::Staff(Caller {
        user_id: 0,
        username: "bench-zvs".into(),
        display_name: "ZVS".into(),
        role: Role::Zvs,
        organisation: kitanetz_crdt::ids::city_org(),
        provider: None,
        facility: None,
        childminder: None,
    });
    // The window: every month of desired starts from next month on, twelve months.
    let from = clock.today().0 + chrono::Months::new(1);
    let to = from + chrono::Months::new(11);
    let input = kitanetz_node::rounds::RoundInput {
        from: from.format("%Y-%m").to_string(),
        to: to.format("%Y-%m").to_string(),
        offer_days: String::new(),
    };
    let admitted: i64 = node.store().conn().query_row(
        "SELECT count(*) FROM p_applications WHERE status = 'active'",
        [],
        |r| r.get(0),
    )?;
    let changes_before: i64 = node.store().conn().query_row(
        "SELECT COALESCE(MAX(local_seq), 0) FROM documents",
        [],
        |r| r.get(0),
    )?;
    let t = Instant::now();
    let started = kitanetz_node::rounds::start_with_seed(
        &mut node.store(),
        &zvs,
        &input,
        &|_, _| None,
        "Dresden",
        "bench-seed",
        kitanetz_node::clock::Now::of(clock),
    )?;
    let took = t.elapsed();
    let changes_after: i64 = node.store().conn().query_row(
        "SELECT COALESCE(MAX(local_seq), 0) FROM documents",
        [],
        |r| r.get(0),
    )?;
    let t = Instant::now();
    let (status, bytes) = render(format!("/rounds/{}", started.round));
    let page = t.elapsed();
    anyhow::ensure!(
        status.is_success(),
        "/rounds/{} answered {status}",
        started.round
    );
    println!(
        "  round: {} active applications, {} in the window, {} proposals",
        admitted, started.children, started.proposed
    );
    println!(
        "  round start (click to proposals saved) {:>8.1} ms  (local change sequence +{}: documents ready to sync)",
        took.as_secs_f64() * 1e3,
        changes_after - changes_before
    );
    println!(
        "  round phases (ms from the click): {}",
        ["read", "input", "solve", "wishes", "saved"]
            .iter()
            .map(|p| format!("{p} {}", started.phases_ms.get(p).copied().unwrap_or(0)))
            .collect::<Vec<_>>()
            .join(", ")
    );
    println!(
        "  render /rounds/{:<4}       {:>8.1} ms ({} KiB)",
        started.round,
        page.as_secs_f64() * 1e3,
        bytes / 1024
    );
    Ok(())
}

/// The Beitragsstelle at this node's scale: list, decide every family, bill, write pain.008.
fn fees(
    node: &Arc<Node>,
    office: &kitanetz_node::config::NodeConfig,
    clock: &FixedClock,
) -> anyhow::Result<()> {
    use kitanetz_node::auth::{Caller, Principal};
    use kitanetz_node::fees::{
        billing, decisions, family_ids, set_payment, MandateInput, PaymentInput,
    };
    let provider = office.provider.clone().expect("a Träger node");
    let clerk = Principal::Staff(Caller {
        user_id: 0,
        username: "bench-fees".into(),
        display_name: "Beitragsstelle".into(),
        role: Role::FeeOffice,
        organisation: office.organisation.clone(),
        provider: Some(provider),
        facility: None,
        childminder: None,
    });
    let now = kitanetz_node::clock::Now::of(clock);
    let this_month = clock.today().0.format("%Y-%m").to_string();
    let next_month = (clock.today().0 + chrono::Months::new(1))
        .format("%Y-%m")
        .to_string();
    // Timed through the domain functions (the page adds only the template).
    let t = Instant::now();
    let rows = kitanetz_node::fees::overview::overview(&node.store(), &clerk, clock.today())?;
    let list = t.elapsed();
    let families = family_ids(&node.store())?;
    let issuer = decisions::Issuer {
        fees: office.fees.clone().unwrap_or_default(),
        display_name: office.display_name.clone(),
        clerk: "Beitragsstelle".into(),
    };
    let t = Instant::now();
    let mut decided = 0;
    let mut refused = 0;
    for family in &families {
        let mut store = node.store();
        let view = kitanetz_node::fees::load_family(&store, family)?;
        let payer = view.family.guardians[0].id.0.clone();
        set_payment(
            &mut store,
            &clerk,
            family,
            &PaymentInput {
                payer,
                mandate: Some(MandateInput {
                    holder: "Bench".into(),
                    iban: "DE89370400440532013000".into(),
                    bic: String::new(),
                    bank: String::new(),
                    reference: format!("M-{}", family.0),
                    signed_on: "2025-01-02".into(),
                }),
            },
            now,
        )?;
        match decisions::issue(
            &mut store,
            &clerk,
            family,
            &decisions::DecisionInput {
                from: this_month.clone(),
            },
            &issuer,
            now,
        ) {
            Ok(_) => decided += 1,
            Err(_) => refused += 1,
        }
    }
    let decide = t.elapsed();
    let fees_config = office.fees.clone().unwrap_or_default();
    let t = Instant::now();
    let run = billing::run(
        &mut node.store(),
        &clerk,
        &billing::RunInput { month: next_month },
        &fees_config,
        now,
    )?;
    let bill = t.elapsed();
    let t = Instant::now();
    let debits = billing::direct_debit_file(
        &node.store(),
        &clerk,
        run.run.id,
        &fees_config,
        &office.name,
        kitanetz_node::clock::city_time(clock.now()),
        clock.today(),
    )?;
    let sepa = t.elapsed();
    println!(
        "  fees: list of {} families  {:>8.2} s",
        rows.len(),
        list.as_secs_f64()
    );
    println!(
        "  fees: decide {decided} families  {:>8.2} s  ({:.1} ms each; {refused} not decided: no fee or no priced tier)",
        decide.as_secs_f64(),
        decide.as_secs_f64() * 1e3 / families.len().max(1) as f64
    );
    println!(
        "  fees: Soll-Stellung        {:>8.2} s  ({} positions, {} €)",
        bill.as_secs_f64(),
        run.run.positions,
        run.run.total
    );
    println!(
        "  fees: pain.008             {:>8.2} s  ({} debits)",
        sepa.as_secs_f64(),
        debits.collected.len()
    );
    Ok(())
}

fn tempfile_dir(given: Option<String>) -> anyhow::Result<std::path::PathBuf> {
    let dir = match given {
        Some(d) => std::path::PathBuf::from(d),
        None => std::env::temp_dir().join(format!("kitanetz-node-bench-{}", std::process::id())),
    };
    if dir.exists() {
        std::fs::remove_dir_all(&dir)?;
    }
    std::fs::create_dir_all(&dir)?;
    Ok(dir)
}
