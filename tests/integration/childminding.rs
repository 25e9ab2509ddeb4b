//! Kindertagespflege on the city node: the BVS-KTP registers a childminder, follows up her
//! proofs, places children within her permit's places and computes the month's running
//! payment. Every figure below is worked out by hand from the rules (RULES.md §5, the example
//! amount table of `kitanetz-tagespflege`), not by calling the code under test.

use kitanetz_crdt::ids::{city_org, provider_org};
use kitanetz_crdt::policy::NodeRole;
use kitanetz_node::auth::Role;
use kitanetz_tests::{add_user, api, Network};
use serde_json::{json, Value};

fn row<'a>(list: &'a Value, key: &str, id: &str) -> &'a Value {
    list[key]
        .as_array()
        .expect("a list")
        .iter()
        .find(|r| r["id"] == id || r["childminder"] == id)
        .unwrap_or_else(|| panic!("{id} in {key}: {list}"))
}

fn fields(answer: &Value) -> Vec<String> {
    answer["fields"]
        .as_array()
        .map(|f| {
            f.iter()
                .map(|e| e["field"].as_str().unwrap_or_default().to_string())
                .collect()
        })
        .unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_bvs_registers_a_childminder_places_children_and_computes_the_payment() {
    let net = Network::seeded();
    let city = net.open(&net.config(|c| c.role == NodeRole::City).name);
    let bvs = add_user(&city, "t-bvs", Role::BvsKtp, city_org(), None, None);
    let zvs = add_user(&city, "t-zvs", Role::Zvs, city_org(), None, None);
    let fee = add_user(&city, "t-fee", Role::FeeOffice, city_org(), None, None);

    // Register: permit from 1 January 2026 for three places, five years by the rules.
    let new = json!({
        "name": "Maria Test", "street": "Teststraße 1", "postcode": "01099", "city": "Dresden",
        "district": "Neustadt", "phone": "0351 123", "email": "maria@example.com",
        "start": "2026-01-01", "places": "3"
    });
    let (status, profile) = api(
        &city,
        &bvs.token,
        "POST",
        "/api/tagespflege",
        Some(new.clone()),
    )
    .await;
    assert_eq!(status, 201, "{profile}");
    let id = profile["id"].as_str().unwrap().to_string();
    assert_eq!(profile["places"], 3);
    assert_eq!(profile["listed_online"], false);
    let (status, again) = api(&city, &bvs.token, "POST", "/api/tagespflege", Some(new)).await;
    assert_eq!((status, fields(&again)), (422, vec!["name".to_string()]));
    let (status, _) = api(
        &city,
        &zvs.token,
        "POST",
        "/api/tagespflege",
        Some(json!({})),
    )
    .await;
    assert_eq!(
        status, 403,
        "the ZVS reads the register, it does not keep it"
    );
    let (status, _) = api(&city, &fee.token, "GET", "/api/tagespflege", None).await;
    assert_eq!(status, 403);

    // The register: the permit runs through 31.12.2030; the three required proofs are missing.
    let (status, reg) = api(&city, &zvs.token, "GET", "/api/tagespflege", None).await;
    assert_eq!(status, 200, "{reg}");
    let me = row(&reg, "rows", &id);
    assert_eq!(me["places"], 3);
    assert_eq!(me["permit_until"], "31.12.2030");
    assert_eq!(me["children_today"], 0);
    assert_eq!(me["attention"], "fehlt");
    let mine: Vec<&Value> = reg["due"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|w| w["childminder"] == id.as_str())
        .collect();
    assert_eq!(mine.len(), 3, "{mine:?}");
    assert!(mine.iter().all(|w| w["state"] == "fehlt"));
    // The seeded first childminder's health certificate is due for renewal.
    let seeded = &net.world.childminders[0].id.0;
    assert!(
        reg["due"]
            .as_array()
            .unwrap()
            .iter()
            .any(|w| w["childminder"] == seeded.as_str()
                && w["subject"] == "Gesundheitszeugnis"
                && w["state"] == "Erneuerung fällig"),
        "{reg}"
    );

    // A first-aid course from March: valid. A proof from the future is refused.
    let proof =
        |kind: &str, issued: &str| json!({"childminder": id, "kind": kind, "issued_on": issued});
    let (status, _) = api(
        &city,
        &bvs.token,
        "POST",
        "/api/tagespflege/proofs",
        Some(proof("first_aid", "2026-03-01")),
    )
    .await;
    assert_eq!(status, 201);
    let (status, refused) = api(
        &city,
        &bvs.token,
        "POST",
        "/api/tagespflege/proofs",
        Some(proof("health_certificate", "2026-12-01")),
    )
    .await;
    assert_eq!(
        (status, fields(&refused)),
        (422, vec!["issued_on".to_string()])
    );

    // Children: A (7.5 h → the 8-hour tier) since February, B (4 h → 4.5-hour tier) from
    // 16 November, C reserved from December (9 h).
    let place = |given: &str,
                 born: &str,
                 kind: &str,
                 start: &str,
                 end: &str,
                 hours: &str,
                 substitute_for: &str| {
        json!({
            "childminder": id, "child_given_name": given, "child_family_name": "Kind",
            "birth_date": born, "kind": kind, "start": start, "end": end,
            "daily_hours": hours, "substitute_for": substitute_for
        })
    };
    let mut placed = Vec::new();
    for body in [
        place(
            "Anna",
            "2025-03-10",
            "agreement",
            "2026-02-01",
            "",
            "7,5",
            "",
        ),
        place(
            "Bruno",
            "2025-06-01",
            "agreement",
            "2026-11-16",
            "",
            "4",
            "",
        ),
        place(
            "Clara",
            "2025-09-01",
            "reservation",
            "2026-12-01",
            "",
            "9",
            "",
        ),
    ] {
        let (status, p) = api(
            &city,
            &bvs.token,
            "POST",
            "/api/tagespflege/placements",
            Some(body),
        )
        .await;
        assert_eq!(status, 201, "{p}");
        placed.push(p["id"].as_str().unwrap().to_string());
    }
    // Substitute care in December would make four children for three places.
    let (status, refused) = api(
        &city,
        &bvs.token,
        "POST",
        "/api/tagespflege/placements",
        Some(place(
            "Dora",
            "2025-01-01",
            "substitute",
            "2026-12-10",
            "2026-12-12",
            "8",
            seeded,
        )),
    )
    .await;
    assert_eq!(status, 422, "{refused}");
    let message = refused["fields"][0]["message"].as_str().unwrap();
    assert!(
        message.contains("schon 3 Kinder bei 3 Plätzen")
            && message.contains("Anna Kind")
            && message.contains("Clara Kind"),
        "{message}"
    );
    // Substitute care without naming the regular childminder is refused; on 20 November
    // (Anna and Bruno there) it fits.
    let (status, refused) = api(
        &city,
        &bvs.token,
        "POST",
        "/api/tagespflege/placements",
        Some(place(
            "Dora",
            "2025-01-01",
            "substitute",
            "2026-11-20",
            "2026-11-20",
            "8",
            "",
        )),
    )
    .await;
    assert_eq!(
        (status, fields(&refused)),
        (422, vec!["substitute_for".to_string()])
    );
    let (status, dora) = api(
        &city,
        &bvs.token,
        "POST",
        "/api/tagespflege/placements",
        Some(place(
            "Dora",
            "2025-01-01",
            "substitute",
            "2026-11-20",
            "2026-11-20",
            "8",
            seeded,
        )),
    )
    .await;
    assert_eq!(status, 201, "{dora}");

    // Absences: a week's vacation announced in time (paid), an unexcused Monday (unpaid);
    // an overlapping vacation is refused.
    let absence = |kind: &str, from: &str, until: &str, met: bool| json!({"childminder": id, "kind": kind, "from": from, "until": until, "condition_met": met});
    for body in [
        absence("vacation", "2026-11-23", "2026-11-27", true),
        absence("other", "2026-11-30", "2026-11-30", true),
    ] {
        let (status, a) = api(
            &city,
            &bvs.token,
            "POST",
            "/api/tagespflege/absences",
            Some(body),
        )
        .await;
        assert_eq!(status, 201, "{a}");
    }
    let (status, refused) = api(
        &city,
        &bvs.token,
        "POST",
        "/api/tagespflege/absences",
        Some(absence("vacation", "2026-11-25", "2026-11-26", true)),
    )
    .await;
    assert_eq!((status, fields(&refused)), (422, vec!["from".to_string()]));

    // November's payment, by hand (example table: 4.5 h 330 €, 8 h 585 €):
    //   Anna 585.00 (whole month); Bruno 330 × 15/30 = 165.00; Dora 585 × 1/30 = 19.50;
    //   subtotal 769.50. Care days: 21 weekdays less Buß- und Bettag (18 Nov) = 20; one unpaid
    //   day: 769.50 × 1/20 = 38.475 → 38.48; total 731.02.
    let (status, file) = api(
        &city,
        &bvs.token,
        "GET",
        &format!("/api/tagespflege/{id}?month=2026-11"),
        None,
    )
    .await;
    assert_eq!(status, 200, "{file}");
    let pay = &file["payment"];
    let amounts: Vec<(&str, &str, &str)> = pay["lines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            (
                l["child"].as_str().unwrap(),
                l["tier_hours"].as_str().unwrap(),
                l["amount"].as_str().unwrap(),
            )
        })
        .collect();
    let mut amounts = amounts;
    amounts.sort();
    assert_eq!(
        amounts,
        [
            ("Anna Kind", "8", "585.00"),
            ("Bruno Kind", "4.5", "165.00"),
            ("Dora Kind", "8", "19.50")
        ]
    );
    assert_eq!(pay["subtotal"], "769.50");
    assert_eq!(pay["deduction"][0], "38.48");
    assert_eq!(pay["total"], "731.02");
    assert_eq!(pay["example_table"], true);
    // The year's allowances: 26 vacation days (a full year), 5 used; 10 sick days, none used.
    let allowance = |label: &str| {
        file["allowances"]
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["label"] == label)
            .cloned()
            .unwrap()
    };
    assert_eq!(
        (
            allowance("Urlaub")["days"].clone(),
            allowance("Urlaub")["used"].clone()
        ),
        (json!(26), json!(5))
    );
    assert_eq!(
        (
            allowance("Krankheit")["days"].clone(),
            allowance("Krankheit")["used"].clone()
        ),
        (json!(10), json!(0))
    );
    // No capacity conflict: the refused placement stored nothing.
    assert_eq!(file["over_capacity"], json!([]));
    assert_eq!(file["placements"].as_array().unwrap().len(), 4);

    // A reservation has no Förderbescheid yet.
    let router = kitanetz_node::http::router(city.clone());
    let decision = format!("/tagespflege/{id}/placements/{}/decision.pdf", placed[2]);
    let (status, _) = kitanetz_tests::call(
        &router,
        "GET".parse().unwrap(),
        &decision,
        Some(&bvs.token),
        None,
    )
    .await;
    assert_eq!(status, 409);
    // The parents take the reserved place; a second time is a conflict.
    let change = |placement: &str, until: &str| json!({"placement": placement, "until": until});
    let (status, clara) = api(
        &city,
        &bvs.token,
        "POST",
        "/api/tagespflege/placements/agree",
        Some(change(&placed[2], "")),
    )
    .await;
    assert_eq!((status, clara["kind"].as_str()), (200, Some("agreement")));
    let (status, _) = api(
        &city,
        &bvs.token,
        "POST",
        "/api/tagespflege/placements/agree",
        Some(change(&placed[2], "")),
    )
    .await;
    assert_eq!(status, 409);
    // Now it has one, for the BVS only.
    let (status, pdf) = kitanetz_tests::call(
        &router,
        "GET".parse().unwrap(),
        &decision,
        Some(&bvs.token),
        None,
    )
    .await;
    assert_eq!(status, 200);
    assert!(pdf.starts_with("%PDF"));
    let (status, _) = kitanetz_tests::call(
        &router,
        "GET".parse().unwrap(),
        &decision,
        Some(&zvs.token),
        None,
    )
    .await;
    assert_eq!(status, 403);
    // Bruno's care ends; an end before it began is refused.
    let (status, refused) = api(
        &city,
        &bvs.token,
        "POST",
        "/api/tagespflege/placements/end",
        Some(change(&placed[1], "2026-11-10")),
    )
    .await;
    assert_eq!((status, fields(&refused)), (422, vec!["until".to_string()]));
    let (status, bruno) = api(
        &city,
        &bvs.token,
        "POST",
        "/api/tagespflege/placements/end",
        Some(change(&placed[1], "2026-12-31")),
    )
    .await;
    assert_eq!(
        (status, bruno["period"]["end"].as_str()),
        (200, Some("2026-12-31"))
    );

    // The month's list of all childminders carries her total; the page and the Excel file too.
    let (status, list) = api(
        &city,
        &zvs.token,
        "GET",
        "/api/tagespflege/payments?month=2026-11",
        None,
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(row(&list, "rows", &id)["total"], "731.02");
    assert_eq!(row(&list, "rows", &id)["children"], 3);
    let (status, page) = kitanetz_tests::call(
        &router,
        "GET".parse().unwrap(),
        &format!("/tagespflege/{id}?month=2026-11"),
        Some(&bvs.token),
        None,
    )
    .await;
    assert_eq!(status, 200);
    assert!(
        page.contains("731.02")
            && page.contains("Maria Test")
            && page.contains("id=\"place-child\"")
    );
    let (status, xlsx) = kitanetz_tests::call(
        &router,
        "GET".parse().unwrap(),
        "/tagespflege/payments.xlsx?month=2026-11",
        Some(&zvs.token),
        None,
    )
    .await;
    assert_eq!(status, 200);
    assert!(xlsx.starts_with("PK"), "an xlsx is a zip");
    // Insurance refunds (annex K), each decided for 2026 from the form's fields, by hand:
    //   health: round(1248.33 × (14.6 + 3.6) %) = 227.20 ≤ proven 227.20, half 113.60 a month,
    //     entitled from September, paid from November: back-payment 2 × 113.60 = 227.20;
    //   pension: (298.50) / 2 = 149.25, capped at 3 places × 40 € = 120.00 from November;
    //   accident: min(88.20, 97.43) = 88.20 once, in the month decided (November).
    let refund = |body: Value| {
        let mut body = body;
        body["childminder"] = json!(id);
        body["year"] = json!("2026");
        body
    };
    let (status, health) = api(&city, &bvs.token, "POST", "/api/tagespflege/refunds", Some(refund(json!({
        "kind": "health", "entitlement_from": "2026-09", "payment_from": "2026-11",
        "minimum_base": "1248,33", "health_rate": "14,6", "care_rate": "3,6", "proven_contribution": "227.20"
    })))).await;
    assert_eq!(status, 201, "{health}");
    assert_eq!(
        health["back_payment"],
        "227,20 € für 2 Monate (09/2026–10/2026)"
    );
    assert_eq!(health["running"], "113,60 € monatlich ab 11/2026");
    let (status, pension) = api(
        &city,
        &bvs.token,
        "POST",
        "/api/tagespflege/refunds",
        Some(refund(json!({
            "kind": "pension", "entitlement_from": "2026-11", "payment_from": "2026-11",
            "monthly_taxable_income": "1500", "statutory_contribution": "298.50"
        }))),
    )
    .await;
    assert_eq!(status, 201, "{pension}");
    assert_eq!(pension["running"], "120,00 € monatlich ab 11/2026");
    let (status, accident) = api(
        &city,
        &bvs.token,
        "POST",
        "/api/tagespflege/refunds",
        Some(refund(json!({
            "kind": "accident", "assessed_contribution": "88.20", "statutory_minimum": "97.43"
        }))),
    )
    .await;
    assert_eq!(status, 201, "{accident}");
    // A health refund without its rate names the field; nothing is stored.
    let (status, refused) = api(
        &city,
        &bvs.token,
        "POST",
        "/api/tagespflege/refunds",
        Some(refund(json!({
            "kind": "health", "entitlement_from": "2026-09", "payment_from": "2026-11",
            "minimum_base": "1248.33", "care_rate": "3.6", "proven_contribution": "227.20"
        }))),
    )
    .await;
    assert_eq!(
        (status, fields(&refused)),
        (422, vec!["health_rate".to_string()])
    );
    let (_, file) = api(
        &city,
        &bvs.token,
        "GET",
        &format!("/api/tagespflege/{id}?month=2026-11"),
        None,
    )
    .await;
    assert_eq!(file["refunds"].as_array().unwrap().len(), 3);
    // November: 113.60 + 227.20 + 120.00 + 88.20 = 549.00 on top of the 731.02.
    assert_eq!(file["payment"]["refunds"], "549.00");
    assert_eq!(file["payment"]["payout"], "1280.02");
    let (_, december) = api(
        &city,
        &bvs.token,
        "GET",
        &format!("/api/tagespflege/{id}?month=2026-12"),
        None,
    )
    .await;
    assert_eq!(
        december["payment"]["refunds"], "233.60",
        "only the running amounts: 113.60 + 120.00"
    );
    let (_, list) = api(
        &city,
        &zvs.token,
        "GET",
        "/api/tagespflege/payments?month=2026-11",
        None,
    )
    .await;
    assert_eq!(row(&list, "rows", &id)["payout"], "1280.02");

    // One-off grants, paid with the month decided (TPP agreement §§ 7–8), by hand:
    //   equipment for 2 new places: 2 × 100 = 200.00; training 150 € → 50 % = 75.00; a second
    //   training 100 € → 50.00, but only 100 − 75 = 25.00 left this year; replacement 180 € for
    //   the permit's 3 places (up to 300 € a year) → 180.00; 2 places typed for equipment of 6
    //   are refused.
    for (body, granted) in [
        (json!({"kind": "equipment", "places": "2"}), "200.00"),
        (json!({"kind": "training", "amount": "150"}), "75.00"),
        (json!({"kind": "training", "amount": "100,00"}), "25.00"),
        (json!({"kind": "replacement", "amount": "180"}), "180.00"),
    ] {
        let mut body = body;
        body["childminder"] = json!(id);
        let (status, grant) = api(
            &city,
            &bvs.token,
            "POST",
            "/api/tagespflege/grants",
            Some(body),
        )
        .await;
        assert_eq!(
            (status, grant["granted"].as_str()),
            (201, Some(granted)),
            "{grant}"
        );
    }
    let (status, refused) = api(
        &city,
        &bvs.token,
        "POST",
        "/api/tagespflege/grants",
        Some(json!({"childminder": id, "kind": "equipment", "places": "6"})),
    )
    .await;
    assert_eq!(
        (status, fields(&refused)),
        (422, vec!["places".to_string()])
    );
    let (_, file) = api(
        &city,
        &bvs.token,
        "GET",
        &format!("/api/tagespflege/{id}?month=2026-11"),
        None,
    )
    .await;
    assert_eq!(file["grants"].as_array().unwrap().len(), 4);
    // 549.00 refunds + 480.00 grants; payout 731.02 + 1029.00.
    assert_eq!(file["payment"]["refunds"], "1029.00");
    assert_eq!(file["payment"]["payout"], "1760.02");
    // The payout file for the finance system: her record as the list shows it, amounts with a
    // decimal comma; the export is audited.
    let (status, csv) = kitanetz_tests::call(
        &router,
        "GET".parse().unwrap(),
        "/tagespflege/payments.csv?month=2026-11",
        Some(&bvs.token),
        None,
    )
    .await;
    assert_eq!(status, 200);
    let mut lines = csv.split("\r\n");
    assert_eq!(
        lines.next(),
        Some("Auszahlungsmonat;Aktenzeichen;Name;IBAN;Geldleistung;Abzug;Erstattungen;Zuschuesse;Auszahlung;Erlaeuterung")
    );
    let mine = lines
        .find(|l| l.contains(&format!(";{id};")))
        .unwrap_or_else(|| panic!("{id} in {csv}"));
    let fields: Vec<&str> = mine.split(';').collect();
    assert_eq!(
        fields[..9],
        [
            "2026-11",
            id.as_str(),
            "Maria Test",
            "",
            "769,50",
            "38,48",
            "549,00",
            "480,00",
            "1760,02"
        ]
    );
    assert_eq!(
        fields[9],
        "3 Kinder | Abzug 38,48 € für Abwesenheitstage ohne Fortzahlung | \
         Kranken- und Pflegeversicherung (hälftig): 113,60 € laufend | \
         Kranken- und Pflegeversicherung (hälftig): 227,20 € Nachzahlung für 2 Monate | \
         Alterssicherung (hälftig, bis 40 € je Platz): 120,00 € laufend | \
         Unfallversicherung 2026: 88,20 € einmalig | \
         Ausstattung neuer Plätze (100 € je Platz): 200,00 € einmalig | \
         Fortbildung (50 %, bis 100 € im Jahr): 75,00 € einmalig | \
         Fortbildung (50 %, bis 100 € im Jahr): 25,00 € einmalig | \
         Ersatzbeschaffung (bis 100 € je Platz und Jahr): 180,00 € einmalig"
    );
    assert!(!mine.contains("Anna"), "no child names: {mine}");
    let (status, _) = kitanetz_tests::call(
        &router,
        "GET".parse().unwrap(),
        "/tagespflege/payments.csv?month=11/2026",
        Some(&bvs.token),
        None,
    )
    .await;
    assert_eq!(status, 400, "a month that does not read, as on the list");
    let audited: i64 = city
        .store()
        .conn()
        .query_row(
            "SELECT COUNT(*) FROM audit_log WHERE action = 'tagespflege.payout_file'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(audited, 1);
    // Each decided refund and grant has its Bescheid, for the office only; another file's
    // entry or an unknown one is not found.
    let refund_id = file["refunds"][0]["id"].as_str().unwrap().to_string();
    let grant_id = file["grants"][1]["id"].as_str().unwrap().to_string();
    for (path, token, expected) in [
        (
            format!("/tagespflege/{id}/refunds/{refund_id}/decision.pdf"),
            &bvs.token,
            200,
        ),
        (
            format!("/tagespflege/{id}/grants/{grant_id}/decision.pdf"),
            &bvs.token,
            200,
        ),
        (
            format!("/tagespflege/{id}/refunds/{grant_id}/decision.pdf"),
            &bvs.token,
            404,
        ),
        (
            format!("/tagespflege/{id}/grants/e-none/decision.pdf"),
            &bvs.token,
            404,
        ),
        (
            format!("/tagespflege/{id}/grants/{grant_id}/decision.pdf"),
            &zvs.token,
            403,
        ),
    ] {
        let (status, pdf) =
            kitanetz_tests::call(&router, "GET".parse().unwrap(), &path, Some(token), None).await;
        assert_eq!(status, expected, "{path}");
        if expected == 200 {
            assert!(pdf.starts_with("%PDF"), "{path}");
        }
    }
    let (_, page) = kitanetz_tests::call(
        &router,
        "GET".parse().unwrap(),
        &format!("/tagespflege/{id}"),
        Some(&bvs.token),
        None,
    )
    .await;
    assert!(page.contains(&format!("/refunds/{refund_id}/decision.pdf")));
    assert!(page.contains(&format!("/grants/{grant_id}/decision.pdf")));

    // The ZVS reads the file without the forms.
    let (_, page) = kitanetz_tests::call(
        &router,
        "GET".parse().unwrap(),
        &format!("/tagespflege/{id}"),
        Some(&zvs.token),
        None,
    )
    .await;
    assert!(!page.contains("id=\"place-child\""));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_register_is_kept_only_where_childminding_is_and_stays_there() {
    let net = Network::seeded();
    let traeger = net.config(|c| c.role == NodeRole::Traeger);
    let provider = traeger.provider.clone().unwrap();
    let node = net.open(&traeger.name);
    let admin = add_user(
        &node,
        "t-admin",
        Role::TraegerAdmin,
        provider_org(&provider),
        Some(provider.clone()),
        None,
    );
    let bvs = add_user(&node, "t-bvs", Role::BvsKtp, city_org(), None, None);
    let (status, _) = api(&node, &admin.token, "GET", "/api/tagespflege", None).await;
    assert_eq!(status, 403);
    let (status, _) = api(&node, &bvs.token, "GET", "/api/tagespflege", None).await;
    assert_eq!(status, 404, "not on a Träger's node");

    // The seeded files are personal documents of the city: no Träger or Kita node holds them.
    let kinds = |node: &kitanetz_node::Node| -> Vec<String> {
        node.store()
            .doc_rows()
            .unwrap()
            .into_iter()
            .map(|r| r.kind.to_string())
            .filter(|k| k.starts_with("childminder-"))
            .collect()
    };
    let city = net.open(&net.config(|c| c.role == NodeRole::City).name);
    let at_city = kinds(&city);
    assert!(at_city.iter().any(|k| k == "childminder-case"));
    assert!(at_city.iter().any(|k| k == "childminder-placement"));
    for config in net.configs.iter().filter(|c| c.role != NodeRole::City) {
        let other = net.open(&config.name);
        assert!(
            kinds(&other).iter().all(|k| k == "childminder-profile"),
            "{} holds a childminder's file",
            config.name
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_city_loads_its_own_amount_table_and_a_broken_one_stops_the_start() {
    use kitanetz_node::config::{NodeConfig, TagespflegeSection};
    let net = Network::seeded();
    let name = net.config(|c| c.role == NodeRole::City).name.clone();
    let dir = net.node_dir(&name);
    let mut config = NodeConfig::load(&dir).unwrap();
    config.tagespflege = Some(TagespflegeSection {
        amount_table: Some("amounts.json".into()),
    });
    config.write(&dir).unwrap();
    let table = |tier8: &str| {
        json!([{
            "id": "dresden-2026", "valid_from": "2026-01-01", "source": "Stadtratsbeschluss (test)",
            "example": false,
            "tiers": [{"up_to_hours": "6", "monthly": "450.00"}, {"up_to_hours": "8", "monthly": tier8}]
        }])
        .to_string()
    };
    // An amount that is no number: the start stops and names the file.
    std::fs::write(dir.join("amounts.json"), table("xyz")).unwrap();
    let error = kitanetz_node::Node::open(&dir, std::sync::Arc::new(net.clock.clone()))
        .err()
        .expect("a broken table is refused")
        .to_string();
    assert!(
        error.contains("[tagespflege] amount_table") && error.contains("amounts.json"),
        "{error}"
    );

    std::fs::write(dir.join("amounts.json"), table("612.40")).unwrap();
    let city = net.open(&name);
    let bvs = add_user(&city, "t-bvs", Role::BvsKtp, city_org(), None, None);
    let (status, profile) = api(&city, &bvs.token, "POST", "/api/tagespflege", Some(json!({
        "name": "Tabea Tabelle", "street": "Tabellenweg 2", "postcode": "01099", "city": "Dresden",
        "district": "Neustadt", "start": "2026-01-01", "places": "5"
    }))).await;
    assert_eq!(status, 201, "{profile}");
    let id = profile["id"].as_str().unwrap();
    let (status, p) = api(&city, &bvs.token, "POST", "/api/tagespflege/placements", Some(json!({
        "childminder": id, "child_given_name": "Tim", "child_family_name": "Tabelle",
        "birth_date": "2025-05-05", "kind": "agreement", "start": "2026-10-01", "daily_hours": "7"
    }))).await;
    assert_eq!(status, 201, "{p}");
    let (_, file) = api(
        &city,
        &bvs.token,
        "GET",
        &format!("/api/tagespflege/{id}?month=2026-11"),
        None,
    )
    .await;
    assert_eq!(
        file["payment"]["total"], "612.40",
        "7 h fall in the 8-hour tier of the city's table"
    );
    assert_eq!(file["payment"]["example_table"], false);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_application_wishing_childminding_is_reserved_and_placed_by_the_agreement() {
    use kitanetz_crdt::kinds::{Applicant, Application};
    let net = Network::seeded();
    let city = net.open(&net.config(|c| c.role == NodeRole::City).name);
    let router = kitanetz_node::http::router(city.clone());
    let bvs = add_user(&city, "t-bvs", Role::BvsKtp, city_org(), None, None);
    let zvs = add_user(&city, "t-zvs", Role::Zvs, city_org(), None, None);
    let district = net.world.childminders[0].district.clone();
    let kita = &net.world.facilities[0].profile.id;

    // The ZVS enters an application: Kindertagespflege first, a Kita second.
    let form = [
        ("child1_given_name", "Lotte"),
        ("child1_family_name", "Wunsch"),
        ("child1_birth_date", "2025-12-01"),
        ("child1_sex", "female"),
        ("guardian_given_name", "Paula"),
        ("guardian_family_name", "Wunsch"),
        ("street", "Wilsdruffer Straße 1"),
        ("postcode", "01067"),
        ("city", "Dresden"),
        ("phone", "0351 1"),
        ("desired_start", "2027-02-01"),
        ("daily_hours", "6"),
        ("wish1", "tagespflege"),
        ("childminding_district", district.as_str()),
        ("wish2", &format!("f:{}", kita.0)),
        ("notify", "post"),
        ("consent_data_processing", "on"),
        ("consent_forwarding", "on"),
        ("consent_terms", "on"),
    ];
    let body = form
        .iter()
        .map(|(k, v)| format!("{k}={}", urlencoding(v)))
        .collect::<Vec<_>>()
        .join("&");
    let (status, page) = kitanetz_tests::call(
        &router,
        "POST".parse().unwrap(),
        "/intake/new",
        Some(&zvs.token),
        Some(("application/x-www-form-urlencoded", body)),
    )
    .await;
    let errors: Vec<&str> = page
        .split("<li>")
        .skip(1)
        .map(|l| l.split("</li>").next().unwrap_or_default())
        .collect();
    assert!(status.is_redirection(), "{status}: {errors:?}");

    // It is on the office's requests: first of two wishes, 6 hours from 01.02.2027.
    let (status, requests) = api(&city, &bvs.token, "GET", "/api/tagespflege/requests", None).await;
    assert_eq!(status, 200, "{requests}");
    let request = requests
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["child"] == "Wunsch, Lotte")
        .unwrap_or_else(|| panic!("{requests}"))
        .clone();
    assert_eq!(request["rank"], "1. von 2");
    assert_eq!(request["desired_start"], "01.02.2027");
    assert_eq!(request["district"], district.as_str());
    assert_eq!(request["placed_with"], Value::Null);
    let application = request["application"].as_str().unwrap().to_string();

    // A childminder with room; the reservation takes the application's child and hours.
    let (_, profile) = api(&city, &bvs.token, "POST", "/api/tagespflege", Some(json!({
        "name": "Rosa Reserviert", "street": "Rosenweg 3", "postcode": "01099", "city": "Dresden",
        "district": district, "start": "2026-06-01", "places": "4"
    }))).await;
    let childminder = profile["id"].as_str().unwrap().to_string();
    let reserve = json!({"application": application, "childminder": childminder});
    let (status, placement) = api(
        &city,
        &bvs.token,
        "POST",
        "/api/tagespflege/requests/reserve",
        Some(reserve.clone()),
    )
    .await;
    assert_eq!(status, 201, "{placement}");
    assert_eq!(placement["kind"], "reservation");
    assert_eq!(placement["child_given_name"], "Lotte");
    assert_eq!(placement["birth_date"], "2025-12-01");
    assert_eq!(placement["daily_hours"], "6");
    assert_eq!(placement["period"]["start"], "2027-02-01");
    let (status, _) = api(
        &city,
        &bvs.token,
        "POST",
        "/api/tagespflege/requests/reserve",
        Some(reserve.clone()),
    )
    .await;
    assert_eq!(status, 409, "one reservation per application");
    // The parents decline it: the reservation is withdrawn (its document erased) and the
    // application is open again; a new reservation follows.
    let (status, _) = api(
        &city,
        &bvs.token,
        "POST",
        "/api/tagespflege/placements/end",
        Some(json!({"placement": placement["id"], "until": ""})),
    )
    .await;
    assert_eq!(status, 200);
    let erased: kitanetz_crdt::ids::ChildminderPlacementId =
        placement["id"].as_str().unwrap().parse().unwrap();
    assert!(city
        .store()
        .is_erased(&kitanetz_node::tagespflege::placement_doc_id(&erased))
        .unwrap());
    let (_, requests) = api(&city, &bvs.token, "GET", "/api/tagespflege/requests", None).await;
    let row = requests
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["application"] == application.as_str())
        .unwrap();
    assert_eq!(row["placed_with"], Value::Null);
    let (status, placement) = api(
        &city,
        &bvs.token,
        "POST",
        "/api/tagespflege/requests/reserve",
        Some(reserve.clone()),
    )
    .await;
    assert_eq!(status, 201, "{placement}");
    let (_, requests) = api(&city, &bvs.token, "GET", "/api/tagespflege/requests", None).await;
    let row = requests
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["application"] == application.as_str())
        .unwrap();
    assert_eq!(row["placed_with"], "Rosa Reserviert");

    // The parents agree: the application is placed, the Kita wish placed elsewhere, the
    // parents' history tells both steps; it leaves the requests.
    let (status, agreed) = api(
        &city,
        &bvs.token,
        "POST",
        "/api/tagespflege/placements/agree",
        Some(json!({"placement": placement["id"]})),
    )
    .await;
    assert_eq!(status, 200, "{agreed}");
    let app_id: kitanetz_crdt::ids::ApplicationId = application.parse().unwrap();
    let (_, app) = city
        .store()
        .get::<Application>(&kitanetz_node::seats::application_doc_id(&app_id))
        .unwrap();
    assert_eq!(app.status, "placed");
    assert!(
        app.wishes.iter().all(|w| w.status == "placed-elsewhere"),
        "{:?}",
        app.wishes
    );
    let (_, applicant) = city
        .store()
        .get::<Applicant>(&kitanetz_crdt::ids::doc_id_for("applicant", &application))
        .unwrap();
    let history: Vec<&str> = applicant.history.iter().map(|e| e.what.as_str()).collect();
    assert!(
        history
            .iter()
            .any(|h| h.contains("bei Rosa Reserviert ab 01.02.2027 reserviert")),
        "{history:?}"
    );
    assert!(
        history
            .iter()
            .any(|h| h.contains("in Kindertagespflege vermittelt")),
        "{history:?}"
    );
    let (_, requests) = api(&city, &bvs.token, "GET", "/api/tagespflege/requests", None).await;
    assert!(requests
        .as_array()
        .unwrap()
        .iter()
        .all(|r| r["application"] != application.as_str()));
    let (status, _) = api(
        &city,
        &bvs.token,
        "POST",
        "/api/tagespflege/requests/reserve",
        Some(reserve),
    )
    .await;
    assert_eq!(status, 409, "a placed application takes no reservation");
}

/// Form encoding of one value (the few characters these tests use).
fn urlencoding(v: &str) -> String {
    v.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b':' => {
                (b as char).to_string()
            }
            b' ' => "+".to_string(),
            other => format!("%{other:02X}"),
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn annex_k_health_refund_decided_from_its_case_file_pays_the_back_payment_once() {
    let net = Network::seeded();
    let city = net.open(&net.config(|c| c.role == NodeRole::City).name);
    let bvs = add_user(&city, "t-bvs", Role::BvsKtp, city_org(), None, None);
    let id = net.world.childminders[1].id.0.clone();
    // Annex K's worked example (seed 004 L29545–29640), as shared/formats shows it.
    let case = json!({ "format": "kitanetz-tagespflege-refund-case/1", "kind": "health",
      "entitlement_from": "2009-11", "payment_from": "2010-09",
      "health": { "childless": false, "years": [
        { "year": 2009, "minimum_base": "840.00", "health_rate": "14.3", "care_rate": "1.95",
          "proven_contribution": "136.50" },
        { "year": 2010, "minimum_base": "851.67", "health_rate": "14.3", "care_rate": "1.95",
          "proven_contribution": "138.40" } ] } });
    let (status, decided) = api(
        &city,
        &bvs.token,
        "POST",
        "/api/tagespflege/refunds",
        Some(json!({"childminder": id, "case_json": case.to_string()})),
    )
    .await;
    assert_eq!(status, 201, "{decided}");
    assert_eq!(
        decided["back_payment"],
        "690,10 € für 10 Monate (11/2009–08/2010)"
    );
    assert_eq!(decided["running"], "69,20 € monatlich ab 09/2010");
    let refunds = |month: &'static str| {
        let city = city.clone();
        let token = bvs.token.clone();
        let id = id.clone();
        async move {
            let (_, file) = api(
                &city,
                &token,
                "GET",
                &format!("/api/tagespflege/{id}?month={month}"),
                None,
            )
            .await;
            file["payment"]["refunds"].as_str().unwrap().to_string()
        }
    };
    assert_eq!(refunds("2010-08").await, "0.00");
    assert_eq!(refunds("2010-09").await, "759.30", "69.20 + 690.10");
    assert_eq!(refunds("2010-10").await, "69.20");
    // A broken case file is refused on the case field, nothing stored.
    let (status, refused) = api(
        &city,
        &bvs.token,
        "POST",
        "/api/tagespflege/refunds",
        Some(json!({"childminder": id, "case_json": "{\"kind\": \"health\"}"})),
    )
    .await;
    assert_eq!(
        (status, fields(&refused)),
        (422, vec!["case_json".to_string()])
    );
    // In German first; the case format's own wording (what the CLI prints) follows.
    let message = refused["fields"][0]["message"].as_str().unwrap();
    assert!(
        message.starts_with("format: fehlt: das Format des Falls – die Erstattung wird so nicht festgesetzt / format: is required"),
        "{message}"
    );
    // The form's page says it next to the field, in German.
    let router = kitanetz_node::http::router(city.clone());
    let (status, page) = kitanetz_tests::call(
        &router,
        "POST".parse().unwrap(),
        &format!("/tagespflege/{id}/refunds"),
        Some(&bvs.token),
        Some((
            "application/x-www-form-urlencoded",
            "csrf=&kind=health&year=2026&entitlement_from=2026-09&payment_from=2026-11&minimum_base=1248,33&health_rate=140&care_rate=3,6&proven_contribution=227,20".into(),
        )),
    )
    .await;
    assert_eq!(status, 422);
    assert!(
        page.contains(
            "health.years[0].health_rate: muss ein Prozentsatz von 0 bis 100 sein, z. B. 14,3"
        ),
        "{page}"
    );
    // Decided refunds read the German way on her file page.
    let (_, page) = kitanetz_tests::call(
        &router,
        "GET".parse().unwrap(),
        &format!("/tagespflege/{id}?month=2010-09"),
        Some(&bvs.token),
        None,
    )
    .await;
    assert!(
        page.contains("69,20 € monatlich ab 09/2010"),
        "the running refund"
    );
    assert!(!page.contains("69.20 €"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_childminder_sees_and_records_only_her_own_file() {
    let net = Network::seeded();
    let city = net.open(&net.config(|c| c.role == NodeRole::City).name);
    let bvs = add_user(&city, "t-bvs", Role::BvsKtp, city_org(), None, None);
    let router = kitanetz_node::http::router(city.clone());
    let mut ids = Vec::new();
    for name in ["Maria Eigen", "Olga Fremd"] {
        let (status, profile) = api(
            &city,
            &bvs.token,
            "POST",
            "/api/tagespflege",
            Some(json!({
                "name": name, "street": "Teststraße 1", "postcode": "01099", "city": "Dresden",
                "district": "Neustadt", "phone": "", "email": "", "start": "2026-01-01", "places": "3"
            })),
        )
        .await;
        assert_eq!(status, 201, "{profile}");
        ids.push(profile["id"].as_str().unwrap().to_string());
    }
    let (me, other) = (&ids[0], &ids[1]);
    let (status, _) = api(
        &city,
        &bvs.token,
        "POST",
        "/api/tagespflege/placements",
        Some(json!({
            "childminder": me, "child_given_name": "Anna", "child_family_name": "Kind",
            "birth_date": "2025-03-10", "kind": "agreement", "start": "2026-02-01", "end": "",
            "daily_hours": "7,5", "substitute_for": ""
        })),
    )
    .await;
    assert_eq!(status, 201);

    // The office creates her login; a short password is refused, nothing stored; one login per
    // childminder.
    let account = |username: &str, password: &str| json!({"childminder": me, "username": username, "password": password});
    let (status, refused) = api(
        &city,
        &bvs.token,
        "POST",
        "/api/tagespflege/accounts",
        Some(account("maria.eigen", "kurz")),
    )
    .await;
    assert_eq!(
        (status, fields(&refused)),
        (422, vec!["password".to_string()])
    );
    let (status, created) = api(
        &city,
        &bvs.token,
        "POST",
        "/api/tagespflege/accounts",
        Some(account("maria.eigen", kitanetz_tests::PASSWORD)),
    )
    .await;
    assert_eq!(
        (status, created["childminder"].as_str()),
        (201, Some(me.as_str()))
    );
    let (status, refused) = api(
        &city,
        &bvs.token,
        "POST",
        "/api/tagespflege/accounts",
        Some(account("maria.zwei", kitanetz_tests::PASSWORD)),
    )
    .await;
    assert_eq!(
        (status, fields(&refused)),
        (422, vec!["username".to_string()])
    );

    // She logs in and sees her own file: her permit, her child, the month's payment, the
    // year's allowances.
    let (status, body) = kitanetz_tests::call(
        &router,
        "POST".parse().unwrap(),
        "/api/login",
        None,
        Some((
            "application/json",
            json!({"username": "maria.eigen", "password": kitanetz_tests::PASSWORD}).to_string(),
        )),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let token = serde_json::from_str::<Value>(&body).unwrap()["token"]
        .as_str()
        .unwrap()
        .to_string();
    // The office chose her first password: she sets her own before she sees anything
    // (`passwords.rs` walks that through the browser).
    let (status, _) = api(&city, &token, "GET", "/api/tagespflege/mine", None).await;
    assert_eq!(status, 403, "a first password is changed first");
    let (status, _) = kitanetz_tests::call(
        &router,
        "POST".parse().unwrap(),
        "/password",
        Some(&token),
        Some((
            "application/x-www-form-urlencoded",
            format!(
                "current_password={}&password=ihr-eigenes-passwort&password_repeat=ihr-eigenes-passwort",
                kitanetz_tests::PASSWORD.replace(' ', "+")
            ),
        )),
    )
    .await;
    assert_eq!(status, 200);
    let (status, file) = api(
        &city,
        &token,
        "GET",
        "/api/tagespflege/mine?month=2026-11",
        None,
    )
    .await;
    assert_eq!(status, 200, "{file}");
    assert_eq!(file["profile"]["id"], me.as_str());
    assert_eq!(file["placements"].as_array().unwrap().len(), 1);
    assert_eq!(file["payment"]["lines"][0]["amount"], "585.00");
    assert!(
        !file["watch"].as_array().unwrap().is_empty(),
        "her missing proofs: {file}"
    );

    // Her vacation before Christmas (Monday to Wednesday, recorded ahead: announced, paid);
    // an overlapping one, a kind that is the office's to record and a reversed period are
    // refused on their fields.
    let absence =
        |kind: &str, from: &str, until: &str| json!({"kind": kind, "from": from, "until": until});
    for (body, expected) in [
        (absence("sick", "2026-12-22", "2026-12-22"), None),
        (
            absence("vacation", "2026-12-21", "2026-12-23"),
            Some("from"),
        ),
        (
            absence("training", "2026-12-28", "2026-12-28"),
            Some("kind"),
        ),
        (
            absence("vacation", "2026-12-30", "2026-12-29"),
            Some("until"),
        ),
    ] {
        let (status, answer) = api(
            &city,
            &token,
            "POST",
            "/api/tagespflege/mine/absences",
            Some(body),
        )
        .await;
        match expected {
            None => assert_eq!(status, 201, "{answer}"),
            Some(field) => assert_eq!((status, fields(&answer)), (422, vec![field.to_string()])),
        }
    }
    let (status, _) = api(
        &city,
        &token,
        "POST",
        "/api/tagespflege/mine/absences",
        Some(absence("vacation", "2026-12-28", "2026-12-30")),
    )
    .await;
    assert_eq!(status, 201);
    let (_, december) = api(
        &city,
        &token,
        "GET",
        "/api/tagespflege/mine?month=2026-12",
        None,
    )
    .await;
    let allowance = |label: &str| {
        december["allowances"]
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["label"] == label)
            .cloned()
            .unwrap()
    };
    assert_eq!(allowance("Urlaub")["used"], 3, "{december}");
    assert_eq!(
        allowance("Krankheit")["used"],
        0,
        "a sick day without a certificate takes none of the paid days"
    );
    let kinds: Vec<(&str, bool)> = december["absences"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| (a["kind"].as_str().unwrap(), a["paid"].as_bool().unwrap()))
        .collect();
    assert_eq!(
        kinds,
        [("Krankheit", false), ("Urlaub", true)],
        "a sick day without certificate is not paid"
    );
    // The office sees what she recorded.
    let (_, office) = api(
        &city,
        &bvs.token,
        "GET",
        &format!("/api/tagespflege/{me}"),
        None,
    )
    .await;
    assert_eq!(office["absences"].as_array().unwrap().len(), 2);

    // Never another childminder's data, nor the office's pages.
    for (method, path, body) in [
        ("GET", format!("/api/tagespflege/{other}"), None),
        ("GET", format!("/api/tagespflege/{me}"), None),
        ("GET", "/api/tagespflege".to_string(), None),
        (
            "GET",
            "/api/tagespflege/payments?month=2026-11".to_string(),
            None,
        ),
        (
            "POST",
            "/api/tagespflege/absences".to_string(),
            Some(
                json!({"childminder": other, "kind": "vacation", "from": "2026-12-01", "until": "2026-12-01"}),
            ),
        ),
    ] {
        let (status, _) = api(&city, &token, method, &path, body).await;
        assert_eq!(status, 403, "{method} {path}");
    }
    for path in [
        format!("/tagespflege/{other}"),
        "/tagespflege/payments.csv".to_string(),
    ] {
        let (status, _) =
            kitanetz_tests::call(&router, "GET".parse().unwrap(), &path, Some(&token), None).await;
        assert_eq!(status, 403, "{path}");
    }
    // Her page, with the link in the navigation.
    let (status, page) = kitanetz_tests::call(
        &router,
        "GET".parse().unwrap(),
        "/tagespflege/mine",
        Some(&token),
        None,
    )
    .await;
    assert_eq!(status, 200);
    assert!(page.contains("Meine Kindertagespflege") && page.contains("Kind, Anna"));
    assert!(page.contains("id=\"record-own-absence\""));
    // The same through the forms: the office's login form on the other file, her absence form.
    const FORM: &str = "application/x-www-form-urlencoded";
    let form = |path: String, token: String, body: String| {
        let router = router.clone();
        async move {
            kitanetz_tests::call(
                &router,
                "POST".parse().unwrap(),
                &path,
                Some(&token),
                Some((FORM, body)),
            )
            .await
        }
    };
    let login_form = |username: &str| {
        format!(
            "csrf={}&username={username}&password={}",
            bvs.csrf,
            kitanetz_tests::PASSWORD.replace(' ', "+")
        )
    };
    let (status, page) = form(
        format!("/tagespflege/{other}/account"),
        bvs.token.clone(),
        login_form("Olga+Fremd"),
    )
    .await;
    assert_eq!(status, 422);
    assert!(page.contains("id=\"create-login\"") && page.contains("Benutzername"));
    let (status, _) = form(
        format!("/tagespflege/{other}/account"),
        bvs.token.clone(),
        login_form("olga.fremd"),
    )
    .await;
    assert_eq!(status, 303);
    let (_, page) = kitanetz_tests::call(
        &router,
        "GET".parse().unwrap(),
        &format!("/tagespflege/{other}"),
        Some(&bvs.token),
        None,
    )
    .await;
    assert!(page.contains("id=\"has-login\""));
    let (status, page) = form(
        "/tagespflege/mine/absences".into(),
        token.clone(),
        "csrf=&kind=vacation&from=2026-12-22&until=2026-12-22".into(),
    )
    .await;
    assert_eq!(status, 422, "overlaps the sick day");
    assert!(page.contains("id=\"record-own-absence\""));
    let (status, _) = form(
        "/tagespflege/mine/absences".into(),
        token.clone(),
        "csrf=&kind=sick&from=2026-12-31&until=2026-12-31&certificate=on".into(),
    )
    .await;
    assert_eq!(status, 303);
    // The office's users and a childminder login without a record have no such page.
    let unlinked = add_user(&city, "t-tpp", Role::Childminder, city_org(), None, None);
    for t in [&bvs.token, &unlinked.token] {
        let (status, _) = api(&city, t, "GET", "/api/tagespflege/mine", None).await;
        assert_eq!(status, 403);
    }
    // The login and her entries are audited.
    let audited = |action: &str| -> i64 {
        city.store()
            .conn()
            .query_row(
                "SELECT COUNT(*) FROM audit_log WHERE action = ?1",
                [action],
                |r| r.get(0),
            )
            .unwrap()
    };
    assert_eq!(audited("childminder.account"), 2);
    assert_eq!(audited("childminder.own_absence"), 3);
}

/// Substitute care across two childminders (Lastenheft 3.5.6.2, seed 004 L30067–30069): while
/// A's child is cared for by B, the child keeps its place at A (A cannot fill it), and B may not
/// have more children at the same time than her permit's places (at most 5), substitutes
/// included.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn substitute_care_counts_at_the_host_and_keeps_the_place_at_the_regular_childminder() {
    let net = Network::seeded();
    let city = net.open(&net.config(|c| c.role == NodeRole::City).name);
    let bvs = add_user(&city, "t-bvs", Role::BvsKtp, city_org(), None, None);
    let mut ids = Vec::new();
    for (name, places) in [("Anke Regel", "3"), ("Berta Ersatz", "5")] {
        let (status, profile) = api(
            &city,
            &bvs.token,
            "POST",
            "/api/tagespflege",
            Some(json!({
                "name": name, "street": "Teststraße 1", "postcode": "01099", "city": "Dresden",
                "district": "Neustadt", "phone": "", "email": "", "start": "2026-01-01",
                "places": places
            })),
        )
        .await;
        assert_eq!(status, 201, "{profile}");
        ids.push(profile["id"].as_str().unwrap().to_string());
    }
    let (a, b) = (ids[0].clone(), ids[1].clone());
    let place = |at: &str, given: &str, kind: &str, start: &str, end: &str, regular: &str| {
        json!({
            "childminder": at, "child_given_name": given, "child_family_name": "Kind",
            "birth_date": "2025-03-10", "kind": kind, "start": start, "end": end,
            "daily_hours": "8", "substitute_for": regular
        })
    };
    let post = |body: Value| {
        let city = city.clone();
        let token = bvs.token.clone();
        async move {
            api(
                &city,
                &token,
                "POST",
                "/api/tagespflege/placements",
                Some(body),
            )
            .await
        }
    };
    // A: three children for three places; B: four children for five places.
    for given in ["Ada", "Alf", "Amy"] {
        assert_eq!(
            post(place(&a, given, "agreement", "2026-02-01", "", ""))
                .await
                .0,
            201
        );
    }
    for given in ["Bea", "Ben", "Bob", "Bru"] {
        assert_eq!(
            post(place(&b, given, "agreement", "2026-02-01", "", ""))
                .await
                .0,
            201
        );
    }
    // A's vacation, 14–18 December: Ada goes to B, who then has five children.
    let (status, ada) = post(place(
        &b,
        "Ada",
        "substitute",
        "2026-12-14",
        "2026-12-18",
        &a,
    ))
    .await;
    assert_eq!(status, 201, "{ada}");
    // Alf too would make six at B: refused, naming the five, nothing stored.
    let (status, refused) = post(place(
        &b,
        "Alf",
        "substitute",
        "2026-12-16",
        "2026-12-16",
        &a,
    ))
    .await;
    assert_eq!((status, fields(&refused)), (422, vec!["start".to_string()]));
    let message = refused.to_string();
    assert!(
        message.contains("schon 5 Kinder bei 5 Plätzen") && message.contains("Ada Kind"),
        "{message}"
    );
    // Ada keeps her place at A: A cannot take a new child in those days.
    let (status, refused) = post(place(&a, "Ali", "reservation", "2026-12-15", "", "")).await;
    assert_eq!((status, fields(&refused)), (422, vec!["start".to_string()]));
    assert!(
        refused.to_string().contains("schon 3 Kinder bei 3 Plätzen"),
        "{refused}"
    );
    // Neither file is over capacity; B's lists Ada as substitute care for A.
    for (id, children) in [(&a, 3), (&b, 5)] {
        let (_, file) = api(
            &city,
            &bvs.token,
            "GET",
            &format!("/api/tagespflege/{id}?month=2026-12"),
            None,
        )
        .await;
        assert_eq!(file["over_capacity"], json!([]), "{file}");
        assert_eq!(file["placements"].as_array().unwrap().len(), children);
    }
    let (_, file) = api(
        &city,
        &bvs.token,
        "GET",
        &format!("/api/tagespflege/{b}"),
        None,
    )
    .await;
    assert!(file["placements"]
        .as_array()
        .unwrap()
        .iter()
        .any(|p| p["child"] == "Kind, Ada" && p["substitute_for"] == "Anke Regel"));
}

/// The register keeps her IBAN in her own file: a bad one (check digits) is refused on its
/// field with nothing stored, a good one is shown masked on the list, in full on the office's
/// form, and lands in the payout file's IBAN column.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_register_keeps_her_iban_and_the_payout_file_carries_it() {
    const GOOD: &str = "de89 3704 0044 0532 0130 00";
    const COMPACT: &str = "DE89370400440532013000";
    const MASKED: &str = "DE89 **** **** **** **30 00";
    const TYPO: &str = "DE89 3704 0044 0532 0130 01";
    let net = Network::seeded();
    let city = net.open(&net.config(|c| c.role == NodeRole::City).name);
    let bvs = add_user(&city, "t-bvs", Role::BvsKtp, city_org(), None, None);
    let zvs = add_user(&city, "t-zvs", Role::Zvs, city_org(), None, None);
    let router = kitanetz_node::http::router(city.clone());
    let new = |iban: &str| {
        json!({
            "name": "Ina Konto", "street": "Teststraße 9", "postcode": "01099", "city": "Dresden",
            "district": "Neustadt", "phone": "", "email": "", "start": "2026-01-01", "places": "3",
            "iban": iban
        })
    };

    // At registration: a typo in the IBAN refuses the registration, nothing is stored.
    let (status, refused) = api(
        &city,
        &bvs.token,
        "POST",
        "/api/tagespflege",
        Some(new(TYPO)),
    )
    .await;
    assert_eq!((status, fields(&refused)), (422, vec!["iban".to_string()]));
    assert!(refused.to_string().contains("Prüfziffern"), "{refused}");
    let (_, reg) = api(&city, &bvs.token, "GET", "/api/tagespflege", None).await;
    assert!(!reg.to_string().contains("Ina Konto"), "nothing stored");
    let (status, profile) = api(&city, &bvs.token, "POST", "/api/tagespflege", Some(new(""))).await;
    assert_eq!(status, 201, "{profile}");
    let id = profile["id"].as_str().unwrap().to_string();
    assert!(
        !profile.to_string().contains("iban"),
        "the public listing has no account: {profile}"
    );
    let (status, _) = api(
        &city,
        &bvs.token,
        "POST",
        "/api/tagespflege/placements",
        Some(json!({
            "childminder": id, "child_given_name": "Ben", "child_family_name": "Konto",
            "birth_date": "2025-03-10", "kind": "agreement", "start": "2026-02-01", "end": "",
            "daily_hours": "7,5", "substitute_for": ""
        })),
    )
    .await;
    assert_eq!(status, 201);

    // Later: a typo is refused on its field and stores nothing; the right one is kept compact.
    let bank = |iban: &str| json!({"childminder": id, "iban": iban});
    let (status, refused) = api(
        &city,
        &bvs.token,
        "POST",
        "/api/tagespflege/bank",
        Some(bank(TYPO)),
    )
    .await;
    assert_eq!((status, fields(&refused)), (422, vec!["iban".to_string()]));
    let (_, file) = api(
        &city,
        &bvs.token,
        "GET",
        &format!("/api/tagespflege/{id}"),
        None,
    )
    .await;
    assert_eq!(file["iban"], "", "nothing stored: {file}");
    let (status, _) = api(
        &city,
        &zvs.token,
        "POST",
        "/api/tagespflege/bank",
        Some(bank(GOOD)),
    )
    .await;
    assert_eq!(
        status, 403,
        "the ZVS reads the register, it does not keep it"
    );
    let (status, saved) = api(
        &city,
        &bvs.token,
        "POST",
        "/api/tagespflege/bank",
        Some(bank(GOOD)),
    )
    .await;
    assert_eq!(
        (status, saved["iban"].as_str()),
        (201, Some(MASKED)),
        "{saved}"
    );

    // Masked on the list and the file (the ZVS's list shows none), in full on the office's form.
    let (_, reg) = api(&city, &bvs.token, "GET", "/api/tagespflege", None).await;
    assert_eq!(row(&reg, "rows", &id)["iban"], MASKED);
    let (_, reg) = api(&city, &zvs.token, "GET", "/api/tagespflege", None).await;
    assert_eq!(row(&reg, "rows", &id)["iban"], "");
    let (_, file) = api(
        &city,
        &bvs.token,
        "GET",
        &format!("/api/tagespflege/{id}"),
        None,
    )
    .await;
    assert_eq!(file["iban"], MASKED);
    let (status, page) = kitanetz_tests::call(
        &router,
        "GET".parse().unwrap(),
        "/tagespflege",
        Some(&bvs.token),
        None,
    )
    .await;
    assert_eq!(status, 200);
    assert!(page.contains(MASKED) && !page.contains(COMPACT));
    let (_, page) = kitanetz_tests::call(
        &router,
        "GET".parse().unwrap(),
        &format!("/tagespflege/{id}"),
        Some(&bvs.token),
        None,
    )
    .await;
    assert!(
        page.contains(&format!("name=\"iban\" type=\"text\" autocomplete=\"off\" spellcheck=\"false\" value=\"{COMPACT}\"")),
        "the form shows it in full"
    );
    // The form refuses a typo on the page and keeps what was typed.
    let (status, page) = kitanetz_tests::call(
        &router,
        "POST".parse().unwrap(),
        &format!("/tagespflege/{id}/bank"),
        Some(&bvs.token),
        Some((
            "application/x-www-form-urlencoded",
            format!("csrf=&iban={}", TYPO.replace(' ', "+")),
        )),
    )
    .await;
    assert_eq!(status, 422);
    assert!(page.contains(&format!("value=\"{TYPO}\"")) && page.contains("Prüfziffern"));

    // The payout file's IBAN column carries it, compact.
    let (status, csv) = kitanetz_tests::call(
        &router,
        "GET".parse().unwrap(),
        "/tagespflege/payments.csv?month=2026-11",
        Some(&bvs.token),
        None,
    )
    .await;
    assert_eq!(status, 200);
    let mine = csv
        .split("\r\n")
        .find(|l| l.contains(&format!(";{id};")))
        .unwrap_or_else(|| panic!("{id} in {csv}"));
    assert!(
        mine.starts_with(&format!("2026-11;{id};Ina Konto;{COMPACT};")),
        "{mine}"
    );
    let audited: i64 = city
        .store()
        .conn()
        .query_row(
            "SELECT COUNT(*) FROM audit_log WHERE action = 'childminder.bank_account'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(audited, 1);
}
