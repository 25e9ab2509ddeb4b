//! The Excel downloads added for Lastenheft 3.19 "Excel-Export jeder Liste": each opens as an
//! xlsx zip with the expected sheets and header cells, for whoever may read the page; an export
//! with personal data leaves an audit entry.

use kitanetz_crdt::ids::city_org;
use kitanetz_crdt::policy::NodeRole;
use kitanetz_node::auth::Role;
use kitanetz_tests::{add_user, get_bytes, open_xlsx, Network};

fn audited(node: &kitanetz_node::Node, action: &str) -> i64 {
    node.store()
        .conn()
        .query_row(
            "SELECT COUNT(*) FROM audit_log WHERE action = ?1",
            [action],
            |r| r.get(0),
        )
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_new_list_download_is_an_xlsx_with_its_sheets_and_headers() {
    let net = Network::seeded();
    let city = net.open(&net.config(|c| c.role == NodeRole::City).name);
    let zvs = add_user(&city, "xl-zvs", Role::Zvs, city_org(), None, None).token;
    let admin = add_user(&city, "xl-admin", Role::SystemAdmin, city_org(), None, None).token;
    let bvs = add_user(&city, "xl-bvs", Role::BvsKtp, city_org(), None, None).token;
    let app = kitanetz_node::http::router(city.clone());
    for (token, path, sheets, header) in [
        (
            &zvs,
            "/intake.xlsx",
            &["Überwachungsliste", "Wechselanträge", "Vormerkpool"][..],
            "Gewünschter Beginn",
        ),
        (
            &zvs,
            "/intake/placement.xlsx",
            &[
                "Überfällige Prüfungen",
                "Zentraler Antragspool",
                "Inaktive Anträge",
            ][..],
            "Inaktiv seit",
        ),
        (
            &zvs,
            "/conflicts.xlsx",
            &[
                "Doppelplätze",
                "Überbuchte Monate",
                "Freigabeaufgaben",
                "Vertragsänderungen",
                "Doppelt gehalten",
            ][..],
            "Bleibt ohne Entscheidung",
        ),
        (
            &zvs,
            "/follow-ups.xlsx?show=all",
            &["Wiedervorlagen"][..],
            "Fällig am",
        ),
        (&admin, "/audit.xlsx", &["Protokoll"][..], "Betroffene"),
        (
            &admin,
            "/admin/sessions.xlsx",
            &["Anmeldungen"][..],
            "Läuft ab",
        ),
        (
            &bvs,
            "/tagespflege.xlsx?months=12",
            &[
                "Zu erledigen",
                "Anfragen",
                "Register",
                "Erlaubniserneuerungen",
            ][..],
            "Tagespflegeperson",
        ),
    ] {
        let (status, bytes) = get_bytes(&app, path, token).await;
        assert_eq!(
            status.as_u16(),
            200,
            "{path}: {}",
            String::from_utf8_lossy(&bytes)
        );
        let (names, text) = open_xlsx(&bytes);
        assert_eq!(names, sheets, "{path}");
        assert!(text.contains(header), "{path}: header {header:?}");
    }
    // Names and addresses left the system: recorded.
    assert_eq!(audited(&city, "intake.export"), 1);
    assert_eq!(audited(&city, "intake.placement.export"), 1);
    assert_eq!(audited(&city, "tagespflege.export"), 1);
    assert_eq!(audited(&city, "audit.export"), 1);

    // The same authorisation as the pages: the BVS-KTP does not read the intake, the ZVS not
    // the audit log; a bad filter is refused as on the page.
    for (token, path, status) in [
        (&bvs, "/intake.xlsx", 403),
        (&zvs, "/audit.xlsx", 403),
        (&bvs, "/conflicts.xlsx", 403),
        (&zvs, "/follow-ups.xlsx?show=someday", 400),
        (&bvs, "/tagespflege.xlsx?months=99", 400),
    ] {
        let (got, _) = get_bytes(&app, path, token).await;
        assert_eq!(got.as_u16(), status, "{path}");
    }
    assert_eq!(
        audited(&city, "intake.export"),
        1,
        "nothing exported when refused"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_traegers_lists_download_as_xlsx_too() {
    let net = Network::seeded();
    let cfg = net.config(|c| c.role == NodeRole::Traeger).clone();
    let provider = cfg.provider.clone().unwrap();
    let node = net.open(&cfg.name);
    let admin =
        kitanetz_tests::add_traeger_user(&node, "xl-t-admin", Role::TraegerAdmin, &provider).token;
    let clerk =
        kitanetz_tests::add_traeger_user(&node, "xl-t-clerk", Role::FeeOffice, &provider).token;
    let app = kitanetz_node::http::router(node.clone());
    for (path, sheets, header) in [
        ("/staff.xlsx", &["Personal"][..], "Zählt für den Schlüssel"),
        (
            "/facilities.xlsx?q=",
            &["Einrichtungen"][..],
            "Plätze heute",
        ),
        (
            "/statistics/landeszuschuss.xlsx?year=2026",
            &["Landeszuschuss 2026"][..],
            "9-Stunden-Kinder",
        ),
        (
            "/statistics/kjh.xlsx?year=2026",
            &["KJH 2026", "Zu klären"][..],
            "Genehmigte Plätze",
        ),
        ("/interfaces/exports.xlsx", &["Exporte"][..], "Stichtag"),
    ] {
        let (status, bytes) = get_bytes(&app, path, &admin).await;
        assert_eq!(status.as_u16(), 200, "{path}");
        let (names, text) = open_xlsx(&bytes);
        assert_eq!(names, sheets, "{path}");
        assert!(text.contains(header), "{path}: header {header:?}");
    }
    assert_eq!(audited(&node, "staff.export"), 1);
    assert_eq!(audited(&node, "statistics.kjh.export"), 1);
    // The fee office's billing runs (none yet: the headers only).
    let (status, bytes) = get_bytes(&app, "/fees/billing.xlsx", &clerk).await;
    assert_eq!(status.as_u16(), 200);
    let (names, text) = open_xlsx(&bytes);
    assert_eq!(names, ["Soll-Stellungen"]);
    assert!(text.contains("Positionen"));
    // The reduction setting's versions, the online self-assessments and the sync status.
    for (path, sheets, header) in [
        (
            "/fees/reduction-settings.xlsx",
            &["Zumutbarer Anteil"][..],
            "Gültig ab",
        ),
        (
            "/fees/declarations.xlsx",
            &["Selbstauskünfte"][..],
            "Nachweise",
        ),
        (
            "/sync.xlsx",
            &["Synchronisation", "Stand"][..],
            "Zuletzt synchronisiert",
        ),
    ] {
        let (status, bytes) = get_bytes(&app, path, &clerk).await;
        assert_eq!(status.as_u16(), 200, "{path}");
        let (names, text) = open_xlsx(&bytes);
        assert_eq!(names, sheets, "{path}");
        assert!(text.contains(header), "{path}: header {header:?}");
    }
    // The fee office reads neither the staff nor the statistics.
    for path in [
        "/staff.xlsx",
        "/statistics/landeszuschuss.xlsx?year=2026",
        "/statistics/kjh.xlsx?year=2026",
    ] {
        let (status, _) = get_bytes(&app, path, &clerk).await;
        assert_eq!(status.as_u16(), 403, "{path}");
    }
    assert_eq!(audited(&node, "staff.export"), 1);
}
