//! Staff kept by the Träger's admin and the Personalschlüssel (Lastenheft 3.7.2, SächsKitaG
//! § 12, annex F): the Ist from weekly hours ÷ 40, pro rata by day, without times off and
//! without staff whose qualification does not count; the Soll from the children under contract;
//! the same balance at the Kita after sync.

use kitanetz_node::auth::Role;
use kitanetz_tests::{add_traeger_user, api, KitaAndTraeger, Network};
use rust_decimal::Decimal;
use serde_json::{json, Value};

fn month<'a>(balance: &'a Value, m: &str) -> &'a Value {
    balance["months"]
        .as_array()
        .unwrap()
        .iter()
        .find(|row| row["month"] == m)
        .unwrap_or_else(|| panic!("month {m} in {balance}"))
}

fn dec(v: &Value) -> Decimal {
    v.as_str()
        .map(|s| s.parse().unwrap())
        .unwrap_or_else(|| v.to_string().parse().unwrap())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_traeger_keeps_staff_and_the_kita_sees_need_against_actual_staff() {
    let net = Network::seeded();
    let fixture = KitaAndTraeger::open(&net);
    let lead = fixture.lead("staff-lead");
    let KitaAndTraeger {
        nodes,
        kita,
        traeger,
        facility,
        provider,
    } = fixture;
    let admin = add_traeger_user(&traeger, "staff-admin", Role::TraegerAdmin, &provider).token;
    let path = format!("/api/staffing?year=2026&facility={}", facility.0);
    // The demo seeds the Kita's staff: what is added below comes on top of it.
    let (status, before) = api(&traeger, &admin, "GET", &path, None).await;
    assert_eq!(status, 200, "{before}");
    let added = |after: &Value, m: &str| {
        dec(&month(after, m)["ist_total"]) - dec(&month(&before, m)["ist_total"])
    };
    let person = |given: &str, qualification: &str, from: &str, hours: &str| {
        json!({
            "given_name": given, "family_name": "Sommer", "birth_date": "1990-05-04",
            "qualification": qualification, "facility": facility.0, "role": "educator",
            "from": from, "weekly_hours": hours,
        })
    };
    let (status, anna) = api(
        &traeger,
        &admin,
        "POST",
        "/api/staff",
        Some(person("Anna", "fachkraft", "2026-01-01", "40")),
    )
    .await;
    assert_eq!(status, 201, "{anna}");
    let (status, body) = api(
        &traeger,
        &admin,
        "POST",
        "/api/staff",
        Some(person("anna", "fachkraft", "2026-03-01", "30")),
    )
    .await;
    assert_eq!(status, 422, "the same person twice: {body}");
    assert_eq!(body["fields"][0]["field"], "family_name", "{body}");
    let (status, body) = api(
        &traeger,
        &admin,
        "POST",
        "/api/staff",
        Some(person("Ben", "fachkraft", "2026-11-16", "20,0")),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    let body_ben = body.clone();
    let (status, body) = api(
        &traeger,
        &admin,
        "POST",
        "/api/staff",
        Some(person("Carla", "hilfskraft", "2026-01-01", "40")),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    let (status, body) = api(
        &traeger,
        &admin,
        "POST",
        "/api/staff",
        Some(person("Dora", "fachkraft", "2026-01-01", "60")),
    )
    .await;
    assert_eq!(status, 422, "more than 48 hours a week: {body}");
    let (status, body) = api(
        &traeger,
        &admin,
        "POST",
        "/api/staff/absences",
        Some(json!({"staff": anna["id"], "from": "2026-12-01", "until": "2026-12-31", "reason": "long-term-illness"})),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    // A misspelt name is corrected in place; a bad date or an unknown qualification is a field
    // error and changes nothing.
    let (status, body) = api(
        &traeger,
        &admin,
        "POST",
        "/api/staff/person",
        Some(
            json!({"staff": anna["id"], "family_name": "Sommer-Berg", "birth_date": "1990-13-04"}),
        ),
    )
    .await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(body["fields"][0]["field"], "birth_date", "{body}");
    let (status, body) = api(
        &traeger,
        &admin,
        "POST",
        "/api/staff/person",
        Some(json!({"staff": anna["id"], "qualification": "astronaut"})),
    )
    .await;
    assert_eq!(status, 422, "{body}");
    let (status, body) = api(
        &traeger,
        &admin,
        "POST",
        "/api/staff/person",
        Some(json!({"staff": anna["id"], "family_name": "Sommer-Berg"})),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        (
            &body["given_name"],
            &body["family_name"],
            &body["qualification"],
            &body["birth_date"]
        ),
        (
            &json!("Anna"),
            &json!("Sommer-Berg"),
            &json!("fachkraft"),
            &json!("1990-05-04")
        ),
        "empty fields keep what is recorded"
    );
    assert_eq!(
        body["absences"].as_array().unwrap().len(),
        1,
        "times off stay"
    );
    let (status, _) = api(
        &kita,
        &lead,
        "POST",
        "/api/staff/person",
        Some(json!({"staff": anna["id"], "family_name": "X"})),
    )
    .await;
    assert!(
        status == 403 || status == 404,
        "the Kita lead keeps no staff: {status}"
    );
    let (status, _) = api(
        &kita,
        &lead,
        "POST",
        "/api/staff",
        Some(person("Emil", "fachkraft", "2026-01-01", "40")),
    )
    .await;
    assert_eq!(status, 403, "the Träger's admin keeps the staff");

    let (status, balance) = api(&traeger, &admin, "GET", &path, None).await;
    assert_eq!(status, 200, "{balance}");
    // January: Anna 40/40 = 1.000; Carla does not count.
    assert_eq!(added(&balance, "2026-01"), Decimal::new(1, 0));
    // November: Anna 1 + Ben 20/40 × 15/30 days = 0.25.
    let november = month(&balance, "2026-11");
    assert_eq!(added(&balance, "2026-11"), Decimal::new(125, 2));
    assert_eq!(november["forecast"], false);
    assert!(november["children"].as_u64().unwrap() > 0, "{november}");
    assert!(dec(&november["soll_total"]) > Decimal::ZERO);
    let gap = dec(&november["ist_total"]) - dec(&november["soll_total"]);
    assert!(
        (dec(&november["difference"]) - gap).abs() <= Decimal::new(1, 3),
        "difference = Ist − Soll: {november}"
    );
    // December: Anna is off all month; Ben 0.5. A forecast month.
    let december = month(&balance, "2026-12");
    assert_eq!(added(&balance, "2026-12"), Decimal::new(5, 1));
    assert_eq!(december["forecast"], true);

    // Ben leaves on 30 November: December no longer counts him.
    let ben = body_ben.clone();
    let assignment = ben["assignments"][0]["id"].as_str().unwrap();
    let (status, body) = api(
        &traeger,
        &admin,
        "POST",
        "/api/staff/assignments/end",
        Some(json!({"staff": ben["id"], "assignment": assignment, "until": "2026-11-01"})),
    )
    .await;
    assert_eq!(status, 422, "before the assignment began: {body}");
    assert_eq!(body["fields"][0]["field"], "until", "{body}");
    let (status, body) = api(
        &traeger,
        &admin,
        "POST",
        "/api/staff/assignments/end",
        Some(json!({"staff": ben["id"], "assignment": "asg-none", "until": "2026-11-30"})),
    )
    .await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(body["fields"][0]["field"], "assignment", "{body}");
    let (status, body) = api(
        &traeger,
        &admin,
        "POST",
        "/api/staff/assignments/end",
        Some(json!({"staff": ben["id"], "assignment": assignment, "until": "2026-11-30"})),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let (_, balance) = api(&traeger, &admin, "GET", &path, None).await;
    assert_eq!(added(&balance, "2026-11"), Decimal::new(125, 2));
    assert_eq!(
        added(&balance, "2026-12"),
        Decimal::ZERO,
        "Anna off, Ben gone"
    );
    let november = month(&balance, "2026-11").clone();

    // The Kita's lead sees her staff and the same balance on the Kita's node after sync.
    let sync = kitanetz_node::sync::LocalSync::start(nodes.clone());
    sync.settle();
    let (status, staff) = api(&kita, &lead, "GET", "/api/staff", None).await;
    assert_eq!(status, 200, "{staff}");
    let sommers = staff
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["name"].as_str().unwrap().starts_with("Sommer"))
        .count();
    assert_eq!(sommers, 3, "{staff}");
    let (status, at_kita) = api(&kita, &lead, "GET", "/api/staffing?year=2026", None).await;
    assert_eq!(status, 200, "{at_kita}");
    assert_eq!(
        month(&at_kita, "2026-11")["ist_total"],
        november["ist_total"]
    );
    assert_eq!(
        month(&at_kita, "2026-11")["soll_total"],
        november["soll_total"]
    );
}
