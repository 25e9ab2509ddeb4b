//! The ZVS's intake: an application from outside the city waits on the watch list (no Kita
//! receives it), the parents upload a proof, the ZVS releases it; one beyond the placement
//! horizon waits in the pool until its start comes near, with the address checked again first;
//! the ZVS enters an application for an unborn child; the settings are versioned.

use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use kitanetz_crdt::ids::{city_org, ApplicationId};
use kitanetz_crdt::kinds::{Applicant, Application, CareType};
use kitanetz_crdt::policy::NodeRole;
use kitanetz_crdt::scalar::Date;
use kitanetz_node::applications::{context, submit, ApplicationInput};
use kitanetz_node::auth::{create_guardian_session, Caller, GuardianAccount, Principal, Role};
use kitanetz_node::clock::Now;
use kitanetz_node::intake::{self, Decision, SettingsInput};
use kitanetz_node::Node;
use kitanetz_tests::Network;
use std::sync::Arc;
use tower::ServiceExt;

fn zvs() -> Principal {
    Principal::Staff(Caller {
        user_id: 1,
        username: "zvs".into(),
        display_name: "Frau Berger".into(),
        role: Role::Zvs,
        organisation: city_org(),
        provider: None,
        facility: None,
        childminder: None,
    })
}

/// A parent account with a session: (principal, cookie, csrf).
fn parent(city: &Node, email: &str) -> (Principal, String, String) {
    let store = city.store();
    store
        .conn()
        .execute(
            "INSERT INTO guardian_accounts (email, display_name, password_hash, verified_at, created_at) VALUES (?1, 'Eva Neu', 'x', 1, 1)",
            [email],
        )
        .unwrap();
    let id = store.conn().last_insert_rowid();
    let tokens = create_guardian_session(store.conn(), id, city.clock.now_millis()).unwrap();
    (
        Principal::Guardian(GuardianAccount {
            account_id: id,
            email: email.into(),
            display_name: "Eva Neu".into(),
        }),
        format!("kn_session={}", tokens.token),
        tokens.csrf,
    )
}

fn input(net: &Network, child: &str, birth: &str, start: &str, city: &str) -> ApplicationInput {
    input_for(net, child, birth, start, city, "eva.neu@example.org")
}

