//! Storage: durability of acknowledged writes under kill -9, projection rebuild, erasure,
//! the append-only audit log.

use axum::http::{Method, StatusCode};
use kitanetz_crdt::kinds::CareContract;
use kitanetz_crdt::DocId;
use kitanetz_node::auth::Role;
use kitanetz_node::storage::{projections, AuditEntry, StoreError};
use kitanetz_tests::{add_user, call, first_child_and_contract, Network};
use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};

const CHILD_ENV: &str = "KITANETZ_KILL9_CHILD_DIR";

/// The child half of the kill -9 test: serves a node over HTTP until killed. Does nothing in a
/// normal test run.
#[test]
fn kill9_child_server() {
    let Ok(dir) = std::env::var(CHILD_ENV) else {
        return;
    };
    let node = kitanetz_node::Node::open(
        std::path::Path::new(&dir),
        std::sync::Arc::new(kitanetz_node::clock::FixedClock::at(
            kitanetz_tests::fixture_day(),
        )),
    )
    .unwrap();
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async move {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        println!("LISTENING {}", listener.local_addr().unwrap());
        std::io::stdout().flush().unwrap();
        axum::serve(listener, kitanetz_node::http::router(node))
            .await
            .unwrap();
    });
}

#[test]
fn acknowledged_writes_survive_kill_9() {
    let net = Network::seeded();
    let kita = net.kitas()[0];
    let facility = kita.facility.clone().unwrap();
    let (token, contract_id) = {
        let node = net.open(&kita.name);
        let login = add_user(
            &node,
            "lead",
            Role::KitaLead,
            kita.organisation.clone(),
            kita.provider.clone(),
            kita.facility.clone(),
        );
        // The child process gets a session that is already stored.
        (login.token, first_child_and_contract(&node, &facility).1)
    };
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "storage::kill9_child_server",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(CHILD_ENV, net.node_dir(&kita.name))
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let addr = loop {
        let line = lines.next().expect("child printed its address").unwrap();
        // libtest prints "test … ... " before the child's own output on the same line.
        if let Some((_, a)) = line.split_once("LISTENING ") {
            break a.trim().to_string();
        }
    };
    let rt = tokio::runtime::Runtime::new().unwrap();
    let acknowledged: Vec<String> = rt.block_on(async {
        let http = reqwest::Client::new();
        let mut acked = Vec::new();
        for month in 1..=6 {
            let valid_from = format!("2027-{month:02}-01");
            let res = http
                .post(format!("http://{addr}/api/contracts/{contract_id}/changes"))
                .bearer_auth(&token)
                .json(&serde_json::json!({"valid_from": valid_from, "care_type": "kindergarten", "daily_hours": 4 + month, "payment_mode": "direct-debit"}))
                .send()
                .await
                .unwrap();
            let status = res.status();
            assert_eq!(status, StatusCode::OK, "change from {valid_from}: {}", res.text().await.unwrap_or_default());
            acked.push(valid_from);
        }
        acked
    });
    // No graceful anything: SIGKILL right after the last acknowledgement.
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(
        acknowledged.len() >= 3,
        "the child acknowledged {} writes",
        acknowledged.len()
    );

    let node = net.open(&kita.name);
    let store = node.store();
    let (_, contract) = store
        .get::<CareContract>(&kitanetz_node::contracts::contract_doc_id(
            &contract_id.parse().unwrap(),
        ))
        .unwrap();
    for valid_from in &acknowledged {
        assert!(
            contract
                .lines
                .iter()
                .any(|l| l.valid.start().to_string() == *valid_from),
            "acknowledged change from {valid_from} lost after kill -9"
        );
    }
    let audited: i64 = store
        .conn()
        .query_row(
            "SELECT COUNT(*) FROM audit_log WHERE action = 'contract.change'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(
        audited as usize,
        acknowledged.len(),
        "one audit row per acknowledged change"
    );
}

#[test]
fn rebuilt_projections_answer_queries_identically() {
    let net = Network::seeded();
    for cfg in &net.configs {
        let node = net.open(&cfg.name);
        let mut store = node.store();
        let before = projections::snapshot(store.conn()).unwrap();
        assert!(
            before.lines().count() > 20,
            "{} has projection rows",
            cfg.name
        );
        // Damage the projections the way a bug or a crash between versions could.
        store
            .conn()
            .execute_batch("DELETE FROM p_children; UPDATE p_facilities SET name = 'x';")
            .unwrap();
        let n = store.rebuild_projections().unwrap();
        assert!(n > 0);
        let after = projections::snapshot(store.conn()).unwrap();
        assert_eq!(
            before, after,
            "{}: projections after rebuild differ",
            cfg.name
        );
    }
}

