//! The parents' portal on the city node: search by radius and criteria without a login, field
//! errors for bad input, public profiles (childminders without their street address), and the
//! favourites basket that refuses posts from other sites.

use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use kitanetz_crdt::policy::NodeRole;
use kitanetz_tests::{call, Network};
use serde_json::Value;
use tower::ServiceExt;

async fn json(router: &axum::Router, path: &str) -> (StatusCode, Value) {
    let (status, body) = call(router, Method::GET, path, None, None).await;
    (
        status,
        serde_json::from_str(&body).unwrap_or_else(|e| panic!("{path}: {e}: {body}")),
    )
}

/// A house of the city's street directory in the district of the first facility.
fn address_in(net: &Network, district: &str) -> String {
    let city = net.config(|c| c.role == NodeRole::City);
    let csv = std::fs::read_to_string(net.node_dir(&city.name).join("streets.csv")).unwrap();
    let row = csv
        .lines()
        .skip(1)
        .find(|l| l.split(';').nth(3) == Some(district))
        .expect("a street in the district");
    let cells: Vec<&str> = row.split(';').collect();
    format!("{} {}", cells[0], cells[1])
}

fn query(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

#[tokio::test]
async fn visitors_search_by_radius_and_criteria_without_a_login() {
    let net = Network::seeded();
    let city = net.open(&net.config(|c| c.role == NodeRole::City).name);
    let router = kitanetz_node::http::router(city.clone());

    // The city's front page leads visitors to the portal, not to a login.
    let (status, _) = call(&router, Method::GET, "/", None, None).await;
    assert_eq!(status, StatusCode::SEE_OTHER);

    let (status, all) = json(&router, "/api/portal/search").await;
    assert_eq!(status, StatusCode::OK);
    let hits = all["hits"].as_array().unwrap();
    let facilities = net.world.facilities.len();
    let listed = net
        .world
        .childminders
        .iter()
        .filter(|c| c.listed_online)
        .count();
    assert_eq!(
        hits.len(),
        facilities + listed,
        "every facility, listed childminders only"
    );
    assert!(
        hits.iter().all(|h| h["distance_m"].is_null()),
        "no origin, no distance"
    );

    // Radius: sorted by distance, none beyond the radius, and the near facility is found.
    let near = &net.world.facilities[0].profile;
    let address = address_in(&net, &near.district);
    let (status, r) = json(
        &router,
        &format!("/api/portal/search?address={}&radius=2", query(&address)),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{r}");
    let distances: Vec<u64> = r["hits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["distance_m"].as_u64().unwrap())
        .collect();
    assert!(!distances.is_empty(), "something within 2 km of {address}");
    assert!(distances.windows(2).all(|w| w[0] <= w[1]), "{distances:?}");
    assert!(distances.iter().all(|&d| d <= 2000), "{distances:?}");
    assert!(r["origin"].as_str().unwrap().contains(&near.district));
    let (_, wide) = json(
        &router,
        &format!("/api/portal/search?address={}&radius=50", query(&address)),
    )
    .await;
    assert!(wide["hits"].as_array().unwrap().len() >= distances.len());

    // Criteria combine: a Krippe for a child of 14 months, facilities only, open by 07:00.
    let (status, r) = json(
        &router,
        "/api/portal/search?care_type=nursery&birth_date=2025-10-15&start=2027-01-01&open_from=07:00&facilities_only=true",
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{r}");
    for h in r["hits"].as_array().unwrap() {
        assert_eq!(h["kind"], "facility");
        assert!(h["care_types"]
            .as_array()
            .unwrap()
            .contains(&"nursery".into()));
        assert!(h["age_from_months"].as_u64().unwrap() <= 14);
        assert!(h["age_to_months"].as_u64().unwrap() >= 14);
        let opens = h["opening"].as_str().unwrap();
        assert!(&opens[..5] <= "07:00", "{opens}");
    }
    // A name that nothing has finds nothing; a part of a real name finds it.
    let (_, none) = json(&router, "/api/portal/search?name=zzzz").await;
    assert!(none["hits"].as_array().unwrap().is_empty());
    let word = near.name.split_whitespace().last().unwrap().to_lowercase();
    let (_, some) = json(
        &router,
        &format!("/api/portal/search?name={}", query(&word)),
    )
    .await;
    assert!(some["hits"]
        .as_array()
        .unwrap()
        .iter()
        .any(|h| h["id"] == near.id.0.as_str()));
}

#[tokio::test]
async fn the_index_follows_a_change_of_public_data() {
    use kitanetz_node::auth::{Caller, Principal, Role};
    let net = Network::seeded();
    let city = net.open(&net.config(|c| c.role == NodeRole::City).name);
    let router = kitanetz_node::http::router(city.clone());
    let f = &net.world.facilities[0].profile;
    let capacity = |r: &Value| {
        r["hits"]
            .as_array()
            .unwrap()
            .iter()
            .find(|h| h["id"] == f.id.0.as_str())
            .map(|h| h["capacity"].as_u64().unwrap())
            .unwrap()
    };
    let (_, before) = json(&router, "/api/portal/search").await;
    let zvs = Principal::Staff(Caller {
        user_id: 1,
        username: "zvs".into(),
        display_name: "ZVS".into(),
        role: Role::Zvs,
        organisation: city.config.organisation.clone(),
        provider: None,
        facility: None,
        childminder: None,
    });
    let input = kitanetz_node::facilities::PlacesInput {
        care_type: "kindergarten".into(),
        places: "200".into(),
        valid_from: city.now().today.to_string(),
    };
    kitanetz_node::facilities::change_places(&mut city.store(), &zvs, &f.id, &input, city.now())
        .unwrap();
    let (_, after) = json(&router, "/api/portal/search").await;
    assert_ne!(
        capacity(&before),
        capacity(&after),
        "the new places show at once"
    );
}

#[tokio::test]
async fn bad_search_input_names_every_field() {
    let net = Network::seeded();
    let city = net.open(&net.config(|c| c.role == NodeRole::City).name);
    let router = kitanetz_node::http::router(city);
    let (status, r) = json(
        &router,
        "/api/portal/search?address=Nirgendwostra%C3%9Fe+1&open_from=25:00&birth_date=2027-05-01&start=2027-01-01&care_type=zoo&provider_kind=royal",
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let mut fields: Vec<&str> = r["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["field"].as_str().unwrap())
        .collect();
    fields.sort();
    assert_eq!(
        fields,
        [
            "address",
            "care_type",
            "open_from",
            "provider_kind",
            "start"
        ]
    );
    // The page answers 422 too and keeps what was typed.
    let (status, page) = call(
        &router,
        Method::GET,
        "/portal?address=Nirgendwostra%C3%9Fe+1&radius=99",
        None,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("Nirgendwostraße 1"));
    assert!(page.contains("aria-invalid=\"true\""));
}

#[tokio::test]
async fn profiles_are_public_and_childminders_keep_their_street_to_themselves() {
    let net = Network::seeded();
    let city = net.open(&net.config(|c| c.role == NodeRole::City).name);
    let router = kitanetz_node::http::router(city);
    let f = &net.world.facilities[0].profile;
    let (status, page) = call(
        &router,
        Method::GET,
        &format!("/portal/facilities/{}", f.id.0),
        None,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains(&f.name.replace('"', "&quot;")));
    let listed = net
        .world
        .childminders
        .iter()
        .find(|c| c.listed_online)
        .expect("a childminder listed online");
    let (status, profile) = json(
        &router,
        &format!("/api/portal/childminders/{}", listed.id.0),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let text = profile.to_string();
    assert!(
        !text.contains(&listed.address.street),
        "no street address of a childminder: {text}"
    );
    assert_eq!(profile["listing"]["address"], listed.district.as_str());
    if let Some(hidden) = net.world.childminders.iter().find(|c| !c.listed_online) {
        let (status, _) = call(
            &router,
            Method::GET,
            &format!("/portal/childminders/{}", hidden.id.0),
            None,
            None,
        )
        .await;
        assert_eq!(status, StatusCode::NOT_FOUND, "not listed online");
    }
}

async fn post_basket(
    router: &axum::Router,
    origin: &str,
    cookie: &str,
    body: &str,
) -> (StatusCode, Option<String>) {
    let req = Request::builder()
        .method(Method::POST)
        .uri("/portal/favourites")
        .header(header::HOST, "city.example")
        .header(header::ORIGIN, origin)
        .header(header::COOKIE, cookie)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(body.to_string()))
        .unwrap();
    let res = router.clone().oneshot(req).await.unwrap();
    let set = res
        .headers()
        .get(header::SET_COOKIE)
        .map(|v| v.to_str().unwrap().to_string());
    (res.status(), set)
}

#[tokio::test]
async fn the_favourites_basket_works_without_an_account_and_refuses_other_sites() {
    let net = Network::seeded();
    let city = net.open(&net.config(|c| c.role == NodeRole::City).name);
    let router = kitanetz_node::http::router(city);
    let f = &net.world.facilities[0].profile;
    let body = format!("key=f:{}&op=add&back=/portal", f.id.0);

    let (status, set) = post_basket(&router, "https://evil.example", "", &body).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(set.is_none());

    let (status, set) = post_basket(&router, "https://city.example", "", &body).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let cookie = set.unwrap();
    assert!(
        cookie.starts_with(&format!("kn_fav=f:{}", f.id.0)),
        "{cookie}"
    );
    let jar = cookie.split(';').next().unwrap().to_string();

    let req = Request::builder()
        .uri("/portal/favourites")
        .header(header::COOKIE, &jar)
        .body(Body::empty())
        .unwrap();
    let res = router.clone().oneshot(req).await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let page = axum::body::to_bytes(res.into_body(), 1 << 20)
        .await
        .unwrap();
    let page = String::from_utf8_lossy(&page);
    assert!(page.contains(&format!("/portal/facilities/{}", f.id.0)));

    // An unknown entry is refused and the basket unchanged; removing empties it.
    let (status, _) = post_basket(
        &router,
        "https://city.example",
        &jar,
        "key=x:1&op=add&back=/portal",
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (_, set) = post_basket(
        &router,
        "https://city.example",
        &jar,
        &format!("key=f:{}&op=remove&back=//evil.example", f.id.0),
    )
    .await;
    assert!(set.unwrap().starts_with("kn_fav=;"));
}
