//! `kitanetz kitaplaner export-buffer --case FILE.json` on the case files in
//! `tests/fixtures/kitaplaner/`: each `NAME.case.json` is run through the real binary; a computed
//! case must print `NAME.expected.json` (without its `_comment`) and exit 0, a refused one must
//! exit 2 with the expected text on stderr and nothing on stdout. The crate's own test
//! (`node/kitaplaner/tests/buffer/fixtures.rs`) compares the same files field by field.

use kitanetz_tests::{assert_missing_case_refused, fixture_cases, run_kitanetz};
use serde_json::Value;

#[test]
fn kitaplaner_cases_through_the_cli() {
    for c in fixture_cases("kitaplaner", 5) {
        let name = &c.name;
        let run = run_kitanetz([
            "kitaplaner".as_ref(),
            "export-buffer".as_ref(),
            "--case".as_ref(),
            c.case.as_os_str(),
        ]);
        if let Some(code) = c.expected.get("exit_code") {
            assert_eq!(Some(i64::from(run.code)), code.as_i64(), "{name}");
            assert!(run.stdout.is_empty(), "{name}: stdout of a refused case");
            let needle = c.expected["stderr_contains"].as_str().unwrap();
            assert!(
                run.stderr.contains(needle),
                "{name}: {:?} lacks {needle:?}",
                run.stderr
            );
        } else {
            assert_eq!(run.code, 0, "{name}: {}", run.stderr);
            let got: Value = serde_json::from_str(&run.stdout).expect("stdout is JSON");
            assert_eq!(got, c.expected, "{name}");
        }
    }
}

#[test]
fn a_missing_case_file_exits_2() {
    assert_missing_case_refused(&["kitaplaner", "export-buffer"]);
}

/// A multipart body with the CSRF-free upload of one file (bearer sessions need no token).
fn upload(name: &str, text: &str) -> (&'static str, String) {
    let body = format!(
        "--kp-boundary\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\nContent-Type: text/csv\r\n\r\n{text}\r\n--kp-boundary--\r\n"
    );
    ("multipart/form-data; boundary=kp-boundary", body)
}

fn import_rows(node: &kitanetz_node::Node) -> Vec<(i64, String, String, Option<String>)> {
    node.store()
        .conn()
        .prepare("SELECT id, kind_id_extern, status, child FROM kitaplaner_imports ORDER BY id")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

#[tokio::test]
async fn the_kita_lead_imports_children_from_kitaplaner_and_works_the_import_buffer() {
    use axum::http::{Method, StatusCode};
    use kitanetz_tests::{call, KitaAndTraeger, Network};
    let net = Network::seeded();
    let fx = KitaAndTraeger::open(&net);
    let lead = fx.lead("kp-lead");
    let router = kitanetz_node::http::router(fx.kita.clone());
    const FILE: &str = "KIND_ID_EXTERN;KITA_ID_EXTERN;VER_VERTRAG_AB;BETREUUNGSZEIT_ID;KIND_NACHNAME;KIND_VORNAME;KIND_GEBDATUM;KIND_STRASSE;KIND_HAUSNUMMER;KIND_POSTLEITZAHL;KIND_ORT;SB1_NACHNAME;SB1_VORNAME\n\
K-17;1234567;01.08.2027;5;Becker;Ben;2024-11-18;Weg;1;24103;Kiel;Becker;Anna\n\
K-18;1234567;2027-09-01;7;Yilmaz;Elif;2025-01-05;Hof;2;24105;Kiel;Yilmaz;Deniz\n";

    // A file with a bad date is refused whole: the page names line and column.
    let bad = FILE.replace("2027-09-01", "September");
    let (status, _) = call(
        &router,
        Method::POST,
        "/kitaplaner/import",
        Some(&lead),
        Some(upload("kp.csv", &bad)),
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert!(
        import_rows(&fx.kita).is_empty(),
        "nothing of a refused file"
    );
    // The good file: two rows; the same file again adds nothing.
    for _ in 0..2 {
        let (status, _) = call(
            &router,
            Method::POST,
            "/kitaplaner/import",
            Some(&lead),
            Some(upload("kp.csv", FILE)),
        )
        .await;
        assert_eq!(status, StatusCode::SEE_OTHER);
    }
    let rows = import_rows(&fx.kita);
    assert_eq!(rows.len(), 2, "{rows:?}");
    let (status, page) = call(&router, Method::GET, "/kitaplaner", Some(&lead), None).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        page.contains("id=\"kp-imports\"") && page.contains("Becker, Ben"),
        "{page}"
    );

    // Admit the first: the form comes filled in from the row; the row is then worked through.
    let (ben, elif) = (rows[0].0, rows[1].0);
    let (status, form) = call(
        &router,
        Method::GET,
        &format!("/children/new?kitaplaner_import={ben}"),
        Some(&lead),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        form.contains("value=\"Ben\"")
            && form.contains("value=\"2027-08-01\"")
            && form.contains("value=\"7\""),
        "{form}"
    );
    let body = format!(
        "kitaplaner_import={ben}&start=2027-08-01&care_type=nursery&child_given_name=Ben&child_family_name=Becker\
         &child_birth_date=2024-11-18&child_sex=male&guardian_given_name=Anna&guardian_family_name=Becker\
         &street=Weg+1&postcode=24103&city=Kiel&daily_hours=7&payment_mode=self-payer"
    );
    let (status, page) = call(
        &router,
        Method::POST,
        "/children/new",
        Some(&lead),
        Some(("application/x-www-form-urlencoded", body)),
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{page}");
    let rows = import_rows(&fx.kita);
    assert_eq!(rows[0].2, "aufgenommen");
    let child = rows[0].3.clone().expect("the child admitted");
    let (status, _) = call(
        &router,
        Method::GET,
        &format!("/children/{child}"),
        Some(&lead),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK);

    // Discard the second; a second discard finds no open row.
    let discard = format!("/kitaplaner/import/{elif}/discard");
    let form = ("application/x-www-form-urlencoded", String::new());
    let (status, _) = call(
        &router,
        Method::POST,
        &discard,
        Some(&lead),
        Some(form.clone()),
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(import_rows(&fx.kita)[1].2, "verworfen");
    let (status, _) = call(&router, Method::POST, &discard, Some(&lead), Some(form)).await;
    assert_eq!(status, StatusCode::CONFLICT);
    // Nobody but the Kita's lead works the buffer.
    let admin = kitanetz_tests::add_traeger_user(
        &fx.kita,
        "kp-admin",
        kitanetz_node::auth::Role::TraegerAdmin,
        &fx.provider,
    )
    .token;
    let (status, _) = call(
        &router,
        Method::POST,
        "/kitaplaner/import",
        Some(&admin),
        Some(upload("kp.csv", FILE)),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}