#[test]
fn erased_family_is_gone_and_never_comes_back() {
    let net = Network::seeded();
    let kita = net.kitas()[0];
    let node = net.open(&kita.name);
    let mut store = node.store();
    let family: String = store
        .conn()
        .query_row(
            "SELECT family FROM p_children WHERE facility = ?1 ORDER BY id LIMIT 1",
            [&kita.facility.as_ref().unwrap().0],
            |r| r.get(0),
        )
        .unwrap();
    let family_doc = kitanetz_node::families::family_doc_id(&family.parse().unwrap());
    let saved = store.doc_bytes(&family_doc).unwrap();
    let entry = AuditEntry {
        at: 1,
        actor: "user:test".into(),
        action: "family.erase",
        target: Some(family.clone()),
        subjects: vec![family.clone()],
        valid_from: None,
    };
    let report = store.erase_family(&family, &entry).unwrap();
    assert!(
        report.documents.len() >= 2,
        "family and contract erased: {:?}",
        report.documents
    );
    for doc in &report.documents {
        assert!(matches!(
            store.load_doc(&DocId(doc.clone())),
            Err(StoreError::NotFound(_))
        ));
        assert!(store.is_erased(&DocId(doc.clone())).unwrap());
    }
    let left: i64 = store
        .conn()
        .query_row(
            "SELECT COUNT(*) FROM p_children WHERE family = ?1",
            [&family],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(left, 0);
    // A peer offering the old copy again is refused.
    let offered = kitanetz_crdt::doc::StoredDoc::load(family_doc.clone(), &saved, b"peer").unwrap();
    let meta = offered.meta.clone();
    match store.put_synced(
        &family_doc,
        &meta,
        &mut offered.into_automerge(),
        2,
        "traeger-1",
    ) {
        Err(StoreError::Erased(id)) => assert_eq!(id, family_doc),
        other => panic!("re-import must be refused, got {other:?}"),
    }
    // Nothing of the family is left in any chunk.
    let chunks: i64 = store
        .conn()
        .query_row(
            "SELECT COUNT(*) FROM chunks WHERE doc_id = ?1",
            [&family_doc.0],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(chunks, 0);
}

#[test]
fn audit_log_is_append_only() {
    let net = Network::seeded();
    let node = net.open("city");
    let store = node.store();
    assert!(store
        .conn()
        .execute("UPDATE audit_log SET actor = 'x'", [])
        .is_err());
    assert!(store.conn().execute("DELETE FROM audit_log", []).is_err());
}

#[tokio::test]
async fn reads_of_personal_data_are_audited() {
    let net = Network::seeded();
    let kita = net.kitas()[0];
    let node = net.open(&kita.name);
    let login = add_user(
        &node,
        "lead",
        Role::KitaLead,
        kita.organisation.clone(),
        kita.provider.clone(),
        kita.facility.clone(),
    );
    let (child, _) = first_child_and_contract(&node, kita.facility.as_ref().unwrap());
    let router = kitanetz_node::http::router(node.clone());
    let (status, _) = call(
        &router,
        Method::GET,
        &format!("/api/children/{child}"),
        Some(&login.token),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let rows = node.store().audit_for(&child, 10).unwrap();
    assert!(rows.iter().any(|r| r.action == "child.read"
        && r.actor == "user:lead"
        && r.subjects.contains(&child)));
}

/// A node's data is its own: the directory 0700, the database and keys 0600, whatever the
/// umask made of them.
#[cfg(unix)]
#[test]
fn the_data_directory_is_readable_by_the_node_only() {
    use std::os::unix::fs::PermissionsExt;
    let net = kitanetz_tests::Network::seeded();
    let name = net.kitas()[0].name.clone();
    let dir = net.node_dir(&name);
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).unwrap();
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_file() {
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        }
    }
    let node = net.open(&name);
    drop(node);
    let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&dir), 0o700);
    let mut files = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_file() {
            files += 1;
            assert_eq!(mode(&path), 0o600, "{}", path.display());
        }
    }
    assert!(files >= 2, "the database and the node's key at least");
}

