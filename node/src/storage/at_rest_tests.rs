//! Personal documents sealed at rest: what lands in `node.db`, compaction, switching the
//! option on, erasure and a key file that is gone.

use super::test_support::kita_membership;
use super::*;
use kitanetz_crdt::doc::StoredDoc;
use kitanetz_crdt::ids::{ChildId, FamilyId, GuardianId, OrgId, ProviderId};
use kitanetz_crdt::kinds::family::{Child, Guardian, Sex};
use kitanetz_crdt::kinds::{Address, Family, ProviderKind, ProviderProfile};
use kitanetz_crdt::meta::{DocKind, DocMeta};
use kitanetz_crdt::scalar::Date;

const CHILD_NAME: &str = "Mirabelle";

fn today() -> Date {
    Date::ymd(2026, 11, 2)
}

fn address() -> Address {
    Address {
        street: "Weg 1".into(),
        postcode: "01067".into(),
        city: "Dresden".into(),
        lat: None,
        lon: None,
    }
}

fn family() -> Family {
    Family {
        id: FamilyId("fam-1".into()),
        family_number: "000001".into(),
        guardians: vec![Guardian {
            id: GuardianId("grd-1".into()),
            given_name: "Anna".into(),
            family_name: "Quendel".into(),
            address: address(),
            main_residence_in_city: true,
            phone: String::new(),
            email: "anna@example.org".into(),
            single_parent: false,
        }],
        children: vec![Child {
            id: ChildId("child-1".into()),
            given_name: CHILD_NAME.into(),
            family_name: "Quendel".into(),
            birth_date: Date::ymd(2022, 11, 18),
            sex: Sex::Female,
            integration_need: false,
            facility: None,
        }],
        family_key: String::new(),
    }
}

fn meta(kind: DocKind) -> DocMeta {
    DocMeta {
        kind,
        schema: 1,
        owner: OrgId("org-kita-1".into()),
        provider: Some(ProviderId("prov-1".into())),
        facilities: vec![],
        origin_node: "kita-1".into(),
        created_on: today(),
    }
}

fn entry(at: i64) -> AuditEntry {
    AuditEntry {
        at,
        actor: "user:test".into(),
        action: "family.update",
        target: None,
        subjects: vec![],
        valid_from: None,
    }
}

fn family_id() -> DocId {
    DocId("doc-family-1".into())
}

fn open(dir: &Path, seal_personal: bool) -> Result<Store, StoreError> {
    Store::open_at_rest(
        &dir.join("node.db"),
        Durability::Normal,
        "kita-1",
        kita_membership(),
        &AtRest {
            keys_file: dir.join(SUBJECT_KEYS_FILE),
            seal_personal,
            opened_at: 1,
        },
    )
}

fn save_family(store: &mut Store) -> StoredDoc {
    let mut doc = StoredDoc::create(
        family_id(),
        meta(DocKind::Family),
        &family(),
        store.actor(),
        today(),
        1,
    )
    .unwrap();
    store.save_doc(&mut doc, &entry(1)).unwrap();
    doc
}

/// The chunks of `id` as stored: (seq, sealed, bytes).
fn stored_chunks(store: &Store, id: &DocId) -> Vec<(i64, bool, Vec<u8>)> {
    let mut stmt = store
        .conn()
        .prepare("SELECT seq, sealed, bytes FROM chunks WHERE doc_id = ?1 ORDER BY seq")
        .unwrap();
    let rows = stmt
        .query_map([&id.0], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap();
    rows.collect::<Result<_, _>>().unwrap()
}

fn names(bytes: &[u8], name: &str) -> bool {
    bytes.windows(name.len()).any(|w| w == name.as_bytes())
}

#[test]
fn a_personal_document_is_sealed_in_the_database_and_loads_back_equal() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = open(dir.path(), true).unwrap();
    let mut doc = save_family(&mut store);
    let chunks = stored_chunks(&store, &family_id());
    assert_eq!(chunks.len(), 1);
    let (_, sealed, raw) = &chunks[0];
    assert!(sealed);
    assert!(!names(raw, CHILD_NAME), "no name in the raw chunk");
    assert_ne!(raw, &doc.save(), "not the automerge bytes");
    assert!(
        names(&store.doc_bytes(&family_id()).unwrap(), CHILD_NAME),
        "read back as automerge bytes (what sync sends)"
    );
    let (mut loaded, value) = store.get::<Family>(&family_id()).unwrap();
    assert_eq!(value, family());
    assert_eq!(loaded.heads(), doc.heads());
    // The key is in its own file, not in node.db.
    let keys = SubjectKeys::open(&dir.path().join(SUBJECT_KEYS_FILE)).unwrap();
    assert!(keys.secret(&family_id()).unwrap().is_some());
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(dir.path().join(SUBJECT_KEYS_FILE))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }
}

