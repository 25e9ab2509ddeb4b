//! A parent applies on the portal: two siblings with three wishes, every check of Lastenheft
//! 3.3.2 with field errors and nothing stored, one active application per child, the receipt in
//! the outbox, and the parents' view of their applications.

use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use kitanetz_crdt::kinds::{Applicant, Application, CareType};
use kitanetz_crdt::policy::NodeRole;
use kitanetz_node::auth::create_guardian_session;
use kitanetz_node::Node;
use kitanetz_tests::Network;
use std::sync::Arc;
use tower::ServiceExt;

/// A confirmed parent account with a live session: (cookie, csrf).
pub(crate) fn parent(city: &Node, email: &str) -> (String, String) {
    let store = city.store();
    store
        .conn()
        .execute(
            "INSERT INTO guardian_accounts (email, display_name, password_hash, verified_at, created_at) VALUES (?1, 'Anna Schulz', 'x', 1, 1)",
            [email],
        )
        .unwrap();
    let id = store.conn().last_insert_rowid();
    let tokens = create_guardian_session(store.conn(), id, city.clock.now_millis()).unwrap();
    (format!("kn_session={}", tokens.token), tokens.csrf)
}

pub(crate) async fn post(
    router: &axum::Router,
    cookie: &str,
    body: &str,
) -> (StatusCode, String, String) {
    let req = Request::builder()
        .method(Method::POST)
        .uri("/portal/apply")
        .header(header::COOKIE, cookie)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(body.to_string()))
        .unwrap();
    let res = router.clone().oneshot(req).await.unwrap();
    let status = res.status();
    let location = res
        .headers()
        .get(header::LOCATION)
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default();
    let body = axum::body::to_bytes(res.into_body(), 1 << 20)
        .await
        .unwrap();
    (
        status,
        location,
        String::from_utf8_lossy(&body).into_owned(),
    )
}

pub(crate) async fn get(router: &axum::Router, cookie: &str, path: &str) -> (StatusCode, String) {
    let req = Request::builder()
        .uri(path)
        .header(header::COOKIE, cookie)
        .body(Body::empty())
        .unwrap();
    let res = router.clone().oneshot(req).await.unwrap();
    let status = res.status();
    let body = axum::body::to_bytes(res.into_body(), 1 << 20)
        .await
        .unwrap();
    (status, String::from_utf8_lossy(&body).into_owned())
}

/// Facilities offering both Krippe and Kindergarten places on `day`.
pub(crate) fn offering_both(net: &Network, day: kitanetz_crdt::scalar::Date) -> Vec<String> {
    net.world
        .facilities
        .iter()
        .filter(|f| {
            [CareType::Nursery, CareType::Kindergarten]
                .iter()
                .all(|ct| {
                    f.licence
                        .care_types
                        .iter()
                        .any(|c| c.care_type == *ct && c.places.at(day).is_some_and(|&p| p > 0))
                })
        })
        .map(|f| f.profile.id.0.clone())
        .collect()
}

fn count(node: &Node, sql: &str) -> i64 {
    node.store()
        .conn()
        .query_row(sql, [], |r| r.get(0))
        .unwrap()
}

pub(crate) fn form(pairs: &[(&str, &str)]) -> String {
    pairs
        .iter()
        .map(|(k, v)| {
            format!(
                "{k}={}",
                form_urlencoded::byte_serialize(v.as_bytes()).collect::<String>()
            )
        })
        .collect::<Vec<_>>()
        .join("&")
}

