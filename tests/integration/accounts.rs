//! Parents' accounts on the city node, with the mails sent through a real SMTP server on
//! loopback: register, confirm by the mailed link, log in, reset the password; nothing stored
//! for bad input, and the answers do not tell which addresses are registered.

use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use kitanetz_crdt::policy::NodeRole;
use kitanetz_mail::{MailConfig, Sender, TestSmtpServer, Transport};
use kitanetz_node::config::NodeConfig;
use kitanetz_node::Node;
use kitanetz_tests::Network;
use std::sync::Arc;
use std::time::Duration;
use tower::ServiceExt;

const HOST: &str = "kita-portal.example";

/// The seeded city node, its mail going to `smtp`.
fn city_with_smtp(net: &Network, smtp: &TestSmtpServer) -> Arc<Node> {
    let name = net.config(|c| c.role == NodeRole::City).name.clone();
    let dir = net.node_dir(&name);
    let mut cfg = NodeConfig::load(&dir).unwrap();
    cfg.mail = Some(MailConfig {
        from: Sender {
            address: "kita-portal@dresden.example".into(),
            name: Some("Kita-Portal".into()),
        },
        transport: Transport::Smtp(smtp.smtp_config()),
    });
    cfg.portal.as_mut().unwrap().public_url = format!("https://{HOST}");
    cfg.write(&dir).unwrap();
    net.open(&name)
}

struct Answer {
    status: StatusCode,
    cookie: Option<String>,
    location: Option<String>,
    body: String,
}

async fn send(
    router: &axum::Router,
    method: Method,
    path: &str,
    cookie: Option<&str>,
    form: Option<&str>,
) -> Answer {
    let mut req = Request::builder()
        .method(method)
        .uri(path)
        .header(header::HOST, HOST)
        .header(header::ORIGIN, format!("https://{HOST}"));
    if let Some(c) = cookie {
        req = req.header(header::COOKIE, c);
    }
    let req = match form {
        Some(f) => req
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(f.to_string())),
        None => req.body(Body::empty()),
    }
    .unwrap();
    let res = router.clone().oneshot(req).await.unwrap();
    let get = |h| {
        res.headers()
            .get(h)
            .map(|v: &axum::http::HeaderValue| v.to_str().unwrap().to_string())
    };
    let (cookie, location) = (get(header::SET_COOKIE), get(header::LOCATION));
    let status = res.status();
    let body = axum::body::to_bytes(res.into_body(), 1 << 20)
        .await
        .unwrap();
    Answer {
        status,
        cookie: cookie.map(|c| c.split(';').next().unwrap().to_string()),
        location,
        body: String::from_utf8_lossy(&body).into_owned(),
    }
}

/// Sends what the outbox holds and returns the mails the SMTP server received so far.
async fn deliver(
    node: &Node,
    smtp: &TestSmtpServer,
    expect: usize,
) -> Vec<kitanetz_mail::ReceivedMail> {
    let mailer = kitanetz_node::outbox::mailer_for(node).unwrap().unwrap();
    kitanetz_node::outbox::deliver_due(node, &mailer)
        .await
        .unwrap();
    let mails = smtp.wait_for(expect, Duration::from_secs(10)).await;
    assert_eq!(mails.len(), expect, "mails received");
    mails
}

/// The path and query of the one link to `path` in a mail.
fn link_in(mail: &kitanetz_mail::ReceivedMail, path: &str) -> String {
    let text = mail.decoded_text();
    let start = text
        .find(&format!("https://{HOST}{path}?token="))
        .unwrap_or_else(|| panic!("no {path} link in: {text}"));
    let url: String = text[start..]
        .chars()
        .take_while(|c| !c.is_whitespace())
        .collect();
    url.trim_start_matches(&format!("https://{HOST}"))
        .to_string()
}

