//! School entrants (Lastenheft 3.6.17) on the Kita's node: the list from birth dates and the
//! cut-offs, a Schulrücksteller kept, the bulk exit without notice (Satzung § 9 (5)) in one
//! step that stores nothing when one child is refused, the exits in the terminations statistic
//! (3.12.1.4) of the Kita and of its Träger after sync.

use chrono::NaiveDate;
use kitanetz_crdt::ids::ContractId;
use kitanetz_crdt::kinds::CareContract;
use kitanetz_node::auth::Role;
use kitanetz_node::Node;
use kitanetz_tests::{add_traeger_user, api, KitaAndTraeger, Network};
use serde_json::{json, Value};

fn day(v: &Value) -> NaiveDate {
    v.as_str().unwrap().parse().unwrap()
}

fn contracts(list: &Value) -> Vec<String> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|c| c["contract"].as_str().unwrap().to_string())
        .collect()
}

fn contract_of(node: &Node, id: &str) -> CareContract {
    node.store()
        .find::<CareContract>(&kitanetz_node::contracts::contract_doc_id(&ContractId(
            id.to_string(),
        )))
        .unwrap()
        .expect("the contract is here")
        .1
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn school_entrants_leave_in_one_step_and_a_deferred_child_stays() {
    let net = Network::seeded();
    let fixture = KitaAndTraeger::open(&net);
    let other_traeger = fixture.other_traeger();
    let lead = fixture.lead("school-lead");
    let KitaAndTraeger {
        nodes,
        kita,
        traeger,
        facility,
        provider,
    } = fixture;
    let admin = add_traeger_user(&traeger, "school-admin", Role::TraegerAdmin, &provider).token;
    let stranger = add_traeger_user(
        &kita,
        "school-stranger",
        Role::TraegerAdmin,
        other_traeger.config.provider.as_ref().unwrap(),
    )
    .token;

    // The list: "alle Kinder …, die das 6. Lebensjahr zum 30.06. bzw. bis zum 30.09 erreicht
    // haben".
    let (status, list) = api(&kita, &lead, "GET", "/api/school?year=2027", None).await;
    assert_eq!(status, 200, "{list}");
    assert_eq!(list["first_school_day"], "2027-08-01");
    assert_eq!(list["last_day"], "2027-07-31");
    let entrants = list["entrants"].as_array().unwrap().clone();
    assert!(
        entrants.len() >= 2,
        "the demo Kita has school entrants: {list}"
    );
    for e in &entrants {
        let born = day(&e["birth_date"]);
        assert!(
            born > NaiveDate::from_ymd_opt(2020, 7, 1).unwrap()
                && born <= NaiveDate::from_ymd_opt(2021, 7, 1).unwrap(),
            "six by 30 June 2027 (born by 1 July: the year is completed the day before the birthday): {e}"
        );
    }
    for c in list["may_enter_on_request"].as_array().unwrap() {
        let born = day(&c["birth_date"]);
        assert!(
            born > NaiveDate::from_ymd_opt(2021, 7, 1).unwrap()
                && born <= NaiveDate::from_ymd_opt(2021, 10, 1).unwrap(),
            "six by 30 September 2027: {c}"
        );
    }
    let (status, _) = api(
        &kita,
        &stranger,
        "GET",
        &format!("/api/school?year=2027&facility={}", facility.0),
        None,
    )
    .await;
    assert_eq!(status, 403, "another Träger's admin");
    let (status, _) = api(
        &kita,
        &stranger,
        "POST",
        "/api/school/exits",
        Some(json!({"school_year": 2027, "contracts": contracts(&list["entrants"])})),
    )
    .await;
    assert_eq!(status, 403, "another Träger's admin");

    // A child of the statute cannot be marked "on request"; a deferral moves it a year on.
    let deferred = entrants[0]["contract"].as_str().unwrap().to_string();
    let (status, body) = api(
        &kita,
        &lead,
        "POST",
        "/api/school/marks",
        Some(json!({"contract": deferred, "rule": "on-request"})),
    )
    .await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(body["fields"][0]["field"], "rule", "{body}");
    let (status, body) = api(
        &kita,
        &lead,
        "POST",
        "/api/school/marks",
        Some(json!({"contract": deferred, "rule": "deferred", "school_year": "2031"})),
    )
    .await;
    assert_eq!(status, 422, "at most two years: {body}");
    assert_eq!(body["fields"][0]["field"], "school_year", "{body}");
    let (status, body) = api(
        &kita,
        &lead,
        "POST",
        "/api/school/marks",
        Some(json!({"contract": deferred, "rule": "deferred"})),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["school_entry"]["school_year"], 2028, "{body}");
    let (_, list) = api(&kita, &lead, "GET", "/api/school?year=2027", None).await;
    assert!(!contracts(&list["entrants"]).contains(&deferred));
    assert!(contracts(&list["deferred"]).contains(&deferred), "{list}");
    let (_, next) = api(&kita, &lead, "GET", "/api/school?year=2028", None).await;
    assert!(contracts(&next["entrants"]).contains(&deferred), "{next}");
    let to_exit = contracts(&list["entrants"]);

    // One child that is not an entrant: nothing is stored.
    let mut with_wrong = to_exit.clone();
    with_wrong.push(deferred.clone());
    let (status, body) = api(
        &kita,
        &lead,
        "POST",
        "/api/school/exits",
        Some(json!({"school_year": 2027, "contracts": with_wrong})),
    )
    .await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(
        body["fields"][0]["field"],
        format!("contracts[{}]", to_exit.len()),
        "{body}"
    );
    assert!(
        to_exit
            .iter()
            .all(|id| contract_of(&kita, id).notice_reason.is_none()),
        "no exit was recorded"
    );

    let (status, body) = api(
        &kita,
        &lead,
        "POST",
        "/api/school/exits",
        Some(json!({"school_year": 2027, "contracts": to_exit})),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["exited"].as_array().unwrap().len(), to_exit.len());
    for id in &to_exit {
        let c = contract_of(&kita, id);
        assert_eq!(c.period.end().unwrap().to_string(), "2027-07-31");
        assert_eq!(c.notice_reason.as_deref(), Some("school"));
        assert_eq!(c.notice_given_on, None, "no notice needed");
    }
    let (_, list) = api(&kita, &lead, "GET", "/api/school?year=2027", None).await;
    assert!(list["entrants"]
        .as_array()
        .unwrap()
        .iter()
        .all(|c| c["exited"] == true));
    let (status, body) = api(
        &kita,
        &lead,
        "POST",
        "/api/school/exits",
        Some(json!({"school_year": 2027, "contracts": [to_exit[0]]})),
    )
    .await;
    assert_eq!(status, 422, "twice: {body}");
    assert!(contract_of(&kita, &deferred)
        .period
        .end()
        .is_none_or(|e| e.0 > NaiveDate::from_ymd_opt(2027, 7, 31).unwrap()));

    // The exit certificates, one page per child, in one PDF.
    let router = kitanetz_node::http::router(kita.clone());
    let (status, pdf) = kitanetz_tests::call(
        &router,
        axum::http::Method::GET,
        "/school/certificates.pdf?year=2027",
        Some(&lead),
        None,
    )
    .await;
    assert_eq!(status, 200);
    assert!(pdf.starts_with("%PDF"), "a PDF");
    let (status, _) = kitanetz_tests::call(
        &router,
        axum::http::Method::GET,
        &format!("/contracts/{}/exit-certificate.pdf", to_exit[0]),
        Some(&lead),
        None,
    )
    .await;
    assert_eq!(status, 200, "one child's certificate");
    let (status, _) = kitanetz_tests::call(
        &router,
        axum::http::Method::GET,
        &format!("/contracts/{deferred}/exit-certificate.pdf"),
        Some(&lead),
        None,
    )
    .await;
    assert_eq!(
        status, 409,
        "a contract that has not ended has no exit certificate"
    );

    // The exits are terminations for school, at the Kita and, after sync, at its Träger.
    let (status, report) = api(
        &kita,
        &lead,
        "GET",
        "/api/terminations?from=2027-01-01&until=2027-12-31",
        None,
    )
    .await;
    assert_eq!(status, 200, "{report}");
    assert_eq!(report["count"], to_exit.len(), "{report}");
    let school = report["reasons"]["entries"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["key"] == "school")
        .expect("the reason school");
    assert_eq!(school["count"], to_exit.len(), "{report}");
    let sync = kitanetz_node::sync::LocalSync::start(nodes.clone());
    sync.settle();
    let (status, report) = api(
        &traeger,
        &admin,
        "GET",
        &format!(
            "/api/terminations?from=2027-01-01&until=2027-12-31&facility={}",
            facility.0
        ),
        None,
    )
    .await;
    assert_eq!(status, 200, "{report}");
    assert_eq!(
        report["count"],
        to_exit.len(),
        "the Träger's office: {report}"
    );
    let kept = contract_of(&traeger, &deferred);
    assert_eq!(
        kept.school_entry.map(|m| m.school_year),
        Some(2028),
        "the deferral reached the Träger's office"
    );
    // The Beitragsstelle sees it in the family's fee case.
    let clerk = add_traeger_user(&traeger, "school-fees", Role::FeeOffice, &provider).token;
    let (status, case) = api(
        &traeger,
        &clerk,
        "GET",
        &format!("/api/fees/families/{}", kept.family.0),
        None,
    )
    .await;
    assert_eq!(status, 200, "{case}");
    let notes = case["school_notes"].as_array().unwrap();
    assert!(
        notes.iter().any(|n| n
            .as_str()
            .unwrap()
            .contains("Schulrücksteller, Einschulung 2028")),
        "{case}"
    );
}
