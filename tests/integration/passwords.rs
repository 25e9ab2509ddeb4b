//! Staff change their own password (`/password`): the current one proves it is them, a bad new
//! one is refused with nothing changed, and on success the other sessions end. A childminder
//! whose first password the Kindertagespflege office chose is sent to the form first.

use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use kitanetz_crdt::ids::city_org;
use kitanetz_crdt::policy::NodeRole;
use kitanetz_node::auth::Role;
use kitanetz_tests::{add_user, api, call, Network, PASSWORD};
use serde_json::{json, Value};
use tower::ServiceExt;

const FORM: &str = "application/x-www-form-urlencoded";
const NEW_PASSWORD: &str = "ein-ganz-neues-passwort";

/// Form-encodes `pairs` (spaces as `+`, the few reserved characters the tests use escaped).
fn form(pairs: &[(&str, &str)]) -> String {
    pairs
        .iter()
        .map(|(k, v)| format!("{k}={}", v.replace('+', "%2B").replace(' ', "+")))
        .collect::<Vec<_>>()
        .join("&")
}

async fn api_login(app: &axum::Router, user: &str, password: &str) -> (StatusCode, String) {
    let (status, body) = call(
        app,
        Method::POST,
        "/api/login",
        None,
        Some((
            "application/json",
            json!({"username": user, "password": password}).to_string(),
        )),
    )
    .await;
    let token = serde_json::from_str::<Value>(&body)
        .ok()
        .and_then(|v| v["token"].as_str().map(str::to_string))
        .unwrap_or_default();
    (status, token)
}

/// A request with the session cookie (a browser): status, `Location` and body.
async fn browse(
    app: &axum::Router,
    method: Method,
    path: &str,
    cookie: Option<&str>,
    body: Option<String>,
) -> (StatusCode, Option<String>, String, Option<String>) {
    let mut req = Request::builder().method(method).uri(path);
    if let Some(c) = cookie {
        req = req.header(header::COOKIE, c);
    }
    let req = match body {
        Some(b) => req.header(header::CONTENT_TYPE, FORM).body(Body::from(b)),
        None => req.body(Body::empty()),
    }
    .unwrap();
    let res = app.clone().oneshot(req).await.unwrap();
    let status = res.status();
    let header_of = |name| {
        res.headers()
            .get(name)
            .map(|v: &axum::http::HeaderValue| v.to_str().unwrap().to_string())
    };
    let location = header_of(header::LOCATION);
    let set_cookie =
        header_of(header::SET_COOKIE).map(|c| c.split(';').next().unwrap_or_default().to_string());
    let bytes = axum::body::to_bytes(res.into_body(), 16 << 20)
        .await
        .unwrap();
    (
        status,
        location,
        String::from_utf8_lossy(&bytes).into_owned(),
        set_cookie,
    )
}

