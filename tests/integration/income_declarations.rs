//! OZG steps 7–10 across the network: parents declare their income in the city's portal once
//! the child has a place, upload proofs; the declaration reaches the Beitragsstelle of the Kita's
//! Träger (and nobody else), which takes it over into the family's fee case, decides it
//! provisionally, and finally after new proofs.

use crate::applications::{form, get, lead_of, second_reserves, two_wishes_first_full, TwoWishes};
use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use kitanetz_crdt::kinds::{FeeCase, IncomeDeclaration};
use kitanetz_crdt::policy::NodeRole;
use kitanetz_node::applications::sequential::{self, Which};
use kitanetz_node::auth::Role;
use kitanetz_node::Node;
use kitanetz_tests::add_traeger_user;
use std::sync::Arc;
use tower::ServiceExt;

const PDF: &[u8] = b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj 2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n";

/// A form post with a cookie (the parent) or a bearer token (staff): (status, location, body).
async fn send(
    router: &axum::Router,
    auth: (&str, &str),
    path: &str,
    content_type: &str,
    body: Vec<u8>,
) -> (StatusCode, String, String) {
    let req = Request::builder()
        .method(Method::POST)
        .uri(path)
        .header(auth.0, auth.1)
        .header(header::CONTENT_TYPE, content_type)
        .body(Body::from(body))
        .unwrap();
    let res = router.clone().oneshot(req).await.unwrap();
    let status = res.status();
    let location = res
        .headers()
        .get(header::LOCATION)
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default();
    let body = axum::body::to_bytes(res.into_body(), 1 << 22)
        .await
        .unwrap();
    (
        status,
        location,
        String::from_utf8_lossy(&body).into_owned(),
    )
}

