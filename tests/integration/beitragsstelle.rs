//! The Beitragsstelle on a Träger node: a family from its contract to a decision, the monthly
//! Soll-Stellung and the direct-debit file; corrections after a revoked decision; the fee pages
//! answer on the Träger's node only.

use axum::http::{Method, StatusCode};
use kitanetz_crdt::ids::provider_org;
use kitanetz_crdt::policy::NodeRole;
use kitanetz_node::auth::Role;
use kitanetz_node::clock::Clock;
use kitanetz_node::http::router;
use kitanetz_tests::{add_traeger_user, add_user, call, Network};
use rust_decimal::Decimal;
use serde_json::Value;
use std::str::FromStr;

fn json(body: &str) -> Value {
    serde_json::from_str(body).unwrap_or_else(|e| panic!("not JSON ({e}): {body}"))
}

fn money(v: &Value) -> Decimal {
    Decimal::from_str(v.as_str().unwrap_or_else(|| panic!("not money: {v}"))).unwrap()
}

const JSON: &str = "application/json";

/// The first Träger node of a seeded network with a clerk of its Beitragsstelle.
struct FeeOffice {
    node: std::sync::Arc<kitanetz_node::Node>,
    provider: kitanetz_crdt::ids::ProviderId,
    app: axum::Router,
    clerk: kitanetz_tests::Login,
}

impl FeeOffice {
    fn on_first_traeger(net: &Network) -> FeeOffice {
        let cfg = net.config(|c| c.role == NodeRole::Traeger).clone();
        let provider = cfg.provider.clone().unwrap();
        let node = net.open(&cfg.name);
        let clerk = add_traeger_user(&node, "t-fee", Role::FeeOffice, &provider);
        FeeOffice {
            app: router(node.clone()),
            node,
            provider,
            clerk,
        }
    }
}