#[tokio::test]
async fn a_parent_applies_for_two_siblings_with_three_wishes() {
    let net = Network::seeded();
    let city: Arc<Node> = net.open(&net.config(|c| c.role == NodeRole::City).name);
    let router = kitanetz_node::http::router(city.clone());
    let (cookie, csrf) = parent(&city, "anna.schulz@example.org");
    let start = kitanetz_crdt::scalar::Date::ymd(2027, 8, 1);
    let kitas = offering_both(&net, start);
    assert!(
        kitas.len() >= 3,
        "the demo has three Kitas with Krippe and Kindergarten"
    );
    let wishes: Vec<String> = kitas.iter().take(3).map(|k| format!("f:{k}")).collect();
    let good: Vec<(&str, &str)> = vec![
        ("csrf", &csrf),
        ("child1_given_name", "Mia"),
        ("child1_family_name", "Schulz"),
        ("child1_birth_date", "2025-09-14"),
        ("child1_sex", "female"),
        ("child2_given_name", "Ben"),
        ("child2_family_name", "Schulz"),
        ("child2_birth_date", "2023-02-03"),
        ("child2_sex", "male"),
        ("guardian_given_name", "Anna"),
        ("guardian_family_name", "Schulz"),
        ("street", "Wilsdruffer Straße 1"),
        ("postcode", "01067"),
        ("city", "Dresden"),
        ("phone", "0351 123456"),
        ("email", "anna.schulz@example.org"),
        ("desired_start", "2027-08-01"),
        ("daily_hours", "7,5"),
        ("wish1", &wishes[0]),
        ("wish2", &wishes[1]),
        ("wish3", &wishes[2]),
        ("notify", "email"),
        ("consent_data_processing", "true"),
        ("consent_forwarding", "true"),
        ("consent_terms", "true"),
    ];

    // Without consents, an unborn child and a wish twice: every field named, nothing stored.
    let mut bad: Vec<(&str, &str)> = good
        .iter()
        .filter(|(k, _)| !k.starts_with("consent"))
        .cloned()
        .collect();
    bad.push(("child3_given_name", "Ungeboren"));
    bad.push(("child3_family_name", "Schulz"));
    bad.push(("child3_birth_date", "2027-01-01"));
    bad.push(("wish4", &wishes[0]));
    let documents = count(&city, "SELECT COUNT(*) FROM documents");
    let (status, _, page) = post(&router, &cookie, &form(&bad)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    for field in ["a-consents", "a-child3_birth_date", "a-wish4"] {
        assert!(
            page.contains(&format!("href=\"#{field}\"")),
            "{field} named"
        );
    }
    assert!(page.contains("value=\"Mia\""), "what was typed stays");
    assert_eq!(count(&city, "SELECT COUNT(*) FROM documents"), documents);
    assert_eq!(count(&city, "SELECT COUNT(*) FROM outbox"), 0);

    // Mails go only to the account's confirmed address.
    let elsewhere: Vec<(&str, &str)> = good
        .iter()
        .map(|(k, v)| {
            if *k == "email" {
                (*k, "jemand@example.net")
            } else {
                (*k, *v)
            }
        })
        .collect();
    let (status, _, page) = post(&router, &cookie, &form(&elsewhere)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("href=\"#a-email\""), "the address is named");

    // The form of another session is refused.
    let foreign: Vec<(&str, &str)> = good
        .iter()
        .map(|(k, v)| {
            if *k == "csrf" {
                (*k, "forged")
            } else {
                (*k, *v)
            }
        })
        .collect();
    assert_eq!(
        post(&router, &cookie, &form(&foreign)).await.0,
        StatusCode::FORBIDDEN
    );

    let (status, location, page) = post(&router, &cookie, &form(&good)).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{page}");
    assert_eq!(location, "/portal/applications?submitted=1");

    // Two applications, one per child, kept together; the Kitas see no names and no ranks.
    let (applications, applicants) = {
        let store = city.store();
        (
            store.values_of_kind::<Application>().unwrap(),
            store.values_of_kind::<Applicant>().unwrap(),
        )
    };
    let ours: Vec<&Applicant> = applicants
        .iter()
        .filter(|a| a.email == "anna.schulz@example.org")
        .collect();
    assert_eq!(ours.len(), 2);
    let mine: Vec<&Application> = applications
        .iter()
        .filter(|a| ours.iter().any(|o| o.application == a.id))
        .collect();
    assert_eq!(mine.len(), 2);
    assert!(!mine[0].together.is_empty() && mine[0].together == mine[1].together);
    let care: Vec<CareType> = {
        let mut c: Vec<CareType> = mine.iter().map(|a| a.care_type).collect();
        c.sort();
        c
    };
    assert_eq!(care, [CareType::Nursery, CareType::Kindergarten]);
    for a in &mine {
        assert_eq!(a.wishes.len(), 3);
        let ids: Vec<&str> = a.wishes.iter().map(|w| w.facility.0.as_str()).collect();
        let mut sorted = ids.clone();
        sorted.sort();
        assert_eq!(ids, sorted, "stored by facility, not by rank");
        assert_eq!(a.daily_hours.to_string(), "7.5");
    }
    assert_eq!(
        ours[0]
            .ranked_wishes
            .iter()
            .map(|f| format!("f:{}", f.0))
            .collect::<Vec<_>>(),
        wishes
    );
    assert_eq!(ours[0].address_check, "ok");

    // The receipt waits in the outbox, naming both children.
    let receipt: String = city
        .store()
        .conn()
        .query_row(
            "SELECT body FROM outbox WHERE recipient = 'anna.schulz@example.org'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert!(
        receipt.contains("Mia Schulz") && receipt.contains("Ben Schulz"),
        "{receipt}"
    );

    let (status, page) = get(&router, &cookie, "/portal/applications?submitted=1").await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("Mia Schulz") && page.contains("Ben Schulz"));
    // A start in August 2027 is beyond the placement horizon: no Kita has checked it yet.
    assert!(page.contains("noch nicht an der Reihe"), "{page}");
    assert!(!page.contains("Warteliste"));

    // The same child again (written differently): pointed to the existing application.
    let again: Vec<(&str, &str)> = good
        .iter()
        .filter(|(k, _)| !k.starts_with("child2"))
        .map(|(k, v)| {
            if *k == "child1_given_name" {
                (*k, " mia ")
            } else {
                (*k, *v)
            }
        })
        .collect();
    let documents = count(&city, "SELECT COUNT(*) FROM documents");
    let (status, _, page) = post(&router, &cookie, &form(&again)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        page.contains("schon Ihr Antrag"),
        "pointer to the existing one"
    );
    assert_eq!(count(&city, "SELECT COUNT(*) FROM documents"), documents);

    // Ben's application is withdrawn: kept and flagged, the Kitas see it, Ben may be applied
    // for again; nobody else can withdraw it, and twice is refused.
    let ben = ours
        .iter()
        .find(|a| a.child_given_name == "Ben")
        .unwrap()
        .application
        .clone();
    let withdraw = |cookie: String, csrf: String| {
        let router = router.clone();
        let path = format!("/portal/applications/{}/withdraw", ben.0);
        async move {
            let req = Request::builder()
                .method(Method::POST)
                .uri(path)
                .header(header::COOKIE, cookie)
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(Body::from(format!("csrf={csrf}")))
                .unwrap();
            router.oneshot(req).await.unwrap().status()
        }
    };
    let (stranger, stranger_csrf) = parent(&city, "fremd@example.org");
    assert_eq!(
        withdraw(stranger, stranger_csrf).await,
        StatusCode::NOT_FOUND,
        "not hers"
    );
    assert_eq!(
        withdraw(cookie.clone(), csrf.clone()).await,
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        withdraw(cookie.clone(), csrf.clone()).await,
        StatusCode::CONFLICT
    );
    let status: String = city
        .store()
        .conn()
        .query_row(
            "SELECT status FROM p_applications WHERE id = ?1",
            [&ben.0],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(status, "withdrawn");
    let (_, page) = get(&router, &cookie, "/portal/applications").await;
    assert!(page.contains("zurückgezogen"));
    {
        let store = city.store();
        let kita = kitanetz_crdt::ids::FacilityId(kitas[0].clone());
        let ledger = store
            .get::<kitanetz_crdt::kinds::SeatLedger>(&kitanetz_node::seats::ledger_doc_id(&kita))
            .unwrap()
            .1;
        let (_, application) = store
            .get::<Application>(&kitanetz_node::seats::application_doc_id(&ben))
            .unwrap();
        let handle = &application
            .wishes
            .iter()
            .find(|w| w.facility == kita)
            .unwrap()
            .handle;
        let at_kita =
            kitanetz_node::seats::wishes_at(&store, &kita, &ledger, city.now().today).unwrap();
        assert!(
            at_kita
                .iter()
                .any(|w| &w.handle == handle
                    && w.status == kitanetz_crdt::kinds::WishStatus::Withdrawn),
            "the Kita sees it, under its own handle"
        );
    }
    let ben_again: Vec<(&str, &str)> = good
        .iter()
        .filter(|(k, _)| !k.starts_with("child1"))
        .map(|(k, v)| match *k {
            "child2_given_name" => ("child1_given_name", *v),
            "child2_family_name" => ("child1_family_name", *v),
            "child2_birth_date" => ("child1_birth_date", *v),
            "child2_sex" => ("child1_sex", *v),
            _ => (*k, *v),
        })
        .collect();
    let (status, _, page) = post(&router, &cookie, &form(&ben_again)).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{page}");

    // Another parent cannot apply for Mia a second time either.
    let (other, other_csrf) = parent(&city, "vater@example.org");
    let by_other: Vec<(&str, &str)> = again
        .iter()
        .map(|(k, v)| match *k {
            "csrf" => (*k, other_csrf.as_str()),
            "email" => (*k, "vater@example.org"),
            _ => (*k, *v),
        })
        .collect();
    let (status, _, page) = post(&router, &other, &form(&by_other)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("schon ein aktiver Antrag"));
}

#[tokio::test]
async fn wishes_must_offer_what_the_child_needs_and_visitors_are_sent_to_the_login() {
    let net = Network::seeded();
    let city: Arc<Node> = net.open(&net.config(|c| c.role == NodeRole::City).name);
    let router = kitanetz_node::http::router(city.clone());
    let start = kitanetz_crdt::scalar::Date::ymd(2027, 8, 1);
    let no_nursery = net
        .world
        .facilities
        .iter()
        .find(|f| {
            !f.licence.care_types.iter().any(|c| {
                c.care_type == CareType::Nursery && c.places.at(start).is_some_and(|&p| p > 0)
            })
        })
        .map(|f| format!("f:{}", f.profile.id.0));
    let (cookie, csrf) = parent(&city, "b@example.org");
    if let Some(wish) = no_nursery {
        let body = form(&[
            ("csrf", &csrf),
            ("child1_given_name", "Lea"),
            ("child1_family_name", "Berg"),
            ("child1_birth_date", "2026-01-10"),
            ("guardian_given_name", "B"),
            ("guardian_family_name", "Berg"),
            ("street", "Irgendwo 1"),
            ("postcode", "04109"),
            ("city", "Leipzig"),
            ("phone", "0341 1"),
            ("email", "b@example.org"),
            ("desired_start", "2027-08-01"),
            ("daily_hours", "6"),
            ("wish1", &wish),
            ("consent_data_processing", "true"),
            ("consent_forwarding", "true"),
            ("consent_terms", "true"),
        ]);
        let (status, _, page) = post(&router, &cookie, &body).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(page.contains("keine Krippe"), "the wish offers no Krippe");
    }
    // No login: the form leads to the parents' login.
    let req = Request::builder()
        .uri("/portal/apply")
        .body(Body::empty())
        .unwrap();
    let res = router.clone().oneshot(req).await.unwrap();
    assert_eq!(
        res.headers().get(header::LOCATION).unwrap(),
        "/portal/login"
    );
}

pub(crate) fn applicant_of(city: &Node, email: &str) -> Applicant {
    city.store()
        .values_of_kind::<Applicant>()
        .unwrap()
        .into_iter()
        .find(|a| a.email == email)
        .unwrap()
}

pub(crate) fn application_of(city: &Node, id: &kitanetz_crdt::ids::ApplicationId) -> Application {
    city.store()
        .get::<Application>(&kitanetz_node::seats::application_doc_id(id))
        .unwrap()
        .1
}

async fn post_to(
    router: &axum::Router,
    cookie: &str,
    path: &str,
    body: &str,
) -> (StatusCode, String, String) {
    let req = Request::builder()
        .method(Method::POST)
        .uri(path)
        .header(header::COOKIE, cookie)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(body.to_string()))
        .unwrap();
    let res = router.clone().oneshot(req).await.unwrap();
    let status = res.status();
    let location = res
        .headers()
        .get(header::LOCATION)
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default();
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
async fn a_parent_changes_the_application_and_changed_wishes_restart_placement() {
    let net = Network::seeded();
    let city: Arc<Node> = net.open(&net.config(|c| c.role == NodeRole::City).name);
    let router = kitanetz_node::http::router(city.clone());
    let (cookie, csrf) = parent(&city, "lena.vogel@example.org");
    // Within the placement horizon: the wished Kitas receive the application.
    let start = kitanetz_crdt::scalar::Date::ymd(2027, 3, 1);
    let kitas = offering_both(&net, start);
    let wish = |i: usize| format!("f:{}", kitas[i]);
    let (w0, w1, w2) = (wish(0), wish(1), wish(2));
    let base: Vec<(&str, &str)> = vec![
        ("csrf", &csrf),
        ("guardian_given_name", "Lena"),
        ("guardian_family_name", "Vogel"),
        ("street", "Wilsdruffer Straße 1"),
        ("postcode", "01067"),
        ("city", "Dresden"),
        ("phone", "0351 654321"),
        ("email", "lena.vogel@example.org"),
        ("desired_start", "2027-03-01"),
        ("daily_hours", "8"),
        ("notify", "email"),
    ];
    let mut new = base.clone();
    new.extend([
        ("child1_given_name", "Ida"),
        ("child1_family_name", "Vogel"),
        ("child1_birth_date", "2025-10-01"),
        ("child1_sex", "female"),
        ("wish1", w0.as_str()),
        ("wish2", w1.as_str()),
        ("consent_data_processing", "true"),
        ("consent_forwarding", "true"),
        ("consent_terms", "true"),
    ]);
    let (status, _, page) = post(&router, &cookie, &form(&new)).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{page}");
    let id = applicant_of(&city, "lena.vogel@example.org").application;
    let handles = |a: &Application| -> Vec<kitanetz_crdt::ids::WishHandle> {
        a.wishes.iter().map(|w| w.handle.clone()).collect()
    };
    let before = application_of(&city, &id);
    let path = format!("/portal/applications/{}/change", id.0);

    // The form comes filled from what is stored; the child's identity is not a field.
    let (status, page) = get(&router, &cookie, &path).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        page.contains("Ida Vogel, 2025-10-01"),
        "the child, read-only"
    );
    assert!(!page.contains("name=\"child1_given_name\""));
    assert!(page.contains(&format!("value=\"{w1}\" selected")));
    assert!(page.contains("value=\"0351 654321\""));

    // A stranger's request answers as if the application did not exist.
    let (stranger, stranger_csrf) = parent(&city, "fremd2@example.org");
    assert_eq!(
        get(&router, &stranger, &path).await.0,
        StatusCode::NOT_FOUND
    );
    let mut foreign = base.clone();
    foreign[0] = ("csrf", &stranger_csrf);
    foreign.extend([("wish1", w2.as_str())]);
    assert_eq!(
        post_to(&router, &stranger, &path, &form(&foreign)).await.0,
        StatusCode::NOT_FOUND
    );

    // Bad input: the field is named, nothing changes.
    let mut bad = base.clone();
    bad.retain(|(k, _)| *k != "daily_hours");
    bad.extend([("daily_hours", "viel"), ("wish1", w0.as_str())]);
    let (status, _, page) = post_to(&router, &cookie, &path, &form(&bad)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("href=\"#a-daily_hours\""));
    assert!(page.contains("Ida Vogel"), "the child is still shown");
    assert_eq!(application_of(&city, &id), before);

    // A new address with the same wishes: placement goes on where it was.
    let mut moved = base.clone();
    moved.retain(|(k, _)| *k != "street");
    moved.extend([
        ("street", "Ostra-Allee 5"),
        ("wish1", w0.as_str()),
        ("wish2", w1.as_str()),
    ]);
    let (status, location, page) = post_to(&router, &cookie, &path, &form(&moved)).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{page}");
    assert_eq!(location, "/portal/applications?changed=saved");
    let after = application_of(&city, &id);
    assert_eq!(
        handles(&after),
        handles(&before),
        "same place in the queues"
    );
    let applicant = applicant_of(&city, "lena.vogel@example.org");
    assert_eq!(applicant.address.street, "Ostra-Allee 5");
    assert_eq!(
        applicant.history.last().map(|e| e.what.as_str()),
        Some("Anschrift geändert")
    );

    // The same again changes nothing.
    let (_, location, _) = post_to(&router, &cookie, &path, &form(&moved)).await;
    assert_eq!(location, "/portal/applications?changed=none");

    // Other wishes: off every waitlist, new handles everywhere, the dropped Kita no longer
    // receives the application; the mail says so and the history keeps both rankings.
    let mut rewished = base.clone();
    rewished.retain(|(k, _)| *k != "street");
    rewished.extend([
        ("street", "Ostra-Allee 5"),
        ("wish1", w2.as_str()),
        ("wish2", w1.as_str()),
    ]);
    let (_, location, _) = post_to(&router, &cookie, &path, &form(&rewished)).await;
    assert_eq!(location, "/portal/applications?changed=restarted");
    let restarted = application_of(&city, &id);
    assert!(handles(&restarted)
        .iter()
        .all(|h| !handles(&before).contains(h)));
    // Placement restarted: the procedure checked the new first wish at once.
    let first = restarted
        .wishes
        .iter()
        .find(|w| w.facility.0 == kitas[2])
        .expect("the new first wish");
    assert!(
        matches!(first.status.as_str(), "request" | "waitlist"),
        "{}",
        first.status
    );
    let doc_facilities: Vec<String> = {
        let store = city.store();
        let (doc, _) = store
            .get::<Application>(&kitanetz_node::seats::application_doc_id(&id))
            .unwrap();
        doc.meta.facilities.iter().map(|f| f.0.clone()).collect()
    };
    assert!(!doc_facilities.contains(&kitas[0]));
    assert!(doc_facilities.contains(&kitas[2]));
    let applicant = applicant_of(&city, "lena.vogel@example.org");
    let last = &applicant.history.last().unwrap().what;
    assert!(
        last.starts_with("Wünsche geändert") && last.contains("von vorn"),
        "{last}"
    );
    let mails = count(
        &city,
        "SELECT COUNT(*) FROM outbox WHERE recipient = 'lena.vogel@example.org' AND subject LIKE '%geändert%'",
    );
    assert_eq!(mails, 2);
    let (_, page) = get(&router, &cookie, "/portal/applications?changed=restarted").await;
    assert!(page.contains("beginnt die Vermittlung von vorn"));
    assert!(page.contains("Verlauf") && page.contains("Antrag gestellt"));

    // Once a Kita reserves a place, the application can no longer be changed.
    let kita = kitanetz_crdt::ids::FacilityId(kitas[1].clone());
    let lead = kitanetz_node::auth::Principal::Staff(kitanetz_node::auth::Caller {
        user_id: 9,
        username: "leitung".into(),
        display_name: "Leitung".into(),
        role: kitanetz_node::auth::Role::KitaLead,
        organisation: kitanetz_crdt::ids::OrgId("kita".into()),
        provider: net
            .world
            .facilities
            .iter()
            .find(|f| f.profile.id == kita)
            .map(|f| f.profile.provider.clone()),
        facility: Some(kita.clone()),
        childminder: None,
    });
    let month = {
        let store = city.store();
        let ledger = store
            .get::<kitanetz_crdt::kinds::SeatLedger>(&kitanetz_node::seats::ledger_doc_id(&kita))
            .unwrap()
            .1;
        ledger
            .months
            .iter()
            .rev()
            .find(|m| m.care_type == CareType::Nursery && m.places > m.occupied)
            .map(|m| m.month.to_string())
            .expect("the Kita plans Krippe seats")
    };
    let wish = application_of(&city, &id)
        .wishes
        .iter()
        .find(|w| w.facility == kita)
        .expect("the Kita is wished")
        .handle
        .to_string();
    kitanetz_node::seats::reserve(
        &mut city.store(),
        &lead,
        Some(&kita),
        &kitanetz_node::seats::ReserveInput { wish, month },
        city.now(),
    )
    .unwrap();
    let (status, _, page) = post_to(&router, &cookie, &path, &form(&moved)).await;
    assert_eq!(status, StatusCode::CONFLICT, "{page}");
    assert!(page.contains("schon ein Platz reserviert"));
    let (_, page) = get(&router, &cookie, "/portal/applications").await;
    assert!(!page.contains(&path), "no change link any more");
}

