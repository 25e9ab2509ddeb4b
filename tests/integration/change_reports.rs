//! Änderungsmeldungen (Lastenheft 3.7.3): what a Kita changes in a contract reaches the
//! Beitragsstelle of its Träger as a change report in words, filtered by field, marked done once
//! acted on, and listed again when the Kita changes the contract once more.

use kitanetz_node::auth::Role;
use kitanetz_tests::{add_traeger_user, api, get_bytes, open_xlsx, KitaAndTraeger, Network};
use serde_json::{json, Value};

/// The open reports of the Träger, as the clerk's API lists them.
async fn open(fx: &KitaAndTraeger, clerk: &str, field: &str) -> Vec<Value> {
    let (status, body) = api(
        &fx.traeger,
        clerk,
        "GET",
        &format!("/api/fees/changes?field={field}"),
        None,
    )
    .await;
    assert_eq!(status, 200, "{body}");
    body.as_array().unwrap().clone()
}

fn report_of<'a>(reports: &'a [Value], contract: &str) -> Option<&'a Value> {
    reports.iter().find(|r| {
        r["kind"] == "contract"
            && r["doc_id"]
                .as_str()
                .is_some_and(|d| d.ends_with(contract) || d.contains(contract))
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_beitragsstelle_sees_what_a_kita_changed_filters_it_and_marks_it_done() {
    let net = Network::seeded();
    let fx = KitaAndTraeger::open(&net);
    let lead = fx.lead("chg-lead");
    let clerk = add_traeger_user(&fx.traeger, "chg-fees", Role::FeeOffice, &fx.provider).token;
    let admin = add_traeger_user(&fx.traeger, "chg-admin", Role::TraegerAdmin, &fx.provider).token;
    let sync = kitanetz_node::sync::LocalSync::start(fx.nodes.clone());
    sync.settle();

    // An open-ended contract running on the fixture's day, and its line in force.
    let (contract, care_type, hours, payment): (String, String, String, String) = fx
        .kita
        .store()
        .conn()
        .query_row(
            "SELECT k.id, l.care_type, l.daily_hours, l.payment_mode
             FROM p_contracts k JOIN p_contract_lines l ON l.contract = k.id
             WHERE k.facility = ?1 AND k.start <= '2026-11-02' AND k.end IS NULL AND l.end IS NULL
             ORDER BY k.id LIMIT 1",
            [&fx.facility.0],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )
        .unwrap();
    let before = open(&fx, &clerk, "").await;
    assert!(
        report_of(&before, &contract).is_none(),
        "a contract nobody changed since it was made has no report: {before:?}"
    );

    // The Kita lead cuts the hours from March.
    let new_hours = if hours.starts_with('6') { "5" } else { "6" };
    let (status, body) = api(
        &fx.kita,
        &lead,
        "POST",
        &format!("/api/contracts/{contract}/changes"),
        Some(json!({"valid_from": "2027-03-01", "care_type": care_type, "daily_hours": new_hours, "payment_mode": payment})),
    )
    .await;
    assert!(status == 200 || status == 201, "{status} {body}");
    sync.settle();

    let reports = open(&fx, &clerk, "").await;
    let report = report_of(&reports, &contract).expect("the change is reported");
    let changes = report["changes"].as_array().unwrap();
    assert_eq!(changes.len(), 1, "{report}");
    assert_eq!(changes[0]["field"], "hours");
    let what = changes[0]["what"].as_str().unwrap();
    assert!(
        what.starts_with("ab 01.03.2027: ")
            && what.ends_with(&format!("→ {new_hours} Stunden täglich")),
        "{what}"
    );
    assert_eq!(changes[0]["valid_from"], "2027-03-01");
    assert!(
        report["facility"].as_str().unwrap().len() > 3,
        "the Kita by name"
    );
    // Filtered by another field it is not there; by its own it is.
    assert!(report_of(&open(&fx, &clerk, "notice").await, &contract).is_none());
    assert!(report_of(&open(&fx, &clerk, "hours").await, &contract).is_some());
    let (status, _) = api(
        &fx.traeger,
        &clerk,
        "GET",
        "/api/fees/changes?field=colour",
        None,
    )
    .await;
    assert_eq!(status, 400, "an unknown field is a clear error");

    // The Träger's admin reads, but only the Beitragsstelle marks done; the Kita has no list.
    assert_eq!(
        api(&fx.traeger, &admin, "GET", "/api/fees/changes", None)
            .await
            .0,
        200
    );
    let doc_id = report["doc_id"].as_str().unwrap().to_string();
    let heads = report["heads"].as_str().unwrap().to_string();
    let done = json!({"reports": [{"doc_id": doc_id, "heads": heads}]});
    let (status, _) = api(
        &fx.traeger,
        &admin,
        "POST",
        "/api/fees/changes/done",
        Some(done.clone()),
    )
    .await;
    assert_eq!(status, 403);
    assert_eq!(
        api(&fx.kita, &lead, "GET", "/api/fees/changes", None)
            .await
            .0,
        403
    );

    // Notice arrives before the clerk acts: the heads she saw are stale, nothing is marked.
    let (status, body) = api(
        &fx.kita,
        &lead,
        "POST",
        &format!("/api/contracts/{contract}/notice"),
        Some(json!({"notice_on": "2026-11-02", "end": "2027-07-31", "reason": "move"})),
    )
    .await;
    assert!(status == 200 || status == 201, "{status} {body}");
    sync.settle();
    let (status, body) = api(
        &fx.traeger,
        &clerk,
        "POST",
        "/api/fees/changes/done",
        Some(done),
    )
    .await;
    assert_eq!(status, 409, "{body}");
    let reports = open(&fx, &clerk, "").await;
    let report = report_of(&reports, &contract).expect("still open");
    let fields: Vec<&str> = report["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["contract-end", "notice", "hours"], "{report}");
    assert!(
        report
            .to_string()
            .contains("gekündigt am 02.11.2026 zum 31.07.2027"),
        "{report}"
    );

    // Marked done with what she saw now: gone from the open list, kept with who and when.
    let done = json!({"reports": [{"doc_id": report["doc_id"], "heads": report["heads"]}]});
    let (status, body) = api(
        &fx.traeger,
        &clerk,
        "POST",
        "/api/fees/changes/done",
        Some(done),
    )
    .await;
    assert_eq!((status, body["marked"].as_u64()), (200, Some(1)), "{body}");
    assert!(report_of(&open(&fx, &clerk, "").await, &contract).is_none());
    let audited: i64 = fx
        .traeger
        .store()
        .conn()
        .query_row(
            "SELECT count(*) FROM audit_log WHERE action = 'changes.done' AND actor = 'user:chg-fees'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(audited, 1);

    // The next change is reported on its own, against what was marked done.
    let (status, body) = api(
        &fx.kita,
        &lead,
        "POST",
        &format!("/api/contracts/{contract}/changes"),
        Some(json!({"valid_from": "2027-05-01", "care_type": care_type, "daily_hours": "4", "payment_mode": payment})),
    )
    .await;
    assert!(status == 200 || status == 201, "{status} {body}");
    sync.settle();
    let reports = open(&fx, &clerk, "").await;
    let report = report_of(&reports, &contract).expect("reported again");
    let changes = report["changes"].as_array().unwrap();
    assert_eq!(changes.len(), 1, "only the new change: {report}");
    assert!(
        changes[0]["what"]
            .as_str()
            .unwrap()
            .starts_with(&format!("ab 01.05.2027: {new_hours} → 4")),
        "{report}"
    );

    // The page and the Excel file say the same.
    let router = kitanetz_node::http::router(fx.traeger.clone());
    let (status, bytes) = get_bytes(&router, "/fees/changes.xlsx?field=hours", &clerk).await;
    assert_eq!(status, 200);
    let (_, text) = open_xlsx(&bytes);
    assert!(text.contains("ab 01.05.2027"), "{text}");
    let (status, page) = get_bytes(&router, "/fees/changes", &clerk).await;
    assert_eq!(status, 200);
    let page = String::from_utf8(page).unwrap();
    assert!(page.contains("id=\"changes-form\"") && page.contains("ab 01.05.2027"));
    let (_, page) = get_bytes(&router, "/fees/changes?done=on", &clerk).await;
    assert!(String::from_utf8(page)
        .unwrap()
        .contains("gekündigt am 02.11.2026"));
    drop(sync);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_move_the_kita_records_reaches_the_beitragsstelle_as_a_family_change() {
    let net = Network::seeded();
    let fx = KitaAndTraeger::open(&net);
    let lead = fx.lead("move-lead");
    let clerk = add_traeger_user(&fx.traeger, "move-fees", Role::FeeOffice, &fx.provider).token;
    let sync = kitanetz_node::sync::LocalSync::start(fx.nodes.clone());
    sync.settle();
    let (child, family) = kitanetz_tests::child_in_care_on(&fx.kita, "2026-11-02");
    let (guardian, name): (String, String) = fx
        .kita
        .store()
        .conn()
        .query_row(
            "SELECT id, given_name || ' ' || family_name FROM p_guardians WHERE family = ?1 ORDER BY id LIMIT 1",
            [&family],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    let path = format!("/api/children/{child}/guardians/{guardian}");
    let resident = {
        let (_, fam) = fx
            .kita
            .store()
            .get::<kitanetz_crdt::kinds::Family>(&kitanetz_node::families::family_doc_id(
                &kitanetz_crdt::ids::FamilyId(family.clone()),
            ))
            .unwrap();
        fam.guardians
            .iter()
            .find(|g| g.id.0 == guardian)
            .unwrap()
            .main_residence_in_city
    };
    // The move flips the main residence (out of the city, or into it).
    let moved = json!({"street": "Am Markt 3", "postcode": "01445", "city": "Radebeul",
        "phone": "0351 4711", "email": "", "single_parent": "",
        "main_residence_in_city": if resident { "" } else { "on" }});

    // A postcode of four digits is named at its field; nothing changes.
    let mut bad = moved.clone();
    bad["postcode"] = json!("1445");
    let (status, body) = api(&fx.kita, &lead, "PUT", &path, Some(bad)).await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(body["fields"][0]["field"], "postcode", "{body}");
    // The Kita's lead only: the Beitragsstelle at the Träger does not move families.
    let (status, _) = api(&fx.traeger, &clerk, "PUT", &path, Some(moved.clone())).await;
    assert_eq!(status, 403);

    let (status, body) = api(&fx.kita, &lead, "PUT", &path, Some(moved)).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["guardian"]["address"]["city"], "Radebeul");
    assert_eq!(body["guardian"]["main_residence_in_city"], !resident);
    sync.settle();

    let reports = open(&fx, &clerk, "address").await;
    let report = reports
        .iter()
        .find(|r| r["kind"] == "family" && r["family"] == family.as_str())
        .expect("the move is a change report");
    let what = report["changes"][0]["what"].as_str().unwrap();
    assert!(
        what.starts_with(&format!("{name}: ")) && what.ends_with("→ Am Markt 3, 01445 Radebeul"),
        "{what}"
    );
    let residence = open(&fx, &clerk, "residence").await;
    assert!(residence.iter().any(|r| r["family"] == family.as_str()
        && r["changes"][0]["what"]
            .as_str()
            .unwrap()
            .ends_with(if resident {
                "ja → nein"
            } else {
                "nein → ja"
            })));
    drop(sync);
}
