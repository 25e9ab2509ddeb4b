//! The export buffer from a node's own documents: small fixtures per test (one Kita, one family,
//! one contract), fixed dates, a file drop in a temporary directory.

use super::*;
use crate::auth::{Caller, Role};
use crate::storage::test_support::open_temp;
use kitanetz_crdt::doc::StoredDoc;
use kitanetz_crdt::ids::{
    provider_org, ChildId, ContractLineId, FamilyId, GuardianId, OrgId, ProviderId,
};
use kitanetz_crdt::kinds::{Address, Child, ContractLine, FacilityProfile, PaymentMode, Sex};
use kitanetz_crdt::meta::{DocKind, DocMeta};
use kitanetz_crdt::period::Period;
use kitanetz_crdt::scalar::{Date, Dec};
use rust_decimal::Decimal;
use std::str::FromStr;

fn today() -> Date {
    Date::ymd(2026, 11, 20)
}

fn now(millis: i64) -> Now {
    Now {
        today: today(),
        millis,
    }
}

fn fac() -> FacilityId {
    FacilityId("fac-1".into())
}

fn staff(role: Role, provider: &str, facility: Option<&str>) -> Principal {
    Principal::Staff(Caller {
        user_id: 1,
        username: format!("{}-{provider}", role.as_str()),
        display_name: "Test".into(),
        role,
        organisation: OrgId(format!("org-{provider}")),
        provider: Some(ProviderId(provider.into())),
        facility: facility.map(|f| FacilityId(f.into())),
        childminder: None,
    })
}

fn admin() -> Principal {
    staff(Role::TraegerAdmin, "prov-1", None)
}

fn settings() -> Settings {
    Settings {
        kita_ids: BTreeMap::from([("fac-1".to_string(), "0100123".to_string())]),
    }
}

fn entry(action: &'static str) -> AuditEntry {
    AuditEntry {
        at: 1,
        actor: "user:test".into(),
        action,
        target: None,
        subjects: vec![],
        valid_from: None,
    }
}

fn meta(kind: DocKind) -> DocMeta {
    DocMeta {
        kind,
        schema: kind.schema_version(),
        owner: provider_org(&ProviderId("prov-1".into())),
        provider: Some(ProviderId("prov-1".into())),
        facilities: vec![fac()],
        origin_node: "kita-1".into(),
        created_on: today(),
    }
}

fn create<T: kitanetz_crdt::doc::Document>(store: &mut Store, id: kitanetz_crdt::DocId, value: &T) {
    let mut doc = StoredDoc::create(id, meta(T::KIND), value, store.actor(), today(), 1).unwrap();
    store.save_doc(&mut doc, &entry("test.create")).unwrap();
}

fn hours(text: &str) -> Dec {
    Dec(Decimal::from_str(text).unwrap())
}

fn line(id: &str, from: Date, care_type: CareType, daily: &str) -> ContractLine {
    ContractLine {
        id: ContractLineId(id.into()),
        valid: Period::from(from),
        care_type,
        daily_hours: hours(daily),
        group: None,
        payment_mode: PaymentMode::DirectDebit,
        reserved_seat: false,
    }
}

fn address(street: &str) -> Address {
    Address {
        street: street.into(),
        postcode: "24103".into(),
        city: "Kiel".into(),
        lat: None,
        lon: None,
    }
}

fn guardian(id: &str, given: &str, street: &str) -> Guardian {
    Guardian {
        id: GuardianId(id.into()),
        given_name: given.into(),
        family_name: "Petersen".into(),
        address: address(street),
        main_residence_in_city: true,
        phone: String::new(),
        email: String::new(),
        single_parent: false,
    }
}