#[test]
fn backup_and_restore_through_the_cli() {
    let net = Network::seeded();
    let kita = &net.kitas()[0].name;
    let elsewhere = tempfile::tempdir().unwrap();
    let backup = elsewhere.path().join("backup");
    let restored = elsewhere.path().join("restored");
    let run = |args: &[&std::ffi::OsStr]| {
        let run = kitanetz_tests::run_kitanetz(args);
        (Some(run.code), run.stdout, run.stderr)
    };
    let (code, stdout, stderr) = run(&[
        "backup".as_ref(),
        "--data-dir".as_ref(),
        net.node_dir(kita).as_os_str(),
        "--to".as_ref(),
        backup.as_os_str(),
    ]);
    assert_eq!(code, Some(0), "{stdout}{stderr}");
    assert!(stdout.contains(&format!("backup of {kita}")), "{stdout}");
    let (code, stdout, stderr) = run(&[
        "restore".as_ref(),
        "--from".as_ref(),
        backup.as_os_str(),
        "--data-dir".as_ref(),
        restored.as_os_str(),
    ]);
    assert_eq!(code, Some(0), "{stdout}{stderr}");
    assert!(stdout.contains("documents"), "{stdout}");
    // Restoring onto the restored node is refused with a reason, and changes nothing.
    let before = std::fs::read(restored.join("node.db")).unwrap();
    let (code, _, stderr) = run(&[
        "restore".as_ref(),
        "--from".as_ref(),
        backup.as_os_str(),
        "--data-dir".as_ref(),
        restored.as_os_str(),
    ]);
    assert_ne!(code, Some(0));
    assert!(stderr.contains("not empty"), "{stderr}");
    assert_eq!(std::fs::read(restored.join("node.db")).unwrap(), before);
}

#[test]
fn demo_data_from_an_older_version_is_moved_aside_and_seeded_anew() {
    let dir = tempfile::tempdir().unwrap();
    let demo = dir.path().join("demo-data");
    let clock =
        kitanetz_node::clock::FixedClock::at(chrono::NaiveDate::from_ymd_opt(2026, 11, 2).unwrap());
    let (configs, report) = kitanetz_node::demo::ensure_network(&demo, 0, &clock).unwrap();
    assert!(report.is_some(), "seeded");
    let (again, report) = kitanetz_node::demo::ensure_network(&demo, 0, &clock).unwrap();
    assert!(report.is_none(), "the same format is reused");
    assert_eq!(again.len(), configs.len());

    // A directory without the format marker is from before it: kept aside, never deleted.
    std::fs::remove_file(demo.join("demo-format")).unwrap();
    let (_, report) = kitanetz_node::demo::ensure_network(&demo, 0, &clock).unwrap();
    assert!(report.is_some(), "seeded anew");
    let aside: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| {
            e.file_name()
                .to_string_lossy()
                .starts_with("demo-data.older-")
        })
        .collect();
    assert_eq!(aside.len(), 1, "the old data is kept");
}