#[tokio::test]
async fn the_second_guardian_is_invited_sees_the_application_and_leaves_changes_to_the_contact() {
    let net = Network::seeded();
    let city: Arc<Node> = net.open(&net.config(|c| c.role == NodeRole::City).name);
    let router = kitanetz_node::http::router(city.clone());
    let (cookie, csrf) = parent(&city, "mama@example.org");
    let start = kitanetz_crdt::scalar::Date::ymd(2027, 3, 1);
    let kita = format!("f:{}", offering_both(&net, start)[0]);
    let (status, _, page) = post(
        &router,
        &cookie,
        &form(&[
            ("csrf", &csrf),
            ("child1_given_name", "Paul"),
            ("child1_family_name", "Kern"),
            ("child1_birth_date", "2025-09-01"),
            ("guardian_given_name", "Maria"),
            ("guardian_family_name", "Kern"),
            ("street", "Wilsdruffer Straße 1"),
            ("postcode", "01067"),
            ("city", "Dresden"),
            ("phone", "0351 1"),
            ("email", "mama@example.org"),
            ("desired_start", "2027-03-01"),
            ("daily_hours", "8"),
            ("wish1", &kita),
            ("notify", "email"),
            ("consent_data_processing", "true"),
            ("consent_forwarding", "true"),
            ("consent_terms", "true"),
        ]),
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{page}");
    let id = applicant_of(&city, "mama@example.org").application;
    let invite_path = format!("/portal/applications/{}/invite", id.0);
    let invite = |email: &str| form(&[("csrf", &csrf), ("email", email)]);

    // A bad address and one's own are refused with a message; nothing is sent.
    for bad in ["kein-at-zeichen", "mama@example.org"] {
        let (status, location, _) = post_to(&router, &cookie, &invite_path, &invite(bad)).await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        assert!(location.contains("invite_error="), "{bad}: {location}");
    }
    assert_eq!(
        count(
            &city,
            "SELECT COUNT(*) FROM outbox WHERE subject LIKE '%Einladung%'"
        ),
        0
    );
    // Only the contact parent invites.
    let (stranger, stranger_csrf) = parent(&city, "fremd3@example.org");
    let (status, _, _) = post_to(
        &router,
        &stranger,
        &invite_path,
        &form(&[("csrf", &stranger_csrf), ("email", "x@example.org")]),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    let (_, location, _) =
        post_to(&router, &cookie, &invite_path, &invite("papa@example.org")).await;
    assert_eq!(location, "/portal/applications?invited=1");
    let mail: String = city
        .store()
        .conn()
        .query_row(
            "SELECT body FROM outbox WHERE recipient = 'papa@example.org'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    let token = mail
        .split("token=")
        .nth(1)
        .unwrap()
        .split_whitespace()
        .next()
        .unwrap()
        .to_string();

    // A visitor opening the link is asked to log in; a stranger cannot accept.
    let (status, page) = get(&router, "", &format!("/portal/invitations?token={token}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("Paul") && page.contains("/portal/login"));
    let accept = |cookie: &str, csrf: &str| {
        let body = form(&[("csrf", csrf), ("token", &token)]);
        let cookie = cookie.to_string();
        let router = router.clone();
        async move { post_to(&router, &cookie, "/portal/invitations", &body).await }
    };
    let (status, _, page) = accept(&stranger, &stranger_csrf).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(page.contains("p…@example.org"), "masked address");

    let (papa, papa_csrf) = parent(&city, "Papa@Example.org");
    let (status, location, _) = accept(&papa, &papa_csrf).await;
    assert_eq!(
        (status, location.as_str()),
        (StatusCode::SEE_OTHER, "/portal/applications?joined=1")
    );
    assert_eq!(
        accept(&papa, &papa_csrf).await.0,
        StatusCode::CONFLICT,
        "once"
    );

    // Papa sees it, as second guardian, without the change link; a change is not his.
    let (_, page) = get(&router, &papa, "/portal/applications").await;
    assert!(page.contains("Paul Kern") && page.contains("zweite/r Sorgeberechtigte/r"));
    assert!(!page.contains(&format!("/portal/applications/{}/change", id.0)));
    assert_eq!(
        get(
            &router,
            &papa,
            &format!("/portal/applications/{}/change", id.0)
        )
        .await
        .0,
        StatusCode::NOT_FOUND
    );
    // Maria is told; her page says the second guardian follows.
    assert_eq!(
        count(
            &city,
            "SELECT COUNT(*) FROM outbox WHERE recipient = 'mama@example.org' AND subject LIKE '%angenommen%'"
        ),
        1
    );
    let (_, page) = get(&router, &cookie, "/portal/applications").await;
    assert!(page.contains("verfolgt diesen Antrag mit"));
}

/// A Kita lead of `facility`, as the seats functions see one.
pub(crate) fn lead_of(
    net: &Network,
    facility: &kitanetz_crdt::ids::FacilityId,
) -> kitanetz_node::auth::Principal {
    kitanetz_node::auth::Principal::Staff(kitanetz_node::auth::Caller {
        user_id: 9,
        username: "leitung".into(),
        display_name: "Leitung".into(),
        role: kitanetz_node::auth::Role::KitaLead,
        organisation: kitanetz_crdt::ids::facility_org(facility),
        provider: net
            .world
            .facilities
            .iter()
            .find(|f| &f.profile.id == facility)
            .map(|f| f.profile.provider.clone()),
        facility: Some(facility.clone()),
        childminder: None,
    })
}

/// The Kita plans `free` Krippe seats in each of `months` (of 2027): its own ledger, on its
/// own node.
pub(crate) fn plan_free_nursery_seats(kita: &Node, months: &[u32], free: u32) {
    let facility = kita.config.facility.clone().unwrap();
    let id = kitanetz_node::seats::ledger_doc_id(&facility);
    let mut store = kita.store();
    let (mut doc, mut ledger) = store.get::<kitanetz_crdt::kinds::SeatLedger>(&id).unwrap();
    for m in ledger.months.iter_mut().filter(|m| {
        m.care_type == CareType::Nursery
            && months
                .iter()
                .any(|&n| m.month == kitanetz_crdt::scalar::Date::ymd(2027, n, 1))
    }) {
        m.places = m.places.max(free + 1);
        m.occupied = m.places - free;
    }
    let now = kita.now();
    doc.update(&ledger, now.today, now.millis, "plan").unwrap();
    store
        .save_doc(
            &mut doc,
            &kitanetz_node::storage::AuditEntry {
                at: now.millis,
                actor: "user:test".into(),
                action: "seat.plan",
                target: None,
                subjects: vec![],
                valid_from: None,
            },
        )
        .unwrap();
}

pub(crate) fn wish_at(
    kita: &Node,
    handle: &kitanetz_crdt::ids::WishHandle,
) -> Option<kitanetz_crdt::kinds::ApplicationWish> {
    kita.store()
        .find::<kitanetz_crdt::kinds::ApplicationWish>(
            &kitanetz_node::applications::wishes::wish_doc_id(handle),
        )
        .unwrap()
        .map(|(_, w)| w)
}

/// Two Kitas with Krippe places, the first full at the start and in the grace month, the second
/// with two free seats; a parent applied with both as wishes (first, second). The city sent the
/// wish documents out: the first Kita has the child on its waitlist, the second reviews it.
pub(crate) struct TwoWishes {
    pub(crate) net: Network,
    pub(crate) nodes: Vec<Arc<Node>>,
    pub(crate) city: Arc<Node>,
    pub(crate) first: Arc<Node>,
    pub(crate) second: Arc<Node>,
    pub(crate) others: Vec<Arc<Node>>,
    pub(crate) f1: kitanetz_crdt::ids::FacilityId,
    pub(crate) f2: kitanetz_crdt::ids::FacilityId,
    pub(crate) local: kitanetz_node::sync::LocalNet,
    pub(crate) id: kitanetz_crdt::ids::ApplicationId,
    pub(crate) h1: kitanetz_crdt::ids::WishHandle,
    pub(crate) h2: kitanetz_crdt::ids::WishHandle,
    /// The parent's session cookie and CSRF token at the city.
    pub(crate) parent: (String, String),
}

pub(crate) async fn two_wishes_first_full() -> TwoWishes {
    let net = Network::seeded();
    let nodes: Vec<Arc<Node>> = net.open_all();
    let city = kitanetz_tests::city_of(&nodes);
    let start = kitanetz_crdt::scalar::Date::ymd(2027, 3, 1);
    let offering = offering_both(&net, start);
    let kitas: Vec<Arc<Node>> = nodes
        .iter()
        .filter(|n| {
            n.config
                .facility
                .as_ref()
                .is_some_and(|f| offering.contains(&f.0))
        })
        .cloned()
        .collect();
    assert!(kitas.len() >= 2, "two Kita nodes offer Krippe places");
    let (first, second) = (kitas[0].clone(), kitas[1].clone());
    let others: Vec<Arc<Node>> = nodes
        .iter()
        .filter(|n| {
            n.config.role == NodeRole::Kita && !Arc::ptr_eq(n, &first) && !Arc::ptr_eq(n, &second)
        })
        .cloned()
        .collect();
    let (f1, f2) = (
        first.config.facility.clone().unwrap(),
        second.config.facility.clone().unwrap(),
    );
    // The first wish is full at the start and in the grace month after it; the second has seats.
    plan_free_nursery_seats(&first, &[3, 4], 0);
    plan_free_nursery_seats(&second, &[3, 4], 2);
    let mut local = kitanetz_node::sync::LocalNet::new(&nodes);
    local.connect_all();
    local.local_change(
        &first.config.name,
        &kitanetz_node::seats::ledger_doc_id(&f1),
    );
    local.local_change(
        &second.config.name,
        &kitanetz_node::seats::ledger_doc_id(&f2),
    );
    local.run_until_quiet(1);
    // (A plan that was already so sends nothing.)
    let woken = city.placement_wake.take();
    assert!(
        !woken.is_empty() && woken.iter().all(|f| f == &f1 || f == &f2),
        "the city noticed the ledgers arriving: {woken:?}"
    );

    let router = kitanetz_node::http::router(city.clone());
    let (cookie, csrf) = parent(&city, "jonas.berg@example.org");
    let (w1, w2) = (format!("f:{}", f1.0), format!("f:{}", f2.0));
    let apply: Vec<(&str, &str)> = vec![
        ("csrf", &csrf),
        ("guardian_given_name", "Jonas"),
        ("guardian_family_name", "Berg"),
        ("street", "Wilsdruffer Straße 1"),
        ("postcode", "01067"),
        ("city", "Dresden"),
        ("phone", "0351 123123"),
        ("email", "jonas.berg@example.org"),
        ("desired_start", "2027-03-01"),
        ("daily_hours", "8"),
        ("notify", "email"),
        ("child1_given_name", "Paul"),
        ("child1_family_name", "Berg"),
        ("child1_birth_date", "2025-10-01"),
        ("child1_sex", "male"),
        ("wish1", w1.as_str()),
        ("wish2", w2.as_str()),
        ("consent_data_processing", "true"),
        ("consent_forwarding", "true"),
        ("consent_terms", "true"),
    ];
    let (status, _, page) = post(&router, &cookie, &form(&apply)).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{page}");
    let id = applicant_of(&city, "jonas.berg@example.org").application;
    let application = application_of(&city, &id);
    let at = |f: &kitanetz_crdt::ids::FacilityId| {
        application
            .wishes
            .iter()
            .find(|w| &w.facility == f)
            .unwrap()
            .clone()
    };
    let (h1, h2) = (at(&f1).handle, at(&f2).handle);
    assert_eq!(
        (at(&f1).status.as_str(), at(&f2).status.as_str()),
        ("waitlist", "request"),
        "the first wish had no seat: its waitlist, and on to the second"
    );

    local.local_change(
        &city.config.name,
        &kitanetz_node::applications::wishes::wish_doc_id(&h1),
    );
    local.local_change(
        &city.config.name,
        &kitanetz_node::applications::wishes::wish_doc_id(&h2),
    );
    local.run_until_quiet(2);
    TwoWishes {
        net,
        nodes,
        city,
        first,
        second,
        others,
        f1,
        f2,
        local,
        id,
        h1,
        h2,
        parent: (cookie, csrf),
    }
}

/// Lastenheft 3.2.1/3.6.4/3.6.5 across the network: a full first wish puts the child on that
/// Kita's waitlist and sends the application on; the Kita with a seat reviews it; the city
/// alerts the ZVS after the follow-up days; the Kita's "no" with a reason moves it on, and
/// after the last wish it is in the central pool. Every Kita sees only its own wish.
#[tokio::test]
async fn the_sequential_procedure_goes_from_wish_to_wish_across_the_network() {
    use kitanetz_crdt::kinds::{DeclineReason, WishStatus};
    use kitanetz_node::applications::sequential::{self, Which};
    let TwoWishes {
        net,
        city,
        first,
        second,
        others,
        f1,
        f2,
        mut local,
        id,
        h1,
        h2,
        ..
    } = two_wishes_first_full().await;
    let (first, second) = (&first, &second);
    assert_eq!(
        wish_at(first, &h1).map(|w| w.status),
        Some(WishStatus::Waiting)
    );
    let reviewed = wish_at(second, &h2).expect("the second Kita reviews it");
    assert_eq!(reviewed.status, WishStatus::Requested);
    assert_eq!(reviewed.requested_on, Some(city.now().today));
    assert!(wish_at(first, &h2).is_none() && wish_at(second, &h1).is_none());
    for other in &others {
        assert!(wish_at(other, &h1).is_none() && wish_at(other, &h2).is_none());
    }
    let view = kitanetz_node::seats::view(
        &second.store(),
        &lead_of(&net, &f2),
        Some(&f2),
        second.now().today,
    )
    .unwrap();
    assert!(view.to_review().iter().any(|w| w.handle == h2));
    let view = kitanetz_node::seats::view(
        &first.store(),
        &lead_of(&net, &f1),
        Some(&f1),
        first.now().today,
    )
    .unwrap();
    assert!(view.waitlist().iter().any(|w| w.handle == h1));

    // Fifteen days without a contract or a "no": the Kita's follow-up is overdue, and the ZVS
    // is told.
    net.clock.advance(chrono::Duration::days(15));
    let zvs = kitanetz_node::auth::Principal::Staff(kitanetz_node::auth::Caller {
        user_id: 1,
        username: "zvs".into(),
        display_name: "Frau Berger".into(),
        role: kitanetz_node::auth::Role::Zvs,
        organisation: kitanetz_crdt::ids::city_org(),
        provider: None,
        facility: None,
        childminder: None,
    });
    let watch =
        kitanetz_node::applications::watch::watch(&city.store(), &zvs, city.now().today).unwrap();
    let overdue: Vec<_> = watch
        .overdue
        .iter()
        .filter(|o| o.application == id.0)
        .collect();
    assert_eq!(overdue.len(), 1, "{:?}", watch.overdue);
    assert_eq!(
        (overdue[0].facility.clone(), overdue[0].days),
        (f2.clone(), 15)
    );
    let view = kitanetz_node::seats::view(
        &second.store(),
        &lead_of(&net, &f2),
        Some(&f2),
        second.now().today,
    )
    .unwrap();
    assert!(view.to_review().iter().any(|w| w.handle == h2 && w.overdue));
    assert!(kitanetz_node::applications::watch::watch(
        &second.store(),
        &lead_of(&net, &f2),
        second.now().today
    )
    .is_err());

    // The second Kita says no, with a reason; its ledger travels to the city, which moves the
    // application on: every wish checked, the central pool.
    kitanetz_node::seats::decline(
        &mut second.store(),
        &lead_of(&net, &f2),
        Some(&f2),
        &kitanetz_node::seats::DeclineInput {
            wish: h2.0.clone(),
            reason: "age-structure".into(),
        },
        second.now(),
    )
    .unwrap();
    let refused = kitanetz_node::seats::decline(
        &mut second.store(),
        &lead_of(&net, &f2),
        Some(&f2),
        &kitanetz_node::seats::DeclineInput {
            wish: h1.0.clone(),
            reason: "no-place".into(),
        },
        second.now(),
    );
    assert!(refused.is_err(), "another Kita's handle is not a wish here");
    local.local_change(
        &second.config.name,
        &kitanetz_node::seats::ledger_doc_id(&f2),
    );
    local.run_until_quiet(3);
    let woken = city.placement_wake.take();
    assert_eq!(woken, vec![f2.clone()]);
    let moved =
        sequential::advance_in_store(&mut city.store(), Which::WishingAt(&woken), city.now())
            .unwrap();
    assert_eq!(moved.applications, 1);
    let application = application_of(&city, &id);
    assert!(sequential::in_central_pool(&application));
    let watch =
        kitanetz_node::applications::watch::watch(&city.store(), &zvs, city.now().today).unwrap();
    assert!(watch.pool.iter().any(|p| p.application == id.0));
    // What the ZVS can offer instead: Kitas the parents did not wish, each with a free seat of
    // the care type in the month named, at most five.
    let in_pool = watch.pool.iter().find(|p| p.application == id.0).unwrap();
    let ledgers = sequential::Ledgers::load(&city.store()).unwrap();
    assert!(in_pool.alternatives.len() <= 5);
    for alternative in &in_pool.alternatives {
        assert!(alternative.facility != f1 && alternative.facility != f2);
        let ledger = ledgers.of(&alternative.facility).expect("its ledger");
        assert!(
            ledger.free(application.care_type, alternative.free_from) >= 1,
            "{alternative:?}"
        );
    }
    assert!(
        !in_pool.alternatives.is_empty(),
        "the seeded city has free seats elsewhere"
    );
    assert!(
        watch.overdue.iter().all(|o| o.application != id.0),
        "a no ends the follow-up"
    );
    local.local_change(
        &city.config.name,
        &kitanetz_node::applications::wishes::wish_doc_id(&h2),
    );
    local.run_until_quiet(4);
    let declined = wish_at(second, &h2).unwrap();
    assert_eq!(declined.status, WishStatus::Declined);
    let view = kitanetz_node::seats::view(
        &second.store(),
        &lead_of(&net, &f2),
        Some(&f2),
        second.now().today,
    )
    .unwrap();
    let closed = view.closed();
    let row = closed.iter().find(|w| w.handle == h2).unwrap();
    assert_eq!(row.declined.map(|d| d.0), Some(DeclineReason::AgeStructure));
    // Twice changes nothing.
    assert_eq!(
        sequential::advance_in_store(&mut city.store(), Which::All, city.now())
            .unwrap()
            .applications,
        0
    );

    // The ZVS offers the family an alternative from the pool, agreed by phone: it becomes the
    // last wish, and with its free seat that Kita reviews the child at once.
    let alternative = in_pool.alternatives[0].facility.clone();
    let offer = |note: &str| {
        kitanetz_node::intake::offer_alternative(
            &mut city.store(),
            &zvs,
            &id,
            &alternative,
            note,
            city.now(),
        )
    };
    let refused = offer("").unwrap_err();
    assert_eq!(refused.into_field_errors().unwrap()[0].field, "note");
    assert!(kitanetz_node::intake::offer_alternative(
        &mut city.store(),
        &zvs,
        &id,
        &f1,
        "schon gewünscht",
        city.now()
    )
    .is_err());
    offer("telefonisch mit der Mutter vereinbart").unwrap();
    let application = application_of(&city, &id);
    assert_eq!(application.wishes.len(), 3);
    let added = application
        .wishes
        .iter()
        .find(|w| w.facility == alternative)
        .unwrap();
    assert_eq!(
        added.status,
        sequential::status::REQUEST,
        "the free seat: to review"
    );
    assert!(!sequential::in_central_pool(&application));
    let store = city.store();
    let (_, applicant) = store
        .get::<kitanetz_crdt::kinds::Applicant>(&kitanetz_crdt::ids::doc_id_for("applicant", &id.0))
        .unwrap();
    assert_eq!(applicant.ranked_wishes.last(), Some(&alternative));
    let mailed: i64 = store
        .conn()
        .query_row(
            "SELECT count(*) FROM outbox WHERE subject LIKE '%weiterer Wunsch%'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(mailed, 1);
}

/// Lastenheft 3.6.5–3.6.7 across the network: the second Kita reserves a seat; the city, woken
/// by the ledger, issues the parents' data to that Kita alone (the applicant share); the Kita
/// lead concludes the contract from it, which creates the family and contract of its Träger;
/// the city places the child (the application leaves placement, never deleted), the first
/// Kita's waitlist shows the child placed elsewhere, and the share is erased everywhere.
#[tokio::test]
async fn a_reservation_brings_the_parents_data_and_the_contract_places_the_child_everywhere() {
    use kitanetz_crdt::kinds::{
        ApplicantShare, CareContract, Family, SeatLedger, SeatStatus, WishStatus,
    };
    use kitanetz_node::applications::sequential::{self, Which};
    use kitanetz_node::applications::shares;
    let TwoWishes {
        net,
        nodes,
        city,
        first,
        second,
        f1,
        f2,
        mut local,
        id,
        h1,
        h2,
        ..
    } = two_wishes_first_full().await;
    let shares_held = |node: &Node| node.store().values_of_kind::<ApplicantShare>().unwrap();
    let lead = lead_of(&net, &f2);

    // No contract without a reservation.
    assert!(
        kitanetz_node::seats::contract::draft(&second.store(), &lead, Some(&f2), &h2.0).is_err()
    );
    kitanetz_node::seats::reserve(
        &mut second.store(),
        &lead,
        Some(&f2),
        &kitanetz_node::seats::ReserveInput {
            wish: h2.0.clone(),
            month: "2027-03-01".into(),
        },
        second.now(),
    )
    .unwrap();
    local.local_change(
        &second.config.name,
        &kitanetz_node::seats::ledger_doc_id(&f2),
    );
    local.run_until_quiet(3);
    let woken = city.placement_wake.take();
    let run = sequential::advance_in_store(&mut city.store(), Which::WishingAt(&woken), city.now())
        .unwrap();
    assert_eq!((run.shares_issued, run.shares_erased), (1, 0));
    let mails = |subject: &str| -> i64 {
        city.store()
            .conn()
            .query_row(
                "SELECT count(*) FROM outbox WHERE subject LIKE ?1",
                [format!("%{subject}%")],
                |r| r.get(0),
            )
            .unwrap()
    };
    assert_eq!(
        mails("Platz reserviert"),
        1,
        "the parents hear of the reservation"
    );
    let share_id = shares::held_for(&city.store(), &h2)
        .unwrap()
        .expect("issued");
    local.local_change(&city.config.name, &share_id);
    local.run_until_quiet(4);
    let share = shares::of_wish(&second.store(), &h2)
        .unwrap()
        .unwrap_or_else(|| {
            panic!(
                "the reserving Kita has the parents' data: {:?}",
                local.refusals
            )
        });
    assert_eq!(
        (
            share.child_given_name.as_str(),
            share.guardian_family_name.as_str()
        ),
        ("Paul", "Berg")
    );
    for node in nodes
        .iter()
        .filter(|n| !Arc::ptr_eq(n, &second) && !Arc::ptr_eq(n, &city))
    {
        assert!(
            shares_held(node).is_empty(),
            "{} holds no applicant share (not the Träger office, not another Kita)",
            node.config.name
        );
    }
    // Running again issues nothing new.
    let again = sequential::advance_in_store(&mut city.store(), Which::All, city.now()).unwrap();
    assert_eq!(
        (again.applications, again.shares_issued, again.shares_erased),
        (0, 0, 0)
    );
    let view =
        kitanetz_node::seats::view(&second.store(), &lead, Some(&f2), second.now().today).unwrap();
    let row = view.wishes.iter().find(|w| w.handle == h2).unwrap();
    assert!(row
        .contact
        .as_deref()
        .is_some_and(|c| c.contains("Jonas Berg") && c.contains("0351 123123")));

    // The Kita lead checks the data and concludes the contract.
    let draft =
        kitanetz_node::seats::contract::draft(&second.store(), &lead, Some(&f2), &h2.0).unwrap();
    assert!(draft.shared);
    assert_eq!(draft.start, kitanetz_crdt::scalar::Date::ymd(2027, 3, 1));
    let families = || second.store().values_of_kind::<Family>().unwrap().len();
    let before = families();
    let mut input = draft.input.clone();
    input.child_birth_date = String::new();
    let refused = kitanetz_node::seats::contract::conclude(
        &mut second.store(),
        &lead,
        Some(&f2),
        &input,
        second.now(),
    );
    assert!(refused.is_err(), "a missing birth date is refused");
    assert_eq!(families(), before, "nothing written");
    let mut input = draft.input.clone();
    input.single_parent = "on".into();
    let done = kitanetz_node::seats::contract::conclude(
        &mut second.store(),
        &lead,
        Some(&f2),
        &input,
        second.now(),
    )
    .unwrap();
    let (_, ledger) = second
        .store()
        .get::<SeatLedger>(&kitanetz_node::seats::ledger_doc_id(&f2))
        .unwrap();
    assert_eq!(
        ledger.hold_of(&h2).map(|(_, h)| h.status),
        Some(SeatStatus::Taken)
    );
    assert!(
        kitanetz_node::seats::contract::draft(&second.store(), &lead, Some(&f2), &h2.0).is_err()
    );
    let letter = kitanetz_node::contracts::contract_letter(
        &second.store(),
        &lead,
        &done.contract,
        second.now().today,
    )
    .unwrap();
    assert_eq!(letter.data["child"]["name"], "Paul Berg");
    assert_eq!(letter.data["start"], "01.03.2027");
    assert_eq!(letter.data["guardians"][0]["name"], "Jonas Berg");
    let family_doc = kitanetz_node::families::family_doc_id(&done.family);
    let contract_doc = kitanetz_node::contracts::contract_doc_id(&done.contract);
    for doc in [
        &family_doc,
        &contract_doc,
        &kitanetz_node::seats::ledger_doc_id(&f2),
    ] {
        local.local_change(&second.config.name, doc);
    }
    local.run_until_quiet(5);
    let traeger = nodes
        .iter()
        .find(|n| n.config.role == NodeRole::Traeger && n.config.provider == second.config.provider)
        .unwrap();
    let (_, family) = traeger
        .store()
        .get::<Family>(&family_doc)
        .expect("the Träger office holds the family");
    assert!(family.guardians[0].single_parent && family.children[0].given_name == "Paul");
    let (_, contract) = traeger.store().get::<CareContract>(&contract_doc).unwrap();
    assert_eq!(
        contract.period.start(),
        kitanetz_crdt::scalar::Date::ymd(2027, 3, 1)
    );
    assert!(
        city.store().find::<Family>(&family_doc).unwrap().is_none(),
        "the city holds no family"
    );
    // The city's keyed family key came with the share and stays in the family; the Träger's
    // fee facts carry it (and no name) to the city, and to no Kita (Zählkinder across Träger).
    assert_eq!(family.family_key.len(), 64);
    assert_eq!(family.family_key, share.family_key);
    let facts_doc = kitanetz_node::fees::siblings::fee_facts_doc_id(&done.family);
    let published =
        kitanetz_node::fees::siblings::publish_facts(&mut traeger.store(), traeger.now()).unwrap();
    assert_eq!(published, 1, "the one family with a key");
    local.local_change(&traeger.config.name, &facts_doc);
    local.run_until_quiet(5);
    let (_, facts) = city
        .store()
        .get::<kitanetz_crdt::kinds::FeeFacts>(&facts_doc)
        .expect("the city holds the fee facts");
    assert_eq!(facts.family_key, family.family_key);
    assert_eq!(facts.children[0].birth_date, family.children[0].birth_date);
    let text = serde_json::to_string(&facts).unwrap();
    assert!(!text.contains("Paul") && !text.contains("Berg"), "{text}");
    for node in &nodes {
        if node.config.role == NodeRole::Kita {
            assert!(node
                .store()
                .find::<kitanetz_crdt::kinds::FeeFacts>(&facts_doc)
                .unwrap()
                .is_none());
        }
    }
    assert_eq!(
        kitanetz_node::fees::siblings::answer_siblings(&mut city.store(), city.now()).unwrap(),
        0,
        "one child at one Träger: nothing to answer"
    );

    // The city places the child and erases the share.
    let woken = city.placement_wake.take();
    let run = sequential::advance_in_store(&mut city.store(), Which::WishingAt(&woken), city.now())
        .unwrap();
    assert_eq!((run.applications, run.shares_erased), (1, 1));
    let application = application_of(&city, &id);
    assert_eq!(application.status, "placed", "inactive, never deleted");
    assert_eq!(
        mails("hat einen Platz /"),
        1,
        "the parents hear of the place"
    );
    let status_of = |f: &kitanetz_crdt::ids::FacilityId| {
        application
            .wishes
            .iter()
            .find(|w| &w.facility == f)
            .unwrap()
            .status
            .clone()
    };
    assert_eq!(
        (status_of(&f1).as_str(), status_of(&f2).as_str()),
        ("placed-elsewhere", "placed")
    );
    for h in [&h1, &h2] {
        local.local_change(
            &city.config.name,
            &kitanetz_node::applications::wishes::wish_doc_id(h),
        );
    }
    local.local_change(&city.config.name, &share_id);
    local.run_until_quiet(6);
    assert_eq!(
        wish_at(&first, &h1).map(|w| w.status),
        Some(WishStatus::PlacedElsewhere)
    );
    assert_eq!(
        wish_at(&second, &h2).map(|w| w.status),
        Some(WishStatus::Placed)
    );
    assert!(
        shares::of_wish(&second.store(), &h2).unwrap().is_none(),
        "the share is gone at the Kita"
    );
    assert!(second.store().is_erased(&share_id).unwrap());
    assert!(shares_held(&city).is_empty());
    assert!(local.refusals.is_empty(), "{:?}", local.refusals);

    // A month after the placement the parents' personal data leave the city; the application
    // stays, pseudonymous, for the statistics (#9 item 6).
    use kitanetz_node::applications::retention;
    let applicant_doc = kitanetz_crdt::ids::doc_id_for("applicant", &id.0);
    let accounts = || {
        count(
            &city,
            "SELECT count(*) FROM guardian_accounts WHERE email = 'jonas.berg@example.org'",
        )
    };
    assert_eq!(accounts(), 1);
    let district = |_: &kitanetz_crdt::kinds::Applicant| Some("Altstadt".to_string());
    assert_eq!(
        retention::erase_settled(&mut city.store(), &district, city.now()).unwrap(),
        0,
        "not before the month is over"
    );
    net.clock.advance(chrono::Duration::days(
        retention::ERASE_AFTER_DAYS as i64 + 1,
    ));
    let placed_report = |node: &Node| {
        let year = kitanetz_reports::Filter::range(
            chrono::NaiveDate::from_ymd_opt(2026, 1, 1).unwrap(),
            chrono::NaiveDate::from_ymd_opt(2027, 12, 31).unwrap(),
        );
        let district = |_: &kitanetz_crdt::kinds::Applicant| Some("Altstadt".to_string());
        kitanetz_node::reports::city_reports(
            &node.store(),
            &zvs_principal(),
            &district,
            &year,
            None,
        )
        .unwrap()
        .placed
    };
    let tables = placed_report(&city);
    assert_eq!(
        retention::erase_settled(&mut city.store(), &district, city.now()).unwrap(),
        1
    );
    assert!(city.store().is_erased(&applicant_doc).unwrap());
    assert_eq!(
        accounts(),
        0,
        "the portal account is gone with its only application"
    );
    let application = application_of(&city, &id);
    assert_eq!(application.status, "placed");
    let settled = application.settled.expect("the statistics' facts stayed");
    assert_eq!(settled.birth_month, "2025-10");
    assert_eq!(settled.home_district, "Altstadt");
    assert_eq!(settled.ranked_wishes, [f1.clone(), f2.clone()]);
    assert!(!serde_json::to_string(&application_of(&city, &id))
        .unwrap()
        .contains("Berg"));
    assert_eq!(
        placed_report(&city),
        tables,
        "the statistics still count the child"
    );
    assert_eq!(
        retention::erase_settled(&mut city.store(), &district, city.now()).unwrap(),
        0,
        "once"
    );
}

fn zvs_principal() -> kitanetz_node::auth::Principal {
    kitanetz_node::auth::Principal::Staff(kitanetz_node::auth::Caller {
        user_id: 7,
        username: "zvs".into(),
        display_name: "ZVS".into(),
        role: kitanetz_node::auth::Role::Zvs,
        organisation: kitanetz_crdt::ids::city_org(),
        provider: None,
        facility: None,
        childminder: None,
    })
}

/// Lastenheft 3.6.7: the parents withdraw after a Kita reserved a seat. The city erases the
/// parents' data at that Kita, the wish arrives there as withdrawn, and the Kita's node releases
/// the seat by itself (audited as the system, shown in the Kita's closed list).
#[tokio::test]
async fn a_withdrawal_releases_the_reserved_seat_and_takes_the_parents_data_back() {
    use kitanetz_crdt::kinds::{SeatLedger, SeatStatus, WishStatus};
    use kitanetz_node::applications::sequential::{self, Which};
    use kitanetz_node::applications::shares;
    let TwoWishes {
        net,
        city,
        second,
        f2,
        mut local,
        id,
        h2,
        parent: (cookie, csrf),
        ..
    } = two_wishes_first_full().await;
    let lead = lead_of(&net, &f2);
    kitanetz_node::seats::reserve(
        &mut second.store(),
        &lead,
        Some(&f2),
        &kitanetz_node::seats::ReserveInput {
            wish: h2.0.clone(),
            month: "2027-03-01".into(),
        },
        second.now(),
    )
    .unwrap();
    let ledger_id = kitanetz_node::seats::ledger_doc_id(&f2);
    local.local_change(&second.config.name, &ledger_id);
    local.run_until_quiet(3);
    let woken = city.placement_wake.take();
    sequential::advance_in_store(&mut city.store(), Which::WishingAt(&woken), city.now()).unwrap();
    let share_id = shares::held_for(&city.store(), &h2)
        .unwrap()
        .expect("issued");
    local.local_change(&city.config.name, &share_id);
    local.run_until_quiet(4);
    assert!(shares::of_wish(&second.store(), &h2).unwrap().is_some());

    let router = kitanetz_node::http::router(city.clone());
    let (status, _, _) = post_to(
        &router,
        &cookie,
        &format!("/portal/applications/{}/withdraw", id.0),
        &format!("csrf={csrf}"),
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert!(
        shares::held_for(&city.store(), &h2).unwrap().is_none(),
        "erased with the withdrawal"
    );
    for doc in [
        kitanetz_node::applications::wishes::wish_doc_id(&h2),
        share_id.clone(),
    ] {
        local.local_change(&city.config.name, &doc);
    }
    local.run_until_quiet(5);
    assert_eq!(
        wish_at(&second, &h2).map(|w| w.status),
        Some(WishStatus::Withdrawn)
    );
    assert!(shares::of_wish(&second.store(), &h2).unwrap().is_none());
    let status_in = |ledger: &SeatLedger| {
        ledger
            .months
            .iter()
            .flat_map(|m| &m.reservations)
            .find(|r| r.wish == h2)
            .map(|r| r.status)
    };
    let (_, ledger) = second.store().get::<SeatLedger>(&ledger_id).unwrap();
    assert_eq!(
        status_in(&ledger),
        Some(SeatStatus::Free),
        "the Kita's node released the seat itself"
    );
    // The released seat travels back to the city; nothing is left to do anywhere.
    local.local_change(&second.config.name, &ledger_id);
    local.run_until_quiet(6);
    let (_, at_city) = city.store().get::<SeatLedger>(&ledger_id).unwrap();
    assert_eq!(status_in(&at_city), Some(SeatStatus::Free));
    assert!(local.refusals.is_empty(), "{:?}", local.refusals);
}

/// The second Kita of [`two_wishes_first_full`] reserves its wish `h2` for `month`
/// (`YYYY-MM-DD`); the ledger reaches the city, which runs the procedure for the Kitas whose
/// ledgers arrived.
pub(crate) fn second_reserves(
    (net, local): (&Network, &mut kitanetz_node::sync::LocalNet),
    (second, f2, h2): (
        &Node,
        &kitanetz_crdt::ids::FacilityId,
        &kitanetz_crdt::ids::WishHandle,
    ),
    city: &Node,
    month: &str,
) {
    use kitanetz_node::applications::sequential::{advance_in_store, Which};
    kitanetz_node::seats::reserve(
        &mut second.store(),
        &lead_of(net, f2),
        Some(f2),
        &kitanetz_node::seats::ReserveInput {
            wish: h2.0.clone(),
            month: month.into(),
        },
        second.now(),
    )
    .unwrap();
    local.local_change(
        &second.config.name,
        &kitanetz_node::seats::ledger_doc_id(f2),
    );
    local.run_until_quiet(3);
    let woken = city.placement_wake.take();
    advance_in_store(&mut city.store(), Which::WishingAt(&woken), city.now()).unwrap();
}

/// Changes a document on `node` directly, as a step the test does not exercise (say, the
/// ZVS's decision or the parents' choice of the post).
pub(crate) fn change_doc<T: kitanetz_crdt::doc::Document>(
    node: &Node,
    id: &kitanetz_crdt::DocId,
    change: impl FnOnce(&mut T),
) {
    let mut store = node.store();
    let (mut doc, mut value) = store.get::<T>(id).unwrap();
    change(&mut value);
    let now = node.now();
    doc.update(&value, now.today, now.millis, "test").unwrap();
    store
        .save_doc(
            &mut doc,
            &kitanetz_node::storage::AuditEntry {
                at: now.millis,
                actor: "user:test".into(),
                action: "test",
                target: None,
                subjects: vec![],
                valid_from: None,
            },
        )
        .unwrap();
}
