//! Payments received and arrears on the Träger's node (Lastenheft 3.10.10): three months billed,
//! the finance system's payments uploaded, the payer more than two months behind flagged on the
//! work list and on the fee case; a bad file stores nothing, the same file twice counts once,
//! and only the Träger's Beitragsstelle may.

use axum::http::{Method, StatusCode};
use kitanetz_crdt::ids::provider_org;
use kitanetz_crdt::policy::NodeRole;
use kitanetz_node::auth::Role;
use kitanetz_node::http::router;
use kitanetz_tests::{add_traeger_user, add_user, api, call, Network};
use rust_decimal::Decimal;
use serde_json::{json, Value};
use std::str::FromStr;

fn money(v: &Value) -> Decimal {
    Decimal::from_str(v.as_str().unwrap_or_else(|| panic!("not money: {v}"))).unwrap()
}

/// The months billed: the three before the fixture day (2026-11-02), all overdue.
const MONTHS: [&str; 3] = ["2026-08", "2026-09", "2026-10"];

/// A family of the Träger with a fee in every month of [`MONTHS`], and those fees.
struct Payer {
    id: String,
    number: String,
    fees: Vec<Decimal>,
}

fn count(node: &kitanetz_node::Node, table: &str) -> i64 {
    node.store()
        .conn()
        .query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0))
        .unwrap()
}