/// Issue 13 item 4: a backup of a node that seals personal documents holds no name in plain
/// text, and a family erased after the backup stays erased when the backup is restored with
/// the node's current key file (its key is gone, so its copy in the backup is noise).
#[test]
fn an_old_backup_restored_after_an_erasure_does_not_bring_the_family_back() {
    let net = Network::seeded();
    let kita = net.kitas()[0];
    let kita_dir = net.node_dir(&kita.name);
    let node = net.open(&kita.name);
    let facility = kita.facility.as_ref().unwrap().0.clone();
    let children = |store: &kitanetz_node::storage::Store| -> Vec<(String, String, String)> {
        let mut stmt = store
            .conn()
            .prepare(
                "SELECT family, given_name, family_name FROM p_children
                 WHERE facility = ?1 ORDER BY id",
            )
            .unwrap();
        let rows = stmt
            .query_map([&facility], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .unwrap();
        rows.collect::<Result<_, _>>().unwrap()
    };
    let before = children(&node.store());
    assert!(before.len() >= 2, "two families at least: {before:?}");
    let (erased, given, family_name) = before[0].clone();
    let (kept, _, _) = before
        .iter()
        .find(|c| c.0 != erased)
        .cloned()
        .expect("another family");
    let documents_before = node.store().doc_metas().unwrap().len();

    let elsewhere = tempfile::tempdir().unwrap();
    let backup_dir = elsewhere.path().join("backup");
    let manifest = kitanetz_node::backup::backup(&kita_dir, &backup_dir, None, chrono::Utc::now())
        .expect("backup");
    assert!(manifest.keys.is_some(), "the demo seals personal documents");
    assert!(
        !manifest
            .files
            .iter()
            .any(|f| f.path.contains("subject-keys")),
        "the key file is not in the backup: {:?}",
        manifest.files
    );
    let key_backup = elsewhere
        .path()
        .join(kitanetz_node::backup::key_backup_name(&kita.name));
    assert!(
        key_backup.is_file(),
        "the key backup lies beside the backup"
    );
    let beside: Vec<String> = std::fs::read_dir(elsewhere.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(beside.len(), 2, "the backup and one key file: {beside:?}");
    // Not one name of the Kita's children in the backed-up database: chunks sealed,
    // projection tables left out. Names of six letters and more (a shorter one, "Vu", turns
    // up by chance in megabytes of ciphertext), and none that a staff login also bears: the
    // users table keeps the staff's names in plain text ("Theresa Müller").
    let staff: Vec<String> = {
        let store = node.store();
        let mut stmt = store
            .conn()
            .prepare("SELECT display_name FROM users")
            .unwrap();
        let rows = stmt.query_map([], |r| r.get(0)).unwrap();
        rows.collect::<Result<_, _>>().unwrap()
    };
    let raw = std::fs::read(backup_dir.join("node.db")).unwrap();
    let names: Vec<&String> = before
        .iter()
        .flat_map(|(_, given, family_name)| [given, family_name])
        .filter(|name| name.len() >= 6 && !staff.iter().any(|s| s.contains(name.as_str())))
        .collect();
    assert!(names.len() >= 5, "{names:?}");
    for name in names {
        assert!(
            !raw.windows(name.len()).any(|w| w == name.as_bytes()),
            "{name} in the backup file"
        );
    }

    // The family is erased after the backup.
    let entry = AuditEntry {
        at: 1,
        actor: "user:test".into(),
        action: "family.erase",
        target: Some(erased.clone()),
        subjects: vec![erased.clone()],
        valid_from: None,
    };
    let report = node.store().erase_family(&erased, &entry).unwrap();
    drop(node);

    // An older key file than the backup is refused (it would take newer documents for erased):
    // a key file of another node is refused too.
    let other_kita = net.node_dir(&net.kitas()[1].name);
    let refused = kitanetz_node::backup::restore(
        &backup_dir,
        &elsewhere.path().join("wrong"),
        Some(&other_kita.join(kitanetz_node::storage::SUBJECT_KEYS_FILE)),
    )
    .unwrap_err();
    assert!(refused.to_string().contains("another node"), "{refused}");

    // Restored with the node's current key file: the family stays erased.
    let restored_dir = elsewhere.path().join("restored");
    let restored = kitanetz_node::backup::restore(
        &backup_dir,
        &restored_dir,
        Some(&kita_dir.join(kitanetz_node::storage::SUBJECT_KEYS_FILE)),
    )
    .expect("restore");
    assert_eq!(
        restored.documents,
        documents_before - report.documents.len()
    );
    assert_eq!(restored.erased_since, report.documents.len());
    let back =
        kitanetz_node::Node::open(&restored_dir, std::sync::Arc::new(net.clock.clone())).unwrap();
    let store = back.store();
    for doc in &report.documents {
        let id = DocId(doc.clone());
        assert!(matches!(store.load_doc(&id), Err(StoreError::NotFound(_))));
        assert!(store.is_erased(&id).unwrap(), "{doc} tombstoned");
    }
    let after = children(&store);
    assert!(
        after.iter().all(|c| c.0 != erased),
        "no row of the erased family in p_children"
    );
    assert!(!after
        .iter()
        .any(|c| c.1 == given && c.2 == family_name && c.0 == erased));
    assert_eq!(
        after.len(),
        before.len() - (before.iter().filter(|c| c.0 == erased).count())
    );
    // The other families are there, projected again from their chunks.
    assert!(after.iter().any(|c| c.0 == kept));
    let kept_doc = kitanetz_node::families::family_doc_id(&kept.parse().unwrap());
    assert!(store
        .find::<kitanetz_crdt::kinds::Family>(&kept_doc)
        .unwrap()
        .is_some());
}
