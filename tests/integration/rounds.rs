//! A coordinated placement round across the network (PLACEMENT.md procedure 2, #9 item 5): the
//! ZVS starts a round, each Kita sees only its own proposal and confirms or declines it, the
//! parents accept the offer on the portal (the Kita then gets their data), an unanswered offer
//! lapses after the deadline (the Kita's node releases the seat), and the refill round takes the
//! child again without the wishes that are closed.

use crate::applications::{
    applicant_of, application_of, form, lead_of, offering_both, parent, plan_free_nursery_seats,
    post, wish_at,
};
use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use kitanetz_crdt::ids::{ApplicationId, FacilityId, WishHandle};
use kitanetz_crdt::kinds::{SeatLedger, WishStatus};
use kitanetz_crdt::policy::NodeRole;
use kitanetz_crdt::scalar::Date;
use kitanetz_node::applications::sequential::{self, status, Which};
use kitanetz_node::rounds::{self, RoundInput};
use kitanetz_node::Node;
use kitanetz_tests::Network;
use std::sync::Arc;
use tower::ServiceExt;

fn zvs() -> kitanetz_node::auth::Principal {
    kitanetz_node::auth::Principal::Staff(kitanetz_node::auth::Caller {
        user_id: 7,
        username: "zvs".into(),
        display_name: "ZVS".into(),
        role: kitanetz_node::auth::Role::Zvs,
        organisation: kitanetz_crdt::ids::city_org(),
        provider: None,
        facility: None,
        childminder: None,
    })
}

/// A parent applies on the portal for one child with `wishes` (in this order), start March 2027.
async fn apply(
    city: &Arc<Node>,
    email: &str,
    child: (&str, &str),
    wishes: &[&FacilityId],
) -> ((String, String), ApplicationId) {
    let router = kitanetz_node::http::router(city.clone());
    let (cookie, csrf) = parent(city, email);
    let wish_values: Vec<String> = wishes.iter().map(|f| format!("f:{}", f.0)).collect();
    let mut pairs: Vec<(&str, &str)> = vec![
        ("csrf", &csrf),
        ("guardian_given_name", child.0),
        ("guardian_family_name", "Berg"),
        ("street", "Wilsdruffer Straße 1"),
        ("postcode", "01067"),
        ("city", "Dresden"),
        ("phone", "0351 123123"),
        ("email", email),
        ("desired_start", "2027-03-01"),
        ("daily_hours", "8"),
        ("notify", "email"),
        ("child1_given_name", child.0),
        ("child1_family_name", "Berg"),
        ("child1_birth_date", child.1),
        ("child1_sex", "female"),
        ("consent_data_processing", "true"),
        ("consent_forwarding", "true"),
        ("consent_terms", "true"),
    ];
    let names = ["wish1", "wish2", "wish3"];
    for (i, v) in wish_values.iter().enumerate() {
        pairs.push((names[i], v.as_str()));
    }
    let (status, _, page) = post(&router, &cookie, &form(&pairs)).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{page}");
    let id = applicant_of(city, email).application;
    ((cookie, csrf), id)
}

fn wish_of(city: &Node, id: &ApplicationId, f: &FacilityId) -> (WishHandle, String) {
    let a = application_of(city, id);
    let w = a.wishes.iter().find(|w| &w.facility == f).unwrap();
    (w.handle.clone(), w.status.clone())
}

fn mails(city: &Node, subject: &str) -> i64 {
    city.store()
        .conn()
        .query_row(
            "SELECT count(*) FROM outbox WHERE subject LIKE ?1",
            [format!("%{subject}%")],
            |r| r.get(0),
        )
        .unwrap()
}

