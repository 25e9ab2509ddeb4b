//! The Kita's own day (#11 item 3): groups, extra care and a new child, entered on the Kita's
//! node while it is offline, arrive at the Träger office when it reconnects; the Beitragsstelle
//! sees the reported extra care and charges it in the family's fees (Satzung § 5).

use kitanetz_crdt::ids::{facility_org, provider_org};
use kitanetz_crdt::kinds::{ExtraCareMonth, Group};
use kitanetz_crdt::policy::NodeRole;
use kitanetz_node::auth::Role;
use kitanetz_node::Node;
use kitanetz_tests::{add_traeger_user, add_user, api, child_in_care_on, Network};
use serde_json::{json, Value};
use std::sync::Arc;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn groups_extra_care_and_a_new_child_made_offline_reach_the_traeger_office() {
    let net = Network::seeded();
    let nodes: Vec<Arc<Node>> = net.open_all();
    let kita = nodes
        .iter()
        .find(|n| n.config.role == NodeRole::Kita)
        .unwrap()
        .clone();
    let traeger = nodes
        .iter()
        .find(|n| n.config.role == NodeRole::Traeger && n.config.provider == kita.config.provider)
        .unwrap()
        .clone();
    let (facility, provider) = (
        kita.config.facility.clone().unwrap(),
        kita.config.provider.clone().unwrap(),
    );
    let lead = add_user(
        &kita,
        "day-lead",
        Role::KitaLead,
        facility_org(&facility),
        Some(provider.clone()),
        Some(facility.clone()),
    )
    .token;
    let clerk = add_traeger_user(&traeger, "day-fees", Role::FeeOffice, &provider).token;
    let admin = add_traeger_user(&traeger, "day-admin", Role::TraegerAdmin, &provider).token;
    let sync = kitanetz_node::sync::LocalSync::start(nodes.clone());
    sync.settle();
    sync.go_offline(&kita.config.name);

    // Groups, offline. Bad input names its field and stores nothing.
    let (status, body) = api(
        &kita,
        &lead,
        "POST",
        "/api/groups",
        Some(json!({"name": "Igel", "care_type": "kindergarten", "size": "0"})),
    )
    .await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(body["fields"][0]["field"], "size", "{body}");
    let (status, group) = api(
        &kita,
        &lead,
        "POST",
        "/api/groups",
        Some(json!({"name": "Igel", "care_type": "kindergarten", "size": "1", "lead_educator": "Frau Sommer"})),
    )
    .await;
    assert_eq!(status, 201, "{group}");
    let group_id = group["id"].as_str().unwrap().to_string();
    let (status, body) = api(
        &kita,
        &lead,
        "POST",
        "/api/groups",
        Some(json!({"name": "igel", "care_type": "nursery", "size": "8"})),
    )
    .await;
    assert_eq!(status, 422, "a second group of the same name: {body}");
    let (child, family) = child_in_care_on(&kita, "2026-10-15");
    let (status, moved) = api(
        &kita,
        &lead,
        "POST",
        "/api/groups/moves",
        Some(json!({"child": child, "group": group_id})),
    )
    .await;
    assert_eq!(status, 200, "{moved}");
    let (_, view) = api(&kita, &lead, "GET", "/api/groups", None).await;
    let igel = view["groups"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["id"] == group_id.as_str())
        .unwrap();
    assert_eq!(igel["members"][0]["id"], child.as_str(), "{igel}");
    assert!(
        !view["ungrouped"]
            .as_array()
            .unwrap()
            .iter()
            .any(|m| m["id"] == child.as_str()),
        "in one group, not among the ungrouped"
    );
    // A second child makes the group of size 1 too big: allowed, and shown.
    // (The demo's children are all in groups already: take one from another group.)
    let other = view["groups"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|g| g["id"] != group_id.as_str())
        .flat_map(|g| g["members"].as_array().unwrap().iter())
        .chain(view["ungrouped"].as_array().unwrap().iter())
        .map(|m| m["id"].as_str().unwrap().to_string())
        .next()
        .expect("another child");
    api(
        &kita,
        &lead,
        "POST",
        "/api/groups/moves",
        Some(json!({"child": other, "group": group_id})),
    )
    .await;
    let (_, view) = api(&kita, &lead, "GET", "/api/groups", None).await;
    let igel = view["groups"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["id"] == group_id.as_str())
        .unwrap();
    assert_eq!(igel["over_size"], true, "{igel}");
    let (status, _) = api(
        &kita,
        &lead,
        "POST",
        "/api/groups/moves",
        Some(json!({"child": child, "group": "grp-elsewhere"})),
    )
    .await;
    assert_eq!(status, 404, "a group of no Kita here");

    // Extra care in October, offline: 1 tier and a pick-up after closing.
    let (status, body) = api(
        &kita,
        &lead,
        "POST",
        "/api/extra-care/entries",
        Some(json!({"child": child, "date": "2026-10-15", "from": "17:00", "to": "16:00", "extra_tiers": "1"})),
    )
    .await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(body["fields"][0]["field"], "to", "{body}");
    let (status, body) = api(
        &kita,
        &lead,
        "POST",
        "/api/extra-care/entries",
        Some(json!({"child": child, "date": "2026-10-15", "from": "16:30", "to": "17:45", "extra_tiers": "1", "outside_opening_hours": "true"})),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    let (status, body) = api(
        &kita,
        &lead,
        "POST",
        "/api/extra-care/entries",
        Some(json!({"child": child, "date": "2026-10-16", "from": "16:30", "to": "17:00", "extra_tiers": "1", "school_free_day": "true"})),
    )
    .await;
    assert_eq!(
        status, 422,
        "a school-free day is for Hort children: {body}"
    );
    let (status, body) = api(
        &kita,
        &lead,
        "POST",
        "/api/extra-care/reports",
        Some(json!({"month": "2026-11"})),
    )
    .await;
    assert_eq!(status, 409, "November has not ended: {body}");
    let (status, body) = api(
        &kita,
        &lead,
        "POST",
        "/api/extra-care/reports",
        Some(json!({"month": "2026-10"})),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let (status, body) = api(
        &kita,
        &lead,
        "POST",
        "/api/extra-care/entries",
        Some(json!({"child": child, "date": "2026-10-20", "from": "16:30", "to": "17:00", "extra_tiers": "2"})),
    )
    .await;
    assert_eq!(status, 409, "a reported month is closed: {body}");
    let (_, month) = api(&kita, &lead, "GET", "/api/extra-care?month=2026-10", None).await;
    assert_eq!(
        month["entries"][0]["amount"], "30.00",
        "5 € + 25 €: {month}"
    );
    assert_eq!(month["reported_on"], "2026-11-02");

    // A new child, offline: family and contract at the Kita.
    let new_child = json!({
        "start": "2026-12-01", "care_type": "nursery",
        "child_given_name": "Ida", "child_family_name": "Neumann", "child_birth_date": "2025-06-01",
        "child_sex": "female", "guardian_given_name": "Eva", "guardian_family_name": "Neumann",
        "street": "Lindenweg 3", "postcode": "01069", "city": "Dresden", "daily_hours": "8",
        "payment_mode": "direct-debit", "employer_seat": "true"
    });
    let (status, admitted) = api(
        &kita,
        &lead,
        "POST",
        "/api/children",
        Some(new_child.clone()),
    )
    .await;
    assert_eq!(status, 201, "{admitted}");
    let (status, body) = api(&kita, &lead, "POST", "/api/children", Some(new_child)).await;
    assert_eq!(status, 422, "the same child twice: {body}");
    let new_id = admitted["child"].as_str().unwrap().to_string();

    // Nothing of it at the Träger office while the Kita is cut off.
    sync.settle();
    let groups_at = |n: &Node| -> Vec<Group> { n.store().values_of_kind::<Group>().unwrap() };
    assert!(!groups_at(&traeger).iter().any(|g| g.name == "Igel"));
    sync.come_online(&kita.config.name);
    sync.settle();

    let igel = groups_at(&traeger)
        .into_iter()
        .find(|g| g.name == "Igel")
        .expect("the group reached the Träger office");
    assert_eq!(igel.members.len(), 2);
    assert_eq!(igel.lead_educator, "Frau Sommer");
    let months = traeger.store().values_of_kind::<ExtraCareMonth>().unwrap();
    assert!(months
        .iter()
        .any(|m| m.reported_on.is_some() && m.entries.len() == 1));
    let known: i64 = traeger
        .store()
        .conn()
        .query_row(
            "SELECT COUNT(*) FROM p_children WHERE id = ?1",
            [&new_id],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(known, 1, "the new child reached the Träger office");

    // The Träger's admin reads the groups; only the Kita changes them.
    let (status, view) = api(
        &traeger,
        &admin,
        "GET",
        &format!("/api/groups?facility={}", facility.0),
        None,
    )
    .await;
    assert_eq!(status, 200, "{view}");
    assert!(view["groups"]
        .as_array()
        .unwrap()
        .iter()
        .any(|g| g["name"] == "Igel"));
    let (status, _) = api(
        &traeger,
        &admin,
        "POST",
        "/api/groups",
        Some(json!({"name": "Träger", "care_type": "nursery", "size": "8"})),
    )
    .await;
    assert_eq!(status, 403);

    // The Beitragsstelle's watch list, and the charge in the family's fee of October.
    let (status, watch) = api(&traeger, &clerk, "GET", "/api/fees/extra-care", None).await;
    assert_eq!(status, 200, "{watch}");
    let october = watch
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["month"] == "2026-10" && m["facility"] == facility.0.as_str())
        .expect("October on the watch list");
    assert_eq!(october["total"], "30.00", "{october}");
    assert_eq!(october["processed"], false, "{october}");
    assert_eq!(october["children"][0]["decided"], Value::Null, "{october}");

    // The Mehrbetreuungsbescheid of the child's October: once, then the month is processed.
    let decide = json!({"family": family, "child": child, "month": "2026-10"});
    let (status, _) = api(
        &traeger,
        &admin,
        "POST",
        "/api/fees/extra-care/decisions",
        Some(decide.clone()),
    )
    .await;
    assert_eq!(status, 403, "the Träger's admin reads, the clerk decides");
    let (status, decided) = api(
        &traeger,
        &clerk,
        "POST",
        "/api/fees/extra-care/decisions",
        Some(decide.clone()),
    )
    .await;
    assert_eq!(status, 201, "{decided}");
    assert_eq!(decided["total"], "30.00", "{decided}");
    let number = decided["number"].as_str().unwrap().to_string();
    assert!(number.contains("-MB-"), "{number}");
    let (status, again) = api(
        &traeger,
        &clerk,
        "POST",
        "/api/fees/extra-care/decisions",
        Some(decide),
    )
    .await;
    assert_eq!(status, 409, "decided once: {again}");
    let (status, body) = api(
        &traeger,
        &clerk,
        "POST",
        "/api/fees/extra-care/decisions",
        Some(json!({"family": family, "child": child, "month": "2026-09"})),
    )
    .await;
    assert_eq!(status, 409, "no extra care reported in September: {body}");
    let router = kitanetz_node::http::router(traeger.clone());
    let (status, pdf) = kitanetz_tests::call(
        &router,
        "GET".parse().unwrap(),
        &format!("/fees/families/{family}/extra-care-decisions/{number}/pdf"),
        Some(&clerk),
        None,
    )
    .await;
    assert_eq!(status.as_u16(), 200);
    assert!(pdf.starts_with("%PDF"));
    let (_, watch) = api(&traeger, &clerk, "GET", "/api/fees/extra-care", None).await;
    let october = watch
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["month"] == "2026-10" && m["facility"] == facility.0.as_str())
        .expect("October on the watch list");
    assert_eq!(october["processed"], true, "{october}");
    assert_eq!(october["children"][0]["decided"]["number"], number.as_str());
    // The other guardian's copy exists exactly when the list offers it (another address).
    let second_copy = october["children"][0]["decided"]["second_copy"] == true;
    let (status, other) = kitanetz_tests::call(
        &router,
        "GET".parse().unwrap(),
        &format!("/fees/families/{family}/extra-care-decisions/{number}/pdf?copy=other"),
        Some(&clerk),
        None,
    )
    .await;
    if second_copy {
        assert_eq!(status.as_u16(), 200);
        assert!(other.starts_with("%PDF"));
    } else {
        assert_eq!(status.as_u16(), 404, "same address: no second copy");
    }
    // The page lists it only when asked for processed months too.
    let page = |path: &'static str| {
        let router = kitanetz_node::http::router(traeger.clone());
        let clerk = clerk.clone();
        async move {
            kitanetz_tests::call(&router, "GET".parse().unwrap(), path, Some(&clerk), None)
                .await
                .1
        }
    };
    let marker = format!(r#"data-facility="{}" data-month="2026-10""#, facility.0);
    assert!(!page("/fees/extra-care").await.contains(&marker));
    assert!(page("/fees/extra-care?all=on").await.contains(&marker));
    let (status, fees) = api(
        &traeger,
        &clerk,
        "GET",
        &format!("/api/fees/families/{family}"),
        None,
    )
    .await;
    assert_eq!(status, 200, "{fees}");
    let october = fees["months"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["month"] == "2026-10")
        .unwrap_or_else(|| panic!("October computed: {fees}"));
    let explained = october.to_string();
    assert!(
        explained.contains("Stufe(n) über der vertraglichen Betreuungszeit")
            && explained.contains("Abholung nach der Schließzeit"),
        "{october}"
    );
    // The lists as Excel files: a zip (xlsx) for those who may read them, refused otherwise.
    for (node, token, path) in [
        (&kita, &lead, "/groups.xlsx".to_string()),
        (&kita, &lead, "/extra-care.xlsx?month=2026-10".to_string()),
        (&kita, &lead, "/children.xlsx".to_string()),
        (&kita, &lead, "/occupancy.xlsx".to_string()),
        (&traeger, &clerk, "/fees/extra-care.xlsx".to_string()),
        (&traeger, &clerk, "/fees.xlsx".to_string()),
        (&kita, &lead, "/seats.xlsx".to_string()),
        (&kita, &lead, "/school.xlsx?year=2027".to_string()),
        (&kita, &lead, "/terminations.xlsx".to_string()),
        (&kita, &lead, "/staffing.xlsx?year=2026".to_string()),
    ] {
        let router = kitanetz_node::http::router(node.clone());
        let (status, body) =
            kitanetz_tests::call(&router, "GET".parse().unwrap(), &path, Some(token), None).await;
        assert_eq!(status.as_u16(), 200, "{path}: {body}");
        assert!(
            body.starts_with("PK\u{3}\u{4}"),
            "{path}: an xlsx (zip) file"
        );
    }
    let router = kitanetz_node::http::router(traeger.clone());
    let (status, _) = kitanetz_tests::call(
        &router,
        "GET".parse().unwrap(),
        "/fees/extra-care.xlsx",
        Some(&admin),
        None,
    )
    .await;
    assert_eq!(
        status.as_u16(),
        200,
        "the Träger's admin reads the fee lists"
    );
    let other = add_user(
        &traeger,
        "day-other-traeger",
        Role::TraegerAdmin,
        provider_org(&kitanetz_crdt::ids::ProviderId("prov-elsewhere".into())),
        Some(kitanetz_crdt::ids::ProviderId("prov-elsewhere".into())),
        None,
    )
    .token;
    let (status, _) = kitanetz_tests::call(
        &router,
        "GET".parse().unwrap(),
        "/fees/extra-care.xlsx",
        Some(&other),
        None,
    )
    .await;
    assert_eq!(status.as_u16(), 403, "another Träger's admin");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_kita_leads_follow_ups_mix_her_own_with_the_deadlines_the_node_knows() {
    let net = Network::seeded();
    let kita = net.open(&net.kitas()[0].name.clone());
    let (facility, provider) = (
        kita.config.facility.clone().unwrap(),
        kita.config.provider.clone().unwrap(),
    );
    let lead = |name: &str| {
        add_user(
            &kita,
            name,
            Role::KitaLead,
            facility_org(&facility),
            Some(provider.clone()),
            Some(facility.clone()),
        )
        .token
    };
    let (anna, berta) = (lead("fu-anna"), lead("fu-berta"));
    // The fixture's today is 2026-11-02: October's extra care is due by 10 November.
    let (status, list) = api(&kita, &anna, "GET", "/api/follow-ups", None).await;
    assert_eq!(status, 200, "{list}");
    let automatic = list
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["link"] == "/extra-care?month=2026-10")
        .unwrap_or_else(|| panic!("the report of October: {list}"));
    assert_eq!(automatic["due_on"], "2026-11-10");
    assert_eq!(automatic["id"], Value::Null, "automatic: not stored");
    assert_eq!(automatic["overdue"], false);

    for (due, subject) in [
        ("2026-11-01", "Impfpass nachfragen"),
        ("2026-11-20", "Elterngespräch"),
    ] {
        let (status, body) = api(
            &kita,
            &anna,
            "POST",
            "/api/follow-ups",
            Some(json!({"due_on": due, "subject": subject})),
        )
        .await;
        assert_eq!(status, 201, "{body}");
    }
    let (status, body) = api(
        &kita,
        &anna,
        "POST",
        "/api/follow-ups",
        Some(json!({"due_on": "20.11.2026", "subject": ""})),
    )
    .await;
    assert_eq!(status, 422, "{body}");
    let subjects = |v: &Value| -> Vec<String> {
        v.as_array()
            .unwrap()
            .iter()
            .map(|f| f["subject"].as_str().unwrap().to_string())
            .collect()
    };
    let (_, overdue) = api(&kita, &anna, "GET", "/api/follow-ups?show=overdue", None).await;
    assert_eq!(subjects(&overdue), ["Impfpass nachfragen"]);
    let (_, week) = api(
        &kita,
        &anna,
        "GET",
        "/api/follow-ups?show=within&days=8",
        None,
    )
    .await;
    let week = subjects(&week);
    assert!(
        week.contains(&"Impfpass nachfragen".to_string()),
        "{week:?}"
    );
    assert!(
        week.iter().any(|s| s.starts_with("Mehrbetreuung 2026-10")),
        "{week:?}"
    );
    assert!(!week.contains(&"Elterngespräch".to_string()), "{week:?}");
    let (_, on) = api(
        &kita,
        &anna,
        "GET",
        "/api/follow-ups?show=on&on=2026-11-20",
        None,
    )
    .await;
    assert_eq!(subjects(&on), ["Elterngespräch"]);
    let (status, _) = api(
        &kita,
        &anna,
        "GET",
        "/api/follow-ups?show=within&days=x",
        None,
    )
    .await;
    assert_eq!(status, 400);

    // Her own list only: Berta sees none of Anna's and cannot close them.
    let (_, theirs) = api(&kita, &berta, "GET", "/api/follow-ups", None).await;
    assert!(!subjects(&theirs).contains(&"Elterngespräch".to_string()));
    let id = overdue[0]["id"].as_i64().unwrap().to_string();
    let (status, _) = api(
        &kita,
        &berta,
        "POST",
        "/api/follow-ups/done",
        Some(json!({ "id": id })),
    )
    .await;
    assert_eq!(status, 422, "another user's follow-up");
    let (status, _) = api(
        &kita,
        &anna,
        "POST",
        "/api/follow-ups/done",
        Some(json!({ "id": id })),
    )
    .await;
    assert_eq!(status, 204);
    let (status, _) = api(
        &kita,
        &anna,
        "POST",
        "/api/follow-ups/done",
        Some(json!({ "id": id })),
    )
    .await;
    assert_eq!(status, 422, "done already");
    let (_, overdue) = api(&kita, &anna, "GET", "/api/follow-ups?show=overdue", None).await;
    assert!(subjects(&overdue).is_empty(), "{overdue}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn attendance_on_a_heilpaedagogischer_place_counts_the_days_the_office_pays_for() {
    let net = Network::seeded();
    let kita = net.open(&net.kitas()[0].name.clone());
    let (facility, provider) = (
        kita.config.facility.clone().unwrap(),
        kita.config.provider.clone().unwrap(),
    );
    let lead = add_user(
        &kita,
        "att-lead",
        Role::KitaLead,
        facility_org(&facility),
        Some(provider.clone()),
        Some(facility.clone()),
    )
    .token;
    // A child on a heilpädagogischer place since 1 July (184 of the year's 365 days).
    let (status, admitted) = api(
        &kita,
        &lead,
        "POST",
        "/api/children",
        Some(json!({
            "start": "2026-07-01", "care_type": "remedial",
            "child_given_name": "Tom", "child_family_name": "Heil", "child_birth_date": "2022-02-01",
            "child_sex": "male", "guardian_given_name": "Ute", "guardian_family_name": "Heil",
            "street": "Am Park 1", "postcode": "01069", "city": "Dresden", "daily_hours": "6",
            "payment_mode": "self-payer"
        })),
    )
    .await;
    assert_eq!(status, 201, "{admitted}");
    let tom = admitted["child"].as_str().unwrap().to_string();
    let (other, _) = child_in_care_on(&kita, "2026-10-15");
    for (date, mark) in [
        ("2026-10-30", "present"),
        ("2026-10-31", "sick"),
        ("2026-11-02", "present"),
    ] {
        let (status, body) = api(
            &kita,
            &lead,
            "POST",
            "/api/attendance",
            Some(json!({"date": date, "marks": { tom.clone(): mark }})),
        )
        .await;
        assert_eq!(status, 200, "{date}: {body}");
    }
    // A child without a heilpädagogischer place, a day before the place, a day to come, a
    // mark nobody knows: each refused with its field, nothing stored.
    for (date, child, mark) in [
        ("2026-11-02", other.as_str(), "present"),
        ("2026-06-30", tom.as_str(), "present"),
        ("2026-11-03", tom.as_str(), "present"),
        ("2026-11-02", tom.as_str(), "holiday"),
    ] {
        let (status, body) = api(
            &kita,
            &lead,
            "POST",
            "/api/attendance",
            Some(json!({"date": date, "marks": { child: mark }})),
        )
        .await;
        assert_eq!(status, 422, "{date} {child} {mark}: {body}");
    }
    let (status, v) = api(&kita, &lead, "GET", "/api/attendance?date=2026-11-02", None).await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(
        v["day"][0]["child"],
        tom.as_str(),
        "only remedial places: {v}"
    );
    assert_eq!(v["day"][0]["mark"], "present");
    let row = &v["year_rows"][0];
    assert_eq!(
        (
            row["present"].as_u64(),
            row["sick"].as_u64(),
            row["days_in_care"].as_u64()
        ),
        (Some(2), Some(1), Some(184)),
        "{row}"
    );
    // 250 × 184 / 365 = 126.03 → 126 days at most; both days present are billable.
    assert_eq!(row["cap"], 126);
    assert_eq!(row["billable"], 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_notice_ends_the_contract_after_two_months_unless_a_shorter_one_was_agreed() {
    let net = Network::seeded();
    let kita = net.open(&net.kitas()[0].name.clone());
    let (facility, provider) = (
        kita.config.facility.clone().unwrap(),
        kita.config.provider.clone().unwrap(),
    );
    let lead = add_user(
        &kita,
        "notice-lead",
        Role::KitaLead,
        facility_org(&facility),
        Some(provider.clone()),
        Some(facility.clone()),
    )
    .token;
    // An open-ended contract running today (the fixture's today is 2026-11-02).
    let contract: String = kita
        .store()
        .conn()
        .query_row(
            "SELECT id FROM p_contracts WHERE facility = ?1 AND start <= '2026-11-02' AND end IS NULL ORDER BY id LIMIT 1",
            [&facility.0],
            |r| r.get(0),
        )
        .unwrap();
    let path = format!("/api/contracts/{contract}/notice");
    // Notice on 2 November: the end of January at the earliest.
    let (status, body) = api(
        &kita,
        &lead,
        "POST",
        &path,
        Some(json!({"notice_on": "2026-11-02", "end": "2026-12-31", "reason": "move"})),
    )
    .await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(body["fields"][0]["field"], "end");
    assert!(body.to_string().contains("31.01.2027"), "{body}");
    let (status, body) = api(
        &kita,
        &lead,
        "POST",
        &path,
        Some(json!({"notice_on": "2026-11-02", "end": "2027-01-31", "reason": "holiday"})),
    )
    .await;
    assert_eq!(status, 422, "an unknown reason: {body}");
    let (status, ended) = api(
        &kita,
        &lead,
        "POST",
        &path,
        Some(json!({"notice_on": "2026-11-02", "end": "2026-12-31", "reason": "move", "shorter_agreed": "true"})),
    )
    .await;
    assert_eq!(status, 200, "a shorter notice by agreement: {ended}");
    assert_eq!(ended["notice_given_on"], "2026-11-02");
    assert_eq!(ended["notice_reason"], "move");
    let lines = ended["lines"].as_array().unwrap();
    let ends: Vec<&str> = lines
        .iter()
        .map(|l| l["valid"]["end"].as_str().unwrap_or("open"))
        .collect();
    assert!(
        ends.iter().all(|e| *e != "open" && *e <= "2026-12-31") && ends.contains(&"2026-12-31"),
        "every line ends by the contract's end: {ended}"
    );
    let end: Option<String> = kita
        .store()
        .conn()
        .query_row(
            "SELECT end FROM p_contracts WHERE id = ?1",
            [&contract],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(end.as_deref(), Some("2026-12-31"), "the projection follows");
    // The occupancy of January no longer counts the child.
    let (_, jan) = api(&kita, &lead, "GET", "/api/occupancy?on=2027-01-15", None).await;
    let (_, dec) = api(&kita, &lead, "GET", "/api/occupancy?on=2026-12-15", None).await;
    assert!(
        jan["facilities"][0]["total"]["occupied"].as_i64()
            < dec["facilities"][0]["total"]["occupied"].as_i64(),
        "fewer children in January: {} vs {}",
        jan["facilities"][0]["total"],
        dec["facilities"][0]["total"]
    );
}
