//! The parents' JSON API end to end on the city node: register, confirm, log in for a token,
//! search, apply (bad input: every field named, nothing stored), list, change, invite,
//! withdraw, log out; and the OpenAPI document describes every route of it.

use kitanetz_crdt::kinds::CareType;
use kitanetz_crdt::policy::NodeRole;
use kitanetz_node::Node;
use kitanetz_tests::Network;
use serde_json::{json, Value};
use std::sync::Arc;

async fn call(
    router: &axum::Router,
    method: &str,
    path: &str,
    token: Option<&str>,
    body: Option<Value>,
) -> (u16, Value) {
    let (status, text) = kitanetz_tests::call(
        router,
        method.parse().unwrap(),
        path,
        token,
        body.map(|b| ("application/json", b.to_string())),
    )
    .await;
    (
        status.as_u16(),
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}

#[tokio::test]
async fn a_front_end_does_everything_a_parent_does_through_the_json_api() {
    let net = Network::seeded();
    let city: Arc<Node> = net.open(&net.config(|c| c.role == NodeRole::City).name);
    let router = kitanetz_node::http::router(city.clone());

    let (status, _) = call(
        &router,
        "POST",
        "/api/portal/accounts",
        None,
        Some(json!({"email": "jana@example.org", "display_name": "Jana Roth", "password": "kurz", "password_repeat": "anders"})),
    )
    .await;
    assert_eq!(status, 422);
    let (status, _) = call(
        &router,
        "POST",
        "/api/portal/accounts",
        None,
        Some(json!({"email": "jana@example.org", "display_name": "Jana Roth", "password": "ein langes Passwort", "password_repeat": "ein langes Passwort"})),
    )
    .await;
    assert_eq!(status, 202);
    // Not confirmed yet: no token.
    let login = json!({"email": "jana@example.org", "password": "ein langes Passwort"});
    assert_eq!(
        call(
            &router,
            "POST",
            "/api/portal/login",
            None,
            Some(login.clone())
        )
        .await
        .0,
        401
    );
    let path = kitanetz_tests::verification_path(&city, "jana@example.org");
    let (status, _) =
        kitanetz_tests::call(&router, "GET".parse().unwrap(), &path, None, None).await;
    assert!(status.is_success() || status.is_redirection(), "{status}");
    let (status, body) = call(&router, "POST", "/api/portal/login", None, Some(login)).await;
    assert_eq!(status, 200, "{body}");
    let token = body["token"].as_str().unwrap().to_string();

    // Search without a token.
    let (status, found) = call(
        &router,
        "GET",
        "/api/portal/search?care_type=nursery&facilities_only=true",
        None,
        None,
    )
    .await;
    assert_eq!(status, 200);
    assert!(!found["hits"].as_array().unwrap().is_empty());

    let start = kitanetz_crdt::scalar::Date::ymd(2027, 3, 1);
    let kita = net
        .world
        .facilities
        .iter()
        .find(|f| {
            f.licence.care_types.iter().any(|c| {
                c.care_type == CareType::Nursery && c.places.at(start).is_some_and(|&p| p > 0)
            })
        })
        .unwrap();
    let mut application = json!({
        "children": [{"given_name": "Finn", "family_name": "Roth", "birth_date": "2025-08-20", "sex": "male"}],
        "guardian_given_name": "Jana", "guardian_family_name": "Roth",
        "street": "Wilsdruffer Straße 1", "postcode": "01067", "city": "Dresden",
        "phone": "0351 42", "email": "jana@example.org",
        "desired_start": "2027-03-01", "daily_hours": 7.5,
        "wishes": [format!("f:{}", kita.profile.id.0)],
        "notify": "email",
        "consent_data_processing": true, "consent_forwarding": true, "consent_terms": false
    });
    // Without a token: 401. Without a consent and with six wishes: the fields, nothing stored.
    assert_eq!(
        call(
            &router,
            "POST",
            "/api/portal/applications",
            None,
            Some(application.clone())
        )
        .await
        .0,
        401
    );
    let documents: i64 = city
        .store()
        .conn()
        .query_row("SELECT COUNT(*) FROM documents", [], |r| r.get(0))
        .unwrap();
    let (status, body) = call(
        &router,
        "POST",
        "/api/portal/applications",
        Some(&token),
        Some(application.clone()),
    )
    .await;
    assert_eq!(status, 422);
    assert!(body["fields"]
        .as_array()
        .unwrap()
        .iter()
        .any(|f| f["field"] == "consents"));
    let mut six = application.clone();
    six["wishes"] = json!(["a", "b", "c", "d", "e", "f"]);
    let (status, body) = call(
        &router,
        "POST",
        "/api/portal/applications",
        Some(&token),
        Some(six),
    )
    .await;
    assert_eq!(
        (status, body["fields"][0]["field"].as_str()),
        (422, Some("wishes"))
    );
    let (status, body) = call(
        &router,
        "POST",
        "/api/portal/applications",
        Some(&token),
        Some(json!({"daily_hours": {"viel": true}})),
    )
    .await;
    assert_eq!(
        (status, body["fields"][0]["field"].as_str()),
        (422, Some("daily_hours"))
    );
    let after: i64 = city
        .store()
        .conn()
        .query_row("SELECT COUNT(*) FROM documents", [], |r| r.get(0))
        .unwrap();
    assert_eq!(after, documents, "nothing stored");

    application["consent_terms"] = json!(true);
    let (status, body) = call(
        &router,
        "POST",
        "/api/portal/applications",
        Some(&token),
        Some(application.clone()),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    let id = body["applications"][0].as_str().unwrap().to_string();

    let (status, list) = call(
        &router,
        "GET",
        "/api/portal/applications",
        Some(&token),
        None,
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(list[0]["id"], id.as_str());
    assert_eq!(list[0]["child"], "Finn Roth");

    application["daily_hours"] = json!("9");
    let (status, body) = call(
        &router,
        "PUT",
        &format!("/api/portal/applications/{id}"),
        Some(&token),
        Some(application.clone()),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["restarted"], false);
    assert!(body["what"][0].as_str().unwrap().contains("Stunden"));

    let (status, _) = call(
        &router,
        "POST",
        &format!("/api/portal/applications/{id}/invitations"),
        Some(&token),
        Some(json!({"email": "tim@example.org"})),
    )
    .await;
    assert_eq!(status, 202);

    let withdrawal = format!("/api/portal/applications/{id}/withdrawal");
    assert_eq!(
        call(&router, "POST", &withdrawal, Some(&token), None)
            .await
            .0,
        204
    );
    assert_eq!(
        call(&router, "POST", &withdrawal, Some(&token), None)
            .await
            .0,
        409
    );

    assert_eq!(
        call(&router, "POST", "/api/portal/logout", Some(&token), None)
            .await
            .0,
        204
    );
    assert_eq!(
        call(
            &router,
            "GET",
            "/api/portal/applications",
            Some(&token),
            None
        )
        .await
        .0,
        401,
        "the token ends with the logout"
    );
}

#[tokio::test]
async fn the_openapi_document_describes_every_route_of_the_parents_api() {
    let net = Network::seeded();
    let city: Arc<Node> = net.open(&net.config(|c| c.role == NodeRole::City).name);
    let router = kitanetz_node::http::router(city.clone());
    let (status, doc) = call(&router, "GET", "/api/openapi.json", None, None).await;
    assert_eq!(status, 200);
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    for route in kitanetz_node::http::routes() {
        if !route.path.starts_with("/api/portal") {
            continue;
        }
        let operation = &doc["paths"][route.path][route.method.to_lowercase()];
        assert!(
            operation.is_object(),
            "{} {} is not in /api/openapi.json",
            route.method,
            route.path
        );
    }
    // The application's body is described field by field.
    let schema = &doc["components"]["schemas"]["ApplicationInput"]["properties"];
    for field in ["children", "wishes", "desired_start", "consent_terms"] {
        assert!(schema[field].is_object(), "{field}");
    }
}