/// The Kita fac-1 of prov-1, the Petersens (Anna and Jan, child Mia) and Mia's Kindergarten
/// contract from 1 August 2026 at 7 h, 9.5 h from 1 February 2027.
fn seeded() -> (tempfile::TempDir, Store) {
    let (dir, mut store) = open_temp();
    let profile: FacilityProfile = serde_json::from_value(serde_json::json!({
        "id": "fac-1", "provider": "prov-1", "name": "Kita Hafenkinder",
        "address": {"street": "Hafenstraße 1", "postcode": "24103", "city": "Kiel", "lat": null, "lon": null},
        "district": "Mitte", "cost_centre": "", "opening_hours": "", "concept": "", "email": "",
        "phone": "", "lead_name": ""
    }))
    .unwrap();
    create(
        &mut store,
        crate::facilities::profile_doc_id(&fac()),
        &profile,
    );
    let family = Family {
        id: FamilyId("fam-1".into()),
        family_number: "123456".into(),
        family_key: String::new(),
        guardians: vec![
            guardian("grd-1", "Anna", "Holstenstraße 12"),
            guardian("grd-2", "Jan", "Holstenstraße 12"),
        ],
        children: vec![Child {
            id: ChildId("child-1".into()),
            given_name: "Mia".into(),
            family_name: "Petersen".into(),
            birth_date: Date::ymd(2022, 3, 14),
            sex: Sex::Female,
            integration_need: false,
            facility: Some(fac()),
        }],
    };
    create(&mut store, family_doc_id(&family.id), &family);
    let mut contract = CareContract {
        id: ContractId("ctr-1".into()),
        family: family.id.clone(),
        child: ChildId("child-1".into()),
        facility: fac(),
        period: Period::from(Date::ymd(2026, 8, 1)),
        lines: vec![line(
            "line-1",
            Date::ymd(2026, 8, 1),
            CareType::Kindergarten,
            "7",
        )],
        notice_given_on: None,
        notice_reason: None,
        school_entry: None,
    };
    contract
        .change_from(
            Date::ymd(2027, 2, 1),
            line(
                "line-2",
                Date::ymd(2027, 2, 1),
                CareType::Kindergarten,
                "9.5",
            ),
        )
        .unwrap();
    create(&mut store, contract_doc_id(&contract.id), &contract);
    (dir, store)
}

/// Changes Mia's contract from 1 May 2027 (6 h).
fn change_contract(store: &mut Store) {
    let id = contract_doc_id(&ContractId("ctr-1".into()));
    let (mut doc, mut contract) = store.get::<CareContract>(&id).unwrap();
    contract
        .change_from(
            Date::ymd(2027, 5, 1),
            line("line-3", Date::ymd(2027, 5, 1), CareType::Kindergarten, "6"),
        )
        .unwrap();
    doc.update(&contract, today(), 2, "change").unwrap();
    store.save_doc(&mut doc, &entry("contract.change")).unwrap();
}

fn drop_dir(dir: &tempfile::TempDir) -> FileDrop {
    FileDrop {
        dir: dir.path().join("drop"),
    }
}

fn files(drop: &FileDrop) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir(&drop.dir) else {
        return vec![];
    };
    let mut names: Vec<String> = entries
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

fn mia(view: &KitaplanerView) -> &ChildBuffer {
    view.children.iter().find(|c| c.child == "child-1").unwrap()
}