#[test]
fn compaction_seals_the_new_snapshot_under_another_nonce() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = open(dir.path(), true).unwrap();
    let mut doc = save_family(&mut store);
    let mut value = family();
    let mut first_snapshots = Vec::new();
    for i in 0..70 {
        value.guardians[0].phone = format!("0351 {i}");
        doc.update(&value, today(), 2 + i, "phone").unwrap();
        store.save_doc(&mut doc, &entry(2 + i)).unwrap();
        let chunks = stored_chunks(&store, &family_id());
        if chunks.len() == 1 {
            first_snapshots.push(chunks[0].2.clone());
        }
    }
    assert!(first_snapshots.len() >= 2, "compacted at least twice");
    let (a, b) = (&first_snapshots[0], &first_snapshots[1]);
    assert_ne!(
        a[..12],
        b[..12],
        "another nonce for another snapshot at seq 0"
    );
    assert_ne!(a, b);
    assert!(stored_chunks(&store, &family_id())
        .iter()
        .all(|(_, sealed, raw)| *sealed && !names(raw, CHILD_NAME)));
    assert_eq!(store.get::<Family>(&family_id()).unwrap().1, value);
}

#[test]
fn a_public_document_stays_plain() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = open(dir.path(), true).unwrap();
    let profile = ProviderProfile {
        id: ProviderId("prov-1".into()),
        name: "Träger Lindenblatt".into(),
        kind: ProviderKind::Free,
        category: "Elterninitiative".into(),
        address: address(),
        email: String::new(),
        phone: String::new(),
    };
    let id = DocId("doc-p".into());
    let mut doc = StoredDoc::create(
        id.clone(),
        meta(DocKind::ProviderProfile),
        &profile,
        store.actor(),
        today(),
        1,
    )
    .unwrap();
    store.save_doc(&mut doc, &entry(1)).unwrap();
    let chunks = stored_chunks(&store, &id);
    assert!(!chunks[0].1);
    assert_eq!(chunks[0].2, doc.save());
    assert!(names(&chunks[0].2, "Lindenblatt"));
}

#[test]
fn switching_sealing_on_keeps_plain_chunks_readable() {
    let dir = tempfile::tempdir().unwrap();
    let mut plain = open(dir.path(), false).unwrap();
    let mut doc = save_family(&mut plain);
    assert!(
        !dir.path().join(SUBJECT_KEYS_FILE).exists(),
        "no key file yet"
    );
    drop(plain);

    let mut store = open(dir.path(), true).unwrap();
    assert_eq!(store.get::<Family>(&family_id()).unwrap().1, family());
    let mut value = family();
    value.guardians[0].phone = "0351 1".into();
    doc.update(&value, today(), 2, "phone").unwrap();
    store.save_doc(&mut doc, &entry(2)).unwrap();
    let sealed: Vec<bool> = stored_chunks(&store, &family_id())
        .iter()
        .map(|c| c.1)
        .collect();
    assert_eq!(
        sealed,
        [false, true],
        "the old chunk plain, the new one sealed"
    );
    assert_eq!(store.get::<Family>(&family_id()).unwrap().1, value);
    // Switched off again: the sealed chunk still opens.
    drop(store);
    let store = open(dir.path(), false).unwrap();
    assert_eq!(store.get::<Family>(&family_id()).unwrap().1, value);
}

