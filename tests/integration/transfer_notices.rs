//! Lastenheft 3.3.3/3.4.3: a Wechselantrag names the child's current Kita; when another Kita
//! reserves a seat, the old Kita is told who leaves and from when (and nobody else is), again
//! when the new contract is concluded, and that the child stays when the reservation ends.

use crate::applications::{
    change_doc, form, lead_of, post, second_reserves, two_wishes_first_full, TwoWishes,
};
use axum::http::StatusCode;
use kitanetz_crdt::kinds::{
    transfer_state, Applicant, Application, Family, SeatLedger, TransferNotice,
};
use kitanetz_node::applications::sequential::{self, Which};
use kitanetz_node::Node;
use std::sync::Arc;

fn notices_at(node: &Node) -> Vec<TransferNotice> {
    node.store().values_of_kind::<TransferNotice>().unwrap()
}

#[tokio::test]
async fn the_old_kita_hears_of_the_reservation_the_contract_and_nobody_else_does() {
    let TwoWishes {
        net,
        nodes,
        city,
        second,
        others,
        f1,
        f2,
        mut local,
        id,
        h2,
        parent: (cookie, csrf),
        ..
    } = two_wishes_first_full().await;
    let old = others[0].clone();
    let old_facility = old.config.facility.clone().unwrap();

    // The form: the current Kita must be a Kita of the city and cannot be a wish.
    let router = kitanetz_node::http::router(city.clone());
    let (w1, current) = (format!("f:{}", f1.0), format!("f:{}", old_facility.0));
    let apply = |from: &str| {
        form(&[
            ("csrf", &csrf),
            ("guardian_given_name", "Jonas"),
            ("guardian_family_name", "Berg"),
            ("street", "Wilsdruffer Straße 1"),
            ("postcode", "01067"),
            ("city", "Dresden"),
            ("email", "jonas.berg@example.org"),
            ("phone", "0351 123123"),
            ("desired_start", "2027-03-01"),
            ("daily_hours", "8"),
            ("notify", "email"),
            ("child1_given_name", "Lina"),
            ("child1_family_name", "Berg"),
            ("child1_birth_date", "2025-11-01"),
            ("child1_sex", "female"),
            ("wish1", w1.as_str()),
            ("transfer", "true"),
            ("transfer_reason", "Umzug"),
            ("transfer_from", from),
            ("consent_data_processing", "true"),
            ("consent_forwarding", "true"),
            ("consent_terms", "true"),
        ])
    };
    let (status, _, page) = post(&router, &cookie, &apply(&w1)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{page}");
    assert!(page.contains("kann kein Wunsch sein"), "{page}");
    let (status, _, page) = post(&router, &cookie, &apply("f:nowhere")).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{page}");
    let (status, _, page) = post(&router, &cookie, &apply(&current)).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{page}");

    // Paul's application becomes a transfer from the old Kita (decided by the ZVS).
    change_doc::<Application>(
        &city,
        &kitanetz_node::seats::application_doc_id(&id),
        |application| {
            application.transfer = true;
            application.transfer_priority = "normal".into();
            application.transfer_from = Some(old_facility.clone());
        },
    );
    // Paul goes to the old Kita now: a child of its seeded families, under contract through
    // February, renamed to the applicant's child.
    let applicant_id = kitanetz_crdt::ids::doc_id_for("applicant", &id.0);
    let (_, applicant) = city.store().get::<Applicant>(&applicant_id).unwrap();
    let (paul, _) = kitanetz_tests::child_in_care_on(&old, "2027-02-28");
    let family_id: String = old
        .store()
        .conn()
        .query_row(
            "SELECT doc_id FROM p_children WHERE id = ?1",
            [&paul],
            |r| r.get(0),
        )
        .unwrap();
    change_doc::<Family>(&old, &kitanetz_crdt::DocId(family_id), |family| {
        let child = family.children.iter_mut().find(|c| c.id.0 == paul).unwrap();
        child.given_name = applicant.child_given_name.clone();
        child.family_name = applicant.child_family_name.clone();
        child.birth_date = applicant.child_birth_date;
    });
    let care_type: String = old
        .store()
        .conn()
        .query_row(
            "SELECT l.care_type FROM p_contracts k JOIN p_contract_lines l ON l.contract = k.id
             WHERE k.child = ?1 AND l.start <= '2027-02-28' AND (l.end IS NULL OR l.end >= '2027-02-28')",
            [&paul],
            |r| r.get(0),
        )
        .unwrap();
    let care_type = kitanetz_crdt::kinds::CareType::parse(&care_type).unwrap();
    let old_ledger = || {
        old.store()
            .get::<SeatLedger>(&kitanetz_node::seats::ledger_doc_id(&old_facility))
            .unwrap()
            .1
    };
    let free_before = old_ledger();
    let run = sequential::advance_in_store(&mut city.store(), Which::All, city.now()).unwrap();
    assert_eq!(run.shares_issued, 0);
    assert!(
        notices_at(&city).is_empty(),
        "no seat reserved: nothing to tell"
    );

    // The second Kita reserves: the old Kita is told.
    let lead = lead_of(&net, &f2);
    second_reserves((&net, &mut local), (&second, &f2, &h2), &city, "2027-03-01");
    let notices = notices_at(&city);
    assert_eq!(notices.len(), 1);
    assert_eq!(notices[0].state, transfer_state::RESERVED);
    assert_eq!(
        notices[0].new_start,
        kitanetz_crdt::scalar::Date::ymd(2027, 3, 1)
    );
    assert_eq!(notices[0].facility, old_facility);
    assert_eq!(notices[0].child_given_name, "Paul");
    let notice_id = city
        .store()
        .doc_metas()
        .unwrap()
        .into_iter()
        .find(|(_, m)| m.kind == kitanetz_crdt::meta::DocKind::TransferNotice)
        .unwrap()
        .0;
    local.local_change(&city.config.name, &notice_id);
    let share = kitanetz_node::applications::shares::held_for(&city.store(), &h2)
        .unwrap()
        .expect("the parents' data for the reserving Kita");
    local.local_change(&city.config.name, &share);
    local.run_until_quiet(4);
    for node in &nodes {
        let held = !notices_at(node).is_empty();
        let should = Arc::ptr_eq(node, &city) || Arc::ptr_eq(node, &old);
        assert_eq!(
            held, should,
            "{} holds the notice: {held}",
            node.config.name
        );
    }
    // The old Kita's lead sees it on the seats page, with the last day there.
    let old_lead = lead_of(&net, &old_facility);
    let view = kitanetz_node::seats::view(
        &old.store(),
        &old_lead,
        Some(&old_facility),
        old.now().today,
    )
    .unwrap();
    assert_eq!(view.transfers.len(), 1);
    assert_eq!(view.transfers[0].child, "Paul Berg");
    assert_eq!(
        view.transfers[0].last_day,
        kitanetz_crdt::scalar::Date::ymd(2027, 2, 28)
    );
    assert!(view.transfers[0].state_label(false).contains("reserviert"));
    let login = kitanetz_tests::add_user(
        &old,
        "leitung-alt",
        kitanetz_node::auth::Role::KitaLead,
        kitanetz_crdt::ids::facility_org(&old_facility),
        old.config.provider.clone(),
        Some(old_facility.clone()),
    );
    let old_router = kitanetz_node::http::router(old.clone());
    let (status, page) = kitanetz_tests::call(
        &old_router,
        axum::http::Method::GET,
        "/seats",
        Some(&login.token),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        page.contains("id=\"transfers\"")
            && (page.contains("28.02.2027") || page.contains("2027-02-28")),
        "{page}"
    );
    let (status, bytes) = kitanetz_tests::get_bytes(&old_router, "/seats.xlsx", &login.token).await;
    assert_eq!(status, StatusCode::OK);
    let (sheets, text) = kitanetz_tests::open_xlsx(&bytes);
    assert!(sheets.contains(&"Wechsel".to_string()), "{sheets:?}");
    assert!(text.contains("Paul Berg"), "{text}");

    // The contract: "placed".
    let draft =
        kitanetz_node::seats::contract::draft(&second.store(), &lead, Some(&f2), &h2.0).unwrap();
    kitanetz_node::seats::contract::conclude(
        &mut second.store(),
        &lead,
        Some(&f2),
        &draft.input,
        second.now(),
    )
    .unwrap();
    local.local_change(
        &second.config.name,
        &kitanetz_node::seats::ledger_doc_id(&f2),
    );
    local.run_until_quiet(5);
    let woken = city.placement_wake.take();
    sequential::advance_in_store(&mut city.store(), Which::WishingAt(&woken), city.now()).unwrap();
    assert_eq!(
        crate::applications::application_of(&city, &id).status,
        "placed"
    );
    local.local_change(&city.config.name, &notice_id);
    local.run_until_quiet(6);
    assert_eq!(notices_at(&old)[0].state, transfer_state::PLACED);
    assert!(local.refusals.is_empty(), "{:?}", local.refusals);
    // The old Kita's node counts Paul's seat free from March, in the care type of his
    // contract there, and the ledger tells the city.
    let march = kitanetz_crdt::scalar::Date::ymd(2027, 3, 1);
    let after = old_ledger();
    for (was, now) in free_before.months.iter().zip(&after.months) {
        let frees = now.care_type == care_type && now.month >= march;
        assert_eq!(
            now.free(),
            was.free() + u32::from(frees && was.occupied > 0),
            "{:?} {}",
            now.care_type,
            now.month
        );
        assert_eq!(
            now.leaving,
            if frees {
                vec![notice_id.0.clone()]
            } else {
                vec![]
            }
        );
    }
    let audited: i64 = old
        .store()
        .conn()
        .query_row(
            "SELECT COUNT(*) FROM audit_log WHERE action = 'seat.leaving' AND actor = 'system:transfer-placed'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(audited, 1);
    local.local_change(
        &old.config.name,
        &kitanetz_node::seats::ledger_doc_id(&old_facility),
    );
    local.run_until_quiet(7);
    let at_city = kitanetz_node::applications::sequential::Ledgers::load(&city.store()).unwrap();
    assert_eq!(
        at_city.of(&old_facility).unwrap().free(care_type, march),
        after.free(care_type, march),
        "the city places on the freed seat"
    );

    // A month after the placement the notice goes with the applicant, everywhere.
    use kitanetz_node::applications::retention;
    net.clock.advance(chrono::Duration::days(
        retention::ERASE_AFTER_DAYS as i64 + 1,
    ));
    let district = |_: &kitanetz_crdt::kinds::Applicant| Some("Altstadt".to_string());
    assert_eq!(
        retention::erase_settled(&mut city.store(), &district, city.now()).unwrap(),
        1
    );
    local.local_change(&city.config.name, &notice_id);
    local.run_until_quiet(7);
    assert!(notices_at(&city).is_empty() && notices_at(&old).is_empty());
}

/// The reservation ends (the parents withdraw): the old Kita hears the child stays.
#[tokio::test]
async fn a_withdrawn_transfer_tells_the_old_kita_the_child_stays() {
    let TwoWishes {
        net,
        city,
        second,
        others,
        f2,
        mut local,
        id,
        h2,
        ..
    } = two_wishes_first_full().await;
    let old_facility = others[0].config.facility.clone().unwrap();
    change_doc::<Application>(
        &city,
        &kitanetz_node::seats::application_doc_id(&id),
        |application| {
            application.transfer = true;
            application.transfer_priority = "urgent".into();
            application.transfer_from = Some(old_facility.clone());
        },
    );
    second_reserves((&net, &mut local), (&second, &f2, &h2), &city, "2027-04-01");
    assert_eq!(notices_at(&city)[0].state, transfer_state::RESERVED);
    assert_eq!(
        notices_at(&city)[0].new_start,
        kitanetz_crdt::scalar::Date::ymd(2027, 4, 1),
        "the month the seat is reserved for"
    );
    let parent = kitanetz_node::auth::Principal::Guardian(kitanetz_node::auth::GuardianAccount {
        account_id: city
            .store()
            .conn()
            .query_row(
                "SELECT id FROM guardian_accounts WHERE email = 'jonas.berg@example.org'",
                [],
                |r| r.get(0),
            )
            .unwrap(),
        email: "jonas.berg@example.org".into(),
        display_name: "Jonas Berg".into(),
    });
    kitanetz_node::applications::withdraw(&mut city.store(), &parent, &id, city.now()).unwrap();
    let notice = &notices_at(&city)[0];
    assert_eq!(notice.state, transfer_state::WITHDRAWN);
    assert_eq!(
        notice.new_start,
        kitanetz_crdt::scalar::Date::ymd(2027, 4, 1)
    );
}