#[test]
fn rows_from_a_real_contract_one_per_period_with_child_and_both_main_contacts() {
    let (_dir, store) = seeded();
    let v = view(&store, &admin(), &fac(), &settings()).unwrap();
    assert!(v.problems.is_empty(), "{:?}", v.problems);
    let child = mia(&v);
    assert_eq!(child.status, ExportStatus::Inserted);
    assert_eq!(child.rows.len(), 2);
    let (first, second) = (&child.rows[0], &child.rows[1]);
    assert_eq!(first.kind_id_extern, "ctr-1", "the contract id stands in");
    assert_eq!(first.kita_id_extern, "0100123");
    assert_eq!(first.contract_from, Date::ymd(2026, 8, 1).0);
    assert_eq!((first.change_index, first.change_total), (1, 2));
    assert_eq!(first.betreuungszeit_id, 5, "7 h: bis 7h");
    assert_eq!(first.status, "NEUVERTRAG");
    assert_eq!(second.contract_from, Date::ymd(2027, 2, 1).0);
    assert_eq!(second.betreuungszeit_id, 8, "9.5 h: über 9h");
    assert_eq!(second.hours, "9.5");
    assert_eq!(second.notice_date, None);
    let c = &first.columns;
    assert_eq!(c["KIND_VORNAME"], "Mia");
    assert_eq!(c["KIND_GEBDATUM"], "2022-03-14");
    assert_eq!(c["KIND_STRASSE"], "Holstenstraße");
    assert_eq!(c["KIND_HAUSNUMMER"], "12");
    assert_eq!(c["SB1_VORNAME"], "Anna");
    assert_eq!(c["SB2_VORNAME"], "Jan");
    assert_eq!(c["SB2_POSTLEITZAHL"], "24103");
    assert_eq!(c["NEUANLAGE_ERLAUBT"], "n");
    assert_eq!(c["EXPORT_STATUS"], "Eingefügt");
}

#[test]
fn an_export_drops_one_file_in_the_seed_layout_and_marks_the_rows_exported() {
    let (dir, mut store) = seeded();
    let drop = drop_dir(&dir);
    let report = export(
        &mut store,
        &admin(),
        &fac(),
        &settings(),
        Some(&drop),
        false,
        now(1_000),
    )
    .unwrap();
    assert_eq!(report.error, None);
    assert_eq!(report.rows, 2);
    assert_eq!(files(&drop), ["kitaplaner-fac-1-1000.csv"]);
    let text = std::fs::read_to_string(drop.dir.join("kitaplaner-fac-1-1000.csv")).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 3);
    assert!(lines[0].starts_with("KIND_ID_EXTERN;KITA_ID_EXTERN;STATUS;VER_VERTRAG_AB;"));
    assert!(!lines[0].contains("BETREUUNGSSTUNDEN"));
    assert!(lines[1].starts_with("ctr-1;0100123;NEUVERTRAG;2026-08-01;;1;2;5;n;Eingefügt;Petersen;Mia;2022-03-14;Holstenstraße;12;24103;Kiel;"));
    let v = view(&store, &admin(), &fac(), &settings()).unwrap();
    assert_eq!(mia(&v).status, ExportStatus::Exported);
    assert_eq!(mia(&v).rows[0].columns["EXPORT_STATUS"], "Exportiert");
    assert_eq!(v.runs.len(), 1);
    let audited: i64 = store
        .conn()
        .query_row(
            "SELECT COUNT(*) FROM audit_log WHERE action = 'kitaplaner.export' AND subjects LIKE '%child-1%'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(audited, 1);
}

#[test]
fn re_exporting_unchanged_rows_writes_nothing_new() {
    let (dir, mut store) = seeded();
    let drop = drop_dir(&dir);
    let lead = staff(Role::KitaLead, "prov-1", Some("fac-1"));
    export(
        &mut store,
        &lead,
        &fac(),
        &settings(),
        Some(&drop),
        false,
        now(1_000),
    )
    .unwrap();
    let again = export(
        &mut store,
        &lead,
        &fac(),
        &settings(),
        Some(&drop),
        false,
        now(2_000),
    )
    .unwrap();
    assert_eq!(again.file, None);
    assert_eq!(again.rows, 0);
    assert_eq!(again.run, None);
    assert_eq!(files(&drop).len(), 1);
    assert_eq!(queries::run_count(store.conn(), "fac-1").unwrap(), 1);
}

