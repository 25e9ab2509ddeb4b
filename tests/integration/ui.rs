//! The UI as a browser without JavaScript uses it: forms, cookies, CSRF, lockout, language.

use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use kitanetz_node::auth::{Role, LOCKOUT_AFTER_FAILURES};
use kitanetz_tests::{add_user, Network, PASSWORD};
use tower::ServiceExt;

struct Browser {
    router: axum::Router,
    cookies: Vec<String>,
}

impl Browser {
    /// Submits the login form as the Kita lead `leitung` with the right password.
    async fn login(&mut self) -> (StatusCode, Option<String>, String) {
        let form = format!("username=leitung&password={}", PASSWORD.replace(' ', "+"));
        self.send(Method::POST, "/login", Some(form), &[]).await
    }

    async fn send(
        &mut self,
        method: Method,
        path: &str,
        form: Option<String>,
        extra: &[(&str, &str)],
    ) -> (StatusCode, Option<String>, String) {
        let mut req = Request::builder().method(method).uri(path);
        if !self.cookies.is_empty() {
            req = req.header(header::COOKIE, self.cookies.join("; "));
        }
        for (k, v) in extra {
            req = req.header(*k, *v);
        }
        let req = match form {
            Some(f) => req
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(Body::from(f)),
            None => req.body(Body::empty()),
        }
        .unwrap();
        let res = self.router.clone().oneshot(req).await.unwrap();
        for c in res.headers().get_all(header::SET_COOKIE) {
            let pair = c.to_str().unwrap().split(';').next().unwrap().to_string();
            let name = pair.split('=').next().unwrap().to_string();
            self.cookies.retain(|x| !x.starts_with(&format!("{name}=")));
            if !pair.ends_with('=') {
                self.cookies.push(pair);
            }
        }
        let status = res.status();
        let location = res
            .headers()
            .get(header::LOCATION)
            .map(|v| v.to_str().unwrap().to_string());
        let body = axum::body::to_bytes(res.into_body(), 16 << 20)
            .await
            .unwrap();
        (
            status,
            location,
            String::from_utf8_lossy(&body).into_owned(),
        )
    }
}

fn csrf_of(html: &str) -> String {
    let at = html
        .find("name=\"csrf\" value=\"")
        .expect("page has a CSRF field")
        + "name=\"csrf\" value=\"".len();
    html[at..].split('"').next().unwrap().to_string()
}

fn setup() -> (Network, std::sync::Arc<kitanetz_node::Node>, Browser) {
    let net = Network::seeded();
    let kita = net.kitas()[0].clone();
    let node = net.open(&kita.name);
    add_user(
        &node,
        "leitung",
        Role::KitaLead,
        kita.organisation.clone(),
        kita.provider.clone(),
        kita.facility.clone(),
    );
    let router = kitanetz_node::http::router(node.clone());
    (
        net,
        node,
        Browser {
            router,
            cookies: vec![],
        },
    )
}