fn multipart(csrf: &str, file_name: &str, bytes: &[u8]) -> (String, Vec<u8>) {
    let boundary = "kitanetz-test-boundary";
    let mut body = Vec::new();
    body.extend_from_slice(
        format!("--{boundary}\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{csrf}\r\n--{boundary}\r\nContent-Disposition: form-data; name=\"proof\"; filename=\"{file_name}\"\r\nContent-Type: application/octet-stream\r\n\r\n").as_bytes(),
    );
    body.extend_from_slice(bytes);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

async fn staff_get(router: &axum::Router, token: &str, path: &str) -> (StatusCode, String) {
    let req = Request::builder()
        .uri(path)
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .body(Body::empty())
        .unwrap();
    let res = router.clone().oneshot(req).await.unwrap();
    let status = res.status();
    let body = axum::body::to_bytes(res.into_body(), 1 << 22)
        .await
        .unwrap();
    (status, String::from_utf8_lossy(&body).into_owned())
}

/// The parents' JSON API with the portal's cookie (writes carry the CSRF header).
async fn api(
    router: &axum::Router,
    method: Method,
    path: &str,
    (cookie, csrf): (&str, &str),
    json: Option<String>,
) -> (StatusCode, serde_json::Value) {
    let mut req = Request::builder()
        .method(method)
        .uri(path)
        .header(header::COOKIE, cookie)
        .header("x-csrf-token", csrf);
    let body = match json {
        Some(j) => {
            req = req.header(header::CONTENT_TYPE, "application/json");
            Body::from(j)
        }
        None => Body::empty(),
    };
    let res = router
        .clone()
        .oneshot(req.body(body).unwrap())
        .await
        .unwrap();
    let status = res.status();
    let bytes = axum::body::to_bytes(res.into_body(), 1 << 22)
        .await
        .unwrap();
    (status, serde_json::from_slice(&bytes).unwrap_or_default())
}

fn declarations_at(node: &Node) -> Vec<IncomeDeclaration> {
    node.store().values_of_kind::<IncomeDeclaration>().unwrap()
}

#[tokio::test]
async fn parents_declare_their_income_online_and_the_traeger_decides_provisionally_then_finally() {
    let TwoWishes {
        net,
        nodes,
        city,
        second,
        f2,
        mut local,
        id,
        h2,
        parent: (cookie, csrf),
        ..
    } = two_wishes_first_full().await;
    let portal = kitanetz_node::http::router(city.clone());
    let income = format!("/portal/applications/{}/income", id.0);
    let parent = (header::COOKIE.as_str(), cookie.as_str());

    // No place yet: nothing to declare, and no link.
    let (status, page) = get(&portal, &cookie, &income).await;
    assert_eq!(status, StatusCode::CONFLICT, "{page}");
    let (_, list) = get(&portal, &cookie, "/portal/applications").await;
    assert!(!list.contains("/income\""), "{list}");

    // The second Kita reserves a seat; the city issues the share.
    let lead = lead_of(&net, &f2);
    second_reserves((&net, &mut local), (&second, &f2, &h2), &city, "2027-03-01");
    let share_id = kitanetz_node::applications::shares::held_for(&city.store(), &h2)
        .unwrap()
        .expect("issued");
    local.local_change(&city.config.name, &share_id);
    local.run_until_quiet(4);

    let (_, list) = get(&portal, &cookie, "/portal/applications").await;
    assert!(list.contains(&format!("{income}\"")), "the link: {list}");
    let (status, page) = get(&portal, &cookie, &income).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(
        page.contains("Einkommen für die Beitragsermäßigung"),
        "{page}"
    );

    // A wrong form: a field error, nothing stored.
    let typed = |from: &str, wage: &str| {
        form(&[
            ("csrf", &csrf),
            ("from", from),
            ("until", "2027-08"),
            ("m1_name", "Jonas Berg"),
            ("m1_relation", "parent"),
            ("m2_name", "Paul Berg"),
            ("m2_relation", "child"),
            ("i1_member", "m1"),
            ("i1_kind", "employee"),
            ("i1_amount", wage),
            ("housing_cost", "420"),
        ])
        .into_bytes()
    };
    let urlencoded = "application/x-www-form-urlencoded";
    let (status, _, page) = send(&portal, parent, &income, urlencoded, typed("März", "1450")).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{page}");
    assert!(page.contains("aria-invalid=\"true\""), "{page}");
    assert!(declarations_at(&city).is_empty(), "nothing stored");

    let (status, location, page) = send(
        &portal,
        parent,
        &income,
        urlencoded,
        typed("2027-03", "1450"),
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{page}");
    assert!(location.ends_with("?sent=1"), "{location}");
    let declared = declarations_at(&city);
    assert_eq!(declared.len(), 1);
    assert_eq!(declared[0].child_given_name, "Paul");
    assert_eq!(declared[0].facility, f2);
    let submitted_on = declared[0].submitted_on;

    // Proofs: a text file is refused with the reason, a PDF is taken.
    let proofs = format!("{income}/proofs");
    let (ct, body) = multipart(&csrf, "notes.txt", b"just text");
    let (status, location, _) = send(&portal, parent, &proofs, &ct, body).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert!(location.contains("upload_error="), "{location}");
    // Over the route's limit: the answer names the limit; without the form's token: refused.
    let mut too_big = PDF.to_vec();
    too_big.resize(1_700_000, b' ');
    let (ct, body) = multipart(&csrf, "Scan.pdf", &too_big);
    let (status, _, page) = send(&portal, parent, &proofs, &ct, body).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(page.contains("zu groß (höchstens 1,5 MB)"), "{page}");
    let (ct, body) = multipart("not-the-token", "Lohnabrechnung-Maerz.pdf", PDF);
    let (status, _, _) = send(&portal, parent, &proofs, &ct, body).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (ct, body) = multipart(&csrf, "Lohnabrechnung-Maerz.pdf", PDF);
    let (status, location, _) = send(&portal, parent, &proofs, &ct, body).await;
    assert_eq!(
        (status, location.ends_with("?uploaded=1")),
        (StatusCode::SEE_OTHER, true)
    );
    let (_, page) = get(&portal, &cookie, &income).await;
    assert!(page.contains("Lohnabrechnung-Maerz.pdf"), "{page}");

    // The same through the parents' JSON API.
    let api_path = format!("/api/{}", income.trim_start_matches('/'));
    let who = (cookie.as_str(), csrf.as_str());
    let (status, view) = api(&portal, Method::GET, &api_path, who, None).await;
    assert_eq!(status, StatusCode::OK, "{view}");
    assert_eq!(view["sent"]["revision"], 2);
    assert_eq!(view["sent"]["input"]["incomes"][0]["amount"], "1450");
    let bad = r#"{"from":"2027-03","until":"2029-03","members":[{"id":"m1","name":"Jonas Berg","relation":"parent"}]}"#;
    let (status, error) = api(&portal, Method::PUT, &api_path, who, Some(bad.into())).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{error}");
    assert_eq!(declarations_at(&city)[0].revision, 2, "nothing stored");
    let (status, error) = api(
        &portal,
        Method::POST,
        &format!("{api_path}/proofs"),
        who,
        Some(r#"{"file_name":"x.pdf","content_base64":"%%%"}"#.into()),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{error}");
    let upload = serde_json::json!({
        "file_name": "Mietvertrag.pdf",
        "content_base64": base64::Engine::encode(&base64::engine::general_purpose::STANDARD, PDF),
    });
    let (status, view) = api(
        &portal,
        Method::POST,
        &format!("{api_path}/proofs"),
        who,
        Some(upload.to_string()),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{view}");
    assert_eq!(view["sent"]["proofs"][1]["name"], "Mietvertrag.pdf");
    assert_eq!(view["sent"]["proofs"][1]["media_type"], "application/pdf");
    assert!(
        page.contains("value=\"1450\""),
        "the form shows what was sent: {page}"
    );

    // The Kita concludes the contract: the family at the Träger carries the family key.
    let draft =
        kitanetz_node::seats::contract::draft(&second.store(), &lead, Some(&f2), &h2.0).unwrap();
    let done = kitanetz_node::seats::contract::conclude(
        &mut second.store(),
        &lead,
        Some(&f2),
        &draft.input,
        second.now(),
    )
    .unwrap();
    for doc in [
        kitanetz_node::families::family_doc_id(&done.family),
        kitanetz_node::contracts::contract_doc_id(&done.contract),
        kitanetz_node::seats::ledger_doc_id(&f2),
    ] {
        local.local_change(&second.config.name, &doc);
    }
    let declaration_doc = city
        .store()
        .doc_metas()
        .unwrap()
        .into_iter()
        .find(|(_, m)| m.kind == kitanetz_crdt::meta::DocKind::IncomeDeclaration)
        .unwrap()
        .0;
    local.local_change(&city.config.name, &declaration_doc);
    local.run_until_quiet(5);
    // The city places the child: the parents may still send proofs.
    let woken = city.placement_wake.take();
    sequential::advance_in_store(&mut city.store(), Which::WishingAt(&woken), city.now()).unwrap();
    assert_eq!(
        crate::applications::application_of(&city, &id).status,
        "placed"
    );

    // Only the Träger office of that Kita holds it.
    let traeger: Arc<Node> = nodes
        .iter()
        .find(|n| n.config.role == NodeRole::Traeger && n.config.provider == second.config.provider)
        .unwrap()
        .clone();
    for node in &nodes {
        let held = !declarations_at(node).is_empty();
        let should = Arc::ptr_eq(node, &city) || Arc::ptr_eq(node, &traeger);
        assert_eq!(
            held, should,
            "{} holds the declaration: {held}",
            node.config.name
        );
    }

    // The Beitragsstelle sees it, with the family found by the key, and takes it over.
    let provider = traeger.config.provider.clone().unwrap();
    let clerk = add_traeger_user(&traeger, "t-fee", Role::FeeOffice, &provider);
    let office = kitanetz_node::http::router(traeger.clone());
    let (status, page) = staff_get(&office, &clerk.token, "/fees/declarations").await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(
        page.contains("Paul Berg") && page.contains(">neu<"),
        "{page}"
    );
    let (status, bytes) =
        kitanetz_tests::get_bytes(&office, "/fees/declarations.xlsx", &clerk.token).await;
    assert_eq!(status, StatusCode::OK);
    let (sheets, text) = kitanetz_tests::open_xlsx(&bytes);
    assert_eq!(sheets, ["Selbstauskünfte"]);
    assert!(
        text.contains("Paul Berg") && text.contains("Familiennummer"),
        "{text}"
    );
    let short = kitanetz_node::fees::declarations::short_id(&declaration_doc).to_string();
    let (status, page) = staff_get(
        &office,
        &clerk.token,
        &format!("/fees/declarations/{short}"),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(
        page.contains("1450") && page.contains("Lohnabrechnung-Maerz.pdf"),
        "{page}"
    );
    let (status, pdf) = staff_get(
        &office,
        &clerk.token,
        &format!("/fees/declarations/{short}/proofs/1"),
    )
    .await;
    assert_eq!((status, pdf.starts_with("%PDF")), (StatusCode::OK, true));
    let bearer = format!("Bearer {}", clerk.token);
    let staff = (header::AUTHORIZATION.as_str(), bearer.as_str());
    let take_over = format!("/fees/declarations/{short}/take-over");
    let (status, location, page) = send(&office, staff, &take_over, urlencoded, Vec::new()).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{page}");
    assert_eq!(
        location,
        format!("/fees/families/{}/reductions", done.family.0)
    );
    let (status, location, _) = send(&office, staff, &take_over, urlencoded, Vec::new()).await;
    assert!(
        status == StatusCode::SEE_OTHER && location.contains("error="),
        "taken over once while unchanged: {location}"
    );
    let case = || {
        traeger
            .store()
            .get::<FeeCase>(&kitanetz_node::fees::fee_case_doc_id(&done.family))
            .unwrap()
            .1
    };
    let first = case().reductions[0].clone();
    assert_eq!(
        first.applied_on, submitted_on,
        "received when the parents sent it"
    );
    assert_eq!(
        first.declaration.as_deref(),
        Some(declaration_doc.0.as_str())
    );

    // Decided provisionally: the Bescheid says so.
    let (status, _, page) = send(
        &office,
        staff,
        "/fees/reduction-settings",
        urlencoded,
        form(&[
            ("valid_from", "2026-01-01"),
            ("reasonable_share_percent", "50"),
            ("allocation", "rank_order"),
            ("above_regular_time", "fee_difference"),
        ])
        .into_bytes(),
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{page}");
    let decide = |number: &str, provisional: bool| {
        let mut pairs = vec![("decision", "grant")];
        if provisional {
            pairs.push(("provisional", "true"));
        }
        (
            format!(
                "/fees/families/{}/reductions/{number}/decide",
                done.family.0
            ),
            form(&pairs).into_bytes(),
        )
    };
    let (path, body) = decide(&first.number, true);
    let (status, _, page) = send(&office, staff, &path, urlencoded, body).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{page}");
    let decided = case().reductions[0].decided.clone().unwrap();
    assert!(decided.granted && decided.provisional);
    let issued = case().decisions.last().unwrap().content.clone();
    let letter: serde_json::Value = serde_json::from_str(&issued).unwrap();
    assert_eq!(letter["grant"]["provisional"], true, "{letter}");
    // The parents see it in the portal once the Träger's answer reached the city.
    let status_doc = kitanetz_node::fees::declarations::status_doc_id(&declaration_doc);
    let (_, list) = get(&portal, &cookie, "/portal/applications").await;
    assert!(
        list.contains("noch nicht von der Beitragsstelle übernommen"),
        "before the answer arrives: {list}"
    );
    local.local_change(&traeger.config.name, &status_doc);
    local.run_until_quiet(6);
    let (_, list) = get(&portal, &cookie, "/portal/applications").await;
    assert!(
        list.contains("von der Beitragsstelle übernommen am")
            && list.contains("Vorläufig bewilligt am")
            && list.contains("Bitte laden Sie sie hoch"),
        "{list}"
    );
    let (_, page) = staff_get(&office, &clerk.token, "/fees/declarations").await;
    assert!(
        page.contains("vorläufig entschieden: Nachweise prüfen"),
        "{page}"
    );

    // A further proof arrives; the clerk takes the declaration over again and decides finally.
    let (ct, body) = multipart(&csrf, "Steuerbescheid.pdf", PDF);
    send(&portal, parent, &proofs, &ct, body).await;
    local.local_change(&city.config.name, &declaration_doc);
    local.run_until_quiet(6);
    let (_, page) = staff_get(&office, &clerk.token, "/fees/declarations").await;
    assert!(page.contains("geändert / neue Nachweise"), "{page}");
    let (status, _, _) = send(&office, staff, &take_over, urlencoded, Vec::new()).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let second_number = case().reductions[1].number.clone();
    let (path, body) = decide(&second_number, false);
    let (status, _, page) = send(&office, staff, &path, urlencoded, body).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{page}");
    assert!(!case().reductions[1].decided.clone().unwrap().provisional);
    local.local_change(&traeger.config.name, &status_doc);
    local.run_until_quiet(6);
    let (_, list) = get(&portal, &cookie, "/portal/applications").await;
    assert!(
        list.contains("Bewilligt am") && !list.contains("Vorläufig bewilligt"),
        "the final decision replaces the provisional one: {list}"
    );
    // The Kita never holds the answer; only the city and this Träger's office do.
    assert!(second
        .store()
        .find::<kitanetz_crdt::kinds::DeclarationStatus>(&status_doc)
        .unwrap()
        .is_none());
    let (_, page) = staff_get(&office, &clerk.token, "/fees/declarations").await;
    assert!(page.contains(">entschieden<"), "{page}");
    // The proofs of both take-overs stay with the fee case, on the Träger's node.
    let family_page = format!("/fees/families/{}/reductions", done.family.0);
    let (_, page) = staff_get(&office, &clerk.token, &family_page).await;
    assert!(
        page.contains("Lohnabrechnung-Maerz.pdf") && page.contains("Steuerbescheid.pdf"),
        "{page}"
    );
    let kept = format!("/fees/families/{}/proofs/{short}/2", done.family.0);
    let (status, pdf) = staff_get(&office, &clerk.token, &kept).await;
    assert_eq!((status, pdf.starts_with("%PDF")), (StatusCode::OK, true));

    // Retention: a month after the placement the city erases the declaration with the
    // applicant, but not within a month of its last change.
    use kitanetz_node::applications::retention;
    let district = |_: &kitanetz_crdt::kinds::Applicant| Some("Altstadt".to_string());
    let month = chrono::Duration::days(retention::ERASE_AFTER_DAYS as i64 + 1);
    net.clock.advance(month);
    // (The session of a month ago has expired: the parent logs in again.)
    let (cookie, csrf) = {
        let store = city.store();
        let account: i64 = store
            .conn()
            .query_row(
                "SELECT id FROM guardian_accounts WHERE email = 'jonas.berg@example.org'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        let tokens = kitanetz_node::auth::create_guardian_session(
            store.conn(),
            account,
            city.clock.now_millis(),
        )
        .unwrap();
        (format!("kn_session={}", tokens.token), tokens.csrf)
    };
    let parent = (header::COOKIE.as_str(), cookie.as_str());
    let (ct, body) = multipart(&csrf, "Nachtrag.pdf", PDF);
    let (status, location, _) = send(&portal, parent, &proofs, &ct, body).await;
    assert_eq!(
        (status, location.ends_with("?uploaded=1")),
        (StatusCode::SEE_OTHER, true)
    );
    assert_eq!(
        retention::erase_settled(&mut city.store(), &district, city.now()).unwrap(),
        0,
        "changed today: it waits"
    );
    net.clock.advance(month);
    assert_eq!(
        retention::erase_settled(&mut city.store(), &district, city.now()).unwrap(),
        1
    );
    assert!(declarations_at(&city).is_empty());
    assert!(city.store().is_erased(&declaration_doc).unwrap());
    local.local_change(&city.config.name, &declaration_doc);
    local.run_until_quiet(7);
    assert!(
        declarations_at(&traeger).is_empty(),
        "erased at the Träger too"
    );
    let later = add_traeger_user(&traeger, "t-fee-2", Role::FeeOffice, &provider);
    let (_, page) = staff_get(&office, &later.token, &family_page).await;
    assert!(
        page.contains("Steuerbescheid.pdf"),
        "the kept proofs stay: {page}"
    );
    let actions: Vec<String> = traeger
        .store()
        .conn()
        .prepare("SELECT action FROM audit_log WHERE action LIKE 'fees.declaration.%' ORDER BY seq")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(
        actions,
        [
            "fees.declaration.export",
            "fees.declaration.proof.read",
            // The answer for the portal is written with the fee case, under its entry.
            "fees.declaration.take_over",
            "fees.declaration.take_over",
            "fees.declaration.proof.read"
        ]
    );
    // Erasing the family at the Träger takes the answer for the portal with it.
    let entry = kitanetz_node::storage::AuditEntry {
        at: 1,
        actor: "user:t-admin".into(),
        action: "family.erase",
        target: Some(done.family.0.clone()),
        subjects: vec![done.family.0.clone()],
        valid_from: None,
    };
    let report = traeger
        .store()
        .erase_family(&done.family.0, &entry)
        .unwrap();
    assert!(report.documents.contains(&status_doc.0), "{report:?}");
    assert!(traeger.store().is_erased(&status_doc).unwrap());
}

/// One declaration per family and Träger: the parents of two children with places at Kitas of
/// one Träger declare once; the second child's page offers the family's declaration, and sending
/// it from there adds the child. The Beitragsstelle sees one declaration for both; the city keeps
/// it until the last of the children's applicants is erased.
#[tokio::test]
async fn siblings_at_one_traeger_are_declared_for_once() {
    use crate::applications::{applicant_of, post};
    let TwoWishes {
        net,
        nodes,
        city,
        second,
        f2,
        mut local,
        id,
        h2,
        parent: (cookie, csrf),
        ..
    } = two_wishes_first_full().await;
    let portal = kitanetz_node::http::router(city.clone());
    let parent = (header::COOKIE.as_str(), cookie.as_str());
    let urlencoded = "application/x-www-form-urlencoded";
    // The same parent applies for Paul's sister Lena, at the second Kita only.
    let w2 = format!("f:{}", f2.0);
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
        ("child1_given_name", "Lena"),
        ("child1_family_name", "Berg"),
        ("child1_birth_date", "2025-04-12"),
        ("child1_sex", "female"),
        ("wish1", w2.as_str()),
        ("consent_data_processing", "true"),
        ("consent_forwarding", "true"),
        ("consent_terms", "true"),
    ];
    let (status, _, page) = post(&portal, &cookie, &form(&apply)).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{page}");
    let lena = city
        .store()
        .values_of_kind::<kitanetz_crdt::kinds::Applicant>()
        .unwrap()
        .into_iter()
        .find(|a| a.child_given_name == "Lena")
        .unwrap()
        .application;
    assert_ne!(lena, id);
    assert_eq!(
        applicant_of(&city, "jonas.berg@example.org").guardian_family_name,
        "Berg"
    );
    let lena_wish = crate::applications::application_of(&city, &lena).wishes[0]
        .handle
        .clone();
    local.local_change(
        &city.config.name,
        &kitanetz_node::applications::wishes::wish_doc_id(&lena_wish),
    );
    local.run_until_quiet(2);
    // The second Kita reserves for both; the city issues both shares.
    for handle in [&h2, &lena_wish] {
        second_reserves(
            (&net, &mut local),
            (&second, &f2, handle),
            &city,
            "2027-03-01",
        );
        let share = kitanetz_node::applications::shares::held_for(&city.store(), handle)
            .unwrap()
            .expect("issued");
        local.local_change(&city.config.name, &share);
    }
    local.run_until_quiet(4);

    let typed = |wage: &str| {
        form(&[
            ("csrf", &csrf),
            ("from", "2027-03"),
            ("until", "2027-08"),
            ("m1_name", "Jonas Berg"),
            ("m1_relation", "parent"),
            ("m2_name", "Paul Berg"),
            ("m2_relation", "child"),
            ("m3_name", "Lena Berg"),
            ("m3_relation", "child"),
            ("i1_member", "m1"),
            ("i1_kind", "employee"),
            ("i1_amount", wage),
            ("housing_cost", "480"),
        ])
        .into_bytes()
    };
    // Paul's page: the parents declare.
    let pauls = format!("/portal/applications/{}/income", id.0);
    let (status, _, page) = send(&portal, parent, &pauls, urlencoded, typed("1450")).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{page}");
    // Lena's page shows the family's declaration and asks to send it for her too.
    let lenas = format!("/portal/applications/{}/income", lena.0);
    let (status, page) = get(&portal, &cookie, &lenas).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(
        page.contains("id=\"family-declaration\"") && page.contains("bereits für Paul Berg"),
        "{page}"
    );
    assert!(
        page.contains("value=\"1450\""),
        "the family's figures: {page}"
    );
    // Sent from Lena's page (a raise since): the same document, now for both.
    let (status, location, page) = send(&portal, parent, &lenas, urlencoded, typed("1500")).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{page}");
    assert!(location.ends_with("?sent=1"), "{location}");
    let declared = declarations_at(&city);
    assert_eq!(declared.len(), 1, "one declaration for the family");
    assert_eq!(declared[0].children(), ["Paul Berg", "Lena Berg"]);
    assert_eq!(declared[0].revision, 2);
    assert!(declared[0].input.contains("1500"));
    let (_, page) = get(&portal, &cookie, &lenas).await;
    assert!(!page.contains("id=\"family-declaration\""), "{page}");
    assert!(page.contains("für Paul Berg, Lena Berg"), "{page}");
    let (_, page) = get(&portal, &cookie, &pauls).await;
    assert!(page.contains("für Paul Berg, Lena Berg"), "{page}");

    // The Träger's Beitragsstelle sees one declaration for both children.
    let declaration_doc = city
        .store()
        .doc_metas()
        .unwrap()
        .into_iter()
        .find(|(_, m)| m.kind == kitanetz_crdt::meta::DocKind::IncomeDeclaration)
        .unwrap()
        .0;
    local.local_change(&city.config.name, &declaration_doc);
    local.run_until_quiet(5);
    let traeger: Arc<Node> = nodes
        .iter()
        .find(|n| n.config.role == NodeRole::Traeger && n.config.provider == second.config.provider)
        .unwrap()
        .clone();
    let provider = traeger.config.provider.clone().unwrap();
    let clerk = add_traeger_user(&traeger, "t-fee", Role::FeeOffice, &provider);
    let office = kitanetz_node::http::router(traeger.clone());
    let (_, page) = staff_get(&office, &clerk.token, "/fees/declarations").await;
    assert!(page.contains("Paul Berg, Lena Berg"), "{page}");
    let short = kitanetz_node::fees::declarations::short_id(&declaration_doc).to_string();
    let (_, page) = staff_get(
        &office,
        &clerk.token,
        &format!("/fees/declarations/{short}"),
    )
    .await;
    assert!(
        page.contains("id=\"declaration-siblings\"") && page.contains("Lena Berg"),
        "{page}"
    );

    // Retention: Paul's contract is concluded, his applicant erased a month later; the family's
    // declaration stays while Lena's applicant is still here, and goes with hers.
    use kitanetz_node::applications::retention;
    let lead = lead_of(&net, &f2);
    let district = |_: &kitanetz_crdt::kinds::Applicant| Some("Altstadt".to_string());
    let month = chrono::Duration::days(retention::ERASE_AFTER_DAYS as i64 + 1);
    let conclude = |handle: &kitanetz_crdt::ids::WishHandle,
                    local: &mut kitanetz_node::sync::LocalNet| {
        let draft =
            kitanetz_node::seats::contract::draft(&second.store(), &lead, Some(&f2), &handle.0)
                .unwrap();
        let done = kitanetz_node::seats::contract::conclude(
            &mut second.store(),
            &lead,
            Some(&f2),
            &draft.input,
            second.now(),
        )
        .unwrap();
        for doc in [
            kitanetz_node::families::family_doc_id(&done.family),
            kitanetz_node::contracts::contract_doc_id(&done.contract),
            kitanetz_node::seats::ledger_doc_id(&f2),
        ] {
            local.local_change(&second.config.name, &doc);
        }
        local.run_until_quiet(5);
        let woken = city.placement_wake.take();
        sequential::advance_in_store(&mut city.store(), Which::WishingAt(&woken), city.now())
            .unwrap();
    };
    conclude(&h2, &mut local);
    assert_eq!(
        crate::applications::application_of(&city, &id).status,
        "placed"
    );
    net.clock.advance(month);
    assert_eq!(
        retention::erase_settled(&mut city.store(), &district, city.now()).unwrap(),
        1,
        "Paul's applicant"
    );
    assert_eq!(declarations_at(&city).len(), 1, "kept for Lena");
    conclude(&lena_wish, &mut local);
    assert_eq!(
        crate::applications::application_of(&city, &lena).status,
        "placed"
    );
    net.clock.advance(month);
    assert_eq!(
        retention::erase_settled(&mut city.store(), &district, city.now()).unwrap(),
        1,
        "Lena's applicant"
    );
    assert!(declarations_at(&city).is_empty());
    assert!(city.store().is_erased(&declaration_doc).unwrap());
}