fn row<'a>(list: &'a Value, number: &str) -> Option<&'a Value> {
    list["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["family_number"] == number)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_payer_three_months_behind_is_flagged_and_a_bad_file_stores_nothing() {
    let net = Network::seeded();
    let cfg = net.config(|c| c.role == NodeRole::Traeger).clone();
    let provider = cfg.provider.clone().unwrap();
    let node = net.open(&cfg.name);
    let clerk = add_traeger_user(&node, "t-fee", Role::FeeOffice, &provider).token;

    // Two families paying a fee in each of the three months, decided from the first.
    let (status, families) = api(&node, &clerk, "GET", "/api/fees", None).await;
    assert_eq!(status, 200, "{families}");
    let mut payers = Vec::new();
    for f in families.as_array().unwrap() {
        let id = f["family"].as_str().unwrap();
        let (_, view) = api(
            &node,
            &clerk,
            "GET",
            &format!("/api/fees/families/{id}"),
            None,
        )
        .await;
        let fees: Vec<Decimal> = MONTHS
            .iter()
            .filter_map(|m| {
                view["months"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .find(|row| row["month"] == *m)
                    .map(|row| money(&row["total"]))
            })
            .filter(|fee| *fee > Decimal::ZERO)
            .collect();
        if fees.len() == MONTHS.len() && view["problem"].is_null() {
            payers.push(Payer {
                id: id.to_string(),
                number: f["family_number"].as_str().unwrap().to_string(),
                fees,
            });
        }
        if payers.len() == 2 {
            break;
        }
    }
    let [late, punctual] = <[Payer; 2]>::try_from(payers)
        .unwrap_or_else(|_| panic!("two families paying from {}", MONTHS[0]));
    for p in [&late, &punctual] {
        let (status, body) = api(
            &node,
            &clerk,
            "POST",
            &format!("/api/fees/families/{}/decisions", p.id),
            Some(json!({ "from": MONTHS[0] })),
        )
        .await;
        assert_eq!(status, 200, "{body}");
    }
    for month in MONTHS {
        let (status, body) = api(
            &node,
            &clerk,
            "POST",
            "/api/fees/billing/runs",
            Some(json!({ "month": month })),
        )
        .await;
        assert_eq!(status, 200, "{body}");
    }

    // Before any payment both are behind with every month: both flagged.
    let (status, list) = api(&node, &clerk, "GET", "/api/fees/arrears", None).await;
    assert_eq!(status, 200, "{list}");
    assert_eq!(list["as_of"], "2026-11-02");
    assert_eq!(list["months_more_than"], 2);
    assert_eq!(row(&list, &late.number).unwrap()["flagged"], true);
    assert_eq!(row(&list, &punctual.number).unwrap()["flagged"], true);

    // The finance system's file: the late payer paid 10 € of August only; the punctual one
    // August and September (decimal comma and point, both date forms), not yet October.
    let de = |d: Decimal| format!("{d:.2}").replace('.', ",");
    let file = format!(
        "Familiennummer;Leistungsmonat;Betrag;Buchungsdatum;Beleg\r\n\
         {late};2026-08;10,00;2026-08-20;1400000001\r\n\
         {punctual};2026-08;{aug};2026-08-15;1400000002\r\n\
         {punctual}01;2026-09;{sep:.2};15.09.2026;1400000003\r\n",
        late = late.number,
        punctual = punctual.number,
        aug = de(punctual.fees[0]),
        sep = punctual.fees[1],
    );
    let upload = json!({ "file_name": "zahlungen-2026-10.csv", "text": file });
    let (status, import) = api(
        &node,
        &clerk,
        "POST",
        "/api/fees/payments",
        Some(upload.clone()),
    )
    .await;
    assert_eq!(status, 200, "{import}");
    assert_eq!(import["rows"], 3);
    assert_eq!(import["new_rows"], 3);
    assert_eq!(
        money(&import["total"]),
        Decimal::from(10) + punctual.fees[0] + punctual.fees[1]
    );

    let (_, list) = api(&node, &clerk, "GET", "/api/fees/arrears", None).await;
    let rows = list["rows"].as_array().unwrap();
    assert_eq!(rows[0]["flagged"], true, "flagged payers first: {list}");
    let l = row(&list, &late.number).expect("the late payer listed");
    assert_eq!(l["flagged"], true, "three months behind: {l}");
    assert_eq!(l["family"], late.id.as_str(), "linked to the fee case");
    let months: Vec<&str> = l["months"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["month"].as_str().unwrap())
        .collect();
    assert_eq!(months, MONTHS);
    assert_eq!(
        money(&l["months"][0]["open"]),
        late.fees[0] - Decimal::from(10)
    );
    let owed: Decimal = late.fees.iter().sum();
    assert_eq!(money(&l["open_total"]), owed - Decimal::from(10));
    let p = row(&list, &punctual.number).expect("the punctual payer has October open");
    assert_eq!(p["flagged"], false, "one month behind: {p}");
    assert_eq!(p["months"].as_array().unwrap().len(), 1);
    assert_eq!(p["months"][0]["month"], "2026-10");
    assert_eq!(money(&p["open_total"]), punctual.fees[2]);

    // The fee case shows the flag.
    let (_, view) = api(
        &node,
        &clerk,
        "GET",
        &format!("/api/fees/families/{}", late.id),
        None,
    )
    .await;
    assert_eq!(view["arrears"]["flagged"], true, "{}", view["arrears"]);
    let (_, view) = api(
        &node,
        &clerk,
        "GET",
        &format!("/api/fees/families/{}", punctual.id),
        None,
    )
    .await;
    assert_eq!(view["arrears"]["flagged"], false, "{}", view["arrears"]);
    let app = router(node.clone());
    let (status, page) = call(
        &app,
        Method::GET,
        &format!("/fees/families/{}", late.id),
        Some(&clerk),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        page.contains(r#"id="arrears-flag" data-flagged="true""#),
        "flag on the fee case"
    );
    let (status, page) = call(&app, Method::GET, "/fees/arrears", Some(&clerk), None).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains(&format!(
        r#"data-family-number="{}" data-flagged="true""#,
        late.number
    )));
    assert!(page.contains(&format!("/fees/families/{}", late.id)));
    let (status, sheet) = call(&app, Method::GET, "/fees/arrears.xlsx", Some(&clerk), None).await;
    assert_eq!(status, StatusCode::OK);
    assert!(sheet.starts_with("PK\u{3}\u{4}"), "an xlsx (zip) file");

    // The same file again counts nothing twice.
    let stored = count(&node, "payments");
    assert_eq!(stored, 3);
    let (status, again) = api(&node, &clerk, "POST", "/api/fees/payments", Some(upload)).await;
    assert_eq!(status, 200, "{again}");
    assert_eq!(
        (again["rows"].as_i64(), again["new_rows"].as_i64()),
        (Some(3), Some(0))
    );
    assert_eq!(count(&node, "payments"), stored);
    let (_, unchanged) = api(&node, &clerk, "GET", "/api/fees/arrears", None).await;
    assert_eq!(unchanged["rows"], list["rows"]);

    // A bad amount on line 3: refused naming line and column, nothing of the file stored.
    let imports = count(&node, "payment_imports");
    let bad = format!(
        "Familiennummer;Leistungsmonat;Betrag;Buchungsdatum\n\
         {late};2026-09;50,00;2026-10-01\n\
         {late};2026-10;12,3x;2026-10-02\n",
        late = late.number
    );
    let (status, refused) = api(
        &node,
        &clerk,
        "POST",
        "/api/fees/payments",
        Some(json!({ "file_name": "bad.csv", "text": bad })),
    )
    .await;
    assert_eq!(status, 422, "{refused}");
    let text = refused.to_string();
    assert!(text.contains("line 3") && text.contains("Betrag"), "{text}");
    assert!(!text.contains("line 2"), "line 2 is fine: {text}");
    assert_eq!(count(&node, "payments"), stored, "nothing of a bad file");
    assert_eq!(count(&node, "payment_imports"), imports);

    // The page's upload (multipart): October of the punctual payer; it leaves the list.
    let boundary = "kn-test-boundary";
    let body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\nx\r\n\
         --{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"okt.csv\"\r\nContent-Type: text/csv\r\n\r\n\
         Familiennummer;Leistungsmonat;Betrag;Buchungsdatum\n{};2026-10;{:.2};2026-10-15\n\r\n\
         --{boundary}--\r\n",
        punctual.number, punctual.fees[2]
    );
    let (status, _) = call(
        &app,
        Method::POST,
        "/fees/arrears/payments",
        Some(&clerk),
        Some((&format!("multipart/form-data; boundary={boundary}"), body)),
    )
    .await;
    assert!(status.is_redirection(), "{status}");
    let (_, list) = api(&node, &clerk, "GET", "/api/fees/arrears", None).await;
    assert!(row(&list, &punctual.number).is_none(), "{list}");
    assert_eq!(list["imports"].as_array().unwrap().len(), 3);

    let admin = add_traeger_user(&node, "t-admin", Role::TraegerAdmin, &provider).token;
    let (_, audit) = call(&app, Method::GET, "/audit.csv", Some(&admin), None).await;
    assert!(audit.contains("fees.payments.import"), "audited");
    // The Träger's admin reads the list but may not upload.
    let (status, _) = api(&node, &admin, "GET", "/api/fees/arrears", None).await;
    assert_eq!(status, 200);
    let (status, _) = api(
        &node,
        &admin,
        "POST",
        "/api/fees/payments",
        Some(json!({ "file_name": "x.csv", "text": "" })),
    )
    .await;
    assert_eq!(status, 403);

    // A Kita lead and the clerk of another Träger are refused, reading and uploading.
    let kita = net
        .kitas()
        .into_iter()
        .find(|k| k.provider.as_ref() == Some(&provider))
        .expect("a Kita of the Träger")
        .clone();
    let lead = add_user(
        &node,
        "t-lead",
        Role::KitaLead,
        provider_org(&provider),
        Some(provider.clone()),
        kita.facility.clone(),
    )
    .token;
    let other = net
        .configs
        .iter()
        .find(|c| c.role == NodeRole::Traeger && c.provider != Some(provider.clone()))
        .and_then(|c| c.provider.clone())
        .expect("another Träger");
    let stranger = add_traeger_user(&node, "t-fee-other", Role::FeeOffice, &other).token;
    for token in [&lead, &stranger] {
        let (status, _) = api(&node, token, "GET", "/api/fees/arrears", None).await;
        assert_eq!(status, 403);
        let (status, _) = api(
            &node,
            token,
            "POST",
            "/api/fees/payments",
            Some(json!({ "file_name": "x.csv", "text": "Familiennummer;Leistungsmonat;Betrag;Buchungsdatum\n000001;2026-10;1;2026-10-01\n" })),
        )
        .await;
        assert_eq!(status, 403);
        let (status, _) = call(&app, Method::GET, "/fees/arrears", Some(token), None).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
    }
    assert_eq!(count(&node, "payment_imports"), 3);
}