#[test]
fn a_changed_contract_rebuilds_the_childs_rows_and_marks_them_inserted_again() {
    let (dir, mut store) = seeded();
    let drop = drop_dir(&dir);
    export(
        &mut store,
        &admin(),
        &fac(),
        &settings(),
        Some(&drop),
        false,
        now(1_000),
    )
    .unwrap();
    change_contract(&mut store);
    let v = view(&store, &admin(), &fac(), &settings()).unwrap();
    let child = mia(&v);
    assert_eq!(child.status, ExportStatus::Inserted);
    assert_eq!(child.rows.len(), 3);
    assert_eq!(child.rows[2].betreuungszeit_id, 4, "6 h from May");
    assert!(child.rows.iter().all(|r| r.change_total == 3));
    let report = export(
        &mut store,
        &admin(),
        &fac(),
        &settings(),
        Some(&drop),
        false,
        now(3_000),
    )
    .unwrap();
    assert_eq!(report.rows, 3);
    assert_eq!(files(&drop).len(), 2);
    let v = view(&store, &admin(), &fac(), &settings()).unwrap();
    assert_eq!(mia(&v).status, ExportStatus::Exported);
}

#[test]
fn a_dry_run_shows_the_file_and_writes_and_changes_nothing() {
    let (dir, mut store) = seeded();
    let drop = drop_dir(&dir);
    let report = export(
        &mut store,
        &admin(),
        &fac(),
        &settings(),
        Some(&drop),
        true,
        now(1_000),
    )
    .unwrap();
    assert!(report.dry_run);
    assert_eq!(report.rows, 2);
    assert_eq!(report.content.lines().count(), 3);
    assert_eq!(report.run, None);
    assert!(files(&drop).is_empty());
    assert_eq!(queries::run_count(store.conn(), "fac-1").unwrap(), 0);
    let v = view(&store, &admin(), &fac(), &settings()).unwrap();
    assert_eq!(mia(&v).status, ExportStatus::Inserted);
    // Without a drop directory a dry run still works; a real run is refused.
    assert!(export(
        &mut store,
        &admin(),
        &fac(),
        &settings(),
        None,
        true,
        now(1_500)
    )
    .is_ok());
    assert!(matches!(
        export(
            &mut store,
            &admin(),
            &fac(),
            &settings(),
            None,
            false,
            now(1_600)
        ),
        Err(ActionError::Conflict(_))
    ));
}

struct Refusing;

impl Transfer for Refusing {
    fn name(&self) -> String {
        "refusing".into()
    }
    fn deliver(&self, _: &str, _: &[u8]) -> Result<(), String> {
        Err("Kita-Planer nicht erreichbar".into())
    }
}

#[test]
fn a_failed_transfer_marks_the_rows_as_error_in_kitaplaner_and_the_next_run_retries() {
    let (dir, mut store) = seeded();
    let report = export(
        &mut store,
        &admin(),
        &fac(),
        &settings(),
        Some(&Refusing),
        false,
        now(1_000),
    )
    .unwrap();
    assert_eq!(
        report.error.as_deref(),
        Some("Kita-Planer nicht erreichbar")
    );
    let v = view(&store, &admin(), &fac(), &settings()).unwrap();
    assert_eq!(mia(&v).status, ExportStatus::Failed);
    assert_eq!(
        mia(&v).message.as_deref(),
        Some("Kita-Planer nicht erreichbar")
    );
    let drop = drop_dir(&dir);
    let retry = export(
        &mut store,
        &admin(),
        &fac(),
        &settings(),
        Some(&drop),
        false,
        now(2_000),
    )
    .unwrap();
    assert_eq!(retry.rows, 2);
    let v = view(&store, &admin(), &fac(), &settings()).unwrap();
    assert_eq!(mia(&v).status, ExportStatus::Exported);
}

