//! The city changes a Kita's approved places from a date.

use axum::http::{Method, StatusCode};
use kitanetz_crdt::ids::{city_org, facility_org};
use kitanetz_crdt::kinds::{CareType, FacilityLicence};
use kitanetz_crdt::policy::NodeRole;
use kitanetz_crdt::scalar::Date;
use kitanetz_node::auth::Role;
use kitanetz_tests::{add_user, call, Network};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_zvs_changes_approved_places_from_a_date_and_the_old_figure_holds_until_then() {
    let net = Network::seeded();
    let city = net.open(&net.config(|c| c.role == NodeRole::City).name.clone());
    let kita = net.kitas()[0].clone();
    let facility = kita.facility.clone().unwrap();
    let zvs = add_user(&city, "t-zvs", Role::Zvs, city_org(), None, None);
    let lead = add_user(
        &city,
        "t-lead",
        Role::KitaLead,
        facility_org(&facility),
        kita.provider.clone(),
        Some(facility.clone()),
    );
    let router = kitanetz_node::http::router(city.clone());
    let licence = || {
        city.store()
            .get::<FacilityLicence>(&kitanetz_node::facilities::licence_doc_id(&facility))
            .unwrap()
            .1
    };
    let before = licence();
    let (from, day_before) = (Date::ymd(2027, 3, 1), Date::ymd(2027, 2, 28));
    let old = before.places_on(CareType::Kindergarten, day_before);
    let path = format!("/api/facilities/{}/places", facility.0);
    let body = |places: &str, from: &str| {
        Some((
            "application/json",
            format!(r#"{{"care_type":"kindergarten","places":"{places}","valid_from":"{from}"}}"#),
        ))
    };

    let (status, _) = call(
        &router,
        Method::POST,
        &path,
        Some(&lead.token),
        body("50", "2027-03-01"),
    )
    .await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "a Kita lead does not change licences"
    );
    let (status, text) = call(
        &router,
        Method::POST,
        &path,
        Some(&zvs.token),
        body("viele", "1.3.27"),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        text.contains("\"places\"") && text.contains("\"valid_from\""),
        "{text}"
    );
    assert_eq!(licence(), before, "bad input changes nothing");

    let (status, text) = call(
        &router,
        Method::POST,
        &path,
        Some(&zvs.token),
        body("50", "2027-03-01"),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{text}");
    let after = licence();
    assert_eq!(after.places_on(CareType::Kindergarten, from), Some(50));
    assert_eq!(
        after.places_on(CareType::Kindergarten, day_before),
        old,
        "the earlier figure stays in force until the day before"
    );
    let history = city
        .store()
        .audit_for(&kitanetz_node::facilities::licence_doc_id(&facility).0, 5)
        .unwrap();
    assert_eq!(history[0].action, "facility.licence.places");
    assert_eq!(history[0].valid_from.as_deref(), Some("2027-03-01"));
}
