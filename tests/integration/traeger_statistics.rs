//! The Landeszuschuss count on a Träger node, from the contracts of its Kitas.

use axum::http::{Method, StatusCode};
use kitanetz_crdt::policy::NodeRole;
use kitanetz_node::auth::Role;
use kitanetz_node::http::router;
use kitanetz_tests::{add_traeger_user, call, Network};
use rust_decimal::Decimal;
use serde_json::Value;
use std::str::FromStr;

fn dec(v: &Value) -> Decimal {
    Decimal::from_str(
        v.as_str()
            .unwrap_or_else(|| panic!("not a number string: {v}")),
    )
    .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_traeger_counts_its_kitas_for_the_state_subsidy_and_the_total_adds_up() {
    let net = Network::seeded();
    let cfg = net.config(|c| c.role == NodeRole::Traeger).clone();
    let provider = cfg.provider.clone().unwrap();
    let node = net.open(&cfg.name);
    let admin = add_traeger_user(&node, "t-admin", Role::TraegerAdmin, &provider);
    let app = router(node.clone());
    let (status, body) = call(
        &app,
        Method::GET,
        "/api/statistics/landeszuschuss?year=2026",
        Some(&admin.token),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let counts: Vec<Value> = serde_json::from_str(&body).unwrap();
    let (total, kitas) = counts.split_last().unwrap();
    assert!(total["facility"].is_null(), "the Träger's total comes last");
    assert!(kitas.len() >= 2, "one count per Kita: {}", kitas.len());
    for group in ["krippe", "kindergarten", "hort"] {
        let sum: u64 = kitas
            .iter()
            .map(|k| k["result"]["groups"][group]["children"].as_u64().unwrap())
            .sum();
        assert_eq!(
            total["result"]["groups"][group]["children"]
                .as_u64()
                .unwrap(),
            sum,
            "{group}"
        );
    }
    let children = dec(&total["result"]["total_children"]);
    assert!(children > Decimal::ZERO, "{total}");
    assert_eq!(total["result"]["reference_date"], "2026-04-01");
    // 4.4: the total times the rate, half up to the cent.
    let rate = dec(&total["result"]["rate_per_child"]);
    assert_eq!(
        dec(&total["result"]["subsidy"]),
        (children * rate)
            .round_dp_with_strategy(2, rust_decimal::RoundingStrategy::MidpointAwayFromZero)
    );

    // The page shows the same total; a Kita lead and the fee office may not see it.
    let (status, page) = call(
        &app,
        Method::GET,
        "/statistics/landeszuschuss?year=2026",
        Some(&admin.token),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("data-total=\"true\""), "{page}");
    let clerk = add_traeger_user(&node, "t-fee", Role::FeeOffice, &provider);
    let (status, _) = call(
        &app,
        Method::GET,
        "/api/statistics/landeszuschuss",
        Some(&clerk.token),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    // A year that is no year is refused.
    let (status, _) = call(
        &app,
        Method::GET,
        "/api/statistics/landeszuschuss?year=zwanzig",
        Some(&admin.token),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

/// Children of `facility` under contract on `day`, read from the projection (not through the
/// statistic's code).
fn children_under_contract(node: &kitanetz_node::Node, facility: &str, day: &str) -> u64 {
    node.store()
        .conn()
        .query_row(
            "SELECT COUNT(DISTINCT child) FROM p_contracts
             WHERE facility = ?1 AND start <= ?2 AND (end IS NULL OR end >= ?2)",
            [facility, day],
            |r| r.get::<_, i64>(0),
        )
        .map(|n| u64::try_from(n).unwrap())
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_traeger_reports_kjh_part_iii_1_per_kita_from_its_own_data() {
    use kitanetz_tests::{api, KitaAndTraeger};
    use serde_json::json;
    let net = Network::seeded();
    let fixture = KitaAndTraeger::open(&net);
    let lead = fixture.lead("kjh-lead");
    let other = fixture.other_traeger();
    let KitaAndTraeger {
        kita,
        traeger,
        facility,
        provider,
        ..
    } = fixture;
    let admin = add_traeger_user(&traeger, "kjh-admin", Role::TraegerAdmin, &provider).token;
    // A person who works 26.5 hours across the groups from January: on H 1 with those hours.
    let (status, body) = api(
        &traeger,
        &admin,
        "POST",
        "/api/staff",
        Some(json!({
            "given_name": "Wanda", "family_name": "Statistik", "birth_date": "1988-09-14",
            "qualification": "heilpaedagogische-fachkraft", "facility": facility.0,
            "role": "educator", "from": "2026-01-01", "weekly_hours": "26,5",
        })),
    )
    .await;
    assert_eq!(status, 201, "{body}");

    let (status, kitas) = api(
        &traeger,
        &admin,
        "GET",
        "/api/statistics/kjh?year=2026",
        None,
    )
    .await;
    assert_eq!(status, 200, "{kitas}");
    let ours = kitas
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["facility"] == facility.0.as_str())
        .unwrap_or_else(|| panic!("our Kita in {kitas}"));
    assert!(
        ours["errors"].as_array().unwrap().is_empty(),
        "{}",
        ours["errors"]
    );
    let figures = &ours["figures"];
    assert_eq!(figures["reference_date"], "2026-03-01");
    let expected = children_under_contract(&traeger, &facility.0, "2026-03-01");
    assert!(expected > 0);
    assert_eq!(figures["sheet"]["children"].as_u64(), Some(expected));
    let per_group: u64 = figures["groups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["children"].as_u64().unwrap())
        .sum();
    assert_eq!(per_group, expected, "every child in one group");
    let wanda = figures["staff"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == "Wanda Statistik")
        .unwrap_or_else(|| panic!("Wanda on H 1: {}", figures["staff"]));
    assert_eq!(wanda["training_key"], "05", "heilpädagogische Fachkraft");
    assert_eq!(wanda["birth_month"], 9);
    assert_eq!(wanda["birth_year"], 1988);
    assert!(wanda["sex"].is_null(), "the node holds no sex of staff");
    assert_eq!(wanda["work_areas"], json!([["9", null, "26.5"]]));
    // Her sex is a missing value named with her name.
    assert!(
        ours["missing"]
            .as_array()
            .unwrap()
            .iter()
            .any(|m| m["name"] == "Wanda Statistik" && m["field"] == "Geschlecht / sex"),
        "{}",
        ours["missing"]
    );

    let app = router(traeger.clone());
    let (status, page) = call(
        &app,
        Method::GET,
        "/statistics/kjh?year=2026",
        Some(&admin),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        page.contains(&format!("id=\"kjh-sheet-{}\"", facility.0)),
        "{page}"
    );
    assert!(page.contains("Wanda Statistik"));

    // A Kita lead (on her Kita's node) and the admin of another Träger are refused.
    let (status, _) = api(&kita, &lead, "GET", "/api/statistics/kjh?year=2026", None).await;
    assert_eq!(status, 403);
    let other_provider = other.config.provider.clone().unwrap();
    let stranger = add_traeger_user(
        &traeger,
        "kjh-stranger",
        Role::TraegerAdmin,
        &other_provider,
    )
    .token;
    let (status, _) = api(
        &traeger,
        &stranger,
        "GET",
        "/api/statistics/kjh?year=2026",
        None,
    )
    .await;
    assert_eq!(status, 403);
    let (status, _) = api(
        &traeger,
        &stranger,
        "GET",
        "/api/statistics/kdw?year=2026",
        None,
    )
    .await;
    assert_eq!(status, 403);
    let (status, _) = api(
        &traeger,
        &admin,
        "GET",
        "/api/statistics/kjh?year=zwanzig",
        None,
    )
    .await;
    assert_eq!(status, 400);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_traeger_makes_the_kita_data_webhouse_xml_and_a_value_removed_holds_it_back() {
    use kitanetz_tests::{api, KitaAndTraeger};
    let net = Network::seeded();
    let KitaAndTraeger {
        traeger,
        facility,
        provider,
        ..
    } = KitaAndTraeger::open(&net);
    let admin = add_traeger_user(&traeger, "kdw-admin", Role::TraegerAdmin, &provider).token;
    let query = format!("year=2026&facility={}", facility.0);
    let (status, check) = api(
        &traeger,
        &admin,
        "GET",
        &format!("/api/statistics/kdw?{query}"),
        None,
    )
    .await;
    assert_eq!(status, 200, "{check}");
    assert_eq!(check["reference_date"], "2026-03-01");
    assert_eq!(
        check["children"].as_u64(),
        Some(children_under_contract(&traeger, &facility.0, "2026-03-01"))
    );
    // The demo seeds the Träger's master data for its Kitas: the check passes.
    assert_eq!(check["ready"], true, "{check}");

    let app = router(traeger.clone());
    let (status, page) = call(
        &app,
        Method::GET,
        &format!("/statistics/kdw?{query}"),
        Some(&admin),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("id=\"kdw-ready\""), "{page}");
    assert!(page.contains("id=\"kdw-master-link\""));
    let (status, xml) = call(
        &app,
        Method::GET,
        &format!("/statistics/kdw.xml?{query}"),
        Some(&admin),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{xml}");
    assert!(xml.starts_with("<?xml"), "{xml}");
    assert!(xml.contains("<StalaEinrichtungsnummer>"), "{xml}");

    // The master data form shows the stored values.
    let master = format!("/statistics/kdw/master?facility={}", facility.0);
    let (status, page) = call(&app, Method::GET, &master, Some(&admin), None).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains("id=\"kdw-master-form\""), "{page}");
    let form = |stala: &str| {
        format!(
            "facility={}&state=Baden-W%C3%BCrttemberg&einrichtungsnummer=E-9&stala_einrichtungsnummer={stala}&interaktionsentwicklung=ja&konzeptionsentwicklung=nein&leitungszeit_umgesetzt=ja&teamentwicklung=ja&ueberzaehlige_gruppen=0&woechentliche_oeffnungszeit=",
            facility.0
        )
    };
    let form_type = "application/x-www-form-urlencoded";
    // A malformed StaLa number: a field error, nothing stored (the XML still comes).
    let (status, page) = call(
        &app,
        Method::POST,
        "/statistics/kdw/master",
        Some(&admin),
        Some((form_type, form("08-31"))),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{page}");
    assert!(page.contains("nur Ziffern"), "{page}");
    let (status, _) = call(
        &app,
        Method::GET,
        &format!("/statistics/kdw.xml?{query}"),
        Some(&admin),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    // The StaLa number emptied: saved and audited, the check names the Kita and the field,
    // and no XML.
    let (status, body) = call(
        &app,
        Method::POST,
        "/statistics/kdw/master",
        Some(&admin),
        Some((form_type, form(""))),
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    let audited: i64 = traeger
        .store()
        .conn()
        .query_row(
            "SELECT COUNT(*) FROM audit_log WHERE action = 'statistics.kdw.master' AND target = ?1",
            [&facility.0],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(audited, 1);
    let (_, check) = api(
        &traeger,
        &admin,
        "GET",
        &format!("/api/statistics/kdw?{query}"),
        None,
    )
    .await;
    assert_eq!(check["ready"], false);
    let errors = check["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 1, "{check}");
    assert_eq!(errors[0]["record"], "facility");
    assert_eq!(
        errors[0]["field"],
        "Zusatzfeld / extra field stala_einrichtungsnummer"
    );
    assert!(!errors[0]["name"].as_str().unwrap().is_empty());
    let (status, body) = call(
        &app,
        Method::GET,
        &format!("/statistics/kdw.xml?{query}"),
        Some(&admin),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    // The error list as Excel, to work through.
    let (status, bytes) =
        kitanetz_tests::get_bytes(&app, &format!("/statistics/kdw.xlsx?{query}"), &admin).await;
    assert_eq!(status, StatusCode::OK);
    let (sheets, text) = kitanetz_tests::open_xlsx(&bytes);
    assert_eq!(sheets, ["Fehler", "Fehlende Angaben"]);
    assert!(text.contains("stala_einrichtungsnummer"), "{text}");
    // The kind of aid of a child who is not one of the Kita's integration children: not found.
    let (status, _) = call(
        &app,
        Method::POST,
        "/statistics/kdw/integration",
        Some(&admin),
        Some((
            form_type,
            format!("facility={}&child=c-nowhere&mental=on", facility.0),
        )),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = call(
        &app,
        Method::GET,
        "/api/statistics/kdw?year=2026&facility=fac-nowhere",
        Some(&admin),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_kita_of_every_demo_traeger_passes_the_kita_data_webhouse_check() {
    let net = Network::seeded();
    let mut checked = 0;
    for cfg in net.configs.iter().filter(|c| c.role == NodeRole::Traeger) {
        let node = net.open(&cfg.name);
        let provider = cfg.provider.clone().unwrap();
        let admin = add_traeger_user(&node, "kdw-all", Role::TraegerAdmin, &provider).token;
        let kitas: Vec<String> = node
            .store()
            .conn()
            .prepare("SELECT id FROM p_facilities WHERE provider = ?1")
            .unwrap()
            .query_map([&provider.0], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        assert!(!kitas.is_empty());
        let app = router(node.clone());
        for kita in kitas {
            let (status, body) = call(
                &app,
                Method::GET,
                &format!("/statistics/kdw.xml?year=2026&facility={kita}"),
                Some(&admin),
                None,
            )
            .await;
            assert_eq!(status, StatusCode::OK, "{} {kita}: {body}", cfg.name);
            checked += 1;
        }
    }
    assert!(checked >= 4, "{checked} Kitas");
}

/// Issue 12 item 2: the Träger's admin enters the Webhouse data of the staff (API and the form
/// on `/staff`), turns the Mandant option "Personal übergeben" on, and the check and the StaLa
/// XML of the Kita carry its staff; a person without the training key is a named row and no
/// file is made.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_the_staff_option_the_kita_data_webhouse_hands_over_the_staff_entered() {
    use kitanetz_tests::{api, KitaAndTraeger};
    use serde_json::json;
    let net = Network::seeded();
    let KitaAndTraeger {
        traeger,
        facility,
        provider,
        ..
    } = KitaAndTraeger::open(&net);
    let admin = add_traeger_user(&traeger, "kdw-staff", Role::TraegerAdmin, &provider).token;
    let query = format!("year=2026&facility={}", facility.0);
    let check = || async {
        let (status, check) = api(
            &traeger,
            &admin,
            "GET",
            &format!("/api/statistics/kdw?{query}"),
            None,
        )
        .await;
        assert_eq!(status, 200, "{check}");
        check
    };
    // Off by default (L74): no staff handed over, the demo's check passes.
    let before = check().await;
    assert_eq!(
        (&before["ready"], &before["staff"]),
        (&json!(true), &json!(0))
    );

    // The persons working at the Kita on 1 March 2026, read from the documents.
    let day = kitanetz_crdt::scalar::Date::ymd(2026, 3, 1);
    let mut people: Vec<(String, String)> = traeger
        .store()
        .values_of_kind::<kitanetz_crdt::kinds::StaffMember>()
        .unwrap()
        .into_iter()
        .filter(|m| m.assignments_on(day).any(|a| a.facility == facility))
        .map(|m| {
            (
                m.id.0.clone(),
                format!("{} {}", m.given_name, m.family_name),
            )
        })
        .collect();
    people.sort();
    assert!(people.len() >= 2, "{people:?}");

    // The option turned on in the master data form (with the rest of it).
    let app = router(traeger.clone());
    let form_type = "application/x-www-form-urlencoded";
    let (status, body) = call(
        &app,
        Method::POST,
        "/statistics/kdw/master",
        Some(&admin),
        Some((
            form_type,
            format!(
                "facility={}&state=Baden-W%C3%BCrttemberg&export_staff=on&einrichtungsnummer=E-9&stala_einrichtungsnummer=0831150101&interaktionsentwicklung=ja&konzeptionsentwicklung=nein&leitungszeit_umgesetzt=ja&teamentwicklung=ja&ueberzaehlige_gruppen=0&woechentliche_oeffnungszeit=",
                facility.0
            ),
        )),
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    let master = format!("/statistics/kdw/master?facility={}", facility.0);
    let (_, page) = call(&app, Method::GET, &master, Some(&admin), None).await;
    assert!(
        page.contains(r#"id="m-export-staff" name="export_staff" value="on" checked"#),
        "{page}"
    );
    // Nothing entered yet: every person is a missing row naming the training key.
    let c = check().await;
    assert_eq!(c["ready"], false);
    assert_eq!(c["staff"].as_u64(), Some(people.len() as u64));
    let missing = c["missing"].as_array().unwrap();
    assert_eq!(missing.len(), people.len(), "{c}");
    for (row, (id, name)) in missing.iter().zip(&people) {
        assert_eq!(row["record"], format!("staff:{id}"));
        assert_eq!(row["name"], name.as_str());
        assert!(
            row["field"]
                .as_str()
                .unwrap()
                .contains("Berufsausbildungsabschluss"),
            "{row}"
        );
    }

    // A key that is not four digits: a field error of the correction, nothing stored.
    let (last, others) = people.split_last().unwrap();
    let (status, body) = api(
        &traeger,
        &admin,
        "POST",
        "/api/staff/person",
        Some(json!({"staff": last.0, "training_key": "50"})),
    )
    .await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(body["fields"][0]["field"], "training_key", "{body}");
    // Everyone but the last through the API …
    for (id, _) in others {
        let (status, body) = api(
            &traeger,
            &admin,
            "POST",
            "/api/staff/person",
            Some(json!({"staff": id, "sex": "female", "training_key": "5010",
                        "working_days": "5", "leitung_aufgrund_von": "Erzieherin"})),
        )
        .await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(body["statistics"]["training_key"], "5010", "{body}");
        assert_eq!(body["statistics"]["working_days"], 5, "{body}");
    }
    // … the last through the form on /staff, without the training key.
    let (status, body) = call(
        &app,
        Method::POST,
        "/staff/person",
        Some(&admin),
        Some((
            form_type,
            format!(
                "staff={}&sex=diverse&working_days=4&leitung_aufgrund_von=Erzieherin&domestic_technical=nein",
                last.0
            ),
        )),
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    let (_, page) = call(&app, Method::GET, "/staff", Some(&admin), None).await;
    assert!(page.contains("KDW: divers"), "{page}");
    assert!(page.contains("id=\"staff-kdw\""), "{page}");

    // One named row is left: the last person's training key; no file.
    let c = check().await;
    assert_eq!(c["ready"], false);
    let missing = c["missing"].as_array().unwrap();
    assert_eq!(missing.len(), 1, "{c}");
    assert_eq!(missing[0]["record"], format!("staff:{}", last.0));
    assert_eq!(missing[0]["name"], last.1.as_str());
    assert_eq!(
        missing[0]["field"],
        "Höchster Berufsausbildungsabschluss (Schlüssel) / training key"
    );
    assert!(c["errors"].as_array().unwrap().is_empty(), "{c}");
    let (status, body) = call(
        &app,
        Method::GET,
        &format!("/statistics/kdw.xml?{query}"),
        Some(&admin),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");

    // The key entered on the form: the check passes and the XML carries every person.
    let (status, body) = call(
        &app,
        Method::POST,
        "/staff/person",
        Some(&admin),
        Some((form_type, format!("staff={}&training_key=5010", last.0))),
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    let c = check().await;
    assert_eq!(c["ready"], true, "{c}");
    assert_eq!(c["staff"].as_u64(), Some(people.len() as u64));
    let (status, xml) = call(
        &app,
        Method::GET,
        &format!("/statistics/kdw.xml?{query}"),
        Some(&admin),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{xml}");
    assert_eq!(xml.matches("<Mitarbeiter ").count(), people.len(), "{xml}");
    for (id, _) in &people {
        assert!(xml.contains(&format!("id=\"{id}\"")), "{id}: {xml}");
    }
    assert_eq!(
        xml.matches("<Berufsausbildungsabschluss>5010</Berufsausbildungsabschluss>")
            .count(),
        people.len()
    );
    assert!(xml.contains("<Arbeitstage>4</Arbeitstage>"), "{xml}");
    // The option off again: no staff in the file.
    let (status, _) = call(
        &app,
        Method::POST,
        "/statistics/kdw/master",
        Some(&admin),
        Some((
            form_type,
            format!(
                "facility={}&state=Baden-W%C3%BCrttemberg&einrichtungsnummer=E-9&stala_einrichtungsnummer=0831150101&interaktionsentwicklung=ja&konzeptionsentwicklung=nein&leitungszeit_umgesetzt=ja&teamentwicklung=ja&ueberzaehlige_gruppen=0&woechentliche_oeffnungszeit=",
                facility.0
            ),
        )),
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, xml) = call(
        &app,
        Method::GET,
        &format!("/statistics/kdw.xml?{query}"),
        Some(&admin),
        None,
    )
    .await;
    assert!(!xml.contains("<Mitarbeiter "), "{xml}");
}
