//! A Kita lead's seats list, narrowed by care type.

use axum::http::{Method, StatusCode};
use kitanetz_crdt::ids::facility_org;
use kitanetz_node::auth::Role;
use kitanetz_tests::{add_user, call, Network};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_seats_list_narrows_to_one_care_type() {
    let net = Network::seeded();
    let kita = net.kitas()[0].clone();
    let node = net.open(&kita.name);
    let facility = kita.facility.clone().unwrap();
    let lead = add_user(
        &node,
        "t-lead",
        Role::KitaLead,
        facility_org(&facility),
        kita.provider.clone(),
        Some(facility),
    );
    let router = kitanetz_node::http::router(node.clone());
    let count = |path: &'static str| {
        let (router, token) = (router.clone(), lead.token.clone());
        async move {
            let (status, body) = call(&router, Method::GET, path, Some(&token), None).await;
            assert_eq!(status, StatusCode::OK, "{body}");
            let v: serde_json::Value = serde_json::from_str(&body).unwrap();
            v["wishes"].as_array().unwrap().len()
        }
    };
    let all = count("/api/seats").await;
    assert!(all > 0, "the demo Kita has wishes");
    let parts = count("/api/seats?care_type=nursery").await
        + count("/api/seats?care_type=kindergarten").await
        + count("/api/seats?care_type=after-school").await
        + count("/api/seats?care_type=remedial").await
        + count("/api/seats?care_type=supported-after-school").await;
    assert_eq!(parts, all, "every wish is of one care type");
    assert!(count("/api/seats?care_type=nursery").await < all);
    assert_eq!(
        count("/api/seats?care_type=unknown").await,
        all,
        "unknown: no narrowing"
    );

    // The navigation offers the seats and conflicts pages exactly where they would answer:
    // to this Kita's lead, not to the lead of another Kita logged in here.
    let other = add_user(
        &node,
        "t-other-lead",
        Role::KitaLead,
        facility_org(&kitanetz_crdt::ids::FacilityId("fac-elsewhere".into())),
        kita.provider.clone(),
        Some(kitanetz_crdt::ids::FacilityId("fac-elsewhere".into())),
    );
    for (token, shown) in [(&lead.token, true), (&other.token, false)] {
        let (status, page) = call(&router, Method::GET, "/", Some(token), None).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(page.contains(r#"href="/seats""#), shown);
        assert_eq!(page.contains(r#"href="/conflicts""#), shown);
    }
}