#[tokio::test]
async fn a_round_proposes_the_kitas_confirm_the_parents_accept_or_let_it_lapse_and_a_refill_follows(
) {
    let net = Network::seeded();
    let nodes: Vec<Arc<Node>> = net.open_all();
    let city = kitanetz_tests::city_of(&nodes);
    let offering = offering_both(&net, Date::ymd(2027, 3, 1));
    let kitas: Vec<Arc<Node>> = nodes
        .iter()
        .filter(|n| {
            n.config
                .facility
                .as_ref()
                .is_some_and(|f| offering.contains(&f.0))
        })
        .cloned()
        .collect();
    let (first, second) = (kitas[0].clone(), kitas[1].clone());
    let (f1, f2) = (
        first.config.facility.clone().unwrap(),
        second.config.facility.clone().unwrap(),
    );
    // One free Krippe seat in each of the two Kitas in March.
    plan_free_nursery_seats(&first, &[3], 1);
    plan_free_nursery_seats(&second, &[3], 1);
    let mut local = kitanetz_node::sync::LocalNet::new(&nodes);
    local.connect_all();
    local.local_change(
        &first.config.name,
        &kitanetz_node::seats::ledger_doc_id(&f1),
    );
    local.local_change(
        &second.config.name,
        &kitanetz_node::seats::ledger_doc_id(&f2),
    );
    local.run_until_quiet(1);
    city.placement_wake.take();

    // Both want the first Kita most; Lena is older, so the birth date criterion puts her first.
    let (lena_parent, lena) = apply(
        &city,
        "lena.berg@example.org",
        ("Lena", "2025-06-01"),
        &[&f1, &f2],
    )
    .await;
    let (_, paul) = apply(
        &city,
        "paul.berg@example.org",
        ("Paul", "2025-10-01"),
        &[&f1, &f2],
    )
    .await;
    assert_eq!(
        wish_of(&city, &paul, &f1).1,
        status::REQUEST,
        "sequential until the round"
    );

    // Refused for anyone but the ZVS; a window in the past is a field error.
    let parentless = |input: &RoundInput| {
        rounds::start_with_seed(
            &mut city.store(),
            &zvs(),
            input,
            &|_, _| Some("Altstadt".into()),
            "Dresden",
            "published-seed",
            city.now(),
        )
    };
    assert!(parentless(&RoundInput {
        from: "2020-01".into(),
        ..RoundInput::default()
    })
    .is_err());
    assert!(rounds::start_with_seed(
        &mut city.store(),
        &lead_of(&net, &f1),
        &RoundInput {
            from: "2027-03".into(),
            ..RoundInput::default()
        },
        &|_, _| None,
        "Dresden",
        "s",
        city.now(),
    )
    .is_err());

    let march = RoundInput {
        from: "2027-03".into(),
        to: "2027-03".into(),
        offer_days: "14".into(),
    };
    let compared = rounds::what_if(
        &city.store(),
        &zvs(),
        &rounds::WhatIfInput {
            from: "2027-03".into(),
            to: "2027-03".into(),
            catalogue: r#"{"id":"ohne-geburtsdatum","version":1,"city":"Dresden",
                "criteria":[{"id":"sibling","kind":"sibling_in_facility"},{"id":"start","kind":"desired_start"}]}"#
                .into(),
        },
        &|_, _| None,
        "Dresden",
    )
    .unwrap();
    assert!(compared.summary.children >= 2);
    assert_eq!(
        compared.summary.children,
        compared.summary.unchanged
            + compared.summary.gains_place
            + compared.summary.loses_place
            + compared.summary.better
            + compared.summary.worse
    );
    assert!(
        rounds::list(&city.store(), &zvs()).unwrap().is_empty(),
        "nothing stored"
    );
    assert_eq!(
        wish_of(&city, &paul, &f1).1,
        status::REQUEST,
        "nothing changed"
    );
    let started = parentless(&march).unwrap();
    // (The seeded city has other applications for March too.)
    assert!(
        started.children >= 2 && started.proposed >= 2,
        "{started:?}"
    );
    let (lena_h1, lena_status) = wish_of(&city, &lena, &f1);
    let (paul_h2, paul_status) = wish_of(&city, &paul, &f2);
    assert_eq!(
        (lena_status.as_str(), paul_status.as_str()),
        (status::PROPOSED, status::PROPOSED),
        "Lena gets the first Kita's seat, Paul the second's"
    );
    assert_eq!(
        wish_of(&city, &paul, &f1).1,
        status::WAITLIST,
        "the review under the sequential procedure ends with the round"
    );
    let view = rounds::view(&city.store(), &zvs(), started.round).unwrap();
    assert!(view.stable);
    assert!(view.statistics.first_choice >= 1);
    assert_eq!(view.proposals.len(), started.proposed as usize);
    let protocol: serde_json::Value =
        serde_json::from_str(&rounds::protocol_json(&city.store(), &zvs(), started.round).unwrap())
            .unwrap();
    assert_eq!(protocol["seed"], "published-seed");
    assert_eq!(
        protocol["instance"]["children"].as_array().unwrap().len(),
        started.children as usize
    );
    assert!(
        !protocol.to_string().contains("Berg"),
        "the protocol is pseudonymous"
    );
    let letter = rounds::protocol_letter(&city.store(), &zvs(), started.round, "Dresden").unwrap();
    assert!(!letter.data.to_string().contains("Berg"));
    // The lists as Excel ("Excel-Export jeder Liste"): the round and its proposals, pseudonymous.
    let token = kitanetz_tests::add_user(
        &city,
        "round-excel",
        kitanetz_node::auth::Role::Zvs,
        kitanetz_crdt::ids::city_org(),
        None,
        None,
    )
    .token;
    let router = kitanetz_node::http::router(city.clone());
    let (code, bytes) = kitanetz_tests::get_bytes(
        &router,
        &format!("/rounds/{}/proposals.xlsx", started.round),
        &token,
    )
    .await;
    assert_eq!(code, StatusCode::OK);
    let (sheets, text) = kitanetz_tests::open_xlsx(&bytes);
    assert_eq!(sheets, ["Einrichtungen", "Vorschläge"]);
    assert!(text.contains("Wartet auf die Einrichtung"), "{text}");
    assert!(!text.contains("Berg"), "the proposals are pseudonymous");
    let (code, bytes) = kitanetz_tests::get_bytes(&router, "/rounds.xlsx", &token).await;
    assert_eq!(code, StatusCode::OK);
    let (sheets, text) = kitanetz_tests::open_xlsx(&bytes);
    assert_eq!(sheets, ["Vergaberunden"]);
    assert!(text.contains("Hashwert des Startwerts"), "{text}");
    assert_eq!(
        letter.data["proposals"].as_array().unwrap().len(),
        started.proposed as usize
    );
    let pdf = kitanetz_node::letters::round_protocol_pdf(letter)
        .await
        .unwrap();
    assert!(pdf.starts_with(b"%PDF-"), "the protocol prints");

    // What if the city dropped the birth date? Both runs side by side, nothing stored.
    let rounds_before = rounds::list(&city.store(), &zvs()).unwrap().len();
    let other = r#"{"id":"ohne-geburtsdatum","version":1,"city":"Dresden",
        "criteria":[{"id":"sibling","kind":"sibling_in_facility"},{"id":"start","kind":"desired_start"}]}"#;
    // (Its window is March again: the applications there all have proposals now, so none is in.)
    let refused = rounds::what_if(
        &city.store(),
        &zvs(),
        &rounds::WhatIfInput {
            from: "2027-03".into(),
            to: "2027-03".into(),
            catalogue: other.into(),
        },
        &|_, _| None,
        "Dresden",
    );
    assert!(refused.is_err(), "no application of March waits any more");
    let rank_based = r#"{"id":"x","version":1,"city":"Dresden","criteria":[{"id":"erst","kind":"first_choice"}]}"#;
    let errors = rounds::what_if(
        &city.store(),
        &zvs(),
        &rounds::WhatIfInput {
            from: "2027-03".into(),
            to: "2027-03".into(),
            catalogue: rank_based.into(),
        },
        &|_, _| None,
        "Dresden",
    )
    .unwrap_err()
    .into_field_errors()
    .unwrap();
    assert!(
        errors.iter().any(|e| e.field == "catalogue"),
        "a rank-dependent catalogue is refused: {errors:?}"
    );
    assert_eq!(
        rounds::list(&city.store(), &zvs()).unwrap().len(),
        rounds_before
    );

    // Each Kita sees its own proposal only.
    for h in [&lena_h1, &paul_h2] {
        local.local_change(
            &city.config.name,
            &kitanetz_node::applications::wishes::wish_doc_id(h),
        );
    }
    for h in [&wish_of(&city, &lena, &f2).0, &wish_of(&city, &paul, &f1).0] {
        local.local_change(
            &city.config.name,
            &kitanetz_node::applications::wishes::wish_doc_id(h),
        );
    }
    local.run_until_quiet(2);
    assert_eq!(
        wish_at(&first, &lena_h1).map(|w| w.status),
        Some(WishStatus::Proposed)
    );
    assert_eq!(
        wish_at(&second, &paul_h2).map(|w| w.status),
        Some(WishStatus::Proposed)
    );
    assert!(wish_at(&second, &lena_h1).is_none() && wish_at(&first, &paul_h2).is_none());
    let seats = kitanetz_node::seats::view(
        &first.store(),
        &lead_of(&net, &f1),
        Some(&f1),
        first.now().today,
    )
    .unwrap();
    assert!(seats.proposals().iter().any(|w| w.handle == lena_h1));

    // Both Kitas confirm: they reserve the seats.
    for (kita, f, h) in [(&first, &f1, &lena_h1), (&second, &f2, &paul_h2)] {
        kitanetz_node::seats::reserve(
            &mut kita.store(),
            &lead_of(&net, f),
            Some(f),
            &kitanetz_node::seats::ReserveInput {
                wish: h.0.clone(),
                month: "2027-03-01".into(),
            },
            kita.now(),
        )
        .unwrap();
        local.local_change(&kita.config.name, &kitanetz_node::seats::ledger_doc_id(f));
    }
    local.run_until_quiet(3);
    let woken = city.placement_wake.take();
    sequential::advance_in_store(&mut city.store(), Which::WishingAt(&woken), city.now()).unwrap();
    assert_eq!(wish_of(&city, &lena, &f1).1, status::OFFERED);
    assert_eq!(wish_of(&city, &paul, &f2).1, status::OFFERED);
    assert_eq!(
        mails(&city, "Platzangebot für"),
        2,
        "both families hear of the offer"
    );
    assert!(
        kitanetz_node::applications::shares::held_for(&city.store(), &lena_h1)
            .unwrap()
            .is_none(),
        "no parents' data before they accept"
    );

    // Lena's parents accept on the portal: a reservation like any other, with their data.
    let router = kitanetz_node::http::router(city.clone());
    let accept = Request::builder()
        .method(Method::POST)
        .uri(format!("/portal/applications/{}/offer", lena.0))
        .header(header::COOKIE, &lena_parent.0)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(form(&[
            ("csrf", &lena_parent.1),
            ("answer", "accept"),
        ])))
        .unwrap();
    let res = router.clone().oneshot(accept).await.unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(wish_of(&city, &lena, &f1).1, status::REQUEST);
    assert!(
        kitanetz_node::applications::shares::held_for(&city.store(), &lena_h1)
            .unwrap()
            .is_some()
    );
    assert_eq!(mails(&city, "Platz reserviert"), 1);
    // Another parent cannot answer it, nor a Kita lead.
    assert!(rounds::answer_offer(
        &mut city.store(),
        &lead_of(&net, &f1),
        &paul,
        rounds::Answer::Accept,
        city.now()
    )
    .is_err());
    // The ZVS records answers given by phone or letter, for open offers only: Lena's is
    // answered; Paul's is open (its form is on the Kita's proposals).
    let zvs_answer = rounds::answer_offer(
        &mut city.store(),
        &zvs(),
        &lena,
        rounds::Answer::Decline,
        city.now(),
    );
    assert!(
        matches!(
            zvs_answer,
            Err(kitanetz_node::action::ActionError::Conflict(_))
        ),
        "{zvs_answer:?}"
    );
    let view = rounds::view(&city.store(), &zvs(), started.round).unwrap();
    assert!(view
        .proposals
        .iter()
        .any(|p| p.application == paul && p.status == "offered"));

    // Paul's parents (who switched to the post) do not answer: a reminder letter three days
    // before, then the offer lapses.
    crate::applications::change_doc::<kitanetz_crdt::kinds::Applicant>(
        &city,
        &kitanetz_crdt::ids::doc_id_for("applicant", &paul.0),
        |a| a.notify_by_post = true,
    );
    net.clock.advance(chrono::Duration::days(11));
    let run = rounds::lapse_offers(&mut city.store(), city.now()).unwrap();
    assert_eq!((run.reminded, run.lapsed), (1, 0));
    let letter: String = city
        .store()
        .conn()
        .query_row(
            "SELECT body FROM letters_out WHERE application = ?1 AND subject LIKE 'Erinnerung%'",
            [&paul.0],
            |r| r.get(0),
        )
        .unwrap();
    assert!(
        letter.contains("telefonisch oder schriftlich") && letter.contains(&paul.0),
        "{letter}"
    );
    let again = rounds::lapse_offers(&mut city.store(), city.now()).unwrap();
    assert_eq!((again.reminded, again.lapsed), (0, 0), "reminded once");
    net.clock.advance(chrono::Duration::days(4));
    let run = rounds::lapse_offers(&mut city.store(), city.now()).unwrap();
    assert_eq!(run.lapsed, 1);
    assert_eq!(wish_of(&city, &paul, &f2).1, status::REFUSED);
    local.local_change(
        &city.config.name,
        &kitanetz_node::applications::wishes::wish_doc_id(&paul_h2),
    );
    local.run_until_quiet(4);
    let ledger = second
        .store()
        .get::<SeatLedger>(&kitanetz_node::seats::ledger_doc_id(&f2))
        .unwrap()
        .1;
    assert!(
        ledger
            .hold_of(&paul_h2)
            .is_none_or(|(_, h)| !h.status.holds()),
        "the Kita's node released the seat of the lapsed offer"
    );

    local.local_change(
        &second.config.name,
        &kitanetz_node::seats::ledger_doc_id(&f2),
    );
    local.run_until_quiet(5);
    // The refill round: Paul again, without the lapsed wish; the first Kita is full.
    let refill = parentless(&march).unwrap();
    assert_eq!((refill.children, refill.proposed), (1, 0));
    let view = rounds::view(&city.store(), &zvs(), refill.round).unwrap();
    assert_eq!(view.statistics.unplaced, 1);
    assert_eq!(
        view.statistics.legal_claim.unplaced, 1,
        "Paul is 17 months old in March"
    );
}