#[tokio::test]
async fn login_edit_and_logout_without_javascript() {
    let (net, node, mut b) = setup();
    let facility = net.kitas()[0].facility.clone().unwrap();
    let (status, location, _) = b.send(Method::GET, "/", None, &[]).await;
    assert!(status.is_redirection() && location.as_deref() == Some("/login"));
    let (status, _, _) = b.login().await;
    assert!(status.is_redirection(), "login redirects");
    assert!(b.cookies.iter().any(|c| c.starts_with("kn_session=")));
    let (status, _, home) = b.send(Method::GET, "/", None, &[]).await;
    assert_eq!(status, StatusCode::OK);
    assert!(home.contains("Willkommen, leitung"));
    // No copy of a page with personal data stays in a cache.
    let req = Request::builder()
        .uri("/children")
        .header(header::COOKIE, b.cookies.join("; "))
        .body(Body::empty())
        .unwrap();
    let res = b.router.clone().oneshot(req).await.unwrap();
    assert_eq!(
        res.headers().get(header::CACHE_CONTROL).unwrap(),
        "no-store"
    );
    let res = b
        .router
        .clone()
        .oneshot(
            Request::builder()
                .uri("/static/app.css")
                .body(Body::empty())
                .unwrap(),
        )
        .await
        .unwrap();
    assert_ne!(
        res.headers()
            .get(header::CACHE_CONTROL)
            .map(|v| v.to_str().unwrap()),
        Some("no-store"),
        "assets stay cacheable"
    );

    // The edit form, submitted with an invalid postcode: the form comes back with the message
    // next to the field and what was typed; nothing is saved.
    let (status, _, form) = b
        .send(
            Method::GET,
            &format!("/facilities/{facility}/edit"),
            None,
            &[],
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let csrf = csrf_of(&form);
    let before = node
        .store()
        .doc_bytes(&kitanetz_node::facilities::profile_doc_id(&facility))
        .unwrap();
    let bad = format!("csrf={csrf}&name=Kita+Neu&street=Weg+1&postcode=123&city=Dresden&district=Altstadt&opening_hours=&lead_name=&email=&phone=&cost_centre=&concept=");
    let (status, _, page) = b
        .send(
            Method::POST,
            &format!("/facilities/{facility}/edit"),
            Some(bad),
            &[],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        page.contains("aria-invalid=\"true\"") && page.contains("fünfstellige Postleitzahl"),
        "field error shown"
    );
    assert!(page.contains("value=\"Kita Neu\""), "typed input kept");
    assert_eq!(
        node.store()
            .doc_bytes(&kitanetz_node::facilities::profile_doc_id(&facility))
            .unwrap(),
        before,
        "nothing written"
    );

    let good = format!("csrf={csrf}&name=Kita+Neu&street=Weg+1&postcode=01067&city=Dresden&district=Altstadt&opening_hours=7-17&lead_name=&email=&phone=&cost_centre=&concept=");
    let (status, location, _) = b
        .send(
            Method::POST,
            &format!("/facilities/{facility}/edit"),
            Some(good),
            &[],
        )
        .await;
    assert!(status.is_redirection(), "{status}");
    let (_, _, detail) = b
        .send(Method::GET, location.as_deref().unwrap(), None, &[])
        .await;
    assert!(
        detail.contains("Kita Neu")
            && detail.contains("Stammdaten geändert")
            && detail.contains("Gespeichert")
    );

    let (status, _, _) = b
        .send(Method::POST, "/logout", Some(format!("csrf={csrf}")), &[])
        .await;
    assert!(status.is_redirection());
    let (status, _, _) = b.send(Method::GET, "/facilities", None, &[]).await;
    assert!(status.is_redirection(), "logged out");
}

#[tokio::test]
async fn forms_without_the_csrf_token_are_refused() {
    let (net, node, mut b) = setup();
    let facility = net.kitas()[0].facility.clone().unwrap();
    b.login().await;
    let form = "name=Evil&street=Weg+1&postcode=01067&city=Dresden&district=Altstadt";
    let (status, _, _) = b
        .send(
            Method::POST,
            &format!("/facilities/{facility}/edit"),
            Some(format!("csrf=forged&{form}")),
            &[],
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _, _) = b
        .send(
            Method::POST,
            &format!("/facilities/{facility}/edit"),
            Some(form.to_string()),
            &[],
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    // Both refusals are in the audit log, with who tried and where.
    let (count, actor, target): (i64, String, String) = node
        .store()
        .conn()
        .query_row(
            "SELECT COUNT(*), MAX(actor), MAX(target) FROM audit_log WHERE action = 'csrf.failed'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .unwrap();
    assert_eq!(count, 2);
    assert_eq!(actor, "user:leitung");
    assert_eq!(target, format!("POST /facilities/{facility}/edit"));
    // A forbidden action is recorded with what was refused.
    let other = net.kitas()[1].facility.clone().unwrap();
    let (status, _, _) = b
        .send(Method::GET, &format!("/facilities/{other}/edit"), None, &[])
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let target: String = node
        .store()
        .conn()
        .query_row(
            "SELECT target FROM audit_log WHERE action = 'access.denied' ORDER BY rowid DESC LIMIT 1",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert!(
        target.starts_with(&format!("GET /facilities/{other}/edit")),
        "{target}"
    );
}

#[tokio::test]
async fn a_foreign_page_cannot_log_anybody_in() {
    let (_net, _node, mut b) = setup();
    let form = format!("username=leitung&password={}", PASSWORD.replace(' ', "+"));
    let (status, _, _) = b
        .send(
            Method::POST,
            "/login",
            Some(form.clone()),
            &[
                ("origin", "https://evil.example"),
                ("host", "127.0.0.1:8080"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(!b.cookies.iter().any(|c| c.starts_with("kn_session=")));
    let (status, _, _) = b
        .send(
            Method::POST,
            "/login",
            Some(form),
            &[
                ("origin", "http://127.0.0.1:8080"),
                ("host", "127.0.0.1:8080"),
            ],
        )
        .await;
    assert!(status.is_redirection(), "same origin: {status}");
}

#[tokio::test]
async fn repeated_failures_lock_the_account() {
    let (_net, node, mut b) = setup();
    for _ in 0..LOCKOUT_AFTER_FAILURES {
        let (status, _, page) = b
            .send(
                Method::POST,
                "/login",
                Some("username=leitung&password=wrong-password".into()),
                &[],
            )
            .await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        assert!(page.contains("login-error"));
    }
    // Now even the right password from here waits until the lock expires: 429 with the reason.
    let (status, _, page) = b.login().await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    assert!(page.contains("login-error") && page.contains("Zu viele Fehlversuche"));
    // A name that does not exist locks the same way: the answers cannot tell names apart.
    for _ in 0..LOCKOUT_AFTER_FAILURES {
        b.send(
            Method::POST,
            "/login",
            Some("username=niemand-hier&password=wrong-password".into()),
            &[],
        )
        .await;
    }
    let (status, _, unknown) = b
        .send(
            Method::POST,
            "/login",
            Some("username=niemand-hier&password=wrong-password".into()),
            &[],
        )
        .await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    assert!(unknown.contains("Zu viele Fehlversuche"));
    let failures: i64 = node
        .store()
        .conn()
        .query_row(
            "SELECT COUNT(*) FROM audit_log WHERE action = 'session.login-failed'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(failures, 2 * LOCKOUT_AFTER_FAILURES + 2);
}

/// Sends a staff login as if from `ip` (what `kitanetz serve` knows of a connection).
async fn login_from(
    node: &std::sync::Arc<kitanetz_node::Node>,
    ip: [u8; 4],
    password: &str,
) -> StatusCode {
    use tower::ServiceExt;
    let mut request = axum::http::Request::post("/api/login")
        .header("content-type", "application/json")
        .body(axum::body::Body::from(format!(
            r#"{{"username":"leitung","password":"{password}"}}"#
        )))
        .unwrap();
    request
        .extensions_mut()
        .insert(axum::extract::ConnectInfo(std::net::SocketAddr::from((
            ip, 40000,
        ))));
    kitanetz_node::http::router(node.clone())
        .oneshot(request)
        .await
        .unwrap()
        .status()
}

#[tokio::test]
async fn an_attacker_elsewhere_cannot_lock_a_user_out() {
    let (_net, node, _) = setup();
    let attacker = [203, 0, 113, 66];
    for _ in 0..LOCKOUT_AFTER_FAILURES {
        assert_eq!(
            login_from(&node, attacker, "wrong-password").await,
            StatusCode::UNAUTHORIZED
        );
    }
    assert_eq!(
        login_from(&node, attacker, kitanetz_tests::PASSWORD).await,
        StatusCode::TOO_MANY_REQUESTS,
        "the attacker's address waits"
    );
    assert_eq!(
        login_from(&node, [198, 51, 100, 7], kitanetz_tests::PASSWORD).await,
        StatusCode::OK,
        "the user at her own computer logs in"
    );
    let sources: i64 = node
        .store()
        .conn()
        .query_row(
            "SELECT COUNT(*) FROM audit_log WHERE action = 'session.login-failed' AND target = 'from 203.0.113.66'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(
        sources, 6,
        "failed logins are audited with their source address"
    );
}

#[tokio::test]
async fn english_switch_and_htmx_fragment() {
    let (_net, _node, mut b) = setup();
    let (status, _, _) = b.send(Method::GET, "/lang/en", None, &[]).await;
    assert!(status.is_redirection());
    let (_, _, login) = b.send(Method::GET, "/login", None, &[]).await;
    assert!(login.contains("<html lang=\"en\">") && login.contains("Staff login"));
    b.login().await;
    let (status, _, fragment) = b
        .send(
            Method::GET,
            "/facilities?q=Kita",
            None,
            &[("hx-request", "true")],
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        !fragment.contains("<html") && fragment.contains("<table"),
        "htmx gets only the result table"
    );
    let (_, _, page) = b
        .send(Method::GET, "/facilities?q=zzzz-nothing", None, &[])
        .await;
    assert!(page.contains("<html") && page.contains("No entries."));
}

#[tokio::test]
async fn a_kita_lead_edits_what_parents_see_on_the_portal() {
    let (net, node, mut b) = setup();
    let facility = net.kitas()[0].facility.clone().unwrap();
    b.login().await;
    let path = format!("/facilities/{facility}/edit");
    let (_, _, form) = b.send(Method::GET, &path, None, &[]).await;
    assert!(form.contains("name=\"concept_tags\"") && form.contains("id=\"f-profile_text\""));
    let csrf = csrf_of(&form);
    let profile = || {
        node.store()
            .get::<kitanetz_crdt::kinds::FacilityProfile>(
                &kitanetz_node::facilities::profile_doc_id(&facility),
            )
            .unwrap()
            .1
    };
    let before = profile();
    let base = format!(
        "csrf={csrf}&portal_fields=1&name={}&street={}&postcode={}&city=Dresden&district={}&opening_hours=&lead_name=&email=&phone=&cost_centre=&concept=",
        form_urlencoded::byte_serialize(before.name.as_bytes()).collect::<String>(),
        form_urlencoded::byte_serialize(before.address.street.as_bytes()).collect::<String>(),
        before.address.postcode,
        form_urlencoded::byte_serialize(before.district.as_bytes()).collect::<String>(),
    );
    // A closing time before the opening and an age that is no number: both named, nothing saved.
    let bad = format!("{base}&opens=17:00&closes=06:30&age_from_months=ein+Jahr&age_to_months=72");
    let (status, _, page) = b.send(Method::POST, &path, Some(bad), &[]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("href=\"#f-age_from_months\""), "{page}");
    assert_eq!(profile(), before);
    let good = format!(
        "{base}&website=https%3A%2F%2Fkita.example.org&age_from_months=12&age_to_months=72&opens=06:30&closes=17:00&concept_tags=montessori&concept_tags=natur&accessible=true&extra_fees=&profile_text=Wir+sind+im+Gr%C3%BCnen."
    );
    let (status, _, page) = b.send(Method::POST, &path, Some(good), &[]).await;
    assert!(status.is_redirection(), "{status}: {page}");
    let after = profile();
    assert_eq!(after.concept_tags, ["montessori", "natur"]);
    assert!(after.accessible && !after.integration);
    assert_eq!((after.age_from_months, after.age_to_months), (12, 72));
    assert_eq!(
        (after.opens.as_str(), after.closes.as_str()),
        ("06:30", "17:00")
    );
    assert_eq!(after.profile_text, "Wir sind im Grünen.");
    // Unticking every box clears the tags.
    let (_, _, form) = b.send(Method::GET, &path, None, &[]).await;
    let none = format!(
        "{}&age_from_months=12&age_to_months=72",
        base.replace(&csrf, &csrf_of(&form))
    );
    b.send(Method::POST, &path, Some(none), &[]).await;
    assert!(profile().concept_tags.is_empty() && !profile().accessible);
}

#[tokio::test]
async fn an_api_token_ends_with_its_logout() {
    let (_net, node, b) = setup();
    let login = add_user(
        &node,
        "api-user",
        Role::KitaLead,
        kitanetz_crdt::ids::facility_org(node.config.facility.as_ref().unwrap()),
        node.config.provider.clone(),
        node.config.facility.clone(),
    );
    let call = |method: Method, path: &'static str| {
        kitanetz_tests::call(&b.router, method, path, Some(&login.token), None)
    };
    assert_eq!(call(Method::GET, "/api/me").await.0, StatusCode::OK);
    assert_eq!(
        call(Method::POST, "/api/logout").await.0,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        call(Method::GET, "/api/me").await.0,
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn a_client_sending_too_fast_waits_and_others_do_not() {
    use tower::ServiceExt;
    let (_net, node, _) = setup();
    let limits = kitanetz_node::http::limits::RateLimit::new(3, 1);
    let app = kitanetz_node::http::limits::with_limits(kitanetz_node::http::router(node), limits);
    let get = |ip: [u8; 4]| {
        let app = app.clone();
        async move {
            let mut request = axum::http::Request::get("/health")
                .body(axum::body::Body::empty())
                .unwrap();
            request.extensions_mut().insert(axum::extract::ConnectInfo(
                std::net::SocketAddr::from((ip, 40000)),
            ));
            app.oneshot(request).await.unwrap()
        }
    };
    for _ in 0..3 {
        assert_eq!(get([203, 0, 113, 5]).await.status(), StatusCode::OK);
    }
    let refused = get([203, 0, 113, 5]).await;
    assert_eq!(refused.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(refused.headers().contains_key("retry-after"));
    assert_eq!(get([198, 51, 100, 9]).await.status(), StatusCode::OK);
    assert_eq!(
        get([127, 0, 0, 1]).await.status(),
        StatusCode::OK,
        "loopback (a proxy in front) is limited there"
    );
}

/// A sync status the test switches between reached and cut off.
struct SwitchedSync(std::sync::Mutex<bool>);

impl kitanetz_node::sync::SyncStatusSource for SwitchedSync {
    fn reaches_no_peer(&self, _node: &str) -> bool {
        !*self.0.lock().unwrap()
    }

    fn status(&self, _node: &str) -> kitanetz_node::sync::SyncStatus {
        let reached = *self.0.lock().unwrap();
        kitanetz_node::sync::SyncStatus {
            transport: "libp2p",
            online: true,
            peers: vec![kitanetz_node::sync::PeerStatus {
                name: "traeger-1".into(),
                connected: reached,
                last_sync: None,
            }],
            pending_documents: 3,
        }
    }
}

#[tokio::test]
async fn the_offline_banner_shows_on_staff_pages_while_no_peer_is_reached() {
    let (_net, node, mut b) = setup();
    let sync = std::sync::Arc::new(SwitchedSync(std::sync::Mutex::new(false)));
    node.set_sync_status(sync.clone());
    let (_, _, login_page) = b.send(Method::GET, "/login", None, &[]).await;
    assert!(!login_page.contains("offline-banner"), "not for visitors");
    b.login().await;
    for path in ["/", "/children", "/sync"] {
        let (status, _, page) = b.send(Method::GET, path, None, &[]).await;
        assert_eq!(status, StatusCode::OK, "{path}");
        assert!(page.contains("id=\"offline-banner\""), "{path}: banner");
        assert!(
            page.contains("href=\"/sync\""),
            "{path}: the way to what waits"
        );
    }
    *sync.0.lock().unwrap() = true;
    let (_, _, page) = b.send(Method::GET, "/", None, &[]).await;
    assert!(!page.contains("offline-banner"), "reached again: no banner");
}

/// A multipart form as a browser sends it.
fn multipart(fields: &[(&str, &str)]) -> (String, Vec<u8>) {
    let boundary = "kitanetz-test-boundary";
    let mut body = Vec::new();
    for (name, value) in fields {
        let disposition = if *name == "enrolment_file" {
            format!("form-data; name=\"{name}\"; filename=\"enrolment.json\"\r\nContent-Type: application/json")
        } else {
            format!("form-data; name=\"{name}\"")
        };
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: {disposition}\r\n\r\n{value}\r\n")
                .as_bytes(),
        );
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

async fn post_form(
    router: &axum::Router,
    path: &str,
    form: (String, Vec<u8>),
) -> (StatusCode, Option<String>, String) {
    let req = Request::builder()
        .method(Method::POST)
        .uri(path)
        .header(header::CONTENT_TYPE, form.0)
        .body(Body::from(form.1))
        .unwrap();
    let res = router.clone().oneshot(req).await.unwrap();
    let status = res.status();
    let location = res
        .headers()
        .get(header::LOCATION)
        .map(|v| v.to_str().unwrap().to_string());
    let body = axum::body::to_bytes(res.into_body(), 1 << 20)
        .await
        .unwrap();
    (
        status,
        location,
        String::from_utf8_lossy(&body).into_owned(),
    )
}

#[tokio::test]
async fn the_first_start_assistant_enrols_a_kita_and_refuses_bad_input_keeping_what_was_typed() {
    use kitanetz_node::enrolment::{assistant, Enrolment};
    let net = Network::seeded();
    let tmp = tempfile::tempdir().unwrap();
    let data_dir = tmp.path().join("desktop");
    let root = kitanetz_p2p::generate_root(&tmp.path().join("root.key")).unwrap();
    let kita = net.kitas()[0].clone();
    let template = kitanetz_node::config::NodeConfig {
        name: format!("{}-desktop", kita.name),
        ..kita.clone()
    };
    let now = chrono::Utc::now().timestamp();
    let file = Enrolment::issue(&root, &template, vec![], now as u64, 30)
        .unwrap()
        .to_json();
    let ready = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let seen = ready.clone();
    let router = assistant::router(
        data_dir.clone(),
        None,
        None,
        std::sync::Arc::new(kitanetz_node::clock::SystemClock),
        std::sync::Arc::new(move || {
            seen.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            Ok(())
        }),
    );
    let get = Request::builder().uri("/").body(Body::empty()).unwrap();
    let res = router.clone().oneshot(get).await.unwrap();
    assert_eq!(res.headers().get(header::LOCATION).unwrap(), "/setup");

    let account = [
        ("display_name", "Anna Leitung"),
        ("username", "leitung"),
        ("password", "lang-genug-1234"),
        ("password_repeat", "lang-genug-1234"),
    ];
    // No file: a field error, what was typed stays.
    let (status, _, page) = post_form(&router, "/setup", multipart(&account)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("Einrichtungsdatei wählen") && page.contains("value=\"Anna Leitung\""));
    // A file that is not an enrolment.
    let mut fields = vec![("enrolment_file", "{\"format\": \"x\"}")];
    fields.extend(account);
    let (status, _, page) = post_form(&router, "/setup", multipart(&fields)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("keine Kitanetz-Einrichtungsdatei"), "{page}");
    // A good file but passwords that differ: the field is named.
    let mut fields = vec![("enrolment_file", file.as_str())];
    fields.extend(&account[..3]);
    fields.push(("password_repeat", "anders-1234567"));
    let (status, _, page) = post_form(&router, "/setup", multipart(&fields)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("id=\"password_repeat-error\""));
    assert!(!data_dir.exists(), "nothing written while refused");
    assert_eq!(ready.load(std::sync::atomic::Ordering::SeqCst), 0);
    // Pasted instead of chosen, all good: the node is written and handed over.
    let mut fields = vec![("enrolment_text", file.as_str())];
    fields.extend(account);
    let (status, location, _) = post_form(&router, "/setup", multipart(&fields)).await;
    assert_eq!(
        (status, location.as_deref()),
        (StatusCode::SEE_OTHER, Some("/login"))
    );
    assert_eq!(ready.load(std::sync::atomic::Ordering::SeqCst), 1);
    let config = kitanetz_node::config::NodeConfig::load(&data_dir).unwrap();
    assert_eq!(config.facility, kita.facility);
    assert!(config.p2p.is_some());
}

#[tokio::test]
async fn the_kita_lead_backs_up_her_node_and_the_first_start_assistant_restores_it() {
    let (net, node, mut b) = setup();
    let tmp = tempfile::tempdir().unwrap();
    // The seeded nodes back up beside them (the demo's `[backup] dir`); the desktop app's own
    // folder is only a default for nodes without one.
    node.set_backup_dir(tmp.path().join("ignored"));
    let backups = node.backup_dir().unwrap();
    assert_eq!(backups, net.node_dir("backups"));
    b.login().await;
    let (_, _, start) = b.send(Method::GET, "/", None, &[]).await;
    assert!(start.contains("href=\"/backup\""), "in the navigation");
    let (status, _, page) = b.send(Method::GET, "/backup", None, &[]).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("id=\"no-backups\"") && page.contains("id=\"backup-form\""));
    let csrf = csrf_of(&page);
    // Without the form's token nothing is written.
    let (status, _, _) = b
        .send(Method::POST, "/backup", Some(String::new()), &[])
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(!backups.exists());
    let (status, location, _) = b
        .send(Method::POST, "/backup", Some(format!("csrf={csrf}")), &[])
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let location = location.unwrap();
    assert!(
        location.starts_with("/backup?taken=kitanetz-"),
        "{location}"
    );
    let (_, _, page) = b.send(Method::GET, &location, None, &[]).await;
    assert!(page.contains("id=\"backup-taken\""), "{page}");
    let listed = kitanetz_node::backup::list(&backups);
    assert_eq!(listed.len(), 1);
    assert!(page.contains(&format!("data-backup=\"{}\"", listed[0].folder())));
    assert_eq!(listed[0].manifest.node, node.config.name);
    let audited: i64 = node
        .store()
        .conn()
        .query_row(
            "SELECT count(*) FROM audit_log WHERE action = 'node.backup' AND actor = 'user:leitung'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(audited, 1);

    // Someone who does not administer this node: refused, nothing written.
    let kita = net.kitas()[0].clone();
    add_user(
        &node,
        "zvs",
        Role::Zvs,
        kita.organisation.clone(),
        None,
        None,
    );
    let mut other = Browser {
        router: kitanetz_node::http::router(node.clone()),
        cookies: vec![],
    };
    let form = format!("username=zvs&password={}", PASSWORD.replace(' ', "+"));
    other.send(Method::POST, "/login", Some(form), &[]).await;
    let (status, _, _) = other.send(Method::GET, "/backup", None, &[]).await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    // A node without a backup folder says how it is backed up instead.
    let second_kita = net.kitas()[1].clone();
    let without_folder = kitanetz_node::config::NodeConfig {
        backup: None,
        ..second_kita.clone()
    };
    without_folder
        .write(&net.node_dir(&second_kita.name))
        .unwrap();
    let second = net.open(&second_kita.name);
    add_user(
        &second,
        "leitung",
        Role::KitaLead,
        second_kita.organisation.clone(),
        second_kita.provider.clone(),
        second_kita.facility.clone(),
    );
    let mut c = Browser {
        router: kitanetz_node::http::router(second.clone()),
        cookies: vec![],
    };
    c.login().await;
    let (_, _, start) = c.send(Method::GET, "/", None, &[]).await;
    assert!(!start.contains("href=\"/backup\""));
    let (status, _, page) = c.send(Method::GET, "/backup", None, &[]).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("id=\"backup-no-folder\"") && !page.contains("backup-form"));
    let (status, _, _) = c
        .send(
            Method::POST,
            "/backup",
            Some(format!("csrf={}", csrf_of(&start))),
            &[],
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(second.backup_dir().is_none());

    // The assistant on a new PC offers the backup and restores it.
    use kitanetz_node::enrolment::assistant;
    let data_dir = tmp.path().join("new-pc");
    let ready = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let seen = ready.clone();
    let mut setup = Browser {
        router: assistant::router(
            data_dir.clone(),
            None,
            Some(backups.clone()),
            std::sync::Arc::new(kitanetz_node::clock::SystemClock),
            std::sync::Arc::new(move || {
                seen.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                Ok(())
            }),
        ),
        cookies: vec![],
    };
    let (status, _, page) = setup.send(Method::GET, "/setup", None, &[]).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("id=\"backup-1\"") && page.contains(&listed[0].folder()));
    // Nothing chosen, or a folder that is no backup: a field error, the folder stays empty.
    let (status, _, page) = setup
        .send(Method::POST, "/setup/restore", Some(String::new()), &[])
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("id=\"backup-error\""));
    let (status, _, page) = setup
        .send(
            Method::POST,
            "/setup/restore",
            Some(format!("other={}", tmp.path().display())),
            &[],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("is not a backup"), "{page}");
    assert!(std::fs::read_dir(&data_dir).map_or(true, |mut d| d.next().is_none()));
    assert_eq!(ready.load(std::sync::atomic::Ordering::SeqCst), 0);
    let chosen = form_urlencoded::byte_serialize(listed[0].path.display().to_string().as_bytes())
        .collect::<String>();
    let (status, location, _) = setup
        .send(
            Method::POST,
            "/setup/restore",
            Some(format!("backup={chosen}&other=")),
            &[],
        )
        .await;
    assert_eq!(
        (status, location.as_deref()),
        (StatusCode::SEE_OTHER, Some("/login"))
    );
    assert_eq!(ready.load(std::sync::atomic::Ordering::SeqCst), 1);
    let restored = kitanetz_node::Node::open(
        &data_dir,
        std::sync::Arc::new(kitanetz_node::clock::SystemClock),
    )
    .unwrap();
    assert_eq!(restored.config.name, node.config.name);
    assert_eq!(
        restored.store().doc_metas().unwrap().len(),
        node.store().doc_metas().unwrap().len()
    );
}