fn csrf_of(page: &str) -> String {
    page.split("name=\"csrf\" value=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("a form with the CSRF token")
        .to_string()
}

fn fields(body: &str) -> Vec<String> {
    // The page marks each refused input `aria-invalid`.
    body.split("id=\"f-")
        .skip(1)
        .filter(|input| {
            input
                .split('>')
                .next()
                .unwrap_or("")
                .contains("aria-invalid")
        })
        .map(|input| input.split('"').next().unwrap_or("").to_string())
        .collect()
}

fn audited(node: &kitanetz_node::Node, action: &str) -> i64 {
    node.store()
        .conn()
        .query_row(
            "SELECT COUNT(*) FROM audit_log WHERE action = ?1",
            [action],
            |r| r.get(0),
        )
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn staff_change_their_own_password_and_a_first_password_must_be_changed() {
    let net = Network::seeded();
    let city = net.open(&net.config(|c| c.role == NodeRole::City).name);
    let app = kitanetz_node::http::router(city.clone());

    // A ZVS clerk: her browser session from the fixture, and an API token she logs in for.
    let zvs = add_user(&city, "t-zvs", Role::Zvs, city_org(), None, None);
    let (status, token) = api_login(&app, "t-zvs", PASSWORD).await;
    assert_eq!(status, StatusCode::OK);
    let (status, page) = call(&app, Method::GET, "/password", Some(&token), None).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("id=\"change-password\"") && page.contains("Bisheriges Passwort"));
    assert!(
        page.contains("href=\"/password\""),
        "the link next to her name"
    );
    assert!(!page.contains("id=\"password-required\""));

    let change = |current: &str, new: &str, repeat: &str| {
        form(&[
            ("current_password", current),
            ("password", new),
            ("password_repeat", repeat),
        ])
    };
    // A wrong current password, a short new one, two that differ: refused on their field.
    for (body, field) in [
        (
            change("falsches passwort", NEW_PASSWORD, NEW_PASSWORD),
            "current_password",
        ),
        (change(PASSWORD, "kurz", "kurz"), "password"),
        (
            change(PASSWORD, NEW_PASSWORD, "ein-anderes-passwort"),
            "password_repeat",
        ),
        (change(PASSWORD, PASSWORD, PASSWORD), "password"),
    ] {
        let (status, page) = call(
            &app,
            Method::POST,
            "/password",
            Some(&token),
            Some((FORM, body)),
        )
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{field}");
        assert_eq!(fields(&page), [field], "{page}");
    }
    // Nothing changed: the old password still works, the other session still lives.
    assert_eq!(
        api_login(&app, "t-zvs", PASSWORD).await.0,
        StatusCode::OK,
        "nothing stored"
    );
    assert_eq!(audited(&city, "user.password.change"), 0);
    let (status, _) = api(&city, &zvs.token, "GET", "/api/me", None).await;
    assert_eq!(status, 200);

    // The right one: changed, this session stays, every other one ends.
    let (status, page) = call(
        &app,
        Method::POST,
        "/password",
        Some(&token),
        Some((FORM, change(PASSWORD, NEW_PASSWORD, NEW_PASSWORD))),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains("id=\"password-changed\""));
    assert_eq!(api(&city, &token, "GET", "/api/me", None).await.0, 200);
    assert_eq!(
        api(&city, &zvs.token, "GET", "/api/me", None).await.0,
        401,
        "the other session ended"
    );
    assert_eq!(
        api_login(&app, "t-zvs", PASSWORD).await.0,
        StatusCode::UNAUTHORIZED,
        "the old password no longer works"
    );
    assert_eq!(
        api_login(&app, "t-zvs", NEW_PASSWORD).await.0,
        StatusCode::OK
    );
    assert_eq!(audited(&city, "user.password.change"), 1);

    // The office creates a childminder's login with a first password of its choosing.
    let bvs = add_user(&city, "t-bvs", Role::BvsKtp, city_org(), None, None);
    let (status, profile) = api(
        &city,
        &bvs.token,
        "POST",
        "/api/tagespflege",
        Some(json!({
            "name": "Maria Erstes", "street": "Teststraße 1", "postcode": "01099", "city": "Dresden",
            "district": "Neustadt", "phone": "", "email": "", "start": "2026-01-01", "places": "3"
        })),
    )
    .await;
    assert_eq!(status, 201, "{profile}");
    let (status, _) = api(
        &city,
        &bvs.token,
        "POST",
        "/api/tagespflege/accounts",
        Some(
            json!({"childminder": profile["id"], "username": "maria.erstes", "password": PASSWORD}),
        ),
    )
    .await;
    assert_eq!(status, 201);

    // She logs in with the browser: every page sends her to the form first.
    let (status, location, _, cookie) = browse(
        &app,
        Method::POST,
        "/login",
        None,
        Some(form(&[
            ("username", "maria.erstes"),
            ("password", PASSWORD),
        ])),
    )
    .await;
    assert!(status.is_redirection(), "{status}");
    assert_eq!(location.as_deref(), Some("/"));
    let cookie = cookie.expect("a session cookie");
    for path in ["/", "/tagespflege/mine", "/follow-ups"] {
        let (status, location, _, _) = browse(&app, Method::GET, path, Some(&cookie), None).await;
        assert!(status.is_redirection(), "{path}: {status}");
        assert_eq!(location.as_deref(), Some("/password?required=1"), "{path}");
    }
    let (status, _, _, _) = browse(&app, Method::GET, "/static/app.css", Some(&cookie), None).await;
    assert_eq!(status, StatusCode::OK, "the styles still load");
    // The API refuses her with a reason, for the same token a script would have.
    let (_, api_token) = api_login(&app, "maria.erstes", PASSWORD).await;
    let (status, answer) = api(&city, &api_token, "GET", "/api/tagespflege/mine", None).await;
    assert_eq!(status, 403);
    assert!(
        answer["error"].as_str().unwrap().contains("/password"),
        "{answer}"
    );
    let (status, _, page, _) = browse(
        &app,
        Method::GET,
        "/password?required=1",
        Some(&cookie),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("id=\"password-required\""));
    let (status, _, page, _) = browse(
        &app,
        Method::POST,
        "/password",
        Some(&cookie),
        Some(form(&[
            ("csrf", &csrf_of(&page)),
            ("current_password", PASSWORD),
            ("password", NEW_PASSWORD),
            ("password_repeat", NEW_PASSWORD),
        ])),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains("id=\"password-changed\"") && !page.contains("id=\"password-required\""));
    // Now her own file opens; the API token she had ended with the change.
    let (status, _, page, _) =
        browse(&app, Method::GET, "/tagespflege/mine", Some(&cookie), None).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("Meine Kindertagespflege"));
    assert_eq!(
        api(&city, &api_token, "GET", "/api/tagespflege/mine", None)
            .await
            .0,
        401
    );
    assert_eq!(audited(&city, "user.password.change"), 2);
}