fn input_for(
    net: &Network,
    child: &str,
    birth: &str,
    start: &str,
    city: &str,
    email: &str,
) -> ApplicationInput {
    let start_day: Date = start.parse().unwrap();
    let kita = net
        .world
        .facilities
        .iter()
        .find(|f| {
            f.licence.care_types.iter().any(|c| {
                c.care_type == CareType::Nursery && c.places.at(start_day).is_some_and(|&p| p > 0)
            })
        })
        .unwrap();
    let pairs: Vec<(String, String)> = [
        ("child1_given_name", child),
        ("child1_family_name", "Neu"),
        ("child1_birth_date", birth),
        ("guardian_given_name", "Eva"),
        ("guardian_family_name", "Neu"),
        (
            "street",
            if city == "Dresden" {
                "Wilsdruffer Straße 1"
            } else {
                "Marktplatz 3"
            },
        ),
        (
            "postcode",
            if city == "Dresden" { "01067" } else { "04109" },
        ),
        ("city", city),
        ("phone", "0341 1234"),
        ("email", email),
        ("desired_start", start),
        ("daily_hours", "8"),
        ("wish1", &format!("f:{}", kita.profile.id.0)),
        ("notify", "email"),
        ("consent_data_processing", "true"),
        ("consent_forwarding", "true"),
        ("consent_terms", "true"),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    ApplicationInput::from_pairs(&pairs)
}

fn apply(city: &Node, who: &Principal, input: &ApplicationInput, now: Now) -> ApplicationId {
    let portal = city.portal.as_ref().unwrap();
    let mut store = city.store();
    let ctx = context(&store, portal, "Dresden", now.today).unwrap();
    submit(&mut store, &ctx, portal.streets(), who, input, now)
        .unwrap()
        .applications
        .remove(0)
}

fn scope(city: &Node, id: &ApplicationId) -> usize {
    let store = city.store();
    let (doc, _) = store
        .get::<Application>(&kitanetz_node::seats::application_doc_id(id))
        .unwrap();
    doc.meta.facilities.len()
}

fn applicant(city: &Node, id: &ApplicationId) -> Applicant {
    city.store()
        .get::<Applicant>(&kitanetz_crdt::ids::doc_id_for("applicant", &id.0))
        .unwrap()
        .1
}

fn at(day: Date) -> Now {
    Now {
        today: day,
        millis: kitanetz_node::clock::city_instant(day.0.and_hms_opt(9, 0, 0).unwrap())
            .timestamp_millis(),
    }
}

#[tokio::test]
async fn a_family_moving_here_waits_on_the_watch_list_until_the_zvs_releases_it() {
    let net = Network::seeded();
    let city: Arc<Node> = net.open(&net.config(|c| c.role == NodeRole::City).name);
    let router = kitanetz_node::http::router(city.clone());
    let (eva, cookie, csrf) = parent(&city, "eva.neu@example.org");
    let today = city.clock.today();
    let id = apply(
        &city,
        &eva,
        &input(&net, "Tom", "2025-12-01", "2027-03-01", "Leipzig"),
        city.now(),
    );

    // Outside the city: on the watch list, no Kita receives it.
    assert_eq!(scope(&city, &id), 0);
    let view = intake::overview(&city.store(), &zvs(), today).unwrap();
    assert!(view.watch.iter().any(|r| r.id == id.0));
    assert!(matches!(
        intake::overview(&city.store(), &eva, today),
        Err(kitanetz_node::action::ActionError::Forbidden(_))
    ));

    // The parents upload a proof; a script or a huge file is refused with a message.
    let upload = |name: &str, bytes: Vec<u8>, cookie: String, csrf: String| {
        let router = router.clone();
        let path = format!("/portal/applications/{}/documents", id.0);
        let name = name.to_string();
        async move {
            let boundary = "XyZbOuNdArY";
            let mut body = format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{csrf}\r\n--{boundary}\r\nContent-Disposition: form-data; name=\"document\"; filename=\"{name}\"\r\nContent-Type: application/pdf\r\n\r\n"
            )
            .into_bytes();
            body.extend(bytes);
            body.extend(format!("\r\n--{boundary}--\r\n").into_bytes());
            let req = Request::builder()
                .method(Method::POST)
                .uri(path)
                .header(header::COOKIE, cookie)
                .header(
                    header::CONTENT_TYPE,
                    format!("multipart/form-data; boundary={boundary}"),
                )
                .body(Body::from(body))
                .unwrap();
            let res = router.oneshot(req).await.unwrap();
            (
                res.status(),
                res.headers()
                    .get(header::LOCATION)
                    .map(|v| v.to_str().unwrap().to_string())
                    .unwrap_or_default(),
            )
        }
    };
    let (status, location) = upload(
        "evil.pdf",
        b"<script>alert(1)</script>".to_vec(),
        cookie.clone(),
        csrf.clone(),
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert!(location.contains("upload_error="), "{location}");
    let (status, _) = upload(
        "big.pdf",
        [b"%PDF-1.7\n".to_vec(), vec![b'x'; 6 * 1024 * 1024]].concat(),
        cookie.clone(),
        csrf.clone(),
    )
    .await;
    assert!(
        status == StatusCode::PAYLOAD_TOO_LARGE || status == StatusCode::BAD_REQUEST,
        "{status}"
    );
    let (_, stranger_cookie, stranger_csrf) = parent(&city, "fremd@example.org");
    let (status, _) = upload(
        "mietvertrag.pdf",
        b"%PDF-1.7\nproof".to_vec(),
        stranger_cookie,
        stranger_csrf,
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "not their application");
    let (status, location) = upload(
        "../Mietvertrag Dresden.pdf",
        b"%PDF-1.7\nproof".to_vec(),
        cookie.clone(),
        csrf.clone(),
    )
    .await;
    assert_eq!(
        (status, location.as_str()),
        (StatusCode::SEE_OTHER, "/portal/applications?uploaded=1")
    );
    let view = intake::overview(&city.store(), &zvs(), today).unwrap();
    let row = view.watch.iter().find(|r| r.id == id.0).unwrap();
    assert_eq!(row.documents.len(), 1);
    assert_eq!(row.documents[0].1, "Mietvertrag Dresden.pdf", "no path");
    let (name, content_type, bytes) =
        intake::proof(&city.store(), &zvs(), row.documents[0].0).unwrap();
    assert_eq!(
        (name.as_str(), content_type.as_str(), bytes.as_slice()),
        (
            "Mietvertrag Dresden.pdf",
            "application/pdf",
            &b"%PDF-1.7\nproof"[..]
        )
    );
    assert!(intake::proof(&city.store(), &eva, row.documents[0].0).is_err());

    // A rejection needs a reason; the release puts it into placement.
    let now = city.now();
    assert!(intake::decide(&mut city.store(), &zvs(), &id, Decision::Reject, " ", now).is_err());
    intake::decide(
        &mut city.store(),
        &zvs(),
        &id,
        Decision::Release,
        "Mietvertrag ab 1.2.2027",
        now,
    )
    .unwrap();
    assert_eq!(scope(&city, &id), 1, "now the wished Kita receives it");
    let history = applicant(&city, &id).history;
    assert!(history
        .last()
        .unwrap()
        .what
        .contains("freigegeben: Mietvertrag ab 1.2.2027"));
    assert!(intake::decide(&mut city.store(), &zvs(), &id, Decision::Release, "", now).is_err());

    // Another one is rejected: inactive, the parents get the reason by mail.
    let (ida_parent, _, _) = parent(&city, "ida@example.org");
    let other = apply(
        &city,
        &ida_parent,
        &input_for(
            &net,
            "Ida",
            "2025-11-01",
            "2027-03-01",
            "Leipzig",
            "ida@example.org",
        ),
        city.now(),
    );
    intake::decide(
        &mut city.store(),
        &zvs(),
        &other,
        Decision::Reject,
        "kein Zuzug nachgewiesen",
        now,
    )
    .unwrap();
    let status: String = city
        .store()
        .conn()
        .query_row(
            "SELECT status FROM p_applications WHERE id = ?1",
            [&other.0],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(status, "inactive");
    let mail: String = city
        .store()
        .conn()
        .query_row(
            "SELECT body FROM outbox WHERE subject LIKE '%nicht berücksichtigt%'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert!(mail.contains("kein Zuzug nachgewiesen"));

    // The ZVS sees it among the inactive applications with the reason, and reactivates it:
    // active again, the parents told; a second reactivation is refused.
    let watch =
        kitanetz_node::applications::watch::watch(&city.store(), &zvs(), now.today).unwrap();
    let inactive = watch
        .inactive
        .iter()
        .find(|a| a.application == other.0)
        .expect("listed as inactive");
    assert!(
        inactive.why.contains("kein Zuzug nachgewiesen"),
        "{inactive:?}"
    );
    intake::reactivate(&mut city.store(), &zvs(), &other, "Zuzug nun belegt", now).unwrap();
    let status: String = city
        .store()
        .conn()
        .query_row(
            "SELECT status FROM p_applications WHERE id = ?1",
            [&other.0],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(status, "active");
    assert!(applicant(&city, &other)
        .history
        .last()
        .unwrap()
        .what
        .contains("reaktiviert: Zuzug nun belegt"));
    let told: i64 = city
        .store()
        .conn()
        .query_row(
            "SELECT count(*) FROM outbox WHERE subject LIKE '%wieder aktiv%'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(told, 1);
    assert!(matches!(
        intake::reactivate(&mut city.store(), &zvs(), &other, "", now),
        Err(kitanetz_node::action::ActionError::Conflict(_))
    ));

    // The ZVS's page lists the released one no more.
    let zvs_login = kitanetz_tests::add_user(&city, "zvs-b", Role::Zvs, city_org(), None, None);
    let req = Request::builder()
        .uri("/intake")
        .header(header::COOKIE, format!("kn_session={}", zvs_login.token))
        .body(Body::empty())
        .unwrap();
    let res = router.clone().oneshot(req).await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let page = String::from_utf8(
        axum::body::to_bytes(res.into_body(), 1 << 20)
            .await
            .unwrap()
            .to_vec(),
    )
    .unwrap();
    assert!(page.contains("Überwachungsliste"));
    assert!(!page.contains(&format!("data-application=\"{}\"", id.0)));

    // Bad settings through the form: the page names the field (and the node does not hang
    // on its own store while it renders the error).
    let req = Request::builder()
        .method(Method::POST)
        .uri("/intake/settings")
        .header(header::COOKIE, format!("kn_session={}", zvs_login.token))
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(format!(
            "csrf={}&valid_from=2030-01-01&horizon_months=viele&recheck_from_weeks=6&recheck_until_weeks=4&followup_days=14&grace_months=1",
            zvs_login.csrf
        )))
        .unwrap();
    let res = router.clone().oneshot(req).await.unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    // A decision on something not on the watch list: the page says so.
    let req = Request::builder()
        .method(Method::POST)
        .uri(format!("/intake/{}/decide", id.0))
        .header(header::COOKIE, format!("kn_session={}", zvs_login.token))
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(format!(
            "csrf={}&decision=release&note=",
            zvs_login.csrf
        )))
        .unwrap();
    let res = router.clone().oneshot(req).await.unwrap();
    assert_eq!(res.status(), StatusCode::CONFLICT);
}

#[tokio::test]
async fn an_application_beyond_the_horizon_waits_in_the_pool_and_enters_with_its_address_rechecked()
{
    let net = Network::seeded();
    let city: Arc<Node> = net.open(&net.config(|c| c.role == NodeRole::City).name);
    let (eva, _, _) = parent(&city, "eva.neu@example.org");
    let today = city.clock.today();
    assert_eq!(today, Date::ymd(2026, 11, 2));
    let id = apply(
        &city,
        &eva,
        &input(&net, "Lina", "2026-05-01", "2027-09-01", "Dresden"),
        city.now(),
    );
    assert_eq!(scope(&city, &id), 0, "beyond the 6-month horizon");
    let view = intake::overview(&city.store(), &zvs(), today).unwrap();
    let row = view.pool.iter().find(|r| r.id == id.0).unwrap();
    assert_eq!(row.enters_on, Date::ymd(2027, 3, 1));
    assert_eq!(row.recheck, "");

    let streets = city.portal.as_ref().unwrap().streets();
    // Nothing is due yet.
    let run = intake::run_due(&mut city.store(), streets, "Dresden", city.now()).unwrap();
    assert_eq!(run, intake::DueRun::default());
    // Six weeks before it enters: the address is checked again (still found).
    let window = at(Date::ymd(2027, 1, 18));
    let run = intake::run_due(&mut city.store(), streets, "Dresden", window).unwrap();
    assert_eq!((run.rechecked, run.to_watch_list, run.admitted), (1, 0, 0));
    assert_eq!(applicant(&city, &id).address_checked_on, Some(window.today));
    let again = intake::run_due(&mut city.store(), streets, "Dresden", window).unwrap();
    assert_eq!(again, intake::DueRun::default(), "twice changes nothing");
    // The day it enters the horizon, the wished Kita receives it.
    let run = intake::run_due(
        &mut city.store(),
        streets,
        "Dresden",
        at(Date::ymd(2027, 3, 1)),
    )
    .unwrap();
    assert_eq!(run.admitted, 1);
    assert_eq!(scope(&city, &id), 1);

    // A longer horizon from a day on: the settings are versioned, the past untouched.
    let mut form = SettingsInput {
        valid_from: "2026-10-01".into(),
        horizon_months: "12".into(),
        recheck_from_weeks: "6".into(),
        recheck_until_weeks: "4".into(),
        followup_days: "14".into(),
        grace_months: "1".into(),
    };
    let e = intake::change_settings(&mut city.store(), &zvs(), &form, city.now()).unwrap_err();
    assert!(format!("{e:?}").contains("valid_from"), "not in the past");
    form.valid_from = "2026-12-01".into();
    form.recheck_until_weeks = "7".into();
    let e = intake::change_settings(&mut city.store(), &zvs(), &form, city.now()).unwrap_err();
    assert!(format!("{e:?}").contains("recheck_until_weeks"));
    form.recheck_until_weeks = "4".into();
    assert!(intake::change_settings(&mut city.store(), &eva, &form, city.now()).is_err());
    intake::change_settings(&mut city.store(), &zvs(), &form, city.now()).unwrap();
    assert_eq!(
        intake::settings_on(&city.store(), today)
            .unwrap()
            .horizon_months,
        6
    );
    assert_eq!(
        intake::settings_on(&city.store(), Date::ymd(2026, 12, 1))
            .unwrap()
            .horizon_months,
        12
    );
}

#[tokio::test]
async fn the_zvs_enters_an_application_for_an_unborn_child_parents_cannot() {
    let net = Network::seeded();
    let city: Arc<Node> = net.open(&net.config(|c| c.role == NodeRole::City).name);
    let (eva, _, _) = parent(&city, "eva.neu@example.org");
    let unborn = input(&net, "N.N.", "2027-01-15", "2027-04-01", "Dresden");
    let portal = city.portal.as_ref().unwrap();
    let now = city.now();
    {
        let mut store = city.store();
        let ctx = context(&store, portal, "Dresden", now.today).unwrap();
        let e = submit(&mut store, &ctx, portal.streets(), &eva, &unborn, now).unwrap_err();
        assert!(format!("{e:?}").contains("ungeborene"), "{e:?}");
    }
    let id = apply(&city, &zvs(), &unborn, now);
    let a = applicant(&city, &id);
    assert_eq!(a.child_birth_date, Date::ymd(2027, 1, 15));
    assert!(a.history[0].by.starts_with("ZVS"));
    assert_eq!(
        scope(&city, &id),
        1,
        "within the horizon, treated like any other"
    );
    // The start before the birth is refused.
    let early = input(&net, "N.N.", "2027-05-15", "2027-04-01", "Dresden");
    let mut store = city.store();
    let ctx = context(&store, portal, "Dresden", now.today).unwrap();
    let e = submit(&mut store, &ctx, portal.streets(), &zvs(), &early, now).unwrap_err();
    assert!(format!("{e:?}").contains("vor der Geburt"), "{e:?}");
}

#[tokio::test]
async fn the_receipt_letter_names_the_children_and_the_wishes_in_the_parents_order() {
    let net = Network::seeded();
    let city: Arc<Node> = net.open(&net.config(|c| c.role == NodeRole::City).name);
    let (eva, _, _) = parent(&city, "eva.neu@example.org");
    let mut form = input(&net, "Tom", "2025-12-01", "2027-03-01", "Dresden");
    form.notify = "post".into();
    form.reasons = "#panic(\"x\") *fett*".into();
    let id = apply(&city, &eva, &form, city.now());
    let office = kitanetz_node::config::OfficeSection {
        name: "Zentrale Vermittlungsstelle".into(),
        street: "Rathausplatz 1".into(),
        ..Default::default()
    };
    let letter = kitanetz_node::applications::receipt_letter(
        &city.store(),
        &eva,
        &id,
        None,
        &office,
        "Jugendamt Dresden",
    )
    .unwrap();
    let d = &letter.data;
    assert_eq!(d["recipient"]["name"], "Eva Neu");
    assert_eq!(d["children"][0]["name"], "Tom Neu");
    assert_eq!(d["children"][0]["birth_date"], "01.12.2025");
    assert_eq!(d["wishes"][0]["rank"], 1);
    assert_eq!(d["city"]["office"], "Zentrale Vermittlungsstelle");
    assert_eq!(d["notes"], "#panic(\"x\") *fett*", "kept as text");
    assert_eq!(letter.id, format!("receipt/{}", id.0));
    // The ZVS may print it; another parent may not read it.
    assert!(kitanetz_node::applications::receipt_letter(
        &city.store(),
        &zvs(),
        &id,
        None,
        &office,
        "x"
    )
    .is_ok());
    let (other, _, _) = parent(&city, "fremd@example.org");
    assert!(matches!(
        kitanetz_node::applications::receipt_letter(&city.store(), &other, &id, None, &office, "x"),
        Err(kitanetz_node::action::ActionError::NotFound(_))
    ));
}

async fn get(router: &axum::Router, uri: &str, cookie: &str) -> (StatusCode, String, Vec<u8>) {
    let req = Request::builder()
        .uri(uri)
        .header(header::COOKIE, cookie)
        .body(Body::empty())
        .unwrap();
    let res = router.clone().oneshot(req).await.unwrap();
    let status = res.status();
    let content_type = res
        .headers()
        .get(header::CONTENT_TYPE)
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default();
    let body = axum::body::to_bytes(res.into_body(), 1 << 24)
        .await
        .unwrap()
        .to_vec();
    (status, content_type, body)
}

async fn post_form(router: &axum::Router, uri: &str, cookie: &str, body: String) -> StatusCode {
    let req = Request::builder()
        .method(Method::POST)
        .uri(uri)
        .header(header::COOKIE, cookie)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(body))
        .unwrap();
    router.clone().oneshot(req).await.unwrap().status()
}

#[tokio::test]
async fn letters_by_post_wait_in_the_outgoing_post_print_as_pdf_and_are_marked_printed_once() {
    let net = Network::seeded();
    let city: Arc<Node> = net.open(&net.config(|c| c.role == NodeRole::City).name);
    let router = kitanetz_node::http::router(city.clone());
    let (eva, eva_cookie, _) = parent(&city, "eva.neu@example.org");
    let mut by_post = input(&net, "Tom", "2025-12-01", "2027-03-01", "Dresden");
    by_post.notify = "post".into();
    let tom = apply(&city, &eva, &by_post, city.now());
    // A family notified by e-mail owes no letter.
    let (ida_parent, _, _) = parent(&city, "ida@example.org");
    let by_mail = input_for(
        &net,
        "Ida",
        "2025-10-01",
        "2027-03-01",
        "Dresden",
        "ida@example.org",
    );
    apply(&city, &ida_parent, &by_mail, city.now());

    let zvs_login = kitanetz_tests::add_user(&city, "zvs-p", Role::Zvs, city_org(), None, None);
    let zvs_cookie = format!("kn_session={}", zvs_login.token);
    let letters = intake::post::outgoing(&city.store(), &zvs(), city.now()).unwrap();
    assert_eq!(letters.len(), 1, "one letter: Tom's receipt");
    let receipt = &letters[0];
    assert_eq!(receipt.application, tom.0);
    assert_eq!(receipt.kind, intake::post::LetterKind::Receipt);
    assert_eq!(receipt.child, "Tom Neu");
    assert!(receipt.printed.is_none());

    // The intake page lists it with its PDF; the PDF is a PDF.
    let (status, _, page) = get(&router, "/intake", &zvs_cookie).await;
    assert_eq!(status, StatusCode::OK);
    let page = String::from_utf8(page).unwrap();
    assert!(page.contains("Postausgang"), "{page}");
    let pdf_link = format!("/intake/letters/{}/letter.pdf", receipt.id);
    assert!(page.contains(&pdf_link));
    let (status, content_type, pdf) = get(&router, &pdf_link, &zvs_cookie).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(content_type, "application/pdf");
    assert!(pdf.starts_with(b"%PDF-"));
    // Parents print their own receipt in the portal, but not the ZVS's list or another's.
    let (status, content_type, pdf) = get(
        &router,
        &format!("/portal/applications/{}/receipt.pdf", tom.0),
        &eva_cookie,
    )
    .await;
    assert_eq!(
        (status, content_type.as_str()),
        (StatusCode::OK, "application/pdf")
    );
    assert!(pdf.starts_with(b"%PDF-"));
    let (status, _, _) = get(&router, &pdf_link, &eva_cookie).await;
    assert_ne!(status, StatusCode::OK, "a parent reads no ZVS letter list");
    let (_, stranger_cookie, _) = parent(&city, "fremd@example.org");
    let (status, _, _) = get(
        &router,
        &format!("/portal/applications/{}/receipt.pdf", tom.0),
        &stranger_cookie,
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // Marked printed: once, with the person; without the form's token nothing happens.
    let printed = format!("/intake/letters/{}/printed", receipt.id);
    assert_eq!(
        post_form(&router, &printed, &zvs_cookie, "csrf=wrong".into()).await,
        StatusCode::FORBIDDEN
    );
    assert!(
        intake::post::outgoing(&city.store(), &zvs(), city.now()).unwrap()[0]
            .printed
            .is_none()
    );
    let ok = format!("csrf={}", zvs_login.csrf);
    assert_eq!(
        post_form(&router, &printed, &zvs_cookie, ok.clone()).await,
        StatusCode::SEE_OTHER
    );
    let first = intake::post::outgoing(&city.store(), &zvs(), city.now()).unwrap()[0]
        .printed
        .clone()
        .expect("printed");
    assert_eq!(first.1, "zvs-p", "printed by the person who clicked");
    post_form(&router, &printed, &zvs_cookie, ok).await;
    let audited: i64 = city
        .store()
        .conn()
        .query_row(
            "SELECT COUNT(*) FROM audit_log WHERE action = 'letter.printed'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(audited, 1, "the second click changes nothing");

    // A change by post owes a change confirmation of that day.
    let mut changed = by_post.clone();
    changed.reasons = "Bitte bis 16 Uhr".into();
    let later = at("2026-12-10".parse().unwrap());
    {
        let portal = city.portal.as_ref().unwrap();
        let mut store = city.store();
        let ctx = context(&store, portal, "Dresden", later.today).unwrap();
        kitanetz_node::applications::change(
            &mut store,
            &ctx,
            portal.streets(),
            &eva,
            &tom,
            &changed,
            later,
        )
        .unwrap();
    }
    let letters = intake::post::outgoing(&city.store(), &zvs(), later).unwrap();
    assert_eq!(
        letters[0].kind,
        intake::post::LetterKind::Change,
        "waiting first"
    );
    assert_eq!(letters[0].letter_date.to_string(), "2026-12-10");
    let letter = intake::post::letter(
        &city.store(),
        &zvs(),
        letters[0].id,
        &Default::default(),
        "Dresden",
    )
    .unwrap();
    assert_eq!(letter.data["changed_on"], "10.12.2026");
    assert!(letter.title.contains("Änderung"));
    // Two weeks after printing, a printed letter leaves the list.
    let much_later = at("2027-01-15".parse().unwrap());
    let ids: Vec<i64> = intake::post::outgoing(&city.store(), &zvs(), much_later)
        .unwrap()
        .iter()
        .map(|l| l.id)
        .collect();
    assert!(!ids.contains(&receipt.id), "{ids:?}");
}

#[tokio::test]
async fn the_population_register_knows_a_new_house_the_street_directory_lacks() {
    let net = Network::seeded();
    let name = net.config(|c| c.role == NodeRole::City).name.clone();
    let with_street = |child: &str, street: &str| {
        let mut i = input(&net, child, "2025-12-01", "2027-03-01", "Dresden");
        i.street = street.into();
        i.postcode = "01069".into();
        i
    };
    // Without a register: a street the directory does not list goes to the watch list.
    let city: Arc<Node> = net.open(&name);
    let (eva, _, _) = parent(&city, "eva.neu@example.org");
    let id = apply(
        &city,
        &eva,
        &with_street("Ida", "Neubaugasse 7"),
        city.now(),
    );
    assert_eq!(applicant(&city, &id).address_check, "not-found");
    drop(city);

    // The register office's street list configured: the same address passes, a street the
    // register does not list either still does not.
    let dir = net.node_dir(&name);
    std::fs::write(
        dir.join("register.csv"),
        "street;postcode;district\nNeubaugasse;01069;Altstadt\n",
    )
    .unwrap();
    let mut cfg = kitanetz_node::config::NodeConfig::load(&dir).unwrap();
    cfg.portal.as_mut().unwrap().population_register = "register.csv".into();
    cfg.write(&dir).unwrap();
    let city: Arc<Node> = net.open(&name);
    let id = apply(
        &city,
        &eva,
        &with_street("Ole", "Neubaugasse 7"),
        city.now(),
    );
    assert_eq!(applicant(&city, &id).address_check, "ok");
    let id = apply(
        &city,
        &eva,
        &with_street("Pia", "Gibtsnichtweg 7"),
        city.now(),
    );
    assert_eq!(applicant(&city, &id).address_check, "not-found");
    drop(city);

    // A broken register stops the node with the file and line named.
    std::fs::write(
        dir.join("register.csv"),
        "street;postcode;district\nNeubaugasse;1069;Altstadt\n",
    )
    .unwrap();
    let err = Node::open(&dir, Arc::new(net.clock.clone()))
        .err()
        .expect("refused")
        .to_string();
    assert!(
        err.contains("register.csv") && err.contains("line 2"),
        "{err}"
    );
}

#[tokio::test]
async fn a_transfer_waits_for_the_zvs_to_weigh_its_urgency_and_short_notice_is_pointed_out() {
    let net = Network::seeded();
    let city: Arc<Node> = net.open(&net.config(|c| c.role == NodeRole::City).name);
    let (eva, _, _) = parent(&city, "eva.neu@example.org");
    let today = city.clock.today();
    // Next month: less than the two months' notice of the current contract (3.3.3), accepted.
    let start = Date(
        chrono::NaiveDate::from_ymd_opt(
            chrono::Datelike::year(&today.0),
            chrono::Datelike::month(&today.0),
            1,
        )
        .unwrap()
            + chrono::Months::new(1),
    );
    let mut transfer = input(&net, "Tom", "2023-03-01", &start.to_string(), "Dresden");
    transfer.transfer = true;
    transfer.transfer_reason = "Umzug nach Dresden-Neustadt".into();
    let id = apply(&city, &eva, &transfer, city.now());
    let receipt: String = city
        .store()
        .conn()
        .query_row(
            "SELECT body FROM outbox WHERE subject LIKE '%Eingangsbestätigung%' ORDER BY id DESC LIMIT 1",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert!(receipt.contains("Wechselantrag"), "{receipt}");
    assert!(receipt.contains("weniger als 2 Monate"), "{receipt}");

    // Not in placement until the ZVS decided; on its list with the reason and the short notice.
    assert_eq!(scope(&city, &id), 0);
    let view = intake::overview(&city.store(), &zvs(), today).unwrap();
    let row = view
        .transfers
        .iter()
        .find(|t| t.row.id == id.0)
        .expect("on the ZVS's transfer list");
    assert!(row.notice_short);
    assert_eq!(row.reason, "Umzug nach Dresden-Neustadt");
    assert!(view.watch.iter().all(|r| r.id != id.0));

    // Only the ZVS decides; a rejection needs a note for the parents.
    let decide = |who: &Principal, decision, note: &str| {
        intake::decide_transfer(&mut city.store(), who, &id, decision, note, city.now())
    };
    assert!(matches!(
        decide(&eva, intake::TransferDecision::Urgent, ""),
        Err(kitanetz_node::action::ActionError::Forbidden(_))
    ));
    let refused = decide(&zvs(), intake::TransferDecision::Reject, " ").unwrap_err();
    assert_eq!(refused.into_field_errors().unwrap()[0].field, "note");
    assert_eq!(scope(&city, &id), 0);

    decide(&zvs(), intake::TransferDecision::Urgent, "Umzug belegt").unwrap();
    assert!(scope(&city, &id) > 0, "into placement");
    let (_, application) = city
        .store()
        .get::<Application>(&kitanetz_node::seats::application_doc_id(&id))
        .unwrap();
    assert_eq!(application.transfer_priority, "urgent");
    assert!(applicant(&city, &id)
        .history
        .iter()
        .any(|e| e.what.contains("Dringlichkeit hoch")));
    let view = intake::overview(&city.store(), &zvs(), today).unwrap();
    assert!(view.transfers.iter().all(|t| t.row.id != id.0));
    assert!(
        decide(&zvs(), intake::TransferDecision::Normal, "").is_err(),
        "decided once"
    );
    // The Kita's wish document says "transfer", never the reason.
    let wish = kitanetz_node::applications::wishes::wish_doc_id(&application.wishes[0].handle);
    let (_, at_kita) = city
        .store()
        .get::<kitanetz_crdt::kinds::ApplicationWish>(&wish)
        .unwrap();
    assert!(at_kita.transfer);
    assert!(!serde_json::to_string(&at_kita)
        .unwrap()
        .contains("Neustadt"));
}