#[test]
fn missing_fields_name_the_child_and_the_field_and_block_the_export() {
    let (dir, mut store) = seeded();
    let id = family_doc_id(&FamilyId("fam-1".into()));
    let (mut doc, mut family) = store.get::<Family>(&id).unwrap();
    family.guardians[1].address.street = "Am Markt".into();
    doc.update(&family, today(), 2, "address").unwrap();
    store.save_doc(&mut doc, &entry("family.update")).unwrap();
    let v = view(&store, &admin(), &fac(), &settings()).unwrap();
    let problem = v
        .problems
        .iter()
        .find(|p| p.field == "SB2_HAUSNUMMER")
        .expect("the missing house number is listed");
    assert_eq!(problem.child.as_deref(), Some("child-1"));
    assert_eq!(problem.name, "Mia Petersen");
    assert_eq!(mia(&v).status, ExportStatus::Blocked);
    let drop = drop_dir(&dir);
    let report = export(
        &mut store,
        &admin(),
        &fac(),
        &settings(),
        Some(&drop),
        false,
        now(1_000),
    )
    .unwrap();
    assert_eq!(report.rows, 0);
    assert!(files(&drop).is_empty());

    // A Kita without its Kita-Planer id exports nothing and says so.
    let v = view(&store, &admin(), &fac(), &Settings::default()).unwrap();
    assert!(v
        .problems
        .iter()
        .any(|p| p.field == "KITA_ID_EXTERN" && p.child.is_none()));
}

#[test]
fn a_care_gap_refuses_the_contract_with_an_error_naming_the_gap() {
    let (_dir, mut store) = seeded();
    let id = contract_doc_id(&ContractId("ctr-1".into()));
    let (mut doc, mut contract) = store.get::<CareContract>(&id).unwrap();
    // The first line ends in December; the second begins in February: January is uncovered.
    contract.lines[0].valid =
        Period::new(Date::ymd(2026, 8, 1), Some(Date::ymd(2026, 12, 31))).unwrap();
    doc.update(&contract, today(), 2, "gap").unwrap();
    store.save_doc(&mut doc, &entry("contract.change")).unwrap();
    let v = view(&store, &admin(), &fac(), &settings()).unwrap();
    let gap = v
        .problems
        .iter()
        .find(|p| p.kind == ProblemKind::CareGap)
        .expect("a care gap");
    assert_eq!(gap.gap_from, Some(Date::ymd(2027, 1, 1).0));
    assert_eq!(gap.gap_to, Some(Date::ymd(2027, 1, 31).0));
    assert_eq!(gap.child.as_deref(), Some("child-1"));
    assert!(mia(&v).rows.is_empty());
}

#[test]
fn another_traegers_admin_and_a_city_user_are_refused() {
    let (dir, mut store) = seeded();
    let drop = drop_dir(&dir);
    for who in [
        staff(Role::TraegerAdmin, "prov-2", None),
        staff(Role::KitaLead, "prov-1", Some("fac-2")),
        staff(Role::Zvs, "city", None),
        staff(Role::FeeOffice, "prov-1", None),
    ] {
        assert!(
            matches!(
                view(&store, &who, &fac(), &settings()),
                Err(ActionError::Forbidden(_))
            ),
            "{who:?}"
        );
        assert!(matches!(
            export(
                &mut store,
                &who,
                &fac(),
                &settings(),
                Some(&drop),
                false,
                now(1_000)
            ),
            Err(ActionError::Forbidden(_))
        ));
    }
    assert!(files(&drop).is_empty());
    assert_eq!(queries::run_count(store.conn(), "fac-1").unwrap(), 0);
}

#[test]
fn the_last_word_of_a_street_line_is_its_house_number_when_it_starts_with_a_digit() {
    assert_eq!(
        split_street("Holstenstraße 12"),
        (Some("Holstenstraße".into()), Some("12".into()))
    );
    assert_eq!(
        split_street("Am Markt 3a"),
        (Some("Am Markt".into()), Some("3a".into()))
    );
    assert_eq!(split_street("Am Markt"), (Some("Am Markt".into()), None));
    assert_eq!(split_street("  "), (None, None));
}