#[tokio::test]
async fn cancelling_a_round_withdraws_the_unanswered_proposals_and_keeps_the_confirmed_offers() {
    let net = Network::seeded();
    let nodes: Vec<Arc<Node>> = net.open_all();
    let city = kitanetz_tests::city_of(&nodes);
    let offering = offering_both(&net, Date::ymd(2027, 3, 1));
    let kitas: Vec<Arc<Node>> = nodes
        .iter()
        .filter(|n| {
            n.config
                .facility
                .as_ref()
                .is_some_and(|f| offering.contains(&f.0))
        })
        .cloned()
        .collect();
    let (first, second) = (kitas[0].clone(), kitas[1].clone());
    let (f1, f2) = (
        first.config.facility.clone().unwrap(),
        second.config.facility.clone().unwrap(),
    );
    plan_free_nursery_seats(&first, &[3], 1);
    plan_free_nursery_seats(&second, &[3], 1);
    let mut local = kitanetz_node::sync::LocalNet::new(&nodes);
    local.connect_all();
    for (kita, f) in [(&first, &f1), (&second, &f2)] {
        local.local_change(&kita.config.name, &kitanetz_node::seats::ledger_doc_id(f));
    }
    local.run_until_quiet(1);
    city.placement_wake.take();
    let (_, lena) = apply(
        &city,
        "lena.berg@example.org",
        ("Lena", "2025-06-01"),
        &[&f1, &f2],
    )
    .await;
    let (_, paul) = apply(
        &city,
        "paul.berg@example.org",
        ("Paul", "2025-10-01"),
        &[&f1, &f2],
    )
    .await;
    let started = rounds::start_with_seed(
        &mut city.store(),
        &zvs(),
        &RoundInput {
            from: "2027-03".into(),
            to: "2027-03".into(),
            offer_days: "14".into(),
        },
        &|_, _| None,
        "Dresden",
        "cancel-seed",
        city.now(),
    )
    .unwrap();
    let (lena_h1, _) = wish_of(&city, &lena, &f1);
    let (paul_h2, paul_status) = wish_of(&city, &paul, &f2);
    assert_eq!(paul_status, status::PROPOSED);
    for h in [&lena_h1, &paul_h2] {
        local.local_change(
            &city.config.name,
            &kitanetz_node::applications::wishes::wish_doc_id(h),
        );
    }
    local.run_until_quiet(2);
    // Only the first Kita answers: Lena's offer goes to her parents.
    kitanetz_node::seats::reserve(
        &mut first.store(),
        &lead_of(&net, &f1),
        Some(&f1),
        &kitanetz_node::seats::ReserveInput {
            wish: lena_h1.0.clone(),
            month: "2027-03-01".into(),
        },
        first.now(),
    )
    .unwrap();
    local.local_change(
        &first.config.name,
        &kitanetz_node::seats::ledger_doc_id(&f1),
    );
    local.run_until_quiet(3);
    let woken = city.placement_wake.take();
    sequential::advance_in_store(&mut city.store(), Which::WishingAt(&woken), city.now()).unwrap();
    assert_eq!(wish_of(&city, &lena, &f1).1, status::OFFERED);

    // Refused without a reason, and for anyone but the ZVS; nothing changes.
    let cancel = |who: &kitanetz_node::auth::Principal, reason: &str| {
        rounds::cancel(
            &mut city.store(),
            who,
            started.round,
            &rounds::CancelInput {
                reason: reason.into(),
            },
            city.now(),
        )
    };
    let refused = cancel(&zvs(), "  ").unwrap_err();
    assert_eq!(refused.into_field_errors().unwrap()[0].field, "reason");
    assert!(cancel(&lead_of(&net, &f1), "Versehen").is_err());
    assert_eq!(wish_of(&city, &paul, &f2).1, status::PROPOSED);

    let done = cancel(&zvs(), "Falscher Zeitraum gewählt").unwrap();
    // (The seeded city has other applications for March in the round too.)
    assert_eq!(done.kept, 1, "{done:?}");
    assert_eq!(done.withdrawn + done.kept, started.proposed, "{done:?}");
    assert_eq!(done.released, started.children - 1, "{done:?}");
    assert_eq!(
        wish_of(&city, &lena, &f1).1,
        status::OFFERED,
        "the confirmed offer stands"
    );
    // Paul's proposal goes onto the second Kita's waitlist (it saw him; it may take him from
    // there), and he is the sequential procedure's again.
    assert_eq!(wish_of(&city, &paul, &f2).1, status::WAITLIST);
    assert_eq!(
        rounds::queries::round_of(&city.store(), &paul).unwrap(),
        None,
        "released from the round"
    );
    assert!(rounds::queries::round_of(&city.store(), &lena)
        .unwrap()
        .is_some());
    let view = rounds::view(&city.store(), &zvs(), started.round).unwrap();
    let cancelled = view.round.cancelled.expect("recorded");
    assert_eq!(cancelled.reason, "Falscher Zeitraum gewählt");
    assert_eq!(cancelled.on, city.now().today);
    assert!(
        cancel(&zvs(), "noch einmal").is_err(),
        "a round is cancelled once"
    );
    // The second Kita no longer sees a proposal.
    local.local_change(
        &city.config.name,
        &kitanetz_node::applications::wishes::wish_doc_id(&paul_h2),
    );
    local.run_until_quiet(4);
    assert_ne!(
        wish_at(&second, &paul_h2).map(|w| w.status),
        Some(WishStatus::Proposed)
    );
    let audited: i64 = city
        .store()
        .conn()
        .query_row(
            "SELECT count(*) FROM audit_log WHERE action = 'round.cancel'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(audited, 1);
}

/// PLACEMENT.md "Priorities": the city publishes versions of its criteria catalogue, with local
/// criteria of a Träger or a Kita; the newest is the one the what-if compares against and the
/// next round places under. What cannot be used is refused with the field named.
#[tokio::test]
async fn the_zvs_publishes_a_catalogue_with_a_traegers_local_criterion_and_it_is_in_force() {
    use kitanetz_node::rounds::catalogue::{self, PublishInput};
    let net = Network::seeded();
    let city_config = net
        .configs
        .iter()
        .find(|c| c.role == NodeRole::City)
        .unwrap()
        .clone();
    let city = net.open(&city_config.name);
    let default = catalogue::in_force(&city.store(), "Dresden").unwrap();
    assert_eq!(default.id, "lastenheft-default");
    let traeger: String = city
        .store()
        .conn()
        .query_row("SELECT id FROM p_providers ORDER BY id LIMIT 1", [], |r| {
            r.get(0)
        })
        .unwrap();
    let with_local = |scope: &str| {
        format!(
            r#"{{"id":"dresden","version":7,"city":"Irgendwo",
            "criteria":[{{"id":"sibling","kind":"sibling_in_facility"}},{{"id":"start","kind":"desired_start"}},{{"id":"birth","kind":"birth_date"}}],
            "local":[{{"scope":{{"traeger":"{scope}"}},"criteria":[{{"id":"catholic","kind":"flag","flag":"denomination:katholisch"}}]}}]}}"#
        )
    };
    let publish = |catalogue: &str, reason: &str| {
        catalogue::publish(
            &mut city.store(),
            &zvs(),
            &PublishInput {
                catalogue: catalogue.into(),
                reason: reason.into(),
            },
            "Dresden",
            city.now(),
        )
    };
    let field_of = |e: kitanetz_node::action::ActionError| {
        e.into_field_errors()
            .unwrap()
            .into_iter()
            .map(|f| f.field)
            .collect::<Vec<_>>()
    };
    let rank_based = r#"{"id":"x","version":1,"city":"Dresden","criteria":[{"id":"erst","kind":"first_choice"}]}"#;
    assert_eq!(
        field_of(publish(rank_based, "Ratsbeschluss").unwrap_err()),
        ["catalogue"]
    );
    assert_eq!(
        field_of(publish(&with_local(&traeger), " ").unwrap_err()),
        ["reason"]
    );
    assert_eq!(
        field_of(publish(&with_local("prov-nirgends"), "Ratsbeschluss").unwrap_err()),
        ["catalogue"]
    );
    let same = serde_json::to_string(&default).unwrap();
    assert!(matches!(
        publish(&same, "Ratsbeschluss"),
        Err(kitanetz_node::action::ActionError::Conflict(_))
    ));
    assert!(
        catalogue::versions(&city.store()).unwrap().is_empty(),
        "nothing stored"
    );

    let published = publish(&with_local(&traeger), "Ratsbeschluss 12/2026").unwrap();
    assert_eq!(published.version, 1, "numbered by the city, not the text");
    assert_eq!(published.catalogue.city, "Dresden");
    let in_force = catalogue::in_force(&city.store(), "Dresden").unwrap();
    assert_eq!(in_force, published.catalogue);
    assert_eq!(in_force.local.len(), 1);
    let audited: i64 = city
        .store()
        .conn()
        .query_row(
            "SELECT COUNT(*) FROM audit_log WHERE action = 'rounds.catalogue.publish'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(audited, 1);

    // The what-if page starts from the catalogue in force and lists the versions; a second
    // version published from it is numbered 2.
    let login = kitanetz_tests::add_user(
        &city,
        "zvs-page",
        kitanetz_node::auth::Role::Zvs,
        kitanetz_crdt::ids::city_org(),
        None,
        None,
    );
    let app = kitanetz_node::http::router(city.clone());
    let (status, page) = kitanetz_tests::call(
        &app,
        Method::GET,
        "/rounds/what-if",
        Some(&login.token),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("denomination:katholisch"), "{page}");
    assert!(page.contains("Ratsbeschluss 12/2026"), "{page}");
    // A publication without a reason keeps the form, with the field marked.
    let (status, page) = kitanetz_tests::call(
        &app,
        Method::POST,
        "/rounds/catalogue",
        Some(&login.token),
        Some((
            "application/x-www-form-urlencoded",
            format!(
                "csrf={}&from=2027-03&to=2027-04&reason=&catalogue={}",
                login.csrf,
                url_encoded(&with_local(&traeger))
            ),
        )),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{page}");
    assert!(
        page.contains(r#"id="f-reason" name="reason" type="text" value="" aria-invalid="true""#),
        "{page}"
    );
    let second = with_local(&traeger).replace(
        r#"{"id":"birth","kind":"birth_date"}"#,
        r#"{"id":"integration","kind":"integration"}"#,
    );
    let body = format!(
        "csrf={}&from=2027-03&to=2027-04&reason=Ratsbeschluss+1%2F2027&catalogue={}",
        login.csrf,
        url_encoded(&second)
    );
    let (status, page) = kitanetz_tests::call(
        &app,
        Method::POST,
        "/rounds/catalogue",
        Some(&login.token),
        Some(("application/x-www-form-urlencoded", body)),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains("catalogue-published"), "{page}");
    let (status, listed) = kitanetz_tests::call(
        &app,
        Method::GET,
        "/api/rounds/catalogue",
        Some(&login.token),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let listed: serde_json::Value = serde_json::from_str(&listed).unwrap();
    assert_eq!(listed["in_force"]["version"], 2);
    assert_eq!(listed["versions"].as_array().unwrap().len(), 2);
}

fn url_encoded(text: &str) -> String {
    form_urlencoded::byte_serialize(text.as_bytes()).collect()
}