/// A family of the Träger paying a fee this month.
async fn family_paying_now(app: &axum::Router, token: Option<&str>) -> String {
    let (_, body) = call(app, Method::GET, "/api/fees", token, None).await;
    json(&body)
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["computed"].is_string() && money(&r["computed"]) > Decimal::ZERO)
        .expect("a family paying a fee this month")["family"]
        .as_str()
        .unwrap()
        .to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_fee_clerk_takes_a_family_from_contract_to_decision_and_direct_debit() {
    let net = Network::seeded();
    let FeeOffice {
        node,
        provider,
        app,
        clerk,
    } = FeeOffice::on_first_traeger(&net);
    let token = Some(clerk.token.as_str());
    let today = net.clock.today().0;
    let this_month = today.format("%Y-%m").to_string();
    let next_month = (today + chrono::Months::new(1)).format("%Y-%m").to_string();

    // Every family with a contract is listed, none decided yet.
    let (status, body) = call(&app, Method::GET, "/api/fees", token, None).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let rows = json(&body);
    let rows = rows.as_array().unwrap();
    assert!(rows.len() > 5, "families listed: {}", rows.len());
    assert!(rows.iter().all(|r| r["state"] != "up-to-date"));
    let row = rows
        .iter()
        .find(|r| r["state"] == "no-decision" && r["computed"].is_string())
        .expect("a family paying a fee this month");
    let family = row["family"].as_str().unwrap().to_string();
    let family_number = row["family_number"].as_str().unwrap().to_string();

    let (status, body) = call(
        &app,
        Method::GET,
        &format!("/api/fees/families/{family}"),
        token,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let view = json(&body);
    assert!(view["problem"].is_null(), "{}", view["problem"]);
    let fee_in = |view: &Value, month: &str| -> Decimal {
        view["months"]
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["month"] == month)
            .map(|m| money(&m["total"]))
            .unwrap_or_default()
    };
    let fee_now = fee_in(&view, &this_month);
    let fee_next = fee_in(&view, &next_month);
    assert!(fee_now > Decimal::ZERO, "a fee this month");
    // Every amount carries its explanation.
    let first = &view["months"][0]["children"][0];
    assert!(
        first["explanation"]
            .as_array()
            .is_some_and(|e| !e.is_empty()),
        "{first}"
    );
    let payer = view["guardians"][0]["id"].as_str().unwrap().to_string();

    // A mistyped IBAN is refused naming the field; nothing is stored.
    let bad = format!(
        r#"{{"payer":"{payer}","mandate":{{"holder":"Anna Beispiel","iban":"DE89370400440532013001","reference":"M-1","signed_on":"2025-01-10"}}}}"#
    );
    let (status, body) = call(
        &app,
        Method::PUT,
        &format!("/api/fees/families/{family}/payment"),
        token,
        Some((JSON, bad)),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(body.contains("iban"), "{body}");
    let good = format!(
        r#"{{"payer":"{payer}","mandate":{{"holder":"Anna Beispiel","iban":"DE89 3704 0044 0532 0130 00","bic":"COBADEFFXXX","bank":"Commerzbank","reference":"M-1","signed_on":"2025-01-10"}}}}"#
    );
    let (status, body) = call(
        &app,
        Method::PUT,
        &format!("/api/fees/families/{family}/payment"),
        token,
        Some((JSON, good)),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(json(&body)["mandate"]["iban"], "DE89370400440532013000");

    // The decision from this month on.
    let from = format!(r#"{{"from":"{this_month}"}}"#);
    let (status, body) = call(
        &app,
        Method::POST,
        &format!("/api/fees/families/{family}/decisions"),
        token,
        Some((JSON, from.clone())),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let number = json(&body)["number"].as_str().unwrap().to_string();
    assert_eq!(number, format!("{family_number}-1"));
    // The same again decides nothing new.
    let (status, body) = call(
        &app,
        Method::POST,
        &format!("/api/fees/families/{family}/decisions"),
        token,
        Some((JSON, from)),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");

    let (_, body) = call(&app, Method::GET, "/api/fees", token, None).await;
    let rows = json(&body);
    let row = rows
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["family"] == family.as_str())
        .unwrap();
    assert_eq!(row["state"], "up-to-date", "{row}");
    assert_eq!(money(&row["decided"]), fee_now);

    // The decision prints (tagged PDF from the letters crate).
    let (status, body) = call(
        &app,
        Method::GET,
        &format!("/fees/families/{family}/decisions/{number}/pdf"),
        token,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.starts_with("%PDF"), "a PDF");

    // The lost fees of the month: the overview counts the family's child; the workbook too.
    let (status, page) = call(
        &app,
        Method::GET,
        &format!("/fees/lost-fees?period={this_month}"),
        token,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains("id=\"lost-fees-overview\""), "{page}");
    assert!(
        page.contains("id=\"lost-fees-record\"") || page.contains("id=\"lost-fees-none\""),
        "{page}"
    );
    let (status, bytes) = kitanetz_tests::get_bytes(
        &app,
        &format!("/fees/lost-fees.xlsx?period={this_month}"),
        &clerk.token,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let (sheets, _) = kitanetz_tests::open_xlsx(&bytes);
    assert_eq!(sheets[0], "Übersicht");
    let (status, _) = call(
        &app,
        Method::GET,
        "/fees/lost-fees?period=2026-Q7",
        token,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);

    // The Soll-Stellung for next month: this month as a back-charge (its run is over), next
    // month regular.
    let run = format!(r#"{{"month":"{next_month}"}}"#);
    let (status, body) = call(
        &app,
        Method::POST,
        "/api/fees/billing/runs",
        token,
        Some((JSON, run.clone())),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let summary = json(&body);
    assert_eq!(money(&summary["run"]["total"]), fee_now + fee_next);
    assert!(summary["run"]["positions"].as_i64().unwrap() >= 2);
    let run_id = summary["run"]["id"].as_i64().unwrap();

    let (status, xml) = call(
        &app,
        Method::GET,
        &format!("/fees/billing/{run_id}/pain.008.xml"),
        token,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{xml}");
    assert!(xml.contains("pain.008.001.08"), "{xml}");
    assert!(xml.contains("DE89370400440532013000"));
    assert!(xml.contains("DE98ZZZ09999999999"));
    assert!(
        xml.contains(&format!("{:.2}", fee_now + fee_next)),
        "the family's debit"
    );
    let (status, csv) = call(
        &app,
        Method::GET,
        &format!("/fees/billing/{run_id}/finance.csv"),
        token,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(csv.contains(&family_number), "{csv}");
    let (status, sheet) = call(
        &app,
        Method::GET,
        &format!("/fees/billing/{run_id}/positions.xlsx"),
        token,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        sheet.starts_with("PK\u{3}\u{4}"),
        "the positions as an xlsx (zip) file"
    );

    // Run again: everything is charged, nothing new.
    let (_, body) = call(
        &app,
        Method::POST,
        "/api/fees/billing/runs",
        token,
        Some((JSON, run.clone())),
    )
    .await;
    assert_eq!(json(&body)["run"]["positions"], 0, "{body}");

    // Revoked: the next run credits what was charged.
    let (status, body) = call(
        &app,
        Method::POST,
        &format!("/api/fees/families/{family}/decisions/{number}/mark"),
        token,
        Some((JSON, r#"{"mark":"revoked"}"#.into())),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (_, body) = call(
        &app,
        Method::POST,
        "/api/fees/billing/runs",
        token,
        Some((JSON, run)),
    )
    .await;
    assert_eq!(
        money(&json(&body)["run"]["total"]),
        -(fee_now + fee_next),
        "{body}"
    );
    // The fee case says so: no decision rules these months until a new one is issued.
    let (_, page) = call(
        &app,
        Method::GET,
        &format!("/fees/families/{family}"),
        token,
        None,
    )
    .await;
    assert!(
        page.contains("aufgehoben")
            && page.contains("bis zu einem neuen Bescheid wird für diese Monate nichts erhoben"),
        "{page}"
    );

    // Every step is in the audit log.
    let (_, audit) = call(
        &app,
        Method::GET,
        "/audit.csv",
        Some(&add_traeger_user(&node, "t-admin", Role::TraegerAdmin, &provider).token),
        None,
    )
    .await;
    for action in [
        "fees.payment",
        "fees.decide",
        "fees.billing.run",
        "fees.decision.revoke",
    ] {
        assert!(audit.contains(action), "{action} audited");
    }

    // Erasing the family erases its fee case (names, addresses, IBAN); the billing book keeps
    // its positions, which name the child by PKN only.
    let entry = kitanetz_node::storage::AuditEntry {
        at: 1,
        actor: "user:t-admin".into(),
        action: "family.erase",
        target: Some(family.clone()),
        subjects: vec![family.clone()],
        valid_from: None,
    };
    let report = node.store().erase_family(&family, &entry).unwrap();
    let fee_case = kitanetz_crdt::ids::doc_id_for("fee-case", &family);
    assert!(report.documents.contains(&fee_case.0), "{report:?}");
    assert!(node.store().is_erased(&fee_case).unwrap());
    let kept: i64 = node
        .store()
        .conn()
        .query_row("SELECT count(*) FROM billing_positions", [], |r| r.get(0))
        .unwrap();
    assert!(kept > 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_foster_child_pays_nothing_and_the_fees_live_on_the_traeger_node_only() {
    let net = Network::seeded();
    let FeeOffice {
        node,
        provider,
        app,
        clerk,
    } = FeeOffice::on_first_traeger(&net);
    let token = Some(clerk.token.as_str());
    let this_month = net.clock.today().0.format("%Y-%m").to_string();
    let family = &family_paying_now(&app, token).await;
    let (_, body) = call(
        &app,
        Method::GET,
        &format!("/api/fees/families/{family}"),
        token,
        None,
    )
    .await;
    let view = json(&body);
    let month = view["months"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["month"] == this_month.as_str())
        .unwrap()
        .clone();
    // Every child of the family in care this month becomes a foster child: nothing to pay.
    for child in view["children"].as_array().unwrap() {
        let status = format!(
            r#"{{"child":"{}","from":"{this_month}","status":"foster"}}"#,
            child["id"].as_str().unwrap()
        );
        let (status, body) = call(
            &app,
            Method::POST,
            &format!("/api/fees/families/{family}/statuses"),
            token,
            Some((JSON, status)),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }
    let (_, body) = call(
        &app,
        Method::GET,
        &format!("/api/fees/families/{family}"),
        token,
        None,
    )
    .await;
    let after = json(&body);
    let month_after = after["months"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["month"] == this_month.as_str())
        .unwrap();
    assert!(money(&month["total"]) > Decimal::ZERO);
    assert_eq!(money(&month_after["total"]), Decimal::ZERO, "{month_after}");
    let explanation = month_after["children"][0]["explanation"].to_string();
    assert!(
        explanation.contains("§"),
        "the statute's paragraph is named: {explanation}"
    );
    // An unknown status is refused, naming the field.
    let bad = r#"{"child":"x","from":"2026-13","status":"vip"}"#.to_string();
    let (status, body) = call(
        &app,
        Method::POST,
        &format!("/api/fees/families/{family}/statuses"),
        token,
        Some((JSON, bad)),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(
        body.contains("status") && body.contains("from") && body.contains("child"),
        "{body}"
    );

    // A Kita lead may not; on a Kita node there are no fee cases, even for the clerk.
    let kita = net.kitas()[0].clone();
    let lead = add_user(
        &node,
        "t-lead",
        Role::KitaLead,
        provider_org(&provider),
        Some(provider.clone()),
        kita.facility.clone(),
    );
    let (status, _) = call(&app, Method::GET, "/api/fees", Some(&lead.token), None).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let kita_node = net.open(&kita.name);
    let kita_provider = kita.provider.clone().unwrap();
    let kita_clerk = add_user(
        &kita_node,
        "t-fee-k",
        Role::FeeOffice,
        provider_org(&kita_provider),
        Some(kita_provider),
        None,
    );
    let (status, _) = call(
        &router(kita_node),
        Method::GET,
        "/api/fees",
        Some(&kita_clerk.token),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_fee_set_by_hand_replaces_the_computed_one_which_stays_visible() {
    let net = Network::seeded();
    let FeeOffice { app, clerk, .. } = FeeOffice::on_first_traeger(&net);
    let token = Some(clerk.token.as_str());
    let this_month = net.clock.today().0.format("%Y-%m").to_string();
    let family = &family_paying_now(&app, token).await;
    let path = format!("/api/fees/families/{family}");
    let (_, body) = call(&app, Method::GET, &path, token, None).await;
    let view = json(&body);
    let in_month = |view: &Value| {
        view["months"]
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["month"] == this_month.as_str())
            .unwrap()["children"][0]
            .clone()
    };
    let before = in_month(&view);
    let child_name = before["child_name"].as_str().unwrap().to_string();
    let child = view["children"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == child_name.as_str())
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();

    // A negative amount and a missing reason are refused, naming the fields.
    let bad = format!(r#"{{"child":"{child}","from":"{this_month}","amount":"-5","reason":""}}"#);
    let (status, body) = call(
        &app,
        Method::POST,
        &format!("{path}/overrides"),
        token,
        Some((JSON, bad)),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(body.contains("amount") && body.contains("reason"), "{body}");

    let set = format!(
        r#"{{"child":"{child}","from":"{this_month}","until":"{this_month}","amount":"80,00","reason":"Härtefall laut Vermerk"}}"#
    );
    let (status, body) = call(
        &app,
        Method::POST,
        &format!("{path}/overrides"),
        token,
        Some((JSON, set)),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (_, body) = call(&app, Method::GET, &path, token, None).await;
    let view = json(&body);
    let after = in_month(&view);
    assert_eq!(after["fee"], "80.00", "{after}");
    assert_eq!(
        after["computed_fee"], before["fee"],
        "the computed fee stays visible"
    );
    assert!(
        after["explanation"].to_string().contains("Härtefall"),
        "{after}"
    );
    // Only the one month: the next is computed again.
    let next = view["months"]
        .as_array()
        .unwrap()
        .iter()
        .skip_while(|m| m["month"] != this_month.as_str())
        .nth(1);
    if let Some(next) = next {
        assert!(next["children"][0]["manual"].is_null(), "{next}");
    }
    // The decision carries it.
    let (status, _) = call(
        &app,
        Method::POST,
        &format!("{path}/decisions"),
        token,
        Some((JSON, format!(r#"{{"from":"{this_month}"}}"#))),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let (_, body) = call(&app, Method::GET, &path, token, None).await;
    let decided = in_month(&json(&body));
    assert_eq!(
        money(&decided["decided"]),
        Decimal::from_str("80.00").unwrap(),
        "{decided}"
    );
}

/// New operating costs through the API: a start before the statute allows is refused with the
/// earliest day and nothing stored; the preview lists the decided family's months old and new;
/// the confirmation issues one change decision to it and the page lists the version.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn new_operating_costs_change_every_decided_fee_from_the_first_allowed_month() {
    use chrono::Datelike;
    let net = Network::seeded();
    let FeeOffice { app, clerk, .. } = FeeOffice::on_first_traeger(&net);
    let token = Some(clerk.token.as_str());
    let today = net.clock.today().0;
    let family = family_paying_now(&app, token).await;
    let this_month = today.format("%Y-%m").to_string();
    let (status, body) = call(
        &app,
        Method::POST,
        &format!("/api/fees/families/{family}/decisions"),
        token,
        Some((JSON, format!(r#"{{"from":"{this_month}"}}"#))),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");

    // Published today: from the 1st of next month, not before 1 September.
    let following = (today.with_day(1).unwrap() + chrono::Months::new(1))
        .max(chrono::NaiveDate::from_ymd_opt(today.year(), 9, 1).unwrap());
    let body_for = |from: &str| {
        format!(
            r#"{{"published_on":"{today}","effective_from":"{from}","basis":"Betriebskosten, Amtsblatt","krippe":"2000","kindergarten":"1000","hort":"1000","foerderhort":"1000"}}"#
        )
    };
    let too_early = today.with_day(1).unwrap().to_string();
    for path in ["/api/fees/bulk-change/preview", "/api/fees/bulk-change"] {
        let (status, body) = call(
            &app,
            Method::POST,
            path,
            token,
            Some((JSON, body_for(&too_early))),
        )
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert!(
            body.contains("effective_from") && body.contains(&following.to_string()),
            "{body}"
        );
    }
    let (_, page) = call(&app, Method::GET, "/fees/bulk-change", token, None).await;
    assert!(!page.contains("id=\"statute-versions\""), "nothing stored");

    let from = following.to_string();
    let (status, body) = call(
        &app,
        Method::POST,
        "/api/fees/bulk-change/preview",
        token,
        Some((JSON, body_for(&from))),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let preview = json(&body);
    let changes = preview["changes"].as_array().unwrap();
    let mine: Vec<_> = changes
        .iter()
        .filter(|c| c["family"] == family.as_str())
        .collect();
    assert!(!mine.is_empty(), "{body}");
    for c in &mine {
        assert!(c["month"].as_str().unwrap() >= &from[..7]);
        assert!(money(&c["new"]) > money(&c["old"]), "{c}");
        assert!(
            c["explanation"]
                .to_string()
                .contains(&format!("dresden-2011/{}", &from[..7])),
            "{c}"
        );
    }

    // The page: the same preview as a table, the too-early start as a field error.
    let form = |from: &str| {
        format!(
            "csrf={}&published_on={today}&effective_from={from}&basis=Amtsblatt&krippe=2000&kindergarten=1000&hort=1000&foerderhort=1000",
            clerk.csrf
        )
    };
    const FORM: &str = "application/x-www-form-urlencoded";
    let (status, page) = call(
        &app,
        Method::POST,
        "/fees/bulk-change/preview",
        token,
        Some((FORM, form(&too_early))),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{page}");
    assert!(page.contains("Satzung § 10 (4)"), "{page}");
    let (status, page) = call(
        &app,
        Method::POST,
        "/fees/bulk-change/preview",
        token,
        Some((FORM, form(&from))),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(
        page.contains("id=\"bulk-change-preview\"") && page.contains("id=\"bulk-change-confirm\""),
        "{page}"
    );

    let (status, body) = call(
        &app,
        Method::POST,
        "/api/fees/bulk-change",
        token,
        Some((JSON, body_for(&from))),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let outcome = json(&body);
    let decided: Vec<_> = outcome["decisions"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d[0] == family.as_str())
        .collect();
    assert_eq!(decided.len(), 1, "one decision per family: {body}");
    let (_, page) = call(&app, Method::GET, "/fees/bulk-change", token, None).await;
    assert!(page.contains("id=\"statute-versions\""), "{page}");
    // A mistake: the newest version is taken back from the page, the one before applies again.
    let month = &from[..7];
    assert!(
        page.contains(&format!("/fees/bulk-change?correct={month}")),
        "{page}"
    );
    let (status, page) = call(
        &app,
        Method::GET,
        &format!("/fees/bulk-change?correct={month}"),
        token,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(
        page.contains("id=\"h-correct\"") && page.contains("value=\"1000,00\""),
        "{page}"
    );
    let withdrawal = format!(
        "csrf={}&corrects={month}&withdraw=true&reason=Bekanntmachung+aufgehoben",
        clerk.csrf
    );
    let (status, page) = call(
        &app,
        Method::POST,
        "/fees/bulk-change/preview",
        token,
        Some((FORM, withdrawal.clone())),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains("Rücknahme der Fassung ab"), "{page}");
    let (status, page) = call(
        &app,
        Method::POST,
        "/fees/bulk-change",
        token,
        Some((FORM, withdrawal)),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains("Fassung zurückgenommen"), "{page}");
    assert!(
        page.contains("id=\"statute-versions-replaced\"")
            && page.contains("Bekanntmachung aufgehoben"),
        "{page}"
    );
    assert!(!page.contains("id=\"statute-versions\""), "{page}");
    // A form with a field error answers with the page (the store is not locked twice).
    for (path, body) in [
        ("/fees/billing", format!("csrf={}&month=x", clerk.csrf)),
        (
            "/fees/reduction-settings",
            format!("csrf={}&valid_from=x&reasonable_share_percent=50&allocation=rank_order&above_regular_time=fee_difference", clerk.csrf),
        ),
    ] {
        let answer = tokio::time::timeout(
            std::time::Duration::from_secs(20),
            call(&app, Method::POST, path, token, Some((FORM, body))),
        )
        .await
        .unwrap_or_else(|_| panic!("{path} hangs"));
        assert_eq!(answer.0, StatusCode::UNPROCESSABLE_ENTITY, "{path}: {}", answer.1);
    }
}
