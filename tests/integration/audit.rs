//! The audit view: the system admin and the node's Träger admin read the log filtered by
//! person, action and day, and export it as CSV (the export is itself recorded).

use axum::http::{Method, StatusCode};
use kitanetz_node::auth::Role;
use kitanetz_node::storage::AuditEntry;
use kitanetz_tests::{add_user, call, every_role, Network};

#[tokio::test]
async fn admins_filter_the_log_and_export_it_others_are_refused() {
    let net = Network::seeded();
    let kitas = net.kitas();
    let kita = kitas[0];
    let node = net.open(&kita.name);
    let provider = kita.provider.clone().unwrap();
    let other_provider = net
        .configs
        .iter()
        .find(|c| c.provider.is_some() && c.provider != kita.provider)
        .and_then(|c| c.provider.clone())
        .unwrap();
    let sibling = kitas
        .iter()
        .find(|k| k.provider == kita.provider && k.name != kita.name)
        .unwrap();
    let logins = every_role(
        &node,
        &provider,
        kita.facility.as_ref().unwrap(),
        &other_provider,
        sibling.facility.as_ref().unwrap(),
    );
    let router = kitanetz_node::http::router(node.clone());
    // Two entries of known days and people (the fixture clock's day and one before it).
    let today = node.clock.today();
    let noon = |day: chrono::NaiveDate| {
        kitanetz_node::clock::city_instant(day.and_hms_opt(12, 0, 0).unwrap()).timestamp_millis()
    };
    let yesterday = today.0 - chrono::Days::new(1);
    for (at, actor, action) in [
        (noon(yesterday), "user:anna_b", "contract.change"),
        (noon(today.0), "user:bernd", "child.read"),
    ] {
        node.store()
            .audit(&AuditEntry {
                at,
                actor: actor.into(),
                action,
                target: Some("child-1".into()),
                subjects: vec!["fam-1".into()],
                valid_from: None,
            })
            .unwrap();
    }
    let admin = add_user(
        &node,
        "auditor",
        Role::SystemAdmin,
        kitanetz_crdt::ids::city_org(),
        None,
        None,
    );
    let get = |path: String| {
        let router = router.clone();
        let token = admin.token.clone();
        async move { call(&router, Method::GET, &path, Some(&token), None).await }
    };

    let (status, page) = get("/audit?person=ANNA_B".into()).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        page.contains("contract.change") && !page.contains("user:bernd"),
        "{page}"
    );
    // "%" is a character, not a wildcard (LIKE would match "anna_b" here).
    let (_, page) = get("/audit?person=anna%25b".into()).await;
    assert!(page.contains("audit-empty"), "{page}");
    let (_, page) = get("/audit?action=child.".into()).await;
    assert!(page.contains("user:bernd") && !page.contains("user:anna_b"));
    let (_, page) = get(format!("/audit?from={today}&until={today}&person=user:")).await;
    assert!(
        page.contains("user:bernd") && !page.contains("user:anna_b"),
        "{page}"
    );
    let (status, page) = get(format!("/audit?from={today}&until={yesterday}")).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("id=\"e-until\""), "{page}");
    let (status, _) = get("/audit?from=gestern".into()).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);

    // The export: the filtered rows with a header, recorded as an export.
    let (status, csv) = get("/audit.csv?person=anna_b".into()).await;
    assert_eq!(status, StatusCode::OK);
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines[0], "seq,time,actor,action,target,subjects,valid_from");
    assert_eq!(lines.len(), 2, "{csv}");
    assert!(
        lines[1].contains("user:anna_b,contract.change,child-1,fam-1"),
        "{csv}"
    );
    let (_, page) = get("/audit?action=audit.export".into()).await;
    assert!(page.contains("auditor"), "the export is in the log: {page}");

    // The Träger admin of this Kita reads it; other roles and other Träger do not.
    for (login, scoped) in &logins {
        let (status, _) = call(&router, Method::GET, "/audit", Some(&login.token), None).await;
        let allowed =
            login.role == Role::SystemAdmin || (login.role == Role::TraegerAdmin && *scoped);
        assert_eq!(
            status == StatusCode::OK,
            allowed,
            "{} got {status}",
            login.label
        );
    }
}