#[test]
fn erasure_deletes_the_key_and_a_copy_of_the_database_cannot_bring_the_family_back() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = open(dir.path(), true).unwrap();
    save_family(&mut store);
    // A copy of node.db from before the erasure (as a backup holds it).
    let copy = tempfile::tempdir().unwrap();
    store
        .conn()
        .backup(
            rusqlite::MAIN_DB,
            copy.path().join("node.db"),
            None::<fn(rusqlite::backup::Progress)>,
        )
        .unwrap();
    let secret = SubjectKeys::open(&dir.path().join(SUBJECT_KEYS_FILE))
        .unwrap()
        .secret(&family_id())
        .unwrap()
        .expect("a key");
    store
        .erase_doc(&family_id(), &meta(DocKind::Family), &entry(5))
        .unwrap();
    let keys = SubjectKeys::open(&dir.path().join(SUBJECT_KEYS_FILE)).unwrap();
    assert!(
        keys.secret(&family_id()).unwrap().is_none(),
        "the key is gone"
    );
    drop(keys);
    // secure_delete and the checkpoint: its bytes are overwritten in the file, not only
    // unlinked from the table, and no WAL frame keeps them.
    for file in [SUBJECT_KEYS_FILE, "subject-keys.db-wal"] {
        let raw = std::fs::read(dir.path().join(file)).unwrap_or_default();
        assert!(!raw.windows(secret.len()).any(|w| w == secret), "{file}");
    }
    drop(store);

    // The old copy with the node's current key file: the family counts as erased.
    std::fs::copy(
        dir.path().join(SUBJECT_KEYS_FILE),
        copy.path().join(SUBJECT_KEYS_FILE),
    )
    .unwrap();
    let restored = open(copy.path(), true).unwrap();
    assert!(restored.find::<Family>(&family_id()).unwrap().is_none());
    assert!(restored.is_erased(&family_id()).unwrap());
    assert!(stored_chunks(&restored, &family_id()).is_empty());
}

#[test]
fn a_database_with_sealed_documents_refuses_to_open_without_its_key_file() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = open(dir.path(), true).unwrap();
    save_family(&mut store);
    drop(store);
    std::fs::rename(
        dir.path().join(SUBJECT_KEYS_FILE),
        dir.path().join("elsewhere.db"),
    )
    .unwrap();
    match open(dir.path(), false) {
        Err(StoreError::SubjectKeys(message)) => assert!(message.contains("missing"), "{message}"),
        Err(other) => panic!("expected a missing key file, got {other}"),
        Ok(_) => panic!("opened without its key file"),
    }
    // Another node's key file is refused too (it would take every document for erased).
    match open(dir.path(), true) {
        Err(StoreError::SubjectKeys(message)) => {
            assert!(message.contains("need the key file"), "{message}")
        }
        Err(other) => panic!("expected another key file, got {other}"),
        Ok(_) => panic!("opened with a new key file"),
    }
    std::fs::rename(
        dir.path().join("elsewhere.db"),
        dir.path().join(SUBJECT_KEYS_FILE),
    )
    .unwrap();
    let store = open(dir.path(), true).unwrap();
    assert_eq!(store.get::<Family>(&family_id()).unwrap().1, family());
}

#[test]
fn a_key_file_older_than_the_database_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = open(dir.path(), true).unwrap();
    save_family(&mut store);
    drop(store);
    let keys = dir.path().join(SUBJECT_KEYS_FILE);
    let older = dir.path().join("older.db");
    std::fs::copy(&keys, &older).unwrap();
    // A second family after the copy: its key is not in the older file.
    let mut store = open(dir.path(), true).unwrap();
    let mut second = family();
    second.id = FamilyId("fam-2".into());
    second.guardians[0].id = GuardianId("grd-2".into());
    second.children[0].id = ChildId("child-2".into());
    let mut doc = StoredDoc::create(
        DocId("doc-family-2".into()),
        meta(DocKind::Family),
        &second,
        store.actor(),
        today(),
        1,
    )
    .unwrap();
    store.save_doc(&mut doc, &entry(2)).unwrap();
    drop(store);
    std::fs::copy(&older, &keys).unwrap();
    match open(dir.path(), true) {
        Err(StoreError::SubjectKeys(message)) => assert!(message.contains("older"), "{message}"),
        Err(other) => panic!("expected an older key file, got {other}"),
        Ok(_) => panic!("opened with an older key file (the second family would count as erased)"),
    }
}