fn count(node: &Node, sql: &str) -> i64 {
    node.store()
        .conn()
        .query_row(sql, [], |r| r.get(0))
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_parent_registers_confirms_by_mail_logs_in_and_resets_the_password() {
    let net = Network::seeded();
    let smtp = TestSmtpServer::start();
    let city = city_with_smtp(&net, &smtp);
    let router = kitanetz_node::http::router(city.clone());

    // Bad input: every field named, nothing stored, no mail.
    let bad = send(
        &router,
        Method::POST,
        "/portal/register",
        None,
        Some("email=anna&display_name=&password=kurz&password_repeat=anders"),
    )
    .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    for field in [
        "f-email",
        "f-display_name",
        "f-password",
        "f-password_repeat",
    ] {
        assert!(bad.body.contains(&format!("href=\"#{field}\"")), "{field}");
    }
    assert_eq!(count(&city, "SELECT COUNT(*) FROM guardian_accounts"), 0);
    assert_eq!(count(&city, "SELECT COUNT(*) FROM outbox"), 0);

    // A post from another site is refused before anything happens.
    let req = Request::builder()
        .method(Method::POST)
        .uri("/portal/register")
        .header(header::HOST, HOST)
        .header(header::ORIGIN, "https://evil.example")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(
            "email=x%40y.example&display_name=X&password=0123456789&password_repeat=0123456789",
        ))
        .unwrap();
    assert_eq!(
        router.clone().oneshot(req).await.unwrap().status(),
        StatusCode::FORBIDDEN
    );

    let registration = "email=anna.schulz%40example.org&display_name=Anna+Schulz&password=sehr-geheim-42&password_repeat=sehr-geheim-42";
    let ok = send(
        &router,
        Method::POST,
        "/portal/register",
        None,
        Some(registration),
    )
    .await;
    assert_eq!(ok.status, StatusCode::OK);
    assert!(ok.body.contains("E-Mail geschickt"), "{}", ok.body);

    // Before confirming, the right password does not log in.
    let login = "email=anna.schulz%40example.org&password=sehr-geheim-42";
    let early = send(&router, Method::POST, "/portal/login", None, Some(login)).await;
    assert_eq!(early.status, StatusCode::UNAUTHORIZED);
    assert!(early.body.contains("bestätigen"));

    let mails = deliver(&city, &smtp, 1).await;
    assert_eq!(mails[0].to, vec!["anna.schulz@example.org"]);
    assert!(mails[0].subject().unwrap().contains("bestätigen"));
    let verify = link_in(&mails[0], "/portal/verify");
    assert_eq!(
        count(
            &city,
            "SELECT COUNT(*) FROM outbox WHERE sent_at IS NOT NULL AND body = ''"
        ),
        1,
        "a sent mail keeps no link"
    );

    // Registering the address again: the same answer on the page, a hint by mail.
    let again = send(
        &router,
        Method::POST,
        "/portal/register",
        None,
        Some(registration),
    )
    .await;
    assert_eq!(again.status, StatusCode::OK);
    assert_eq!(count(&city, "SELECT COUNT(*) FROM guardian_accounts"), 1);
    let mails = deliver(&city, &smtp, 2).await;
    assert!(mails[1].subject().unwrap().contains("bereits ein Konto"));

    let confirmed = send(&router, Method::GET, &verify, None, None).await;
    assert_eq!(confirmed.status, StatusCode::OK);
    assert!(confirmed.body.contains("bestätigt"));
    let twice = send(&router, Method::GET, &verify, None, None).await;
    assert_eq!(twice.status, StatusCode::GONE, "a link works once");

    // Wrong password and unknown address: the same answer.
    let wrong = send(
        &router,
        Method::POST,
        "/portal/login",
        None,
        Some("email=anna.schulz%40example.org&password=falsch-falsch"),
    )
    .await;
    let unknown = send(
        &router,
        Method::POST,
        "/portal/login",
        None,
        Some("email=niemand%40example.org&password=falsch-falsch"),
    )
    .await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    assert_eq!(unknown.status, StatusCode::UNAUTHORIZED);
    let message = |b: &str| {
        b.split("kern-alert__body")
            .nth(1)
            .and_then(|rest| rest.split("</div>").next())
            .map(str::to_string)
    };
    assert_eq!(message(&wrong.body), message(&unknown.body));

    let logged_in = send(&router, Method::POST, "/portal/login", None, Some(login)).await;
    assert_eq!(logged_in.status, StatusCode::SEE_OTHER);
    assert_eq!(logged_in.location.as_deref(), Some("/portal/account"));
    let session = logged_in.cookie.expect("session cookie");
    let account = send(
        &router,
        Method::GET,
        "/portal/account",
        Some(&session),
        None,
    )
    .await;
    assert_eq!(account.status, StatusCode::OK);
    assert!(account.body.contains("Anna Schulz"));
    // A parent is no staff member: the staff pages refuse her.
    let staff_page = send(&router, Method::GET, "/facilities", Some(&session), None).await;
    assert_eq!(staff_page.status, StatusCode::FORBIDDEN);

    // Reset: the mail's link sets a new password once; the old one and the session end.
    let asked = send(
        &router,
        Method::POST,
        "/portal/password-reset",
        None,
        Some("email=anna.schulz%40example.org"),
    )
    .await;
    let asked_unknown = send(
        &router,
        Method::POST,
        "/portal/password-reset",
        None,
        Some("email=niemand%40example.org"),
    )
    .await;
    assert_eq!(asked.status, StatusCode::OK);
    assert_eq!(message(&asked.body), message(&asked_unknown.body));
    let mails = deliver(&city, &smtp, 3).await;
    let reset = link_in(&mails[2], "/portal/password");
    let form = send(&router, Method::GET, &reset, None, None).await;
    assert_eq!(form.status, StatusCode::OK);
    let token = reset.split("token=").nth(1).unwrap();
    let mismatch = send(
        &router,
        Method::POST,
        "/portal/password",
        None,
        Some(&format!(
            "token={token}&password=ganz-neues-42&password_repeat=ganz-neu"
        )),
    )
    .await;
    assert_eq!(mismatch.status, StatusCode::UNPROCESSABLE_ENTITY);
    let set = send(
        &router,
        Method::POST,
        "/portal/password",
        None,
        Some(&format!(
            "token={token}&password=ganz-neues-42&password_repeat=ganz-neues-42"
        )),
    )
    .await;
    assert_eq!(set.status, StatusCode::OK);
    let ended = send(
        &router,
        Method::GET,
        "/portal/account",
        Some(&session),
        None,
    )
    .await;
    assert!(ended.status.is_redirection(), "the old session ended");
    let old = send(&router, Method::POST, "/portal/login", None, Some(login)).await;
    assert_eq!(old.status, StatusCode::UNAUTHORIZED);
    let new = send(
        &router,
        Method::POST,
        "/portal/login",
        None,
        Some("email=anna.schulz%40example.org&password=ganz-neues-42"),
    )
    .await;
    assert_eq!(new.status, StatusCode::SEE_OTHER);

    // Five wrong passwords from one place lock that address there; an address without an
    // account locks the same way (the answers cannot tell who has an account), and the right
    // password waits.
    for email in ["anna.schulz%40example.org", "keiner%40example.org"] {
        for _ in 0..kitanetz_node::auth::LOCKOUT_AFTER_FAILURES {
            let wrong = send(
                &router,
                Method::POST,
                "/portal/login",
                None,
                Some(&format!("email={email}&password=falsch-falsch")),
            )
            .await;
            assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
            assert_eq!(message(&wrong.body), message(&unknown.body));
        }
    }
    let waits = send(
        &router,
        Method::POST,
        "/portal/login",
        None,
        Some("email=anna.schulz%40example.org&password=ganz-neues-42"),
    )
    .await;
    assert_eq!(
        waits.status,
        StatusCode::TOO_MANY_REQUESTS,
        "locked for a while"
    );
    let nobody = send(
        &router,
        Method::POST,
        "/portal/login",
        None,
        Some("email=keiner%40example.org&password=falsch-falsch"),
    )
    .await;
    assert_eq!(nobody.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(message(&nobody.body), message(&waits.body));

    // The audit log names the account, never the address.
    let audited = count(
        &city,
        "SELECT COUNT(*) FROM audit_log WHERE action LIKE 'account.%' AND target LIKE 'guardian:%'",
    );
    assert!(audited >= 4, "{audited}");
    assert_eq!(
        count(
            &city,
            "SELECT COUNT(*) FROM audit_log WHERE actor LIKE '%@%' OR target LIKE '%@%'"
        ),
        0
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mails_wait_in_the_outbox_while_the_mail_server_is_away() {
    let net = Network::seeded();
    let smtp = TestSmtpServer::start();
    let city = city_with_smtp(&net, &smtp);
    smtp.inject(kitanetz_mail::Fault::Unavailable);
    let router = kitanetz_node::http::router(city.clone());
    let registration = "email=ben%40example.org&display_name=Ben&password=sehr-geheim-42&password_repeat=sehr-geheim-42";
    send(
        &router,
        Method::POST,
        "/portal/register",
        None,
        Some(registration),
    )
    .await;
    let mailer = kitanetz_node::outbox::mailer_for(&city).unwrap().unwrap();
    assert_eq!(
        kitanetz_node::outbox::deliver_due(&city, &mailer)
            .await
            .unwrap(),
        0
    );
    assert_eq!(
        count(&city, "SELECT COUNT(*) FROM outbox WHERE attempts = 1 AND sent_at IS NULL AND failed_at IS NULL"),
        1,
        "kept for a retry"
    );
    // Not due again until the backoff has passed; then it goes out.
    assert_eq!(
        kitanetz_node::outbox::deliver_due(&city, &mailer)
            .await
            .unwrap(),
        0
    );
    net.clock.advance(chrono::Duration::minutes(1));
    assert_eq!(
        kitanetz_node::outbox::deliver_due(&city, &mailer)
            .await
            .unwrap(),
        1
    );
    assert_eq!(smtp.wait_for(1, Duration::from_secs(10)).await.len(), 1);
}
