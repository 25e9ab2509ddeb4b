//! Staff sessions and API tokens: listed and revoked by the node's admins, and a logout in the
//! browser ends the same person's API tokens (issue #13 item 3).

use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use kitanetz_crdt::ids::city_org;
use kitanetz_node::auth::Role;
use kitanetz_node::http::router;
use kitanetz_tests::{add_traeger_user, add_user, call, Network, PASSWORD};
use serde_json::Value;
use tower::ServiceExt;

async fn api_login(app: &axum::Router, user: &str) -> String {
    let (status, body) = call(
        app,
        Method::POST,
        "/api/login",
        None,
        Some((
            "application/json",
            format!(r#"{{"username":"{user}","password":"{PASSWORD}"}}"#),
        )),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    serde_json::from_str::<Value>(&body).unwrap()["token"]
        .as_str()
        .unwrap()
        .to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn admins_list_and_revoke_tokens_and_a_browser_logout_ends_the_api_tokens() {
    let net = Network::seeded();
    let kita = net.kitas()[0].clone();
    let provider = kita.provider.clone().unwrap();
    let node = net.open(&kita.name);
    let app = router(node.clone());
    let admin = add_user(
        &node,
        "t-sysadmin",
        Role::SystemAdmin,
        city_org(),
        None,
        None,
    );
    let traeger_admin = add_traeger_user(&node, "t-traeger", Role::TraegerAdmin, &provider);
    let lead = add_user(
        &node,
        "t-lead",
        Role::KitaLead,
        kitanetz_crdt::ids::provider_org(&provider),
        Some(provider.clone()),
        kita.facility.clone(),
    );
    let token = api_login(&app, "t-lead").await;

    // The system admin sees the lead's browser session and API token.
    let (status, body) = call(
        &app,
        Method::GET,
        "/api/admin/sessions",
        Some(&admin.token),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let rows: Vec<Value> = serde_json::from_str(&body).unwrap();
    let of_lead: Vec<&Value> = rows.iter().filter(|r| r["username"] == "t-lead").collect();
    assert_eq!(of_lead.len(), 2, "{body}");
    assert!(of_lead.iter().any(|r| r["kind"] == "api"));
    assert!(!body.contains(&token), "a token is never shown");
    // The Träger admin sees its own staff only (not the system admin).
    let (_, body) = call(
        &app,
        Method::GET,
        "/api/admin/sessions",
        Some(&traeger_admin.token),
        None,
    )
    .await;
    assert!(
        body.contains("t-lead") && !body.contains("t-sysadmin"),
        "{body}"
    );
    // A Kita lead may not.
    let (status, _) = call(
        &app,
        Method::GET,
        "/api/admin/sessions",
        Some(&lead.token),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    // Revoked: the token stops working at once, and the audit log says who did it.
    let api_row = of_lead.iter().find(|r| r["kind"] == "api").unwrap();
    let revoke = format!(r#"{{"session":"{}"}}"#, api_row["id"].as_str().unwrap());
    let (status, body) = call(
        &app,
        Method::POST,
        "/api/admin/sessions/revoke",
        Some(&traeger_admin.token),
        Some(("application/json", revoke.clone())),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, _) = call(&app, Method::GET, "/api/me", Some(&token), None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, _) = call(
        &app,
        Method::POST,
        "/api/admin/sessions/revoke",
        Some(&traeger_admin.token),
        Some(("application/json", revoke)),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "gone");
    let (_, audit) = call(&app, Method::GET, "/audit.csv", Some(&admin.token), None).await;
    assert!(audit.contains("user:t-traeger,session.revoke"), "{audit}");

    // Logging out in the browser ends the same person's API tokens.
    let second = api_login(&app, "t-lead").await;
    let (status, _) = call(&app, Method::GET, "/api/me", Some(&second), None).await;
    assert_eq!(status, StatusCode::OK);
    let logout = Request::builder()
        .method(Method::POST)
        .uri("/logout")
        .header(header::COOKIE, format!("kn_session={}", lead.token))
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(format!("csrf={}", lead.csrf)))
        .unwrap();
    let res = app.clone().oneshot(logout).await.unwrap();
    assert!(res.status().is_redirection(), "{}", res.status());
    let (status, _) = call(&app, Method::GET, "/api/me", Some(&second), None).await;
    assert_eq!(
        status,
        StatusCode::UNAUTHORIZED,
        "the API token ended with the browser session"
    );
}
