//! The city's placement statistics (Lastenheft 3.12.1.3, 3.12.1.5) from its own data: counted
//! against the applications the city node holds, anonymised by default, as a page and as Excel.

use kitanetz_crdt::ids::city_org;
use kitanetz_crdt::kinds::Application;
use kitanetz_crdt::policy::NodeRole;
use kitanetz_node::auth::Role;
use kitanetz_reports::Filter;
use kitanetz_tests::{add_user, call, Network};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_zvs_counts_placed_children_and_open_demand_from_the_citys_data() {
    let net = Network::seeded();
    let city_cfg = net.config(|c| c.role == NodeRole::City).name.clone();
    let city = net.open(&city_cfg);
    let zvs = add_user(&city, "rep-zvs", Role::Zvs, city_org(), None, None);
    let admin = add_user(
        &city,
        "rep-admin",
        Role::SystemAdmin,
        city_org(),
        None,
        None,
    );
    let today = city.clock.today().0;

    // Independently of the report: what the city holds.
    let apps = city.store().values_of_kind::<Application>().unwrap();
    let placed_before_today = apps
        .iter()
        .filter(|a| {
            a.wishes
                .iter()
                .any(|w| w.status == "placed" && w.since.is_none_or(|d| d.0 <= today))
        })
        .count() as u64;
    let open = apps
        .iter()
        .filter(|a| a.status == "active" && !a.wishes.iter().any(|w| w.status == "placed"))
        .count() as u64;
    assert!(open > 0, "the demo has open applications");

    let principal = kitanetz_node::auth::Principal::Staff(kitanetz_node::auth::Caller {
        user_id: 1,
        username: "rep-zvs".into(),
        display_name: "ZVS".into(),
        role: Role::Zvs,
        organisation: city_org(),
        provider: None,
        facility: None,
        childminder: None,
    });
    let all_time = Filter::range(chrono::NaiveDate::from_ymd_opt(2000, 1, 1).unwrap(), today);
    let reports =
        kitanetz_node::reports::city_reports(&city.store(), &principal, &|_| None, &all_time, None)
            .unwrap();
    assert_eq!(
        reports.placed.placed.count, placed_before_today,
        "placed children"
    );
    assert_eq!(
        reports.placed.employer_seats.count, 0,
        "the city places no Belegrecht seats"
    );
    assert!(
        reports.demand.open <= open && reports.demand.open > 0,
        "{} of {open}",
        reports.demand.open
    );
    let ranks: u64 = reports
        .placed
        .placed
        .wish_rank
        .entries
        .iter()
        .filter_map(|e| e.count)
        .sum();
    assert_eq!(
        ranks, placed_before_today,
        "every placed child has a rank (or none)"
    );

    // The page and the file, for the ZVS only.
    let router = kitanetz_node::http::router(city.clone());
    let (status, body) = call(
        &router,
        "GET".parse().unwrap(),
        "/reports?from=2000-01-01",
        Some(&zvs.token),
        None,
    )
    .await;
    assert_eq!(status.as_u16(), 200, "{body}");
    assert!(body.contains("Vermittelte Plätze") && body.contains("Unbefriedigte Bedarfe"));
    let (status, body) = call(
        &router,
        "GET".parse().unwrap(),
        "/reports.xlsx?from=2000-01-01&all=on",
        Some(&zvs.token),
        None,
    )
    .await;
    assert_eq!(status.as_u16(), 200);
    assert!(body.starts_with("PK\u{3}\u{4}"), "an xlsx file");
    let (status, _) = call(
        &router,
        "GET".parse().unwrap(),
        "/reports?from=01.01.2026",
        Some(&zvs.token),
        None,
    )
    .await;
    assert_eq!(status.as_u16(), 400, "a date not as YYYY-MM-DD");
    let (status, _) = call(
        &router,
        "GET".parse().unwrap(),
        "/reports?from=2026-12-01&until=2026-01-01",
        Some(&zvs.token),
        None,
    )
    .await;
    assert_eq!(status.as_u16(), 422, "a reversed range");
    let (status, _) = call(
        &router,
        "GET".parse().unwrap(),
        "/reports",
        Some(&admin.token),
        None,
    )
    .await;
    assert_eq!(
        status.as_u16(),
        403,
        "the system admin reads no placement data"
    );
}
