//! Occupancy and forecast on a Kita node and, summed, on its Träger's node.

use axum::http::{Method, StatusCode};
use kitanetz_crdt::ids::provider_org;
use kitanetz_crdt::policy::NodeRole;
use kitanetz_node::auth::Role;
use kitanetz_node::http::router;
use kitanetz_tests::{add_traeger_user, add_user, call, Network};
use serde_json::Value;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_kita_sees_its_children_against_its_places_and_the_traeger_the_sum() {
    let net = Network::seeded();
    let kita = net.kitas()[0].clone();
    let provider = kita.provider.clone().unwrap();
    let facility = kita.facility.clone().unwrap();
    let node = net.open(&kita.name);
    let lead = add_user(
        &node,
        "t-lead",
        Role::KitaLead,
        provider_org(&provider),
        Some(provider.clone()),
        Some(facility.clone()),
    );
    let app = router(node.clone());
    let (status, body) = call(&app, Method::GET, "/api/occupancy", Some(&lead.token), None).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let v: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(v["facilities"].as_array().unwrap().len(), 1);
    let total = &v["facilities"][0]["total"];
    // Children under contract today, counted from the contracts the node holds.
    let today = node.clock.today().to_string();
    let in_force: i64 = node
        .store()
        .conn()
        .query_row(
            "SELECT count(DISTINCT child) FROM p_contracts WHERE facility = ?1 AND start <= ?2 AND (end IS NULL OR end >= ?2)",
            [&facility.0, &today],
            |r| r.get(0),
        )
        .unwrap();
    assert!(in_force > 0);
    assert_eq!(total["occupied"].as_i64().unwrap(), in_force, "{total}");
    assert!(
        total["capacity"].as_u64().unwrap() > 0,
        "the licence's places"
    );
    // A year month by month from the reference date: its own (partial) month first, and the
    // last month partial too unless the reference date is a 1st.
    let forecast = v["forecast"].as_array().unwrap();
    let day = node.clock.today().0;
    assert_eq!(forecast[0]["month"], day.format("%Y-%m").to_string());
    assert_eq!(
        forecast.len(),
        if chrono::Datelike::day(&day) == 1 {
            12
        } else {
            13
        },
        "a year month by month"
    );
    // The lead's lists, with names (not pseudonyms): school entrants of the school year that
    // starts next (1 August), children who may switch from Krippe to Kindergarten.
    let (_, body) = call(
        &app,
        Method::GET,
        "/api/occupancy?on=2027-03-01",
        Some(&lead.token),
        None,
    )
    .await;
    let spring: Value = serde_json::from_str(&body).unwrap();
    let school = spring["school"].as_array().unwrap();
    assert!(!school.is_empty(), "school entrants in 2027: {body}");
    for c in school {
        assert_eq!(c["from"], "2027-08-01", "{c}");
        assert!(!c["name"].as_str().unwrap().starts_with("child-"), "{c}");
    }
    for c in spring["switch"].as_array().unwrap() {
        assert!(c["from"].as_str() < c["until"].as_str(), "{c}");
    }
    // A date that is none is refused; another Kita's lead may not look.
    let (status, _) = call(
        &app,
        Method::GET,
        "/api/occupancy?on=morgen",
        Some(&lead.token),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (status, page) = call(&app, Method::GET, "/occupancy", Some(&lead.token), None).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("id=\"forecast\""));

    // The Träger's node: every Kita of the Träger and the sum.
    let cfg = net
        .config(|c| c.role == NodeRole::Traeger && c.provider.as_ref() == Some(&provider))
        .clone();
    let traeger = net.open(&cfg.name);
    let admin = add_traeger_user(&traeger, "t-admin", Role::TraegerAdmin, &provider);
    let (status, body) = call(
        &router(traeger),
        Method::GET,
        "/api/occupancy",
        Some(&admin.token),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let v: Value = serde_json::from_str(&body).unwrap();
    let kitas = v["facilities"].as_array().unwrap();
    assert!(kitas.len() >= 2);
    let sum: u64 = kitas
        .iter()
        .map(|k| k["total"]["occupied"].as_u64().unwrap())
        .sum();
    assert_eq!(v["total"]["occupied"].as_u64().unwrap(), sum);
    let mine = kitas
        .iter()
        .find(|k| k["facility"] == facility.0.as_str())
        .unwrap();
    assert_eq!(
        mine["total"]["occupied"].as_i64().unwrap(),
        in_force,
        "the same at the Träger"
    );
}
