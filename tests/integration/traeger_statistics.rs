//! The Landeszuschuss count on a Träger node, from the contracts of its Kitas.

use axum::http::{Method, StatusCode};
use kitanetz_crdt::policy::NodeRole;
use kitanetz_node::auth::Role;
use kitanetz_node::http::router;
use kitanetz_tests::{add_traeger_user, call, Network};
use rust_decimal::Decimal;
use serde_json::Value;
use std::str::FromStr;

fn dec(v: &Value) -> Decimal {
    Decimal::from_str(
        v.as_str()
            .unwrap_or_else(|| panic!("not a number string: {v}")),
    )
    .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_traeger_counts_its_kitas_for_the_state_subsidy_and_the_total_adds_up() {
    let net = Network::seeded();
    let cfg = net.config(|c| c.role == NodeRole::Traeger).clone();
    let provider = cfg.provider.clone().unwrap();
    let node = net.open(&cfg.name);
    let admin = add_traeger_user(&node, "t-admin", Role::TraegerAdmin, &provider);
    let app = router(node.clone());
    let (status, body) = call(
        &app,
        Method::GET,
        "/api/statistics/landeszuschuss?year=2026",
        Some(&admin.token),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let counts: Vec<Value> = serde_json::from_str(&body).unwrap();
    let (total, kitas) = counts.split_last().unwrap();
    assert!(total["facility"].is_null(), "the Träger's total comes last");
    assert!(kitas.len() >= 2, "one count per Kita: {}", kitas.len());
    for group in ["krippe", "kindergarten", "hort"] {
        let sum: u64 = kitas
            .iter()
            .map(|k| k["result"]["groups"][group]["children"].as_u64().unwrap())
            .sum();
        assert_eq!(
            total["result"]["groups"][group]["children"]
                .as_u64()
                .unwrap(),
            sum,
            "{group}"
        );
    }
    let children = dec(&total["result"]["total_children"]);
    assert!(children > Decimal::ZERO, "{total}");
    assert_eq!(total["result"]["reference_date"], "2026-04-01");
    // 4.4: the total times the rate, half up to the cent.
    let rate = dec(&total["result"]["rate_per_child"]);
    assert_eq!(
        dec(&total["result"]["subsidy"]),
        (children * rate)
            .round_dp_with_strategy(2, rust_decimal::RoundingStrategy::MidpointAwayFromZero)
    );

    // The page shows the same total; a Kita lead and the fee office may not see it.
    let (status, page) = call(
        &app,
        Method::GET,
        "/statistics/landeszuschuss?year=2026",
        Some(&admin.token),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("data-total=\"true\""), "{page}");
    let clerk = add_traeger_user(&node, "t-fee", Role::FeeOffice, &provider);
    let (status, _) = call(
        &app,
        Method::GET,
        "/api/statistics/landeszuschuss",
        Some(&clerk.token),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    // A year that is no year is refused.
    let (status, _) = call(
        &app,
        Method::GET,
        "/api/statistics/landeszuschuss?year=zwanzig",
        Some(&admin.token),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}
